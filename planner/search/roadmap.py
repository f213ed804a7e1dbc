"""The roadmap entry point (SPEC §8): build -> solve -> extract -> check -> RoadmapResult.

Mirrors ``planner.solve``: infeasible and timeout are statuses, not exceptions;
every roadmap is checked by the independent checker (``planner.checking.check_roadmap``)
and its terms must equal the solver's, else the result is ``invalid``.
"""

from __future__ import annotations

import logging
import math
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version

from models import (
    FunctionAssignment,
    Lock,
    LockKind,
    PeriodAssignment,
    PeriodRole,
    Roadmap,
    RoadmapResult,
    RoadmapSummary,
    Role,
    Scenario,
    Settings,
    SolverInfo,
    Status,
    exact,
)
from planner.checking.check_roadmap import (
    RoadmapReport,
    check_roadmap,
    roadmap_draft_violations,
)
from planner.cpsat.builder import BuildTimeout, complete_hint
from planner.cpsat.extract import extract_plan
from planner.cpsat.feasibility import polish
from planner.cpsat.relaxation import SideBound
from planner.cpsat.roadmap import (
    RoadmapModel,
    add_roadmap_hint,
    build_roadmap,
    extract_people,
    roadmap_weights,
    set_roadmap_objective,
)
from planner.cpsat.runner import combined_bound, side_wanted, solve_once
from planner.domain.conflicts import describe
from planner.domain.periods import period_scenario, retirement_periods
from planner.search.pipeline import Clock, gap_of, judged, repair_elastic
from planner.search.pipeline import explain as explain_judged
from planner.search.solve import Progress, solve, with_solver_settings

log = logging.getLogger("planner")

LAST_PERIOD_HINT_STAFF = 100
"""From this many staff, the search starts from a plan of the last period (``_last_period_roadmap``),
solved by ``planner.solve`` with its first plan (constructive or elastic, ``planner.search.pipeline``)."""
WARM_START_SHARE = 0.3
"""Share of the time limit the warm start may use."""
MIN_SEARCH = 3.0
"""With a checked roadmap in hand, the model is searched only when this many seconds are left
after its build (its hint's completion and a search cost seconds at scale before anything
is found: 2,700 staff, 9 s for a hint given 0.5 s)."""
WORKERS = 4
"""CP-SAT workers of a roadmap of LAST_PERIOD_HINT_STAFF or more when ``workers = 0`` (automatic):
on the province (5 periods, 2 loaded cores) 8 time-sliced workers left the bound at 17 %
of the objective after 60 s (the LP worker hardly ran), 4 workers brought it to 85 %. The
district is proven optimal in seconds with the default portfolio (8) and not in 60 s with 4."""

_ROADMAP_TEXT = {
    "roadmap.norm_by": "the norms of §3 (deputies, posts, income raise, min_reduction) hold from period {v}",
    "roadmap.transition_max_deputies": "at most {v} deputies per department before norm_by",
    "roadmap.transition_max_leadership_posts": "at most {v} head and deputy posts before norm_by",
}


def describe_roadmap(name: str, scenario: Scenario) -> str:
    """One sentence for a conflict name, the roadmap's own names included."""
    rm = scenario.settings.roadmap
    if name.startswith("roadmap.reduction["):
        t = int(name[len("roadmap.reduction[") : -1])
        share = rm.reduction[t - 1]
        return f"{name} = {share}: at least {share:.1%} of today's staff gone by period {t}"
    if name in _ROADMAP_TEXT:
        key = name.split(".", 1)[1]
        value = rm.norm_period if key == "norm_by" else getattr(rm, key)
        return f"{name} = {value}: " + _ROADMAP_TEXT[name].format(v=value)
    return describe(name, scenario)


