"""Speed and scale: CP-SAT on every benchmark instance, HiGHS on the same model per person.

    .venv/bin/python -m benchmarks.run                   # everything (≈ 30 min on 2 cores)
    .venv/bin/python -m benchmarks.run --quick           # a few instances, short limits
    .venv/bin/python -m benchmarks.run --only province resolve --repeats 5
    .venv/bin/python -m benchmarks.run --clock idle --jobs 3  # on a loaded machine
    .venv/bin/python -m benchmarks.run --render          # rewrite the docs from the last results

Every solve runs in a fresh process (multiprocessing "spawn"), so its peak memory
(``ru_maxrss``) is its own. Per instance and solver it records: status, objective,
bound, gap, wall seconds (from the call of ``planner.solve.solve``, model building
included), seconds to the first plan, Python model-building seconds, CP-SAT's
deterministic time (load-independent), CPU seconds, peak MB, the 1-minute load
average, and whether the plan passes ``planner.check`` (a failure is a bug: it is
printed loudly and the command exits 1). The instances are in ``benchmarks/instances.py``,
the HiGHS baseline in ``benchmarks/highs_baseline.py``.

Writes ``benchmarks/results/latest.json`` (everything, with the progress traces),
``benchmarks/results/latest.csv`` (one row per run), ``docs/benchmarks.md`` and
``docs/bench_time_vs_size.svg``.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import multiprocessing as mp
import os
import pickle
import platform
import shlex
import statistics
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.instances import BY_NAME, INSTANCES, ROOT, Instance, select

RESULTS = ROOT / "benchmarks" / "results"
OUT = {"results": RESULTS}  # where latest.json / latest.csv go (``--results``)
DOC = ROOT / "docs" / "benchmarks.md"
SVG_NAME = "bench_time_vs_size.svg"
ONE_PERCENT = 0.01
CLOCKS = ("wall", "idle")
AXIS = {"axis": 0}  # 0: figures on the wall clock, 1: on the idle-equivalent clock


def set_clock(clock: str) -> None:
    AXIS["axis"] = CLOCKS.index(clock)


def normalize(run: dict[str, Any]) -> dict[str, Any]:
    """``time_s``/``first_time_s`` on the chosen clock, ``other_s`` on the other one."""
    a = AXIS["axis"]
    pair = (run.get("wall_s"), run.get("eq_s"))
    first = (run.get("first_s"), run.get("first_eq_s"))
    run["time_s"], run["other_s"] = pair[a], pair[1 - a]
    run["first_time_s"] = first[a]
    return run


# -- the jobs (run in a fresh spawned process) ---------------------------------------------


def cpsat_job(payload: dict[str, Any]) -> dict[str, Any]:
    """One ``planner.solve.solve`` call, instrumented; runs in its own process.

    With ``payload["cpu_clock"]`` the limit is in idle-equivalent seconds
    (``IdleClock``): a watcher sets ``solve``'s ``stop`` event when it is used up.
    """
    import resource
    import threading

    import planner.solve as ps
    from benchmarks.highs_baseline import IdleClock
    from planner.check import check, objective_value
    from planner.cpsat import runner

    sc = pickle.loads(payload["scenario"])
    hint = pickle.loads(payload["hint"]) if payload.get("hint") else None
    limit = payload["time_limit"]
    cpu_clock = bool(payload.get("cpu_clock"))
    clock = IdleClock(payload.get("cores") or os.cpu_count() or 1)
    events: list[tuple[float, float, float | None, float]] = []  # wall, idle-eq, objective, bound
    solvers: list[Any] = []
    build_s: list[float] = []

    original_parameters = runner.parameters

    restricted = [False]  # is the model being solved a restricted one (planner/cpsat/restrict.py)?

    def parameters(solver: Any, settings: Any, time_limit: float) -> None:
        original_parameters(solver, settings, time_limit)
        solvers.append(solver)
        of_restricted = restricted[0]

        def on_bound(bound: float) -> None:
            # A restricted model's bound is not a bound of the scenario: not recorded.
            if not of_restricted:
                events.append((*clock.now(), None, bound))

        solver.best_bound_callback = on_bound

    original_solve_once = runner.solve_once

    def solve_once(*args: Any, **kwargs: Any) -> Any:
        clock.enter()
        try:
            return original_solve_once(*args, **kwargs)
        finally:
            clock.leave()

    original_build = ps.build

    def build(*args: Any, **kwargs: Any) -> Any:
        restricted[0] = bool(
            kwargs.get("restricted") or kwargs.get("homes") or kwargs.get("placed")
        )
        start = time.perf_counter()
        out = original_build(*args, **kwargs)
        build_s.append(time.perf_counter() - start)
        return out

    runner.parameters = parameters  # type: ignore[assignment]
    runner.solve_once = solve_once  # type: ignore[assignment]
    ps.build = build  # type: ignore[assignment]
    if payload.get("complete_hint"):
        original_hint = ps.add_plan_hint

        def add_plan_hint(built: Any, plan: Any) -> None:
            original_hint(built, plan)
            complete_hint(built)

        ps.add_plan_hint = add_plan_hint  # type: ignore[assignment]

    def on_progress(_t: float, objective: float, bound: float) -> None:
        events.append((*clock.now(), objective, bound))

    stop = threading.Event()
    done = threading.Event()
    if cpu_clock:

        def watch() -> None:
            while not done.wait(0.02):
                if clock.equivalent() >= limit:
                    stop.set()
                    return

        threading.Thread(target=watch, daemon=True).start()
    load0 = os.getloadavg()[0]
    clock.start()
    res = ps.solve(
        sc,
        time_limit=max(120.0, 10 * limit) if cpu_clock else limit,  # wall: only a guard
        workers=payload.get("workers"),
        hint=hint,
        on_progress=on_progress,
        stop=stop if cpu_clock else None,
        explain=False,
    )
    done.set()
    wall, eq, cpu = clock.wall(), clock.equivalent(), clock.cpu()
    seen = [e[3] for e in events if e[3] is not None]
    bound = res.bound
    if bound is None and seen:  # a timeout without a plan still has a proven bound
        bound = math.ceil(max(seen) - 1e-6)
    firsts = [e for e in events if e[2] is not None]
    out: dict[str, Any] = {
        "solver": "cp-sat",
        "status": res.status.value,
        "objective": res.objective,
        "bound": bound,
        "gap": res.gap,
        "wall_s": wall,
        "eq_s": eq,
        "cpu_s": cpu,
        "runtime_s": res.runtime,
        "build_s": build_s[0] if build_s else None,
        "search_s": sum(s.wall_time for s in solvers),
        "det_time": sum(s.deterministic_time for s in solvers),
        "first_s": firsts[0][0] if firsts else None,
        "first_eq_s": firsts[0][1] if firsts else None,
        "classes": res.stats.get("classes"),
        "variables": res.stats.get("variables"),
        "constraints": res.stats.get("constraints"),
        "load1_start": load0,
        "load1_end": os.getloadavg()[0],
        "events": events,
        "violations": list(res.violations),
    }
    if res.plan is not None:
        report = check(sc, res.plan)
        out["check_ok"] = report.ok and not res.violations
        out["violations"] += [str(v) for v in report.violations]
        out["terms"] = report.terms
        out["check_objective"] = objective_value(report.terms, sc.settings)
        if out["check_objective"] != res.objective:
            out["check_ok"] = False
            out["violations"].append(
                f"objective: solver {res.objective} != checker {out['check_objective']}"
            )
        if payload.get("want_plan"):
            out["plan"] = pickle.dumps(res.plan)
    else:
        out["check_ok"] = None
    out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def complete_hint(built: Any) -> bool:
    """Give every variable a hinted value: fix the hinted ones, solve without objective
    (one worker), hint the whole solution. Leaves the hint as it was when that fails."""
    from ortools.sat.python import cp_model

    model = built.model
    fixed = model.clone()
    hint = list(zip(fixed.proto.solution_hint.vars, fixed.proto.solution_hint.values, strict=True))
    for i, v in hint:
        fixed.add(fixed.get_int_var_from_proto_index(i) == v)
    fixed.clear_hints()
    fixed.clear_objective()
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 10.0
    solver.parameters.presolve_inclusion_work_limit = 0  # google/or-tools#5293, as the runner
    if solver.solve(fixed) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return False
    model.clear_hints()
    for i, v in enumerate(solver.response_proto.solution):
        model.proto.solution_hint.vars.append(i)
        model.proto.solution_hint.values.append(v)
    return True


def highs_job(payload: dict[str, Any]) -> dict[str, Any]:
    """The HiGHS baseline on one scenario; runs in its own process."""
    from benchmarks.highs_baseline import solve_highs

    sc = pickle.loads(payload["scenario"])
    hint = pickle.loads(payload["hint"]) if payload.get("hint") else None
    load0 = os.getloadavg()[0]
    out = solve_highs(
        sc,
        payload["time_limit"],
        payload.get("threads", 2),
        hint=hint,
        stop_gap=payload.get("stop_gap", 0.0),
        cores=payload.get("cores") or os.cpu_count() or 1,
        cpu_clock=bool(payload.get("cpu_clock")),
    )
    out["load1_start"] = load0
    out["load1_end"] = os.getloadavg()[0]
    out["events"] = out.pop("trace")
    return out


def in_fresh_process(job: Any, payload: dict[str, Any]) -> dict[str, Any]:
    """Run ``job(payload)`` in a new spawned interpreter (its own peak memory)."""
    ctx = mp.get_context("spawn")
    try:
        with ProcessPoolExecutor(max_workers=1, mp_context=ctx) as pool:
            return pool.submit(job, payload).result()
    except Exception as exc:  # a crash (e.g. out of memory) is a result, not the end
        return {"status": "error", "error": f"{type(exc).__name__}: {exc}", "check_ok": None}


# -- traces and summaries ----------------------------------------------------------------


def gap_of(objective: float | None, bound: float | None) -> float | None:
    if objective is None or bound is None or not math.isfinite(bound):
        return None
    return abs(objective - bound) / max(1.0, abs(objective))


def time_to_gap(run: dict[str, Any], target: float, integral_bound: bool = False) -> tuple:
    """(seconds on the chosen clock, on the other clock) at which ``run`` first had a
    plan within ``target`` of its bound, or (None, None). ``integral_bound``: round the bound up (every plan's objective is
    an integer, so ceil(bound) is a bound too; HiGHS reports fractional LP bounds)."""
    objective: float | None = None
    bound: float | None = None
    final = (run.get("wall_s"), run.get("eq_s"), run.get("objective_raw"), run.get("bound"))
    a = AXIS["axis"]
    for wall, cpu, obj, bnd in [*run.get("events", []), final]:
        if obj is not None:
            objective = obj if objective is None else min(objective, obj)
        if bnd is not None and math.isfinite(bnd):
            b = math.ceil(bnd - 1e-6) if integral_bound else bnd
            bound = b if bound is None else max(bound, b)
        g = gap_of(objective, bound)
        if g is not None and g <= target + 1e-6:  # solve() rounds gaps to 6 decimals
            return (wall, cpu)[a], (wall, cpu)[1 - a]
    return None, None


def gap_at(run: dict[str, Any], t: float) -> float | None:
    """The gap of ``run`` at ``t`` seconds (chosen clock): best plan and bound by then.
    A solver that ran past its limit (it did not react to the stop) gets no credit for
    what it found afterwards."""
    a = AXIS["axis"]
    objective: float | None = None
    bound: float | None = None
    final = (run.get("wall_s"), run.get("eq_s"), run.get("objective_raw"), run.get("bound"))
    for e in [*run.get("events", []), final]:
        if e[a] is None or e[a] > t * 1.01 + 0.05:
            continue
        if e[2] is not None:
            objective = e[2] if objective is None else min(objective, e[2])
        if e[3] is not None and math.isfinite(e[3]):
            bound = e[3] if bound is None else max(bound, e[3])
    return gap_of(objective, bound)


def median(values: list[float | None]) -> float | None:
    vs = [v for v in values if v is not None]
    return statistics.median(vs) if vs else None


def summarize(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Median figures over repeats; objective/bound/gap of the run with the median gap."""
    ok = [normalize(r) for r in runs if r.get("status") not in ("error",)]
    statuses: dict[str, int] = {}
    for r in runs:
        statuses[r.get("status", "error")] = statuses.get(r.get("status", "error"), 0) + 1
    rep = None
    with_gap = sorted((r for r in ok if r.get("gap") is not None), key=lambda r: r["gap"])
    if with_gap:
        rep = with_gap[(len(with_gap) - 1) // 2]
    return {
        "runs": len(runs),
        "statuses": statuses,
        "all_optimal": bool(runs) and all(r.get("status") == "optimal" for r in runs),
        "objective": rep and rep.get("objective"),
        "bound": rep and rep.get("bound"),
        "gap": median([r.get("gap") for r in ok]),
        "time_s": median([r.get("time_s") for r in ok]),
        "first_time_s": median([r.get("first_time_s") for r in ok]),
        "other_s": median([r.get("other_s") for r in ok]),
        "wall_s": median([r.get("wall_s") for r in ok]),
        "last_improvement_s": median([last_improvement(r) for r in ok]),
        "build_s": median([r.get("build_s") for r in ok]),
        "det_time": median([r.get("det_time") for r in ok]),
        "cpu_s": median([r.get("cpu_s") for r in ok]),
        "peak_mb": max((r.get("peak_mb") or 0 for r in ok), default=None),
        "load1": median([r.get("load1_start") for r in ok]),
        "check_ok": all(r.get("check_ok") for r in runs) if runs else None,
        "plans": sum(1 for r in runs if r.get("check_ok") is not None),
        "check_failed": [r for r in runs if r.get("check_ok") is False],
    }


def last_improvement(run: dict[str, Any]) -> float | None:
    times = [e[AXIS["axis"]] for e in run.get("events", []) if e[2] is not None]
    return max(times) if times else None


# -- the benchmark -----------------------------------------------------------------------


def machine() -> dict[str, Any]:
    import importlib.metadata as md

    import highspy  # noqa: F401

    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = None
    try:
        import psutil

        mem = round(psutil.virtual_memory().total / 2**30, 1)
    except ImportError:
        pass
    return {
        "cores": os.cpu_count(),
        "cpu": cpu,
        "memory_gb": mem,
        "os": platform.platform(),
        "python": platform.python_version(),
        "ortools": md.version("ortools"),
        "highspy": md.version("highspy"),
        "load1_at_start": round(os.getloadavg()[0], 2),
    }


def size_of(sc: Any) -> dict[str, int]:
    return {
        "staff": len(sc.staff),
        "units": len(sc.units),
        "functions": len(sc.functions),
        "departments": len(sc.departments),
        "organizations": len(sc.organizations),
    }


def loud(msg: str) -> None:
    bar = "!" * 78
    print(f"\n{bar}\n{msg}\n{bar}\n", file=sys.stderr, flush=True)


def run_benchmarks(args: argparse.Namespace) -> dict[str, Any]:
    chosen = select(args.only, args.quick)
    results: dict[str, Any] = {
        "command": args.command,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "quick": args.quick,
        "repeats": args.repeats,
        "clock": args.clock,
        "jobs": args.jobs,
        "highs_factor": args.highs_factor,
        "highs_cap": args.highs_cap,
        "machine": machine(),
        "instances": {},
    }
    previous = OUT["results"] / "latest.json"
    if args.merge and previous.exists():
        old = json.loads(previous.read_text(encoding="utf-8"))
        if old.get("clock", "wall") != args.clock or old.get("quick") != args.quick:
            raise SystemExit("--merge: latest.json was measured with another --clock or --quick")
        results["instances"] = old["instances"]
        results["command"] = old["command"]
        results["merged"] = [
            *old.get("merged", []),
            {"command": args.command, "date": results["date"]},
        ]
        results["date"] = old["date"]
        results["machine"]["load1_at_start"] = old["machine"].get("load1_at_start")
    plans: dict[str, Any] = {}  # instance name -> best plan (pickled), for hints
    lock = threading.Lock()

    def one(inst: Instance) -> None:
        entry = bench_instance(inst, args, plans, lock)
        with lock:
            results["instances"][inst.name] = entry
            save(results)  # after every instance: a crash keeps what was measured

    # the re-solve needs the province's plan: it runs after the others
    first = [i for i in chosen if i.base is None]
    later = [i for i in chosen if i.base is not None]
    if args.jobs > 1:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=args.jobs) as pool:
            list(pool.map(one, first))
    else:
        for inst in first:
            one(inst)
    for inst in later:
        one(inst)
    order = {i.name: k for k, i in enumerate(INSTANCES)}
    results["instances"] = dict(sorted(results["instances"].items(), key=lambda kv: order[kv[0]]))
    results["machine"]["load1_at_end"] = round(os.getloadavg()[0], 2)
    return results


