"""The roadmap (SPEC §8): tiny cases with hand-derived optima, the one-step equivalence,
the folder and its checker.

Money: salaries of 1,000,000 and 2,000,000 a month; no allowances (``tests.tiny``),
so a period of 12 months costs 12,000 (thousands) per 1,000,000 of monthly payroll.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from models import DepartureReason, Lock, PeriodRole, Status
from planner.checking.check_roadmap import check_roadmap
from planner.cli.commands import app
from planner.io import read_scenario, write_scenario
from planner.io.roadmap_io import read_roadmap, read_roadmap_summary
from planner.search.roadmap import roadmap, to_roadmap_summary
from planner.search.solve import solve
from planner.services.roadmap_writer import write_roadmap_folder
from tests.fixtures.scenario_files import TINY
from tests.tiny import person, tiny, work

NO_PACKAGE = {"first_rate": 0, "later_rate": 0, "per_service_year": 0, "fixed_months": 0}


def plan_of(result, staff_id: str) -> list[str]:  # type: ignore[no-untyped-def]
    """The roles of one person period by period."""
    rows = sorted((a.period, a.role.value) for a in result.roadmap.staff if a.staff_id == staff_id)
    return [r for _, r in rows]


def departure(result, staff_id: str):  # type: ignore[no-untyped-def]
    return next((d for d in result.roadmap.departures if d.staff_id == staff_id), None)


def test_retirement_makes_an_early_exit_unnecessary() -> None:
    # Period 2 needs ceil(0.3 × 3) = 1 of today's staff gone. m1 reaches the retirement
    # date on the first day of period 2: that departure is free and counts. Leaving early
    # instead costs a package of 60 months (5 years of service, rate 1, cap 60): 60,000.
    # Optimum: nobody leaves early; cost = 12 × (2 + 1 + 1) M + 12 × (2 + 1) M = 84,000.
    sc = tiny(
        [
            person("h", position="head", salary=2_000_000, service_years=5),
            person("m1", retires_on="2026-07-01", service_years=5),
            person("m2", service_years=5),
        ],
        [work("f1", workload=1.0)],
        roadmap={
            "periods": 2,
            "norm_by": 2,
            "reduction": [0, 0.3],
            "package": {"first_rate": 1, "later_rate": 1, "per_service_year": 0, "fixed_months": 0},
            "objective": {"cost": 1, "early_exits": 20_000, "moves": 0},
        },
    )
    result = roadmap(sc)
    assert result.status is Status.OPTIMAL, result.violations
    assert result.objective == 84_000
    assert result.terms["early_exits"] == 0 and result.terms["cost"] == 84_000
    assert departure(result, "m1").reason is DepartureReason.RETIREMENT
    assert departure(result, "m1").period == 2 and departure(result, "m1").package == 0
    assert plan_of(result, "m2") == ["member", "member"]
    # The one-step plan reaching the same share has an involuntary exit: nobody is retiring.
    one_step = {
        "targets.min_reduction": 0.3,
        "objective.payroll": 1,
        "objective.involuntary_exits": 20_000,
    }
    one = solve(sc.with_settings(sc.settings.with_overrides(one_step)))
    assert one.terms["involuntary_exits"] == 1


def test_a_first_year_package_beats_waiting() -> None:
    # One member must be gone in period 2. Service 1 year, first rate 0.8, later 0.4:
    # leaving at period 1 pays 0.8 × 12 = 9.6 months (9,600); at period 2, with 2 years,
    # 0.4 × 24 = 9.6 months too, after a year of salary (12,000). So the member leaves
    # at period 1: cost = 9,600 + 12 × 3 M × 2 = 81,600; plus 20,000 for the early exit.
    # (Two leaving: 19,200 + 48,000 + 40,000 = 107,200: worse.)
    sc = tiny(
        [
            person("h", position="head", salary=2_000_000, service_years=1),
            person("m1", service_years=1),
            person("m2", service_years=1),
        ],
        [work("f1", workload=1.0)],
        roadmap={
            "periods": 2,
            "norm_by": 2,
            "reduction": [0, 0.3],
            "package": {
                "first_rate": 0.8,
                "later_rate": 0.4,
                "per_service_year": 0,
                "fixed_months": 0,
            },
            "objective": {"cost": 1, "early_exits": 20_000, "moves": 0},
        },
    )
    result = roadmap(sc)
    assert result.status is Status.OPTIMAL, result.violations
    assert result.objective == 101_600 and result.terms["cost"] == 81_600
    gone = [d for d in result.roadmap.departures]
    assert len(gone) == 1 and gone[0].period == 1 and gone[0].package == 9_600
    assert gone[0].reason is DepartureReason.EARLY
    assert result.kpis.total_packages == 9_600


def test_a_package_does_not_pay_for_someone_retiring_in_period_2() -> None:
    # Work of 2 FTE needs h and one member in every period; m1 retires at the start of
    # period 2. Sending m1 away at period 1 saves 12,000 of salary but costs
    # floor(1 M × (0.8 × 60 + 1.5 × 30 + 3) / 1000) = 96,000. Nothing else may leave
    # (period 2 needs h and m2). Optimum: 12 × 4 M + 12 × 3 M = 84,000; no early exit.
    sc = tiny(
        [
            person("h", position="head", salary=2_000_000),
            person("m1", retires_on="2026-07-01", service_years=30),
            person("m2"),
        ],
        [work("f1", workload=2.0)],
        roadmap={
            "periods": 2,
            "norm_by": 2,
            "objective": {"cost": 1, "early_exits": 0, "moves": 0},
        },
    )
    result = roadmap(sc)
    assert result.status is Status.OPTIMAL, result.violations
    assert result.objective == 84_000
    assert plan_of(result, "m1") == ["member", "gone"]
    d = departure(result, "m1")
    assert (d.period, d.reason, d.package) == (2, DepartureReason.RETIREMENT, 0)
    assert result.kpis.retirements == 1 and result.kpis.early_exits == 0


def _deputies(norm_by: int):  # type: ignore[no-untyped-def]
    # h heads; d1 and d2 are locked as deputies (they keep their posts while present).
    # The norm allows one deputy; the transition two. A package costs 2 × 60 = 120 months
    # (120,000) in the first year and nothing later (later_rate 0).
    return tiny(
        [
            person("h", position="head", salary=1_000_000, service_years=5),
            person("d1", position="deputy", service_years=5),
            person("d2", position="deputy", service_years=5),
        ],
        [work("f1", workload=1.0)],
        locks=[
            Lock(kind="staff", id="d1", role="deputy"),
            Lock(kind="staff", id="d2", role="deputy"),
        ],
        departments={"max_deputies": 1, "max_deputy_share": 1.0},
        roadmap={
            "periods": 2,
            "norm_by": norm_by,
            "transition_max_deputies": 2,
            "package": {"first_rate": 2, "later_rate": 0, "per_service_year": 0, "fixed_months": 0},
            "objective": {"cost": 1, "early_exits": 30_000, "moves": 0},
        },
    )


def test_a_transition_cap_forces_a_later_departure() -> None:
    # norm_by = 2: both deputies keep their posts in period 1 (transition cap 2); one leaves
    # at period 2 when the norm (1 deputy) holds, with no package (later_rate 0):
    # 36,000 + 24,000 + 30,000 = 90,000.
    late = roadmap(_deputies(norm_by=2))
    assert late.status is Status.OPTIMAL, late.violations
    assert late.objective == 90_000
    (d,) = late.roadmap.departures
    assert (d.period, d.reason, d.package) == (2, DepartureReason.EARLY, 0)
    assert late.roadmap.periods[0].deputies == 2 and late.roadmap.periods[1].deputies == 1
    # norm_by = 1: the locks keep both deputies in period 1 (as in §3) and the norm allows
    # one: infeasible, and the conflict names the deadline.
    early = roadmap(_deputies(norm_by=1), time_limit=10)
    assert early.status is Status.INFEASIBLE
    assert "roadmap.norm_by" in early.conflicts, early.conflicts
    assert any(name.startswith("locks:") for name in early.conflicts)


def test_moves_count_role_changes_between_periods() -> None:
    # The head h, locked as head (the lock binds until the retirement date), retires at
    # period 2; d (can lead) becomes head then: 1 move. Work of 2 FTE keeps d and m:
    # moves = 1, cost = 12 × 3 M + 12 × 2 M = 60,000; objective 60,000 + 500.
    sc = tiny(
        [
            person("h", position="head", salary=1_000_000, retires_on="2026-07-01"),
            person("d", position="deputy"),
            person("m"),
        ],
        [work("f1", workload=2.0)],
        locks=[Lock(kind="staff", id="h", role="head")],
        roadmap={
            "periods": 2,
            "norm_by": 2,
            "objective": {"cost": 1, "early_exits": 0, "moves": 500},
        },
    )
    result = roadmap(sc)
    assert result.status is Status.OPTIMAL, result.violations
    assert result.terms["moves"] == 1 and result.terms["cost"] == 60_000
    assert result.objective == 60_500
    assert plan_of(result, "d")[1] == "head" and plan_of(result, "h") == ["head", "gone"]


def _one_step_settings(sc):  # type: ignore[no-untyped-def]
    """periods = norm_by = 1, months = 1, no packages, cost and early_exits weighted as
    payroll and involuntary_exits: the roadmap's objective is then §4's."""
    o = sc.settings.objective
    return sc.settings.with_overrides(
        {
            "roadmap.periods": 1,
            "roadmap.norm_by": 1,
            "roadmap.months": 1,
            "roadmap.reduction": [],
            **{f"roadmap.package.{k}": v for k, v in NO_PACKAGE.items()},
            "roadmap.objective.cost": o.payroll,
            "roadmap.objective.early_exits": o.involuntary_exits,
        }
    )


@pytest.mark.parametrize("case", ["fixture", "two_orgs_in_code"])
def test_one_period_roadmap_equals_the_one_step_plan(case: str) -> None:
    """What is compared: with periods = norm_by = 1, months = 1 and no packages, cost is
    floor(payroll / 1000) = §4's payroll term and early_exits = involuntary_exits, so the
    optimal objective (Σ weight × term) and every term must equal ``planner solve``'s
    (plans themselves may differ between alternative optima)."""
    if case == "fixture":
        sc = read_scenario(TINY)
    else:
        sc = tiny(
            [
                person("h", position="head", salary=2_000_000),
                person("d", position="deputy", salary=1_500_000),
                person("m1"),
                person("m2", salary=1_200_000, retiring=True),
                person("m3", salary=900_000),
            ],
            [work("f1", workload=1.5), work("f2", domain="policy", workload=1.0)],
            weights={"payroll": 1, "involuntary_exits": 5_000, "imbalance": 10},
            targets={"min_reduction": 0.2},
        )
    sc = sc.with_settings(_one_step_settings(sc))
    one = solve(sc)
    rm = roadmap(sc)
    assert one.status is Status.OPTIMAL and rm.status is Status.OPTIMAL, rm.violations
    assert rm.objective == one.objective
    assert rm.terms["cost"] == one.terms["payroll"]
    assert rm.terms["early_exits"] == one.terms["involuntary_exits"]
    for t in ("disruption", "fragmentation", "imbalance", "leadership_churn", "lead_preference"):
        assert rm.terms[t] == one.terms[t], t


def test_infeasible_roadmap_names_roadmap_settings() -> None:
    # From period 1 on, 2 of 3 must be gone (0.5 × 3 rounds up), but the work needs 2 FTE.
    sc = tiny(
        [person("h", position="head"), person("m1"), person("m2")],
        [work("f1", workload=2.0)],
        roadmap={"periods": 2, "reduction": [0.5]},
    )
    result = roadmap(sc, time_limit=10)
    assert result.status is Status.INFEASIBLE
    assert "roadmap.reduction[1]" in result.conflicts
    assert any("period 1" in d for d in result.conflict_details)


# -- the folder and its checker -----------------------------------------------------------


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The district-like fixture solved as a 3-period roadmap, written and its scenario copied."""
    root = tmp_path_factory.mktemp("roadmap")
    sc = read_scenario(TINY)
    sc = sc.with_settings(
        sc.settings.with_overrides(
            {"roadmap.periods": 3, "roadmap.norm_by": 2, "roadmap.reduction": [0.1, 0.25]}
        )
    )
    result = roadmap(sc, time_limit=20)
    assert result.status is Status.OPTIMAL, result.violations
    folder = write_roadmap_folder(sc, result, to_roadmap_summary(result, sc), root / "out")
    scenario = write_scenario(sc, root / "scenario")
    return scenario, folder


