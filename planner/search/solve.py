"""The one entry point: build -> solve -> extract -> check -> SolveResult.

This module is long because it holds the whole of one solve (the counting precheck, the
reuse of an optimum, the first plan, constructive or elastic, the large-neighbourhood
steps, the full model, a draft, the check) with the time shares that tie the stages
together; the stages the roadmap shares are in ``planner.search.pipeline``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
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
from planner.checking.check import Violation, check, draft_violations, objective_value
from planner.cpsat.budget import shortfall_step
from planner.cpsat.builder import (
    BuildTimeout,
    BuiltModel,
    add_plan_hint,
    build,
    complete_hint,
)
from planner.cpsat.extract import extract_plan
from planner.cpsat.feasibility import (
    polish,
    set_hint,
)
from planner.cpsat.guards import FTE, PERSON
from planner.cpsat.lns import improve
from planner.cpsat.objective import set_objective
from planner.cpsat.runner import RunOutcome, run
from planner.cpsat.structure import placings
from planner.domain.conflicts import describe
from planner.search.construct import construct, placements
from planner.search.pipeline import Clock, gap_of, judged, repair_elastic
from planner.search.pipeline import explain as explain_judged
from planner.search.precheck import precheck
from planner.search.reuse import reuse_optimum

log = logging.getLogger("planner")
ortools_version = version("ortools")

WARM_START_STAFF = 1_000
"""From this many staff, the search starts from the first plan (and improves it by LNS)."""
FEASIBILITY_SHARE = 1.0
"""Share of the time left the elastic model's repair may use when the constructive plan
breaks a rule: it stops as soon as the plan meets every rule, and a plan is worth more
than a search with none (issue 20); what it leaves goes to the full model."""
SMALL_FEASIBILITY_SHARE = 0.7
"""Below WARM_START_STAFF staff the repair leaves the rest to the full model, whose
presolve proves some infeasibilities at once (protected staff against a reduction) that
the elastic model can only prove by optimality of its violations."""
DRAFT_REPAIR_SHARE = 0.6
"""With ``draft`` and no elastic run yet (an infeasibility proven by counting or by the
full model): share of the time left for the repair; the rest polishes the draft."""
RETRY_SHARE = 0.05
"""A search that ends without a plan before its limit goes on while more than this share
of the limit (at least 1 s) is left."""
LARGE_WORKERS = 6
"""Workers of the full model from WARM_START_STAFF staff when ``workers = 0`` (automatic):
the generated ministry peaked at 4.1 GB of memory with 8 and 3.3 GB with 6, at the same
gap after 120 s (0.45 % and 0.46 %)."""

CONSTRUCT_TRIES = 4
"""Packings the constructive first plan tries (``planner.search.construct.placements``)."""
CONSTRUCT_SHARE = 0.1
"""No further packing is tried once this share of the limit (and STRUCTURE_SHARE) has
passed (at scale one packing and its staffing take seconds)."""
STRUCTURE_SHARE = 0.1
STRUCTURE_SECONDS = 5.0
BUILD_RESERVE = 2.0
"""Seconds of the limit a search started from a first plan keeps for itself after the
full model's build and hint (else the first plan stands: ``build``'s deadline)."""
RESCUE_SHARE = 0.3
RESCUE_SECONDS = 15.0
"""The structure model's placement (``cpsat/structure.py``) gets this share of the limit, at
most STRUCTURE_SECONDS (RESCUE_SHARE, at most RESCUE_SECONDS, when the greedy packing gave
no plan; it stops as soon as its placement is found): on ``../shared/unseen`` its first stage met every department's
window in under 1 s up to 7,625 staff and 72 departments, where every greedy packing left
one department it could not staff."""
LNS_SHARE = 0.4
"""From WARM_START_STAFF staff, the share of the limit the large-neighbourhood search
(``cpsat/lns.py``) improves the first plan before the full model takes over."""
PRESOLVE_PER_VARIABLE = 4e-5
PRESOLVE_PER_BUILD = 1.2
"""CP-SAT's presolve of the full model (6 workers, no probing, ``stop_after_presolve``)
took 35–49 µs per variable and 1.0–1.65 × the model's build on the idle 2-core machine
(2026-12-07: 14,079 variables 0.49 s, 31,852 1.16 s, 94,470 4.39 s, 104,938 4.86 s,
163,608 8.04 s). Nothing comes out of a run stopped before its presolve ends, and
presolve does not stop at once: ``many-depts-3000``'s full model, given 2.56 s, returned
after 3.47 s with nothing (its 10 s solve ended at 10.9 s). A search from a first plan
starts the full model only when its time left exceeds ``presolve_seconds``; otherwise
the large-neighbourhood search, whose steps are small, gets that time."""
NOT_STARTED = "no time for the presolve"
"""``stats["search"]`` of a run whose full model the presolve gate held back: no retry
starts it later (the retry's estimate, without the build's time, can be lower)."""

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
    draft: bool = False,
) -> SolveResult:
    """Solve ``scenario`` (under ``settings`` if given) and return a checked result.

    Infeasible and timeout are statuses, not exceptions. Every plan is checked by
    the independent checker (``planner.check``); a plan that fails it is a bug:
    it is logged loudly and returned with status ``invalid`` and its violations,
    never as a success.

    The pipeline (docs/model.md): the counting precheck; a first plan (the
    constructive plan, and when it breaks a rule the elastic model's repair,
    ``planner.cpsat.feasibility``); the search of the full model; extraction;
    the checker. With ``draft`` and no plan at the end, the elastic model's
    closest plan is returned beside the status (``SolveResult.draft``).

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
        (``planner.search.reuse``, ``stats["reused_optimum"]`` names the change); otherwise
        its plan is the hint when ``hint`` is not given.
    draft
        When no plan meets every rule (infeasible, or none found in time), also
        return the closest plan found: violations first, then the objective
        (SPEC §5, "Draft plans").
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
    run = _Run(scenario, term_bounds, on_progress, stop)
    failed = precheck(scenario)
    if failed:
        # A counting argument already proves that no plan exists: say which settings
        # clash at once instead of searching (at scale, instead of a "timeout").
        names = list(dict.fromkeys(failed[0].conflicts))
        result = SolveResult(
            status=Status.INFEASIBLE,
            runtime=run.elapsed(),
            conflicts=names,
            conflict_details=[describe(name, scenario) for name in names],
            stats={"precheck": [f.reason for f in failed], "ortools": ortools_version},
        )
        return run.with_draft(result) if draft else result
    first = None if hint is not None or settings.solver.deterministic else run.first_plan()
    if first is not None and first.proven_infeasible:
        result = run.infeasible(explain, {"first_plan": "elastic (infeasible)"})
        return run.with_draft(result) if draft else result
    if first is not None and first.plan is None:
        result = SolveResult(
            status=Status.TIMEOUT, runtime=run.elapsed(), stats=run.stats({"first_plan": "none"})
        )
        return run.with_draft(result) if draft else result
    large = len(scenario.staff) >= WARM_START_STAFF
    if first is not None and first.plan is not None and (large or first.source == "elastic"):
        # Large scenarios, and shapes the constructive plan could not meet: the search
        # starts from the first plan. Small ones where the constructive plan holds:
        # CP-SAT's own first plans are good there, and a hint steered the province's
        # search away from its optimum (worse plans at 30 s); the plan is the fallback.
        hint = first.plan
    outcome, plan = run.search(
        hint,
        lns=first is not None and first.plan is not None and large,
        elastic=first.elastic if first is not None and hint is first.plan else None,
    )
    if first is not None and first.plan is not None and _replace(outcome, plan, first, settings):
        # The search found nothing, or worse than the first plan: keep that, unproven but
        # with the search's bound, which holds for every plan. (An "infeasible" cannot
        # follow a plan that the checker accepted.)
        bound = outcome.bound if plan is not None else None  # the search's, when it ran
        stats = {k: outcome.stats[k] for k in BOUND_STATS if k in outcome.stats}
        outcome, plan = first.outcome, first.plan
        outcome.stats.update(stats)
        proven = bound is not None and outcome.objective is not None and bound >= outcome.objective
        outcome.status, outcome.bound = "optimal" if proven else "feasible", bound
    if outcome.status == "infeasible":
        result = run.infeasible(explain, outcome.stats)
        return run.with_draft(result) if draft else result
    if outcome.status == "timeout" or plan is None:
        result = SolveResult(
            status=Status.TIMEOUT, runtime=run.elapsed(), stats=run.stats(outcome.stats)
        )
        return run.with_draft(result) if draft else result
    return run.checked(outcome, plan)


