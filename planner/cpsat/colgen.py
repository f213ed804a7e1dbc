"""A lower bound beside CP-SAT: column generation over department configurations.

The master chooses, for every department group g (``colgen_pricing.make_problem``:
interchangeable departments share one group; with departments.csv every distinct
department is its own group), ``k_g`` columns p (one department configuration each,
``colgen_pricing.Column``). Notation: ``λ_p ≥ 0`` column weights; ``kept[c,j] ∈ [0, 1]``
the j-th cheapest member of class c retained; ``pay`` the monthly payroll; ``t`` the
payroll term; ``I`` the imbalance term. Master LP (SPEC §3, §4; every row of a
relaxation, never of a restriction)::

    min  Σ_p cost_p λ_p + w_pay t + w_imb I − w_exit Σ_{c not retiring, j} kept[c,j]
         + w_exit Σ_{c not retiring} n_c − w_frag · #domains
    s.t. Σ_p y_fp λ_p = 1                                    (f)         C1 functions
         Σ_p a_cp λ_p − Σ_j kept[c,j] = 0                    (c)         C1 staff
         pay − Σ_{c,j} salary_cj kept[c,j] − Σ_p allow_p λ_p = 0  (pay)   payroll
         1000 t − pay ≥ −(1000 − 1/scale)                    (t)         floor(payroll/1000)
         Σ_{c,j} kept[c,j] ≤ N − ceil(min_reduction N)        (exits)     C7
         −q pay − p Σ kept ≥ −q payroll_before                (raise)     C8, min_income_raise = p/q
         pay ≤ max_payroll (a bound)                                      C8
         Σ_p posts_p λ_p ≤ max_leadership_posts              (posts)     C6
         Σ_{c ∈ o, j} kept[c,j] ≥ min_staff_o                (orgstaff)  C9
         Σ_p posts_op λ_p ≥ min_leaders_o                    (orgposts)  C9
         Σ_p (q posts_op − p posts_p) λ_p ≤ 0                (share)     C9, max_leader_share = p/q
         Σ_p leads_op λ_p ≥ min_lead_tasks                   (quota)     C11
         k_g I − Σ_{p ∈ g} surplus_p λ_p ≥ 0                 (imb)       max ≥ mean
         Σ_{p ∈ g} λ_p = k_g                                 (conv)

Protected classes and staff locks fix ``kept``; everything else of C2–C6, C10–C13
holds inside a column. ``cost_p = w_disr · lost_p + w_frag · #domains_p + w_churn ·
newposts_p + w_lead · Σ rank_p`` is exact per department.

Pricing (``colgen_pricing.Pricing``): for the duals π of the restricted master,
``rc_g = min_p cost_p − Σ_{i ≠ conv} π_i A_ip`` over all columns of g, by CP-SAT with
integer-floored coefficients. At every iteration the Lagrangian bound

    L(π) = const + Σ_{i ≠ conv} π_i b_i + Σ_x min_{x ∈ [lo, hi]} (obj_x − Σ_i π_i A_ix) x
           + Σ_g k_g · LB(rc_g)

(π clipped to the sign of each row, LB a lower bound from CP-SAT) is valid whatever
the pricing found; the bound is the best of them, rounded up (the objective is an
integer). At convergence it equals the master LP.

This module is long because it is one algorithm: the master, its Lagrangian bound, the
pricing rounds and the integer master; the LP and the pricing problems are already
apart, in ``colgen_lp`` and ``colgen_pricing``.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import highspy
import numpy as np

from models import ObjectiveMode, Plan, Role, Scenario, exact
from planner.cpsat.budget import payroll_before
from planner.cpsat.colgen_lp import compact_duals
from planner.cpsat.colgen_pricing import Column, Pricing, Problem, RowKey, make_problem
from planner.cpsat.extract import staff_rows, summarize_departments

log = logging.getLogger("planner.cpsat")

SMOOTHING = 0.6
"""Wentges dual smoothing: the pricing sees ``α π_best + (1 − α) π_master``; a round
that finds no improving column (mispricing) lowers α by 0.3 for the rest of the run."""

BIG = 1e7
"""Cost of the artificial slack of every master row (the first masters are infeasible
without them); artificial slacks are no part of the bound's formula."""


