"""The command line of SPEC §6 (typer). Thin: parse, call the API, print.

Exit codes (SPEC §5): 0 a plan was found, 1 a check failed, 2 the input is
invalid, 3 infeasible, 4 no plan within the time limit.
"""

from __future__ import annotations

import json
import logging
import signal
import sys
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from models import Scenario, SolveResult, Status
from planner.cli.common import (
    EXIT_CHECK,
    EXIT_INFEASIBLE,
    EXIT_INPUT,
    EXIT_OK,
    EXIT_TIMEOUT,
    SCRIPTABLE,
    ScenarioArg,
    SetOpt,
    app,
    err,
    fail,
    load,
    out,
    parse_sets,
    print_conflicts,
    print_line,
    workspace_for,
)


@app.command()
def validate(scenario: ScenarioArg) -> None:
    """Read and check a scenario: exit 0, or 2 with one line per problem (file:row:column: message)."""
    sc = load(scenario)
    posts = sum(s.position != "staff" for s in sc.staff)
    out.print(
        f"[green]valid[/green] {sc.settings.scenario.name}: {len(sc.organizations)} organisations, {len(sc.units)} units, "
        f"{len(sc.staff)} staff ({posts} posts), {len(sc.functions)} functions, {len(sc.departments)} target departments"
    )


@app.command()
def solve(
    scenario: ScenarioArg,
    out_dir: Annotated[
        Path, typer.Option("--out", help="Plan folder to write (replaced atomically).")
    ],
    sets: SetOpt = None,
    time_limit: Annotated[float | None, typer.Option("--time-limit", help="Seconds.")] = None,
    workers: Annotated[int | None, typer.Option(help="CP-SAT workers (0 = all cores).")] = None,
    seed: Annotated[int | None, typer.Option(help="Random seed.")] = None,
    deterministic: Annotated[
        bool, typer.Option("--deterministic", help="Same inputs and seed give the same plan.")
    ] = False,
    hint: Annotated[
        Path | None,
        typer.Option(
            help="A previous plan folder to start from. When it was proven optimal and the"
            " scenario only tightens its rules (SPEC §3 targets and limits, more locks or"
            " rules) and its plan still holds, that plan is optimal without a new solve."
        ),
    ] = None,
    draft: Annotated[
        bool,
        typer.Option(
            "--draft",
            help="When no plan meets every rule (infeasible, or none in time), write the"
            " closest plan found, with each broken rule, where and by how much (status"
            " draft); the exit code stays 3 or 4.",
        ),
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q")] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print summary.json to stdout: " + SCRIPTABLE)
    ] = False,
    save: Annotated[
        str | None,
        typer.Option(
            "--save",
            help="Also record the run in the workspace under this name (planner workspace).",
        ),
    ] = None,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            help="Workspace for --save (default KHOI_DATABASE_URL or the embedded SQLite file).",
        ),
    ] = None,
) -> None:
    """Solve a scenario and write the plan folder of SPEC §5.

    Example: planner solve data/quang_ninh_province --out out/plan --set targets.min_reduction=0.1
    """
    from planner.io import scenario_sha256
    from planner.io.plan_io import read_plan
    from planner.search.reuse import previous_from_folder
    from planner.search.solve import solve as run_solve
    from planner.services.writer import write_plan_folder

    sc = load(
        scenario,
        sets,
        time_limit=time_limit,
        workers=workers,
        seed=seed,
        deterministic=True if deterministic else None,
    )
    from planner.io.plan_io import is_plan_folder

    if out_dir.exists() and not is_plan_folder(out_dir):
        print_line(
            f"--out {out_dir}: exists and is not a plan folder (no summary.json, or a scenario):"
            " it will not be replaced; choose another folder"
        )
        raise typer.Exit(EXIT_INPUT)
    store = workspace_for(save, db) if save is not None else None
    proven = previous_from_folder(hint) if hint is not None else None
    previous = proven[1].plan if proven is not None else read_plan(hint) if hint else None
    stop = threading.Event()
    _on_signals(stop)
    progress = None if (quiet or as_json) else _progress_printer()
    result = run_solve(
        sc, hint=previous, on_progress=progress, stop=stop, previous=proven, draft=draft
    )
    if progress is not None and err.is_terminal:
        err.print()  # end the line rewritten in place
    try:
        summary = _finish(sc, result, out_dir, scenario_sha256(sc), write_plan_folder, stop)
    except OSError as exc:  # the folder cannot be written: say so, no traceback
        print_line(f"--out {out_dir}: cannot write the plan folder: {exc}")
        raise typer.Exit(EXIT_INPUT) from None
    if store is not None:
        _record(store, save, sc, result, summary, out_dir)
    if as_json:
        print(summary.model_dump_json(indent=2))
    elif not quiet:
        print_result(result)
    raise typer.Exit(exit_code(result))


