"""Cross-check CP-SAT's claimed optima against exhaustive enumeration.

OR-Tools 9.15 can certify a wrong optimum on exactly-one + linear models
(google/or-tools#5293). On random micro scenarios (4 people, 2 departments,
3 functions) we enumerate every plan, keep those the independent checker
accepts, and compare the best weighted objective with the solver's: status
and value must agree exactly.
"""

from __future__ import annotations

import itertools
import random

import pytest

from models import (
    FunctionAssignment,
    FunctionKind,
    Organization,
    Plan,
    Role,
    Scenario,
    StaffAssignment,
    Status,
    Unit,
)
from planner.checking.check import check, objective_value
from planner.search.solve import solve
from tests.tiny import person, tiny, work


def micro(seed: int) -> Scenario:
    rng = random.Random(seed)
    orgs = [
        Organization(org_id="A", min_staff=rng.choice([0, 1]), min_leaders=rng.choice([0, 1])),
        Organization(org_id="B", min_staff=rng.choice([0, 0, 1]), min_leaders=0),
    ]
    units = [Unit(unit_id="UA", org_id="A"), Unit(unit_id="UB", org_id="B")]
    staff = []
    for i in range(4):
        position = "head" if i < 2 else rng.choice(["deputy", "staff", "staff"])
        staff.append(
            person(
                f"s{i}",
                unit=rng.choice(["UA", "UB"]),
                position=position,
                salary=rng.randrange(1, 10) * 1_000_000,
                fte=rng.choice([0.5, 1.0, 1.0]),
                skills=rng.choice(["", "law", "law;it"]),
                retiring=rng.random() < 0.25,
                protected=rng.random() < 0.1,
                can_lead=position != "staff" or rng.random() < 0.3,
            )
        )
    functions = []
    for j in range(3):
        kind = rng.choice(["shared", "divided", "reserved"])
        functions.append(
            work(
                f"f{j}",
                domain=rng.choice(["office", "policy"]),
                workload=rng.choice([0.5, 0.5, 1.0, 1.5]),
                kind=kind,
                org_id=rng.choice(["A", "B"]),
                unit_id=rng.choice(["UA", "UB", None]),
                skill=rng.choice([None, None, None, "law"]),
                lead_candidates="A;B" if kind == "divided" else "",
            )
        )
    weights = {
        t: rng.choice([0, 1, 5, 50])
        for t in (
            "involuntary_exits",
            "disruption",
            "fragmentation",
            "imbalance",
            "leadership_churn",
            "lead_preference",
        )
    }
    weights["payroll"] = rng.choice([0, 1])
    return tiny(
        staff,
        functions,
        orgs=orgs,
        units=units,
        weights=weights,
        departments={
            "count": 2,
            "min_staff": 1,
            "max_deputies": 1,
            "max_deputy_share": rng.choice([0.5, 1.0]),
        },
        allowances={"head": 0.5, "deputy": 0.3},
        targets={
            "min_reduction": rng.choice([None, 0.25]),
            "max_overstaff": rng.choice([None, 1.0]),
            "max_leader_share": rng.choice([None, None, 0.5]),
        },
    )


def brute_force(sc: Scenario) -> int | None:
    """The best weighted objective over every plan the checker accepts (None: no plan)."""
    depts = sc.dept_ids
    options = []
    for s in sc.staff:
        roles = [Role.MEMBER, *([Role.HEAD, Role.DEPUTY] if s.can_lead else [])]
        options.append([(None, Role.EXIT), *[(d, r) for d in depts for r in roles]])
    fn_options = []
    for f in sc.functions:
        leads = f.lead_candidates if f.kind is FunctionKind.DIVIDED else (None,)
        fn_options.append([(d, lead) for d in depts for lead in leads])
    best = None
    for combo in itertools.product(*options):
        heads = [d for d, r in combo if r is Role.HEAD]
        if sorted(heads) != sorted(depts):  # C6: exactly one head per department
            continue
        staff = tuple(
            StaffAssignment.model_construct(
                staff_id=s.staff_id,
                org_id=sc.unit_org[s.unit_id],
                unit_id=s.unit_id,
                dept_id=d,
                role=r,
            )
            for s, (d, r) in zip(sc.staff, combo, strict=True)
        )
        for placed in itertools.product(*fn_options):
            if {d for d, _ in placed} != set(depts):  # every department hosts work
                continue
            functions = tuple(
                FunctionAssignment.model_construct(
                    function_id=f.function_id, dept_id=d, lead_org=lead
                )
                for f, (d, lead) in zip(sc.functions, placed, strict=True)
            )
            report = check(
                sc, Plan.model_construct(staff=staff, functions=functions, departments=())
            )
            if report.ok:
                value = objective_value(report.terms, sc.settings)
                best = value if best is None else min(best, value)
    return best


@pytest.mark.parametrize("seed", range(30))
def test_claimed_optimum_matches_enumeration(seed):
    sc = micro(seed)
    expected = brute_force(sc)
    result = solve(sc, time_limit=20)
    if expected is None:
        assert result.status is Status.INFEASIBLE
    else:
        assert result.status is Status.OPTIMAL, result.violations
        assert result.objective == expected
        assert check(sc, result.plan).ok