@dataclass
class BoundResult:
    """What the decomposition bound proved.

    ``bound`` is a valid lower bound on the weighted objective of every plan (None when
    nothing was proven); ``infeasible`` when a pricing problem has no column at all (no
    department can be formed, hence no plan). ``plan_hint`` is the best plan of an
    integer master over the generated columns, ``plan_objective`` its objective (§4);
    ``proven_integral`` when that plan's objective equals ``bound``.
    """

    bound: int | None
    lp_value: float | None
    iterations: int
    proven_integral: bool
    columns: int
    plan_hint: Plan | None
    seconds: float
    plan_objective: int | None = None
    converged: bool = False
    infeasible: bool = False
    trace: list[tuple[float, float]] = field(default_factory=list)
    """(seconds, Lagrangian bound) at every improvement, per column generation."""
    split_runs: int = 0
    """Column generations of the imbalance split (0: none ran)."""
    compact_lp: float | None = None
    """The compact LP's value (``colgen_lp.py``), for comparison."""


class Master:
    """The restricted master LP in HiGHS, with the non-column variables of the docstring."""

    def __init__(self, prob: Problem, *, imbalance_floor: int = 0) -> None:
        self.prob = prob
        sc = prob.scenario
        st = sc.settings
        w = prob.weights
        self.h = highspy.Highs()
        self.h.setOptionValue("output_flag", False)
        self.rows: dict[RowKey, int] = {}
        self.sense: list[str] = []
        self.rhs: list[float] = []
        self.cols: list[Column] = []
        self.col_index: list[int] = []
        self.known: set[Column] = set()
        # non-column variables: name -> (lo, hi, obj, {row: coef})
        self.xvars: list[tuple[float, float, float, dict[RowKey, float]]] = []
        self.const = 0.0
        al_scale = math.lcm(prob.head_allowance.denominator, prob.deputy_allowance.denominator)

        def row(key: RowKey, sense: str, rhs: float) -> None:
            self.rows[key] = len(self.sense)
            self.sense.append(sense)
            self.rhs.append(rhs)

        for f in range(len(sc.functions)):
            row(("f", f), "=", 1.0)
        for c in prob.classes:
            row(("c", c.index), "=", 0.0)
        row(("pay",), "=", 0.0)
        if w["payroll"]:
            row(("t",), ">=", -(1000.0 - 1.0 / al_scale))
        if sc.required_exits > 0:
            row(("exits",), "<=", float(len(sc.staff) - sc.required_exits))
        t = st.targets
        raise_ = exact(t.min_income_raise) if t.min_income_raise is not None else None
        before = payroll_before(sc)
        if raise_ is not None:
            row(("raise",), ">=", -float(raise_.denominator * before))
        if t.max_leadership_posts is not None:
            row(("posts",), "<=", float(t.max_leadership_posts))
        for org in sc.organizations:
            if org.min_staff > 0:
                row(("orgstaff", org.org_id), ">=", float(org.min_staff))
            if org.min_leaders > 0:
                row(("orgposts", org.org_id), ">=", float(org.min_leaders))
            if prob.share is not None:
                row(("share", org.org_id), "<=", 0.0)
        if t.min_lead_tasks:
            for o in sc.lead_organizations:
                row(("quota", o), ">=", float(t.min_lead_tasks))
        for g, ds in enumerate(prob.groups):
            if w["imbalance"]:
                row(("imb", g), ">=", 0.0)
            row(("conv", g), "=", float(len(ds)))
        # kept[c, j]
        protected_or_locked = self._fixed_classes()
        for c in prob.classes:
            fixed = protected_or_locked.get(c.index)
            for j, salary in enumerate(c.salaries):
                lo, hi = (0.0, 1.0) if fixed is None else (fixed, fixed)
                coefs: dict[RowKey, float] = {("c", c.index): -1.0, ("pay",): -float(salary)}
                if ("exits",) in self.rows:
                    coefs["exits",] = 1.0
                if raise_ is not None:
                    coefs["raise",] = -float(raise_.numerator)
                if ("orgstaff", c.org_id) in self.rows:
                    coefs["orgstaff", c.org_id] = 1.0
                obj = 0.0 if c.retiring else -float(w["involuntary_exits"])
                self.xvars.append((lo, hi, obj, coefs))
                del j
            if not c.retiring:
                self.const += w["involuntary_exits"] * c.size
        k = len(sc.departments)
        pay_hi = float(
            sum(s.salary for s in sc.staff)
            + k * prob.head_allowance
            + k * max(sc.dept_limits(d)[2] for d in sc.departments) * prob.deputy_allowance
        )
        if t.max_payroll is not None:
            pay_hi = min(pay_hi, float(t.max_payroll))
        pay_coefs: dict[RowKey, float] = {("pay",): 1.0}
        if w["payroll"]:
            pay_coefs["t",] = -1.0
        if raise_ is not None:
            pay_coefs["raise",] = -float(raise_.denominator)
        self.xvars.append((0.0, max(pay_hi, 0.0), 0.0, pay_coefs))
        if w["payroll"]:
            self.xvars.append((0.0, pay_hi / 1000 + 1, float(w["payroll"]), {("t",): 1000.0}))
        if w["imbalance"]:
            top = float(sum(c.fte_h * c.size for c in prob.classes))
            imb: dict[RowKey, float] = {
                ("imb", g): float(len(ds)) for g, ds in enumerate(prob.groups)
            }
            self.xvars.append(
                (float(imbalance_floor), max(top, imbalance_floor), float(w["imbalance"]), imb)
            )
        self.const -= w["fragmentation"] * len(sc.domains)
        self._load()

    def _fixed_classes(self) -> dict[int, float]:
        """kept fixed to 1 (protected, staff locks other than exit) or 0 (exit locks)."""
        sc = self.prob.scenario
        locks = {lk.id: lk for lk in sc.locks if lk.kind.value == "staff"}
        out: dict[int, float] = {}
        for c in self.prob.classes:
            if c.protected:
                out[c.index] = 1.0
            if c.size == 1 and sc.staff[c.members[0]].staff_id in locks:
                out[c.index] = (
                    0.0 if locks[sc.staff[c.members[0]].staff_id].role is Role.EXIT else 1.0
                )
        return out

    def _load(self) -> None:
        inf = highspy.kHighsInf
        lo = [(-inf if s == "<=" else b) for s, b in zip(self.sense, self.rhs, strict=True)]
        hi = [(inf if s == ">=" else b) for s, b in zip(self.sense, self.rhs, strict=True)]
        for a, b in zip(lo, hi, strict=True):
            self.h.addRow(a, b, 0, np.array([], dtype=np.int32), np.array([], dtype=np.float64))
        for xlo, xhi, obj, coefs in self.xvars:
            self._add(obj, xlo, xhi, coefs)
        # artificial slacks
        for i, s in enumerate(self.sense):
            if s in ("=", ">="):
                self._add(BIG, 0.0, inf, {i: 1.0})
            if s in ("=", "<="):
                self._add(BIG, 0.0, inf, {i: -1.0})
        self.artificial_end = self.h.getNumCol()

    def _add(self, obj: float, lo: float, hi: float, coefs: dict) -> int:
        idx = [k if isinstance(k, int) else self.rows[k] for k in coefs]
        keep = [(i, v) for i, v in zip(idx, coefs.values(), strict=True) if v != 0.0]
        self.h.addCol(
            obj,
            lo,
            hi,
            len(keep),
            np.array([i for i, _ in keep], dtype=np.int32),
            np.array([v for _, v in keep], dtype=np.float64),
        )
        return self.h.getNumCol() - 1

    def add_column(self, col: Column) -> bool:
        if col in self.known:
            return False
        cost, coefs, _ = self.prob.describe(col)
        coefs = {k: v for k, v in coefs.items() if k in self.rows}
        self.known.add(col)
        self.cols.append(col)
        self.col_index.append(self._add(cost, 0.0, highspy.kHighsInf, coefs))
        return True

    def reduced_cost(self, col: Column, duals: dict[RowKey, float]) -> float:
        """``cost_p − Σ_i π_i A_ip`` of a column (the convexity row included)."""
        cost, coefs, _ = self.prob.describe(col)
        return cost - sum(duals[k] * v for k, v in coefs.items() if k in self.rows)

    def forbid(self, keep: set[int]) -> None:
        """Fix to 0 every column whose position in ``cols`` is not in ``keep``."""
        for n, j in enumerate(self.col_index):
            if n not in keep:
                self.h.changeColBounds(j, 0.0, 0.0)

    def solve(self) -> tuple[float, dict[RowKey, float]]:
        """LP value (with the constant) and the row duals, clipped to their signs."""
        self.h.run()
        value = self.h.getInfo().objective_function_value + self.const
        duals = list(self.h.getSolution().row_dual)
        return value, self.clip({key: duals[i] for key, i in self.rows.items()})

    def clip(self, duals: dict[RowKey, float]) -> dict[RowKey, float]:
        """Duals on every master row (0 where missing), ≥ 0 on ≥ rows and ≤ 0 on ≤ rows:
        the Lagrangian bound holds for any such vector."""
        out: dict[RowKey, float] = {}
        for key, i in self.rows.items():
            pi = duals.get(key, 0.0)
            s = self.sense[i]
            if s == ">=":
                pi = max(pi, 0.0)
            elif s == "<=":
                pi = min(pi, 0.0)
            out[key] = pi
        return out

    def lagrangian(self, duals: dict[RowKey, float], lower: list[float]) -> float:
        """``L(π)`` of the module docstring, for pricing lower bounds ``lower[g]``."""
        total = self.const
        for key, i in self.rows.items():
            if key[0] != "conv":
                total += duals[key] * self.rhs[i]
        for lo, hi, obj, coefs in self.xvars:
            rc = obj - sum(duals[k] * v for k, v in coefs.items())
            total += rc * (lo if rc >= 0 else hi)
        for g, ds in enumerate(self.prob.groups):
            total += len(ds) * lower[g]
        return total

    def column_values(self) -> list[float]:
        x = self.h.getSolution().col_value
        return [x[j] for j in self.col_index]

    def artificial_total(self) -> float:
        x = self.h.getSolution().col_value
        start = len(self.xvars)
        return float(sum(x[start : self.artificial_end]))

    def integer_solve(self, time_limit: float) -> list[float] | None:
        """Solve the master with integer λ over the generated columns (artificials off)."""
        for j in range(len(self.xvars), self.artificial_end):
            self.h.changeColBounds(j, 0.0, 0.0)
        for j in self.col_index:
            self.h.changeColIntegrality(j, highspy.HighsVarType.kInteger)
        self.h.setOptionValue("time_limit", max(time_limit, 0.1))
        self.h.run()
        status = self.h.getModelStatus()
        x = self.h.getSolution().col_value
        ok = self.h.getInfo().primal_solution_status == 2  # kSolutionStatusFeasible
        log.debug("integer master: %s", self.h.modelStatusToString(status))
        return [x[j] for j in self.col_index] if ok else None