def _record(store, name, sc, result, summary, out_dir) -> None:  # type: ignore[no-untyped-def]
    """Save the run just written (its plan folder, or the outcome without a plan)."""
    from planner.workspace import WorkspaceError, default_author

    try:
        with store:
            if result.status.has_plan:
                item = store.save_plan_folder(
                    out_dir, name=name, author=default_author(), scenario=sc
                )
            else:
                item = store.save_run(sc, result, summary, name=name, author=default_author())
    except WorkspaceError as exc:
        raise fail(f"--save {name}: {exc}") from None
    err.print(f"saved run {item.label} in {store.url}", markup=False, highlight=False)


def _finish(sc, result, out_dir, sha, writer, stop=None):  # type: ignore[no-untyped-def]
    from planner.search.solve import to_summary
    from planner.services.writer import write_draft_folder, write_outcome_folder

    summary = to_summary(result, sc, sha)
    if result.status.has_plan:
        writer(sc, result, summary, out_dir)
        return summary
    stopped = stop is not None and stop.is_set()
    if result.draft is not None:
        write_draft_folder(sc, result, summary, out_dir)
        err.print(
            f"[yellow]draft[/yellow] written to {out_dir}: the closest plan found breaks"
            f" {len(result.draft_violations)} rule(s):",
        )
        for v in result.draft_violations:
            err.print(f"  {v.rule}  {v.where or '(whole plan)'}  by {v.amount:,}", markup=False)
    elif stopped or write_outcome_folder(summary, out_dir) is None:
        err.print(f"the earlier plan folder {out_dir} was left as it was", markup=False)
    if result.status is Status.INFEASIBLE:
        print_conflicts(result.conflicts, result.conflict_details)
    elif result.status is Status.INVALID:
        err.print(
            "[red]internal error[/red]: the plan failed the independent checker; nothing was written:"
        )
        for v in result.violations:
            err.print(f"  {v}", markup=False)
    elif stopped:
        err.print("[yellow]stopped before any plan was found[/yellow].")
    else:
        err.print("[yellow]no plan within the time limit[/yellow]; raise --time-limit.")
    return summary


def exit_code(result: SolveResult) -> int:
    return {
        Status.OPTIMAL: EXIT_OK,
        Status.FEASIBLE: EXIT_OK,
        Status.INFEASIBLE: EXIT_INFEASIBLE,
        Status.TIMEOUT: EXIT_TIMEOUT,
        Status.INVALID: EXIT_CHECK,
    }[result.status]


def _on_signals(stop: threading.Event) -> None:
    """First Ctrl-C / SIGTERM: stop the search and keep the best plan; the second aborts."""

    def handler(signum: int, frame: object) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()
        err.print(
            "\n[yellow]stopping: the best plan found so far will be written (Ctrl-C again to abort)[/yellow]"
        )

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, handler)
        signal.signal(signal.SIGTERM, handler)


def _progress_printer():  # type: ignore[no-untyped-def]
    """One line rewritten in place on a terminal; one line per improvement in a log file."""
    live = err.is_terminal

    def show(seconds: float, objective: float, bound: float) -> None:
        gap = abs(objective - bound) / max(1.0, abs(objective))
        text = f"  {seconds:7.2f} s  objective {objective:,.0f}  bound {bound:,.0f}  gap {gap:.2%}"
        if live:
            err.print(f"\r{text}   ", end="")
        else:
            err.print(text)

    return show


