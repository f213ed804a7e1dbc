"""``planner app``: loopback by default; a non-local address needs sign-in (or --allow-anonymous);
on such a server the app shows nothing before sign-in."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from streamlit.testing.v1 import AppTest
from typer.testing import CliRunner

from planner.cli import app_launcher as cli_app
from planner.cli.commands import app
from tests import servers

ROOT = Path(__file__).resolve().parents[2]
AUTH = """[auth]
redirect_uri = "https://khoi.example.org/oauth2callback"
cookie_secret = "not-a-real-secret"
client_id = "khoi"
client_secret = "also-not-real"
server_metadata_url = "https://id.example.org/.well-known/openid-configuration"
"""


@pytest.fixture
def launched(monkeypatch, tmp_path):
    """Run ``planner app`` in ``tmp_path`` (HOME too) with Streamlit replaced by a recorder."""
    calls: list[tuple[list[str], dict[str, str]]] = []
    monkeypatch.setattr(cli_app, "run_streamlit", lambda cmd, env: calls.append((cmd, env)) or 0)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("KHOI_REQUIRE_LOGIN", raising=False)

    def run(*args: str):  # type: ignore[no-untyped-def]
        result = CliRunner().invoke(app, ["app", *args])
        return result, calls

    return run


def test_loopback_by_default(launched) -> None:
    result, calls = launched()
    assert result.exit_code == 0
    ((cmd, env),) = calls
    assert cmd[cmd.index("--server.address") + 1] == "127.0.0.1"
    assert "KHOI_REQUIRE_LOGIN" not in env


def test_a_non_local_address_without_sign_in_is_refused(launched) -> None:
    result, calls = launched("--address", "0.0.0.0")
    assert result.exit_code == 2 and not calls
    assert "refusing" in result.output and "--allow-anonymous" in result.output


def test_allow_anonymous_starts_with_a_warning(launched) -> None:
    result, calls = launched("--address", "0.0.0.0", "--allow-anonymous")
    assert result.exit_code == 0 and len(calls) == 1 and "warning" in result.output
    assert "KHOI_REQUIRE_LOGIN" not in calls[0][1]


def test_the_printed_url_is_the_served_address(launched) -> None:
    # .streamlit/config.toml names 127.0.0.1 for browsers: served elsewhere, Streamlit
    # printed that URL all the same.
    (_, [(cmd, _)]) = launched("--address", "0.0.0.0", "--allow-anonymous")
    assert cmd[cmd.index("--browser.serverAddress") + 1] == socket.gethostname()
    (_, [_, (cmd, _)]) = launched("--address", "192.0.2.10", "--allow-anonymous")
    assert cmd[cmd.index("--browser.serverAddress") + 1] == "192.0.2.10"
    (_, [_, _, (cmd, _)]) = launched()
    assert "--browser.serverAddress" not in cmd  # loopback: the config's 127.0.0.1 is right


def test_with_sign_in_configured_the_app_requires_it(launched, tmp_path) -> None:
    (tmp_path / ".streamlit").mkdir()
    (tmp_path / ".streamlit" / "secrets.toml").write_text(AUTH)
    result, calls = launched("--address", "192.0.2.10")
    assert result.exit_code == 0
    assert calls[0][1]["KHOI_REQUIRE_LOGIN"] == "1"


def test_incomplete_auth_section_is_named(tmp_path) -> None:
    (tmp_path / ".streamlit").mkdir()
    (tmp_path / ".streamlit" / "secrets.toml").write_text('[auth]\nredirect_uri = "x"\n')
    problem = cli_app.auth_problem(tmp_path)
    assert problem is not None and "cookie_secret" in problem and "client_id" in problem


@pytest.mark.parametrize(
    ("address", "local"),
    [
        ("127.0.0.1", True),
        ("::1", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("10.0.0.5", False),
        ("khoi.example.org", False),
    ],
)
def test_is_local(address: str, local: bool) -> None:
    assert cli_app.is_local(address) is local


def test_a_team_server_shows_nothing_before_sign_in(monkeypatch) -> None:
    monkeypatch.setenv("KHOI_REQUIRE_LOGIN", "1")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.secrets["auth"] = {
        "redirect_uri": "https://khoi.example.org/oauth2callback",
        "cookie_secret": "x",
        "client_id": "khoi",
        "client_secret": "y",
        "server_metadata_url": "https://id.example.org/.well-known/openid-configuration",
    }
    at.run()
    assert not at.exception
    assert [b.label for b in at.button] == ["Đăng nhập"]
    assert not at.dataframe and not at.metric  # no staff, no figures
    assert "khoi.scenario" not in at.session_state


def test_a_team_server_without_auth_says_so(monkeypatch) -> None:
    monkeypatch.setenv("KHOI_REQUIRE_LOGIN", "1")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    assert not at.exception and at.error and "[auth]" in at.error[0].value


def test_planner_app_help_runs() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "planner", "app", "--help"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert run.returncode == 0 and "--allow-anonymous" in run.stdout


def test_sigterm_stops_planner_app_and_its_streamlit(tmp_path: Path) -> None:
    """systemd or a container runtime stops ``planner app`` with SIGTERM to its pid: the
    Streamlit child must stop too, not keep serving the port with no parent."""
    port = servers.free_port()
    env = {**os.environ, "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"}
    proc = servers.start(["planner", "app", "--port", str(port)], env, tmp_path / "app.log")
    try:
        deadline = time.monotonic() + 60
        while not servers.healthy(port):
            assert proc.poll() is None and time.monotonic() < deadline, (
                tmp_path / "app.log"
            ).read_text(errors="replace")[-2000:]
            time.sleep(0.3)
        children = psutil.Process(proc.pid).children(recursive=True)
        assert children, "planner app serves through a Streamlit child"
        os.kill(proc.pid, signal.SIGTERM)  # the parent alone, as `docker stop` does
        assert proc.wait(15) == 0
        _, alive = psutil.wait_procs(children, timeout=5)
        assert alive == []
        with socket.socket() as s:
            assert s.connect_ex(("127.0.0.1", port)) != 0  # the port is closed
    finally:
        servers.stop(proc)


def test_solves_at_once_reach_the_app(launched) -> None:
    result, calls = launched("--solves", "2")
    assert result.exit_code == 0
    ((_, env),) = calls
    assert env["KHOI_SOLVES"] == "2" and "KHOI_SCHEDULER" not in env


def test_an_unreachable_scheduler_is_refused_before_the_app_starts(launched) -> None:
    port = servers.free_port()  # nothing listens there
    result, calls = launched("--scheduler", f"tcp://127.0.0.1:{port}")
    assert result.exit_code == 2 and not calls
    assert "--scheduler" in result.output and "cannot connect" in result.output


def test_the_projects_streamlit_settings_hold_wherever_it_starts(launched) -> None:
    """``launched`` runs from a temporary folder, where Streamlit would not find the
    project's .streamlit/config.toml: its settings come as flags instead."""
    (_, [(cmd, _)]) = launched()
    flags = dict(zip(cmd[::1], cmd[1::1], strict=False))
    assert flags["--server.maxUploadSize"] == "20"
    assert flags["--server.enableXsrfProtection"] == "true"
    assert flags["--browser.gatherUsageStats"] == "false"
    assert flags["--runner.postScriptGC"] == "false"
    assert flags["--server.fileWatcherType"] == "none"
    assert cmd.count("--server.address") == 1  # set from --address, not from the file
