"""Reuse a proven optimum after a change that only narrows the scenario.

A planner who tightens a target (a larger ``min_reduction``, fewer leadership
posts, a lower ``max_overstaff`` …) often keeps the plan she had. Then no solve
is needed: if every plan feasible under the new scenario is feasible under the
old one (the new scenario *narrows* the old) and both rank plans by the same
objective, an optimal plan of the old scenario that is still feasible is optimal
for the new one — the minimum over a subset is at least the minimum over the
whole set, and that plan attains it. The same holds term by term in
lexicographic mode.

:func:`narrowing` decides "narrows" conservatively, from the settings of SPEC §2
and §3 only: every table must be equal (locks and rules may only be added,
organisations' minima may only rise), the objective, base salary and
allowances equal, and each target or department limit may only move in the
direction that removes plans:

====================================  =========================  ===========
setting                               constraint                 narrows when
====================================  =========================  ===========
targets.min_reduction                 C7 exits ≥ ⌈x · n⌉         raised (or set)
targets.min_income_raise              C8 saving ≥ x · retained   raised (or set)
targets.workload_slack                C3 fte ≥ (1 + x) · W       raised (or set)
targets.min_lead_tasks                C11 leads ≥ x              raised (or set)
departments.min_staff, min_deputies   C5, C6                     raised
targets.max_leadership_posts          C6 posts ≤ x               lowered (or set)
targets.max_payroll                   C8 payroll ≤ x             lowered (or set)
targets.max_overstaff                 C3 fte ≤ (1 + x) · W + 1   lowered (or set)
targets.max_leader_share              C9 posts_o ≤ x · posts     lowered (or set)
departments.max_staff, max_deputies,  C5, C6                     lowered
max_deputy_share
organizations.min_staff, min_leaders  C9                         raised
locks.csv, rules.csv (C12, C13)       every row must hold        rows added
====================================  =========================  ===========

Any other difference (a staff row, a weight, the number of departments, …)
means "cannot tell", and the scenario is solved as usual. The reused plan is
checked against the new scenario by the independent checker like every plan.
"""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path
from typing import Any

from models import Scenario, SolveResult, Status
from planner.checking.check import check, objective_value
from planner.io import InputError, read_scenario, scenario_sha256

log = logging.getLogger("planner")

RAISE_NARROWS = {
    "targets": ("min_reduction", "min_income_raise", "workload_slack", "min_lead_tasks"),
    "departments": ("min_staff", "min_deputies"),
}
LOWER_NARROWS = {
    "targets": ("max_leadership_posts", "max_payroll", "max_overstaff", "max_leader_share"),
    "departments": ("max_staff", "max_deputies", "max_deputy_share"),
}
FREE = {"scenario": ("name", "currency"), "solver": None, "roadmap": None}
"""Settings that cannot change the feasible set or the ranking (None: the whole section)."""


def narrowing(old: Scenario, new: Scenario) -> list[str] | None:
    """The settings changed from ``old`` to ``new`` when ``new`` narrows ``old``; else None.

    ``[]`` means no change that matters (the same feasible set and ranking).
    """
    changed: list[str] = []
    a, b = old.settings.model_dump(), new.settings.model_dump()
    for section in a:
        free = FREE.get(section, ())
        if free is None:
            continue
        up, down = RAISE_NARROWS.get(section, ()), LOWER_NARROWS.get(section, ())
        for key, before in a[section].items():
            after = b[section][key]
            if key in free or before == after:
                continue
            if (
                key in up
                and (before is None or (after is not None and after > before))
                or key in down
                and (before is None or (after is not None and after < before))
            ):
                changed.append(f"{section}.{key}")
            else:
                return None
    for table in ("units", "staff", "functions", "departments"):
        if getattr(old, table) != getattr(new, table):
            return None
    if old.departments_given != new.departments_given:
        return None
    orgs = _organizations(old, new)
    if orgs is None:
        return None
    changed += orgs
    for table in ("locks", "rules"):
        before, after = set(getattr(old, table)), set(getattr(new, table))
        if not before <= after:
            return None
        if after - before:
            changed.append(f"{table}.csv")
    return changed


def _organizations(old: Scenario, new: Scenario) -> list[str] | None:
    """C9 minima may only rise; everything else about organisations must be equal."""
    if [o.org_id for o in old.organizations] != [o.org_id for o in new.organizations]:
        return None
    changed = []
    for before, after in zip(old.organizations, new.organizations, strict=True):
        for key in ("min_staff", "min_leaders"):
            if getattr(after, key) < getattr(before, key):
                return None
            if getattr(after, key) > getattr(before, key):
                changed.append(f"organizations.{before.org_id}.{key}")
    return changed


def reuse_optimum(scenario: Scenario, previous: tuple[Scenario, SolveResult]) -> SolveResult | None:
    """The previous optimal plan, proven optimal for ``scenario`` without a solve; or None.

    ``previous`` is the scenario solved before and its result. None unless that
    result is optimal, ``scenario`` narrows its scenario (:func:`narrowing`), the
    solve is not ``deterministic`` (whose plan must depend on the scenario and seed
    alone), and the plan passes :func:`planner.checking.check.check` under ``scenario``.
    """
    start = time.perf_counter()
    old_scenario, old = previous
    if old.status is not Status.OPTIMAL or old.plan is None or old.objective is None:
        return None
    if scenario.settings.solver.deterministic:
        return None
    changed = narrowing(old_scenario, scenario)
    if changed is None:
        return None
    report = check(scenario, old.plan)
    if not report.ok:
        return None
    objective = objective_value(report.terms, scenario.settings)
    if objective != old.objective:  # the same plan and weights: a mismatch is a bug
        log.error("reuse: objective %d != previous %d; solving instead", objective, old.objective)
        return None
    log.info("previous optimum still feasible after narrowing %s: reused", ", ".join(changed))
    stats: dict[str, Any] = {"reused_optimum": changed, "ortools": old.stats.get("ortools")}
    return SolveResult(
        status=Status.OPTIMAL,
        objective=objective,
        bound=objective,
        gap=0.0,
        runtime=round(time.perf_counter() - start, 3),
        terms=report.terms,
        kpis=report.kpis,
        plan=old.plan,
        stats=stats,
    )


def previous_from_folder(folder: str | os.PathLike[str]) -> tuple[Scenario, SolveResult] | None:
    """The solved scenario and optimal result kept in a plan folder (``--hint PLAN``); or None.

    None unless summary.json says ``optimal`` and the folder's scenario copy is the
    one that was solved (its SHA-256 equals the summary's ``input_sha256``).
    """
    from planner.io.plan_io import SCENARIO_COPY, read_plan, read_summary

    try:
        summary = read_summary(folder)
        if summary.status is not Status.OPTIMAL or summary.objective is None:
            return None
        copy = Path(folder) / SCENARIO_COPY
        if not copy.is_dir():
            return None
        old = read_scenario(copy)
        if not summary.input_sha256 or scenario_sha256(old) != summary.input_sha256:
            return None
        plan = read_plan(folder)
    except (InputError, OSError, ValueError):
        return None
    result = SolveResult(
        status=Status.OPTIMAL,
        objective=summary.objective,
        bound=summary.bound,
        gap=summary.gap,
        terms=summary.terms,
        kpis=summary.kpis,
        plan=plan,
        stats={"ortools": summary.solver.version},
    )
    return old, result
