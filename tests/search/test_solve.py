"""One small test per constraint family and term: feasible with the exact
optimum (derived by hand in the comment), infeasible with the expected named
conflicts, and every plan passing the independent checker."""

from __future__ import annotations

import pytest

from models import Department, Lock, Organization, Rule, Status, Unit
from planner.checking.check import check
from planner.search.solve import solve
from tests.tiny import person, tiny, work


def optimum(scenario, expected: int) -> object:
    result = solve(scenario)
    assert result.status is Status.OPTIMAL, (result.status, result.violations)
    assert result.objective == expected
    assert result.bound == expected
    assert check(scenario, result.plan).ok
    return result


def conflicts(scenario, expected: set[str]) -> None:
    result = solve(scenario)
    assert result.status is Status.INFEASIBLE
    assert result.plan is None
    assert set(result.conflicts) == expected


STAFF4 = [
    person("h", position="head", salary=10_000_000),
    person("a", salary=3_000_000),
    person("b", salary=4_000_000),
    person("c", salary=5_000_000),
]


def test_c3_workload_keeps_cheapest_cover():
    # workload 2.5 FTE needs 3 people; the head is the only leader: h + a + b = 17,000 thousand.
    r = optimum(tiny(STAFF4, [work("f1", workload=2.5)], weights={"payroll": 1}), 17_000)
    assert {a.staff_id for a in r.plan.staff if a.role == "exit"} == {"c"}


def test_c3_slack_needs_more():
    # (1 + 0.25) x 2.5 = 3.125 FTE: all four stay: 22,000.
    optimum(
        tiny(
            STAFF4,
            [work("f1", workload=2.5)],
            weights={"payroll": 1},
            targets={"workload_slack": 0.25},
        ),
        22_000,
    )


def test_c3_uncoverable_workload():
    conflicts(tiny(STAFF4, [work("f1", workload=4.5)]), {"functions.workload"})


def test_c3_overstaff_forces_exits():
    # fte <= (1 + 0) x 1.0 + 1 = 2 people, so two of four leave, none retiring: 2 involuntary.
    optimum(
        tiny(STAFF4, [work("f1")], weights={"involuntary_exits": 1}, targets={"max_overstaff": 0}),
        2,
    )


def test_c3_overstaff_against_min_staff():
    scenario = tiny(
        STAFF4, [work("f1")], targets={"max_overstaff": 0}, departments={"min_staff": 3}
    )
    conflicts(scenario, {"targets.max_overstaff", "departments.min_staff"})


def test_c4_skill_holder_kept():
    # only L holds "law": h (head) + L = 10M + 9M = 19,000 thousand (h alone would be 10,000).
    staff = [*STAFF4[:3], person("L", salary=9_000_000, skills="law")]
    optimum(tiny(staff, [work("f1", skill="law")], weights={"payroll": 1}), 19_000)


def test_c4_skill_shortage():
    staff = [*STAFF4[:3], person("L", salary=9_000_000, skills="law")]
    conflicts(tiny(staff, [work("f1", workload=1.5, skill="law")]), {"functions.skill"})


def test_c5_min_staff():
    # min_staff 3 keeps all three: 5M + 1M + 1M = 7,000; with min_staff 1 the head alone: 5,000.
    optimum(tiny(weights={"payroll": 1}, departments={"min_staff": 3}), 7_000)
    optimum(tiny(weights={"payroll": 1}), 5_000)


def test_c5_max_staff():
    conflicts(
        tiny(functions=[work("f1", workload=2)], departments={"max_staff": 1}),
        {"departments.max_staff", "functions.workload"},
    )


def test_c6_deputy_from_staff_counts_as_churn():
    # one deputy is required; only d (a staff member who can lead) can hold it: churn 1.
    staff = [person("h", position="head"), person("d", can_lead=True), person("m")]
    optimum(tiny(staff, weights={"leadership_churn": 1}, departments={"min_deputies": 1}), 1)


def test_c6_post_cap():
    staff = [person("h", position="head"), person("d", can_lead=True), person("m")]
    conflicts(
        tiny(staff, departments={"min_deputies": 1}, targets={"max_leadership_posts": 1}),
        {"targets.max_leadership_posts", "departments.min_deputies", "departments.count"},
    )


def test_c6_allowances_priced():
    # the head alone: 5,000,000 + 0.7 x 1,390,000 = 5,973,000 -> 5,973 thousand.
    optimum(tiny(weights={"payroll": 1}, allowances={"head": 0.7, "deputy": 0.5}), 5_973)


def test_c7_reduction_prefers_retiring():
    # ceil(0.5 x 4) = 2 exits; a is retiring, so one involuntary exit.
    staff = [person("h", position="head"), person("a", retiring=True), person("b"), person("c")]
    optimum(tiny(staff, weights={"involuntary_exits": 1}, targets={"min_reduction": 0.5}), 1)


def test_c7_protected_blocks_reduction():
    staff = [
        person("h", position="head"),
        person("a", retiring=True),
        person("b", protected=True),
        person("c", protected=True),
    ]
    conflicts(
        tiny(staff, targets={"min_reduction": 0.5}),
        {"targets.min_reduction", "staff.protected", "departments.count"},
    )


