"""Session state of the web app: the scenario being edited, solves and kept plans.

Streamlit's ``st.session_state`` is only touched from the script thread. A
solve runs in a ``threading.Thread``; it writes to its own :class:`SolveJob`
(under a lock), and the script thread reads the job on every run and moves a
finished result into the session (:func:`collect`).
"""

from __future__ import annotations

import os
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import streamlit as st

from models import Plan, Scenario, SolveResult

DATA_DIR = Path(os.environ.get("KHOI_DATA_DIR") or Path(__file__).resolve().parents[2] / "data")
"""The embedded scenarios; ``KHOI_DATA_DIR`` points elsewhere (tests, a deployment's own folder)."""
DEFAULT_SCENARIO = "quang_ninh_province"
MAX_KEPT = 12
"""Plans kept for the Compare page, per browser session."""

_SCENARIO_FILES = ("scenario.toml", "scenario.xlsx", "organizations.csv", "organizations.parquet")


# -- scenarios -------------------------------------------------------------------


def embedded_scenarios() -> dict[str, Path]:
    """The scenario folders shipped in ``data/``, the province first."""
    if not DATA_DIR.is_dir():
        return {}
    found = {
        p.name: p
        for p in sorted(DATA_DIR.iterdir())
        if p.is_dir() and any((p / f).is_file() for f in _SCENARIO_FILES)
    }
    if DEFAULT_SCENARIO in found:
        found = {DEFAULT_SCENARIO: found[DEFAULT_SCENARIO], **found}
    return found


def _signature(folder: Path) -> tuple[tuple[str, int, int], ...]:
    return tuple(
        (p.name, p.stat().st_mtime_ns, p.stat().st_size)
        for p in sorted(folder.iterdir())
        if p.is_file()
    )


@st.cache_resource(show_spinner=False, max_entries=32)
def _read_cached(path: str, signature: tuple[tuple[str, int, int], ...]) -> Scenario:
    from planner.io import read_scenario

    return read_scenario(Path(path))


def read_embedded(folder: Path) -> Scenario:
    """Read an embedded scenario (cached until one of its files changes)."""
    return _read_cached(str(folder), _signature(folder))


# -- the session --------------------------------------------------------------


def get(key: str, default: Any = None) -> Any:
    return st.session_state.get(f"khoi.{key}", default)


def put(key: str, value: Any) -> None:
    st.session_state[f"khoi.{key}"] = value


def drop(key: str) -> None:
    st.session_state.pop(f"khoi.{key}", None)


def base() -> Scenario | None:
    """The scenario as it was read (the Reset target)."""
    return get("base")


def scenario() -> Scenario | None:
    """The scenario with the planner's edits (settings, locks)."""
    return get("scenario")


def source() -> dict[str, str]:
    return get("source", {})


def set_source(sc: Scenario, kind: str, name: str) -> None:
    """Make ``sc`` the scenario of the session; earlier results stay for Compare."""
    stop_running()
    put("base", sc)
    put("scenario", sc)
    put("source", {"kind": kind, "name": name})
    drop("result")
    drop("result_scenario")
    drop("load_error")
    bump_editors()


def set_scenario(sc: Scenario) -> None:
    """Replace the working scenario with an edited one."""
    put("scenario", sc)


def reset() -> None:
    b = base()
    if b is not None:
        put("scenario", b)
    bump_editors()


def bump_editors() -> None:
    """Forget the Settings page's widget state so that it shows the working scenario again."""
    put("editors", get("editors", 0) + 1)
    for key in [k for k in st.session_state if str(k).startswith("set.")]:
        del st.session_state[key]


def init() -> None:
    """On a first visit, open the embedded province scenario."""
    if get("source") is not None or get("load_error") is not None:
        return
    found = embedded_scenarios()
    if not found:
        return
    name = next(iter(found))
    try:
        set_source(read_embedded(found[name]), "embedded", name)
    except Exception as exc:  # noqa: BLE001 - shown on the Scenario page
        put("load_error", _problem_lines(exc))


