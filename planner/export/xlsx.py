"""plan.xlsx (SPEC §5): the plan tables as sheets, a before/after sheet and the summary.

Sheets ``staff``, ``functions`` and ``departments`` start with the columns of
the CSV files of SPEC §5, in that order, followed by name columns a reader
needs (people, units, organisations, departments by name). Salaries are
personal data and stay out of the workbook.

Data from the scenario can be hostile (a unit named ``=HYPERLINK(...)``):
every text cell is written with ``write_string`` and the workbook is opened
with ``strings_to_formulas``, ``strings_to_urls`` and ``strings_to_numbers``
off, so no cell is ever a formula or a link. Numbers are written as numbers.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from models import Plan, Scenario, Summary
from models.settings import TERMS
from planner.export.charts import Names, before_after
from planner.export.draft import describe as describe_violation
from planner.export.draft import headline, is_draft
from planner.io.durable import write_atomically

WORKBOOK_OPTIONS = {
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
    "nan_inf_to_errors": True,
    # The parts of the .xlsx are assembled in memory, not in temporary files: a workbook
    # took 38 ms to close, a third of it creating and removing temporary files.
    "in_memory": True,
}

FORMATS = {
    "text": {},
    "int": {"num_format": "#,##0"},
    "float": {"num_format": "#,##0.00"},
    "share": {"num_format": "0.0%"},
    "money": {"num_format": "#,##0"},
    "ratio": {"num_format": "0.0000"},
}


@dataclass(frozen=True)
class Column:
    """A sheet column: header, cell kind (a key of ``FORMATS``) and a width hint."""

    header: str
    kind: str = "text"
    width: float | None = None


def write_sheet(
    wb: xlsxwriter.Workbook,
    name: str,
    columns: list[Column],
    rows: list[list[Any]],
    formats: dict[str, Any],
) -> Worksheet:
    """One table: bold frozen header, autofilter, widths from the content, typed cells."""
    ws = wb.add_worksheet(name)
    for c, col in enumerate(columns):
        ws.write_string(0, c, col.header, formats["header"])
    for r, row in enumerate(rows, start=1):
        for c, (col, value) in enumerate(zip(columns, row, strict=True)):
            _cell(ws, r, c, value, formats[col.kind])
    for c, col in enumerate(columns):
        longest = max([len(col.header)] + [len(_shown(row[c])) for row in rows[:2000]])
        ws.set_column(c, c, col.width or min(60, max(8, longest + 2)))
    ws.freeze_panes(1, 1 if len(columns) > 3 else 0)
    ws.autofilter(0, 0, max(len(rows), 1), len(columns) - 1)
    return ws


def _cell(ws: Worksheet, row: int, col: int, value: Any, fmt: Any) -> None:
    """Write one cell by its Python type: never ``ws.write`` (which guesses formulas)."""
    if value is None or value == "":
        ws.write_blank(row, col, None, fmt)
    elif isinstance(value, bool):
        ws.write_boolean(row, col, value)
    elif isinstance(value, int | float):
        ws.write_number(row, col, value, fmt)
    else:
        ws.write_string(row, col, str(value))


def _shown(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return "" if value is None else str(value)


def _join(items: tuple[str, ...] | list[str]) -> str:
    return ";".join(items)


def staff_rows(scenario: Scenario, plan: Plan) -> tuple[list[Column], list[list[Any]]]:
    names = Names.of(scenario, plan)
    people = {s.staff_id: s for s in scenario.staff}
    columns = [
        Column("staff_id"),
        Column("org_id"),
        Column("unit_id"),
        Column("dept_id"),
        Column("role"),
        Column("name"),
        Column("org_name"),
        Column("unit_name"),
        Column("dept_name"),
        Column("position_before"),
        Column("fte", "float"),
        Column("retiring"),
        Column("protected"),
    ]
    rows = []
    for a in plan.staff:
        s = people.get(a.staff_id)
        rows.append(
            [
                a.staff_id,
                a.org_id,
                a.unit_id,
                a.dept_id,
                a.role.value,
                names.person(a.staff_id),
                names.org(a.org_id),
                names.unit(a.unit_id),
                names.dept(a.dept_id),
                s.position.value if s else None,
                s.fte if s else None,
                s.retiring if s else None,
                s.protected if s else None,
            ]
        )
    return columns, rows


def function_rows(scenario: Scenario, plan: Plan) -> tuple[list[Column], list[list[Any]]]:
    names = Names.of(scenario, plan)
    functions = {f.function_id: f for f in scenario.functions}
    columns = [
        Column("function_id"),
        Column("dept_id"),
        Column("lead_org"),
        Column("name"),
        Column("dept_name"),
        Column("lead_org_name"),
        Column("domain"),
        Column("kind"),
        Column("workload", "float"),
        Column("skill"),
        Column("org_id"),
        Column("unit_id"),
        Column("lead_candidates"),
    ]
    rows = []
    for a in plan.functions:
        f = functions.get(a.function_id)
        rows.append(
            [
                a.function_id,
                a.dept_id,
                a.lead_org,
                f.name if f else None,
                names.dept(a.dept_id),
                names.org(a.lead_org) if a.lead_org else None,
                f.domain if f else None,
                f.kind.value if f else None,
                f.workload if f else None,
                f.skill if f else None,
                f.org_id if f else None,
                f.unit_id if f else None,
                _join(f.lead_candidates) if f else None,
            ]
        )
    return columns, rows


def department_rows(scenario: Scenario, plan: Plan) -> tuple[list[Column], list[list[Any]]]:
    names = Names.of(scenario, plan)
    columns = [
        Column("dept_id"),
        Column("name"),
        Column("headcount", "int"),
        Column("fte", "float"),
        Column("workload", "float"),
        Column("head"),
        Column("deputies"),
        Column("domains"),
        Column("orgs"),
        Column("head_name"),
        Column("deputy_names"),
        Column("org_names"),
    ]
    rows = [
        [
            d.dept_id,
            d.name,
            d.headcount,
            d.fte,
            d.workload,
            d.head,
            _join(d.deputies),
            _join(d.domains),
            _join(d.orgs),
            names.person(d.head) if d.head else None,
            "; ".join(names.person(s) for s in d.deputies),
            "; ".join(names.org(o) for o in d.orgs),
        ]
        for d in plan.departments
    ]
    return columns, rows


def before_after_rows(summary: Summary, lang: str = "vi") -> tuple[list[Column], list[list[Any]]]:
    columns = [
        Column("measure", width=24),
        Column("label", width=36),
        Column("before", "money", 16),
        Column("after", "money", 16),
        Column("change", "money", 16),
    ]
    rows: list[list[Any]] = []
    for f in before_after(summary):
        kind = f.kind
        rows.append([f.key, f.label(lang), f.before, f.after, f.change, kind])
    return columns, rows


def summary_rows(scenario: Scenario, summary: Summary) -> list[tuple[str, Any, str]]:
    """(field, value, kind) rows of the summary sheet: everything in summary.json but the plan."""
    out: list[tuple[str, Any, str]] = [
        ("scenario", summary.scenario or scenario.settings.scenario.name, "text"),
        ("status", summary.status.value, "text"),
        ("mode", summary.mode, "text"),
        ("objective", summary.objective, "int"),
        ("bound", summary.bound, "int"),
        ("gap", summary.gap, "ratio"),
        ("runtime_s", summary.runtime_s, "float"),
    ]
    weights = scenario.settings.objective.weights()
    for term in list(TERMS) + [t for t in summary.terms if t not in TERMS]:
        if term in summary.terms:
            out.append((f"terms.{term}", summary.terms[term], "int"))
            if term in weights:
                out.append((f"weights.{term}", weights[term], "int"))
    for key, value in summary.kpis.model_dump().items():
        out.append((f"kpis.{key}", value, "share" if key == "reduction" else "int"))
    out.append(("conflicts", "; ".join(summary.conflicts), "text"))
    out.append(("input_sha256", summary.input_sha256, "text"))
    for key, value in summary.solver.model_dump().items():
        out.append(
            (
                f"solver.{key}",
                value,
                "float"
                if isinstance(value, float)
                else "int"
                if isinstance(value, int)
                else "text",
            )
        )
    out.append(("created", summary.created, "text"))
    out.append(("currency", scenario.settings.scenario.currency, "text"))
    return out


def write_xlsx(
    scenario: Scenario,
    plan: Plan,
    summary: Summary,
    path: str | os.PathLike[str],
    *,
    lang: str = "vi",
) -> None:
    """Write plan.xlsx: staff, functions, departments, before_after and summary sheets.

    ``lang`` chooses the language of the readable labels of the before/after
    sheet; the column names are the SPEC's (English) in both languages.
    """

    def write(tmp: Path) -> None:
        wb = xlsxwriter.Workbook(str(tmp), WORKBOOK_OPTIONS)
        wb.set_properties(
            {"title": f"Plan: {scenario.settings.scenario.name}", "comments": "Khối planner"}
        )
        formats = {k: wb.add_format(v) for k, v in FORMATS.items()}
        formats["header"] = wb.add_format(
            {
                "bold": True,
                "bg_color": "#1c3d5a",
                "font_color": "#ffffff",
                "border": 1,
                "text_wrap": True,
                "valign": "vcenter",
            }
        )
        if is_draft(summary):  # SPEC §5: a draft says so on its first sheet
            _draft_sheet(wb, scenario, summary, lang, formats)
        for name, (columns, rows) in (
            ("staff", staff_rows(scenario, plan)),
            ("functions", function_rows(scenario, plan)),
            ("departments", department_rows(scenario, plan)),
        ):
            write_sheet(wb, name, columns, rows, formats)
        _before_after_sheet(wb, summary, lang, formats)
        _summary_sheet(wb, scenario, summary, formats)
        wb.close()

    write_atomically(path, write)


def _before_after_sheet(
    wb: xlsxwriter.Workbook, summary: Summary, lang: str, formats: dict[str, Any]
) -> None:
    columns, rows = before_after_rows(summary, lang)
    ws = write_sheet(wb, "before_after", columns, [r[:5] for r in rows], formats)
    # money and counts share '#,##0'; the reduction row is a share
    for r, row in enumerate(rows, start=1):
        if row[5] == "share":
            for c in (2, 3, 4):
                _cell(ws, r, c, row[c], formats["share"])


def _draft_sheet(
    wb: xlsxwriter.Workbook,
    scenario: Scenario,
    summary: Summary,
    lang: str,
    formats: dict[str, Any],
) -> None:
    """The first sheet of a draft: what it is, and each broken rule (rule, where, amount)."""
    ws = wb.add_worksheet("draft")
    ws.write_string(0, 0, headline(summary, lang), formats["header"])
    for c, name in enumerate(("rule", "where", "amount", "")):
        ws.write_string(2, c, name, formats["header"])
    currency = scenario.settings.scenario.currency
    for r, v in enumerate(summary.violations, start=3):
        ws.write_string(r, 0, v.rule)
        ws.write_string(r, 1, v.where)
        ws.write_number(r, 2, v.amount)
        ws.write_string(r, 3, describe_violation(v, currency, lang))
    ws.set_column(0, 0, 12)
    ws.set_column(1, 1, 24)
    ws.set_column(2, 2, 14)
    ws.set_column(3, 3, 70)
    ws.activate()


def _summary_sheet(
    wb: xlsxwriter.Workbook, scenario: Scenario, summary: Summary, formats: dict[str, Any]
) -> None:
    ws = wb.add_worksheet("summary")
    ws.write_string(0, 0, "field", formats["header"])
    ws.write_string(0, 1, "value", formats["header"])
    rows = summary_rows(scenario, summary)
    for r, (field, value, kind) in enumerate(rows, start=1):
        ws.write_string(r, 0, field)
        _cell(ws, r, 1, value, formats[kind])
    ws.set_column(0, 0, 30)
    ws.set_column(1, 1, 70)
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, len(rows), 1)
