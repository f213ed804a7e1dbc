"""Turn a CP-SAT solution into a ``Plan``: individuals restored from class counts.

Within a class the r cheapest members (by salary, then staff_id) are retained,
which is the payroll the model priced (``classes.py``); the retained members
are handed heads first, then deputies, then members, department by
department in order — any order is equivalent for every constraint and term.
"""

from __future__ import annotations

from models import (
    DepartmentSummary,
    FunctionAssignment,
    FunctionKind,
    Plan,
    Role,
    Scenario,
    StaffAssignment,
)
from planner.cpsat.variables import Variables


def extract_plan(var: Variables, solution: dict[int, int]) -> Plan:
    sc = var.scenario
    k = len(sc.departments)
    val = lambda v: solution[v.index]  # noqa: E731
    placement: dict[int, tuple[int | None, Role]] = {}
    for c in var.classes:
        queue = list(c.members)  # sorted by (salary, staff_id): cheapest first
        for d in range(k):
            for role, table in ((Role.HEAD, var.h), (Role.DEPUTY, var.v), (Role.MEMBER, var.m)):
                if (c.index, d) not in table:
                    continue
                for _ in range(val(table[c.index, d])):
                    placement[queue.pop(0)] = (d, role)
        for i in queue:
            placement[i] = (None, Role.EXIT)
    staff = staff_rows(sc, placement)
    functions = []
    for f, fn in enumerate(sc.functions):
        d = next(d for d in range(k) if (f, d) in var.y and val(var.y[f, d]))
        lead = None
        if fn.kind is FunctionKind.DIVIDED:
            lead = next(o for o in fn.lead_candidates if val(var.z[f, o]))
        functions.append(
            FunctionAssignment(function_id=fn.function_id, dept_id=sc.dept_ids[d], lead_org=lead)
        )
    return Plan(
        staff=staff,
        functions=tuple(functions),
        departments=summarize_departments(sc, staff, functions),
    )


def summarize_departments(
    sc: Scenario,
    staff: tuple[StaffAssignment, ...] | list[StaffAssignment],
    functions: list[FunctionAssignment] | tuple[FunctionAssignment, ...],
) -> tuple[DepartmentSummary, ...]:
    """The derived departments.csv rows of a plan."""
    person = {s.staff_id: s for s in sc.staff}
    fn = {f.function_id: f for f in sc.functions}
    out = []
    for dpt in sc.departments:
        mine = [a for a in staff if a.dept_id == dpt.dept_id]
        work = [fn[f.function_id] for f in functions if f.dept_id == dpt.dept_id]
        head = next((a.staff_id for a in mine if a.role is Role.HEAD), None)
        out.append(
            DepartmentSummary(
                dept_id=dpt.dept_id,
                name=dpt.name,
                headcount=len(mine),
                fte=sum(person[a.staff_id].fte_h for a in mine) / 100,
                workload=sum(w.workload_h for w in work) / 100,
                head=head,
                deputies=tuple(a.staff_id for a in mine if a.role is Role.DEPUTY),
                domains=tuple(dict.fromkeys(w.domain for w in work)),
                orgs=tuple(o for o in sc.org_ids if any(a.org_id == o for a in mine)),
            )
        )
    return tuple(out)


def staff_rows(
    sc: Scenario, placement: dict[int, tuple[int | None, Role]]
) -> tuple[StaffAssignment, ...]:
    """staff.csv's rows from ``placement``: staff index -> (department index or None, role)."""
    return tuple(
        StaffAssignment(
            staff_id=s.staff_id,
            org_id=sc.unit_org[s.unit_id],
            unit_id=s.unit_id,
            dept_id=None if placement[i][0] is None else sc.dept_ids[placement[i][0]],  # type: ignore[index]
            role=placement[i][1],
        )
        for i, s in enumerate(sc.staff)
    )
