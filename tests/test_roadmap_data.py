"""The embedded scenarios' roadmaps (SPEC §8, data/README.md): the figures they reproduce."""

from __future__ import annotations

from pathlib import Path

import pytest

from models import DepartureReason, Role, Status
from planner.domain.periods import retirement_periods
from planner.domain.retirement import package
from planner.io import read_scenario
from planner.search.roadmap import roadmap
from planner.search.solve import solve

DATA = Path(__file__).resolve().parents[1] / "data"


def test_every_embedded_person_has_a_birth_date_gender_and_service() -> None:
    for name in ("quang_ninh_province", "quang_ninh_district"):
        sc = read_scenario(DATA / name)
        assert all(s.birth_date and s.gender and s.service_years >= 0 for s in sc.staff)
        retire = retirement_periods(sc)
        T = sc.settings.roadmap.periods
        # attrition does work: some retire within the horizon, flagged ones in year 1
        assert sum(r <= T for r in retire) >= 4
        assert all(retire[i] == 2 for i, s in enumerate(sc.staff) if s.retiring)


def test_district_roadmap_needs_fewer_early_exits_than_the_one_step_plan() -> None:
    """15.5 % gone by period 2 (6 of 35), 4 of them by retirement: 2 early exits and
    55,618 thousand of packages, where the one-step plan has 3 involuntary exits whose
    packages would cost 2,061,084 thousand at first-year rates."""
    sc = read_scenario(DATA / "quang_ninh_district")
    result = roadmap(sc, time_limit=60)
    assert result.status is Status.OPTIMAL, result.violations
    gone_2 = sum(1 for a in result.roadmap.staff if a.period == 2 and a.role.value == "gone")
    assert gone_2 >= 6 == -(-155 * 35 // 1000)
    retired_2 = sum(
        1
        for d in result.roadmap.departures
        if d.period <= 2 and d.reason is DepartureReason.RETIREMENT
    )
    assert retired_2 == 4
    one = solve(sc, time_limit=60)
    staff = {s.staff_id: s for s in sc.staff}
    involuntary = [
        a.staff_id for a in one.plan.staff if a.role is Role.EXIT and not staff[a.staff_id].retiring
    ]
    assert result.kpis.early_exits < len(involuntary) == one.terms["involuntary_exits"] == 3
    one_step_packages = sum(package(staff[i], sc.settings.roadmap, 1) for i in involuntary)
    assert result.kpis.total_packages < one_step_packages
    assert (result.kpis.early_exits, result.kpis.total_packages) == (2, 55_618)
    assert result.kpis.net_savings > 0


@pytest.mark.bench
def test_province_roadmap_comes_back_to_the_norm_below_unchanged() -> None:
    sc = read_scenario(DATA / "quang_ninh_province")
    result = roadmap(sc, time_limit=60)
    assert result.status.has_plan, result.violations
    last = result.roadmap.periods[-1]
    assert last.posts == 18 and last.deputies == 12
    assert result.kpis.total_cost < result.kpis.cost_unchanged
    assert result.kpis.payback_period is not None
