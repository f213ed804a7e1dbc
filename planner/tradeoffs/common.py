"""What the trade-off modules share: the progress callback type and atomic file writes."""

from __future__ import annotations

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
