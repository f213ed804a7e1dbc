"""The roadmap entry point (SPEC §8): build -> solve -> extract -> check -> RoadmapResult.

Mirrors ``planner.solve``: infeasible and timeout are statuses, not exceptions;
every roadmap is checked by the independent checker (``planner.check_roadmap``)
and its terms must equal the solver's, else the result is ``invalid``.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from datetime import UTC, datetime
from importlib.metadata import version

from models import (
    PeriodAssignment,
    PeriodRole,
    Roadmap,
    RoadmapResult,
    RoadmapSummary,
    Scenario,
    Settings,
    SolverInfo,
    Status,
)
from planner.check_roadmap import check_roadmap
from planner.conflicts import describe
from planner.cpsat.builder import BuiltModel
from planner.cpsat.explain import explain_conflicts
from planner.cpsat.extract import extract_plan
from planner.cpsat.roadmap import (
    RoadmapModel,
    build_roadmap,
    extract_people,
    roadmap_weights,
    set_roadmap_objective,
)
from planner.cpsat.runner import solve_once
from planner.solve import Progress

log = logging.getLogger("planner")

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
    built = build_roadmap(scenario)
    set_roadmap_objective(built, scenario)
    log.info(
        "roadmap model: %d classes for %d staff, %d periods",
        len(built.classes),
        len(scenario.staff),
        len(built.views),
    )
    holder = BuiltModel(
        model=built.model, var=built.views[0], guards=built.guards, payroll_scaled=built.payroll[0]
    )
    spent = time.perf_counter() - start
    budget = limit if settings.solver.deterministic else max(0.5, limit - spent)
    solver, status = solve_once(
        holder, settings, budget, on_progress=on_progress, stop=stop, offset=spent
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
        left = max(1.0, limit - (time.perf_counter() - start))
        stopped = stop is not None and stop.is_set()
        conflicts = (
            explain_conflicts(scenario, time_limit=left, builder=build_roadmap)
            if explain and not stopped
            else []
        )
        return RoadmapResult(
            status=Status.INFEASIBLE,
            runtime=round(time.perf_counter() - start, 3),
            conflicts=conflicts,
            conflict_details=[describe_roadmap(n, scenario) for n in conflicts],
            stats=stats,
        )
    if name == "MODEL_INVALID":
        raise RuntimeError("CP-SAT rejected the roadmap model as invalid: a bug in planner/cpsat")
    if name not in ("OPTIMAL", "FEASIBLE"):
        return RoadmapResult(
            status=Status.TIMEOUT, runtime=round(time.perf_counter() - start, 3), stats=stats
        )
    solution = {i: int(v) for i, v in enumerate(solver.response_proto.solution)}
    values = {t: solution[v.index] for t, v in built.terms.items()}
    weights = roadmap_weights(scenario)
    objective = sum(weights[t] * values[t] for t in weights)
    bound = objective if name == "OPTIMAL" else math.ceil(solver.best_objective_bound - 1e-6)
    result_roadmap = extract_roadmap(built, scenario, solution)
    report = check_roadmap(scenario, result_roadmap)
    result_roadmap = result_roadmap.model_copy(
        update={"departures": report.departures, "periods": report.periods}
    )
    violations = report.lines()
    if report.terms != values:
        violations.append(f"terms: solver {values} != checker {report.terms}")
    final = Status.OPTIMAL if name == "OPTIMAL" else Status.FEASIBLE
    if violations:
        log.error(
            "BUG: the roadmap failed the independent checker (%d violations)", len(violations)
        )
        for v in violations[:20]:
            log.error("  %s", v)
        final = Status.INVALID
    gap = round(abs(objective - bound) / max(1, abs(objective)), 6)
    return RoadmapResult(
        status=final,
        objective=objective,
        bound=bound,
        gap=gap,
        runtime=round(time.perf_counter() - start, 3),
        terms=report.terms,
        kpis=report.kpis,
        roadmap=result_roadmap,
        stats=stats,
        violations=violations,
    )


def extract_roadmap(built: RoadmapModel, scenario: Scenario, solution: dict[int, int]) -> Roadmap:
    """Functions from the structure, and one row per person and period (``extract_people``)."""
    functions = extract_plan(built.views[0], solution).functions
    people = extract_people(built, solution)
    depts = scenario.dept_ids
    rows = []
    for i, s in enumerate(scenario.staff):
        for t, cell in enumerate(people[i], start=1):
            rows.append(
                PeriodAssignment(
                    staff_id=s.staff_id,
                    period=t,
                    dept_id=None if cell is None else depts[cell[0]],
                    role=PeriodRole.GONE if cell is None else cell[1],
                )
            )
    return Roadmap(functions=functions, staff=tuple(rows))


def to_roadmap_summary(
    result: RoadmapResult, scenario: Scenario, input_sha256: str = ""
) -> RoadmapSummary:
    """summary.json of a roadmap folder (§5's fields, ``kind = "roadmap"``, §8's kpis)."""
    st = scenario.settings.solver
    return RoadmapSummary(
        status=result.status,
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
