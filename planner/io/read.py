"""Read a scenario folder (SPEC §2) into a validated ``models.Scenario``.

Every table may come as ``STEM.csv``, as sheet ``STEM`` of ``scenario.xlsx`` or as
``STEM.parquet``. Polars reads the files with every CSV/XLSX cell as a string;
each cell is then converted here, one by one, so that every problem can be
located (``file:row:column: message``) and reported together with all the
others. Reading never stops at the first problem and never lets a traceback
escape for bad data: it returns a ``Scenario`` or raises ``InputError``.

Cells of staff ``name`` and ``salary`` are personal data: no message echoes them.
"""

from __future__ import annotations

import csv
import difflib
import io
import math
import re
import tomllib
import types
import typing
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from functools import cache
from pathlib import Path

import polars as pl
from pydantic import BaseModel, ValidationError

from models import (
    Department,
    Function,
    FunctionKind,
    Lock,
    Organization,
    Problem,
    Rule,
    Scenario,
    ScenarioError,
    Settings,
    Staff,
    Unit,
)
from models.scenario import rule_warnings
from planner.io.errors import WHOLE, InputError, InputProblem, error_column, error_message, preview

TABLES: dict[str, type[BaseModel]] = {
    "organizations": Organization,
    "units": Unit,
    "staff": Staff,
    "functions": Function,
    "departments": Department,
    "rules": Rule,
    "locks": Lock,
}
"""Every table of SPEC §2 by file stem, in the SPEC's order, with its row model."""

REQUIRED_TABLES = ("organizations", "units", "staff", "functions")
KEY_COLUMNS = {
    "organizations": "org_id",
    "units": "unit_id",
    "staff": "staff_id",
    "functions": "function_id",
    "departments": "dept_id",
}
PRIVATE_COLUMNS = frozenset({("staff", "name"), ("staff", "salary")})
"""Personal data: no message ever echoes these cells."""

SETTINGS_FILE = "scenario.toml"
WORKBOOK = "scenario.xlsx"
WHOLE_NUMBER = "not a whole number"
TRUE = frozenset({"true", "1", "yes"})
FALSE = frozenset({"false", "0", "no"})


MAX_FILE_BYTES = 50 * 2**20
MAX_ROWS = 200_000
MAX_CELL_CHARS = 10_000


@dataclass(frozen=True)
class Limits:
    """Sizes beyond which an input is refused as absurd rather than read.

    Attributes
    ----------
    max_file_bytes
        Largest file (a CSV, the workbook, a Parquet file or scenario.toml).
    max_rows
        Most data rows in one table.
    max_cell_chars
        Longest cell of a known column, in characters.
    """

    max_file_bytes: int = MAX_FILE_BYTES
    max_rows: int = MAX_ROWS
    max_cell_chars: int = MAX_CELL_CHARS


@dataclass
class _Table:
    """A table as read: where it came from, its columns and its non-blank records.

    ``records`` pairs each record's spreadsheet row with its cells by column;
    ``broken`` holds the rows whose cells cannot be trusted (ragged rows).
    """

    stem: str
    file: str
    header_row: int
    columns: list[str]
    records: list[tuple[int, dict[str, object]]]
    broken: set[int] = field(default_factory=set)


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
    if not folder.is_dir():
        raise InputError(
            [InputProblem(folder.name or str(folder), 0, WHOLE, "not a scenario folder")]
        )
    out: list[InputProblem] = []
    settings, key_lines = _read_settings(folder / SETTINGS_FILE, out, limits.max_file_bytes)
    tables, complete = _load_tables(folder, out, limits)
    rows = {stem: _check_table(table, out, limits) for stem, table in tables.items()}
    scenario = _assemble(settings, rows, key_lines, out) if complete else None
    if out or scenario is None:
        raise InputError(out)
    # Kept so that writing the settings back keeps the planner's comments and layout.
    data = _read_bytes(folder / SETTINGS_FILE, [], limits.max_file_bytes)
    text = None if data is None else _decode(data, SETTINGS_FILE, [])
    return scenario.model_copy(update={"settings_text": text})


# -- finding and loading tables ---------------------------------------------------


