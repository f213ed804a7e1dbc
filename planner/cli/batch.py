"""``planner sweep`` and ``planner batch`` (SPEC §6): thin, they parse, call planner.batch, print.

Exit codes: 0 every run finished (infeasible and timeout runs are results, not
failures), 2 bad input (a bad grid key or value, a bad --set, no scenario
folders, an unreachable --scheduler, or a scenario of the batch that cannot be
read), 1 a run failed otherwise (an internal error; see the ``error`` column).
"""

from __future__ import annotations

import contextlib
import json
import sys
import time
import tomllib
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich import box
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from models import ScenarioError
from planner.cli.common import (
    EXIT_CHECK,
    EXIT_INPUT,
    EXIT_OK,
    SCRIPTABLE,
    ScenarioArg,
    SetOpt,
    app,
    err,
    load,
    out,
    parse_sets,
)

GridOpt = Annotated[
    list[str],
    typer.Option(
        "--grid",
        help="section.key=v1,v2,… (TOML values; repeat for more keys), e.g. targets.min_reduction=0,0.1,0.2.",
    ),
]
OutOpt = Annotated[
    Path,
    typer.Option("--out", help="Folder for results.csv, results.parquet and the plan folders."),
]
WorkersOpt = Annotated[
    int | None, typer.Option("--workers", min=1, help="Runs in parallel (default: all cores).")
]
SchedulerOpt = Annotated[
    str | None,
    typer.Option(
        "--scheduler", help="Dask scheduler address (tcp://HOST:PORT); default: local processes."
    ),
]
TimeLimitOpt = Annotated[float | None, typer.Option("--time-limit", help="Seconds per run.")]
TablesOnlyOpt = Annotated[
    bool,
    typer.Option(
        "--tables-only", help="Plan folders without plan.xlsx, structure.svg, report.html (faster)."
    ),
]
DeterministicOpt = Annotated[
    bool, typer.Option("--deterministic", help="Same inputs and seed give the same plans.")
]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar and no table.")]
JsonOpt = Annotated[
    bool, typer.Option("--json", help="Print the results rows as JSON to stdout: " + SCRIPTABLE)
]

SHOWN_ROWS = 40
HEADERS = {"kpi.posts_after": "posts", "runtime": "s"}


def split_values(text: str) -> list[str]:
    """``"0,0.1,[1,2],'a,b'"`` -> ``["0", "0.1", "[1,2]", "'a,b'"]``: commas inside brackets or quotes stay."""
    parts: list[str] = []
    current: list[str] = []
    depth, quote = 0, ""
    for ch in text:
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "\"'":
            quote = ch
        elif ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append("".join(current).strip())
            current = []
            continue
        current.append(ch)
    parts.append("".join(current).strip())
    return parts


def _value(raw: str) -> object:
    try:
        return tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        return raw


def parse_grid(items: list[str]) -> dict[str, list[object]]:
    """``["a.b=1,2", "c.d=x"]`` -> ``{"a.b": [1, 2], "c.d": ["x"]}``; ScenarioError on a malformed item."""
    grid: dict[str, list[object]] = {}
    problems = []
    for item in items:
        key, sep, raw = item.partition("=")
        key = key.strip()
        if not sep or "." not in key or not raw.strip():
            problems.append(f"--grid {item}: expected section.key=v1,v2,…")
        elif key in grid:
            problems.append(f"--grid {key}: given twice; list all its values in one --grid")
        elif any(not v for v in split_values(raw)):
            problems.append(f"--grid {item}: an empty value")
        else:
            grid[key] = [_value(v) for v in split_values(raw)]
    if problems:
        raise ScenarioError(problems)
    return grid


def bad_input(lines: list[str]) -> NoReturn:
    """Print every problem, one line each, and exit 2."""
    for line in lines:
        err.print(line, markup=False, highlight=False, soft_wrap=True)
    raise typer.Exit(EXIT_INPUT)


@contextlib.contextmanager
def executor_for(scheduler: str | None) -> Iterator[Any]:
    """None (local processes), or the executor of a Dask client connected to ``scheduler``."""
    if scheduler is None:
        yield None
        return
    from dask.distributed import Client

    try:
        client = Client(scheduler, timeout="10s")
    except (OSError, TimeoutError, ValueError) as exc:
        bad_input([f"--scheduler {scheduler}: cannot connect: {exc}"])
    try:
        yield client.get_executor(pure=False)  # every run is solved, never taken from Dask's cache
    finally:
        client.close()


@contextlib.contextmanager
def progress_bar(enabled: bool, label: str, total: int) -> Iterator[Any]:
    """A rich progress bar on stderr; yields the ``on_progress`` callback (None when disabled)."""
    if not enabled:
        yield None
        return
    counts: Counter[str] = Counter()
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        TextColumn("{task.fields[counts]}"),
        console=err,
        transient=False,
    )
    task = bar.add_task(label, total=total, counts="")

    def update(done: int, total: int, row: dict[str, Any], resumed: bool) -> None:
        counts["resumed" if resumed else row.get("status", "?")] += 1
        bar.update(
            task,
            completed=done,
            total=total,
            counts=" ".join(f"{k} {v}" for k, v in sorted(counts.items())),
        )

    with bar:
        yield update


