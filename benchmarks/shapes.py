"""Plan-first scenarios (issue 20): a planted plan drawn first, a scenario derived from it.

    .venv/bin/python -m benchmarks.shapes split-units --size 400 --out /tmp/split  # scenario/ + witness/

``planner/generate/packed.py`` plants plans that keep every unit whole and pack units
into departments; the solver's constructive first plan assumes the same, so a family
made only of those says nothing about scenarios where that assumption breaks. Here the
plan comes first (``benchmarks/shapes_plant.py``): units, people and their planted
departments are drawn with department sizes independent of unit sizes, so units are
cut wherever the departments end; the work of each department is then sized to the FTE
retained there, and every target is set at, or just inside, what the planted plan meets.
The planted plan passes ``planner.check`` (``build_shape`` verifies it); its objective is
an upper bound on the optimum.

The kinds (``KINDS``) and what each stresses:

- ``split-units``: departments.csv with one domain each, consecutive departments with
  different domains, so a unit cut over several departments has work in domains no
  department hosts together (C2); three units larger than ``max_staff`` (C5);
  ``apart`` rules between two parts of the same unit (C12).
- ``more-depts``: 1.5 departments per unit (departments.csv, tight per-department
  min/max staff): every unit is spread over 2–5 departments.
- ``scarce-skills``: four skills held by 3–6 people of the largest organisation only,
  needed by other organisations' work in the departments those people are moved to, as
  much as the holders there give (C4); one holder is retiring, one may hold two.
- ``heavy-locks``: about half of the staff locked (department, department + role, role
  only, exit) and half of the functions (department, lead_org, both) (C13).
- ``lopsided-orgs``: one organisation with ~70 % of the staff and three tiny ones held at
  their minima: min_staff = planted staff, min_leaders = planted posts (C9);
  max_leader_share at the planted share.
- ``uneven-limits``: departments.csv with retained sizes from ~10 to several hundred and
  per-department min/max staff and max_deputies around them (C5, C6).
- ``part-time-reserved``: ~45 % of the staff part-time, half of the work reserved
  (C3, C10), workload_slack 0.05, max_payroll and min_income_raise at the planted plan's (C8).
- ``together-chains``: chains of ``together`` rules through the work of different units
  in one department, ``apart`` between chains, and joint work with no owner (C11, C12).

Infeasible twins (``ShapeSpec.infeasible``), each proven by a count:

- ``person``: every organisation's ``min_staff`` = its planted retained staff and
  ``min_reduction`` the largest millionth with ceil(min_reduction × N) = E + 1, E the
  planted exits. C9 keeps ≥ Σ min_staff = N − E staff, so at most E exit: one short of C7.
- ``post``: ``max_leadership_posts`` = K × (1 + min_deputies) − 1. C6 needs one head and at
  least min_deputies deputies in each of the K departments: one post more than allowed.
"""

from __future__ import annotations

import argparse
import math
import random
from collections import Counter
from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path

from benchmarks.shapes_plant import Layout, Person, Planter
from models import (
    Department,
    Function,
    FunctionAssignment,
    Lock,
    Organization,
    Plan,
    Role,
    Rule,
    Scenario,
    Settings,
    Staff,
    StaffAssignment,
    Status,
    Summary,
    Unit,
    exact,
)
from planner.checking.check import check, objective_value
from planner.generate import names_vi as vi
from planner.generate.scenarios import BASE_SALARY_2018, GenerationError

KINDS: dict[str, str] = {
    "split-units": "units cut over departments of different domains; units above max_staff; apart inside a unit",
    "more-depts": "more departments than units (departments.csv, tight limits)",
    "scarce-skills": "4 skills held by 3–6 people of one organisation, needed by others elsewhere",
    "heavy-locks": "about half of the staff and of the functions locked",
    "lopsided-orgs": "one organisation ~70 % of the staff, tiny ones at their minima",
    "uneven-limits": "department sizes and limits from ~10 to several hundred (departments.csv)",
    "part-time-reserved": "~45 % part-time, half of the work reserved, payroll targets",
    "together-chains": "chains of together rules, apart between them, joint work without owner",
}
INFEASIBLE = ("person", "post")
"""How a twin is made infeasible by exactly one person or one post (module docstring)."""
_ORGS = {
    **vi.CENTRAL_ORGS,
    "CD": "Tổng Liên đoàn Lao động Việt Nam",
    "HCTD": "Trung ương Hội Chữ thập đỏ Việt Nam",
    "HLHTN": "Hội Liên hiệp Thanh niên Việt Nam",
}
_FIVE = (1.4, 1.1, 1.0, 1.0, 0.6)


