"""The embedded Quảng Ninh scenarios reproduce the published 2018 figures.

33 units -> 6 departments, 87 head/deputy posts -> 18 (69 removed), "9 chung,
15 chia", a 15.5 % reduction and an income raise of one base salary
(1,390,000 VND) a month. The folders are rebuilt byte for byte by
data/build_data.py, and the plan the builder plants passes the checker.
"""

from __future__ import annotations

import importlib.util
import math
from collections import Counter
from pathlib import Path

import pytest

from models import FunctionKind, Position, Role, Scenario, exact
from planner.checking.check import check
from planner.io import read_scenario
from tests.generate.test_scenarios import necessary_problems

DATA = Path(__file__).resolve().parent.parent / "data"
PROVINCE = DATA / "quang_ninh_province"
DISTRICT = DATA / "quang_ninh_district"
ORGS = ["MTTQ", "CD", "ND", "PN", "TN", "CCB"]


def _build_data():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("build_data", DATA / "build_data.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def province() -> Scenario:
    return read_scenario(PROVINCE)


@pytest.fixture(scope="module")
def district() -> Scenario:
    return read_scenario(DISTRICT)


def test_province_is_the_2018_block_agency(province: Scenario) -> None:
    assert [o.org_id for o in province.organizations] == ORGS
    assert province.organizations[0].name == "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh Quảng Ninh"
    assert len(province.units) == 33
    positions = Counter(s.position for s in province.staff)
    assert (positions[Position.HEAD], positions[Position.DEPUTY]) == (33, 54)  # 87 posts today
    heads = Counter(s.unit_id for s in province.staff if s.position is Position.HEAD)
    assert set(heads) == {u.unit_id for u in province.units} and set(heads.values()) == {1}
    assert 150 <= len(province.staff) <= 220
    assert len(province.departments) == 6
    d, t = province.settings.departments, province.settings.targets
    assert (d.min_deputies, d.max_deputies, t.max_leadership_posts) == (2, 2, 18)
    assert 87 - t.max_leadership_posts == 69  # the published posts removed
    assert all(o.min_staff >= 1 and o.min_leaders >= 1 for o in province.organizations)
    assert all(province.functions_by_unit[u.unit_id] for u in province.units)
    assert {f.kind for f in province.functions} == set(FunctionKind)


def test_province_salaries_are_2018_pay_coefficients(province: Scenario) -> None:
    base = province.settings.scenario.base_salary
    assert base == 1_390_000
    for s in province.staff:
        coefficient = exact(s.salary) / base
        assert coefficient.denominator in (1, 2, 4, 5, 10, 20, 25, 50, 100)  # two decimals
        assert 2.34 <= coefficient <= 8.0


def test_district_is_nine_shared_and_fifteen_divided(district: Scenario) -> None:
    kinds = Counter(f.kind for f in district.functions)
    assert kinds[FunctionKind.SHARED] == 9 and kinds[FunctionKind.DIVIDED] == 15
    assert all(f.org_id is None for f in district.functions if f.kind is FunctionKind.SHARED)
    divided = [f for f in district.functions if f.kind is FunctionKind.DIVIDED]
    assert all(f.lead_candidates for f in divided)
    assert {f.lead_candidates[0] for f in divided} == set(
        ORGS
    )  # every organisation leads something
    assert {f.org_id for f in district.functions if f.kind is FunctionKind.RESERVED} == set(ORGS)
    t = district.settings.targets
    assert t.min_reduction == 0.155 and t.min_income_raise == 1_390_000 and t.min_lead_tasks == 1
    assert 25 <= len(district.staff) <= 45 and 1 <= len(district.departments) <= 2
    assert Counter(u.org_id for u in district.units) == Counter(ORGS)
    for u in district.units:
        posts = Counter(s.position for s in district.staff if s.unit_id == u.unit_id)
        assert posts[Position.HEAD] == 1 and 1 <= posts[Position.DEPUTY] <= 2


@pytest.mark.parametrize("folder", [PROVINCE, DISTRICT], ids=["province", "district"])
def test_necessary_conditions_hold(folder: Path) -> None:
    assert necessary_problems(read_scenario(folder)) == []


def test_rebuild_reproduces_the_committed_files(tmp_path: Path) -> None:
    _build_data().build_all(tmp_path)
    for folder in (PROVINCE, DISTRICT):
        committed = sorted(p.name for p in folder.iterdir())
        rebuilt = sorted(p.name for p in (tmp_path / folder.name).iterdir())
        assert rebuilt == committed
        for name in committed:
            assert (tmp_path / folder.name / name).read_bytes() == (folder / name).read_bytes(), (
                name
            )


def test_planted_plans_pass_the_checker_and_meet_the_published_figures(
    province: Scenario, district: Scenario
) -> None:
    bd = _build_data()
    sc, plan = bd.province()
    report = check(province, plan)
    assert report.ok, report.lines()[:10]
    assert (report.kpis.units_before, report.kpis.departments_after) == (33, 6)
    assert (report.kpis.posts_before, report.kpis.posts_after) == (87, 18)
    sc, plan = bd.district()
    report = check(district, plan)
    assert report.ok, report.lines()[:10]
    k = report.kpis
    assert k.exits >= math.ceil(0.155 * len(district.staff)) and k.reduction <= 0.25
    assert k.income_raise_per_head >= 1_390_000  # one base salary a month from the savings
    assert sum(a.role is Role.EXIT for a in plan.staff) == k.exits


def test_district_solves_to_a_checked_plan(district: Scenario) -> None:
    from planner.search.solve import solve

    result = solve(
        district, time_limit=2, workers=2, explain=False
    )  # a first plan comes in well under 1 s
    assert result.status.has_plan and result.violations == []
    assert result.kpis.income_raise_per_head >= 1_390_000
