"""Speed and scale: CP-SAT on every benchmark instance, HiGHS on the same model per person.

    .venv/bin/python -m benchmarks.run                   # everything (≈ 30 min on 2 cores)
    .venv/bin/python -m benchmarks.run --quick           # a few instances, short limits
    .venv/bin/python -m benchmarks.run --only province resolve --repeats 5
    .venv/bin/python -m benchmarks.run --clock idle --jobs 3  # on a loaded machine
    .venv/bin/python -m benchmarks.run --render          # rewrite the docs from the last results

Every solve runs in a fresh process (multiprocessing "spawn"), so its peak memory
(``ru_maxrss``) is its own. Per instance and solver it records: status, objective,
bound, gap, wall seconds (from the call of ``planner.search.solve.solve``, model building
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
import json
import shlex
import sys
from pathlib import Path

from benchmarks.harness import (  # noqa: F401 - the harness's names, as before the split
    AXIS,
    CLOCKS,
    DOC,
    OUT,
    RESULTS,
    SVG_NAME,
    bench_instance,
    cpsat_job,
    highs_job,
    in_fresh_process,
    loud,
    run_benchmarks,
    set_clock,
    summarize,
)
from benchmarks.instances import INSTANCES
from benchmarks.report import save, write_csv, write_report  # noqa: F401


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
        results = run_benchmarks(args, save)
        save(results)
        if not args.only and not args.quick:  # the structural family (its own results folder)
            from benchmarks import family

            family.main(["--no-report"])
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
