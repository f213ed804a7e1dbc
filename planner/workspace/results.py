"""Trade-off results in the workspace: a ``planner pareto`` / ``planner price`` folder as one item.

The CLI saves the ``--out`` folder it has just written; the app writes the same
folder from the result it holds (:func:`save_tradeoff`), so a frontier or a price
table saved either way is stored the same way: the table's rows as the item's
payload, every file of the folder kept byte for byte (plan folders of the
frontier's points included).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

import polars as pl

from models import Scenario
from planner.workspace.store import Item, Store, WorkspaceError

RESULT_TABLES = {"pareto": "frontier.csv", "price": "prices.csv"}
"""The table that makes a folder a result of each kind."""


def save_result_folder(
    store: Store,
    folder: Path,
    scenario: Scenario,
    *,
    name: str | None,
    note: str = "",
    author: str | None = None,
) -> Item:
    """Save the folder of ``planner pareto`` (frontier.csv) or ``planner price`` (prices.csv)."""
    from planner.workspace import default_author

    kind = next((k for k, table in RESULT_TABLES.items() if (folder / table).is_file()), None)
    if kind is None:
        raise WorkspaceError(f"{folder}: neither frontier.csv nor prices.csv")
    table = RESULT_TABLES[kind]
    rows = pl.read_csv(folder / table, infer_schema=False).to_dicts()
    files = {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(folder).parts)
    }
    return store.save_result(
        kind, scenario, {"table": table, "rows": rows}, name=name, note=note,
        author=author or default_author(), files=files,
    )  # fmt: skip


def save_tradeoff(
    store: Store,
    scenario: Scenario,
    result: Any,
    *,
    name: str | None,
    author: str,
    note: str = "",
) -> Item:
    """Save a result held in memory: a :class:`~planner.tradeoffs.ParetoResult` (its folder is
    written as ``planner pareto --out`` writes it) or the price table of :func:`planner.tradeoffs.price`."""
    from planner.tradeoffs.common import write_csv
    from planner.tradeoffs.pareto import ParetoResult, write_pareto

    tmp = Path(tempfile.mkdtemp(prefix="khoi-tradeoff-"))
    try:
        folder = tmp / "result"
        if isinstance(result, ParetoResult):
            write_pareto(scenario, result, folder)
        elif isinstance(result, pl.DataFrame):
            folder.mkdir()
            write_csv(result, folder / RESULT_TABLES["price"])
        else:
            raise WorkspaceError(f"not a trade-off result: {type(result).__name__}")
        return save_result_folder(store, folder, scenario, name=name, note=note, author=author)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def save_roadmap(
    store: Store, scenario: Scenario, result: Any, *, author: str, note: str = ""
) -> Item:
    """Save a roadmap the app has solved: its periods as the table, its summary beside them.

    Money stays in thousands, as in ``periods.csv`` (SPEC §8).
    """
    from planner.search.roadmap import to_roadmap_summary

    if result.roadmap is None:
        rows: list[dict[str, Any]] = []
    else:
        rows = [p.model_dump(mode="json") for p in result.roadmap.periods]
    summary = to_roadmap_summary(result, scenario).model_dump(mode="json")
    return store.save_result(
        "roadmap", scenario, {"table": "periods.csv", "rows": rows, "summary": summary},
        name=None, author=author, note=note,
    )  # fmt: skip


def result_table(item: Item) -> pl.DataFrame:
    """The saved table of a result item (its rows as saved, every cell as text); the
    store lists every result with its payload."""
    if item.kind not in RESULT_TABLES and item.kind != "roadmap":
        raise WorkspaceError(f"{item.label} is not a trade-off result or a roadmap")
    rows = (item.payload or {}).get("rows") or []
    return pl.DataFrame(rows, schema=list(rows[0]) if rows else None)
