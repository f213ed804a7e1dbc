"""Khối: a CP-SAT planner for merging departments (see SPEC.md and README.md).

The scripting API is one import::

    import planner

    sc = planner.read_scenario("data/quang_ninh_province")
    result = planner.solve(sc, time_limit=30)
    report = planner.check(sc, result.plan)

==========================  ==========================================================
``read_scenario(path)``     read and validate a scenario folder (:mod:`planner.io`)
``write_scenario(sc, path)``  write one (CSV, XLSX or Parquet, atomically)
``solve(sc, …)``            one checked plan (:func:`planner.solve.solve`)
``check(sc, plan)``         the independent checker (:func:`planner.check.check`)
``pareto(sc, x, y, …)``     the trade-off between two terms (:mod:`planner.tradeoffs`)
``price(sc, …)``            the price of each policy
``compare(plans)``          KPIs and moves of several plans side by side
``sweep(sc, grid, …)``      one run per combination of settings (:mod:`planner.batch`)
``batch(scenarios, …)``     one run per scenario, e.g. every commune
==========================  ==========================================================

The names are imported on first use, so ``import planner`` stays instant (it does
not load OR-Tools). ``planner.solve``, ``planner.check`` and ``planner.batch`` are
the functions; their modules of the same name are reached with
``from planner.solve import …`` or ``importlib.import_module("planner.solve")``
(``import planner.solve as m`` gives the function).
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # what type checkers and editors see; at run time they load lazily
    from planner.batch import batch as batch
    from planner.batch import sweep as sweep
    from planner.check import check as check
    from planner.io import read_scenario as read_scenario
    from planner.io import write_scenario as write_scenario
    from planner.solve import solve as solve
    from planner.tradeoffs import compare as compare
    from planner.tradeoffs import pareto as pareto
    from planner.tradeoffs import price as price

API: dict[str, str] = {
    "read_scenario": "planner.io",
    "write_scenario": "planner.io",
    "solve": "planner.solve",
    "check": "planner.check",
    "pareto": "planner.tradeoffs",
    "price": "planner.tradeoffs",
    "compare": "planner.tradeoffs",
    "sweep": "planner.batch",
    "batch": "planner.batch",
    # "roadmap": the roadmap API is being built separately; its entry goes here when it lands.
}
"""Top-level name -> the module defining the function of that name."""

__all__ = sorted(API)


class _Package(types.ModuleType):
    """The ``planner`` package: an API name is always its function.

    Importing the submodule ``planner.solve`` sets the package's attribute ``solve``
    to that module; looking the API names up here first keeps ``planner.solve`` the
    function whatever was imported before.
    """

    def __getattribute__(self, name: str) -> Any:
        if name in API:
            return getattr(importlib.import_module(API[name]), name)
        return super().__getattribute__(name)

    def __dir__(self) -> list[str]:
        return sorted({*super().__dir__(), *API})


sys.modules[__name__].__class__ = _Package
