"""Locks (C13): decisions the planner fixes by hand, each named ``locks:row N``.

A locked person is a class of one (``classes.py``), so a lock is a statement
about that class's variables:

- role ``exit``: ``r[c] = 0``;
- dept_id and role: ``m|h|v[c,d] = 1``; dept_id only: ``a[c,d] = 1``;
- role only: ``Σ_d m|h|v[c,d] = 1``;
- function: ``y[f,d] = 1`` and/or ``z[f,o] = 1``.
"""

from __future__ import annotations

from ortools.sat.python import cp_model

from models import LockKind, Role
from planner.cpsat.guards import Guards, row
from planner.cpsat.variables import Variables


def add_locks(
    model: cp_model.CpModel,
    var: Variables,
    guards: Guards,
    *,
    functions: bool = True,
    while_present: bool = False,
) -> None:
    """C13: every row of locks.csv holds.

    A roadmap (SPEC §8) adds the staff locks in every period's view and the function
    locks once (``functions``). A staff lock (not exit) holds in every period in which
    the person is present: in period 1 it keeps the person, as in §3; in later periods
    (``while_present``) it reads ``Σ_d m|h|v[c,d] = r[c]`` (in place, or gone). A
    retired class is not bound.
    """
    sc = var.scenario
    k = len(sc.departments)
    dept = {d: i for i, d in enumerate(sc.dept_ids)}
    staff_class = {sc.staff[c.members[0]].staff_id: c for c in var.classes if c.size == 1}
    fid = {fn.function_id: i for i, fn in enumerate(sc.functions)}
    for i, lk in enumerate(sc.locks):
        name = f"locks:row {row(i)}"
        if lk.kind is LockKind.STAFF:
            c = staff_class[lk.id]
            if c.retired and lk.role is not Role.EXIT:
                continue
            if lk.role is Role.EXIT:
                guards.add(model.add(var.r[c.index] == 0), name)
                continue
            ds = [dept[lk.dept_id]] if lk.dept_id is not None else list(range(k))
            held = sum(_role_var(var, c.index, d, lk.role) for d in ds)
            guards.add(model.add(held == (var.r[c.index] if while_present else 1)), name)
        elif functions:
            f = fid[lk.id]
            if lk.dept_id is not None:
                y = var.y.get((f, dept[lk.dept_id]))
                guards.add(model.add_bool_or([y] if y is not None else []), name)
            if lk.lead_org is not None:
                guards.add(model.add_bool_or([var.z[f, lk.lead_org]]), name)


def _role_var(var: Variables, c: int, d: int, role: Role | None) -> cp_model.LinearExprT:
    """The count of class c in d holding ``role`` (any non-exit role when None)."""
    if role is None:
        return var.assigned(c, d)
    if role is Role.MEMBER:
        return var.m.get((c, d), 0)
    table = var.h if role is Role.HEAD else var.v
    return table.get((c, d), 0)
