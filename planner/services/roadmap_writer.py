"""Write a roadmap folder (SPEC §8) atomically, checked again before anything reaches disk."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from models import RoadmapResult, RoadmapSummary, Scenario
from planner.checking.check_roadmap import check_roadmap
from planner.export.roadmap_export import write_roadmap_exports
from planner.io import write_scenario
from planner.io.plan_io import SCENARIO_COPY, atomic_folder, is_plan_folder
from planner.io.roadmap_io import write_roadmap_summary, write_roadmap_tables

log = logging.getLogger("planner")


def write_roadmap_folder(
    scenario: Scenario,
    result: RoadmapResult,
    summary: RoadmapSummary,
    folder: str | os.PathLike[str],
) -> Path:
    """Tables, summary.json, exports and the scenario copy; ``folder`` replaced only when all is written.

    A draft (``result.draft``, summary status ``draft``) is written the same way; the
    checker then confirms that its listed violations are exactly those present.
    """
    roadmap = result.roadmap if result.status.has_plan else result.draft
    if roadmap is None:
        raise ValueError(f"no roadmap to write (status {result.status.value})")
    report = check_roadmap(scenario, roadmap, summary)
    if not report.ok:
        raise RuntimeError(
            "refusing to write a roadmap that fails the checker: " + "; ".join(report.lines()[:5])
        )
    with atomic_folder(folder, replace=is_plan_folder) as tmp:
        write_roadmap_tables(roadmap, summary, tmp)
        write_scenario(scenario, tmp / SCENARIO_COPY)
        write_roadmap_exports(scenario, roadmap, summary, tmp)
    return Path(folder)


def write_roadmap_outcome(summary: RoadmapSummary, folder: str | os.PathLike[str]) -> Path | None:
    """A run without a roadmap: summary.json only; an earlier roadmap or plan is never replaced."""
    if (Path(folder) / "staff.csv").exists():
        return None
    with atomic_folder(folder, replace=is_plan_folder) as tmp:
        write_roadmap_summary(summary, tmp)
    return Path(folder)