def plan_from_columns(prob: Problem, chosen: list[Column]) -> tuple[Plan, int, int]:
    """The plan of one column per department (groups filled in order), its §4 objective
    and its imbalance.

    Within a class the cheapest members are retained (``classes.py``).
    """
    from models import FunctionAssignment

    sc = prob.scenario
    by_group: dict[int, list[Column]] = {}
    for col in chosen:
        by_group.setdefault(col.group, []).append(col)
    dept_col: dict[int, Column] = {}
    for g, ds in enumerate(prob.groups):
        for d, col in zip(ds, by_group.get(g, []), strict=True):
            dept_col[d] = col
    placement: dict[int, tuple[int | None, Role]] = {}
    queues = {c.index: list(c.members) for c in prob.classes}
    for d in range(len(sc.departments)):
        for c, n, h, v in dept_col[d].staff:
            for role, count in ((Role.HEAD, h), (Role.DEPUTY, v), (Role.MEMBER, n)):
                for _ in range(count):
                    placement[queues[c].pop(0)] = (d, role)
    for rest in queues.values():
        for i in rest:
            placement[i] = (None, Role.EXIT)
    staff = staff_rows(sc, placement)
    where = {f: d for d, col in dept_col.items() for f in col.functions}
    leads = {f: o for col in dept_col.values() for f, o in col.leads}
    functions = tuple(
        FunctionAssignment(
            function_id=fn.function_id, dept_id=sc.dept_ids[where[f]], lead_org=leads.get(f)
        )
        for f, fn in enumerate(sc.functions)
    )
    plan = Plan(
        staff=staff, functions=functions, departments=summarize_departments(sc, staff, functions)
    )
    return (plan, *_objective(prob, dept_col, placement))


