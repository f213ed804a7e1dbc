"""The plan folder (SPEC §5): round trips, clear errors, atomic replacement."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from models import DepartmentSummary, Plan, Summary
from planner.checking.check import check
from planner.domain.kpis import department_summaries
from planner.io.plan_io import PlanError, atomic_folder, read_plan, read_summary, write_plan_tables
from tests.checking.test_check import BASE, GOOD

PLAN = GOOD.model_copy(
    update={
        "departments": (
            *department_summaries(BASE, GOOD),
            # awkward cells: a comma, quotes, Vietnamese, no head, a float with many digits
            DepartmentSummary(dept_id="D3", name='Ban "Tổ chức", Kiểm tra', headcount=0, fte=0.1 + 0.2, workload=0.0, head=None),
        )
    }
)  # fmt: skip
REPORT = check(BASE, GOOD)
SUMMARY = Summary(
    status="optimal",
    objective=1,
    bound=1,
    gap=0.0,
    terms=REPORT.terms,
    kpis=REPORT.kpis,
    scenario="Quảng Ninh",
)


def test_round_trip(tmp_path: Path) -> None:
    write_plan_tables(PLAN, SUMMARY, tmp_path)
    assert read_plan(tmp_path) == PLAN
    assert read_summary(tmp_path) == SUMMARY


def test_files_as_the_spec_says(tmp_path: Path) -> None:
    write_plan_tables(PLAN, SUMMARY, tmp_path)
    staff = (tmp_path / "staff.csv").read_text(encoding="utf-8").splitlines()
    assert staff[0] == "staff_id,org_id,unit_id,dept_id,role"
    assert "a3,A,UA,,exit" in staff  # empty dept_id on exit
    functions = (tmp_path / "functions.csv").read_text(encoding="utf-8").splitlines()
    assert functions[:3] == ["function_id,dept_id,lead_org", "f1,D1,", "f2,D2,"]
    depts = (tmp_path / "departments.csv").read_text(encoding="utf-8").splitlines()
    assert depts[0] == "dept_id,name,headcount,fte,workload,head,deputies,domains,orgs"
    assert depts[2] == "D2,Ban 2,3,3.0,1.5,b1,b3,policy;movement,B"
    text = (tmp_path / "summary.json").read_text(encoding="utf-8")
    assert "Quảng Ninh" in text and text.startswith('{\n  "status": "optimal"')
    assert json.loads(text)["terms"] == REPORT.terms


def test_empty_tables_round_trip(tmp_path: Path) -> None:
    empty = Plan(staff=(), functions=())
    write_plan_tables(empty, Summary(status="feasible"), tmp_path)
    assert read_plan(tmp_path) == empty


def test_departments_csv_is_optional_and_bom_is_accepted(tmp_path: Path) -> None:
    write_plan_tables(GOOD, SUMMARY, tmp_path)
    (tmp_path / "departments.csv").unlink()
    raw = (tmp_path / "staff.csv").read_bytes()
    (tmp_path / "staff.csv").write_bytes(
        "\ufeff".encode() + raw.replace(b"role\n", b"role,extra\n", 1)
    )
    assert read_plan(tmp_path) == GOOD.model_copy(update={"departments": ()})


def test_malformed_plan_names_file_line_and_column(tmp_path: Path) -> None:
    write_plan_tables(PLAN, SUMMARY, tmp_path)
    staff = tmp_path / "staff.csv"
    lines = staff.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace(",member", ",boss")  # a2 is on line 3
    lines[3] = ",A,UA,,exit"
    staff.write_text("\n".join(lines) + "\n", encoding="utf-8")
    (tmp_path / "functions.csv").write_text("function_id,dept_id\nf1,D1\n", encoding="utf-8")
    depts = tmp_path / "departments.csv"
    depts.write_text(
        depts.read_text(encoding="utf-8").replace(",3,3.0,", ",three,3.0,"), encoding="utf-8"
    )
    with pytest.raises(PlanError) as err:
        read_plan(tmp_path)
    problems = err.value.problems
    assert any(p.startswith("staff.csv:3:role:") and "'boss'" in p for p in problems)
    assert "staff.csv:4:staff_id: empty, a value is required" in problems
    assert "functions.csv: missing column(s) lead_org" in problems
    assert any(p.startswith("departments.csv:3:headcount:") for p in problems)


def test_missing_files(tmp_path: Path) -> None:
    with pytest.raises(PlanError, match="staff.csv: file missing"):
        read_plan(tmp_path)
    with pytest.raises(PlanError, match="summary.json: file missing"):
        read_summary(tmp_path)
    (tmp_path / "summary.json").write_text('{"status": "great"}', encoding="utf-8")
    with pytest.raises(PlanError, match="summary.json:status"):
        read_summary(tmp_path)


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_atomic_folder_replaces_on_success(tmp_path: Path) -> None:
    target = tmp_path / "plan"
    target.mkdir()
    (target / "old.txt").write_text("old", encoding="utf-8")
    with atomic_folder(target) as tmp:
        assert tmp.parent == tmp_path and tmp != target and not any(tmp.iterdir())
        write_plan_tables(PLAN, SUMMARY, tmp)
        assert (target / "old.txt").exists()  # nothing changes before the block ends
    assert sorted(p.name for p in target.iterdir()) == [
        "departments.csv",
        "functions.csv",
        "staff.csv",
        "summary.json",
    ]
    assert [p.name for p in tmp_path.iterdir()] == ["plan"]  # no temporary folders left


def test_atomic_folder_keeps_the_earlier_folder_on_error(tmp_path: Path) -> None:
    target = tmp_path / "plan"
    target.mkdir()
    write_plan_tables(PLAN, SUMMARY, target)
    before = _snapshot(target)
    with pytest.raises(RuntimeError, match="solver crashed"), atomic_folder(target) as tmp:
        (tmp / "staff.csv").write_text("half written", encoding="utf-8")
        raise RuntimeError("solver crashed")
    assert _snapshot(target) == before
    assert [p.name for p in tmp_path.iterdir()] == ["plan"]


def test_atomic_folder_creates_a_new_target_and_leaves_none_on_error(tmp_path: Path) -> None:
    with pytest.raises(KeyboardInterrupt), atomic_folder(tmp_path / "a") as tmp:
        (tmp / "x").write_text("x", encoding="utf-8")
        raise KeyboardInterrupt
    assert not any(tmp_path.iterdir())
    with atomic_folder(tmp_path / "out" / "b") as tmp:
        (tmp / "x").write_text("x", encoding="utf-8")
    assert (tmp_path / "out" / "b" / "x").read_text(encoding="utf-8") == "x"
