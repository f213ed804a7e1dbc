"""The warm start of large scenarios (first plan, LNS, full model) keeps solves exact."""

from __future__ import annotations

import pytest
from ortools.sat.python import cp_model

import planner.search.solve as solve_module
from models import Status
from planner.checking.check import check
from planner.cpsat.builder import add_plan_hint, build, complete_hint
from planner.io import read_scenario


@pytest.fixture(scope="module")
def district():
    return read_scenario("data/quang_ninh_district")


def test_warm_start_reaches_the_same_optimum(district, monkeypatch):
    plain = solve_module.solve(district, time_limit=30)
    monkeypatch.setattr(solve_module, "WARM_START_STAFF", 10)  # force the two-phase path
    warm = solve_module.solve(district, time_limit=30)
    assert plain.status is Status.OPTIMAL and warm.status is Status.OPTIMAL
    assert warm.objective == plain.objective
    assert check(district, warm.plan).ok


def test_complete_hint_fills_every_variable_with_a_feasible_solution(district):
    plan = solve_module.solve(district, time_limit=30).plan
    built = build(district)
    add_plan_hint(built, plan)
    assert len(built.model.proto.solution_hint.vars) < len(built.model.proto.variables)
    assert complete_hint(built)
    assert len(built.model.proto.solution_hint.vars) == len(built.model.proto.variables)
    solver = cp_model.CpSolver()
    solver.parameters.fix_variables_to_their_hinted_value = True
    solver.parameters.presolve_inclusion_work_limit = 0
    solver.parameters.num_workers = 1
    assert solver.solve(built.model) in (cp_model.OPTIMAL, cp_model.FEASIBLE)


def test_complete_hint_leaves_a_violating_hint_alone(district):
    plan = solve_module.solve(district, time_limit=30).plan
    stricter = district.with_settings(
        district.settings.with_overrides({"targets.min_reduction": 0.5})
    )
    built = build(stricter)
    add_plan_hint(built, plan)
    before = list(built.model.proto.solution_hint.vars)
    assert not complete_hint(built)
    assert list(built.model.proto.solution_hint.vars) == before


def test_warm_start_progress_never_reports_a_bound_above_the_optimum(district, monkeypatch):
    monkeypatch.setattr(solve_module, "WARM_START_STAFF", 10)
    seen: list[tuple[float, float, float]] = []
    res = solve_module.solve(district, time_limit=30, on_progress=lambda *p: seen.append(p))
    assert res.status is Status.OPTIMAL
    assert seen and seen[0][2] == 0.0  # the first plan (constructive) proves nothing
    assert all(b <= res.objective for _, _, b in seen)


def test_warm_start_from_the_elastic_model_reaches_the_same_optimum(district, monkeypatch):
    # The two-phase path with the constructive plan switched off: the first plan comes
    # from the elastic model's repair (planner.cpsat.feasibility).
    plain = solve_module.solve(district, time_limit=30)
    monkeypatch.setattr(solve_module, "WARM_START_STAFF", 10)
    monkeypatch.setattr(solve_module, "construct", lambda sc, where, holders=None: None)
    warm = solve_module.solve(district, time_limit=30)
    assert warm.status is Status.OPTIMAL and warm.objective == plain.objective


def test_a_roadmap_from_the_last_periods_plan_stands_when_the_model_is_not_built_in_time(
    monkeypatch,
):
    # The province (186 staff) as a 5-period roadmap; the model's build "times out" at its
    # first deadline check: the roadmap made from the last period's plan, which the
    # independent checker has accepted, is the result (checked again here).
    import planner.cpsat.roadmap as cpsat_roadmap
    import planner.search.roadmap as roadmap_module
    from planner.checking.check_roadmap import check_roadmap
    from planner.cpsat.builder import BuildTimeout

    sc = read_scenario("data/quang_ninh_province")
    sc = sc.with_settings(sc.settings.with_overrides({"roadmap.periods": 5}))
    built = []

    def never_in_time(scenario, *, deadline=None, **kw):  # type: ignore[no-untyped-def]
        built.append(deadline)
        if deadline is not None:
            raise BuildTimeout
        return cpsat_roadmap.build_roadmap(scenario, **kw)

    monkeypatch.setattr(roadmap_module, "build_roadmap", never_in_time)
    progress = []
    result = roadmap_module.roadmap(
        sc, time_limit=20, on_progress=lambda s, o, b: progress.append((s, o))
    )
    assert built and built[0] is not None  # a deadline was set: a checked roadmap was in hand
    assert result.status is Status.FEASIBLE and result.bound is None
    assert result.stats["first_roadmap"] == "constructed"
    assert progress and progress[0][1] == result.objective
    assert check_roadmap(sc, result.roadmap).lines() == []