def _load_tables(
    folder: Path, out: list[InputProblem], limits: Limits
) -> tuple[dict[str, _Table], bool]:
    """Every table found in ``folder``, and whether all the required ones could be read."""
    workbook: dict[str, pl.DataFrame] | None = None
    workbook_failed = False
    if (folder / WORKBOOK).is_file():
        workbook = _read_workbook(folder / WORKBOOK, out, limits)
        workbook_failed = workbook is None
    tables: dict[str, _Table] = {}
    complete = not workbook_failed
    for stem in TABLES:
        found = _sources(folder, stem, workbook)
        if len(found) > 1:
            out.append(
                InputProblem(
                    found[0], 0, WHOLE, f"table given more than once ({', '.join(found)}): keep one"
                )
            )
        if not found and stem in REQUIRED_TABLES:
            complete = False
            if not workbook_failed:  # the table may be in the workbook that failed
                out.append(_missing_table(stem, in_workbook=workbook is not None))
        table = _load(folder, stem, found[0], workbook, out, limits) if found else None
        if table is not None:
            tables[stem] = table
        elif found:
            complete = False
    return tables, complete


def _missing_table(stem: str, *, in_workbook: bool) -> InputProblem:
    message = (
        f"missing required table: give {stem}.csv, a '{stem}' sheet in {WORKBOOK} or {stem}.parquet"
    )
    return InputProblem(f"{WORKBOOK}[{stem}]" if in_workbook else f"{stem}.csv", 0, WHOLE, message)


def _sources(folder: Path, stem: str, workbook: dict[str, pl.DataFrame] | None) -> list[str]:
    """The display names of every source of table ``stem``: csv first, then xlsx, then parquet."""
    found = []
    if (folder / f"{stem}.csv").is_file():
        found.append(f"{stem}.csv")
    if workbook is not None and stem in workbook:
        found.append(f"{WORKBOOK}[{stem}]")
    if (folder / f"{stem}.parquet").is_file():
        found.append(f"{stem}.parquet")
    return found


def _load(
    folder: Path,
    stem: str,
    source: str,
    workbook: dict[str, pl.DataFrame] | None,
    out: list[InputProblem],
    limits: Limits,
) -> _Table | None:
    if source.endswith(".csv"):
        return _read_csv(folder / source, out, limits)
    if source.endswith(".parquet"):
        return _read_parquet(folder / source, out, limits)
    assert workbook is not None
    return _frame_table(stem, source, workbook[stem], out, limits, native=False)


def _read_bytes(path: Path, out: list[InputProblem], max_bytes: int) -> bytes | None:
    """The bytes of ``path``, or ``None`` (with a problem) when too large or unreadable."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            out.append(
                InputProblem(
                    path.name, 0, WHOLE, f"file too large: {size:,} bytes (limit {max_bytes:,})"
                )
            )
            return None
        return path.read_bytes()
    except OSError as exc:
        out.append(InputProblem(path.name, 0, WHOLE, f"cannot read the file: {exc.strerror}"))
        return None


def _decode(data: bytes, file: str, out: list[InputProblem]) -> str | None:
    """``data`` as text without its BOM, or ``None`` (with a problem) when not UTF-8."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        message = (
            f"not UTF-8 text (byte 0x{data[exc.start]:02X} on line {line}): save the file as UTF-8"
        )
        out.append(InputProblem(file, line, WHOLE, message))
        return None


def _read_csv(path: Path, out: list[InputProblem], limits: Limits) -> _Table | None:
    data = _read_bytes(path, out, limits.max_file_bytes)
    text = None if data is None else _decode(data, path.name, out)
    scan = None if text is None else _scan_csv(text, path.name, out, limits)
    if text is None or scan is None:
        return None
    try:
        frame = pl.read_csv(
            io.BytesIO(text.encode("utf-8")),
            infer_schema=False,
            truncate_ragged_lines=True,
            n_rows=limits.max_rows + 1,
        )
    except Exception:  # polars' messages quote cells, which may be personal data
        out.append(InputProblem(path.name, 0, WHOLE, "cannot parse the file as CSV"))
        return None
    header_row, header, broken = scan
    table = _table(path.stem, path.name, header_row, header, frame.iter_rows(), out)
    table.broken = broken
    return table