def report(frame: Any, *, quiet: bool, as_json: bool, wall: float, out_dir: Path) -> int:
    """Print the results (table or JSON) and return the exit code."""
    statuses = Counter(frame["status"].to_list())
    if as_json:
        print(json.dumps(frame.to_dicts(), ensure_ascii=False, indent=1, default=str))
    elif not quiet:
        out.print(results_table(frame))  # piped: never cut (cli.common.PIPED_WIDTH)
        out.print(
            f"{frame.height} runs in {wall:.1f} s: "
            + ", ".join(f"{n} {s}" for s, n in statuses.most_common())
            + f"; results in {out_dir / 'results.csv'}",
            highlight=False,
        )
    if not (quiet or as_json):
        infeasible = frame.filter(frame["conflicts"].str.len_chars() > 0).head(SHOWN_ROWS)
        for name, conflicts in infeasible.select(frame.columns[0], "conflicts").iter_rows():
            out.print(
                f"{name} infeasible: {conflicts.replace(';', ', ')}",
                markup=False,
                highlight=False,
                soft_wrap=True,
            )
    errors = frame.filter(
        frame["error"].is_not_null() & ~frame["status"].is_in(["optimal", "feasible"])
    )
    for name, status, message in errors.select(frame.columns[0], "status", "error").iter_rows():
        err.print(f"{name}: {status}: {message}", markup=False, highlight=False, soft_wrap=True)
    if set(statuses) <= {"optimal", "feasible", "infeasible", "timeout"}:
        return EXIT_OK
    return EXIT_INPUT if "bad_input" in statuses else EXIT_CHECK


def results_table(frame: Any) -> Table:
    """The first rows of the results, with the figures a planner compares first."""
    first = frame.columns[: frame.columns.index("status")]
    shown = [
        *first,
        "status",
        "objective",
        "kpi.exits",
        "kpi.posts_after",
        "kpi.savings",
        "runtime",
    ]
    t = Table(title="Results", box=box.SIMPLE_HEAD, pad_edge=False)
    for name in shown:
        header = HEADERS.get(name, name.rpartition(".")[2])
        t.add_column(
            header, justify="left" if name in (*first, "status") else "right", no_wrap=True
        )
    for row in frame.head(SHOWN_ROWS).select(shown).iter_rows():
        t.add_row(*(_fmt(v) for v in row))
    if frame.height > SHOWN_ROWS:
        t.caption = f"… {frame.height - SHOWN_ROWS} more rows in results.csv"
    return t


def _fmt(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 1000 else f"{value:,.0f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)[:60]


@app.command()
def sweep(
    scenario: ScenarioArg,
    grid: GridOpt,
    out_dir: OutOpt,
    workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None,
    time_limit: TimeLimitOpt = None,
    sets: SetOpt = None,
    deterministic: DeterministicOpt = False,
    tables_only: TablesOnlyOpt = False,
    quiet: QuietOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Solve every combination of the grid; results.csv and one plan folder per run with a plan.

    Example: planner sweep data/quang_ninh_province --grid targets.min_reduction=0,0.1,0.155
    --grid targets.max_leadership_posts=18,24 --out out/sweep --workers 2
    """
    from planner.services.batch import plan_sweep

    sc = load(scenario, sets, deterministic=True if deterministic else None)
    try:
        runs = plan_sweep(sc, parse_grid(grid), time_limit=time_limit)
    except ScenarioError as exc:
        bad_input([str(p) for p in exc.problems])
    except ValueError as exc:
        bad_input([str(exc)])
    _run_all(
        runs,
        label="sweep",
        out_dir=out_dir,
        scheduler=scheduler,
        workers=workers,
        tables_only=tables_only,
        quiet=quiet,
        as_json=as_json,
    )


def _warn(message: str, runs: list[str]) -> None:
    """A reader warning of the batch, once per distinct message, with how many runs gave it."""
    where = runs[0] if len(runs) == 1 else f"{len(runs)} scenarios, first {runs[0]}"
    print(f"warning: {message} ({where})", file=sys.stderr, flush=True)


def _run_all(runs, *, label, out_dir, scheduler, workers, tables_only, quiet, as_json):  # type: ignore[no-untyped-def]
    """Execute planned runs with a progress bar (locally or on ``scheduler``), print the
    results table and exit with its code: the shared tail of ``sweep`` and ``batch``."""
    from planner.services.batch import execute

    start = time.perf_counter()
    with (
        executor_for(scheduler) as executor,
        progress_bar(not (quiet or as_json), label, len(runs)) as on_progress,
    ):
        frame = execute(
            runs,
            out=out_dir,
            executor=executor,
            workers=workers,
            exports=not tables_only,
            on_progress=on_progress,
            on_warning=_warn,
        )
    raise typer.Exit(
        report(
            frame, quiet=quiet, as_json=as_json, wall=time.perf_counter() - start, out_dir=out_dir
        )
    )


@app.command()
def batch(
    scenarios: Annotated[
        Path,
        typer.Argument(help="A folder of scenario folders (e.g. every commune of a province)."),
    ],
    out_dir: OutOpt,
    workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None,
    time_limit: TimeLimitOpt = None,
    sets: SetOpt = None,
    deterministic: DeterministicOpt = False,
    tables_only: TablesOnlyOpt = False,
    quiet: QuietOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Solve every scenario folder inside SCENARIOS; results.csv and one plan folder per scenario with a plan.

    Example: planner batch out/communes --out out/communes_plans --workers 2 --time-limit 5
    """
    from planner.services.batch import plan_batch

    try:
        overrides = parse_sets(sets)
        if deterministic:
            overrides["solver.deterministic"] = True
        runs = plan_batch(scenarios, time_limit=time_limit, overrides=overrides)
    except ScenarioError as exc:
        bad_input([str(p) for p in exc.problems])
    except ValueError as exc:
        bad_input([str(exc)])
    _run_all(
        runs,
        label="batch",
        out_dir=out_dir,
        scheduler=scheduler,
        workers=workers,
        tables_only=tables_only,
        quiet=quiet,
        as_json=as_json,
    )
