"""Khối: a CP-SAT planner for merging departments (see SPEC.md and README.md).

The scripting API is one import::

    import planner

    sc = planner.read_scenario("data/quang_ninh_province")
    result = planner.solve(sc, time_limit=30)
    report = planner.check(sc, result.plan)

==========================  ==========================================================
``read_scenario(path)``     read and validate a scenario folder (:mod:`planner.io`)
``write_scenario(sc, path)``  write one (CSV, XLSX or Parquet, atomically)
``solve(sc, …)``            one checked plan (:func:`planner.search.solve.solve`)
``check(sc, plan)``         the independent checker (:func:`planner.checking.check.check`)
``pareto(sc, x, y, …)``     the trade-off between two terms (:mod:`planner.tradeoffs`)
``price(sc, …)``            the price of each policy
``compare(plans)``          KPIs and moves of several plans side by side
``sweep(sc, grid, …)``      one run per combination of settings (:mod:`planner.services.batch`)
``batch(scenarios, …)``     one run per scenario, e.g. every commune
``roadmap(sc, …)``          the merger over time, SPEC §8 (:func:`planner.search.roadmap.roadmap`)
==========================  ==========================================================

The names are plain re-exports of those functions, imported on first use (a module
``__getattr__``, PEP 562), so ``import planner`` stays instant: it does not load
OR-Tools. No module of the package bears an API name, so ``planner.solve`` is always
the function; its module is ``planner.search.solve`` (``import planner.search.solve as
m`` to read or monkeypatch it; ``planner.solve`` looks the function up there at each
use, so a patched one is the one called).

The folders of the package are its layers, top to bottom (``make lint`` checks that no
import runs back up one): ``cli`` and ``ui``; ``workspace``; ``tradeoffs``; ``services``;
``search``; ``cpsat``, ``checking``, ``export`` and ``generate``; ``domain`` and ``io``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # what type checkers and editors see; at run time they load lazily
    from planner.checking.check import check as check
    from planner.io import read_scenario as read_scenario
    from planner.io import write_scenario as write_scenario
    from planner.search.roadmap import roadmap as roadmap
    from planner.search.solve import solve as solve
    from planner.services.batch import batch as batch
    from planner.services.batch import sweep as sweep
    from planner.tradeoffs import compare as compare
    from planner.tradeoffs import pareto as pareto
    from planner.tradeoffs import price as price

API: dict[str, str] = {
    "read_scenario": "planner.io",
    "write_scenario": "planner.io",
    "solve": "planner.search.solve",
    "check": "planner.checking.check",
    "pareto": "planner.tradeoffs",
    "price": "planner.tradeoffs",
    "compare": "planner.tradeoffs",
    "sweep": "planner.services.batch",
    "batch": "planner.services.batch",
    "roadmap": "planner.search.roadmap",
}
"""Top-level name -> the module defining the function of that name."""

__all__ = sorted(API)


def __getattr__(name: str) -> Any:
    """An API function, from its module (imported on first use)."""
    if name in API:
        return getattr(importlib.import_module(API[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *API})
