"""The restricted-model warm start of large scenarios keeps solves exact."""

from __future__ import annotations

import pytest
from ortools.sat.python import cp_model

import planner.solve as solve_module
from models import Department, Lock, Rule, Status
from planner.check import check
from planner.cpsat.builder import add_plan_hint, build, complete_hint
from planner.cpsat.extract import extract_plan
from planner.cpsat.restrict import NEED_MARGIN, home_departments, place_functions, work_homes
from planner.cpsat.runner import run
from planner.io import read_scenario
from tests.tiny import person, tiny, work


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


# -- "follow the work": greedy placement, work homes, a completed hint ----------------


@pytest.fixture(scope="module")
def province():
    return read_scenario("data/quang_ninh_province")


def _placement_holds(sc, where) -> None:
    """C2, every department used, together rules, function locks and apart rules."""
    assert set(where) == set(range(len(sc.functions)))
    for f, d in where.items():
        assert sc.departments[d].hosts(sc.functions[f].domain), sc.functions[f].function_id
    assert set(where.values()) == set(range(len(sc.departments)))
    fid = {fn.function_id: i for i, fn in enumerate(sc.functions)}
    for rule in sc.rules:
        a = {where[fid[x]] for x in sc.rule_targets(rule.a)}
        b = {where[fid[x]] for x in sc.rule_targets(rule.b)}
        if rule.rule.value == "together":
            assert len(a | b) == 1
        else:
            assert not a & b
    for lk in sc.locks:
        if lk.kind.value == "function" and lk.dept_id is not None:
            assert sc.dept_ids[where[fid[lk.id]]] == lk.dept_id


@pytest.mark.parametrize("kind", ["district", "province", "central"])
def test_greedy_placement_holds_the_placement_constraints(kind, province, district):
    from planner.generate import generate

    sc = {"district": district, "province": province}.get(kind) or generate(kind, seed=2)
    where = place_functions(sc)
    assert where is not None
    _placement_holds(sc, where)


def test_greedy_placement_keeps_together_groups_and_locks():
    sc = tiny(
        [person("h", position="head", can_lead=True), person("m1"), person("m2"), person("m3")],
        [
            work("f1", "office"),
            work("f2", "office"),
            work("f3", "law"),
            work("f4", "law"),
            work("f5", "law"),
        ],
        depts=[
            Department(dept_id="D1", domains=("office", "law")),
            Department(dept_id="D2", domains=("office", "law")),
            Department(dept_id="D3", domains=("law",)),
        ],
        rules=[
            Rule(rule="together", a="f1", b="f3"),
            Rule(rule="apart", a="f2", b="f1"),
        ],
        locks=[Lock(kind="function", id="f4", dept_id="D2")],
        departments={"count": 3},
    )
    where = place_functions(sc)
    assert where is not None
    _placement_holds(sc, where)


def test_greedy_placement_reports_an_impossible_lock():
    sc = tiny(
        functions=[work("f1", "office"), work("f2", "office")],
        depts=[
            Department(dept_id="D1", domains=("office",)),
            Department(dept_id="D2", domains=("law",)),
        ],
        locks=[Lock(kind="function", id="f1", dept_id="D2")],
        departments={"count": 2},
    )
    assert place_functions(sc) is None


def test_work_homes_follow_the_work_and_cover_every_need(province):
    built = build(province)
    classes = built.var.classes
    where = place_functions(province)
    homes = work_homes(province, where, classes)
    unit_depts: dict[str, set[int]] = {}
    for f, fn in enumerate(province.functions):
        unit_depts.setdefault(fn.unit_id, set()).add(where[f])
    for c in classes:
        assert unit_depts.get(c.unit_id, set()) <= homes[c.index]
    # every required skill of a department can be covered (with margin) from its pool
    need: dict[tuple[int, str], int] = {}
    for f, fn in enumerate(province.functions):
        if fn.skill:
            need[where[f], fn.skill] = need.get((where[f], fn.skill), 0) + fn.workload_h
    for (d, s), w in need.items():
        pool = sum(c.size * c.fte_h for c in classes if s in c.skills and d in homes[c.index])
        every = sum(c.size * c.fte_h for c in classes if s in c.skills)
        assert pool >= min(NEED_MARGIN * w, every)
    # and the model restricted to those homes, with the placement fixed, has plans
    small = build(province, homes=lambda cl: work_homes(province, where, cl), placed=where)
    res = run(small, province.settings.with_overrides({"solver.time_limit": 30}), 30)
    assert res.status in ("optimal", "feasible")
    plan = extract_plan(small.var, res.solution)
    assert check(province, plan).ok
    dept_of = {fa.function_id: fa.dept_id for fa in plan.functions}
    assert all(
        dept_of[fn.function_id] == province.dept_ids[where[f]]
        for f, fn in enumerate(province.functions)
    )


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


def test_warm_start_progress_never_reports_a_restricted_bound(district, monkeypatch):
    monkeypatch.setattr(solve_module, "WARM_START_STAFF", 10)
    seen: list[tuple[float, float, float]] = []
    res = solve_module.solve(district, time_limit=30, on_progress=lambda *p: seen.append(p))
    assert res.status is Status.OPTIMAL
    assert seen and seen[0][2] == 0.0  # the first plan is the restricted model's
    assert all(b <= res.objective for _, _, b in seen)


def test_warm_start_falls_back_to_home_departments(district, monkeypatch):
    plain = solve_module.solve(district, time_limit=30)
    monkeypatch.setattr(solve_module, "WARM_START_STAFF", 10)
    monkeypatch.setattr(solve_module, "place_functions", lambda sc: None)
    warm = solve_module.solve(district, time_limit=30)
    assert warm.status is Status.OPTIMAL and warm.objective == plain.objective
