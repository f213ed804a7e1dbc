"""The Pareto frontier between two §4 terms (``planner pareto``).

:func:`pareto` sweeps ε-constraints ``y ≤ ε`` and minimises x (then y, then the
other weighted terms) for each ε, giving one full, checked plan per
non-dominated point. Every plan is checked by the independent checker
(``planner.check``) before it is reported, and the frontier's x and y are the
checker's terms.
"""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from models import TERMS, ObjectiveMode, Plan, Scenario, SolveResult, Status
from planner.search.solve import solve
from planner.tradeoffs.common import Budget, Step, write_csv, write_text

log = logging.getLogger("planner")

WRITE_RESERVE = 1.0
"""Seconds of the budget kept per point for writing its plan folder (``out``)."""

# -- one ε-constrained lexicographic solve ------------------------------------------------


def solve_bounded(
    scenario: Scenario,
    priority: Sequence[str],
    bounds: dict[str, int] | None = None,
    *,
    time_limit: float | None = None,
    hint: Plan | None = None,
) -> SolveResult:
    """Minimise the terms of ``priority`` in turn, then the other weighted terms, with ``term ≤ bound``.

    :func:`planner.search.solve.solve` in lexicographic mode with ε-constraints
    (``term_bounds``); its plan is checked by the independent checker. ``objective`` is the scenario's weighted sum of the terms;
    ``bound`` and ``gap`` are left empty because the problem solved is not the
    weighted one. ``status`` is optimal only when every stage was proven optimal.
    """
    bounds = dict(bounds or {})
    unknown = [t for t in (*priority, *bounds) if t not in TERMS]
    if unknown:
        raise ValueError(f"unknown term(s) {', '.join(unknown)}; known: {', '.join(TERMS)}")
    settings = scenario.settings
    objective = settings.objective.model_copy(
        update={"mode": ObjectiveMode.LEXICOGRAPHIC, "priority": tuple(priority)}
    )
    solver = settings.solver
    if time_limit is not None:
        solver = solver.model_copy(update={"time_limit": time_limit})
    staged_settings = settings.model_copy(update={"objective": objective, "solver": solver})
    # The constraints are the scenario's; only the objective stages differ.
    result = solve(
        scenario.with_settings(staged_settings), hint=hint, explain=False, term_bounds=bounds
    )
    stats = {**result.stats, "lexicographic": list(priority), "bounds": bounds}
    return result.model_copy(update={"bound": None, "gap": None, "stats": stats})


# -- Pareto frontier ----------------------------------------------------------------------


@dataclass(frozen=True)
class ParetoPoint:
    """One solve of the sweep: its ε (None at the y end), the checked terms x and y, the result."""

    x: int
    y: int
    eps: int | None
    result: SolveResult

    @property
    def proven(self) -> bool:
        return self.result.status is Status.OPTIMAL


@dataclass
class ParetoResult:
    """The frontier (one row per non-dominated plan) and every solve of the sweep.

    ``frontier`` columns: x, y, objective, status, folder (relative to ``out``,
    empty without ``out``), proven, eps, then every §4 term of the plan.
    ``status`` is the sweep's: optimal when every frontier point is proven,
    feasible when some is not, else the status of the first (min x) solve.
    """

    x: str
    y: str
    frontier: pl.DataFrame
    points: list[ParetoPoint]
    tried: list[ParetoPoint]
    status: Status
    out: Path | None = None


FRONTIER_SCHEMA = {
    "x": pl.Int64,
    "y": pl.Int64,
    "objective": pl.Int64,
    "status": pl.String,
    "folder": pl.String,
    "proven": pl.Boolean,
    "eps": pl.Int64,
    **{t: pl.Int64 for t in TERMS},
}


def check_terms(x: str, y: str) -> None:
    """Raise ``ValueError`` unless x and y are two different §4 terms."""
    for name in (x, y):
        if name not in TERMS:
            raise ValueError(f"unknown term '{name}': use one of {', '.join(TERMS)}")
    if x == y:
        raise ValueError(f"x and y are both '{x}': a trade-off needs two different terms")


def non_dominated(pairs: Sequence[tuple[int, int]]) -> list[int]:
    """Indices of the pairs no other pair dominates (both minimised), first of equal pairs kept.

    ``q`` dominates ``p`` when ``q.x ≤ p.x`` and ``q.y ≤ p.y`` with one strict.
    The result is sorted by x, then y.
    """
    keep: list[int] = []
    seen: set[tuple[int, int]] = set()
    for i, p in enumerate(pairs):
        if p in seen:
            continue
        if any(q[0] <= p[0] and q[1] <= p[1] and q != p for q in pairs):
            continue
        seen.add(p)
        keep.append(i)
    return sorted(keep, key=lambda i: pairs[i])


