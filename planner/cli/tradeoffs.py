"""``planner pareto``, ``planner price`` and ``planner compare`` (SPEC §6). Thin: parse, call
``planner.tradeoffs``, print.

Exit codes as in ``planner.cli``: 0 done, 1 a plan failed the checker, 2 invalid input
(unknown term, unreadable plan folder, bad option), 3 the scenario is infeasible,
4 no plan within the time limit.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from models import TERMS, Scenario, SolveResult, Status
from planner.cli.common import (
    EXIT_CHECK,
    EXIT_INFEASIBLE,
    EXIT_INPUT,
    EXIT_OK,
    EXIT_TIMEOUT,
    ScenarioArg,
    SetOpt,
    app,
    err,
    load,
    out,
    print_conflicts,
    workspace_for,
)
from planner.cli.workspace import record_result

TimeLimitOpt = Annotated[
    float | None,
    typer.Option(
        "--time-limit",
        min=1.0,
        help="Seconds for the whole run, shared by its solves (default 120).",
    ),
]
SaveOpt = Annotated[
    str | None,
    typer.Option("--save", help="Also keep the result in the workspace under this name."),
]
DbOpt = Annotated[
    str | None,
    typer.Option(
        "--db", help="Workspace for --save (default KHOI_DATABASE_URL or the embedded file)."
    ),
]


def _term(option: str, value: str) -> str:
    """A §4 term name, or exit 2 with the list of known terms."""
    if value not in TERMS:
        err.print(
            f"{option} {value}: unknown term; use one of {', '.join(TERMS)}",
            markup=False,
            highlight=False,
        )
        raise typer.Exit(EXIT_INPUT)
    return value


def _step_printer():  # type: ignore[no-untyped-def]
    def show(done: int, total: int, label: str) -> None:
        err.print(f"\r  {done}/{total}  {label:<48}", end="", markup=False, highlight=False)

    return show


def _no_plan(sc: Scenario, status: Status, time_limit: float | None) -> int:
    """Explain a scenario without a plan (conflicts via ``planner.solve``) and return the exit code."""
    if status is Status.INFEASIBLE:
        from planner.search.solve import solve

        result = solve(sc, time_limit=time_limit)
        _print_conflicts(result)
        return EXIT_INFEASIBLE
    if status is Status.INVALID:
        err.print("[red]internal error[/red]: a plan failed the independent checker; see the log.")
        return EXIT_CHECK
    err.print("[yellow]no plan within the time limit[/yellow]; raise --time-limit.")
    return EXIT_TIMEOUT


def _print_conflicts(result: SolveResult) -> None:
    print_conflicts(result.conflicts, result.conflict_details, draft=False)


@app.command()
def pareto(
    scenario: ScenarioArg,
    x: Annotated[str, typer.Option("--x", help=f"Term minimised first: {', '.join(TERMS)}.")],
    y: Annotated[str, typer.Option("--y", help="Term bounded by ε (and minimised second).")],
    out_dir: Annotated[
        Path,
        typer.Option("--out", help="Folder for frontier.csv, frontier.svg and point_NN plans."),
    ],
    points: Annotated[
        int, typer.Option("--points", min=2, help="ε values, both ends included.")
    ] = 6,
    time_limit: TimeLimitOpt = None,
    sets: SetOpt = None,
    save: SaveOpt = None,
    db: DbOpt = None,
) -> None:
    """Trade-off curve between two terms: DIR/frontier.csv, DIR/frontier.svg and one plan folder per point.

    Example: planner pareto data/quang_ninh_province --x payroll --y disruption --points 6 --out out/pareto
    """
    from planner.tradeoffs import pareto as run_pareto

    _term("--x", x)
    _term("--y", y)
    if x == y:
        err.print(f"--x and --y are both {x}: choose two different terms", markup=False)
        raise typer.Exit(EXIT_INPUT)
    sc = load(scenario, sets)
    store = workspace_for(save, db) if save is not None else None
    result = run_pareto(
        sc, x, y, points=points, time_limit=time_limit, out=out_dir, on_step=_step_printer()
    )
    err.print()
    if result.frontier.is_empty():
        raise typer.Exit(_no_plan(sc, result.status, time_limit))
    t = Table(title=f"Pareto frontier: {x} against {y}")
    for col, justify in (
        ("point", "left"),
        (x, "right"),
        (y, "right"),
        ("objective", "right"),
        ("status", "left"),
    ):
        t.add_column(col, justify=justify)  # type: ignore[arg-type]
    for rec in result.frontier.iter_rows(named=True):
        status = (
            rec["status"] if rec["proven"] else f"[yellow]{rec['status']} (not proven)[/yellow]"
        )
        t.add_row(rec["folder"], f"{rec['x']:,}", f"{rec['y']:,}", f"{rec['objective']:,}", status)
    out.print(t)
    dropped = len(result.tried) - len(result.points)
    out.print(
        f"{len(result.points)} non-dominated plan(s) of {len(result.tried)} solved"
        + (f" ({dropped} duplicate or dominated removed)" if dropped else "")
        + f"; written to {out_dir}",
        highlight=False,
    )
    if store is not None and save is not None:
        record_result(store, out_dir, sc, save)
    raise typer.Exit(EXIT_OK)


@app.command()
def price(
    scenario: ScenarioArg,
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for prices.csv.")],
    time_limit: TimeLimitOpt = None,
    sets: SetOpt = None,
    save: SaveOpt = None,
    db: DbOpt = None,
) -> None:
    """The price of each policy: the objective saved by relaxing it one step (DIR/prices.csv).

    Example: planner price data/quang_ninh_province --out out/prices --time-limit 120
    """
    from planner.search.solve import solve
    from planner.tradeoffs import price as run_price
    from planner.tradeoffs import relaxations
    from planner.tradeoffs.common import Budget

    sc = load(scenario, sets)
    store = workspace_for(save, db) if save is not None else None
    # One budget for the run: the base gets a quarter of it (every row depends on it).
    budget = Budget(time_limit, deterministic=sc.settings.solver.deterministic)
    rows = len(relaxations(sc))
    base = solve(sc, time_limit=budget.share(rows + 1, weight=max(1.0, rows / 3)) or 1.0)
    if not base.status.has_plan:
        if base.status is Status.INFEASIBLE:
            _print_conflicts(base)
            raise typer.Exit(EXIT_INFEASIBLE)
        raise typer.Exit(_no_plan(sc, base.status, time_limit))
    out.print(
        f"base: status [bold]{base.status.value}[/bold]  objective {base.objective:,}",
        highlight=False,
    )
    frame = run_price(
        sc, time_limit=max(0.01, budget.left()), out=out_dir, base=base, on_step=_step_printer()
    )
    err.print()
    out.print(price_table(frame))
    if not frame["binding"].any():
        out.print("no binding policy: relaxing any one of them by one step saves nothing")
    unproven = frame.filter(~frame["proven"]).height
    if unproven:
        notes = sorted(set(frame.filter(~frame["proven"])["note"].to_list()) - {""})
        out.print(
            f"[yellow]{unproven} price(s) not proven optimal[/yellow]; raise --time-limit. Notes (prices.csv):"
        )
        for note in notes:
            out.print(f"  {note}", markup=False, highlight=False)
    out.print(f"wrote {out_dir / 'prices.csv'}", highlight=False)
    if store is not None and save is not None:
        record_result(store, out_dir, sc, save)
    raise typer.Exit(EXIT_OK)


def price_table(frame: Any) -> Table:
    """Every row of prices.csv, the binding policies (a saving when relaxed) first."""
    from planner.tradeoffs.price import saving_range

    t = Table(title="Price of each policy: saving when relaxed one step")
    t.add_column("setting", no_wrap=True)
    t.add_column("current")
    t.add_column("relaxed")
    t.add_column("saving", justify="right")
    t.add_column("true saving within", justify="right")
    t.add_column("changed terms")
    t.add_column("proven")
    ordered = [*frame.filter(frame["binding"]).iter_rows(named=True)]
    ordered += frame.filter(~frame["binding"]).iter_rows(named=True)
    for rec in ordered:
        t.add_row(
            rec["setting"],
            rec["current"],
            rec["relaxed"],
            f"{rec['saving']:,}",
            saving_range(rec["saving_low"], rec["saving_high"]),
            rec["changed"],
            "yes" if rec["proven"] else "[yellow]no[/yellow]",
        )
    return t


@app.command()
def compare(
    plans: Annotated[
        list[Path], typer.Argument(help="Plan folders; the first is the reference for moves.")
    ],
    out_file: Annotated[
        Path | None, typer.Option("--out", help="FILE.csv (plus FILE.moves.csv) or FILE.xlsx.")
    ] = None,
    limit: Annotated[
        int, typer.Option("--limit", help="Moves printed (all are written with --out).")
    ] = 40,
) -> None:
    """KPIs side by side and who moves between plans (staff and function ids only, never names or salaries).

    Example: planner compare out/pareto/point_01 out/pareto/point_03 --out out/compare.xlsx
    """
    from planner.io.plan_io import PlanError, read_plan, read_summary
    from planner.tradeoffs import compare as run_compare
    from planner.tradeoffs import kpi_rows, write_compare

    if out_file is not None and out_file.suffix.lower() not in (".csv", ".xlsx"):
        err.print(f"--out {out_file}: use a .csv or .xlsx file", markup=False)
        raise typer.Exit(EXIT_INPUT)
    loaded, problems = [], []
    for p in plans:  # every unreadable folder is reported, not only the first
        try:
            loaded.append((p.name or str(p), read_plan(p), read_summary(p)))
        except PlanError as exc:
            problems += [f"{p}: {line}" for line in exc.problems]
    if problems:
        for line in problems:
            err.print(line, markup=False, highlight=False)
        raise typer.Exit(EXIT_INPUT)
    result = run_compare(loaded)
    t = Table(title="KPIs")
    t.add_column("")
    for label in result.labels:
        t.add_column(label, justify="right")
    for cells in kpi_rows(result):
        t.add_row(*cells)
    out.print(t)
    moves = result.moves
    if len(plans) > 1:
        m = Table(title=f"Moves against {result.labels[0]} ({moves.height})")
        for col in moves.columns:
            m.add_column(col)
        for rec in moves.head(limit).iter_rows():
            m.add_row(*(v or "—" for v in rec))
        out.print(m)
        if moves.height > limit:
            out.print(f"… {moves.height - limit} more (write them all with --out)")
    if out_file is not None:
        written = write_compare(result, out_file)
        out.print("wrote " + ", ".join(str(p) for p in written), highlight=False)
    raise typer.Exit(EXIT_OK)
