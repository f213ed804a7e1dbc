"""Large-neighbourhood search: improve a plan by re-solving a few departments at a time.

At scale the full model spends its first seconds or minutes in presolve and
the root LP before its own search improves anything (issue 14: a 2,700-person
scenario improved once in 30 s from a feasible hint). Here every step frees a
small neighbourhood of the incumbent solution and lets CP-SAT repair it:

- the departments ``D'`` of the neighbourhood: in half the steps (``DISRUPTION_SHARE``),
  a department where people lost their work (disruption) with departments that host
  their unit's work; otherwise the one with the largest surplus (it sets the imbalance
  term), the one with the least, and random others;
- free: ``y[f,d]`` for ``d ∈ D'`` of every function now in ``D'``; every cell
  ``m|h|v[c,d]`` with ``d ∈ D'`` (so people move between them, exit or come back
  from exit); ``z[f,o]`` of divided functions now in ``D'``;
- fixed: every other ``y``, ``z`` and cell at its incumbent value.

Global constraints (C6 post cap, C7, C8, C9, C11 quotas) stay in the model, so
every accepted solution is a solution of the full model: the search is exact in
what it accepts and heuristic only in where it looks. The incumbent is the
hint of every step, so a step never returns worse than it started.

Domains are narrowed in place on the model's proto, and a step narrows or widens only
the variables whose state differs from the last step's (the departments it frees and
those the last one freed); every domain is restored when the search ends. No copy of a
ministry-scale model per step: narrowing everything afresh and restoring it after each
step cost 2–3 s a step at 4,000 staff (``heavy-locks-4000``: 4 steps in 15 s, now 8–9,
each CP-SAT solve 1–1.5 s). What a step costs beyond CP-SAT's own time is measured, and
no step starts that could not end within the limit.
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
from planner.cpsat.solver import new_solver

log = logging.getLogger("planner.cpsat")

Progress = Callable[[float, float, float], None]
Neighbourhood = Callable[[BuiltModel, dict[int, int], int, random.Random], set[int]]
"""(model, incumbent, size, rng) -> the departments a step frees."""

DISRUPTION_SHARE = 0.5
"""Share of the default steps that free where people lost their work (``_disrupted``)."""
STEP_SECONDS = (1.0, 4.0)
"""A step's time limit grows from the first value to the second while steps stop improving."""


@dataclass
class LnsOutcome:
    solution: dict[int, int]
    objective: int
    steps: int
    improved: int


def _objective(model: cp_model.CpModel, solution: dict[int, int]) -> int:
    """The objective value of ``solution``, as CP-SAT reports it: (Σ c·x + offset) × scale."""
    obj = model.proto.objective
    total = sum(c * solution[v] for v, c in zip(obj.vars, obj.coeffs, strict=True))
    return int(round((total + obj.offset) * (obj.scaling_factor or 1)))