def roadmap(
    scenario: Scenario,
    settings: Settings | None = None,
    *,
    time_limit: float | None = None,
    workers: int | None = None,
    seed: int | None = None,
    on_progress: Progress | None = None,
    stop: threading.Event | None = None,
    explain: bool = True,
    draft: bool = False,
) -> RoadmapResult:
    """Solve the roadmap of ``scenario`` (SPEC §8) and return a checked result.

    Parameters
    ----------
    settings
        Replace the scenario's settings (``[roadmap]`` included).
    time_limit, workers, seed
        Override ``[solver]``.
    on_progress
        Called as ``on_progress(seconds, objective, bound)`` on every improvement.
    stop
        Set it to stop the search; the best roadmap found so far is returned.
    explain
        On infeasibility, name the conflicting settings in §8's vocabulary
        (``roadmap.reduction[2]``, ``roadmap.norm_by``, ``targets.min_reduction`` …).
    draft
        When no roadmap meets every rule (infeasible, or none in time), also return the
        closest roadmap found (``RoadmapResult.draft``): the elastic model of every
        period (``planner.search.pipeline``), violations first, then the objective of §8.
    """
    scenario = with_solver_settings(scenario, settings, time_limit, workers, seed)
    settings = scenario.settings
    limit = settings.solver.time_limit
    clock = Clock(limit, stop)
    # Kept for extracting and checking the roadmap after the search (T × staff rows).
    reserve = min(10.0, 0.12 * limit) if len(scenario.staff) >= 1_000 else min(2.0, 0.02 * limit)
    made: _Made | None = None
    if len(scenario.staff) >= LAST_PERIOD_HINT_STAFF and not settings.solver.deterministic:
        last = _last_period_roadmap(scenario, WARM_START_SHARE * limit, stop)
        if isinstance(last, _NoPlanAtLast):  # a proof: no roadmap can exist
            result = RoadmapResult(
                status=Status.INFEASIBLE,
                runtime=clock.elapsed(),
                conflicts=last.conflicts,
                conflict_details=last.details,
                stats={"ortools": version("ortools"), "proof": last.proof},
            )
            return _with_draft(scenario, clock, result) if draft else result
        made = last
    checked = made if made is not None and made.report is not None else None
    if checked is not None and on_progress is not None:
        on_progress(clock.seconds(), checked.objective, 0.0)  # a checked roadmap already
    deadline = None
    if checked is not None:
        deadline = clock.start + limit - reserve  # past it, the constructed roadmap stands
    try:
        built = build_roadmap(scenario, deadline=deadline)
    except BuildTimeout:
        log.info("roadmap model not built within the limit: the constructed roadmap stands")
        assert checked is not None  # a deadline was set only with a checked roadmap
        return _made_result(scenario, clock, checked, {"first_roadmap": "constructed"})
    set_roadmap_objective(built, scenario)
    side = None
    if side_wanted(built.model, settings, weighted=True):
        side = SideBound(built.model, max(0.5, clock.left(reserve)))
    log.info(
        "roadmap model: %d classes for %d staff, %d periods",
        len(built.classes),
        len(scenario.staff),
        len(built.views),
    )
    holder = built.holder()
    if checked is not None and clock.left(reserve) < MIN_SEARCH:
        log.info(
            "roadmap model built with %.1f s left: the constructed roadmap stands", clock.left()
        )
        return _made_result(scenario, clock, checked, {"first_roadmap": "constructed"})
    hinted = False
    if made is not None:
        add_roadmap_hint(built, made.cells, made.placed, made.leads)
        left = max(0.5, min(WARM_START_SHARE * limit, clock.left(reserve)))
        hinted = complete_hint(holder, time_limit=left)
        log.info("roadmap warm start: %s", "complete" if hinted else "partial hint")
    spent = clock.seconds()
    if hinted and on_progress is not None and checked is None:
        hint = built.model.proto.solution_hint  # the completed warm start is a roadmap already
        given = dict(zip(hint.vars, hint.values, strict=True))
        w = roadmap_weights(scenario)
        on_progress(spent, sum(w[t] * given[v.index] for t, v in built.terms.items()), 0.0)
    budget = limit if settings.solver.deterministic else max(0.5, limit - spent - reserve)
    run_settings = settings
    large = len(scenario.staff) >= LAST_PERIOD_HINT_STAFF
    if large and not settings.solver.workers and not settings.solver.deterministic:
        run_settings = settings.model_copy(
            update={"solver": settings.solver.model_copy(update={"workers": WORKERS})}
        )
    solver, status = solve_once(
        holder, run_settings, budget, on_progress=on_progress, stop=stop, offset=spent, side=side
    )
    name = solver.status_name(status)
    stats = {
        "ortools": version("ortools"),
        "wall_s": round(solver.wall_time, 3),
        "variables": len(built.model.proto.variables),
        "constraints": len(built.model.proto.constraints),
        "classes": len(built.classes),
        "status": name,
    }
    if name == "INFEASIBLE":
        conflicts = explain_judged(scenario, clock, explain, builder=build_roadmap)
        result = RoadmapResult(
            status=Status.INFEASIBLE,
            runtime=clock.elapsed(),
            conflicts=conflicts,
            conflict_details=[describe_roadmap(n, scenario) for n in conflicts],
            stats=stats,
        )
        return _with_draft(scenario, clock, result) if draft else result
    if name == "MODEL_INVALID":
        raise RuntimeError("CP-SAT rejected the roadmap model as invalid: a bug in planner/cpsat")
    if name not in ("OPTIMAL", "FEASIBLE") and checked is not None and not hinted:
        # nothing in time from a partial hint: the constructed roadmap stands
        stats = {**stats, "first_roadmap": "constructed"}
        return _bounded(_made_result(scenario, clock, checked, stats), None, side)
    if name not in ("OPTIMAL", "FEASIBLE") and not hinted:
        result = RoadmapResult(status=Status.TIMEOUT, runtime=clock.elapsed(), stats=stats)
        return _with_draft(scenario, clock, result) if draft else result
    if name in ("OPTIMAL", "FEASIBLE"):
        solution = {i: int(v) for i, v in enumerate(solver.response_proto.solution)}
    else:  # no better roadmap in time: the completed warm start is one (checked below)
        hint = built.model.proto.solution_hint
        solution = dict(zip(hint.vars, hint.values, strict=True))
        name = "FEASIBLE"
        stats["first_roadmap"] = "warm start"
    values = {t: solution[v.index] for t, v in built.terms.items()}
    weights = roadmap_weights(scenario)
    objective = sum(weights[t] * values[t] for t in weights)
    # CP-SAT's bound holds for every roadmap unless it found nothing (a warm start's)
    searched = "first_roadmap" not in stats
    cp_bound = math.ceil(solver.best_objective_bound - 1e-6) if searched else None
    if checked is not None and checked.objective < objective:
        # the search from a partial hint found worse than the constructed roadmap (so it
        # did not prove its own optimal): the bounds hold for every roadmap
        stats = {**stats, "first_roadmap": "constructed"}
        return _bounded(_made_result(scenario, clock, checked, stats), cp_bound, side)
    bound = combined_bound(objective, objective if name == "OPTIMAL" else cp_bound, side, stats)
    if bound is not None and bound >= objective:
        name = "OPTIMAL"  # CP-SAT's proof, or the LP's bound reaches the roadmap found
    result_roadmap = extract_roadmap(built, scenario, solution)
    report = check_roadmap(scenario, result_roadmap)
    result_roadmap = result_roadmap.model_copy(
        update={"departures": report.departures, "periods": report.periods}
    )
    final, violations = judged(
        Status.OPTIMAL if name == "OPTIMAL" else Status.FEASIBLE,
        report.lines(),
        values,
        report.terms,
    )
    return RoadmapResult(
        status=final,
        objective=objective,
        bound=bound,
        gap=gap_of(objective, bound),
        runtime=clock.elapsed(),
        terms=report.terms,
        kpis=report.kpis,
        roadmap=result_roadmap,
        stats=stats,
        violations=violations,
    )