def bench_instance(
    inst: Instance, args: argparse.Namespace, plans: dict[str, Any], lock: threading.Lock
) -> dict[str, Any]:
    """CP-SAT ``args.repeats`` times and HiGHS once on one instance, each in a fresh process."""
    clock = {"cpu_clock": args.clock == "idle", "cores": os.cpu_count() or 1}
    limit = inst.limit(args.quick)
    gen_start = time.perf_counter()
    sc = inst.load()
    load_s = time.perf_counter() - gen_start
    blob = pickle.dumps(sc)
    entry: dict[str, Any] = {
        "name": inst.name,
        "group": inst.group,
        "source": inst.source,
        "time_limit": limit,
        "province_scale": inst.province_scale,
        "load_s": load_s,
        **size_of(sc),
        "cpsat": [],
        "highs": [],
    }
    hint = None
    if inst.base is not None:
        hint = plans.get(inst.base)
        entry["hint_objective"] = plans.get(inst.base + ":objective")
        if hint is None:
            # no plan of the base instance from this run: solve it (untimed) for the hint
            base = BY_NAME[inst.base]
            base_limit = max(base.limit(args.quick), 60.0)
            print(
                f"[{inst.name}] solving {inst.base} first for the hint ({base_limit:g} s) …",
                flush=True,
            )
            r = in_fresh_process(
                cpsat_job,
                {
                    "scenario": pickle.dumps(base.load()),
                    "time_limit": base_limit,
                    "workers": args.workers,
                    "want_plan": True,
                    **clock,
                },
            )
            hint = r.get("plan")
            entry["hint_objective"] = r.get("objective")
            entry["hint_status"] = r.get("status")
            if hint is not None:  # the next instance with the same base reuses it
                with lock:
                    plans[inst.base] = hint
                    plans[inst.base + ":objective"] = r.get("objective")
        if hint is None:
            loud(f"{inst.name}: no plan of {inst.base} to hint with; solving without a hint")
        entry["hint_from"] = inst.base
    for k in range(args.repeats):
        print(f"[{inst.name}] CP-SAT run {k + 1}/{args.repeats}, limit {limit:g} s …", flush=True)
        r = in_fresh_process(
            cpsat_job,
            {
                "scenario": blob,
                "time_limit": limit,
                "workers": args.workers,
                "hint": hint,
                "want_plan": inst.name in {i.base for i in INSTANCES if i.base},
                "complete_hint": inst.complete_hint,
                **clock,
            },
        )
        r["repeat"] = k + 1
        r["objective_raw"] = r.get("objective")
        plan = r.pop("plan", None)
        if plan is not None:
            best = plans.get(inst.name + ":objective")
            if best is None or (r.get("objective") or math.inf) < best:
                plans[inst.name] = plan
                plans[inst.name + ":objective"] = r.get("objective")
        print(f"    {_line(r)}", flush=True)
        if r.get("check_ok") is False:
            loud(
                f"BUG: CP-SAT plan of {inst.name} FAILED planner.check: "
                + "; ".join(r.get("violations", [])[:10])
            )
        entry["cpsat"].append(r)
    entry["cpsat_summary"] = summarize(entry["cpsat"])
    from planner.cpsat.classes import staff_classes

    entry["classes"] = len(staff_classes(sc))
    if not args.no_highs and not inst.diagnostic:
        cp = entry["cpsat_summary"]
        target = cp["gap"] if cp["gap"] is not None else ONE_PERCENT
        cp_t = median([time_to_gap(r, target)[0] for r in entry["cpsat"]])
        hlimit = limit
        if inst.province_scale and args.highs_factor > 1 and cp_t is not None:
            hlimit = max(limit, min(args.highs_cap, args.highs_factor * cp_t))
        entry["highs_time_limit"] = hlimit
        # HiGHS may stop once it is as close as CP-SAT got (and within 1 %): only the time
        # to get there is compared
        stop = min(target, ONE_PERCENT)
        entry["highs_stop_gap"] = stop
        print(f"[{inst.name}] HiGHS, limit {hlimit:g} s, stop at gap {stop:.4%} …", flush=True)
        r = in_fresh_process(
            highs_job,
            {
                "scenario": blob,
                "time_limit": hlimit,
                "threads": 2,
                "hint": hint,
                "stop_gap": stop,
                **clock,
            },
        )
        r["repeat"] = 1
        r["objective_raw"] = r.get("objective_highs")
        print(f"    {_line(r)}", flush=True)
        if r.get("check_ok") is False:
            loud(
                f"HiGHS baseline plan of {inst.name} failed planner.check (a baseline bug): "
                + "; ".join(r.get("violations", [])[:10])
            )
        entry["highs"].append(r)
        entry["highs_summary"] = summarize(entry["highs"])
    return entry