def test_written_roadmap_passes_the_checker(written: tuple[Path, Path]) -> None:
    scenario, folder = written
    assert {p.name for p in folder.iterdir()} >= {
        "functions.csv",
        "staff.csv",
        "departures.csv",
        "periods.csv",
        "summary.json",
    }
    sc = read_scenario(scenario)
    report = check_roadmap(sc, read_roadmap(folder), read_roadmap_summary(folder))
    assert report.ok, report.lines()
    assert read_roadmap_summary(folder).kind == "roadmap"
    run = CliRunner().invoke(app, ["check", str(scenario), str(folder)])
    assert run.exit_code == 0, run.output


@pytest.mark.parametrize(
    ("file", "edit", "expected"),
    [
        ("staff.csv", lambda rows: _set(rows, 1, "role", "gone", "dept_id", ""), "C"),
        ("departures.csv", lambda rows: _set(rows, 1, "package", "1"), "departures"),
        ("periods.csv", lambda rows: _set(rows, 1, "cost", "0"), "periods"),
    ],
)
def test_corrupted_roadmap_fails_the_checker(
    written: tuple[Path, Path],
    tmp_path: Path,
    file: str,
    edit,
    expected: str,  # type: ignore[no-untyped-def]
) -> None:
    import shutil

    scenario, folder = written
    bad = Path(shutil.copytree(folder, tmp_path / "bad"))
    text = (bad / file).read_text(encoding="utf-8").splitlines()
    rows = [line.split(",") for line in text]
    if len(rows) < 2:
        pytest.skip(f"{file} has no row to corrupt")
    edit(rows)
    (bad / file).write_text("\n".join(",".join(r) for r in rows) + "\n", encoding="utf-8")
    report = check_roadmap(read_scenario(scenario), read_roadmap(bad), read_roadmap_summary(bad))
    assert not report.ok
    assert any(v.constraint.startswith(expected) for v in report.violations), report.lines()
    run = CliRunner().invoke(app, ["check", str(scenario), str(bad)])
    assert run.exit_code == 1


