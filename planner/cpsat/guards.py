"""Named guards: the settings a conflict explanation can point at, and elastic rules.

Every hard constraint that comes from a setting a planner can change is added
with ``guards.add(constraint, name)``. The same call serves three models:

- a normal solve: the constraint is added as it is (``guards(name)`` is empty);
- ``explain``: it is enforced by one Boolean per name, passed to CP-SAT as an
  assumption; the core of failed assumptions is then a set of names in the
  SPEC's vocabulary (``targets.min_reduction``, ``organizations:CD.min_leaders``,
  ``locks:row 3`` …);
- ``elastic`` (the phase-1 model, ``planner.cpsat.feasibility``): the constraint
  gets non-negative violation variables ``s`` and the model minimises
  ``violations = Σ weight · s`` before anything else. A linear rule
  ``L ≤ expr ≤ U`` becomes ``L ≤ expr + unit · s_lo − unit · s_hi ≤ U``; a clause
  ``OR(lits)`` becomes ``OR(lits, broken)``. Every rule can then be broken by
  an amount, so the plan that breaks all of them exists from the first
  millisecond, and ``violations = 0`` exactly when every rule holds.

``unit`` converts the constraint's own scale to the rule's unit (a share
``p/q`` multiplied out by q: unit q gives s in hundredths of an FTE or in
people), and ``weight`` says what one unit of s costs in the violations total:
``FTE`` (1 per hundredth of an FTE) or ``PERSON`` (100: a person, a post, a
function or a lock weighs as much as one FTE of missing capacity).

Row numbers are spreadsheet rows, as in validation messages: the header is
row 1, the first data row is row 2.
"""

from __future__ import annotations

import numpy as np
from ortools.sat.python import cp_model

from models.problems import row

__all__ = ["FTE", "PERSON", "Guards", "row"]


FTE = 1
"""Violation weight of one hundredth of an FTE (C3, C4, C10)."""
PERSON = 100
"""Violation weight of one person, post, function or lock (C5–C7, C9, C11–C13)."""

_INT_MIN, _INT_MAX = -(2**63), 2**63 - 1


class Guards:
    """Name -> enforcement literal (explain mode), nothing (normal mode), or slack (elastic)."""

    def __init__(self, model: cp_model.CpModel, explain: bool, *, elastic: bool = False) -> None:
        self._model = model
        self.explain = explain
        self.elastic = elastic
        self.literals: dict[str, cp_model.IntVar] = {}
        self.slacks: list[tuple[cp_model.IntVar, int]] = []
        """Elastic mode: (violation variable, weight) of every softened rule."""
        self._pending: list[tuple[cp_model.Constraint, int, int]] = []
        self.scopes: list[tuple[int, ...]] = []
        """Elastic mode: the variable indices of the rule behind each slack (``feasibility.py``
        frees the departments of a broken rule's variables)."""

    def __call__(self, name: str) -> list[cp_model.IntVar]:
        if not self.explain:
            return []
        if name not in self.literals:
            self.literals[name] = self._model.new_bool_var(f"guard:{name}")
        return [self.literals[name]]

    def add(
        self,
        constraint: cp_model.Constraint,
        name: str,
        *,
        unit: int = 1,
        weight: int | None = PERSON,
    ) -> cp_model.Constraint:
        """Enforce ``constraint`` under the guard ``name``, or soften it (elastic mode).

        ``weight=None``: a rule that stays hard in the elastic model too.
        """
        if self.elastic:
            if weight is None:
                return constraint
            self.soften(constraint, unit, weight)
            return constraint
        lits = self(name)
        if lits:
            constraint.only_enforce_if(lits)
        return constraint

    def soften(self, constraint: cp_model.Constraint, unit: int, weight: int) -> None:
        """Give ``constraint`` violation variables (module docstring); linear rules are
        softened together in ``finish``, where their bounds are computed in one pass."""
        ct = constraint.proto
        if ct.has_bool_or():
            scope = tuple(x if x >= 0 else -x - 1 for x in ct.bool_or.literals)
            broken = self._model.new_bool_var("violated")
            ct.bool_or.literals.append(broken.index)
            self.slacks.append((broken, weight))
            self.scopes.append(scope)
        elif ct.has_linear():  # (else a constant truth: nothing to soften)
            self._pending.append((constraint, unit, weight))

    def finish(self) -> None:
        """Soften the pending linear rules: ``L ≤ expr + unit · s_lo − unit · s_hi ≤ U``, each
        slack bounded by how far ``expr`` can go past its side, from the variables' bounds
        (read from the proto once, then numpy: a rule can hold thousands of cells)."""
        if not self._pending:
            return
        variables = self._model.proto.variables
        n = len(variables)
        first, last = np.empty(n, dtype=np.int64), np.empty(n, dtype=np.int64)
        for i, var in enumerate(variables):
            dom = var.domain
            first[i], last[i] = dom[0], dom[len(dom) - 1]  # no negative indices on the proto
        for constraint, unit, weight in self._pending:
            lin = constraint.proto.linear
            scope = tuple(lin.vars)
            idx = np.fromiter(scope, dtype=np.int64, count=len(scope))
            coef = np.fromiter(lin.coeffs, dtype=np.int64, count=len(scope))
            a, b = coef * first[idx], coef * last[idx]
            lo, hi = int(np.minimum(a, b).sum()), int(np.maximum(a, b).sum())
            bounds = list(lin.domain)
            low, high = bounds[0], bounds[-1]
            if low > _INT_MIN and lo < low:
                s = self._model.new_int_var(0, -(-(low - lo) // unit), "short")
                lin.vars.append(s.index)
                lin.coeffs.append(unit)
                self.slacks.append((s, weight))
                self.scopes.append(scope)
            if high < _INT_MAX and hi > high:
                s = self._model.new_int_var(0, -(-(hi - high) // unit), "excess")
                lin.vars.append(s.index)
                lin.coeffs.append(-unit)
                self.slacks.append((s, weight))
                self.scopes.append(scope)
        self._pending.clear()

    def total(self) -> cp_model.IntVar:
        """A new variable ``violations = Σ weight · s`` over every softened rule so far,
        bounded by the slacks' upper bounds (the elastic model's objective)."""
        total = self.violations()  # softens the pending rules first
        top = sum(w * list(s.proto.domain)[-1] for s, w in self.slacks)  # no negative index
        var = self._model.new_int_var(0, top, "violations")
        self._model.add(var == total)
        return var

    def violations(self) -> cp_model.LinearExpr:
        """``Σ weight · s`` over every softened rule (0 outside elastic mode)."""
        self.finish()
        if not self.slacks:
            return cp_model.LinearExpr.constant(0)
        xs, ws = zip(*self.slacks, strict=True)
        return cp_model.LinearExpr.weighted_sum(list(xs), list(ws))
