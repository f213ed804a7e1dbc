"""Run CP-SAT on a built model: parameters, progress, stop, stages, extraction.

Parameters that matter for correctness:

- ``presolve_inclusion_work_limit = 0`` on every solve: OR-Tools 9.15 can drop
  an enforcement literal in presolve and certify a wrong optimum
  (google/or-tools#5293); this disables the faulty inclusion step only.
- deterministic runs use one worker, a fixed seed and a *deterministic* time
  limit, so the same inputs give the same plan whatever the machine's load.
"""

from __future__ import annotations

import logging
import math
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ortools.sat.python import cp_model

from models import ObjectiveMode, Settings
from planner.cpsat.builder import BuiltModel
from planner.cpsat.objective import set_objective, weighted_sum
from planner.cpsat.relaxation import SideBound
from planner.cpsat.solver import new_solver

log = logging.getLogger("planner.cpsat")

Progress = Callable[[float, float, float], None]

NO_PROBING_STAFF = 1_000
"""From this many staff, presolve skips probing (``cp_model_probing_level = 0``). On a
2,720-person scenario in 19 open departments (issue 14) probing took 28 s of a 33 s
presolve on the loaded 2-core machine; without it the search started at 5 s and the
root LP bound reached 2.9 % of the plan by 28 s (docs/benchmarks.md)."""


@dataclass
class RunOutcome:
    """What one (possibly multi-stage) run found."""

    status: str  # optimal | feasible | infeasible | timeout
    values: dict[str, int] = field(default_factory=dict)  # variable name -> value (solution)
    objective: int | None = None
    bound: int | None = None
    stats: dict[str, Any] = field(default_factory=dict)
    solution: dict[int, int] = field(default_factory=dict)  # variable index -> value


def parameters(solver: cp_model.CpSolver, settings: Settings, time_limit: float) -> None:
    """Set CP-SAT parameters from ``[solver]``."""
    s = settings.solver
    p = solver.parameters
    p.random_seed = s.seed
    if s.deterministic:
        p.num_workers = 1
        p.max_deterministic_time = time_limit
    else:
        # workers = 0 ("all cores") runs a portfolio of at least 8 subsolvers: on
        # 2 cores, 8 time-sliced workers with linearization level 2 proved a
        # 196-person province optimal in 4.0 s against 13.2 s with CP-SAT's
        # default of one worker per core (docs/benchmarks.md).
        p.num_workers = s.workers or max(8, os.cpu_count() or 1)
        p.max_time_in_seconds = time_limit
    p.linearization_level = 2
    p.log_search_progress = s.log
    if s.log:
        p.log_to_stdout = False
        solver.log_callback = lambda line: log.debug("%s", line)


class _Watcher(cp_model.CpSolverSolutionCallback):
    """Reports (seconds, objective, bound) on every improvement; stops on request."""

    def __init__(
        self,
        offset: float,
        on_progress: Progress | None,
        stop: threading.Event | None,
        shift: float,
        side: SideBound | None = None,
    ) -> None:
        super().__init__()
        self._offset = offset
        self._cb = on_progress
        self._stop = stop
        self._shift = shift
        self._side = side
        self.start = time.perf_counter()
        self.best: float | None = None
        """The objective of the last solution found (in the model's units)."""

    def on_solution_callback(self) -> None:
        self.best = self.objective_value
        if self._cb is not None:
            t = self._offset + time.perf_counter() - self.start
            bound = self.best_objective_bound
            side = self._side.bound() if self._side is not None else None
            if side is not None:
                bound = max(bound, side)
            self._cb(t, self.objective_value + self._shift, bound + self._shift)
        if self._stop is not None and self._stop.is_set():
            self.stop_search()

    def proven_by_side(self) -> bool:
        """The side bound has reached the best solution: that solution is optimal."""
        side = self._side.bound() if self._side is not None else None
        return side is not None and self.best is not None and self.best <= side + 1e-6