def _set(rows: list[list[str]], i: int, *pairs: str) -> None:
    header = rows[0]
    for k in range(0, len(pairs), 2):
        rows[i][header.index(pairs[k])] = pairs[k + 1]


def test_someone_back_after_leaving_or_past_retirement_fails(written: tuple[Path, Path]) -> None:
    scenario, folder = written
    sc = read_scenario(scenario)
    rm = read_roadmap(folder)
    gone = next(a for a in rm.staff if a.role is PeriodRole.GONE and a.period < 3)
    later = next(
        a for a in rm.staff if a.staff_id != gone.staff_id and a.role is not PeriodRole.GONE
    )
    staff = tuple(
        a.model_copy(update={"role": later.role, "dept_id": later.dept_id})
        if a.staff_id == gone.staff_id and a.period == 3
        else a
        for a in rm.staff
    )
    report = check_roadmap(sc, rm.model_copy(update={"staff": staff, "periods": ()}))
    assert any("back in period 3" in line for line in report.lines()), report.lines()


def test_cli_roadmap_writes_and_exit_codes(tmp_path: Path) -> None:
    out = tmp_path / "rm"
    run = CliRunner().invoke(
        app,
        ["roadmap", str(TINY), "--out", str(out), "--set", "roadmap.periods=2", "-q"],
    )
    assert run.exit_code == 0, run.output
    assert read_roadmap_summary(out).status is Status.OPTIMAL
    bad = CliRunner().invoke(
        app, ["roadmap", str(TINY), "--out", str(tmp_path / "x"), "--set", "roadmap.norm_by=9"]
    )
    assert bad.exit_code == 2 and not (tmp_path / "x").exists()
    infeasible = CliRunner().invoke(
        app,
        ["roadmap", str(TINY), "--out", str(tmp_path / "y"), "--set", "roadmap.reduction=[0.9]"],
    )
    assert infeasible.exit_code == 3
    assert not (tmp_path / "y" / "staff.csv").exists()