def _scan_csv(
    text: str, file: str, out: list[InputProblem], limits: Limits
) -> tuple[int, list[str], set[int]] | None:
    """The header's row, the header and the ragged rows; ``None`` when the file cannot be read.

    Python's csv module checks the structure polars does not locate: quoting
    errors, an empty file, a file that is not comma separated, ragged rows
    (each reported) and too many rows. Blank lines before the header shift it down.
    """
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header: list[str] | None = None
    header_row, count, broken = 0, 0, set()
    ragged: list[InputProblem] = []
    number, last_line = 0, 0  # records (spreadsheet rows) and physical lines read so far
    try:
        for number, record in enumerate(reader, start=1):
            last_line = reader.line_num
            blank = not any(cell.strip() for cell in record)
            if header is None and not blank:
                header, header_row = [cell.strip() for cell in record], number
            elif header is not None:
                count += 1
                if count > limits.max_rows:
                    break  # refused whole below: neither read further nor report every row
                if not blank and len(record) != len(header):
                    broken.add(number)
                    ragged.append(
                        InputProblem(
                            file,
                            number,
                            WHOLE,
                            f"ragged row: {len(record)} cells where the header has {len(header)}",
                        )
                    )
    except csv.Error as exc:
        # The record that failed starts on the row after the last one read; a quote
        # opened there may only be noticed many lines further down.
        start = last_line + 1
        where = (
            f"the row starts on line {start}, the error shows on line {reader.line_num}"
            if reader.line_num > start
            else f"line {start}"
        )
        message = f"cannot parse as CSV: {exc} (check the quotes of this row: {where})"
        out.append(InputProblem(file, number + 1, WHOLE, message))
        return None
    if header is None:
        out.append(InputProblem(file, 0, WHOLE, "empty file: expected a header row"))
        return None
    if len(header) == 1 and (sep := next((s for s in ";\t|" if s in header[0]), None)):
        message = f"the header is a single column {preview(header[0])}: the file looks separated by {sep!r}; save it comma separated"
        out.append(InputProblem(file, header_row, WHOLE, message))
        return None
    if count > limits.max_rows:
        out.append(InputProblem(file, 0, WHOLE, f"too many rows: more than {limits.max_rows}"))
        return None
    out.extend(ragged)
    return header_row, header, broken


def _read_workbook(
    path: Path, out: list[InputProblem], limits: Limits
) -> dict[str, pl.DataFrame] | None:
    """Every sheet of ``scenario.xlsx`` with every cell as a string, or ``None`` with a problem."""
    if _read_bytes(path, out, limits.max_file_bytes) is None:
        return None
    try:
        sheets = pl.read_excel(
            path,
            sheet_id=0,
            engine="calamine",
            read_options={"dtypes": "string", "n_rows": limits.max_rows + 1},
            drop_empty_rows=False,
            drop_empty_cols=False,
            raise_if_empty=False,
        )
    except Exception as exc:  # a corrupt workbook holds no readable cell to leak
        out.append(
            InputProblem(path.name, 0, WHOLE, f"cannot read the workbook ({type(exc).__name__})")
        )
        return None
    return dict(sheets)


def _read_parquet(path: Path, out: list[InputProblem], limits: Limits) -> _Table | None:
    if _read_bytes(path, out, limits.max_file_bytes) is None:
        return None
    try:
        frame = pl.read_parquet(path, n_rows=limits.max_rows + 1)
    except Exception as exc:
        out.append(
            InputProblem(
                path.name, 0, WHOLE, f"cannot read the Parquet file ({type(exc).__name__})"
            )
        )
        return None
    return _frame_table(path.stem, path.name, frame, out, limits, native=True)


def _frame_table(
    stem: str,
    file: str,
    frame: pl.DataFrame,
    out: list[InputProblem],
    limits: Limits,
    *,
    native: bool,
) -> _Table | None:
    """A sheet or Parquet frame as a table (header in row 1), or ``None`` with a problem."""
    if not frame.columns:
        out.append(
            InputProblem(
                file, 0, WHOLE, "empty sheet: expected a header row" if not native else "no columns"
            )
        )
        return None
    if frame.height > limits.max_rows:
        out.append(InputProblem(file, 0, WHOLE, f"too many rows: more than {limits.max_rows}"))
        return None
    return _table(stem, file, 1, frame.columns, frame.iter_rows(), out)