def _line(r: dict[str, Any]) -> str:
    def f(v: Any, spec: str = ".2f") -> str:
        return "—" if v is None else format(v, spec)

    if r.get("status") == "error":
        return f"ERROR {r.get('error')}"
    return (
        f"{r.get('status')} obj {r.get('objective')} bound {r.get('bound')} gap {f(r.get('gap'), '.4%')} "
        f"wall {f(r.get('wall_s'))} s (idle-eq {f(r.get('eq_s'))} s) first {f(r.get('first_s'))} s "
        f"(idle-eq {f(r.get('first_eq_s'))} s) cpu {f(r.get('cpu_s'))} s "
        f"dtime {f(r.get('det_time'))} peak {f(r.get('peak_mb'), '.0f')} MB check {r.get('check_ok')} "
        f"load {f(r.get('load1_start'), '.1f')}"
    )


# -- outputs -----------------------------------------------------------------------------


def save(results: dict[str, Any]) -> None:
    folder = OUT["results"]
    folder.mkdir(parents=True, exist_ok=True)
    clean = json.loads(json.dumps(results, default=_jsonable))
    tmp = folder / "latest.json.tmp"
    tmp.write_text(json.dumps(clean, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(folder / "latest.json")
    write_csv(clean)


def _jsonable(v: Any) -> Any:
    if isinstance(v, bytes):
        return None
    if isinstance(v, set | tuple):
        return list(v)
    return str(v)


CSV_FIELDS = [
    "instance", "group", "solver", "repeat", "staff", "units", "functions", "departments",
    "classes", "clock", "time_limit", "status", "objective", "bound", "gap", "wall_s", "eq_s",
    "first_s", "first_eq_s", "build_s", "search_s", "det_time", "cpu_s", "peak_mb", "check_ok",
    "load1_start",
]  # fmt: skip


def write_csv(results: dict[str, Any]) -> None:
    rows = []
    for name, e in results["instances"].items():
        for solver in ("cpsat", "highs"):
            for r in e.get(solver, []):
                rows.append(
                    {
                        "instance": name,
                        "group": e["group"],
                        "clock": results.get("clock", "wall"),
                        "solver": "cp-sat" if solver == "cpsat" else "highs",
                        "staff": e["staff"],
                        "units": e["units"],
                        "functions": e["functions"],
                        "departments": e["departments"],
                        "classes": e.get("classes") if solver == "cpsat" else None,
                        "time_limit": e["time_limit"]
                        if solver == "cpsat"
                        else e.get("highs_time_limit"),
                        **{k: r.get(k) for k in CSV_FIELDS if k in r},
                        "objective": r.get("objective_raw"),
                    }
                )
    with open(OUT["results"] / "latest.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=CSV_FIELDS, extrasaction="ignore")
        w.writeheader()
        for row in rows:
            w.writerow({k: _round(v) for k, v in row.items()})


def _round(v: Any) -> Any:
    if isinstance(v, float):
        return round(v, 6)
    return v


# -- the report ---------------------------------------------------------------------------


def _s(v: float | None, digits: int = 2) -> str:
    if v is None:
        return "—"
    if v >= 100:
        return f"{v:.0f}"
    return f"{v:.{digits}f}"


def _gap(v: float | None) -> str:
    if v is None:
        return "—"
    if v == 0:
        return "0"
    return f"{v:.3%}" if v < 0.01 else f"{v:.2%}"


def _int(v: float | None) -> str:
    return "—" if v is None else f"{round(v):,}"


def _status(summary: dict[str, Any]) -> str:
    st = summary["statuses"]
    return ", ".join(f"{k} {n}/{summary['runs']}" for k, n in st.items())


def _check(summary: dict[str, Any]) -> str:
    if summary["check_failed"]:
        return f"**FAILED {len(summary['check_failed'])}**"
    plans = summary.get("plans", 0)
    return f"ok {plans}/{summary['runs']}" if plans else "no plan"


def comparison(e: dict[str, Any]) -> dict[str, Any] | None:
    """CP-SAT against HiGHS on one instance: time to CP-SAT's final gap and to 1 %."""
    if not e.get("highs") or not e.get("cpsat"):
        return None
    cp, hs = e["cpsat_summary"], e["highs"][0]
    out: dict[str, Any] = {"highs": hs, "highs_limit": e.get("highs_time_limit")}
    for key, target in (("same", cp["gap"]), ("one", ONE_PERCENT)):
        if target is None:
            out[key] = None
            continue
        cps = [time_to_gap(r, target) for r in e["cpsat"]]
        cp_wall = median([c[0] for c in cps])
        cp_cpu = median([c[1] for c in cps])
        h_wall, h_cpu = time_to_gap(hs, target, integral_bound=True)
        limit = normalize(hs).get("time_s") or out["highs_limit"]
        ratio = ratio_cpu = None
        lower = upper = False
        if not cp_wall and h_wall is not None:
            # HiGHS got there, CP-SAT did not within its limit: HiGHS is faster by ≥ limit/h
            ratio, upper = h_wall / e["time_limit"], True
            ratio_cpu = h_cpu / (median([r.get("other_s") for r in e["cpsat"]]) or math.inf)
        elif cp_wall:
            if h_wall is not None:
                ratio, ratio_cpu = h_wall / cp_wall, (h_cpu / cp_cpu if cp_cpu else None)
            elif limit:
                ratio, lower = limit / cp_wall, True
                ratio_cpu = (hs.get("other_s") or 0) / cp_cpu if cp_cpu else None
        out[key] = {
            "target": target,
            "cp_wall": cp_wall,
            "cp_cpu": cp_cpu,
            "h_wall": h_wall,
            "h_cpu": h_cpu,
            "ratio": ratio,
            "ratio_cpu": ratio_cpu,
            "lower": lower,
            "upper": upper,
        }
    return out


def _ratio(c: dict[str, Any] | None, key: str = "ratio") -> str:
    if c is None or c.get(key) is None:
        return "—"
    mark = "> " if c["lower"] else "< " if c.get("upper") else ""
    return f"{mark}{c[key]:.1f}×" if c[key] >= 0.1 else f"{mark}{c[key]:.2f}×"


def goals(results: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(goal, where it stands, verdict) for the goals of the issue."""
    inst = results["instances"]
    quick = results.get("quick")
    rows: list[tuple[str, str, str]] = []

    def verdict(ok: bool | None) -> str:
        if ok is None:
            return "not measured"
        return ("**met**" if ok else "**not met**") + (" (quick run)" if quick else "")

    p = inst.get("province")
    if p:
        c = p["cpsat_summary"]
        rows.append((
            "embedded province proven optimal, median < 2 s",
            f"{_status(c)}; median {_s(c['time_s'])} s (gap {_gap(c['gap'])})",
            verdict(c["all_optimal"] and (c["time_s"] or 99) < 2),
        ))  # fmt: skip
    else:
        rows.append(("embedded province proven optimal, median < 2 s", "—", verdict(None)))
    like = [e for e in inst.values() if e["group"] == "province-like"]
    if like:
        opt = sum(e["cpsat_summary"]["all_optimal"] for e in like)
        never = sum(1 for e in like if not e["cpsat_summary"]["statuses"].get("optimal"))
        proven = [
            e["cpsat_summary"]["time_s"] or 0 for e in like if e["cpsat_summary"]["all_optimal"]
        ]
        slow = sum(1 for e in like if (e["cpsat_summary"]["time_s"] or 99) >= 10)
        rows.append((
            "10 province-like all proven optimal, each < 10 s",
            f"{len(like)} run: {opt} proven optimal in every repeat, {never} in none (stopped at "
            f"the limit); slowest median of the proven "
            f"{_s(max(proven)) + ' s' if proven else '—'}; worst median gap "
            f"{_gap(max((e['cpsat_summary']['gap'] or 0) for e in like))}",
            verdict(len(like) == 10 and opt == 10 and slow == 0)
            if len(like) == 10 else verdict(opt == len(like) and slow == 0) + f" ({len(like)} of 10)",
        ))  # fmt: skip
    else:
        rows.append(("10 province-like all proven optimal, each < 10 s", "—", verdict(None)))
    r = inst.get("resolve")
    if r:
        c = r["cpsat_summary"]
        rows.append((
            "re-solve after one setting change (hinted) < 1 s",
            f"{_status(c)}; median {_s(c['time_s'])} s, first plan {_s(c['first_time_s'])} s, "
            f"gap {_gap(c['gap'])}",
            verdict(c["all_optimal"] and (c["time_s"] or 99) < 1),
        ))  # fmt: skip
    else:
        rows.append(("re-solve after one setting change (hinted) < 1 s", "—", verdict(None)))

    def within(e: dict[str, Any]) -> tuple[float | None, str]:
        """Median gap at the limit (None counts as no plan) and a note on overruns."""
        lim = e["time_limit"]
        gaps = [gap_at(r, lim) for r in e["cpsat"]]
        known = sorted(g for g in gaps if g is not None)
        med = None if len(known) * 2 <= len(gaps) else known[(len(gaps) - 1) // 2]
        over = [r for r in e["cpsat"] if (r.get("time_s") or 0) > lim * 1.05]
        note = ""
        if over:
            note = (f"; {len(over)} of {len(gaps)} runs ignored the stop until their first plan and "
                    f"ended at {_s(median([r.get('time_s') for r in over]))} s (gap then "
                    f"{_gap(e['cpsat_summary']['gap'])})")  # fmt: skip
        return med, note

    ce = inst.get("central")
    if ce:
        c = ce["cpsat_summary"]
        g, note = within(ce)
        rows.append((
            "central (≈2,700 staff) gap ≤ 1 % within 60 s",
            f"median gap {_gap(g)} at {_s(ce['time_limit'])} s ({_status(c)}){note}",
            verdict(g is not None and g <= 0.01),
        ))  # fmt: skip
    else:
        rows.append(("central (≈2,700 staff) gap ≤ 1 % within 60 s", "—", verdict(None)))
    mi = inst.get("ministry")
    if mi:
        c = mi["cpsat_summary"]
        g, note = within(mi)
        rows += [
            ("ministry (10,000 staff) first plan within 30 s",
             f"median {_s(c['first_time_s'])} s (Python model building {_s(c['build_s'])} s wall)",
             verdict(c["first_time_s"] is not None and c["first_time_s"] <= 30)),
            ("ministry gap ≤ 2 % within 120 s",
             f"median gap {_gap(g) if g is not None else 'none (no plan)'} at "
             f"{_s(mi['time_limit'])} s{note}",
             verdict(g is not None and g <= 0.02)),
            ("ministry peak memory < 4 GB",
             f"{_s(c['peak_mb'], 0)} MB", verdict(c["peak_mb"] is not None and c["peak_mb"] < 4096)),
        ]  # fmt: skip
    else:
        rows += [
            ("ministry (10,000 staff) first plan within 30 s", "—", verdict(None)),
            ("ministry gap ≤ 2 % within 120 s", "—", verdict(None)),
            ("ministry peak memory < 4 GB", "—", verdict(None)),
        ]
    comps = [(n, comparison(e)) for n, e in inst.items() if e["province_scale"] and comparison(e)]
    highs_only = [
        n
        for n, e in inst.items()
        if e["province_scale"]
        and e.get("highs")
        and e["cpsat_summary"]["gap"] is None
        and e["highs"][0].get("check_ok")
    ]
    comps = [(n, c) for n, c in comps if c and c.get("same") and c["same"]["ratio"] is not None]
    if comps:
        ratios = [c["same"]["ratio"] for _, c in comps]
        decided = [c for _, c in comps if not (c["same"]["lower"] and c["same"]["ratio"] < 10)]
        ok = len(decided) == len(comps) and all(c["same"]["ratio"] >= 10 for c in decided)
        worst = min(comps, key=lambda nc: nc[1]["same"]["ratio"])
        rows.append((
            "≥ 10× faster than HiGHS to the same gap at province scale",
            f"{'idle-equivalent' if AXIS['axis'] else 'wall-clock'} ratio at CP-SAT's gap over "
            f"{len(comps)} instances: min "
            f"{_ratio(worst[1]['same'])} ({worst[0]}), median {statistics.median(ratios):.1f}×"
            + (f"; HiGHS found a plan where CP-SAT found none: {', '.join(highs_only)}"
               if highs_only else ""),
            verdict(ok and not highs_only)
            if len(decided) == len(comps) else "undecided (HiGHS limit too short)",
        ))  # fmt: skip
    else:
        rows.append(
            ("≥ 10× faster than HiGHS to the same gap at province scale", "—", verdict(None))
        )
    return rows


def time_vs_size_svg(results: dict[str, Any], path: Path) -> bool:
    """Median wall seconds against staff, one point per instance and solver (log-log)."""
    try:
        import altair as alt
        import vl_convert as vlc
    except ImportError:
        return False
    rows = []
    for name, e in results["instances"].items():
        for key, label in (("cpsat_summary", "CP-SAT"), ("highs_summary", "HiGHS per person")):
            c = e.get(key)
            if not c or c["time_s"] is None:
                continue
            rows.append({
                "instance": name, "staff": e["staff"], "seconds": round(c["time_s"], 3),
                "solver": label,
                "result": "proven optimal"
                if c["all_optimal"]
                else "stopped at CP-SAT's gap"
                if "gap reached" in c["statuses"]
                else "time limit (plan or none)",
                "label": name if e["group"] != "province-like" and label == "CP-SAT" else "",
            })  # fmt: skip
    if not rows:
        return False
    base = alt.Chart(alt.Data(values=rows))
    x = alt.X("staff:Q", scale=alt.Scale(type="log"), title="staff (log scale)")
    clock = "idle-equivalent" if AXIS["axis"] else "wall"
    y = alt.Y("seconds:Q", scale=alt.Scale(type="log"), title=f"median {clock} s (log scale)")
    points = base.mark_point(size=80, filled=True, opacity=0.8).encode(
        x=x,
        y=y,
        color=alt.Color("solver:N", title="solver"),
        shape=alt.Shape("result:N", title="result"),
    )
    labels = base.mark_text(align="left", dx=7, dy=-6, fontSize=10).encode(x=x, y=y, text="label:N")
    chart = (points + labels).properties(
        width=560, height=320, title="Solve time against size (2 cores; time limits apply)"
    )
    path.write_text(vlc.vegalite_to_svg(chart.to_dict()), encoding="utf-8")
    return True


def dominating(results: dict[str, Any]) -> list[str]:
    """Bullets on what the time goes into, computed from the runs."""
    out = []
    for name, e in results["instances"].items():
        c = e["cpsat_summary"]
        if c["time_s"] is None:
            continue
        wall = c["time_s"]
        parts = []
        if c["build_s"] is not None and c["build_s"] > 0.15 * (c["wall_s"] or 1):
            parts.append(
                f"Python model building {_s(c['build_s'])} s of {_s(c['wall_s'])} s wall "
                f"({c['build_s'] / c['wall_s']:.0%})"
            )
        if not c["all_optimal"] and c["last_improvement_s"] is not None:
            parts.append(
                f"last better plan at {_s(c['last_improvement_s'])} s, then "
                f"{_s(wall - c['last_improvement_s'])} s of search that left a gap of "
                f"{_gap(c['gap'])} (objective {_int(c['objective'])}, bound {_int(c['bound'])})"
            )
        if c["all_optimal"] and c["last_improvement_s"] is not None:
            parts.append(
                f"optimum found at {_s(c['last_improvement_s'])} s, proven at {_s(wall)} s"
            )
        if c["gap"] is None:
            parts.append(
                f"no plan within {_s(e['time_limit'], 0)} s in {c['statuses'].get('timeout', 0)} of "
                f"{c['runs']} runs (median dtime {_s(c['det_time'])}, CPU {_s(c['cpu_s'])} s)"
            )
        if c["cpu_s"] and c["wall_s"]:
            parts.append(
                f"{c['cpu_s'] / c['wall_s']:.2f} cores' worth of CPU (load {_s(c['load1'], 1)})"
            )
        if parts:
            out.append(f"- **{name}**: " + "; ".join(parts) + ".")
    return out


def communes_section() -> list[str]:
    path = RESULTS / "communes.json"
    if not path.exists():
        return []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except ValueError:
        return []
    lines = ["## Every commune (`benchmarks/communes.py`)", ""]
    lines += [
        "Figures from `benchmarks/results/communes.json`, written by "
        "`python -m benchmarks.communes` (`make bench` runs it before this script).",
        "",
        "| mode | communes | processes | total s | batch s | median s / commune | p95 s | "
        "statuses | peak MB / worker | goal (< 300 s) |",
        "|---|---:|---:|---:|---:|---:|---:|---|---:|---|",
    ]
    for mode in ("full", "tables_only"):
        f = data.get(mode)
        if not isinstance(f, dict):
            continue
        st = ", ".join(f"{k} {v}" for k, v in (f.get("statuses") or {}).items())
        lines.append(
            f"| {mode.replace('_', ' ')} | {f.get('communes', '—'):,} | {f.get('processes', '—')} | "
            f"{_s(f.get('total_s'))} | {_s(f.get('batch_wall_s'))} | "
            f"{_s(f.get('per_scenario_median_s'), 3)} | {_s(f.get('per_scenario_p95_s'), 3)} | {st} | "
            f"{_s(f.get('peak_rss_mb_worker'), 0)} | "
            f"{'met' if f.get('goal_met') else 'not met'} ({f.get('date', '')}) |"
        )
    split = (data.get("full") or {}).get("split_ms") if isinstance(data.get("full"), dict) else None
    if isinstance(split, dict) and split:
        steps = "; ".join(f"{k} {v:.1f}" for k, v in split.items() if k != "total")
        lines += [
            "",
            f"Where a plan's time goes (full mode, ms per commune, steps timed one by one): "
            f"{steps}; total {split.get('total', 0):.1f}.",
        ]
    return [*lines, ""]


def diagnostics_section() -> list[str]:
    """Diagnostic runs kept as ``benchmarks/results/diagnostics-*.json`` (``--only
    province-no-imbalance resolve resolve-full-hint --results …``), summarised."""
    files = sorted(RESULTS.glob("diagnostics-*.json"))
    if not files:
        return []
    lines = [
        "## Diagnostics",
        "",
        "Separate runs of the diagnostic instances (`benchmarks/instances.py`), kept in",
        "`benchmarks/results/diagnostics-*.json` and summarised here:",
        "**province-no-imbalance** is the province with `objective.imbalance = 0`;",
        "**resolve-full-hint** is the re-solve with the hint completed to every variable before",
        "the solve (the hinted decision variables fixed, a one-worker solve without objective for",
        "the rest). Since 2026-11-27 `planner.solve` completes every hint itself",
        "(`planner.cpsat.builder.complete_hint`), so **resolve** measures the same thing.",
        "",
        "| file | clock | instance | status | objective | gap | s | first s | dtime | command |",
        "|---|---|---|---|---:|---:|---:|---:|---:|---|",
    ]
    for f, data in _recorded(files):
        for name, e in data["instances"].items():
            c = summarize(e["cpsat"])
            lines.append(
                f"| {f.name} | {data.get('clock', 'wall')} | {name} | {_status(c)} | "
                f"{_int(c['objective'])} | {_gap(c['gap'])} | {_s(c['time_s'])} | "
                f"{_s(c['first_time_s'])} | {_s(c['det_time'])} | `{data['command']}` |"
            )
    return [*lines, ""]


def _recorded(files: list[Path]) -> Iterator[tuple[Path, dict[str, Any]]]:
    """Each recorded results file with its data, the report's clock set to the file's
    own while it is in use (and restored afterwards)."""
    keep = AXIS["axis"]
    try:
        for f in files:
            data = json.loads(f.read_text(encoding="utf-8"))
            set_clock(data.get("clock", "wall"))
            yield f, data
    finally:
        AXIS["axis"] = keep


def other_runs_section() -> list[str]:
    """The goals as judged by other full runs kept in ``benchmarks/results/*.json``."""
    skip = {"latest.json", "communes.json"}
    files = [
        f
        for f in sorted(RESULTS.glob("*.json"))
        if f.name not in skip and not f.name.startswith("diagnostics-")
    ]
    if not files:
        return []
    lines = [
        "## Other recorded runs",
        "",
        "Runs recorded before 2026-11-27 counted the bounds of the restricted first-plan model",
        "as bounds of the scenario (a harness bug, fixed then): their central and ministry gaps",
        "are understated.",
        "",
    ]
    for f, data in _recorded(files):
        for e in data["instances"].values():
            e["cpsat_summary"] = summarize(e["cpsat"])
            if e.get("highs"):
                e["highs_summary"] = summarize(e["highs"])
        m = data["machine"]
        loads = [r.get("load1_start") for e in data["instances"].values() for r in e["cpsat"]]
        lines += [
            f"`{f.name}`: `{data['command']}`, {data['date']}, {data.get('clock', 'wall')} "
            f"clock, median load average {_s(median(loads), 1)} on {m['cores']} cores.",
            "",
            "| goal | where it stood | verdict |",
            "|---|---|---|",
            *(f"| {g} | {w} | {v} |" for g, w, v in goals(data)),
            "",
        ]
    return lines


def write_report(results: dict[str, Any], out: Path) -> None:
    m = results["machine"]
    out.parent.mkdir(parents=True, exist_ok=True)
    svg = out.parent / SVG_NAME
    set_clock(results.get("clock", "wall"))
    inst = results["instances"]
    for e in inst.values():  # recomputed: the summaries follow this code, not the stored copy
        e["cpsat_summary"] = summarize(e["cpsat"])
        if e.get("highs"):
            e["highs_summary"] = summarize(e["highs"])
    has_svg = time_vs_size_svg(results, svg)
    idle = results.get("clock") == "idle"
    clock_name = "idle-equivalent" if idle else "wall"
    other_name = "wall" if idle else "idle-eq"
    L: list[str] = [
        "# Benchmarks",
        "",
        "Rewritten by `benchmarks/run.py`; do not edit by hand. Regenerate with `make bench`",
        "(`python -m benchmarks.run`); `--quick` for a short run, `--only NAME …` for some",
        "instances, `--render` to rewrite this page from `benchmarks/results/latest.json`.",
        "",
        f"- command: `{results['command']}`" + (" (quick: shorter limits, fewer instances)" if results.get("quick") else ""),
        *(f"- then `{m_['command']}` ({m_['date']}), merged: its instances replace those above"
          for m_ in results.get("merged", [])),
        f"- date: {results['date']}; CP-SAT runs per instance: {results['repeats']} (medians)",
        f"- machine: {m['cores']} cores, {m['cpu']}, {m.get('memory_gb')} GB; {m['os']}",
        f"- python {m['python']}, ortools {m['ortools']}, highspy {m['highspy']}",
        f"- 1-minute load average: {m.get('load1_at_start')} at start, {m.get('load1_at_end', '—')} at end",
        "",
    ]  # fmt: skip
    loads = [r.get("load1_start") for e in inst.values() for r in e["cpsat"]]
    med_load = median(loads)
    shares = [
        r["cpu_s"] / r["wall_s"]
        for e in inst.values()
        for r in e["cpsat"]
        if r.get("cpu_s") and r.get("wall_s")
    ]
    med_share = median(shares)
    got_machine = med_share is not None and m["cores"] and med_share >= 0.9 * m["cores"]
    if med_load is not None and m["cores"] and med_load > m["cores"] and not got_machine:
        L += [
            f"> **The machine was loaded** (median load average {med_load:.1f} on {m['cores']} cores "
            "during the runs, from other work on the same machine): wall-clock figures are slower",
            "> than on an idle machine. CP-SAT's deterministic time (`dtime`) does not depend on load;",
            "> `cores` = CPU seconds / wall seconds is the share of the machine the run actually got.",
            "",
        ]
    elif med_load is not None and m["cores"] and med_load > m["cores"]:
        L += [
            f"> The load average (median {med_load:.1f} on {m['cores']} cores) counts the benchmark's "
            "own solver threads (CP-SAT's workers time-share the cores); the runs got a median of",
            f"> {med_share:.2f} cores of CPU (`cores` column), so the machine was otherwise idle.",
            "",
        ]
    if idle:
        L += [
            "> **Clock: idle-equivalent seconds** (`--clock idle`). Limits and times are CPU seconds",
            "> spent inside the solver ÷ cores, plus CPU seconds of the serial Python phases (model",
            "> building, extraction, checking): what the same work takes on an idle machine of this",
            f"> many cores ({m['cores']}). Wall seconds on this loaded machine are given beside them.",
            "",
        ]
    L += ["## Goals", "", f"Times on the {clock_name} clock.", "",
          "| goal | where it stands | verdict |", "|---|---|---|"]  # fmt: skip
    L += [f"| {g} | {w} | {v} |" for g, w, v in goals(results)]
    L += [
        "",
        "## CP-SAT (`planner.solve`) per instance",
        "",
        f"Seconds ({clock_name} clock) run from the call of `planner.solve.solve` (model building",
        "included) to its return (plan extracted and checked); *first* is the first plan, *build*",
        "the Python model building (wall), *dtime* CP-SAT's deterministic time, *cores* CPU seconds",
        "÷ wall seconds (the share of the machine the run got); objective, bound and gap are those",
        "of the run with the median gap. *timeout* = no plan within the limit. Every plan is",
        "verified by `planner.check` (*check*: plans that passed / runs).",
        "",
        "| instance | staff | units | functions | depts | classes | limit s | status | objective | bound "
        f"| gap | s | first s | {other_name} s | build s | dtime | cores | peak MB | check |",
        "|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]  # fmt: skip
    for name, e in inst.items():
        c = e["cpsat_summary"]
        cores = (c["cpu_s"] / c["wall_s"]) if c["cpu_s"] and c["wall_s"] else None
        L.append(
            f"| {name} | {e['staff']:,} | {e['units']} | {e['functions']:,} | {e['departments']} | "
            f"{e.get('classes') or '—'} | {_s(e['time_limit'], 0)} | {_status(c)} | "
            f"{_int(c['objective'])} | {_int(c['bound'])} | {_gap(c['gap'])} | {_s(c['time_s'])} | "
            f"{_s(c['first_time_s'])} | {_s(c['other_s'])} | {_s(c['build_s'])} | "
            f"{_s(c['det_time'])} | {_s(cores)} | "
            f"{_s(c['peak_mb'], 0)} | {_check(c)} |"
        )
    L += [
        "",
        "Instances: "
        + "; ".join(
            f"**{n}** = {e['source']}" for n, e in inst.items() if e["group"] != "province-like"
        ),
    ]
    if any(e["group"] == "province-like" for e in inst.values()):
        L[-1] += '; **province-s*N*** = `generate("province", seed=N)`'
    L += [""]
    if has_svg:
        L += [f"![solve time against size]({SVG_NAME})", "", f"([{SVG_NAME}]({SVG_NAME}))", ""]
    comps = [(n, comparison(e)) for n, e in inst.items()]
    comps = [(n, c) for n, c in comps if c]
    if comps:
        L += [
            "## CP-SAT against HiGHS on the same model per person",
            "",
            "`benchmarks/highs_baseline.py`: one binary per person × department × role (and exit),",
            "y[f,d], z[f,o], every constraint C1–C13 and every §4 term with the same exact arithmetic,",
            "big-M host binaries for disruption and fragmentation, the payroll floor as an integer",
            "variable, the same department-symmetry cuts; HiGHS with `threads = 2`, gap tolerances 0.",
            "Its plan is rebuilt as a `Plan` and verified by `planner.check`; *objective* is the",
            "checker's. Gaps of HiGHS use ⌈dual bound⌉ (every plan's objective is an integer).",
            "",
            "*Time to gap g*: seconds from the call until a plan within g of the solver's own bound —",
            "g = the gap CP-SAT reaches within its limit (0 when proven optimal), and 1 %. The ratio is",
            "HiGHS ÷ CP-SAT (> when HiGHS did not get there within its limit: a lower bound). HiGHS",
            "stops once within min(g, 1 %) of its bound; at province scale its limit is",
            f"max(limit, {results.get('highs_factor', 10):g} × CP-SAT's time to g), at most "
            f"{results.get('highs_cap', 100):g} s, so that a ≥ 10× ratio can be decided.",
            f"Times on the {clock_name} clock; *{other_name} ratio*: the same on the other clock.",
            "On a loaded machine CP-SAT's 8 threads get a larger share of the CPU than HiGHS' mostly",
            "serial branch and bound, which flatters CP-SAT on the wall clock; the idle-equivalent",
            "clock divides HiGHS' CPU seconds by the cores too, which flatters HiGHS. Read both.",
            "",
            "| instance | HiGHS columns / rows | HiGHS limit s | HiGHS status | HiGHS objective | HiGHS gap "
            f"| check | g | CP-SAT s to g | HiGHS s to g | ratio | {other_name} ratio | CP-SAT s to 1 % | HiGHS s to 1 % | ratio 1 % |",
            "|---|---:|---:|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]  # fmt: skip
        for name, c in comps:
            h = c["highs"]
            same, one = c.get("same"), c.get("one")
            hgap = gap_of(
                h.get("objective_raw"),
                math.ceil(h["bound"] - 1e-6) if h.get("bound") is not None else None,
            )
            check = (
                "ok" if h.get("check_ok") else ("**FAILED**" if h.get("check_ok") is False else "—")
            )
            L.append(
                f"| {name} | {_int(h.get('columns'))} / {_int(h.get('rows'))} | {_s(c['highs_limit'], 0)} | "
                f"{h.get('status')} | {_int(h.get('objective'))} | {_gap(hgap)} | {check} | "
                f"{_gap(same and same['target'])} | {_s(same and same['cp_wall'])} | {_s(same and same['h_wall'])} | "
                f"{_ratio(same)} | {_ratio(same, 'ratio_cpu')} | {_s(one and one['cp_wall'])} | "
                f"{_s(one and one['h_wall'])} | {_ratio(one)} |"
            )  # fmt: skip
        L += [""]
    L += communes_section()
    L += diagnostics_section()
    L += other_runs_section()
    bullets = dominating(results)
    if bullets:
        L += ["## Where the time goes (CP-SAT, medians)", "", *bullets, ""]
    L += [
        "## How it is measured",
        "",
        "- Every solve runs in a fresh process (`multiprocessing` spawn); peak MB is that process's",
        "  `ru_maxrss` (Python, OR-Tools, the scenario and the model).",
        "- The scenario is read or generated once in the parent and handed over pickled; generation",
        "  time is not counted. The re-solve is hinted with the best province plan of the same run.",
        "- Times come from `on_progress` (plans) and CP-SAT's `best_bound_callback` (bounds) in the",
        "  child, against the moment `solve` was called; HiGHS from its MIP callbacks.",
        "- Idle-equivalent seconds (`--clock idle`, and the *idle-eq* columns): CPU seconds inside",
        "  the solver ÷ cores + CPU seconds of the serial Python phases, from `getrusage`; with",
        "  `--clock idle` the limits are enforced on that clock (`solve`'s `stop` event, HiGHS'",
        "  interrupt callback).",
        "- Raw runs: `benchmarks/results/latest.csv` (one row per run) and `latest.json` (with traces).",
        "",
    ]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(L), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m benchmarks.run",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ap.add_argument("--quick", action="store_true", help="few instances, short time limits")
    ap.add_argument(
        "--repeats",
        type=int,
        default=None,
        help="CP-SAT runs per instance (default 3; 1 with --quick)",
    )
    ap.add_argument(
        "--only",
        nargs="+",
        metavar="NAME",
        help=f"instances to run: {', '.join(i.name for i in INSTANCES)}, province-like",
    )
    ap.add_argument("--out", type=Path, default=DOC, help="the report (default docs/benchmarks.md)")
    ap.add_argument(
        "--results",
        type=Path,
        default=RESULTS,
        help="folder of latest.json and latest.csv (default benchmarks/results)",
    )
    ap.add_argument(
        "--workers", type=int, default=None, help="CP-SAT workers (default: scenario's)"
    )
    ap.add_argument("--no-highs", action="store_true", help="skip the HiGHS baseline")
    ap.add_argument(
        "--jobs",
        type=int,
        default=1,
        help="instances benchmarked at once (default 1; more only with --clock idle, since "
        "parallel runs slow each other down on the wall clock)",
    )
    ap.add_argument(
        "--clock",
        choices=CLOCKS,
        default="wall",
        help="what the time limits and figures are measured on: wall seconds (default), or "
        "idle-equivalent seconds (CPU seconds in solvers ÷ cores + serial CPU seconds: what the "
        "run would take on an idle machine; use it when the machine is loaded)",
    )
    ap.add_argument(
        "--highs-factor",
        type=float,
        default=10.0,
        help="at province scale HiGHS gets max(limit, F × CP-SAT's time to its gap) seconds, "
        "so that a ≥ F× ratio can be decided (default 10; 1 = the same limit)",
    )
    ap.add_argument("--highs-cap", type=float, default=100.0, help="cap of that limit (s)")
    ap.add_argument(
        "--render", action="store_true", help="only rewrite the docs from results/latest.json"
    )
    ap.add_argument(
        "--merge",
        action="store_true",
        help="keep the instances of latest.json and add (or replace) the ones run now",
    )
    args = ap.parse_args(argv)
    if args.repeats is None:
        args.repeats = 1 if args.quick else 3
    if args.quick and "--highs-factor" not in (argv or sys.argv):
        args.highs_factor = 1.0
    args.command = (
        "python -m benchmarks.run " + shlex.join(argv if argv is not None else sys.argv[1:])
    ).strip()
    set_clock(args.clock)
    OUT["results"] = args.results
    if args.jobs > 1 and args.clock == "wall":
        ap.error("--jobs > 1 needs --clock idle (parallel runs distort wall-clock figures)")
    if args.render:
        results = json.loads((OUT["results"] / "latest.json").read_text(encoding="utf-8"))
        set_clock(results.get("clock", "wall"))
        write_csv(results)
    else:
        results = run_benchmarks(args)
        save(results)
    write_report(results, args.out)
    print(f"wrote {args.out}, {args.out.parent / SVG_NAME}, {OUT['results'] / 'latest.csv'}")
    failed = [
        (name, s)
        for name, e in results["instances"].items()
        for s in ("cpsat",)
        for r in e.get(s, [])
        if r.get("check_ok") is False
    ]
    if failed:
        loud(f"BUG: {len(failed)} CP-SAT plan(s) failed planner.check: {failed}")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
