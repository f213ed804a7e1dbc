"""Reading valid scenarios: the tiny fixture, and every leniency SPEC §2 grants."""

from __future__ import annotations

from pathlib import Path

import pytest

from models import FunctionKind, Position, Scenario
from planner.io import read_scenario, scenario_sha256
from tests.fixtures.scenario_files import (
    TINY,
    copy_tiny,
    problem_lines,
    read_table,
    set_cell,
    to_parquet,
    to_xlsx,
    write_table,
)


@pytest.fixture(scope="module")
def tiny() -> Scenario:
    return read_scenario(TINY)


def test_tiny_fixture_reads_every_table(tiny: Scenario) -> None:
    assert [len(getattr(tiny, t)) for t in ("organizations", "units", "staff", "functions")] == [
        2,
        3,
        8,
        6,
    ]
    assert tiny.dept_ids == ("D1", "D2") and tiny.departments_given
    assert len(tiny.rules) == 2 and len(tiny.locks) == 3
    assert tiny.settings.departments.count == 2
    assert tiny.settings.targets.min_reduction == 0.125
    assert tiny.settings.targets.max_payroll is None  # left out: imposes nothing


def test_empty_cells_take_the_model_defaults(tiny: Scenario) -> None:
    s1, s5, s8 = tiny.staff[0], tiny.staff[4], tiny.staff[7]
    assert s1.can_lead and s1.position is Position.HEAD  # empty can_lead: true for a head
    assert s5.can_lead  # given explicitly for a staff member
    assert not tiny.staff[2].can_lead  # empty can_lead: false for staff
    assert s8.skills == () and s8.fte == 1.0
    f6 = tiny.functions[5]
    assert f6.unit_id is None and f6.skill is None
    assert f6.lead_candidates == ("MT",)  # divided, no candidates: the owning organisation


def test_lists_split_on_semicolons(tiny: Scenario) -> None:
    assert tiny.staff[0].skills == ("office", "finance")
    assert tiny.functions[3].lead_candidates == ("MT", "CD")
    assert tiny.departments[0].domains == ("office", "finance", "supervision")
    assert tiny.departments[1].domains == ()


def test_vietnamese_text_and_quoted_commas(tiny: Scenario) -> None:
    assert tiny.organizations[0].name == "Ủy ban Mặt trận Tổ quốc"
    assert tiny.functions[5].name == "Giám sát, phản biện"
    assert tiny.settings.scenario.name == "Tiny — hai tổ chức"


def test_yes_no_booleans_case_insensitive(tmp_path: Path) -> None:
    folder = copy_tiny(tmp_path)
    set_cell(folder, "staff", 3, "retiring", "YES")
    set_cell(folder, "staff", 3, "protected", "No")
    set_cell(folder, "staff", 4, "retiring", "1")
    set_cell(folder, "staff", 5, "retiring", "True")
    staff = read_scenario(folder).staff
    assert staff[1].retiring and not staff[1].protected
    assert staff[2].retiring and staff[3].retiring


def test_bom_and_crlf_accepted(tmp_path: Path, tiny: Scenario) -> None:
    folder = copy_tiny(tmp_path)
    for path in folder.glob("*.csv"):
        text = path.read_text(encoding="utf-8").replace("\n", "\r\n")
        path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert read_scenario(folder) == tiny


def test_reordered_and_extra_columns_accepted(tmp_path: Path, tiny: Scenario) -> None:
    folder = copy_tiny(tmp_path)
    header, *rows = read_table(folder, "staff")
    order = list(reversed(range(len(header))))
    records = [[r[j] for j in order] + ["ghi chú"] for r in [header, *rows]]
    records[0][-1] = "note"
    write_table(folder, "staff", records)
    assert read_scenario(folder) == tiny


def test_whitespace_around_cells_and_headers_is_ignored(tmp_path: Path, tiny: Scenario) -> None:
    folder = copy_tiny(tmp_path)
    records = read_table(folder, "units")
    write_table(folder, "units", [[f" {cell} " for cell in r] for r in records])
    assert read_scenario(folder) == tiny


def test_blank_lines_are_skipped_and_rows_keep_their_numbers(tmp_path: Path) -> None:
    folder = copy_tiny(tmp_path)
    records = read_table(folder, "staff")
    records.insert(2, [])
    records[4][records[0].index("salary")] = "x"  # spreadsheet row 5 after the blank row 3
    write_table(folder, "staff", records)
    assert problem_lines(folder) == ["staff.csv:5:salary: not a whole number"]


def test_optional_tables_may_be_absent(tmp_path: Path) -> None:
    folder = copy_tiny(tmp_path)
    for stem in ("departments", "rules", "locks"):
        (folder / f"{stem}.csv").unlink()
    scenario = read_scenario(folder)
    assert not scenario.departments_given
    assert scenario.dept_ids == ("D1", "D2")  # departments.count = 2
    assert scenario.rules == () and scenario.locks == ()


def test_empty_scenario_toml_means_defaults(tmp_path: Path) -> None:
    folder = copy_tiny(tmp_path)
    (folder / "scenario.toml").write_text("", encoding="utf-8")
    (folder / "locks.csv").unlink()  # locks name D1/D2, absent with the default count
    (folder / "departments.csv").unlink()
    scenario = read_scenario(folder)
    assert scenario.settings.departments.count == 6 and len(scenario.departments) == 6


def test_enum_values_are_case_insensitive(tmp_path: Path) -> None:
    folder = copy_tiny(tmp_path)
    set_cell(folder, "functions", 2, "kind", "Shared")
    set_cell(folder, "staff", 2, "position", "HEAD")
    scenario = read_scenario(folder)
    assert scenario.functions[0].kind is FunctionKind.SHARED
    assert scenario.staff[0].position is Position.HEAD


def test_spreadsheet_whole_numbers_accepted(tmp_path: Path) -> None:
    folder = copy_tiny(tmp_path)
    set_cell(folder, "staff", 2, "salary", "15000000.0")
    set_cell(folder, "organizations", 2, "min_staff", "2.0")
    scenario = read_scenario(folder)
    assert scenario.staff[0].salary == 15_000_000 and scenario.organizations[0].min_staff == 2


@pytest.mark.parametrize("convert", [to_xlsx, to_parquet], ids=["xlsx", "parquet"])
def test_same_tables_as_xlsx_or_parquet(tmp_path: Path, tiny: Scenario, convert) -> None:  # type: ignore[no-untyped-def]
    folder = copy_tiny(tmp_path)
    convert(folder)
    assert not list(folder.glob("*.csv"))
    scenario = read_scenario(folder)
    assert scenario == tiny
    assert scenario_sha256(scenario) == scenario_sha256(TINY)


def test_sha256_is_stable_and_content_sensitive(tmp_path: Path, tiny: Scenario) -> None:
    digest = scenario_sha256(TINY)
    assert len(digest) == 64 and digest == scenario_sha256(tiny) == scenario_sha256(TINY)
    folder = copy_tiny(tmp_path)
    set_cell(folder, "staff", 2, "fte", "0.9")
    assert scenario_sha256(folder) != digest
