"""Scenario input and output: polars at the edge, located problems, atomic writes."""

from planner.io.errors import InputError, InputProblem
from planner.io.layout import Limits
from planner.io.read import read_scenario
from planner.io.write import OPTIMUM_TIME_LIMIT, optimum_sha256, scenario_sha256, write_scenario

__all__ = [
    "InputError",
    "InputProblem",
    "Limits",
    "read_scenario",
    "OPTIMUM_TIME_LIMIT",
    "optimum_sha256",
    "scenario_sha256",
    "write_scenario",
]