@dataclass
class _Made:
    """A roadmap made from a plan of the last period (``_last_period_roadmap``): its cells
    (person -> per period (department, role) or None), placement and leads (the model's
    hint), the roadmap itself and, when the independent checker accepts it, its report
    and objective (a checked roadmap before any roadmap model is built)."""

    cells: dict[int, list[tuple[int, PeriodRole] | None]]
    placed: dict[int, int]
    leads: dict[int, str]
    roadmap: Roadmap
    report: RoadmapReport | None
    objective: int


@dataclass
class _NoPlanAtLast:
    """The last period's view has no plan, proven (``_last_period_roadmap``): the settings
    it names, in sentences that say which period, and how it was proven."""

    conflicts: list[str]
    details: list[str]
    proof: str


def _last_period_roadmap(
    scenario: Scenario, budget: float, stop: threading.Event | None
) -> _Made | _NoPlanAtLast | None:
    """A roadmap from a plan of the last period (None when that period has no plan in time;
    ``_NoPlanAtLast`` when it has none at all).

    The last period's view is solved as a §3 plan with everyone retired by then locked
    out. Its retained staff hold their places in every period; people who retire within
    the horizon stay as members until their retirement date (no package; the protected
    may not leave early anyway) unless a lock says they exit (C13: gone from period 1;
    staying broke the constructed roadmap of ``locks-rules-1500`` and its first roadmap came
    from the search at 16.7 s); everyone else leaves at period 1. Each period's view is
    looser than the norm's (or equal), so this is usually a roadmap that meets every rule:
    the independent checker says whether it is. Either way it hints the model; CP-SAT
    starts from it. Only the search is helped: the model and its optimum are unchanged.

    When the last period's view is proven to have no plan (a counting argument of
    ``precheck``, or a proof of the solver), no roadmap exists either: in period T every
    roadmap's present staff are today's less those retired by then, and they must meet
    §3 on exactly this view (``planner.domain.periods``), so a roadmap's period T would be
    a plan of it. On a scenario whose scarce skill had a holder retiring within the
    horizon (``../shared/unseen/scarce-skills``: 3 holders of "treaty", one retired by
    period 5) the roadmap model found nothing in 20 s and answered "timeout"; the last
    period's counting argument proves it in about a second.
    """
    T = scenario.settings.roadmap.periods
    retire = retirement_periods(scenario)
    gone = {s.staff_id for i, s in enumerate(scenario.staff) if retire[i] <= T}
    final = period_scenario(scenario, T, retire)
    kept_locks = tuple(
        lk for lk in final.locks if lk.kind is not LockKind.STAFF or lk.id not in gone
    )
    exits = tuple(Lock(kind=LockKind.STAFF, id=sid, role=Role.EXIT) for sid in sorted(gone))
    final = final.model_copy(update={"locks": kept_locks + exits})
    one = solve(final, time_limit=max(1.0, min(0.6 * budget, 5.0)), stop=stop)
    if one.status is Status.INFEASIBLE:
        log.info("roadmap: the last period (%d) has no plan: no roadmap exists", T)
        when = f"in period {T}" + (
            f", once the {len(gone)} people who retire by then have left" if gone else ""
        )
        reasons = one.stats.get("precheck", [])
        why = f" ({'; '.join(reasons)})" if reasons else ""
        details = [
            f"{detail}, {when}{why}"
            for detail in (one.conflict_details or ["no plan meets every rule"])
        ]
        how = "; ".join(reasons) or "the solver's proof"
        return _NoPlanAtLast(list(one.conflicts), details, f"period {T} has no plan ({how})")
    if one.plan is None:
        log.info("roadmap warm start: no plan of the last period (%s)", one.status.value)
        return None
    dept = {d: i for i, d in enumerate(scenario.dept_ids)}
    fidx = {f.function_id: i for i, f in enumerate(scenario.functions)}
    placed = {fidx[f.function_id]: dept[f.dept_id] for f in one.plan.functions}
    leads = {fidx[f.function_id]: f.lead_org for f in one.plan.functions if f.lead_org}
    where = {a.staff_id: a for a in one.plan.staff}
    roles = {
        Role.HEAD: PeriodRole.HEAD,
        Role.DEPUTY: PeriodRole.DEPUTY,
        Role.MEMBER: PeriodRole.MEMBER,
    }
    home: dict[str, int] = {}
    for f in scenario.functions:
        if f.unit_id is not None:
            home.setdefault(f.unit_id, placed[fidx[f.function_id]])
    room = _Room(scenario, placed)
    cells: dict[int, list[tuple[int, PeriodRole] | None]] = {}
    later = []
    leave_now = {  # locked to exit: gone from period 1 (C13), whatever their retirement
        lk.id for lk in scenario.locks if lk.kind is LockKind.STAFF and lk.role is Role.EXIT
    }
    for i, s in enumerate(scenario.staff):
        a = where.get(s.staff_id)
        cell: tuple[int, PeriodRole] | None = None
        if a is not None and a.role is not Role.EXIT and a.dept_id is not None:
            cell = (dept[a.dept_id], roles[a.role])
            room.take(cell[0], s.fte_h)
        elif retire[i] <= T and s.staff_id not in leave_now:
            later.append(i)
        cells[i] = [cell if t < retire[i] else None for t in range(1, T + 1)]
    # People who retire within the horizon stay until the date (no package) where a
    # department has room for them in period 1 (C3's overstaff cap, C5's max_staff),
    # their unit's first; the protected always (they may not leave early).
    for i in sorted(later, key=lambda i: (not scenario.staff[i].protected, i)):
        s = scenario.staff[i]
        d = room.find(home.get(s.unit_id, 0), s.fte_h, force=s.protected)
        if d is not None:
            room.take(d, s.fte_h)
            cells[i] = [(d, PeriodRole.MEMBER) if t < retire[i] else None for t in range(1, T + 1)]
    made = _roadmap(scenario, one.plan.functions, cells)
    report = check_roadmap(scenario, made)
    if report.lines():
        log.info("roadmap from the last period's plan breaks %d rules", len(report.lines()))
        return _Made(cells, placed, leads, made, None, 0)
    weights = roadmap_weights(scenario)
    objective = sum(weights[t] * report.terms[t] for t in weights)
    log.info("roadmap from the last period's plan: checked, objective %d", objective)
    return _Made(cells, placed, leads, made, report, objective)