def _objective(
    prob: Problem, dept_col: dict[int, Column], placement: dict[int, tuple[int | None, Role]]
) -> tuple[int, int]:
    """§4 weighted objective of a plan made of columns (exact integer arithmetic)."""
    sc, w = prob.scenario, prob.weights
    total_cost = 0.0
    surplus = []
    heads = deputies = 0
    for col in dept_col.values():
        cost, _, s = prob.describe(col)
        total_cost += cost
        surplus.append(s)
        heads += sum(h for _, _, h, _ in col.staff)
        deputies += sum(v for _, _, _, v in col.staff)
    pay = sum(sc.staff[i].salary for i, (d, _) in placement.items() if d is not None)
    payroll = pay + prob.head_allowance * heads + prob.deputy_allowance * deputies
    exits = sum(1 for i, (d, _) in placement.items() if d is None and not sc.staff[i].retiring)
    imbalance = max(0, *surplus)
    value = (
        int(round(total_cost))
        - w["fragmentation"] * len(sc.domains)
        + w["payroll"] * math.floor(payroll / 1000)
        + w["involuntary_exits"] * exits
        + w["imbalance"] * imbalance
    )
    return int(value), imbalance


@dataclass
class _Run:
    """State of one column generation."""

    master: Master
    best: float = -math.inf
    value: float | None = None
    iterations: int = 0
    converged: bool = False
    infeasible: bool = False


