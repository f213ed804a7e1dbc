"""The app's side of the solve queue (``planner.services.solve_queue``): one queue per server.

Every browser session's Solve goes through the same :class:`~planner.services.solve_queue.SolveQueue`
(``st.cache_resource``). Its backend is a local process pool sized to the machine, or
the Dask cluster named by ``KHOI_SCHEDULER`` (``planner app --scheduler ADDRESS``);
``KHOI_SOLVES`` forces the number of solves at once on a local pool.

The queue records every finished solve in the workspace itself (:func:`record`), with
the author and the variant of the session that asked, so a run survives its tab, and
answers a question asked before from the workspace (:func:`lookup`).
"""

from __future__ import annotations

import logging
import os
import threading
from typing import Any

import streamlit as st

from models import Plan, Scenario, SolveResult, Status
from planner.services.solve_queue import DaskBackend, LocalBackend, SolveQueue, Ticket

log = logging.getLogger(__name__)

ENV_SCHEDULER = "KHOI_SCHEDULER"
ENV_SOLVES = "KHOI_SOLVES"


def queue() -> SolveQueue:
    """The server's solve queue (created on first use)."""
    return _queue(os.environ.get(ENV_SCHEDULER, ""), os.environ.get(ENV_SOLVES, ""))


@st.cache_resource(show_spinner=False)
def _queue(scheduler: str, solves: str) -> SolveQueue:
    backend: Any = (
        DaskBackend(scheduler)
        if scheduler
        else LocalBackend(slots=int(solves) if solves.strip().isdigit() else None)
    )
    q = SolveQueue(backend, record=record, lookup=lookup)
    # Before concurrent.futures' own exit hook (these run in reverse order): a solve still
    # running when the server stops is stopped, not waited for.
    register = getattr(threading, "_register_atexit", None)
    if register is not None:
        register(q.close)
    return q


_stores: dict[str, Any] = {}
_stores_lock = threading.Lock()


def _store(url: str | None) -> Any | None:
    """The store at ``url``, opened once per server (the queue's threads have no script
    context, so not through ``st.cache_resource``)."""
    if not url:
        return None
    from planner.workspace import open_store

    with _stores_lock:
        if url not in _stores:
            _stores[url] = open_store(url)
        return _stores[url]


def record(ticket: Ticket) -> int | None:
    """Save a finished ticket as a run in the workspace it was asked from; the run's id.

    ``KHOI_RECORD_RUNS=0`` (set when the ticket was queued) records nothing. The run's
    ``summary.json`` says where the solve ran (``stats.ran_on``) and how long it waited.
    """
    s = _store(ticket.extra.get("store_url"))
    if s is None or ticket.result is None:
        return None
    from planner.io import scenario_sha256
    from planner.search.solve import to_summary

    result = ticket.result
    item = s.save_run(
        ticket.scenario,
        result,
        to_summary(result, ticket.scenario, scenario_sha256(ticket.scenario)),
        name=None,
        author=ticket.author,
        note=ticket.label,
        parent=ticket.parent,
    )
    return int(item.id)


def lookup(key: str) -> tuple[int, Scenario, SolveResult] | None:
    """The newest run in the default workspace that answered ``key`` with a proven optimum."""
    from planner.workspace import default_url

    if os.environ.get("KHOI_RECORD_RUNS", "1") == "0":
        return None
    s = _store(default_url())
    if s is None:
        return None
    item = s.proven_run(key)
    if item is None:
        return None
    from planner.ui.saved import result_of

    plan, summary, scenario = s.plan_of(item)
    return item.id, scenario, result_of(plan, summary)


def owner() -> str:
    """Whose tickets a page shows: the signed-in user, else this browser session."""
    from planner.ui import saved

    if saved.signed_in():
        return "user:" + saved.user()
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    return "session:" + (ctx.session_id if ctx is not None else "none")


def submit(
    sc: Scenario,
    *,
    time_limit: float | None,
    label: str,
    hint: Any,
    previous: tuple[Scenario, SolveResult] | None,
    parent: Any = None,
) -> Ticket:
    """Queue a solve for this session; the run will be recorded as the session's user's,
    under ``parent`` (the saved variant it was solved from, if any)."""
    from planner.ui import saved
    from planner.workspace import default_url

    recording = os.environ.get("KHOI_RECORD_RUNS", "1") != "0"
    return queue().submit(
        sc,
        time_limit=time_limit,
        label=label,
        author=saved.user(),
        owner=owner(),
        hint=hint,
        previous=previous,
        parent=parent,
        extra={"store_url": default_url() if recording else None, "asked": sc},
    )


def start_solve(sc: Scenario | None = None, *, time_limit: float | None = None) -> Any:
    """Queue a solve of the working scenario, warm-started from the last plan.

    The solve goes through the server's one queue (this module), which records
    it in the workspace when it ends, whether or not this session is still there.
    """
    from planner.ui.state import get, put, run_label, running, scenario

    sc = sc or scenario()
    if sc is None or running():
        return None
    if time_limit is None:
        time_limit = get("time_limit")  # the Plan page's choice, also for relax and restore
    else:
        put("time_limit", time_limit)
    last = get("last_plan")
    hint = last if isinstance(last, Plan) and _same_people(last, sc) else None
    n = get("runs", 0) + 1
    put("runs", n)
    label = run_label(n, sc)
    last_result, last_scenario = get("result"), get("result_scenario")
    previous = (
        (last_scenario, last_result)
        if isinstance(last_result, SolveResult)
        and last_result.status is Status.OPTIMAL
        and isinstance(last_scenario, Scenario)
        else None
    )
    ticket = submit(
        sc,
        time_limit=time_limit,
        label=label,
        hint=hint,
        previous=previous,
        parent=get("ws.variant"),
    )
    put("job", ticket)
    return ticket


def _same_people(plan: Plan, sc: Scenario) -> bool:
    return {a.staff_id for a in plan.staff} == {s.staff_id for s in sc.staff}
