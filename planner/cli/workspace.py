"""``planner workspace …``: the saved variants, runs and results (``planner.workspace``). Thin.

Every command takes ``--db URL`` (default: ``KHOI_DATABASE_URL``, else the embedded
SQLite file). A REF is an item's id (``12`` or ``#12``) or its unique name. Exit codes:
0 done, 1 a stored plan fails the checker, 2 a bad REF, URL, name or folder.
URLs are printed with their password masked.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from planner.cli.common import (
    EXIT_CHECK,
    EXIT_INPUT,
    SCRIPTABLE,
    app,
    err,
    fail,
    load,
    open_db,
    out,
)

ws = typer.Typer(
    name="workspace",
    help="Saved scenario variants, solve runs with their plans, and trade-off results.",
    no_args_is_help=True,
)
app.add_typer(ws, name="workspace")

DbOpt = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Database URL (sqlite:///FILE, postgresql://USER@HOST/DB) or an SQLite file; default"
        " KHOI_DATABASE_URL or the embedded file. Give a password through KHOI_DATABASE_URL or"
        " PGPASSWORD, not here.",
        show_default=False,
    ),
]
RefArg = Annotated[str, typer.Argument(help="An item's id or its unique name.")]


def _item(store, ref: str):  # type: ignore[no-untyped-def]
    from planner.workspace import WorkspaceError

    try:
        return store.item(ref)
    except WorkspaceError as exc:
        raise fail(str(exc)) from None


def _when(item) -> str:  # type: ignore[no-untyped-def]
    return item.created_at.astimezone().strftime("%Y-%m-%d %H:%M")


@ws.command("list")
def list_(
    db: DbOpt = None,
    kind: Annotated[
        str | None, typer.Option(help="Only this kind: variant, run, pareto, price.")
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="One JSON array on stdout: " + SCRIPTABLE)
    ] = False,
) -> None:
    """Every saved item, newest first."""
    with open_db(db) as store:
        items = store.items(kind)
        if as_json:
            print(json.dumps([i.as_json() for i in items], indent=2, ensure_ascii=False))
            return
        t = Table(title=f"Workspace {store.url}")
        for col in ("id", "kind", "name", "scenario", "status", "objective", "author", "saved"):
            t.add_column(
                col,
                justify="right" if col in ("id", "objective") else "left",
                no_wrap=col == "scenario",
                overflow="ellipsis" if col == "scenario" else "fold",
                max_width=16 if col == "scenario" else None,
            )
        for i in items:
            run = i.run or {}
            objective = run.get("objective")
            t.add_row(
                str(i.id),
                i.kind,
                i.name or "—",
                i.scenario_name,
                run.get("status", ""),
                f"{objective:,}" if objective is not None else "",
                i.author,
                _when(i),
            )
        out.print(t)
        if not items:
            out.print("nothing saved yet: planner workspace save FOLDER --name NAME")


@ws.command()
def show(
    ref: RefArg,
    db: DbOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON on stdout: " + SCRIPTABLE)] = False,
) -> None:
    """One item: who saved it when, its scenario, the settings it changes, a run's figures."""
    with open_db(db) as store:
        item = _item(store, ref)
        if as_json:
            print(json.dumps(item.as_json(), indent=2, ensure_ascii=False))
            return
        out.print(f"[bold]{item.label}[/bold]  {item.kind}", highlight=False)
        out.print(f"saved by {item.author} at {_when(item)}", markup=False, highlight=False)
        if item.note:
            out.print(f"note: {item.note}", markup=False, highlight=False)
        if item.scenario_id is not None:
            out.print(
                f"scenario: {item.scenario_name} (sha256 {item.scenario_sha256[:12]})",
                markup=False,
                highlight=False,
            )
        if item.parent_id is not None:
            out.print(f"from: #{item.parent_id}", highlight=False)
        if item.settings_diff:
            t = Table(title="Settings changed")
            for col in ("setting", "before", "after"):
                t.add_column(col)
            for d in item.settings_diff:
                t.add_row(d["key"], _value(d["before"]), _value(d["after"]))
            out.print(t)
        if item.run is not None:
            r = item.run
            out.print(
                f"status {r['status']}  objective {r['objective']}  bound {r['bound']}"
                f"  gap {r['gap'] if r['gap'] is not None else '-'}  {r['runtime_s']:.2f} s",
                highlight=False,
            )
            t = Table(title="KPIs and terms")
            t.add_column("")
            t.add_column("value", justify="right")
            for key, value in {**r["kpis"], **r["terms"]}.items():
                t.add_row(key, _value(value))
            out.print(t)
        if item.files:
            out.print(
                f"{len(item.files)} file(s): "
                + ", ".join(item.files[:12])
                + (" …" if len(item.files) > 12 else ""),
                markup=False,
                highlight=False,
            )


