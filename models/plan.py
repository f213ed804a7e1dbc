"""The plan folder (SPEC §5) and the result of a solve, as pydantic models."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from models.scenario import Role


class Status(StrEnum):
    OPTIMAL = "optimal"
    FEASIBLE = "feasible"
    INFEASIBLE = "infeasible"
    TIMEOUT = "timeout"
    INVALID = "invalid"
    DRAFT = "draft"
    """A summary.json of a draft plan (SPEC §5): the closest plan when none meets every
    rule. A result keeps its status (infeasible or timeout) and carries the draft."""

    @property
    def has_plan(self) -> bool:
        return self in (Status.OPTIMAL, Status.FEASIBLE)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class StaffAssignment(_Frozen):
    """Plan staff.csv: where one person goes. ``dept_id`` is None on exit."""

    staff_id: str
    org_id: str
    unit_id: str
    dept_id: str | None
    role: Role


class FunctionAssignment(_Frozen):
    """Plan functions.csv: the department of a function and, if divided, its lead."""

    function_id: str
    dept_id: str
    lead_org: str | None = None


class DepartmentSummary(_Frozen):
    """Plan departments.csv: one merged department as it will be."""

    dept_id: str
    name: str
    headcount: int
    fte: float
    workload: float
    head: str | None
    deputies: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()
    orgs: tuple[str, ...] = ()


class Plan(_Frozen):
    """The decisions of a plan: every person and every function placed."""

    staff: tuple[StaffAssignment, ...]
    functions: tuple[FunctionAssignment, ...]
    departments: tuple[DepartmentSummary, ...] = ()


class Kpis(_Frozen):
    """Before/after figures of summary.json (SPEC §5)."""

    units_before: int = 0
    departments_after: int = 0
    posts_before: int = 0
    posts_after: int = 0
    headcount_before: int = 0
    headcount_after: int = 0
    exits: int = 0
    involuntary_exits: int = 0
    reduction: float = 0.0
    payroll_before: int = 0
    payroll_after: int = 0
    savings: int = 0
    income_raise_per_head: int = 0


class DraftViolation(_Frozen):
    """One broken rule of a draft plan (SPEC §5): ``{"rule": "C5", "where": "D3", "amount": 4}``."""

    rule: str
    where: str = ""
    amount: int = Field(gt=0)


class SolverInfo(_Frozen):
    name: str = "cp-sat"
    version: str = ""
    seed: int = 0
    workers: int = 0
    time_limit: float = 30.0
    deterministic: bool = False


class Summary(_Frozen):
    """summary.json: status, objective, proof of quality, terms, KPIs, conflicts."""

    status: Status
    objective: int | None = None
    bound: int | None = None
    gap: float | None = None
    runtime_s: float = 0.0
    terms: dict[str, int] = Field(default_factory=dict)
    kpis: Kpis = Kpis()
    conflicts: list[str] = Field(default_factory=list)
    violations: list[DraftViolation] = Field(default_factory=list)
    """A draft's broken rules (status ``draft``); empty otherwise."""
    solver: SolverInfo = SolverInfo()
    input_sha256: str = ""
    created: str = ""
    scenario: str = ""
    mode: str = "weighted"
    stats: dict[str, Any] = Field(default_factory=dict)


class SolveResult(BaseModel):
    """The outcome of ``planner.solve``: a status, never an exception, for solver outcomes.

    ``plan`` is set when ``status`` is optimal or feasible. ``violations`` lists
    what the independent checker found; it is empty for every plan returned as a
    success (a non-empty list is a bug and the status is downgraded to invalid).
    """

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    status: Status
    objective: int | None = None
    bound: int | None = None
    gap: float | None = None
    runtime: float = 0.0
    terms: dict[str, int] = Field(default_factory=dict)
    kpis: Kpis = Kpis()
    plan: Plan | None = None
    conflicts: list[str] = Field(default_factory=list)
    conflict_details: list[str] = Field(default_factory=list)
    stats: dict[str, Any] = Field(default_factory=dict)
    violations: list[str] = Field(default_factory=list)
    progress: list[tuple[float, float, float]] = Field(default_factory=list)
    draft: Plan | None = None
    """With ``draft=True`` and no plan (infeasible or timeout): the closest plan found,
    violations first, then the objective (SPEC §5, "Draft plans")."""
    draft_violations: list[DraftViolation] = Field(default_factory=list)
    """What ``draft`` breaks, as the independent checker found it."""

    def summary(self) -> str:
        """A few readable lines for humans (no personal data)."""
        k = self.kpis
        lines = [
            f"status: {self.status.value}  objective: {self.objective}  bound: {self.bound}  gap: {self.gap}"
        ]
        if self.plan is not None:
            lines.append(
                f"units {k.units_before} -> departments {k.departments_after}; posts {k.posts_before} -> {k.posts_after}; "
                f"headcount {k.headcount_before} -> {k.headcount_after} ({k.exits} exits, {k.involuntary_exits} involuntary)"
            )
        if self.conflicts:
            lines.append("conflicts: " + ", ".join(self.conflicts))
        return "\n".join(lines)