def test_exports_are_written_and_neutralise_text(tmp_path: Path) -> None:
    import zipfile

    from planner.export.roadmap_export import write_roadmap_exports

    hostile = '=HYPERLINK("http://x","y")'
    sc = tiny(
        [
            person("h", position="head", salary=2_000_000),
            person("m1", retires_on="2026-07-01"),
            person("m2").model_copy(update={"name": hostile + "<script>"}),
        ],
        [work("f1", workload=1.0)],
        roadmap={"periods": 2, "norm_by": 2, "reduction": [0, 0.3]},
    )
    result = roadmap(sc)
    assert result.status is Status.OPTIMAL
    write_roadmap_exports(sc, result.roadmap, to_roadmap_summary(result, sc), tmp_path)
    with zipfile.ZipFile(tmp_path / "roadmap.xlsx") as z:
        names = z.namelist()
        sheets = [n for n in names if n.startswith("xl/worksheets/sheet")]
        assert len(sheets) == 5  # periods, staff, departures, functions, summary
        assert all("<f>" not in z.read(n).decode() for n in sheets)
    page = (tmp_path / "roadmap.html").read_text(encoding="utf-8")
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "Payback" in page or "payback" in page
    assert page.count("<svg") == 4 and "src=" not in page and "href=" not in page  # self-contained


