"""The plan folder of SPEC §5: write and read its tables, replace a folder atomically.

Tables are UTF-8 CSV with a header row; lists are joined with ``;``; ``None`` is an
empty cell; floats are written in Python's shortest round-trip form so that
``read_plan(write_plan_tables(plan))`` gives the same ``Plan``. Reading takes every
cell as a string (polars, no type inference) and reports every problem at once as a
:class:`PlanError`, each line naming the file, the line and the column.
"""

from __future__ import annotations

import ctypes
import errno
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import polars as pl
from pydantic import ValidationError

from models import DepartmentSummary, FunctionAssignment, Plan, Role, StaffAssignment, Summary
from planner.io import durable

SCENARIO_COPY = "scenario"
"""The folder inside a plan or roadmap folder that keeps a copy of the scenario it answers
(an extension of SPEC §5), so that exports and checks can be redone from the folder alone."""

STAFF_COLUMNS = ("staff_id", "org_id", "unit_id", "dept_id", "role")
FUNCTION_COLUMNS = ("function_id", "dept_id", "lead_org")
DEPARTMENT_COLUMNS = (
    "dept_id",
    "name",
    "headcount",
    "fte",
    "workload",
    "head",
    "deputies",
    "domains",
    "orgs",
)


class PlanError(ValueError):
    """A plan folder that cannot be read. ``problems``: one ``file:line:column: message`` each."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems) or "invalid plan folder")


# -- writing ------------------------------------------------------------------------------


def _cell(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, tuple | list):
        return ";".join(value) or None
    if isinstance(value, Role):
        return value.value
    if isinstance(value, float):
        return repr(value)
    return str(value) or None


def write_table(path: Path, columns: tuple[str, ...], rows: list[tuple[object, ...]]) -> None:
    """One CSV of string cells (None empty) with ``columns`` as header: a plan's or a roadmap's table."""
    data = {c: [_cell(r[i]) for r in rows] for i, c in enumerate(columns)}
    pl.DataFrame(data, schema=dict.fromkeys(columns, pl.String)).write_csv(path)


def write_plan_tables(plan: Plan, summary: Summary, folder: str | os.PathLike[str]) -> None:
    """Write staff.csv, functions.csv, departments.csv and summary.json into ``folder``.

    Parameters
    ----------
    plan
        The assignments and the derived department rows.
    summary
        Written as ``summary.json`` (``model_dump(mode="json")``, indent 2, UTF-8).
    folder
        An existing folder (see :func:`atomic_folder` for an atomic replace).
    """
    out = Path(folder)
    write_table(
        out / "staff.csv",
        STAFF_COLUMNS,
        [(a.staff_id, a.org_id, a.unit_id, a.dept_id, a.role) for a in plan.staff],
    )
    write_table(
        out / "functions.csv",
        FUNCTION_COLUMNS,
        [(f.function_id, f.dept_id, f.lead_org) for f in plan.functions],
    )
    write_table(
        out / "departments.csv",
        DEPARTMENT_COLUMNS,
        [
            (
                d.dept_id,
                d.name,
                d.headcount,
                d.fte,
                d.workload,
                d.head,
                d.deputies,
                d.domains,
                d.orgs,
            )
            for d in plan.departments
        ],
    )
    write_summary(summary, out)


def write_summary(summary: Summary, folder: str | os.PathLike[str]) -> None:
    """Write ``summary.json`` (indent 2, UTF-8, non-ASCII kept as is)."""
    text = json.dumps(summary.model_dump(mode="json"), indent=2, ensure_ascii=False)
    (Path(folder) / "summary.json").write_text(text + "\n", encoding="utf-8")


# -- reading ------------------------------------------------------------------------------


def read_table(
    path: Path, required: tuple[str, ...], problems: list[str]
) -> list[dict[str, str | None]] | None:
    """Rows of a CSV as dicts of stripped strings (None for empty), or None on failure."""
    if not path.is_file():
        problems.append(f"{path.name}: file missing")
        return None
    try:
        df = pl.read_csv(path, infer_schema=False, raise_if_empty=False)
    except Exception as exc:  # polars raises several error types for a malformed CSV
        problems.append(f"{path.name}: not a readable CSV file ({type(exc).__name__}: {exc})")
        return None
    df = df.rename({c: c.strip() for c in df.columns})
    missing = [c for c in required if c not in df.columns]
    if missing:
        problems.append(f"{path.name}: missing column(s) {', '.join(missing)}")
        return None
    rows = []
    for row in df.select(required).iter_rows(named=True):
        rows.append(
            {k: (v.strip() or None) if isinstance(v, str) else None for k, v in row.items()}
        )
    return rows


def _split(value: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in value.split(";") if p.strip())


def _int(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"{value!r} is not a whole number") from None


def _float(value: str) -> float:
    try:
        return float(value)
    except ValueError:
        raise ValueError(f"{value!r} is not a number") from None


def _role(value: str) -> Role:
    try:
        return Role(value.lower())
    except ValueError:
        raise ValueError(f"{value!r} is not one of {', '.join(r.value for r in Role)}") from None


def _parse_rows(
    name: str,
    rows: list[dict[str, str | None]],
    required: tuple[str, ...],
    convert: Mapping[str, Callable[[str], Any]],
    empty: Mapping[str, Any],
    build: Callable[..., Any],
    problems: list[str],
) -> list[Any]:
    """Check required cells, convert typed ones, build a model per row; record problems.

    An empty optional cell takes its value from ``empty`` (None when not listed).
    """
    out = []
    for i, row in enumerate(rows):
        line = i + 2  # the header is line 1
        values: dict[str, Any] = {}
        bad = False
        for col, cell in row.items():
            if cell is None:
                if col in required:
                    problems.append(f"{name}:{line}:{col}: empty, a value is required")
                    bad = True
                values[col] = empty.get(col)
                continue
            try:
                values[col] = convert[col](cell) if col in convert else cell
            except ValueError as exc:
                problems.append(f"{name}:{line}:{col}: {exc}")
                bad = True
        if bad:
            continue
        try:
            out.append(build(**values))
        except ValidationError as exc:
            for err in exc.errors():
                col = ".".join(str(x) for x in err["loc"]) or "?"
                problems.append(f"{name}:{line}:{col}: {err['msg']}")
    return out


def read_plan(folder: str | os.PathLike[str]) -> Plan:
    """Read a plan folder's staff.csv, functions.csv and (optional) departments.csv.

    Every cell is read as a string; unknown columns are ignored; an empty cell is
    None (an empty list for the ``;`` lists).

    Raises
    ------
    PlanError
        Listing every problem as ``file:line:column: message`` (line 1 is the header).
    """
    base = Path(folder)
    problems: list[str] = []
    staff_rows = read_table(base / "staff.csv", STAFF_COLUMNS, problems)
    function_rows = read_table(base / "functions.csv", FUNCTION_COLUMNS, problems)
    dept_rows: list[dict[str, str | None]] | None = []
    if (base / "departments.csv").exists():
        dept_rows = read_table(base / "departments.csv", DEPARTMENT_COLUMNS, problems)
    staff = _parse_rows(
        "staff.csv", staff_rows or [], ("staff_id", "org_id", "unit_id", "role"),
        {"role": _role}, {}, StaffAssignment, problems,
    )  # fmt: skip
    functions = _parse_rows(
        "functions.csv",
        function_rows or [],
        ("function_id", "dept_id"),
        {},
        {},
        FunctionAssignment,
        problems,
    )
    departments = _parse_rows(
        "departments.csv", dept_rows or [], ("dept_id", "headcount", "fte", "workload"),
        {"headcount": _int, "fte": _float, "workload": _float, "deputies": _split, "domains": _split, "orgs": _split},
        {"name": "", "deputies": (), "domains": (), "orgs": ()},
        DepartmentSummary, problems,
    )  # fmt: skip
    if problems:
        raise PlanError(problems)
    return Plan(staff=tuple(staff), functions=tuple(functions), departments=tuple(departments))


def read_summary(folder: str | os.PathLike[str]) -> Summary:
    """Read a plan folder's summary.json; a :class:`PlanError` names the problem."""
    path = Path(folder) / "summary.json"
    try:
        return Summary.model_validate_json(path.read_bytes())
    except FileNotFoundError:
        raise PlanError(["summary.json: file missing"]) from None
    except ValidationError as exc:
        lines = [
            f"summary.json:{'.'.join(str(x) for x in e['loc']) or '?'}: {e['msg']}"
            for e in exc.errors()
        ]
        raise PlanError(lines) from None


