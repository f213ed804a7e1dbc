"""Exports a planner can send: plan.xlsx, structure.svg, report.html and plan.json.

Every exporter takes ``(scenario, plan, summary, path)`` and replaces its file
atomically. ``planner export PLAN --format FMT`` calls ``EXPORTERS[FMT]`` and
writes ``FILE_NAMES[FMT]`` in the plan folder; ``planner solve`` calls
``write_all``. ``anonymize`` swaps staff names for stable pseudonyms first
(``--anonymize``).
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from models import Plan, Scenario, Summary
from planner.export.anonymize import anonymize, pseudonyms
from planner.export.html import report_html, write_html
from planner.export.json_export import plan_document, plan_json_schema, write_json
from planner.export.svg import flow_svg, structure_svg, write_svg
from planner.export.xlsx import write_xlsx

Exporter = Callable[..., None]

EXPORTERS: dict[str, Exporter] = {
    "xlsx": write_xlsx,
    "svg": write_svg,
    "html": write_html,
    "json": write_json,
}
FILE_NAMES: dict[str, str] = {
    "xlsx": "plan.xlsx",
    "svg": "structure.svg",
    "html": "report.html",
    "json": "plan.json",
}


def export(
    fmt: str,
    scenario: Scenario,
    plan: Plan,
    summary: Summary,
    folder: str | os.PathLike[str],
    *,
    lang: str = "vi",
) -> Path:
    """Write one export ``fmt`` into ``folder`` under its SPEC file name; returns the path.

    ``lang`` reaches the exporters that have words to translate (xlsx labels, svg, html).
    """
    if fmt not in EXPORTERS:
        raise ValueError(f"unknown export format '{fmt}': choose one of {', '.join(EXPORTERS)}")
    path = Path(folder) / FILE_NAMES[fmt]
    writer = EXPORTERS[fmt]
    options: dict[str, Any] = (
        {"lang": lang} if "lang" in inspect.signature(writer).parameters else {}
    )
    writer(scenario, plan, summary, path, **options)
    return path


def write_all(
    scenario: Scenario,
    plan: Plan,
    summary: Summary,
    folder: str | os.PathLike[str],
    *,
    lang: str = "vi",
    formats: tuple[str, ...] = tuple(EXPORTERS),
) -> list[Path]:
    """Write every export (or ``formats``) into ``folder``; returns the paths written."""
    Path(folder).mkdir(parents=True, exist_ok=True)
    return [export(fmt, scenario, plan, summary, folder, lang=lang) for fmt in formats]


__all__ = [
    "EXPORTERS",
    "FILE_NAMES",
    "anonymize",
    "export",
    "flow_svg",
    "plan_document",
    "plan_json_schema",
    "pseudonyms",
    "report_html",
    "structure_svg",
    "write_all",
    "write_html",
    "write_json",
    "write_svg",
    "write_xlsx",
]
