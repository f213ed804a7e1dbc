"""Where the proof time of a province goes: split the search on the imbalance term.

    .venv/bin/python -m benchmarks.imbalance_split data/quang_ninh_province --seeds 3

Solves the scenario once to get its optimum (objective and imbalance I*), then,
for each seed, the same model

- ``I ≥ I*``: the region holding the optimum;
- ``I ≤ I* − 1``: the rest, whose optimum is worse and must be proven so;
- ``y fixed``: every function placed as in the optimum (only staffing left);
- ``no imbalance``: the imbalance weight set to 0 (a different optimum);

and prints seconds to a proven optimum per seed (``inf`` when not within the
limit) with the median. docs/model.md ("Why a province takes seconds to prove")
quotes one run of it.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

from ortools.sat.python import cp_model

from models import Scenario
from planner.cpsat.builder import BuiltModel, build
from planner.cpsat.objective import set_objective
from planner.cpsat.runner import parameters
from planner.io import read_scenario

Restrict = Callable[[BuiltModel], None]


def seconds_to_optimum(
    scenario: Scenario, restrict: Restrict, seed: int, limit: float
) -> tuple[float, int | None]:
    """Wall seconds to a proven optimum (``inf`` if none within ``limit``) and its value."""
    built = build(scenario)
    set_objective(built.model, built.var, scenario.settings.objective.mode)
    restrict(built)
    solver = cp_model.CpSolver()
    parameters(solver, scenario.settings, limit)
    solver.parameters.random_seed = seed
    start = time.perf_counter()
    status = solver.solve(built.model)
    wall = time.perf_counter() - start
    if status != cp_model.OPTIMAL:
        return float("inf"), None
    return wall, round(solver.objective_value)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("scenario")
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--limit", type=float, default=60.0)
    args = ap.parse_args()
    sc = read_scenario(args.scenario)

    built = build(sc)
    set_objective(built.model, built.var, sc.settings.objective.mode)
    solver = cp_model.CpSolver()
    parameters(solver, sc.settings, 10 * args.limit)
    if solver.solve(built.model) != cp_model.OPTIMAL:
        raise SystemExit(f"{args.scenario}: no proven optimum within {10 * args.limit:.0f} s")
    best = round(solver.objective_value)
    imbalance = solver.value(built.var.terms["imbalance"])
    placed = {k: solver.value(x) for k, x in built.var.y.items()}
    print(f"optimum {best:,}, imbalance {imbalance}")

    def at_least(b: BuiltModel) -> None:
        b.model.add(b.var.terms["imbalance"] >= imbalance)

    def below(b: BuiltModel) -> None:
        b.model.add(b.var.terms["imbalance"] <= imbalance - 1)

    def fixed_y(b: BuiltModel) -> None:
        for k, x in b.var.y.items():
            b.model.add(x == placed[k])

    no_imbalance = sc.model_copy(
        update={
            "settings": sc.settings.model_copy(
                update={"objective": sc.settings.objective.model_copy(update={"imbalance": 0})}
            )
        }
    )
    cases: list[tuple[str, Scenario, Restrict]] = [
        (f"I >= {imbalance}", sc, at_least),
        (f"I <= {imbalance - 1}", sc, below),
        ("y fixed", sc, fixed_y),
        ("no imbalance", no_imbalance, lambda b: None),
    ]
    for name, scenario, restrict in cases:
        runs = [seconds_to_optimum(scenario, restrict, s, args.limit) for s in range(args.seeds)]
        times = [t for t, _ in runs]
        values = sorted({v for _, v in runs if v is not None})
        shown = " ".join(f"{t:.2f}" for t in times)
        print(
            f"{name:16s} {shown:26s} median {statistics.median(times):.2f} s"
            f"  optimum {', '.join(f'{v:,}' for v in values) or '-'}"
        )


if __name__ == "__main__":
    main()