def solve_once(
    built: BuiltModel,
    settings: Settings,
    time_limit: float,
    *,
    on_progress: Progress | None = None,
    stop: threading.Event | None = None,
    offset: float = 0.0,
    shift: float = 0.0,
    side: SideBound | None = None,
) -> tuple[cp_model.CpSolver, Any]:
    """One CP-SAT call with progress reports and an external stop event.

    ``side``: a bound computed beside the search (``relaxation.SideBound``); the search
    stops as soon as a solution reaches it (that solution is then optimal, and CP-SAT
    reports FEASIBLE: the caller combines the bounds, ``combined_bound``).
    """
    solver = new_solver()
    parameters(solver, settings, max(time_limit, 0.01))
    if len(built.var.scenario.staff) >= NO_PROBING_STAFF:
        solver.parameters.cp_model_probing_level = 0
    watcher = _Watcher(offset, on_progress, stop, shift, side)
    done = threading.Event()
    if stop is not None or side is not None:
        # A stop requested between solutions must still end the search promptly; so
        # must a side bound that arrives after the solution that meets it.
        def _guard() -> None:
            while not done.wait(0.05):
                if (stop is not None and stop.is_set()) or watcher.proven_by_side():
                    solver.stop_search()
                    return

        threading.Thread(target=_guard, daemon=True).start()
    # CP-SAT's own Ctrl-C handler would take SIGINT from the caller and leave it at
    # SIG_DFL once the search ends: the caller's handlers stay in charge instead.
    solver.parameters.catch_sigint_signal = False
    # The search runs off the main thread, so that the main thread stays in Python and
    # runs signal handlers at once: the CLI's first Ctrl-C or SIGTERM sets ``stop``,
    # which the guard above turns into ``stop_search`` within 0.05 s.
    outcome: dict[str, Any] = {}

    def _search() -> None:
        try:
            outcome["status"] = solver.solve(built.model, watcher)
        except BaseException as exc:  # re-raised on the calling thread
            outcome["error"] = exc
        finally:
            done.set()

    worker = threading.Thread(target=_search, name="cp-sat", daemon=True)
    worker.start()
    try:
        while not done.wait(0.1):
            pass
    except BaseException:  # a second Ctrl-C (KeyboardInterrupt): end the search, then unwind
        solver.stop_search()
        worker.join()
        raise
    if "error" in outcome:
        raise outcome["error"]
    return solver, outcome["status"]


SIDE_BOUND_VARIABLES = 5_000
"""Roadmap models at least this large get the LP bound beside the search (``SideBound``).
CP-SAT's LP, re-solved inside the search with iteration limits and time-sliced with the
other subsolvers, climbs for minutes on them: on the province's roadmap (20,000
variables) it was 52.1 M after 55 s, where HiGHS's interior point gives 60.2 M in 13 s
(the best roadmap: 60.24 M). One-step models do not get it: there CP-SAT's root LP is
solved at once (the province: the same 1,092,816 in under a second) or, at 2,700 staff
(central, 22,000 variables), its bound at 60 s was above the LP's (18,409,341 against
18,408,740, the LP taking 24 s of the two cores); at 10,000 staff the LP alone takes
119 s (docs/bound.md)."""

SIDE_BOUND_MAX_VARIABLES = 60_000
"""Larger roadmap models (central scale and up) do not get it: their LP is written in
Python (the province's 20,000 variables: 1.9 s) and solved in minutes, after a build
that already takes most of a minute; the thread would only take CPU from the search."""


def side_wanted(
    model: cp_model.CpModel, settings: Settings, *, weighted: bool | None = None
) -> bool:
    """Whether a search of ``model`` should run the LP bound beside it: weighted
    objectives (a lexicographic stage's bound is not the plan's; ``weighted`` overrides
    the settings' mode: a roadmap is always weighted), not in deterministic runs (the
    stop it triggers depends on the clock), large models only."""
    if weighted is None:
        weighted = settings.objective.mode is ObjectiveMode.WEIGHTED
    return (
        weighted
        and not settings.solver.deterministic
        and SIDE_BOUND_VARIABLES <= len(model.proto.variables) <= SIDE_BOUND_MAX_VARIABLES
    )


def combined_bound(
    objective: int, cp_bound: int | None, side: SideBound | None, stats: dict[str, Any]
) -> int | None:
    """The better of CP-SAT's bound (None: it proved nothing) and the side bound, at most
    ``objective``; records which one it is (``stats["bound_from"]``) and the LP's
    figures."""
    bound, source = cp_bound, "cp-sat"
    if side is not None:
        value = side.bound()
        stats["lp_bound"] = value
        stats["lp_seconds"] = side.seconds()
        if value is not None and (bound is None or value > bound):
            bound, source = value, "lp relaxation"
    if bound is None:
        return None
    stats["bound_from"] = source
    return min(bound, objective)


def _outcome_status(status: Any, stopped: bool) -> str:
    if status == cp_model.OPTIMAL:
        return "optimal"
    if status == cp_model.FEASIBLE:
        return "feasible"
    if status == cp_model.INFEASIBLE:
        return "infeasible"
    if status == cp_model.MODEL_INVALID:
        raise RuntimeError("CP-SAT rejected the model as invalid: a bug in planner/cpsat")
    return "timeout"


