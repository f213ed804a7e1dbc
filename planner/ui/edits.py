"""Edited copies of a scenario, validated again: the one pure helper the pages and
:mod:`planner.ui.relax` share (no Streamlit here, so that neither imports the other's
session code: ``relax`` used to import ``state``, which imports ``relax``)."""

from __future__ import annotations

from typing import Any

from models import Scenario


def rebuild(scenario: Scenario, **changes: Any) -> Scenario:
    """A validated copy of ``scenario`` with some fields replaced.

    ``model_copy(update=...)`` would skip validation; this goes through the
    model's validators so that every cross-reference is checked again. When
    the target departments were generated (no departments.csv), they are
    generated again from the new ``departments.count``.
    """
    fields: dict[str, Any] = {
        "settings": scenario.settings,
        "organizations": scenario.organizations,
        "units": scenario.units,
        "staff": scenario.staff,
        "functions": scenario.functions,
        "departments": scenario.departments if scenario.departments_given else (),
        "rules": scenario.rules,
        "locks": scenario.locks,
        "settings_text": scenario.settings_text,  # comments kept when written back
    }
    fields.update(changes)
    return Scenario(**fields)
