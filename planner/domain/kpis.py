"""Figures of a plan recomputed from a scenario and the plan's assignments alone.

Pure functions, no solver: the placement index (who and what is where), payroll,
the objective terms of SPEC §4, the KPIs of summary.json and the derived rows of
the plan's departments.csv. ``planner.check`` uses them; so may anyone else.

Arithmetic is exact, as agreed with the solver team:

* capacities in hundredths of an FTE: ``fte_h = round(fte * 100)``,
  ``workload_h = round(workload * 100)`` (``Staff.fte_h``, ``Function.workload_h``);
* fractional settings read as exact decimals, ``exact(x) = Fraction(str(x))``;
* payroll is a ``Fraction``: Σ salary of the retained + #heads × exact(allowances.head)
  × base_salary + #deputies × exact(allowances.deputy) × base_salary.

Rows of a malformed plan (an unknown id, a second row for the same id, a non-exit
row without a known department) are left out of the index; the checker reports them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from fractions import Fraction

from models import (
    DepartmentSummary,
    FunctionKind,
    Kpis,
    Plan,
    Position,
    Role,
    Scenario,
    Staff,
    exact,
)
from models.settings import TERMS

POSTS: tuple[Role, Role] = (Role.HEAD, Role.DEPUTY)


class Placement:
    """Index of a plan: where every retained person and every function is.

    Parameters
    ----------
    scenario
        The scenario the plan answers.
    plan
        The plan; only its staff and function assignments are read.

    Attributes
    ----------
    dept_of_staff, role_of_staff
        Retained staff -> department and role (head, deputy or member).
    exits
        Staff whose (first) row has role ``exit``.
    dept_of_function, lead_of_function
        Placed function -> department and lead organisation (None if not given).
    staff_in, functions_in
        Department -> retained staff ids / function ids placed there, in plan order.
    fte_h, workload_h
        Department -> retained capacity / workload, in hundredths of an FTE.
    """

    def __init__(self, scenario: Scenario, plan: Plan) -> None:
        self.scenario = scenario
        self.plan = plan
        self.staff = {s.staff_id: s for s in scenario.staff}
        self.functions = {f.function_id: f for f in scenario.functions}
        self.departments = {d.dept_id: d for d in scenario.departments}
        self.dept_of_staff: dict[str, str] = {}
        self.role_of_staff: dict[str, Role] = {}
        self.exits: set[str] = set()
        seen: set[str] = set()
        for a in plan.staff:
            if a.staff_id not in self.staff or a.staff_id in seen:
                continue
            seen.add(a.staff_id)
            if a.role is Role.EXIT:
                self.exits.add(a.staff_id)
            elif a.dept_id in self.departments:
                self.dept_of_staff[a.staff_id] = a.dept_id
                self.role_of_staff[a.staff_id] = a.role
        self.dept_of_function: dict[str, str] = {}
        self.lead_of_function: dict[str, str | None] = {}
        for fa in plan.functions:
            if fa.function_id not in self.functions or fa.function_id in self.dept_of_function:
                continue
            if fa.dept_id in self.departments:
                self.dept_of_function[fa.function_id] = fa.dept_id
                self.lead_of_function[fa.function_id] = fa.lead_org
        self.staff_in: dict[str, list[str]] = {d: [] for d in self.departments}
        self.functions_in: dict[str, list[str]] = {d: [] for d in self.departments}
        for sid, d in self.dept_of_staff.items():
            self.staff_in[d].append(sid)
        for fid, d in self.dept_of_function.items():
            self.functions_in[d].append(fid)
        self.fte_h = {d: sum(self.staff[s].fte_h for s in ids) for d, ids in self.staff_in.items()}
        self.workload_h = {
            d: sum(self.functions[f].workload_h for f in ids)
            for d, ids in self.functions_in.items()
        }

    def holders(self, role: Role, dept_id: str | None = None) -> list[str]:
        """Retained staff holding ``role`` (in ``dept_id`` when given)."""
        return [
            s
            for s, r in self.role_of_staff.items()
            if r is role and (dept_id is None or self.dept_of_staff[s] == dept_id)
        ]

    def posts(self) -> list[str]:
        """Staff holding a head or deputy post in the plan."""
        return [s for s, r in self.role_of_staff.items() if r in POSTS]

    @property
    def retained(self) -> int:
        return len(self.dept_of_staff)


# -- payroll ------------------------------------------------------------------------------


def payroll(scenario: Scenario, people: Iterable[tuple[Staff, str]]) -> Fraction:
    """Monthly payroll of ``(person, post)`` pairs, exactly.

    ``payroll = Σ salary + #head × exact(allowances.head) × base_salary
    + #deputy × exact(allowances.deputy) × base_salary``; ``post`` is a role or a
    position value ("head", "deputy", anything else earns no allowance).
    """
    allowance = allowances(scenario)
    return sum(
        (Fraction(p.salary) + allowance.get(post, Fraction(0)) for p, post in people), Fraction(0)
    )


def allowances(scenario: Scenario) -> dict[str, Fraction]:
    """The monthly allowance of each post: ``{"head": exact(allowances.head) × base_salary,
    "deputy": exact(allowances.deputy) × base_salary}``."""
    s = scenario.settings
    base = s.scenario.base_salary
    return {
        "head": exact(s.allowances.head) * base,
        "deputy": exact(s.allowances.deputy) * base,
    }


def payroll_before(scenario: Scenario) -> Fraction:
    """Payroll today: every person with their current ``position``."""
    return payroll(scenario, ((p, p.position.value) for p in scenario.staff))


def payroll_after(pl: Placement) -> Fraction:
    """Payroll of the plan: the retained staff with their planned roles."""
    return payroll(pl.scenario, ((pl.staff[s], r.value) for s, r in pl.role_of_staff.items()))


# -- objective terms (SPEC §4) ------------------------------------------------------------


def term_payroll(pl: Placement) -> int:
    """payroll = floor(payroll_after / 1000)."""
    return math.floor(payroll_after(pl) / 1000)


def term_involuntary_exits(pl: Placement) -> int:
    """involuntary_exits = #{exits whose person is not ``retiring``}."""
    return sum(1 for s in pl.exits if not pl.staff[s].retiring)


