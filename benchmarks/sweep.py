"""CP-SAT parameter sweep on one scenario: seconds to a proven optimum, median of seeds.

    .venv/bin/python -m benchmarks.sweep data/quang_ninh_province --seeds 3 --limit 20 \\
        -c "" -c "num_workers=2" -c "num_workers=12" -c "linearization_level=1"

Each configuration is a ``;``-separated list of SatParameters fields applied on
top of the planner's own (``planner.cpsat.runner.parameters``); the empty string
is the planner's choice. One line per configuration: the seconds of each seed
(``inf`` when not proven within the limit) and their median. Run it on an idle
machine; the figures behind the defaults are in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import statistics
import time

from ortools.sat.python import cp_model

from planner.cpsat.builder import build
from planner.cpsat.objective import set_objective
from planner.cpsat.runner import parameters
from planner.io import read_scenario


def apply(params: object, config: str) -> None:
    """Set ``name=value`` pairs (``;``-separated) on a SatParameters message; a repeated
    field takes a comma-separated list (``subsolvers=max_lp,quick_restart``)."""
    for item in filter(None, (x.strip() for x in config.split(";"))):
        name, _, raw = item.partition("=")
        current = getattr(params, name.strip())
        value: object
        if not isinstance(current, bool | int | float | str):  # a repeated field: a,b,c
            current.extend(x.strip() for x in raw.split(",") if x.strip())
            continue
        if isinstance(current, bool):
            value = raw.strip().lower() in ("1", "true")
        else:
            value = type(current)(raw.strip())
        setattr(params, name.strip(), value)


def seconds_to_optimum(folder: str, config: str, seed: int, limit: float) -> float:
    sc = read_scenario(folder)
    built = build(sc)
    set_objective(built.model, built.var, sc.settings.objective.mode)
    solver = cp_model.CpSolver()
    parameters(solver, sc.settings, limit)
    solver.parameters.random_seed = seed
    apply(solver.parameters, config)
    start = time.perf_counter()
    status = solver.solve(built.model)
    wall = time.perf_counter() - start
    return wall if status == cp_model.OPTIMAL else float("inf")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("scenario")
    ap.add_argument("-c", "--config", action="append", dest="configs", default=None)
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--limit", type=float, default=20.0)
    args = ap.parse_args()
    for config in args.configs or [""]:
        times = [
            seconds_to_optimum(args.scenario, config, s, args.limit) for s in range(args.seeds)
        ]
        shown = " ".join(f"{t:.2f}" for t in times)
        print(
            f"{config or '(planner default)':32s} {shown:30s} median {statistics.median(times):.2f}"
        )


if __name__ == "__main__":
    main()
