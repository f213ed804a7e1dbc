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

_UNSAFE = re.compile(
    r"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)
"""Characters a rendered problem never carries raw: line breaks (one problem, one line),
terminal control sequences (ESC …) and bidirectional overrides, which data could use to
rewrite what a planner sees in a terminal or a log."""
_UNSAFE_OR_COLON = re.compile(f"{_UNSAFE.pattern}|:")

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
        file, column = _escape(self.file, colon=True), _escape(self.column or WHOLE, colon=True)
        return f"{file}:{self.row}:{column}: {_escape(self.message)}"


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


def _escape(text: str, *, colon: bool = False) -> str:
    """``text`` with every unsafe character written as its Python escape (``\\x1b``, ``\\n``).

    With ``colon``, ``:`` too (as ``\\x3a``): a file or column name must not add a field
    to ``file:row:column: message``.
    """
    return (_UNSAFE_OR_COLON if colon else _UNSAFE).sub(_escaped, text)


def _escaped(match: re.Match[str]) -> str:
    char = match[0]
    return "\\x3a" if char == ":" else char.encode("unicode_escape").decode("ascii")


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
