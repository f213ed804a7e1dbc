"""Trade-offs: the Pareto frontier, the price of each policy and plan comparison,
on tiny scenarios whose answers are derived by hand in the comments."""

from __future__ import annotations

import time
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from models import (
    Department,
    FunctionAssignment,
    Lock,
    Organization,
    Rule,
    SolveResult,
    Status,
    Unit,
)
from planner.checking.check import check
from planner.io import write_scenario
from planner.io.plan_io import read_plan, read_summary
from planner.tradeoffs import (
    changed_terms,
    compare,
    compare_folders,
    epsilon_grid,
    non_dominated,
    pareto,
    price,
    relaxations,
    write_compare,
)
from tests.tiny import person, tiny, work

# -- a real trade-off: involuntary exits against payroll -------------------------------------
#
# One department, one function of 2.0 FTE, no allowances. The head h (5,000k, the only
# one who can lead) always stays; besides h the department needs 1.0 FTE more:
#
#   kept          FTE   payroll (k)   involuntary exits
#   h p q r       3.0   8,500         0
#   h p q         2.0   7,000         1   (r out)
#   h p r / h q r 2.5   7,500         1   dominated by h p q
#   h r           2.0   6,500         2   (p, q out)
#
# (h alone, or h with p or q only, lacks capacity.) The frontier is
# (0, 8500), (1, 7000), (2, 6500); (1, 7500) is dominated.
#
# x = involuntary_exits, y = payroll, points = 6: end A (min exits, then payroll) is
# (0, 8500); end B (min payroll, then exits) is (2, 6500); ε = 6500 + ⌊i·2000/5⌋ for
# i = 1..4 = 6900, 7300, 7700, 8100, whose optima are (2, 6500), (1, 7000), (1, 7000),
# (1, 7000): three duplicates, removed.
TRADE = dict(
    staff=[
        person("h", position="head", salary=5_000_000),
        person("p", fte=0.5),
        person("q", fte=0.5),
        person("r", salary=1_500_000),
    ],
    functions=[work("f1", workload=2.0)],
)
FRONTIER = [(0, 8500), (1, 7000), (2, 6500)]


def trade_scenario(**kw):
    return tiny(TRADE["staff"], TRADE["functions"], weights={"payroll": 1}, **kw)


def assert_points_checked(scenario, result, x: str, y: str) -> None:
    """Every frontier plan passes the checker and x, y are its recomputed terms."""
    for point, rec in zip(result.points, result.frontier.iter_rows(named=True), strict=True):
        report = check(scenario, point.result.plan)
        assert report.ok, report.lines()
        assert (rec["x"], rec["y"]) == (report.terms[x], report.terms[y])
        assert rec["objective"] == scenario.settings.objective.payroll * report.terms["payroll"]


def test_pareto_exact_frontier_and_files(tmp_path: Path):
    sc = trade_scenario()
    result = pareto(sc, "involuntary_exits", "payroll", points=6, out=tmp_path / "p")
    assert result.status is Status.OPTIMAL
    assert list(zip(result.frontier["x"], result.frontier["y"], strict=True)) == FRONTIER
    assert result.frontier["proven"].all() and set(result.frontier["status"]) == {"optimal"}
    assert [p.eps for p in result.tried] == [None, None, 6900, 7300, 7700, 8100]
    assert len(result.tried) == 6 and len(result.points) == 3  # duplicates removed
    assert_points_checked(sc, result, "involuntary_exits", "payroll")
    # files: frontier.csv equals the frame, one checked plan folder per point, a chart
    csv = pl.read_csv(tmp_path / "p" / "frontier.csv")
    assert csv.select("x", "y", "objective", "status", "folder").rows() == [
        (0, 8500, 8500, "optimal", "point_01"),
        (1, 7000, 7000, "optimal", "point_02"),
        (2, 6500, 6500, "optimal", "point_03"),
    ]
    for folder in csv["folder"]:
        plan, summary = read_plan(tmp_path / "p" / folder), read_summary(tmp_path / "p" / folder)
        assert check(sc, plan, summary).ok
    assert (tmp_path / "p" / "frontier.svg").read_text().lstrip().startswith("<svg")
    # a second, shorter sweep into the same folder leaves no stale point folder behind
    pareto(sc, "payroll", "imbalance", points=3, out=tmp_path / "p")
    assert sorted(p.name for p in (tmp_path / "p").glob("point_*")) == ["point_01"]


