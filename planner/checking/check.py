"""The independent checker: every hard constraint of SPEC §3, recomputed.

``check(scenario, plan)`` reads only the scenario and the plan's staff and
function assignments (never the solver model, never ``planner.cpsat``) and
returns a :class:`CheckReport`: the violations, the §4 terms and the KPIs.
A violation names its constraint id (``C1`` … ``C13``; ``used`` for "every target
department is used"; ``plan`` for a malformed or inconsistent plan table;
``terms``/``kpis`` when a summary's figures differ) and the department,
organisation, staff_id or function_id concerned, never a name or a salary.

Exact arithmetic, as agreed with the solver team
-------------------------------------------------
* Capacities in hundredths of an FTE: ``fte_h = round(fte * 100)``,
  ``workload_h = round(workload * 100)``.
* Every fractional setting is read as an exact decimal, ``exact(x) = Fraction(str(x))``,
  and compared as a ``Fraction``, never a float. An absent ``workload_slack`` is 0.
* Payroll (monthly) = Σ salary of the retained + #heads × exact(allowances.head) ×
  base_salary + #deputies × exact(allowances.deputy) × base_salary, a ``Fraction``;
  "before" applies it to everyone today with their ``position``.
* Terms and KPIs: see ``planner.domain.kpis`` (the payroll term is floor(payroll_after / 1000)).

Rows of a malformed plan (unknown id, second row for an id, non-exit row without a
known department) are reported under ``C1``/``plan`` and then ignored, so one mistake
does not hide the others.

This module is long because it is all of SPEC §3 in one place: one short function per
constraint (``c1_assignment`` … ``c13_locks``) and the plan-table checks, in the SPEC's
order, so that grepping a rule's id lands on its check.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from models import (
    DepartmentSummary,
    DraftViolation,
    FunctionKind,
    Kpis,
    LockKind,
    Plan,
    Role,
    RuleKind,
    Scenario,
    Settings,
    Status,
    Summary,
    exact,
)
from models.problems import row
from planner.domain.kpis import (
    Placement,
    department_summaries,
    kpis,
    payroll_after,
    payroll_before,
    terms,
)


@dataclass(frozen=True)
class Violation:
    """One broken rule: ``constraint`` id (``"C7"``, ``"used"``, ``"plan"``) and a message.

    ``where`` and ``amount`` place it in the vocabulary of SPEC §5's draft plans: the
    department (``D3``), organisation (``org:CD``), skill or organisation inside a
    department (``D2/skill:law``, ``D2/org:CD``), function (``function:F12``), row
    (``rules.csv:4``, ``locks.csv:7``, spreadsheet rows: the header is row 1), or ""
    for a whole-plan rule; ``amount`` > 0 in the rule's own unit (hundredths of an FTE
    for C3, C4, C10; people for C5, C7, C9's staff minimum; posts for C6 and C9's posts;
    currency for C8; functions for C11, C12; locks for C13), rounded up where a share
    makes it fractional. None where a draft cannot break the rule (C1, C2, the plan's
    own tables).
    """

    constraint: str
    message: str
    where: str | None = None
    amount: int | None = None

    def __str__(self) -> str:
        return f"{self.constraint}: {self.message}"

    @property
    def key(self) -> tuple[str, str, int] | None:
        """(rule, where, amount) as a draft lists it, or None."""
        if self.where is None or self.amount is None:
            return None
        return (self.constraint, self.where, self.amount)


@dataclass(frozen=True)
class Breach:
    """What a rule yields: its message and, for a rule a draft may break, where and how much."""

    message: str
    where: str | None = None
    amount: int | None = None


def _at(message: str, where: str, amount: int | Fraction) -> Breach:
    """A breach of a rule a draft may break: ``amount`` rounded up to an integer."""
    return Breach(message, where, math.ceil(amount))


@dataclass(frozen=True)
class CheckReport:
    """What the checker found: violations, recomputed §4 terms (TERMS order) and KPIs."""

    violations: list[Violation] = field(default_factory=list)
    terms: dict[str, int] = field(default_factory=dict)
    kpis: Kpis = field(default_factory=Kpis)

    @property
    def ok(self) -> bool:
        """True when the plan satisfies every constraint (and matches a given summary)."""
        return not self.violations

    @property
    def constraint_ids(self) -> set[str]:
        return {v.constraint for v in self.violations}

    def lines(self) -> list[str]:
        """One line per violation, e.g. ``C5: department D2: headcount 4 outside [1, 3]``."""
        return [str(v) for v in self.violations]


def objective_value(terms: Mapping[str, int], settings: Settings) -> int:
    """Weighted objective: Σ weight_t × term_t over the §4 terms (weight 0 ignored)."""
    return sum(w * terms[t] for t, w in settings.objective.weights().items() if w)


def check(scenario: Scenario, plan: Plan, summary: Summary | None = None) -> CheckReport:
    """Check a plan against every constraint of SPEC §3 and recompute its §4 terms.

    Parameters
    ----------
    scenario
        The scenario the plan answers.
    plan
        Staff and function assignments; ``plan.departments`` (derived data) is
        verified against them when given.
    summary
        When given, its ``terms`` and ``kpis`` must equal the recomputed ones.
    """
    pl = Placement(scenario, plan)
    found = [
        Violation(cid, b.message, b.where, b.amount)
        for cid, rule in RULES
        for b in map(breach, rule(pl))
    ]
    report_terms, report_kpis = terms(pl), kpis(pl)
    if summary is not None:
        found += summary_figures(summary, report_terms, report_kpis)
        if summary.status is Status.DRAFT:
            found = draft_verdict(found, summary.violations)
    return CheckReport(violations=found, terms=report_terms, kpis=report_kpis)


def draft_violations(report: CheckReport) -> list[DraftViolation] | None:
    """The violations of a draft plan in SPEC §5's form, or None when the plan breaks
    something a draft may not (C1, C2, the plan's tables, a protected exit, a post
    without can_lead)."""
    if any(v.key is None for v in report.violations):
        return None
    return [
        DraftViolation(rule=v.constraint, where=v.where or "", amount=v.amount or 1)
        for v in report.violations
    ]


def draft_verdict(
    found: list[Violation],
    listed: list[DraftViolation],
    key: Callable[[Violation], tuple[str, str, int] | None] = lambda v: v.key,
) -> list[Violation]:
    """A draft (SPEC §5) passes when its listed violations are exactly those present: same
    rule, place and amount, as multisets. What remains are the differences, and every
    violation a draft may not have. ``key`` reads a violation as (rule, where, amount)
    (a roadmap's adds the period to the place)."""
    present = Counter(k for k in map(key, found) if k is not None)
    said = Counter((v.rule, v.where, v.amount) for v in listed)
    out = [v for v in found if key(v) is None]
    for rule, where, amount in sorted((present - said).elements()):
        out.append(Violation("draft", f"{rule} at '{where}' by {amount} is present but not listed"))
    for rule, where, amount in sorted((said - present).elements()):
        out.append(Violation("draft", f"{rule} at '{where}' by {amount} is listed but not present"))
    return out


def breach(found: str | Breach) -> Breach:
    """A rule's yield as a ``Breach`` (plain messages have no where and amount)."""
    return found if isinstance(found, Breach) else Breach(found)


def _h(x: int | Fraction) -> str:
    """Hundredths of an FTE as FTE, for messages."""
    return f"{float(x) / 100:.2f}"


# Every rule yields the messages of one constraint id (with where and amount, ``Breach``,
# for the rules a draft may break).
Messages = Iterator[str | Breach]


# -- C1 and the shape of the plan tables --------------------------------------------------


def c1_assignment(pl: Placement) -> Messages:
    """C1: every function is in exactly one department; every staff member is in
    exactly one department or exits.

    Each scenario staff member and function has exactly one plan row; a staff row
    with role exit has no dept_id; any other staff row and every function row name
    a target department.
    """
    sc, plan = pl.scenario, pl.plan
    staff_rows = Counter([a.staff_id for a in plan.staff])
    function_rows = Counter([f.function_id for f in plan.functions])
    for s in sc.staff:
        if staff_rows[s.staff_id] != 1:
            yield f"staff {s.staff_id}: {staff_rows[s.staff_id]} rows in the plan, expected 1"
    for f in sc.functions:
        if function_rows[f.function_id] != 1:
            yield f"function {f.function_id}: {function_rows[f.function_id]} rows in the plan, expected 1"
    for a in _first_rows(plan.staff, "staff_id", pl.staff):
        if a.role is Role.EXIT and a.dept_id is not None:
            yield f"staff {a.staff_id}: exits but names department {a.dept_id}"
        elif a.role is not Role.EXIT and a.dept_id not in pl.departments:
            yield f"staff {a.staff_id}: role {a.role.value} without a target department ({a.dept_id})"
    for fa in _first_rows(plan.functions, "function_id", pl.functions):
        if fa.dept_id not in pl.departments:
            yield f"function {fa.function_id}: unknown department {fa.dept_id}"


def _first_rows(rows: tuple[Any, ...], key: str, known: Mapping[str, object]) -> list[Any]:
    """The first row of every known id (later rows are C1 duplicates, unknown ids ``plan``)."""
    seen: set[str] = set()
    out = []
    for r in rows:
        i = getattr(r, key)
        if i in known and i not in seen:
            seen.add(i)
            out.append(r)
    return out


def plan_table(pl: Placement) -> Messages:
    """plan: the assignment rows agree with the scenario.

    No unknown staff_id or function_id; a staff row's org_id and unit_id are the
    person's; lead_org is empty unless the function is divided.
    """
    sc = pl.scenario
    for a in pl.plan.staff:
        if a.staff_id not in pl.staff:
            yield f"staff {a.staff_id}: not in the scenario"
    for a in _first_rows(pl.plan.staff, "staff_id", pl.staff):
        want = (sc.staff_org[a.staff_id], pl.staff[a.staff_id].unit_id)
        if (a.org_id, a.unit_id) != want:
            yield f"staff {a.staff_id}: org_id/unit_id {a.org_id}/{a.unit_id}, the scenario says {want[0]}/{want[1]}"
    for fa in pl.plan.functions:
        if fa.function_id not in pl.functions:
            yield f"function {fa.function_id}: not in the scenario"
    for fa in _first_rows(pl.plan.functions, "function_id", pl.functions):
        kind = pl.functions[fa.function_id].kind
        if fa.lead_org is not None and kind is not FunctionKind.DIVIDED:
            yield f"function {fa.function_id}: lead_org {fa.lead_org} on a {kind.value} function"


def departments_table(pl: Placement) -> Messages:
    """plan: the plan's departments rows (derived data, checked when given) agree with
    the assignments.

    Each row names a target department once; every department hosting staff or work
    has a row; name, headcount, fte and workload (compared in hundredths), head,
    deputies, domains (of the functions placed there) and orgs (of its retained
    staff) match, lists compared as sets.
    """
    if not pl.plan.departments:
        return
    expected = {r.dept_id: r for r in department_summaries(pl.scenario, pl.plan)}
    seen: set[str] = set()

    def fields(r: DepartmentSummary) -> dict[str, object]:
        return {
            "name": r.name, "headcount": r.headcount, "fte": round(r.fte * 100),
            "workload": round(r.workload * 100), "deputies": set(r.deputies),
            "domains": set(r.domains), "orgs": set(r.orgs),
        }  # fmt: skip

    for r in pl.plan.departments:
        e = expected.get(r.dept_id)
        if e is None or r.dept_id in seen:
            yield f"departments table: {'unknown' if e is None else 'repeated'} department {r.dept_id}"
            continue
        seen.add(r.dept_id)
        got, want = fields(r), fields(e)
        heads = pl.holders(Role.HEAD, r.dept_id)
        wrong = [c for c in got if got[c] != want[c]]
        if (r.head not in heads) if heads else (r.head is not None):
            wrong.append("head")
        if wrong:
            yield f"departments table: department {r.dept_id}: {', '.join(wrong)} disagree with the assignments"
    for d in pl.departments:
        if d not in seen and (pl.staff_in[d] or pl.functions_in[d]):
            yield f"departments table: no row for department {d}"


def used_departments(pl: Placement) -> Messages:
    """used: every target department hosts ≥ 1 function (its ≥ min_staff staff is C5)."""
    for d in pl.departments:
        if not pl.functions_in[d]:
            yield _at(f"department {d}: hosts no function", d, 1)


def summary_figures(
    summary: Summary, recomputed_terms: dict[str, int], recomputed_kpis: Kpis
) -> list[Violation]:
    """terms / kpis: a summary's figures equal the recomputed ones (reduction to 4 decimals)."""
    out = [
        Violation("terms", f"term {t}: summary says {summary.terms.get(t)}, recomputed {v}")
        for t, v in recomputed_terms.items()
        if summary.terms.get(t) != v
    ]
    got, want = summary.kpis.model_dump(), recomputed_kpis.model_dump()
    for k, v in want.items():
        if not (abs(got[k] - v) < 5e-5 if k == "reduction" else got[k] == v):
            out.append(Violation("kpis", f"kpi {k}: summary says {got[k]}, recomputed {v}"))
    return out


# -- C2 to C13 ----------------------------------------------------------------------------


def c2_domains(pl: Placement) -> Messages:
    """C2: function f in department d only if d.domains is empty or contains f.domain."""
    for f, d in pl.dept_of_function.items():
        if not pl.departments[d].hosts(pl.functions[f].domain):
            yield f"function {f}: domain {pl.functions[f].domain} not allowed in department {d}"


def c3_workload(pl: Placement) -> Messages:
    """C3: fte_h_d ≥ (1 + workload_slack) × workload_h_d for every department d;
    with max_overstaff set also fte_h_d ≤ (1 + max_overstaff) × workload_h_d + 100."""
    t = pl.scenario.settings.targets
    low = 1 + exact(t.workload_slack or 0)
    for d in pl.departments:
        fte, wl = pl.fte_h[d], pl.workload_h[d]
        if fte < low * wl:
            yield _at(
                f"department {d}: retained fte {_h(fte)} < (1 + workload_slack) × workload = {_h(low * wl)}",
                d,
                low * wl - fte,
            )
        if t.max_overstaff is not None:
            high = (1 + exact(t.max_overstaff)) * wl + 100
            if fte > high:
                yield _at(
                    f"department {d}: retained fte {_h(fte)} > (1 + max_overstaff) × workload + 1 = {_h(high)}",
                    d,
                    fte - high,
                )


def c4_skills(pl: Placement) -> Messages:
    """C4: for every department d and skill s required there,
    Σ fte_h of retained staff in d holding s ≥ Σ workload_h of functions in d requiring s."""
    for d in pl.departments:
        need: dict[str, int] = {}
        for f in pl.functions_in[d]:
            fn = pl.functions[f]
            if fn.skill is not None:
                need[fn.skill] = need.get(fn.skill, 0) + fn.workload_h
        for skill, wl in need.items():
            have = sum(pl.staff[s].fte_h for s in pl.staff_in[d] if skill in pl.staff[s].skills)
            if have < wl:
                yield _at(
                    f"department {d}: skill {skill}: fte {_h(have)} < workload {_h(wl)}",
                    f"{d}/skill:{skill}",
                    wl - have,
                )


def c5_size(pl: Placement) -> Messages:
    """C5: min_staff_d ≤ retained headcount_d ≤ max_staff_d (department overrides applied)."""
    for dept in pl.scenario.departments:
        lo, hi, _ = pl.scenario.dept_limits(dept)
        n = len(pl.staff_in[dept.dept_id])
        if not lo <= n <= hi:
            yield _at(
                f"department {dept.dept_id}: headcount {n} outside [{lo}, {hi}]",
                dept.dept_id,
                lo - n if n < lo else n - hi,
            )


def c6_leadership(pl: Placement) -> Messages:
    """C6: per department heads = 1, min_deputies ≤ deputies ≤ max_deputies_d,
    deputies ≤ max_deputy_share × headcount; every head/deputy has can_lead;
    Σ heads + deputies ≤ max_leadership_posts (when set)."""
    sc = pl.scenario
    share, lo = (
        exact(sc.settings.departments.max_deputy_share),
        sc.settings.departments.min_deputies,
    )
    for dept in sc.departments:
        d, (_, _, hi) = dept.dept_id, sc.dept_limits(dept)
        heads, deputies = len(pl.holders(Role.HEAD, d)), len(pl.holders(Role.DEPUTY, d))
        if heads != 1:
            yield _at(f"department {d}: {heads} heads, expected 1", d, abs(heads - 1))
        if not lo <= deputies <= hi:
            yield _at(
                f"department {d}: {deputies} deputies outside [{lo}, {hi}]",
                d,
                lo - deputies if deputies < lo else deputies - hi,
            )
        if deputies > share * len(pl.staff_in[d]):
            yield _at(
                f"department {d}: {deputies} deputies > max_deputy_share × headcount {len(pl.staff_in[d])}",
                d,
                deputies - share * len(pl.staff_in[d]),
            )
    for s in pl.posts():
        if not pl.staff[s].can_lead:
            yield f"staff {s}: {pl.role_of_staff[s].value} without can_lead"
    cap = sc.settings.targets.max_leadership_posts
    if cap is not None and len(pl.posts()) > cap:
        yield _at(
            f"{len(pl.posts())} heads and deputies > max_leadership_posts {cap}",
            "",
            len(pl.posts()) - cap,
        )


def c7_reduction(pl: Placement) -> Messages:
    """C7: exits ≥ ceil(exact(min_reduction) × current headcount) (when set);
    protected staff never exit."""
    mr = pl.scenario.settings.targets.min_reduction
    if mr is not None:
        need = math.ceil(exact(mr) * len(pl.scenario.staff))
        if len(pl.exits) < need:
            yield _at(
                f"{len(pl.exits)} exits < ceil(min_reduction × headcount) = {need}",
                "",
                need - len(pl.exits),
            )
    for s in sorted(pl.exits):
        if pl.staff[s].protected:
            yield f"staff {s}: protected but exits"


def c8_budget(pl: Placement) -> Messages:
    """C8: payroll_after ≤ max_payroll (when set); payroll_before − payroll_after ≥
    min_income_raise × retained headcount (when set). Exact Fractions."""
    t = pl.scenario.settings.targets
    after = payroll_after(pl)
    if t.max_payroll is not None and after > exact(t.max_payroll):
        yield _at(
            f"payroll after {float(after):.2f} > max_payroll {t.max_payroll}",
            "",
            after - exact(t.max_payroll),
        )
    if t.min_income_raise is not None:
        saved = payroll_before(pl.scenario) - after
        if saved < exact(t.min_income_raise) * pl.retained:
            yield _at(
                f"savings {float(saved):.2f} < min_income_raise × retained headcount {pl.retained}",
                "",
                exact(t.min_income_raise) * pl.retained - saved,
            )


def c9_independence(pl: Placement) -> Messages:
    """C9: for every organisation o: retained_o ≥ o.min_staff; posts_o ≥ o.min_leaders;
    posts_o ≤ max_leader_share × Σ posts (when set)."""
    sc = pl.scenario
    share = sc.settings.targets.max_leader_share
    posts = pl.posts()
    for org in sc.organizations:
        o = org.org_id
        retained = sum(1 for s in pl.dept_of_staff if sc.staff_org[s] == o)
        held = sum(1 for s in posts if sc.staff_org[s] == o)
        if retained < org.min_staff:
            yield _at(
                f"organisation {o}: {retained} retained staff < min_staff {org.min_staff}",
                f"org:{o}",
                org.min_staff - retained,
            )
        if held < org.min_leaders:
            yield _at(
                f"organisation {o}: {held} posts < min_leaders {org.min_leaders}",
                f"org:{o}",
                org.min_leaders - held,
            )
        if share is not None and held > exact(share) * len(posts):
            yield _at(
                f"organisation {o}: {held} of {len(posts)} posts > max_leader_share {share}",
                f"org:{o}",
                held - exact(share) * len(posts),
            )


def c10_reserved(pl: Placement) -> Messages:
    """C10: for every department d and organisation o,
    Σ fte_h of o's retained staff in d ≥ Σ workload_h of o's reserved functions in d."""
    for d in pl.departments:
        need: dict[str, int] = {}
        for f in pl.functions_in[d]:
            fn = pl.functions[f]
            if fn.kind is FunctionKind.RESERVED and fn.org_id is not None:
                need[fn.org_id] = need.get(fn.org_id, 0) + fn.workload_h
        for o, wl in need.items():
            have = sum(pl.staff[s].fte_h for s in pl.staff_in[d] if pl.scenario.staff_org[s] == o)
            if have < wl:
                yield _at(
                    f"department {d}: organisation {o}: fte {_h(have)} < reserved workload {_h(wl)}",
                    f"{d}/org:{o}",
                    wl - have,
                )


def c11_divided(pl: Placement) -> Messages:
    """C11: a divided f has lead_org ∈ f.lead_candidates with ≥ 1 retained staff member
    of that organisation in f's department; with min_lead_tasks set, every organisation
    of ``scenario.lead_organizations`` leads ≥ min_lead_tasks divided functions."""
    sc = pl.scenario
    led: dict[str, int] = {}
    for f, d in pl.dept_of_function.items():
        fn, lead = pl.functions[f], pl.lead_of_function[f]
        if fn.kind is not FunctionKind.DIVIDED:
            continue
        if lead is None or lead not in fn.lead_candidates:
            yield _at(
                f"function {f}: lead_org {lead} is not among its lead_candidates",
                f"function:{f}",
                1,
            )
            continue
        led[lead] = led.get(lead, 0) + 1
        if not any(sc.staff_org[s] == lead for s in pl.staff_in[d]):
            yield _at(
                f"function {f}: lead organisation {lead} has no retained staff in department {d}",
                f"function:{f}",
                1,
            )
    need = sc.settings.targets.min_lead_tasks
    if need is not None:
        for o in sc.lead_organizations:
            if led.get(o, 0) < need:
                yield _at(
                    f"organisation {o}: leads {led.get(o, 0)} divided functions < min_lead_tasks {need}",
                    f"org:{o}",
                    need - led.get(o, 0),
                )


def c12_rules(pl: Placement) -> Messages:
    """C12: ``apart a b``: no department hosts a function of a and a function of b
    (a function named by both operands counts for both); ``together a b``: all
    functions of a and b sit in one department.

    Amounts (functions): for ``apart``, per department hosting both, the functions of
    the smaller side there; for ``together``, the functions outside the department
    that holds most of them — the fewest that would have to move.
    """
    for i, r in enumerate(pl.scenario.rules):
        a = [
            pl.dept_of_function[f]
            for f in pl.scenario.rule_targets(r.a)
            if f in pl.dept_of_function
        ]
        b = [
            pl.dept_of_function[f]
            for f in pl.scenario.rule_targets(r.b)
            if f in pl.dept_of_function
        ]
        da, db = Counter(a), Counter(b)
        where = f"rules.csv:{row(i)}"
        if r.rule is RuleKind.APART:
            for d in sorted(da.keys() & db.keys()):
                yield _at(
                    f"rules[{i}] apart {r.a} {r.b}: both in department {d}",
                    where,
                    min(da[d], db[d]),
                )
        elif len(da.keys() | db.keys()) > 1:
            group = {
                f: pl.dept_of_function[f]
                for f in (*pl.scenario.rule_targets(r.a), *pl.scenario.rule_targets(r.b))
                if f in pl.dept_of_function
            }
            most = Counter(group.values()).most_common(1)[0][1]
            yield _at(
                f"rules[{i}] together {r.a} {r.b}: spread over departments {', '.join(sorted(da.keys() | db.keys()))}",
                where,
                len(group) - most,
            )


def c13_locks(pl: Placement) -> Messages:
    """C13: every lock holds. Staff: role exit = exits; dept_id only = in that department
    with any non-exit role; role only = that role in any department; both = both.
    Function: dept_id = placed there; lead_org = led by it."""
    for i, lk in enumerate(pl.scenario.locks):
        if lk.kind is LockKind.STAFF and lk.role is Role.EXIT:
            ok = lk.id in pl.exits
        elif lk.kind is LockKind.STAFF:
            dept, role = pl.dept_of_staff.get(lk.id), pl.role_of_staff.get(lk.id)
            ok = dept is not None and lk.dept_id in (None, dept) and lk.role in (None, role)
        else:
            dept, lead = pl.dept_of_function.get(lk.id), pl.lead_of_function.get(lk.id)
            ok = lk.dept_id in (None, dept) and lk.lead_org in (None, lead)
        if not ok:
            yield _at(
                f"locks[{i}]: {lk.kind.value} {lk.id} is not as locked", f"locks.csv:{row(i)}", 1
            )


RULES: tuple[tuple[str, Callable[[Placement], Messages]], ...] = (
    ("C1", c1_assignment),
    ("plan", plan_table),
    ("C2", c2_domains),
    ("C3", c3_workload),
    ("C4", c4_skills),
    ("C5", c5_size),
    ("C6", c6_leadership),
    ("C7", c7_reduction),
    ("C8", c8_budget),
    ("C9", c9_independence),
    ("C10", c10_reserved),
    ("C11", c11_divided),
    ("C12", c12_rules),
    ("C13", c13_locks),
    ("used", used_departments),
    ("plan", departments_table),
)
"""Every rule the checker applies, with the constraint id its messages carry."""
