"""The independent checker of a roadmap (SPEC §8): every period, date, package and figure.

``check_roadmap(scenario, roadmap)`` reads only the scenario and the roadmap's rows
(never the solver model, never ``planner.cpsat``). Each period is checked as a §3
plan: the period's rows become a ``Plan`` (gone = exit) of the period's view of the
scenario (``planner.domain.periods``), and the one-step checker's rules (``planner.check``)
run on it unchanged, except C13, whose roadmap reading differs (a staff lock binds
while the person may be present). Violations carry the period: ``C5[t=2]: …``.

Roadmap rules (id ``roadmap``): one row per person and period; gone is for good;
nobody works past the retirement date. Then the derived tables are recomputed
from the rows: departures (reason, package by ``planner.domain.retirement.package``),
periods.csv and the terms and KPIs of §8; given tables and a summary must equal
them (payroll to the cent).
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from fractions import Fraction

from models import (
    Departure,
    DepartureReason,
    DraftViolation,
    LockKind,
    PeriodAssignment,
    PeriodFigures,
    PeriodRole,
    Plan,
    Roadmap,
    RoadmapKpis,
    RoadmapSummary,
    Role,
    Scenario,
    StaffAssignment,
    Status,
)
from models.problems import row
from planner.checking.check import RULES, Breach, Violation, breach, draft_verdict
from planner.domain.kpis import Placement, payroll_after, payroll_before, terms
from planner.domain.periods import period_scenario, posts_today, retirement_periods
from planner.domain.retirement import package, period_start

PERIOD_TERMS = ("disruption", "fragmentation", "imbalance", "leadership_churn", "lead_preference")
"""§4 terms a roadmap takes from its first period (SPEC §8)."""

_ROLE = {
    PeriodRole.HEAD: Role.HEAD,
    PeriodRole.DEPUTY: Role.DEPUTY,
    PeriodRole.MEMBER: Role.MEMBER,
    PeriodRole.GONE: Role.EXIT,
}


@dataclass(frozen=True)
class RoadmapReport:
    """Violations, and the terms, KPIs, departures and periods recomputed from the rows."""

    violations: list[Violation] = field(default_factory=list)
    terms: dict[str, int] = field(default_factory=dict)
    kpis: RoadmapKpis = field(default_factory=RoadmapKpis)
    departures: tuple[Departure, ...] = ()
    periods: tuple[PeriodFigures, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.violations

    def lines(self) -> list[str]:
        return [str(v) for v in self.violations]


def period_plan(scenario: Scenario, roadmap: Roadmap, t: int) -> Plan:
    """The §3 plan of period t: the period's rows, ``gone`` as exit (first row per person)."""
    rows: dict[str, PeriodAssignment] = {}
    for a in roadmap.staff:
        if a.period == t:
            rows.setdefault(a.staff_id, a)
    staff = []
    for s in scenario.staff:
        row = rows.get(s.staff_id)
        if row is None:
            continue  # reported by the roadmap rules
        role = _ROLE[row.role]
        staff.append(
            StaffAssignment(
                staff_id=s.staff_id,
                org_id=scenario.unit_org[s.unit_id],
                unit_id=s.unit_id,
                dept_id=None if role is Role.EXIT else row.dept_id,
                role=role,
            )
        )
    return Plan(staff=tuple(staff), functions=roadmap.functions)


def check_roadmap(
    scenario: Scenario, roadmap: Roadmap, summary: RoadmapSummary | None = None
) -> RoadmapReport:
    """Check ``roadmap`` against SPEC §8 and recompute its derived tables, terms and KPIs.

    ``roadmap.departures`` / ``roadmap.periods`` are compared with the recomputed ones
    when given (a roadmap read from a folder); so are a summary's terms and KPIs.
    """
    rm = scenario.settings.roadmap
    T = rm.periods
    retire = retirement_periods(scenario)
    R = {s.staff_id: retire[i] for i, s in enumerate(scenario.staff)}
    found: list[Violation] = list(_rows(scenario, roadmap, R))
    placements: list[Placement] = []
    for t in range(1, T + 1):
        view = period_scenario(scenario, t, retire)
        pl = Placement(view, period_plan(scenario, roadmap, t))
        placements.append(pl)
        for cid, rule in RULES:
            if cid == "C13" or (t > 1 and cid == "plan"):
                continue
            found += [
                Violation(f"{cid}[t={t}]", b.message, b.where, b.amount)
                for b in map(breach, rule(pl))
            ]
        found += [Violation(f"C13[t={t}]", b.message, b.where, b.amount) for b in _locks(pl, t, R)]
    departures = _departures(scenario, placements, R)
    periods = _periods(scenario, placements, departures)
    report_terms = _terms(placements, departures, periods)
    kpis = _kpis(scenario, placements, departures, periods, report_terms)
    if roadmap.periods:  # derived tables given (a roadmap folder): they must agree
        found += _compare("departures", roadmap.departures, departures)
        found += _compare_periods(roadmap.periods, periods)
    if summary is not None:
        for term, v in report_terms.items():
            if summary.terms.get(term) != v:
                found.append(
                    Violation(
                        "terms",
                        f"term {term}: summary says {summary.terms.get(term)}, recomputed {v}",
                    )
                )
        got, want = summary.kpis.model_dump(), kpis.model_dump()
        for k, v in want.items():
            if got[k] != v:
                found.append(Violation("kpis", f"kpi {k}: summary says {got[k]}, recomputed {v}"))
        if summary.status is Status.DRAFT:
            found = draft_verdict(found, summary.violations, key=draft_key)
    return RoadmapReport(found, report_terms, kpis, departures, periods)