def _problem_lines(exc: Exception) -> list[str]:
    lines = getattr(exc, "lines", None)
    if callable(lines):
        return list(lines())
    problems = getattr(exc, "problems", None)
    if problems:
        return [
            p
            if isinstance(p, str)
            else f"{p.table}:{'' if p.index is None else p.index + 2}:{p.column}: {p.message}"
            for p in problems
        ]
    return [f"{type(exc).__name__}: {exc}"]


problem_lines = _problem_lines


# -- solving --------------------------------------------------------------------


@dataclass
class SolveJob:
    """One solve running in a background thread."""

    scenario: Scenario
    label: str
    time_limit: float | None = None
    hint: Plan | None = None
    previous: tuple[Scenario, SolveResult] | None = None
    """The last proven solve: its optimum is reused when the change only narrows."""
    stop: threading.Event = field(default_factory=threading.Event)
    progress: list[tuple[float, float, float]] = field(default_factory=list)
    result: SolveResult | None = None
    error: str | None = None
    trace: str | None = None
    started: float = field(default_factory=time.monotonic)
    finished: float | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _thread: threading.Thread | None = field(default=None, repr=False)

    def start(self, solve: Callable[..., SolveResult] | None = None) -> None:
        self._thread = threading.Thread(
            target=self._run, args=(solve,), name="khoi-solve", daemon=True
        )
        self._thread.start()

    def _on_progress(self, seconds: float, objective: float, bound: float) -> None:
        with self._lock:
            self.progress.append((float(seconds), float(objective), float(bound)))

    def _run(self, solve: Callable[..., SolveResult] | None) -> None:
        try:
            if solve is None:
                from planner.search.solve import solve as default

                solve = default
            extra: dict[str, Any] = {} if self.previous is None else {"previous": self.previous}
            result = solve(
                self.scenario,
                time_limit=self.time_limit,
                hint=self.hint,
                on_progress=self._on_progress,
                stop=self.stop,
                **extra,
            )
            with self._lock:
                self.result = result
        except Exception as exc:  # noqa: BLE001 - the page shows it; no personal data in it
            with self._lock:
                self.error = f"{type(exc).__name__}: {exc}"
                self.trace = traceback.format_exc(limit=8)
        finally:
            self.finished = time.monotonic()

    @property
    def done(self) -> bool:
        return self.finished is not None

    @property
    def elapsed(self) -> float:
        return (self.finished or time.monotonic()) - self.started

    def snapshot(self) -> list[tuple[float, float, float]]:
        with self._lock:
            return list(self.progress)

    def join(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)


@dataclass
class Task:
    """A longer computation (a Pareto sweep, the price of the policies) in a background thread.

    ``run(on_step)`` does the work and returns its result; ``on_step(done,
    total, label)`` reports progress. The stop event is offered to ``run`` for
    computations that can end early.
    """

    kind: str
    scenario: Scenario
    work: Callable[..., Any]
    stop: threading.Event = field(default_factory=threading.Event)
    done_steps: int = 0
    total_steps: int = 0
    label: str = ""
    result: Any = None
    error: str | None = None
    started: float = field(default_factory=time.monotonic)
    finished: float | None = None

    def start(self) -> None:
        threading.Thread(target=self._run, name=f"khoi-{self.kind}", daemon=True).start()

    def _step(self, done: int, total: int, label: str) -> None:
        self.done_steps, self.total_steps, self.label = done, total, label

    def _run(self) -> None:
        try:
            self.result = self.work(self._step)
        except Exception as exc:  # noqa: BLE001 - shown on the page
            self.error = f"{type(exc).__name__}: {exc}"
        finally:
            self.finished = time.monotonic()

    @property
    def done(self) -> bool:
        return self.finished is not None

    @property
    def elapsed(self) -> float:
        return (self.finished or time.monotonic()) - self.started


def task(kind: str) -> Task | None:
    return get(f"task.{kind}")


