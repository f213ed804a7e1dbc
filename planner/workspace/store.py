"""The workspace store: scenarios, named variants, solve runs with their plans, trade-off results.

One small interface (:class:`Store`) over SQLAlchemy 2: an embedded SQLite file by
default, PostgreSQL by URL for a team. The solver, the checker and the exports do
not know it exists; plan folders stay the interchange format and are stored file by
file (content-addressed blobs), so a folder comes back byte for byte.

Every plan is checked with :func:`planner.checking.check.check` when it is written into the
store and again when it is read back (:meth:`Store.plan_of`, :meth:`Store.export`).
Every save is one transaction: a writer killed half-way leaves nothing behind, and
concurrent writers wait for each other (SQLite: ``BEGIN IMMEDIATE`` on a WAL file;
PostgreSQL: row locks, and a table lock only while unreferenced data is removed).

Personal data (staff names, salaries) is stored, never logged: log lines name items
by id, kind and counts only.

This module is long because :class:`Store` is the one door to the database (every save,
read, export, diff, removal and verification, each one transaction), and splitting it
would split that discipline; the tables are in ``planner.workspace.schema`` and the
result formats in ``planner.workspace.results``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
import zlib
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, and_, delete, event, exists, func, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from models import Plan, Scenario, SolveResult, Summary
from planner.workspace import schema as S

log = logging.getLogger(__name__)

KINDS = ("variant", "run", "pareto", "price", "roadmap")
"""Kinds of saved item. Extension point: a new kind whose data is a JSON payload plus
files (a roadmap, say) needs no migration — save it with :meth:`Store.save_result`
(``kind="roadmap"``) and add its name here; one that needs its own columns gets its
own table keyed by ``items.id`` in a new Alembic revision, like ``runs``."""
RESULT_KINDS = ("pareto", "price", "roadmap")


class WorkspaceError(Exception):
    """A workspace operation that cannot be done; the message says why (no personal data)."""


class RefError(WorkspaceError):
    """A REF that names no item, or more than one."""


class NameTaken(WorkspaceError):
    """A name already used by another item."""


@dataclass(frozen=True)
class Item:
    """One saved thing as listed: the common columns, plus the run's or variant's own."""

    id: int
    kind: str
    name: str | None
    author: str
    created_at: datetime
    note: str
    scenario_id: int | None
    parent_id: int | None
    scenario_name: str = ""
    scenario_sha256: str = ""
    run: dict[str, Any] | None = None
    settings_diff: list[dict[str, Any]] | None = None
    payload: Any = None
    files: list[str] = field(default_factory=list)

    @property
    def ref(self) -> str:
        """How to name the item on the command line: its name, else its id."""
        return self.name or str(self.id)

    @property
    def label(self) -> str:
        return f"#{self.id}" + (f" {self.name}" if self.name else "")

    def as_json(self) -> dict[str, Any]:
        out = {
            "id": self.id,
            "kind": self.kind,
            "name": self.name,
            "author": self.author,
            "created_at": self.created_at.isoformat(),
            "note": self.note,
            "scenario": {
                "id": self.scenario_id,
                "name": self.scenario_name,
                "sha256": self.scenario_sha256,
            },
            "parent_id": self.parent_id,
        }
        if self.run is not None:
            out["run"] = self.run
        if self.settings_diff is not None:
            out["settings_diff"] = self.settings_diff
        if self.payload is not None:
            out["payload"] = self.payload
        if self.files:
            out["files"] = self.files
        return out


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(value: datetime) -> datetime:
    """SQLite gives naive datetimes back; every stored time is UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def flat_settings(scenario: Scenario) -> dict[str, Any]:
    """Every setting as ``section.key`` -> value (JSON form), nested sections joined by dots."""
    out: dict[str, Any] = {}

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                walk(f"{prefix}.{k}" if prefix else str(k), v)
        else:
            out[prefix] = value

    walk("", scenario.settings.model_dump(mode="json"))
    return out


def settings_diff(base: Scenario | None, scenario: Scenario) -> list[dict[str, Any]]:
    """``[{key, before, after}]`` for every setting that differs (all of them without a base)."""
    after = flat_settings(scenario)
    before = flat_settings(base) if base is not None else {}
    if base is None:
        return []
    keys = sorted(set(before) | set(after))
    return [
        {"key": k, "before": before.get(k), "after": after.get(k)}
        for k in keys
        if before.get(k) != after.get(k)
    ]


