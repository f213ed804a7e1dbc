"""Conflict explanations: a small set of named settings that cannot hold together.

1. Build the model with one guard literal per named setting (``guards.py``)
   and no objective.
2. Solve with every guard as an assumption, one worker and presolve off: with
   several workers or an objective the core degenerates to all assumptions
   (google/or-tools#3102, #3943), and presolve can put literals that are not
   assumptions into the core (#5141); the core is intersected with the guards
   all the same.
3. Shrink by deletion: drop a member when the rest is still infeasible
   without it. Every member left is needed (a minimal set, when every check
   finishes within its time limit; a check that times out keeps its member).
"""

from __future__ import annotations

import logging
import time

from ortools.sat.python import cp_model

from models import Scenario
from planner.cpsat.builder import build

log = logging.getLogger("planner.cpsat")


def _solver(time_limit: float, seed: int) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    p = solver.parameters
    p.num_workers = 1
    p.cp_model_presolve = False
    p.presolve_inclusion_work_limit = 0
    p.random_seed = seed
    p.max_time_in_seconds = max(time_limit, 0.05)
    return solver


def explain_conflicts(scenario: Scenario, time_limit: float = 20.0) -> list[str]:
    """Names of settings that together make ``scenario`` infeasible (empty if none found)."""
    start = time.perf_counter()
    built = build(scenario, explain=True)
    model, guards = built.model, built.guards
    names = list(guards.literals)
    lit = guards.literals
    seed = scenario.settings.solver.seed

    def infeasible(subset: list[str], limit: float) -> bool | None:
        model.clear_assumptions()
        model.add_assumptions([lit[n] for n in subset])
        status = _solver(limit, seed).solve(model)
        if status == cp_model.INFEASIBLE:
            return True
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return False
        return None

    model.clear_assumptions()
    model.add_assumptions([lit[n] for n in names])
    solver = _solver(time_limit / 2, seed)
    status = solver.solve(model)
    if status != cp_model.INFEASIBLE:
        log.info("explain: the guarded model is %s; no conflict set", solver.status_name(status))
        return []
    by_index = {lit[n].index: n for n in names}
    core = [by_index[i] for i in solver.sufficient_assumptions_for_infeasibility() if i in by_index]
    if not core or infeasible(core, time_limit / 4) is not True:
        core = names  # fall back to deletion over every guard
    keep = list(core)
    for name in list(core):
        remaining = time_limit - (time.perf_counter() - start)
        if remaining <= 0.1:
            break
        trial = [n for n in keep if n != name]
        per_check = max(0.2, remaining / max(len(keep), 1))
        if infeasible(trial, per_check) is True:
            keep = trial
    return sorted(keep, key=_order)


def _order(name: str) -> tuple[int, str]:
    """Targets first, then departments, organisations, rules, locks, data."""
    prefixes = (
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
