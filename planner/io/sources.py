"""Find every table of a scenario folder and load it as cells (CSV, workbook sheet or Parquet).

Polars reads the files with every CSV/XLSX cell as a string; Python's csv
module checks the structure polars does not locate (quoting, separators,
ragged rows). Problems are collected, located by file and row, never raised,
and never quote a cell (it may be personal data).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from planner.io.cells import blank
from planner.io.errors import WHOLE, InputProblem, preview
from planner.io.layout import REQUIRED_TABLES, TABLES, WORKBOOK, Limits


@dataclass
class Table:
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


def load_tables(
    folder: Path, out: list[InputProblem], limits: Limits
) -> tuple[dict[str, Table], bool]:
    """Every table found in ``folder``, and whether all the required ones could be read."""
    workbook: dict[str, pl.DataFrame] | None = None
    workbook_failed = False
    if (folder / WORKBOOK).is_file():
        workbook = _read_workbook(folder / WORKBOOK, out, limits)
        workbook_failed = workbook is None
    tables: dict[str, Table] = {}
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
) -> Table | None:
    if source.endswith(".csv"):
        return _read_csv(folder / source, out, limits)
    if source.endswith(".parquet"):
        return _read_parquet(folder / source, out, limits)
    assert workbook is not None
    return _frame_table(stem, source, workbook[stem], out, limits, native=False)


def read_bytes(path: Path, out: list[InputProblem], max_bytes: int) -> bytes | None:
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


def decode(data: bytes, file: str, out: list[InputProblem]) -> str | None:
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


def _read_csv(path: Path, out: list[InputProblem], limits: Limits) -> Table | None:
    data = read_bytes(path, out, limits.max_file_bytes)
    text = None if data is None else decode(data, path.name, out)
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
    if read_bytes(path, out, limits.max_file_bytes) is None:
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


def _read_parquet(path: Path, out: list[InputProblem], limits: Limits) -> Table | None:
    if read_bytes(path, out, limits.max_file_bytes) is None:
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
) -> Table | None:
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
) -> Table:
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
        if not all(blank(v) for v in values)
    ]
    return Table(stem, file, header_row, list(positions), records)
