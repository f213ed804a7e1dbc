"""Trade-offs: the Pareto frontier between two §4 terms, the price of each policy, plan comparison.

- :func:`pareto` sweeps ε-constraints ``y ≤ ε`` and minimises x (then y, then the
  other weighted terms) for each ε, giving one full, checked plan per
  non-dominated point (``planner pareto``).
- :func:`price` relaxes every policy of the scenario by one step and re-solves:
  the saving in the objective is what the policy costs; a policy is binding when
  the saving is positive (``planner price``).
- :func:`compare` and :func:`compare_folders` put the KPIs of several plans side
  by side and list who and what moves between them (``planner compare``).

Every plan here is checked by the independent checker (``planner.check``)
before it is reported, and the frontier's x and y are the checker's terms.
"""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import polars as pl

from models import (
    TERMS,
    ObjectiveMode,
    Plan,
    Scenario,
    Settings,
    SolveResult,
    Status,
    Summary,
    exact,
)
from planner.check import check
from planner.cpsat.guards import row
from planner.io import durable
from planner.solve import solve

log = logging.getLogger("planner")

Step = Callable[[int, int, str], None]
"""Progress of a sweep: ``on_step(done, total, label)``."""


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

    :func:`planner.solve.solve` in lexicographic mode with ε-constraints
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
    on_step: Step | None = None,
) -> ParetoResult:
    """The trade-off between terms ``x`` and ``y`` by the ε-constraint method.

    1. End A: minimise x, then y, then the other weighted terms: (x_min, y_high).
    2. End B: minimise y, then x, then the rest: (x_high, y_low).
    3. For every ε of :func:`epsilon_grid`: minimise x subject to ``y ≤ ε``, then
       y, then the rest, hinted with the plan of the neighbour with smaller ε.

    Duplicate and dominated points are removed (dominated ones can only appear
    when a solve is not proven optimal). Points not proven optimal keep status
    feasible and ``proven`` false.

    Parameters
    ----------
    points
        Number of ε values including both ends (≥ 2).
    time_limit
        Seconds for each solve (default ``[solver] time_limit``); the sweep makes
        at most ``points`` solves.
    out
        When given, write ``out/frontier.csv``, ``out/point_01`` … (plan folders
        of SPEC §5, in the order of increasing x) and ``out/frontier.svg``.
    on_step
        Called as ``on_step(done, total, label)`` after each solve.
    """
    check_terms(x, y)
    if points < 2:
        raise ValueError(f"points must be at least 2 (the two ends), not {points}")
    total = points
    tried: list[ParetoPoint] = []
    failed: list[Status] = []  # statuses of the solves without a plan

    def attempt(
        priority: tuple[str, str], eps: int | None, hint: Plan | None, label: str
    ) -> ParetoPoint | None:
        bounds = {} if eps is None else {y: eps}
        result = solve_bounded(scenario, priority, bounds, time_limit=time_limit, hint=hint)
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

    end_a = attempt((x, y), None, None, f"min {x}")
    if end_a is None:
        return _pareto_result(scenario, x, y, tried, first_status=failed[0], out=out)
    end_b = attempt((y, x), None, end_a.result.plan, f"min {y}")
    if end_b is not None:
        grid = epsilon_grid(end_b.y, end_a.y, points)
        total = len(tried) + len(grid)
        neighbour = end_b
        for eps in grid:
            point = attempt((x, y), eps, neighbour.result.plan, f"{y} ≤ {eps}")
            if point is not None and point.result.status is not Status.INVALID:
                neighbour = point
    else:
        log.warning(
            "pareto: no plan minimising %s within the time limit; the frontier has one end only", y
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
    from planner.solve import to_summary
    from planner.writer import write_plan_folder

    out.mkdir(parents=True, exist_ok=True)
    sha = scenario_sha256(scenario)
    names = set()
    for point, name in zip(result.points, result.frontier["folder"].to_list(), strict=True):
        write_plan_folder(
            scenario, point.result, to_summary(point.result, scenario, sha), out / name
        )
        names.add(name)
    for old in out.glob("point_*"):
        if old.is_dir() and old.name not in names and (old / "summary.json").exists():
            shutil.rmtree(old)
    _write_text(out / "frontier.svg", frontier_svg(result))
    _write_csv(result.frontier, out / "frontier.csv")


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


# -- price of each policy -----------------------------------------------------------------


@dataclass(frozen=True)
class Relaxation:
    """One policy relaxed by one step: its name in the SPEC's vocabulary and the relaxed scenario."""

    setting: str
    current: str
    relaxed: str
    scenario: Scenario


PRICE_SCHEMA = {
    "setting": pl.String,
    "current": pl.String,
    "relaxed": pl.String,
    "objective": pl.Int64,
    "objective_relaxed": pl.Int64,
    "saving": pl.Int64,
    "binding": pl.Boolean,
    "changed": pl.String,
    "status": pl.String,
    "proven": pl.Boolean,
    "note": pl.String,
}


def _num(value: float | int) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _rebuild(
    sc: Scenario, settings: Settings | None = None, **tables: tuple[object, ...]
) -> Scenario:
    """The scenario with other settings or tables, validated again (never a copy of cached lookups)."""
    data: dict[str, object] = {
        name: getattr(sc, name)
        for name in ("organizations", "units", "staff", "functions", "rules", "locks")
    }
    data["departments"] = sc.departments if sc.departments_given else ()
    data.update(tables)
    return Scenario(settings=settings or sc.settings, **data)  # type: ignore[arg-type]


def _step(value: float, delta: float, lo: float | None = None, hi: float | None = None) -> float:
    """``value + delta`` clamped to [lo, hi] and rounded to 6 decimals (no binary noise in exact())."""
    v = value + delta
    if lo is not None:
        v = max(lo, v)
    if hi is not None:
        v = min(hi, v)
    return round(v, 6)


def _setting_steps(sc: Scenario) -> list[tuple[str, float | int, float | int]]:
    """(name, current, relaxed) of every ``[targets]`` and ``[departments]`` setting that can be relaxed."""
    t, d = sc.settings.targets, sc.settings.departments
    steps: list[tuple[str, float | int, float | int]] = []
    if t.min_reduction:
        steps.append(
            ("targets.min_reduction", t.min_reduction, _step(t.min_reduction, -0.01, lo=0))
        )
    if t.max_leadership_posts is not None:
        steps.append(
            ("targets.max_leadership_posts", t.max_leadership_posts, t.max_leadership_posts + 1)
        )
    if t.max_payroll is not None:
        steps.append(
            (
                "targets.max_payroll",
                t.max_payroll,
                float(round(exact(t.max_payroll) * Fraction(101, 100), 2)),
            )
        )
    if t.min_income_raise:
        steps.append(
            (
                "targets.min_income_raise",
                t.min_income_raise,
                float(round(exact(t.min_income_raise) * Fraction(99, 100), 2)),
            )
        )
    if t.max_overstaff is not None and t.max_overstaff < 100:
        steps.append(
            ("targets.max_overstaff", t.max_overstaff, _step(t.max_overstaff, 0.1, hi=100))
        )
    if t.workload_slack:
        steps.append(
            ("targets.workload_slack", t.workload_slack, _step(t.workload_slack, -0.05, lo=0))
        )
    if t.max_leader_share is not None and t.max_leader_share < 1:
        steps.append(
            ("targets.max_leader_share", t.max_leader_share, _step(t.max_leader_share, 0.1, hi=1))
        )
    if t.min_lead_tasks:
        steps.append(("targets.min_lead_tasks", t.min_lead_tasks, t.min_lead_tasks - 1))
    depts = sc.departments if sc.departments_given else ()
    # A default that every departments.csv row overrides constrains nothing.
    uses_default = {
        key: not depts or any(getattr(x, key) is None for x in depts)
        for key in ("min_staff", "max_staff", "max_deputies")
    }
    if d.min_staff > 0 and uses_default["min_staff"]:
        steps.append(("departments.min_staff", d.min_staff, d.min_staff - 1))
    if uses_default["max_staff"]:
        steps.append(("departments.max_staff", d.max_staff, d.max_staff + 1))
    if d.min_deputies > 0:
        steps.append(("departments.min_deputies", d.min_deputies, d.min_deputies - 1))
    if uses_default["max_deputies"]:
        steps.append(("departments.max_deputies", d.max_deputies, d.max_deputies + 1))
    if d.max_deputy_share < 1:
        steps.append(
            (
                "departments.max_deputy_share",
                d.max_deputy_share,
                _step(d.max_deputy_share, 0.1, hi=1),
            )
        )
    return steps


def relaxations(scenario: Scenario) -> list[Relaxation]:
    """Every policy of the scenario that is set and can be relaxed, each relaxed by one step.

    Steps: one more leadership post; min_reduction − 0.01; max_payroll + 1 %;
    min_income_raise − 1 %; max_overstaff + 0.1; workload_slack − 0.05 (not below
    0); max_leader_share + 0.1; min_lead_tasks − 1; an organisation's min_staff or
    min_leaders − 1; a department's (or the default) min_staff − 1, max_staff + 1,
    min_deputies − 1, max_deputies + 1, max_deputy_share + 0.1; a rule or a lock
    removed. Names follow the conflict vocabulary (``organizations:CD.min_leaders``,
    ``departments:D2.max_staff``, ``rules:row 3``, ``locks:row 2``; rows are
    spreadsheet rows, the header being row 1).
    """
    sc = scenario
    out: list[Relaxation] = []
    for name, current, relaxed in _setting_steps(sc):
        settings = sc.settings.with_overrides({name: relaxed})
        out.append(Relaxation(name, _num(current), _num(relaxed), _rebuild(sc, settings)))
    for i, org in enumerate(sc.organizations):
        for key in ("min_staff", "min_leaders"):
            value = getattr(org, key)
            if value > 0:
                orgs = list(sc.organizations)
                orgs[i] = org.model_copy(update={key: value - 1})
                out.append(
                    Relaxation(
                        f"organizations:{org.org_id}.{key}",
                        str(value),
                        str(value - 1),
                        _rebuild(sc, organizations=tuple(orgs)),
                    )
                )
    if sc.departments_given:
        for i, dept in enumerate(sc.departments):
            for key, delta in (("min_staff", -1), ("max_staff", 1), ("max_deputies", 1)):
                value = getattr(dept, key)
                if value is None or value + delta < 0:
                    continue
                depts = list(sc.departments)
                depts[i] = dept.model_copy(update={key: value + delta})
                out.append(
                    Relaxation(
                        f"departments:{dept.dept_id}.{key}",
                        str(value),
                        str(value + delta),
                        _rebuild(sc, departments=tuple(depts)),
                    )
                )
    for i, rule in enumerate(sc.rules):
        out.append(
            Relaxation(
                f"rules:row {row(i)}",
                f"{rule.rule.value} {rule.a} {rule.b}",
                "removed",
                _rebuild(sc, rules=sc.rules[:i] + sc.rules[i + 1 :]),
            )
        )
    for i, lock in enumerate(sc.locks):
        rest = sc.locks[:i] + sc.locks[i + 1 :]
        what = " ".join(
            str(v)
            for v in (
                lock.kind.value,
                lock.id,
                lock.dept_id,
                lock.role and lock.role.value,
                lock.lead_org,
            )
            if v
        )
        out.append(Relaxation(f"locks:row {row(i)}", what, "removed", _rebuild(sc, locks=rest)))
    return out


def changed_terms(before: dict[str, int], after: dict[str, int]) -> str:
    """``"payroll −3000; involuntary_exits +1"``: every term that differs, in §4 order."""
    parts = []
    for t in TERMS:
        delta = after.get(t, 0) - before.get(t, 0)
        if delta:
            parts.append(f"{t} {'+' if delta > 0 else '−'}{abs(delta)}")
    return "; ".join(parts)


def price(
    scenario: Scenario,
    *,
    time_limit: float | None = None,
    out: str | os.PathLike[str] | None = None,
    base: SolveResult | None = None,
    on_step: Step | None = None,
) -> pl.DataFrame:
    """The price of every policy: the objective saved by relaxing it one step (:func:`relaxations`).

    Each relaxed scenario is solved with the base plan as hint. ``saving =
    objective − objective_relaxed``; a policy is ``binding`` when ``saving > 0``.
    With both solves proven optimal the saving is exact. Otherwise the best plans
    known are compared, so that search noise does not pass for a price:

    - the base plan satisfies every relaxed scenario, so a relaxed solve that
      finds nothing better (or nothing in time) is credited with the base plan:
      ``objective_relaxed ≤ objective`` and ``saving ≥ 0`` always;
    - a relaxed plan that satisfies every policy of the scenario itself (checked)
      is a better base: ``objective`` is the best such plan's, for every row.

    ``proven`` is false, and ``note`` says why, when a figure is not proven optimal.
    ``changed`` lists the terms that differ (binding rows only, e.g.
    ``"involuntary_exits −2"``). Rows are sorted: binding policies by saving,
    then the others in the order of :func:`relaxations`.

    Parameters
    ----------
    time_limit
        Seconds for each solve (default ``[solver] time_limit``).
    base
        The scenario's own result when already solved (the CLI solves it first to
        report infeasibility); solved here otherwise. Without a plan, the result
        is an empty table.
    out
        When given, write ``out/prices.csv``.
    """
    from planner.solve import solve

    if base is None:
        base = solve(scenario, time_limit=time_limit, explain=False)
    rows: list[dict[str, object]] = []
    if base.plan is None or base.objective is None or not base.status.has_plan:
        log.warning(
            "price: the scenario itself has no plan (%s); nothing to price", base.status.value
        )
    else:
        todo = relaxations(scenario)
        solved = []
        for n, rel in enumerate(todo, start=1):
            solved.append(
                (rel, solve(rel.scenario, time_limit=time_limit, hint=base.plan, explain=False))
            )
            if on_step is not None:
                on_step(n, len(todo), rel.setting)
        best = _best_base(scenario, base, [r for _, r in solved])
        rows = [_price_row(rel, base, best, relaxed) for rel, relaxed in solved]
    frame = pl.DataFrame(rows, schema=PRICE_SCHEMA)
    if not frame.is_empty():
        frame = (
            frame.with_row_index("_order")
            .sort(
                [pl.col("binding").not_(), pl.col("saving").fill_null(0), "_order"],
                descending=[False, True, False],
            )
            .drop("_order")
        )
    if out is not None:
        Path(out).mkdir(parents=True, exist_ok=True)
        _write_csv(frame, Path(out) / "prices.csv")
    return frame


def _best_base(scenario: Scenario, base: SolveResult, relaxed: list[SolveResult]) -> SolveResult:
    """The best plan known for the scenario itself: the base, or a relaxed plan that keeps every policy."""
    if base.status is Status.OPTIMAL:
        return base  # nothing can beat a proven optimum
    best = base
    for r in relaxed:
        better = (
            r.plan is not None and r.objective is not None and r.objective < (best.objective or 0)
        )
        if better and check(scenario, r.plan).ok:  # type: ignore[arg-type]
            best = r.model_copy(update={"status": Status.FEASIBLE})
    if best is not base:
        log.info(
            "price: a relaxed solve improved the base plan from %s to %s",
            base.objective,
            best.objective,
        )
    return best


def _price_row(
    rel: Relaxation, base: SolveResult, best: SolveResult, relaxed: SolveResult
) -> dict[str, object]:
    objective = best.objective or 0
    notes = []
    if best is not base:
        notes.append(
            f"base improved from {base.objective} by a relaxed plan that keeps every policy"
        )
    elif base.status is not Status.OPTIMAL:
        notes.append("base not proven optimal")
    if relaxed.status.has_plan and relaxed.objective is not None and relaxed.objective <= objective:
        value, terms = relaxed.objective, relaxed.terms
        if relaxed.status is not Status.OPTIMAL:
            notes.append("relaxed not proven optimal")
    else:
        # The base plan satisfies the relaxed scenario: it stands in for a worse or missing plan.
        value, terms = objective, best.terms
        found = relaxed.status.value if not relaxed.status.has_plan else "a worse plan"
        notes.append(f"relaxed solve: {found}; the base plan stands in")
    saving = objective - value
    return {
        "setting": rel.setting,
        "current": rel.current,
        "relaxed": rel.relaxed,
        "objective": objective,
        "objective_relaxed": value,
        "saving": saving,
        "binding": saving > 0,
        "changed": changed_terms(best.terms, terms) if saving > 0 else "",
        "status": relaxed.status.value,
        "proven": base.status is Status.OPTIMAL and relaxed.status is Status.OPTIMAL,
        "note": "; ".join(notes),
    }


# -- comparing plans ----------------------------------------------------------------------

KPI_ROWS: tuple[tuple[str, Callable[[Summary], float | int | None]], ...] = (
    ("objective", lambda s: s.objective),
    ("units_before", lambda s: s.kpis.units_before),
    ("departments", lambda s: s.kpis.departments_after),
    ("posts_before", lambda s: s.kpis.posts_before),
    ("posts", lambda s: s.kpis.posts_after),
    ("headcount_before", lambda s: s.kpis.headcount_before),
    ("headcount", lambda s: s.kpis.headcount_after),
    ("exits", lambda s: s.kpis.exits),
    ("involuntary_exits", lambda s: s.kpis.involuntary_exits),
    ("reduction", lambda s: s.kpis.reduction),
    ("payroll_before", lambda s: s.kpis.payroll_before),
    ("payroll", lambda s: s.kpis.payroll_after),
    ("savings", lambda s: s.kpis.savings),
    ("income_raise_per_head", lambda s: s.kpis.income_raise_per_head),
    *(
        (t, (lambda s, t=t: s.terms.get(t)))
        for t in TERMS
        if t not in ("payroll", "involuntary_exits")
    ),
)
"""The rows of the KPI table: summary.json ``kpis``, then the §4 terms not already there."""

MOVE_SCHEMA = {
    "kind": pl.String,
    "id": pl.String,
    "plan": pl.String,
    "from_dept": pl.String,
    "to_dept": pl.String,
    "from_role": pl.String,
    "to_role": pl.String,
}


@dataclass(frozen=True)
class CompareResult:
    """KPIs side by side and what moves between the first plan and each other.

    ``kpis``: column ``kpi`` then one Float64 column per plan (its label).
    ``moves``: kind (staff | function), id, plan (the other plan's label),
    from_dept/to_dept (empty on exit) and from_role/to_role — the role for staff
    (head | deputy | member | exit), the lead organisation for a function.
    Identifiers only: never names or salaries.
    """

    labels: list[str]
    kpis: pl.DataFrame
    moves: pl.DataFrame
    statuses: dict[str, str] = field(default_factory=dict)


def _unique_labels(labels: Sequence[str]) -> list[str]:
    out: list[str] = []
    for label in labels:
        name, n = label, 2
        while name in out or name == "kpi":
            name, n = f"{label} ({n})", n + 1
        out.append(name)
    return out


def compare(plans: Sequence[tuple[str, Plan, Summary]]) -> CompareResult:
    """Compare plans (label, plan, summary): KPIs side by side, and the moves against the first plan.

    A staff member moves when their department or role differs; a function when
    its department or lead organisation differs. Plans of different scenarios
    may be compared: an id absent from one side has an empty department there.
    """
    if not plans:
        raise ValueError("compare needs at least one plan")
    labels = _unique_labels([label for label, _, _ in plans])
    table: dict[str, list[float | None]] = {}
    for label, (_, _, summary) in zip(labels, plans, strict=True):
        table[label] = [None if (v := get(summary)) is None else float(v) for _, get in KPI_ROWS]
    kpis = pl.DataFrame(
        {"kpi": [name for name, _ in KPI_ROWS], **table},
        schema={"kpi": pl.String, **dict.fromkeys(labels, pl.Float64)},
    )
    first = plans[0][1]
    moves: list[dict[str, str | None]] = []
    for label, (_, plan, _) in zip(labels[1:], plans[1:], strict=True):
        moves += _moves(first, plan, label)
    return CompareResult(
        labels=labels,
        kpis=kpis,
        moves=pl.DataFrame(moves, schema=MOVE_SCHEMA),
        statuses={lb: s.status.value for lb, (_, _, s) in zip(labels, plans, strict=True)},
    )


def _moves(a: Plan, b: Plan, label: str) -> list[dict[str, str | None]]:
    """Rows of :data:`MOVE_SCHEMA` for every staff member and function placed differently in b."""
    Where = dict[str, tuple[str | None, str | None]]
    sides: list[tuple[str, Where, Where]] = [
        (
            "staff",
            {s.staff_id: (s.dept_id, s.role.value) for s in a.staff},
            {s.staff_id: (s.dept_id, s.role.value) for s in b.staff},
        ),
        (
            "function",
            {f.function_id: (f.dept_id, f.lead_org) for f in a.functions},
            {f.function_id: (f.dept_id, f.lead_org) for f in b.functions},
        ),
    ]
    rows: list[dict[str, str | None]] = []
    for kind, before, after in sides:
        for key in [*before, *(k for k in after if k not in before)]:
            (from_dept, from_role), (to_dept, to_role) = (
                before.get(key, (None, None)),
                after.get(key, (None, None)),
            )
            if (from_dept, from_role) != (to_dept, to_role):
                rows.append(
                    {
                        "kind": kind,
                        "id": key,
                        "plan": label,
                        "from_dept": from_dept,
                        "to_dept": to_dept,
                        "from_role": from_role,
                        "to_role": to_role,
                    }
                )
    return rows


def compare_folders(paths: Sequence[str | os.PathLike[str]]) -> CompareResult:
    """:func:`compare` of plan folders, labelled by folder name (``PlanError`` on an unreadable one)."""
    from planner.io.plan_io import read_plan, read_summary

    folders = [Path(p) for p in paths]
    return compare([(f.name or str(f), read_plan(f), read_summary(f)) for f in folders])


def kpi_rows(result: CompareResult, *, pretty: bool = True) -> list[list[str]]:
    """The KPI table as text, a status row first.

    ``pretty``: thousands separators and the reduction as a percentage (for
    people); otherwise plain numbers (for CSV), integers without decimals.
    """
    rows = [["status", *(result.statuses.get(lb, "") for lb in result.labels)]]
    for rec in result.kpis.iter_rows(named=True):
        cells = [rec["kpi"]]
        for lb in result.labels:
            v = rec[lb]
            if v is None:
                cells.append("")
            elif not pretty:
                cells.append(str(int(v)) if float(v).is_integer() else repr(v))
            elif rec["kpi"] == "reduction":
                cells.append(f"{v:.2%}")
            else:
                cells.append(f"{v:,.0f}" if float(v).is_integer() else f"{v:,}")
        rows.append(cells)
    return rows


def write_compare(result: CompareResult, path: str | os.PathLike[str]) -> list[Path]:
    """``FILE.csv`` (KPIs) and ``FILE.moves.csv``, or ``FILE.xlsx`` with sheets kpis and moves."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.suffix.lower() == ".csv":
        moves = target.with_name(target.stem + ".moves.csv")
        _write_csv(_with_status(result), target)
        _write_csv(result.moves, moves)
        return [target, moves]
    if target.suffix.lower() == ".xlsx":
        import xlsxwriter

        def write(tmp: Path) -> None:
            with xlsxwriter.Workbook(tmp) as wb:
                ws = wb.add_worksheet("kpis")
                bold = wb.add_format({"bold": True})
                ws.write_row(0, 0, ["kpi", *result.labels], bold)
                ws.write_row(
                    1, 0, ["status", *(result.statuses.get(lb, "") for lb in result.labels)]
                )
                for r, rec in enumerate(result.kpis.iter_rows(), start=2):
                    for c, v in enumerate(rec):
                        if v is not None:
                            ws.write(r, c, v)
                ws.set_column(0, 0, 24)
                mv = wb.add_worksheet("moves")
                mv.write_row(0, 0, list(MOVE_SCHEMA), bold)
                for r, rec in enumerate(result.moves.iter_rows(), start=1):
                    mv.write_row(r, 0, [v or "" for v in rec])

        durable.write_atomically(target, write)
        return [target]
    raise ValueError(f"--out {target}: use a .csv or .xlsx file")


def _with_status(result: CompareResult) -> pl.DataFrame:
    """The KPI table as text with the status row, for CSV."""
    rows = kpi_rows(result, pretty=False)
    cols = ["kpi", *result.labels]
    return pl.DataFrame(
        [dict(zip(cols, r, strict=True)) for r in rows], schema=dict.fromkeys(cols, pl.String)
    )


# -- files ----------------------------------------------------------------------------------


def _write_csv(frame: pl.DataFrame, path: Path) -> None:
    """Write a CSV in one step (a temporary file beside it, flushed, then a rename)."""
    durable.write_atomically(path, frame.write_csv)


def _write_text(path: Path, text: str) -> None:
    durable.write_text_atomically(path, text)


__all__ = [
    "CompareResult",
    "ParetoPoint",
    "ParetoResult",
    "Relaxation",
    "changed_terms",
    "check_terms",
    "compare",
    "compare_folders",
    "epsilon_grid",
    "kpi_rows",
    "non_dominated",
    "pareto",
    "price",
    "relaxations",
    "solve_bounded",
    "write_compare",
]
