"""Comparing plans (``planner compare``).

:func:`compare` and :func:`compare_folders` put the KPIs of several plans side
by side and list who and what moves between them.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from models import TERMS, Plan, Summary
from planner.io import durable
from planner.tradeoffs.common import write_csv

# -- comparing plans ----------------------------------------------------------------------

KPI_ROWS: tuple[tuple[str, Callable[[Summary], float | int | None]], ...] = (
    ("objective", lambda s: s.objective),
    ("units_before", lambda s: s.kpis.units_before),
    ("departments", lambda s: s.kpis.departments_after),
    ("posts_before", lambda s: s.kpis.posts_before),
    ("posts", lambda s: s.kpis.posts_after),
    ("headcount_before", lambda s: s.kpis.headcount_before),
    ("headcount", lambda s: s.kpis.headcount_after),
    ("exits", lambda s: s.kpis.exits),
    ("involuntary_exits", lambda s: s.kpis.involuntary_exits),
    ("reduction", lambda s: s.kpis.reduction),
    ("payroll_before", lambda s: s.kpis.payroll_before),
    ("payroll", lambda s: s.kpis.payroll_after),
    ("savings", lambda s: s.kpis.savings),
    ("income_raise_per_head", lambda s: s.kpis.income_raise_per_head),
    *(
        (t, (lambda s, t=t: s.terms.get(t)))
        for t in TERMS
        if t not in ("payroll", "involuntary_exits")
    ),
)
"""The rows of the KPI table: summary.json ``kpis``, then the §4 terms not already there."""

MOVE_SCHEMA = {
    "kind": pl.String,
    "id": pl.String,
    "plan": pl.String,
    "from_dept": pl.String,
    "to_dept": pl.String,
    "from_role": pl.String,
    "to_role": pl.String,
}


@dataclass(frozen=True)
class CompareResult:
    """KPIs side by side and what moves between the first plan and each other.

    ``kpis``: column ``kpi`` then one Float64 column per plan (its label).
    ``moves``: kind (staff | function), id, plan (the other plan's label),
    from_dept/to_dept (empty on exit) and from_role/to_role — the role for staff
    (head | deputy | member | exit), the lead organisation for a function.
    Identifiers only: never names or salaries.
    """

    labels: list[str]
    kpis: pl.DataFrame
    moves: pl.DataFrame
    statuses: dict[str, str] = field(default_factory=dict)


def _unique_labels(labels: Sequence[str]) -> list[str]:
    out: list[str] = []
    for label in labels:
        name, n = label, 2
        while name in out or name == "kpi":
            name, n = f"{label} ({n})", n + 1
        out.append(name)
    return out


def compare(plans: Sequence[tuple[str, Plan, Summary]]) -> CompareResult:
    """Compare plans (label, plan, summary): KPIs side by side, and the moves against the first plan.

    A staff member moves when their department or role differs; a function when
    its department or lead organisation differs. Plans of different scenarios
    may be compared: an id absent from one side has an empty department there.
    """
    if not plans:
        raise ValueError("compare needs at least one plan")
    labels = _unique_labels([label for label, _, _ in plans])
    table: dict[str, list[float | None]] = {}
    for label, (_, _, summary) in zip(labels, plans, strict=True):
        table[label] = [None if (v := get(summary)) is None else float(v) for _, get in KPI_ROWS]
    kpis = pl.DataFrame(
        {"kpi": [name for name, _ in KPI_ROWS], **table},
        schema={"kpi": pl.String, **dict.fromkeys(labels, pl.Float64)},
    )
    first = plans[0][1]
    moves: list[dict[str, str | None]] = []
    for label, (_, plan, _) in zip(labels[1:], plans[1:], strict=True):
        moves += _moves(first, plan, label)
    return CompareResult(
        labels=labels,
        kpis=kpis,
        moves=pl.DataFrame(moves, schema=MOVE_SCHEMA),
        statuses={lb: s.status.value for lb, (_, _, s) in zip(labels, plans, strict=True)},
    )


def _moves(a: Plan, b: Plan, label: str) -> list[dict[str, str | None]]:
    """Rows of :data:`MOVE_SCHEMA` for every staff member and function placed differently in b."""
    Where = dict[str, tuple[str | None, str | None]]
    sides: list[tuple[str, Where, Where]] = [
        (
            "staff",
            {s.staff_id: (s.dept_id, s.role.value) for s in a.staff},
            {s.staff_id: (s.dept_id, s.role.value) for s in b.staff},
        ),
        (
            "function",
            {f.function_id: (f.dept_id, f.lead_org) for f in a.functions},
            {f.function_id: (f.dept_id, f.lead_org) for f in b.functions},
        ),
    ]
    rows: list[dict[str, str | None]] = []
    for kind, before, after in sides:
        for key in [*before, *(k for k in after if k not in before)]:
            (from_dept, from_role), (to_dept, to_role) = (
                before.get(key, (None, None)),
                after.get(key, (None, None)),
            )
            if (from_dept, from_role) != (to_dept, to_role):
                rows.append(
                    {
                        "kind": kind,
                        "id": key,
                        "plan": label,
                        "from_dept": from_dept,
                        "to_dept": to_dept,
                        "from_role": from_role,
                        "to_role": to_role,
                    }
                )
    return rows


def compare_folders(paths: Sequence[str | os.PathLike[str]]) -> CompareResult:
    """:func:`compare` of plan folders, labelled by folder name (``PlanError`` on an unreadable one)."""
    from planner.io.plan_io import read_plan, read_summary

    folders = [Path(p) for p in paths]
    return compare([(f.name or str(f), read_plan(f), read_summary(f)) for f in folders])


def kpi_rows(result: CompareResult, *, pretty: bool = True) -> list[list[str]]:
    """The KPI table as text, a status row first.

    ``pretty``: thousands separators and the reduction as a percentage (for
    people); otherwise plain numbers (for CSV), integers without decimals.
    """
    rows = [["status", *(result.statuses.get(lb, "") for lb in result.labels)]]
    for rec in result.kpis.iter_rows(named=True):
        cells = [rec["kpi"]]
        for lb in result.labels:
            v = rec[lb]
            if v is None:
                cells.append("")
            elif not pretty:
                cells.append(str(int(v)) if float(v).is_integer() else repr(v))
            elif rec["kpi"] == "reduction":
                cells.append(f"{v:.2%}")
            else:
                cells.append(f"{v:,.0f}" if float(v).is_integer() else f"{v:,}")
        rows.append(cells)
    return rows


def write_compare(result: CompareResult, path: str | os.PathLike[str]) -> list[Path]:
    """``FILE.csv`` (KPIs) and ``FILE.moves.csv``, or ``FILE.xlsx`` with sheets kpis and moves."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.suffix.lower() == ".csv":
        moves = target.with_name(target.stem + ".moves.csv")
        write_csv(_with_status(result), target)
        write_csv(result.moves, moves)
        return [target, moves]
    if target.suffix.lower() == ".xlsx":
        import xlsxwriter

        def write(tmp: Path) -> None:
            with xlsxwriter.Workbook(tmp) as wb:
                ws = wb.add_worksheet("kpis")
                bold = wb.add_format({"bold": True})
                ws.write_row(0, 0, ["kpi", *result.labels], bold)
                ws.write_row(
                    1, 0, ["status", *(result.statuses.get(lb, "") for lb in result.labels)]
                )
                for r, rec in enumerate(result.kpis.iter_rows(), start=2):
                    for c, v in enumerate(rec):
                        if v is not None:
                            ws.write(r, c, v)
                ws.set_column(0, 0, 24)
                mv = wb.add_worksheet("moves")
                mv.write_row(0, 0, list(MOVE_SCHEMA), bold)
                for r, rec in enumerate(result.moves.iter_rows(), start=1):
                    mv.write_row(r, 0, [v or "" for v in rec])

        durable.write_atomically(target, write)
        return [target]
    raise ValueError(f"--out {target}: use a .csv or .xlsx file")


def _with_status(result: CompareResult) -> pl.DataFrame:
    """The KPI table as text with the status row, for CSV."""
    rows = kpi_rows(result, pretty=False)
    cols = ["kpi", *result.labels]
    return pl.DataFrame(
        [dict(zip(cols, r, strict=True)) for r in rows], schema=dict.fromkeys(cols, pl.String)
    )