BOUND_STATS = ("bound_from",)
"""Where a result's bound came from (``runner.combined_bound``): kept when the first plan
replaces the search's."""


def _replace(outcome: RunOutcome, plan: Plan | None, first: FirstPlan, settings: Settings) -> bool:
    """Whether the first plan beats what the search returned (nothing, or worse)."""
    if plan is None:
        return outcome.status == "timeout"
    return (
        settings.objective.mode is ObjectiveMode.WEIGHTED  # a lexicographic result is not
        and outcome.objective is not None  # judged by its weighted sum
        and first.outcome.objective is not None
        and _rank(first.outcome, settings) < _rank(outcome, settings)
    )


@dataclass
class FirstPlan:
    """The first plan of the pipeline: a checked plan (or None), where it came from
    (``construct`` or ``elastic``) and, when the elastic model ran, its best solution."""

    plan: Plan | None
    outcome: RunOutcome
    source: str
    elastic: tuple[BuiltModel, dict[int, int]] | None = None
    proven_infeasible: bool = False


class _Run:
    """One solve's clock, callbacks and stages (``solve`` reads as the list of them)."""

    def __init__(
        self,
        scenario: Scenario,
        term_bounds: dict[str, int] | None,
        on_progress: Progress | None,
        stop: threading.Event | None,
    ) -> None:
        self.scenario = scenario
        self.settings = scenario.settings
        self.clock = Clock(self.settings.solver.time_limit, stop)
        self.limit, self.start, self.stop = self.clock.limit, self.clock.start, stop
        self.elapsed, self.left, self.stopped = (
            self.clock.elapsed,
            self.clock.left,
            self.clock.stopped,
        )
        self.term_bounds = term_bounds
        self.on_progress = on_progress
        self.elastic: tuple[BuiltModel, dict[int, int]] | None = None
        self._constructed: tuple[Plan | None, Plan | None, RunOutcome | None] | None = None

    def stats(self, extra: dict | None = None) -> dict:
        return {**(extra or {}), "ortools": ortools_version}

    # -- first plan ----------------------------------------------------------------
    def constructed(
        self, on_progress: Progress | None
    ) -> tuple[Plan | None, Plan | None, RunOutcome | None]:
        """``_construct``'s plans, made once per solve (the first plan and a draft share
        them: the structure placement costs up to 30 % of the limit)."""
        if self._constructed is None:
            self._constructed = _construct(
                self.scenario, self.settings, self.start, self.term_bounds, on_progress
            )
        return self._constructed

    def first_plan(self) -> FirstPlan | None:
        """The constructive plan when it meets every rule; otherwise the elastic model's
        repair of it (``feasibility.repair``), which ends at a plan, at the proof that
        none exists, or at the time limit (None: no first plan, nothing proven)."""
        made, closest, outcome = self.constructed(self.on_progress)
        if made is not None and outcome is not None:
            return FirstPlan(made, outcome, "construct")
        if self.stopped():
            return None
        large = len(self.scenario.staff) >= WARM_START_STAFF
        repaired = self.repair(
            closest, share=FEASIBILITY_SHARE if large else SMALL_FEASIBILITY_SHARE
        )
        if repaired is None:
            return None
        built, solution, proven = repaired
        if solution[built.violations.index] > 0:  # type: ignore[union-attr]
            if proven:
                log.info("elastic model: no plan meets every rule (proven)")
                return FirstPlan(
                    None, RunOutcome(status="infeasible"), "elastic", proven_infeasible=True
                )
            if large:
                # The repair had the time that was left and found no plan: a second model
                # would have none (and at scale its build alone takes seconds).
                return FirstPlan(None, RunOutcome(status="timeout"), "elastic")
            return None  # the full model gets the rest: cheap to build, it may prove infeasibility
        plan = extract_plan(built.var, solution)
        report = check(self.scenario, plan)
        if not report.ok:  # the elastic model at zero violations is the full model: a bug
            log.error(
                "BUG: an elastic plan with no violations failed the checker: %s", report.lines()[:5]
            )
            return None
        value = objective_value(report.terms, self.settings)
        if self.on_progress is not None:
            self.on_progress(time.perf_counter() - self.start, value, 0.0)
        log.info("first plan from the elastic model after %.2f s", time.perf_counter() - self.start)
        outcome = RunOutcome(
            status="feasible", values=dict(report.terms), objective=value,
            stats={"first_plan": "elastic"},
        )  # fmt: skip
        return FirstPlan(plan, outcome, "elastic", elastic=(built, solution))

    def repair(
        self, closest: Plan | None, share: float
    ) -> tuple[BuiltModel, dict[int, int], bool] | None:
        """Build the elastic model, start it from ``closest`` (or the trivial plan) and
        repair for ``share`` of what is left; keeps the model and best solution for a draft."""
        budget = share * self.left()
        if budget < 0.2:
            return None
        called = time.perf_counter()
        built = build(self.scenario, elastic=True)
        if self.term_bounds:  # the ε-bounds of a sweep are rules of the elastic model too
            for term, bound in self.term_bounds.items():
                built.guards.add(built.model.add(built.var.terms[term] <= bound), "term_bounds")
            built.violations = built.guards.total()
        started = False
        if closest is not None:
            add_plan_hint(built, closest)
            started = complete_hint(built, time_limit=max(1.0, min(10.0, 0.4 * budget)))
        left = budget - (time.perf_counter() - called)
        repaired = repair_elastic(built, self.settings, left, self.clock, started=started)
        if repaired is None:
            return None
        self.elastic = (built, repaired[0])
        return built, *repaired

    # -- search --------------------------------------------------------------------
    def search(
        self,
        hint: Plan | None,
        lns: bool,
        elastic: tuple[BuiltModel, dict[int, int]] | None = None,
    ) -> tuple[RunOutcome, Plan | None]:
        """The full model from ``hint`` for what is left of the limit; a search that ends
        early without a plan (and not by a stop) goes on with the time left."""
        settings = self.settings
        large = len(self.scenario.staff) >= WARM_START_STAFF
        if large and not settings.solver.workers:
            settings = settings.model_copy(
                update={"solver": settings.solver.model_copy(update={"workers": LARGE_WORKERS})}
            )
        # Deterministic runs measure their limit in CP-SAT's deterministic time: a budget
        # taken from the wall clock (model building, a loaded machine) would make the plan
        # depend on the machine's load.
        budget = self.limit if settings.solver.deterministic else self.left()
        outcome, built = _run_model(
            self.scenario, settings, budget, self.start, self.term_bounds,
            hint=hint, on_progress=self.on_progress, stop=self.stop,
            lns_seconds=LNS_SHARE * self.limit if lns else 0.0, elastic=elastic,
        )  # fmt: skip
        while (
            built is not None
            and outcome.status == "timeout"
            and not settings.solver.deterministic
            and not self.stopped()
            and outcome.stats.get("search") != NOT_STARTED  # held back by the presolve gate
            and self.left() > max(1.0, RETRY_SHARE * self.limit, presolve_seconds(built, None))
        ):
            log.info("the search ended early without a plan: going on for %.1f s", self.left())
            offset = time.perf_counter() - self.start
            outcome = run(
                built, settings, self.left(), on_progress=_shifted(self.on_progress, offset),
                stop=self.stop,
            )  # fmt: skip
        plan = None
        if built is not None and outcome.status in ("optimal", "feasible"):
            plan = extract_plan(built.var, outcome.solution)
        return outcome, plan

    # -- endings -------------------------------------------------------------------
    def infeasible(self, explain: bool, stats: dict) -> SolveResult:
        """Infeasible, with the named conflicts (what is left of the limit, at least 1 s;
        nothing after a stop)."""
        conflicts = explain_judged(self.scenario, self.clock, explain)
        return SolveResult(
            status=Status.INFEASIBLE,
            runtime=self.elapsed(),
            conflicts=conflicts,
            conflict_details=[describe(name, self.scenario) for name in conflicts],
            stats=self.stats(stats),
        )

    def checked(self, outcome: RunOutcome, plan: Plan) -> SolveResult:
        """The result of a plan, judged by the independent checker (a failure is a bug:
        status ``invalid``)."""
        report = check(self.scenario, plan)
        status, violations = judged(
            Status(outcome.status), report.lines(), outcome.values, report.terms
        )
        return SolveResult(
            status=status,
            objective=outcome.objective,
            bound=outcome.bound,
            gap=gap_of(outcome.objective, outcome.bound),
            runtime=self.elapsed(),
            terms=report.terms,
            kpis=report.kpis,
            plan=plan,
            stats=self.stats(outcome.stats),
            violations=violations,
        )

    def with_draft(self, result: SolveResult) -> SolveResult:
        """``result`` (infeasible or timeout) with the closest plan found: the elastic
        model's best solution (repaired now if it has not run), violations first, then
        the objective polished with what is left of the limit."""
        if self.elastic is None and not self.stopped():
            made, closest, _ = self.constructed(None)
            self.repair(made or closest, share=DRAFT_REPAIR_SHARE)
        if self.elastic is None:
            return result
        built, solution = self.elastic
        if not self.stopped():
            solution = polish(built, solution, self.settings, max(0.0, self.left()), stop=self.stop)
        plan = extract_plan(built.var, solution)
        report = check(self.scenario, plan)
        broken = draft_violations(report)
        if broken is None:
            log.error("BUG: a draft breaks a rule a draft may not: %s", report.lines()[:5])
            return result
        return result.model_copy(
            update={
                "draft": plan,
                "draft_violations": broken,
                "terms": report.terms,
                "kpis": report.kpis,
                "objective": objective_value(report.terms, self.settings),
                "runtime": self.elapsed(),
            }
        )


