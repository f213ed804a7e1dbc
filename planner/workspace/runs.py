"""Solve runs in and out of the workspace, as the app's solve queue needs them.

:func:`record_run` saves a finished solve (its plan folder written, checked, read back
and checked again: :meth:`Store.save_run`); :func:`proven_answer` finds a run proven
optimal for the same question under any time limit and checks its plan under the new
settings. Both are top-level functions of plain arguments: the queue runs them in a
process of its own (``planner.services.solve_queue.Clerk``), where each workspace is opened once
(:func:`store_at`) — not in the web server, whose pages they would hold up.
"""

from __future__ import annotations

import logging
import threading

from models import Plan, Scenario, SolveResult, Status, Summary
from planner.io import optimum_sha256
from planner.workspace import open_store
from planner.workspace.store import Store

log = logging.getLogger(__name__)

_stores: dict[str, Store] = {}
_lock = threading.Lock()


def store_at(url: str) -> Store:
    """The store at ``url``, opened once per process."""
    with _lock:
        if url not in _stores:
            _stores[url] = open_store(url)
        return _stores[url]


def warm() -> None:
    """Import what recording needs (the solver's summary, the writer and its exports) in a
    fresh process, before its first run."""
    import planner.search.solve  # noqa: F401
    import planner.services.writer  # noqa: F401


def run_result(plan: Plan | None, summary: Summary) -> SolveResult:
    """A stored run as a result (its plan was checked on the way out of the store)."""
    return SolveResult(
        status=Status(summary.status),
        objective=summary.objective,
        bound=summary.bound,
        gap=summary.gap,
        runtime=summary.runtime_s,
        terms=dict(summary.terms),
        kpis=summary.kpis,
        plan=plan,
        conflicts=list(summary.conflicts),
        stats=dict(summary.stats),
    )


def record_run(
    url: str,
    scenario: Scenario,
    result: SolveResult,
    *,
    author: str,
    note: str = "",
    parent: int | None = None,
) -> int:
    """Save ``result``, the solve of ``scenario``, as a run of the workspace at ``url``; its id."""
    from planner.io import scenario_sha256
    from planner.search.solve import to_summary

    summary = to_summary(result, scenario, scenario_sha256(scenario))
    item = store_at(url).save_run(
        scenario, result, summary, name=None, author=author, note=note, parent=parent
    )
    return int(item.id)


def proven_answer(url: str, scenario: Scenario) -> tuple[int, SolveResult] | None:
    """The newest run of the workspace at ``url`` proven optimal for ``scenario``'s question
    (its very settings, or the same ones under another time limit): its id and its plan as
    the optimum of ``scenario``, checked again under it (``planner.search.reuse``); else None."""
    from planner.io import scenario_sha256
    from planner.search.reuse import reuse_optimum

    store = store_at(url)
    item = store.proven_run(scenario_sha256(scenario), optimum_sha256(scenario))
    if item is None:
        return None
    plan, summary, solved = store.plan_of(item)
    reused = reuse_optimum(scenario, (solved, run_result(plan, summary)))
    if reused is None:  # e.g. a deterministic solve: its own settings only
        log.info("workspace: run #%d is not reused for another question", item.id)
        return None
    return int(item.id), reused
