"""Feasibility first: the elastic (phase-1) model and its repair search.

A first plan that rests on no structural assumption. The elastic model
(``build(..., elastic=True)``, ``guards.py``) gives every rule of §3 that can be
broken by an amount — workload, skills, sizes, leadership, reduction, budget,
independence, reserved work, lead tasks, rules, locks — non-negative violation
variables ``s`` and minimises

    violations = Σ_rules weight_r · s_r        (guards.FTE per hundredth of an FTE,
                                                guards.PERSON per person, post,
                                                function or lock, 1 per 1 % of a
                                                base salary)

C1, C2, ``can_lead`` and protected staff stay hard: every assignment of functions
to allowed departments and of people to cells is a solution, so a plan exists
from the first millisecond (any plan, e.g. the constructive one of
``planner.search.construct`` with what it still breaks, completes to one), and
``violations = 0`` exactly when the plan meets every rule.

The repair search (``repair``) drives ``violations`` to zero with a large-
neighbourhood search (``lns.improve``) whose neighbourhoods follow the broken
rules: a step frees the departments of one broken rule's variables, the
departments where the people named by it are now, and a few others, and
CP-SAT re-solves them with the violations as objective. On a scenario
without a plan it is also the draft (SPEC §5, "Draft plans"): the closest plan
found, violations first, then the objective of §4 (``polish``).
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from ortools.sat.python import cp_model

from models import Settings
from planner.cpsat.builder import BuiltModel
from planner.cpsat.lns import Neighbourhood, improve
from planner.cpsat.objective import set_objective
from planner.cpsat.runner import solve_once

log = logging.getLogger("planner.cpsat")

Progress = Callable[[float, float, float], None]

LNS_PATIENCE = 4
"""The broken-rules LNS goes on while it improves, and hands over to CP-SAT's portfolio
after this many steps in a row that improved nothing (2 measured too impatient on
scarce-skills: a first plan at 3.4 s with 4, none at 10 s in one run of 2): on scarce-skills (1,659 staff) one
step took the violations from 750 to 150, where the portfolio alone needed 18.5 s of CPU
to reach zero; on uneven-limits (400 staff) the portfolio reached zero in 6.7 s of CPU
where a fixed half of the time for the LNS left 400 after 9.3 s."""
LNS_SHARE = 0.6
"""At most this share of the repair's time for the LNS."""


@dataclass
class RepairOutcome:
    """Where the repair stopped: the solution, its violations total and whether that is proven
    the least possible (``proven`` with ``violations > 0``: the scenario is infeasible)."""

    solution: dict[int, int]
    violations: int
    proven: bool = False


def hint_solution(built: BuiltModel) -> dict[int, int]:
    """The model's (completed) hint as a solution: variable index -> value."""
    hint = built.model.proto.solution_hint
    return dict(zip(hint.vars, hint.values, strict=True))


def set_hint(built: BuiltModel, solution: dict[int, int]) -> None:
    """Hint every variable with ``solution`` (written to the proto directly: fast at scale)."""
    built.model.clear_hints()
    hint = built.model.proto.solution_hint
    for i, x in sorted(solution.items()):
        hint.vars.append(i)
        hint.values.append(x)


def trivial_solution(built: BuiltModel, time_limit: float = 10.0) -> bool:
    """Hint an elastic model with a plan that breaks rules but exists: every function in its
    first allowed department, every person kept in the first department (the protected
    too), heads and deputies nowhere; ``complete_hint`` fills in the violations. Returns
    True when the completed hint is in place."""
    from planner.cpsat.builder import complete_hint

    var, model = built.var, built.model
    model.clear_hints()
    placed: set[int] = set()
    for (f, _d), y in sorted(var.y.items()):
        model.add_hint(y, int(f not in placed))
        placed.add(f)
    for (f, o), z in var.z.items():
        fn = var.scenario.functions[f]
        model.add_hint(z, int(o == fn.lead_candidates[0]))
    for c in var.classes:
        first = True
        for d in range(len(var.scenario.departments)):
            if (c.index, d) not in var.m:
                continue
            model.add_hint(var.m[c.index, d], c.size if first else 0)
            if (c.index, d) in var.h:
                model.add_hint(var.h[c.index, d], 0)
                model.add_hint(var.v[c.index, d], 0)
            first = False
    return complete_hint(built, time_limit=time_limit)


