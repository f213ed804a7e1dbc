"""Read a scenario folder (SPEC §2) into a validated ``models.Scenario``.

Every table may come as ``STEM.csv``, as sheet ``STEM`` of ``scenario.xlsx`` or as
``STEM.parquet``. Polars reads the files with every CSV/XLSX cell as a string;
each cell is then converted here, one by one, so that every problem can be
located (``file:row:column: message``) and reported together with all the
others. Reading never stops at the first problem and never lets a traceback
escape for bad data: it returns a ``Scenario`` or raises ``InputError``.

Cells of staff ``name`` and ``salary`` are personal data: no message echoes them.

The steps live in their own modules: ``layout`` (the tables, files and size
limits), ``sources`` (files to cells), ``cells`` (cells to row models),
``toml_read`` (scenario.toml); this one validates the rows, then the references
between tables, and locates every problem the models report.
"""

from __future__ import annotations

import re
import typing
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ValidationError

from models import Problem, Scenario, ScenarioError, Settings
from models.scenario import rule_warnings
from planner.io.cells import check_row, column_hint, missing_columns
from planner.io.errors import WHOLE, InputError, InputProblem, error_message
from planner.io.layout import KEY_COLUMNS, SETTINGS_FILE, TABLES, Limits
from planner.io.sources import Table, decode, load_tables, read_bytes
from planner.io.toml_read import read_settings


@dataclass
class _Rows:
    """The validated rows of one table, placeholders included for bad rows."""

    file: str
    models: list[BaseModel] = field(default_factory=list)
    rownums: list[int] = field(default_factory=list)
    bad: set[int] = field(default_factory=set)


def read_scenario(path: str | Path, *, limits: Limits | None = None) -> Scenario:
    """Read and validate the scenario folder at ``path``.

    Parameters
    ----------
    path
        The scenario folder: tables as CSV, as sheets of ``scenario.xlsx`` or as
        Parquet, and ``scenario.toml``.
    limits
        Size limits on files, rows and cells (defaults: :class:`Limits`).

    Returns
    -------
    Scenario
        The validated scenario.

    Raises
    ------
    InputError
        With every problem found, each located by file, row and column.
    """
    limits = limits or Limits()
    folder = Path(path)
    if not folder.is_dir():  # the whole path: the name alone does not say where it was looked for
        why = "a file" if folder.exists() else "no such folder"
        raise InputError(
            [InputProblem(str(folder.absolute()), 0, WHOLE, f"not a scenario folder: {why}")]
        )
    out: list[InputProblem] = []
    settings, key_lines = read_settings(folder / SETTINGS_FILE, out, limits.max_file_bytes)
    tables, complete = load_tables(folder, out, limits)
    rows = {stem: _check_table(table, out, limits) for stem, table in tables.items()}
    scenario = _assemble(settings, rows, key_lines, out) if complete else None
    if out or scenario is None:
        raise InputError(out)
    # Kept so that writing the settings back keeps the planner's comments and layout.
    data = read_bytes(folder / SETTINGS_FILE, [], limits.max_file_bytes)
    text = None if data is None else decode(data, SETTINGS_FILE, [])
    return scenario.model_copy(update={"settings_text": text})


# -- rows, then references between tables -----------------------------------------


def _check_table(table: Table, out: list[InputProblem], limits: Limits) -> _Rows:
    """Validate every row of ``table``, reporting each bad one.

    A bad row of a table that others refer to is kept as a placeholder so that
    its id still counts (no spurious dangling references); in rules and locks,
    which nothing refers to, it is dropped.
    """
    rows = _Rows(table.file)
    model = TABLES[table.stem]
    for column in missing_columns(model, table.columns):
        out.append(
            InputProblem(
                table.file,
                table.header_row,
                column,
                "missing required column" + column_hint(column, table.columns),
            )
        )
    for rownum, cells in table.records:
        row, problems = check_row(table.stem, model, cells, limits)
        if rownum in table.broken:
            problems = {WHOLE: ""}  # already reported as ragged
        out.extend(
            InputProblem(table.file, rownum, col, msg) for col, msg in problems.items() if msg
        )
        if problems and table.stem not in KEY_COLUMNS:
            continue
        if problems:
            rows.bad.add(len(rows.models))
        rows.models.append(row)
        rows.rownums.append(rownum)
    return rows


def _assemble(
    settings: Settings, rows: dict[str, _Rows], key_lines: dict[str, int], out: list[InputProblem]
) -> Scenario | None:
    """The scenario, or ``None`` with its cross-reference problems added to ``out``."""
    departments = rows.get("departments")
    if departments is not None and not departments.models:
        message = (
            "no departments: give at least one row, or remove the table to use departments.count"
        )
        out.append(InputProblem(departments.file, 0, WHOLE, message))
    tables = {stem: tuple(r.models) for stem, r in rows.items()}
    try:
        scenario = Scenario(settings=settings, **tables)  # type: ignore[arg-type]
        # Warnings, located like problems: the scenario is valid, but the user should know.
        warnings = [str(_locate(w, rows, key_lines)) for w in rule_warnings(scenario)]
        return scenario.model_copy(update={"warnings": (*scenario.warnings, *warnings)})
    except ValidationError as exc:
        for err in exc.errors():
            error = err.get("ctx", {}).get("error")
            loc = err.get("loc", ())
            if isinstance(error, ScenarioError):
                problems = typing.cast(list[Problem | str], error.problems)
                out.extend(_locate(p, rows, key_lines) for p in problems if _shown(p, rows))
            elif len(loc) > 1 and loc[0] in rows and isinstance(loc[1], int):  # a row checked again
                if loc[1] not in rows[str(loc[0])].bad:
                    table = rows[str(loc[0])]
                    out.append(
                        InputProblem(
                            table.file, table.rownums[loc[1]], WHOLE, error_message(err, echo=False)
                        )
                    )
            else:
                out.append(InputProblem(SETTINGS_FILE, 0, WHOLE, error_message(err, echo=False)))
    except Exception:
        if not any(r.bad for r in rows.values()):
            raise  # valid rows only: a bug, not bad data
        # A placeholder the models could not check: its row is already reported.
    return None


def _shown(problem: Problem | str, rows: dict[str, _Rows]) -> bool:
    """False for a reference problem on a row already reported bad (its cells are not trusted)."""
    if isinstance(problem, str) or problem.index is None or problem.table not in rows:
        return True
    return problem.index not in rows[problem.table].bad


def _locate(
    problem: Problem | str, rows: dict[str, _Rows], key_lines: dict[str, int]
) -> InputProblem:
    """A models.Problem located in its real file, row and column."""
    if isinstance(problem, str):
        return InputProblem(SETTINGS_FILE, 0, WHOLE, problem)
    if problem.table == SETTINGS_FILE:
        return InputProblem(
            SETTINGS_FILE,
            key_lines.get(problem.column, 0),
            problem.column or WHOLE,
            problem.message,
        )
    table = rows.get(problem.table)
    if table is None:
        return InputProblem(f"{problem.table}.csv", 0, problem.column or WHOLE, problem.message)
    row = 0 if problem.index is None else table.rownums[problem.index]

    def first_row(match: re.Match[str]) -> str:  # "first at row index 0" -> the spreadsheet row
        return f"first at row {table.rownums[int(match[1])]}"

    message = re.sub(r"first at row index (\d+)", first_row, problem.message)
    return InputProblem(table.file, row, problem.column or WHOLE, message)
