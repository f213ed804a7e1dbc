"""The one entry point: build -> solve -> extract -> check -> SolveResult."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from importlib.metadata import version

from models import Plan, Scenario, Settings, SolveResult, SolverInfo, Status, Summary
from planner.check import check
from planner.conflicts import describe
from planner.cpsat.builder import BuiltModel, add_plan_hint, build
from planner.cpsat.explain import explain_conflicts
from planner.cpsat.extract import extract_plan
from planner.cpsat.runner import RunOutcome, run

log = logging.getLogger("planner")
ortools_version = version("ortools")

WARM_START_STAFF = 1_000
"""From this many staff, a first plan comes from the restricted model (``cpsat/restrict.py``)."""
WARM_START_SHARE = 0.4
"""Share of the time limit the restricted model may use."""

Progress = Callable[[float, float, float], None]


def solve(
    scenario: Scenario,
    settings: Settings | None = None,
    *,
    time_limit: float | None = None,
    workers: int | None = None,
    seed: int | None = None,
    hint: Plan | None = None,
    on_progress: Progress | None = None,
    stop: threading.Event | None = None,
    explain: bool = True,
    term_bounds: dict[str, int] | None = None,
) -> SolveResult:
    """Solve ``scenario`` (under ``settings`` if given) and return a checked result.

    Infeasible and timeout are statuses, not exceptions. Every plan is checked by
    the independent checker (``planner.check``); a plan that fails it is a bug:
    it is logged loudly and returned with status ``invalid`` and its violations,
    never as a success.

    Parameters
    ----------
    time_limit, workers, seed
        Override ``[solver]`` of the settings.
    hint
        A previous plan to start from (warm start).
    on_progress
        Called as ``on_progress(seconds, objective, bound)`` on every improvement.
    stop
        Set it to stop the search; the best plan found so far is returned.
    explain
        On infeasibility, compute the named conflicts (``planner.cpsat.explain``).
    term_bounds
        ``{term: ε}`` adds ``term ≤ ε`` for §4 terms (the ε-constraints of a Pareto sweep).
    """
    settings = settings or scenario.settings
    overrides = {
        k: v
        for k, v in (("time_limit", time_limit), ("workers", workers), ("seed", seed))
        if v is not None
    }
    if overrides:
        settings = settings.model_copy(
            update={"solver": settings.solver.model_copy(update=overrides)}
        )
    if settings is not scenario.settings:
        scenario = scenario.with_settings(settings)
    limit = settings.solver.time_limit
    start = time.perf_counter()
    first: RunOutcome | None = None  # the restricted model's outcome, when it found a plan
    if (
        hint is None
        and len(scenario.staff) >= WARM_START_STAFF
        and not settings.solver.deterministic
    ):
        # Large scenarios: a first plan from the restricted model (people stay near
        # their work), then the full model starts from it. Exact: the restricted
        # plan satisfies every constraint, and the final bound is the full model's.
        restricted, small = _run_model(
            scenario,
            settings,
            WARM_START_SHARE * limit,
            start,
            term_bounds,
            restricted=True,
            on_progress=on_progress,
            stop=stop,
        )
        if restricted.status in ("optimal", "feasible"):
            first, hint = restricted, extract_plan(small.var, restricted.solution)
        del small  # free the restricted model before the full one is built
    plan: Plan | None = None
    if first is not None and stop is not None and stop.is_set():
        outcome, plan = first, hint
    else:
        outcome, built = _run_model(
            scenario,
            settings,
            limit - (time.perf_counter() - start),
            start,
            term_bounds,
            hint=hint,
            on_progress=on_progress,
            stop=stop,
        )
        if outcome.status in ("optimal", "feasible"):
            plan = extract_plan(built.var, outcome.solution)
        del built
    if first is not None and plan is None and outcome.status in ("timeout", "infeasible"):
        # The full model found nothing in its time: keep the restricted plan, unproven.
        outcome, plan = first, hint
    if outcome is first:
        outcome.status, outcome.bound = "feasible", None
    runtime = time.perf_counter() - start
    stats = {**outcome.stats, "ortools": ortools_version}
    if outcome.status == "infeasible":
        # Explaining takes what is left of the limit (at least 1 s), and nothing after a stop.
        left = max(1.0, limit - (time.perf_counter() - start))
        stopped = stop is not None and stop.is_set()
        conflicts = explain_conflicts(scenario, time_limit=left) if explain and not stopped else []
        return SolveResult(
            status=Status.INFEASIBLE,
            runtime=round(time.perf_counter() - start, 3),
            conflicts=conflicts,
            conflict_details=[describe(name, scenario) for name in conflicts],
            stats=stats,
        )
    if outcome.status == "timeout" or plan is None:
        return SolveResult(status=Status.TIMEOUT, runtime=round(runtime, 3), stats=stats)
    report = check(scenario, plan)
    violations = [str(v) for v in report.violations]
    if report.terms != outcome.values:
        violations.append(f"terms: solver {outcome.values} != checker {report.terms}")
    status = Status(outcome.status)
    if violations:
        log.error(
            "BUG: the plan failed the independent checker (%d violations); not a success",
            len(violations),
        )
        for v in violations:
            log.error("  %s", v)
        status = Status.INVALID
    gap = None
    if outcome.objective is not None and outcome.bound is not None:
        gap = round(abs(outcome.objective - outcome.bound) / max(1, abs(outcome.objective)), 6)
    return SolveResult(
        status=status,
        objective=outcome.objective,
        bound=outcome.bound,
        gap=gap,
        runtime=round(runtime, 3),
        terms=report.terms,
        kpis=report.kpis,
        plan=plan,
        stats=stats,
        violations=violations,
    )


def _run_model(
    scenario: Scenario,
    settings: Settings,
    time_limit: float,
    start: float,
    term_bounds: dict[str, int] | None,
    *,
    restricted: bool = False,
    hint: Plan | None = None,
    on_progress: Progress | None = None,
    stop: threading.Event | None = None,
) -> tuple[RunOutcome, BuiltModel]:
    """Build (optionally restricted to home departments), bound, hint and run one model."""
    built = build(scenario, restricted=restricted)
    for term, bound in (term_bounds or {}).items():
        built.model.add(built.var.terms[term] <= bound)
    if hint is not None:
        add_plan_hint(built, hint)
    log.info(
        "model: %d classes for %d staff, %d functions, %d departments",
        len(built.var.classes),
        len(scenario.staff),
        len(scenario.functions),
        len(scenario.departments),
    )
    offset = time.perf_counter() - start

    def progress(seconds: float, objective: float, bound: float) -> None:
        if on_progress is not None:
            on_progress(offset + seconds, objective, bound)

    remaining = time_limit - (time.perf_counter() - start - offset)
    outcome = run(built, settings, remaining, on_progress=progress, stop=stop)
    return outcome, built


def to_summary(result: SolveResult, scenario: Scenario, input_sha256: str = "") -> Summary:
    """summary.json of SPEC §5 for a result."""
    st = scenario.settings.solver
    return Summary(
        status=result.status,
        objective=result.objective,
        bound=result.bound,
        gap=result.gap,
        runtime_s=result.runtime,
        terms=result.terms,
        kpis=result.kpis,
        conflicts=result.conflicts,
        solver=SolverInfo(
            version=ortools_version,
            seed=st.seed,
            workers=st.workers,
            time_limit=st.time_limit,
            deterministic=st.deterministic,
        ),
        input_sha256=input_sha256,
        created=datetime.now(UTC).isoformat(timespec="seconds"),
        scenario=scenario.settings.scenario.name,
        mode=scenario.settings.objective.mode.value,
        stats={k: v for k, v in result.stats.items() if k != "stages"},
    )
