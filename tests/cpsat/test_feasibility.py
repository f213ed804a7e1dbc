"""Feasibility first (issue 20): the elastic model, its repair, and draft plans (SPEC §5).

The elastic model gives every rule that can be broken by an amount violation
variables; a plan that breaks rules always exists in it, ``violations = 0``
exactly when a plan meets every rule, and a draft lists what it breaks in the
checker's own terms (rule, where, amount).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import planner.search.solve as solve_module
from models import Department, Lock, Organization, Rule, Status, Summary
from planner.checking.check import check, draft_violations
from planner.cpsat.builder import build
from planner.cpsat.extract import extract_plan
from planner.cpsat.feasibility import hint_solution, repair, trivial_solution
from planner.io import read_scenario
from planner.search.solve import solve, to_summary
from tests.tiny import person, tiny, work

ROOT = Path(__file__).resolve().parents[2]


def _two_departments(**targets: object):
    """Two departments of at least 2 people, 4 people, 2 functions of 1 FTE each."""
    return tiny(
        [
            person("h1", position="head", salary=5_000_000),
            person("h2", position="head", salary=5_000_000),
            person("m1"),
            person("m2"),
        ],
        [work("f1"), work("f2")],
        departments={"count": 2, "min_staff": 2, "max_staff": 3},
        targets=targets,
    )


def test_the_trivial_plan_exists_and_its_violations_are_counted():
    # Everyone in D1 and both functions in D1: D2 hosts nothing ("used") and has no
    # staff (C5: 2 short) and no head (C6): 100 + 2·100 + 100 = 400 in the violations
    # total; D1 has 4 people > max_staff 3 (C5: 1) and 2 heads? no: nobody holds a post
    # in the trivial plan, so D1 has no head either (C6: 100) — 400 + 100 + 100 = 600.
    sc = _two_departments()
    built = build(sc, elastic=True)
    assert trivial_solution(built)
    solution = hint_solution(built)
    assert solution[built.violations.index] == 600
    plan = extract_plan(built.var, solution)
    found = {(v.constraint, v.where, v.amount) for v in check(sc, plan).violations}
    assert found == {
        ("used", "D2", 1),
        ("C5", "D2", 2),
        ("C5", "D1", 1),
        ("C6", "D1", 1),
        ("C6", "D2", 1),
    }


def test_repair_reaches_a_plan_that_meets_every_rule():
    sc = _two_departments()
    built = build(sc, elastic=True)
    assert trivial_solution(built)
    out = repair(built, hint_solution(built), sc.settings, 10.0)
    assert out.violations == 0 and out.proven
    assert check(sc, extract_plan(built.var, out.solution)).ok


def test_repair_proves_the_least_violation_of_an_infeasible_scenario():
    # 4 people, at most 3 may stay (min_reduction 0.25 -> 1 exit), but both departments
    # need 2 (C5): one person short somewhere, or one exit short (C7): 100, proven.
    sc = _two_departments(min_reduction=0.25)
    built = build(sc, elastic=True)
    assert trivial_solution(built)
    out = repair(built, hint_solution(built), sc.settings, 10.0)
    assert out.proven and out.violations == 100
    report = check(sc, extract_plan(built.var, out.solution))
    broken = draft_violations(report)
    assert broken is not None and len(broken) == 1
    assert (broken[0].rule, broken[0].amount) in {("C5", 1), ("C7", 1)}


def test_amounts_in_each_rules_unit():
    # One department, 3 people of 1 FTE, 5 FTE of work (C3: 200 hundredths short), a
    # skill nobody holds on 1 FTE of it (C4: 100), an apart rule broken by 1 function,
    # a lock on m2 to exit broken (C13: 1 lock, row 2 of locks.csv).
    sc = tiny(
        functions=[work("f1", workload=4.0), work("f2", skill="law"), work("g", domain="audit")],
        rules=[Rule(rule="apart", a="f1", b="g")],
        locks=[Lock(kind="staff", id="m2", role="exit")],
        departments={"count": 1},
    )
    from models import FunctionAssignment, Plan, Role, StaffAssignment

    plan = Plan(
        staff=tuple(
            StaffAssignment(
                staff_id=s,
                org_id="A",
                unit_id="UA",
                dept_id="D1",
                role=Role.HEAD if s == "h" else Role.MEMBER,
            )  # fmt: skip
            for s in ("h", "m1", "m2")
        ),
        functions=tuple(FunctionAssignment(function_id=f, dept_id="D1") for f in ("f1", "f2", "g")),
    )
    found = {(v.constraint, v.where, v.amount) for v in check(sc, plan).violations}
    assert found == {
        ("C3", "D1", 300),  # 6 FTE of work, 3 FTE of staff
        ("C4", "D1/skill:law", 100),
        ("C12", "rules.csv:2", 1),
        ("C13", "locks.csv:2", 1),
    }


def test_a_draft_is_confirmed_only_with_exactly_its_violations():
    sc = _two_departments(min_reduction=0.25)
    result = solve(sc, time_limit=10, draft=True)
    assert result.status is Status.INFEASIBLE and result.draft is not None
    summary = to_summary(result, sc)
    assert summary.status is Status.DRAFT and summary.violations == result.draft_violations
    assert check(sc, result.draft, summary).ok
    # one violation fewer listed, or one more, or another amount: not confirmed
    v = summary.violations[0]
    for listed in (
        [],
        [*summary.violations, v],
        [v.model_copy(update={"amount": v.amount + 1})],
    ):
        wrong = Summary.model_validate({**summary.model_dump(), "violations": listed})
        assert not check(sc, result.draft, wrong).ok


def test_without_draft_an_infeasible_solve_has_no_plan():
    result = solve(_two_departments(min_reduction=0.25), time_limit=10)
    assert result.status is Status.INFEASIBLE and result.draft is None and result.plan is None


def test_the_elastic_model_gives_the_first_plan_when_the_constructive_one_fails(monkeypatch):
    # The constructive plan is switched off: the first plan comes from the elastic model,
    # passes the checker, and the search goes on from it to the proven optimum.
    district = read_scenario(ROOT / "data" / "quang_ninh_district")
    monkeypatch.setattr(solve_module, "construct", lambda sc, where, holders=None: None)
    result = solve(district, time_limit=20, workers=2)
    assert result.status is Status.OPTIMAL
    assert check(district, result.plan).ok
    plain = solve(district, time_limit=20, workers=2)
    assert result.objective == plain.objective


def test_split_units_get_a_plan(monkeypatch):
    # A unit larger than any department and work of two domains that no department hosts
    # together: the unit must be split. (The constructive plan keeps units whole.)
    staff = [person("h", position="head", salary=5_000_000)] + [
        person(f"m{i}", salary=1_000_000 + i) for i in range(7)
    ]
    staff += [person("h2", position="head", salary=5_000_000, can_lead=True)]
    sc = tiny(
        staff,
        [work("a", domain="office", workload=3.0), work("b", domain="audit", workload=3.0)],
        orgs=[Organization(org_id="A", name="A", min_staff=0, min_leaders=0)],
        depts=[
            Department(dept_id="P", name="P", domains=("office",), max_staff=5),
            Department(dept_id="Q", name="Q", domains=("audit",), max_staff=5),
        ],
        departments={"min_staff": 2},
    )
    result = solve(sc, time_limit=10, workers=2)
    assert result.status is Status.OPTIMAL and check(sc, result.plan).ok


def test_cli_draft_of_the_infeasible_province(tmp_path):
    """SPEC §5 must-show: ``--draft`` on the province with min_reduction 0.25 exits 3, names
    its conflicts, writes a draft that ``planner check D/scenario D`` confirms."""
    out = tmp_path / "D"
    cli = [sys.executable, "-m", "planner"]
    run = subprocess.run(
        [*cli, "solve", str(ROOT / "data" / "quang_ninh_province"), "--set",
         "targets.min_reduction=0.25", "--draft", "--time-limit", "15", "--out", str(out)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert run.returncode == 3, run.stderr
    assert "targets.min_reduction" in run.stderr
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["status"] == "draft" and summary["violations"]
    assert summary["conflicts"] == ["targets.min_reduction"]
    assert (out / "staff.csv").exists() and (out / "report.html").exists()
    assert "DRAFT" in (out / "report.html").read_text(encoding="utf-8") or "BẢN NHÁP" in (
        out / "report.html"
    ).read_text(encoding="utf-8")
    check = subprocess.run(
        [*cli, "check", str(out / "scenario"), str(out)], capture_output=True, text=True
    )
    assert check.returncode == 0, check.stdout + check.stderr


def test_a_draft_roadmap_is_confirmed_by_the_roadmap_checker(tmp_path):
    """The roadmap takes the same draft: an infeasible district roadmap (60 % must leave, the
    organisations' minima forbid it) gets its closest roadmap, which the checker confirms."""
    from planner.checking.check_roadmap import check_roadmap
    from planner.search.roadmap import roadmap, to_roadmap_summary

    district = read_scenario(ROOT / "data" / "quang_ninh_district")
    sc = district.with_settings(district.settings.with_overrides({"targets.min_reduction": 0.6}))
    result = roadmap(sc, time_limit=15, workers=2, draft=True, explain=False)
    assert result.status is Status.INFEASIBLE and result.draft is not None
    summary = to_roadmap_summary(result, sc)
    assert summary.status is Status.DRAFT and summary.violations
    assert all(v.where.startswith("period:") for v in summary.violations)
    assert check_roadmap(sc, result.draft, summary).ok
    fewer = summary.model_copy(update={"violations": summary.violations[1:]})
    assert not check_roadmap(sc, result.draft, fewer).ok