def _shifted(on_progress: Progress | None, offset: float) -> Progress | None:
    if on_progress is None:
        return None
    return lambda seconds, objective, bound: on_progress(offset + seconds, objective, bound)


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
    hint: Plan | None = None,
    on_progress: Progress | None = None,
    stop: threading.Event | None = None,
    lns_seconds: float = 0.0,
    elastic: tuple[BuiltModel, dict[int, int]] | None = None,
) -> tuple[RunOutcome, BuiltModel | None]:
    """Build (``build``), bound, hint and run the full model (None: not built in time).

    A hint is completed to every variable (``complete_hint``) when the plan
    satisfies the model; otherwise CP-SAT gets the plan's decisions only. With
    ``lns_seconds`` (weighted mode), a completed hint is first improved by the
    large-neighbourhood search (``cpsat/lns.py``), whose best solution becomes
    the full run's hint.

    ``elastic``: the elastic model and a solution of it with no violations (the first
    plan's, ``feasibility.py``); the model becomes the full one by ``violations = 0``
    (presolve then fixes every violation variable at 0), with the solution as a
    complete hint: no second build at scale.
    """
    called = time.perf_counter()
    built_s: float | None = None  # the build's seconds, when this call built the model
    if elastic is not None:
        built, solution = elastic
        assert built.violations is not None and solution[built.violations.index] == 0
        built.model.add(built.violations == 0)
        set_hint(built, solution)
    else:
        # With a first plan in hand the build may give up: the plan is the answer then.
        deadline = None
        if hint is not None and not settings.solver.deterministic:
            deadline = called + time_limit - BUILD_RESERVE
        try:
            built = build(scenario, deadline=deadline)
            built_s = time.perf_counter() - called
        except BuildTimeout:
            log.info("the full model was not built within the limit: the first plan stands")
            return RunOutcome(status="timeout", stats={"search": "model not built in time"}), None
        for term, bound in (term_bounds or {}).items():
            built.model.add(built.var.terms[term] <= bound)
    deterministic = settings.solver.deterministic

    def left() -> float:  # deterministic time is not spent by building (see solve)
        return time_limit if deterministic else time_limit - (time.perf_counter() - called)

    # With a plan in hand, the full model runs only when its presolve can end in time.
    presolve = 0.0
    if hint is not None and not deterministic:
        presolve = presolve_seconds(built, built_s)
    completed = elastic is not None
    better = None  # the LNS's best solution, when it ran
    if hint is not None and elastic is None:
        add_plan_hint(built, hint)
        if not deterministic and left() < max(BUILD_RESERVE, presolve):
            # Neither the full model nor the LNS (whose steps presolve the model with most
            # of it fixed, after completing the hint) would end in time: the plan stands.
            log.info(
                "%.1f s left after the build, the full model's presolve takes about %.1f s:"
                " the first plan stands",
                max(0.0, left()),
                presolve,
            )
            return RunOutcome(status="timeout", stats={"search": "no time after the build"}), None
        completed = complete_hint(
            built, time_limit=max(0.5, min(10.0, 0.2 * left())), deterministic=deterministic
        )
    full = deterministic or left() > presolve
    lns = (
        completed
        and lns_seconds > 0
        and settings.objective.mode is ObjectiveMode.WEIGHTED
        and not deterministic
        and not (stop is not None and stop.is_set())
    )
    if lns:
        proto = built.model.proto
        solution = dict(zip(proto.solution_hint.vars, proto.solution_hint.values, strict=True))
        set_objective(built.model, built.var, settings.objective.mode)
        seconds = min(lns_seconds, 0.8 * left())
        full = left() - seconds > presolve
        if not full:  # the full model could not end its presolve: all of it to the LNS
            seconds = left()
        better = improve(
            built,
            solution,
            settings,
            seconds,
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

    if full:
        outcome = run(built, settings, left(), on_progress=progress, stop=stop)
    else:
        log.info(
            "the full model's presolve (about %.1f s) would not end in the %.1f s left:"
            " not started",
            presolve,
            max(0.0, left()),
        )
        outcome = RunOutcome(status="timeout", stats={"search": NOT_STARTED})
    if outcome.status == "timeout" and better is not None:
        # The full model found nothing in the time the LNS left it: the LNS's best
        # solution is a solution of this model (unproven).
        values = {name: better.solution[t.index] for name, t in built.var.terms.items()}
        weights = settings.objective.weights()
        outcome = RunOutcome(
            status="feasible",
            values=values,
            objective=sum(w * values[t] for t, w in weights.items()),
            stats={**outcome.stats, "lns": {"steps": better.steps, "improved": better.improved}},
            solution=better.solution,
        )
    return outcome, built


def presolve_seconds(built: BuiltModel, build_seconds: float | None) -> float:
    """About how long CP-SAT's presolve of ``built`` takes here (PRESOLVE_PER_VARIABLE):

        max(PRESOLVE_PER_VARIABLE · variables, PRESOLVE_PER_BUILD · build_seconds)

    the build's own time, when known, carries the machine's present load."""
    by_size = PRESOLVE_PER_VARIABLE * len(built.model.proto.variables)
    return max(by_size, PRESOLVE_PER_BUILD * (build_seconds or 0.0))


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


def _placements(
    scenario: Scenario, settings: Settings, have_plan: Callable[[], bool]
) -> Iterator[tuple[dict[int, int], dict[int, int] | None, bool]]:
    """(placement, holders, extra) of the work for the constructive plan:

    - the deterministic greedy packing (``construct.pack_units``: milliseconds, and a plan
      on every shape where units can stay whole);
    - the same with domains whole: before the structure model when the units' plan passed
      the checker; when not, after it and only while the randomised packings may run (on
      ``more-depts-7600``, 7,600 staff in 72 departments, its staffing took 8 s before the
      rescue and broke 17 rules);
    - the structure model's (``cpsat/structure.py``: exact C1, C2, C12, function locks and
      scarce skills, each department's work within what its limits can staff);
    - then the randomised greedy packings.

    The structure model gives its placement early and a better one if its second stage,
    resumed, finds one. It gets STRUCTURE_SHARE of the limit, or RESCUE_SHARE when the
    greedy packing gave no plan (``have_plan()``): the elastic repair it would otherwise
    fall to costs far more."""
    st = settings.solver
    greedy = placements(scenario, tries=CONSTRUCT_TRIES, seed=st.seed)
    first = next(greedy, None)
    if first is not None:
        yield first, None, False
    second = next(greedy, None)  # domains whole: §4's fragmentation 0 where it can be
    rescue = not have_plan()
    if second is not None and not rescue:
        yield second, None, False
    if rescue:
        seconds = min(RESCUE_SECONDS, RESCUE_SHARE * st.time_limit)
    else:
        seconds = min(STRUCTURE_SECONDS, STRUCTURE_SHARE * st.time_limit)
    workers = min(2, st.workers or 2)
    for structure in placings(scenario, seconds, seed=st.seed, workers=workers, start=first):
        yield structure.where, structure.holders, False  # early, then resumed (``placings``)
    if second is not None and rescue:  # after the rescue, and only while time allows
        yield second, None, True
    for where in greedy:
        yield where, None, True  # extras: tried while time allows


def distance(violations: list[Violation], settings: Settings) -> int:
    """How far a plan is from meeting every rule, in the elastic model's own units
    (``cpsat/guards.py``):

        distance = Σ_{C3, C4, C10} FTE · amount + Σ_{C8} ⌈amount / shortfall_step⌉
                   + Σ_{others} PERSON · amount      (PERSON for a rule with no amount)

    amounts as the checker gives them (hundredths of an FTE, currency, people, posts,
    functions, locks; ``budget.shortfall_step`` is 1 % of a base salary); the caller adds a broken term bound of a sweep as one PERSON. The
    constructive plan the repair starts from is the one at the least distance: counting
    broken rules instead, a greedy packing 3,940 away (C4 and C5, 6 rules) was preferred
    to the structure placement's plan 1,877 away (C4 short in 13 departments)."""
    step = shortfall_step(settings)
    total = 0
    for v in violations:
        if v.amount is None:
            total += PERSON
        elif v.constraint in ("C3", "C4", "C10"):
            total += FTE * v.amount
        elif v.constraint == "C8":
            total += -(-v.amount // step)
        else:
            total += PERSON * v.amount
    return total


def _construct(
    scenario: Scenario,
    settings: Settings,
    start: float,
    term_bounds: dict[str, int] | None,
    on_progress: Progress | None,
) -> tuple[Plan | None, Plan | None, RunOutcome | None]:
    """The constructive plan (``planner.search.construct``) over a few packings.

    Returns the best plan that passes the checker and the ε-bounds of a trade-off
    sweep (or None), the packing's plan that breaks fewest rules (the elastic
    model's start when none passes), and the first's figures as a run outcome
    (unproven: bound None).
    """
    best: tuple[int, Plan, dict[str, int]] | None = None
    closest: tuple[tuple[int, int], Plan] | None = None
    limit = settings.solver.time_limit

    def have_plan() -> bool:  # read when the structure model starts: after the greedy plan
        return best is not None

    for where, holders, extra in _placements(scenario, settings, have_plan):
        if extra and time.perf_counter() - start > (CONSTRUCT_SHARE + STRUCTURE_SHARE) * limit:
            break  # the packings are heuristics: the time is the repair's or the search's
        plan = construct(scenario, where, holders)
        if plan is None:
            continue
        report = check(scenario, plan)
        over = sum(report.terms[t] > b for t, b in (term_bounds or {}).items())
        broken = len(report.violations) + over
        log.info(
            "constructive plan (%s placement) after %.2f s breaks %d rules: %s",
            "structure" if holders is not None else "greedy",
            time.perf_counter() - start,
            broken,
            " ".join(sorted({v.constraint for v in report.violations})),
        )
        far = (distance(report.violations, scenario.settings) + PERSON * over, broken)
        if closest is None or far < closest[0]:
            closest = (far, plan)
        if broken:
            continue
        value = objective_value(report.terms, scenario.settings)
        if best is None or value < best[0]:
            best = (value, plan, report.terms)
            if on_progress is not None:  # a plan now, however short the rest
                on_progress(time.perf_counter() - start, value, 0.0)
    if best is None:
        log.info("constructive plan: none of the packings passed the checker")
        return None, closest[1] if closest else None, None
    value, plan, terms = best
    log.info("constructive plan: objective %d after %.2f s", value, time.perf_counter() - start)
    outcome = RunOutcome(
        status="feasible", values=dict(terms), objective=value, stats={"first_plan": "construct"}
    )
    return plan, plan, outcome


def to_summary(result: SolveResult, scenario: Scenario, input_sha256: str = "") -> Summary:
    """summary.json of SPEC §5 for a result."""
    st = scenario.settings.solver
    drafted = result.draft is not None and not result.status.has_plan
    return Summary(
        status=Status.DRAFT if drafted else result.status,
        objective=result.objective,
        bound=result.bound,
        gap=result.gap,
        runtime_s=result.runtime,
        terms=result.terms,
        kpis=result.kpis,
        conflicts=result.conflicts,
        violations=result.draft_violations if drafted else [],
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
