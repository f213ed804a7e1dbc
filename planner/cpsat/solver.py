"""The one way this project makes a CP-SAT solver: the parameters every solve needs.

- ``presolve_inclusion_work_limit = 0``: OR-Tools 9.15 can drop a constraint in
  presolve's inclusion step on exactly-one + linear models and report a wrong
  "optimal" (google/or-tools#5293); the project pins 9.15.6755 and turns it off.
- ``catch_sigint_signal = False``: CP-SAT's own Ctrl-C handler takes SIGINT from the
  command line's handler and leaves it at SIG_DFL when the solve ends, so a Ctrl-C
  after any short solve (a placement, an LNS step, a hint completion) killed the
  process instead of writing the best plan (``planner.cli``).
"""

from __future__ import annotations

from ortools.sat.python import cp_model


def new_solver() -> cp_model.CpSolver:
    """A CP-SAT solver with the module docstring's parameters set."""
    solver = cp_model.CpSolver()
    solver.parameters.presolve_inclusion_work_limit = 0  # google/or-tools#5293
    solver.parameters.catch_sigint_signal = False
    return solver