# -- atomic replace -----------------------------------------------------------------------


def is_plan_folder(folder: str | os.PathLike[str]) -> bool:
    """Whether ``folder`` may be replaced by a new plan: it is empty or holds a ``summary.json``.

    A plan folder always holds ``summary.json`` (:func:`write_plan_tables`); a scenario
    folder holds ``scenario.toml`` and never is one.
    """
    path = Path(folder)
    if not path.is_dir() or (path / "scenario.toml").exists():
        return False
    return (path / "summary.json").is_file() or not any(path.iterdir())


def _check_replaceable(final: Path, replace: Callable[[Path], bool] | None) -> None:
    """Refuse, before anything is written, to replace what must never be replaced."""
    if not final.exists():
        return
    if not final.is_dir():
        raise FileExistsError(f"{final} exists and is not a folder")
    if (final / "scenario.toml").exists():
        raise FileExistsError(f"{final} is a scenario folder: it will not be replaced by a plan")
    if _holds_working_folder(final):
        raise FileExistsError(f"{final} holds the working folder: it will not be replaced")
    if replace is not None and not replace(final):
        raise FileExistsError(
            f"{final} is not a plan folder (no summary.json): it will not be replaced;"
            " choose another folder or delete it"
        )


def _holds_working_folder(folder: Path) -> bool:
    try:
        cwd = Path.cwd()
    except OSError:  # the working folder was removed: nothing to protect
        return False
    return folder == cwd or folder in cwd.parents


