"""Counting arguments prove infeasibility before any model is built (issue 14).

Each test builds a tiny scenario that one necessary condition rules out, checks
the named conflicts, and that CP-SAT agrees (the explanation path, without the
precheck, also finds no plan): a precheck must never refuse a feasible scenario.
"""

from __future__ import annotations

import pytest

import planner.search.solve as solve_module
from models import Status
from planner.search.precheck import precheck
from planner.search.solve import solve
from tests.tiny import person, tiny, work

CASES = {
    # 3 staff, min_reduction 0.5 -> 2 exits; 2 protected must stay: at most 1 may.
    "protected": (
        lambda: tiny(
            [
                person("S0", position="head", protected=True),
                person("S1", protected=True),
                person("S2"),
            ],
            targets={"min_reduction": 0.5},
        ),
        {"staff.protected", "targets.min_reduction"},
    ),
    # 2 departments need 1 head each, min 1 deputy: 4 posts > 3 allowed.
    "posts": (
        lambda: tiny(
            [person(f"S{i}", position="head") for i in range(6)],
            departments={"count": 2, "min_deputies": 1},
            targets={"max_leadership_posts": 3},
            functions=[work("F1"), work("F2")],
        ),
        {"departments.count", "departments.min_deputies", "targets.max_leadership_posts"},
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_precheck_names_the_conflict_and_the_solver_agrees(case, monkeypatch):
    make, expected = CASES[case]
    sc = make()
    failed = precheck(sc)
    assert failed and set(failed[0].conflicts) == expected
    res = solve(sc, time_limit=10)
    assert res.status is Status.INFEASIBLE
    assert set(res.conflicts) == expected
    assert res.stats["precheck"]
    monkeypatch.setattr(solve_module, "precheck", lambda sc: [])
    assert solve(sc, time_limit=10, explain=False).status is Status.INFEASIBLE


def test_precheck_is_silent_on_the_embedded_scenarios():
    from planner.io import read_scenario

    for path in ("data/quang_ninh_province", "data/quang_ninh_district"):
        assert precheck(read_scenario(path)) == []
