"""Writing scenarios: every format reads back to an equal scenario; writes are atomic."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import planner.io.write as write_module
from models import Scenario, Settings
from planner.io import read_scenario, scenario_sha256, write_scenario
from planner.io.toml_write import settings_toml, toml_string
from tests.fixtures.scenario_files import TINY


@pytest.fixture(scope="module")
def tiny() -> Scenario:
    return read_scenario(TINY)


def _variant(scenario: Scenario, **changes: Any) -> Scenario:
    """``scenario`` with some tables' rows patched (``staff={0: {"name": …}}``), validated again."""
    data = scenario.model_dump()
    for table, rows in changes.items():
        for index, fields in rows.items():
            data[table][index].update(fields)
    return Scenario.model_validate(data)


def test_csv_xlsx_parquet_csv_round_trip(tmp_path: Path, tiny: Scenario) -> None:
    scenario = tiny
    for step, fmt in enumerate(["csv", "xlsx", "parquet", "csv"]):
        folder = write_scenario(scenario, tmp_path / f"{step}-{fmt}", format=fmt)  # type: ignore[arg-type]
        scenario = read_scenario(folder)
        assert scenario == tiny, fmt
        assert scenario_sha256(folder) == scenario_sha256(tiny)


def test_files_of_each_format(tmp_path: Path, tiny: Scenario) -> None:
    tables = ["departments", "functions", "locks", "organizations", "rules", "staff", "units"]
    for fmt, files in {
        "csv": [f"{t}.csv" for t in tables],
        "xlsx": ["scenario.xlsx"],
        "parquet": [f"{t}.parquet" for t in tables],
    }.items():
        folder = write_scenario(tiny, tmp_path / fmt, format=fmt)  # type: ignore[arg-type]
        assert sorted(p.name for p in folder.iterdir()) == sorted([*files, "scenario.toml"])


def test_staff_lists_joined_and_none_empty(tmp_path: Path, tiny: Scenario) -> None:
    folder = write_scenario(tiny, tmp_path / "out")
    lines = (folder / "staff.csv").read_text(encoding="utf-8").splitlines()
    assert (
        lines[0] == "staff_id,name,unit_id,position,salary,fte,skills,can_lead,retiring,protected"
    )
    assert lines[1] == "S1,Nguyễn Văn An,MT-VP,head,15000000,1.0,office;finance,true,false,true"
    functions = (folder / "functions.csv").read_text(encoding="utf-8").splitlines()
    assert functions[6] == 'F6,"Giám sát, phản biện",MT,,supervision,divided,0.5,,MT'


def test_generated_departments_are_not_written(tmp_path: Path, tiny: Scenario) -> None:
    data = tiny.model_dump()
    data.update(departments=(), locks=())
    scenario = Scenario.model_validate(data)
    assert not scenario.departments_given
    for fmt in ("csv", "xlsx", "parquet"):
        folder = write_scenario(scenario, tmp_path / fmt, format=fmt)  # type: ignore[arg-type]
        assert not any(p.stem == "departments" for p in folder.iterdir())
        again = read_scenario(folder)
        assert again == scenario and not again.departments_given


AWKWARD = {
    "organizations": {0: {"name": 'Mặt trận, "Tổ quốc"\nViệt Nam; 2025'}, 1: {"name": "  "}},
    "units": {0: {"name": "=SUM(A1:A2)"}, 1: {"name": "007"}},
    "staff": {
        0: {"name": "TRUE", "fte": 0.33, "salary": 10**10},
        1: {"name": "1e5", "skills": ("a b", "c,d")},
    },
    "functions": {0: {"workload": 0.07}, 1: {"workload": 12345.67}},
}


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "parquet"])
def test_awkward_values_survive_every_format(tmp_path: Path, tiny: Scenario, fmt: str) -> None:
    scenario = _variant(tiny, **AWKWARD)
    folder = write_scenario(scenario, tmp_path / "out", format=fmt)  # type: ignore[arg-type]
    again = read_scenario(folder)
    assert again.organizations[1].name == ""  # blank text is "not given"
    assert again == _variant(scenario, organizations={1: {"name": ""}})


def test_settings_toml_has_every_section_and_reads_back(tiny: Scenario) -> None:
    text = settings_toml(tiny.settings)
    assert [line for line in text.splitlines() if line.startswith("[")] == [
        f"[{s}]" for s in Settings.model_fields
    ] + ["[roadmap.package]", "[roadmap.objective]"]  # SPEC §8's sub-tables
    assert "# max_payroll = (not set)" in text
    assert Settings.model_validate(tomllib.loads(text)) == tiny.settings


@settings(max_examples=80, deadline=None)
@given(
    name=st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40),
    share=st.floats(0.0, 1.0),
    payroll=st.one_of(st.none(), st.floats(0.0, 1e15)),
)
def test_any_settings_survive_toml(name: str, share: float, payroll: float | None) -> None:
    original = Settings().with_overrides(
        {"scenario.name": name, "targets.min_reduction": share, "targets.max_payroll": payroll}
    )
    assert Settings.model_validate(tomllib.loads(settings_toml(original))) == original


def test_toml_string_escapes() -> None:
    text = 'a "q" \\ \t\n\x01 ư'
    assert tomllib.loads(f"x = {toml_string(text)}")["x"] == text


# -- atomic writes --------------------------------------------------------------------


def test_existing_folder_is_replaced(tmp_path: Path, tiny: Scenario) -> None:
    target = tmp_path / "out"
    write_scenario(tiny, target, format="xlsx")
    write_scenario(tiny, target, format="csv")
    assert not (target / "scenario.xlsx").exists() and (target / "staff.csv").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no staging or old folder left


def test_failed_write_leaves_the_earlier_folder_intact(
    tmp_path: Path, tiny: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "out"
    write_scenario(tiny, target)
    before = {p.name: p.read_bytes() for p in target.iterdir()}

    def half_written(frames: dict[str, Any], folder: Path) -> None:
        (folder / "staff.csv").write_text("partial", encoding="utf-8")
        raise OSError("disk full")

    monkeypatch.setattr(write_module, "_write_csv", half_written)
    with pytest.raises(OSError, match="disk full"):
        write_scenario(_variant(tiny, staff={0: {"salary": 1}}), target)
    assert {p.name: p.read_bytes() for p in target.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_parent_folders_are_created(tmp_path: Path, tiny: Scenario) -> None:
    folder = write_scenario(tiny, tmp_path / "a" / "b" / "scenario", format="parquet")
    assert read_scenario(folder) == tiny


def test_unknown_format_and_file_target_are_refused(tmp_path: Path, tiny: Scenario) -> None:
    with pytest.raises(ValueError, match="unknown format 'json'"):
        write_scenario(tiny, tmp_path / "x", format="json")  # type: ignore[arg-type]
    (tmp_path / "file").write_text("not a folder")
    with pytest.raises(FileExistsError):
        write_scenario(tiny, tmp_path / "file")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]
