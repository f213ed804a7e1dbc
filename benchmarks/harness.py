"""The benchmark harness: every solve in a fresh process, its trace summarised.

``cpsat_job`` and ``highs_job`` run one solve each in a spawned process
(:func:`in_fresh_process`), so that its peak memory is its own; the summaries
(time to a gap, gap at a time) and :func:`run_benchmarks` / :func:`bench_instance`
drive the instances of ``benchmarks/instances.py``. The report is written by
``benchmarks/report.py``; ``python -m benchmarks.run`` is the command.
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
import statistics
import sys
import threading
import time
from collections.abc import Callable
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


def append_rows(path: Path, rows: list[dict[str, Any]]) -> None:
    """Append ``rows`` to the CSV file ``path`` (its header first when the file is new):
    the ``--csv`` of the one-off benchmarks (``roadmap``, ``spread``)."""
    if not rows:
        return
    new = not path.exists()
    with path.open("a", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        if new:
            w.writeheader()
        w.writerows(rows)


def replace_section(path: Path, lines: list[str], missing: str = "") -> None:
    """Write ``lines`` (a section of docs/benchmarks.md, its first line ``<!-- NAME:start -->``
    and its last ``<!-- NAME:end -->``) over the same section of ``path``, or append it
    (to ``missing`` when the file does not exist): what each benchmark owns of the page."""
    start, end = lines[0], lines[-1]
    text = path.read_text(encoding="utf-8") if path.exists() else missing
    block = "\n".join(lines)
    if start in text and end in text:
        text = text[: text.index(start)] + block + text[text.index(end) + len(end) :]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(text, encoding="utf-8")


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
    """One ``planner.search.solve.solve`` call, instrumented; runs in its own process.

    With ``payload["cpu_clock"]`` the limit is in idle-equivalent seconds
    (``IdleClock``): a watcher sets ``solve``'s ``stop`` event when it is used up.
    """
    import resource
    import threading

    import planner.search.solve as ps
    from benchmarks.highs_baseline import IdleClock
    from planner.checking.check import check, objective_value
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

    restricted = [
        False
    ]  # is the model being solved the elastic one (planner/cpsat/feasibility.py)?

    def parameters(solver: Any, settings: Any, time_limit: float) -> None:
        original_parameters(solver, settings, time_limit)
        solvers.append(solver)
        of_restricted = restricted[0]

        def on_bound(bound: float) -> None:
            # The elastic model's bound (of its violations) is not a bound of the scenario.
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
        restricted[0] = bool(kwargs.get("elastic"))
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
        "bound_from": res.stats.get("bound_from"),
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
        "bound_from": rep and rep.get("bound_from"),
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


def run_benchmarks(
    args: argparse.Namespace, save: Callable[[dict[str, Any]], None]
) -> dict[str, Any]:
    """Benchmark the chosen instances; ``save(results)`` after each one (a crash keeps
    what was measured: ``benchmarks.report.save`` writes latest.json and latest.csv)."""
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