def table_diff(a: Scenario, b: Scenario) -> dict[str, dict[str, int]]:
    """Per input table, rows only in ``a`` (removed), only in ``b`` (added) — whole rows compared."""
    from planner.io.layout import TABLES

    out = {}
    for stem in TABLES:
        rows_a = {json.dumps(r.model_dump(mode="json"), sort_keys=True) for r in getattr(a, stem)}
        rows_b = {json.dumps(r.model_dump(mode="json"), sort_keys=True) for r in getattr(b, stem)}
        if rows_a != rows_b:
            out[stem] = {"removed": len(rows_a - rows_b), "added": len(rows_b - rows_a)}
    return out


def _encode(raw: bytes) -> tuple[str, bytes]:
    packed = zlib.compress(raw, 6)
    return ("zlib", packed) if len(packed) < 0.9 * len(raw) else ("raw", raw)


def _decode(codec: str, data: bytes) -> bytes:
    if codec == "zlib":
        return zlib.decompress(data)
    if codec == "raw":
        return bytes(data)
    raise WorkspaceError(f"unknown blob codec {codec!r}: a newer Khối wrote this store")


def _folder_files(folder: Path) -> list[tuple[str, Path]]:
    """Every regular file under ``folder`` by relative POSIX path, sorted; temporary leftovers skipped."""
    found = []
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if any(part.startswith(".") for part in rel.parts):
            continue  # .NAME.new-… folders of a killed writer, editor files
        if path.is_file() and not path.is_symlink():
            found.append((rel.as_posix(), path))
    return found


