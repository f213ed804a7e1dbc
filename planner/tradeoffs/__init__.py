"""Trade-offs: the Pareto frontier between two §4 terms, the price of each policy, plan comparison.

One module per feature, as in the CLI (``planner pareto``, ``planner price``,
``planner compare``):

- :mod:`planner.tradeoffs.pareto`: :func:`pareto` sweeps ε-constraints ``y ≤ ε``
  and minimises x (then y, then the other weighted terms) for each ε, giving one
  full, checked plan per non-dominated point.
- :mod:`planner.tradeoffs.price`: :func:`price` relaxes every policy of the
  scenario by one step and re-solves: the saving in the objective is what the
  policy costs; a policy is binding when the saving is positive.
- :mod:`planner.tradeoffs.compare`: :func:`compare` and :func:`compare_folders`
  put the KPIs of several plans side by side and list who and what moves
  between them.

Every plan here is checked by the independent checker (``planner.check``)
before it is reported, and the frontier's x and y are the checker's terms.
This package re-exports the public names of the three modules.
"""

from __future__ import annotations

from planner.tradeoffs.common import Step
from planner.tradeoffs.compare import (
    CompareResult,
    compare,
    compare_folders,
    kpi_rows,
    write_compare,
)
from planner.tradeoffs.pareto import (
    FRONTIER_SCHEMA,
    ParetoPoint,
    ParetoResult,
    check_terms,
    epsilon_grid,
    frontier_svg,
    non_dominated,
    pareto,
    solve_bounded,
    write_pareto,
)
from planner.tradeoffs.price import PRICE_SCHEMA, Relaxation, changed_terms, price, relaxations

__all__ = [
    "FRONTIER_SCHEMA",
    "PRICE_SCHEMA",
    "CompareResult",
    "ParetoPoint",
    "ParetoResult",
    "Relaxation",
    "Step",
    "changed_terms",
    "check_terms",
    "compare",
    "compare_folders",
    "epsilon_grid",
    "frontier_svg",
    "kpi_rows",
    "non_dominated",
    "pareto",
    "price",
    "relaxations",
    "solve_bounded",
    "write_compare",
    "write_pareto",
]
