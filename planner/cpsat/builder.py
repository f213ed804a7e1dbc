"""Build the CP-SAT model of SPEC §3 and §4 for one scenario."""

from __future__ import annotations

import time
from dataclasses import dataclass

from ortools.sat.python import cp_model

from models import Plan, Role, Scenario
from planner.cpsat import capacity, locks, objective, placement, staffing, symmetry
from planner.cpsat.budget import add_budget
from planner.cpsat.guards import Guards
from planner.cpsat.solver import new_solver
from planner.cpsat.variables import Variables, create_variables


@dataclass
class BuiltModel:
    model: cp_model.CpModel
    var: Variables
    guards: Guards
    payroll_scaled: cp_model.IntVar
    violations: cp_model.IntVar | None = None
    """Elastic models only: ``Σ weight · s`` over every softened rule (``guards.py``)."""


class BuildTimeout(Exception):
    """The model was not built by its deadline (``build(..., deadline=...)``)."""


def on_time(deadline: float | None) -> None:
    """Raise ``BuildTimeout`` when ``deadline`` (a ``time.perf_counter()`` value) has passed:
    called between a build's steps (``build``, ``build_roadmap``)."""
    if deadline is not None and time.perf_counter() > deadline:
        raise BuildTimeout


def build(
    scenario: Scenario,
    *,
    explain: bool = False,
    elastic: bool = False,
    deadline: float | None = None,
) -> BuiltModel:
    """The model of every hard constraint C1–C13 and every term of §4.

    With ``explain=True`` every constraint that stems from a setting is guarded
    by a named literal (``guards.py``) for conflict explanations; the terms are
    still defined so that the same code serves both uses.


    ``elastic=True`` builds the phase-1 model (``feasibility.py``): every rule that
    can be broken by an amount gets violation variables, summed in ``violations``.

    ``deadline`` (a ``time.perf_counter()`` value): raise ``BuildTimeout`` at the first
    step that ends past it. At 7,600 staff and 72 departments the build takes 10–27 s
    (294,000 variables; the longest step, the variables, 6.6 s on a loaded machine), so
    a solve with a first plan in hand must be able to give up on it within its limit.
    """

    model = cp_model.CpModel()
    guards = Guards(model, explain, elastic=elastic)
    var = create_variables(model, scenario)  # C1, C2
    on_time(deadline)
    placement.add_used(model, var, guards)  # §3: every department used
    capacity.add_workload(model, var, guards)  # C3
    capacity.add_skills(model, var, guards)  # C4
    on_time(deadline)
    staffing.add_size(model, var, guards)  # C5
    staffing.add_leadership(model, var, guards)  # C6
    on_time(deadline)
    staffing.add_reduction(model, var, guards)  # C7
    payroll = add_budget(model, var, guards)  # C8 and the payroll term
    staffing.add_independence(model, var, guards)  # C9
    capacity.add_reserved(model, var, guards)  # C10
    placement.add_leads(model, var, guards)  # C11
    placement.add_rules(model, var, guards)  # C12
    locks.add_locks(model, var, guards)  # C13
    on_time(deadline)
    for add_term in objective.TERM_BUILDERS:
        add_term(model, var)
        on_time(deadline)
    if not explain:
        # Only in normal solves: symmetry cuts must not appear in an explanation.
        symmetry.break_department_symmetry(model, var)
    return BuiltModel(
        model=model,
        var=var,
        guards=guards,
        payroll_scaled=payroll,
        violations=guards.total() if elastic else None,
    )


def add_plan_hint(built: BuiltModel, plan: Plan) -> None:
    """Hint every variable from ``plan`` (a previous plan or today's structure mapped to departments)."""
    var, sc = built.var, built.var.scenario
    model = built.model
    model.clear_hints()
    # The symmetry cuts admit one labelling of interchangeable departments only.
    plan = symmetry.canonical_plan(sc, plan)
    dept = {d: i for i, d in enumerate(sc.dept_ids)}
    sidx = {s.staff_id: i for i, s in enumerate(sc.staff)}
    where: dict[int, tuple[int | None, Role]] = {}
    for a in plan.staff:
        if a.staff_id in sidx:
            where[sidx[a.staff_id]] = (dept.get(a.dept_id) if a.dept_id else None, a.role)
    for c in var.classes:
        counts: dict[tuple[int, Role], int] = {}
        for i in c.members:
            d, role = where.get(i, (None, Role.EXIT))
            if d is not None and role is not Role.EXIT:
                if role is not Role.MEMBER and not c.can_lead:
                    role = Role.MEMBER
                counts[d, role] = counts.get((d, role), 0) + 1
        for d in range(len(sc.departments)):
            if (c.index, d) not in var.m:
                continue
            model.add_hint(var.m[c.index, d], counts.get((d, Role.MEMBER), 0))
            if (c.index, d) in var.h:
                model.add_hint(var.h[c.index, d], min(1, counts.get((d, Role.HEAD), 0)))
                model.add_hint(var.v[c.index, d], counts.get((d, Role.DEPUTY), 0))
    placed = {fa.function_id: fa for fa in plan.functions}
    for f, fn in enumerate(sc.functions):
        fa = placed.get(fn.function_id)
        for d in range(len(sc.departments)):
            if (f, d) in var.y:
                model.add_hint(var.y[f, d], int(fa is not None and dept.get(fa.dept_id) == d))
        for o in fn.lead_candidates:
            if (f, o) in var.z:
                model.add_hint(var.z[f, o], int(fa is not None and fa.lead_org == o))


def complete_hint(
    built: BuiltModel, time_limit: float = 10.0, *, deterministic: bool = False
) -> bool:
    """Extend the hint to every variable; True when done (else the hint is left as it was).

    A plan hints only the decision variables; CP-SAT rarely completes such a hint at
    scale (a ministry: no plan in 60 s from a feasible hint). Here one worker solves
    the model with the hinted variables fixed at their values
    (``fix_variables_to_their_hinted_value``) and stops at its first solution, which
    only propagates; that solution becomes the hint. No copy of the model is made: on
    a 7,625-person elastic model this took 4.9 s where fixing the values in a clone
    took 10.0 s (loaded machine). A hint that violates the model (a previous plan
    under changed settings) fails quickly.
    ``deterministic``: ``time_limit`` is CP-SAT's deterministic time, not seconds.
    """
    model = built.model
    proto = model.proto
    if not len(proto.solution_hint.vars):
        return False
    solver = new_solver()
    p = solver.parameters
    p.num_workers = 1
    p.fix_variables_to_their_hinted_value = True
    p.stop_after_first_solution = True
    if deterministic:
        p.max_deterministic_time = time_limit
    else:
        p.max_time_in_seconds = time_limit
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return False
    model.clear_hints()
    for i, v in enumerate(solver.response_proto.solution):
        proto.solution_hint.vars.append(i)
        proto.solution_hint.values.append(v)
    return True
