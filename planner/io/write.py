"""Write a scenario folder (SPEC §2) as CSV, XLSX or Parquet, atomically.

The folder is written into a temporary sibling and renamed into place only
once it is complete, so a failed or interrupted write leaves any earlier
folder at the target intact. Lists (staff ``skills``, ``lead_candidates``,
``domains``) are joined with ``;`` and ``None`` is written as an empty cell.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Sequence
from datetime import date
from enum import Enum
from pathlib import Path
from typing import Literal

import polars as pl
import xlsxwriter
from pydantic import BaseModel

from models import Scenario
from planner.io import durable
from planner.io.cells import column_specs
from planner.io.layout import SETTINGS_FILE, TABLES, WORKBOOK
from planner.io.read import read_scenario
from planner.io.toml_write import settings_toml

Format = Literal["csv", "xlsx", "parquet"]
FORMATS: tuple[str, ...] = ("csv", "xlsx", "parquet")
_DTYPES = {"int": pl.Int64, "float": pl.Float64, "bool": pl.Boolean}


def write_scenario(scenario: Scenario, path: str | Path, format: Format = "csv") -> Path:
    """Write ``scenario`` as a scenario folder at ``path``, replacing an earlier scenario there.

    Parameters
    ----------
    scenario
        The scenario to write.
    path
        The target folder; its parent is created when missing.
    format
        ``csv`` (one file per table), ``xlsx`` (one ``scenario.xlsx``, a sheet per
        table) or ``parquet`` (one file per table). ``scenario.toml`` is always written.

    Returns
    -------
    Path
        The folder written.

    Raises
    ------
    FileExistsError
        When ``path`` is a file, holds the working folder, or is a non-empty folder
        without ``scenario.toml``: nothing else is ever replaced.
    """
    if format not in FORMATS:
        raise ValueError(f"unknown format {format!r}: use one of {', '.join(FORMATS)}")
    target = Path(os.path.abspath(path))  # "." and ".." named by their real names
    _check_replaceable(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    durable.remove_stale(target)  # what a killed writer of this folder left
    staging = Path(tempfile.mkdtemp(prefix=durable.temp_prefix(target, "new"), dir=target.parent))
    try:
        os.chmod(staging, 0o755)  # mkdtemp's 0700 would make the scenario private to its writer
        frames = scenario_frames(scenario)
        {"csv": _write_csv, "xlsx": _write_xlsx, "parquet": _write_parquet}[format](frames, staging)
        toml = settings_toml(scenario.settings, scenario.settings_text)
        (staging / SETTINGS_FILE).write_text(toml, encoding="utf-8")
        durable.fsync_tree(staging)
        _replace(staging, target)
        durable.fsync_path(target.parent)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


def scenario_frames(scenario: Scenario) -> dict[str, pl.DataFrame]:
    """Every table of ``scenario`` as a frame, columns in the SPEC's order.

    departments is included only when the scenario was given one
    (``departments_given``); rules and locks only when they have rows.
    """
    frames = {}
    for stem, model in TABLES.items():
        rows: Sequence[BaseModel] = getattr(scenario, stem)
        if (stem == "departments" and not scenario.departments_given) or (
            stem in ("rules", "locks") and not rows
        ):
            continue
        frames[stem] = _frame(model, rows)
    return frames


ROADMAP_COLUMNS = frozenset({"birth_date", "gender", "service_years", "retires_on"})
"""Optional staff columns of SPEC §8: written only when some row gives one."""


def _frame(model: type[BaseModel], rows: Sequence[BaseModel]) -> pl.DataFrame:
    specs = {
        name: spec
        for name, spec in column_specs(model).items()
        if name not in ROADMAP_COLUMNS or any(getattr(r, name) != spec.default for r in rows)
    }
    schema = {name: _DTYPES.get(spec.kind, pl.String) for name, spec in specs.items()}
    data = {name: [_cell(getattr(row, name)) for row in rows] for name in specs}
    return pl.DataFrame(data, schema=schema)


def _cell(value: object) -> object:
    """A model value as a cell: enums by value, lists joined with ';'."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return ";".join(str(v) for v in value)
    return value


