"""Named guards: the settings a conflict explanation can point at.

Every hard constraint that comes from a setting a planner can change is added
with ``.only_enforce_if(*guards(name))``. In a normal solve ``guards(name)``
is empty, so the constraint is unconditional. When explaining infeasibility
it is one Boolean per name, passed to CP-SAT as an assumption; the core of
failed assumptions is then a set of names in the SPEC's vocabulary
(``targets.min_reduction``, ``organizations:CD.min_leaders``, ``locks:row 3`` …).

Row numbers are spreadsheet rows, as in validation messages: the header is
row 1, the first data row is row 2.
"""

from __future__ import annotations

from ortools.sat.python import cp_model


def row(index: int) -> int:
    """Spreadsheet row of the 0-based data row ``index``."""
    return index + 2


class Guards:
    """Name -> enforcement literal (explain mode) or nothing (normal mode)."""

    def __init__(self, model: cp_model.CpModel, explain: bool) -> None:
        self._model = model
        self.explain = explain
        self.literals: dict[str, cp_model.IntVar] = {}

    def __call__(self, name: str) -> list[cp_model.IntVar]:
        if not self.explain:
            return []
        if name not in self.literals:
            self.literals[name] = self._model.new_bool_var(f"guard:{name}")
        return [self.literals[name]]

    def add(self, constraint: cp_model.Constraint, name: str) -> cp_model.Constraint:
        """Enforce ``constraint`` under the guard ``name``."""
        lits = self(name)
        if lits:
            constraint.only_enforce_if(lits)
        return constraint