def start_task(kind: str, sc: Scenario, work: Callable[..., Any]) -> Task | None:
    current = task(kind)
    if current is not None and not current.done:
        return None
    t = Task(kind=kind, scenario=sc, work=work)
    put(f"task.{kind}", t)
    t.start()
    return t


def open_result(sc: Scenario, result: SolveResult, label: str) -> None:
    """Show ``result`` (for instance a point of a Pareto curve) as the current plan, and keep it."""
    put("result", result)
    put("result_scenario", sc)
    if result.plan is not None:
        kept = list(get("kept", []))
        if not any(k["result"] is result for k in kept):
            kept.append(
                {
                    "label": label,
                    "scenario": sc,
                    "result": result,
                    "created": datetime.now().strftime("%H:%M:%S"),
                }
            )
            put("kept", kept[-MAX_KEPT:])


def job() -> Any:
    """This session's last solve: a :class:`planner.services.solve_queue.Ticket` (queued, running or done)."""
    return get("job")


def running() -> bool:
    """Whether this session's solve is queued or running (not yet answered)."""
    j = job()
    return j is not None and not j.answered


def short_name(name: str) -> str:
    """A scenario's name as a label begins: ``Quảng Ninh 2018`` of
    ``Quảng Ninh 2018 – cơ quan khối cấp tỉnh (dữ liệu tổng hợp)``."""
    head = name.split(" – ")[0].split(" - ")[0].split(" (")[0].strip()
    return head or name


def run_label(n: int, sc: Scenario) -> str:
    """``Quảng Ninh 2018 · lần giải 3 · min_reduction 0.15``: the scenario, the session's run
    and what differs from the file."""
    from planner.ui.i18n import t
    from planner.ui.relax import changes

    label = f"{short_name(sc.settings.scenario.name)} · {t('run.session', n=n)}"
    b = base()
    diff = changes(b, sc) if b is not None and b is not sc else []
    if not diff:
        return label

    def short(name: str) -> str:
        return name.split(":", 1)[1] if ":" in name else name.split(".", 1)[-1]

    shown = ", ".join(f"{short(c.name)} {c.value}" for c in diff[:3])
    return f"{label} · {shown}" + (" …" if len(diff) > 3 else "")


def collect() -> None:
    """Move an answered solve into the session: the current result, the hint, the kept plans;
    once its run is recorded (a moment later), the run's id or why it was not recorded."""
    j = job()
    if j is None:
        return
    if j.done and get("collected_record") is not j:
        put("collected_record", j)
        if get("collected") is j and get("result") is get("collected_result"):
            put("result", j.result)  # with the run it repeats, known once recorded
        if getattr(j, "record_error", None):
            put("ws.record_error", j.record_error)
        if getattr(j, "run_id", None) is not None:
            put("ws.last_run", j.run_id)
            put("ws.recorded_result", j.result)
    if not j.answered or get("collected") is j:
        return
    put("collected", j)
    if j.result is None:
        if j.error is not None or j.state != "cancelled":
            put("solve_error", j.error or "unknown error")
        return
    drop("solve_error")
    result = j.result
    put("result", result)
    put("collected_result", result)
    put("result_scenario", j.extra.get("asked", j.scenario))
    if result.plan is not None:
        put("last_plan", result.plan)
        kept = list(get("kept", []))
        kept.append(
            {
                "label": j.label,
                "scenario": j.extra.get("asked", j.scenario),
                "result": result,
                "created": datetime.now().strftime("%H:%M:%S"),
            }
        )
        put("kept", kept[-MAX_KEPT:])


def result() -> SolveResult | None:
    return get("result")


def result_scenario() -> Scenario | None:
    return get("result_scenario")


def kept() -> list[dict[str, Any]]:
    return list(get("kept", []))


def stop_running() -> None:
    """Take this session's solve out of the queue, or stop it (its plan so far is recorded)."""
    j = job()
    if j is not None and not j.answered:
        j.cancel()
