"""The objective terms of SPEC §4, each an exact integer variable, and the objective.

Every term is defined exactly (not only bounded from one side), so its value in
any solution is the SPEC's value whatever its weight: the lexicographic mode
and the Pareto sweep fix or bound terms whose weight may be zero.
"""

from __future__ import annotations

import math
from typing import Any

from ortools.sat.python import cp_model

from models import FunctionKind, ObjectiveMode, Position
from planner.cpsat.placement import host_literals
from planner.cpsat.variables import LinearExpr, Variables


def add_involuntary_exits(model: cp_model.CpModel, var: Variables) -> None:
    """involuntary_exits = ``Σ_{c not retiring} (n_c − r[c])``."""
    expr = sum(c.size - var.r[c.index] for c in var.classes if not c.retiring)
    _term(model, var, "involuntary_exits", expr, len(var.scenario.staff))


def add_disruption(model: cp_model.CpModel, var: Variables) -> None:
    """disruption = ``Σ_{u,d} [d hosts no function of unit u] · Σ_{c ∈ u} a[c,d]``.

    A unit without functions has nothing its staff could keep: all of its
    retained staff count (the literal reading of §4).
    """
    sc = var.scenario
    fidx = {fn.function_id: i for i, fn in enumerate(sc.functions)}
    parts = []
    for unit in sc.units:
        mine = [c for c in var.classes if c.unit_id == unit.unit_id]
        if not mine:
            continue
        fs = [fidx[f] for f in sc.functions_by_unit[unit.unit_id]]
        hosts = host_literals(model, var, fs, f"unit:{unit.unit_id}") if fs else None
        size = sum(c.size for c in mine)
        for d in range(len(sc.departments)):
            staff = var.count(d, mine)
            if hosts is None:
                parts.append(staff)
                continue
            lost = model.new_int_var(0, size, f"lost[{unit.unit_id},{d}]")
            model.add(lost == staff).only_enforce_if(hosts[d].Not())
            model.add(lost == 0).only_enforce_if(hosts[d])
            parts.append(lost)
    _term(model, var, "disruption", LinearExpr.sum(parts), len(sc.staff))


def add_fragmentation(model: cp_model.CpModel, var: Variables) -> None:
    """fragmentation = ``Σ_domains (Σ_d host[g,d] − 1)``."""
    sc = var.scenario
    parts = []
    for g in sc.domains:
        fs = [i for i, fn in enumerate(sc.functions) if fn.domain == g]
        parts.append(sum(host_literals(model, var, fs, f"domain:{g}")) - 1)
    _term(model, var, "fragmentation", sum(parts), len(sc.domains) * len(sc.departments))


def add_imbalance(model: cp_model.CpModel, var: Variables) -> None:
    """imbalance = ``max(0, max_d (fte_d − W_d))`` in hundredths of an FTE."""
    sc = var.scenario
    hi = sum(c.fte_h * c.size for c in var.classes)
    lo = -sum(fn.workload_h for fn in sc.functions)
    # Capacity comes in steps of g = gcd of everyone's fte (1.0 FTE -> 100): an
    # explicit integer step count per department lets propagation round
    # "surplus_d <= imbalance" down to the lattice, which the LP cannot see; this
    # is what proves the balance of a partition optimal.
    g = math.gcd(*(c.fte_h for c in var.classes)) or 1
    diffs = []
    for d in range(len(sc.departments)):
        steps = model.new_int_var(0, hi // g, f"capacity_steps[{d}]")
        model.add(g * steps == var.fte(d))
        diff = model.new_int_var(lo, hi, f"surplus[{d}]")
        model.add(diff == g * steps - var.workload(d))
        diffs.append(diff)
    term = model.new_int_var(0, hi, "term:imbalance")
    model.add_max_equality(term, [0, *diffs])
    var.terms["imbalance"] = term


def add_leadership_churn(model: cp_model.CpModel, var: Variables) -> None:
    """leadership_churn = ``Σ_{c : position_c = staff} Σ_d (h[c,d] + v[c,d])``."""
    k = len(var.scenario.departments)
    expr = sum(
        var.posts(c.index, d) for c in var.classes if c.position is Position.STAFF for d in range(k)
    )
    _term(model, var, "leadership_churn", expr, len(var.scenario.staff))


def add_lead_preference(model: cp_model.CpModel, var: Variables) -> None:
    """lead_preference = ``Σ_f Σ_o rank_f(o) · z[f,o]`` (rank 0-based in lead_candidates)."""
    sc = var.scenario
    expr: Any = 0
    hi = 0
    for f, fn in enumerate(sc.functions):
        if fn.kind is FunctionKind.DIVIDED:
            expr += sum(rank * var.z[f, o] for rank, o in enumerate(fn.lead_candidates))
            hi += len(fn.lead_candidates) - 1
    _term(model, var, "lead_preference", expr, hi)


def _term(model: cp_model.CpModel, var: Variables, name: str, expr: object, hi: int) -> None:
    term = model.new_int_var(0, max(hi, 0), f"term:{name}")
    model.add(term == expr)
    var.terms[name] = term


TERM_BUILDERS = (
    add_involuntary_exits,
    add_disruption,
    add_fragmentation,
    add_imbalance,
    add_leadership_churn,
    add_lead_preference,
)
"""Every term but payroll, which ``budget.add_budget`` defines beside C8."""


def weighted_sum(
    var: Variables, weights: dict[str, int], only: list[str] | None = None
) -> cp_model.LinearExpr:
    """``Σ_t weight_t · term_t`` over ``only`` (default all terms); zero weights drop out."""
    names = list(weights) if only is None else only
    return sum(weights[t] * var.terms[t] for t in names if weights[t])  # type: ignore[return-value]


def set_objective(
    model: cp_model.CpModel, var: Variables, mode: ObjectiveMode, stage: str | None = None
) -> None:
    """Minimise the weighted sum, or in lexicographic mode the term ``stage``
    (``None``: the weighted sum of the terms not named in ``priority``)."""
    obj = var.scenario.settings.objective
    weights = obj.weights()
    if mode is ObjectiveMode.LEXICOGRAPHIC:
        if stage is not None:
            model.minimize(var.terms[stage])
            return
        rest = [t for t in weights if t not in obj.priority]
        model.minimize(weighted_sum(var, weights, rest))
        return
    model.minimize(weighted_sum(var, weights))