def test_pareto_axes_swapped():
    # x = payroll, y = involuntary_exits: the same three plans; ε ∈ {0, 1} between the
    # ends (0, 2) gives ε = ⌊2/5⌋.. = 0, 0, 1, 1 -> only ε = 1 is new: (7000, 1).
    sc = trade_scenario()
    result = pareto(sc, "payroll", "involuntary_exits", points=6)
    assert result.frontier.select("x", "y").rows() == [(6500, 2), (7000, 1), (8500, 0)]
    assert [p.eps for p in result.tried] == [None, None, 1]
    assert_points_checked(sc, result, "payroll", "involuntary_exits")


def test_pareto_without_trade_off_is_one_point():
    # The cheapest plan (h r, 6,500) has capacity 2.0 = workload: imbalance 0 too.
    result = pareto(trade_scenario(), "payroll", "imbalance", points=6)
    assert result.frontier.select("x", "y").rows() == [(6500, 0)]


def test_pareto_infeasible_and_bad_terms():
    sc = trade_scenario(departments={"max_staff": 1})  # 2.0 FTE of work, one person allowed
    result = pareto(sc, "payroll", "disruption")
    assert result.status is Status.INFEASIBLE and result.frontier.is_empty()
    with pytest.raises(ValueError, match="unknown term 'salary'"):
        pareto(sc, "salary", "disruption")
    with pytest.raises(ValueError, match="two different terms"):
        pareto(sc, "payroll", "payroll")
    with pytest.raises(ValueError, match="at least 2"):
        pareto(sc, "payroll", "disruption", points=1)


def test_non_dominated_and_grid():
    # (3, 3) is dominated by (2, 2); (2, 5) by (2, 2); the second (1, 9) is a duplicate.
    pairs = [(3, 3), (1, 9), (2, 2), (2, 5), (1, 9), (5, 0)]
    assert [pairs[i] for i in non_dominated(pairs)] == [(1, 9), (2, 2), (5, 0)]
    assert non_dominated(pairs) == [1, 2, 5]
    assert epsilon_grid(6500, 8500, 6) == [6900, 7300, 7700, 8100]
    assert epsilon_grid(0, 2, 6) == [1]
    assert epsilon_grid(0, 10, 2) == []


def test_a_point_beating_an_unproven_x_end_spreads_the_epsilons_below_it(monkeypatch):
    """The province's payroll/disruption sweep at 120 s: min payroll is not proven (payroll
    783,751 with disruption 60), and ε = 12 already finds payroll 782,097 with disruption
    12, which beats it. ε = 24, 36, 48 would find that plan again (the sweep used to return
    2 points); they are spread again between 0 and 12, hinted from below."""
    import importlib

    from models import Plan

    P = importlib.import_module(
        "planner.tradeoffs.pareto"
    )  # the package's `pareto` is the function

    # The x end (payroll) found by the solver; the true frontier below disruption 12 is
    # x = 782,097 + 1,000 per unit of disruption saved.
    calls: list[tuple[int | None, int | None]] = []

    def fake(scenario, priority, bounds=None, *, time_limit=None, hint=None):  # type: ignore[no-untyped-def]
        eps = (bounds or {}).get("disruption")
        calls.append((eps, hint.functions[0].dept_id if hint else None))
        if priority[0] == "payroll" and eps is None:
            x, y, status = 783_751, 60, Status.FEASIBLE
        elif priority[0] == "disruption":
            x, y, status = 794_097, 0, Status.OPTIMAL
        else:
            y = min(eps, 12)
            x, status = 782_097 + 1_000 * (12 - y), Status.OPTIMAL
        plan = Plan(staff=(), functions=(FunctionAssignment(function_id="f", dept_id=f"y{y}"),))
        terms = {"payroll": x, "disruption": y}
        return SolveResult(status=status, objective=x + y, terms=terms, plan=plan)

    monkeypatch.setattr(P, "solve_bounded", fake)
    result = pareto(tiny(), "payroll", "disruption", points=6, time_limit=60)
    assert [eps for eps, _ in calls] == [None, None, 12, 3, 6, 9]
    # Each ε starts from the solved plan of largest y within it: the min-disruption end for
    # 3, then the plan of ε = 3 (y 3) for 6 and of ε = 6 for 9.
    assert [hint for _, hint in calls[3:]] == ["y0", "y3", "y6"]
    assert result.frontier.select("x", "y").rows() == [
        (782_097, 12), (785_097, 9), (788_097, 6), (791_097, 3), (794_097, 0),
    ]  # fmt: skip