def print_result(result: SolveResult) -> None:
    """The before/after table a planner reads first."""
    k = result.kpis
    out.print(
        f"status [bold]{result.status.value}[/bold]  objective {result.objective}  bound {result.bound}  "
        f"gap {result.gap if result.gap is not None else '-'}  {result.runtime:.2f} s"
    )
    reused = result.stats.get("reused_optimum")
    if reused is not None:
        out.print(
            f"optimal without a new solve: the change ({', '.join(reused) or 'none'}) only"
            " narrows the scenario and the --hint plan, proven optimal before, still holds"
        )
    if result.plan is None:
        return
    t = Table(title="Before → after", show_lines=False)
    t.add_column("")
    t.add_column("before", justify="right")
    t.add_column("after", justify="right")
    t.add_column("change", justify="right")
    rows = [
        ("units → departments", k.units_before, k.departments_after),
        ("head/deputy posts", k.posts_before, k.posts_after),
        ("headcount", k.headcount_before, k.headcount_after),
        ("monthly payroll", k.payroll_before, k.payroll_after),
    ]
    for label, before, after in rows:
        t.add_row(label, f"{before:,}", f"{after:,}", f"{after - before:+,}")
    out.print(t)
    out.print(
        f"exits {k.exits} ({k.reduction:.1%}), involuntary {k.involuntary_exits}; savings {k.savings:,} a month, "
        f"income raise per head {k.income_raise_per_head:,}"
    )
    terms = Table(title="Objective terms (SPEC §4)")
    terms.add_column("term")
    terms.add_column("value", justify="right")
    for name, value in result.terms.items():
        terms.add_row(name, f"{value:,}")
    out.print(terms)


@app.command()
def check(
    scenario: ScenarioArg,
    plan: Annotated[Path, typer.Argument(help="Plan folder written by planner solve.")],
) -> None:
    """The independent checker: exit 0 when the plan satisfies SPEC §3 and its terms match §4, else 1."""
    from planner.checking.check import check as run_check
    from planner.io.plan_io import PlanError, read_plan, read_summary

    sc = load(scenario)
    from planner.io.roadmap_io import is_roadmap_folder

    if is_roadmap_folder(plan):
        _check_roadmap_folder(sc, plan)
        return
    try:
        p = read_plan(plan)
        summary = read_summary(plan) if (plan / "summary.json").exists() else None
    except PlanError as exc:
        for line in exc.problems:
            print_line(line)
        raise typer.Exit(EXIT_INPUT) from None
    report = run_check(sc, p, summary)
    for line in report.lines():
        print_line(line, stderr=False)
    if not report.ok:
        raise typer.Exit(EXIT_CHECK)
    if summary is not None and summary.status is Status.DRAFT:
        out.print(
            f"[green]ok[/green]: a draft; its {len(summary.violations)} listed violations are"
            " exactly those present, and its terms match:"
        )
    else:
        out.print("[green]ok[/green]: the plan satisfies C1–C13; its terms:")
    _print_terms(report.terms)


def _print_terms(terms: dict[str, int]) -> None:
    """One plain line per §4 term (``  payroll 1,234,000``), not a Python dict."""
    width = max((len(name) for name in terms), default=0)
    for name, value in terms.items():
        out.print(f"  {name:<{width}} {value:>,}", markup=False, highlight=False)


def _check_roadmap_folder(sc: Scenario, folder: Path) -> None:
    """``planner check`` of a roadmap folder (SPEC §8): exit 0, 1 with violations, 2 unreadable."""
    from planner.checking.check_roadmap import check_roadmap
    from planner.io.plan_io import PlanError
    from planner.io.roadmap_io import read_roadmap, read_roadmap_summary

    try:
        rm, summary = read_roadmap(folder), read_roadmap_summary(folder)
    except PlanError as exc:
        for line in exc.problems:
            print_line(line)
        raise typer.Exit(EXIT_INPUT) from None
    report = check_roadmap(sc, rm, summary)
    for line in report.lines():
        print_line(line, stderr=False)
    if not report.ok:
        raise typer.Exit(EXIT_CHECK)
    if summary.status is Status.DRAFT:
        out.print(
            f"[green]ok[/green]: a draft roadmap; its {len(summary.violations)} listed violations"
            " are exactly those present, and its terms match:"
        )
    else:
        out.print(
            f"[green]ok[/green]: the roadmap satisfies §8 in its {sc.settings.roadmap.periods}"
            " periods; its terms:"
        )
    _print_terms(report.terms)


