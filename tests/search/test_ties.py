"""Plans that tie (planner/search/ties.py): interchangeable people who could trade places."""

from __future__ import annotations

from models import Status
from planner.checking.check import check
from planner.search.solve import solve
from planner.search.ties import ties
from tests.tiny import person, tiny, work


def test_two_equal_members_one_of_whom_leaves_tie_and_a_cheaper_one_does_not() -> None:
    # Two FTE of work: the head and one member stay, one of m1, m2 leaves (a third of
    # three must). With equal salaries, the plan that
    # keeps m2 instead of m1 has the same figures: a tie. With m2 cheaper, keeping m2
    # costs less payroll, so that swap changes a figure: no tie.
    staff = [person("h", position="head", salary=5_000_000), person("m1"), person("m2")]
    equal = tiny(
        staff,
        weights={"payroll": 1},
        targets={"min_reduction": 0.3},
        functions=[work("f1", workload=2.0)],
    )
    result = solve(equal, workers=2)
    assert result.status is Status.OPTIMAL and result.plan is not None
    found = ties(equal, result.plan)
    assert (found.classes, found.people, found.any) == (1, 2, True)

    cheaper = [
        person("h", position="head", salary=5_000_000),
        person("m1"),
        person("m2", salary=900_000),
    ]
    unequal = tiny(
        cheaper,
        weights={"payroll": 1},
        targets={"min_reduction": 0.3},
        functions=[work("f1", workload=2.0)],
    )
    result = solve(unequal, workers=2)
    assert result.status is Status.OPTIMAL and result.plan is not None
    assert not ties(unequal, result.plan).any


def test_the_swap_it_counts_is_another_plan_with_the_same_figures() -> None:
    staff = [person("h", position="head", salary=5_000_000), person("m1"), person("m2")]
    sc = tiny(
        staff,
        weights={"payroll": 1},
        targets={"min_reduction": 0.3},
        functions=[work("f1", workload=2.0)],
    )
    result = solve(sc, workers=2)
    assert result.plan is not None
    stay = {a.staff_id: a for a in result.plan.staff}
    swapped = result.plan.model_copy(
        update={
            "staff": tuple(
                a.model_copy(update={"dept_id": stay[o].dept_id, "role": stay[o].role})
                if (o := {"m1": "m2", "m2": "m1"}.get(a.staff_id))
                else a
                for a in result.plan.staff
            )
        }
    )
    assert swapped != result.plan
    report = check(sc, swapped)
    assert report.ok and report.terms == result.terms
