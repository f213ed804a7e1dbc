"""The LP bound (``planner.cpsat.relaxation``) never exceeds an optimum.

Three kinds of evidence, none of which trusts CP-SAT's own claims:

- random CP-SAT models of every constraint kind the relaxation reads, small enough to
  enumerate every assignment: the bound is at most the enumerated optimum, and equal
  to it when HiGHS's LP solution is integral;
- the micro scenarios of ``test_enumeration.py``, whose optima come from enumerating
  every plan the independent checker accepts;
- the embedded district, one-step and roadmap, against their proven optima.
"""

from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ortools.sat.python import cp_model

from models import ObjectiveMode, Status
from planner.cpsat.builder import build
from planner.cpsat.objective import set_objective
from planner.cpsat.relaxation import SideBound, lp_bound
from planner.cpsat.roadmap import build_roadmap, set_roadmap_objective
from planner.io import read_scenario
from planner.search import roadmap as roadmap_search
from planner.search.solve import solve
from tests.cpsat.test_enumeration import brute_force, micro

DOMAIN = 3  # integer variables in 0..DOMAIN − 1 next to the Booleans


def _random_model(draw: st.DrawFn) -> tuple[cp_model.CpModel, list[cp_model.IntVar]]:
    """Two Booleans and two small integers under a random mix of every kind."""
    m = cp_model.CpModel()
    bools = [m.new_bool_var(f"b{i}") for i in range(2)]
    ints = [m.new_int_var(0, DOMAIN - 1, f"x{i}") for i in range(2)]
    every = [*bools, *ints]

    def literal() -> cp_model.IntVar:
        b = draw(st.sampled_from(bools))
        return b if draw(st.booleans()) else b.Not()

    def enforce(ct: cp_model.Constraint) -> None:
        if draw(st.booleans()):
            ct.only_enforce_if([literal() for _ in range(draw(st.integers(1, 2)))])

    for _ in range(draw(st.integers(1, 5))):
        kind = draw(st.sampled_from(["linear", "or", "and", "amo", "eo", "max"]))
        if kind == "linear":
            coefs = [draw(st.integers(-3, 3)) for _ in every]
            expr = sum(c * v for c, v in zip(coefs, every, strict=True))
            lo = draw(st.integers(-6, 6))
            hi = lo + draw(st.integers(0, 6))
            enforce(m.add_linear_constraint(expr, lo, hi))
        elif kind == "or":
            enforce(m.add_bool_or([literal(), literal()]))
        elif kind == "and":
            enforce(m.add_bool_and([literal()]))
        elif kind == "amo":
            m.add_at_most_one([literal(), literal()])
        elif kind == "eo":
            m.add_exactly_one([literal(), literal()])
        else:
            m.add_max_equality(ints[0], [ints[1], bools[0] + bools[1]])
    obj = [draw(st.integers(-5, 5)) for _ in every]
    m.minimize(sum(c * v for c, v in zip(obj, every, strict=True)) + draw(st.integers(-3, 3)))
    return m, every


def _enumerated_optimum(m: cp_model.CpModel, every: list[cp_model.IntVar]) -> int | None:
    """The least objective over every assignment that satisfies the model (by CP-SAT
    checking each fixed assignment: a feasibility test, not an optimisation)."""
    best = None
    for values in itertools.product(*[range(2), range(2), range(DOMAIN), range(DOMAIN)]):
        fixed = m.clone()
        for v, value in zip(every, values, strict=True):
            fixed.add(fixed.get_int_var_from_proto_index(v.index) == value)
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.cp_model_presolve = False
        if solver.solve(fixed) in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            value = round(solver.objective_value)
            best = value if best is None else min(best, value)
    return best


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_bound_never_exceeds_the_enumerated_optimum(data):
    m, every = _random_model(data.draw)
    optimum = _enumerated_optimum(m, every)
    r = lp_bound(m)
    if optimum is None:
        return  # any bound, or none, is valid for a model without solutions
    assert r.bound is not None and r.bound <= optimum, (r.bound, optimum)
    if r.integral:
        assert r.bound == optimum


