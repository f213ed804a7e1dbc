"""Settings of a scenario: the sections of ``scenario.toml`` (SPEC §2).

Every section has defaults, so a ``scenario.toml`` only needs to say what
differs. Fractions such as ``min_reduction`` are read as exact decimals
(``Fraction(str(value))``) wherever a constraint uses them, so that the model
and the checker agree to the last unit.
"""

from __future__ import annotations

from enum import StrEnum
from fractions import Fraction
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

TERMS: tuple[str, ...] = (
    "payroll",
    "involuntary_exits",
    "disruption",
    "fragmentation",
    "imbalance",
    "leadership_churn",
    "lead_preference",
)
"""The objective terms of SPEC §4, in the SPEC's order."""

NonNegInt = Annotated[int, Field(ge=0)]
Share = Annotated[float, Field(ge=0.0, le=1.0)]


def exact(value: float | int) -> Fraction:
    """The exact decimal value of a setting: ``0.155`` is 155/1000, not a binary float."""
    return Fraction(str(value))


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ScenarioInfo(_Section):
    """``[scenario]``: name, currency and the base salary used for allowances."""

    name: str = "scenario"
    currency: str = "VND"
    base_salary: Annotated[int, Field(ge=0)] = 1_390_000


class DepartmentDefaults(_Section):
    """``[departments]``: the target structure's defaults (C5, C6)."""

    count: Annotated[int, Field(ge=1, le=10_000)] = 6
    min_staff: NonNegInt = 3
    max_staff: NonNegInt = 60
    min_deputies: NonNegInt = 0
    max_deputies: NonNegInt = 2
    max_deputy_share: Share = 0.5

    @model_validator(mode="after")
    def _ordered(self) -> DepartmentDefaults:
        if self.min_staff > self.max_staff:
            raise ValueError("min_staff must not exceed max_staff")
        if self.min_deputies > self.max_deputies:
            raise ValueError("min_deputies must not exceed max_deputies")
        return self


class Allowances(_Section):
    """``[allowances]``: monthly post allowances as multiples of ``base_salary``."""

    head: Annotated[float, Field(ge=0.0, le=100.0)] = 0.7
    deputy: Annotated[float, Field(ge=0.0, le=100.0)] = 0.5


class Targets(_Section):
    """``[targets]``: policy targets; a key left out imposes nothing."""

    min_reduction: Share | None = None
    max_leadership_posts: NonNegInt | None = None
    max_payroll: Annotated[float, Field(ge=0.0)] | None = None
    min_income_raise: Annotated[float, Field(ge=0.0)] | None = None
    workload_slack: Annotated[float, Field(ge=0.0, le=10.0)] | None = None
    max_overstaff: Annotated[float, Field(ge=0.0, le=100.0)] | None = None
    max_leader_share: Share | None = None
    min_lead_tasks: NonNegInt | None = None


class ObjectiveMode(StrEnum):
    WEIGHTED = "weighted"
    LEXICOGRAPHIC = "lexicographic"


class ObjectiveSettings(_Section):
    """``[objective]``: weights of the §4 terms and the lexicographic order."""

    mode: ObjectiveMode = ObjectiveMode.WEIGHTED
    payroll: NonNegInt = 1
    involuntary_exits: NonNegInt = 20_000
    disruption: NonNegInt = 2_000
    fragmentation: NonNegInt = 5_000
    imbalance: NonNegInt = 100
    leadership_churn: NonNegInt = 3_000
    lead_preference: NonNegInt = 500
    priority: tuple[str, ...] = ("involuntary_exits", "fragmentation", "disruption", "payroll")

    @model_validator(mode="after")
    def _known_terms(self) -> ObjectiveSettings:
        unknown = [t for t in self.priority if t not in TERMS]
        if unknown:
            raise ValueError(
                f"unknown term(s) in priority: {', '.join(unknown)}; known: {', '.join(TERMS)}"
            )
        if len(set(self.priority)) != len(self.priority):
            raise ValueError("priority names a term twice")
        return self

    def weights(self) -> dict[str, int]:
        """The weight of every term, in the SPEC's order."""
        return {t: getattr(self, t) for t in TERMS}


class SolverSettings(_Section):
    """``[solver]``: CP-SAT limits. ``deterministic`` gives the same plan for the same seed."""

    time_limit: Annotated[float, Field(gt=0.0, le=86_400.0)] = 30.0
    workers: Annotated[int, Field(ge=0, le=256)] = 0
    seed: Annotated[int, Field(ge=0, le=2**31 - 1)] = 0  # CP-SAT random_seed is a 32-bit int
    deterministic: bool = False
    log: bool = False


class Settings(_Section):
    """All of ``scenario.toml``."""

    scenario: ScenarioInfo = ScenarioInfo()
    departments: DepartmentDefaults = DepartmentDefaults()
    allowances: Allowances = Allowances()
    targets: Targets = Targets()
    objective: ObjectiveSettings = ObjectiveSettings()
    solver: SolverSettings = SolverSettings()

    def with_overrides(self, overrides: dict[str, object]) -> Settings:
        """A copy with ``{"section.key": value}`` applied and validated again.

        Raises ``ValueError`` naming the key for an unknown section or key; pydantic's
        ``ValidationError`` for a value out of range.
        """
        data = self.model_dump()
        for dotted, value in overrides.items():
            section, _, key = dotted.partition(".")
            if section not in data or not key:
                raise ValueError(f"unknown setting '{dotted}': sections are {', '.join(data)}")
            if key not in data[section]:
                raise ValueError(
                    f"unknown setting '{dotted}': keys of [{section}] are {', '.join(data[section])}"
                )
            data[section][key] = value
        return Settings.model_validate(data)
