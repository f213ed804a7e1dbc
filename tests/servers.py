"""Servers started by tests (``streamlit run``, ``planner app``): always stopped, with their children.

Each runs in a process group of its own (``start_new_session``), so stopping it stops
whatever it started too: SIGTERM to the group, a grace period, then SIGKILL. Its output
goes to a file, not to a pipe nobody reads: a server blocked on a full pipe cannot
act on SIGTERM (a Streamlit server once outlived ``make test`` that way, its parent
gone, ended only by SIGKILL). Every server carries ``KHOI_TEST_SERVER`` in its
environment, so that :func:`leftovers` finds any that outlived its test.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Mapping
from pathlib import Path

import psutil
import pytest

ROOT = Path(__file__).resolve().parents[1]
MARK = "KHOI_TEST_SERVER"
"""Environment variable set on every test server: the pid of the test process."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(args: list[str], env: Mapping[str, str], log: Path) -> subprocess.Popen[bytes]:
    """``python -m ARGS`` from the project root, in a new process group, output to ``log``."""
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", *args],
            cwd=ROOT, env={**env, MARK: str(os.getpid())},
            stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip


def healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
            return r.status == 200
    except OSError:
        return False


def group_alive(pgid: int) -> bool:
    """Whether any process of the group is still running (zombies do not count)."""
    for p in psutil.process_iter(["status"]):
        with contextlib.suppress(psutil.Error):
            if os.getpgid(p.pid) == pgid and p.info["status"] != psutil.STATUS_ZOMBIE:
                return True
    return False


def stop(proc: subprocess.Popen[bytes], grace: float = 15.0) -> None:
    """SIGTERM to the server's process group, wait, then SIGKILL whatever is left."""
    pgid = proc.pid  # start_new_session: the server leads its own group
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and (proc.poll() is None or group_alive(pgid)):
        time.sleep(0.2)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGKILL)
    proc.wait(10)


@contextlib.contextmanager
def serving(args: list[str], env: Mapping[str, str], port: int, what: str) -> Iterator[str]:
    """Run ``python -m ARGS`` until its health check answers on 127.0.0.1:``port``; yield
    its URL; stop it and its children at the end, whether the test passed or failed."""
    log = Path(tempfile.mkstemp(prefix="khoi-server-", suffix=".log")[1])
    proc = start(args, env, log)
    try:
        deadline = time.monotonic() + 60
        while not healthy(port):
            if proc.poll() is not None or time.monotonic() > deadline:
                text = log.read_text(encoding="utf-8", errors="replace")
                pytest.fail(f"{what} did not start:\n{text[-2000:]}")
            time.sleep(0.3)
        yield f"http://127.0.0.1:{port}/"
    finally:
        stop(proc)
        log.unlink(missing_ok=True)


def leftovers() -> list[psutil.Process]:
    """Running processes started as servers by this test process (see :data:`MARK`)."""
    found = []
    for p in psutil.process_iter(["status"]):
        with contextlib.suppress(psutil.Error):
            if p.info["status"] != psutil.STATUS_ZOMBIE and p.environ().get(MARK) == str(
                os.getpid()
            ):
                found.append(p)
    return found
