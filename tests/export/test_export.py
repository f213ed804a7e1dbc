"""Exports: safe with hostile names, self-contained, parseable, and faithful to the plan.

The fixture is built from the models directly (no solver): 3 organisations,
4 units, 10 staff, 4 functions, 2 departments. Names are chosen to break
naive exporters: HTML in a person's name, a spreadsheet formula as a unit
name, function names starting with ``+``, ``-`` and ``@``, quotes and ``&`` in
a department name.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from models import (
    Department,
    DepartmentSummary,
    Function,
    FunctionAssignment,
    Kpis,
    Organization,
    Plan,
    Scenario,
    Staff,
    StaffAssignment,
    Status,
    Summary,
    Unit,
)
from planner.export import (
    EXPORTERS,
    FILE_NAMES,
    anonymize,
    export,
    flow_svg,
    plan_json_schema,
    pseudonyms,
    report_html,
    structure_svg,
    write_all,
)
from planner.export.json_export import PlanDocument
from planner.io.durable import write_atomically

SCRIPT_NAME = "<script>alert(1)</script>"
FORMULA_UNIT = '=HYPERLINK("http://x","y")'
FORMULA_FUNCTIONS = ("+Tổng hợp", "-Kiểm tra", "@Phong trào")
HOSTILE_DEPT = 'Ban <b>"Phong trào"</b> & Tuyên giáo'


@pytest.fixture(scope="module")
def case() -> tuple[Scenario, Plan, Summary]:
    orgs = (
        Organization(org_id="MT", name="Ủy ban MTTQ"),
        Organization(org_id="CD", name="Liên đoàn Lao động"),
        Organization(org_id="PN", name="Hội Liên hiệp Phụ nữ"),
    )
    units = (
        Unit(unit_id="U1", org_id="MT", name="Ban Tuyên giáo MTTQ"),
        Unit(unit_id="U2", org_id="MT", name="Văn phòng MTTQ"),
        Unit(unit_id="U3", org_id="CD", name=FORMULA_UNIT),
        Unit(unit_id="U4", org_id="PN", name="Ban Gia đình - Xã hội"),
    )
    people = [  # (id, name, unit, position, salary, fte, retiring)
        ("S01", "Nguyễn Văn An", "U1", "head", 12_000_000, 1.0, False),
        ("S02", "Trần Thị Bình", "U1", "staff", 8_000_000, 1.0, False),
        ("S03", SCRIPT_NAME, "U2", "head", 11_000_000, 1.0, False),
        ("S04", "Lê Văn Cường", "U2", "staff", 7_500_000, 0.5, True),
        ("S05", "Phạm Thị Dung", "U3", "head", 11_500_000, 1.0, False),
        ("S06", "Hoàng Văn Em", "U3", "deputy", 9_000_000, 1.0, False),
        ("S07", "Vũ Thị Gấm", "U3", "staff", 7_000_000, 1.0, False),
        ("S08", "Đặng Thị Hoa", "U4", "head", 10_500_000, 1.0, False),
        ("S09", "Bùi Thị Lan", "U4", "staff", 7_200_000, 1.0, False),
        ("S10", "Đỗ Văn Minh", "U4", "staff", 6_800_000, 0.8, True),
    ]
    staff = tuple(
        Staff(staff_id=i, name=n, unit_id=u, position=p, salary=sal, fte=f, retiring=r)
        for i, n, u, p, sal, f, r in people
    )
    functions = (
        Function(
            function_id="F1",
            name=FORMULA_FUNCTIONS[0],
            org_id=None,
            unit_id="U2",
            domain="office",
            kind="shared",
            workload=2.5,
        ),
        Function(
            function_id="F2",
            name=FORMULA_FUNCTIONS[1],
            org_id="CD",
            unit_id="U3",
            domain="inspection",
            kind="divided",
            workload=1.5,
            lead_candidates="CD;MT",
        ),
        Function(
            function_id="F3",
            name=FORMULA_FUNCTIONS[2],
            org_id="PN",
            unit_id="U4",
            domain="movement",
            kind="reserved",
            workload=1.8,
        ),
        Function(
            function_id="F4",
            name="Tuyên truyền",
            org_id="MT",
            unit_id="U1",
            domain="propaganda",
            kind="shared",
            workload=1.6,
        ),
    )
    departments = (
        Department(dept_id="D1", name="Văn phòng cơ quan khối"),
        Department(dept_id="D2", name=HOSTILE_DEPT),
    )
    scenario = Scenario(
        organizations=orgs, units=units, staff=staff, functions=functions, departments=departments
    )
    placed = {  # staff_id -> (dept, role)
        "S01": ("D2", "head"),
        "S02": ("D2", "member"),
        "S03": ("D1", "head"),
        "S04": (None, "exit"),
        "S05": ("D1", "deputy"),
        "S06": ("D1", "member"),
        "S07": ("D2", "member"),
        "S08": ("D2", "deputy"),
        "S09": ("D2", "member"),
        "S10": (None, "exit"),
    }
    plan = Plan(
        staff=tuple(
            StaffAssignment(
                staff_id=s.staff_id,
                org_id=scenario.staff_org[s.staff_id],
                unit_id=s.unit_id,
                dept_id=placed[s.staff_id][0],
                role=placed[s.staff_id][1],
            )
            for s in staff
        ),
        functions=(
            FunctionAssignment(function_id="F1", dept_id="D1"),
            FunctionAssignment(function_id="F2", dept_id="D1", lead_org="CD"),
            FunctionAssignment(function_id="F3", dept_id="D2"),
            FunctionAssignment(function_id="F4", dept_id="D2"),
        ),
        departments=(
            DepartmentSummary(
                dept_id="D1",
                name="Văn phòng cơ quan khối",
                headcount=3,
                fte=3.0,
                workload=4.0,
                head="S03",
                deputies=("S05",),
                domains=("office", "inspection"),
                orgs=("CD", "MT"),
            ),
            DepartmentSummary(
                dept_id="D2",
                name=HOSTILE_DEPT,
                headcount=5,
                fte=5.0,
                workload=3.4,
                head="S01",
                deputies=("S08",),
                domains=("movement", "propaganda"),
                orgs=("CD", "MT", "PN"),
            ),
        ),
    )
    summary = Summary(
        status=Status.OPTIMAL,
        objective=123_456,
        bound=123_456,
        gap=0.0,
        runtime_s=0.42,
        terms={
            "payroll": 83_000,
            "involuntary_exits": 0,
            "disruption": 1,
            "fragmentation": 0,
            "imbalance": 160,
            "leadership_churn": 0,
            "lead_preference": 0,
        },
        kpis=Kpis(
            units_before=4,
            departments_after=2,
            posts_before=5,
            posts_after=4,
            headcount_before=10,
            headcount_after=8,
            exits=2,
            involuntary_exits=0,
            reduction=0.2,
            payroll_before=95_000_000,
            payroll_after=83_000_000,
            savings=12_000_000,
            income_raise_per_head=1_500_000,
        ),
        solver={"name": "cp-sat", "version": "9.15", "seed": 0, "workers": 8, "time_limit": 30},
        input_sha256="ab" * 32,
        created="2026-01-02T03:04:05+00:00",
        scenario="Khối thử",
    )
    return scenario, plan, summary


EXTERNAL = re.compile(
    r"""(?:src|href|xlink:href|action)\s*=\s*["']?\s*(?:https?:|//)""", re.IGNORECASE
)


