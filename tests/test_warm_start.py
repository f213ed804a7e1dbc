"""The restricted-model warm start of large scenarios keeps solves exact."""

from __future__ import annotations

import pytest

import planner.solve as solve_module
from models import Status
from planner.check import check
from planner.cpsat.builder import build
from planner.cpsat.restrict import home_departments
from planner.io import read_scenario


@pytest.fixture(scope="module")
def district():
    return read_scenario("data/quang_ninh_district")


def test_home_departments_cover_every_department(district):
    built = build(district)
    homes = home_departments(district, built.var.classes)
    assert set(homes) == {c.index for c in built.var.classes}
    reached = set().union(*homes.values())
    assert reached == set(range(len(district.departments)))


def test_warm_start_reaches_the_same_optimum(district, monkeypatch):
    plain = solve_module.solve(district, time_limit=30)
    monkeypatch.setattr(solve_module, "WARM_START_STAFF", 10)  # force the two-phase path
    warm = solve_module.solve(district, time_limit=30)
    assert plain.status is Status.OPTIMAL and warm.status is Status.OPTIMAL
    assert warm.objective == plain.objective
    assert check(district, warm.plan).ok
