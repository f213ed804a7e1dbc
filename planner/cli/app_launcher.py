"""``planner app``: start the web app, on 127.0.0.1 unless told otherwise.

Staff names and salaries are personal data. Served on any other address (a team
server), the app requires Streamlit's sign-in (``st.login``, OIDC, configured in the
``[auth]`` section of ``.streamlit/secrets.toml``) and records the signed-in user as the
author of every save; it refuses to start without it unless ``--allow-anonymous``.
"""

from __future__ import annotations

import ipaddress
import os
import signal
import socket
import subprocess
import sys
import time
import tomllib
from pathlib import Path
from typing import Annotated, Any

import typer

from planner.cli.common import EXIT_INPUT, app, err

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "app.py"


def is_local(address: str) -> bool:
    """Whether ``address`` is reachable only from this machine (loopback)."""
    if address.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(address.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name: assume it is reachable from elsewhere


def secrets_files(cwd: Path) -> list[Path]:
    """Where Streamlit reads secrets.toml: the user's, then the app folder's."""
    return [Path.home() / ".streamlit" / "secrets.toml", cwd / ".streamlit" / "secrets.toml"]


def auth_problem(cwd: Path) -> str | None:
    """Why sign-in is not configured (None when it is): an ``[auth]`` section with
    ``redirect_uri``, ``cookie_secret`` and a provider (``client_id`` and
    ``server_metadata_url``, directly or in a named sub-section)."""
    auth: dict[str, Any] = {}
    for path in secrets_files(cwd):
        if path.is_file():
            try:
                auth.update(tomllib.loads(path.read_text(encoding="utf-8")).get("auth", {}))
            except (tomllib.TOMLDecodeError, OSError) as exc:
                return f"{path}: cannot be read ({type(exc).__name__})"
    if not auth:
        return "no [auth] section in .streamlit/secrets.toml"
    missing = [k for k in ("redirect_uri", "cookie_secret") if not auth.get(k)]
    providers = [auth] + [v for v in auth.values() if isinstance(v, dict)]
    if not any(p.get("client_id") and p.get("server_metadata_url") for p in providers):
        missing.append("client_id and server_metadata_url (of a provider)")
    return f"[auth] lacks {', '.join(missing)}" if missing else None


def _check_scheduler(address: str) -> None:
    """Connect once to the Dask scheduler; exit 2 with the reason when it cannot be reached."""
    try:
        from distributed import Client

        with Client(address, timeout="10s", set_as_default=False) as client:
            workers = len(client.scheduler_info().get("workers", {}))
    except Exception as exc:  # noqa: BLE001 - any failure to connect is the user's to fix
        err.print(f"--scheduler {address}: cannot connect: {exc}", markup=False, highlight=False)
        raise typer.Exit(EXIT_INPUT) from None
    if workers == 0:
        err.print(
            f"--scheduler {address}: the cluster has no workers yet; solves wait until one joins",
            markup=False,
            highlight=False,
        )


@app.command("app")
def app_command(
    address: Annotated[
        str, typer.Option(help="Address to serve on; anything but loopback needs sign-in.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8501,
    allow_anonymous: Annotated[
        bool,
        typer.Option(
            "--allow-anonymous",
            help="Serve a non-local address without sign-in (anyone who reaches it sees personal data).",
        ),
    ] = False,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            help="Workspace database (default KHOI_DATABASE_URL or the embedded SQLite file);"
            " put a password in KHOI_DATABASE_URL, not here.",
        ),
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            help="Send the app's solves to this Dask scheduler's workers (tcp://HOST:PORT);"
            " default: a local process pool sized to the machine.",
        ),
    ] = None,
    solves: Annotated[
        int | None,
        typer.Option(
            "--solves",
            min=1,
            help="Solves at once on the local pool (default: one per 4 cores, at least one);"
            " the others wait in a queue.",
        ),
    ] = None,
) -> None:
    """Start the web app (Streamlit). Example: planner app --address 0.0.0.0 --port 8501"""
    env = dict(os.environ)
    env.setdefault("STREAMLIT_BROWSER_GATHER_USAGE_STATS", "false")
    if db:
        from planner.cli.common import open_db

        open_db(db).close()  # a bad URL is reported now (masked), not in the browser
        env["KHOI_DATABASE_URL"] = db
    if scheduler:
        _check_scheduler(scheduler)  # an unreachable cluster is reported now, not on Solve
        env["KHOI_SCHEDULER"] = scheduler
    if solves:
        env["KHOI_SOLVES"] = str(solves)
    if not is_local(address):
        problem = auth_problem(Path.cwd())
        if problem is None:
            env["KHOI_REQUIRE_LOGIN"] = "1"
        elif allow_anonymous:
            err.print(
                f"warning: serving {address} without sign-in ({problem}): anyone who reaches"
                " it sees staff names and salaries",
                markup=False,
                highlight=False,
            )
        else:
            err.print(
                f"refusing to serve {address} without sign-in: {problem}. Configure Streamlit's"
                " sign-in (docs/workspace.md), serve 127.0.0.1, or pass --allow-anonymous.",
                markup=False,
                highlight=False,
            )
            raise typer.Exit(EXIT_INPUT)
    command = [
        sys.executable, "-m", "streamlit", "run", str(APP),
        *config_flags(),
        "--server.address", address, "--server.port", str(port), "--server.headless", "true",
    ]  # fmt: skip
    if not is_local(address):  # the URL Streamlit prints (.streamlit/config.toml says 127.0.0.1)
        command += ["--browser.serverAddress", browser_address(address)]
    raise typer.Exit(run_streamlit(command, env))