# -- report.html ------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_report_is_self_contained_and_escaped(case, lang):
    html = report_html(*case, lang=lang)
    assert f'<html lang="{lang}">' in html
    assert "<script" not in html.lower()
    assert not EXTERNAL.search(html)
    assert "url(http" not in html and "@import" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "=HYPERLINK(&quot;http://x&quot;,&quot;y&quot;)" in html
    assert "Ban &lt;b&gt;&quot;Phong trào&quot;&lt;/b&gt; &amp; Tuyên giáo" in html
    assert "<b>" not in html
    for section in ("structure", "workload", "flow", "departments", "moves", "settings", "solver"):
        assert f'id="{section}"' in html
    assert html.count("<svg") >= 3  # org chart, workload chart, flow


def test_report_words_follow_the_language(case):
    assert "Phương án qua các con số" in report_html(*case, lang="vi")
    assert "The plan in numbers" in report_html(*case, lang="en")


def test_report_without_plan_names_the_conflicts(case):
    scenario, _, summary = case
    failed = summary.model_copy(
        update={"status": Status.INFEASIBLE, "conflicts": ["targets.min_reduction", "<x>"]}
    )
    html = report_html(scenario, None, failed, lang="en")
    assert "targets.min_reduction" in html and "&lt;x&gt;" in html
    assert "<svg" not in html


