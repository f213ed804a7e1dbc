"""Columns and pricing of the decomposition bound (``colgen.py``).

A *column* is one department as it could be in a plan: the functions it hosts, the
lead of each divided function among them, and its staffing by class and role
(members m_c, heads h_c, deputies v_c of every staff class c, ``classes.py``).
Everything that SPEC §3 states about one department alone holds inside a column; what
couples departments is left to the master (``colgen.py``).

The *pricing problem* of a department group g finds, for the master's duals π, the
column of least reduced cost ``rc(p) = cost(p) − Σ_i π_i · A_ip`` (the convexity row
of g left out). It is a small CP-SAT model over one department, solved with integer
coefficients ``floor(S · coefficient)``: every pricing variable is non-negative, so
the integer optimum divided by S is at most the true least reduced cost, and CP-SAT's
``best_objective_bound`` / S is a valid lower bound even when the search stops early.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction

from ortools.sat.python import cp_model

from models import FunctionKind, LockKind, Position, Role, RuleKind, Scenario, exact
from planner.cpsat.budget import allowances
from planner.cpsat.classes import StaffClass, staff_classes
from planner.cpsat.solver import new_solver

RowKey = tuple[object, ...]
"""A master row: ("f", f), ("c", c), ("pay",), ("posts",), ("orgposts", o), ("share", o),
("quota", o), ("imb", g), ("conv", g) (``colgen.py`` lists them all)."""

LinearExpr = cp_model.LinearExpr
PRICING_EXTRA: list[tuple[str, object]] = []
"""Extra CP-SAT parameters of every pricing solve (benchmarks set them)."""


@dataclass(frozen=True)
class Column:
    """One department configuration of group ``group``.

    ``staff`` holds (class, members, heads, deputies) for every class present;
    ``leads`` holds (function, lead organisation) for every divided function hosted.
    """

    group: int
    functions: tuple[int, ...]
    leads: tuple[tuple[int, str], ...]
    staff: tuple[tuple[int, int, int, int], ...]


@dataclass
class Problem:
    """What the master and every pricing problem share: the scenario in index form."""

    scenario: Scenario
    classes: list[StaffClass]
    groups: list[list[int]]
    """Department indices per group; a group of interchangeable departments shares columns."""
    weights: dict[str, int]
    head_allowance: Fraction
    deputy_allowance: Fraction
    fn_allowed: list[set[int]] = field(default_factory=list)
    """Per group, the functions its departments may host (C2, function locks)."""
    class_roles: list[dict[int, tuple[bool, bool, bool]]] = field(default_factory=list)
    """Per group, per class: may it hold (member, head, deputy) there (C6, staff locks)."""
    lead_locks: dict[int, str] = field(default_factory=dict)

    @property
    def share(self) -> Fraction | None:
        """``max_leader_share`` when it binds (C9)."""
        s = self.scenario.settings.targets.max_leader_share
        return None if s is None or exact(s) >= 1 else exact(s)

    def describe(self, col: Column) -> tuple[float, dict[RowKey, float], int]:
        """(cost, master coefficients, surplus) of a column.

        cost = w_disruption · lost + w_fragmentation · #domains + w_churn · new posts
        + w_lead_preference · Σ rank; surplus = fte − workload in hundredths.
        """
        sc, w, cls = self.scenario, self.weights, self.classes
        fns = [sc.functions[f] for f in col.functions]
        units_hosted = {fn.unit_id for fn in fns if fn.unit_id is not None}
        coefs: dict[RowKey, float] = {("f", f): 1.0 for f in col.functions}
        lost = posts = new_posts = fte = 0
        heads = deputies = 0
        org_posts: dict[str, int] = {}
        for c, n, h, v in col.staff:
            k = cls[c]
            coefs["c", c] = float(n + h + v)
            fte += k.fte_h * (n + h + v)
            if k.unit_id not in units_hosted:
                lost += n + h + v
            posts += h + v
            heads += h
            deputies += v
            org_posts[k.org_id] = org_posts.get(k.org_id, 0) + h + v
            if k.position is Position.STAFF:
                new_posts += h + v
        work = sum(fn.workload_h for fn in fns)
        rank = 0
        quota: dict[str, int] = {}
        for f, o in col.leads:
            rank += sc.functions[f].lead_candidates.index(o)
            quota[o] = quota.get(o, 0) + 1
        domains = len({fn.domain for fn in fns})
        cost = (
            w["disruption"] * lost
            + w["fragmentation"] * domains
            + w["leadership_churn"] * new_posts
            + w["lead_preference"] * rank
        )
        coefs["pay",] = -float(self.head_allowance * heads + self.deputy_allowance * deputies)
        coefs["posts",] = float(posts)
        for o, p in org_posts.items():
            coefs["orgposts", o] = float(p)
        share = self.share
        if share is not None:
            for o in sc.org_ids:
                coefs["share", o] = float(
                    share.denominator * org_posts.get(o, 0) - share.numerator * posts
                )
        for o, q in quota.items():
            coefs["quota", o] = float(q)
        coefs["imb", col.group] = -float(fte - work)
        coefs["conv", col.group] = 1.0
        return float(cost), coefs, fte - work


def make_problem(scenario: Scenario) -> Problem:
    """Index the scenario: department groups, allowed functions and roles per group."""
    sc = scenario
    classes = staff_classes(sc)
    al = allowances(sc)
    locked_depts = {lk.dept_id for lk in sc.locks if lk.dept_id is not None}
    keyed: dict[tuple, list[int]] = {}
    groups: list[list[int]] = []
    for d, dpt in enumerate(sc.departments):
        if dpt.dept_id in locked_depts:
            groups.append([d])
            continue
        key = (tuple(sorted(dpt.domains)), sc.dept_limits(dpt))
        if key not in keyed:
            keyed[key] = []
            groups.append(keyed[key])
        keyed[key].append(d)
    prob = Problem(
        scenario=sc,
        classes=classes,
        groups=groups,
        weights=sc.settings.objective.weights(),
        head_allowance=al.head,
        deputy_allowance=al.deputy,
    )
    dept_index = {d: i for i, d in enumerate(sc.dept_ids)}
    group_of = {d: g for g, ds in enumerate(groups) for d in ds}
    fid = {fn.function_id: i for i, fn in enumerate(sc.functions)}
    fn_lock: dict[int, int] = {}
    staff_lock: dict[str, tuple[int | None, Role | None]] = {}
    for lk in sc.locks:
        if lk.kind is LockKind.FUNCTION:
            if lk.dept_id is not None:
                fn_lock[fid[lk.id]] = group_of[dept_index[lk.dept_id]]
            if lk.lead_org is not None:
                prob.lead_locks[fid[lk.id]] = lk.lead_org
        else:
            g = None if lk.dept_id is None else group_of[dept_index[lk.dept_id]]
            staff_lock[lk.id] = (g, lk.role)
    for g, ds in enumerate(groups):
        dpt = sc.departments[ds[0]]
        prob.fn_allowed.append(
            {
                f
                for f, fn in enumerate(sc.functions)
                if dpt.hosts(fn.domain) and fn_lock.get(f, g) == g
            }
        )
        roles: dict[int, tuple[bool, bool, bool]] = {}
        for c in classes:
            allowed = (True, c.can_lead, c.can_lead)
            if c.size == 1 and sc.staff[c.members[0]].staff_id in staff_lock:
                lg, role = staff_lock[sc.staff[c.members[0]].staff_id]
                if role is Role.EXIT or (lg is not None and lg != g):
                    allowed = (False, False, False)
                elif role is not None:
                    allowed = (role is Role.MEMBER, role is Role.HEAD, role is Role.DEPUTY)
                    allowed = (allowed[0], allowed[1] and c.can_lead, allowed[2] and c.can_lead)
            roles[c.index] = allowed
        prob.class_roles.append(roles)
    return prob


class Pricing:
    """The pricing problem of one department group: a CP-SAT model of one department.

    Variables: ``y[f]`` (f hosted), ``z[f,o]`` (o leads divided f), ``m[c]``, ``h[c]``,
    ``v[c]`` (class c's members, heads, deputies), ``host[g]`` (a domain hosted),
    ``lost[u]`` (staff of unit u here while no function of u is: disruption).
    Constraints: used (Σ y ≥ 1), C3, C4, C5, C6 (one head, deputies, deputy share),
    C10, C11 (a lead has retained staff here), C12 (within the department), C13 (as
    restrictions of ``Problem``), ``m + h + v ≤ n_c`` and optionally
    ``fte − workload ≤ cap`` (the imbalance split of ``colgen.py``).
    """

    def __init__(self, prob: Problem, group: int, *, imbalance_cap: int | None = None) -> None:
        self.prob, self.group = prob, group
        sc = prob.scenario
        st = sc.settings
        dpt = sc.departments[prob.groups[group][0]]
        lo, hi, max_dep = sc.dept_limits(dpt)
        model = self.model = cp_model.CpModel()
        fs = sorted(prob.fn_allowed[group])
        self.y = {f: model.new_bool_var(f"y{f}") for f in fs}
        self.z: dict[tuple[int, str], cp_model.IntVar] = {}
        self.m: dict[int, cp_model.IntVar] = {}
        self.h: dict[int, cp_model.IntVar] = {}
        self.v: dict[int, cp_model.IntVar] = {}
        for c in prob.classes:
            mem, head, dep = prob.class_roles[group][c.index]
            if mem:
                self.m[c.index] = model.new_int_var(0, c.size, f"m{c.index}")
            if head:
                self.h[c.index] = model.new_bool_var(f"h{c.index}")
            if dep:
                self.v[c.index] = model.new_int_var(0, min(c.size, max_dep), f"v{c.index}")
            cell = self.cell(c.index)
            if len(cell) > 1:
                model.add(LinearExpr.sum(cell) <= c.size)
        fte = self.fte()
        work = self.work(fs)
        model.add_bool_or(list(self.y.values()))  # every department hosts a function
        # C3 workload
        slack = exact(st.targets.workload_slack or 0)
        model.add(slack.denominator * fte >= (slack.denominator + slack.numerator) * work)
        if st.targets.max_overstaff is not None:
            over = exact(st.targets.max_overstaff)
            q, p = over.denominator, over.numerator
            model.add(q * fte <= (q + p) * work + 100 * q)
        if imbalance_cap is not None:
            model.add(fte - work <= imbalance_cap)
        # C4 skills, C10 reserved work
        by_skill: dict[str, list[int]] = {}
        reserved: dict[str, list[int]] = {}
        for f in fs:
            fn = sc.functions[f]
            if fn.skill is not None and fn.workload_h > 0:
                by_skill.setdefault(fn.skill, []).append(f)
            if fn.kind is FunctionKind.RESERVED and fn.workload_h > 0:
                reserved.setdefault(fn.org_id or "", []).append(f)
        for s, sf in by_skill.items():
            model.add(self.fte([c for c in prob.classes if s in c.skills]) >= self.work(sf))
        for o, of in reserved.items():
            model.add(self.fte([c for c in prob.classes if c.org_id == o]) >= self.work(of))
        # C5 size, C6 leadership
        count = self.count()
        if lo > 0:
            model.add(count >= lo)
        model.add(count <= hi)
        model.add(LinearExpr.sum(list(self.h.values())) == 1)
        deps = LinearExpr.sum(list(self.v.values()))
        if st.departments.min_deputies > 0:
            model.add(deps >= st.departments.min_deputies)
        model.add(deps <= max_dep)
        share = exact(st.departments.max_deputy_share)
        if share < 1:
            model.add(share.denominator * deps <= share.numerator * count)
        # C11: a lead has retained staff here
        for f in fs:
            fn = sc.functions[f]
            if fn.kind is not FunctionKind.DIVIDED:
                continue
            cands = [o for o in fn.lead_candidates if prob.lead_locks.get(f, o) == o]
            for o in cands:
                self.z[f, o] = model.new_bool_var(f"z{f},{o}")
                present = self.count([c for c in prob.classes if c.org_id == o])
                model.add(present >= self.z[f, o])
            model.add(LinearExpr.sum([self.z[f, o] for o in cands]) == self.y[f])
        # C12 within the department
        fidx = {fn.function_id: i for i, fn in enumerate(sc.functions)}
        for rule in sc.rules:
            a = [fidx[x] for x in sc.rule_targets(rule.a)]
            b = [fidx[x] for x in sc.rule_targets(rule.b)]
            if rule.rule is RuleKind.APART:
                ha, hb = self._host(a), self._host(b)
                if ha is not None and hb is not None:
                    model.add(ha + hb <= 1)
            else:
                group_fs = list(dict.fromkeys(a + b))
                here = [f for f in group_fs if f in self.y]
                if len(here) < len(group_fs):  # some can never be here: none is
                    for f in here:
                        model.add(self.y[f] == 0)
                for f, g in zip(here, here[1:], strict=False):
                    model.add(self.y[f] == self.y[g])
        # fragmentation: host[domain]; disruption: lost[unit]
        self.host: dict[str, cp_model.IntVar] = {}
        if prob.weights["fragmentation"]:
            for dom in sorted({sc.functions[f].domain for f in fs}):
                lit = model.new_bool_var(f"host[{dom}]")
                for f in fs:
                    if sc.functions[f].domain == dom:
                        model.add_implication(self.y[f], lit)
                self.host[dom] = lit
        self.lost: dict[str, cp_model.IntVar] = {}
        if prob.weights["disruption"]:
            for unit in sc.units:
                mine = [c for c in prob.classes if c.unit_id == unit.unit_id]
                if not mine:
                    continue
                staff = self.count(mine)
                size = sum(c.size for c in mine)
                lost = model.new_int_var(0, size, f"lost[{unit.unit_id}]")
                ufs = [f for f in fs if sc.functions[f].unit_id == unit.unit_id]
                if ufs:
                    hosted = model.new_bool_var(f"hosts[{unit.unit_id}]")
                    model.add_bool_or([self.y[f] for f in ufs]).only_enforce_if(hosted)
                    model.add(lost >= staff).only_enforce_if(hosted.Not())
                else:
                    model.add(lost >= staff)
                self.lost[unit.unit_id] = lost

    # -- expressions -----------------------------------------------------------------
    def cell(self, c: int) -> list[cp_model.IntVar]:
        return [t[c] for t in (self.m, self.h, self.v) if c in t]

    def count(self, classes: list[StaffClass] | None = None) -> LinearExpr:
        group = self.prob.classes if classes is None else classes
        return LinearExpr.sum([x for c in group for x in self.cell(c.index)])

    def fte(self, classes: list[StaffClass] | None = None) -> LinearExpr:
        xs: list[cp_model.IntVar] = []
        ws: list[int] = []
        for c in self.prob.classes if classes is None else classes:
            cell = self.cell(c.index)
            xs += cell
            ws += [c.fte_h] * len(cell)
        return LinearExpr.weighted_sum(xs, ws)

    def work(self, fs: list[int]) -> LinearExpr:
        fns = self.prob.scenario.functions
        here = [f for f in fs if f in self.y]
        return LinearExpr.weighted_sum([self.y[f] for f in here], [fns[f].workload_h for f in here])

    def _host(self, fs: list[int]) -> cp_model.IntVar | None:
        here = [f for f in fs if f in self.y]
        if not here:
            return None
        lit = self.model.new_bool_var("")
        for f in here:
            self.model.add_implication(self.y[f], lit)
        return lit

    # -- reduced cost ------------------------------------------------------------------
    def reduced_costs(self, duals: Mapping[RowKey, float]) -> list[tuple[cp_model.IntVar, float]]:
        """Each pricing variable with its coefficient in ``cost(p) − Σ_i π_i · A_ip``.

        - ``y[f]``: ``−π_f − π_imb · workload_f``;
        - ``m|h|v[c]``: ``−π_c + π_imb · fte_c``; ``h``, ``v`` also
          ``π_pay · allowance − π_posts − π_orgposts[o] − Σ_o' π_share[o'] (q[o'=o] − p)``
          and ``w_churn`` when c holds no post today;
        - ``z[f,o]``: ``w_lead_preference · rank − π_quota[o]``;
        - ``host[g]``: ``w_fragmentation``; ``lost[u]``: ``w_disruption``.
        """
        prob, g = self.prob, self.group
        pi = duals.get
        w = prob.weights
        imb = pi(("imb", g), 0.0)
        out: list[tuple[cp_model.IntVar, float]] = []
        fns = prob.scenario.functions
        for f, y in self.y.items():
            out.append((y, -pi(("f", f), 0.0) - imb * fns[f].workload_h))
        share = prob.share
        share_all = 0.0
        if share is not None:
            share_all = share.numerator * sum(pi(("share", o), 0.0) for o in prob.scenario.org_ids)
        pay, posts = pi(("pay",), 0.0), pi(("posts",), 0.0)
        for c in prob.classes:
            base = -pi(("c", c.index), 0.0) + imb * c.fte_h
            if c.index in self.m:
                out.append((self.m[c.index], base))
            post = base - posts - pi(("orgposts", c.org_id), 0.0) + share_all
            if share is not None:
                post -= share.denominator * pi(("share", c.org_id), 0.0)
            if c.position is Position.STAFF:
                post += w["leadership_churn"]
            if c.index in self.h:
                out.append((self.h[c.index], post + pay * float(prob.head_allowance)))
            if c.index in self.v:
                out.append((self.v[c.index], post + pay * float(prob.deputy_allowance)))
        for (f, o), z in self.z.items():
            rank = fns[f].lead_candidates.index(o)
            out.append((z, w["lead_preference"] * rank - pi(("quota", o), 0.0)))
        for lit in self.host.values():
            out.append((lit, float(w["fragmentation"])))
        for lost in self.lost.values():
            out.append((lost, float(w["disruption"])))
        return out

    def solve(
        self, duals: Mapping[RowKey, float], time_limit: float, *, seed: int = 0, workers: int = 1
    ) -> tuple[list[Column], float, str]:
        """Columns found (every improving solution), a lower bound on the least reduced
        cost, and the status: ``optimal``, ``feasible``, ``unknown`` or ``infeasible``."""
        terms = self.reduced_costs(duals)
        top = max((abs(c) for _, c in terms), default=1.0)
        scale = 1000.0
        while scale > 1e-3 and top * scale > 2.0**40:
            scale /= 10
        xs = [x for x, _ in terms]
        ws = [math.floor(c * scale) for _, c in terms]
        self.model.minimize(LinearExpr.weighted_sum(xs, ws))
        solver = new_solver()
        p = solver.parameters
        p.num_workers = workers
        p.random_seed = seed
        p.max_time_in_seconds = max(time_limit, 0.01)
        # Measured on the province's pricing problems: 5x faster than CP-SAT's defaults.
        p.cp_model_presolve = False
        p.linearization_level = 2
        for key, value in PRICING_EXTRA:
            setattr(p, key, value)
        found = _Collector(self)
        status = solver.solve(self.model, found)
        if status == cp_model.INFEASIBLE:
            return [], math.inf, "infeasible"
        name = {cp_model.OPTIMAL: "optimal", cp_model.FEASIBLE: "feasible"}.get(status, "unknown")
        bound = solver.best_objective_bound
        if status == cp_model.OPTIMAL:
            bound = solver.objective_value
        lower = bound / scale if math.isfinite(bound) else -math.inf
        return found.columns, lower, name


class _Collector(cp_model.CpSolverSolutionCallback):
    """Turns every improving pricing solution into a column."""

    def __init__(self, pricing: Pricing) -> None:
        super().__init__()
        self.pricing = pricing
        self.columns: list[Column] = []

    def on_solution_callback(self) -> None:
        pr = self.pricing
        fs = tuple(f for f, y in pr.y.items() if self.value(y))
        leads = tuple((f, o) for (f, o), z in pr.z.items() if self.value(z))
        staff = []
        for c in pr.prob.classes:
            n = self.value(pr.m[c.index]) if c.index in pr.m else 0
            h = self.value(pr.h[c.index]) if c.index in pr.h else 0
            v = self.value(pr.v[c.index]) if c.index in pr.v else 0
            if n or h or v:
                staff.append((c.index, int(n), int(h), int(v)))
        self.columns.append(Column(pr.group, fs, leads, tuple(staff)))
