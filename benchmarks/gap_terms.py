"""Where a gap comes from: the LP relaxation's value of each §4 term beside the plan's.

    .venv/bin/python -m benchmarks.gap_terms merged-2700 --limit 60
    .venv/bin/python -m benchmarks.gap_terms province --limit 30

Solves the instance (a family instance of ``benchmarks/family.py``, one of
``benchmarks/instances.py`` or a scenario folder) with ``planner.search.solve.solve`` for ``--limit`` seconds,
then solves the LP relaxation of the same built model (``planner.cpsat.relaxation``:
every constraint CP-SAT states, relaxed; HiGHS's interior point) and prints, for every
term, its weight, the plan's value and the LP optimum's. A term the LP puts far below
the plan is where the gap is; whether the plan or the bound is at fault needs another
experiment (docs/bound.md, section 3: on ``merged-2700`` the LP's fragmentation 0
against the plan's 60 was the plan's fault).

The LP values are those of one LP optimum (HiGHS's), not the least each term can be.
"""

from __future__ import annotations

import argparse
import time

from benchmarks.family import BY_NAME
from benchmarks.proof_probe import load as load_instance
from models import Scenario
from planner.cpsat import relaxation
from planner.cpsat.builder import build
from planner.cpsat.objective import set_objective
from planner.search.solve import solve


def load(name: str) -> Scenario:
    """A family instance (``benchmarks/family.py``), else as ``benchmarks.proof_probe``
    loads one: an instance of ``benchmarks/instances.py`` or a scenario folder."""
    if name in BY_NAME:
        return BY_NAME[name].build().scenario
    return load_instance(name)


def lp_terms(sc: Scenario, time_limit: float) -> tuple[float | None, dict[str, float]]:
    """The LP relaxation's objective and each term's value at HiGHS's optimum."""
    built = build(sc)
    set_objective(built.model, built.var, sc.settings.objective.mode)
    lp = relaxation.lp_bound(built.model, time_limit=time_limit)
    if lp.value is None or lp.primal is None:
        return None, {}
    return lp.value, {t: float(lp.primal[v.index]) for t, v in built.var.terms.items()}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("instance")
    ap.add_argument("--limit", type=float, default=60.0, help="the solve's time limit, s")
    ap.add_argument("--lp-limit", type=float, default=600.0, help="HiGHS's time limit, s")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    sc = load(args.instance)
    t = time.perf_counter()
    r = solve(sc, time_limit=args.limit, seed=args.seed, explain=False)
    print(f"solve: {r.status.value}, objective {r.objective}, bound {r.bound}, "
          f"{time.perf_counter() - t:.1f} s", flush=True)  # fmt: skip
    t = time.perf_counter()
    value, terms = lp_terms(sc, args.lp_limit)
    if value is None:
        print("LP: not solved within its limit")
        return
    print(f"LP: {value:,.1f} in {time.perf_counter() - t:.1f} s")
    weights = sc.settings.objective.weights()
    print("| term (weight) | plan | LP |\n|---|---:|---:|")
    for name, lp in terms.items():
        print(f"| {name} ({weights.get(name, 0):,}) | {r.terms.get(name, 0):,} | {lp:,.1f} |")


if __name__ == "__main__":
    main()
