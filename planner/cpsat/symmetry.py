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

from planner.cpsat.variables import Variables


def interchangeable_groups(var: Variables) -> list[list[int]]:
    """Groups of department indices that are interchangeable (size ≥ 2)."""
    sc = var.scenario
    locked = {lk.dept_id for lk in sc.locks if lk.dept_id is not None}
    groups: dict[tuple, list[int]] = {}
    for d, dpt in enumerate(sc.departments):
        if dpt.dept_id in locked:
            continue
        key = (tuple(sorted(dpt.domains)), sc.dept_limits(dpt))
        groups.setdefault(key, []).append(d)
    return [g for g in groups.values() if len(g) > 1]


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