class Store:
    """The workspace: open it with :func:`planner.workspace.open_store`.

    Parameters
    ----------
    engine
        A SQLAlchemy engine whose schema is at the newest revision.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def url(self) -> str:
        """The database URL with any password masked, as a person reads it: safe to print
        (``host=/run/postgresql``, not ``host=%2Frun%2Fpostgresql``)."""
        from urllib.parse import unquote

        return unquote(self.engine.url.render_as_string(hide_password=True))

    @contextmanager
    def _tx(self) -> Iterator[Connection]:
        with self.engine.begin() as conn:
            yield conn

    # -- low level -------------------------------------------------------------------------

    def _insert_ignore(self, conn: Connection, table: Any, rows: list[dict[str, Any]]) -> None:
        """Insert rows, silently keeping an existing row with the same key (content-addressed)."""
        if not rows:
            return
        if self.dialect == "postgresql":
            conn.execute(postgresql.insert(table).on_conflict_do_nothing(), rows)
        elif self.dialect == "sqlite":
            conn.execute(sqlite.insert(table).on_conflict_do_nothing(), rows)
        else:  # pragma: no cover - only SQLite and PostgreSQL are supported
            raise WorkspaceError(f"unsupported database {self.dialect}")

    def _put_blobs(self, conn: Connection, contents: Sequence[bytes]) -> list[str]:
        shas = []
        rows = {}
        for raw in contents:
            sha = hashlib.sha256(raw).hexdigest()
            shas.append(sha)
            if sha not in rows:
                codec, data = _encode(raw)
                rows[sha] = {"sha256": sha, "size": len(raw), "codec": codec, "data": data}
        known = set(conn.scalars(select(S.blobs.c.sha256).where(S.blobs.c.sha256.in_(list(rows)))))
        self._insert_ignore(conn, S.blobs, [r for s, r in rows.items() if s not in known])
        return shas

    def _blob(self, conn: Connection, sha: str) -> bytes:
        row = conn.execute(
            select(S.blobs.c.codec, S.blobs.c.data, S.blobs.c.size).where(S.blobs.c.sha256 == sha)
        ).one_or_none()
        if row is None:
            raise WorkspaceError(f"blob {sha[:12]} is missing: the store is damaged")
        raw = _decode(row.codec, row.data)
        if len(raw) != row.size or hashlib.sha256(raw).hexdigest() != sha:
            raise WorkspaceError(f"blob {sha[:12]} does not match its hash: the store is damaged")
        return raw

    def _put_scenario(self, conn: Connection, scenario: Scenario) -> int:
        from planner.io.write import canonical_json

        raw = canonical_json(scenario)
        sha = hashlib.sha256(raw).hexdigest()  # = planner.io.scenario_sha256(scenario)
        found = conn.scalar(select(S.scenarios.c.id).where(S.scenarios.c.sha256 == sha))
        if found is not None:
            return int(found)
        (blob_sha,) = self._put_blobs(conn, [raw])
        self._insert_ignore(
            conn,
            S.scenarios,
            [
                {
                    "sha256": sha,
                    "name": scenario.settings.scenario.name[:400],
                    "blob_sha256": blob_sha,
                    "staff": len(scenario.staff),
                    "units": len(scenario.units),
                    "organizations": len(scenario.organizations),
                    "created_at": _now(),
                }
            ],
        )
        found = conn.scalar(select(S.scenarios.c.id).where(S.scenarios.c.sha256 == sha))
        assert found is not None  # inserted above, or by a concurrent writer that committed
        return int(found)

    def _new_item(
        self,
        conn: Connection,
        *,
        kind: str,
        name: str | None,
        scenario_id: int | None,
        author: str,
        note: str,
        parent_id: int | None = None,
    ) -> int:
        name = (name or "").strip() or None
        if name is not None:
            _check_name(name)
            taken = conn.scalar(select(S.items.c.id).where(S.items.c.name == name))
            if taken is not None:
                raise NameTaken(
                    f"the name {name!r} is taken by #{taken}; choose another or remove it"
                )
        if (
            parent_id is not None
            and conn.scalar(select(S.items.c.id).where(S.items.c.id == parent_id)) is None
        ):
            parent_id = None  # removed meanwhile: the link is only informative
        result = conn.execute(
            S.items.insert().values(
                kind=kind,
                name=name,
                scenario_id=scenario_id,
                parent_id=parent_id,
                author=(author or "unknown")[:200],
                created_at=_now(),
                note=note or "",
            )
        )
        (item_id,) = result.inserted_primary_key or (None,)
        assert item_id is not None
        return int(item_id)

    def _put_files(self, conn: Connection, item_id: int, files: Mapping[str, bytes]) -> None:
        if not files:  # an empty executemany would insert one row of defaults
            return
        paths = sorted(files)
        shas = self._put_blobs(conn, [files[p] for p in paths])
        conn.execute(
            S.item_files.insert(),
            [
                {"item_id": item_id, "path": p, "blob_sha256": s}
                for p, s in zip(paths, shas, strict=True)
            ],
        )

    @contextmanager
    def _saving(self, name: str | None) -> Iterator[Connection]:
        """One save = one transaction; a name taken concurrently becomes :class:`NameTaken`."""
        try:
            with self._tx() as conn:
                yield conn
        except IntegrityError as exc:
            if name and "name" in str(exc.orig).lower():
                raise NameTaken(
                    f"the name {name!r} is taken; choose another or remove it"
                ) from None
            raise

    # -- saving ----------------------------------------------------------------------------

    def save_variant(
        self,
        scenario: Scenario,
        *,
        name: str | None,
        author: str,
        note: str = "",
        base: Scenario | None = None,
        parent: int | None = None,
    ) -> Item:
        """Save ``scenario`` (stored once per content) as a named variant of ``base``.

        The variant records the settings that differ from ``base`` (none without a base).
        """
        diff = settings_diff(base, scenario)
        with self._saving(name) as conn:
            scenario_id = self._put_scenario(conn, scenario)
            base_id = self._put_scenario(conn, base) if base is not None else None
            item_id = self._new_item(
                conn, kind="variant", name=name, scenario_id=scenario_id, author=author, note=note,
                parent_id=parent,
            )  # fmt: skip
            conn.execute(
                S.variants.insert().values(
                    item_id=item_id, base_scenario_id=base_id, settings_diff=diff
                )
            )
        log.info("workspace: saved variant #%d (%d settings changed)", item_id, len(diff))
        return self.item(str(item_id))

    def save_plan_folder(
        self,
        folder: str | os.PathLike[str],
        *,
        name: str | None,
        author: str,
        note: str = "",
        parent: int | None = None,
        scenario: Scenario | None = None,
    ) -> Item:
        """Import a plan folder (SPEC §5) as a run: every file byte for byte, the summary as columns.

        The plan is read and checked against its scenario (``scenario`` or the folder's
        ``scenario/`` copy) before anything is written; a folder of a run without a
        plan (only ``summary.json``) is stored as such.

        Raises
        ------
        WorkspaceError
            When the folder is not a readable plan folder or its plan fails the checker.
        """
        from planner.checking.check import check
        from planner.io import InputError, read_scenario
        from planner.io.plan_io import SCENARIO_COPY, PlanError, read_plan, read_summary

        base = Path(folder)
        if not (base / "summary.json").is_file():
            raise WorkspaceError(f"{base}: not a plan folder (no summary.json)")
        try:
            summary = read_summary(base)
            has_plan = (base / "staff.csv").is_file()
            plan = read_plan(base) if has_plan else None
        except PlanError as exc:
            raise WorkspaceError(f"{base}: " + "; ".join(exc.problems[:10])) from None
        if scenario is None:
            if not (base / SCENARIO_COPY).is_dir():
                raise WorkspaceError(
                    f"{base}: no {SCENARIO_COPY}/ copy of the scenario, so the plan cannot be checked"
                )
            try:
                scenario = read_scenario(base / SCENARIO_COPY)
            except InputError as exc:
                raise WorkspaceError(
                    f"{base / SCENARIO_COPY}: {len(exc.problems)} problem(s) in the scenario copy"
                ) from None
        if plan is not None:
            report = check(scenario, plan, summary)
            if not report.ok:
                raise WorkspaceError(
                    f"{base}: the plan fails the checker, it is not saved: "
                    + "; ".join(report.lines()[:5])
                )
        files = {rel: path.read_bytes() for rel, path in _folder_files(base)}
        optimum = _optimum_key(scenario, summary)
        with self._saving(name) as conn:
            scenario_id = self._put_scenario(conn, scenario)
            item_id = self._new_item(
                conn, kind="run", name=name, scenario_id=scenario_id, author=author, note=note,
                parent_id=parent,
            )  # fmt: skip
            conn.execute(
                S.runs.insert().values(
                    item_id=item_id, **_run_columns(summary, has_plan), optimum_sha256=optimum
                )
            )
            self._put_files(conn, item_id, files)
        log.info(
            "workspace: saved run #%d (%s, %d files)", item_id, summary.status.value, len(files)
        )
        return self.item(str(item_id))

    def save_run(
        self,
        scenario: Scenario,
        result: SolveResult,
        summary: Summary,
        *,
        name: str | None,
        author: str,
        note: str = "",
        parent: int | None = None,
    ) -> Item:
        """Save a solve: its plan folder is written (and checked) by :mod:`planner.services.writer` first."""
        from planner.services.writer import write_outcome_folder, write_plan_folder

        tmp = Path(tempfile.mkdtemp(prefix="khoi-run-"))
        try:
            folder = tmp / "plan"
            if result.status.has_plan and result.plan is not None:
                write_plan_folder(scenario, result, summary, folder)
            else:
                write_outcome_folder(summary, folder)
            return self.save_plan_folder(
                folder, name=name, author=author, note=note, parent=parent, scenario=scenario
            )
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    def save_result(
        self,
        kind: str,
        scenario: Scenario,
        payload: Any,
        *,
        name: str | None,
        author: str,
        note: str = "",
        files: Mapping[str, bytes] | None = None,
        parent: int | None = None,
    ) -> Item:
        """Save a trade-off result (``pareto``, ``price``; the extension point for ``roadmap``).

        ``payload`` is any JSON value; ``files`` optional named bytes kept with it.
        """
        if not kind.isidentifier() or len(kind) > 16 or kind in ("variant", "run"):
            raise WorkspaceError(f"{kind!r} is not a result kind")
        body = json.loads(json.dumps(payload, allow_nan=False))
        with self._saving(name) as conn:
            scenario_id = self._put_scenario(conn, scenario)
            item_id = self._new_item(
                conn, kind=kind, name=name, scenario_id=scenario_id, author=author, note=note,
                parent_id=parent,
            )  # fmt: skip
            conn.execute(S.results.insert().values(item_id=item_id, payload=body))
            self._put_files(conn, item_id, dict(files or {}))
        log.info("workspace: saved %s #%d", kind, item_id)
        return self.item(str(item_id))

    # -- reading ---------------------------------------------------------------------------

    def _query(self) -> Any:
        i, r, v, s, res = S.items, S.runs, S.variants, S.scenarios, S.results
        return select(
            i,
            s.c.name.label("scenario_name"),
            s.c.sha256.label("scenario_sha256"),
            r.c.status,
            r.c.objective,
            r.c.bound,
            r.c.gap,
            r.c.runtime_s,
            r.c.input_sha256,
            r.c.terms,
            r.c.kpis,
            r.c.solver,
            r.c.has_plan,
            v.c.settings_diff,
            res.c.payload,
        ).select_from(  # fmt: skip
            i.outerjoin(s, s.c.id == i.c.scenario_id)
            .outerjoin(r, r.c.item_id == i.c.id)
            .outerjoin(v, v.c.item_id == i.c.id)
            .outerjoin(res, res.c.item_id == i.c.id)
        )

    @staticmethod
    def _item(row: Any, files: list[str] | None = None) -> Item:
        run = None
        if row.kind == "run" and row.status is not None:
            run = {
                "status": row.status,
                "objective": row.objective,
                "bound": row.bound,
                "gap": row.gap,
                "runtime_s": row.runtime_s,
                "input_sha256": row.input_sha256,
                "terms": row.terms,
                "kpis": row.kpis,
                "solver": row.solver,
                "has_plan": bool(row.has_plan),
            }
        return Item(
            id=row.id,
            kind=row.kind,
            name=row.name,
            author=row.author,
            created_at=_aware(row.created_at),
            note=row.note,
            scenario_id=row.scenario_id,
            parent_id=row.parent_id,
            scenario_name=row.scenario_name or "",
            scenario_sha256=row.scenario_sha256 or "",
            run=run,
            settings_diff=row.settings_diff if row.kind == "variant" else None,
            payload=row.payload,
            files=files or [],
        )

    def items(self, kind: str | None = None) -> list[Item]:
        """Every saved item, newest first (optionally of one kind)."""
        q = self._query().order_by(S.items.c.created_at.desc(), S.items.c.id.desc())
        if kind is not None:
            q = q.where(S.items.c.kind == kind)
        with self._tx() as conn:
            return [self._item(row) for row in conn.execute(q)]

    def item(self, ref: str | int) -> Item:
        """The item named by ``ref``: its id (``12`` or ``#12``) or its unique name.

        Raises
        ------
        RefError
            When nothing, or more than one thing, answers to ``ref``.
        """
        key = str(ref).strip()
        with self._tx() as conn:
            if key.lstrip("#").isdigit():  # names are never numbers (_check_name)
                where = S.items.c.id == int(key.lstrip("#"))
            else:
                where = S.items.c.name == key
            rows = list(conn.execute(self._query().where(where)))
            if not rows:
                raise RefError(
                    f"{key!r}: no saved item has this id or name (see planner workspace list)"
                )
            row = rows[0]
            files = list(
                conn.scalars(
                    select(S.item_files.c.path)
                    .where(S.item_files.c.item_id == row.id)
                    .order_by(S.item_files.c.path)
                )
            )
        return self._item(row, files)

    def proven_run(self, input_sha256: str, optimum: str | None = None) -> Item | None:
        """The newest run with a plan proven optimal of the scenario whose SHA-256 is
        ``input_sha256`` or, given ``optimum`` (:func:`planner.io.optimum_sha256`), of the same question
        with any time limit; None when there is none. The solve queue returns its plan
        instead of solving again."""
        r = S.runs
        same = r.c.input_sha256 == input_sha256
        if optimum is not None:
            same = same | (r.c.optimum_sha256 == optimum)
        q = (
            self._query()
            .where(same, r.c.status == "optimal", r.c.has_plan.is_(True))
            .order_by(S.items.c.created_at.desc(), S.items.c.id.desc())
            .limit(1)
        )
        with self._tx() as conn:
            row = conn.execute(q).first()
        return None if row is None else self._item(row)

    def scenario_of(self, ref: str | int | Item) -> Scenario:
        """The full scenario an item was saved with."""
        item = ref if isinstance(ref, Item) else self.item(ref)
        if item.scenario_id is None:
            raise WorkspaceError(f"{item.label}: no scenario is stored with it")
        return self._scenario(item.scenario_id)

    def _scenario(self, scenario_id: int) -> Scenario:
        with self._tx() as conn:
            row = conn.execute(
                select(S.scenarios.c.sha256, S.scenarios.c.blob_sha256).where(
                    S.scenarios.c.id == scenario_id
                )
            ).one_or_none()
            if row is None:
                raise WorkspaceError(f"scenario {scenario_id} is missing: the store is damaged")
            raw = self._blob(conn, row.blob_sha256)
        if hashlib.sha256(raw).hexdigest() != row.sha256:
            raise WorkspaceError(f"scenario {scenario_id} does not match its hash")
        return Scenario.model_validate_json(raw)

    def base_of(self, ref: str | int | Item) -> Scenario | None:
        """The scenario a variant was derived from (None when it was saved without one)."""
        item = ref if isinstance(ref, Item) else self.item(ref)
        with self._tx() as conn:
            base_id = conn.scalar(
                select(S.variants.c.base_scenario_id).where(S.variants.c.item_id == item.id)
            )
        return self._scenario(base_id) if base_id is not None else None

    def files_of(self, ref: str | int | Item) -> dict[str, bytes]:
        """An item's stored files, by relative path (a run: its whole plan folder)."""
        item = ref if isinstance(ref, Item) else self.item(ref)
        with self._tx() as conn:
            rows = conn.execute(
                select(S.item_files.c.path, S.item_files.c.blob_sha256).where(
                    S.item_files.c.item_id == item.id
                )
            ).all()
            return {row.path: self._blob(conn, row.blob_sha256) for row in rows}

    def plan_of(self, ref: str | int | Item) -> tuple[Plan, Summary, Scenario]:
        """A run's plan, summary and scenario, read back from the store and checked again.

        Raises
        ------
        WorkspaceError
            When the item is not a run with a plan, or the plan read back fails the checker.
        """
        item = ref if isinstance(ref, Item) else self.item(ref)
        if item.kind != "run" or not (item.run or {}).get("has_plan"):
            raise WorkspaceError(f"{item.label}: not a run with a plan")
        files = self.files_of(item)
        tmp = Path(tempfile.mkdtemp(prefix="khoi-read-"))
        try:
            for rel in ("staff.csv", "functions.csv", "departments.csv", "summary.json"):
                if rel in files:
                    (tmp / rel).write_bytes(files[rel])
            scenario = self.scenario_of(item)
            plan, summary = _read_checked(tmp, scenario, item.label)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        return plan, summary, scenario

    def export(
        self,
        ref: str | int | Item,
        out: str | os.PathLike[str],
        *,
        anonymize: bool = False,
        lang: str = "vi",
    ) -> Path:
        """Write an item back as a folder: a run as its plan folder, byte for byte; a variant as
        a scenario folder (CSV); a result as ``result.json`` and its files.

        The target is replaced atomically, and only when it is empty or an earlier plan
        (scenario folders: an earlier scenario). A run's plan is read back from the
        written folder and checked before the folder is put in place. With
        ``anonymize`` staff names become stable pseudonyms (:mod:`planner.export.anonymize`)
        in the scenario copy and every report, which are then written again.
        """
        from planner.io import write_scenario
        from planner.io.plan_io import SCENARIO_COPY, atomic_folder, is_plan_folder

        item = ref if isinstance(ref, Item) else self.item(ref)
        scenario = self.scenario_of(item) if item.scenario_id is not None else None
        if anonymize and scenario is not None:
            from planner.export.anonymize import anonymize as pseudonymise

            scenario = pseudonymise(scenario)
        if item.kind == "variant":
            assert scenario is not None
            return write_scenario(scenario, Path(out))
        files = self.files_of(item)
        with atomic_folder(out, replace=is_plan_folder) as tmp:
            for rel, data in files.items():
                path = tmp / rel
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
            if item.kind == "run":
                if (item.run or {}).get("has_plan") and scenario is not None:
                    plan, summary = _read_checked(tmp, self.scenario_of(item), item.label)
                    if anonymize:
                        from planner.export import write_all

                        shutil.rmtree(tmp / SCENARIO_COPY, ignore_errors=True)
                        write_scenario(scenario, tmp / SCENARIO_COPY)
                        write_all(scenario, plan, summary, tmp, lang=lang)
            else:
                text_ = json.dumps(
                    {"kind": item.kind, "name": item.name, "payload": item.payload},
                    indent=2, ensure_ascii=False,
                )  # fmt: skip
                (tmp / "result.json").write_text(text_ + "\n", encoding="utf-8")
                if scenario is not None:
                    write_scenario(scenario, tmp / SCENARIO_COPY)
        log.info("workspace: exported #%d (%d files)", item.id, len(files))
        return Path(out)

    # -- changing --------------------------------------------------------------------------

    def remove(self, ref: str | int | Item) -> Item:
        """Delete an item with its files; scenarios and file contents nothing else uses go too."""
        item = ref if isinstance(ref, Item) else self.item(ref)
        with self._tx() as conn:
            if self.dialect == "postgresql":  # no save may take up a blob while it is removed
                conn.execute(text("LOCK TABLE blobs, scenarios IN EXCLUSIVE MODE"))
            gone = conn.execute(delete(S.items).where(S.items.c.id == item.id)).rowcount
            if not gone:
                raise RefError(f"{item.label}: was removed meanwhile")
            self._collect_garbage(conn)
        log.info("workspace: removed %s #%d", item.kind, item.id)
        return item

    @staticmethod
    def _collect_garbage(conn: Connection) -> None:
        i, v, s, b, f = S.items, S.variants, S.scenarios, S.blobs, S.item_files
        conn.execute(
            delete(s).where(
                ~exists().where(i.c.scenario_id == s.c.id),
                ~exists().where(v.c.base_scenario_id == s.c.id),
            )
        )
        conn.execute(
            delete(b).where(
                ~exists().where(f.c.blob_sha256 == b.c.sha256),
                ~exists().where(s.c.blob_sha256 == b.c.sha256),
            )
        )

    def remember(self, user: str, key: str, value: str) -> None:
        """Keep a small per-user value (the app's last opened item)."""
        row = {"user_name": user[:200], "key": key[:100], "value": value, "updated_at": _now()}
        with self._tx() as conn:
            conn.execute(
                delete(S.user_state).where(
                    and_(
                        S.user_state.c.user_name == row["user_name"],
                        S.user_state.c.key == row["key"],
                    )
                )
            )
            self._insert_ignore(conn, S.user_state, [row])

    def recall(self, user: str, key: str) -> str | None:
        with self._tx() as conn:
            return conn.scalar(
                select(S.user_state.c.value).where(
                    and_(S.user_state.c.user_name == user[:200], S.user_state.c.key == key[:100])
                )
            )

    # -- comparing and verifying -----------------------------------------------------------

    def diff(self, a: str | int | Item, b: str | int | Item) -> dict[str, Any]:
        """What differs between two items: settings, input tables, and for two runs their
        status, objective, terms, KPIs and the staff who move between the two plans."""
        ia = a if isinstance(a, Item) else self.item(a)
        ib = b if isinstance(b, Item) else self.item(b)
        out: dict[str, Any] = {"a": ia.label, "b": ib.label}
        if ia.scenario_id is not None and ib.scenario_id is not None:
            sa, sb = self.scenario_of(ia), self.scenario_of(ib)
            out["same_scenario"] = ia.scenario_sha256 == ib.scenario_sha256
            out["settings"] = settings_diff(sa, sb)
            out["tables"] = table_diff(sa, sb)
        if ia.run is not None and ib.run is not None:
            ra, rb = ia.run, ib.run
            out["run"] = {
                key: {"a": ra[key], "b": rb[key]}
                for key in ("status", "objective", "bound", "gap")
                if ra[key] != rb[key]
            }
            out["terms"] = _numeric_diff(ra["terms"], rb["terms"])
            out["kpis"] = _numeric_diff(ra["kpis"], rb["kpis"])
            if ra["has_plan"] and rb["has_plan"]:
                pa, _, _ = self.plan_of(ia)
                pb, _, _ = self.plan_of(ib)
                da = {s.staff_id: s.dept_id for s in pa.staff}
                db = {s.staff_id: s.dept_id for s in pb.staff}
                out["staff_moved"] = sum(1 for k in set(da) & set(db) if da[k] != db[k])
        if ia.kind == ib.kind and ia.kind in RESULT_KINDS:
            out["rows"] = _rows_diff(ia, ib)
        return out

    def verify(self) -> list[str]:
        """Consistency problems of the store (empty when whole): every run has its row, its
        plan files and their contents; every reference resolves; SQLite's own integrity check."""
        problems = []
        i, r, v, res, f, b, s = (
            S.items,
            S.runs,
            S.variants,
            S.results,
            S.item_files,
            S.blobs,
            S.scenarios,
        )
        with self._tx() as conn:
            if self.dialect == "sqlite":
                status = conn.exec_driver_sql("PRAGMA integrity_check").scalar()
                if status != "ok":
                    problems.append(f"sqlite integrity_check: {status}")
                for row in conn.exec_driver_sql("PRAGMA foreign_key_check"):
                    problems.append(f"foreign key broken in {row[0]}")
            for kind, table in (("run", r), ("variant", v)):
                n = conn.scalar(
                    select(func.count())
                    .select_from(i)
                    .where(i.c.kind == kind, ~exists().where(table.c.item_id == i.c.id))
                )
                if n:
                    problems.append(f"{n} {kind}(s) without their {table.name} row")
            n = conn.scalar(
                select(func.count())
                .select_from(i)
                .where(i.c.kind.in_(RESULT_KINDS), ~exists().where(res.c.item_id == i.c.id))
            )
            if n:
                problems.append(f"{n} result(s) without their payload")
            for row in conn.execute(select(r.c.item_id).where(r.c.has_plan.is_(True))):
                paths = set(conn.scalars(select(f.c.path).where(f.c.item_id == row.item_id)))
                missing = {"staff.csv", "functions.csv", "summary.json"} - paths
                if missing:
                    problems.append(f"run #{row.item_id} lacks {', '.join(sorted(missing))}")
            n = conn.scalar(
                select(func.count())
                .select_from(f)
                .where(~exists().where(b.c.sha256 == f.c.blob_sha256))
            )
            if n:
                problems.append(f"{n} file(s) whose content is missing")
            n = conn.scalar(
                select(func.count())
                .select_from(i)
                .where(i.c.scenario_id.is_not(None), ~exists().where(s.c.id == i.c.scenario_id))
            )
            if n:
                problems.append(f"{n} item(s) whose scenario is missing")
        return problems


def _check_name(name: str) -> None:
    if len(name) > 200:
        raise WorkspaceError("a name has at most 200 characters")
    if name.lstrip("#").isdigit():
        raise WorkspaceError(f"{name!r}: a name cannot be a number (numbers are ids)")
    if any(ord(c) < 32 for c in name):
        raise WorkspaceError("a name cannot hold control characters")


def _numeric_diff(a: Mapping[str, Any], b: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    out = {}
    for key in sorted(set(a) | set(b)):
        va, vb = a.get(key), b.get(key)
        if va != vb:
            entry: dict[str, Any] = {"a": va, "b": vb}
            if isinstance(va, int | float) and isinstance(vb, int | float):
                entry["change"] = vb - va
            out[key] = entry
    return out


def _rows_diff(a: Item, b: Item) -> dict[str, dict[str, Any]]:
    """Two saved results of one kind, row by row: a price table keyed by its setting, a
    Pareto frontier by point (x, y of each, in order); only what differs, each cell as saved."""
    rows_a = (a.payload or {}).get("rows") or []
    rows_b = (b.payload or {}).get("rows") or []
    if a.kind == "price":
        keyed_a = {r.get("setting"): r for r in rows_a}
        keyed_b = {r.get("setting"): r for r in rows_b}
        columns = ("saving", "binding", "proven", "status")
    else:
        keyed_a = {f"point {i}": r for i, r in enumerate(rows_a, start=1)}
        keyed_b = {f"point {i}": r for i, r in enumerate(rows_b, start=1)}
        columns = ("x", "y", "objective", "proven")
    out: dict[str, dict[str, Any]] = {}
    for key in dict.fromkeys([*keyed_a, *keyed_b]):
        ra, rb = keyed_a.get(key), keyed_b.get(key)
        if ra is None or rb is None:
            out[str(key)] = {
                "a": "—" if ra is None else "present",
                "b": "—" if rb is None else "present",
            }
            continue
        changed = {c: {"a": ra.get(c), "b": rb.get(c)} for c in columns if ra.get(c) != rb.get(c)}
        if changed:
            out[str(key)] = changed
    return out


def _run_columns(summary: Summary, has_plan: bool) -> dict[str, Any]:
    return {
        "status": summary.status.value,
        "objective": summary.objective,
        "bound": summary.bound,
        "gap": summary.gap,
        "runtime_s": summary.runtime_s,
        "input_sha256": summary.input_sha256,
        "terms": dict(summary.terms),
        "kpis": summary.kpis.model_dump(mode="json"),
        "solver": {
            **summary.solver.model_dump(mode="json"),
            "mode": summary.mode,
            "created": summary.created,
            "conflicts": list(summary.conflicts),
            # where the app's solve queue ran it, and a proven run it repeated (no personal data)
            **{k: summary.stats[k] for k in ("ran_on", "same_as_run") if k in summary.stats},
        },
        "has_plan": has_plan,
    }


def _optimum_key(scenario: Scenario, summary: Summary) -> str | None:
    """The run's :func:`planner.io.optimum_sha256` when it is proven optimal and ``scenario`` is the one
    solved (its SHA-256 is the summary's ``input_sha256``); else None (nothing to look up)."""
    from planner.io import optimum_sha256, scenario_sha256

    if summary.status.value != "optimal" or not summary.input_sha256:
        return None
    if scenario_sha256(scenario) != summary.input_sha256:
        return None
    return optimum_sha256(scenario)


def _read_checked(folder: Path, scenario: Scenario, label: str) -> tuple[Plan, Summary]:
    """Read a plan folder's tables and summary and check them; WorkspaceError when they fail."""
    from planner.checking.check import check
    from planner.io.plan_io import PlanError, read_plan, read_summary

    try:
        plan, summary = read_plan(folder), read_summary(folder)
    except PlanError as exc:
        raise WorkspaceError(
            f"{label}: the stored plan cannot be read: " + "; ".join(exc.problems[:5])
        ) from None
    report = check(scenario, plan, summary)
    if not report.ok:
        raise WorkspaceError(
            f"{label}: the stored plan fails the checker: " + "; ".join(report.lines()[:5])
        )
    return plan, summary


def sqlite_pragmas(engine: Engine) -> None:
    """WAL (readers never wait for the writer), foreign keys on, and ``BEGIN IMMEDIATE`` so that
    two writers queue at the start of their transactions instead of failing half-way."""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, record: Any) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy, not pysqlite, says BEGIN
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA busy_timeout = 60000")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")
