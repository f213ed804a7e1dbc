"""The price of each policy (``planner price``).

:func:`price` relaxes every policy of the scenario by one step and re-solves:
the saving in the objective is what the policy costs; a policy is binding when
the saving is positive.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import polars as pl

from models import TERMS, ObjectiveMode, Scenario, SolveResult, Status, exact
from models.problems import row
from planner.checking.check import check
from planner.tradeoffs.common import Budget, Step, write_csv

log = logging.getLogger("planner")

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
    "saving_low": pl.Int64,
    "saving_high": pl.Int64,
    "binding": pl.Boolean,
    "changed": pl.String,
    "status": pl.String,
    "proven": pl.Boolean,
    "note": pl.String,
}


def _num(value: float | int) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


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
        out.append(Relaxation(name, _num(current), _num(relaxed), sc.with_settings(settings)))
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
                        sc.replace(organizations=tuple(orgs)),
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
                        sc.replace(departments=tuple(depts)),
                    )
                )
    for i, rule in enumerate(sc.rules):
        out.append(
            Relaxation(
                f"rules:row {row(i)}",
                f"{rule.rule.value} {rule.a} {rule.b}",
                "removed",
                sc.replace(rules=sc.rules[:i] + sc.rules[i + 1 :]),
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
        out.append(Relaxation(f"locks:row {row(i)}", what, "removed", sc.replace(locks=rest)))
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

    ``saving_low`` and ``saving_high`` bound the true saving from the bounds of the
    solves (``_price_row``): a looser scenario's bound holds for the tighter one, so
    every relaxed solve's bound lifts the base's. ``proven`` when they meet (both
    solves optimal, or the bounds close the gap without that); ``note`` says why not.
    ``changed`` lists the terms that differ (binding rows only, e.g.
    ``"involuntary_exits −2"``). Rows are sorted: binding policies by saving,
    then the others in the order of :func:`relaxations`.

    The run shares one time budget (:class:`~planner.tradeoffs.common.Budget`):
    the base solve (when not given) gets a quarter of it, each relaxed solve an
    equal share of what is left, so a solve proven early passes its time on.
    Rows the budget cannot reach are not solved: the base plan stands in for them
    (``status`` timeout, ``proven`` false, ``note`` says so).

    Parameters
    ----------
    time_limit
        Seconds for the whole run (default :data:`~planner.tradeoffs.common.DEFAULT_BUDGET`).
    base
        The scenario's own result when already solved (the CLI solves it first to
        report infeasibility); solved here otherwise. Without a plan, the result
        is an empty table. Its plan is the hint of every relaxed solve (it
        satisfies every relaxed scenario).
    out
        When given, write ``out/prices.csv``.
    """
    from planner.search.solve import solve

    budget = Budget(time_limit, deterministic=scenario.settings.solver.deterministic)
    todo = relaxations(scenario)
    if base is None:
        base_limit = budget.share(len(todo) + 1, weight=max(1.0, len(todo) / 3))
        base = (
            solve(scenario, time_limit=base_limit, explain=False)
            if base_limit is not None
            else SolveResult(status=Status.TIMEOUT)
        )
    rows: list[dict[str, object]] = []
    if base.plan is None or base.objective is None or not base.status.has_plan:
        log.warning(
            "price: the scenario itself has no plan (%s); nothing to price", base.status.value
        )
    else:
        solved = []
        for n, rel in enumerate(todo, start=1):
            limit = budget.share(len(todo) - n + 1)
            if limit is None:
                relaxed = SolveResult(status=Status.TIMEOUT, stats={"skipped": True})
            else:
                relaxed = solve(rel.scenario, time_limit=limit, hint=base.plan, explain=False)
            solved.append((rel, relaxed))
            if on_step is not None:
                on_step(n, len(todo), rel.setting)
        best = _best_base(scenario, base, [r for _, r in solved])
        weighted = scenario.settings.objective.mode is ObjectiveMode.WEIGHTED
        floor = _base_floor(base, [r for _, r in solved]) if weighted else None
        rows = [
            _price_row(rel, base, best, relaxed, floor, weighted=weighted)
            for rel, relaxed in solved
        ]
        log.info(
            "price: %d of %d row(s) proven in %.1f s of %.0f s",
            sum(bool(r["proven"]) for r in rows),
            len(rows),
            budget.elapsed(),
            budget.seconds,
        )
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
        write_csv(frame, Path(out) / "prices.csv")
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


def saving_range(
    low: int | None, high: int | None, num: Callable[[int], str] = "{:,}".format
) -> str:
    """The proven range of a saving for people: "a–b", "a" when it is closed, "≥ a",
    "≤ b" or "—" (no bound known); ``num`` formats a number (the app's per language)."""
    if low is not None and high is not None:
        return num(low) if low == high else f"{num(low)}–{num(high)}"
    if low is not None:
        return f"≥ {num(low)}"
    return f"≤ {num(high)}" if high is not None else "—"


def _base_floor(base: SolveResult, relaxed: list[SolveResult]) -> int | None:
    """A lower bound on the scenario's optimum from every solve of the run.

    Each relaxed scenario admits every plan of the scenario itself, so its optimum is at
    most the scenario's: a bound proven for a looser scenario holds for the tighter one
    (``max(bound_base, bound_relaxed …)``)."""
    bounds = [r.bound for r in (base, *relaxed) if r.bound is not None and r.status.has_plan]
    return max(bounds) if bounds else None


def _price_row(
    rel: Relaxation,
    base: SolveResult,
    best: SolveResult,
    relaxed: SolveResult,
    floor: int | None = None,
    *,
    weighted: bool = True,
) -> dict[str, object]:
    """One row of the table. The true saving ``OPT − OPT_relaxed`` lies in

        [max(0, floor − objective_relaxed), objective − bound_relaxed]

    (``floor``: ``_base_floor``; ``objective``: the best plan known for the scenario;
    ``objective_relaxed``: the best plan known for the relaxed one, at most
    ``objective``); the row is proven when the two ends meet. In lexicographic mode a
    result's bound is not a bound on the weighted sum: the saving is known only when
    both solves are optimal."""
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
        if relaxed.stats.get("skipped"):
            notes.append("not solved: the run's time limit was spent; the base plan stands in")
        else:
            found = relaxed.status.value if not relaxed.status.has_plan else "a worse plan"
            notes.append(f"relaxed solve: {found}; the base plan stands in")
    saving = objective - value
    low: int | None
    high: int | None
    if weighted:
        low = max(0, floor - value) if floor is not None else None
        high = objective - relaxed.bound if relaxed.bound is not None else None
    else:
        both = base.status is Status.OPTIMAL and relaxed.status is Status.OPTIMAL
        low = high = saving if both else None
    proven = low is not None and high is not None and low == high
    if proven and notes:
        notes.append("the saving is proven by the bounds of the two solves")
    return {
        "setting": rel.setting,
        "current": rel.current,
        "relaxed": rel.relaxed,
        "objective": objective,
        "objective_relaxed": value,
        "saving": saving,
        "saving_low": low,
        "saving_high": high,
        "binding": saving > 0,
        "changed": changed_terms(best.terms, terms) if saving > 0 else "",
        "status": relaxed.status.value,
        "proven": proven,
        "note": "; ".join(notes),
    }
