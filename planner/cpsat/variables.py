"""The decision variables of the CP-SAT model, in one container.

Notation (used in every docstring of this package):

- c a staff class (``classes.py``), n_c its size, fte_c its capacity in hundredths;
- d a target department, f a function, o an organisation;
- ``m[c,d]``, ``h[c,d]``, ``v[c,d]``: members, heads and deputies of class c in d;
  ``a[c,d] = m + h + v``; retained ``r[c] = Σ_d a[c,d]``; exits ``n_c − r[c]``;
- ``y[f,d]`` = 1 when f sits in d; ``z[f,o]`` = 1 when o leads divided f.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from models import FunctionKind, Scenario
from planner.cpsat.classes import StaffClass, staff_classes

LinearExpr = cp_model.LinearExpr


@dataclass
class Variables:
    """Every decision variable, plus the linear expressions derived from them."""

    scenario: Scenario
    classes: list[StaffClass]
    m: dict[tuple[int, int], cp_model.IntVar] = field(default_factory=dict)
    h: dict[tuple[int, int], cp_model.IntVar] = field(default_factory=dict)
    v: dict[tuple[int, int], cp_model.IntVar] = field(default_factory=dict)
    r: dict[int, cp_model.IntVar] = field(default_factory=dict)
    y: dict[tuple[int, int], cp_model.IntVar] = field(default_factory=dict)
    z: dict[tuple[int, str], cp_model.IntVar] = field(default_factory=dict)
    terms: dict[str, cp_model.IntVar] = field(default_factory=dict)

    # -- derived expressions -------------------------------------------------
    # Built with LinearExpr.sum / weighted_sum over flat lists: Python's sum()
    # of expressions nests one object per addition and is slow at ministry scale.
    def cell(self, c: int, d: int) -> list[cp_model.IntVar]:
        """The variables of class c in department d: m, and h, v when the class can lead."""
        if (c, d) in self.h:
            return [self.m[c, d], self.h[c, d], self.v[c, d]]
        if (c, d) in self.m:
            return [self.m[c, d]]
        return []  # a retired class of a roadmap period has no cells

    def assigned(self, c: int, d: int) -> LinearExpr:
        """a[c,d]: people of class c in department d, any role."""
        return LinearExpr.sum(self.cell(c, d))

    def posts(self, c: int, d: int) -> LinearExpr:
        """h[c,d] + v[c,d] (0 for a class that cannot lead)."""
        if (c, d) in self.h:
            return self.h[c, d] + self.v[c, d]
        return LinearExpr.constant(0)

    def count(self, d: int, classes: list[StaffClass] | None = None) -> LinearExpr:
        """People of ``classes`` (default all) in department d."""
        group = self.classes if classes is None else classes
        return LinearExpr.sum([x for c in group for x in self.cell(c.index, d)])

    def headcount(self, d: int) -> LinearExpr:
        return self.count(d)

    def fte(self, d: int, classes: list[StaffClass] | None = None) -> LinearExpr:
        """Retained capacity of d in hundredths of an FTE, over ``classes`` (default all)."""
        xs: list[cp_model.IntVar] = []
        ws: list[int] = []
        for c in self.classes if classes is None else classes:
            cell = self.cell(c.index, d)
            xs += cell
            ws += [c.fte_h] * len(cell)
        return LinearExpr.weighted_sum(xs, ws)

    def workload(self, d: int, functions: list[int] | None = None) -> LinearExpr:
        """Workload placed in d in hundredths of an FTE, over ``functions`` (default all)."""
        fs = self.scenario.functions
        idx = range(len(fs)) if functions is None else functions
        pairs = [(self.y[f, d], fs[f].workload_h) for f in idx if (f, d) in self.y]
        return LinearExpr.weighted_sum([p[0] for p in pairs], [p[1] for p in pairs])

    def deputies(self, d: int) -> LinearExpr:
        return LinearExpr.sum([self.v[c.index, d] for c in self.classes if (c.index, d) in self.v])

    def all_posts(self) -> LinearExpr:
        return LinearExpr.sum([*self.h.values(), *self.v.values()])

    def retained_total(self) -> LinearExpr:
        return LinearExpr.sum(list(self.r.values()))

    def exits_total(self) -> LinearExpr:
        return sum(c.size for c in self.classes) - self.retained_total()


def create_variables(
    model: cp_model.CpModel,
    scenario: Scenario,
    *,
    classes: list[StaffClass] | None = None,
    structure: Variables | None = None,
) -> Variables:
    """Create the decision variables; C1 (one place each) and C2 (domains) hold by construction.

    C1: Σ_d y[f,d] = 1 for every function, and Σ_d a[c,d] = r[c] ≤ n_c for every class.
    C2: y[f,d] exists only when d's ``domains`` is empty or holds f's domain.
    C6 (part): h and v exist only for classes with ``can_lead``.

    A roadmap (SPEC §8, ``roadmap.py``) creates one view per period: its own
    ``classes`` (a ``retired`` class gets no cells and ``r[c] = 0``) and the
    ``structure``'s y and z, decided once for every period.
    """
    classes = staff_classes(scenario) if classes is None else classes
    var = Variables(scenario=scenario, classes=classes)
    depts = scenario.departments
    max_dep = max(scenario.dept_limits(dpt)[2] for dpt in depts)
    for c in classes:
        if c.retired:
            var.r[c.index] = model.new_constant(0)
            continue
        for d in range(len(depts)):
            var.m[c.index, d] = model.new_int_var(0, c.size, f"m[{c.index},{d}]")
            if c.can_lead:
                var.h[c.index, d] = model.new_int_var(0, 1, f"h[{c.index},{d}]")
                var.v[c.index, d] = model.new_int_var(0, min(c.size, max_dep), f"v[{c.index},{d}]")
        var.r[c.index] = model.new_int_var(0, c.size, f"r[{c.index}]")
        model.add(
            var.r[c.index]
            == LinearExpr.sum([x for d in range(len(depts)) for x in var.cell(c.index, d)])
        )
    if structure is not None:
        var.y, var.z = structure.y, structure.z
        return var
    for f, fn in enumerate(scenario.functions):
        for d, dpt in enumerate(depts):
            if dpt.hosts(fn.domain):
                var.y[f, d] = model.new_bool_var(f"y[{f},{d}]")
        model.add_exactly_one(var.y[f, d] for d in range(len(depts)) if (f, d) in var.y)
        if fn.kind is FunctionKind.DIVIDED:
            for o in fn.lead_candidates:
                var.z[f, o] = model.new_bool_var(f"z[{f},{o}]")
            model.add_exactly_one(var.z[f, o] for o in fn.lead_candidates)
    return var
