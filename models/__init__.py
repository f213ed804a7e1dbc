"""Khối's data models: pydantic only (no OR-Tools, no polars, no Streamlit)."""

from models.plan import (
    DepartmentSummary,
    FunctionAssignment,
    Kpis,
    Plan,
    SolveResult,
    SolverInfo,
    StaffAssignment,
    Status,
    Summary,
)
from models.problems import Problem, ScenarioError
from models.scenario import (
    Department,
    Function,
    FunctionKind,
    Lock,
    LockKind,
    Organization,
    Position,
    Role,
    Rule,
    RuleKind,
    Scenario,
    Staff,
    Unit,
)
from models.settings import TERMS, ObjectiveMode, Settings, exact

__all__ = [
    "TERMS", "Department", "DepartmentSummary", "Function", "FunctionAssignment", "FunctionKind",
    "Kpis", "Lock", "LockKind", "ObjectiveMode", "Organization", "Plan", "Position", "Problem",
    "Role", "Rule", "RuleKind", "Scenario", "ScenarioError", "Settings", "SolveResult",
    "SolverInfo", "Staff", "StaffAssignment", "Status", "Summary", "Unit", "exact",
]