def broken_rules_neighbourhood(built: BuiltModel) -> Neighbourhood:
    """Neighbourhoods that follow the broken rules of an elastic model (module docstring)."""
    var, guards = built.var, built.guards
    k = len(var.scenario.departments)
    dept_of: dict[int, int] = {}
    class_of: dict[int, int] = {}
    for table in (var.m, var.h, var.v):
        for (c, d), x in table.items():
            dept_of[x.index] = d
            class_of[x.index] = c
    function_of: dict[int, int] = {}
    places: dict[int, list[tuple[int, int]]] = {}  # function -> [(dept, var index)]
    for (f, d), y in var.y.items():
        dept_of[y.index] = d
        function_of[y.index] = f
        places.setdefault(f, []).append((d, y.index))
    for c, r in var.r.items():
        class_of[r.index] = c
    cells: dict[int, list[tuple[int, int]]] = {}  # class -> [(dept, var index)]
    for table in (var.m, var.h, var.v):
        for (c, d), x in table.items():
            cells.setdefault(c, []).append((d, x.index))
    scopes = guards.scopes
    slacks = [s.index for s, _ in guards.slacks]
    weights = [w for _, w in guards.slacks]

    def choose(
        built: BuiltModel, solution: dict[int, int], size: int, rng: random.Random
    ) -> set[int]:
        broken = [i for i, s in enumerate(slacks) if solution[s] > 0]
        chosen: set[int] = set()
        if broken:
            i = rng.choices(broken, [weights[j] * solution[slacks[j]] for j in broken])[0]
            scope = scopes[i]
            here = {dept_of[x] for x in scope if x in dept_of}
            classes = {class_of[x] for x in scope if x in class_of}
            functions = {function_of[x] for x in scope if x in function_of}
            # where the people and the work the rule names are now (a lock, a minimum)
            there = {d for c in classes for d, x in cells.get(c, []) if solution[x] > 0}
            there |= {d for f in functions for d, x in places[f] if solution[x] > 0}
            there -= here
            pool = sorted(here)
            rng.shuffle(pool)
            chosen.update(pool[: size + 1])
            rest = sorted(there)
            rng.shuffle(rest)
            for d in rest:
                if len(chosen) >= size + 1:
                    break
                chosen.add(d)
        while len(chosen) < min(k, size):
            chosen.add(rng.randrange(k))
        return chosen

    return choose


def repair(
    built: BuiltModel,
    solution: dict[int, int],
    settings: Settings,
    time_limit: float,
    *,
    on_progress: Progress | None = None,
    stop: threading.Event | None = None,
    offset: float = 0.0,
    lns: bool = True,
) -> RepairOutcome:
    """Drive the violations of ``solution`` (a solution of the elastic ``built``) to zero.

    First (``lns``) the broken-rules LNS (``broken_rules_neighbourhood``) while it
    improves (``LNS_PATIENCE``, at most ``LNS_SHARE`` of ``time_limit``); then CP-SAT's
    own portfolio on the whole elastic model, hinted with
    the best solution, for what is left (it may also prove that no plan has fewer
    violations). A roadmap's model has one department view per period, which the LNS's
    neighbourhoods do not cover: it goes to the portfolio at once.
    """
    assert built.violations is not None, "repair needs an elastic model"
    start = time.perf_counter()
    model = built.model
    model.minimize(built.violations)
    v = built.violations.index
    if solution[v] == 0:
        return RepairOutcome(solution, 0, proven=True)

    def progress(seconds: float, objective: float, _bound: float) -> None:
        if on_progress is not None:
            on_progress(seconds, objective, 0.0)

    best = solution
    if lns:
        out = improve(
            built,
            solution,
            settings,
            LNS_SHARE * time_limit,
            on_progress=progress,
            stop=stop,
            offset=offset,
            neighbourhood=broken_rules_neighbourhood(built),
            target=0,
            patience=LNS_PATIENCE,
        )
        best = out.solution
        log.info("repair lns: violations %d -> %d", solution[v], best[v])
    if best[v] == 0 or (stop is not None and stop.is_set()):
        return RepairOutcome(best, best[v], proven=best[v] == 0)
    left = time_limit - (time.perf_counter() - start)
    if left < 0.5:
        return RepairOutcome(best, best[v])
    set_hint(built, best)
    solver, status = solve_once(
        built,
        settings,
        left,
        on_progress=progress,
        stop=stop,
        offset=offset + time.perf_counter() - start,
    )
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        found = {i: int(x) for i, x in enumerate(solver.response_proto.solution)}
        if found[v] <= best[v]:
            best = found
        return RepairOutcome(best, best[v], proven=status == cp_model.OPTIMAL)
    return RepairOutcome(best, best[v])


def polish(
    built: BuiltModel,
    solution: dict[int, int],
    settings: Settings,
    time_limit: float,
    *,
    stop: threading.Event | None = None,
    objective: Callable[[], None] | None = None,
) -> dict[int, int]:
    """A draft's second stage: violations fixed at most at their value in ``solution``, the
    objective minimised from there (``solution`` itself when nothing better is found):
    §4's, or what ``objective()`` sets (a roadmap's, §8)."""
    assert built.violations is not None
    model = built.model
    model.add(built.violations <= solution[built.violations.index])
    if objective is not None:
        objective()
    else:
        set_objective(model, built.var, settings.objective.mode)
    set_hint(built, solution)
    if time_limit < 0.3:
        return solution
    solver, status = solve_once(built, settings, time_limit, stop=stop)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return {i: int(x) for i, x in enumerate(solver.response_proto.solution)}
    return solution
