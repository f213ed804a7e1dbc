"""Reusing a proven optimum after a change that only narrows the scenario (``planner/search/reuse.py``).

The claim is mathematical (the optimum over a subset that still holds the old
optimum is the old optimum); the tests check it against fresh solves of the
district (35 staff, optimal in a fraction of a second) for every kind of
narrowing, and that anything else — a relaxation, a weight, a staff row, a plan
that no longer holds, a deterministic run — is solved as usual.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models import Lock, Rule, Scenario, SolveResult, Status
from planner.io import read_scenario
from planner.search.reuse import narrowing, previous_from_folder, reuse_optimum
from planner.search.solve import solve

ROOT = Path(__file__).resolve().parents[2]
DISTRICT = ROOT / "data" / "quang_ninh_district"


@pytest.fixture(scope="module")
def district() -> Scenario:
    return read_scenario(DISTRICT)


@pytest.fixture(scope="module")
def solved(district: Scenario) -> SolveResult:
    result = solve(district, time_limit=30)
    assert result.status is Status.OPTIMAL
    return result


def changed(sc: Scenario, **overrides: Any) -> Scenario:
    return sc.with_settings(sc.settings.with_overrides(overrides))


def setting(**dotted: Any) -> dict[str, Any]:
    """``setting(targets__max_overstaff=0.3)`` → ``{"targets.max_overstaff": 0.3}``."""
    return {k.replace("__", "."): v for k, v in dotted.items()}


# -- what narrows --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        (setting(targets__min_reduction=0.2), ["targets.min_reduction"]),
        (setting(targets__min_income_raise=2_000_000), ["targets.min_income_raise"]),
        (setting(targets__workload_slack=0.1), ["targets.workload_slack"]),  # unset → set
        (setting(targets__min_lead_tasks=2), ["targets.min_lead_tasks"]),
        (setting(targets__max_leadership_posts=7), ["targets.max_leadership_posts"]),
        (setting(targets__max_payroll=10**12), ["targets.max_payroll"]),  # unset → set
        (setting(targets__max_overstaff=0.3), ["targets.max_overstaff"]),
        (setting(targets__max_leader_share=0.4), ["targets.max_leader_share"]),
        (setting(departments__min_staff=5), ["departments.min_staff"]),
        (setting(departments__max_deputy_share=0.4), ["departments.max_deputy_share"]),
        (setting(solver__time_limit=5, scenario__name="khác"), []),
    ],
)
def test_tightening_a_limit_narrows(district: Scenario, overrides: dict, expected: list) -> None:
    assert narrowing(district, changed(district, **overrides)) == expected


@pytest.mark.parametrize(
    "overrides",
    [
        setting(targets__min_reduction=0.1),  # relaxed
        setting(targets__max_overstaff=0.6),
        setting(targets__min_income_raise=None),  # set → unset
        setting(departments__max_staff=500),
        setting(departments__count=3),  # neither tighter nor looser
        setting(objective__imbalance=101),  # another ranking
        setting(objective__mode="lexicographic"),
        setting(allowances__head=0.8),  # changes payroll, the objective
        setting(scenario__base_salary=1_500_000),
    ],
)
def test_anything_else_does_not(district: Scenario, overrides: dict) -> None:
    assert narrowing(district, changed(district, **overrides)) is None


def test_tables_locks_rules_and_organisations(district: Scenario) -> None:
    staff = list(district.staff)
    staff[0] = staff[0].model_copy(update={"salary": staff[0].salary + 1})
    assert narrowing(district, district.model_copy(update={"staff": tuple(staff)})) is None

    lock = Lock(kind="staff", id=district.staff[0].staff_id, dept_id=district.dept_ids[0])
    locked = district.model_copy(update={"locks": (*district.locks, lock)})
    assert narrowing(district, locked) == ["locks.csv"]
    assert narrowing(locked, district) is None  # a lock removed widens

    rule = Rule(
        rule="apart", a=district.functions[0].function_id, b=district.functions[1].function_id
    )
    ruled = district.model_copy(update={"rules": (*district.rules, rule)})
    assert narrowing(district, ruled) == ["rules.csv"]
    assert narrowing(ruled, district) is None

    orgs = list(district.organizations)
    orgs[0] = orgs[0].model_copy(update={"min_staff": orgs[0].min_staff + 1})
    stricter = district.model_copy(update={"organizations": tuple(orgs)})
    assert narrowing(district, stricter) == [f"organizations.{orgs[0].org_id}.min_staff"]
    assert narrowing(stricter, district) is None


# -- reuse agrees with a fresh solve -----------------------------------------------------------


def _agrees(base: Scenario, old: SolveResult, new: Scenario) -> bool:
    """Whether ``old``'s optimum is reused for ``new``; when it is, a fresh solve of
    ``new`` must prove the same optimum."""
    result = reuse_optimum(new, (base, old))
    if result is None:
        return False
    assert result.status is Status.OPTIMAL and result.bound == result.objective
    assert result.plan == old.plan
    fresh = solve(new, time_limit=30)
    assert fresh.status is Status.OPTIMAL, fresh.status
    assert fresh.objective == result.objective
    return True


def test_reused_optimum_equals_a_fresh_solve(district: Scenario, solved: SolveResult) -> None:
    terms = solved.terms
    kpis = solved.kpis
    still = [  # narrowings that the optimal plan still meets
        setting(targets__max_overstaff=0.45),
        setting(targets__max_leadership_posts=kpis.posts_after),
        setting(targets__max_payroll=kpis.payroll_after),
        setting(departments__min_staff=4, targets__min_lead_tasks=1),
    ]
    broken = [  # narrowings it does not meet: solved again
        setting(targets__max_leadership_posts=kpis.posts_after - 1),
        setting(targets__max_payroll=kpis.payroll_after - 1),
    ]
    assert terms  # the district's optimum has its terms
    assert all(_agrees(district, solved, changed(district, **o)) for o in still)
    assert not any(_agrees(district, solved, changed(district, **o)) for o in broken)
    # through planner.solve: no solve at all, the same plan, the change named
    tighter = changed(district, **still[0])
    seen: list[tuple[float, float, float]] = []
    result = solve(tighter, previous=(district, solved), on_progress=lambda *p: seen.append(p))
    assert result.stats["reused_optimum"] == ["targets.max_overstaff"]
    assert result.plan == solved.plan and result.runtime < 1.0
    assert seen and seen[-1][1] == seen[-1][2] == solved.objective


NARROWINGS = {
    "targets.min_reduction": st.sampled_from([0.155, 0.16, 0.18, 0.2, 0.25]),
    "targets.max_leadership_posts": st.integers(5, 8),
    "targets.max_overstaff": st.sampled_from([0.5, 0.45, 0.4, 0.3, 0.2]),
    "targets.max_leader_share": st.sampled_from([0.5, 0.45, 0.4, 0.35]),
    "targets.min_lead_tasks": st.integers(1, 3),
    "departments.min_staff": st.integers(4, 12),
    "departments.max_deputy_share": st.sampled_from([0.5, 0.4, 0.3]),
}


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.fixed_dictionaries({}, optional=NARROWINGS))
def test_any_narrowing_reused_or_solved_agrees(
    district: Scenario, solved: SolveResult, overrides: dict[str, Any]
) -> None:
    new = district.with_settings(district.settings.with_overrides(overrides))
    assert narrowing(district, new) is not None
    _agrees(district, solved, new)


def test_no_reuse_after_a_relaxation_or_when_deterministic(
    district: Scenario, solved: SolveResult
) -> None:
    relaxed = changed(district, **setting(targets__max_overstaff=0.6))
    assert reuse_optimum(relaxed, (district, solved)) is None
    same = changed(district, **setting(solver__deterministic=True))
    assert reuse_optimum(same, (district, solved)) is None
    unproven = solved.model_copy(update={"status": Status.FEASIBLE})
    assert reuse_optimum(district, (district, unproven)) is None
    assert reuse_optimum(district, (district, solved)) is not None  # no change at all


# -- the command line ---------------------------------------------------------------------------


def planner(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "planner", *args],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip


def test_cli_hint_reuses_a_proven_plan_folder(tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    assert planner("solve", str(DISTRICT), "--out", str(first), "-q").returncode == 0
    run = planner(
        "solve", str(DISTRICT), "--out", str(second), "--hint", str(first),
        "--set", "targets.max_overstaff=0.45",
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert "optimal without a new solve" in run.stdout
    summary = json.loads((second / "summary.json").read_text(encoding="utf-8"))
    assert summary["status"] == "optimal"
    assert summary["stats"]["reused_optimum"] == ["targets.max_overstaff"]
    check = planner("check", str(second / "scenario"), str(second))
    assert check.returncode == 0, check.stdout + check.stderr


def test_a_plan_folder_whose_scenario_copy_was_edited_is_not_trusted(tmp_path: Path) -> None:
    folder = tmp_path / "plan"
    assert planner("solve", str(DISTRICT), "--out", str(folder), "-q").returncode == 0
    assert previous_from_folder(folder) is not None
    toml = folder / "scenario" / "scenario.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8").replace("imbalance = 100", "imbalance = 1"),
        encoding="utf-8",
    )
    assert previous_from_folder(folder) is None
    assert previous_from_folder(tmp_path / "missing") is None