def _generate(
    prob: Problem,
    deadline: float,
    *,
    seed: int,
    initial: list[Column],
    pricing_limit: float,
    fast_limit: float,
    start: float,
    trace: list[tuple[float, float]],
    floor: int = 0,
    cap: int | None = None,
    first: dict[RowKey, float] | None = None,
    rounds: int | None = None,
    target: float = math.inf,
) -> _Run:
    """Column generation until the integer bound meets the master's value, every pricing
    problem is solved to optimality without an improving column, or the deadline.

    Rounds alternate between *fast* pricing (``fast_limit`` seconds per problem: columns,
    and a bound that may be weak) and *exact* pricing (``pricing_limit``), which runs only
    when a fast round found no improving column: most rounds only need columns.
    """
    run = _Run(Master(prob, imbalance_floor=floor))
    master = run.master
    for col in initial:
        if cap is None or prob.describe(col)[2] <= cap:
            master.add_column(col)
    pricers = [Pricing(prob, g, imbalance_cap=cap) for g in range(len(prob.groups))]
    center: dict[RowKey, float] | None = None  # the duals of the best bound (Wentges)
    smooth = SMOOTHING
    fast = fast_limit < pricing_limit
    while True:
        run.iterations += 1
        run.value, duals = master.solve()
        art = master.artificial_total()
        point = duals
        if first is not None:  # the first round prices at given duals (the compact LP's)
            point = master.clip(first)
            first = None
        elif center is not None and smooth > 0:
            point = {k: smooth * center[k] + (1 - smooth) * v for k, v in duals.items()}
        lower: list[float] = []
        improving = 0
        exact_all = True
        for pr in pricers:
            left = deadline - time.perf_counter()
            limit = fast_limit if fast else pricing_limit
            cols, lb, status = pr.solve(point, min(limit, max(left, 0.05)), seed=seed)
            if status == "infeasible":
                run.infeasible = True
                return run
            exact_all &= status == "optimal"
            lower.append(lb)
            for col in cols:
                if master.reduced_cost(col, duals) < -1e-6:
                    improving += 1
                master.add_column(col)
        bound = master.lagrangian(point, lower)
        if bound > run.best:
            run.best = bound
            center = point
            trace.append((time.perf_counter() - start, bound))
        log.debug(
            "colgen it %d%s: lp %.1f bound %.1f (best %.1f) improving %d art %.3g smooth %.2f",
            run.iterations,
            " fast" if fast else "",
            run.value,
            bound,
            run.best,
            improving,
            art,
            smooth if point is not duals else 0,
        )
        if run.best > target - 1 + 1e-6:  # a higher bound changes nothing for the caller
            return run
        if art < 1e-6 and math.ceil(run.best - 1e-6) >= math.ceil(run.value - 1e-6):
            run.converged = True  # the integer bound cannot rise any more
            return run
        if point is duals and improving == 0 and exact_all:
            run.converged = art < 1e-6
            return run
        if point is not duals and improving == 0:
            smooth = 0.0 if smooth < 0.3 else smooth - 0.3  # mispricing: move toward the master
        if fast_limit < pricing_limit:
            fast = improving > 0 or (point is not duals)
        if time.perf_counter() >= deadline or run.iterations == rounds:
            return run


