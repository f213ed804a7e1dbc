"""Where a province-scale proof goes: the plan side and the bound side, per seed.

    .venv/bin/python -m benchmarks.proof_probe province-s6 --seeds 3 --limit 60
    .venv/bin/python -m benchmarks.proof_probe province-s6 --cutoff 975304 --seeds 3
    .venv/bin/python -m benchmarks.proof_probe province-s6 -c "num_workers=1;subsolvers=max_lp"
    .venv/bin/python -m benchmarks.proof_probe province-s6 --highs --limit 20

The scenario is a folder or a benchmark instance (``benchmarks/instances.py``). For each
seed, the full model of ``planner.cpsat`` with the planner's parameters (plus ``-c``, as in
``benchmarks/sweep.py``) prints: seconds to a proven optimum (``inf``: not within the
limit), the final plan and bound, and the trace of the plan and bound at 2, 5, 10, 20, 40
and 60 s. ``--cutoff N`` adds ``objective ≤ N`` (a known plan's value: what is left is the
bound). ``--highs`` instead runs the per-person MIP of ``benchmarks/highs_baseline.py`` with
one thread and prints its trace. docs/model.md ("Why a province takes seconds to prove")
quotes runs of it.
"""

from __future__ import annotations

import argparse
import statistics
import time

from ortools.sat.python import cp_model

from benchmarks.sweep import apply
from models import Scenario
from planner.cpsat.builder import build
from planner.cpsat.objective import set_objective, weighted_sum
from planner.cpsat.runner import parameters

MARKS = (2.0, 5.0, 10.0, 20.0, 40.0, 60.0)


def load(name: str) -> Scenario:
    from benchmarks.instances import BY_NAME
    from planner.io import read_scenario

    return BY_NAME[name].load() if name in BY_NAME else read_scenario(name)


class _Trace(cp_model.CpSolverSolutionCallback):
    def __init__(self) -> None:
        super().__init__()
        self.start = time.perf_counter()
        self.events: list[tuple[float, float]] = []

    def on_solution_callback(self) -> None:
        self.events.append((time.perf_counter() - self.start, self.objective_value))


def run_cpsat(
    sc: Scenario, seed: int, limit: float, config: str, cutoff: int | None
) -> tuple[float, str]:
    built = build(sc)
    set_objective(built.model, built.var, sc.settings.objective.mode)
    if cutoff is not None:
        built.model.add(weighted_sum(built.var, sc.settings.objective.weights()) <= cutoff)
    solver = cp_model.CpSolver()
    parameters(solver, sc.settings, limit)
    solver.parameters.random_seed = seed
    apply(solver.parameters, config)
    trace = _Trace()
    status = solver.solve(built.model, trace)
    wall = time.perf_counter() - trace.start
    proven = status == cp_model.OPTIMAL
    found = status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    plan = f"{solver.objective_value:,.0f}" if found else "none"
    plans = " ".join(
        f"{m:.0f}s:{min((o for t, o in trace.events if t <= m), default=float('nan')):,.0f}"
        for m in MARKS
        if m <= limit
    )
    line = (
        f"seed {seed}: {wall if proven else float('inf'):.2f} s, plan {plan}, "
        f"bound {solver.best_objective_bound:,.0f}, best plan at {trace.events[-1][0] if trace.events else float('nan'):.2f} s"
        f" | plans {plans}"
    )
    return (wall if proven else float("inf")), line


def run_highs(sc: Scenario, limit: float) -> None:
    from benchmarks.highs_baseline import solve_highs

    out = solve_highs(sc, limit, threads=1)
    print(f"HiGHS (1 thread): {out['status']}, plan {out['objective']}, bound {out['bound']}")
    for wall, _eq, primal, dual in out["trace"]:
        print(f"  {wall:6.2f} s  plan {primal:,.0f}  bound {dual:,.0f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("scenario", help="a scenario folder or a benchmark instance name")
    ap.add_argument("-c", "--config", default="", help="SatParameters, as in benchmarks.sweep")
    ap.add_argument("--cutoff", type=int, default=None, help="add objective <= CUTOFF")
    ap.add_argument("--highs", action="store_true", help="run the HiGHS per-person MIP instead")
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--limit", type=float, default=60.0)
    args = ap.parse_args()
    sc = load(args.scenario)
    if args.highs:
        run_highs(sc, args.limit)
        return
    times = []
    for seed in range(args.seeds):
        seconds, line = run_cpsat(sc, seed, args.limit, args.config, args.cutoff)
        times.append(seconds)
        print(line, flush=True)
    print(
        f"median {statistics.median(times):.2f} s, proven {sum(t < float('inf') for t in times)}/{args.seeds}"
    )


if __name__ == "__main__":
    main()
