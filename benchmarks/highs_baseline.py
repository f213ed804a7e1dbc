"""Baseline: the same model as a plain per-person MIP, solved by HiGHS (benchmarks only).

Where the CP-SAT model (docs/model.md) decides one integer count per staff
*class*, this MIP has one binary per person, department and role:

==================== ==========================================================
``x[i,d,ρ]`` ∈ {0,1}  person i holds role ρ ∈ {head, deputy, member} in d (head and
                      deputy only for ``can_lead``); exit = ``1 − Σ_{d,ρ} x[i,d,ρ]``
``y[f,d]`` ∈ {0,1}    f sits in d (only where C2 allows)
``z[f,o]`` ∈ {0,1}    o leads divided f
``hu[u,d]`` ∈ {0,1}   d hosts some function of unit u (disruption)
``hg[g,d]`` ∈ {0,1}   d hosts some function of domain g (fragmentation)
``ha``, ``hb``        hosts of the operands of an ``apart`` rule
``lost[u,d]`` ≥ 0     retained staff of u in d when d hosts none of u's work
``I`` ≥ 0             imbalance
``t`` ∈ ℤ≥0           the payroll term (thousands, floored)
==================== ==========================================================

Constraints C1–C13 and "every department used" are those of SPEC §3 with the
same exact arithmetic as the CP-SAT model (hundredths of an FTE, settings as
exact decimals multiplied out); the terms of §4:

- payroll: ``t ≤ P/1000 ≤ t + 1 − 1/(1000·S)`` with P the payroll in currency
  (the floor, linearly; S clears the allowances' denominators);
- disruption: ``lost[u,d] ≥ Σ_{i∈u} a[i,d] − M·hu[u,d]``, ``hu[u,d] ≤ Σ_{f∈u} y[f,d]``,
  M = min(|u|, max_staff_d) (big-M); a unit without functions counts all its retained;
- fragmentation: ``hg[g,d] ≥ y[f,d]``; term ``Σ hg − #domains``;
- imbalance: ``I ≥ fte_d − W_d`` for every d (the max, with I ≥ 0);
- C11 presence without an extra literal: ``z[f,o] + y[f,d] − Σ_{i∈o} a[i,d] ≤ 1``;
- the department symmetry cuts of ``planner/cpsat/symmetry.py`` (value precedence
  between interchangeable departments), so both models prune the same symmetry.

Hosts are bounded only in the direction the objective needs (a minimising
solver sets them tight at an optimum); the plan HiGHS returns is rebuilt as a
:class:`models.Plan` and verified by :func:`planner.checking.check.check`, whose terms
(not HiGHS's objective) give the plan's true objective.
"""

from __future__ import annotations

import math
import resource
import time
from array import array
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from models import (
    FunctionAssignment,
    FunctionKind,
    LockKind,
    Plan,
    Position,
    Role,
    RuleKind,
    Scenario,
    StaffAssignment,
    exact,
)

INF = float("inf")
ROLES = (Role.HEAD, Role.DEPUTY, Role.MEMBER)


class _Mip:
    """Columns and rows collected in flat arrays, handed to HiGHS in one call each."""

    def __init__(self) -> None:
        self.lb = array("d")
        self.ub = array("d")
        self.cost = array("d")
        self.integer = array("i")  # column indices that are integer
        self.row_lo = array("d")
        self.row_hi = array("d")
        self.starts = array("i")
        self.index = array("i")
        self.value = array("d")
        self.offset = 0.0

    def col(self, lb: float, ub: float, cost: float = 0.0, integer: bool = True) -> int:
        j = len(self.lb)
        self.lb.append(lb)
        self.ub.append(ub)
        self.cost.append(cost)
        if integer:
            self.integer.append(j)
        return j

    def row(self, terms: list[tuple[int, float]], lo: float, hi: float) -> None:
        """``lo ≤ Σ coef·col ≤ hi`` (duplicate columns are summed)."""
        merged: dict[int, float] = {}
        for j, c in terms:
            merged[j] = merged.get(j, 0.0) + c
        self.starts.append(len(self.index))
        for j, c in merged.items():
            if c != 0.0:
                self.index.append(j)
                self.value.append(c)
        self.row_lo.append(lo)
        self.row_hi.append(hi)

    @property
    def num_col(self) -> int:
        return len(self.lb)

    @property
    def num_row(self) -> int:
        return len(self.row_lo)