def decomposition_bound(
    scenario: Scenario,
    time_limit: float,
    *,
    seed: int = 0,
    hints: Sequence[Plan] = (),
    pricing_limit: float = 2.0,
    fast_limit: float = 2.0,
    integer_limit: float = 5.0,
    split: bool = True,
) -> BoundResult:
    """A valid lower bound on the weighted objective (module docstring).

    1. The compact LP (``colgen_lp.py``) gives the first duals π0; one pricing round at
       π0 gives the bound ``L(π0)`` (at least the LP's value).
    2. Without a plan in ``hints``: column generation from π0 (the master's integer
       solve then gives a plan).
    3. With a plan of imbalance U above the bound (and ``split``): the imbalance split,
       ``min(B(I ≥ U), B(I ≤ U − 1))``, each B a column generation started from the
       compact LP of its half; the bound is the best of 1–3.

    Parameters
    ----------
    scenario
        Weighted mode only (a lexicographic objective has no single bound).
    time_limit
        Seconds for the column generations; the integer master gets at most
        ``integer_limit`` more.
    seed
        CP-SAT's random seed in the pricing problems.
    hints
        Checked plans: the best one is returned when nothing better is found, its
        imbalance is the split's U, and its departments seed the masters.
    pricing_limit, fast_limit
        Seconds per pricing call in exact and in fast rounds (``_generate``); a call
        stopped early still gives a valid bound.
    split
        Split on the imbalance (step 3).
    """
    if scenario.settings.objective.mode is not ObjectiveMode.WEIGHTED:
        raise ValueError("the decomposition bound is for the weighted objective")
    start = time.perf_counter()
    deadline = start + time_limit
    prob = make_problem(scenario)
    trace: list[tuple[float, float]] = []
    best_plan: tuple[Plan, int, int] | None = None  # plan, objective, imbalance
    seeds: list[Column] = []
    for hint in hints:
        cols = columns_of_plan(prob, hint)
        seeds += cols
        cand = plan_from_columns(prob, cols)
        if best_plan is None or cand[1] < best_plan[1]:
            best_plan = cand
    compact = compact_duals(prob)
    if compact is None:  # the LP relaxation has no solution: neither has the scenario
        return BoundResult(
            bound=None,
            lp_value=None,
            iterations=0,
            proven_integral=False,
            columns=0,
            plan_hint=None,
            seconds=time.perf_counter() - start,
            infeasible=True,
        )
    log.debug("compact LP %.1f after %.2f s", compact[0], time.perf_counter() - start)
    will_split = split and best_plan is not None and bool(prob.weights["imbalance"])
    run = _generate(
        prob,
        deadline,
        seed=seed,
        initial=seeds,
        pricing_limit=pricing_limit,
        fast_limit=fast_limit,
        start=start,
        trace=trace,
        first=compact[1],
        rounds=1 if will_split else None,
    )
    master = run.master
    if run.infeasible:
        return BoundResult(
            bound=None,
            lp_value=run.value,
            iterations=run.iterations,
            proven_integral=False,
            columns=len(master.cols),
            plan_hint=None,
            seconds=time.perf_counter() - start,
            infeasible=True,
            trace=trace,
        )
    lp = master.column_values()
    integral = master.artificial_total() < 1e-6 and all(abs(x - round(x)) < 1e-6 for x in lp)
    bound = _ceil(run.best)
    if integral and run.converged:
        cand = plan_from_columns(
            prob, [col for col, x in zip(master.cols, lp, strict=True) for _ in range(round(x))]
        )
        if best_plan is None or cand[1] < best_plan[1]:
            best_plan = cand
    split_runs = 0
    if (
        will_split
        and bound is not None
        and best_plan is not None
        and best_plan[1] > bound
        and time.perf_counter() < deadline
    ):
        low, split_runs = _split_on_imbalance(
            prob,
            master,
            best_plan[2],
            best_plan[1],
            deadline,
            seed,
            pricing_limit,
            fast_limit,
            start,
            trace,
        )
        low_int = _ceil(low)
        if low_int is not None:
            bound = max(bound, low_int)
    plan: Plan | None = None
    objective: int | None = None
    if best_plan is not None:
        plan, objective = best_plan[0], best_plan[1]
    if objective is None or bound is None or objective > bound:
        xs = master.integer_solve(min(integer_limit, max(deadline - time.perf_counter(), 0.5)))
        if xs is not None:
            cand = plan_from_columns(
                prob, [col for col, x in zip(master.cols, xs, strict=True) for _ in range(round(x))]
            )
            if objective is None or cand[1] < objective:
                plan, objective = cand[0], cand[1]
    if bound is not None and objective is not None and objective < bound:
        raise AssertionError(f"bound {bound} above a plan's objective {objective}: a bug")
    return BoundResult(
        bound=bound,
        lp_value=run.value,
        iterations=run.iterations,
        proven_integral=bool(integral and objective is not None and objective == bound),
        split_runs=split_runs,
        columns=len(master.cols),
        plan_hint=plan,
        seconds=time.perf_counter() - start,
        plan_objective=objective,
        converged=run.converged,
        trace=trace,
        compact_lp=compact[0],
    )