# -- price of each policy -------------------------------------------------------------------
#
# Organisations A (min_staff 1, min_leaders 1) and B (min_staff 2, min_leaders 0); one
# department with min_deputies 1; payroll weight 1; no allowances. Staff: h head 5,000k,
# d deputy 4,000k (the only two who can lead), a 1,000k (A), b 2,000k and c 3,000k (B).
# locks row 2 keeps a as a member; max_payroll 15,000,000.
#
# Base: one head and one deputy -> h and d; a locked; B keeps 2 -> b, c: everyone,
#   15,000k (= max_payroll, which is allowed).
# departments.min_deputies 1 -> 0: one leader suffices, the cheaper d heads:
#   d a b c = 10,000k: price 5,000.
# organizations:B.min_staff 2 -> 1: c (3,000k) leaves: 12,000k: price 3,000.
# locks:row 2 removed: a (1,000k) leaves: 14,000k: price 1,000.
# Not binding (optimum stays 15,000k): max_payroll +1 % (the optimum is below it
# already), departments.min_staff 1 -> 0, max_staff 60 -> 61, max_deputies 2 -> 3,
# max_deputy_share 0.5 -> 0.6 (1 deputy of 5), A.min_staff 1 -> 0 and A.min_leaders
# 1 -> 0 (h and d are needed anyway). B.min_leaders is 0: nothing to relax.
def price_scenario():
    return tiny(
        [
            person("h", position="head", salary=5_000_000),
            person("d", position="deputy", salary=4_000_000),
            person("a", salary=1_000_000),
            person("b", "UB", salary=2_000_000),
            person("c", "UB", salary=3_000_000),
        ],
        [work("f1")],
        orgs=[
            Organization(org_id="A", min_staff=1, min_leaders=1),
            Organization(org_id="B", min_staff=2, min_leaders=0),
        ],
        units=[Unit(unit_id="UA", org_id="A"), Unit(unit_id="UB", org_id="B")],
        locks=[Lock(kind="staff", id="a", role="member")],
        weights={"payroll": 1},
        departments={"min_deputies": 1},
        targets={"max_payroll": 15_000_000},
    )


def test_price_equals_hand_derived_differences(tmp_path: Path):
    frame = price(price_scenario(), out=tmp_path)
    assert frame["proven"].all() and set(frame["status"]) == {"optimal"}
    assert (frame["objective"] == 15_000).all()
    binding = frame.filter(pl.col("binding"))
    assert binding.select(
        "setting", "current", "relaxed", "objective_relaxed", "saving"
    ).rows() == [
        ("departments.min_deputies", "1", "0", 10_000, 5_000),
        ("organizations:B.min_staff", "2", "1", 12_000, 3_000),
        ("locks:row 2", "staff a member", "removed", 14_000, 1_000),
    ]
    assert binding["changed"][1].startswith("payroll −3000; involuntary_exits +1")
    rest = frame.filter(~pl.col("binding"))
    assert set(rest["setting"]) == {
        "targets.max_payroll",
        "departments.min_staff",
        "departments.max_staff",
        "departments.max_deputies",
        "departments.max_deputy_share",
        "organizations:A.min_staff",
        "organizations:A.min_leaders",
    }
    assert (rest["saving"] == 0).all() and (frame["saving"] >= 0).all()
    assert rest.filter(pl.col("setting") == "targets.max_payroll")["relaxed"][0] == "15150000"
    assert pl.read_csv(tmp_path / "prices.csv").height == frame.height


