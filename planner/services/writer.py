"""Write a plan folder (SPEC §5) atomically, and rewrite one export of it.

A plan folder also keeps a copy of the scenario it answers in ``scenario/``
(an extension of §5), so that ``planner export``, ``planner compare`` and the
app can rebuild every export from the folder alone.
"""

from __future__ import annotations

import os
from pathlib import Path

from models import Scenario, SolveResult, Summary
from planner.checking.check import check
from planner.export import EXPORTERS, export, write_all
from planner.io import read_scenario, write_scenario
from planner.io.plan_io import (
    SCENARIO_COPY,
    atomic_folder,
    is_plan_folder,
    read_plan,
    read_summary,
    write_plan_tables,
    write_summary,
)


def write_plan_folder(
    scenario: Scenario, result: SolveResult, summary: Summary, folder: str | os.PathLike[str]
) -> Path:
    """Write tables, summary.json, exports and the scenario copy; replace ``folder`` only when all is written.

    The plan is checked again here, so that nothing unchecked can reach disk.
    """
    if result.plan is None or not result.status.has_plan:
        raise ValueError(f"no plan to write (status {result.status.value})")
    report = check(scenario, result.plan)
    if not report.ok:
        raise RuntimeError(
            "refusing to write a plan that fails the checker: " + "; ".join(report.lines()[:5])
        )
    with atomic_folder(folder, replace=is_plan_folder) as tmp:
        write_plan_tables(result.plan, summary, tmp)
        write_scenario(scenario, tmp / SCENARIO_COPY)
        write_all(scenario, result.plan, summary, tmp)
    return Path(folder)


def write_draft_folder(
    scenario: Scenario, result: SolveResult, summary: Summary, folder: str | os.PathLike[str]
) -> Path:
    """A draft plan (SPEC §5, ``planner solve --draft``): the same folder as a plan, with
    summary.json ``status: "draft"`` and its ``violations``, and every export saying
    first that it is a draft. Checked here as ``planner check`` checks it: the listed
    violations must be exactly those present, and the terms must match."""
    if result.draft is None:
        raise ValueError(f"no draft to write (status {result.status.value})")
    report = check(scenario, result.draft, summary)
    if not report.ok:
        raise RuntimeError(
            "refusing to write a draft the checker does not confirm: "
            + "; ".join(report.lines()[:5])
        )
    with atomic_folder(folder, replace=is_plan_folder) as tmp:
        write_plan_tables(result.draft, summary, tmp)
        write_scenario(scenario, tmp / SCENARIO_COPY)
        write_all(scenario, result.draft, summary, tmp)
    return Path(folder)


def write_outcome_folder(summary: Summary, folder: str | os.PathLike[str]) -> Path | None:
    """A run without a plan (infeasible, timeout, invalid): ``summary.json`` only — status
    and conflicts — and no assignment files (SPEC §5), replacing ``folder`` atomically.

    An earlier plan is never replaced (SPEC §5: a failed run leaves it intact): then
    nothing is written and None is returned.
    """
    if (Path(folder) / "staff.csv").exists():
        return None
    with atomic_folder(folder, replace=is_plan_folder) as tmp:
        write_summary(summary, tmp)
    return Path(folder)


def rewrite_export(
    folder: str | os.PathLike[str], fmt: str, *, anonymize: bool = False, lang: str = "vi"
) -> Path:
    """(Re)write one export (``xlsx``, ``svg``, ``html``, ``json``) of a plan folder, atomically."""
    if fmt not in EXPORTERS:
        raise ValueError(f"unknown format '{fmt}': use one of {', '.join(EXPORTERS)}")
    folder = Path(folder)
    scenario = read_scenario(folder / SCENARIO_COPY)
    if anonymize:
        from planner.export.anonymize import anonymize as pseudonymise

        scenario = pseudonymise(scenario)
    plan, summary = read_plan(folder), read_summary(folder)
    return export(
        fmt, scenario, plan, summary, folder, lang=lang
    )  # each writer replaces its file atomically
