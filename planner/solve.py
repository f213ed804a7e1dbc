"""The one entry point: build -> solve -> extract -> check -> SolveResult."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from importlib.metadata import version

from models import (
    ObjectiveMode,
    Plan,
    Scenario,
    Settings,
    SolveResult,
    SolverInfo,
    Status,
    Summary,
)
from planner.check import check, objective_value
from planner.conflicts import describe
from planner.construct import construct, placements
from planner.cpsat.builder import BuiltModel, Homes, add_plan_hint, build, complete_hint
from planner.cpsat.explain import explain_conflicts
from planner.cpsat.extract import extract_plan
from planner.cpsat.lns import improve
from planner.cpsat.objective import set_objective
from planner.cpsat.restrict import place_functions, work_homes
from planner.cpsat.runner import RunOutcome, run
from planner.precheck import precheck
from planner.reuse import reuse_optimum

log = logging.getLogger("planner")
ortools_version = version("ortools")

WARM_START_STAFF = 1_000
"""From this many staff, a first plan comes from the restricted model (``cpsat/restrict.py``)."""
WARM_START_SHARE = 0.4
"""Share of the time limit the restricted models may use together."""
LARGE_WORKERS = 6
"""Workers of the full model from WARM_START_STAFF staff when ``workers = 0`` (automatic):
the generated ministry peaked at 4.1 GB of memory with 8 and 3.3 GB with 6, at the same
gap after 120 s (0.45 % and 0.46 %)."""
STOP_RESERVE = 0.02
"""Share of the time limit (at most 2 s) kept for CP-SAT to stop and the plan to be read:
a ministry-scale search took 1.3 s to wind down after its limit."""
WARM_START_STALL = 0.05
"""The restricted search stops when its plan has not improved for this share of the limit."""

CONSTRUCT_TRIES = 4
"""Packings the constructive first plan tries (``planner.construct.placements``)."""
LNS_SHARE = 0.4
"""From WARM_START_STAFF staff, the share of the limit the large-neighbourhood search
(``cpsat/lns.py``) improves the first plan before the full model takes over."""

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
    previous: tuple[Scenario, SolveResult] | None = None,
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
    previous
        The scenario solved before and its result (a re-solve after a change). When
        that result is optimal, the change only narrows the scenario and its plan
        still holds, that plan is proven optimal without a solve
        (``planner.reuse``, ``stats["reused_optimum"]`` names the change); otherwise
        its plan is the hint when ``hint`` is not given.
    """
    scenario = with_solver_settings(scenario, settings, time_limit, workers, seed)
    settings = scenario.settings
    if previous is not None and term_bounds is None:
        reused = reuse_optimum(scenario, previous)
        if reused is not None:
            if on_progress is not None and reused.objective is not None:
                on_progress(reused.runtime, reused.objective, reused.objective)
            return reused
    if previous is not None and hint is None and previous[1].plan is not None:
        hint = previous[1].plan
    limit = settings.solver.time_limit
    start = time.perf_counter()
    failed = precheck(scenario)
    if failed:
        # A counting argument already proves that no plan exists: say which settings
        # clash at once instead of searching (at scale, instead of a "timeout").
        names = list(dict.fromkeys(failed[0].conflicts))
        return SolveResult(
            status=Status.INFEASIBLE,
            runtime=round(time.perf_counter() - start, 3),
            conflicts=names,
            conflict_details=[describe(name, scenario) for name in names],
            stats={"precheck": [f.reason for f in failed], "ortools": ortools_version},
        )
    first: RunOutcome | None = None  # a restricted model's outcome, when it found a plan
    constructed: RunOutcome | None = None  # the constructive plan's figures, when it holds
    made: Plan | None = None  # the constructive plan
    large = len(scenario.staff) >= WARM_START_STAFF
    if hint is None and not settings.solver.deterministic:
        # A plan a planner would write by hand (units packed into departments, then
        # staffed), checked: the search starts from it and it is kept if the search
        # finds nothing better (issue 14: no plan at all on unseen shapes).
        constructed, made = _construct(scenario, settings, start, term_bounds, on_progress)
        # Small scenarios: CP-SAT's own first plans are good there, and a hint steered
        # the province's search away from its optimum (worse plans at 30 s); the
        # constructive plan is kept as the fallback. Large ones start from it.
        if large:
            hint = made
    if hint is None and large and not settings.solver.deterministic:
        # Large scenarios: a first plan from a restricted model, then the full model
        # starts from it. Exact: a restricted plan satisfies every constraint, and the
        # final bound is the full model's. First "follow the work" (functions placed
        # greedily, people only where their unit's work went); if that finds nothing,
        # "home departments" (people only where their unit's domains may go).
        first, hint = _warm_start(scenario, settings, limit, start, term_bounds, on_progress, stop)
    plan: Plan | None = None
    full_settings = settings
    if len(scenario.staff) >= WARM_START_STAFF and not settings.solver.workers:
        full_settings = settings.model_copy(
            update={"solver": settings.solver.model_copy(update={"workers": LARGE_WORKERS})}
        )
    if first is not None and stop is not None and stop.is_set():
        outcome, plan = first, hint
    else:
        # Deterministic runs measure their limit in CP-SAT's deterministic time: a
        # budget taken from the wall clock (model building, a loaded machine) would
        # make the plan depend on the machine's load.
        budget = (
            limit
            if settings.solver.deterministic
            else limit - (time.perf_counter() - start) - min(2.0, STOP_RESERVE * limit)
        )
        outcome, built = _run_model(
            scenario,
            full_settings,
            budget,
            start,
            term_bounds,
            hint=hint,
            on_progress=on_progress,
            stop=stop,
            lns_seconds=LNS_SHARE * limit if constructed is not None and large else 0.0,
        )
        if outcome.status in ("optimal", "feasible"):
            plan = extract_plan(built.var, outcome.solution)
        del built
    if first is not None and plan is None and outcome.status in ("timeout", "infeasible"):
        # The full model found nothing in its time: keep the restricted plan, unproven.
        outcome, plan = first, hint
    weighted = settings.objective.mode is ObjectiveMode.WEIGHTED
    if constructed is not None and (
        (plan is None and outcome.status == "timeout")
        or (
            weighted  # a lexicographic result is not judged by its weighted sum
            and plan is not None
            and outcome.objective is not None
            and constructed.objective is not None
            and _rank(constructed, settings) < _rank(outcome, settings)
        )
    ):
        # The search found nothing, or worse than the constructive plan: keep that,
        # unproven but with the search's bound, which holds for every plan. (An
        # "infeasible" cannot follow a plan that the checker accepted.)
        bound = outcome.bound if plan is not None else None
        outcome, plan = constructed, made
        outcome.bound = bound
    if outcome is first:
        outcome.status, outcome.bound = "feasible", None
    if outcome is constructed:
        outcome.status = "feasible"
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


