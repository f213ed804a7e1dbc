"""Exact aggregation of interchangeable staff into classes.

Two people are interchangeable for every constraint of SPEC §3 and every term
of §4 except payroll when they share unit (hence organisation), position,
skills, fte, can_lead, retiring and protected, and no lock names either of
them. The model then decides one integer count per class, department and role
instead of one boolean per person.

Payroll stays exact: within a class only the *sum* of retained salaries
matters, and for any number r of retained members the cheapest sum is the sum
of the r lowest salaries. The model uses that prefix sum (an element
constraint); ``restore`` retains the r cheapest members, so the payroll of the
restored plan equals the model's.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass

from models import Position, Scenario


@dataclass(frozen=True)
class StaffClass:
    """Interchangeable people. ``members`` are staff indices sorted by (salary, staff_id)."""

    index: int
    unit_id: str
    org_id: str
    position: Position
    skills: frozenset[str]
    fte_h: int
    can_lead: bool
    retiring: bool
    protected: bool
    members: tuple[int, ...]
    salaries: tuple[int, ...]
    retired: bool = False
    """In a roadmap period's view (``roadmap.py``): past the retirement date, never present."""

    @property
    def size(self) -> int:
        return len(self.members)

    def prefix_pay(self) -> list[int]:
        """``prefix_pay()[r]`` = the sum of the r lowest salaries of the class."""
        out = [0]
        for s in self.salaries:
            out.append(out[-1] + s)
        return out


def staff_classes(
    scenario: Scenario, extra: Callable[[int], Hashable] | None = None
) -> list[StaffClass]:
    """Group staff into classes of interchangeable people (locked people stay alone).

    ``extra(i)`` adds to the key of staff member i what a caller must tell apart
    too (a roadmap: retirement period, salary and service years, SPEC §8).

    Only what the model can tell apart is in the key: a skill that no function
    requires changes nothing (C4 only counts required skills), and a head and a
    deputy today are alike for every term (leadership_churn only asks whether a
    person holds a post today; payroll before is a constant).
    """
    locked = {lk.id for lk in scenario.locks if lk.kind == "staff"}
    required = {f.skill for f in scenario.functions if f.skill is not None}
    groups: dict[tuple, list[int]] = {}
    for i, s in enumerate(scenario.staff):
        key = (
            s.unit_id,
            Position.HEAD if s.position is Position.DEPUTY else s.position,
            tuple(sorted(set(s.skills) & required)),
            s.fte_h,
            s.can_lead,
            s.retiring,
            s.protected,
            s.staff_id if s.staff_id in locked else "",
            None if extra is None else extra(i),
        )
        groups.setdefault(key, []).append(i)
    classes = []
    for c, (key, idx) in enumerate(groups.items()):
        idx.sort(key=lambda i: (scenario.staff[i].salary, scenario.staff[i].staff_id))
        unit_id, position, skills, fte_h, can_lead, retiring, protected, _, _ = key
        classes.append(
            StaffClass(
                index=c,
                unit_id=unit_id,
                org_id=scenario.unit_org[unit_id],
                position=position,
                skills=frozenset(skills),
                fte_h=fte_h,
                can_lead=can_lead,
                retiring=retiring,
                protected=protected,
                members=tuple(idx),
                salaries=tuple(scenario.staff[i].salary for i in idx),
            )
        )
    return classes