def _table(
    stem: str,
    file: str,
    header_row: int,
    header: Sequence[object],
    rows: Iterable[Sequence[object]],
    out: list[InputProblem],
) -> _Table:
    """Cells keyed by (stripped) column name; a repeated column is reported and ignored."""
    positions: dict[str, int] = {}
    for j, raw in enumerate(header):
        name = str(raw).strip()
        if name in positions:
            out.append(
                InputProblem(
                    file, header_row, name, "column given twice: the second one is ignored"
                )
            )
        elif name:
            positions[name] = j
    records = [
        (header_row + 1 + i, {name: values[j] for name, j in positions.items() if j < len(values)})
        for i, values in enumerate(rows)
        if not all(_blank(v) for v in values)
    ]
    return _Table(stem, file, header_row, list(positions), records)


# -- rows, then references between tables -----------------------------------------


def _check_table(table: _Table, out: list[InputProblem], limits: Limits) -> _Rows:
    """Validate every row of ``table``, reporting each bad one.

    A bad row of a table that others refer to is kept as a placeholder so that
    its id still counts (no spurious dangling references); in rules and locks,
    which nothing refers to, it is dropped.
    """
    rows = _Rows(table.file)
    model = TABLES[table.stem]
    for column in _missing_columns(model, table.columns):
        out.append(
            InputProblem(
                table.file,
                table.header_row,
                column,
                "missing required column" + _hint(column, table.columns),
            )
        )
    for rownum, cells in table.records:
        row, problems = _check_row(table.stem, model, cells, limits)
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


# -- cells: one converter per kind of field, located problems --------------------


class _BadCell(Exception):
    """A cell that cannot be converted; ``echo`` says whether the message may quote it."""

    def __init__(self, problem: str, *, echo: bool = True) -> None:
        super().__init__(problem)
        self.problem, self.echo = problem, echo

    def message(self, raw: object, *, private: bool) -> str:
        return f"{preview(raw)} is {self.problem}" if self.echo and not private else self.problem


@dataclass(frozen=True)
class ColumnSpec:
    """How to read one field of a row model from a cell."""

    kind: str  # str | list | int | float | bool | enum
    required: bool
    default: object = None
    enum: type[Enum] | None = None


