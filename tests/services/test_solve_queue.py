"""The server's solve queue (planner/services/solve_queue.py).

The order, the positions, cancelling and "one question at a time" are tested with a
backend whose solves the test finishes by hand; the local process pool and a Dask
cluster of two workers with real solves of the small embedded district.
"""

from __future__ import annotations

import concurrent.futures as cf
import queue
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from models import SolveResult, Status
from planner.io import read_scenario, scenario_sha256
from planner.services.solve_queue import (
    CANCELLED,
    DONE,
    QUEUED,
    RUNNING,
    Channel,
    LocalBackend,
    SolveQueue,
    Ticket,
    local_sizing,
    question,
)

ROOT = Path(__file__).resolve().parents[2]
DISTRICT = ROOT / "data" / "quang_ninh_district"
needs_district = pytest.mark.skipif(
    not (DISTRICT / "scenario.toml").is_file(), reason="data/quang_ninh_district is not there"
)


class ByHand:
    """A backend whose solves end when the test says so (``finish``)."""

    name = "by-hand"

    def __init__(self, slots: int = 1) -> None:
        self.slots, self.workers = slots, 3
        self.started: list[dict[str, Any]] = []
        self.futures: list[cf.Future[Any]] = []
        self.channels: list[Channel] = []
        self.closed = False

    def channel(self) -> Channel:
        return Channel(progress=queue.Queue(), stop=threading.Event())

    def submit(self, payload: dict[str, Any], channel: Channel) -> cf.Future[Any]:
        future: cf.Future[Any] = cf.Future()
        self.started.append(payload)
        self.futures.append(future)
        self.channels.append(channel)
        return future

    def finish(self, i: int, result: SolveResult) -> None:
        self.futures[i].set_result({"result": result, "ran_on": {"backend": self.name}})

    def close(self) -> None:
        self.closed = True


