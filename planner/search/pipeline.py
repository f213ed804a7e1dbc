"""The stages ``planner.solve`` and ``planner.roadmap`` share, from first plan to checked result.

Both run the same pipeline: a first plan (the constructive plan or the elastic
model's repair, ``planner.cpsat.feasibility``; the roadmap starts from a plan of
its last period, itself solved by ``planner.solve``), the search, extraction,
the independent checker, and the same endings:

- ``Clock``: one time limit for the whole run, less a reserve for stopping and
  reading the plan; a stop event;
- ``judged``: a plan the checker rejects, or whose terms differ from the
  solver's, is a bug: logged loudly and returned as ``invalid``, never a success;
- ``explain``: on infeasibility, the named conflicts with what is left of the limit;
- ``gap_of``: the relative gap of an objective and its bound;
- ``repair_elastic``: build the elastic model (any builder with ``elastic=True``),
  start it from a hint or the trivial plan, and repair — the first plan when the
  constructive one breaks a rule, and the draft when no plan meets every rule.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from models import Scenario, Settings, Status
from planner.cpsat.builder import BuiltModel
from planner.cpsat.explain import explain_conflicts
from planner.cpsat.feasibility import hint_solution, repair, trivial_solution

log = logging.getLogger("planner")

STOP_RESERVE = 0.02
"""Share of the time limit (at most 2 s) kept for CP-SAT to stop and the plan to be read:
a ministry-scale search took 1.3 s to wind down after its limit."""


class Clock:
    """One run's time limit and stop event."""

    def __init__(self, limit: float, stop: threading.Event | None) -> None:
        self.limit = limit
        self.stop = stop
        self.start = time.perf_counter()

    def seconds(self) -> float:
        """Seconds since the start of the run."""
        return time.perf_counter() - self.start

    def elapsed(self) -> float:
        """Seconds since the start, rounded as results report them."""
        return round(self.seconds(), 3)

    def left(self, reserve: float | None = None) -> float:
        """Seconds left of the limit, less ``reserve`` (default: STOP_RESERVE of the limit,
        at most 2 s) for stopping and reading the plan."""
        keep = min(2.0, STOP_RESERVE * self.limit) if reserve is None else reserve
        return self.limit - self.seconds() - keep

    def stopped(self) -> bool:
        return self.stop is not None and self.stop.is_set()


def gap_of(objective: int | None, bound: int | None) -> float | None:
    """``|objective − bound| / |objective|`` (at least 1 below), or None without both."""
    if objective is None or bound is None:
        return None
    return round(abs(objective - bound) / max(1, abs(objective)), 6)


def judged(
    status: Status, lines: list[str], solver_terms: dict[str, int], checker_terms: dict[str, int]
) -> tuple[Status, list[str]]:
    """The status a result may carry after the independent checker: ``status`` when the
    plan passes and the terms agree, else ``invalid`` with every finding (a bug, logged)."""
    found = list(lines)
    if checker_terms != solver_terms:
        found.append(f"terms: solver {solver_terms} != checker {checker_terms}")
    if not found:
        return status, found
    log.error(
        "BUG: the plan failed the independent checker (%d findings); not a success", len(found)
    )
    for line in found[:20]:
        log.error("  %s", line)
    return Status.INVALID, found


def explain(
    scenario: Scenario,
    clock: Clock,
    wanted: bool,
    builder: Callable[..., Any] | None = None,
) -> list[str]:
    """The conflicting settings of an infeasible scenario, with what is left of the limit
    (at least 1 s); nothing when not ``wanted`` or after a stop."""
    if not wanted or clock.stopped():
        return []
    left = max(1.0, clock.limit - clock.seconds())
    return explain_conflicts(scenario, time_limit=left, builder=builder)


def repair_elastic(
    built: BuiltModel,
    settings: Settings,
    budget: float,
    clock: Clock,
    *,
    started: bool,
    lns: bool = True,
) -> tuple[dict[int, int], bool] | None:
    """Repair an elastic model for ``budget`` seconds from its completed hint (``started``)
    or, failing that, from the trivial plan: (best solution, proven least), or None when
    no start could be completed."""
    called = time.perf_counter()
    if not started and not trivial_solution(built, max(0.5, min(10.0, 0.3 * budget))):
        log.warning("elastic model: no start could be completed")
        return None
    left = budget - (time.perf_counter() - called)
    out = repair(
        built, hint_solution(built), settings, max(0.3, left),
        stop=clock.stop, offset=clock.seconds(), lns=lns,
    )  # fmt: skip
    return out.solution, out.proven