def _ceil(value: float | None) -> int | None:
    """The integer bound of a real one. The Lagrangian is a sum of floats of up to ~1e9
    (salaries): rounding errors stay far below 1e-6, while the payroll term alone can put
    the bound 0.001 above an integer."""
    if value is None or not math.isfinite(value):
        return None
    return math.ceil(value - 1e-6)


def _split_on_imbalance(
    prob: Problem,
    root: Master,
    imbalance: int,
    objective: int,
    deadline: float,
    seed: int,
    pricing_limit: float,
    fast_limit: float,
    start: float,
    trace: list[tuple[float, float]],
) -> tuple[float | None, int]:
    """``min(B(I ≥ U), B(I ≤ U − 1))`` for U = ``imbalance``, each B a column generation;
    also the number of halves that ran. A half stops once its bound reaches ``objective``
    (a plan's) or the other half's bound: the minimum cannot rise above either.

    ``I ≤ U − 1`` holds in a plan exactly when every department's surplus is at most
    U − 1: a constraint of the pricing problems of that half (the root's columns above it
    are left out). ``I ≥ U`` is a bound on the master's I in the other half. Every plan is
    in one half, so the smaller bound holds for all. Each half starts from its own compact
    LP's duals and the root's columns; the halves' columns join the root master (for its
    integer solve). The ``I ≥ U`` half runs first with half of the time left: it is the
    quick one (its LP moves little); the other gets the rest.
    """
    bounds: list[float] = []
    target = float(objective)
    halves: list[tuple[int, int | None]] = [(imbalance, None)]
    if imbalance > 0:
        halves.append((0, imbalance - 1))
    for n, (floor, cap) in enumerate(halves):
        left = deadline - time.perf_counter()
        if left <= 0:
            return None, n
        compact = compact_duals(prob, floor=floor, cap=cap)
        if compact is None:  # no plan in this half
            bounds.append(math.inf)
            continue
        run = _generate(
            prob,
            time.perf_counter() + left / (len(halves) - n),
            seed=seed,
            initial=list(root.cols),
            pricing_limit=pricing_limit,
            fast_limit=fast_limit,
            start=start,
            trace=trace,
            floor=floor,
            cap=cap,
            first=compact[1],
            target=target,
        )
        target = min(target, run.best)  # the other half need not rise above this one
        log.debug("imbalance split [%d, %s]: bound %.1f", floor, cap, run.best)
        bounds.append(math.inf if run.infeasible else run.best)
        for col in run.master.cols:
            root.add_column(col)
    return min(bounds), len(halves)