def test_price_of_a_rule():
    # Two departments, f1 and f2 of domain office, f3 of finance (0.5 FTE each); heads
    # h1 and h2 (1 FTE) staff them. rules row 2 "apart f1 f2" splits office over both
    # departments: fragmentation 1. Without it D1 {f1, f2}, D2 {f3}: 0. Price 1
    # (weight 1), the only binding policy.
    sc = tiny(
        [person("h1", position="head"), person("h2", position="head")],
        [
            work("f1", workload=0.5),
            work("f2", workload=0.5),
            work("f3", domain="finance", workload=0.5),
        ],
        rules=[Rule(rule="apart", a="f1", b="f2")],
        weights={"fragmentation": 1},
        departments={"count": 2},
    )
    frame = price(sc)
    binding = frame.filter(pl.col("binding"))
    assert binding.select(
        "setting", "current", "objective", "objective_relaxed", "saving", "changed"
    ).rows() == [
        ("rules:row 2", "apart f1 f2", 1, 0, 1, "fragmentation −1"),
    ]


def test_price_without_proof_never_passes_search_for_a_price():
    # Pretend the base solve stopped early at the all-kept plan (8,500, not proven).
    # A relaxed solve that times out is credited with the base plan (saving 0); a relaxed
    # plan that keeps every policy (the 6,500 plan) is a better base for every row, so
    # neither row reports a price.
    from planner.tradeoffs.price import Relaxation, _best_base, _price_row

    sc = trade_scenario()
    ends = pareto(sc, "involuntary_exits", "payroll", points=2).points
    base = ends[0].result.model_copy(update={"status": Status.FEASIBLE})
    timeout = SolveResult(status=Status.TIMEOUT)
    better = ends[-1].result
    best = _best_base(sc, base, [timeout, better])
    assert best.objective == 6_500 and best.status is Status.FEASIBLE
    rel = Relaxation("targets.max_payroll", "1", "2", sc)
    rows = [_price_row(rel, base, best, r) for r in (timeout, better)]
    assert [
        (r["objective"], r["objective_relaxed"], r["saving"], r["binding"], r["proven"])
        for r in rows
    ] == [
        (6_500, 6_500, 0, False, False),
        (6_500, 6_500, 0, False, False),
    ]
    assert (
        "the base plan stands in" in rows[0]["note"]
        and "base improved from 8500" in rows[0]["note"]
    )


def test_relaxation_steps():
    sc = tiny(
        depts=[Department(dept_id="K1", min_staff=2, max_staff=9, max_deputies=1)],
        orgs=[Organization(org_id="A", min_staff=0, min_leaders=0)],
        targets={
            "min_reduction": 0.155,
            "max_leadership_posts": 18,
            "min_income_raise": 1_390_000,
            "workload_slack": 0.03,
            "max_overstaff": 0.5,
            "max_leader_share": 0.95,
            "min_lead_tasks": 1,
        },
        departments={"min_deputies": 1, "max_deputy_share": 0.5},
    )
    steps = {r.setting: (r.current, r.relaxed) for r in relaxations(sc)}
    assert steps == {
        "targets.min_reduction": ("0.155", "0.145"),
        "targets.max_leadership_posts": ("18", "19"),
        "targets.min_income_raise": ("1390000", "1376100"),
        "targets.workload_slack": ("0.03", "0"),
        "targets.max_overstaff": ("0.5", "0.6"),
        "targets.max_leader_share": ("0.95", "1"),
        "targets.min_lead_tasks": ("1", "0"),
        # the defaults min_staff, max_staff and max_deputies are overridden by K1's own
        "departments.min_deputies": ("1", "0"),
        "departments.max_deputy_share": ("0.5", "0.6"),
        "departments:K1.min_staff": ("2", "1"),
        "departments:K1.max_staff": ("9", "10"),
        "departments:K1.max_deputies": ("1", "2"),
    }
    assert (
        changed_terms({"payroll": 5, "disruption": 1}, {"payroll": 3, "disruption": 2})
        == "payroll −2; disruption +1"
    )


