"""One bounded queue for every solve a server is asked for (the app's Solve button).

A team server used to start a solve, with CP-SAT's eight workers, on every click:
ten planners meant eighty solver threads on two cores, unproven plans after two
minutes and a home page that took as long to answer. Here every request becomes a
:class:`Ticket` in one :class:`SolveQueue` per server:

* at most ``slots`` tickets run at once, each with ``workers`` CP-SAT workers, sized
  so that the cores are not oversubscribed (:func:`local_sizing`, or the Dask
  cluster's threads per host); the others wait in order, with their position shown,
  and can be cancelled;
* solves run outside the server's process: in a local process pool whose processes
  run at a lower CPU priority (``nice``), so pages keep answering, or on the workers
  of a Dask cluster (``planner app --scheduler ADDRESS``). Progress and the Stop
  button cross the process boundary through a :class:`Channel` (a manager's queue
  and event locally, a ``distributed.Queue`` and ``distributed.Event`` on a cluster);
* a question asked again gets the same answer: the ticket's *key* is the SHA-256 of
  the scenario as solved (settings and time limit included), its *optimum key* the
  same without the time limit (``planner.io.optimum_sha256``: an optimum does
  not depend on how long the search may take). Two tickets of one optimum key never
  run at the same time: one asked while the other was being answered gets its answer
  when it is proven optimal, or when the question is the very same (the same plan,
  proven or not); one asked later gets the plan of a run proven optimal in the
  workspace (the lookup checks it again under the new settings), and otherwise a new
  solve;
* a finished ticket is recorded in the workspace by the queue itself, not by the
  browser session that asked: a planner who closed the tab finds the run in the
  workspace history. The slot starts its next solve meanwhile; the app records (and
  looks proven runs up) in a process of its own (:class:`Clerk`), so that writing and
  checking a plan never holds the web server's threads.

Nothing here imports Streamlit; ``planner.ui.state`` holds one queue per server.
Personal data (names, salaries) never goes to the log: tickets are named by id.

This module is long because the queue, its tickets, the task a worker runs and the two
backends (local processes, a Dask cluster) keep one discipline (slots, order,
cancellation, progress, the workspace record) that reads best in one place.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import itertools
import logging
import multiprocessing
import os
import queue
import socket
import threading
import time
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from models import Plan, Scenario, SolveResult, Status

log = logging.getLogger("planner.queue")

QUEUED, RUNNING, RECORDING, DONE, CANCELLED = (
    "queued", "running", "recording", "done", "cancelled"
)  # fmt: skip
"""A ticket's states in order; ``recording``: answered, its run being written."""
NICE = 10
"""CPU priority the local solver processes lower themselves by: a page load (the
server's own threads) goes first, a solve takes whatever the pages leave."""
POLL = 0.2
"""Seconds between looks at a running solve's progress and at its Stop button."""
PORTFOLIO_WORKERS = 8
"""CP-SAT workers of the one solve a two-core machine runs at a time: eight
time-sliced workers proved the province faster than one per core
(``planner.cpsat.runner.parameters``)."""


# -- sizing -----------------------------------------------------------------------------


