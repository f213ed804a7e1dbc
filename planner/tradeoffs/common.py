"""What the trade-off modules share: the progress callback type and atomic file writes."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import polars as pl

from planner.io import durable

Step = Callable[[int, int, str], None]
"""Progress of a sweep: ``on_step(done, total, label)``."""


def write_csv(frame: pl.DataFrame, path: Path) -> None:
    """Write a CSV in one step (a temporary file beside it, flushed, then a rename)."""
    durable.write_atomically(path, frame.write_csv)


def write_text(path: Path, text: str) -> None:
    """Write a text file in one step (see :func:`planner.io.durable.write_text_atomically`)."""
    durable.write_text_atomically(path, text)


DEFAULT_BUDGET = 120.0
"""Seconds for a whole ``planner price`` or ``planner pareto`` run when none is given: the
answer a planner waits for in the app (two minutes), whatever the number of solves."""
MIN_SOLVE = 0.5
"""A solve is not started with less than this many seconds of the budget left."""


class Budget:
    """One time budget for a run of several solves, shared out as the run goes.

    Each solve gets ``left / solves_left`` seconds (:meth:`share`), computed when it
    starts: what an earlier solve did not use (it was proven early) passes on to the
    ones after it. ``reserve`` seconds are kept back for the work after the solves
    (writing plan folders).

    ``deterministic``: the solves' limits are CP-SAT deterministic time, and the
    plans must not depend on the machine's load, so the shares may not either: what
    is left is the budget less the shares already handed out (no wall clock), and
    the budget is a guide to the wall time, not a guarantee.
    """

    def __init__(
        self, seconds: float | None, *, reserve: float = 0.0, deterministic: bool = False
    ) -> None:
        self.seconds = DEFAULT_BUDGET if seconds is None else float(seconds)
        if self.seconds <= 0:
            raise ValueError(f"time limit must be positive, not {self.seconds}")
        self.reserve = reserve
        self.deterministic = deterministic
        self.allotted = 0.0
        self.start = time.perf_counter()

    def elapsed(self) -> float:
        return time.perf_counter() - self.start

    def left(self) -> float:
        return self.seconds - (self.allotted if self.deterministic else self.elapsed())

    def share(self, solves_left: int, weight: float = 1.0) -> float | None:
        """Seconds for the next solve, or None when the budget is spent (under :data:`MIN_SOLVE`).

        ``weight`` > 1 gives the next solve that many shares (e.g. the base plan of
        ``price``, which every row depends on), never more than what is left.
        """
        n = max(1, solves_left)
        usable = self.left() - self.reserve
        if usable < MIN_SOLVE:
            return None
        share = max(MIN_SOLVE, min(usable, usable * weight / (n - 1 + weight)))
        self.allotted += share
        return share