# -- compare ---------------------------------------------------------------------------------


def test_compare_lists_exactly_the_moved_staff(tmp_path: Path):
    # The frontier's ends: (0 exits, everyone kept) and (2 exits: p and q leave, h r stay).
    sc = trade_scenario()
    result = pareto(sc, "involuntary_exits", "payroll", points=2, out=tmp_path / "p")
    first, last = result.points[0].result, result.points[-1].result
    from planner.search.solve import to_summary

    cmp = compare(
        [("all", first.plan, to_summary(first, sc)), ("cheap", last.plan, to_summary(last, sc))]
    )
    assert cmp.moves.rows() == [
        ("staff", "p", "cheap", "D1", None, "member", "exit"),
        ("staff", "q", "cheap", "D1", None, "member", "exit"),
    ]
    kpi = dict(
        zip(cmp.kpis["kpi"], zip(cmp.kpis["all"], cmp.kpis["cheap"], strict=True), strict=True)
    )
    assert (
        kpi["exits"] == (0, 2)
        and kpi["headcount"] == (4, 2)
        and kpi["payroll"] == (8_500_000, 6_500_000)
    )
    assert kpi["savings"] == (0, 2_000_000) and kpi["departments"] == (1, 1)
    # the same from the folders; a function moved by hand shows as a function move
    folders = compare_folders([tmp_path / "p" / "point_01", tmp_path / "p" / "point_02"])
    assert folders.moves.equals(cmp.moves.with_columns(pl.lit("point_02").alias("plan")))
    moved = last.plan.model_copy(
        update={"functions": (FunctionAssignment(function_id="f1", dept_id="D9"),)}
    )
    cmp2 = compare([("a", last.plan, to_summary(last, sc)), ("a", moved, to_summary(last, sc))])
    assert cmp2.labels == ["a", "a (2)"]
    assert cmp2.moves.rows() == [("function", "f1", "a (2)", "D1", "D9", None, None)]
    # exports: never a name or a salary in the moves
    written = write_compare(cmp, tmp_path / "cmp.csv") + write_compare(cmp, tmp_path / "cmp.xlsx")
    assert [p.name for p in written] == ["cmp.csv", "cmp.moves.csv", "cmp.xlsx"]
    moves_text = (tmp_path / "cmp.moves.csv").read_text()
    assert "Người" not in moves_text and "1000000" not in moves_text
    assert pl.read_csv(tmp_path / "cmp.csv", infer_schema=False).row(0) == (
        "status",
        "optimal",
        "optimal",
    )


# -- command line ----------------------------------------------------------------------------