def local_sizing(cores: int, slots: int | None = None) -> tuple[int, int]:
    """(solves at once, CP-SAT workers per solve) for a machine of ``cores`` cores.

    Up to four cores one solve runs at a time with CP-SAT's portfolio of eight
    workers (on two cores it proves the province faster than two solves of one
    worker each); above that, one solve per four cores, four workers each.
    ``slots`` forces the number of solves at once, the workers then share the cores.
    """
    if slots is not None and slots > 0:
        return slots, max(1, cores // slots)
    if cores <= 4:
        return 1, PORTFOLIO_WORKERS
    return cores // 4, 4


# -- the channel between the server and a solve -------------------------------------------


@dataclass
class Channel:
    """Progress from a solve to the server, and the server's Stop to the solve.

    Both ends are picklable proxies: a ``multiprocessing`` manager's queue and event
    for the local pool, ``distributed.Queue`` and ``distributed.Event`` on a cluster.
    """

    progress: Any
    """Has ``put(point)`` and ``get(timeout=…)``."""
    stop: Any
    """Has ``set()`` and ``is_set()``."""

    def report(self, seconds: float, objective: float, bound: float) -> None:
        with contextlib.suppress(Exception):  # progress is a courtesy; the result is what counts
            self.progress.put((float(seconds), float(objective), float(bound)))

    def drain(self) -> list[tuple[float, float, float]]:
        """Every progress point sent since the last call (never waits long)."""
        out: list[tuple[float, float, float]] = []
        for _ in range(1000):
            try:
                point = self.progress.get(timeout=0.01 if not out else 0.001)
            except Exception:  # noqa: BLE001 - queue.Empty locally, TimeoutError on Dask
                break
            out.append(tuple(point))  # type: ignore[arg-type]
        return out


def solve_task(payload: dict[str, Any], channel: Channel) -> dict[str, Any]:
    """Solve one ticket where it is sent (a local process or a Dask worker).

    A top-level function of plain arguments, so that both executors can pickle it.
    Returns ``{"result": SolveResult, "ran_on": {...}}``; the server checks nothing
    more (the solve's own checker has judged the plan).
    """
    from planner.search.solve import solve

    stop = threading.Event()
    finished = threading.Event()

    def watch() -> None:  # the Stop button, seen from here
        while not finished.wait(POLL):
            try:
                if channel.stop.is_set():
                    stop.set()
                    return
            except Exception:  # noqa: BLE001 - the server went away: finish and return
                return

    watcher = threading.Thread(target=watch, name="khoi-stop-watch", daemon=True)
    watcher.start()
    try:
        result = solve(
            payload["scenario"],
            time_limit=payload["time_limit"],
            workers=payload["workers"],
            hint=payload.get("hint"),
            previous=payload.get("previous"),
            on_progress=channel.report,
            stop=stop,
            draft=True,  # with no plan, the page shows the closest one and what it breaks
        )
    finally:
        finished.set()
    return {"result": result, "ran_on": _where(payload)}


def _where(payload: dict[str, Any]) -> dict[str, Any]:
    """Where a solve ran: the backend, the host, the process and (on Dask) the worker."""
    where: dict[str, Any] = {
        "backend": payload.get("backend", "local"),
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "workers": payload["workers"],
    }
    if where["backend"] == "dask":
        with contextlib.suppress(Exception):
            from distributed import get_worker

            where["worker"] = get_worker().address
    return where


def _lower_priority() -> None:
    """Pool initializer: yield the CPU to the web server; Ctrl-C goes to the server only."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    with contextlib.suppress(OSError):
        os.nice(NICE)


def _warm() -> None:
    """Import the solver in a fresh pool process (OR-Tools takes seconds to load)."""
    import planner.search.solve  # noqa: F401


def _context() -> Any:
    """The processes' start method: ``forkserver`` (a clean, small parent to fork from)."""
    method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
    return multiprocessing.get_context(method)


class Clerk:
    """One process of lower priority (``NICE``) for the queue's bookkeeping.

    Recording a finished solve writes its plan folder (the exports), checks the plan,
    reads it back and checks it again before the database insert: about a third of a
    second of Python for the province, and the `same` phase of the load benchmark
    records eleven at once. Done on the queue's threads, that work held the web
    server's interpreter (one GIL) while new visitors waited for their pages. The
    clerk runs it in a process of its own; the queue's thread only waits for the answer.

    ``call(fn, *args)`` runs a top-level function there and returns what it returns (its
    exception is raised here).
    """

    def __init__(self, warm: Callable[[], None] | None = _warm) -> None:
        self._pool = cf.ProcessPoolExecutor(
            max_workers=1, mp_context=_context(), initializer=_lower_priority
        )
        if warm is not None:  # imports done before the first run to record
            self._pool.submit(warm)

    def call(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        return self._pool.submit(fn, *args, **kwargs).result()

    def close(self) -> None:
        processes = list(getattr(self._pool, "_processes", {}).values())
        self._pool.shutdown(wait=False, cancel_futures=True)
        for proc in processes:
            with contextlib.suppress(Exception):
                proc.terminate()


# -- backends ---------------------------------------------------------------------------


class Backend(Protocol):
    """Where tickets are solved."""

    name: str
    slots: int
    workers: int

    def channel(self) -> Channel: ...
    def submit(self, payload: dict[str, Any], channel: Channel) -> Any:
        """A future of :func:`solve_task`'s answer (``result(timeout=…)``)."""

    def close(self) -> None: ...


class LocalBackend:
    """A process pool on this machine; its processes run at a lower priority (``NICE``)."""

    name = "local"

    def __init__(self, slots: int | None = None, cores: int | None = None) -> None:
        from planner.services.batch import cores as machine_cores

        self.slots, self.workers = local_sizing(cores or machine_cores(), slots)
        context = _context()
        self._manager = context.Manager()
        self._pool = cf.ProcessPoolExecutor(
            max_workers=self.slots, mp_context=context, initializer=_lower_priority
        )
        for _ in range(self.slots):  # start the processes and import the solver now, not on Solve
            self._pool.submit(_warm)

    def channel(self) -> Channel:
        return Channel(progress=self._manager.Queue(), stop=self._manager.Event())

    def submit(self, payload: dict[str, Any], channel: Channel) -> cf.Future[Any]:
        return self._pool.submit(solve_task, payload, channel)

    def close(self) -> None:
        processes = list(getattr(self._pool, "_processes", {}).values())
        self._pool.shutdown(wait=False, cancel_futures=True)
        for proc in processes:  # ours, by handle: a running solve is not waited for
            with contextlib.suppress(Exception):
                proc.terminate()
        with contextlib.suppress(Exception):
            self._manager.shutdown()


class DaskBackend:
    """The workers of a Dask cluster (``planner app --scheduler tcp://HOST:PORT``).

    As many tickets run at once as the cluster has worker threads; each solve gets the
    cores of its host divided by the tasks that host runs (``planner.services.batch``'s rule).
    """

    name = "dask"

    def __init__(self, address: str, timeout: str = "10s") -> None:
        from distributed import Client

        from planner.services.batch import plan_parallelism

        self._client = Client(address, timeout=timeout, set_as_default=False)
        self.slots, self.workers = plan_parallelism(self._client.get_executor(), None, 1_000_000)
        self.address = address

    def channel(self) -> Channel:
        from distributed import Event
        from distributed import Queue as DaskQueue

        name = uuid.uuid4().hex
        return Channel(
            progress=DaskQueue(f"khoi-progress-{name}", client=self._client),
            stop=Event(f"khoi-stop-{name}", client=self._client),
        )

    def submit(self, payload: dict[str, Any], channel: Channel) -> Any:
        """A ``distributed.Future``: ``result(timeout=…)`` as a ``concurrent.futures`` one."""
        return self._client.submit(solve_task, payload, channel, pure=False)

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._client.close()


# -- tickets and the queue ----------------------------------------------------------------


@dataclass
class Ticket:
    """One request to solve, from the moment it is queued until it is recorded."""

    id: int
    scenario: Scenario
    """The scenario as solved: the requested time limit applied, ``workers = 0``."""
    key: str
    """SHA-256 of :attr:`scenario`: the question this ticket asks."""
    optimum: str
    """:func:`planner.io.optimum_sha256` of :attr:`scenario`: the same question
    whatever the time limit (a proven optimum answers it)."""
    label: str
    author: str
    owner: str
    """Who may see it on the Plan page: the browser session (or signed-in user) that asked."""
    hint: Plan | None = None
    previous: tuple[Scenario, SolveResult] | None = None
    parent: int | None = None
    """The workspace variant the session came from (the recorded run's parent)."""
    extra: dict[str, Any] = field(default_factory=dict)
    """What the recorder needs besides (the app: the workspace URL of the asking session)."""
    stop: threading.Event = field(default_factory=threading.Event)
    state: str = QUEUED
    progress: list[tuple[float, float, float]] = field(default_factory=list)
    result: SolveResult | None = None
    error: str | None = None
    ran_on: dict[str, Any] = field(default_factory=dict)
    reused_run: int | None = None
    """The workspace run whose proven plan answered this ticket without a solve."""
    run_id: int | None = None
    """The workspace item this ticket was recorded as."""
    record_error: str | None = None
    submitted: float = field(default_factory=time.monotonic)
    started: float | None = None
    finished: float | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _queue: Any = field(default=None, repr=False)
    """The queue that holds it (``cancel``)."""
    _leader: Ticket | None = field(default=None, repr=False)
    """The ticket whose answer this one shares (its run is recorded first)."""

    def cancel(self) -> None:
        """Take it out of its queue, or stop it while it runs (``SolveQueue.cancel``)."""
        if self._queue is not None:
            self._queue.cancel(self)
        else:
            self.stop.set()

    @property
    def done(self) -> bool:
        """Solved and recorded (or cancelled): nothing more will change."""
        return self.state in (DONE, CANCELLED)

    @property
    def answered(self) -> bool:
        """The result is final (a page may show it); its run may still be being recorded."""
        return self.state in (RECORDING, DONE, CANCELLED)

    @property
    def elapsed(self) -> float:
        """Seconds since the solve started (0 while queued)."""
        if self.started is None:
            return 0.0
        return (self.finished or time.monotonic()) - self.started

    @property
    def waited(self) -> float:
        return (self.started or self.finished or time.monotonic()) - self.submitted

    def snapshot(self) -> list[tuple[float, float, float]]:
        with self._lock:
            return list(self.progress)

    def join(self, timeout: float | None = None) -> bool:
        """Wait until the ticket is done (solved and recorded, or cancelled); whether it is."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self.done:
            if deadline is not None and time.monotonic() > deadline:
                return False
            time.sleep(0.05)
        return True

    def _add(self, points: list[tuple[float, float, float]]) -> None:
        if points:
            with self._lock:
                self.progress.extend(points)


Recorder = Callable[[Ticket], int | None]
"""Saves a finished ticket in the workspace and returns the run's id."""
Lookup = Callable[[Ticket], tuple[int, SolveResult] | None]
"""A run of the workspace proven optimal for a ticket's question (any time limit): its id
and the result for the ticket's own scenario, checked under it; None when there is none."""


class SolveQueue:
    """The server's solves: queued in order, ``backend.slots`` at a time.

    Parameters
    ----------
    backend
        Where solves run (:class:`LocalBackend`, :class:`DaskBackend`).
    record
        Called once per finished ticket (cancelled ones included when they ran) to save
        it in the workspace; ``None`` records nothing. It runs on the queue's recording
        thread, in the order the tickets were answered, while the slot goes on to the
        next ticket.
    lookup
        Finds a proven run of the ticket's question in the workspace; ``None`` finds nothing.
    """

    def __init__(
        self,
        backend: Backend,
        *,
        record: Recorder | None = None,
        lookup: Lookup | None = None,
        keep: int = 200,
    ) -> None:
        self.backend = backend
        self._record = record
        self._lookup = lookup
        self._keep = keep
        self._ids = itertools.count(1)
        self._tickets: list[Ticket] = []
        self._cond = threading.Condition()
        self._closed = False
        self._answered: queue.SimpleQueue[Ticket | None] = queue.SimpleQueue()
        self._threads = [
            threading.Thread(target=self._slot, name=f"khoi-slot-{i}", daemon=True)
            for i in range(backend.slots)
        ]
        self._threads.append(
            threading.Thread(target=self._recorder, name="khoi-record", daemon=True)
        )
        for thread in self._threads:
            thread.start()
        log.info(
            "solve queue: %s backend, %d solve(s) at once, %d CP-SAT workers each",
            backend.name,
            backend.slots,
            backend.workers,
        )

    # -- asking --------------------------------------------------------------------------

    def submit(
        self,
        scenario: Scenario,
        *,
        time_limit: float | None = None,
        label: str = "",
        author: str = "",
        owner: str = "",
        hint: Plan | None = None,
        previous: tuple[Scenario, SolveResult] | None = None,
        parent: int | None = None,
        extra: dict[str, Any] | None = None,
    ) -> Ticket:
        """Queue a solve of ``scenario`` (with ``time_limit`` when given) and return its ticket."""
        from planner.io import optimum_sha256, scenario_sha256

        asked = question(scenario, time_limit)
        key, optimum = scenario_sha256(asked), optimum_sha256(asked)
        with self._cond:
            if self._closed:
                raise RuntimeError("the solve queue is closed")
            ticket = Ticket(
                id=next(self._ids), scenario=asked, key=key, optimum=optimum, label=label,
                author=author, owner=owner, hint=hint, previous=previous, parent=parent,
                extra=dict(extra or {}), _queue=self,
            )  # fmt: skip
            self._tickets.append(ticket)
            self._forget_old()
            self._cond.notify_all()
        log.info("solve queue: ticket %d queued (position %d)", ticket.id, self.position(ticket))
        return ticket

    def cancel(self, ticket: Ticket) -> None:
        """Take a queued ticket out of the queue, or stop a running one (its plan so far is kept)."""
        with self._cond:
            if ticket.state == QUEUED:
                ticket.state = CANCELLED
                ticket.finished = time.monotonic()
                self._cond.notify_all()
                log.info("solve queue: ticket %d cancelled while queued", ticket.id)
                return
        ticket.stop.set()

    def position(self, ticket: Ticket) -> int:
        """1 for the next ticket to start, 2 for the one after …; 0 when not queued."""
        with self._cond:
            if ticket.state != QUEUED:
                return 0
            waiting = [t for t in self._tickets if t.state == QUEUED]
            return waiting.index(ticket) + 1 if ticket in waiting else 0

    def tickets(self, owner: str | None = None) -> list[Ticket]:
        """Every ticket still known, oldest first (optionally only ``owner``'s)."""
        with self._cond:
            return [t for t in self._tickets if owner is None or t.owner == owner]

    def counts(self) -> dict[str, int]:
        with self._cond:
            return {
                s: sum(t.state == s for t in self._tickets)
                for s in (QUEUED, RUNNING, RECORDING, DONE, CANCELLED)
            }

    def wait(self, ticket: Ticket, timeout: float | None = None) -> bool:
        """Wait until ``ticket`` is done (and recorded); whether it is."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            while not ticket.done:
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    return False
                self._cond.wait(left if left is not None else 1.0)
        return True

    def close(self) -> None:
        """Stop every running solve, cancel the queued ones, end the backend."""
        with self._cond:
            self._closed = True
            for t in self._tickets:
                if t.state == QUEUED:
                    t.state, t.finished = CANCELLED, time.monotonic()
                t.stop.set()
            self._cond.notify_all()
        self._answered.put(None)  # the recording thread ends after what it has been given
        self.backend.close()

    # -- running -------------------------------------------------------------------------

    def _forget_old(self) -> None:
        """Keep at most ``keep`` finished tickets (the workspace keeps them all)."""
        finished = [t for t in self._tickets if t.done]
        for t in finished[: max(0, len(finished) - self._keep)]:
            self._tickets.remove(t)

    def _next(self) -> Ticket | None:
        """The oldest queued ticket whose question (any time limit) is not being solved."""
        with self._cond:
            while not self._closed:
                busy = {t.optimum for t in self._tickets if t.state == RUNNING}
                for t in self._tickets:
                    if t.state == QUEUED and t.optimum not in busy:
                        t.state, t.started = RUNNING, time.monotonic()
                        return t
                self._cond.wait(1.0)
        return None

    def _slot(self) -> None:
        while True:
            ticket = self._next()
            if ticket is None:
                return
            try:
                self._run(ticket)
            except Exception as exc:  # noqa: BLE001 - one failing ticket must not end the slot
                ticket.error = f"{type(exc).__name__}: {exc}"
                log.error(
                    "solve queue: ticket %d failed: %s", ticket.id, traceback.format_exc(limit=6)
                )
            finally:
                self._answer(ticket)

    def _answered_meanwhile(self, ticket: Ticket) -> Ticket | None:
        """A ticket answered while ``ticket`` waited: of the same question with a plan, or of
        the same question under another time limit with a proven optimum."""
        with self._cond:
            for other in reversed(self._tickets):
                if (
                    other is ticket
                    or other.state not in (RECORDING, DONE)
                    or other.result is None
                    or other.result.plan is None
                    or (other.finished or 0.0) < ticket.submitted
                ):
                    continue
                if other.key == ticket.key or (
                    other.optimum == ticket.optimum and other.result.status is Status.OPTIMAL
                ):
                    return other._leader or other  # the ticket that found the answer
        return None

    def _run(self, ticket: Ticket) -> None:
        leader = self._answered_meanwhile(ticket)
        if leader is not None and leader.result is not None:
            # Asked while the same question was being answered: the same answer, proven
            # optimal (whatever the time limit), or the very same question (a second search
            # of the same length would differ only by chance).
            ticket.result, ticket._leader = leader.result, leader
            ticket.ran_on = {"backend": "shared", "ticket": leader.id}
            if leader.result.objective is not None:
                bound = leader.result.bound
                ticket._add([(0.0, leader.result.objective, bound or leader.result.objective)])
            log.info("solve queue: ticket %d shares ticket %d's answer", ticket.id, leader.id)
            return
        found = self._lookup(ticket) if self._lookup is not None else None
        if found is not None and found[1].status is Status.OPTIMAL:
            run_id, reused = found
            ticket.result, ticket.reused_run = reused, run_id
            ticket.ran_on = {"backend": "workspace", "run": run_id}
            if reused.objective is not None:
                ticket._add([(0.0, reused.objective, reused.objective)])
            log.info("solve queue: ticket %d answered by run #%d", ticket.id, run_id)
            return
        channel = self.backend.channel()
        payload = {
            "scenario": ticket.scenario,
            "time_limit": ticket.scenario.settings.solver.time_limit,
            "workers": self.backend.workers,
            "hint": ticket.hint,
            "previous": ticket.previous,
            "backend": self.backend.name,
        }
        future = self.backend.submit(payload, channel)
        stopped = False
        while True:
            try:
                out = future.result(timeout=POLL)
                break
            except (cf.TimeoutError, TimeoutError):
                pass
            ticket._add(channel.drain())
            if ticket.stop.is_set() and not stopped:
                stopped = True
                with contextlib.suppress(Exception):
                    channel.stop.set()
        ticket._add(channel.drain())
        ticket.result, ticket.ran_on = out["result"], out["ran_on"]

    def _answer(self, ticket: Ticket) -> None:
        """The slot is free: the ticket, answered, goes to the recording thread (in order)."""
        self._stamp(ticket)
        with self._cond:
            ticket.finished = time.monotonic()
            ticket.state = RECORDING
            self._cond.notify_all()
        self._answered.put(ticket)

    def _stamp(self, ticket: Ticket) -> None:
        """Where the answer came from goes with the result (summary.json's stats): the
        backend, the run a shared answer repeats (once the leader's run is recorded)."""
        leader = ticket._leader
        if leader is not None and ticket.reused_run is None:
            ticket.reused_run = leader.run_id if leader.run_id is not None else leader.reused_run
            ticket.ran_on = {**ticket.ran_on, "run": ticket.reused_run}
        if ticket.result is None:
            return
        stats = {
            **ticket.result.stats,
            "ran_on": ticket.ran_on,
            "queued_s": round(ticket.waited, 3),
        }
        stats.pop("same_as_run", None)  # a shared result carries its leader's
        if ticket.reused_run is not None:
            stats["same_as_run"] = ticket.reused_run
        ticket.result = ticket.result.model_copy(update={"stats": stats})

    def _recorder(self) -> None:
        while True:
            ticket = self._answered.get()
            if ticket is None:
                return
            self._finish(ticket)

    def _finish(self, ticket: Ticket) -> None:
        if ticket._leader is not None and ticket.reused_run is None:
            self._stamp(ticket)  # answered before the leader's run was recorded: now it is
        if ticket.result is not None and self._record is not None and not self._closed:
            try:
                ticket.run_id = self._record(ticket)
            except Exception as exc:  # noqa: BLE001 - the result is shown anyway; the page says why
                ticket.record_error = f"{type(exc).__name__}: {exc}"
                log.warning(
                    "solve queue: ticket %d was not recorded (%s)", ticket.id, type(exc).__name__
                )
        with self._cond:
            ticket.state = DONE
            self._cond.notify_all()
        status = ticket.result.status.value if ticket.result is not None else "error"
        log.info(
            "solve queue: ticket %d %s after %.1f s queued and %.1f s solving",
            ticket.id,
            status,
            ticket.waited,
            ticket.elapsed,
        )


def question(scenario: Scenario, time_limit: float | None) -> Scenario:
    """The scenario as a ticket solves it: ``time_limit`` applied, ``workers`` left to the
    queue (0), so that the same settings are the same question whoever runs them."""
    solver = scenario.settings.solver
    update: dict[str, Any] = {"workers": 0}
    if time_limit is not None:
        update["time_limit"] = float(time_limit)
    if all(getattr(solver, k) == v for k, v in update.items()):
        return scenario
    settings = scenario.settings.model_copy(update={"solver": solver.model_copy(update=update)})
    return scenario.with_settings(settings)
