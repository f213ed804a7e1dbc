"""Budget (C8) and the exact payroll of the merged structure.

Payroll (monthly) = Σ salary of retained staff + heads × allowances.head × base_salary
+ deputies × allowances.deputy × base_salary. Allowances can be fractional, so
the model works with payroll scaled by an integer ``scale`` (the common
denominator of both allowance amounts): ``P = scale × payroll`` is an integer.
Within a class the retained salaries are the r cheapest (``classes.py``):
``pay[c] = Σ_k salary_ck · kept[c,k]`` with ``kept`` ordered cheapest first.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

from ortools.sat.python import cp_model

from models import Position, Scenario, Settings, exact
from planner.cpsat.guards import Guards
from planner.cpsat.variables import LinearExpr, Variables


@dataclass(frozen=True)
class Allowance:
    """Post allowances as exact amounts of currency."""

    head: Fraction
    deputy: Fraction

    @property
    def scale(self) -> int:
        return math.lcm(self.head.denominator, self.deputy.denominator)


def allowances(scenario: Scenario) -> Allowance:
    st = scenario.settings
    base = st.scenario.base_salary
    return Allowance(
        head=exact(st.allowances.head) * base, deputy=exact(st.allowances.deputy) * base
    )


def payroll_before(scenario: Scenario) -> Fraction:
    """Payroll today: everyone, with their current posts."""
    al = allowances(scenario)
    total = Fraction(sum(s.salary for s in scenario.staff))
    total += al.head * sum(s.position is Position.HEAD for s in scenario.staff)
    total += al.deputy * sum(s.position is Position.DEPUTY for s in scenario.staff)
    return total


def add_budget(model: cp_model.CpModel, var: Variables, guards: Guards) -> cp_model.IntVar:
    """C8 and the payroll term. Returns the scaled payroll variable P.

    - ``P = scale · (Σ_c pay[c] + A_head · #heads + A_deputy · #deputies)``;
    - ``P ≤ scale · max_payroll`` (rounded down, P being integral);
    - ``q · (scale · payroll_before − P) ≥ p · scale · Σ_c r[c]`` with ``min_income_raise = p/q``;
    - term ``payroll = floor(P / (1000 · scale))``: ``1000·scale·t ≤ P ≤ 1000·scale·t + 1000·scale − 1``.
    """
    sc = var.scenario
    al = allowances(sc)
    scale = al.scale
    k = len(sc.departments)
    pays = []
    for c in var.classes:
        if len(set(c.salaries)) <= 1:
            pays.append(c.salaries[0] * var.r[c.index])
            continue
        # kept[k] = 1 when the k-th cheapest member stays: kept[0] >= kept[1] >= …
        # and Σ kept = r, so pay = Σ_k salary_k · kept[k] is the prefix sum of
        # the r lowest salaries, exactly. Its LP relaxation is the convex hull of
        # that convex function; an element constraint had neither a useful LP
        # nor a cheap presolve (16 s of a ministry-scale presolve).
        kept = [model.new_bool_var(f"kept[{c.index},{k}]") for k in range(c.size)]
        for k in range(1, c.size):
            model.add_implication(kept[k], kept[k - 1])
        model.add(LinearExpr.sum(kept) == var.r[c.index])
        pays.append(LinearExpr.weighted_sum(kept, list(c.salaries)))
    heads = LinearExpr.sum(list(var.h.values()))
    deputies = LinearExpr.sum(list(var.v.values()))
    total_salary = sum(s.salary for s in sc.staff)
    hi = scale * (
        total_salary + k * int(math.ceil(al.head)) + len(sc.staff) * int(math.ceil(al.deputy)) + 1
    )
    payroll = model.new_int_var(0, hi, "payroll_scaled")
    model.add(
        payroll
        == scale * LinearExpr.sum(pays)
        + int(al.head * scale) * heads
        + int(al.deputy * scale) * deputies
    )
    t = sc.settings.targets
    step = shortfall_step(sc.settings)
    if t.max_payroll is not None:
        guards.add(
            model.add(payroll <= math.floor(exact(t.max_payroll) * scale)),
            "targets.max_payroll",
            unit=scale * step,
            weight=1,
        )
    if t.min_income_raise is not None:
        raise_ = exact(t.min_income_raise)
        before = payroll_before(sc) * scale  # an integer: scale clears both allowance denominators
        guards.add(
            model.add(
                raise_.denominator * (int(before) - payroll)
                >= raise_.numerator * scale * var.retained_total()
            ),
            "targets.min_income_raise",
            unit=raise_.denominator * scale * step,
            weight=1,
        )
    unit = 1000 * scale
    term = model.new_int_var(0, hi // unit + 1, "term:payroll")
    model.add(unit * term <= payroll)
    model.add(payroll <= unit * term + unit - 1)
    var.terms["payroll"] = term
    return payroll


def shortfall_step(settings: Settings) -> int:
    """The elastic model's unit of a budget shortfall (C8): 1 % of a base salary, so that one
    base salary weighs about as much as one person (``guards.PERSON``)."""
    return max(1, settings.scenario.base_salary // 100)
