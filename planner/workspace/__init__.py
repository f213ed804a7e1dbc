"""The workspace: saved scenario variants, solve runs with their plans, trade-off results.

``open_store(url)`` opens (and creates or migrates, with Alembic) the store at ``url``:

* nothing: ``KHOI_DATABASE_URL`` when set, else the embedded SQLite file
  :func:`default_path`;
* ``sqlite:///path/to/file.db`` or a plain file path: an SQLite file;
* ``postgresql://user@host:5432/db``: a PostgreSQL server (driver psycopg 3). Give the
  password through the environment (``PGPASSWORD``, ``~/.pgpass``, or inside
  ``KHOI_DATABASE_URL``), not on the command line.

The solver, the checker and the exports do not import this package: they work on folders
and models, and the store keeps folders. The app's solve queue asks it for a question's
key (:func:`planner.io.optimum_sha256`) and records runs through
:mod:`planner.workspace.runs`.
"""

from __future__ import annotations

import contextlib
import fcntl
import getpass
import logging
import os
import zlib
from pathlib import Path

from planner.workspace.store import (
    KINDS,
    RESULT_KINDS,
    Item,
    NameTaken,
    RefError,
    Store,
    WorkspaceError,
)

__all__ = [
    "KINDS",
    "RESULT_KINDS",
    "Item",
    "NameTaken",
    "RefError",
    "Store",
    "WorkspaceError",
    "default_author",
    "default_path",
    "default_url",
    "mask_url",
    "open_store",
]

log = logging.getLogger(__name__)

ENV_URL = "KHOI_DATABASE_URL"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_PG_LOCK = zlib.crc32(b"khoi-workspace-migrate")


def default_path() -> Path:
    """The embedded SQLite file: ``.khoi/workspace.db`` in the project when run from a
    checkout, else ``$XDG_DATA_HOME/khoi/workspace.db`` (``~/.local/share/khoi``)."""
    root = Path(__file__).resolve().parents[2]
    if (root / "pyproject.toml").is_file() and (root / "planner").is_dir():
        return root / ".khoi" / "workspace.db"
    data = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data) / "khoi" / "workspace.db"


def default_url() -> str:
    return os.environ.get(ENV_URL) or f"sqlite:///{default_path()}"


def mask_url(url: str) -> str:
    """``url`` safe to print: the password replaced by ``***`` (unparsable: only its scheme)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        scheme = url.split(":", 1)[0] if ":" in url else ""
        return f"{scheme}://…" if scheme.isalnum() else "(unreadable URL)"


def default_author() -> str:
    """Who saves from the command line: ``KHOI_AUTHOR``, else the login name."""
    name = os.environ.get("KHOI_AUTHOR")
    if name:
        return name
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def _normalise(url: str) -> str:
    """A plain path becomes an SQLite URL; ``postgresql://`` uses psycopg 3."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    if "://" not in url:
        return f"sqlite:///{Path(url).expanduser().resolve()}"
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        raise WorkspaceError(
            f"--db {mask_url(url)}: not a database URL (sqlite:///FILE or postgresql://…)"
        ) from None
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise WorkspaceError(
            f"--db {mask_url(url)}: only sqlite:// and postgresql:// are supported"
        )
    if parsed.get_backend_name() == "sqlite" and parsed.database in (None, "", ":memory:"):
        raise WorkspaceError(
            f"--db {mask_url(url)}: give an SQLite file, e.g. sqlite:///workspace.db"
        )
    return parsed.render_as_string(hide_password=False)


def open_store(url: str | None = None) -> Store:
    """Open the workspace at ``url`` (see the module), creating or upgrading its schema.

    Raises
    ------
    WorkspaceError
        When the URL is malformed or the database cannot be reached; the message shows
        the URL with its password masked.
    """
    from sqlalchemy import create_engine
    from sqlalchemy.exc import SQLAlchemyError

    raw = url or default_url()
    full = _normalise(raw)
    shown = mask_url(full)
    kwargs: dict[str, object] = {}
    if full.startswith("sqlite"):
        from sqlalchemy.engine import make_url

        db = Path(make_url(full).database or "")
        try:
            db.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise WorkspaceError(f"{shown}: cannot create {db.parent}: {exc.strerror}") from None
        kwargs["connect_args"] = {"timeout": 60, "check_same_thread": False}
    else:
        kwargs["pool_pre_ping"] = True
        kwargs["connect_args"] = {"connect_timeout": 10}
    try:
        engine = create_engine(full, **kwargs)  # type: ignore[arg-type]
    except (SQLAlchemyError, ImportError, ValueError) as exc:
        raise WorkspaceError(f"{shown}: {type(exc).__name__}: {_first_line(exc)}") from None
    if engine.dialect.name == "sqlite":
        from planner.workspace.store import sqlite_pragmas

        sqlite_pragmas(engine)
    try:
        _migrate(engine, full)
    except SQLAlchemyError as exc:
        engine.dispose()
        raise WorkspaceError(f"{shown}: cannot open the workspace: {_first_line(exc)}") from None
    return Store(engine)


def _first_line(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    text = str(orig).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _alembic_config():  # type: ignore[no-untyped-def]
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(store: Store) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with store.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def _migrate(engine, full_url: str) -> None:  # type: ignore[no-untyped-def]
    """Bring the schema to the newest revision; concurrent openers wait for each other."""
    from alembic import command
    from alembic.runtime.migration import MigrationContext
    from sqlalchemy import text

    head = head_revision()
    with engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
    if current == head:
        return
    cfg = _alembic_config()
    with _file_lock(engine), engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK})
        cfg.attributes["connection"] = conn
        logging.getLogger("alembic").setLevel(logging.WARNING)
        command.upgrade(cfg, "head")
    log.info("workspace: schema upgraded from %s to %s", current or "nothing", head)


@contextlib.contextmanager
def _file_lock(engine):  # type: ignore[no-untyped-def]
    """SQLite: a lock file beside the database around the first migration (BEGIN IMMEDIATE
    alone does not cover the moment before the first table exists)."""
    if engine.dialect.name != "sqlite":
        yield
        return
    path = Path(str(engine.url.database) + ".migrate-lock")
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
