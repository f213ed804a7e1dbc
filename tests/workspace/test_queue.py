"""What the solve queue and the app ask of the workspace: the proven run of a question, roadmaps
kept as results, the database URL as a person reads it."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine

from models import RoadmapResult, Status
from planner.io import optimum_sha256, read_scenario, scenario_sha256
from planner.search.solve import solve, to_summary
from planner.workspace import open_store
from planner.workspace.results import result_table, save_roadmap
from planner.workspace.runs import proven_answer, record_run
from planner.workspace.store import Store

ROOT = Path(__file__).resolve().parents[2]
DISTRICT = ROOT / "data" / "quang_ninh_district"


def test_the_database_url_is_shown_without_percent_escapes() -> None:
    engine = create_engine("postgresql+psycopg://khoi:secret@/khoi?host=%2Frun%2Fpostgresql")
    shown = Store(engine).url
    assert "host=/run/postgresql" in shown and "%2F" not in shown
    assert "secret" not in shown


@pytest.mark.skipif(not (DISTRICT / "scenario.toml").is_file(), reason="no district data")
def test_the_proven_run_of_a_question_is_the_newest_optimal_one_of_the_same_input(
    tmp_path: Path,
) -> None:
    sc = read_scenario(DISTRICT)
    other = sc.with_settings(sc.settings.with_overrides({"solver.time_limit": 7}))
    result = solve(sc, time_limit=20, workers=2)
    assert result.status is Status.OPTIMAL
    unproven = result.model_copy(update={"status": Status.FEASIBLE})
    key = scenario_sha256(sc)
    with open_store(f"sqlite:///{tmp_path / 'w.db'}") as store:
        assert store.proven_run(key) is None
        first = store.save_run(sc, result, to_summary(result, sc, key), name=None, author="a")
        store.save_run(sc, unproven, to_summary(unproven, sc, key), name=None, author="b")
        store.save_run(
            other,
            result,
            to_summary(result, other, scenario_sha256(other)),
            name=None,
            author="c",
        )
        found = store.proven_run(key)
        assert found is not None and found.id == first.id  # not the unproven, not the other
        second = store.save_run(sc, result, to_summary(result, sc, key), name=None, author="d")
        newest = store.proven_run(key)
        assert newest is not None and newest.id == second.id
        plan, _, _ = store.plan_of(newest)
        assert plan == result.plan


@pytest.mark.skipif(not (DISTRICT / "scenario.toml").is_file(), reason="no district data")
def test_a_roadmap_is_kept_with_the_results(tmp_path: Path) -> None:
    sc = read_scenario(DISTRICT)
    with open_store(f"sqlite:///{tmp_path / 'w.db'}") as store:
        item = save_roadmap(store, sc, RoadmapResult(status=Status.TIMEOUT), author="Lan")
        (listed,) = store.items("roadmap")
        assert listed.id == item.id and listed.author == "Lan"
        assert listed.payload["summary"]["status"] == "timeout"
        assert result_table(listed).height == 0


@pytest.mark.skipif(not (DISTRICT / "scenario.toml").is_file(), reason="no district data")
def test_a_proven_run_answers_the_same_question_under_another_time_limit(tmp_path: Path) -> None:
    """An optimum does not depend on the time limit: a run proven optimal with 20 s answers
    the question asked with 90 s, its plan checked again under the new settings; another
    target, or a deterministic solve (its plan promised for its exact settings), does not."""
    sc = read_scenario(DISTRICT)

    def variant(**overrides: object):  # type: ignore[no-untyped-def]
        return sc.with_settings(sc.settings.with_overrides(overrides))

    at20, at90 = variant(**{"solver.time_limit": 20}), variant(**{"solver.time_limit": 90})
    harder = variant(**{"solver.time_limit": 20, "targets.min_reduction": 0.2})
    fixed = variant(**{"solver.time_limit": 90, "solver.deterministic": True})
    assert optimum_sha256(at20) == optimum_sha256(at90)
    assert scenario_sha256(at20) != scenario_sha256(at90)
    assert optimum_sha256(harder) != optimum_sha256(at20) != optimum_sha256(fixed)
    result = solve(at20, workers=2)
    assert result.status is Status.OPTIMAL
    url = f"sqlite:///{tmp_path / 'w.db'}"
    assert proven_answer(url, at90) is None
    run_id = record_run(url, at20, result, author="Lan", note="20 s")
    with open_store(url) as store:
        assert store.proven_run(scenario_sha256(at90)) is None  # the exact key alone: no
        found = store.proven_run(scenario_sha256(at90), optimum_sha256(at90))
        assert found is not None and found.id == run_id
    answer = proven_answer(url, at90)
    assert answer is not None
    assert answer[0] == run_id and answer[1].status is Status.OPTIMAL
    assert answer[1].plan == result.plan and answer[1].objective == result.objective
    assert proven_answer(url, harder) is None
    assert proven_answer(url, fixed) is None
    unproven = result.model_copy(update={"status": Status.FEASIBLE})
    record_run(url, at90, unproven, author="Lan")  # a newer run, not proven: not an answer
    again = proven_answer(url, at90)
    assert again is not None and again[0] == run_id
