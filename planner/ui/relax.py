"""Conflicts of an infeasible solve: a plain sentence each and a one-step relaxation.

``planner.solve`` names the settings that cannot hold together in the SPEC's
vocabulary (``targets.min_reduction``, ``organizations:CD.min_leaders``,
``departments:D3.max_staff``, ``locks:row 3`` …; rows are spreadsheet rows,
the header being row 1). :func:`analyse` gives the values of the name's
translated sentence and the scenario with that one setting loosened by one
step (the steps of ``planner.tradeoffs.relaxations``, as ``planner price``),
or None when the name is data that a planner fixes in the files (a skill, a
protected person) rather than a setting. When the solver names nothing,
:func:`changes` lists the settings edited since the file and :func:`restore`
puts one back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from models import Scenario

_SETTING = re.compile(r"^(targets|departments|allowances)\.(\w+)$")
_ORG = re.compile(r"^organizations:(.+)\.(min_staff|min_leaders)$")
_DEPT = re.compile(r"^departments:(.+)\.(min_staff|max_staff|max_deputies)$")
_ROW = re.compile(r"^(locks|rules):row (\d+)$")


@dataclass(frozen=True)
class Conflict:
    """One named setting of a conflict set, as the app shows it."""

    name: str
    key: str
    """The i18n key of its sentence: ``conflict.targets.min_reduction`` …"""
    values: dict[str, Any]
    """Values for the sentence: ``value``, ``new`` and the subject (``org``, ``dept``, ``row``)."""
    relaxed: Scenario | None
    """The scenario with this one setting relaxed by one step; None when not relaxable here."""


def relaxations(sc: Scenario) -> dict[str, Any]:
    """Every one-step relaxation of ``sc`` by conflict name, as ``planner price`` defines the steps.

    ``planner.tradeoffs.relaxations`` is the single definition of "one step"
    (min_reduction − 0.01, one more post, an organisation's minimum − 1, a row
    removed, …); ``departments.count`` is added here: with generated departments,
    one department fewer is the looser setting (every department must be used).
    """
    from planner.tradeoffs import Relaxation
    from planner.tradeoffs import relaxations as steps

    out: dict[str, Any] = {r.setting: r for r in steps(sc)}
    count = sc.settings.departments.count
    if not sc.departments_given and count > 1:
        settings = sc.settings.with_overrides({"departments.count": count - 1})
        out["departments.count"] = Relaxation(
            "departments.count", str(count), str(count - 1), sc.replace(settings=settings)
        )
    return out


def analyse(sc: Scenario, name: str, steps: dict[str, Any] | None = None) -> Conflict:
    """The sentence values and the one-step relaxation of the conflict ``name``."""
    try:
        return _analyse(sc, name, relaxations(sc) if steps is None else steps)
    except (ValueError, TypeError, KeyError, IndexError, StopIteration):
        # a relaxation that the models refuse is shown without its button
        return Conflict(name, _generic_key(name), {"name": name}, None)


def _generic_key(name: str) -> str:
    return f"conflict.{name}" if name.count(".") == 1 and ":" not in name else "conflict.other"


def _number(text: str | None) -> Any:
    if text is None:
        return None
    try:
        value = float(text)
    except ValueError:
        return text
    return int(value) if value.is_integer() and "." not in text else value


def _analyse(sc: Scenario, name: str, steps: dict[str, Any]) -> Conflict:
    step = steps.get(name)
    relaxed = step.scenario if step is not None else None
    new = _number(step.relaxed) if step is not None else None
    s = sc.settings
    if m := _SETTING.match(name):
        section, key = m.groups()
        value = getattr(getattr(s, section), key, None)
        return Conflict(name, f"conflict.{name}", {"value": value, "new": new}, relaxed)
    if m := _ORG.match(name):
        org_id, key = m.groups()
        org = next(o for o in sc.organizations if o.org_id == org_id)
        return Conflict(
            name,
            f"conflict.organizations.{key}",
            {"org": org.name or org_id, "value": getattr(org, key), "new": new},
            relaxed,
        )
    if m := _DEPT.match(name):
        dept_id, key = m.groups()
        dept = next(d for d in sc.departments if d.dept_id == dept_id)
        lo, hi, dep = sc.dept_limits(dept)
        value = {"min_staff": lo, "max_staff": hi, "max_deputies": dep}[key]
        return Conflict(
            name,
            f"conflict.departments_one.{key}",
            {"dept": dept.name or dept_id, "value": value, "new": new},
            relaxed,
        )
    if m := _ROW.match(name):
        table, row = m.group(1), int(m.group(2))
        rows = getattr(sc, table)
        index = row - 2  # spreadsheet row: the header is row 1
        what = _describe_row(table, rows[index]) if 0 <= index < len(rows) else ""
        return Conflict(name, f"conflict.{table}_row", {"row": row, "what": what}, relaxed)
    return Conflict(name, _generic_key(name), {"name": name}, relaxed)


def _describe_row(table: str, row: Any) -> str:
    if table == "locks":
        parts = [row.kind.value, row.id]
        if row.dept_id:
            parts.append(f"→ {row.dept_id}")
        if getattr(row, "role", None) is not None:
            parts.append(row.role.value)
        if getattr(row, "lead_org", None):
            parts.append(f"lead {row.lead_org}")
        return " ".join(parts)
    return f"{row.rule.value} {row.a} / {row.b}"


def relax(sc: Scenario, name: str) -> Scenario | None:
    """``sc`` with the setting ``name`` loosened by one step (None when it cannot be)."""
    return analyse(sc, name).relaxed


# -- when the solver names no conflict: the settings changed since the file ------------------------


@dataclass(frozen=True)
class Change:
    """One setting that differs from the scenario file, in the conflicts' vocabulary."""

    name: str
    file_value: Any
    value: Any