def columns_of_plan(prob: Problem, plan: Plan) -> list[Column]:
    """The departments of ``plan`` as columns (a plan that breaks a lock or C2 gives
    columns the pricing could not make; they are still valid master columns only when
    the plan is feasible, which the caller guarantees by passing checked plans)."""
    sc = prob.scenario
    dept = {d: i for i, d in enumerate(sc.dept_ids)}
    group_of = {d: g for g, ds in enumerate(prob.groups) for d in ds}
    fidx = {fn.function_id: i for i, fn in enumerate(sc.functions)}
    sidx = {s.staff_id: i for i, s in enumerate(sc.staff)}
    cls_of = {i: c.index for c in prob.classes for i in c.members}
    fs: dict[int, list[int]] = {}
    leads: dict[int, list[tuple[int, str]]] = {}
    for fa in plan.functions:
        d = dept[fa.dept_id]
        f = fidx[fa.function_id]
        fs.setdefault(d, []).append(f)
        if fa.lead_org is not None:
            leads.setdefault(d, []).append((f, fa.lead_org))
    counts: dict[int, dict[int, list[int]]] = {}
    for a in plan.staff:
        if a.dept_id is None or a.role is Role.EXIT:
            continue
        d = dept[a.dept_id]
        c = cls_of[sidx[a.staff_id]]
        cell = counts.setdefault(d, {}).setdefault(c, [0, 0, 0])
        cell[{Role.MEMBER: 0, Role.HEAD: 1, Role.DEPUTY: 2}[a.role]] += 1
    out = []
    for d in range(len(sc.departments)):
        staff = tuple((c, n, h, v) for c, (n, h, v) in sorted(counts.get(d, {}).items()))
        out.append(
            Column(
                group_of[d],
                tuple(sorted(fs.get(d, []))),
                tuple(sorted(leads.get(d, []))),
                staff,
            )
        )
    return out