def _write_csv(frames: dict[str, pl.DataFrame], folder: Path) -> None:
    for stem, frame in frames.items():
        frame.write_csv(folder / f"{stem}.csv")


def _write_parquet(frames: dict[str, pl.DataFrame], folder: Path) -> None:
    for stem, frame in frames.items():
        frame.write_parquet(folder / f"{stem}.parquet")


def _write_xlsx(frames: dict[str, pl.DataFrame], folder: Path) -> None:
    # Cells are data: "=SUM(…)" stays text, never a formula; "007" never a number.
    options = {"strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False}
    with xlsxwriter.Workbook(folder / WORKBOOK, options) as workbook:
        for stem, frame in frames.items():
            frame.write_excel(workbook, worksheet=stem, autofit=True, float_precision=6)


def _check_replaceable(target: Path) -> None:
    """Refuse, before writing, to replace what is not an earlier scenario folder.

    ``planner generate … --out FOLDER`` must not wipe a folder of other documents,
    a plan folder, or the folder the planner works in.
    """
    if not target.exists():
        return
    if not target.is_dir():
        raise FileExistsError(f"{target} exists and is not a folder")
    try:
        cwd: Path | None = Path.cwd()
    except OSError:
        cwd = None
    if cwd is not None and (target == cwd or target in cwd.parents):
        raise FileExistsError(f"{target} holds the working folder: it will not be replaced")
    if any(target.iterdir()) and not (target / SETTINGS_FILE).is_file():
        raise FileExistsError(
            f"{target} is not a scenario folder (no {SETTINGS_FILE}): it will not be replaced;"
            " choose another folder or delete it"
        )


def _replace(staging: Path, target: Path) -> None:
    """Rename the complete ``staging`` folder to ``target``, moving an old one aside first."""
    if not target.exists():
        staging.rename(target)
        return
    if not target.is_dir():
        raise FileExistsError(f"{target} exists and is not a folder")
    old = Path(tempfile.mkdtemp(prefix=durable.temp_prefix(target, "old"), dir=target.parent))
    os.rmdir(old)  # only the unique name is wanted: rename needs a free path
    target.rename(old)
    try:
        staging.rename(target)
    except BaseException:
        old.rename(target)  # put the earlier folder back
        raise
    shutil.rmtree(old, ignore_errors=True)


def canonical_json(scenario: Scenario) -> bytes:
    """The scenario's content as canonical JSON: sorted keys, no spaces, UTF-8."""
    data = scenario.model_dump(mode="json")
    return json.dumps(
        data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode()


def scenario_sha256(source: Scenario | str | Path) -> str:
    """A stable SHA-256 (hex) of a scenario's content, whatever format it was read from.

    Parameters
    ----------
    source
        A scenario, or a scenario folder to read first.
    """
    scenario = source if isinstance(source, Scenario) else read_scenario(source)
    return hashlib.sha256(canonical_json(scenario)).hexdigest()


OPTIMUM_TIME_LIMIT = 86_400.0
"""The time limit every question is given in :func:`optimum_sha256` (the longest allowed)."""


def optimum_sha256(scenario: Scenario) -> str:
    """SHA-256 of the question a proven optimum answers, whatever the time limit.

    A plan proven optimal stays optimal when only the time limit changes: the limit decides
    how long the search may take, not which plans are feasible nor how they rank (the whole
    ``[solver]`` section is free in :mod:`planner.search.reuse`). So the scenario is hashed with its
    time limit set to :data:`OPTIMUM_TIME_LIMIT` and ``workers`` to 0. A ``deterministic``
    solve promises its plan for its exact settings (its seed, its limit): its key is the
    scenario's own SHA-256.
    """
    solver = scenario.settings.solver
    if solver.deterministic:
        return scenario_sha256(scenario)
    if solver.time_limit != OPTIMUM_TIME_LIMIT or solver.workers != 0:
        normal = solver.model_copy(update={"time_limit": OPTIMUM_TIME_LIMIT, "workers": 0})
        scenario = scenario.with_settings(scenario.settings.model_copy(update={"solver": normal}))
    return scenario_sha256(scenario)
