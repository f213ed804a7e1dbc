"""benchmarks.tighten: targets set at a plan's figures, the plan still passing, nothing looser."""

from __future__ import annotations

import math

import pytest

from benchmarks.shapes import ShapeSpec, generate_shape
from benchmarks.tighten import VARIANTS, tighten
from planner.checking.check import check
from planner.domain.kpis import Placement, payroll_after


@pytest.fixture(scope="module")
def shape():
    return generate_shape(ShapeSpec("lopsided-orgs-400", "lopsided-orgs", 400), 0)


@pytest.mark.parametrize("variant", VARIANTS)
def test_the_plan_still_passes_and_the_targets_sit_at_its_figures(shape, variant):
    sc = tighten(shape.scenario, shape.plan, variant)
    assert check(sc, shape.plan).ok
    pl = Placement(sc, shape.plan)
    t = sc.settings.targets
    if variant in ("budget", "all"):
        assert sc.required_exits == len(pl.exits)  # one exit fewer breaks C7
        assert t.max_payroll == math.ceil(payroll_after(pl))
    if variant in ("posts", "all"):
        assert t.max_leadership_posts == len(pl.posts())
        kept = {o.org_id: 0 for o in sc.organizations}
        for s in pl.dept_of_staff:
            kept[sc.staff_org[s]] += 1
        assert {o.org_id: o.min_staff for o in sc.organizations} == kept
    if variant in ("capacity", "all"):
        # some department sits within 10⁻⁴ of the slack: 1 % more would break C3 there
        tighter = sc.settings.model_copy(
            update={"targets": t.model_copy(update={"workload_slack": t.workload_slack + 0.01})}
        )
        assert not check(sc.replace(settings=tighter), shape.plan).ok


def test_structural_variants_narrow_the_scenario_around_the_plan(shape):
    sc0, plan = shape.scenario, shape.plan
    pl = Placement(sc0, plan)
    locked = tighten(sc0, plan, "locks")
    assert len(sc0.staff) / 5 < len(locked.locks) - len(sc0.locks) < len(sc0.staff)
    ruled = tighten(sc0, plan, "rules")
    k = len(sc0.departments)
    assert len(ruled.rules) - len(sc0.rules) == 3 * k
    scarce = tighten(sc0, plan, "skills")
    held = sum(len(s.skills) for s in sc0.staff)
    assert sum(len(s.skills) for s in scarce.staff) < held
    sized = tighten(sc0, plan, "sizes")
    assert sized.departments_given
    for d in sized.departments:
        lo, hi, _ = sized.dept_limits(d)
        assert lo == hi == len(pl.staff_in[d.dept_id])
    assert tighten(sc0, plan, "locks", seed=1).locks != locked.locks


def test_a_plan_that_does_not_pass_is_refused(shape):
    broken = shape.plan.model_copy(update={"staff": shape.plan.staff[1:]})
    with pytest.raises(ValueError, match="does not pass"):
        tighten(shape.scenario, broken, "all")
    with pytest.raises(ValueError, match="unknown variant"):
        tighten(shape.scenario, shape.plan, "everything")