def changes(base: Scenario, sc: Scenario) -> list[Change]:
    """Settings of ``sc`` that differ from ``base`` (the file): the natural suspects of an infeasibility."""
    out: list[Change] = []
    a, b = base.settings.model_dump(), sc.settings.model_dump()
    for section in ("targets", "departments", "allowances", "scenario", "objective"):
        for key, value in b[section].items():
            if a[section].get(key) != value:
                out.append(Change(f"{section}.{key}", a[section].get(key), value))
    for o0, o1 in zip(base.organizations, sc.organizations, strict=False):
        for key in ("min_staff", "min_leaders"):
            if getattr(o0, key) != getattr(o1, key):
                out.append(
                    Change(f"organizations:{o1.org_id}.{key}", getattr(o0, key), getattr(o1, key))
                )
    if base.departments_given:
        for d0, d1 in zip(base.departments, sc.departments, strict=False):
            for key in ("min_staff", "max_staff", "max_deputies"):
                if getattr(d0, key) != getattr(d1, key):
                    out.append(
                        Change(
                            f"departments:{d1.dept_id}.{key}", getattr(d0, key), getattr(d1, key)
                        )
                    )
    if base.locks != sc.locks:
        out.append(Change("locks", len(base.locks), len(sc.locks)))
    return out


def restore(base: Scenario, sc: Scenario, name: str) -> Scenario:
    """``sc`` with the one setting ``name`` back at the file's value."""
    if name == "locks":
        return sc.replace(locks=base.locks)
    if m := _ORG.match(name):
        org_id, key = m.groups()
        file_value = next(getattr(o, key) for o in base.organizations if o.org_id == org_id)
        orgs = tuple(
            o.model_copy(update={key: file_value}) if o.org_id == org_id else o
            for o in sc.organizations
        )
        return sc.replace(organizations=orgs)
    if m := _DEPT.match(name):
        dept_id, key = m.groups()
        file_value = next(getattr(d, key) for d in base.departments if d.dept_id == dept_id)
        depts = tuple(
            d.model_copy(update={key: file_value}) if d.dept_id == dept_id else d
            for d in sc.departments
        )
        return sc.replace(departments=depts)
    section, _, key = name.partition(".")
    file_value = getattr(getattr(base.settings, section), key)
    return sc.replace(settings=sc.settings.with_overrides({name: file_value}))