def _made_result(scenario: Scenario, clock: Clock, made: _Made, stats: dict) -> RoadmapResult:
    """The constructed roadmap as the result (checked, unproven: no bound)."""
    report = made.report
    assert report is not None
    return RoadmapResult(
        status=Status.FEASIBLE,
        objective=made.objective,
        bound=None,
        gap=None,
        runtime=clock.elapsed(),
        terms=report.terms,
        kpis=report.kpis,
        roadmap=made.roadmap.model_copy(
            update={"departures": report.departures, "periods": report.periods}
        ),
        stats={"ortools": version("ortools"), **stats},
    )


def _bounded(result: RoadmapResult, cp_bound: int | None, side: SideBound | None) -> RoadmapResult:
    """The constructed roadmap's ``result`` with the bounds that hold for every roadmap:
    CP-SAT's (``cp_bound``, when its search ran) and the LP's; optimal when they reach it."""
    assert result.objective is not None
    stats = dict(result.stats)
    bound = combined_bound(result.objective, cp_bound, side, stats)
    proven = bound is not None and bound >= result.objective
    return result.model_copy(
        update={
            "bound": bound,
            "gap": gap_of(result.objective, bound),
            "stats": stats,
            **({"status": Status.OPTIMAL} if proven and result.status is Status.FEASIBLE else {}),
        }
    )


