"""benchmarks.repeat: names resolve to the scenarios they stand for; runs are counted."""

from __future__ import annotations

import json

import pytest

import planner.search.solve as solve_module
from benchmarks.family import BY_NAME, unseen_limit
from benchmarks.repeat import main, scenario_of
from models import SolveResult, Status
from planner.checking.check import check


def test_names_resolve_to_family_instances_shapes_and_tightened_variants() -> None:
    assert len(scenario_of("tiny-2dept").staff) == len(BY_NAME["tiny-2dept"].build().scenario.staff)
    shape = scenario_of("together-chains-300")
    tight = scenario_of("together-chains-300/skills")
    assert len(shape.staff) == len(tight.staff) >= 250
    # the variant keeps each skill only with the fewest holders the known plan needs
    held = lambda sc: sum(len(s.skills) for s in sc.staff)  # noqa: E731
    assert held(tight) < held(shape)
    with pytest.raises(KeyError):
        scenario_of("no-such-instance")
    assert (unseen_limit(3_000), unseen_limit(3_001)) == (10.0, 30.0)


def test_every_run_is_a_json_line_and_the_plans_are_counted(monkeypatch, capsys) -> None:
    calls: list[float] = []

    def fake_solve(scenario, *, time_limit, seed, explain, on_progress):  # type: ignore[no-untyped-def]
        calls.append(time_limit)
        if len(calls) == 1:
            on_progress(1.25, 100.0, 0.0)
            return SolveResult(status=Status.FEASIBLE, runtime=2.0, objective=100)
        return SolveResult(status=Status.TIMEOUT, runtime=10.0)

    monkeypatch.setattr(solve_module, "solve", fake_solve)
    # recorded now, so that the teardown restores what --set changes
    monkeypatch.setattr(solve_module, "RESCUE_SHARE", solve_module.RESCUE_SHARE)
    assert main(["tiny-2dept", "--runs", "2", "--set", "RESCUE_SHARE=0.5"]) == 0
    assert solve_module.RESCUE_SHARE == 0.5
    out = capsys.readouterr().out.splitlines()
    first, second = (json.loads(line) for line in out[:2])
    assert calls == [10.0, 10.0]
    assert (first["status"], first["first_s"], first["objective"]) == ("feasible", 1.25, 100)
    assert (second["status"], second["first_s"]) == ("timeout", None)
    assert first["set"] == ["RESCUE_SHARE=0.5"]
    assert out[2] == "1 of 2 runs with a plan"


def test_an_unknown_constant_or_name_is_a_usage_error() -> None:
    with pytest.raises(SystemExit) as bad:
        main(["tiny-2dept", "--set", "NO_SUCH=1"])
    assert bad.value.code == 2
    with pytest.raises(SystemExit) as unknown:
        main(["no-such-instance"])
    assert unknown.value.code == 2


def test_the_tightened_variant_still_has_its_known_plan() -> None:
    from benchmarks.shapes import ShapeSpec, generate_shape
    from benchmarks.tighten import tighten

    shape = generate_shape(ShapeSpec("together-chains-300", "together-chains", 300), seed=1)
    assert check(tighten(shape.scenario, shape.plan, "skills"), shape.plan).ok