@dataclass
class MipModel:
    """The per-person MIP and the columns needed to read a plan back."""

    scenario: Scenario
    mip: _Mip
    x: dict[tuple[int, int, Role], int] = field(default_factory=dict)
    y: dict[tuple[int, int], int] = field(default_factory=dict)
    z: dict[tuple[int, str], int] = field(default_factory=dict)
    build_s: float = 0.0


def build_mip(sc: Scenario) -> MipModel:
    """The MIP of the module docstring (weighted objective)."""
    start = time.perf_counter()
    mip = _Mip()
    model = MipModel(scenario=sc, mip=mip)
    st = sc.settings
    w = st.objective.weights()
    K = range(len(sc.departments))
    org_of = [sc.unit_org[s.unit_id] for s in sc.staff]

    # -- columns ------------------------------------------------------------------------
    churn_w = w["leadership_churn"]
    x = model.x
    for i, s in enumerate(sc.staff):
        roles = ROLES if s.can_lead else (Role.MEMBER,)
        for d in K:
            for ro in roles:
                cost = churn_w if (ro is not Role.MEMBER and s.position is Position.STAFF) else 0
                x[i, d, ro] = mip.col(0, 1, cost)
    y = model.y
    for f, fn in enumerate(sc.functions):
        for d, dpt in enumerate(sc.departments):
            if dpt.hosts(fn.domain):
                y[f, d] = mip.col(0, 1)
    z = model.z
    for f, fn in enumerate(sc.functions):
        if fn.kind is FunctionKind.DIVIDED:
            for rank, o in enumerate(fn.lead_candidates):
                z[f, o] = mip.col(0, 1, w["lead_preference"] * rank)

    staff_of_person: dict[int, list[tuple[int, Role]]] = {}
    by_d: dict[int, list[tuple[int, int]]] = {d: [] for d in K}  # d -> (person, col)
    role_d: dict[tuple[int, Role], list[int]] = {}  # (d, role) -> cols
    for (i, d, ro), j in x.items():
        staff_of_person.setdefault(i, []).append((j, ro))
        by_d[d].append((i, j))
        role_d.setdefault((d, ro), []).append(j)
    fte = [s.fte_h for s in sc.staff]

    def assigned(people: set[int] | None, d: int, coef: list[int] | None = None) -> list:
        """Σ coef_i · a[i,d] over ``people`` (all when None)."""
        return [
            (j, 1.0 if coef is None else float(coef[i]))
            for i, j in by_d[d]
            if people is None or i in people
        ]

    def workload(fs: list[int] | None, d: int, sign: float = 1.0) -> list:
        idx = range(len(sc.functions)) if fs is None else fs
        return [(y[f, d], sign * sc.functions[f].workload_h) for f in idx if (f, d) in y]

    # -- C1 (one place each), C2 by construction ----------------------------------------
    for i in range(len(sc.staff)):
        mip.row([(j, 1.0) for j, _ in staff_of_person[i]], -INF, 1)
    for f in range(len(sc.functions)):
        mip.row([(y[f, d], 1.0) for d in K if (f, d) in y], 1, 1)
        if sc.functions[f].kind is FunctionKind.DIVIDED:
            mip.row([(z[f, o], 1.0) for o in sc.functions[f].lead_candidates], 1, 1)
    # used: every department hosts a function
    for d in K:
        mip.row([(y[f, d], 1.0) for f in range(len(sc.functions)) if (f, d) in y], 1, INF)

    # -- C3 workload --------------------------------------------------------------------
    t = st.targets
    slack = exact(t.workload_slack or 0)
    for d in K:
        q, p = slack.denominator, slack.numerator
        mip.row(assigned(None, d, [q * v for v in fte]) + workload(None, d, -(q + p)), 0, INF)
        if t.max_overstaff is not None:
            over = exact(t.max_overstaff)
            q, p = over.denominator, over.numerator
            mip.row(
                assigned(None, d, [q * v for v in fte]) + workload(None, d, -(q + p)),
                -INF,
                100 * q,
            )
    # -- C4 skills ----------------------------------------------------------------------
    by_skill: dict[str, list[int]] = {}
    for f, fn in enumerate(sc.functions):
        if fn.skill is not None and fn.workload_h > 0:
            by_skill.setdefault(fn.skill, []).append(f)
    for s_id, fs in by_skill.items():
        holders = {i for i, s in enumerate(sc.staff) if s_id in s.skills}
        for d in K:
            if any((f, d) in y for f in fs):
                mip.row(assigned(holders, d, fte) + workload(fs, d, -1), 0, INF)
    # -- C5 size, C6 leadership ---------------------------------------------------------
    share = exact(st.departments.max_deputy_share)
    posts_all: list[tuple[int, float]] = []
    for d, dpt in enumerate(sc.departments):
        lo, hi, max_dep = sc.dept_limits(dpt)
        mip.row(assigned(None, d), lo, hi)
        heads = [(j, 1.0) for j in role_d.get((d, Role.HEAD), [])]
        deps = [(j, 1.0) for j in role_d.get((d, Role.DEPUTY), [])]
        mip.row(heads, 1, 1)
        mip.row(deps, st.departments.min_deputies, max_dep)
        if share < 1:
            mip.row(
                [(j, float(share.denominator)) for j, _ in deps]
                + [(j, -float(share.numerator)) for j, _ in assigned(None, d)],
                -INF,
                0,
            )
        posts_all += heads + deps
    if t.max_leadership_posts is not None:
        mip.row(posts_all, -INF, t.max_leadership_posts)
    # -- C7 reduction -------------------------------------------------------------------
    n = len(sc.staff)
    if t.min_reduction is not None:
        need = math.ceil(exact(t.min_reduction) * n)
        # exits = n − Σ x ≥ need
        if need > 0:
            mip.row([(j, 1.0) for j in x.values()], -INF, n - need)
    for i, s in enumerate(sc.staff):
        if s.protected:
            mip.row([(j, 1.0) for j, _ in staff_of_person[i]], 1, 1)
    # -- C8 budget and the payroll term -------------------------------------------------
    base = st.scenario.base_salary
    a_head = exact(st.allowances.head) * base
    a_dep = exact(st.allowances.deputy) * base
    scale = math.lcm(a_head.denominator, a_dep.denominator)

    def pay_coef(i: int, ro: Role) -> Fraction:
        extra = a_head if ro is Role.HEAD else a_dep if ro is Role.DEPUTY else Fraction(0)
        return sc.staff[i].salary + extra

    pay = [(j, pay_coef(i, ro)) for (i, d, ro), j in x.items()]
    if t.max_payroll is not None:
        cap = Fraction(math.floor(exact(t.max_payroll) * scale), scale)
        mip.row([(j, float(c)) for j, c in pay], -INF, float(cap))
    if t.min_income_raise is not None:
        before = sum(Fraction(s.salary) for s in sc.staff)
        before += a_head * sum(s.position is Position.HEAD for s in sc.staff)
        before += a_dep * sum(s.position is Position.DEPUTY for s in sc.staff)
        rise = exact(t.min_income_raise)
        # before − P ≥ rise × retained  ⇔  Σ (pay_i + rise) x ≤ before
        mip.row([(j, float(c + rise)) for j, c in pay], -INF, float(before))
    unit = 1000
    total = sum(s.salary for s in sc.staff) + len(sc.departments) * a_head + n * a_dep
    term_pay = mip.col(0, math.floor(total / unit) + 1, w["payroll"])
    # t ≤ P/1000 ≤ t + 1 − 1/(1000·scale)
    mip.row(
        [(j, float(c / unit)) for j, c in pay] + [(term_pay, -1.0)],
        0,
        1 - 1 / (unit * scale),
    )
    # -- C9 independence ----------------------------------------------------------------
    leader_share = t.max_leader_share
    for org in sc.organizations:
        people = [i for i in range(n) if org_of[i] == org.org_id]
        mine = [(j, 1.0) for i in people for j, _ in staff_of_person[i]]
        posts = [(j, 1.0) for i in people for j, ro in staff_of_person[i] if ro is not Role.MEMBER]
        if org.min_staff > 0:
            mip.row(mine, org.min_staff, INF)
        if org.min_leaders > 0:
            mip.row(posts, org.min_leaders, INF)
        if leader_share is not None and exact(leader_share) < 1:
            p = exact(leader_share)
            mip.row(
                [(j, float(p.denominator)) for j, _ in posts]
                + [(j, -float(p.numerator)) for j, _ in posts_all],
                -INF,
                0,
            )
    # -- C10 reserved work --------------------------------------------------------------
    reserved: dict[str, list[int]] = {}
    for f, fn in enumerate(sc.functions):
        if fn.kind is FunctionKind.RESERVED and fn.workload_h > 0:
            reserved.setdefault(fn.org_id or "", []).append(f)
    people_of = {o: {i for i in range(n) if org_of[i] == o} for o in sc.org_ids}
    for o, fs in reserved.items():
        for d in K:
            if any((f, d) in y for f in fs):
                mip.row(assigned(people_of.get(o, set()), d, fte) + workload(fs, d, -1), 0, INF)
    # -- C11 divided work ---------------------------------------------------------------
    # z[f,o] ∧ y[f,d] ⇒ present[o,d];  present[o,d] ≤ Σ_{i∈o} a[i,d]
    present: dict[tuple[str, int], int] = {}
    for f, fn in enumerate(sc.functions):
        if fn.kind is not FunctionKind.DIVIDED:
            continue
        for o in fn.lead_candidates:
            for d in K:
                if (f, d) not in y:
                    continue
                if (o, d) not in present:
                    present[o, d] = pr = mip.col(0, 1)
                    staff_o = [(j, -1.0) for j, _ in assigned(people_of.get(o, set()), d)]
                    mip.row([(pr, 1.0), *staff_o], -INF, 0)
                mip.row([(z[f, o], 1.0), (y[f, d], 1.0), (present[o, d], -1.0)], -INF, 1)
    if t.min_lead_tasks:
        for o in sc.lead_organizations:
            mip.row([(j, 1.0) for (f, oo), j in z.items() if oo == o], t.min_lead_tasks, INF)
    # -- C12 rules ----------------------------------------------------------------------
    fid = {fn.function_id: i for i, fn in enumerate(sc.functions)}

    def hosts(fs: list[int]) -> list[int]:
        """host[d] ≥ y[f,d] for f in fs (binary, free to be 1 otherwise)."""
        out = []
        for d in K:
            h = mip.col(0, 1)
            for f in fs:
                if (f, d) in y:
                    mip.row([(h, 1.0), (y[f, d], -1.0)], 0, INF)
            out.append(h)
        return out

    for rule in sc.rules:
        a = [fid[v] for v in sc.rule_targets(rule.a)]
        b = [fid[v] for v in sc.rule_targets(rule.b)]
        if rule.rule is RuleKind.APART:
            ha, hb = hosts(a), hosts(b)
            for d in K:
                mip.row([(ha[d], 1.0), (hb[d], 1.0)], -INF, 1)
        else:
            group = list(dict.fromkeys(a + b))
            for g in group[1:]:
                for d in K:
                    yf, yg = y.get((group[0], d)), y.get((g, d))
                    if yf is None and yg is None:
                        continue
                    if yf is None or yg is None:
                        mip.row([((yg if yf is None else yf), 1.0)], 0, 0)
                    else:
                        mip.row([(yf, 1.0), (yg, -1.0)], 0, 0)
    # -- C13 locks ----------------------------------------------------------------------
    sidx = {s.staff_id: i for i, s in enumerate(sc.staff)}
    dept = {dd: k for k, dd in enumerate(sc.dept_ids)}
    for lk in sc.locks:
        if lk.kind is LockKind.STAFF:
            i = sidx[lk.id]
            if lk.role is Role.EXIT:
                mip.row([(j, 1.0) for j, _ in staff_of_person[i]], 0, 0)
                continue
            ds = [dept[lk.dept_id]] if lk.dept_id is not None else list(K)
            cols = [
                (x[i, d, ro], 1.0)
                for d in ds
                for ro in ROLES
                if (i, d, ro) in x and lk.role in (None, ro)
            ]
            mip.row(cols, 1, 1)
        else:
            f = fid[lk.id]
            if lk.dept_id is not None:
                yy = y.get((f, dept[lk.dept_id]))
                mip.row([(yy, 1.0)] if yy is not None else [], 1, 1)
            if lk.lead_org is not None:
                mip.row([(z[f, lk.lead_org], 1.0)], 1, 1)

    # -- terms --------------------------------------------------------------------------
    # involuntary exits: Σ_{i not retiring} (1 − Σ x_i)
    wi = w["involuntary_exits"]
    for i, s in enumerate(sc.staff):
        if not s.retiring and wi:
            mip.offset += wi
            for j, _ in staff_of_person[i]:
                mip.cost[j] -= wi
    # disruption
    wd = w["disruption"]
    unit_people: dict[str, set[int]] = {}
    for i, s in enumerate(sc.staff):
        unit_people.setdefault(s.unit_id, set()).add(i)
    unit_d: dict[tuple[str, int], list[int]] = {}
    for (i, d, _), j in x.items():
        unit_d.setdefault((sc.staff[i].unit_id, d), []).append(j)
    for unit_ in sc.units:
        people = unit_people.get(unit_.unit_id, set())
        if not people or not wd:
            continue
        fs = [fid[f] for f in sc.functions_by_unit[unit_.unit_id]]
        for d, dpt in enumerate(sc.departments):
            staff_u = [(j, 1.0) for j in unit_d.get((unit_.unit_id, d), [])]
            if not fs:
                for j, _ in staff_u:
                    mip.cost[j] += wd
                continue
            big_m = min(len(people), sc.dept_limits(dpt)[1])
            hu = mip.col(0, 1)
            ys = [(y[f, d], -1.0) for f in fs if (f, d) in y]
            mip.row([(hu, 1.0), *ys], -INF, 0)  # hu ≤ Σ y
            lost = mip.col(0, len(people), wd, integer=False)
            mip.row([(lost, 1.0), *[(j, -1.0) for j, _ in staff_u], (hu, float(big_m))], 0, INF)
    # fragmentation
    wf = w["fragmentation"]
    if wf:
        for g in sc.domains:
            fs = [f for f, fn in enumerate(sc.functions) if fn.domain == g]
            for h in hosts(fs):
                mip.cost[h] += wf
            mip.offset -= wf
    # imbalance
    wb = w["imbalance"]
    if wb:
        hi = sum(fte)
        imb = mip.col(0, hi, wb, integer=False)
        for d in K:
            mip.row(
                [(imb, 1.0), *[(j, -c) for j, c in assigned(None, d, fte)], *workload(None, d)],
                0,
                INF,
            )
    # -- symmetry cuts, as planner/cpsat/symmetry.py --------------------------------------
    locked = {lk.dept_id for lk in sc.locks if lk.dept_id is not None}
    groups: dict[tuple, list[int]] = {}
    for d, dpt in enumerate(sc.departments):
        if dpt.dept_id not in locked:
            groups.setdefault((tuple(sorted(dpt.domains)), sc.dept_limits(dpt)), []).append(d)
    for group in groups.values():
        for prev, d in zip(group, group[1:], strict=False):
            earlier: list[int] = []
            for f in range(len(sc.functions)):
                if (f, d) in y:
                    mip.row([(y[f, d], 1.0), *[(e, -1.0) for e in earlier]], -INF, 0)
                if (f, prev) in y:
                    earlier.append(y[f, prev])
    model.build_s = time.perf_counter() - start
    return model


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


