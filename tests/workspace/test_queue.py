"""What the solve queue and the app ask of the workspace: the proven run of a question, roadmaps
kept as results, the database URL as a person reads it."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine

from models import RoadmapResult, Status
from planner.io import read_scenario, scenario_sha256
from planner.search.solve import solve, to_summary
from planner.workspace import open_store
from planner.workspace.results import result_table, save_roadmap
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
