"""The compact LP relaxation, for the first duals of the decomposition bound (``colgen.py``).

The pricing problems of every department (``colgen_pricing.Pricing``), linearised
(the disruption's enforcement by ``lost[u,d] ≥ staff[u,d] − n_u · hosts[u,d]``), joined
by the master's rows of ``colgen.py`` with the same keys; the imbalance row of a group of
k departments is one row ``I ≥ surplus_d`` per department. Its duals give the column
generation a first stability centre: the Lagrangian bound at them is at least this LP's
value (each pricing problem then optimises over its integer points instead of its LP
polytope), which is about CP-SAT's root bound.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import highspy
import numpy as np

from models import FunctionKind, Position, Role, RuleKind, exact
from planner.cpsat.budget import payroll_before
from planner.cpsat.classes import StaffClass
from planner.cpsat.colgen_pricing import Problem, RowKey

Add = Callable[[RowKey, int, float], None]
"""Adds a coefficient to a master row: ``add(row, variable, coefficient)``."""


class _LP:
    """Columns and rows collected in Python, loaded into HiGHS at once."""

    def __init__(self) -> None:
        self.lo: list[float] = []
        self.hi: list[float] = []
        self.cost: list[float] = []
        self.rows: list[tuple[float, float, dict[int, float]]] = []

    def var(self, lo: float, hi: float, cost: float = 0.0) -> int:
        self.lo.append(lo)
        self.hi.append(hi)
        self.cost.append(cost)
        return len(self.lo) - 1

    def row(self, terms: dict[int, float], lo: float, hi: float) -> int:
        self.rows.append((lo, hi, terms))
        return len(self.rows) - 1

    def solve(self) -> tuple[float, list[float]] | None:
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        n = len(self.lo)
        h.addVars(n, np.array(self.lo), np.array(self.hi))
        h.changeColsCost(n, np.arange(n, dtype=np.int32), np.array(self.cost))
        starts: list[int] = []
        index: list[int] = []
        value: list[float] = []
        for _, _, terms in self.rows:
            starts.append(len(index))
            for j, a in terms.items():
                if a:
                    index.append(j)
                    value.append(a)
        h.addRows(
            len(self.rows),
            np.array([r[0] for r in self.rows]),
            np.array([r[1] for r in self.rows]),
            len(index),
            np.array(starts, dtype=np.int32),
            np.array(index, dtype=np.int32),
            np.array(value, dtype=np.float64),
        )
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        return h.getInfo().objective_function_value, list(h.getSolution().row_dual)


def compact_duals(
    prob: Problem, *, floor: int = 0, cap: int | None = None
) -> tuple[float, dict[RowKey, float]] | None:
    """The compact LP's value (with the objective's constant) and its duals on the master's
    row keys (a group's imbalance dual: the mean over its departments). None: infeasible."""
    inf = highspy.kHighsInf
    sc = prob.scenario
    st = sc.settings
    w = prob.weights
    lp = _LP()
    master: dict[RowKey, dict[int, float]] = {}

    def add(key: RowKey, j: int, a: float) -> None:
        master.setdefault(key, {})[j] = master.get(key, {}).get(j, 0.0) + a

    const = 0.0
    # kept[c, j], pay, t, I (as in colgen.Master)
    locks = {lk.id: lk for lk in sc.locks if lk.kind.value == "staff"}
    for c in prob.classes:
        fixed: float | None = 1.0 if c.protected else None
        sid = sc.staff[c.members[0]].staff_id
        if c.size == 1 and sid in locks:
            fixed = 0.0 if locks[sid].role is Role.EXIT else 1.0
        for salary in c.salaries:
            lo, hi = (0.0, 1.0) if fixed is None else (fixed, fixed)
            j = lp.var(lo, hi, 0.0 if c.retiring else -float(w["involuntary_exits"]))
            add(("c", c.index), j, -1.0)
            add(("pay",), j, -float(salary))
            add(("exits",), j, 1.0)
            add(("raise",), j, 1.0)
            add(("orgstaff", c.org_id), j, 1.0)
        if not c.retiring:
            const += w["involuntary_exits"] * c.size
    const -= w["fragmentation"] * len(sc.domains)
    pay = lp.var(0.0, inf)
    add(("pay",), pay, 1.0)
    add(("raise",), pay, 0.0)
    scale = math.lcm(prob.head_allowance.denominator, prob.deputy_allowance.denominator)
    t_row: int | None = None
    if w["payroll"]:
        t = lp.var(0.0, inf, float(w["payroll"]))
        t_row = lp.row({t: 1000.0, pay: -1.0}, -(1000.0 - 1.0 / scale), inf)
    imb = lp.var(float(floor), inf, float(w["imbalance"])) if w["imbalance"] else None
    fns = sc.functions
    for g, ds in enumerate(prob.groups):
        for d in ds:
            _department(prob, lp, g, add, imb, d, cap)
    # the master's rows
    t_ = st.targets
    raise_ = exact(t_.min_income_raise) if t_.min_income_raise is not None else None
    keys: dict[RowKey, int] = {}
    if t_row is not None:
        keys["t",] = t_row
    for f in range(len(fns)):
        keys["f", f] = lp.row(master.get(("f", f), {}), 1.0, 1.0)
    for c in prob.classes:
        keys["c", c.index] = lp.row(master.get(("c", c.index), {}), 0.0, 0.0)
    keys["pay",] = lp.row(master[("pay",)], 0.0, 0.0)
    if sc.required_exits > 0:
        keys["exits",] = lp.row(master[("exits",)], -inf, float(len(sc.staff) - sc.required_exits))
    if raise_ is not None:
        terms = {
            j: (-float(raise_.denominator) if j == pay else -float(raise_.numerator) * a)
            for j, a in master[("raise",)].items()
        }
        keys["raise",] = lp.row(terms, -float(raise_.denominator * payroll_before(sc)), inf)
    if t_.max_payroll is not None:
        lp.hi[pay] = float(t_.max_payroll)
    if t_.max_leadership_posts is not None:
        keys["posts",] = lp.row(master.get(("posts",), {}), -inf, float(t_.max_leadership_posts))
    for org in sc.organizations:
        o = org.org_id
        if org.min_staff > 0:
            keys["orgstaff", o] = lp.row(master.get(("orgstaff", o), {}), float(org.min_staff), inf)
        if org.min_leaders > 0:
            keys["orgposts", o] = lp.row(
                master.get(("orgposts", o), {}), float(org.min_leaders), inf
            )
        share = prob.share
        if share is not None:
            terms = {j: -share.numerator * a for j, a in master.get(("posts",), {}).items()}
            for j, a in master.get(("orgposts", o), {}).items():
                terms[j] = terms.get(j, 0.0) + share.denominator * a
            keys["share", o] = lp.row(terms, -inf, 0.0)
    if t_.min_lead_tasks:
        for o in sc.lead_organizations:
            keys["quota", o] = lp.row(master.get(("quota", o), {}), float(t_.min_lead_tasks), inf)
    imb_rows: dict[int, list[int]] = {}
    for key, terms in master.items():
        if key[0] == "imb":  # ("imb", group, department)
            imb_rows.setdefault(int(str(key[1])), []).append(lp.row(terms, 0.0, inf))
    solved = lp.solve()
    if solved is None:
        return None
    value, duals = solved
    out = {key: duals[i] for key, i in keys.items()}
    for g, rows in imb_rows.items():
        out["imb", g] = sum(duals[i] for i in rows) / len(rows)
    return value + const, out


def _department(
    prob: Problem, lp: _LP, g: int, add: Add, imb: int | None, d: int, cap: int | None
) -> None:
    """The LP relaxation of department d's pricing problem, its master terms added."""
    inf = highspy.kHighsInf
    sc = prob.scenario
    st = sc.settings
    w = prob.weights
    dpt = sc.departments[d]
    lo, hi, max_dep = sc.dept_limits(dpt)
    fs = sorted(prob.fn_allowed[g])
    fns = sc.functions
    y = {f: lp.var(0.0, 1.0) for f in fs}
    cell: dict[int, list[tuple[int, str]]] = {}
    for c in prob.classes:
        mem, head, dep = prob.class_roles[g][c.index]
        roles = []
        if mem:
            roles.append((lp.var(0.0, c.size), "m"))
        if head:
            roles.append((lp.var(0.0, 1.0, w["leadership_churn"] * _new(c)), "h"))
        if dep:
            roles.append((lp.var(0.0, min(c.size, max_dep), w["leadership_churn"] * _new(c)), "v"))
        cell[c.index] = roles
        if len(roles) > 1:
            lp.row({j: 1.0 for j, _ in roles}, -inf, float(c.size))
        for j, role in roles:
            add(("c", c.index), j, 1.0)
            if role != "m":
                allowance = prob.head_allowance if role == "h" else prob.deputy_allowance
                add(("pay",), j, -float(allowance))
                add(("posts",), j, 1.0)
                add(("orgposts", c.org_id), j, 1.0)
    for f, j in y.items():
        add(("f", f), j, 1.0)

    def fte(classes: list[StaffClass] | None = None) -> dict[int, float]:
        out: dict[int, float] = {}
        for c in prob.classes if classes is None else classes:
            for j, _ in cell[c.index]:
                out[j] = float(c.fte_h)
        return out

    def work(sub: list[int], sign: float = -1.0) -> dict[int, float]:
        return {y[f]: sign * fns[f].workload_h for f in sub if f in y}

    everyone = {j: 1.0 for roles in cell.values() for j, _ in roles}
    lp.row({j: 1.0 for j in y.values()}, 1.0, inf)
    slack = exact(st.targets.workload_slack or 0)
    q, p = slack.denominator, slack.numerator
    lp.row({**{j: q * a for j, a in fte().items()}, **work(fs, -float(q + p))}, 0.0, inf)
    if st.targets.max_overstaff is not None:
        over = exact(st.targets.max_overstaff)
        q2, p2 = over.denominator, over.numerator
        lp.row({**{j: q2 * a for j, a in fte().items()}, **work(fs, -(q2 + p2))}, -inf, 100.0 * q2)
    if cap is not None:
        lp.row({**fte(), **work(fs)}, -inf, float(cap))
    if imb is not None:
        add(("imb", g, d), imb, 1.0)
        for j, a in fte().items():
            add(("imb", g, d), j, -a)
        for j, a in work(fs, 1.0).items():
            add(("imb", g, d), j, a)
    for s in {fns[f].skill for f in fs if fns[f].skill is not None and fns[f].workload_h > 0}:
        sub = [f for f in fs if fns[f].skill == s and fns[f].workload_h > 0]
        lp.row({**fte([c for c in prob.classes if s in c.skills]), **work(sub)}, 0.0, inf)
    for o in {fns[f].org_id for f in fs if fns[f].kind is FunctionKind.RESERVED}:
        sub = [f for f in fs if fns[f].kind is FunctionKind.RESERVED and fns[f].org_id == o]
        lp.row({**fte([c for c in prob.classes if c.org_id == o]), **work(sub)}, 0.0, inf)
    lp.row(everyone, float(lo), float(hi))
    heads = {j: 1.0 for roles in cell.values() for j, r in roles if r == "h"}
    deps = {j: 1.0 for roles in cell.values() for j, r in roles if r == "v"}
    lp.row(heads, 1.0, 1.0)
    lp.row(deps, float(st.departments.min_deputies), float(max_dep))
    share = exact(st.departments.max_deputy_share)
    if share < 1:
        terms = {j: -float(share.numerator) for j in everyone}
        for j in deps:
            terms[j] = terms[j] + share.denominator
        lp.row(terms, -inf, 0.0)
    for f in fs:
        fn = fns[f]
        if fn.kind is not FunctionKind.DIVIDED:
            continue
        cands = [o for o in fn.lead_candidates if prob.lead_locks.get(f, o) == o]
        zs = {}
        for o in cands:
            rank = fn.lead_candidates.index(o)
            z = lp.var(0.0, 1.0, float(w["lead_preference"] * rank))
            zs[z] = 1.0
            add(("quota", o), z, 1.0)
            leads = {j: 1.0 for c in prob.classes if c.org_id == o for j, _ in cell[c.index]}
            lp.row({**leads, z: -1.0}, 0.0, inf)
        lp.row({**zs, y[f]: -1.0}, 0.0, 0.0)
    fidx = {fn.function_id: i for i, fn in enumerate(fns)}
    for rule in sc.rules:
        in_a = [fidx[x] for x in sc.rule_targets(rule.a) if fidx[x] in y]
        in_b = [fidx[x] for x in sc.rule_targets(rule.b) if fidx[x] in y]
        if rule.rule is RuleKind.APART:
            if in_a and in_b:
                ha, hb = lp.var(0.0, 1.0), lp.var(0.0, 1.0)
                for f in in_a:
                    lp.row({ha: 1.0, y[f]: -1.0}, 0.0, inf)
                for f in in_b:
                    lp.row({hb: 1.0, y[f]: -1.0}, 0.0, inf)
                lp.row({ha: 1.0, hb: 1.0}, -inf, 1.0)
        else:
            group = list(
                dict.fromkeys(
                    [fidx[x] for x in sc.rule_targets(rule.a)]
                    + [fidx[x] for x in sc.rule_targets(rule.b)]
                )
            )
            here = [f for f in group if f in y]
            if len(here) < len(group):
                for f in here:
                    lp.hi[y[f]] = 0.0
            for f, f2 in zip(here, here[1:], strict=False):
                lp.row({y[f]: 1.0, y[f2]: -1.0}, 0.0, 0.0)
    if w["fragmentation"]:
        for dom in sorted({fns[f].domain for f in fs}):
            host = lp.var(0.0, 1.0, float(w["fragmentation"]))
            for f in fs:
                if fns[f].domain == dom:
                    lp.row({host: 1.0, y[f]: -1.0}, 0.0, inf)
    if w["disruption"]:
        for unit in sc.units:
            unit_classes = [c for c in prob.classes if c.unit_id == unit.unit_id]
            if not unit_classes:
                continue
            size = float(sum(c.size for c in unit_classes))
            lost = lp.var(0.0, inf, float(w["disruption"]))
            staff = {j: -1.0 for c in unit_classes for j, _ in cell[c.index]}
            ufs = [f for f in fs if fns[f].unit_id == unit.unit_id]
            if ufs:
                hosts = lp.var(0.0, 1.0)
                lp.row({hosts: -1.0, **{y[f]: 1.0 for f in ufs}}, 0.0, inf)
                lp.row({lost: 1.0, **staff, hosts: size}, 0.0, inf)
            else:
                lp.row({lost: 1.0, **staff}, 0.0, inf)


def _new(c: StaffClass) -> int:
    """1 when the class holds no post today (leadership churn)."""
    return int(c.position is Position.STAFF)
