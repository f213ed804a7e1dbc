"""Shared fixtures. Every test runs against its own workspace database, never the project's
embedded one (``KHOI_DATABASE_URL`` points into a temporary folder unless a test says otherwise)."""

from __future__ import annotations

import itertools
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

_WORKSPACE_DIR = Path(tempfile.mkdtemp(prefix="khoi-tests-ws-"))
os.environ["KHOI_DATABASE_URL"] = f"sqlite:///{_WORKSPACE_DIR / 'workspace.db'}"
_numbers = itertools.count()


@pytest.fixture(scope="session")
def pg_server() -> Iterator[object]:
    """A throwaway PostgreSQL server (tests/pg.py), started once per test process."""
    from tests import pg

    reason = pg.why_not()
    if reason is not None:
        pytest.skip(reason)
    server = pg.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def pg_url(pg_server: object) -> str:
    """The URL (password included) of a fresh, empty database on the throwaway server."""
    from tests import pg

    return pg.create_database(pg_server, f"t{os.getpid()}_{next(_numbers)}")  # type: ignore[arg-type]


@pytest.fixture(scope="session", autouse=True)
def no_server_left_behind() -> Iterator[None]:
    """After the session, no server a test started is still running (``tests/servers.py``):
    the check ``make test`` lacked when a Streamlit server outlived it."""
    yield
    from tests.servers import leftovers

    deadline = time.monotonic() + 10
    while (left := leftovers()) and time.monotonic() < deadline:
        time.sleep(0.5)
    described = [" ".join(p.cmdline()) for p in left]
    for p in left:
        p.kill()
    assert not left, f"test servers still running (now killed): {described}"
