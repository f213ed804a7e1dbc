"""The elastic model's repair on one scenario: LNS first, or CP-SAT's portfolio alone.

    .venv/bin/python -m benchmarks.repair_probe ../shared/unseen/scarce-skills/scenario --limit 60
    .venv/bin/python -m benchmarks.repair_probe SCENARIO --limit 60 --portfolio

Starts from the constructive plan that breaks fewest rules (as ``planner.solve`` does),
prints every improvement of the violations total with wall and CPU seconds (of this
process; CP-SAT's worker threads count in it), and the end: violations, wall, CPU. CPU
seconds compare runs on a loaded machine better than wall seconds.
"""

from __future__ import annotations

import argparse
import time

from planner.cpsat.builder import add_plan_hint, build, complete_hint
from planner.cpsat.feasibility import hint_solution, repair, trivial_solution
from planner.io import read_scenario
from planner.search.solve import _construct


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("scenario")
    ap.add_argument("--limit", type=float, default=60.0)
    ap.add_argument("--portfolio", action="store_true", help="no LNS: CP-SAT's portfolio alone")
    args = ap.parse_args(argv)
    sc = read_scenario(args.scenario)
    start = time.perf_counter()
    _, closest, _ = _construct(sc, sc.settings, start, None, None)
    built = build(sc, elastic=True)
    started = closest is not None
    if started:
        add_plan_hint(built, closest)
        started = complete_hint(built, time_limit=5.0)
    if not started:
        trivial_solution(built)
    t0, c0 = time.perf_counter(), time.process_time()
    print(f"start after {t0 - start:.1f} s (construct, build, completion)")

    def progress(_t: float, violations: float, _b: float) -> None:
        print(
            f"  wall {time.perf_counter() - t0:6.1f} s  cpu {time.process_time() - c0:6.1f} s"
            f"  violations {violations:,.0f}",
            flush=True,
        )

    out = repair(
        built, hint_solution(built), sc.settings, args.limit,
        lns=not args.portfolio, on_progress=progress,
    )  # fmt: skip
    print(
        f"end: {'portfolio' if args.portfolio else 'lns, then portfolio'}  violations"
        f" {out.violations:,}  proven {out.proven}  wall {time.perf_counter() - t0:.1f} s"
        f"  cpu {time.process_time() - c0:.1f} s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