def run(
    built: BuiltModel,
    settings: Settings,
    time_limit: float,
    *,
    on_progress: Progress | None = None,
    stop: threading.Event | None = None,
) -> RunOutcome:
    """Optimise in ``weighted`` or ``lexicographic`` mode within ``time_limit`` seconds.

    Lexicographic: each term of ``priority`` is minimised in turn and then bounded
    by its value (fixed when proven optimal, bounded by the best found otherwise),
    each stage hinted with the previous solution; the terms not named follow as
    a weighted sum. The reported objective is the weighted sum of all terms.
    """
    obj = settings.objective
    model, var = built.model, built.var
    weights = obj.weights()
    start = time.perf_counter()
    stages: list[str | None] = [None]
    if obj.mode is ObjectiveMode.LEXICOGRAPHIC:
        rest = [t for t in weights if t not in obj.priority and weights[t]]
        stages = [*obj.priority, *([None] if rest else [])]
    proven = True
    solver: cp_model.CpSolver | None = None
    status: Any = cp_model.UNKNOWN
    stats: dict[str, Any] = {"stages": []}
    solution: dict[int, int] = {}
    spent = 0.0  # deterministic time used by earlier stages (deterministic runs)
    for i, stage in enumerate(stages):
        if settings.solver.deterministic:  # the plan must not depend on the machine's load
            remaining = time_limit - spent
        else:
            remaining = time_limit - (time.perf_counter() - start)
        if i > 0 and (remaining <= 0.05 or (stop is not None and stop.is_set())):
            proven = False
            break
        set_objective(model, var, obj.mode, stage)
        solver, status = solve_once(
            built,
            settings,
            remaining,
            on_progress=on_progress if stage is None or len(stages) == 1 else None,
            stop=stop,
            offset=time.perf_counter() - start,
        )
        spent += solver.response_proto.deterministic_time
        stats["stages"].append(
            {
                "stage": stage or "weighted",
                "status": solver.status_name(status),
                "objective": solver.objective_value
                if status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
                else None,
                "wall_s": round(solver.wall_time, 3),
            }
        )
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            if i == 0 or status == cp_model.INFEASIBLE:
                return RunOutcome(status=_outcome_status(status, False), stats=stats)
            proven = False
            break
        solution = _snapshot(solver, model)
        if stage is not None:
            value = int(solver.value(var.terms[stage]))
            model.add(var.terms[stage] <= value)
            if status != cp_model.OPTIMAL:
                proven = False
            _hint_from(model, solution)
        elif status != cp_model.OPTIMAL:
            proven = False
    assert solver is not None
    values = {name: solution[t.index] for name, t in var.terms.items()}
    objective = sum(weights[t] * values[t] for t in weights)
    bound: int | None
    if obj.mode is ObjectiveMode.WEIGHTED and status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        cp_bound = (
            objective
            if status == cp_model.OPTIMAL
            else math.ceil(solver.best_objective_bound - 1e-6)
        )
        bound = combined_bound(objective, cp_bound, None, stats)
        proven = bound is not None and bound >= objective
    else:
        bound = objective if proven else None
    stats.update(
        conflicts=solver.num_conflicts,
        branches=solver.num_branches,
        wall_s=round(time.perf_counter() - start, 3),
        variables=len(model.proto.variables),
        constraints=len(model.proto.constraints),
        classes=len(var.classes),
    )
    final = "optimal" if proven else "feasible"
    return RunOutcome(
        status=final,
        values=values,
        objective=objective,
        bound=bound,
        stats=stats,
        solution=solution,
    )


def _snapshot(solver: cp_model.CpSolver, model: cp_model.CpModel) -> dict[int, int]:
    """Every variable's value in the current solution (for hints and extraction)."""
    return {i: int(v) for i, v in enumerate(solver.response_proto.solution)}


def _hint_from(model: cp_model.CpModel, solution: dict[int, int]) -> None:
    """Hint every variable with ``solution`` (the next lexicographic stage starts there)."""
    model.clear_hints()
    proto = model.proto
    for i, value in solution.items():
        proto.solution_hint.vars.append(i)
        proto.solution_hint.values.append(value)


__all__ = [
    "RunOutcome",
    "combined_bound",
    "parameters",
    "run",
    "side_wanted",
    "solve_once",
    "weighted_sum",
]
