"""Conflict explanations: a small set of named settings that cannot hold together.

1. Build the model with one guard literal per named setting (``guards.py``)
   and no objective.
2. Solve with every guard as an assumption, one worker and presolve off: with
   several workers or an objective the core degenerates to all assumptions
   (google/or-tools#3102, #3943), and presolve can put literals that are not
   assumptions into the core (#5141); the core is intersected with the guards
   all the same.
3. Shrink it with QuickXplain: each check fixes the guards in a copy of the
   model (on for the names tested, off for the rest), so presolve sees hard
   constraints and every check is as fast as a normal solve. Every name left
   is needed (a minimal set, when every check finishes within its time limit;
   a check that times out keeps names rather than drop a needed one).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from ortools.sat.python import cp_model

from models import Scenario
from planner.cpsat.builder import build
from planner.cpsat.solver import new_solver

log = logging.getLogger("planner.cpsat")


def _solver(
    time_limit: float, seed: int, *, core: bool, presolve: bool = True
) -> cp_model.CpSolver:
    """A solver for one explanation step.

    ``core``: the failed assumptions are wanted, so one worker (several workers
    return every assumption, or-tools#3102). Otherwise only the status is read,
    and the default portfolio proves infeasibility much faster.
    """
    solver = new_solver()
    p = solver.parameters
    p.num_workers = 1 if core else 0
    p.cp_model_presolve = presolve
    p.random_seed = seed
    p.max_time_in_seconds = max(time_limit, 0.05)
    return solver


def explain_conflicts(
    scenario: Scenario,
    time_limit: float = 20.0,
    *,
    builder: Callable[..., Any] | None = None,
) -> list[str]:
    """Names of settings that together make ``scenario`` infeasible (empty if none found).

    ``builder(scenario, explain=True)`` builds the guarded model (default ``build``;
    a roadmap passes ``build_roadmap``): anything with ``model`` and ``guards``.
    """
    start = time.perf_counter()
    built = (builder or build)(scenario, explain=True)
    model, guards = built.model, built.guards
    names = sorted(guards.literals, key=_order)
    lit = guards.literals
    seed = scenario.settings.solver.seed

    def left() -> float:
        return time_limit - (time.perf_counter() - start)

    def infeasible(subset: list[str], limit: float) -> bool | None:
        """Is the model with only ``subset``'s guards on (the rest dropped) infeasible?

        The guards are fixed in a copy, not assumed: presolve then sees hard
        constraints and proves infeasibility as fast as a normal solve.
        """
        on = set(subset)
        trial = model.clone()
        for n in names:
            trial.add(trial.get_bool_var_from_proto_index(lit[n].index) == int(n in on))
        status = _solver(max(0.1, min(limit, left())), seed, core=False).solve(trial)
        if status == cp_model.INFEASIBLE:
            return True
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return False
        return None

    # A quick core from assumptions (one worker; presolve's core may hold literals
    # that are not assumptions, or-tools#5141, hence the intersection with the guards).
    model.clear_assumptions()
    model.add_assumptions([lit[n] for n in names])
    solver = _solver(min(5.0, time_limit / 4), seed, core=True)
    core: list[str] = []
    if solver.solve(model) == cp_model.INFEASIBLE:
        found = set(solver.sufficient_assumptions_for_infeasibility())
        core = [n for n in names if lit[n].index in found]
    model.clear_assumptions()
    if not core or infeasible(core, left() / 3) is not True:
        if infeasible(names, left() / 2) is not True:
            log.info("explain: no conflict set found in time")
            return []
        core = names

    def test(subset: list[str]) -> bool:
        # A check proving infeasibility takes about as long as a normal solve does
        # (1–2 s on the province); a check that runs out of time keeps names.
        return infeasible(subset, max(3.0, left() / 6)) is True

    return sorted(_quickxplain(core, test), key=_order)


def _quickxplain(candidates: list[str], infeasible: Callable[[list[str]], bool]) -> list[str]:
    """A minimal subset of ``candidates`` that is infeasible (QuickXplain, Junker 2004).

    Needs O(k log(n/k)) checks for a conflict of k among n names; a check that
    cannot decide in time counts as feasible, which keeps a name rather than
    dropping a needed one.
    """

    def qx(background: list[str], delta: bool, cands: list[str]) -> list[str]:
        if delta and infeasible(background):
            return []
        if len(cands) == 1:
            return cands
        half = len(cands) // 2
        first, second = cands[:half], cands[half:]
        x2 = qx(background + first, True, second)
        x1 = qx(background + x2, bool(x2), first)
        return x1 + x2

    return qx([], False, candidates)


def _order(name: str) -> tuple[int, str]:
    """Roadmap settings first, then targets, departments, organisations, rules, locks, data."""
    prefixes = (
        "roadmap.",
        "targets.",
        "departments",
        "organizations:",
        "rules:",
        "locks:",
        "staff.",
        "functions.",
    )
    for i, p in enumerate(prefixes):
        if name.startswith(p):
            return i, name
    return len(prefixes), name