def _value(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.4g}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value


@ws.command()
def save(
    folder: Annotated[
        Path,
        typer.Argument(
            help="A scenario folder (saved as a variant), a plan folder (a run), or the --out"
            " folder of planner pareto / planner price (a result)."
        ),
    ],
    name: Annotated[str | None, typer.Option(help="A unique name to find it by.")] = None,
    note: Annotated[str, typer.Option(help="What this variant or run is about.")] = "",
    scenario: Annotated[
        Path | None,
        typer.Option(
            help="The scenario a price folder answers (pareto folders and plans carry their own)."
        ),
    ] = None,
    base: Annotated[
        str | None,
        typer.Option(help="A saved item (REF) this variant derives from: its settings are diffed."),
    ] = None,
    db: DbOpt = None,
) -> None:
    """Save a folder into the workspace (checked first; an identical scenario is stored once)."""
    from planner.workspace import WorkspaceError, default_author

    if not folder.is_dir():
        raise fail(f"{folder}: no such folder")
    with open_db(db) as store:
        base_item = _item(store, base) if base else None
        try:
            if (folder / "scenario.toml").is_file():
                sc = _read(folder)
                base_sc = store.scenario_of(base_item) if base_item is not None else None
                item = store.save_variant(
                    sc, name=name, note=note, author=default_author(), base=base_sc,
                    parent=base_item.id if base_item else None,
                )  # fmt: skip
            elif (folder / "summary.json").is_file():
                item = store.save_plan_folder(
                    folder, name=name, note=note, author=default_author(),
                    parent=base_item.id if base_item else None,
                )  # fmt: skip
            elif (folder / "frontier.csv").is_file() or (folder / "prices.csv").is_file():
                item = _save_result(store, folder, name, note, scenario)
            else:
                raise fail(
                    f"{folder}: neither a scenario (scenario.toml), a plan (summary.json),"
                    " nor a pareto / price folder (frontier.csv, prices.csv)"
                )
        except WorkspaceError as exc:
            raise fail(str(exc)) from None
        out.print(f"saved {item.kind} {item.label} in {store.url}", markup=False, highlight=False)


def _read(folder: Path):  # type: ignore[no-untyped-def]
    return load(folder)


def _save_result(store, folder: Path, name, note, scenario_dir):  # type: ignore[no-untyped-def]
    from planner.workspace import WorkspaceError

    if scenario_dir is None:
        copies = sorted(folder.glob("*/scenario/scenario.toml"))
        if not copies:
            raise WorkspaceError(
                f"{folder}: say which scenario these results answer with --scenario DIR"
            )
        scenario_dir = copies[0].parent
    from planner.workspace.results import save_result_folder

    return save_result_folder(store, folder, _read(scenario_dir), name=name, note=note)


def record_result(store, folder: Path, sc, name: str) -> None:  # type: ignore[no-untyped-def]
    """``planner pareto/price … --save NAME``: save the folder just written, or exit 2."""
    from planner.workspace import WorkspaceError
    from planner.workspace.results import save_result_folder

    try:
        with store:
            item = save_result_folder(store, folder, sc, name=name)
    except WorkspaceError as exc:
        raise fail(f"--save {name}: {exc}") from None
    err.print(f"saved {item.kind} {item.label} in {store.url}", markup=False, highlight=False)


