"""A roadmap (SPEC §8): the merger over periods, its figures and its result."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from models.plan import DraftViolation, FunctionAssignment, SolverInfo, Status


class PeriodRole(StrEnum):
    """A person's role in one period of a roadmap (roadmap staff.csv ``role``)."""

    HEAD = "head"
    DEPUTY = "deputy"
    MEMBER = "member"
    GONE = "gone"


class DepartureReason(StrEnum):
    RETIREMENT = "retirement"
    EARLY = "early"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class PeriodAssignment(_Frozen):
    """Roadmap staff.csv: one person in one period; ``dept_id`` is None when gone."""

    staff_id: str
    period: int
    dept_id: str | None
    role: PeriodRole


class Departure(_Frozen):
    """departures.csv: one departure within the horizon; ``package`` in thousands."""

    staff_id: str
    period: int
    reason: DepartureReason
    package: int = 0


class PeriodFigures(_Frozen):
    """periods.csv: one period. ``payroll`` is monthly (exact to the cent, §3 formula)."""

    period: int
    start: date
    headcount: int
    posts: int
    deputies: int
    payroll: float
    packages: int
    cost: int
    cost_unchanged: int
    cumulative_savings: int


class Roadmap(_Frozen):
    """The decisions of a roadmap and the tables derived from them."""

    functions: tuple[FunctionAssignment, ...]
    staff: tuple[PeriodAssignment, ...]
    departures: tuple[Departure, ...] = ()
    periods: tuple[PeriodFigures, ...] = ()


class RoadmapKpis(_Frozen):
    """summary.json ``kpis`` of a roadmap (SPEC §8); money in thousands."""

    periods: int = 0
    headcount_before: int = 0
    headcount_end: int = 0
    posts_before: int = 0
    posts_end: int = 0
    deputies_end: int = 0
    departures: int = 0
    retirements: int = 0
    early_exits: int = 0
    total_packages: int = 0
    total_cost: int = 0
    cost_unchanged: int = 0
    net_savings: int = 0
    payback_period: int | None = None


class RoadmapSummary(_Frozen):
    """summary.json of a roadmap folder: §5's fields with ``kind = "roadmap"``."""

    kind: Literal["roadmap"] = "roadmap"
    status: Status
    objective: int | None = None
    bound: int | None = None
    gap: float | None = None
    runtime_s: float = 0.0
    terms: dict[str, int] = Field(default_factory=dict)
    kpis: RoadmapKpis = RoadmapKpis()
    conflicts: list[str] = Field(default_factory=list)
    violations: list[DraftViolation] = Field(default_factory=list)
    """A draft roadmap's broken rules (status ``draft``): ``where`` is ``period:T`` or
    ``period:T/`` followed by §5's place (``period:2/D3``)."""
    solver: SolverInfo = SolverInfo()
    input_sha256: str = ""
    created: str = ""
    scenario: str = ""
    stats: dict[str, Any] = Field(default_factory=dict)


class RoadmapResult(BaseModel):
    """The outcome of ``planner.roadmap``: a status, never an exception, for solver outcomes."""

    model_config = ConfigDict(extra="forbid")

    status: Status
    objective: int | None = None
    bound: int | None = None
    gap: float | None = None
    runtime: float = 0.0
    terms: dict[str, int] = Field(default_factory=dict)
    kpis: RoadmapKpis = RoadmapKpis()
    roadmap: Roadmap | None = None
    conflicts: list[str] = Field(default_factory=list)
    conflict_details: list[str] = Field(default_factory=list)
    stats: dict[str, Any] = Field(default_factory=dict)
    violations: list[str] = Field(default_factory=list)
    draft: Roadmap | None = None
    """With ``draft=True`` and no roadmap: the closest roadmap found (``planner.roadmap``)."""
    draft_violations: list[DraftViolation] = Field(default_factory=list)

    def summary(self) -> str:
        """One line for people: status, objective, gap, payback."""
        gap = "" if self.gap is None else f", gap {self.gap:.2%}"
        k = self.kpis
        return (
            f"{self.status.value}: objective {self.objective}{gap}; "
            f"{k.early_exits} early exits, {k.retirements} retirements, "
            f"packages {k.total_packages:,} k, net savings {k.net_savings:,} k, "
            f"payback period {k.payback_period}"
        )
