"""A throwaway PostgreSQL server for the workspace tests: Debian's ``postgresql`` package,
``initdb`` in a temporary folder, ``pg_ctl`` on a free local port, password authentication.

As root the server runs as the ``postgres`` user (PostgreSQL refuses to run as root).
Tests that need it are skipped, with the reason, only where the binaries are missing.
"""

from __future__ import annotations

import glob
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Server:
    bindir: Path
    base: Path
    port: int
    user: str
    password: str
    run_as: list[str]

    def url(self, database: str = "postgres", *, password: bool = True) -> str:
        secret = f":{self.password}" if password else ""
        return f"postgresql://{self.user}{secret}@127.0.0.1:{self.port}/{database}"

    def stop(self) -> None:
        subprocess.run(
            [*self.run_as, str(self.bindir / "pg_ctl"), "-D", str(self.base / "data"), "-m",
             "immediate", "stop"],
            capture_output=True, check=False, timeout=60,
        )  # fmt: skip
        shutil.rmtree(self.base, ignore_errors=True)


def server_binaries() -> Path | None:
    """The folder of ``initdb`` and ``pg_ctl``: Debian's newest, else one on PATH."""
    for folder in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if (Path(folder) / "initdb").is_file() and (Path(folder) / "pg_ctl").is_file():
            return Path(folder)
    found = shutil.which("initdb")
    return Path(found).parent if found and shutil.which("pg_ctl") else None


def why_not() -> str | None:
    """Why no server can be started here, or None."""
    if server_binaries() is None:
        return "PostgreSQL server binaries (initdb, pg_ctl) not found: apt-get install postgresql"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no 'postgres' user to run the server as"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start() -> Server:
    bindir = server_binaries()
    assert bindir is not None
    # as root, a folder the postgres user can reach whatever TMPDIR says
    root = "/tmp" if os.geteuid() == 0 and os.path.isdir("/tmp") else None
    base = Path(tempfile.mkdtemp(prefix="khoi-pg-", dir=root))
    run_as: list[str] = []
    password = secrets.token_hex(12)
    (base / "pw").write_text(password + "\n")
    if os.geteuid() == 0:
        user = pwd.getpwnam("postgres")
        for path in (base, base / "pw"):
            os.chown(path, user.pw_uid, user.pw_gid)
        run_as = ["runuser", "-u", "postgres", "--"]
    data, port = base / "data", _free_port()
    subprocess.run(
        [*run_as, str(bindir / "initdb"), "-D", str(data), "-U", "khoi", "--pwfile", str(base / "pw"),
         "-A", "scram-sha-256", "-E", "UTF8", "--locale=C", "--no-sync"],
        capture_output=True, check=True, timeout=120,
    )  # fmt: skip
    options = (
        f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60"
    )
    subprocess.run(
        [*run_as, str(bindir / "pg_ctl"), "-D", str(data), "-l", str(base / "log"), "-w", "-t", "60",
         "-o", options, "start"],
        capture_output=True, check=True, timeout=120,
    )  # fmt: skip
    return Server(bindir, base, port, "khoi", password, run_as)


def create_database(server: Server, name: str) -> str:
    """A fresh database on ``server``; its URL (with the password)."""
    import psycopg

    with psycopg.connect(
        host="127.0.0.1", port=server.port, user=server.user, password=server.password,
        dbname="postgres", autocommit=True,
    ) as conn:  # fmt: skip
        conn.execute(f'CREATE DATABASE "{name}"')
    return server.url(name)