def epsilon_grid(y_low: int, y_high: int, points: int) -> list[int]:
    """The integer ε strictly between the ends: ``y_low + ⌊i·(y_high − y_low)/(points − 1)⌋``, i = 1 … points − 2.

    The ends themselves are solved first (min x, then y: y_high; min y, then x:
    y_low), so ``points`` counts them: ``points = 6`` gives at most 6 plans.
    Equal values are solved once. Ascending, so that each solve can start from
    its neighbour with the smaller ε, whose plan is feasible for it.
    """
    span = y_high - y_low
    grid = {y_low + (i * span) // (points - 1) for i in range(1, points - 1)}
    return sorted(grid - {y_low, y_high})


def pareto(
    scenario: Scenario,
    x: str,
    y: str,
    *,
    points: int = 6,
    time_limit: float | None = None,
    out: str | os.PathLike[str] | None = None,
    base: SolveResult | None = None,
    on_step: Step | None = None,
) -> ParetoResult:
    """The trade-off between terms ``x`` and ``y`` by the ε-constraint method.

    1. End A: minimise x, then y, then the other weighted terms: (x_min, y_high).
    2. End B: minimise y, then x, then the rest: (x_high, y_low).
    3. For every ε of :func:`epsilon_grid`: minimise x subject to ``y ≤ ε``, then
       y, then the rest, hinted with the solved plan of largest y ≤ ε. When a point
       beats end A on both terms (end A was not proven), the ε still to solve are
       spread again between y_low and that point's y: above it they would only find
       it again.

    Duplicate and dominated points are removed (dominated ones can only appear
    when a solve is not proven optimal). Points not proven optimal keep status
    feasible and ``proven`` false.

    The sweep shares one time budget (:class:`~planner.tradeoffs.common.Budget`):
    each solve gets an equal share of what is left for the solves still to come,
    so a point proven early passes its time on; :data:`WRITE_RESERVE` seconds a
    point are kept for writing the plan folders. Points the budget cannot reach
    are not solved (the log says so).

    Parameters
    ----------
    points
        Number of ε values including both ends (≥ 2).
    time_limit
        Seconds for the whole sweep (default :data:`~planner.tradeoffs.common.DEFAULT_BUDGET`).
    base
        The scenario's own result when already solved (e.g. the plan on screen):
        its plan is the hint of the first end (every plan of the scenario is
        feasible there).
    out
        When given, write ``out/frontier.csv``, ``out/point_01`` … (plan folders
        of SPEC §5, in the order of increasing x) and ``out/frontier.svg``.
    on_step
        Called as ``on_step(done, total, label)`` after each solve.
    """
    check_terms(x, y)
    if points < 2:
        raise ValueError(f"points must be at least 2 (the two ends), not {points}")
    budget = Budget(
        time_limit,
        reserve=WRITE_RESERVE * points if out is not None else 0.0,
        deterministic=scenario.settings.solver.deterministic,
    )
    total = points
    tried: list[ParetoPoint] = []
    failed: list[Status] = []  # statuses of the solves without a plan

    def attempt(
        priority: tuple[str, str], eps: int | None, hint: Plan | None, label: str
    ) -> ParetoPoint | None:
        bounds = {} if eps is None else {y: eps}
        limit = budget.share(total - len(tried) - len(failed))
        if limit is None:
            log.warning("pareto %s: not solved, the sweep's time limit is spent", label)
            failed.append(Status.TIMEOUT)
            if on_step is not None:
                on_step(len(tried) + len(failed), total, label)
            return None
        result = solve_bounded(scenario, priority, bounds, time_limit=limit, hint=hint)
        result = result.model_copy(
            update={"stats": {**result.stats, "pareto": {"x": x, "y": y, "eps": eps}}}
        )
        log.info("pareto %s: %s", label, result.status.value)
        point = None
        if result.plan is None:
            failed.append(result.status)
        else:
            point = ParetoPoint(x=result.terms[x], y=result.terms[y], eps=eps, result=result)
            tried.append(point)
        if on_step is not None:
            on_step(len(tried) + len(failed), total, label)
        return point

    end_a = attempt((x, y), None, base.plan if base is not None else None, f"min {x}")
    if end_a is None:
        return _pareto_result(scenario, x, y, tried, first_status=failed[0], out=out)
    end_b = attempt((y, x), None, end_a.result.plan, f"min {y}")
    if end_b is not None:
        top = end_a  # the best plan known at the x end: ε at or above its y repeat it
        todo = epsilon_grid(end_b.y, top.y, points)
        total = len(tried) + len(failed) + len(todo)
        done: list[ParetoPoint] = [end_b]
        while todo:
            eps = todo.pop(0)
            # The hint: the solved plan with the largest y that still meets y ≤ ε.
            near = max((p for p in done if p.y <= eps), key=lambda p: p.y)
            point = attempt((x, y), eps, near.result.plan, f"{y} ≤ {eps}")
            if point is None or point.result.status is Status.INVALID:
                continue
            done.append(point)
            if point.x <= top.x and point.y < top.y:
                # The x end was not optimal (its solve ran out of time): this plan beats
                # it on both terms, so the frontier ends here and the ε left are spread
                # again below its y instead of finding this plan once more.
                top = point
                tried_eps = {p.eps for p in tried}
                todo = [
                    e for e in epsilon_grid(end_b.y, top.y, len(todo) + 2) if e not in tried_eps
                ]
                total = len(tried) + len(failed) + len(todo)
    else:
        log.warning(
            "pareto: no plan minimising %s within the time limit; the frontier has one end only", y
        )
    log.info(
        "pareto: %d of %d solve(s) proven in %.1f s of %.0f s",
        sum(p.proven for p in tried),
        total,
        budget.elapsed(),
        budget.seconds,
    )
    return _pareto_result(scenario, x, y, tried, first_status=end_a.result.status, out=out)


def _pareto_result(
    scenario: Scenario,
    x: str,
    y: str,
    tried: list[ParetoPoint],
    *,
    first_status: Status,
    out: str | os.PathLike[str] | None,
) -> ParetoResult:
    valid = [p for p in tried if p.result.status.has_plan]
    # Among equal (x, y), a proven point, then the lower objective, comes first.
    valid.sort(key=lambda p: (not p.proven, p.result.objective or 0))
    chosen = [valid[i] for i in non_dominated([(p.x, p.y) for p in valid])]
    if chosen:
        status = Status.OPTIMAL if all(p.proven for p in chosen) else Status.FEASIBLE
    else:
        status = (
            Status.INVALID
            if any(p.result.status is Status.INVALID for p in tried)
            else first_status
        )
    folders = (
        [f"point_{i:02d}" for i in range(1, len(chosen) + 1)]
        if out is not None
        else [None] * len(chosen)
    )
    rows = [
        {
            "x": p.x,
            "y": p.y,
            "objective": p.result.objective,
            "status": p.result.status.value,
            "folder": f,
            "proven": p.proven,
            "eps": p.eps,
            **p.result.terms,
        }
        for p, f in zip(chosen, folders, strict=True)
    ]
    frontier = pl.DataFrame(rows, schema=FRONTIER_SCHEMA)
    result = ParetoResult(
        x=x,
        y=y,
        frontier=frontier,
        points=chosen,
        tried=tried,
        status=status,
        out=None if out is None else Path(out),
    )
    if out is not None:
        write_pareto(scenario, result, Path(out))
    return result


def write_pareto(scenario: Scenario, result: ParetoResult, out: Path) -> None:
    """``out/point_NN`` plan folders, ``out/frontier.svg`` and, last, ``out/frontier.csv``.

    Point folders of an earlier sweep beyond the new frontier are removed, so the
    folder never mixes two sweeps; each plan folder is replaced atomically.
    """
    from planner.io import scenario_sha256
    from planner.search.solve import to_summary
    from planner.services.writer import write_plan_folder

    out.mkdir(parents=True, exist_ok=True)
    sha = scenario_sha256(scenario)
    # A sweep run without ``out`` (the app) has no folder names yet: the same ones as with it.
    names = [f"point_{i:02d}" for i in range(1, len(result.points) + 1)]
    for point, name in zip(result.points, names, strict=True):
        write_plan_folder(
            scenario, point.result, to_summary(point.result, scenario, sha), out / name
        )
    for old in out.glob("point_*"):
        if old.is_dir() and old.name not in names and (old / "summary.json").exists():
            shutil.rmtree(old)
    write_text(out / "frontier.svg", frontier_svg(result))
    frontier = result.frontier.with_columns(pl.Series("folder", names, dtype=pl.String))
    write_csv(frontier, out / "frontier.csv")


def frontier_svg(result: ParetoResult) -> str:
    """The frontier as an SVG chart (Altair, rendered in-process by vl-convert): x against y."""
    import altair as alt
    import vl_convert

    data = result.frontier.select("x", "y", "objective", "folder", "proven").to_dicts()
    for d in data:
        d["proven"] = "optimal" if d["proven"] else "not proven"
    base = alt.Chart(alt.Data(values=data)).encode(
        # Terms are integers: no ticks between them.
        x=alt.X("x:Q", title=result.x, scale=alt.Scale(zero=False), axis=alt.Axis(tickMinStep=1)),
        y=alt.Y("y:Q", title=result.y, scale=alt.Scale(zero=False), axis=alt.Axis(tickMinStep=1)),
    )
    line = base.mark_line(color="#4e79a7", interpolate="linear")
    dots = base.mark_point(filled=True, size=90).encode(
        shape=alt.Shape(
            "proven:N",
            title="",
            scale=alt.Scale(domain=["optimal", "not proven"], range=["circle", "triangle"]),
        ),
        color=alt.Color(
            "proven:N",
            title="",
            scale=alt.Scale(domain=["optimal", "not proven"], range=["#4e79a7", "#e15759"]),
        ),
        tooltip=["x:Q", "y:Q", "objective:Q", "folder:N"],
    )
    chart = (line + dots).properties(
        title=f"Trade-off: {result.x} against {result.y}", width=480, height=320
    )
    return vl_convert.vegalite_to_svg(chart.to_dict(), allowed_base_urls=[])