def _with_draft(scenario: Scenario, clock: Clock, result: RoadmapResult) -> RoadmapResult:
    """``result`` (infeasible or timeout) with the closest roadmap found: the elastic model
    of every period, started from a plan of the last period where there is one, repaired
    by CP-SAT's portfolio, then the objective of §8 with the violations held."""
    if clock.stopped():
        return result
    el = build_roadmap(scenario, elastic=True)
    holder = el.holder()
    started = False
    if len(scenario.staff) >= LAST_PERIOD_HINT_STAFF:
        made = _last_period_roadmap(scenario, 0.3 * max(0.0, clock.left()), clock.stop)
        if isinstance(made, _Made):
            add_roadmap_hint(el, made.cells, made.placed, made.leads)
            started = complete_hint(holder, time_limit=max(0.5, 0.1 * max(0.0, clock.left())))
    repaired = repair_elastic(
        holder, scenario.settings, 0.6 * max(0.0, clock.left()), clock, started=started, lns=False
    )
    if repaired is None:
        return result
    solution = polish(
        holder, repaired[0], scenario.settings, max(0.0, clock.left()), stop=clock.stop,
        objective=lambda: set_roadmap_objective(el, scenario),
    )  # fmt: skip
    draft = extract_roadmap(el, scenario, solution)
    report = check_roadmap(scenario, draft)
    broken = roadmap_draft_violations(report)
    if broken is None:
        log.error("BUG: a draft roadmap breaks a rule a draft may not: %s", report.lines()[:5])
        return result
    draft = draft.model_copy(update={"departures": report.departures, "periods": report.periods})
    weights = roadmap_weights(scenario)
    return result.model_copy(
        update={
            "draft": draft,
            "draft_violations": broken,
            "terms": report.terms,
            "kpis": report.kpis,
            "objective": sum(w * report.terms[t] for t, w in weights.items()),
            "runtime": clock.elapsed(),
        }
    )