def _until(condition, timeout: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the queue did not get there in time"
        time.sleep(0.02)


TIMEOUT_RESULT = SolveResult(status=Status.TIMEOUT, runtime=1.0)


def test_sizing_never_oversubscribes_and_keeps_the_portfolio_on_small_machines() -> None:
    assert local_sizing(2) == (1, 8)  # one solve, CP-SAT's eight-worker portfolio
    assert local_sizing(4) == (1, 8)
    assert local_sizing(16) == (4, 4)  # 4 solves x 4 workers = 16 cores
    assert local_sizing(2, slots=2) == (2, 1)
    assert local_sizing(1, slots=3) == (3, 1)


def test_tickets_wait_in_order_with_their_position_and_a_queued_one_can_be_cancelled() -> None:
    backend = ByHand(slots=1)
    q = SolveQueue(backend)
    try:
        sc = read_scenario(ROOT / "tests" / "fixtures" / "tiny")
        first = q.submit(sc, time_limit=5, owner="a")
        second = q.submit(sc, time_limit=6, owner="b")  # another question (time limit)
        third = q.submit(sc, time_limit=7, owner="a")
        _until(lambda: first.state == RUNNING)
        assert (q.position(first), q.position(second), q.position(third)) == (0, 1, 2)
        assert backend.started[0]["workers"] == 3  # the backend's size, not the scenario's

        q.cancel(second)
        assert second.state == CANCELLED and second.done
        assert q.position(third) == 1
        backend.channels[0].report(0.5, 120.0, 100.0)
        _until(lambda: first.snapshot() == [(0.5, 120.0, 100.0)])

        backend.finish(0, TIMEOUT_RESULT)
        _until(lambda: third.state == RUNNING)
        assert first.join(10) and first.state == DONE and first.result is not None
        assert first.result.status is Status.TIMEOUT
        assert first.result.stats["ran_on"] == {"backend": "by-hand"}  # where it ran, kept
        assert len(backend.started) == 2  # the cancelled ticket never reached the backend
        assert backend.started[1]["time_limit"] == 7.0
        assert [t.id for t in q.tickets(owner="a")] == [first.id, third.id]

        q.cancel(third)  # running: the Stop reaches the solve through the channel
        _until(lambda: backend.channels[1].stop.is_set())
        backend.finish(1, TIMEOUT_RESULT)
        assert third.join(10) and third.state == DONE
    finally:
        q.close()
    assert backend.closed


class Workspace:
    """The recorder and the lookup of a workspace, in memory: runs by id, proven ones found
    by their optimum key (any time limit), as ``planner.workspace.runs`` finds them."""

    def __init__(self) -> None:
        self.runs: dict[int, tuple[Ticket, SolveResult]] = {}

    def record(self, ticket: Ticket) -> int:
        assert ticket.result is not None
        self.runs[100 + ticket.id] = (ticket, ticket.result)
        return 100 + ticket.id

    def lookup(self, ticket: Ticket) -> tuple[int, SolveResult] | None:
        proven = [
            run_id
            for run_id, (t, r) in self.runs.items()
            if t.optimum == ticket.optimum and r.status is Status.OPTIMAL
        ]
        return (max(proven), self.runs[max(proven)][1]) if proven else None


def test_one_question_is_not_asked_twice_at_once_and_the_second_gets_the_first_plan() -> None:
    """Two slots, the same settings twice and once more under another time limit: the second
    and the third wait for the first and are then answered by its proven plan, without a
    solve; a question asked later is answered from the workspace. Another question runs at
    once on the other slot."""
    from planner.search.solve import solve

    backend = ByHand(slots=2)
    workspace = Workspace()
    q = SolveQueue(backend, record=workspace.record, lookup=workspace.lookup)
    try:
        sc = read_scenario(ROOT / "tests" / "fixtures" / "tiny")
        first = q.submit(sc, time_limit=20)
        second = q.submit(sc, time_limit=20)
        longer = q.submit(sc, time_limit=21)  # another time limit: the same optimum
        harder = sc.with_settings(sc.settings.with_overrides({"targets.min_reduction": 0.2}))
        other = q.submit(harder, time_limit=20)  # another question
        assert first.key == second.key != longer.key
        assert first.key == scenario_sha256(question(sc, 20))
        assert first.optimum == second.optimum == longer.optimum != other.optimum
        _until(lambda: len(backend.started) == 2)  # the first and the other question
        assert backend.started[1]["scenario"] is other.scenario
        assert (q.position(second), q.position(longer)) == (1, 2)
        solved = solve(first.scenario, workers=2)
        assert solved.status is Status.OPTIMAL
        backend.finish(0, solved)
        assert second.join(30) and longer.join(30) and first.run_id == 100 + first.id
        assert len(backend.started) == 2  # answered without the backend
        for shared in (second, longer):
            assert shared.reused_run == first.run_id
            assert shared.result is not None and shared.result.plan == solved.plan
            assert shared.result.status is Status.OPTIMAL
            assert shared.ran_on == {"backend": "shared", "ticket": first.id, "run": first.run_id}
            assert shared.result.stats["same_as_run"] == first.run_id
        backend.finish(1, TIMEOUT_RESULT)
        assert other.join(10)

        later = q.submit(sc, time_limit=45)  # asked after the answer: the workspace's
        assert later.join(30) and len(backend.started) == 2
        assert later.ran_on == {"backend": "workspace", "run": longer.run_id}  # the newest
        assert later.result is not None and later.result.plan == solved.plan
        assert later.result.status is Status.OPTIMAL
    finally:
        q.close()


def test_an_unproven_answer_is_not_shared_with_another_time_limit() -> None:
    """A plan not proven optimal answers only the very same question: asked with a longer
    time limit meanwhile, the question is solved again (the longer search may prove more)."""
    from planner.search.solve import solve

    backend = ByHand(slots=2)
    q = SolveQueue(backend)
    try:
        sc = read_scenario(ROOT / "tests" / "fixtures" / "tiny")
        first, longer = q.submit(sc, time_limit=20), q.submit(sc, time_limit=40)
        _until(lambda: len(backend.started) == 1)
        assert longer.state == QUEUED  # the same optimum: it waits for the first answer
        found = solve(first.scenario, workers=2)
        unproven = found.model_copy(update={"status": Status.FEASIBLE})
        backend.finish(0, unproven)
        _until(lambda: len(backend.started) == 2)
        assert backend.started[1]["time_limit"] == 40.0
        backend.finish(1, TIMEOUT_RESULT)
        assert longer.join(10) and longer.ran_on == {"backend": "by-hand"}
    finally:
        q.close()


def test_an_unproven_answer_is_shared_with_who_asked_meanwhile_but_not_kept_for_later() -> None:
    from planner.search.solve import solve

    backend = ByHand(slots=1)
    q = SolveQueue(backend)
    try:
        sc = read_scenario(ROOT / "tests" / "fixtures" / "tiny")
        first, second = q.submit(sc, time_limit=20), q.submit(sc, time_limit=20)
        _until(lambda: len(backend.started) == 1)
        found = solve(first.scenario, workers=2)
        unproven = found.model_copy(update={"status": Status.FEASIBLE, "bound": None})
        backend.finish(0, unproven)
        assert second.join(10) and second.result is not None
        assert second.result.plan == unproven.plan and second.result.status is Status.FEASIBLE
        later = q.submit(sc, time_limit=20)
        _until(lambda: len(backend.started) == 2)  # asked afterwards: solved again
        backend.finish(1, TIMEOUT_RESULT)
        assert later.join(10)
    finally:
        q.close()


def test_a_ticket_nobody_waits_for_is_still_recorded() -> None:
    """The tab that asked is gone: the queue records the run all the same."""
    backend = ByHand()
    seen: list[int] = []
    q = SolveQueue(backend, record=lambda t: seen.append(t.id) or 7)
    try:
        ticket = q.submit(read_scenario(ROOT / "tests" / "fixtures" / "tiny"), owner="gone")
        _until(lambda: len(backend.started) == 1)
        del ticket  # nobody holds it any more
        backend.finish(0, TIMEOUT_RESULT)
        _until(lambda: q.tickets()[0].done)
        assert seen == [1] and q.tickets()[0].run_id == 7
    finally:
        q.close()


def test_a_slot_starts_the_next_solve_while_the_last_run_is_recorded() -> None:
    """Recording a run takes its time (a plan folder written and checked): the answer is
    final at once (``answered``, a page shows it), the slot starts the next ticket, and
    ``done`` waits for the record; runs are recorded in the order they were answered."""
    backend = ByHand(slots=1)
    release = threading.Event()
    order: list[int] = []

    def slow(ticket: Ticket) -> int:
        assert release.wait(10)
        order.append(ticket.id)
        return 100 + ticket.id

    q = SolveQueue(backend, record=slow)
    try:
        sc = read_scenario(ROOT / "tests" / "fixtures" / "tiny")
        harder = sc.with_settings(sc.settings.with_overrides({"targets.min_reduction": 0.2}))
        first, second = q.submit(sc, time_limit=5), q.submit(harder, time_limit=5)
        _until(lambda: len(backend.started) == 1)
        backend.finish(0, TIMEOUT_RESULT)
        _until(lambda: len(backend.started) == 2)  # the next solve, before the record
        assert first.answered and not first.done and first.result is not None
        assert first.result.stats["ran_on"] == {"backend": "by-hand"}  # stamped when answered
        backend.finish(1, TIMEOUT_RESULT)
        _until(lambda: second.answered)
        assert not second.done and order == []
        release.set()
        assert first.join(10) and second.join(10)
        assert order == [first.id, second.id] and first.run_id == 100 + first.id
    finally:
        release.set()
        q.close()


def test_a_failing_recorder_is_reported_on_the_ticket_and_the_queue_goes_on() -> None:
    backend = ByHand()

    def broken(ticket: Ticket) -> int:
        raise OSError("disk full")

    q = SolveQueue(backend, record=broken)
    try:
        sc = read_scenario(ROOT / "tests" / "fixtures" / "tiny")
        a, b = q.submit(sc, time_limit=5), q.submit(sc, time_limit=6)
        _until(lambda: len(backend.started) == 1)
        backend.finish(0, TIMEOUT_RESULT)
        _until(lambda: len(backend.started) == 2)
        assert a.join(10) and a.record_error == "OSError: disk full"
        assert a.result is not None and a.result.status is Status.TIMEOUT
        backend.finish(1, TIMEOUT_RESULT)
        assert b.join(10)
    finally:
        q.close()


@needs_district
def test_the_local_pool_solves_in_a_lower_priority_process_and_reports_progress() -> None:
    import os

    sc = read_scenario(DISTRICT)
    q = SolveQueue(LocalBackend(slots=1, cores=2))
    try:
        ticket = q.submit(sc, time_limit=30)
        assert ticket.join(120)
        assert ticket.result is not None and ticket.result.status is Status.OPTIMAL
        assert ticket.ran_on["backend"] == "local" and ticket.ran_on["pid"] != os.getpid()
        assert ticket.ran_on["workers"] == 2
        assert ticket.snapshot(), "no progress came back from the solver process"
        assert ticket.snapshot()[-1][1] == ticket.result.objective
    finally:
        q.close()


@needs_district
def test_a_dask_cluster_of_two_workers_runs_the_solves() -> None:
    distributed = pytest.importorskip("distributed")
    from planner.services.solve_queue import DaskBackend

    sc = read_scenario(DISTRICT)
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
        dashboard_address=None,
    ) as cluster:  # fmt: skip
        q = SolveQueue(DaskBackend(cluster.scheduler_address))
        try:
            assert q.backend.slots == 2
            weight = sc.settings.objective.imbalance
            questions = [  # two questions (another time limit alone would share one answer)
                sc.with_settings(sc.settings.with_overrides({"objective.imbalance": weight + i}))
                for i in range(2)
            ]
            tickets = [q.submit(x, time_limit=30) for x in questions]
            for ticket in tickets:
                assert ticket.join(180)
                assert ticket.result is not None and ticket.result.status is Status.OPTIMAL
            workers = {t.ran_on.get("worker") for t in tickets}
            assert workers <= set(cluster.scheduler_info["workers"]) and None not in workers
            assert all(t.ran_on["backend"] == "dask" for t in tickets)
            assert all(t.snapshot() for t in tickets)
        finally:
            q.close()


def _whereabouts() -> tuple[int, int]:
    import os

    return os.getpid(), os.nice(0)


def test_the_clerk_works_in_a_process_of_its_own_at_a_lower_priority() -> None:
    """Recording runs (writing, checking, reading plans back) is CPU work in Python: the
    clerk does it outside the web server's process, yielding the CPU to the pages."""
    import os

    from planner.services.solve_queue import NICE, Clerk

    clerk = Clerk(warm=None)
    try:
        pid, nice = clerk.call(_whereabouts)
        assert pid != os.getpid()
        assert nice >= min(19, os.nice(0) + NICE)
        with pytest.raises(ZeroDivisionError):
            clerk.call(divmod, 1, 0)  # its exception comes back to the caller
    finally:
        clerk.close()
