"""The scenario: the tables of SPEC §2 as frozen, validated pydantic models.

Row models validate one row (types, bounds, enums). ``Scenario`` validates the
references between tables and raises one ``ScenarioError`` with every problem,
each located by table, row index and column. Lookups that the model code needs
(staff by unit, functions by domain, …) are computed once and cached.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import date, datetime
from enum import StrEnum
from fractions import Fraction
from functools import cached_property
from typing import Annotated, Any, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)
from pydantic.json_schema import SkipJsonSchema

from models.problems import Problem, ScenarioError
from models.settings import Settings, exact

Id = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Text = Annotated[str, StringConstraints(max_length=2_000)]


class Position(StrEnum):
    """A person's post today (staff.csv ``position``)."""

    HEAD = "head"
    DEPUTY = "deputy"
    STAFF = "staff"


class Role(StrEnum):
    """A person's role in the plan (plan staff.csv ``role``)."""

    HEAD = "head"
    DEPUTY = "deputy"
    MEMBER = "member"
    EXIT = "exit"


class Gender(StrEnum):
    """staff.csv ``gender`` (SPEC §8): with ``birth_date``, the statutory retirement date."""

    M = "m"
    F = "f"


def _iso_date(value: object) -> object:
    """A date cell: ``YYYY-MM-DD`` (a spreadsheet's ``YYYY-MM-DD 00:00:00`` too) or a date.

    Pydantic alone would read a bare number as a Unix timestamp; a date column must
    not turn ``19900101`` into a day of 1970.
    """
    if value is None or isinstance(value, date):
        return value.date() if isinstance(value, datetime) else value
    text = str(value).strip()
    found = re.fullmatch(r"(\d{4}-\d{2}-\d{2})(?:[ T]00:00(?::00(?:\.0+)?)?)?", text)
    if not found:
        raise ValueError("not a date: write YYYY-MM-DD")
    return found[1]


class FunctionKind(StrEnum):
    SHARED = "shared"
    DIVIDED = "divided"
    RESERVED = "reserved"


class RuleKind(StrEnum):
    APART = "apart"
    TOGETHER = "together"


class LockKind(StrEnum):
    STAFF = "staff"
    FUNCTION = "function"


