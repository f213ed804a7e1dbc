"""The app's side of the solve queue (``planner.services.solve_queue``): one queue per server.

Every browser session's Solve goes through the same :class:`~planner.services.solve_queue.SolveQueue`
(``st.cache_resource``). Its backend is a local process pool sized to the machine, or
the Dask cluster named by ``KHOI_SCHEDULER`` (``planner app --scheduler ADDRESS``);
``KHOI_SOLVES`` forces the number of solves at once on a local pool.

The queue records every finished solve in the workspace itself (:func:`record`), with
the author and the variant of the session that asked, so a run survives its tab, and
answers a question asked before from the workspace (:func:`lookup`). Both run in the
queue's :class:`~planner.services.solve_queue.Clerk`, a process of their own: writing, checking and
reading plans back never holds the threads that serve the pages.
"""

from __future__ import annotations

import functools
import logging
import os
import threading
from typing import Any

import streamlit as st

from models import Plan, Scenario, SolveResult, Status
from planner.services.solve_queue import Clerk, DaskBackend, LocalBackend, SolveQueue, Ticket

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
    from planner.workspace.runs import warm

    clerk = Clerk(warm=warm)
    q = SolveQueue(
        backend, record=functools.partial(record, clerk), lookup=functools.partial(lookup, clerk)
    )
    # Before concurrent.futures' own exit hook (these run in reverse order): a solve still
    # running when the server stops is stopped, not waited for.
    register = getattr(threading, "_register_atexit", None)
    if register is not None:
        register(clerk.close)
        register(q.close)
    return q


def record(clerk: Clerk, ticket: Ticket) -> int | None:
    """Save a finished ticket as a run in the workspace it was asked from; the run's id.

    ``KHOI_RECORD_RUNS=0`` (set when the ticket was queued) records nothing. The run's
    ``summary.json`` says where the solve ran (``stats.ran_on``) and how long it waited.
    """
    url = ticket.extra.get("store_url")
    if not url or ticket.result is None:
        return None
    from planner.workspace.runs import record_run

    run_id: int = clerk.call(
        record_run, url, ticket.scenario, ticket.result,
        author=ticket.author, note=ticket.label, parent=ticket.parent,
    )  # fmt: skip
    return run_id


def lookup(clerk: Clerk, ticket: Ticket) -> tuple[int, SolveResult] | None:
    """The newest run of the ticket's workspace proven optimal for its question (under any
    time limit), with its plan checked under the ticket's settings; None without one."""
    url = ticket.extra.get("store_url")
    if not url:
        return None
    from planner.workspace.runs import proven_answer

    found: tuple[int, SolveResult] | None = clerk.call(proven_answer, url, ticket.scenario)
    return found


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