def _count(x: float, size: int, base: int, lo: int) -> int:
    return max(lo, round(x * size / base))


def layout(kind: str, size: int) -> Layout:
    """The numbers of a kind at ``size`` staff (units and departments scale with it)."""
    if kind == "split-units":
        k = _count(16, size, 2_400, 3)
        return Layout(_FIVE, _count(30, size, 2_400, 6), k, departments_csv=True,
                      one_domain=True, big_units=3, apart_in_unit=max(2, k // 2))  # fmt: skip
    if kind == "more-depts":
        u = _count(48, size, 7_600, 5)
        return Layout(_FIVE, u, max(u + 2, round(1.5 * u)), departments_csv=True,
                      one_domain=True, extra_domains=(0, 1), tight_limits=0.05)  # fmt: skip
    if kind == "scarce-skills":
        return Layout(_FIVE, _count(24, size, 1_700, 6), _count(10, size, 1_700, 4),
                      whole=0.6, scarce=4)  # fmt: skip
    if kind == "heavy-locks":
        return Layout(_FIVE, _count(36, size, 3_500, 6), _count(18, size, 3_500, 3),
                      whole=0.6, staff_locks=0.5, function_locks=0.5)  # fmt: skip
    if kind == "lopsided-orgs":
        return Layout((0.70, 0.14, 0.08, 0.03, 0.03, 0.02), _count(40, size, 5_000, 8),
                      _count(20, size, 5_000, 4), whole=0.5, tiny=3)  # fmt: skip
    if kind == "uneven-limits":
        return Layout(_FIVE, _count(30, size, 2_800, 6), _count(14, size, 2_800, 4),
                      departments_csv=True, uneven=True, extra_domains=(1, 2))  # fmt: skip
    if kind == "part-time-reserved":
        return Layout(_FIVE, _count(50, size, 6_000, 6), _count(25, size, 6_000, 3), whole=0.3,
                      part_time=0.47, reserved=0.5, divided=0.15, slack=0.05, budgets=True)  # fmt: skip
    if kind == "together-chains":
        k = _count(12, size, 2_000, 3)
        return Layout(_FIVE, _count(26, size, 2_000, 6), k, whole=0.4, joint=0.2,
                      chains=k, apart_in_unit=max(1, k // 3))  # fmt: skip
    raise GenerationError(f"unknown kind {kind!r}; known: {', '.join(KINDS)}")


@dataclass(frozen=True)
class ShapeSpec:
    """A structural kind at a size, optionally made infeasible by one person or one post."""

    name: str
    kind: str
    size: int
    infeasible: str | None = None

    def __post_init__(self) -> None:
        layout(self.kind, self.size)  # an unknown kind fails here
        if self.infeasible is not None and self.infeasible not in INFEASIBLE:
            raise GenerationError(f"unknown infeasibility {self.infeasible!r}")

    @property
    def layout(self) -> Layout:
        return layout(self.kind, self.size)

    @property
    def departments(self) -> int:
        return self.layout.departments

    @property
    def departments_given(self) -> bool:
        return self.layout.departments_csv

    def at(self, size: int) -> ShapeSpec:
        """The same kind at ``size`` staff."""
        return replace(self, size=size)

    def flags(self) -> list[str]:
        """The structure, read off the layout."""
        lay = self.layout
        out = [
            f"plan-first: {self.kind}",
            "departments.csv" if lay.departments_csv else "no departments.csv",
            f"{lay.departments} depts",
            f"{lay.units} units",
            f"{len(lay.orgs)} orgs",
            KINDS[self.kind],
        ]
        if self.infeasible:
            out.append(f"INFEASIBLE: one {self.infeasible} short")
        return out


@dataclass(frozen=True)
class Shape:
    """A generated scenario, its planted plan, and the proof when it is infeasible."""

    scenario: Scenario
    plan: Plan
    feasible: bool
    proof: str = ""
    planted_objective: int | None = None


RETRIES = 4
"""Draws after the first that :func:`generate_shape` tries when one cannot be planted (a
small size can draw, say, no unit above every department's size)."""


def generate_shape(spec: ShapeSpec, seed: int = 0, verify: bool = True) -> Shape:
    """``build_shape`` with ``random.Random(seed)``: same spec and seed, same scenario.

    When that draw cannot be planted (``GenerationError``), the draws
    ``random.Random(f"{seed}:{i}")`` for i = 1 … ``RETRIES`` are tried in turn.
    """
    for attempt in range(RETRIES + 1):
        rng = random.Random(seed if attempt == 0 else f"{seed}:{attempt}")
        try:
            return build_shape(spec, rng, verify)
        except GenerationError:
            if attempt == RETRIES:
                raise
    raise AssertionError("unreachable")


def build_shape(spec: ShapeSpec, rng: random.Random, verify: bool = True) -> Shape:
    """The scenario of ``spec`` and its planted plan.

    With ``verify`` the planted plan goes through ``planner.check``: a feasible spec's plan
    must pass, an infeasible twin's must fail exactly the rule its proof names (C7 for
    ``person``, C6 for ``post``); else ``GenerationError``.
    """
    lay = spec.layout
    orgs = list(_ORGS)[: len(lay.orgs)]
    pl = Planter(lay, spec.size, orgs, rng)
    units = pl.units()
    pl.people_and_places(units, pl.dept_sizes(units))
    supply = pl.scarce()
    heads = {d: len(pl.in_dept(d)) for d in pl.depts}
    max_dep = {d: max(3, round(h / 40)) if lay.uneven else 3 for d, h in heads.items()}
    pl.posts(1, max_dep, 0.5)
    for o in orgs[len(orgs) - lay.tiny :] if lay.tiny else ():
        if not any(p.org == o and p.role is not Role.MEMBER for p in pl.people):
            pl.give_post(o)
    pl.plant_domains()
    pl.functions(supply)
    pl.other_leads()
    pl.cover_skills()
    settings = _settings(spec, pl, max_dep)
    orgs_rows = _organizations(spec, pl, orgs)
    proof = _infeasible(spec, pl, settings, orgs_rows)
    scenario = Scenario(
        settings=Settings.model_validate(settings),
        organizations=tuple(orgs_rows),
        units=tuple(
            Unit(unit_id=u, org_id=o, name=pl.unit_name[u]) for u, o in pl.unit_org.items()
        ),
        staff=tuple(_staff(p, rng) for p in pl.people),
        functions=tuple(
            Function(
                function_id=f.fid,
                name=f.name,
                org_id=f.org,
                unit_id=f.unit,
                domain=f.domain,
                kind=f.kind,
                workload=f.work / 100,
                skill=f.skill,
                lead_candidates=f.cands,
            )  # fmt: skip
            for f in pl.works
        ),
        departments=_departments(spec, pl, max_dep),
        rules=_rules(lay, pl),
        locks=_locks(lay, pl),
    )
    plan = Plan(
        staff=tuple(
            StaffAssignment(
                staff_id=p.sid,
                org_id=p.org,
                unit_id=p.unit,
                dept_id=p.dept,
                role=Role.EXIT if p.dept is None else p.role,
            )  # fmt: skip
            for p in pl.people
        ),
        functions=tuple(
            FunctionAssignment(function_id=f.fid, dept_id=f.dept, lead_org=f.lead) for f in pl.works
        ),
    )
    if lay.budgets:
        scenario = _budgets(scenario, plan, settings)
    value = None
    if verify:
        report = check(scenario, plan)
        want = {"person": {"C7"}, "post": {"C6"}}.get(spec.infeasible or "", set())
        if report.constraint_ids != want:
            raise GenerationError(f"{spec.name}: planted plan {report.lines()[:5]}")
        value = objective_value(report.terms, scenario.settings) if not want else None
    return Shape(scenario, plan, spec.infeasible is None, proof, value)


def _staff(p: Person, rng: random.Random) -> Staff:
    return Staff(
        staff_id=p.sid, name=vi.person_name(rng, p.female), unit_id=p.unit, position=p.position,
        salary=p.salary, fte=p.fte_h / 100, skills=tuple(dict.fromkeys(p.skills)),
        can_lead=p.can_lead, retiring=p.retiring, protected=p.protected,
    )  # fmt: skip


def _budgets(scenario: Scenario, plan: Plan, settings: dict) -> Scenario:
    """C8 targets just inside the planted plan: max_payroll 0.1 % above its payroll
    (``planner.domain.kpis``' own formula), min_income_raise 98 % of its raise per retained head."""
    from planner.domain.kpis import Placement, payroll_after, payroll_before

    after = payroll_after(Placement(scenario, plan))
    before = payroll_before(scenario)
    kept = sum(a.dept_id is not None for a in plan.staff)
    settings["targets"]["max_payroll"] = float(math.ceil(after * Fraction(1001, 1000)))
    settings["targets"]["min_income_raise"] = float(
        math.floor(Fraction(98, 100) * (before - after) / kept)
    )
    return scenario.with_settings(Settings.model_validate(settings))


def _settings(spec: ShapeSpec, pl: Planter, max_dep: dict[str, int]) -> dict:
    lay, n = spec.layout, spec.size
    sizes = [len(pl.in_dept(d)) for d in pl.depts]
    posts = sum(p.role is not Role.MEMBER for p in pl.people)
    held = Counter(p.org for p in pl.people if p.role is not Role.MEMBER)
    exits = sum(p.dept is None for p in pl.people)
    targets: dict[str, object] = {
        "min_reduction": math.floor(1000 * exits / n) / 1000,
        "max_leadership_posts": posts
        if lay.staff_locks or lay.tiny
        else posts + len(pl.depts) // 4,
        "workload_slack": lay.slack,
        "max_overstaff": lay.over,
        "min_lead_tasks": 1,
    }
    if lay.tiny:
        targets["max_leader_share"] = math.ceil(100 * max(held.values()) / posts) / 100
    hi = max(sizes) if lay.big_units else math.ceil(1.15 * max(sizes))
    if (
        lay.big_units
        and max(len([p for p in pl.people if p.unit == u and p.dept]) for u in pl.unit_org) <= hi
    ):
        raise GenerationError("no unit is larger than max_staff")
    return {
        "scenario": {"name": spec.name, "currency": "VND", "base_salary": BASE_SALARY_2018},
        "departments": {
            "count": len(pl.depts),
            "min_staff": max(1, math.floor(0.8 * min(sizes))),
            "max_staff": hi,
            "min_deputies": 1,
            "max_deputies": max(max_dep.values()),
            "max_deputy_share": 0.5,
        },
        "allowances": {"head": 0.7, "deputy": 0.5},
        "targets": targets,
        "solver": {"time_limit": 60.0, "workers": 0, "seed": 0},
    }


def _organizations(spec: ShapeSpec, pl: Planter, orgs: list[str]) -> list[Organization]:
    """C9 minima: 70 % of the planted staff and one post; the tiny ones at the planted plan."""
    lay = spec.layout
    kept = Counter(p.org for p in pl.people if p.dept)
    held = Counter(p.org for p in pl.people if p.role is not Role.MEMBER and p.dept)
    tiny = set(orgs[len(orgs) - lay.tiny :]) if lay.tiny else set()
    out = []
    for o in orgs:
        at_min = o in tiny or spec.infeasible == "person"
        out.append(
            Organization(
                org_id=o,
                name=_ORGS[o],
                min_staff=kept[o] if at_min else math.floor(0.7 * kept[o]),
                min_leaders=held[o] if o in tiny else min(1, held[o]),
            )
        )
    return out


def _infeasible(spec: ShapeSpec, pl: Planter, settings: dict, orgs: list[Organization]) -> str:
    """Tighten a twin by one person or one post (module docstring); returns the proof."""
    n = spec.size
    if spec.infeasible == "person":
        exits = sum(p.dept is None for p in pl.people)
        assert sum(o.min_staff for o in orgs) == n - exits
        mr = Fraction(math.floor(Fraction(exits + 1, n) * 10**6), 10**6)
        assert math.ceil(mr * n) == exits + 1 and exact(float(mr)) == mr
        settings["targets"]["min_reduction"] = float(mr)
        return f"C7 needs {exits + 1} exits; C9 keeps Σ min_staff = {n - exits}, so at most {exits} leave"
    if spec.infeasible == "post":
        k, m = len(pl.depts), settings["departments"]["min_deputies"]
        settings["targets"]["max_leadership_posts"] = k * (1 + m) - 1
        return f"C6 needs {k} heads and {k * m} deputies; max_leadership_posts is {k * (1 + m) - 1}"
    return ""


def _departments(spec: ShapeSpec, pl: Planter, max_dep: dict[str, int]) -> tuple[Department, ...]:
    """departments.csv for the kinds that want one (None: D1 … Dk hosting anything)."""
    lay, rng = spec.layout, pl.rng
    if not lay.departments_csv:
        return ()
    every = sorted({d for ds in pl.domains.values() for d in ds})
    rows = []
    for i, d in enumerate(pl.depts):
        mine = list(pl.domains[d])
        extra = [x for x in every if x not in mine]
        mine += rng.sample(extra, min(len(extra), rng.randint(*lay.extra_domains)))
        h = len(pl.in_dept(d))
        lo = hi = None
        if lay.tight_limits is not None:
            lo, hi = math.floor((1 - lay.tight_limits) * h), math.ceil((1 + lay.tight_limits) * h)
        elif lay.uneven:
            lo, hi = math.floor(0.85 * h), math.ceil(1.2 * h) + 1
        name = vi.CENTRAL_DEPARTMENTS[i % len(vi.CENTRAL_DEPARTMENTS)][0]
        rows.append(
            Department(
                dept_id=d,
                name=f"{name} {i + 1}",
                domains=tuple(mine),
                min_staff=lo,
                max_staff=hi,
                max_deputies=max_dep[d] if lay.uneven else None,
            )  # fmt: skip
        )
    return tuple(rows)


def _rules(lay: Layout, pl: Planter) -> tuple[Rule, ...]:
    """``apart`` between two parts of one unit, ``together`` chains inside a department."""
    rng, out = pl.rng, []
    by_unit: dict[str, dict[str, list[str]]] = {}
    for f in pl.works:
        if f.unit:
            by_unit.setdefault(f.unit, {}).setdefault(f.dept, []).append(f.fid)
    split = sorted(u for u, ds in by_unit.items() if len(ds) > 1)
    for u in rng.sample(split, min(len(split), lay.apart_in_unit)):
        d1, d2 = rng.sample(sorted(by_unit[u]), 2)
        out.append(Rule(rule="apart", a=rng.choice(by_unit[u][d1]), b=rng.choice(by_unit[u][d2])))
    chains = []
    for d in rng.sample(pl.depts, min(lay.chains, len(pl.depts))):
        fs = [f.fid for f in pl.works if f.dept == d]
        if len(fs) >= 3:
            chain = rng.sample(fs, min(len(fs), rng.randint(3, 6)))
            out += [Rule(rule="together", a=a, b=b) for a, b in zip(chain, chain[1:], strict=False)]
            chains.append(chain)
    for c1, c2 in zip(chains, chains[1:], strict=False):  # chains kept apart by their ends
        out.append(Rule(rule="apart", a=c1[-1], b=c2[0]))
    return tuple(out)


def _locks(lay: Layout, pl: Planter) -> tuple[Lock, ...]:
    """Staff locks of every shape and function locks, all true in the planted plan."""
    rng, out = pl.rng, []
    for i, p in enumerate(rng.sample(pl.people, round(lay.staff_locks * len(pl.people)))):
        if p.dept is None:
            out.append(Lock(kind="staff", id=p.sid, role=Role.EXIT))
        elif i % 3 == 0:
            out.append(Lock(kind="staff", id=p.sid, dept_id=p.dept))
        elif i % 3 == 1:
            out.append(Lock(kind="staff", id=p.sid, dept_id=p.dept, role=p.role))
        else:
            out.append(Lock(kind="staff", id=p.sid, role=p.role))
    for i, f in enumerate(rng.sample(pl.works, round(lay.function_locks * len(pl.works)))):
        if f.lead and i % 3 == 1:
            out.append(Lock(kind="function", id=f.fid, lead_org=f.lead))
        elif f.lead and i % 3 == 2:
            out.append(Lock(kind="function", id=f.fid, dept_id=f.dept, lead_org=f.lead))
        else:
            out.append(Lock(kind="function", id=f.fid, dept_id=f.dept))
    return tuple(out)


def write_shape(shape: Shape, out: Path) -> Path:
    """``out/scenario`` (``planner.io.write_scenario``) and ``out/witness`` (the planted
    plan, which ``planner check out/scenario out/witness`` accepts)."""
    from planner.io import write_scenario
    from planner.io.plan_io import write_plan_tables

    write_scenario(shape.scenario, out / "scenario")
    report = check(shape.scenario, shape.plan)
    summary = Summary(
        status=Status.FEASIBLE,
        objective=objective_value(report.terms, shape.scenario.settings),
        terms=report.terms,
        kpis=report.kpis,
    )
    (out / "witness").mkdir(parents=True, exist_ok=True)
    write_plan_tables(shape.plan, summary, out / "witness")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.shapes", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    ap.add_argument("kind", choices=sorted(KINDS))
    ap.add_argument("--size", type=int, default=400)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--infeasible", choices=INFEASIBLE, default=None)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(argv)
    spec = ShapeSpec(f"{args.kind}-{args.size}", args.kind, args.size, args.infeasible)
    shape = generate_shape(spec, args.seed)
    write_shape(shape, args.out)
    print(
        f"wrote {args.out}: {len(shape.scenario.staff)} staff, planted objective {shape.planted_objective}"
    )
    return 0


__all__ = ["INFEASIBLE", "KINDS", "Shape", "ShapeSpec", "build_shape", "generate_shape", "layout"]

if __name__ == "__main__":
    raise SystemExit(main())