# -- plan.xlsx --------------------------------------------------------------------


def test_xlsx_has_no_formula_and_keeps_hostile_text(case, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    path = export("xlsx", *case, tmp_path)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["staff", "functions", "departments", "before_after", "summary"]
    texts = set()
    for ws in wb.worksheets:
        assert ws.freeze_panes is not None
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if cell.data_type == "s":
                    texts.add(cell.value)
    for hostile in (FORMULA_UNIT, SCRIPT_NAME, HOSTILE_DEPT, *FORMULA_FUNCTIONS):
        assert hostile in texts
    staff = wb["staff"]
    assert [c.value for c in staff[1]][:5] == ["staff_id", "org_id", "unit_id", "dept_id", "role"]
    departments = wb["departments"]
    assert [c.value for c in departments[1]][:9] == [
        "dept_id",
        "name",
        "headcount",
        "fte",
        "workload",
        "head",
        "deputies",
        "domains",
        "orgs",
    ]
    assert departments["C2"].value == 3 and departments["C2"].data_type == "n"
    before_after = {
        r[0].value: [c.value for c in r] for r in wb["before_after"].iter_rows(min_row=2)
    }
    assert before_after["headcount"][2:5] == [10, 8, -2]
    assert before_after["payroll"][2:5] == [95_000_000, 83_000_000, -12_000_000]


# -- structure.svg and the flow ----------------------------------------------------


def test_structure_svg_is_xml_and_names_every_department(case, tmp_path):
    scenario, plan, summary = case
    path = export("svg", *case, tmp_path)
    root = ET.parse(path).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    text = " ".join(root.itertext())
    for d in plan.departments:
        assert d.name in text
    assert SCRIPT_NAME in text  # as text: the parser saw no element
    assert not any(el.tag.endswith("script") for el in root.iter())
    assert not EXTERNAL.search(path.read_text(encoding="utf-8"))
    en = ET.fromstring(structure_svg(scenario, plan, summary, lang="en"))
    assert "BLOCK AGENCY" in " ".join(en.itertext())


def test_flow_svg_moves_every_person(case):
    scenario, plan, summary = case
    root = ET.fromstring(flow_svg(scenario, plan, summary))
    text = " ".join(root.itertext())
    assert FORMULA_UNIT in text
    bands = [
        el
        for el in root.iter("{http://www.w3.org/2000/svg}path")
        if el.find("{*}title") is not None
    ]
    moved = sum(int(el.find("{*}title").text.rsplit(":", 1)[1]) for el in bands)
    assert moved == len(plan.staff)


@pytest.mark.parametrize("n", [6, 40])
def test_structure_svg_scales_to_many_departments(case, n):
    scenario, plan, summary = case
    departments = tuple(
        DepartmentSummary(
            dept_id=f"D{i}",
            name=f"Phòng số {i} với một cái tên khá dài để xuống dòng",
            headcount=4,
            fte=4.0,
            workload=3.5,
            head="S01",
            deputies=("S05", "S08"),
            orgs=("MT", "CD"),
        )
        for i in range(n)
    )
    root = ET.fromstring(
        structure_svg(scenario, plan.model_copy(update={"departments": departments}), summary)
    )
    width, height = (float(v.removesuffix("mm")) for v in (root.get("width"), root.get("height")))
    assert width <= 277.01 and height <= 190.01  # fits A4 landscape
    assert (
        len([el for el in root.iter() if el.tag.endswith("title") and "(D" in (el.text or "")]) == n
    )


# -- plan.json --------------------------------------------------------------------


def test_json_validates_against_its_schema(case, tmp_path):
    scenario, plan, summary = case
    path = export("json", *case, tmp_path)
    document = json.loads(path.read_text(encoding="utf-8"))
    assert set(document) == {"summary", "plan"}
    assert document["summary"]["kpis"]["savings"] == 12_000_000
    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.validate(document, plan_json_schema())
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"summary": document["summary"]}, plan_json_schema())
    again = PlanDocument.model_validate(document)
    assert again.plan == plan and again.summary == summary