class _Room:
    """Room left in each department in period 1 for the warm start: C3's upper bound
    ``q · fte ≤ (q + p) · W + 100 q`` (``max_overstaff = p/q``) and C5's max_staff."""

    def __init__(self, scenario: Scenario, placed: dict[int, int]) -> None:
        self.sc = scenario
        k = len(scenario.departments)
        self.work = [0] * k
        for f, d in placed.items():
            self.work[d] += scenario.functions[f].workload_h
        self.fte = [0] * k
        self.heads = [0] * k
        self.max_staff = [scenario.dept_limits(d)[1] for d in scenario.departments]
        over = scenario.settings.targets.max_overstaff
        self.over = None if over is None else exact(over)

    def take(self, d: int, fte_h: int) -> None:
        self.fte[d] += fte_h
        self.heads[d] += 1

    def fits(self, d: int, fte_h: int) -> bool:
        if self.heads[d] + 1 > self.max_staff[d]:
            return False
        return self.over is None or self.fte[d] + fte_h <= (1 + self.over) * self.work[d] + 100

    def find(self, first: int, fte_h: int, *, force: bool) -> int | None:
        order = [first] + [d for d in range(len(self.fte)) if d != first]
        for d in order:
            if self.fits(d, fte_h):
                return d
        return first if force else None


def extract_roadmap(built: RoadmapModel, scenario: Scenario, solution: dict[int, int]) -> Roadmap:
    """Functions from the structure, and one row per person and period (``extract_people``)."""
    functions = extract_plan(built.views[0], solution).functions
    return _roadmap(scenario, functions, extract_people(built, solution))


def _roadmap(
    scenario: Scenario,
    functions: tuple[FunctionAssignment, ...],
    cells: dict[int, list[tuple[int, PeriodRole] | None]],
) -> Roadmap:
    """The roadmap of ``cells`` (staff index -> per period (department index, role) or None
    for gone): one row per person and period."""
    depts = scenario.dept_ids
    rows = (
        PeriodAssignment(
            staff_id=s.staff_id,
            period=t,
            dept_id=None if cell is None else depts[cell[0]],
            role=PeriodRole.GONE if cell is None else cell[1],
        )
        for i, s in enumerate(scenario.staff)
        for t, cell in enumerate(cells[i], start=1)
    )
    return Roadmap(functions=functions, staff=tuple(rows))


def to_roadmap_summary(
    result: RoadmapResult, scenario: Scenario, input_sha256: str = ""
) -> RoadmapSummary:
    """summary.json of a roadmap folder (§5's fields, ``kind = "roadmap"``, §8's kpis)."""
    st = scenario.settings.solver
    drafted = result.draft is not None and not result.status.has_plan
    return RoadmapSummary(
        status=Status.DRAFT if drafted else result.status,
        violations=result.draft_violations if drafted else [],
        objective=result.objective,
        bound=result.bound,
        gap=result.gap,
        runtime_s=result.runtime,
        terms=result.terms,
        kpis=result.kpis,
        conflicts=result.conflicts,
        solver=SolverInfo(
            version=version("ortools"),
            seed=st.seed,
            workers=st.workers,
            time_limit=st.time_limit,
            deterministic=st.deterministic,
        ),
        input_sha256=input_sha256,
        created=datetime.now(UTC).isoformat(timespec="seconds"),
        scenario=scenario.settings.scenario.name,
        stats=result.stats,
    )
