"""planner.generate.packed: issue 14's merged agency, planted as a human would plan it.

The planted plan (units kept whole, about two per department, each keeping just
enough people for its work, skill holders brought in) passes the independent
checker; the scenario has the figures issue 14 describes; the same seed gives the
same scenario; the CLI writes it without departments.csv.
"""

from __future__ import annotations

from collections import Counter, defaultdict

import pytest
from typer.testing import CliRunner

from models import FunctionKind, Role
from planner.checking.check import check
from planner.cli.commands import app
from planner.generate.packed import generate_packed, merged
from planner.generate.scenarios import generate, generate_with_witness
from planner.io import read_scenario
from planner.io.write import scenario_sha256
from tests.generate.test_scenarios import necessary_problems


@pytest.mark.parametrize(("size", "seed"), [(2_700, 0), (2_700, 1), (600, 0), (600, 5), (150, 2)])
def test_the_planted_plan_passes_the_checker(size: int, seed: int) -> None:
    sc, plan = generate_with_witness("merged", seed=seed, size=size)
    assert len(sc.staff) == size
    assert necessary_problems(sc) == []
    report = check(sc, plan)
    assert report.ok, report.lines()[:10]


def test_the_issue_14_figures_hold() -> None:
    packed = generate_packed(merged(2_700), seed=0)
    sc, plan = packed.scenario, packed.plan
    s, t, ds = sc.settings, sc.settings.targets, sc.settings.departments
    assert (len(sc.organizations), len(sc.units), len(sc.staff)) == (5, 36, 2_700)
    assert not sc.departments_given and len(sc.departments) == ds.count == 19
    assert all(d.domains == () for d in sc.departments)  # any department may host any domain
    assert 0.075 <= sum(p.retiring for p in sc.staff) / len(sc.staff) <= 0.085
    assert (ds.min_staff, ds.max_staff, ds.min_deputies, ds.max_deputies) == (20, 400, 1, 3)
    assert (t.max_leadership_posts, t.max_overstaff, t.workload_slack, t.min_reduction) == (
        76,
        0.3,
        0.0,
        0.197,
    )
    assert s.solver.time_limit == 120.0
    # each unit's work mostly in its own domains, with some mixing
    own = Counter(
        f.domain in packed.unit_domains[f.unit_id] for f in sc.functions if f.unit_id is not None
    )
    assert 0.75 <= own[True] / len(sc.functions) < 1.0
    for u in sc.units:
        mine = [f for f in sc.functions if f.unit_id == u.unit_id]
        assert sum(f.domain in packed.unit_domains[u.unit_id] for f in mine) > len(mine) / 2
    # divided work with several lead candidates, and reserved work
    divided = [f for f in sc.functions if f.kind is FunctionKind.DIVIDED]
    assert sum(len(f.lead_candidates) >= 3 for f in divided) >= 10
    assert sum(f.kind is FunctionKind.RESERVED for f in sc.functions) >= 10
    # the planted plan: units whole, about two per department
    dept_of = {a.function_id: a.dept_id for a in plan.functions}
    units_in: dict[str, set[str]] = defaultdict(set)
    for u in sc.units:
        depts = {dept_of[f] for f in sc.functions_by_unit[u.unit_id]}
        assert len(depts) == 1, u.unit_id
        units_in[depts.pop()].add(u.unit_id)
    assert sorted(Counter(len(v) for v in units_in.values()).items()) == [(1, 2), (2, 17)]
    exits = sum(a.role is Role.EXIT for a in plan.staff)
    assert exits >= 532  # ceil(0.197 × 2,700)


def test_some_units_lack_a_skill_their_work_requires() -> None:
    packed = generate_packed(merged(2_700), seed=0)
    sc, plan = packed.scenario, packed.plan
    assert len(packed.lacking) >= 4
    dept_of_staff = {a.staff_id: a.dept_id for a in plan.staff}
    dept_of_fn = {a.function_id: a.dept_id for a in plan.functions}
    for uid, skill in packed.lacking.items():
        needs = [f for f in sc.functions if f.unit_id == uid and f.skill == skill]
        assert needs, uid
        assert not any(skill in p.skills for p in sc.staff if p.unit_id == uid)
        d = dept_of_fn[needs[0].function_id]
        holders = [p for p in sc.staff if dept_of_staff[p.staff_id] == d and skill in p.skills]
        assert holders and all(p.unit_id != uid for p in holders)  # brought in from elsewhere


def test_same_seed_same_scenario_and_plan() -> None:
    a, pa = generate_with_witness("merged", seed=3, size=600)
    b, pb = generate_with_witness("merged", seed=3, size=600)
    assert scenario_sha256(a) == scenario_sha256(b) and pa == pb
    assert scenario_sha256(a) != scenario_sha256(generate("merged", seed=4, size=600))


def test_the_size_scales_the_structure() -> None:
    small = generate("merged", seed=0, size=600)
    assert (len(small.organizations), len(small.units), len(small.departments)) == (5, 8, 4)
    assert small.settings.targets.max_leadership_posts == 16
    with pytest.raises(ValueError, match="outside"):
        generate("merged", size=100)


def test_the_cli_writes_the_merged_scenario_without_departments_csv(tmp_path) -> None:
    out = tmp_path / "merged"
    result = CliRunner().invoke(
        app, ["generate", "merged", "--size", "600", "--seed", "2", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert not (out / "departments.csv").exists()
    sc = read_scenario(out)
    assert len(sc.staff) == 600 and len(sc.departments) == 4 and not sc.departments_given
    assert scenario_sha256(sc) == scenario_sha256(generate("merged", seed=2, size=600))