def improve(
    built: BuiltModel,
    solution: dict[int, int],
    settings: Settings,
    time_limit: float,
    *,
    on_progress: Progress | None = None,
    stop: threading.Event | None = None,
    offset: float = 0.0,
    neighbourhood: Neighbourhood | None = None,
    target: int | None = None,
    patience: int | None = None,
) -> LnsOutcome:
    """Improve ``solution`` (every variable's value, a solution of ``built``) for ``time_limit`` s.

    ``built.model`` must carry its objective. Returns the best solution found
    (``solution`` itself when nothing improved). ``neighbourhood`` chooses the
    departments to free (default: the largest surplus and random others);
    the search ends once the objective reaches ``target``, or after ``patience``
    steps in a row that improved nothing.
    """
    model, var = built.model, built.var
    proto = model.proto
    k = len(var.scenario.departments)
    rng = random.Random(settings.solver.seed)
    start = time.perf_counter()
    best = dict(solution)
    best_obj = _objective(model, best)
    steps = improved = stalled = 0
    step_limit = STEP_SECONDS[0]
    cells_of: dict[int, list[int]] = {d: [] for d in range(k)}
    for table in (var.m, var.h, var.v):
        for (_, d), x in table.items():
            cells_of[d].append(x.index)
    y_of: dict[int, list[tuple[int, int]]] = {}  # function -> [(dept, var index)]
    for (f, d), y in var.y.items():
        y_of.setdefault(f, []).append((d, y.index))
    z_of: dict[int, list[int]] = {}
    for (f, _), z in var.z.items():
        z_of.setdefault(f, []).append(z.index)
    size = min(k, 3 if k > 3 else max(1, k - 1))
    choose = neighbourhood or _neighbourhood
    original: dict[int, list[int]] = {}  # a variable's domain before it was first fixed
    fixed_at: dict[int, int | None] = {}  # variable -> the value it is fixed at (None: free)
    last: set[int] | None = None  # the departments the last step freed
    overhead = 0.0  # seconds a step costs beyond CP-SAT's own (narrowing, hint, copy)
    try:
        while True:
            left = time_limit - (time.perf_counter() - start)
            if left < 0.3 + overhead or (stop is not None and stop.is_set()) or k < 2:
                break
            if target is not None and best_obj <= target:
                break
            if patience is not None and stalled >= patience:
                break
            began = time.perf_counter()
            chosen = choose(built, best, size, rng)
            # Fix what lies outside the neighbourhood. Only the departments freed now or by
            # the last step change state (all of them at the first step), and a variable
            # that stays fixed keeps its value (a step changes only what it frees).
            scope = set(range(k)) if last is None else chosen | last
            want: dict[int, int | None] = {}  # variable -> value to fix it at, or None (free)
            for d in scope:
                value_of = None if d in chosen else best
                for i in cells_of[d]:
                    want[i] = None if value_of is None else value_of[i]
            for f, pairs in y_of.items():
                here = next(d for d, i in pairs if best[i])
                if here not in scope:
                    continue  # fixed where it was fixed, at the same values
                if here in chosen:
                    for d, i in pairs:
                        want[i] = None if d in chosen else 0
                    for i in z_of.get(f, ()):
                        want[i] = None
                else:
                    for _, i in pairs:
                        want[i] = best[i]
                    for i in z_of.get(f, ()):
                        want[i] = best[i]
            for i, value in want.items():
                if fixed_at.get(i) == value:
                    continue
                dom = proto.variables[i].domain
                if i not in original:
                    original[i] = list(dom)
                dom.clear()
                dom.extend(original[i] if value is None else (value, value))
                fixed_at[i] = value
            last = chosen
            model.clear_hints()
            proto.solution_hint.vars.extend(best.keys())
            proto.solution_hint.values.extend(best.values())
            solver = new_solver()
            p = solver.parameters
            p.num_workers = 2
            p.max_time_in_seconds = min(step_limit, left - overhead)
            p.random_seed = rng.randrange(1 << 30)
            p.symmetry_level = 1
            status = solver.solve(model)
            steps += 1
            overhead = max(overhead, time.perf_counter() - began - solver.wall_time)
            if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                found = dict(enumerate(solver.response_proto.solution))
                value = _objective(model, found)  # from the solution itself, not the report
                if value < best_obj:
                    best = found
                    best_obj = value
                    improved += 1
                    stalled = 0
                    step_limit = STEP_SECONDS[0]
                    if on_progress is not None:
                        on_progress(offset + time.perf_counter() - start, best_obj, 0.0)
                    continue
            stalled += 1
            step_limit = min(STEP_SECONDS[1], step_limit * 1.5)
    finally:  # the model as it was: every domain narrowed here widened again
        for i, value in fixed_at.items():
            if value is not None:
                proto.variables[i].domain.clear()
                proto.variables[i].domain.extend(original[i])
    model.clear_hints()
    log.info("lns: %d steps, %d improved, objective %d", steps, improved, best_obj)
    return LnsOutcome(solution=best, objective=best_obj, steps=steps, improved=improved)


def _neighbourhood(
    built: BuiltModel, solution: dict[int, int], size: int, rng: random.Random
) -> set[int]:
    """Departments to free: every other step where people lost their work
    (``_disrupted``) when some have, else the largest surplus (imbalance) and random ones."""
    if rng.random() < DISRUPTION_SHARE:
        chosen = _disrupted(built, solution, size, rng)
        if chosen:
            return chosen
    var = built.var
    k = len(var.scenario.departments)
    fs = var.scenario.functions
    fte = [0] * k
    work = [0] * k
    for c in var.classes:
        for d in range(k):
            for x in var.cell(c.index, d):
                fte[d] += c.fte_h * solution[x.index]
    for (f, d), y in var.y.items():
        if solution[y.index]:
            work[d] += fs[f].workload_h
    order = sorted(range(k), key=lambda d: fte[d] - work[d], reverse=True)
    chosen = {order[0]} if rng.random() < 0.5 else {rng.randrange(k)}
    # the department with the least surplus takes what the largest gives up
    if rng.random() < 0.5:
        chosen.add(order[-1])
    while len(chosen) < size:
        chosen.add(rng.randrange(k))
    return chosen


def _disrupted(
    built: BuiltModel, solution: dict[int, int], size: int, rng: random.Random
) -> set[int]:
    """A department with people who lose their work (the disruption term: none of their
    unit's functions is there), the departments that host their unit's work, then random
    ones; empty when nobody is disrupted. Freeing both lets a step bring the work to the
    people or the people to the work, which steps on random departments rarely pair."""
    var = built.var
    k = len(var.scenario.departments)
    hosts: dict[str, set[int]] = {}
    fs = var.scenario.functions
    for (f, d), y in var.y.items():
        unit = fs[f].unit_id
        if unit is not None and solution[y.index]:
            hosts.setdefault(unit, set()).add(d)
    lost: list[tuple[int, str]] = []  # (department, unit) with people lost there
    for c in var.classes:
        where = hosts.get(c.unit_id)
        if where is None:
            continue
        for d in range(k):
            if d not in where and any(solution[x.index] for x in var.cell(c.index, d)):
                lost.append((d, c.unit_id))
    if not lost:
        return set()
    d, unit = lost[rng.randrange(len(lost))]
    chosen = {d}
    there = sorted(hosts[unit])
    rng.shuffle(there)
    chosen.update(there[: max(1, size - 1)])
    while len(chosen) < min(k, size):
        chosen.add(rng.randrange(k))
    return chosen
