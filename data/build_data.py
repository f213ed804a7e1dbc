"""Build the embedded Quảng Ninh scenarios: synthetic data calibrated to the 2018 figures.

    .venv/bin/python data/build_data.py            # rewrites data/quang_ninh_province and data/quang_ninh_district
    .venv/bin/python data/build_data.py OUT_DIR    # writes the two folders under OUT_DIR instead

Both folders come from ``planner.generate.scenarios``'s blueprints with fixed seeds, so a
rebuild reproduces the committed files byte for byte. The builder plants a
feasible plan and checks it with ``planner.check`` before anything is written;
``--report`` prints the calibration arithmetic that data/README.md quotes.
"""

from __future__ import annotations

import argparse
import math
import random
import sys
from datetime import date
from fractions import Fraction
from pathlib import Path

from models import FunctionKind, Plan, Role, Scenario, exact
from planner.checking.check import check
from planner.domain.retirement import add_months, statutory_age_months
from planner.generate import scenarios as gen
from planner.io import write_scenario

HERE = Path(__file__).resolve().parent
SEED = 20180808  # the day of the Politburo delegation's working session in Hạ Long
PROVINCE_STAFF = 186
# District: (staff, deputies) of MTTQ, CD, ND, PN, TN, CCB; 6 heads + 10 deputies today.
DISTRICT_COMPOSITION = ((7, 2), (6, 2), (6, 1), (6, 2), (5, 2), (5, 1))


def province() -> tuple[Scenario, Plan]:
    """The provincial block agency of 2018: 33 units of 6 organisations -> 6 departments."""
    rng = random.Random(SEED)
    bp = gen.province(
        rng,
        PROVINCE_STAFF,
        units=33,
        place="tỉnh Quảng Ninh",
        name="Quảng Ninh 2018 – cơ quan khối cấp tỉnh (dữ liệu tổng hợp)",
    )
    scenario, plan = gen.build(bp, rng)
    posts = [s for s in scenario.staff if s.position.value != "staff"]
    heads = sum(s.position.value == "head" for s in scenario.staff)
    assert len(scenario.units) == 33 and heads == 33 and len(posts) == 87, (
        "33 units, 87 posts today"
    )
    assert len(scenario.departments) == 6 and scenario.settings.targets.max_leadership_posts == 18
    return scenario, plan


def district() -> tuple[Scenario, Plan]:
    """A district block agency under "9 chung, 15 chia"."""
    rng = random.Random(SEED + 1)
    size = sum(n for n, _ in DISTRICT_COMPOSITION)
    bp = gen.district(
        rng,
        size,
        departments=2,
        place="huyện (tỉnh Quảng Ninh)",
        composition=DISTRICT_COMPOSITION,
        name="Quảng Ninh 2018 – cơ quan khối cấp huyện, 9 chung 15 chia (dữ liệu tổng hợp)",
    )
    scenario, plan = gen.build(bp, rng)
    kinds = [f.kind for f in scenario.functions]
    assert kinds.count(FunctionKind.SHARED) == 9 and kinds.count(FunctionKind.DIVIDED) == 15, (
        "9 chung, 15 chia"
    )
    return scenario, plan


EARLY_EXIT_WEIGHT = 20_000 * 60
"""The one-step plans weigh an involuntary exit as 20,000 thousand of *monthly* payroll
(``[objective]``); a roadmap's cost runs over 5 × 12 months, so the same preference
weighs an early exit 60 times that."""
PROVINCE_ROADMAP = {
    # 2025: merged units keep their leaders first and have five years to come back to
    # the norms: posts may stay as they are today (87) until period 5, when §3 holds
    # (18 posts, two deputies in each of the 6 departments, min_reduction 10 %).
    "roadmap.start": "2025-07-01",
    "roadmap.periods": 5,
    "roadmap.months": 12,
    "roadmap.norm_by": 5,
    "roadmap.transition_max_leadership_posts": 87,
    "roadmap.objective.early_exits": EARLY_EXIT_WEIGHT,
}
DISTRICT_ROADMAP = {
    # "15.5 % of staff in 2 years": at least ceil(0.155 x 35) = 6 of today's staff gone
    # by period 2, 5 % (2) in period 1; the norms (C6, C7, C8's income raise) by period 5,
    # the five years of 2025.
    "roadmap.start": "2025-07-01",
    "roadmap.periods": 5,
    "roadmap.months": 12,
    "roadmap.norm_by": 5,
    "roadmap.reduction": [0.05, 0.155],
    "roadmap.objective.early_exits": EARLY_EXIT_WEIGHT,
}
DISTRICT_NEAR_RETIREMENT = (
    date(2026, 3, 16),
    date(2027, 9, 1),
    date(2028, 11, 20),
    date(2029, 10, 5),
)
"""Statutory retirement dates given to the district's four oldest members who are not
``retiring``: the generator's district is young (nobody else within five years of the
statutory age), while a district block agency of 2025 is not; one of them in the first
year, so that 4 of the 6 people gone by period 2 retire rather than take a package."""


