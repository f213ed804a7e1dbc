"""Sweeps and many scenarios: every run solved in local processes or on a Dask cluster.

A *run* is one scenario solved under one set of overrides (``{"section.key": value}``).
``sweep`` makes one run per combination of a grid; ``batch`` one run per scenario.
Both go through the same steps:

1. plan the runs in a deterministic order and name them (``run_0001`` … or the
   scenario's name); each run gets a *run hash* of (scenario content + overrides);
2. skip every run whose record ``OUT/runs/<hash>.json`` says it already finished
   (resumable: an interrupted or repeated call solves only what is missing);
3. submit :func:`run_task` (a picklable top-level function taking and returning
   plain data) to any ``concurrent.futures.Executor``: by default a local
   process pool, or ``dask.distributed.Client.get_executor()`` for a cluster;
4. write a record per finished run as it comes back, then ``OUT/results.csv`` and
   ``OUT/results.parquet`` with one row per run.

Cores are not oversubscribed: with P runs in parallel on C cores, every CP-SAT
solve gets ``max(1, C // P)`` workers. Every run uses the scenario's
``solver.seed`` (put ``solver.seed`` in the grid for replicates), so a run's
result does not depend on the executor or on the order runs finish in; with
``solver.deterministic = true`` the tables are identical run for run.

With a Dask cluster, workers read scenario folders (``batch`` of a folder) and
write plan folders themselves: ``out`` must be a path they share with the caller.

This module is long because sweeps and batches share every step above (planning and
naming the runs, run hashes, resumable records, local or Dask executors, stopping, the
results table), and one run's life reads best in one place.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import hashlib
import itertools
import json
import logging
import multiprocessing
import os
import re
import shutil
import signal
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
from pydantic import ValidationError

from models import TERMS, Kpis, Scenario, ScenarioError
from planner.io import durable

log = logging.getLogger("planner.batch")

RECORDS = "runs"
RESULTS_CSV = "results.csv"
RESULTS_PARQUET = "results.parquet"
FINISHED = frozenset({"optimal", "feasible", "infeasible", "timeout"})
"""Statuses that are results (infeasible and timeout included); ``invalid``,
``bad_input`` and ``error`` are failures and are tried again on a rerun."""
PLAN_STATUSES = frozenset({"optimal", "feasible"})
HASH_VERSION = "khoi-run-1"

KPI_FIELDS: tuple[str, ...] = tuple(Kpis.model_fields)
RESULT_SCHEMA: dict[str, Any] = {
    "status": pl.String,
    "objective": pl.Int64,
    "bound": pl.Int64,
    "gap": pl.Float64,
    "runtime": pl.Float64,
    "elapsed": pl.Float64,
    **{f"term.{t}": pl.Int64 for t in TERMS},
    **{
        f"kpi.{k}": (pl.Float64 if f.annotation is float else pl.Int64)
        for k, f in Kpis.model_fields.items()
    },
    "conflicts": pl.String,
    "folder": pl.String,
    "error": pl.String,
}
"""Columns after the run's own (``run`` or ``scenario``, then the settings), in order.