def test_cli_pareto_price_compare(tmp_path: Path):
    from planner.cli.commands import app

    runner = CliRunner()
    write_scenario(trade_scenario(), tmp_path / "sc")
    bad = runner.invoke(
        app,
        [
            "pareto",
            str(tmp_path / "sc"),
            "--x",
            "salary",
            "--y",
            "payroll",
            "--out",
            str(tmp_path / "o"),
        ],
    )
    assert bad.exit_code == 2 and "unknown term" in bad.output
    ok = runner.invoke(
        app,
        [
            "pareto",
            str(tmp_path / "sc"),
            "--x",
            "involuntary_exits",
            "--y",
            "payroll",
            "--out",
            str(tmp_path / "o"),
        ],
    )
    assert ok.exit_code == 0, ok.output
    assert pl.read_csv(tmp_path / "o" / "frontier.csv").select("x", "y").rows() == FRONTIER
    priced = runner.invoke(app, ["price", str(tmp_path / "sc"), "--out", str(tmp_path / "pr")])
    assert priced.exit_code == 0, priced.output
    assert (tmp_path / "pr" / "prices.csv").exists()
    cmp = runner.invoke(
        app,
        [
            "compare",
            str(tmp_path / "o" / "point_01"),
            str(tmp_path / "o" / "point_03"),
            "--out",
            str(tmp_path / "c.xlsx"),
        ],
    )
    assert cmp.exit_code == 0, cmp.output
    assert (tmp_path / "c.xlsx").exists()
    missing = runner.invoke(
        app, ["compare", str(tmp_path / "o" / "point_01"), str(tmp_path / "nowhere")]
    )
    assert missing.exit_code == 2
    infeasible = tmp_path / "inf"
    write_scenario(trade_scenario(departments={"max_staff": 1}), infeasible)
    assert (
        runner.invoke(app, ["price", str(infeasible), "--out", str(tmp_path / "x")]).exit_code == 3
    )
    assert (
        runner.invoke(
            app,
            [
                "pareto",
                str(infeasible),
                "--x",
                "payroll",
                "--y",
                "disruption",
                "--out",
                str(tmp_path / "y"),
            ],
        ).exit_code
        == 3
    )


# -- the embedded province -------------------------------------------------------------------

PROVINCE = Path(__file__).resolve().parents[2] / "data" / "quang_ninh_province"


@pytest.mark.bench
@pytest.mark.skipif(
    not (PROVINCE / "scenario.toml").exists(), reason="data/quang_ninh_province not available"
)
def test_province_payroll_against_disruption(tmp_path: Path):
    from planner.io import read_scenario

    sc = read_scenario(PROVINCE)
    start = time.perf_counter()
    result = pareto(sc, "payroll", "disruption", points=6, out=tmp_path)  # default budget
    print(
        f"\n{time.perf_counter() - start:.1f} s\n{result.frontier.select('x', 'y', 'objective', 'status', 'proven')}"
    )
    assert time.perf_counter() - start < 120 + 15  # the default budget, then the writes
    assert result.frontier.height >= 3
    pairs = result.frontier.select("x", "y").rows()
    assert non_dominated(pairs) == list(range(len(pairs)))
    assert_points_checked_any(sc, result, "payroll", "disruption")


def assert_points_checked_any(scenario, result, x: str, y: str) -> None:
    for point, rec in zip(result.points, result.frontier.iter_rows(named=True), strict=True):
        report = check(scenario, point.result.plan)
        assert report.ok, report.lines()
        assert (rec["x"], rec["y"]) == (report.terms[x], report.terms[y])


# -- one time budget for the whole run ---------------------------------------------------------

DISTRICT = Path(__file__).resolve().parents[2] / "data" / "quang_ninh_district"


def test_budget_shares_what_is_left():
    from planner.tradeoffs.common import MIN_SOLVE, Budget

    b = Budget(10.0)
    assert b.share(5) == pytest.approx(2.0, abs=0.05)
    # the base of a price run: weight 3 among 4 solves -> 3/6 of what is left
    assert b.share(4, weight=3) == pytest.approx(5.0, abs=0.05)
    b.start -= 8.0  # 8 s spent: the 2 s left go to the solves still to come
    assert b.share(2) == pytest.approx(1.0, abs=0.05)
    assert Budget(10.0, reserve=9.0).share(1) == pytest.approx(1.0, abs=0.05)
    b.start -= 1.7  # under MIN_SOLVE left: nothing more is started
    assert b.left() < MIN_SOLVE and b.share(1) is None
    with pytest.raises(ValueError):
        Budget(0)
    # deterministic: the shares follow the budget handed out, never the wall clock
    d = Budget(10.0, deterministic=True)
    d.start -= 100.0
    assert [d.share(4), d.share(3), d.share(2), d.share(1)] == pytest.approx([2.5] * 4)
    assert d.share(1) is None