@ws.command()
def export(
    ref: RefArg,
    out_dir: Annotated[Path, typer.Option("--out", help="Folder to write (replaced atomically).")],
    anonymize: Annotated[
        bool, typer.Option("--anonymize", help="Staff names become stable pseudonyms.")
    ] = False,
    lang: Annotated[
        str, typer.Option(help="vi | en: the reports' language with --anonymize")
    ] = "vi",
    db: DbOpt = None,
) -> None:
    """Write a saved item back as a folder: a run as its plan folder (byte for byte, checked),
    a variant as a scenario folder, a result as its folder."""
    from planner.workspace import WorkspaceError

    with open_db(db) as store:
        item = _item(store, ref)
        try:
            path = store.export(item, out_dir, anonymize=anonymize, lang=lang)
        except WorkspaceError as exc:
            raise fail(str(exc), EXIT_CHECK if "checker" in str(exc) else EXIT_INPUT) from None
        except (FileExistsError, OSError) as exc:
            raise fail(f"--out {out_dir}: {exc}") from None
        out.print(f"wrote {item.kind} {item.label} to {path}", markup=False, highlight=False)


@ws.command()
def diff(
    a: RefArg,
    b: RefArg,
    db: DbOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON on stdout: " + SCRIPTABLE)] = False,
) -> None:
    """What differs between two saved items: settings, input rows, and for runs the figures and moves."""
    from planner.workspace import WorkspaceError

    with open_db(db) as store:
        ia, ib = _item(store, a), _item(store, b)
        try:
            d = store.diff(ia, ib)
        except WorkspaceError as exc:
            raise fail(str(exc), EXIT_CHECK if "checker" in str(exc) else EXIT_INPUT) from None
    if as_json:
        print(json.dumps(d, indent=2, ensure_ascii=False))
        return
    out.print(f"{d['a']}  →  {d['b']}", markup=False, highlight=False)
    if "settings" in d:
        if d.get("same_scenario"):
            out.print("same scenario (identical content)")
        for s in d["settings"]:
            out.print(
                f"  {s['key']}: {_value(s['before'])} → {_value(s['after'])}",
                markup=False,
                highlight=False,
            )
        for table, n in d["tables"].items():
            out.print(
                f"  {table}: {n['removed']} row(s) removed, {n['added']} added",
                markup=False,
                highlight=False,
            )
    for section in ("run", "terms", "kpis"):
        for key, v in d.get(section, {}).items():
            change = f" ({v['change']:+,})" if isinstance(v.get("change"), int) else ""
            out.print(
                f"  {key}: {_value(v['a'])} → {_value(v['b'])}{change}",
                markup=False,
                highlight=False,
            )
    if "staff_moved" in d:
        out.print(f"  staff in another department: {d['staff_moved']}", highlight=False)
    for key, change in d.get("rows", {}).items():
        if set(change) == {"a", "b"}:  # a row in one result only
            line = f"  {key}: {change['a']} → {change['b']}"
        else:
            line = f"  {key}: " + "; ".join(
                f"{c} {_value(v['a'])} → {_value(v['b'])}" for c, v in change.items()
            )
        out.print(line, markup=False, highlight=False)


@ws.command()
def rm(
    ref: RefArg,
    db: DbOpt = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask.")] = False,
) -> None:
    """Delete a saved item and its files (data nothing else uses is deleted with it)."""
    from planner.workspace import WorkspaceError

    with open_db(db) as store:
        item = _item(store, ref)
        if not yes and os.isatty(0) and not typer.confirm(f"delete {item.kind} {item.label}?"):
            raise typer.Exit(EXIT_INPUT)
        try:
            store.remove(item)
        except WorkspaceError as exc:
            raise fail(str(exc)) from None
        out.print(f"removed {item.kind} {item.label}", markup=False, highlight=False)