class _Row(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


def _split(value: object) -> tuple[str, ...]:
    """``"a; b;;c"`` -> ``("a", "b", "c")``; lists pass through; empty -> ``()``."""
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(p.strip() for p in value.split(";") if p.strip())
    return tuple(str(v).strip() for v in value if str(v).strip())  # type: ignore[attr-defined]


class Organization(_Row):
    """organizations.csv: one organisation and its independence minima (C9)."""

    org_id: Id
    name: Text = ""
    min_staff: Annotated[int, Field(ge=0)] = 1
    min_leaders: Annotated[int, Field(ge=0)] = 1


class Unit(_Row):
    """units.csv: a department as it is today."""

    unit_id: Id
    org_id: Id
    name: Text = ""


class Staff(_Row):
    """staff.csv: one person. ``name`` and ``salary`` are personal data: never logged."""

    staff_id: Id
    name: Text = ""
    unit_id: Id
    position: Position
    salary: Annotated[int, Field(ge=0, le=10**10)]
    fte: Annotated[float, Field(gt=0.0, le=1.0)] = 1.0
    skills: tuple[str, ...] = ()
    can_lead: bool = False
    retiring: bool = False
    protected: bool = False
    # SPEC §8 (roadmap), all optional
    birth_date: date | None = None
    gender: Gender | None = None
    service_years: Annotated[float, Field(ge=0.0, le=100.0)] = 0.0
    retires_on: date | None = None

    @field_validator("birth_date", "retires_on", mode="before")
    @classmethod
    def _dates(cls, value: object) -> object:
        return _iso_date(value)

    @field_validator("birth_date")
    @classmethod
    def _born(cls, value: date | None) -> date | None:
        if value is not None and value > date.today():
            raise ValueError(f"birth date {value.isoformat()} is in the future")
        return value

    @property
    def service_halves(self) -> int:
        """Service years in half-years, rounded to the nearest half (a quarter rounds up, §8)."""
        return int(exact(self.service_years) * 2 + Fraction(1, 2))

    @model_validator(mode="before")
    @classmethod
    def _defaults(cls, data: object) -> object:
        if isinstance(data, dict):
            data = dict(data)
            data["skills"] = _split(data.get("skills"))
            if data.get("can_lead") is None:
                data["can_lead"] = str(data.get("position", "")).strip().lower() in (
                    "head",
                    "deputy",
                )
        return data

    def __repr__(self) -> str:  # personal data stays out of logs and tracebacks
        return f"Staff(staff_id={self.staff_id!r}, unit_id={self.unit_id!r}, position={self.position.value!r})"

    __str__ = __repr__

    @property
    def fte_h(self) -> int:
        """Working capacity in hundredths of an FTE (SPEC §3)."""
        return round(self.fte * 100)


class Function(_Row):
    """functions.csv: a piece of work to be placed in one department."""

    function_id: Id
    name: Text = ""
    org_id: Id | None = None
    unit_id: Id | None = None
    domain: Id
    kind: FunctionKind
    workload: Annotated[float, Field(ge=0.0, le=1_000_000.0)]
    skill: Id | None = None
    lead_candidates: tuple[str, ...] = ()

    @field_validator("lead_candidates", mode="before")
    @classmethod
    def _split_candidates(cls, value: object) -> tuple[str, ...]:
        return _split(value)

    @model_validator(mode="after")
    def _kind_rules(self) -> Function:
        if self.kind is FunctionKind.RESERVED and self.org_id is None:
            raise ValueError("a reserved function needs an owning org_id")
        if self.kind is FunctionKind.DIVIDED and not self.lead_candidates:
            if self.org_id is None:
                raise ValueError("a divided function needs lead_candidates or an owning org_id")
            object.__setattr__(self, "lead_candidates", (self.org_id,))
        if len(set(self.lead_candidates)) != len(self.lead_candidates):
            raise ValueError("lead_candidates names an organisation twice")
        return self

    @property
    def workload_h(self) -> int:
        """Workload in hundredths of an FTE (SPEC §3)."""
        return round(self.workload * 100)


class Department(_Row):
    """departments.csv: one target department. Empty ``domains`` = any domain."""

    dept_id: Id
    name: Text = ""
    domains: tuple[str, ...] = ()
    min_staff: Annotated[int, Field(ge=0)] | None = None
    max_staff: Annotated[int, Field(ge=0)] | None = None
    max_deputies: Annotated[int, Field(ge=0)] | None = None

    @field_validator("domains", mode="before")
    @classmethod
    def _split_domains(cls, value: object) -> tuple[str, ...]:
        return _split(value)

    def hosts(self, domain: str) -> bool:
        """C2: may this department host work of ``domain``?"""
        return not self.domains or domain in self.domains


class Rule(_Row):
    """rules.csv: ``apart`` or ``together`` between two functions or ``domain:NAME`` sets."""

    rule: RuleKind
    a: Id
    b: Id


class Lock(_Row):
    """locks.csv: a decision fixed by hand (C13)."""

    kind: LockKind
    id: Id
    dept_id: Id | None = None
    role: Role | None = None
    lead_org: Id | None = None

    @model_validator(mode="after")
    def _shape(self) -> Lock:
        if self.kind is LockKind.STAFF:
            if self.lead_org is not None:
                raise ValueError("lead_org applies to function locks only")
            if self.role is Role.EXIT and self.dept_id is not None:
                raise ValueError("a staff lock with role exit cannot name a dept_id")
            if self.dept_id is None and self.role is None:
                raise ValueError("a staff lock needs a dept_id, a role, or both")
        else:
            if self.role is not None:
                raise ValueError("role applies to staff locks only")
            if self.dept_id is None and self.lead_org is None:
                raise ValueError("a function lock needs a dept_id, a lead_org, or both")
        return self


class Scenario(BaseModel):
    """A whole scenario: settings and tables, with every cross-reference checked.

    ``departments`` is always filled: when departments.csv is absent the
    reader passes none and the target structure is ``D1`` … ``Dk``
    (k = ``settings.departments.count``) hosting any domain.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    settings: Settings = Settings()
    organizations: tuple[Organization, ...]
    units: tuple[Unit, ...]
    staff: tuple[Staff, ...]
    functions: tuple[Function, ...]
    departments: tuple[Department, ...] = ()
    rules: tuple[Rule, ...] = ()
    locks: tuple[Lock, ...] = ()
    departments_given: bool = True
    # Reader notes: not input, never serialised, and left out of == and hash (NOTES).
    warnings: SkipJsonSchema[tuple[str, ...]] = Field(default=(), exclude=True, repr=False)
    """What the reader found worth saying but not wrong (``file:row:column: message``, e.g. a
    rule naming a domain no function has). Scenarios derived with :meth:`replace`
    start without. Readers add theirs here."""
    settings_text: SkipJsonSchema[str | None] = Field(default=None, exclude=True, repr=False)
    """The ``scenario.toml`` text as read, kept (through :meth:`replace`) so that the
    writer can keep a planner's comments and layout when it writes the settings back."""

    @model_validator(mode="after")
    def _cross_references(self) -> Scenario:
        if not self.departments:
            k = self.settings.departments.count
            object.__setattr__(
                self,
                "departments",
                tuple(Department(dept_id=f"D{i}", name=f"D{i}") for i in range(1, k + 1)),
            )
            object.__setattr__(self, "departments_given", False)
        problems = cross_reference_problems(self)
        if problems:
            raise ScenarioError(problems)
        return self

    def replace(self, **changes: Any) -> Self:
        """A copy with some fields replaced, validated again, with fresh lookups.

        The one way to derive a scenario (other settings, an edited table): every
        cross-reference is checked again and the lookups (``domains``,
        ``functions_by_unit`` …) are computed from the new tables. Target
        departments that were generated (no departments.csv) are generated again
        from the new ``departments.count``. ``settings_text`` is kept, so that the
        settings written back keep the file's comments; the reader's ``warnings``
        are not (they were about the original input).
        """
        fields: dict[str, Any] = {name: getattr(self, name) for name in _INPUT}
        if not self.departments_given:
            fields["departments"] = ()
        fields["settings_text"] = self.settings_text
        fields.update(changes)
        return type(self)(**fields)

    def with_settings(self, settings: Settings) -> Self:
        """The same tables under other settings: ``replace(settings=settings)``."""
        return self.replace(settings=settings)

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        """:meth:`replace` when ``update`` changes input: pydantic's copy would keep the
        original's cached lookups and skip validation. A copy that changes only the
        reader's notes (:data:`NOTES`) stays pydantic's: its lookups are still right."""
        if update and not set(update) <= set(NOTES):
            return self.replace(**update)
        return super().model_copy(update=update, deep=deep)

    def __eq__(self, other: object) -> bool:
        """Equal inputs: the reader's notes (:data:`NOTES`) do not count."""
        if not isinstance(other, Scenario):
            return NotImplemented
        return all(getattr(self, f) == getattr(other, f) for f in _COMPARED)

    def __hash__(self) -> int:
        return hash(tuple(getattr(self, f) for f in _COMPARED))

    # -- lookups, computed once -------------------------------------------------
    @cached_property
    def org_ids(self) -> tuple[str, ...]:
        return tuple(o.org_id for o in self.organizations)

    @cached_property
    def unit_org(self) -> dict[str, str]:
        return {u.unit_id: u.org_id for u in self.units}

    @cached_property
    def staff_org(self) -> dict[str, str]:
        return {s.staff_id: self.unit_org[s.unit_id] for s in self.staff}

    @cached_property
    def dept_ids(self) -> tuple[str, ...]:
        return tuple(d.dept_id for d in self.departments)

    @cached_property
    def domains(self) -> tuple[str, ...]:
        """Every domain that has work, in first-seen order."""
        return tuple(dict.fromkeys(f.domain for f in self.functions))

    @cached_property
    def functions_by_unit(self) -> dict[str, tuple[str, ...]]:
        out: dict[str, list[str]] = {u.unit_id: [] for u in self.units}
        for f in self.functions:
            if f.unit_id is not None:
                out[f.unit_id].append(f.function_id)
        return {k: tuple(v) for k, v in out.items()}

    def rule_targets(self, target: str) -> tuple[str, ...]:
        """The function ids a rule operand names: one function or ``domain:NAME``."""
        if target.startswith("domain:"):
            name = target.removeprefix("domain:")
            return tuple(f.function_id for f in self.functions if f.domain == name)
        return (target,)

    def dept_limits(self, dept: Department) -> tuple[int, int, int]:
        """(min_staff, max_staff, max_deputies) of a department, overrides applied."""
        d = self.settings.departments
        return (
            d.min_staff if dept.min_staff is None else dept.min_staff,
            d.max_staff if dept.max_staff is None else dept.max_staff,
            d.max_deputies if dept.max_deputies is None else dept.max_deputies,
        )

    @cached_property
    def required_exits(self) -> int:
        """C7: ``ceil(min_reduction × current headcount)`` exits at least (0 when not set)."""
        share = self.settings.targets.min_reduction
        return 0 if share is None else math.ceil(exact(share) * len(self.staff))

    @cached_property
    def lead_organizations(self) -> tuple[str, ...]:
        """Organisations named in some ``lead_candidates`` of a divided function (C11)."""
        names = (
            o for f in self.functions if f.kind is FunctionKind.DIVIDED for o in f.lead_candidates
        )
        return tuple(dict.fromkeys(names))


def _duplicates(table: str, column: str, ids: list[str]) -> list[Problem]:
    seen: dict[str, int] = {}
    out = []
    for i, v in enumerate(ids):
        if v in seen:
            out.append(
                Problem(
                    table, i, column, f"duplicate {column} '{v}' (first at row index {seen[v]})"
                )
            )
        else:
            seen[v] = i
    return out


NOTES = ("warnings", "settings_text")
"""Fields of :class:`Scenario` that are the reader's notes, not input."""
_COMPARED = tuple(f for f in Scenario.model_fields if f not in NOTES)
_INPUT = tuple(f for f in _COMPARED if f != "departments_given")
"""The fields a derived scenario starts from (``departments_given`` follows from them)."""


def rule_warnings(sc: Scenario) -> list[Problem]:
    """Rule operands ``domain:NAME`` that name a domain no function of the scenario has.

    SPEC §2: ``domain:NAME`` is every function of that domain, here none, so the rule
    holds vacuously. Worth a warning (a misspelt domain looks the same), not an error:
    one rule file is shared by many scenarios, not all of which have every domain.
    """
    domains = set(sc.domains)
    out = []
    for i, r in enumerate(sc.rules):
        for col in ("a", "b"):
            t = getattr(r, col)
            if t.startswith("domain:") and t.removeprefix("domain:") not in domains:
                name = t.removeprefix("domain:")
                out.append(
                    Problem(
                        "rules",
                        i,
                        col,
                        f"no function has domain '{name}': the rule holds vacuously here",
                    )
                )
    return out


def cross_reference_problems(sc: Scenario) -> list[Problem]:
    """Every problem between tables: unique ids, dangling references, rule and lock targets."""
    p: list[Problem] = []
    p += _duplicates("organizations", "org_id", [o.org_id for o in sc.organizations])
    p += _duplicates("units", "unit_id", [u.unit_id for u in sc.units])
    p += _duplicates("staff", "staff_id", [s.staff_id for s in sc.staff])
    p += _duplicates("functions", "function_id", [f.function_id for f in sc.functions])
    if sc.departments_given:
        p += _duplicates("departments", "dept_id", [d.dept_id for d in sc.departments])
    orgs = set(sc.org_ids)
    units = {u.unit_id for u in sc.units}
    depts = {d.dept_id for d in sc.departments}
    staff = {s.staff_id for s in sc.staff}
    functions = {f.function_id: f for f in sc.functions}
    for table, rows in (
        ("organizations", sc.organizations),
        ("units", sc.units),
        ("staff", sc.staff),
        ("functions", sc.functions),
    ):
        if not rows:
            p.append(Problem(table, None, "", "the table has no rows"))
    for i, u in enumerate(sc.units):
        if u.org_id not in orgs:
            p.append(Problem("units", i, "org_id", f"unknown organisation '{u.org_id}'"))
    for i, s in enumerate(sc.staff):
        if s.unit_id not in units:
            p.append(Problem("staff", i, "unit_id", f"unknown unit '{s.unit_id}'"))
    for i, f in enumerate(sc.functions):
        if f.org_id is not None and f.org_id not in orgs:
            p.append(Problem("functions", i, "org_id", f"unknown organisation '{f.org_id}'"))
        if f.unit_id is not None and f.unit_id not in units:
            p.append(Problem("functions", i, "unit_id", f"unknown unit '{f.unit_id}'"))
        for o in f.lead_candidates:
            if o not in orgs:
                p.append(Problem("functions", i, "lead_candidates", f"unknown organisation '{o}'"))
        if not any(d.hosts(f.domain) for d in sc.departments):
            p.append(
                Problem(
                    "functions", i, "domain", f"no target department may host domain '{f.domain}'"
                )
            )
    for i, r in enumerate(sc.rules):
        for col in ("a", "b"):
            t = getattr(r, col)
            # domain:NAME of a domain no function has is an empty set: the rule holds
            # vacuously (a shared rule file; rule_warnings says so), not a problem.
            if not t.startswith("domain:") and t not in functions:
                p.append(Problem("rules", i, col, f"unknown function '{t}'"))
    for i, lk in enumerate(sc.locks):
        if lk.dept_id is not None and lk.dept_id not in depts:
            p.append(Problem("locks", i, "dept_id", f"unknown department '{lk.dept_id}'"))
        if lk.kind is LockKind.STAFF:
            if lk.id not in staff:
                p.append(Problem("locks", i, "id", f"unknown staff '{lk.id}'"))
        else:
            target = functions.get(lk.id)
            if target is None:
                p.append(Problem("locks", i, "id", f"unknown function '{lk.id}'"))
            elif lk.lead_org is not None:
                if target.kind is not FunctionKind.DIVIDED:
                    p.append(
                        Problem(
                            "locks",
                            i,
                            "lead_org",
                            f"function '{lk.id}' is not divided: it has no lead organisation",
                        )
                    )
                elif lk.lead_org not in target.lead_candidates:
                    p.append(
                        Problem(
                            "locks",
                            i,
                            "lead_org",
                            f"'{lk.lead_org}' is not among the lead_candidates of '{lk.id}'",
                        )
                    )
    settings = sc.settings
    for i, d in enumerate(sc.departments):
        lo, hi, _ = sc.dept_limits(d)
        if sc.departments_given and lo > hi:
            p.append(
                Problem("departments", i, "max_staff", f"max_staff {hi} is below min_staff {lo}")
            )
    if settings.objective.mode == "lexicographic" and not settings.objective.priority:
        p.append(
            Problem(
                "scenario.toml",
                None,
                "objective.priority",
                "lexicographic mode needs a priority list",
            )
        )
    return p
