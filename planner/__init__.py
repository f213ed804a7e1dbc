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

The names are imported on first use, so ``import planner`` stays instant (it does
not load OR-Tools). Four of them are also the names of modules (``planner.solve``,
``planner.check``, ``planner.batch``, ``planner.roadmap``): there the package gives an object that is
both — calling it calls the function, any other attribute is the module's — so
that ``import planner.solve as m; m.to_summary`` and monkeypatching the module keep
working beside ``planner.solve(sc)``.
"""

from __future__ import annotations

import importlib
import sys
import types
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


class ModuleFunction:
    """A function that shares its name with its module (``planner.solve`` …): both at once.

    Calling it calls the module's function of that name (looked up at each call, so a
    monkeypatched one is used); every other attribute is read from, written to and
    deleted from the module. Its docstring and signature are the function's.
    """

    __slots__ = ("_module_name", "_name")

    def __init__(self, module_name: str, name: str) -> None:
        object.__setattr__(self, "_module_name", module_name)
        object.__setattr__(self, "_name", name)

    @property
    def _module(self) -> types.ModuleType:
        return importlib.import_module(object.__getattribute__(self, "_module_name"))

    @property
    def __wrapped__(self) -> Any:  # inspect.signature and help() follow it
        return getattr(self._module, object.__getattribute__(self, "_name"))

    @property
    def __doc__(self) -> str | None:  # type: ignore[override]
        return self.__wrapped__.__doc__

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.__wrapped__(*args, **kwargs)

    def __getattr__(self, attr: str) -> Any:
        return getattr(self._module, attr)

    def __setattr__(self, attr: str, value: Any) -> None:
        setattr(self._module, attr, value)

    def __delattr__(self, attr: str) -> None:
        delattr(self._module, attr)

    def __dir__(self) -> list[str]:
        return dir(self._module)

    def __repr__(self) -> str:
        return f"<function and module {object.__getattribute__(self, '_module_name')}>"


class _Package(types.ModuleType):
    """The ``planner`` package: an API name is always its function.

    Importing the submodule ``planner.solve`` sets the package's attribute ``solve``
    to that module; looking the API names up here first keeps ``planner.solve``
    callable whatever was imported before (a :class:`ModuleFunction` when the
    function's module has its name, else the function itself).
    """

    def __getattribute__(self, name: str) -> Any:
        if name in API:
            module = API[name]
            if module == f"{__name__}.{name}":
                return ModuleFunction(module, name)
            return getattr(importlib.import_module(module), name)
        return super().__getattribute__(name)

    def __dir__(self) -> list[str]:
        return sorted({*super().__dir__(), *API})


sys.modules[__name__].__class__ = _Package