class IdleClock:
    """Wall and *idle-equivalent* seconds of this process since ``start()``.

    On a loaded machine a process gets a fraction of the CPU, so wall seconds say more
    about the neighbours than about the solver. The idle-equivalent time is what the
    same CPU work takes on an idle machine of ``cores`` cores: CPU seconds spent in
    serial phases (Python model building, extraction, checking) count in full, CPU
    seconds spent inside a solver count ÷ ``cores`` (the solver keeps every core
    busy; for HiGHS, whose branch and bound is mostly serial, this flatters HiGHS by
    up to ``cores``×).
    """

    def __init__(self, cores: int) -> None:
        self.cores = max(1, cores)
        self.t0 = self.cpu0 = 0.0
        self.parallel = 0.0  # CPU seconds spent inside finished solver calls
        self.mark: float | None = None  # CPU at the start of the current solver call

    def start(self) -> None:
        self.t0, self.cpu0 = time.perf_counter(), _cpu()

    def enter(self) -> None:
        self.mark = _cpu()

    def leave(self) -> None:
        if self.mark is not None:
            self.parallel += _cpu() - self.mark
            self.mark = None

    def wall(self) -> float:
        return time.perf_counter() - self.t0

    def cpu(self) -> float:
        return _cpu() - self.cpu0

    def equivalent(self) -> float:
        c = _cpu()
        par = self.parallel + (c - self.mark if self.mark is not None else 0.0)
        return (c - self.cpu0 - par) + par / self.cores

    def now(self) -> tuple[float, float]:
        """(wall seconds, idle-equivalent seconds)."""
        return self.wall(), self.equivalent()