def test_c8_max_payroll():
    conflicts(
        tiny(targets={"max_payroll": 4_000_000}), {"targets.max_payroll", "departments.count"}
    )


def test_c8_income_raise():
    # before 7M; the head alone saves 2M >= 1M x 1 retained. Two retained would save at most 1M < 2M.
    optimum(tiny(weights={"payroll": 1}, targets={"min_income_raise": 1_000_000}), 5_000)
    conflicts(
        tiny(targets={"min_income_raise": 1_000_000}, departments={"min_staff": 2}),
        {"targets.min_income_raise", "departments.min_staff", "departments.count"},
    )


ORGS_AB = [
    Organization(org_id="A", min_staff=0, min_leaders=0),
    Organization(org_id="B", min_staff=2, min_leaders=0),
]
UNITS_AB = [Unit(unit_id="UA", org_id="A"), Unit(unit_id="UB", org_id="B")]
STAFF_AB = [
    person("h", position="head", salary=5_000_000),
    person("b1", unit="UB", salary=2_000_000),
    person("b2", unit="UB", salary=3_000_000),
]


def test_c9_min_staff_of_an_organisation():
    # B keeps both of its people: 5M + 2M + 3M = 10,000 thousand.
    optimum(tiny(STAFF_AB, orgs=ORGS_AB, units=UNITS_AB, weights={"payroll": 1}), 10_000)


def test_c9_min_leaders_without_leaders():
    orgs = [ORGS_AB[0], Organization(org_id="B", min_staff=0, min_leaders=1)]
    conflicts(tiny(STAFF_AB, orgs=orgs, units=UNITS_AB), {"organizations:B.min_leaders"})


def test_c10_reserved_work_keeps_its_organisation():
    # B's reserved work needs 1 FTE of B in the department: h + b1 = 7,000 (h alone: 5,000).
    orgs = [ORGS_AB[0], Organization(org_id="B", min_staff=0, min_leaders=0)]
    fn = [work("f1", kind="reserved", org_id="B")]
    optimum(tiny(STAFF_AB, fn, orgs=orgs, units=UNITS_AB, weights={"payroll": 1}), 7_000)
    fn_big = [work("f1", kind="reserved", org_id="B", workload=2.5)]
    conflicts(tiny(STAFF_AB, fn_big, orgs=orgs, units=UNITS_AB), {"functions.kind"})


def test_c11_lead_present_in_department():
    orgs = [ORGS_AB[0], Organization(org_id="B", min_staff=0, min_leaders=0)]
    fn = [work("f1", kind="divided", lead_candidates="B;A")]
    optimum(tiny(STAFF_AB, fn, orgs=orgs, units=UNITS_AB, weights={"lead_preference": 1}), 0)
    # B's people are locked out: A must lead, rank 1.
    out = [Lock(kind="staff", id="b1", role="exit"), Lock(kind="staff", id="b2", role="exit")]
    optimum(
        tiny(STAFF_AB, fn, orgs=orgs, units=UNITS_AB, locks=out, weights={"lead_preference": 1}), 1
    )


def test_c11_lead_quota():
    orgs = [ORGS_AB[0], Organization(org_id="B", min_staff=0, min_leaders=0)]
    fn = [work("f1", kind="divided", lead_candidates="B;A")]
    conflicts(
        tiny(STAFF_AB, fn, orgs=orgs, units=UNITS_AB, targets={"min_lead_tasks": 1}),
        {"targets.min_lead_tasks"},
    )


TWO_HEADS = [person("h1", position="head"), person("h2", position="head"), person("m")]


def test_c12_apart_fragments_a_domain():
    # two departments, two office functions: each department hosts one: fragmentation 1.
    fns = [work("f1"), work("f2")]
    rules = [Rule(rule="apart", a="f1", b="f2")]
    optimum(
        tiny(TWO_HEADS, fns, rules=rules, weights={"fragmentation": 1}, departments={"count": 2}), 1
    )


def test_c12_together_with_two_departments():
    fns = [work("f1"), work("f2"), work("f3", domain="policy")]
    rules = [Rule(rule="together", a="f1", b="f2")]
    # f1 and f2 share a department, f3 the other: no domain is split.
    r = optimum(
        tiny(TWO_HEADS, fns, rules=rules, weights={"fragmentation": 1}, departments={"count": 2}), 0
    )
    placed = {f.function_id: f.dept_id for f in r.plan.functions}
    assert placed["f1"] == placed["f2"] != placed["f3"]
    conflicts(
        tiny(TWO_HEADS, fns[:2], rules=rules, departments={"count": 2}),
        {"rules:row 2", "departments.count"},
    )


def test_c13_locks():
    optimum(
        tiny(locks=[Lock(kind="staff", id="m1", role="exit")], weights={"involuntary_exits": 1}), 1
    )
    conflicts(tiny(locks=[Lock(kind="staff", id="m1", role="head")]), {"locks:row 2"})