def term_disruption(pl: Placement) -> int:
    """disruption = #{retained p : dept(p) hosts no function f with f.unit_id = p.unit_id}.

    Literal reading: the retained staff of a unit that has no functions always count.
    """
    count = 0
    for sid, d in pl.dept_of_staff.items():
        own = pl.scenario.functions_by_unit.get(pl.staff[sid].unit_id, ())
        if not any(pl.dept_of_function.get(f) == d for f in own):
            count += 1
    return count


def term_fragmentation(pl: Placement) -> int:
    """fragmentation = Σ over domains with functions of (#departments hosting it − 1).

    A domain none of whose functions is placed (a malformed plan) counts 0.
    """
    hosts: dict[str, set[str]] = {dom: set() for dom in pl.scenario.domains}
    for fid, d in pl.dept_of_function.items():
        hosts[pl.functions[fid].domain].add(d)
    return sum(max(len(h) - 1, 0) for h in hosts.values())


def term_imbalance(pl: Placement) -> int:
    """imbalance = max(0, max over departments d of (fte_h_d − workload_h_d))."""
    return max([0, *(pl.fte_h[d] - pl.workload_h[d] for d in pl.departments)])


def term_leadership_churn(pl: Placement) -> int:
    """leadership_churn = #{head or deputy posts held by staff whose position today is "staff"}."""
    return sum(1 for s in pl.posts() if pl.staff[s].position is Position.STAFF)


def term_lead_preference(pl: Placement) -> int:
    """lead_preference = Σ over divided f of index(lead_org_f in f.lead_candidates), 0-based.

    A lead that is missing or not a candidate (a C11 violation) counts 0.
    """
    total = 0
    for fid, lead in pl.lead_of_function.items():
        f = pl.functions[fid]
        if f.kind is FunctionKind.DIVIDED and lead in f.lead_candidates:
            total += f.lead_candidates.index(lead)
    return total