def with_district_pyramid(scenario: Scenario) -> Scenario:
    """The district with ``DISTRICT_NEAR_RETIREMENT`` (birth dates moved, service years with them)."""
    schedule = scenario.settings.roadmap
    older = sorted(
        (s for s in scenario.staff if not s.retiring and not s.protected and s.birth_date),
        key=lambda s: (s.birth_date, s.staff_id),
    )
    moved = {}
    for s, day in zip(older, DISTRICT_NEAR_RETIREMENT, strict=False):
        assert s.gender is not None and s.birth_date is not None
        birth = add_months(day, -statutory_age_months(s.gender, day.year, schedule))
        extra = (s.birth_date - birth).days / 365.25
        moved[s.staff_id] = s.model_copy(
            update={"birth_date": birth, "service_years": round(s.service_years + extra, 1)}
        )
    staff = tuple(moved.get(s.staff_id, s) for s in scenario.staff)
    return scenario.model_copy(update={"staff": staff})


def with_roadmap(scenario: Scenario, roadmap: dict[str, object]) -> Scenario:
    return scenario.with_settings(scenario.settings.with_overrides(roadmap))


def _verified(scenario: Scenario, plan: Plan) -> Scenario:
    report = check(scenario, plan)
    if not report.ok:
        raise SystemExit("the planted plan breaks the SPEC:\n" + "\n".join(report.lines()))
    return scenario


def build_all(out: Path) -> list[Path]:
    """Write both folders under ``out`` and return them."""
    prov = with_roadmap(_verified(*province()), PROVINCE_ROADMAP)
    dist = with_roadmap(with_district_pyramid(_verified(*district())), DISTRICT_ROADMAP)
    return [
        write_scenario(prov, out / "quang_ninh_province"),
        write_scenario(dist, out / "quang_ninh_district"),
    ]


def report(scenario: Scenario, plan: Plan) -> str:
    """The calibration arithmetic of one scenario and its planted plan, in plain lines."""
    s = scenario.settings
    base = s.scenario.base_salary
    head, deputy = exact(s.allowances.head) * base, exact(s.allowances.deputy) * base
    role = {a.staff_id: a for a in plan.staff}
    n = len(scenario.staff)
    out = [a for a in plan.staff if a.role is Role.EXIT]
    salaries = sum(st.salary for st in scenario.staff)
    allow_before = sum(
        head if st.position.value == "head" else deputy
        for st in scenario.staff
        if st.position.value != "staff"
    )
    kept = [st for st in scenario.staff if role[st.staff_id].role is not Role.EXIT]
    allow_after = sum(
        head if role[st.staff_id].role is Role.HEAD else deputy
        for st in kept
        if role[st.staff_id].role in (Role.HEAD, Role.DEPUTY)
    )
    before = salaries + allow_before
    after = sum(st.salary for st in kept) + allow_after
    fte = sum(st.fte_h for st in scenario.staff) / 100
    fte_kept = sum(st.fte_h for st in kept) / 100
    work = sum(f.workload_h for f in scenario.functions) / 100
    k = len(scenario.departments)
    over = s.targets.max_overstaff
    lines = [
        f"# {s.scenario.name}",
        f"staff {n}, fte {fte:.2f}; posts today {sum(st.position.value != 'staff' for st in scenario.staff)}",
        f"workload {work:.2f} FTE in {len(scenario.functions)} functions, {k} departments",
        f"planted: {len(out)} exits ({len(out) / n:.1%}; {sum(scenario.staff[i].retiring for i in range(n) if plan.staff[i].role is Role.EXIT)} retiring),"
        f" retained fte {fte_kept:.2f} = {fte_kept / work:.3f} x workload",
        f"C3 bounds on total retained fte: >= {work:.2f}"
        + (f", <= {(1 + float(over)) * work + k:.2f}" if over is not None else ""),
        f"payroll before {_vnd(before)} = salaries {_vnd(salaries)} + allowances {_vnd(allow_before)}",
        f"payroll after  {_vnd(after)} (planted; allowances {_vnd(allow_after)}), savings {_vnd(before - after)}",
    ]
    if s.targets.min_reduction is not None:
        lines.append(
            f"C7 exits >= ceil({s.targets.min_reduction} x {n}) = {math.ceil(exact(s.targets.min_reduction) * n)}"
        )
    if s.targets.min_income_raise is not None:
        need = exact(s.targets.min_income_raise) * len(kept)
        lines.append(
            f"C8 savings {_vnd(before - after)} >= {_vnd(exact(s.targets.min_income_raise))} x {len(kept)} = {_vnd(need)}"
            f" -> {'holds' if before - after >= need else 'FAILS'}"
        )
    lines.append(
        f"income raise per retained official (planted): {_vnd(Fraction(before - after) / len(kept))}"
    )
    return "\n".join(lines)


def _vnd(x: int | Fraction) -> str:
    """An amount of VND, rounded down to a unit, with thousands separators."""
    return f"{math.floor(x):,}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "out", nargs="?", type=Path, default=HERE, help="folder to write the scenarios under"
    )
    parser.add_argument("--report", action="store_true", help="print the calibration arithmetic")
    args = parser.parse_args(argv)
    for path in build_all(args.out):
        print(f"wrote {path}")
    if args.report:
        for scenario, plan in (province(), district()):
            print("\n" + report(scenario, plan))
    return 0


if __name__ == "__main__":
    sys.exit(main())