def solve_highs(
    sc: Scenario,
    time_limit: float,
    threads: int = 2,
    *,
    hint: Plan | None = None,
    stop_gap: float = 0.0,
    cores: int = 2,
    cpu_clock: bool = False,
    verbose: bool = False,
) -> dict[str, Any]:
    """Build the MIP, solve it with HiGHS within ``time_limit`` seconds (model building
    included), check the plan. ``hint``: a previous plan, passed as a (partial) start
    solution of x, y, z (HiGHS completes it). Returns figures (see ``benchmarks.run``)."""
    import highspy
    import numpy as np

    clock = IdleClock(cores)
    clock.start()
    mm = build_mip(sc)
    mip = mm.mip
    h = highspy.Highs()
    h.setOptionValue("output_flag", verbose)
    h.setOptionValue("threads", threads)
    h.setOptionValue("random_seed", 0)
    if cpu_clock:  # stopped by the callback on the idle-equivalent clock; wall only as a guard
        h.setOptionValue("time_limit", max(120.0, 10 * time_limit))
    else:
        h.setOptionValue("time_limit", max(0.5, time_limit - clock.wall()))
    h.setOptionValue("mip_rel_gap", stop_gap)
    h.setOptionValue("mip_abs_gap", 0.0)
    nc = mip.num_col
    h.addVars(nc, np.frombuffer(mip.lb, dtype=np.float64), np.frombuffer(mip.ub, dtype=np.float64))
    h.changeColsCost(nc, np.arange(nc, dtype=np.int32), np.frombuffer(mip.cost, dtype=np.float64))
    ints = np.frombuffer(mip.integer, dtype=np.int32)
    h.changeColsIntegrality(
        len(ints), ints, np.full(len(ints), highspy.HighsVarType.kInteger, dtype=np.uint8)
    )
    h.addRows(
        mip.num_row,
        np.frombuffer(mip.row_lo, dtype=np.float64),
        np.frombuffer(mip.row_hi, dtype=np.float64),
        len(mip.index),
        np.frombuffer(mip.starts, dtype=np.int32),
        np.frombuffer(mip.index, dtype=np.int32),
        np.frombuffer(mip.value, dtype=np.float64),
    )
    h.changeObjectiveOffset(mip.offset)
    if hint is not None:
        idx, val = hint_values(mm, hint)
        h.setSolution(len(idx), np.asarray(idx, dtype=np.int32), np.asarray(val, dtype=np.float64))
    trace: list[tuple[float, float, float, float]] = []  # (wall, idle-eq, primal, dual)
    first: list[tuple[float, float]] = []
    last = [None, None]

    def on_interrupt(e: Any) -> None:
        out = e.data_out
        pb, db = out.mip_primal_bound, out.mip_dual_bound
        if (pb, db) != tuple(last):
            last[0], last[1] = pb, db
            trace.append((*clock.now(), pb, db))
        if cpu_clock and clock.equivalent() >= time_limit:
            e.interrupt()

    def on_solution(e: Any) -> None:
        if not first:
            first.append(clock.now())
        trace.append((*clock.now(), e.data_out.objective_function_value, last[1] or -INF))

    h.cbMipInterrupt.subscribe(on_interrupt)
    h.cbMipImprovingSolution.subscribe(on_solution)
    setup_s = clock.wall()
    clock.enter()
    h.run()
    clock.leave()
    wall, eq_end, cpu_end = clock.wall(), clock.equivalent(), clock.cpu()
    status = h.modelStatusToString(h.getModelStatus())
    info = h.getInfo()
    has_sol = info.primal_solution_status == 2  # kSolutionStatusFeasible
    primal = info.objective_function_value if has_sol else None
    dual = info.mip_dual_bound
    out: dict[str, Any] = {
        "solver": "highs",
        "highs_status": status,
        "status": (
            ("optimal" if primal is not None and primal - dual < 1 - 1e-6 else "gap reached")
            if status == "Optimal"
            else ("feasible" if has_sol else "timeout")
        ),
        "stop_gap": stop_gap,
        "objective_highs": primal,
        "bound": dual if math.isfinite(dual) else None,
        "gap": (abs(primal - dual) / max(1.0, abs(primal)))
        if has_sol and math.isfinite(dual)
        else None,
        "wall_s": wall,
        "build_s": mm.build_s,
        "setup_s": setup_s,
        "first_s": first[0][0] if first else None,
        "first_eq_s": first[0][1] if first else None,
        "columns": mip.num_col,
        "rows": mip.num_row,
        "nonzeros": len(mip.index),
        "nodes": info.mip_node_count,
        "trace": trace,
    }
    if has_sol:
        values = list(h.getSolution().col_value)
        plan = plan_from(mm, values)
        from planner.checking.check import check, objective_value

        report = check(sc, plan)
        out["check_ok"] = report.ok
        out["violations"] = [str(v) for v in report.violations][:20]
        out["objective"] = objective_value(report.terms, sc.settings)
        out["terms"] = report.terms
    else:
        out["check_ok"] = None
        out["objective"] = None
    out["cpu_s"] = cpu_end
    out["eq_s"] = eq_end
    out["peak_mb"] = _rss_mb()
    return out