def terms(pl: Placement) -> dict[str, int]:
    """Every §4 term, keys in ``models.settings.TERMS`` order."""
    values = {
        "payroll": term_payroll(pl),
        "involuntary_exits": term_involuntary_exits(pl),
        "disruption": term_disruption(pl),
        "fragmentation": term_fragmentation(pl),
        "imbalance": term_imbalance(pl),
        "leadership_churn": term_leadership_churn(pl),
        "lead_preference": term_lead_preference(pl),
    }
    return {t: values[t] for t in TERMS}


# -- KPIs (summary.json) ------------------------------------------------------------------


def kpis(pl: Placement) -> Kpis:
    """Before/after figures of summary.json.

    ``reduction = round(exits / headcount_before, 4)``; payrolls are rounded down;
    ``savings = payroll_before − payroll_after`` (of the rounded figures);
    ``income_raise_per_head = floor(savings / headcount_after)``, 0 if nobody is retained.
    """
    sc = pl.scenario
    before = len(sc.staff)
    after = pl.retained
    exits = len(pl.exits)
    pay_before = math.floor(payroll_before(sc))
    pay_after = math.floor(payroll_after(pl))
    savings = pay_before - pay_after
    used = {d for d in pl.departments if pl.staff_in[d] or pl.functions_in[d]}
    return Kpis(
        units_before=len(sc.units),
        departments_after=len(used),
        posts_before=sum(1 for p in sc.staff if p.position is not Position.STAFF),
        posts_after=len(pl.posts()),
        headcount_before=before,
        headcount_after=after,
        exits=exits,
        involuntary_exits=term_involuntary_exits(pl),
        reduction=round(exits / before, 4) if before else 0.0,
        payroll_before=pay_before,
        payroll_after=pay_after,
        savings=savings,
        income_raise_per_head=savings // after if after else 0,
    )


def plan_kpis(scenario: Scenario, plan: Plan) -> Kpis:
    """KPIs of a plan (convenience wrapper around :func:`kpis`)."""
    return kpis(Placement(scenario, plan))


def plan_terms(scenario: Scenario, plan: Plan) -> dict[str, int]:
    """§4 terms of a plan (convenience wrapper around :func:`terms`)."""
    return terms(Placement(scenario, plan))


# -- derived departments.csv --------------------------------------------------------------


def department_summaries(scenario: Scenario, plan: Plan) -> tuple[DepartmentSummary, ...]:
    """The rows of the plan's departments.csv, derived from the assignments.

    One row per target department, in scenario order. ``fte``/``workload`` are the
    hundredths divided by 100; ``head`` is the head's staff_id (None unless exactly
    one); ``deputies`` in scenario staff order; ``domains`` are the domains of the
    functions placed there (scenario order), ``orgs`` the organisations of the
    retained staff there (scenario order).
    """
    pl = Placement(scenario, plan)
    staff_order = {s.staff_id: i for i, s in enumerate(scenario.staff)}
    rows = []
    for dept in scenario.departments:
        d = dept.dept_id
        heads = pl.holders(Role.HEAD, d)
        hosted = {pl.functions[f].domain for f in pl.functions_in[d]}
        orgs = {scenario.staff_org[s] for s in pl.staff_in[d]}
        rows.append(
            DepartmentSummary(
                dept_id=d,
                name=dept.name,
                headcount=len(pl.staff_in[d]),
                fte=pl.fte_h[d] / 100,
                workload=pl.workload_h[d] / 100,
                head=heads[0] if len(heads) == 1 else None,
                deputies=tuple(sorted(pl.holders(Role.DEPUTY, d), key=staff_order.__getitem__)),
                domains=tuple(x for x in scenario.domains if x in hosted),
                orgs=tuple(o for o in scenario.org_ids if o in orgs),
            )
        )
    return tuple(rows)
