"""Located input problems: ``file:row:column: message``, all reported together.

The models locate a problem by table and 0-based data row (``models.Problem``);
the reader knows the real file a table came from and the spreadsheet row of
every record, so it turns each problem into an :class:`InputProblem` that a
planner can find in the file: the header is row 1, the first data row is
row 2, a problem with the whole file is row 0, and a problem with the whole
row (or file) has the column ``-``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from models import ScenarioError

WHOLE = "-"
"""The column of a problem with a whole row or a whole file."""

PREVIEW_CHARS = 60
"""Offending values are echoed in messages truncated to this many characters."""


@dataclass(frozen=True, order=True)
class InputProblem:
    """One problem, located as a planner would look for it.

    Parameters
    ----------
    file
        The real file name: ``staff.csv``, ``scenario.xlsx[staff]``,
        ``staff.parquet`` or ``scenario.toml``.
    row
        Spreadsheet row (header = 1, first data row = 2), the line of the key in
        ``scenario.toml``, or 0 for the whole file.
    column
        Column name, ``section.key`` for a setting, or ``-`` for the whole row.
    message
        What is wrong, never echoing personal data (staff ``name``, ``salary``).
    """

    file: str
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.row}:{self.column or WHOLE}: {self.message}"


class InputError(ScenarioError):
    """The scenario on disk is invalid; ``problems`` lists every problem found.

    Parameters
    ----------
    problems
        The located problems, in any order; they are kept sorted by file, row,
        column and message.
    """

    def __init__(self, problems: Iterable[InputProblem]) -> None:
        ordered = sorted(set(problems))
        # ScenarioError's constructor renders models.Problem; ours are already located.
        ValueError.__init__(self, "\n".join(str(p) for p in ordered) or "invalid scenario")
        self.problems: list[InputProblem] = ordered  # type: ignore[assignment]

    def lines(self) -> list[str]:
        """The rendered problems, ``file:row:column: message``, sorted by file then row."""
        return [str(p) for p in self.problems]


def preview(value: object) -> str:
    """An offending value for a message: truncated, and quoted when it is text."""
    text = str(value)
    if len(text) > PREVIEW_CHARS:
        text = text[: PREVIEW_CHARS - 1] + "…"
    return repr(text) if isinstance(value, str) else text


def error_column(err: Mapping[str, Any], columns: Iterable[str]) -> str:
    """The column a pydantic error is about.

    A field error names its field in ``loc``; a row-level error (a model
    validator) is put on the first of ``columns`` its message mentions, else on
    the whole row.
    """
    loc = err.get("loc") or ()
    if loc and isinstance(loc[0], str):
        return loc[0]
    message = str(err.get("msg", ""))
    mentioned = [
        (m.start(), c) for c in columns if (m := re.search(rf"\b{re.escape(c)}\b", message))
    ]
    return min(mentioned)[1] if mentioned else WHOLE


def error_message(err: Mapping[str, Any], *, echo: bool) -> str:
    """A pydantic error as a short message; the offending value only when ``echo``."""
    message = str(err.get("msg", "invalid value")).removeprefix("Value error, ")
    message = re.sub(r"^\w+ should", "should", message)  # "Input should be …" -> "should be …"
    value = err.get("input")
    if echo and err.get("type") != "value_error" and isinstance(value, str | int | float):
        message += f" (got {preview(value)})"
    return message
