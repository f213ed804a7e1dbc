"""The same question, several seeds: how far apart are the answers? (issue 21)

    .venv/bin/python -m benchmarks.spread                       # province + s1..s10, 5 seeds, 30 s
    .venv/bin/python -m benchmarks.spread --only province province-s1 --seeds 0 1 2

Where the optimum is proven, every seed must return the same objective; where it is not,
the spread (max − min) / min of the objectives is what a planner who solves twice may
see. Each run is ``planner.search.solve.solve`` with ``--seed`` changed and nothing else;
each plan has passed the independent checker. Prints a line per run and one per
instance; ``--csv`` appends the runs.
"""

from __future__ import annotations

import argparse
import statistics
from pathlib import Path

from benchmarks.harness import append_rows
from benchmarks.instances import INSTANCES, LOADERS
from planner.search.solve import solve


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    names = [i.name for i in INSTANCES if i.group in ("embedded", "province-like")]
    names = [n for n in names if n != "district"]
    ap.add_argument("--only", nargs="+", default=names)
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    ap.add_argument("--limit", type=float, default=30.0)
    ap.add_argument("--csv", type=Path)
    args = ap.parse_args()
    rows = []
    for name in args.only:
        sc = LOADERS[name]()
        objectives, proven = [], 0
        for seed in args.seeds:
            r = solve(sc, time_limit=args.limit, seed=seed, explain=False)
            row = {
                "instance": name,
                "seed": seed,
                "status": r.status.value,
                "objective": r.objective,
                "bound": r.bound,
                "gap": r.gap,
                "seconds": r.runtime,
                "bound_from": r.stats.get("bound_from"),
            }
            rows.append(row)
            print("  ".join(f"{k}={v}" for k, v in row.items()), flush=True)
            if r.objective is not None:
                objectives.append(r.objective)
            proven += r.status.value == "optimal"
        if objectives:
            lo, hi = min(objectives), max(objectives)
            times = [r["seconds"] for r in rows if r["instance"] == name]
            print(
                f"== {name}: proven {proven}/{len(args.seeds)}, objectives {lo:,}–{hi:,}, "
                f"spread {(hi - lo) / lo:.3%}, median seconds {statistics.median(times):.2f}",
                flush=True,
            )
    if args.csv:
        append_rows(args.csv, rows)


if __name__ == "__main__":
    main()