@pytest.mark.skipif(not (DISTRICT / "scenario.toml").exists(), reason="no embedded district")
def test_pareto_and_price_keep_one_time_limit(tmp_path: Path):
    """--time-limit T is for the whole run (it was for each solve): T plus a little."""
    from planner.io import read_scenario

    sc = read_scenario(DISTRICT)
    start = time.perf_counter()
    result = pareto(sc, "payroll", "disruption", points=4, time_limit=6, out=tmp_path / "p")
    took = time.perf_counter() - start
    assert took < 6 + 8, took  # generous: the machine may be loaded
    assert result.points, "the district has a plan within seconds"
    for rec in result.frontier.iter_rows(named=True):
        # proven means every stage of that point's solve was proven optimal
        assert rec["proven"] == (rec["status"] == "optimal")
        folder = tmp_path / "p" / rec["folder"]
        assert check(sc, read_plan(folder), read_summary(folder)).ok
    start = time.perf_counter()
    frame = price(sc, time_limit=8, out=tmp_path / "pr")
    took = time.perf_counter() - start
    assert took < 8 + 8, took
    assert not frame.is_empty()
    for rec in frame.iter_rows(named=True):
        assert not rec["proven"] or rec["status"] == "optimal"
        assert rec["saving"] >= 0


def test_price_rows_out_of_budget_are_marked_not_solved():
    from planner.tradeoffs.price import Relaxation, _price_row

    sc = trade_scenario()
    base = pareto(sc, "involuntary_exits", "payroll", points=2).points[0].result
    skipped = SolveResult(status=Status.TIMEOUT, stats={"skipped": True})
    row = _price_row(Relaxation("targets.max_payroll", "1", "2", sc), base, base, skipped)
    assert (row["saving"], row["binding"], row["proven"]) == (0, False, False)
    assert "time limit was spent" in row["note"]


def test_price_range_from_the_bounds_of_both_solves():
    """The true saving OPT − OPT_relaxed lies in [floor − relaxed plan, best plan −
    relaxed bound]; a looser scenario's bound lifts the base's (``_base_floor``)."""
    from planner.tradeoffs.price import Relaxation, _base_floor, _price_row

    sc = trade_scenario()
    rel = Relaxation("targets.max_payroll", "1", "2", sc)

    def res(status: Status, objective: int, bound: int | None) -> SolveResult:
        return SolveResult(status=status, objective=objective, bound=bound)

    base = res(Status.OPTIMAL, 100, 100)
    # relaxed not proven: the saving is known to lie in 10..12 only
    open_row = _price_row(rel, base, base, res(Status.FEASIBLE, 90, 88), 100)
    assert (open_row["saving"], open_row["saving_low"], open_row["saving_high"]) == (10, 10, 12)
    assert not open_row["proven"]
    # both proven: exact
    exact = _price_row(rel, base, base, res(Status.OPTIMAL, 90, 90), 100)
    assert (exact["saving_low"], exact["saving_high"], exact["proven"]) == (10, 10, True)
    # an unproven base (bound 95) whose relaxation is proven at 100: the relaxed optimum
    # bounds the base's from below, so the base is optimal and the policy costs nothing
    loose = res(Status.FEASIBLE, 100, 95)
    relaxed = res(Status.OPTIMAL, 100, 100)
    floor = _base_floor(loose, [relaxed])
    assert floor == 100
    row = _price_row(rel, loose, loose, relaxed, floor)
    assert (row["saving"], row["saving_low"], row["saving_high"], row["proven"]) == (
        0,
        0,
        0,
        True,
    )
    # no bound for the relaxed solve: only the lower end is known
    none = _price_row(rel, base, base, SolveResult(status=Status.TIMEOUT), 100)
    assert (none["saving_low"], none["saving_high"], none["proven"]) == (0, None, False)
