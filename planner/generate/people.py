"""What both generators share: the blueprint types and the people drawn from a blueprint.

:mod:`planner.generate.scenarios` plants a plan in the people of a blueprint of each kind;
:mod:`planner.generate.packed` packs them tightly against capacities. Both draw
the same people (names, ages, grades and salaries of 2018, skills) from here, so
neither imports the other's private names.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from models import Role, Rule, Settings, StaffAssignment
from planner.generate import names_vi as vi

BASE_SALARY_2018 = 1_390_000

# 2018 civil-service pay coefficients (hundredths) by grade: A0 cán sự, A1 chuyên viên,
# A2 chuyên viên chính, A3 chuyên viên cao cấp; one step every three years.
_GRADES: dict[str, tuple[int, ...]] = {
    "A0": (210, 241, 272, 303, 334, 365, 396, 427, 458, 489),
    "A1": (234, 267, 300, 333, 366, 399, 432, 465, 498),
    "A2": (440, 474, 508, 542, 576, 610, 644, 678),
    "A3": (620, 656, 692, 728, 764, 800),
}
_GRADE_START = {"A0": 22, "A1": 24, "A2": 33, "A3": 42}
RETIREMENT_AGE_2018 = {False: 60, True: 55}  # 2018: men 60, women 55
_SPREAD_SKILLS = ("it", "law")
_FEMALE_SHARE = {"MTTQ": 0.45, "CD": 0.45, "ND": 0.35, "PN": 0.92, "TN": 0.5, "CCB": 0.08}


class GenerationError(ValueError):
    """A blueprint cannot be planted (sizes or minima that cannot hold together)."""


# -- blueprint: what to build ----------------------------------------------------------------------


@dataclass(frozen=True)
class FunctionSpec:
    """One piece of work; ``weight`` sets its share of its department's workload."""

    function_id: str
    name: str
    domain: str
    kind: str  # shared | divided | reserved
    org_id: str | None = None
    unit_id: str | None = None
    skill: str | None = None
    lead_candidates: tuple[str, ...] = ()
    weight: float = 1.0

    def __post_init__(self) -> None:
        if self.kind == "reserved" and self.org_id is None:
            raise GenerationError(f"reserved function {self.function_id} needs an owner")
        if self.kind == "divided" and not self.lead_candidates:
            if self.org_id is None:
                raise GenerationError(f"divided function {self.function_id} needs lead candidates")
            object.__setattr__(self, "lead_candidates", (self.org_id,))

    @property
    def owner(self) -> str:
        """The owning organisation (reserved work always has one)."""
        return self.org_id or ""


@dataclass(frozen=True)
class UnitSpec:
    """One unit today: a head, ``deputies`` deputies and ``members`` members."""

    unit_id: str
    org_id: str
    name: str
    deputies: int
    members: int
    skills: tuple[str, ...] = ()
    protected_head: bool = False


@dataclass(frozen=True)
class DeptSpec:
    """One target department and the deputies the planted plan gives it."""

    dept_id: str
    name: str
    domains: tuple[str, ...]
    deputies: int


@dataclass(frozen=True)
class Blueprint:
    """Everything ``build`` needs; ``settings`` holds the scenario.toml sections."""

    orgs: tuple[tuple[str, str, int], ...]  # (org_id, name, min_leaders)
    units: tuple[UnitSpec, ...]
    functions: tuple[FunctionSpec, ...]
    departments: tuple[DeptSpec, ...]
    settings: Settings
    level: str  # salary profile: commune | district | province | central
    min_staff_share: float = 0.6  # organisations keep at least this share of their staff
    retiring_share: float = 0.06
    can_lead_share: float = 0.06  # members on the succession list
    utilisation: tuple[float, float] = (0.82, 0.92)
    rules: tuple[Rule, ...] = ()


# -- the people ------------------------------------------------------------------------------------


@dataclass
class Person:
    sid: str
    unit: UnitSpec
    position: str
    female: bool
    age: int
    retiring: bool
    protected: bool
    name: str = ""
    salary: int = 0
    fte_h: int = 100
    skills: list[str] = field(default_factory=list)
    can_lead: bool = False
    dept: str = ""  # a department id, or "exit"
    pinned: bool = False
    leader: bool = False
    career_start: int = 24  # age when the career started (grade start + a late start)

    @property
    def org(self) -> str:
        return self.unit.org_id

    @property
    def rank(self) -> tuple[int, int]:
        """Who makes the better head: today's heads, then deputies, then seniority (salary)."""
        return ({"head": 2, "deputy": 1}.get(self.position, 0), self.salary)