def test_a_last_period_without_a_plan_proves_the_roadmap_infeasible() -> None:
    """The province with one skill left to one holder, who retires at the start of period
    2 (``retires_on``): period 1 can be staffed (no counting argument fails today), but from period 2 on
    nobody holds the skill. The last period's view has no plan, so no roadmap exists: the
    roadmap says infeasible, names the skill, says which period, and the proof is the
    last period's (``stats['proof']``), not a search of the roadmap model."""
    from planner.search.precheck import precheck

    sc = read_scenario(Path(__file__).resolve().parents[2] / "data" / "quang_ninh_province")
    skilled = next(f for f in sc.functions if f.skill is not None)
    skill = skilled.skill
    holder = next(s.staff_id for s in sc.staff if skill in s.skills and not s.protected)
    functions = tuple(
        f.model_copy(update={"workload": 0.5})
        if f.function_id == skilled.function_id
        else f.model_copy(update={"skill": None})
        if f.skill == skill
        else f
        for f in sc.functions
    )
    staff = tuple(
        s.model_copy(update={"retires_on": date(2026, 7, 1)})  # the start of period 2
        if s.staff_id == holder
        else s.model_copy(update={"skills": tuple(k for k in s.skills if k != skill)})
        for s in sc.staff
    )
    sc = sc.replace(functions=functions, staff=staff)
    sc = sc.with_settings(sc.settings.with_overrides({"roadmap.periods": 3, "roadmap.norm_by": 3}))
    assert precheck(sc) == []  # today the one holder covers the work
    result = roadmap(sc, time_limit=20)
    assert result.status is Status.INFEASIBLE
    assert "functions.skill" in result.conflicts
    assert result.stats["proof"].startswith("period 3 has no plan")
    assert all("in period 3" in d for d in result.conflict_details)


def test_the_constructed_roadmap_lets_a_retiree_locked_to_exit_go_at_once() -> None:
    """``_last_period_roadmap`` keeps people who retire within the horizon until their date,
    but not one locked to exit (C13 holds in every period): two such people, retiring at
    the start of period 2, leave at period 1 and the constructed roadmap passes the checker
    (it broke C13 in period 1 before, and the family's locks-rules-1500 got its first
    roadmap from the search at 16.7 s instead of the constructed one at 5.6 s)."""
    from models import LockKind, Role
    from planner.search.roadmap import _last_period_roadmap, _Made

    sc = read_scenario(Path(__file__).resolve().parents[2] / "data" / "quang_ninh_province")
    free = {
        s.staff_id
        for s in sc.staff
        if not s.protected
        and s.position.value == "staff"
        and not any(lk.id == s.staff_id for lk in sc.locks)
    }
    chosen = sorted(free)[:2]
    staff = tuple(
        s.model_copy(update={"retires_on": date(2026, 7, 1)}) if s.staff_id in chosen else s
        for s in sc.staff
    )
    locks = tuple(Lock(kind=LockKind.STAFF, id=i, role=Role.EXIT) for i in chosen)
    sc = sc.replace(staff=staff, locks=(*sc.locks, *locks))
    made = _last_period_roadmap(sc, 10.0, None)
    assert isinstance(made, _Made)
    assert made.report is not None  # checked: a roadmap before any model is built
    index = {s.staff_id: i for i, s in enumerate(sc.staff)}
    for staff_id in chosen:
        assert made.cells[index[staff_id]] == [None] * sc.settings.roadmap.periods
