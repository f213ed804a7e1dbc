"""Derived scenarios: one way (``Scenario.replace``), validated again, with fresh lookups.

A scenario precomputes lookups (``domains``, ``functions_by_unit``, ``required_exits`` …)
on first use. A copy that carried them over from the original would answer with the
original's tables; pydantic's ``model_copy(update=…)`` did exactly that.
"""

from __future__ import annotations

import pytest

from models import Scenario
from tests.tiny import person, tiny, work


def _used(sc: Scenario) -> Scenario:
    """``sc`` with every lookup computed (cached), as after a solve."""
    assert sc.domains and sc.functions_by_unit and sc.staff_org and sc.dept_ids
    assert sc.required_exits >= 0
    return sc


def _law_work_added(sc: Scenario) -> tuple:
    return (*sc.functions, work("f2", domain="law", unit_id="UA"))


@pytest.mark.parametrize(
    "derive",
    [
        lambda sc, functions: sc.replace(functions=functions),
        lambda sc, functions: sc.model_copy(update={"functions": functions}),
    ],
    ids=["replace", "model_copy"],
)
def test_a_derived_scenario_has_fresh_lookups(derive) -> None:  # type: ignore[no-untyped-def]
    sc = _used(tiny())
    derived = derive(sc, _law_work_added(sc))
    assert derived.domains == ("office", "law")
    assert derived.functions_by_unit == {"UA": ("f2",)}
    assert sc.domains == ("office",)  # the original is untouched


def test_other_settings_give_fresh_lookups() -> None:
    sc = _used(tiny(targets={"min_reduction": 0.0}))
    assert sc.required_exits == 0
    tighter = sc.with_settings(sc.settings.with_overrides({"targets.min_reduction": 0.5}))
    assert tighter.required_exits == 2  # ceil(0.5 × 3 staff)
    more = sc.replace(staff=(*sc.staff, person("m3")))
    assert set(more.staff_org) == {"h", "m1", "m2", "m3"}


def test_a_derived_scenario_is_validated_again() -> None:
    sc = tiny()
    with pytest.raises(ValueError, match="unknown unit 'NOWHERE'"):
        sc.replace(staff=(*sc.staff, person("x", unit="NOWHERE")))
    with pytest.raises(ValueError, match="unknown unit 'NOWHERE'"):
        sc.model_copy(update={"staff": (*sc.staff, person("x", unit="NOWHERE"))})


def test_generated_departments_follow_the_count_and_notes_are_kept() -> None:
    sc = tiny().replace(settings_text="# kept\n")
    assert sc.dept_ids == ("D1",) and not sc.departments_given
    two = sc.with_settings(sc.settings.with_overrides({"departments.count": 2}))
    assert two.dept_ids == ("D1", "D2")
    assert two.settings_text == "# kept\n"  # the writer keeps the file's comments


def test_a_copy_that_changes_only_notes_keeps_the_warnings() -> None:
    sc = tiny().model_copy(update={"warnings": ("rules.csv:2:-: a vacuous rule",)})
    noted = sc.model_copy(update={"settings_text": "# text\n"})
    assert noted.warnings == sc.warnings and noted.settings_text == "# text\n"
    assert noted == sc  # notes are not input