# -- anonymize --------------------------------------------------------------------


def test_anonymize_is_stable_and_removes_every_name(case):
    scenario = case[0]
    first, second = anonymize(scenario), anonymize(scenario)
    assert [s.name for s in first.staff] == [s.name for s in second.staff]
    dumped = first.model_dump_json()
    for s in scenario.staff:
        assert json.dumps(s.name, ensure_ascii=False)[1:-1] not in dumped
    assert all(re.fullmatch(r"Cán bộ \d{4}", s.name) for s in first.staff)
    assert len({s.name for s in first.staff}) == len(first.staff)
    ids = [s.staff_id for s in scenario.staff]
    assert pseudonyms(ids) == pseudonyms(list(reversed(ids)))  # row order does not matter
    assert [s.salary for s in first.staff] == [s.salary for s in scenario.staff]


def test_pseudonyms_stay_unique_when_hashes_collide():
    ids = [
        f"S{i:05d}" for i in range(1_900)
    ]  # ~1,900 ids in 10,000 numbers: collisions are certain
    names = pseudonyms(ids)
    assert len(set(names.values())) == len(ids)


# -- the registry -----------------------------------------------------------------


def test_write_all_writes_every_file(case, tmp_path):
    paths = write_all(*case, tmp_path / "plan", lang="en")
    assert sorted(p.name for p in paths) == sorted(FILE_NAMES.values())
    assert set(EXPORTERS) == set(FILE_NAMES)
    assert all(p.stat().st_size > 0 for p in paths)
    assert not [
        p for p in (tmp_path / "plan").iterdir() if p.name.startswith(".")
    ]  # no temp files left
    with pytest.raises(ValueError, match="unknown export format"):
        export("pdf", *case, tmp_path)


def test_failed_export_keeps_the_earlier_file(case, tmp_path):
    path = export("json", *case, tmp_path)
    before = path.read_bytes()

    def half_written(tmp: Path) -> None:
        tmp.write_text("{", encoding="utf-8")
        raise RuntimeError("interrupted")

    with pytest.raises(RuntimeError):
        write_atomically(path, half_written)
    assert path.read_bytes() == before
    assert sorted(p.name for p in Path(tmp_path).iterdir()) == ["plan.json"]


def test_exports_survive_a_plan_without_department_rows(case, tmp_path):
    # plan folders written before departments.csv existed, or a hand-made plan: no crash, still valid files
    scenario, plan, summary = case
    bare = plan.model_copy(update={"departments": ()})
    ET.fromstring(structure_svg(scenario, bare, summary))
    ET.fromstring(flow_svg(scenario, bare, summary))
    assert "<script" not in report_html(scenario, bare, summary)
    assert len(write_all(scenario, bare, summary, tmp_path)) == 4
