"""Interruptions and time limits: a plan folder is complete and checked, or untouched.

``planner solve`` runs as a subprocess on the Quảng Ninh province (186 staff, one
CP-SAT worker, so that a first plan comes within seconds and the optimum does not),
four runs side by side, each stopped its own way:

- ``ctrl-c-after-plan``: the first Ctrl-C once a plan is found stops the search and
  writes that plan: exit 0, a complete folder that ``planner check`` accepts;
- ``sigterm-after-plan``: SIGTERM (what ``kill``, systemd and ``docker stop`` send)
  must do the same, acknowledged at once ("stopping: …") rather than when the search
  ends by itself (two workers here: with one, CP-SAT searches on the main thread and
  Python runs the handler at the next improvement, which hides the problem);
- on a variant with no plan at all (infeasible, slow to prove), once CP-SAT runs:
  ``ctrl-c`` and ``sigkill`` leave the earlier plan folder byte for byte as it was,
  and nothing beside it.

Then a process killed while it writes the folder (it kills itself half-way, so the
moment is certain) leaves the earlier folder intact and at most a hidden
``.plan.new-PID.HOST.*`` folder beside it, which the next write removes; and ``solve`` returns within its time limit + 3 s.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

import planner.search.solve as solve_module
from planner.checking.check import check
from planner.cli.commands import app
from planner.io import read_scenario
from planner.io.plan_io import read_plan
from planner.search.solve import solve, to_summary
from planner.services.writer import write_plan_folder
from tests.fixtures.scenario_files import TINY

ROOT = Path(__file__).resolve().parents[2]
PLANNER = Path(sys.executable).with_name("planner")
PROVINCE = ROOT / "data" / "quang_ninh_province"
PLAN_FILES = {
    "staff.csv", "functions.csv", "departments.csv", "summary.json",
    "plan.xlsx", "structure.svg", "report.html",
}  # fmt: skip
MARGIN_S = 3.0
LIMIT_S = 60  # the runs' --time-limit: far beyond what any of them should take
ACK_S = 5.0  # the CLI acknowledges a stop request ("stopping: …") within this
NO_PLAN = ("--set", "targets.max_leader_share=0.1")  # infeasible, and slow to prove it


class Run:
    """``planner solve PROVINCE --out plan`` in a subprocess, stderr collected as it comes."""

    def __init__(self, cwd: Path, *extra: str, workers: int = 1) -> None:
        args = ["solve", str(PROVINCE), "--out", "plan", "--time-limit", str(LIMIT_S)]
        args += ["--workers", str(workers)]
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "COLUMNS": "200"}
        self.cwd = cwd
        self.proc = subprocess.Popen(
            [str(PLANNER), *args, *extra], cwd=cwd, env=env,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )  # fmt: skip
        self._err = bytearray()
        self._out = bytearray()
        self._readers = [
            threading.Thread(target=self._read, args=(self.proc.stderr, self._err), daemon=True),
            threading.Thread(target=self._read, args=(self.proc.stdout, self._out), daemon=True),
        ]
        for reader in self._readers:
            reader.start()
        self.signalled_at: float | None = None
        self.acknowledged_after: float | None = None  # seconds from the signal to "stopping"
        self.code: int | None = None

    @staticmethod
    def _read(pipe, buffer: bytearray) -> None:  # type: ignore[no-untyped-def]
        while chunk := os.read(pipe.fileno(), 4096):
            buffer += chunk

    @property
    def stderr(self) -> str:
        return self._err.decode("utf-8", "replace")

    @property
    def stdout(self) -> str:
        return self._out.decode("utf-8", "replace")

    def found_a_plan(self) -> bool:
        return "objective" in self.stderr  # the progress line of the first solution

    def solving(self) -> bool:
        """CP-SAT runs (its thread pool is up) and the CLI's SIGTERM handler is set."""
        try:
            threads = len(os.listdir(f"/proc/{self.proc.pid}/task"))
            status = Path(f"/proc/{self.proc.pid}/status").read_text(encoding="ascii")
        except OSError:
            return False
        caught = int(re.search(r"SigCgt:\s*([0-9a-f]+)", status)[1], 16)  # type: ignore[index]
        return threads >= 10 and bool(caught >> (signal.SIGTERM - 1) & 1)

    def send(self, sig: int) -> None:
        if self.signalled_at is None:
            self.signalled_at = time.monotonic()
        self.proc.send_signal(sig)