@app.command()
def roadmap(
    scenario: ScenarioArg,
    out_dir: Annotated[
        Path, typer.Option("--out", help="Roadmap folder to write (replaced atomically).")
    ],
    sets: SetOpt = None,
    time_limit: Annotated[float | None, typer.Option("--time-limit", help="Seconds.")] = None,
    workers: Annotated[int | None, typer.Option(help="CP-SAT workers (0 = all cores).")] = None,
    seed: Annotated[int | None, typer.Option(help="Random seed.")] = None,
    draft: Annotated[
        bool,
        typer.Option(
            "--draft",
            help="When no roadmap meets every rule, write the closest one found, with each"
            " broken rule, period, place and amount (status draft); the exit code stays 3 or 4.",
        ),
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q")] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print summary.json to stdout: " + SCRIPTABLE)
    ] = False,
) -> None:
    """Plan the merger over periods (SPEC §8) and write the roadmap folder.

    Example: planner roadmap data/quang_ninh_district --out out/roadmap --set roadmap.periods=5
    """
    from planner.io import scenario_sha256
    from planner.io.plan_io import is_plan_folder
    from planner.search.roadmap import roadmap as run_roadmap
    from planner.search.roadmap import to_roadmap_summary
    from planner.services.roadmap_writer import write_roadmap_folder, write_roadmap_outcome

    sc = load(scenario, sets, time_limit=time_limit, workers=workers, seed=seed)
    if out_dir.exists() and not is_plan_folder(out_dir):
        print_line(
            f"--out {out_dir}: exists and is not a plan or roadmap folder (no summary.json, or a"
            " scenario): it will not be replaced; choose another folder"
        )
        raise typer.Exit(EXIT_INPUT)
    stop = threading.Event()
    _on_signals(stop)
    progress = None if (quiet or as_json) else _progress_printer()
    result = run_roadmap(sc, on_progress=progress, stop=stop, draft=draft)
    if progress is not None and err.is_terminal:
        err.print()
    summary = to_roadmap_summary(result, sc, scenario_sha256(sc))
    try:
        if result.status.has_plan:
            write_roadmap_folder(sc, result, summary, out_dir)
        elif result.draft is not None:
            write_roadmap_folder(sc, result, summary, out_dir)
            err.print(
                f"[yellow]draft[/yellow] written to {out_dir}: the closest roadmap found breaks"
                f" {len(result.draft_violations)} rule(s):"
            )
            for v in result.draft_violations:
                err.print(f"  {v.rule}  {v.where}  by {v.amount:,}", markup=False)
        elif write_roadmap_outcome(summary, out_dir) is None:
            err.print(f"the earlier folder {out_dir} was left as it was", markup=False)
    except OSError as exc:
        print_line(f"--out {out_dir}: cannot write the roadmap folder: {exc}")
        raise typer.Exit(EXIT_INPUT) from None
    if result.status is Status.INFEASIBLE:
        print_conflicts(result.conflicts, result.conflict_details, what="roadmap")
    elif result.status is Status.INVALID:
        err.print("[red]internal error[/red]: the roadmap failed the independent checker:")
        for line in result.violations:
            err.print(f"  {line}", markup=False)
    elif result.status is Status.TIMEOUT:
        err.print("[yellow]no roadmap within the time limit[/yellow]; raise --time-limit.")
    if as_json:
        print(summary.model_dump_json(indent=2))
    elif not quiet and result.roadmap is not None:
        _print_periods(result)
    raise typer.Exit(
        {
            Status.OPTIMAL: EXIT_OK,
            Status.FEASIBLE: EXIT_OK,
            Status.INFEASIBLE: EXIT_INFEASIBLE,
            Status.TIMEOUT: EXIT_TIMEOUT,
            Status.INVALID: EXIT_CHECK,
        }[result.status]
    )


def _print_periods(result) -> None:  # type: ignore[no-untyped-def]
    """The periods table a planner reads first."""
    out.print(result.summary())
    table = Table("period", "start", "headcount", "posts", "deputies", "packages", "cost",
                  "unchanged", "cumulative savings")  # fmt: skip
    for p in result.roadmap.periods:
        table.add_row(
            str(p.period), p.start.isoformat(), str(p.headcount), str(p.posts), str(p.deputies),
            f"{p.packages:,}", f"{p.cost:,}", f"{p.cost_unchanged:,}", f"{p.cumulative_savings:,}",
        )  # fmt: skip
    out.print(table)