def with_solver_settings(
    scenario: Scenario,
    settings: Settings | None,
    time_limit: float | None,
    workers: int | None,
    seed: int | None,
) -> Scenario:
    """``scenario`` under ``settings`` (default its own) with ``[solver]`` overrides applied;
    the same object when nothing changes. Shared by ``solve`` and ``planner.roadmap``."""
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
    return scenario if settings is scenario.settings else scenario.with_settings(settings)


def _run_model(
    scenario: Scenario,
    settings: Settings,
    time_limit: float,
    start: float,
    term_bounds: dict[str, int] | None,
    *,
    restricted: bool = False,
    homes: Homes | None = None,
    placed: dict[int, int] | None = None,
    hint: Plan | None = None,
    on_progress: Progress | None = None,
    stop: threading.Event | None = None,
    lns_seconds: float = 0.0,
) -> tuple[RunOutcome, BuiltModel]:
    """Build (optionally restricted, ``build``), bound, hint and run one model.

    A hint is completed to every variable (``complete_hint``) when the plan
    satisfies the model; otherwise CP-SAT gets the plan's decisions only. With
    ``lns_seconds`` (weighted mode), a completed hint is first improved by the
    large-neighbourhood search (``cpsat/lns.py``), whose best solution becomes
    the full run's hint.
    """
    called = time.perf_counter()
    built = build(scenario, restricted=restricted, homes=homes, placed=placed)
    for term, bound in (term_bounds or {}).items():
        built.model.add(built.var.terms[term] <= bound)
    deterministic = settings.solver.deterministic

    def left() -> float:  # deterministic time is not spent by building (see solve)
        return time_limit if deterministic else time_limit - (time.perf_counter() - called)

    completed = False
    if hint is not None:
        add_plan_hint(built, hint)
        completed = complete_hint(
            built, time_limit=max(0.5, min(10.0, 0.2 * left())), deterministic=deterministic
        )
    if (
        completed
        and lns_seconds > 0
        and settings.objective.mode is ObjectiveMode.WEIGHTED
        and not deterministic
        and not (stop is not None and stop.is_set())
    ):
        proto = built.model.proto
        solution = dict(zip(proto.solution_hint.vars, proto.solution_hint.values, strict=True))
        set_objective(built.model, built.var, settings.objective.mode)
        better = improve(
            built,
            solution,
            settings,
            min(lns_seconds, 0.8 * left()),
            on_progress=on_progress,
            stop=stop,
            offset=time.perf_counter() - start,
        )
        built.model.clear_hints()
        for i, v in sorted(better.solution.items()):
            proto.solution_hint.vars.append(i)
            proto.solution_hint.values.append(v)
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

    outcome = run(built, settings, left(), on_progress=progress, stop=stop)
    return outcome, built