@dataclass(frozen=True)
class Stop:
    """How one run is stopped: on which condition, with which signals."""

    when: Callable[[Run], bool]
    signals: tuple[int, ...]
    no_plan: bool  # run the infeasible variant
    patience: float = 60.0  # killed when still running this long after its first signal
    ack: bool = False  # killed unless "stopping" is printed within ACK_S of the signal
    workers: int = 1  # with one worker CP-SAT searches on the calling (main) thread


STOPS = {
    "ctrl-c-after-plan": Stop(Run.found_a_plan, (signal.SIGINT,), no_plan=False),
    "sigterm-after-plan": Stop(
        Run.found_a_plan, (signal.SIGTERM,), no_plan=False, ack=True, workers=2
    ),
    "ctrl-c": Stop(Run.solving, (signal.SIGINT,), no_plan=True),
    "sigkill": Stop(Run.solving, (signal.SIGKILL,), no_plan=True),
}


def _tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` by relative path, with its bytes (folders as empty)."""
    return {
        p.relative_to(folder).as_posix(): (p.read_bytes() if p.is_file() else b"")
        for p in sorted(folder.rglob("*"))
    }


def _leftovers(workspace: Path) -> list[str]:
    return sorted(p.name for p in workspace.iterdir() if p.name != "plan")


@pytest.fixture(scope="module")
def earlier_plan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real plan folder (of the tiny scenario) to stand for the earlier plan."""
    scenario = read_scenario(TINY)
    result = solve(scenario, time_limit=10, workers=1)
    folder = tmp_path_factory.mktemp("earlier") / "plan"
    write_plan_folder(scenario, result, to_summary(result, scenario), folder)
    return folder


@pytest.fixture(scope="module")
def stopped(tmp_path_factory: pytest.TempPathFactory, earlier_plan: Path) -> dict[str, Run]:
    """Every run of ``STOPS`` started at once, each stopped when its condition holds."""
    root = tmp_path_factory.mktemp("stops")
    runs = {}
    for name, stop in STOPS.items():
        shutil.copytree(earlier_plan, root / name / "plan")
        runs[name] = Run(root / name, *(NO_PLAN if stop.no_plan else ()), workers=stop.workers)
    pending = {name: list(stop.signals) for name, stop in STOPS.items()}
    deadline = time.monotonic() + 240
    while any(r.code is None for r in runs.values()) and time.monotonic() < deadline:
        for name, run in runs.items():
            if run.code is not None:
                continue
            waited = None if run.signalled_at is None else time.monotonic() - run.signalled_at
            if waited is not None and run.acknowledged_after is None and "stopping" in run.stderr:
                run.acknowledged_after = waited
            if (code := run.proc.poll()) is not None:
                run.code = code
                continue
            if pending[name] and (
                (run.signalled_at is None and STOPS[name].when(run))
                or (run.signalled_at is not None and time.monotonic() - run.signalled_at > 0.3)
            ):
                run.send(pending[name].pop(0))
            elif waited is not None and (
                waited > STOPS[name].patience
                or (STOPS[name].ack and run.acknowledged_after is None and waited > ACK_S)
            ):
                run.proc.kill()  # not stopped (or not acknowledged) in time: give up on it
        time.sleep(0.05)
    for run in runs.values():
        if run.code is None:
            run.proc.kill()
            run.code = run.proc.wait()
        for reader in run._readers:
            reader.join(timeout=10)
    return runs


def test_first_ctrl_c_writes_the_best_plan_found_so_far(stopped: dict[str, Run]) -> None:
    run = stopped["ctrl-c-after-plan"]
    assert run.code == 0, run.stderr
    assert "Traceback" not in run.stdout + run.stderr
    plan = run.cwd / "plan"
    assert {p.name for p in plan.iterdir()} >= PLAN_FILES
    summary = json.loads((plan / "summary.json").read_text(encoding="utf-8"))
    assert summary["status"] in ("feasible", "optimal")
    assert summary["runtime_s"] < LIMIT_S  # it stopped on request, not at the limit
    assert _leftovers(run.cwd) == []
    check = CliRunner().invoke(app, ["check", str(PROVINCE), str(plan)])  # planner check
    assert check.exit_code == 0, check.output


def test_sigterm_is_acknowledged_at_once_and_ends_with_the_plan(stopped: dict[str, Run]) -> None:
    run = stopped["sigterm-after-plan"]
    assert run.acknowledged_after is not None and run.acknowledged_after <= ACK_S, run.stderr
    assert run.code == 0, run.stderr
    assert "Traceback" not in run.stdout + run.stderr
    summary = json.loads((run.cwd / "plan" / "summary.json").read_text(encoding="utf-8"))
    assert summary["status"] in ("feasible", "optimal")
    assert summary["runtime_s"] < LIMIT_S


@pytest.mark.parametrize(
    ("name", "codes"),
    [
        ("ctrl-c", {4, 3}),  # stopped: no plan (3: proven infeasible first)
        ("sigkill", {-signal.SIGKILL}),
    ],
)
def test_stop_before_any_plan_leaves_the_earlier_plan_untouched(
    name: str, codes: set[int], stopped: dict[str, Run], earlier_plan: Path
) -> None:
    run = stopped[name]
    assert run.code in codes, (run.code, run.stderr)
    assert "Traceback" not in run.stdout + run.stderr
    assert _tree(run.cwd / "plan") == _tree(earlier_plan)
    assert _leftovers(run.cwd) == []


@pytest.fixture
def workspace(tmp_path: Path, earlier_plan: Path) -> Path:
    """A folder holding a copy of the earlier plan as ``plan``."""
    shutil.copytree(earlier_plan, tmp_path / "plan")
    return tmp_path


KILL_WHILE_WRITING = r"""
import os, signal, sys
import planner.services.writer as writer
from planner.io import read_scenario
from planner.io.plan_io import read_plan
from planner.search.solve import solve, to_summary

scenario = read_scenario(sys.argv[1])
result = solve(scenario, time_limit=10, workers=1)
write_tables = writer.write_plan_tables

def write_then_die(*args, **kwargs):
    write_tables(*args, **kwargs)  # staff.csv ... summary.json are in the new folder
    os.kill(os.getpid(), signal.SIGKILL)  # before the exports, before the swap

writer.write_plan_tables = write_then_die
writer.write_plan_folder(scenario, result, to_summary(result, scenario), sys.argv[2])
"""


def test_kill_while_writing_leaves_the_earlier_plan_intact(workspace: Path) -> None:
    before = _tree(workspace / "plan")
    proc = subprocess.run(
        [sys.executable, "-c", KILL_WHILE_WRITING, str(TINY), str(workspace / "plan")],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert _tree(workspace / "plan") == before
    leftovers = _leftovers(workspace)
    assert len(leftovers) == 1, leftovers
    assert re.fullmatch(r"\.plan\.new-\d+\.[\w-]+\.\w+", leftovers[0]), leftovers
    half = workspace / leftovers[0]
    assert "summary.json" in {p.name for p in half.iterdir()}  # it really was half-written
    assert not {"report.html", "plan.xlsx"} & {p.name for p in half.iterdir()}

    # The next write of the same plan removes what the killed process left.
    scenario = read_scenario(TINY)
    result = solve(scenario, time_limit=10, workers=1)
    write_plan_folder(scenario, result, to_summary(result, scenario), workspace / "plan")
    assert _leftovers(workspace) == []
    assert check(scenario, read_plan(workspace / "plan")).ok


def test_time_limit_is_honoured() -> None:
    scenario = read_scenario(PROVINCE)
    start = time.perf_counter()
    result = solve(scenario, time_limit=2, workers=1)
    elapsed = time.perf_counter() - start
    assert result.status.value in ("optimal", "feasible", "timeout")
    assert elapsed <= 2 + MARGIN_S, elapsed
    assert result.runtime <= 2 + MARGIN_S


def test_an_infeasible_answer_also_comes_within_the_time_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """What explaining a conflict may take is bounded by what is left of the limit."""
    scenario = read_scenario(TINY)
    scenario = scenario.with_settings(
        scenario.settings.with_overrides({"targets.min_reduction": 1.0})
    )  # S1 and S6 are protected: they cannot all exit
    budgets: list[float] = []
    import planner.search.pipeline as pipeline_module

    explain = pipeline_module.explain_conflicts

    def recording(sc, time_limit, builder=None):  # type: ignore[no-untyped-def]
        budgets.append(time.perf_counter() - start + time_limit)
        return explain(sc, time_limit=time_limit, builder=builder)

    monkeypatch.setattr(pipeline_module, "explain_conflicts", recording)
    # The counting checks (planner.search.precheck) would prove this one without explaining.
    monkeypatch.setattr(solve_module, "precheck", lambda sc: [])
    start = time.perf_counter()
    result = solve(scenario, time_limit=1, workers=1)
    assert result.status.value == "infeasible"
    assert budgets and max(budgets) <= 1 + MARGIN_S, budgets