def _base_type(annotation: object) -> object:
    """``Annotated[int, …] | None`` -> ``int``."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            annotation = next(a for a in typing.get_args(annotation) if a is not type(None))
        else:
            return annotation


@cache
def column_specs(model: type[BaseModel]) -> dict[str, ColumnSpec]:
    """The reading spec of every field of ``model``, derived from its annotations."""
    specs = {}
    for name, info in model.model_fields.items():
        base = _base_type(info.annotation)
        enum = base if isinstance(base, type) and issubclass(base, Enum) else None
        kind = {bool: "bool", int: "int", float: "float"}.get(base, "str")  # type: ignore[call-overload]
        if enum is not None:
            kind = "enum"
        elif typing.get_origin(base) is tuple:
            kind = "list"
        default = None if info.is_required() else info.default
        specs[name] = ColumnSpec(kind, info.is_required(), default, enum)
    return specs


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _to_text(value: object, spec: ColumnSpec) -> object:
    if isinstance(value, list | tuple):
        raise _BadCell("a list, expected text", echo=False)
    return value if isinstance(value, str) else str(value)


def _to_list(value: object, spec: ColumnSpec) -> object:
    return (
        ";".join(str(v) for v in value)
        if isinstance(value, list | tuple)
        else _to_text(value, spec)
    )


def _to_int(value: object, spec: ColumnSpec) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        try:
            return int(value) if re.fullmatch(r"[+-]?\d+", value) else _to_int(float(value), spec)
        except (ValueError, _BadCell) as exc:
            if isinstance(exc, _BadCell) and exc.problem != WHOLE_NUMBER:
                raise
            grouped = re.fullmatch(r"[+-]?\d{1,3}([.,\s]\d{3})+", value)
            raise _BadCell(
                WHOLE_NUMBER + (" (write digits only, no separators)" if grouped else "")
            ) from None
    if isinstance(value, float) and not math.isfinite(value):
        raise _BadCell("not a finite number")
    if isinstance(value, float) and value.is_integer():
        return int(value)
    raise _BadCell(WHOLE_NUMBER)


def _to_float(value: object, spec: ColumnSpec) -> float:
    try:
        number = (
            float(value)
            if isinstance(value, str | int | float) and not isinstance(value, bool)
            else None
        )
    except ValueError:
        number = None
    if number is None:
        comma = isinstance(value, str) and re.fullmatch(r"[+-]?\d*,\d+", value)
        raise _BadCell("not a number" + (" (use a decimal point: 0.5, not 0,5)" if comma else ""))
    if not math.isfinite(number):
        raise _BadCell("not a finite number")
    return number


def _to_bool(value: object, spec: ColumnSpec) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    if text in TRUE or text in FALSE:
        return text in TRUE
    raise _BadCell("not a boolean (use true/false, 1/0 or yes/no)")


def _to_enum(value: object, spec: ColumnSpec) -> Enum:
    assert spec.enum is not None
    allowed = [str(m.value) for m in spec.enum]
    text = str(value).strip().lower()
    if text not in allowed:
        raise _BadCell(f"not one of: {', '.join(allowed)}")
    return spec.enum(text)


_CONVERTERS: dict[str, Callable[[object, ColumnSpec], object]] = {
    "str": _to_text,
    "list": _to_list,
    "int": _to_int,
    "float": _to_float,
    "bool": _to_bool,
    "enum": _to_enum,
}


def _convert(raw: object, spec: ColumnSpec, limits: Limits) -> object:
    if isinstance(raw, str):
        if len(raw) > limits.max_cell_chars:
            raise _BadCell(f"longer than {limits.max_cell_chars} characters", echo=False)
        raw = raw.strip()
    return _CONVERTERS[spec.kind](raw, spec)


def _missing_columns(model: type[BaseModel], columns: Sequence[str]) -> list[str]:
    return [
        name for name, spec in column_specs(model).items() if spec.required and name not in columns
    ]


def _hint(column: str, columns: Sequence[str]) -> str:
    near = difflib.get_close_matches(column.lower(), [c.lower() for c in columns], n=1, cutoff=0.75)
    if not near:
        return ""
    found = next(c for c in columns if c.lower() == near[0])
    return f" (found {found!r}: column names are compared exactly)"


def _check_row(
    stem: str, model: type[BaseModel], cells: dict[str, object], limits: Limits
) -> tuple[BaseModel, dict[str, str]]:
    """One row as a model, and its problems by column (a placeholder model when there are any)."""
    specs = column_specs(model)
    values: dict[str, object] = {}
    problems: dict[str, str] = {}
    for name, spec in specs.items():
        raw = cells.get(name)
        private = (stem, name) in PRIVATE_COLUMNS
        if _blank(raw):
            if spec.required and name in cells:
                problems[name] = (
                    "empty identifier"
                    if KEY_COLUMNS.get(stem) == name
                    else "empty: a value is required"
                )
            continue
        try:
            values[name] = _convert(raw, spec, limits)
        except _BadCell as bad:
            problems[name] = bad.message(raw, private=private)
    try:
        return model.model_validate(values), problems
    except ValidationError as exc:
        for err in exc.errors():
            column = error_column(err, specs)
            if err["type"] != "missing" and column not in problems:
                problems[column] = error_message(err, echo=(stem, column) not in PRIVATE_COLUMNS)
    # Only "missing" errors: a required column is absent, reported once at the header.
    # The row is still bad, so that its placeholder's empty cells raise no dangling
    # reference ("unknown organisation 'None'") in the other tables.
    return _placeholder(model, values), problems or {WHOLE: ""}


def _placeholder(model: type[BaseModel], values: dict[str, object]) -> BaseModel:
    """An unvalidated stand-in for a bad row, so that its id still counts in references."""
    data: dict[str, typing.Any] = {
        n: values.get(n, spec.default) for n, spec in column_specs(model).items()
    }
    for name, spec in column_specs(model).items():
        if spec.kind == "list":
            value = data[name]
            data[name] = (
                tuple(dict.fromkeys(p.strip() for p in value.split(";") if p.strip()))
                if isinstance(value, str)
                else ()
            )
    if model is Function and data["org_id"] is None and data["kind"] is not FunctionKind.SHARED:
        # Scenario re-runs Function's own checks on it: a kind they would reject is left out.
        data["kind"] = (
            None
            if data["kind"] is FunctionKind.RESERVED or not data["lead_candidates"]
            else data["kind"]
        )
    return model.model_construct(**data)


# -- scenario.toml ----------------------------------------------------------------


def _read_settings(
    path: Path, out: list[InputProblem], max_bytes: int
) -> tuple[Settings, dict[str, int]]:
    """The settings (defaults where a section is bad) and the line of every ``section.key``."""
    if not path.is_file():
        out.append(
            InputProblem(
                SETTINGS_FILE, 0, WHOLE, "missing required file (an empty file means all defaults)"
            )
        )
        return Settings(), {}
    data = _read_bytes(path, out, max_bytes)
    text = None if data is None else _decode(data, SETTINGS_FILE, out)
    if text is None:
        return Settings(), {}
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"\(at line (\d+), column \d+\)", str(exc))
        line = int(found[1]) if found else text.count("\n") + 1
        out.append(InputProblem(SETTINGS_FILE, line, WHOLE, f"TOML syntax error: {exc}"))
        return Settings(), {}
    lines = _key_lines(text)
    sections = {}
    for name, body in document.items():
        kept = _known_keys(name, body, lines, out)
        if kept is not None:
            sections[name] = _section(name, kept, lines, out)
    return Settings(**sections), lines


def _key_lines(text: str) -> dict[str, int]:
    """The first line of every ``[section]`` and ``section.key`` in a TOML text."""
    lines: dict[str, int] = {}
    section = ""
    for number, line in enumerate(text.splitlines(), start=1):
        if header := re.match(r"\s*\[\s*([\w.-]+)\s*\]", line):
            section = header[1]
            lines.setdefault(section, number)
        elif key := re.match(r"\s*([\w-]+)\s*=", line):
            lines.setdefault(f"{section}.{key[1]}" if section else key[1], number)
    return lines


def _did_you_mean(name: str, allowed: Iterable[str]) -> str:
    near = difflib.get_close_matches(name, list(allowed), n=1)
    return f" (did you mean {near[0]!r}?)" if near else ""


def _known_keys(
    name: str, body: object, lines: dict[str, int], out: list[InputProblem]
) -> dict[str, object] | None:
    """The keys of section ``name`` that exist and are finite; the others reported."""
    sections = list(Settings.model_fields)
    if name not in sections:
        where = (
            f"unknown section [{name}]"
            if isinstance(body, dict)
            else f"key {name!r} outside any section"
        )
        message = f"{where}{_did_you_mean(name, sections)}; sections are: {', '.join(sections)}"
        out.append(InputProblem(SETTINGS_FILE, lines.get(name, 0), name, message))
        return None
    if not isinstance(body, dict):
        out.append(
            InputProblem(
                SETTINGS_FILE, lines.get(name, 0), name, f"[{name}] must be a table of keys"
            )
        )
        return None
    keys = list(_section_model(name).model_fields)
    kept = {}
    for key, value in body.items():
        column = f"{name}.{key}"
        line = lines.get(column, lines.get(name, 0))
        if key not in keys:
            message = (
                f"unknown key{_did_you_mean(key, keys)}; keys of [{name}] are: {', '.join(keys)}"
            )
            out.append(InputProblem(SETTINGS_FILE, line, column, message))
        elif isinstance(value, float) and not math.isfinite(value):
            out.append(InputProblem(SETTINGS_FILE, line, column, f"{value} is not a finite number"))
        else:
            kept[key] = value
    return kept


def _section_model(name: str) -> type[BaseModel]:
    return typing.cast(type[BaseModel], Settings.model_fields[name].annotation)


def _section(
    name: str, body: dict[str, object], lines: dict[str, int], out: list[InputProblem]
) -> BaseModel:
    """Section ``name`` validated; bad keys are reported and left at their defaults."""
    model = _section_model(name)
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        bad = set()
        for err in exc.errors():
            key = error_column(err, model.model_fields)
            column = name if key == WHOLE else f"{name}.{key}"
            loc = err.get("loc") or ()
            if len(loc) > 1 and all(isinstance(part, str) for part in loc):
                column = ".".join(
                    (name, *map(str, loc))
                )  # a sub-table's key: roadmap.package.first_rate
            bad.add(key)
            out.append(
                InputProblem(
                    SETTINGS_FILE,
                    lines.get(column, lines.get(name, 0)),
                    column,
                    error_message(err, echo=True),
                )
            )
    try:
        return model.model_validate({k: v for k, v in body.items() if k not in bad})
    except ValidationError:
        return model()