def _no_full_model(*args, **kwargs):  # type: ignore[no-untyped-def]
    raise AssertionError("the full model was started")


def test_the_first_plan_stands_when_the_full_models_presolve_cannot_end_in_time(
    district, monkeypatch
):
    # The district on the warm-start path with a presolve estimate of an hour: neither
    # the LNS nor the full model starts (on many-depts-3000 at 10 s, a full model given
    # 2.56 s returned after 3.47 s with nothing), and the checked first plan is the answer.
    monkeypatch.setattr(solve_module, "WARM_START_STAFF", 10)
    monkeypatch.setattr(solve_module, "presolve_seconds", lambda built, seconds: 3600.0)
    monkeypatch.setattr(solve_module, "run", _no_full_model)
    monkeypatch.setattr(solve_module, "improve", _no_full_model)
    result = solve_module.solve(district, time_limit=5)
    assert result.status is Status.FEASIBLE and result.bound is None
    assert result.stats["first_plan"] == "construct"
    assert result.runtime < 5
    assert check(district, result.plan).ok


def test_the_lns_gets_the_time_the_full_models_presolve_could_not_use(district, monkeypatch):
    # Time for the hint and some LNS steps, not for the full model after them: the LNS
    # gets all that is left, and its best plan (a solution of the full model) is checked.
    from planner.cpsat.lns import improve as real_improve

    given: list[float] = []

    def spy(built, solution, settings, seconds, **kw):  # type: ignore[no-untyped-def]
        given.append(seconds)
        return real_improve(built, solution, settings, seconds, **kw)

    monkeypatch.setattr(solve_module, "WARM_START_STAFF", 10)
    # 6 s: about 5.8 s are left after the hint, over the 4 s presolve; the LNS's share
    # (0.4 × 6 s) would leave 3.4 s, under it.
    monkeypatch.setattr(solve_module, "presolve_seconds", lambda built, seconds: 4.0)
    monkeypatch.setattr(solve_module, "run", _no_full_model)
    monkeypatch.setattr(solve_module, "improve", spy)
    result = solve_module.solve(district, time_limit=6)
    assert len(given) == 1 and given[0] > solve_module.LNS_SHARE * 6  # more than its share
    assert result.status is Status.FEASIBLE
    assert result.runtime < 6.5
    assert check(district, result.plan).ok


def test_a_full_model_the_gate_held_back_is_not_started_by_the_retry(district, monkeypatch):
    # The gate's estimate counts the build's time; the retry's cannot (3.3 s left here, over
    # its 0 s estimate): the retry of a search that ended early must not start what the gate
    # held back.
    import time

    def slow_incomplete_hint(built, **kw):  # type: ignore[no-untyped-def]
        time.sleep(2.5)  # about 5.8 s left before, 3.3 s after: under the 4 s estimate
        return False  # no LNS either

    monkeypatch.setattr(solve_module, "WARM_START_STAFF", 10)
    monkeypatch.setattr(
        solve_module, "presolve_seconds", lambda built, seconds: 0.0 if seconds is None else 4.0
    )
    monkeypatch.setattr(solve_module, "complete_hint", slow_incomplete_hint)
    monkeypatch.setattr(solve_module, "run", _no_full_model)
    result = solve_module.solve(district, time_limit=6)
    assert result.status is Status.FEASIBLE and result.stats["first_plan"] == "construct"
    assert check(district, result.plan).ok