def hint_values(mm: MipModel, plan: Plan) -> tuple[list[int], list[float]]:
    """Every x, y, z column's value in ``plan``."""
    sc = mm.scenario
    sidx = {s.staff_id: i for i, s in enumerate(sc.staff)}
    dept = {d: k for k, d in enumerate(sc.dept_ids)}
    fidx = {fn.function_id: f for f, fn in enumerate(sc.functions)}
    on: set[int] = set()
    for a in plan.staff:
        if a.role is not Role.EXIT and a.dept_id in dept and a.staff_id in sidx:
            j = mm.x.get((sidx[a.staff_id], dept[a.dept_id], a.role))
            if j is not None:
                on.add(j)
    for fa in plan.functions:
        f = fidx.get(fa.function_id)
        if f is None:
            continue
        j = mm.y.get((f, dept.get(fa.dept_id, -1)))
        if j is not None:
            on.add(j)
        if fa.lead_org is not None and (f, fa.lead_org) in mm.z:
            on.add(mm.z[f, fa.lead_org])
    cols = [*mm.x.values(), *mm.y.values(), *mm.z.values()]
    return cols, [1.0 if j in on else 0.0 for j in cols]


def plan_from(mm: MipModel, values: list[float]) -> Plan:
    """The plan of a MIP solution (x, y, z rounded)."""
    sc = mm.scenario
    where: dict[int, tuple[int, Role]] = {}
    for (i, d, ro), j in mm.x.items():
        if values[j] > 0.5:
            where[i] = (d, ro)
    staff = tuple(
        StaffAssignment(
            staff_id=s.staff_id,
            org_id=sc.unit_org[s.unit_id],
            unit_id=s.unit_id,
            dept_id=sc.dept_ids[where[i][0]] if i in where else None,
            role=where[i][1] if i in where else Role.EXIT,
        )
        for i, s in enumerate(sc.staff)
    )
    functions = []
    for f, fn in enumerate(sc.functions):
        d = max(
            (d for d in range(len(sc.departments)) if (f, d) in mm.y),
            key=lambda d: values[mm.y[f, d]],
        )
        lead = None
        if fn.kind is FunctionKind.DIVIDED:
            lead = max(fn.lead_candidates, key=lambda o: values[mm.z[f, o]])
        functions.append(
            FunctionAssignment(function_id=fn.function_id, dept_id=sc.dept_ids[d], lead_org=lead)
        )
    return Plan(staff=staff, functions=tuple(functions))


if __name__ == "__main__":  # a quick look: python -m benchmarks.highs_baseline province 10
    import sys

    from benchmarks.instances import BY_NAME

    name = sys.argv[1] if len(sys.argv) > 1 else "province"
    limit = float(sys.argv[2]) if len(sys.argv) > 2 else 10.0
    res = solve_highs(BY_NAME[name].load(), limit, verbose=True)
    res.pop("trace")
    print(res)
