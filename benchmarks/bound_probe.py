"""The decomposition bound (``planner.cpsat.colgen``) against CP-SAT's, and what it buys.

    .venv/bin/python -m benchmarks.bound_probe                       # everything
    .venv/bin/python -m benchmarks.bound_probe --only bounds --instances province province-s6
    .venv/bin/python -m benchmarks.bound_probe --only feed --seeds 5 --proof-limit 30
    .venv/bin/python -m benchmarks.bound_probe --only portfolio --seeds 5 --proof-limit 30

Three parts, each printing a table and writing ``benchmarks/results/bound-probe-<part>.csv``
and one JSON with every run and the machine (``--tag`` renames them):

- **bounds**, per instance (the embedded province and ``generate("province", seed=1..10)``
  by default): ``planner.search.solve.solve`` with ``--cpsat-limit`` seconds (its first reported
  bound, a proxy of the root bound, and its final bound and plan), then
  ``decomposition_bound`` with ``--bound-limit`` seconds, hinted with CP-SAT's plan (the
  compact LP, ``root_lp``: the same value as CP-SAT's root LP with ``max_lp``, checked on
  the province, 1,092,815.6 against 1,092,838 after CP-SAT's rounding; the bound, its
  seconds); the best objective known is the better plan.
- **feed**, on ``--feed-instance`` (the province): the full model of ``planner.cpsat``
  with the planner's parameters and seeds 0..N−1, up to ``--proof-limit`` seconds:
  alone; with ``objective ≥ bound`` (the decomposition bound of a fresh run); with
  the decomposition's plan as a hint; and with ``objective ≥ best found`` (the best plan of
  all these runs: an *oracle*, what a perfect bound engine could buy at most). Seconds to a proven optimum, and the
  objective at the limit (its spread over the seeds).
- **portfolio**, on the same instance: CP-SAT parameter sets (``CONFIGS``, or ``-c``
  strings as in ``benchmarks/sweep.py``) over the same seeds: seconds to a proven
  optimum, final objective and bound.

The machine is shared: medians over seeds are quoted, the load is recorded, and CPU
seconds (``time.process_time``: every thread of the process, CP-SAT's workers included)
are given beside wall seconds: on an idle 2-core machine a CP-SAT run with 8 workers uses
about 2 CPU seconds per wall second, on a loaded one far less.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import statistics
import time
from pathlib import Path
from typing import Any

from ortools.sat.python import cp_model

from benchmarks.harness import machine
from benchmarks.instances import BY_NAME
from benchmarks.sweep import apply
from models import Plan, Scenario
from planner.cpsat.builder import add_plan_hint, build
from planner.cpsat.colgen import decomposition_bound
from planner.cpsat.objective import set_objective, weighted_sum
from planner.cpsat.runner import parameters
from planner.search.solve import solve

RESULTS = Path(__file__).resolve().parent / "results"
DEFAULT_INSTANCES = ["province", *(f"province-s{s}" for s in range(1, 11))]
CONFIGS = {
    "planner (8 workers)": "",
    "2 workers": "num_workers=2",
    "2 workers: max_lp + LNS": "num_workers=2;subsolvers=max_lp",
    "2 full: max_lp, core": "num_workers=2;num_full_subsolvers=2;subsolvers=max_lp,core",
    "4: max_lp, reduced_costs, pseudo_costs, quick_restart": "num_workers=4;num_full_subsolvers=4;subsolvers=max_lp,reduced_costs,pseudo_costs,quick_restart",
}


def load(name: str) -> Scenario:
    from planner.io import read_scenario

    return BY_NAME[name].load() if name in BY_NAME else read_scenario(name)


def median(xs: list[float]) -> float:
    return statistics.median(xs) if xs else math.nan


# -- part 1: bounds -------------------------------------------------------------------


def bounds_row(name: str, cpsat_limit: float, bound_limit: float, seed: int) -> dict[str, Any]:
    sc = load(name)
    cpu = time.process_time()
    cp = solve(sc, time_limit=cpsat_limit, seed=seed, explain=False)
    cp_cpu = time.process_time() - cpu
    hints = [cp.plan] if cp.plan is not None else []
    cpu = time.process_time()
    ours = decomposition_bound(sc, bound_limit, seed=seed, hints=hints)
    ours_cpu = time.process_time() - cpu
    objectives = [x for x in (cp.objective, ours.plan_objective) if x is not None]
    best = min(objectives) if objectives else None
    return {
        "instance": name,
        "staff": len(sc.staff),
        "cpsat_status": str(cp.status),
        "cpsat_objective": cp.objective,
        "cpsat_bound": cp.bound,
        "cpsat_s": round(cp.runtime, 2),
        "cpsat_cpu_s": round(cp_cpu, 2),
        "root_lp": None if ours.compact_lp is None else round(ours.compact_lp, 1),
        "bound": ours.bound,
        "bound_s": round(ours.seconds, 2),
        "bound_cpu_s": round(ours_cpu, 2),
        "bound_split_runs": ours.split_runs,
        "bound_plan": ours.plan_objective,
        "best_known": best,
        "gap_cpsat_%": _gap(best, cp.bound),
        "gap_bound_%": _gap(best, ours.bound),
    }


def _gap(best: int | None, bound: int | None) -> float | None:
    if best is None or bound is None or best == 0:
        return None
    return round(100 * (best - bound) / abs(best), 3)


# -- part 2 and 3: CP-SAT runs -----------------------------------------------------------


def cpsat_run(
    sc: Scenario,
    seed: int,
    limit: float,
    *,
    config: str = "",
    at_least: int | None = None,
    hint: Plan | None = None,
) -> dict[str, Any]:
    """The full model, planner parameters plus ``config``; ``objective ≥ at_least``."""
    built = build(sc)
    set_objective(built.model, built.var, sc.settings.objective.mode)
    if at_least is not None:
        built.model.add(weighted_sum(built.var, sc.settings.objective.weights()) >= at_least)
    if hint is not None:
        add_plan_hint(built, hint)
    solver = cp_model.CpSolver()
    parameters(solver, sc.settings, limit)
    solver.parameters.random_seed = seed
    apply(solver.parameters, config)
    solver.parameters.presolve_inclusion_work_limit = 0  # google/or-tools#5293
    start, cpu = time.perf_counter(), time.process_time()
    status = solver.solve(built.model)
    wall = time.perf_counter() - start
    cpu = time.process_time() - cpu
    found = status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    return {
        "seed": seed,
        "status": solver.status_name(status),
        "proof_s": round(wall, 2) if status == cp_model.OPTIMAL else math.inf,
        "cpu_s": round(cpu, 2),
        "dtime": round(solver.response_proto.deterministic_time, 2),
        "objective": round(solver.objective_value) if found else None,
        "bound": math.ceil(solver.best_objective_bound - 1e-6) if found else None,
    }


def summarize(label: str, runs: list[dict[str, Any]]) -> dict[str, Any]:
    proofs = [r["proof_s"] for r in runs]
    objs = [r["objective"] for r in runs if r["objective"] is not None]
    return {
        "variant": label,
        "proven": f"{sum(math.isfinite(p) for p in proofs)}/{len(runs)}",
        "median_proof_s": median(proofs),
        "proof_s": " ".join(f"{p:.1f}" if math.isfinite(p) else "-" for p in proofs),
        "median_cpu_s": median([r["cpu_s"] for r in runs]),
        "median_dtime": median([r["dtime"] for r in runs]),
        "objective_min": min(objs) if objs else None,
        "objective_max": max(objs) if objs else None,
        "spread": (max(objs) - min(objs)) if objs else None,
    }


# -- output ----------------------------------------------------------------------------------


def table(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "(no rows)"
    keys = list(rows[0])
    text = [[str(r.get(k, "")) for k in keys] for r in rows]
    width = [max(len(k), *(len(t[i]) for t in text)) for i, k in enumerate(keys)]
    out = [" | ".join(k.ljust(w) for k, w in zip(keys, width, strict=True))]
    out.append("-+-".join("-" * w for w in width))
    out += [" | ".join(c.ljust(w) for c, w in zip(t, width, strict=True)) for t in text]
    return "\n".join(out)


def write(part: str, tag: str, rows: list[dict[str, Any]], extra: dict[str, Any]) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    stem = RESULTS / f"bound-probe-{part}{tag}"
    with open(f"{stem}.csv", "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]) if rows else [])
        w.writeheader()
        w.writerows(rows)
    payload = {"part": part, "rows": rows, "machine": machine(), **extra}
    payload["machine"]["load1_at_end"] = round(os.getloadavg()[0], 2)
    Path(f"{stem}.json").write_text(json.dumps(payload, indent=1, default=str))
    print(table(rows), flush=True)
    print(f"-> {stem}.csv, {stem}.json", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--only", choices=["bounds", "feed", "portfolio"], action="append")
    ap.add_argument("--instances", nargs="*", default=DEFAULT_INSTANCES)
    ap.add_argument("--cpsat-limit", type=float, default=10.0)
    ap.add_argument("--bound-limit", type=float, default=60.0)
    ap.add_argument("--feed-instance", default="province")
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--proof-limit", type=float, default=30.0)
    ap.add_argument("-c", "--config", action="append", help="extra CP-SAT parameter sets")
    ap.add_argument("--tag", default="")
    ap.add_argument(
        "--oracle", type=int, help="feed: run only the oracle, with this best known objective"
    )
    ap.add_argument("--configs", nargs="*", help="portfolio: only these CONFIGS labels")
    args = ap.parse_args()
    parts = args.only or ["bounds", "feed", "portfolio"]
    seeds = list(range(args.seeds))
    if "bounds" in parts:
        rows = []
        for name in args.instances:
            rows.append(bounds_row(name, args.cpsat_limit, args.bound_limit, 0))
            print(table(rows[-1:]), flush=True)
        write(
            "bounds",
            args.tag,
            rows,
            {"cpsat_limit": args.cpsat_limit, "bound_limit": args.bound_limit},
        )
    sc = load(args.feed_instance)
    if "feed" in parts:
        cp = solve(sc, time_limit=args.cpsat_limit, explain=False)
        ours = decomposition_bound(sc, args.bound_limit, hints=[cp.plan] if cp.plan else [])
        variants: list[tuple[str, dict[str, Any]]] = [
            ("alone", {}),
            (f"objective >= decomposition bound {ours.bound}", {"at_least": ours.bound}),
            ("hint: decomposition plan", {"hint": ours.plan_hint}),
        ]
        if args.oracle is not None:  # only the oracle, with a best objective known already
            variants = []
        rows, runs = [], {}
        found = [x for x in (cp.objective, ours.plan_objective) if x is not None]
        for label, kw in variants:
            runs[label] = [cpsat_run(sc, s, args.proof_limit, **kw) for s in seeds]
            rows.append(summarize(label, runs[label]))
            found += [r["objective"] for r in runs[label] if r["objective"] is not None]
            print(table(rows[-1:]), flush=True)
        # The oracle: the best plan any run found (the optimum when one run proved it) as
        # the bound, i.e. what a perfect bound engine could buy at most.
        best = min(found) if args.oracle is None else args.oracle
        label = f"objective >= best found {best} (oracle)"
        runs[label] = [cpsat_run(sc, s, args.proof_limit, at_least=best) for s in seeds]
        rows.append(summarize(label, runs[label]))
        print(table(rows[-1:]), flush=True)
        write("feed", args.tag, rows, {"instance": args.feed_instance, "runs": runs})
    if "portfolio" in parts:
        configs = {k: v for k, v in CONFIGS.items() if not args.configs or k in args.configs}
        for c in args.config or []:
            configs[c] = c
        rows, runs = [], {}
        for label, config in configs.items():
            runs[label] = [cpsat_run(sc, s, args.proof_limit, config=config) for s in seeds]
            row = summarize(label, runs[label])
            row["config"] = config or "(planner.cpsat.runner.parameters)"
            rows.append(row)
            print(table(rows[-1:]), flush=True)
        write("portfolio", args.tag, rows, {"instance": args.feed_instance, "runs": runs})


if __name__ == "__main__":
    main()