CONFIG = ROOT / ".streamlit" / "config.toml"
SET_HERE = frozenset({"server.address", "server.port", "server.headless", "browser.serverAddress"})
"""Options ``planner app`` sets itself, from its own arguments."""


def config_flags(config: Path = CONFIG) -> list[str]:
    """The project's ``.streamlit/config.toml`` as ``--section.option value`` flags.

    Streamlit reads that file only from the directory it is started in: ``planner app``
    run from anywhere else lost the upload cap, XSRF protection, the telemetry switch,
    the hot-reload switch and ``runner.postScriptGC``. Flags hold wherever it runs."""
    if not config.exists():
        return []
    flags: list[str] = []
    for section, options in tomllib.loads(config.read_text(encoding="utf-8")).items():
        for option, value in options.items():
            name = f"{section}.{option}"
            if name in SET_HERE:
                continue
            text = str(value).lower() if isinstance(value, bool) else str(value)
            flags += [f"--{name}", text]
    return flags


def browser_address(address: str) -> str:
    """Where a browser elsewhere finds a server on ``address``: the address itself, or this
    machine's name for a wildcard (``0.0.0.0``, ``::``: every address of the machine)."""
    wildcard = address.strip("[]") in ("0.0.0.0", "::")  # noqa: S104 - a comparison, not a bind
    return socket.gethostname() if wildcard else address


STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
"""Signals passed on to Streamlit: systemd and container runtimes stop with SIGTERM."""
GRACE = 10.0
"""Seconds Streamlit gets to stop after a signal before it is killed."""


def run_streamlit(command: list[str], env: dict[str, str]) -> int:
    """Run Streamlit as a child until it ends and return its exit code.

    ``planner app`` never ends before its child: a stop signal (``STOP_SIGNALS``) sent
    to it is passed on to Streamlit, which is waited for (killed after ``GRACE``
    seconds). Without this, SIGTERM ended ``planner app`` alone and left Streamlit
    serving the port with no parent.
    """
    proc = subprocess.Popen(command, env=env)
    signalled: list[float] = []

    def forward(signum: int, _frame: object) -> None:
        signalled.append(time.monotonic())
        if proc.poll() is None:
            proc.send_signal(signum)

    previous = {s: signal.signal(s, forward) for s in STOP_SIGNALS}
    try:
        while True:
            try:
                return proc.wait(timeout=0.5)
            except subprocess.TimeoutExpired:
                if signalled and time.monotonic() - signalled[0] > GRACE:
                    proc.kill()
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        if proc.poll() is None:  # an exception above: never leave the server behind
            proc.kill()
            proc.wait()