@app.command()
def schema(
    what: Annotated[str, typer.Argument(help="scenario | plan")] = "scenario",
) -> None:
    """Print the JSON Schema of the scenario (or of plan.json)."""
    if what == "plan":
        from planner.export.json_export import plan_json_schema

        print(json.dumps(plan_json_schema(), indent=2, ensure_ascii=False))
    else:
        print(json.dumps(Scenario.model_json_schema(), indent=2, ensure_ascii=False))


def _write_many(scenarios: Iterable[tuple[str, Scenario]], out_dir: Path) -> None:
    """Write scenario folders ``out_dir/NAME`` a few at a time: each write waits mostly on
    the disk (its files flushed before the folder is renamed into place), so eight
    threads write a thousand communes several times faster than one, on any core count."""
    from collections import deque
    from concurrent.futures import Future, ThreadPoolExecutor

    from planner.io import write_scenario

    with ThreadPoolExecutor(max_workers=8) as pool:
        pending: deque[Future[Path]] = deque()
        for name, sc in scenarios:
            pending.append(pool.submit(write_scenario, sc, out_dir / name))
            if len(pending) >= 64:  # bounded: scenarios are generated as they are written
                pending.popleft().result()
        for future in pending:
            future.result()


@app.command()
def generate(
    kind: Annotated[
        str, typer.Argument(help="commune | district | province | central | ministry | merged")
    ],
    out_dir: Annotated[
        Path,
        typer.Option("--out", help="Scenario folder to write (or parent folder with --count)."),
    ],
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    size: Annotated[
        int | None,
        typer.Option(
            help="Staff count; for commune a size above 60 (the largest commune) is the number of communes to write."
        ),
    ] = None,
    count: Annotated[
        int | None, typer.Option(help="Write this many scenarios into subfolders.")
    ] = None,
) -> None:
    """Write a synthetic scenario in the SPEC format (reproducible by seed)."""
    from planner.generate.scenarios import generate as gen
    from planner.generate.scenarios import generate_many
    from planner.io import write_scenario

    if count is not None or (
        kind == "commune" and size is not None and size > 60
    ):  # commune --size 3321 = communes
        n = count if count is not None else size
        assert n is not None
        _write_many(generate_many(kind, n, seed=seed), out_dir)
        out.print(f"wrote {n} {kind} scenarios into {out_dir}")
        return
    sc = gen(kind, seed=seed, size=size)
    write_scenario(sc, out_dir)
    out.print(f"wrote {kind} scenario ({len(sc.staff)} staff, {len(sc.units)} units) to {out_dir}")


@app.command()
def export(
    plan: Annotated[Path, typer.Argument(help="Plan folder.")],
    fmt: Annotated[str, typer.Option("--format", help="xlsx | svg | html | json")] = "html",
    anonymize: Annotated[
        bool, typer.Option("--anonymize", help="Replace names by stable pseudonyms.")
    ] = False,
    lang: Annotated[str, typer.Option(help="vi | en (report language)")] = "vi",
) -> None:
    """(Re)write one export of a plan folder (uses the scenario copy kept in PLAN/scenario)."""
    from planner.services.writer import rewrite_export

    try:
        path = rewrite_export(plan, fmt, anonymize=anonymize, lang=lang)
    except (ValueError, FileNotFoundError) as exc:
        err.print(str(exc), markup=False)
        raise typer.Exit(EXIT_INPUT) from None
    out.print(f"wrote {path}")


def main() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        app()
    except KeyboardInterrupt:
        err.print(
            "aborted: plan folders being written were left as they were; finished batch runs are kept (rerun to resume)."
        )
        sys.exit(130)


# The commands that live in their own modules register themselves on ``app`` when
# imported; imported last so that ``planner --help`` lists this module's commands first.
from planner.cli import tradeoffs, batch, workspace, app_launcher  # noqa: E402, F401, I001

__all__ = ["app", "main", "parse_sets"]

if __name__ == "__main__":
    main()
