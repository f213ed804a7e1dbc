"""What every ``planner`` command shares: the app, its consoles, exit codes, options and helpers.

The command modules (``commands``, ``tradeoffs``, ``batch``, ``workspace``,
``app_launcher``) import from here and register their commands on :data:`app`; none of
them imports ``commands``, which imports them all, so there is no import circle.
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from models import Scenario, ScenarioError
from planner.domain.conflicts import after_name

app = typer.Typer(
    name="planner",
    help="Khối: plan the merger of departments with CP-SAT (see README.md and SPEC.md)."
    " Scripts: use --json where a command has it; tables piped elsewhere are never wrapped.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
SCRIPTABLE = "the scriptable form (tables are for people; piped, they are never wrapped)."
"""Said by every ``--json`` option's help."""
PIPED_WIDTH = 10_000
"""Columns of a console that is not a terminal: a table piped to ``grep`` or read by a
script is drawn at its natural width, one line per row (rich would use 80)."""


def _console(*, stderr: bool = False) -> Console:
    stream = sys.stderr if stderr else sys.stdout
    piped = not (stream is not None and stream.isatty())
    return Console(stderr=stderr, width=PIPED_WIDTH if piped else None)


out = _console()
err = _console(stderr=True)

EXIT_OK, EXIT_CHECK, EXIT_INPUT, EXIT_INFEASIBLE, EXIT_TIMEOUT = 0, 1, 2, 3, 4

ScenarioArg = Annotated[
    Path,
    typer.Argument(help="Scenario folder (CSV, scenario.xlsx or Parquet, plus scenario.toml)."),
]
SetOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        help="Override a setting: section.key=value (TOML value), e.g. targets.min_reduction=0.2.",
    ),
]


def print_line(text: str, *, stderr: bool = True) -> None:
    """One machine-readable line, verbatim: rich would wrap it at the terminal width
    (80 columns when piped), turn ``:fire:`` into an emoji and ``[b]`` into markup."""
    print(text, file=sys.stderr if stderr else sys.stdout, flush=True)


def print_conflicts(
    conflicts: list[str], details: list[str] | None, *, what: str = "plan", draft: bool = True
) -> None:
    """The settings that cannot hold together, each with its sentence; or, when the
    solver proved infeasibility but the explanation named nothing in time, say so and
    what to try (a cause in the data, such as every holder of a skill leaving, is no
    setting)."""
    if not conflicts:
        tip = f", or add --draft to see the closest {what} and the rules it breaks" if draft else ""
        err.print(
            f"[red]infeasible[/red]: no {what} meets every rule, and no small set of "
            "conflicting settings was found in the time left (the cause may be in the data, "
            f"e.g. every holder of a needed skill leaving); raise --time-limit{tip}."
        )
        return
    err.print("[red]infeasible[/red]: these settings cannot hold together:")
    for name, sentence in zip(conflicts, details or conflicts, strict=False):
        err.print(f"  {name}{after_name(name, sentence)}", markup=False)


def parse_sets(items: list[str] | None) -> dict[str, object]:
    """``["a.b=1", "c.d=x"]`` -> ``{"a.b": 1, "c.d": "x"}``; values parsed as TOML when they can be."""
    result: dict[str, object] = {}
    for item in items or []:
        key, sep, raw = item.partition("=")
        if not sep or "." not in key:
            raise ScenarioError([f"--set {item}: expected section.key=value"])
        try:
            value: object = tomllib.loads(f"v = {raw}")["v"]
        except tomllib.TOMLDecodeError:
            value = raw
        result[key.strip()] = value
    return result


def load(path: Path, sets: list[str] | None = None, **solver: object) -> Scenario:
    """Read and validate a scenario, apply ``--set`` overrides; exit 2 with every problem on bad input."""
    from pydantic import ValidationError

    from planner.io import read_scenario

    try:
        scenario = read_scenario(path)
        for warning in scenario.warnings:  # valid, but worth knowing (e.g. a vacuous rule)
            print_line(f"warning: {warning}")
        overrides = parse_sets(sets)
        overrides.update({f"solver.{k}": v for k, v in solver.items() if v is not None})
        if overrides:
            scenario = scenario.with_settings(scenario.settings.with_overrides(overrides))
        return scenario
    except ScenarioError as exc:
        lines = exc.lines() if hasattr(exc, "lines") else [str(p) for p in exc.problems]
        for line in lines:
            print_line(line)
        print_line(f"{len(lines)} problem(s); nothing was written.")
    except ValidationError as exc:
        for e in exc.errors():
            where = ".".join(str(x) for x in e["loc"])
            print_line(f"--set {where}: {e['msg']}")
    except ValueError as exc:
        print_line(str(exc))
    raise typer.Exit(EXIT_INPUT)


def fail(message: str, code: int = EXIT_INPUT) -> typer.Exit:
    err.print(message, markup=False, highlight=False)
    return typer.Exit(code)


def open_db(db: str | None):  # type: ignore[no-untyped-def]
    """The store, or exit 2 with a clear message (password masked)."""
    from planner.workspace import WorkspaceError, mask_url, open_store

    if db and "://" in db:
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError

        try:
            if make_url(db).password:
                err.print(
                    f"warning: --db {mask_url(db)} carries a password, which other users can see in"
                    " the process list; use KHOI_DATABASE_URL or PGPASSWORD instead",
                    markup=False,
                    highlight=False,
                )
        except (ArgumentError, ValueError):
            pass  # open_store says what is wrong
    try:
        return open_store(db)
    except WorkspaceError as exc:
        raise fail(str(exc)) from None


def workspace_for(name: str, db: str | None):  # type: ignore[no-untyped-def]
    """The store for ``--save NAME``, checked before the solve: exit 2 on a bad URL or a taken name."""
    from planner.workspace import RefError

    store = open_db(db)
    try:
        taken = store.item(name)
    except RefError:
        return store
    store.close()
    raise fail(f"--save {name}: the name is taken by #{taken.id}; choose another")
