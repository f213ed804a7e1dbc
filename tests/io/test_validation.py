"""Invalid scenarios: every problem located as ``file:row:column: message``.

Each test breaks one thing in a copy of ``tests/fixtures/tiny`` and asserts the
exact lines, so that one bad value gives exactly one clear message. Rows in the
fixture: staff S1..S8 are spreadsheet rows 2..9, functions F1..F6 rows 2..7,
organisations MT, CD rows 2, 3, units MT-VP, MT-TC, CD-VP rows 2..4.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.io import InputError, Limits, read_scenario
from tests.fixtures.scenario_files import (
    copy_tiny,
    drop_column,
    problem_lines,
    read_table,
    set_cell,
    to_parquet,
    to_xlsx,
    write_table,
)

CELL_CASES = [
    # wrong type, out of range, empty required cell
    ("staff", 3, "salary", "12.5", "staff.csv:3:salary: not a whole number"),
    ("staff", 3, "salary", "-5", "staff.csv:3:salary: should be greater than or equal to 0"),
    ("staff", 3, "salary", "", "staff.csv:3:salary: empty: a value is required"),
    ("staff", 4, "fte", "abc", "staff.csv:4:fte: 'abc' is not a number"),
    ("staff", 4, "fte", "1.5", "staff.csv:4:fte: should be less than or equal to 1 (got 1.5)"),
    (
        "organizations",
        3,
        "min_staff",
        "-1",
        "organizations.csv:3:min_staff: should be greater than or equal to 0 (got -1)",
    ),
    (
        "organizations",
        3,
        "min_leaders",
        "two",
        "organizations.csv:3:min_leaders: 'two' is not a whole number",
    ),
    # Vietnamese number habits: "." groups thousands, "," marks decimals
    (
        "staff",
        3,
        "salary",
        "15.000.000",
        "staff.csv:3:salary: not a whole number (write digits only, no separators)",
    ),
    (
        "staff",
        4,
        "fte",
        "0,5",
        "staff.csv:4:fte: '0,5' is not a number (use a decimal point: 0.5, not 0,5)",
    ),
    # NaN and infinity
    ("functions", 3, "workload", "inf", "functions.csv:3:workload: 'inf' is not a finite number"),
    ("functions", 3, "workload", "NaN", "functions.csv:3:workload: 'NaN' is not a finite number"),
    (
        "organizations",
        2,
        "min_staff",
        "nan",
        "organizations.csv:2:min_staff: 'nan' is not a finite number",
    ),
    # booleans and enums
    (
        "staff",
        5,
        "retiring",
        "maybe",
        "staff.csv:5:retiring: 'maybe' is not a boolean (use true/false, 1/0 or yes/no)",
    ),
    (
        "staff",
        5,
        "position",
        "boss",
        "staff.csv:5:position: 'boss' is not one of: head, deputy, staff",
    ),
    (
        "functions",
        4,
        "kind",
        "joint",
        "functions.csv:4:kind: 'joint' is not one of: shared, divided, reserved",
    ),
    (
        "locks",
        2,
        "role",
        "chief",
        "locks.csv:2:role: 'chief' is not one of: head, deputy, member, exit",
    ),
    ("rules", 2, "rule", "near", "rules.csv:2:rule: 'near' is not one of: apart, together"),
    # identifiers
    ("staff", 6, "staff_id", "", "staff.csv:6:staff_id: empty identifier"),
    (
        "staff",
        6,
        "staff_id",
        "S1",
        "staff.csv:6:staff_id: duplicate staff_id 'S1' (first at row 2)",
    ),
    (
        "functions",
        7,
        "function_id",
        "F1",
        "functions.csv:7:function_id: duplicate function_id 'F1' (first at row 2)",
    ),
    # dangling references (models.scenario.cross_reference_problems)
    ("units", 3, "org_id", "XX", "units.csv:3:org_id: unknown organisation 'XX'"),
    ("staff", 7, "unit_id", "NOPE", "staff.csv:7:unit_id: unknown unit 'NOPE'"),
    (
        "functions",
        5,
        "lead_candidates",
        "MT;ZZ",
        "functions.csv:5:lead_candidates: unknown organisation 'ZZ'",
    ),
    ("functions", 2, "unit_id", "U9", "functions.csv:2:unit_id: unknown unit 'U9'"),
    ("locks", 2, "id", "S99", "locks.csv:2:id: unknown staff 'S99'"),
    (
        "locks",
        3,
        "lead_org",
        "ZZ",
        "locks.csv:3:lead_org: 'ZZ' is not among the lead_candidates of 'F4'",
    ),
    ("rules", 3, "b", "F99", "rules.csv:3:b: unknown function 'F99'"),
    # rules of a whole row (model validators), put on the column they name
    (
        "functions",
        6,
        "org_id",
        "",
        "functions.csv:6:org_id: a reserved function needs an owning org_id",
    ),
    (
        "locks",
        4,
        "dept_id",
        "D1",
        "locks.csv:4:role: a staff lock with role exit cannot name a dept_id",
    ),
    (
        "departments",
        3,
        "max_staff",
        "1",
        "departments.csv:3:max_staff: max_staff 1 is below min_staff 2",
    ),
]


@pytest.mark.parametrize(("stem", "row", "column", "value", "expected"), CELL_CASES)
def test_one_bad_cell_one_located_message(
    tmp_path: Path, stem: str, row: int, column: str, value: str, expected: str
) -> None:
    folder = copy_tiny(tmp_path)
    set_cell(folder, stem, row, column, value)
    assert problem_lines(folder) == [expected]


def test_too_long_text_echoes_a_truncated_value(tmp_path: Path) -> None:
    folder = copy_tiny(tmp_path)
    set_cell(folder, "organizations", 3, "name", "x" * 2001)
    set_cell(folder, "rules", 2, "a", "F" * 201)
    assert problem_lines(folder) == [
        "organizations.csv:3:name: should have at most 2000 characters (got '" + "x" * 59 + "…')",
        "rules.csv:2:a: should have at most 200 characters (got '" + "F" * 59 + "…')",
    ]


# -- files and columns -------------------------------------------------------------


def test_missing_required_table(tmp_path: Path) -> None:
    folder = copy_tiny(tmp_path)
    (folder / "staff.csv").unlink()
    assert problem_lines(folder) == [
        "staff.csv:0:-: missing required table: give staff.csv, a 'staff' sheet in scenario.xlsx or staff.parquet"
    ]


def test_missing_scenario_toml(tmp_path: Path) -> None:
    folder = copy_tiny(tmp_path)
    (folder / "scenario.toml").unlink()
    assert problem_lines(folder) == [
        "scenario.toml:0:-: missing required file (an empty file means all defaults)"
    ]


def test_missing_required_column(tmp_path: Path) -> None:
    folder = copy_tiny(tmp_path)
    drop_column(folder, "staff", "salary")
    assert problem_lines(folder) == ["staff.csv:1:salary: missing required column"]


def test_missing_column_hints_at_a_near_name(tmp_path: Path) -> None:
    folder = copy_tiny(tmp_path)
    set_cell(folder, "functions", 1, "workload", "Workload")
    assert problem_lines(folder) == [
        "functions.csv:1:workload: missing required column (found 'Workload': column names are compared exactly)"
    ]


@pytest.mark.parametrize(
    "content", [b"", b"\xef\xbb\xbf", b"\n\n  \n"], ids=["empty", "bom-only", "blank-lines"]
)
def test_empty_file(tmp_path: Path, content: bytes) -> None:
    folder = copy_tiny(tmp_path)
    (folder / "units.csv").write_bytes(content)
    assert problem_lines(folder) == ["units.csv:0:-: empty file: expected a header row"]


def test_not_utf8(tmp_path: Path) -> None:
    folder = copy_tiny(tmp_path)
    (folder / "organizations.csv").write_bytes(
        "org_id,name\nMT,Mat tran\nCD,Café\n".encode("latin-1")
    )
    assert problem_lines(folder) == [
        "organizations.csv:3:-: not UTF-8 text (byte 0xE9 on line 3): save the file as UTF-8"
    ]


def test_semicolon_separated_file(tmp_path: Path) -> None:
    folder = copy_tiny(tmp_path)
    text = (folder / "units.csv").read_text(encoding="utf-8").replace(",", ";")
    (folder / "units.csv").write_text(text, encoding="utf-8")
    assert problem_lines(folder) == [
        "units.csv:1:-: the header is a single column 'unit_id;org_id;name': "
        "the file looks separated by ';'; save it comma separated"
    ]


def test_ragged_rows(tmp_path: Path) -> None:
    folder = copy_tiny(tmp_path)
    records = read_table(folder, "staff")
    records[3].append("extra")  # row 4: one cell too many
    records[5] = records[5][:4]  # row 6: six cells missing
    write_table(folder, "staff", records)
    assert problem_lines(folder) == [
        "staff.csv:4:-: ragged row: 11 cells where the header has 10",
        "staff.csv:6:-: ragged row: 4 cells where the header has 10",
    ]


def test_unbalanced_quotes(tmp_path: Path) -> None:
    folder = copy_tiny(tmp_path)
    (folder / "units.csv").write_text(
        'unit_id,org_id,name\nMT-VP,MT,"Văn phòng\nMT-TC,MT,x\n', encoding="utf-8"
    )
    [line] = problem_lines(folder)
    assert (
        line.startswith("units.csv:")
        and "cannot parse as CSV" in line
        and "check the quotes" in line
    )


def test_column_given_twice(tmp_path: Path) -> None:
    folder = copy_tiny(tmp_path)
    records = read_table(folder, "units")
    write_table(folder, "units", [r + [r[2]] for r in records])
    assert problem_lines(folder) == [
        "units.csv:1:name: column given twice: the second one is ignored"
    ]


def test_header_only_departments(tmp_path: Path) -> None:
    folder = copy_tiny(tmp_path)
    write_table(folder, "departments", read_table(folder, "departments")[:1])
    (folder / "locks.csv").unlink()
    assert problem_lines(folder) == [
        "departments.csv:0:-: no departments: give at least one row, or remove the table to use departments.count"
    ]


def test_required_table_without_rows(tmp_path: Path) -> None:
    folder = copy_tiny(tmp_path)
    write_table(folder, "functions", read_table(folder, "functions")[:1])
    (folder / "rules.csv").unlink()
    (folder / "locks.csv").unlink()
    assert problem_lines(folder) == ["functions.csv:0:-: the table has no rows"]


def test_table_given_twice(tmp_path: Path) -> None:
    folder = copy_tiny(tmp_path)
    (folder / "staff.parquet").write_bytes(b"")
    assert problem_lines(folder) == [
        "staff.csv:0:-: table given more than once (staff.csv, staff.parquet): keep one"
    ]


def test_not_a_folder(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        read_scenario(tmp_path / "nowhere")
    where = tmp_path.absolute() / "nowhere"
    assert caught.value.lines() == [f"{where}:0:-: not a scenario folder: no such folder"]


# -- other formats ---------------------------------------------------------------------


def test_xlsx_problems_name_the_sheet(tmp_path: Path) -> None:
    folder = copy_tiny(tmp_path)
    set_cell(folder, "staff", 3, "salary", "12.5")
    set_cell(folder, "units", 3, "org_id", "XX")
    (folder / "rules.csv").unlink()
    to_xlsx(folder)
    assert problem_lines(folder) == [
        "scenario.xlsx[staff]:3:salary: not a whole number",
        "scenario.xlsx[units]:3:org_id: unknown organisation 'XX'",
    ]


def test_xlsx_missing_sheet(tmp_path: Path) -> None:
    folder = copy_tiny(tmp_path)
    (folder / "functions.csv").unlink()
    to_xlsx(folder)
    assert problem_lines(folder) == [
        "scenario.xlsx[functions]:0:-: missing required table: "
        "give functions.csv, a 'functions' sheet in scenario.xlsx or functions.parquet"
    ]


def test_parquet_problems_name_the_file(tmp_path: Path) -> None:
    folder = copy_tiny(tmp_path)
    set_cell(folder, "staff", 3, "can_lead", "perhaps")
    to_parquet(folder)
    assert problem_lines(folder) == [
        "staff.parquet:3:can_lead: 'perhaps' is not a boolean (use true/false, 1/0 or yes/no)"
    ]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("scenario.xlsx", "cannot read the workbook"),
        ("staff.parquet", "cannot read the Parquet file"),
    ],
)
def test_corrupt_binary_files(tmp_path: Path, name: str, message: str) -> None:
    folder = copy_tiny(tmp_path)
    (folder / "staff.csv").unlink()
    (folder / name).write_bytes(b"this is not a binary table")
    [line] = problem_lines(folder)
    assert line.startswith(f"{name}:0:-: {message} (")


# -- size limits ----------------------------------------------------------------------


def test_file_too_large(tmp_path: Path) -> None:
    folder = copy_tiny(tmp_path)
    size = (folder / "staff.csv").stat().st_size
    lines = problem_lines(folder, limits=Limits(max_file_bytes=size - 1))
    assert f"staff.csv:0:-: file too large: {size:,} bytes (limit {size - 1:,})" in lines


def test_too_many_rows(tmp_path: Path) -> None:
    folder = copy_tiny(tmp_path)
    assert problem_lines(folder, limits=Limits(max_rows=7)) == [
        "staff.csv:0:-: too many rows: more than 7"
    ]


def test_cell_too_long(tmp_path: Path) -> None:
    folder = copy_tiny(tmp_path)
    set_cell(folder, "functions", 3, "domain", "d" * 10_001)
    assert problem_lines(folder) == ["functions.csv:3:domain: longer than 10000 characters"]


# -- scenario.toml ---------------------------------------------------------------------
# Lines of the fixture: 8 count, 9 min_staff, 10 max_staff, 20 min_reduction, 24 mode, 27 priority.


def _edit_toml(folder: Path, old: str, new: str) -> None:
    path = folder / "scenario.toml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


TOML_CASES = [
    (
        "min_reduction = 0.125",
        "min_reduction = 1.5",
        "scenario.toml:20:targets.min_reduction: should be less than or equal to 1 (got 1.5)",
    ),
    (
        "min_reduction = 0.125",
        "min_reduction = nan",
        "scenario.toml:20:targets.min_reduction: nan is not a finite number",
    ),
    (
        "min_reduction = 0.125",
        "min_reduction = -inf",
        "scenario.toml:20:targets.min_reduction: -inf is not a finite number",
    ),
    (
        "count = 2",
        'count = "two"',
        "scenario.toml:8:departments.count: should be a valid integer, unable to parse string as an integer (got 'two')",
    ),
    (
        'mode = "weighted"',
        'mode = "fast"',
        "scenario.toml:24:objective.mode: should be 'weighted' or 'lexicographic' (got 'fast')",
    ),
    (
        "max_staff = 6",
        "max_staff = 1",
        "scenario.toml:9:departments.min_staff: min_staff must not exceed max_staff",
    ),
    ("workers = 1", "workers = true", None),  # bool for an int: pydantic accepts it in lax mode
]


@pytest.mark.parametrize(("old", "new", "expected"), TOML_CASES)
def test_bad_setting(tmp_path: Path, old: str, new: str, expected: str | None) -> None:
    folder = copy_tiny(tmp_path)
    _edit_toml(folder, old, new)
    if expected is None:
        read_scenario(folder)
    else:
        assert problem_lines(folder) == [expected]


def test_unknown_key_lists_the_allowed_keys(tmp_path: Path) -> None:
    folder = copy_tiny(tmp_path)
    _edit_toml(folder, "min_reduction = 0.125", "min_reductio = 0.125")
    assert problem_lines(folder) == [
        "scenario.toml:20:targets.min_reductio: unknown key (did you mean 'min_reduction'?); keys of [targets] are: "
        "min_reduction, max_leadership_posts, max_payroll, min_income_raise, workload_slack, max_overstaff, "
        "max_leader_share, min_lead_tasks"
    ]


def test_unknown_section_lists_the_sections(tmp_path: Path) -> None:
    folder = copy_tiny(tmp_path)
    _edit_toml(folder, "[solver]", "[solvers]")
    assert problem_lines(folder) == [
        "scenario.toml:29:solvers: unknown section [solvers] (did you mean 'solver'?); "
        "sections are: scenario, departments, allowances, targets, objective, solver, roadmap"
    ]


def test_unknown_priority_term(tmp_path: Path) -> None:
    folder = copy_tiny(tmp_path)
    _edit_toml(folder, '["involuntary_exits", "payroll"]', '["speed"]')
    [line] = problem_lines(folder)
    assert line.startswith(
        "scenario.toml:27:objective.priority: unknown term(s) in priority: speed; known: payroll"
    )


def test_cross_reference_problem_in_settings_names_its_line(tmp_path: Path) -> None:
    folder = copy_tiny(tmp_path)
    _edit_toml(folder, 'mode = "weighted"', 'mode = "lexicographic"')
    _edit_toml(folder, '["involuntary_exits", "payroll"]', "[]")
    assert problem_lines(folder) == [
        "scenario.toml:27:objective.priority: lexicographic mode needs a priority list"
    ]


def test_toml_syntax_error_names_its_line(tmp_path: Path) -> None:
    folder = copy_tiny(tmp_path)
    _edit_toml(folder, "count = 2", "count = = 2")
    assert problem_lines(folder) == [
        "scenario.toml:8:-: TOML syntax error: Invalid value (at line 8, column 9)"
    ]


def test_toml_not_utf8(tmp_path: Path) -> None:
    folder = copy_tiny(tmp_path)
    (folder / "scenario.toml").write_bytes(b'[scenario]\nname = "Caf\xe9"\n')
    assert problem_lines(folder) == [
        "scenario.toml:2:-: not UTF-8 text (byte 0xE9 on line 2): save the file as UTF-8"
    ]


# -- many problems at once, personal data -------------------------------------------------


def test_problems_in_several_files_are_reported_together(tmp_path: Path) -> None:
    folder = copy_tiny(tmp_path)
    set_cell(folder, "staff", 3, "salary", "lots")
    set_cell(folder, "staff", 8, "fte", "2")
    set_cell(folder, "units", 2, "org_id", "XX")
    set_cell(folder, "functions", 4, "kind", "joint")
    set_cell(folder, "locks", 2, "dept_id", "D7")
    _edit_toml(folder, "seed = 0", "seed = -1")
    assert problem_lines(folder) == [
        "functions.csv:4:kind: 'joint' is not one of: shared, divided, reserved",
        "locks.csv:2:dept_id: unknown department 'D7'",
        "scenario.toml:32:solver.seed: should be greater than or equal to 0 (got -1)",
        "staff.csv:3:salary: not a whole number",
        "staff.csv:8:fte: should be less than or equal to 1 (got 2.0)",
        "units.csv:2:org_id: unknown organisation 'XX'",
    ]


def test_a_bad_row_does_not_cause_dangling_references(tmp_path: Path) -> None:
    # U MT-TC has a bad cell, yet staff S4, S5 and function F3, F4 referring to it are fine.
    folder = copy_tiny(tmp_path)
    set_cell(folder, "units", 3, "name", "x" * 2001)
    assert problem_lines(folder) == [
        "units.csv:3:name: should have at most 2000 characters (got '" + "x" * 59 + "…')"
    ]


SALARIES = ["1234567.5", "-7654321", "98765432109876", "NaN", "12,345", "lương cao"]
SECRET_NAME = "Nguyễn Bí Mật " * 200


def test_no_message_contains_a_salary_or_a_name(tmp_path: Path) -> None:
    folder = copy_tiny(tmp_path)
    names = [r[1] for r in read_table(folder, "staff")[1:]]
    for row, salary in enumerate(SALARIES, start=2):
        set_cell(folder, "staff", row, "salary", salary)
    set_cell(folder, "staff", 8, "name", SECRET_NAME)
    set_cell(folder, "staff", 9, "staff_id", "S1")  # duplicate id on a row with a name
    records = read_table(folder, "staff")
    records.append(
        ["S9", "Trần Riêng Tư", "MT-VP", "staff", "5555555"]
    )  # ragged, with a name and salary
    write_table(folder, "staff", records)
    with pytest.raises(InputError) as caught:
        read_scenario(folder)
    text = "\n".join(caught.value.lines()) + str(caught.value)
    assert len(caught.value.lines()) == len(SALARIES) + 3
    for secret in [*SALARIES, *names, SECRET_NAME.strip()[:20], "Trần Riêng Tư", "5555555"]:
        assert secret not in text


# -- no traceback escapes, whatever the cell --------------------------------------------


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    target=st.sampled_from([(s, r, c) for s, r, c, _, _ in CELL_CASES]),
    value=st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30),
)
def test_any_cell_value_reads_or_raises_input_error(
    tmp_path: Path, target: tuple[str, int, str], value: str
) -> None:
    folder = tmp_path / "fuzz"
    if not folder.exists():
        copy_tiny(tmp_path, "fuzz")
    stem, row, column = target
    original = read_table(folder, stem)
    try:
        set_cell(folder, stem, row, column, value)
        try:
            read_scenario(folder)
        except InputError as exc:
            assert exc.lines() and all(line.count(":") >= 3 for line in exc.lines())
    finally:
        write_table(folder, stem, original)
