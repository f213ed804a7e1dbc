"""The roadmap folder (SPEC §8): write its tables atomically, read them back.

functions.csv (as §5), staff.csv (staff_id, period, dept_id, role: one row per
person and period), departures.csv, periods.csv and summary.json with
``"kind": "roadmap"``. Reading never trusts the derived tables: the checker
recomputes them (``planner.checking.check_roadmap``).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from datetime import date
from pathlib import Path

from pydantic import BaseModel, ValidationError

from models import (
    Departure,
    DepartureReason,
    FunctionAssignment,
    PeriodAssignment,
    PeriodFigures,
    PeriodRole,
    Roadmap,
    RoadmapSummary,
)
from planner.io.plan_io import FUNCTION_COLUMNS, PlanError, read_table, write_table

STAFF_COLUMNS = ("staff_id", "period", "dept_id", "role")
DEPARTURE_COLUMNS = ("staff_id", "period", "reason", "package")
PERIOD_COLUMNS = (
    "period",
    "start",
    "headcount",
    "posts",
    "deputies",
    "payroll",
    "packages",
    "cost",
    "cost_unchanged",
    "cumulative_savings",
)


def _payroll(value: float) -> str:
    """Monthly payroll to the cent: ``1234567`` or ``1234567.5``."""
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}"


def write_roadmap_tables(
    roadmap: Roadmap, summary: RoadmapSummary, folder: str | os.PathLike[str]
) -> None:
    """Write the tables and summary.json of a roadmap into an existing ``folder``."""
    out = Path(folder)
    write_table(
        out / "functions.csv",
        FUNCTION_COLUMNS,
        [(f.function_id, f.dept_id, f.lead_org) for f in roadmap.functions],
    )
    write_table(
        out / "staff.csv",
        STAFF_COLUMNS,
        [(a.staff_id, str(a.period), a.dept_id, a.role.value) for a in roadmap.staff],
    )
    write_table(
        out / "departures.csv",
        DEPARTURE_COLUMNS,
        [(d.staff_id, str(d.period), d.reason.value, str(d.package)) for d in roadmap.departures],
    )
    write_table(
        out / "periods.csv",
        PERIOD_COLUMNS,
        [
            (
                str(p.period),
                p.start.isoformat(),
                str(p.headcount),
                str(p.posts),
                str(p.deputies),
                _payroll(p.payroll),
                str(p.packages),
                str(p.cost),
                str(p.cost_unchanged),
                str(p.cumulative_savings),
            )
            for p in roadmap.periods
        ],
    )
    write_roadmap_summary(summary, out)


def write_roadmap_summary(summary: RoadmapSummary, folder: str | os.PathLike[str]) -> None:
    text = json.dumps(summary.model_dump(mode="json"), indent=2, ensure_ascii=False)
    (Path(folder) / "summary.json").write_text(text + "\n", encoding="utf-8")


def is_roadmap_folder(folder: str | os.PathLike[str]) -> bool:
    """A folder whose summary.json says ``"kind": "roadmap"``."""
    path = Path(folder) / "summary.json"
    try:
        return json.loads(path.read_text(encoding="utf-8")).get("kind") == "roadmap"
    except (OSError, ValueError, AttributeError):
        return False


def _rows(folder: Path, name: str, columns: tuple[str, ...], problems: list[str]) -> list[dict]:
    rows = read_table(folder / name, columns, problems)
    return rows or []


def _parse(
    name: str, rows: list[dict], make: type[BaseModel], problems: list[str], convert: dict
) -> list:
    out = []
    for i, row in enumerate(rows, start=2):
        try:
            values = {
                k: (convert[k](v) if k in convert and v is not None else v) for k, v in row.items()
            }
            out.append(make.model_validate(values))
        except (ValueError, ValidationError) as exc:
            message = exc.errors()[0]["msg"] if isinstance(exc, ValidationError) else str(exc)
            problems.append(f"{name}:{i}: {message}")
    return out


def read_roadmap(folder: str | os.PathLike[str]) -> Roadmap:
    """Read a roadmap folder's tables; a :class:`PlanError` lists every problem."""
    path = Path(folder)
    problems: list[str] = []
    functions = _parse(
        "functions.csv",
        _rows(path, "functions.csv", FUNCTION_COLUMNS, problems),
        FunctionAssignment,
        problems,
        {},
    )
    staff = _parse(
        "staff.csv",
        _rows(path, "staff.csv", STAFF_COLUMNS, problems),
        PeriodAssignment,
        problems,
        {"period": int, "role": PeriodRole},
    )
    departures = _parse(
        "departures.csv",
        _rows(path, "departures.csv", DEPARTURE_COLUMNS, problems),
        Departure,
        problems,
        {"period": int, "package": int, "reason": DepartureReason},
    )
    ints: dict[str, Callable[[str], object]] = dict.fromkeys(PERIOD_COLUMNS, int)
    ints.update(start=date.fromisoformat, payroll=float)
    periods = _parse(
        "periods.csv",
        _rows(path, "periods.csv", PERIOD_COLUMNS, problems),
        PeriodFigures,
        problems,
        ints,
    )
    if problems:
        raise PlanError(problems)
    return Roadmap(
        functions=tuple(functions),
        staff=tuple(staff),
        departures=tuple(departures),
        periods=tuple(periods),
    )


def read_roadmap_summary(folder: str | os.PathLike[str]) -> RoadmapSummary:
    path = Path(folder) / "summary.json"
    try:
        return RoadmapSummary.model_validate_json(path.read_bytes())
    except FileNotFoundError:
        raise PlanError(["summary.json: file missing"]) from None
    except ValidationError as exc:
        raise PlanError(
            [
                f"summary.json:{'.'.join(str(x) for x in e['loc']) or '?'}: {e['msg']}"
                for e in exc.errors()
            ]
        ) from None