``runtime`` is the solve's (summary.json ``runtime_s``); ``elapsed`` the whole run's in
its worker (read, solve, check, write); ``folder`` is relative to ``out``; ``error``
says why a run is ``bad_input``, ``error`` or ``invalid``."""

OnProgress = Callable[[int, int, dict[str, Any], bool], None]
"""``on_progress(done, total, row, resumed)``: called once per run as it finishes or is skipped."""
OnWarning = Callable[[str, list[str]], None]
"""``on_warning(message, runs)``: called once per distinct reader warning (``Scenario.warnings``)
after the runs, with the names of the runs whose scenario gave it."""


@dataclass(frozen=True)
class Run:
    """One planned run: its name (folder), leading columns, overrides and source."""

    name: str
    columns: dict[str, Any]
    overrides: dict[str, Any]
    run_hash: str
    source: dict[
        str, Any
    ]  # {"scenario": model_dump, "settings_text"} or {"path": "folder"}, plus "scenario_key"


# -- planning ---------------------------------------------------------------------------


def expand_grid(grid: Mapping[str, Sequence[Any]]) -> list[dict[str, Any]]:
    """Every combination of ``grid`` in a fixed order: the last key varies fastest."""
    if not grid:
        raise ValueError("the grid is empty: give at least one section.key with values")
    for key, values in grid.items():
        if isinstance(values, str | bytes) or not isinstance(values, Sequence) or not values:
            raise ValueError(f"grid {key}: give a non-empty list of values")
    keys = list(grid)
    return [
        dict(zip(keys, combo, strict=True)) for combo in itertools.product(*(grid[k] for k in keys))
    ]


def run_hash(scenario_key: str, overrides: Mapping[str, Any]) -> str:
    """SHA-256 of (scenario content hash + the run's overrides, canonical JSON).

    The CP-SAT workers that :func:`execute` sets per solve are not among the overrides: they
    are a resource choice, so a rerun with another ``workers`` still resumes.
    """
    text = json.dumps(
        [HASH_VERSION, scenario_key, dict(overrides)],
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(text.encode()).hexdigest()


def normalized(overrides: Mapping[str, Any], settings: Any = None) -> dict[str, Any]:
    """Overrides as the settings read them (``0`` and ``0.0`` alike), so equal runs hash alike."""
    from models import Settings

    try:
        data = (settings or Settings()).with_overrides(dict(overrides)).model_dump(mode="json")
    except (ValueError, ValidationError):
        return dict(overrides)
    return {k: data[k.partition(".")[0]][k.partition(".")[2]] for k in overrides}


def folder_digest(folder: Path) -> str:
    """SHA-256 of a scenario folder's files (names and bytes): a rerun notices any edit."""
    h = hashlib.sha256()
    for path in sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")):
        h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def _check_overrides(
    scenario: Scenario,
    grid: Mapping[str, Sequence[Any]],
    combos: list[dict[str, Any]],
    extra: dict[str, Any],
) -> None:
    """Bad input before any solve: ``extra``, every key and value alone, every combination."""

    def apply(overrides: dict[str, Any], label: str) -> None:
        try:
            scenario.with_settings(scenario.settings.with_overrides(overrides))
        except ValidationError as exc:
            msgs = "; ".join(
                f"{'.'.join(str(x) for x in e['loc'])}: {e['msg']}" for e in exc.errors()
            )
            raise ValueError(f"{label}: {msgs}") from None
        except ScenarioError as exc:
            raise ValueError(f"{label}: {exc}") from None

    for key, value in extra.items():
        apply({key: value}, f"{key}={value!r}")
    for key, values in grid.items():
        for value in values:
            # an unknown key raises ValueError naming it
            apply({**extra, key: value}, f"grid {key}={value!r}")
    for combo in combos:
        label = "grid combination " + ", ".join(f"{k}={v!r}" for k, v in combo.items())
        apply({**extra, **combo}, label)


def _check_keys(overrides: Mapping[str, Any]) -> None:
    """Unknown keys and values a field refuses, checked on default settings (each scenario
    has its own settings, so a rule between two fields is left to each run)."""
    from models import Settings

    for key, value in overrides.items():
        try:
            Settings().with_overrides({key: value})  # an unknown key raises ValueError naming it
        except ValidationError as exc:
            field = [e for e in exc.errors() if ".".join(map(str, e["loc"][:2])) == key]
            if field:
                raise ValueError(f"{key}={value!r}: {field[0]['msg']}") from None


def _cell(value: Any) -> Any:
    return ";".join(map(str, value)) if isinstance(value, list | tuple) else value


# -- the task that runs anywhere --------------------------------------------------------

_SCENARIOS: dict[str, Scenario] = {}  # per process: a sweep sends the same scenario for every run


def _scenario(task: Mapping[str, Any]) -> Scenario:
    from planner.io import read_scenario

    if task.get("path") is not None:
        return read_scenario(task["path"])
    key = task["scenario_key"]
    if key not in _SCENARIOS:
        if len(_SCENARIOS) >= 8:
            _SCENARIOS.clear()
        # The settings' text is not part of the dump: sent beside it, so that the plan
        # folders' scenario copies keep the planner's comments.
        _SCENARIOS[key] = Scenario.model_validate(
            {**task["scenario"], "settings_text": task.get("settings_text")}
        )
    return _SCENARIOS[key]


def run_task(task: Mapping[str, Any]) -> dict[str, Any]:
    """Solve one run and write its plan folder; plain data in, one plain result row out.

    ``task`` keys: ``scenario`` (``Scenario.model_dump(mode="json")``) or ``path`` (a
    scenario folder), ``scenario_key``, ``overrides`` (``{"section.key": value}``),
    ``folder`` (plan folder to write, or None), ``exports`` (write plan.xlsx,
    structure.svg and report.html too). A scenario that cannot be read is a
    ``bad_input`` row, not an exception, so that one bad commune does not stop a batch.
    """
    from planner.io import scenario_sha256
    from planner.search.solve import solve, to_summary

    start = time.perf_counter()
    try:
        base = _scenario(task)
        scenario = base.with_settings(base.settings.with_overrides(dict(task["overrides"])))
    except (ScenarioError, ValidationError, ValueError) as exc:
        return {"status": "bad_input", "error": str(exc)}
    result = solve(scenario)
    summary = to_summary(result, scenario, scenario_sha256(scenario))
    folder = None
    if result.status.has_plan and task.get("folder"):
        _write_folder(
            scenario, result, summary, Path(task["folder"]), exports=task.get("exports", True)
        )
        folder = task["folder"]
    row: dict[str, Any] = {
        "status": result.status.value,
        "objective": result.objective,
        "bound": result.bound,
        "gap": result.gap,
        "runtime": result.runtime,
        **{f"term.{t}": result.terms.get(t) for t in TERMS},
        **{
            f"kpi.{k}": (getattr(result.kpis, k) if result.plan is not None else None)
            for k in KPI_FIELDS
        },
        "conflicts": ";".join(result.conflicts),
        "folder": folder,
        "error": "; ".join(result.violations[:5]) or None,
        "elapsed": round(time.perf_counter() - start, 3),
    }
    if base.warnings:  # not a column of results.csv: said once per message by execute()
        row["warnings"] = list(base.warnings)
    return row


def _write_folder(
    scenario: Scenario, result: Any, summary: Any, folder: Path, *, exports: bool
) -> None:
    if exports:
        from planner.services.writer import write_plan_folder

        write_plan_folder(scenario, result, summary, folder)
        return
    # The SPEC tables, summary.json and the scenario copy only; `planner export` adds the rest later.
    from planner.checking.check import check
    from planner.io import write_scenario
    from planner.io.plan_io import SCENARIO_COPY, atomic_folder, write_plan_tables

    if not check(scenario, result.plan).ok:
        raise RuntimeError("refusing to write a plan that fails the checker")
    with atomic_folder(folder) as tmp:
        write_plan_tables(result.plan, summary, tmp)
        write_scenario(scenario, tmp / SCENARIO_COPY)


def _quiet_worker() -> None:
    """Pool initializer: Ctrl-C reaches the parent only, which cancels and stops the pool."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


# -- execution ---------------------------------------------------------------------------


def cores() -> int:
    """Cores this process may use (affinity and container limits respected where visible)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _dask_client(executor: cf.Executor | None) -> Any:
    return (
        getattr(executor, "_client", None) if type(executor).__name__ == "ClientExecutor" else None
    )


def plan_parallelism(
    executor: cf.Executor | None, workers: int | None, pending: int
) -> tuple[int, int]:
    """(runs in parallel, CP-SAT workers per solve) so that cores are not oversubscribed."""
    client = _dask_client(executor)
    if client is not None:
        nthreads: dict[str, int] = client.nthreads()
        parallel = workers or max(1, sum(nthreads.values()))
        try:  # cores per host / tasks per host, the tightest host decides
            host_cores = client.run(cores)
            per_host: dict[str, list[int]] = {}
            for addr, n in nthreads.items():
                host = addr.rsplit(":", 1)[0]
                per_host.setdefault(host, [0, host_cores.get(addr, 1)])[0] += n
            return parallel, max(1, min(c // max(1, t) for t, c in per_host.values()))
        except Exception:  # noqa: BLE001 - a cluster that cannot run() gets one worker per solve
            return parallel, 1
    if executor is not None:
        parallel = workers or getattr(executor, "_max_workers", None) or cores()
    else:
        parallel = max(1, min(workers or cores(), max(1, pending)))
    return parallel, max(1, cores() // parallel)


def _local_pool(parallel: int) -> cf.ProcessPoolExecutor:
    method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
    return cf.ProcessPoolExecutor(
        max_workers=parallel,
        mp_context=multiprocessing.get_context(method),
        initializer=_quiet_worker,
    )


def _resumed(run: Run, out: Path | None) -> dict[str, Any] | None:
    """The recorded row of a run that already finished with the same hash, if any."""
    if out is None:
        return None
    path = out / RECORDS / f"{run.run_hash}.json"
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    row = record.get("row", {})
    if record.get("hash") != run.run_hash or row.get("status") not in FINISHED:
        return None
    lost = row.get("folder") != run.name or not (out / run.name / "summary.json").is_file()
    if row["status"] in PLAN_STATUSES and lost:
        return None  # the grid was reordered or the plan folder removed: solve again
    return row


def _finish(run: Run, row: dict[str, Any], out: Path | None) -> dict[str, Any]:
    """Folder relative to ``out``; a stale plan folder of a run without a plan is removed; record written."""
    row = {**row, "folder": run.name if row.get("folder") else None}
    if out is None:
        return row
    if row["folder"] is None and (out / run.name / "summary.json").is_file():
        shutil.rmtree(out / run.name, ignore_errors=True)  # an earlier run's plan, not this one's
    if row.get("status") in FINISHED:
        record = {
            "hash": run.run_hash,
            "name": run.name,
            "columns": run.columns,
            "overrides": run.overrides,
            "row": row,
        }
        durable.write_bytes_atomically(
            out / RECORDS / f"{run.run_hash}.json",
            json.dumps(record, ensure_ascii=False, indent=1, default=str).encode(),
        )
    return row


def _error_row(exc: BaseException) -> dict[str, Any]:
    return {"status": "error", "error": f"{type(exc).__name__}: {exc}"}


def execute(
    runs: list[Run],
    *,
    out: Path | None,
    executor: cf.Executor | None = None,
    workers: int | None = None,
    exports: bool = True,
    on_progress: OnProgress | None = None,
    on_warning: OnWarning | None = None,
) -> pl.DataFrame:
    """Run every run not already finished and return the results table (rows in run order).

    Reader warnings of the runs' scenarios (a rule file shared by many communes names a
    domain most of them lack) are reported once per distinct message, after the runs:
    to ``on_warning``, or to the log.
    """
    rows: dict[str, dict[str, Any]] = {}
    total, done = len(runs), 0
    pending = []
    for run in runs:
        row = _resumed(run, out)
        if row is None:
            pending.append(run)
            continue
        rows[run.name] = row
        done += 1
        if on_progress:
            on_progress(done, total, {**run.columns, **row}, True)
    parallel, solver_workers = plan_parallelism(executor, workers, len(pending))
    log.info(
        "%d runs (%d already finished): %d in parallel, %d CP-SAT workers each",
        total,
        total - len(pending),
        parallel,
        solver_workers,
    )

    def task(run: Run) -> dict[str, Any]:
        overrides = dict(run.overrides)
        overrides.setdefault("solver.workers", solver_workers)
        return {
            **run.source,
            "overrides": overrides,
            "exports": exports,
            "folder": str(out / run.name) if out is not None else None,
        }

    def finished(run: Run, row: dict[str, Any]) -> None:
        nonlocal done
        rows[run.name] = _finish(run, row, out)
        done += 1
        if on_progress:
            on_progress(done, total, {**run.columns, **rows[run.name]}, False)

    if pending and executor is None and parallel == 1:
        for run in pending:  # one at a time: no process to start
            try:
                row = run_task(task(run))
            except Exception as exc:  # noqa: BLE001 - one failing run is a row, not the end of the batch
                log.exception("run %s failed", run.name)
                row = _error_row(exc)
            finished(run, row)
    elif pending:
        pool = executor if executor is not None else _local_pool(parallel)
        futures = {pool.submit(run_task, task(run)): run for run in pending}
        waiting = set(futures)
        try:
            while waiting:
                # A short timeout, not as_completed: the main thread must wake up for Ctrl-C
                # even when the signal landed on another thread.
                ready, waiting = cf.wait(waiting, timeout=0.25, return_when=cf.FIRST_COMPLETED)
                for fut in sorted(ready, key=lambda f: futures[f].name):
                    try:
                        row = fut.result()
                    except Exception as exc:  # noqa: BLE001
                        log.error("run %s failed: %s", futures[fut].name, exc)
                        row = _error_row(exc)
                    finished(futures[fut], row)
        except BaseException:
            for fut in futures:
                fut.cancel()
            if executor is None:
                _stop_pool(pool)
            raise
        if executor is None:
            pool.shutdown(wait=True)
    frame = results_frame(
        [{**run.columns, **rows[run.name]} for run in runs], list(runs[0].columns) if runs else []
    )
    if out is not None:
        write_results(frame, out)
    warned: dict[str, list[str]] = {}
    for run in runs:
        for message in rows[run.name].get("warnings") or ():
            warned.setdefault(message, []).append(run.name)
    for message, names in warned.items():
        if on_warning is not None:
            on_warning(message, names)
        else:
            log.warning("%s (%d run(s), first %s)", message, len(names), names[0])
    return frame


def _stop_pool(pool: cf.Executor) -> None:
    """End the pool's worker processes (ours, by pid) so an interrupt does not wait for running solves."""
    processes = list(getattr(pool, "_processes", {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for proc in processes:
        with contextlib.suppress(Exception):
            proc.terminate()


def results_frame(rows: list[dict[str, Any]], leading: list[str]) -> pl.DataFrame:
    """One row per run: the run's columns (inferred types), then :data:`RESULT_SCHEMA`."""
    columns: dict[str, pl.Series] = {}
    for name in leading:
        values = [_cell(r.get(name)) for r in rows]
        try:
            columns[name] = pl.Series(name, values, strict=False)
        except (TypeError, pl.exceptions.PolarsError):
            columns[name] = pl.Series(
                name, [None if v is None else str(v) for v in values], dtype=pl.String
            )
    for name, dtype in RESULT_SCHEMA.items():
        columns[name] = pl.Series(name, [r.get(name) for r in rows], dtype=dtype, strict=False)
    return pl.DataFrame(columns)


def write_results(frame: pl.DataFrame, out: Path) -> None:
    """``results.csv`` and ``results.parquet``, each replaced atomically."""
    out.mkdir(parents=True, exist_ok=True)
    durable.write_atomically(out / RESULTS_CSV, frame.write_csv)
    durable.write_atomically(out / RESULTS_PARQUET, frame.write_parquet)


# -- the API -----------------------------------------------------------------------------


def sweep(
    scenario: Scenario,
    grid: Mapping[str, Sequence[Any]],
    *,
    out: str | os.PathLike[str] | None,
    executor: cf.Executor | None = None,
    workers: int | None = None,
    time_limit: float | None = None,
    exports: bool = True,
    on_progress: OnProgress | None = None,
    on_warning: OnWarning | None = None,
) -> pl.DataFrame:
    """Solve ``scenario`` under every combination of ``grid`` and return one row per run.

    Parameters
    ----------
    grid
        ``{"section.key": [v1, v2, …]}``; runs are named ``run_0001`` … in the order of
        :func:`expand_grid` (the last key varies fastest).
    out
        Folder for ``results.csv``, ``results.parquet``, the records ``runs/<hash>.json``
        and one plan folder per run with a plan; None keeps everything in memory.
    executor
        Any ``concurrent.futures.Executor`` (e.g. ``client.get_executor()`` of Dask);
        default: a local process pool of ``workers`` processes (default: all cores).
    time_limit
        Seconds per run (overrides ``solver.time_limit``).
    exports
        Also write plan.xlsx, structure.svg and report.html into every plan folder.

    Raises
    ------
    ValueError
        An unknown ``section.key`` or a value (or combination) the settings refuse,
        before anything is solved.
    """
    runs = plan_sweep(scenario, grid, time_limit=time_limit)
    return execute(
        runs,
        out=Path(out) if out is not None else None,
        executor=executor,
        workers=workers,
        exports=exports,
        on_progress=on_progress,
        on_warning=on_warning,
    )


def plan_sweep(
    scenario: Scenario, grid: Mapping[str, Sequence[Any]], *, time_limit: float | None = None
) -> list[Run]:
    """The runs of a sweep, every override checked first (ValueError names the bad key or value)."""
    from planner.io import scenario_sha256

    combos = expand_grid(grid)
    extra = {"solver.time_limit": time_limit} if time_limit is not None else {}
    _check_overrides(scenario, grid, combos, extra)
    key = scenario_sha256(scenario)
    data = scenario.model_dump(mode="json")
    width = max(4, len(str(len(combos))))
    runs = []
    for i, combo in enumerate(combos, start=1):
        overrides = {**extra, **combo}
        runs.append(
            Run(
                name=f"run_{i:0{width}d}",
                columns={"run": f"run_{i:0{width}d}", **combo},
                overrides=overrides,
                run_hash=run_hash(key, normalized(overrides, scenario.settings)),
                source={
                    "scenario": data,
                    "scenario_key": key,
                    "settings_text": scenario.settings_text,
                },
            )
        )
    return runs


_SAFE_NAME = re.compile(r"^[\w.\-]+$")


def scenario_folders(folder: Path) -> dict[str, Path]:
    """The scenario folders (holding ``scenario.toml``) directly inside ``folder``, by name."""
    if not folder.is_dir():
        raise ValueError(f"{folder}: not a folder")
    found = {
        p.name: p
        for p in sorted(folder.iterdir())
        if p.is_dir() and (p / "scenario.toml").is_file()
    }
    if not found:
        raise ValueError(f"{folder}: no scenario folders (subfolders with scenario.toml) inside")
    return found


def batch(
    scenarios: Mapping[str, Scenario] | str | os.PathLike[str],
    *,
    out: str | os.PathLike[str],
    executor: cf.Executor | None = None,
    workers: int | None = None,
    time_limit: float | None = None,
    overrides: Mapping[str, Any] | None = None,
    exports: bool = True,
    on_progress: OnProgress | None = None,
    on_warning: OnWarning | None = None,
) -> pl.DataFrame:
    """Solve many scenarios (a ``{name: Scenario}`` or a folder of scenario folders).

    Rows are those of :func:`sweep` with a ``scenario`` column instead of ``run``;
    each plan folder is ``out/<name>``. Scenario folders are read by the workers (in
    parallel); one that cannot be read is a ``bad_input`` row with its problems in
    ``error``. ``overrides`` (``{"section.key": value}``) apply to every scenario.
    Reader warnings go to ``on_warning`` (or the log) once per distinct message.
    """
    runs = plan_batch(scenarios, time_limit=time_limit, overrides=overrides)
    return execute(
        runs,
        out=Path(out),
        executor=executor,
        workers=workers,
        exports=exports,
        on_progress=on_progress,
        on_warning=on_warning,
    )


def plan_batch(
    scenarios: Mapping[str, Scenario] | str | os.PathLike[str],
    *,
    time_limit: float | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> list[Run]:
    """The runs of a batch (ValueError: no scenario folders, a bad name, a bad override)."""
    extra = dict(overrides or {})
    if time_limit is not None:
        extra["solver.time_limit"] = time_limit
    _check_keys(extra)
    items: list[tuple[str, dict[str, Any]]]
    if isinstance(scenarios, Mapping):
        from planner.io import scenario_sha256

        items = [
            (
                name,
                {
                    "scenario": sc.model_dump(mode="json"),
                    "scenario_key": scenario_sha256(sc),
                    "settings_text": sc.settings_text,
                },
            )
            for name, sc in scenarios.items()
        ]
    else:
        items = [
            (name, {"path": str(p), "scenario_key": folder_digest(p)})
            for name, p in scenario_folders(Path(scenarios)).items()
        ]
    runs = []
    for name, source in items:
        if not _SAFE_NAME.match(name) or name == RECORDS or name.startswith("."):
            raise ValueError(
                f"scenario name {name!r}: use letters, digits, '_', '-' and '.' (it names a folder)"
            )
        runs.append(
            Run(
                name=name,
                columns={"scenario": name},
                overrides=extra,
                run_hash=run_hash(str(source["scenario_key"]), normalized(extra)),
                source=source,
            )
        )
    return runs
