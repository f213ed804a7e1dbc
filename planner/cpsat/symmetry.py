"""Symmetry breaking between interchangeable departments.

Departments with the same domains and limits that no lock names are
interchangeable: every constraint and every term is the same after swapping
them. Among such a group (d_1, …, d_k) we keep only the solutions where
departments are opened in the order of their first function (value precedence):
``y[f_i, d_j] ≤ Σ_{i' < i} y[f_i', d_{j-1}]`` — d_j may host f_i only if d_{j-1}
already hosts an earlier function. Every solution has exactly one such
representative, so optima are unchanged.
"""

from __future__ import annotations

from ortools.sat.python import cp_model

from models import Plan, Scenario
from planner.cpsat.variables import Variables
from planner.domain.kpis import department_summaries


def interchangeable_groups(var: Variables) -> list[list[int]]:
    """Groups of department indices that are interchangeable (size ≥ 2)."""
    return _groups(var.scenario)


def break_department_symmetry(model: cp_model.CpModel, var: Variables) -> None:
    """Add the value-precedence constraints of the module docstring.

    ``opened[f,d] = OR_{f' ≤ f} y[f',d]`` is kept as a chain of Booleans so the
    model stays linear in size (a sum over all earlier functions would be
    quadratic at ministry scale).
    """
    nf = len(var.scenario.functions)
    for group in interchangeable_groups(var):
        opened: dict[int, list[cp_model.IntVar | int]] = {}
        for d in group:
            chain: list[cp_model.IntVar | int] = []
            prev: cp_model.IntVar | int = 0
            for f in range(nf):
                y = var.y.get((f, d))
                if y is None:
                    chain.append(prev)
                    continue
                lit = model.new_bool_var(f"opened[{f},{d}]")
                model.add_implication(y, lit)
                if isinstance(prev, int):
                    model.add(lit <= y)
                else:
                    model.add_implication(prev, lit)
                    model.add(lit <= prev + y)
                chain.append(lit)
                prev = lit
            opened[d] = chain
        for prev_d, d in zip(group, group[1:], strict=False):
            for f in range(nf):
                y = var.y.get((f, d))
                if y is None:
                    continue
                before = opened[prev_d][f - 1] if f > 0 else 0
                if isinstance(before, int):
                    model.add(y == 0)
                else:
                    model.add_implication(y, before)


def canonical_plan(scenario: Scenario, plan: Plan) -> Plan:
    """``plan`` with interchangeable departments relabelled to meet the value precedence.

    Within each group of interchangeable departments (``interchangeable_groups``), the
    department whose first function (lowest index) comes earliest takes the group's
    first index, and so on: then every d_j hosts a function later than one of d_{j−1}.
    Swapping interchangeable departments changes no constraint and no term, so the
    relabelled plan is as good as ``plan``; without it a hint from a heuristic or from
    another model would contradict the symmetry cuts and be useless.
    """
    groups = _groups(scenario)
    if not groups:
        return plan
    fidx = {fn.function_id: i for i, fn in enumerate(scenario.functions)}
    ids = scenario.dept_ids
    first: dict[str, int] = {}
    for fa in plan.functions:
        if fa.function_id in fidx:
            first[fa.dept_id] = min(first.get(fa.dept_id, 1 << 30), fidx[fa.function_id])
    rename: dict[str, str] = {}
    for group in groups:
        old = sorted(group, key=lambda d: (first.get(ids[d], 1 << 30), d))
        for new_d, old_d in zip(group, old, strict=True):
            if new_d != old_d:
                rename[ids[old_d]] = ids[new_d]
    if not rename:
        return plan
    staff = tuple(
        a.model_copy(update={"dept_id": rename.get(a.dept_id, a.dept_id)}) if a.dept_id else a
        for a in plan.staff
    )
    functions = tuple(
        fa.model_copy(update={"dept_id": rename.get(fa.dept_id, fa.dept_id)})
        for fa in plan.functions
    )
    out = Plan(staff=staff, functions=functions)
    return out.model_copy(update={"departments": department_summaries(scenario, out)})


def _groups(scenario: Scenario) -> list[list[int]]:
    """``interchangeable_groups`` from the scenario alone (the same key)."""
    locked = {lk.dept_id for lk in scenario.locks if lk.dept_id is not None}
    groups: dict[tuple, list[int]] = {}
    for d, dpt in enumerate(scenario.departments):
        if dpt.dept_id in locked:
            continue
        key = (tuple(sorted(dpt.domains)), scenario.dept_limits(dpt))
        groups.setdefault(key, []).append(d)
    return [g for g in groups.values() if len(g) > 1]
