"""Problems found in a scenario: one per bad cell, all reported together."""

from __future__ import annotations

from dataclasses import dataclass


def row(index: int) -> int:
    """Spreadsheet row of the 0-based data row ``index``: the header is row 1, the first
    data row is row 2 (how validation messages, conflict explanations and prices name rows)."""
    return index + 2


@dataclass(frozen=True, order=True)
class Problem:
    """One problem in the input, located as a planner would look for it.

    ``table`` is a table stem (``staff``) or ``scenario.toml``; ``index`` is the
    0-based data row (``None`` for the whole table or a setting); ``column`` is
    the column, or ``section.key`` for a setting. The I/O layer turns this into
    ``file:row:column: message`` with the real file name and line.
    """

    table: str
    index: int | None
    column: str
    message: str


class ScenarioError(ValueError):
    """The input is invalid. ``problems`` lists every problem found, not only the first."""

    def __init__(self, problems: list[Problem] | list[str]) -> None:
        self.problems = list(problems)
        lines = [
            p if isinstance(p, str) else f"{p.table}[{p.index}].{p.column}: {p.message}"
            for p in problems
        ]
        super().__init__("\n".join(lines) or "invalid scenario")