def test_c13_function_and_department_locks():
    depts = [Department(dept_id="X", name="X"), Department(dept_id="Y", name="Y")]
    fns = [work("f1"), work("f2")]
    locks = [
        Lock(kind="function", id="f1", dept_id="Y"),
        Lock(kind="staff", id="m", dept_id="Y", role="member"),
    ]
    r = optimum(tiny(TWO_HEADS, fns, depts=depts, locks=locks), 0)
    placed = {f.function_id: f.dept_id for f in r.plan.functions}
    assert placed == {"f1": "Y", "f2": "X"}
    assert next(a for a in r.plan.staff if a.staff_id == "m").dept_id == "Y"


def test_disruption_term():
    # staff of UA follow fa to D1, UB's to D2; a lock sends one UA person to D2: disruption 1.
    units = [Unit(unit_id="UA", org_id="A"), Unit(unit_id="UB", org_id="A")]
    depts = [Department(dept_id="D1", domains="office"), Department(dept_id="D2", domains="policy")]
    staff = [person("h1", position="head"), person("a"), person("h2", unit="UB", position="head")]
    fns = [work("fa", unit_id="UA"), work("fb", domain="policy", unit_id="UB")]
    base = dict(units=units, depts=depts, weights={"disruption": 1})
    optimum(tiny(staff, fns, **base), 0)
    optimum(tiny(staff, fns, locks=[Lock(kind="staff", id="a", dept_id="D2")], **base), 1)


def test_imbalance_term():
    # three people must stay (min_staff 3) for 2 FTE of work: surplus 100 hundredths.
    optimum(
        tiny(
            functions=[work("f1", workload=2)],
            weights={"imbalance": 1},
            departments={"min_staff": 3},
        ),
        100,
    )


@pytest.mark.parametrize("mode", ["weighted", "lexicographic"])
def test_modes_agree_on_a_dominant_term(mode):
    # involuntary exits first, then payroll: exit the retiring a (0 involuntary), keep h: 5M + ... minimal.
    staff = [
        person("h", position="head", salary=5_000_000),
        person("a", salary=1_000_000, retiring=True),
        person("b", salary=2_000_000),
    ]
    scenario = tiny(
        staff,
        weights={"involuntary_exits": 1000, "payroll": 1},
        targets={"min_reduction": 0.3},
        objective={"mode": mode, "priority": ["involuntary_exits", "payroll"]},
    )
    # exits >= ceil(0.9) = 1: a leaves (retiring); b may leave too to save 2M: payroll 5,000, involuntary 1?
    # Weighted: leaving b costs 1000 involuntary and saves 2000 payroll -> b leaves: 1000 + 5000 = 6000.
    # Lexicographic: involuntary first (0: only a leaves), then payroll 7,000: objective 1000*0 + 7000.
    expected = 6_000 if mode == "weighted" else 7_000
    optimum(scenario, expected)


@pytest.mark.parametrize("mode", ["weighted", "lexicographic"])
def test_deterministic_plan_does_not_depend_on_the_wall_clock(monkeypatch, mode: str) -> None:
    """A deterministic run stopped by its limit (province, 1 s of deterministic time)
    returns the same plan when building the model is slow (a loaded machine)."""
    import time
    from pathlib import Path

    import planner.search.solve as solve_module
    from planner.io import read_scenario

    sc = read_scenario(Path(__file__).resolve().parents[2] / "data" / "quang_ninh_province")
    sc = sc.with_settings(
        sc.settings.with_overrides({"solver.deterministic": True, "objective.mode": mode})
    )
    quick = solve(sc, time_limit=1)
    real_build = solve_module.build

    def slow_build(*args, **kwargs):  # type: ignore[no-untyped-def]
        time.sleep(0.6)
        return real_build(*args, **kwargs)

    monkeypatch.setattr(solve_module, "build", slow_build)
    slow = solve(sc, time_limit=1)
    assert quick.status in (Status.OPTIMAL, Status.FEASIBLE)
    assert (slow.status, slow.objective, slow.bound) == (quick.status, quick.objective, quick.bound)
    assert slow.plan == quick.plan


def test_the_closest_constructive_plan_is_measured_in_the_elastic_models_units() -> None:
    """``distance``: what the repair starts from is the constructive plan nearest to meeting
    every rule, each broken rule weighed as the elastic model weighs it (guards.FTE per
    hundredth of an FTE, 1 per 1 % of a base salary, guards.PERSON per person or post),
    not the plan that breaks the fewest rules."""
    from planner.checking.check import Violation
    from planner.cpsat.guards import FTE, PERSON
    from planner.search.solve import distance

    settings = tiny().settings
    step = settings.scenario.base_salary // 100
    few_but_far = [Violation("C5", "too few", "D1", 3)]  # three people short: one rule
    many_but_near = [Violation("C4", "short", f"D{i}/skill:law", 20) for i in range(5)]
    assert distance(few_but_far, settings) == 3 * PERSON
    assert distance(many_but_near, settings) == 5 * 20 * FTE
    assert distance(many_but_near, settings) < distance(few_but_far, settings)
    budget = [Violation("C8", "over", "", 2 * step + 1), Violation("used", "empty", None, None)]
    assert distance(budget, settings) == 3 + PERSON
