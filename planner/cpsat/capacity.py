"""Capacity constraints: workload (C3), skills (C4), reserved work (C10).

All capacities and workloads are in hundredths of an FTE:
``fte_d = Σ_c fte_c · a[c,d]`` and ``W_d = Σ_f workload_f · y[f,d]``.
"""

from __future__ import annotations

from ortools.sat.python import cp_model

from models import FunctionKind, exact
from planner.cpsat.guards import FTE, Guards
from planner.cpsat.variables import Variables


def add_workload(model: cp_model.CpModel, var: Variables, guards: Guards) -> None:
    """C3: ``q · fte_d ≥ (q + p) · W_d`` with ``workload_slack = p/q`` (0 when unset), and,
    with ``max_overstaff = p'/q'``: ``q' · fte_d ≤ (q' + p') · W_d + 100 · q'``.
    """
    sc = var.scenario
    t = sc.settings.targets
    slack = exact(t.workload_slack or 0)
    lower_name = "targets.workload_slack" if t.workload_slack else "functions.workload"
    for d in range(len(sc.departments)):
        fte, work = var.fte(d), var.workload(d)
        guards.add(
            model.add(slack.denominator * fte >= (slack.denominator + slack.numerator) * work),
            lower_name,
            unit=slack.denominator,
            weight=FTE,
        )
        if t.max_overstaff is not None:
            over = exact(t.max_overstaff)
            q, p = over.denominator, over.numerator
            guards.add(
                model.add(q * fte <= (q + p) * work + 100 * q),
                "targets.max_overstaff",
                unit=q,
                weight=FTE,
            )


def add_skills(model: cp_model.CpModel, var: Variables, guards: Guards) -> None:
    """C4: for every department d and required skill s,
    ``Σ_{c : s ∈ skills_c} fte_c · a[c,d] ≥ Σ_{f : skill_f = s} workload_f · y[f,d]``.
    """
    sc = var.scenario
    by_skill: dict[str, list[int]] = {}
    for f, fn in enumerate(sc.functions):
        if fn.skill is not None and fn.workload_h > 0:
            by_skill.setdefault(fn.skill, []).append(f)
    for s, fs in by_skill.items():
        holders = [c for c in var.classes if s in c.skills]
        for d in range(len(sc.departments)):
            if not any((f, d) in var.y for f in fs):
                continue
            cap = var.fte(d, holders) if holders else 0
            guards.add(model.add(cap >= var.workload(d, fs)), "functions.skill", weight=FTE)


def add_reserved(model: cp_model.CpModel, var: Variables, guards: Guards) -> None:
    """C10: for every department d and organisation o,
    ``Σ_{c ∈ o} fte_c · a[c,d] ≥ Σ_{f reserved, org_f = o} workload_f · y[f,d]``.
    """
    sc = var.scenario
    reserved: dict[str, list[int]] = {}
    for f, fn in enumerate(sc.functions):
        if fn.kind is FunctionKind.RESERVED and fn.workload_h > 0:
            reserved.setdefault(fn.org_id or "", []).append(f)
    for o, fs in reserved.items():
        mine = [c for c in var.classes if c.org_id == o]
        for d in range(len(sc.departments)):
            if not any((f, d) in var.y for f in fs):
                continue
            cap = var.fte(d, mine) if mine else 0
            guards.add(model.add(cap >= var.workload(d, fs)), "functions.kind", weight=FTE)