_AT_FDCWD, _RENAME_EXCHANGE = -100, 2


def _exchange(a: Path, b: Path) -> bool:
    """Swap two existing paths in one step (Linux ``renameat2(RENAME_EXCHANGE)``).

    Returns False, having changed nothing, where the system or file system cannot.
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):  # a C library without renameat2 (glibc < 2.28, musl)
        return False
    renameat2.argtypes = [
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_uint,
    ]
    renameat2.restype = ctypes.c_int
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(b))


@contextmanager
def atomic_folder(
    target: str | os.PathLike[str], *, replace: Callable[[Path], bool] | None = None
) -> Iterator[Path]:
    """Build a folder beside ``target`` and put it in place only on success.

    Yields a fresh temporary directory (``.NAME.new-PID.HOST.*``) in ``target``'s parent. When
    the block ends normally the temporary directory takes ``target``'s place: on Linux
    the two are exchanged in one step, so that at every instant ``target`` is the
    complete earlier folder or the complete new one, even if the process is killed;
    elsewhere the earlier folder is first renamed aside. The earlier folder is removed
    once the new one is in place. When the block raises (including
    ``KeyboardInterrupt``), or the new folder cannot be put in place, the temporary
    directory is removed and an earlier ``target`` is left exactly as it was.
    The new folder's files are flushed to disk before it is put in place, and the
    parent folder after (``durable.py``); temporary folders of ``target`` left by a
    killed process are removed first.

    Parameters
    ----------
    target
        The folder to create or replace.
    replace
        Called with an existing ``target`` before anything is written: False refuses
        to replace it (``FileExistsError``); :func:`is_plan_folder` accepts only an
        empty folder or an earlier plan. Whatever it says, a scenario folder, a
        folder holding the working folder, and a file are never replaced.
    """
    final = Path(os.path.abspath(target))  # "." and ".." named by their real names
    _check_replaceable(final, replace)
    final.parent.mkdir(parents=True, exist_ok=True)
    durable.remove_stale(final)
    tmp = Path(tempfile.mkdtemp(prefix=durable.temp_prefix(final, "new"), dir=final.parent))
    try:
        with durable.deferred_sync(tmp):  # flushed once, whole, just below
            yield tmp
        durable.fsync_tree(tmp)
        _put_in_place(tmp, final)
        durable.fsync_path(final.parent)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _put_in_place(tmp: Path, final: Path) -> None:
    """Move the complete folder ``tmp`` to ``final``; whatever ``final`` held ends up removed."""
    if not final.exists():
        os.rename(tmp, final)
        return
    _check_replaceable(final, None)  # it may have changed while the block ran
    if _exchange(tmp, final):
        shutil.rmtree(tmp, ignore_errors=True)  # tmp now holds the earlier folder
        return
    old = Path(tempfile.mkdtemp(prefix=durable.temp_prefix(final, "old"), dir=final.parent))
    os.rmdir(old)  # only the unique name is wanted: rename needs a free path
    try:
        os.rename(final, old)
        os.rename(tmp, final)
    except BaseException:
        if old.exists() and not final.exists():
            os.rename(old, final)  # put the earlier folder back
        raise
    shutil.rmtree(old, ignore_errors=True)