def _age(rng: random.Random, position: str, female: bool, retiring: bool) -> int:
    limit = RETIREMENT_AGE_2018[female]
    if retiring:
        return limit - rng.choice((1, 2))
    low = {"head": 40, "deputy": 33}.get(position, 23)
    return rng.randint(low, limit - 3)


def _grade(rng: random.Random, level: str, position: str, age: int) -> str:
    r = rng.random()
    if level == "commune":
        return "A1" if position != "staff" or r < 0.5 else "A0"
    if level == "district":
        if position == "head":
            return "A2" if age >= 40 and r < 0.5 else "A1"
        return "A1" if position == "deputy" or r < 0.8 else "A0"
    if level == "province":
        if position == "head":
            return "A2"
        if position == "deputy":
            return "A2" if age >= 38 and r < 0.4 else "A1"
        return "A2" if age >= 40 and r < 0.1 else "A1"
    if position == "head":  # central and ministries
        return "A3" if age >= 48 and r < 0.6 else "A2"
    if position == "deputy":
        return "A2"
    return "A2" if age >= 38 and r < 0.3 else "A1"


def draw_people(bp: Blueprint, rng: random.Random) -> list[Person]:
    base = bp.settings.scenario.base_salary
    slots = []
    for u in bp.units:
        slots += [(u, "head")] + [(u, "deputy")] * u.deputies + [(u, "staff")] * u.members
    width = max(4, len(str(len(slots))))
    protected = {i for i, (u, pos) in enumerate(slots) if pos == "head" and u.protected_head}
    others = [i for i in range(len(slots)) if i not in protected]
    retiring = set(rng.sample(others, min(len(others), round(bp.retiring_share * len(slots)))))
    out = []
    for i, (u, pos) in enumerate(slots):
        female = rng.random() < _FEMALE_SHARE.get(u.org_id, 0.45)
        age = _age(rng, pos, female, i in retiring)
        p = Person(f"S{i + 1:0{width}d}", u, pos, female, age, i in retiring, i in protected)
        p.name = vi.person_name(rng, female)
        grade = _grade(rng, bp.level, pos, age)
        steps = _GRADES[grade]
        late = rng.randint(0, 6)  # careers start at different ages
        step = max(0, min(len(steps) - 1, (age - _GRADE_START[grade] - late) // 3))
        p.career_start = _GRADE_START[grade] + late
        p.salary = steps[step] * base // 100
        if pos == "staff" and rng.random() < 0.05:
            p.fte_h = rng.choice((50, 60, 80))
        p.can_lead = pos != "staff" or (age >= 30 and rng.random() < bp.can_lead_share)
        pool = u.skills
        if pool and rng.random() < 0.75:
            p.skills.append(pool[0] if len(pool) == 1 else rng.choice(pool))
        if len(pool) > 1 and rng.random() < 0.35:
            p.skills.append(rng.choice(pool))
        for s in _SPREAD_SKILLS:
            if rng.random() < 0.07:
                p.skills.append(s)
        if pos != "staff" and rng.random() < 0.25:
            p.skills.append("organisation")
        p.skills = list(dict.fromkeys(p.skills))
        out.append(p)
    return out


def largest_remainder(weights: Mapping[str, float], n: int, keys: Sequence[str]) -> Counter[str]:
    """Split ``n`` in proportion to ``weights`` (integers summing to ``n``)."""
    total = sum(weights.get(k, 0) for k in keys) or 1
    raw = {k: n * weights.get(k, 0) / total for k in keys}
    out = Counter({k: math.floor(v) for k, v in raw.items()})
    for k in sorted(keys, key=lambda k: raw[k] - out[k], reverse=True)[: n - sum(out.values())]:
        out[k] += 1
    return out


def witness_staff(
    people: Sequence[Person], roles: Mapping[str, Role]
) -> tuple[StaffAssignment, ...]:
    """The planted plan's staff rows: ``dept == "exit"`` exits, others keep their role
    from ``roles`` (member when not named)."""
    return tuple(
        StaffAssignment(
            staff_id=p.sid,
            org_id=p.org,
            unit_id=p.unit.unit_id,
            dept_id=None if p.dept == "exit" else p.dept,
            role=Role.EXIT if p.dept == "exit" else roles.get(p.sid, Role.MEMBER),
        )
        for p in people
    )