def draft_key(v: Violation) -> tuple[str, str, int] | None:
    """A roadmap violation as a draft lists it: ``C5[t=2]`` at ``D3`` by 4 reads
    (``C5``, ``period:2/D3``, 4); a whole-plan rule's place is ``period:2``."""
    if v.key is None or "[t=" not in v.constraint:
        return None
    rule, period = v.constraint[:-1].split("[t=")
    where = f"period:{period}" + (f"/{v.where}" if v.where else "")
    return (rule, where, v.amount or 1)


def roadmap_draft_violations(report: RoadmapReport) -> list[DraftViolation] | None:
    """A draft roadmap's violations in the form of its summary, or None when it breaks
    something a draft may not (the rows of the roadmap, C1, C2, a protected exit …)."""
    out = []
    for v in report.violations:
        k = draft_key(v)
        if k is None:
            return None
        out.append(DraftViolation(rule=k[0], where=k[1], amount=k[2]))
    return out


def _rows(scenario: Scenario, roadmap: Roadmap, R: dict[str, int]) -> list[Violation]:
    """roadmap: one row per person and period; gone for good; nobody past the retirement date."""
    T = scenario.settings.roadmap.periods
    out = []
    count = Counter((a.staff_id, a.period) for a in roadmap.staff)
    for a in roadmap.staff:
        if a.staff_id not in R:
            out.append(Violation("roadmap", f"staff {a.staff_id}: not in the scenario"))
        elif not 1 <= a.period <= T:
            out.append(
                Violation("roadmap", f"staff {a.staff_id}: period {a.period} outside 1..{T}")
            )
        elif (a.role is PeriodRole.GONE) != (a.dept_id is None):
            out.append(
                Violation(
                    "roadmap",
                    f"staff {a.staff_id}: period {a.period}: role {a.role.value} with dept_id {a.dept_id}",
                )
            )
    role: dict[tuple[str, int], PeriodRole] = {}
    for a in roadmap.staff:
        role.setdefault((a.staff_id, a.period), a.role)
    for s in scenario.staff:
        gone_at = None
        for t in range(1, T + 1):
            n = count[s.staff_id, t]
            if n != 1:
                out.append(
                    Violation("roadmap", f"staff {s.staff_id}: {n} rows for period {t}, expected 1")
                )
                continue
            r = role[s.staff_id, t]
            if r is PeriodRole.GONE:
                gone_at = gone_at or t
            elif gone_at is not None:
                out.append(
                    Violation(
                        "roadmap",
                        f"staff {s.staff_id}: back in period {t} after leaving in period {gone_at}",
                    )
                )
            if r is not PeriodRole.GONE and t >= R[s.staff_id]:
                out.append(
                    Violation(
                        "roadmap",
                        f"staff {s.staff_id}: present in period {t}, on or after the retirement date",
                    )
                )
    return out


def _locks(pl: Placement, t: int, R: dict[str, int]) -> list[Breach]:
    """C13 in period t: a staff exit lock = gone; another staff lock holds in every period
    in which the person is present, and keeps the person in period 1 (as in §3), unless
    past the retirement date; a function lock = placed / led as locked."""
    out = []
    for i, lk in enumerate(pl.scenario.locks):
        if lk.kind is LockKind.STAFF and lk.role is Role.EXIT:
            ok = lk.id in pl.exits
        elif lk.kind is LockKind.STAFF:
            if R.get(lk.id, 0) <= t:
                continue
            dept, role = pl.dept_of_staff.get(lk.id), pl.role_of_staff.get(lk.id)
            if dept is None and t > 1:
                continue  # gone: the lock held while the person was present
            ok = dept is not None and lk.dept_id in (None, dept) and lk.role in (None, role)
        else:
            dept, lead = pl.dept_of_function.get(lk.id), pl.lead_of_function.get(lk.id)
            ok = lk.dept_id in (None, dept) and lk.lead_org in (None, lead)
        if not ok:
            out.append(
                Breach(
                    f"locks[{i}]: {lk.kind.value} {lk.id} is not as locked",
                    f"locks.csv:{row(i)}",
                    1,
                )
            )
    return out