def test_each_kind_is_read_exactly():
    """A hand-derived relaxation: x ≥ 5 when b (big-M 5: x ≥ 5b), min x + 3·(1 − b).
    The LP gives b = 0, value 3 = the integer optimum; with a bool_or on ¬b forced
    false (b = 1) the optimum is 5, and the lin_max target ≥ 4 lifts y."""
    m = cp_model.CpModel()
    x = m.new_int_var(0, 10, "x")
    b = m.new_bool_var("b")
    m.add(x >= 5).only_enforce_if(b)
    m.minimize(x + 3 * (1 - b))
    assert lp_bound(m).bound == 3
    m.add_bool_or([b])
    assert lp_bound(m).bound == 5
    y = m.new_int_var(0, 10, "y")
    m.add_max_equality(y, [x - 1, 4])
    m.minimize(x + y)
    assert lp_bound(m).bound == 9


def test_silent_on_stdout(capfd):
    """``planner solve --json`` prints only JSON: HiGHS must print nothing."""
    m = cp_model.CpModel()
    x = m.new_int_var(0, 3, "x")
    m.minimize(x)
    lp_bound(m)
    assert capfd.readouterr().out == ""


def _micro_model(seed: int) -> cp_model.CpModel:
    built = build(micro(seed))
    set_objective(built.model, built.var, ObjectiveMode.WEIGHTED)
    return built.model


@pytest.mark.parametrize("seed", range(0, 30, 2))  # the enumeration costs 1–8 s each
def test_bound_at_most_the_enumerated_plan_optimum(seed):
    optimum = brute_force(micro(seed))
    r = lp_bound(_micro_model(seed))
    if optimum is None:
        return
    assert r.bound is not None and r.bound <= optimum, (r.bound, optimum)
    if r.integral:
        assert r.bound == optimum


def test_district_one_step_and_roadmap():
    sc = read_scenario("data/quang_ninh_district")
    one = solve(sc, time_limit=30, explain=False)
    assert one.status is Status.OPTIMAL and one.objective is not None
    assert _one_step_bound(sc).bound <= one.objective
    road = roadmap_search.roadmap(sc, time_limit=60, explain=False)
    assert road.status is Status.OPTIMAL and road.objective is not None
    built = build_roadmap(sc)
    set_roadmap_objective(built, sc)
    r = lp_bound(built.model)
    assert r.bound is not None and r.bound <= road.objective
    assert r.bound >= 0.999 * road.objective  # the LP is within 0.1 % here (0.018 %)


def _one_step_bound(sc):
    built = build(sc)
    set_objective(built.model, built.var, ObjectiveMode.WEIGHTED)
    return lp_bound(built.model)


def test_roadmap_takes_the_side_bound(monkeypatch):
    """With the side bound on (every model size), the district roadmap's result names
    where its bound came from, and the LP's bound is at most the roadmap's objective."""
    monkeypatch.setattr("planner.cpsat.runner.SIDE_BOUND_VARIABLES", 0)
    sc = read_scenario("data/quang_ninh_district")
    road = roadmap_search.roadmap(sc, time_limit=30, explain=False)
    assert road.status.has_plan and road.objective is not None
    assert road.stats["bound_from"] in ("cp-sat", "lp relaxation")
    lp = road.stats["lp_bound"]
    assert lp is not None and lp <= road.objective
    assert road.bound is not None and road.bound >= lp


def test_side_bound_runs_beside_and_never_blocks():
    sc = read_scenario("data/quang_ninh_district")
    built = build(sc)
    set_objective(built.model, built.var, ObjectiveMode.WEIGHTED)
    side = SideBound(built.model, 10.0)
    assert side.wait(10.0) == lp_bound(built.model).bound
    assert side.seconds() is not None


def test_after_another_highs_in_the_process():
    """HiGHS's thread scheduler is global: once another HiGHS has run (the decomposition
    bound, the benchmarks' baselines), an LP that sets its own thread count fails."""
    import highspy

    other = highspy.Highs()
    other.setOptionValue("output_flag", False)
    other.run()
    m = cp_model.CpModel()
    x = m.new_int_var(0, 3, "x")
    m.add(x >= 1)
    m.minimize(x)
    assert lp_bound(m).bound == 1