def _rank(outcome: RunOutcome, settings: Settings) -> tuple[int, ...]:
    """What the search minimises, to compare two outcomes: the weighted objective, or in
    lexicographic mode the priority terms in turn and then the weighted rest (a plan
    with a lower weighted sum can be lexicographically worse)."""
    obj = settings.objective
    if obj.mode is not ObjectiveMode.LEXICOGRAPHIC:
        return (outcome.objective or 0,)
    weights = obj.weights()
    rest = sum(w * outcome.values.get(t, 0) for t, w in weights.items() if t not in obj.priority)
    return (*(outcome.values.get(t, 0) for t in obj.priority), rest)


def _construct(
    scenario: Scenario,
    settings: Settings,
    start: float,
    term_bounds: dict[str, int] | None,
    on_progress: Progress | None,
) -> tuple[RunOutcome | None, Plan | None]:
    """The best checked constructive plan (``planner.construct``) over a few packings.

    Returns its figures as a run outcome (unproven: bound None) and the plan, or
    (None, None) when no packing gives a plan that passes the checker and the
    ε-bounds of a trade-off sweep.
    """
    best: tuple[int, Plan, dict[str, int]] | None = None
    for where in placements(scenario, tries=CONSTRUCT_TRIES, seed=settings.solver.seed):
        plan = construct(scenario, where)
        if plan is None:
            continue
        report = check(scenario, plan)
        if not report.ok:
            continue
        if any(report.terms[t] > b for t, b in (term_bounds or {}).items()):
            continue
        value = objective_value(report.terms, scenario.settings)
        if best is None or value < best[0]:
            best = (value, plan, report.terms)
    if best is None:
        log.info("constructive plan: none of the packings passed the checker")
        return None, None
    value, plan, terms = best
    if on_progress is not None:
        on_progress(time.perf_counter() - start, value, 0.0)
    log.info("constructive plan: objective %d after %.2f s", value, time.perf_counter() - start)
    outcome = RunOutcome(
        status="feasible", values=dict(terms), objective=value, stats={"first_plan": "construct"}
    )
    return outcome, plan


def _warm_start(
    scenario: Scenario,
    settings: Settings,
    limit: float,
    start: float,
    term_bounds: dict[str, int] | None,
    on_progress: Progress | None,
    stop: threading.Event | None,
) -> tuple[RunOutcome | None, Plan | None]:
    """A first plan from the restricted models (``cpsat/restrict.py``), or (None, None)."""
    budget = WARM_START_SHARE * limit
    placement = place_functions(scenario)
    attempts: list[dict] = []
    if placement is not None:
        attempts.append({"homes": partial(work_homes, scenario, placement), "placed": placement})
    attempts.append({"restricted": True})
    # The follow-the-work model is solved by the LP-guided workers: one worker per
    # core found the ministry's first plan in 13 s where 8 time-sliced workers took 45 s.
    few = settings.solver.workers or (os.cpu_count() or 2)
    small_settings = settings.model_copy(
        update={"solver": settings.solver.model_copy(update={"workers": few})}
    )

    last: list[float] = []  # when the restricted model last improved its plan

    def progress(seconds: float, objective: float, _bound: float) -> None:
        last.append(time.perf_counter())
        # A restricted model's bound is not a bound of the scenario: until the full
        # model reports its own, the only proven bound is 0 (every term is >= 0).
        if on_progress is not None:
            on_progress(seconds, objective, 0.0)

    # The restricted search ends on the caller's stop, or once its plan has not
    # improved for WARM_START_STALL × limit: the full model needs the time more.
    halt, done = threading.Event(), threading.Event()
    stall = max(2.0, WARM_START_STALL * limit)

    def watch() -> None:
        while not done.wait(0.1):
            if (stop is not None and stop.is_set()) or (
                last and time.perf_counter() - last[-1] > stall
            ):
                halt.set()
                return

    threading.Thread(target=watch, daemon=True).start()
    try:
        for attempt in attempts:
            left = budget - (time.perf_counter() - start)
            if left <= 0.5 or halt.is_set():
                break
            outcome, small = _run_model(
                scenario, small_settings, left, start, term_bounds,
                on_progress=progress, stop=halt, **attempt,
            )  # fmt: skip
            if outcome.status in ("optimal", "feasible"):
                return outcome, extract_plan(small.var, outcome.solution)
            del small  # free a restricted model before the next one is built
    finally:
        done.set()
    return None, None


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