def _departures(
    scenario: Scenario, placements: list[Placement], R: dict[str, int]
) -> tuple[Departure, ...]:
    """A person not present at e but present at e − 1 (or e = 1) departs at e: by retirement
    when the retirement date is on or before the start of e (R ≤ e), else early with a package."""
    rm = scenario.settings.roadmap
    out = []
    for s in scenario.staff:
        for e, pl in enumerate(placements, start=1):
            if s.staff_id in pl.dept_of_staff:
                continue
            if e > 1 and s.staff_id not in placements[e - 2].dept_of_staff:
                break  # already gone: reported once
            if R[s.staff_id] <= e:
                out.append(
                    Departure(staff_id=s.staff_id, period=e, reason=DepartureReason.RETIREMENT)
                )
            else:
                out.append(
                    Departure(
                        staff_id=s.staff_id,
                        period=e,
                        reason=DepartureReason.EARLY,
                        package=package(s, rm, e),
                    )
                )
            break
    return tuple(out)


def _periods(
    scenario: Scenario, placements: list[Placement], departures: tuple[Departure, ...]
) -> tuple[PeriodFigures, ...]:
    """periods.csv: present staff, posts, deputies, payroll, packages, cost, cost unchanged,
    cumulative savings (SPEC §8)."""
    rm = scenario.settings.roadmap
    unchanged = math.floor(rm.months * payroll_before(scenario) / 1000)
    out, cumulative = [], 0
    for t, pl in enumerate(placements, start=1):
        pay = payroll_after(pl)
        pk = sum(d.package for d in departures if d.period == t)
        cost = math.floor(rm.months * pay / 1000) + pk
        cumulative += unchanged - cost
        out.append(
            PeriodFigures(
                period=t,
                start=period_start(rm, t),
                headcount=pl.retained,
                posts=len(pl.posts()),
                deputies=len(pl.holders(Role.DEPUTY)),
                payroll=round(float(pay), 2),
                packages=pk,
                cost=cost,
                cost_unchanged=unchanged,
                cumulative_savings=cumulative,
            )
        )
    return tuple(out)


def _terms(
    placements: list[Placement],
    departures: tuple[Departure, ...],
    periods: tuple[PeriodFigures, ...],
) -> dict[str, int]:
    """cost, early_exits, moves (§8) and the §4 terms of period 1, in ROADMAP_TERMS order."""
    staff = placements[0].staff
    early = sum(
        1
        for d in departures
        if d.reason is DepartureReason.EARLY and not staff[d.staff_id].retiring
    )
    moves = 0
    for prev, cur in zip(placements, placements[1:], strict=False):
        for s, d in cur.dept_of_staff.items():
            if s in prev.dept_of_staff and (
                prev.dept_of_staff[s] != d or prev.role_of_staff[s] != cur.role_of_staff[s]
            ):
                moves += 1
    first = terms(placements[0])
    return {
        "cost": sum(p.cost for p in periods),
        "early_exits": early,
        "moves": moves,
        **{t: first[t] for t in PERIOD_TERMS},
    }


def _kpis(
    scenario: Scenario,
    placements: list[Placement],
    departures: tuple[Departure, ...],
    periods: tuple[PeriodFigures, ...],
    report_terms: dict[str, int],
) -> RoadmapKpis:
    total = sum(p.cost for p in periods)
    unchanged = sum(p.cost_unchanged for p in periods)
    last = placements[-1]
    return RoadmapKpis(
        periods=len(periods),
        headcount_before=len(scenario.staff),
        headcount_end=last.retained,
        posts_before=posts_today(scenario),
        posts_end=len(last.posts()),
        deputies_end=len(last.holders(Role.DEPUTY)),
        departures=len(departures),
        retirements=sum(d.reason is DepartureReason.RETIREMENT for d in departures),
        early_exits=report_terms["early_exits"],
        total_packages=sum(d.package for d in departures),
        total_cost=total,
        cost_unchanged=unchanged,
        net_savings=unchanged - total,
        payback_period=next((p.period for p in periods if p.cumulative_savings >= 0), None),
    )


def _compare(name: str, got: tuple[Departure, ...], want: tuple[Departure, ...]) -> list[Violation]:
    have = {(d.staff_id, d.period): d for d in got}
    need = {(d.staff_id, d.period): d for d in want}
    out = []
    for key in sorted(set(have) | set(need)):
        a, b = have.get(key), need.get(key)
        if a != b:
            out.append(
                Violation(
                    name,
                    f"staff {key[0]} period {key[1]}: file says {a and (a.reason.value, a.package)}, recomputed {b and (b.reason.value, b.package)}",
                )
            )
    if len(got) != len(have):
        out.append(Violation(name, "a departure is listed twice"))
    return out


def _compare_periods(
    got: tuple[PeriodFigures, ...], want: tuple[PeriodFigures, ...]
) -> list[Violation]:
    out = []
    if len(got) != len(want):
        out.append(Violation("periods", f"{len(got)} rows, expected {len(want)}"))
    for a, b in zip(got, want, strict=False):
        da, db = a.model_dump(), b.model_dump()
        for k in da:
            same = (
                abs(Fraction(str(da[k])) - Fraction(str(db[k]))) <= Fraction(1, 200)
                if k == "payroll"
                else da[k] == db[k]
            )
            if not same:
                out.append(
                    Violation(
                        "periods", f"period {b.period}: {k}: file says {da[k]}, recomputed {db[k]}"
                    )
                )
    return out
