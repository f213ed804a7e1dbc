"""A constructive first plan: units kept whole, packed into departments, staffed greedily.

CP-SAT's own search can fail to find any plan on shapes it was not tuned on
(issue 14: 2,700 staff, 19 departments that may host any domain, no plan in
120 s), while a planner would write one by hand: keep each unit's work and its
people together, pack units into departments, keep just enough of each unit's
people to cover its work, bring in skill holders from elsewhere where a unit
lacks them, and let the rest go. This module writes that plan.

It is a heuristic: every plan it returns is judged by the independent checker
(``planner.check``) before anyone uses it, and the solver then improves it
(``planner.lns`` and the full model, ``planner.solve``). Several packings are
tried (``placements``), so no single greedy placement has to be right.

Steps (all quantities in hundredths of an FTE, as in the model):

1. ``pack_units``: blocks of functions that should stay together — one unit's
   functions (split by domain where no department may host all of them),
   ``together`` groups whole, joint work by domain — are packed largest first
   into the allowed department (C2, locks, avoiding ``apart`` pairs) with the
   least work so far; blocks are split until every department hosts work.
2. ``choose_leads``: each divided function's most suitable candidate, then the
   C11 quotas (``min_lead_tasks``) by handing functions to organisations short
   of them.
3. ``Staffing``: locks and protected staff first; then, department by
   department from the people whose unit's work is there, a head and the
   minimum deputies, each organisation's reserved work (C10), each required
   skill (C4), the lead organisations' presence (C11), the workload with its
   slack (C3) and ``min_staff`` (C5); then the same needs from anyone not yet
   placed; then the global targets by trimming (C7), adding or swapping
   (C9 staff and posts) — never breaking what a department already covers.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Iterator
from fractions import Fraction

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
from planner.kpis import department_summaries


# -- 1. placement ---------------------------------------------------------------
class _Union:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, i: int, j: int) -> None:
        self.parent[self.find(i)] = self.find(j)


def _blocks(sc: Scenario) -> tuple[list[list[int]], dict[int, int]]:
    """Blocks of function indices that should share a department, and block -> locked dept.

    ``together`` groups are merged whole (C12); a unit's functions form one block
    when some department may host all of its domains, else one block per domain.
    """
    fs, depts = sc.functions, sc.departments
    fid = {fn.function_id: i for i, fn in enumerate(fs)}
    forced = _Union(len(fs))  # together rules: must stay together
    for rule in sc.rules:
        if rule.rule is RuleKind.TOGETHER:
            group = [fid[x] for x in (*sc.rule_targets(rule.a), *sc.rule_targets(rule.b))]
            for f in group[1:]:
                forced.union(group[0], f)
    soft = _Union(len(fs))
    for i in range(len(fs)):
        soft.union(i, forced.find(i))
    by_unit: dict[str, list[int]] = defaultdict(list)
    joint: dict[str, list[int]] = defaultdict(list)
    for i, fn in enumerate(fs):
        (by_unit[fn.unit_id] if fn.unit_id else joint[fn.domain]).append(i)
    for unit_fs in by_unit.values():
        doms = {fs[f].domain for f in unit_fs}
        if any(all(d.hosts(g) for g in doms) for d in depts):
            parts = [unit_fs]
        else:  # no department may host all of the unit's work: one block per domain
            per: dict[str, list[int]] = defaultdict(list)
            for f in unit_fs:
                per[fs[f].domain].append(f)
            parts = list(per.values())
        for part in parts:
            for f in part[1:]:
                _join_if_hostable(sc, soft, part[0], f)
    for group in joint.values():
        for f in group[1:]:
            _join_if_hostable(sc, soft, group[0], f)
    members: dict[int, list[int]] = defaultdict(list)
    for i in range(len(fs)):
        members[soft.find(i)].append(i)
    blocks = list(members.values())
    dept = {d: i for i, d in enumerate(sc.dept_ids)}
    locked: dict[int, int] = {}
    for lk in sc.locks:
        if lk.kind is LockKind.FUNCTION and lk.dept_id is not None:
            f = fid[lk.id]
            for b, block in enumerate(blocks):
                if f in block:
                    locked[b] = dept[lk.dept_id]
    return blocks, locked


def _join_if_hostable(sc: Scenario, u: _Union, a: int, b: int) -> None:
    """Merge the blocks of a and b when some department may host both blocks' domains."""
    ra, rb = u.find(a), u.find(b)
    if ra == rb:
        return
    doms = {
        fn.domain for i, fn in enumerate(sc.functions) if u.find(i) in (ra, rb)
    }  # small scenarios only reach here often; cost is linear per merge
    if any(all(d.hosts(g) for g in doms) for d in sc.departments):
        u.union(ra, rb)


def pack_units(sc: Scenario, rng: random.Random | None = None) -> dict[int, int] | None:
    """Function index -> department index, or None when no packing holds C2 and the locks.

    Blocks (``_blocks``) go largest first (ties broken by ``rng`` when given) to
    the allowed department with the least workload, avoiding departments that
    would put both sides of an ``apart`` rule together. Then, while a department
    hosts nothing, the largest block that can move there is split or moved.
    """
    fs, depts = sc.functions, sc.departments
    k = len(depts)
    blocks, locked = _blocks(sc)
    fid = {fn.function_id: i for i, fn in enumerate(fs)}
    apart: list[tuple[set[int], set[int]]] = [
        ({fid[x] for x in sc.rule_targets(r.a)}, {fid[x] for x in sc.rule_targets(r.b)})
        for r in sc.rules
        if r.rule is RuleKind.APART
    ]
    forced_together = _forced_groups(sc)

    def options(block: list[int]) -> list[int]:
        return [d for d in range(k) if all(depts[d].hosts(fs[f].domain) for f in block)]

    weight = [sum(max(fs[f].workload_h, 1) for f in b) for b in blocks]
    order = list(range(len(blocks)))
    jitter = {b: (rng.random() if rng else 0.0) for b in order}
    order.sort(key=lambda b: (b not in locked, -weight[b] * (1 + 0.3 * jitter[b]), b))
    where: dict[int, int] = {}
    load = [0] * k
    placed_blocks: dict[int, int] = {}
    for b in order:
        ok = options(blocks[b])
        if b in locked:
            ok = [d for d in ok if d == locked[b]]
        if not ok:
            return None
        clean = [d for d in ok if not _breaks_apart(blocks[b], d, where, apart)]
        d = min(clean or ok, key=lambda d: (load[d], d))
        placed_blocks[b] = d
        for f in blocks[b]:
            where[f] = d
        load[d] += weight[b]
    # Every department hosts work: move or split a block from a department that has several
    # functions; a split never separates a ``together`` group.
    for d in range(k):
        if any(where[f] == d for f in where):
            continue
        donors = sorted(
            (
                f
                for f in where
                if depts[d].hosts(fs[f].domain) and not _pinned(sc, fs[f].function_id)
            ),
            key=lambda f: (-load[where[f]], f),
        )
        moved = False
        for f in donors:
            src = where[f]
            group = forced_together.get(f, [f])
            if sum(1 for g in where if where[g] == src) <= len(group):
                continue  # the donor would become empty
            if not all(depts[d].hosts(fs[g].domain) for g in group):
                continue
            for g in group:
                where[g] = d
                load[src] -= max(fs[g].workload_h, 1)
                load[d] += max(fs[g].workload_h, 1)
            moved = True
            break
        if not moved:
            return None
    return where


def _pinned(sc: Scenario, function_id: str) -> bool:
    return any(
        lk.kind is LockKind.FUNCTION and lk.id == function_id and lk.dept_id is not None
        for lk in sc.locks
    )


def _forced_groups(sc: Scenario) -> dict[int, list[int]]:
    """Function index -> its ``together`` group (only for functions in a group)."""
    fid = {fn.function_id: i for i, fn in enumerate(sc.functions)}
    u = _Union(len(sc.functions))
    for rule in sc.rules:
        if rule.rule is RuleKind.TOGETHER:
            members = [fid[x] for x in (*sc.rule_targets(rule.a), *sc.rule_targets(rule.b))]
            for f in members[1:]:
                u.union(members[0], f)
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(sc.functions)):
        groups[u.find(i)].append(i)
    return {f: g for g in groups.values() if len(g) > 1 for f in g}


def _breaks_apart(
    members: list[int], d: int, where: dict[int, int], apart: list[tuple[set[int], set[int]]]
) -> bool:
    mine = set(members)
    for a, b in apart:
        for side, other in ((a, b), (b, a)):
            if mine & side and any(where.get(f) == d for f in other):
                return True
    return False


# -- 2. leads -------------------------------------------------------------------
def choose_leads(sc: Scenario, where: dict[int, int]) -> dict[int, str]:
    """Divided function index -> lead organisation (C11's candidates and quotas).

    The first candidate that has staff at all, or the one a function lock names;
    then organisations short of ``min_lead_tasks`` take functions from
    organisations with more than their quota, least suitable swap first.
    """
    fs = sc.functions
    has_staff = {sc.unit_org[s.unit_id] for s in sc.staff}
    locked = {lk.id: lk.lead_org for lk in sc.locks if lk.kind is LockKind.FUNCTION and lk.lead_org}
    lead: dict[int, str] = {}
    for f, fn in enumerate(fs):
        if fn.kind is not FunctionKind.DIVIDED:
            continue
        if fn.function_id in locked:
            lead[f] = locked[fn.function_id]  # type: ignore[assignment]
            continue
        lead[f] = next((o for o in fn.lead_candidates if o in has_staff), fn.lead_candidates[0])
    quota = sc.settings.targets.min_lead_tasks or 0
    if quota:
        count: dict[str, int] = defaultdict(int)
        for o in lead.values():
            count[o] += 1
        for o in sc.lead_organizations:
            while count[o] < quota:
                swaps = [
                    f
                    for f, fn in enumerate(fs)
                    if f in lead
                    and o in fn.lead_candidates
                    and lead[f] != o
                    and count[lead[f]] > quota
                    and fn.function_id not in locked
                ]
                if not swaps:
                    break
                f = min(swaps, key=lambda f: (fs[f].lead_candidates.index(o), f))
                count[lead[f]] -= 1
                lead[f] = o
                count[o] += 1
    return lead


# -- 3. staffing ----------------------------------------------------------------
class Staffing:
    """Greedy person-level staffing of a fixed placement; see the module docstring.

    ``dept[i]`` (None = exit) and ``role[i]`` per staff index; running totals per
    department keep every test O(1).
    """

    def __init__(self, sc: Scenario, where: dict[int, int], lead: dict[int, str]) -> None:
        self.sc = sc
        self.where = where
        self.lead = lead
        st = sc.settings
        k = len(sc.departments)
        self.k = k
        fs = sc.functions
        self.work = [0] * k
        self.skill_need: list[dict[str, int]] = [defaultdict(int) for _ in range(k)]
        self.reserved_need: list[dict[str, int]] = [defaultdict(int) for _ in range(k)]
        self.presence: list[set[str]] = [set() for _ in range(k)]
        self.unit_depts: dict[str, set[int]] = defaultdict(set)
        unit_work: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
        for f, fn in enumerate(fs):
            d = where[f]
            self.work[d] += fn.workload_h
            if fn.skill is not None and fn.workload_h > 0:
                self.skill_need[d][fn.skill] += fn.workload_h
            if fn.kind is FunctionKind.RESERVED and fn.workload_h > 0 and fn.org_id:
                self.reserved_need[d][fn.org_id] += fn.workload_h
            if f in lead:
                self.presence[d].add(lead[f])
            if fn.unit_id is not None:
                self.unit_depts[fn.unit_id].add(d)
                unit_work[fn.unit_id][d] += max(fn.workload_h, 1)
        slack = exact(st.targets.workload_slack or 0)
        self.cap_lo = [math.ceil(Fraction(w) * (1 + slack)) for w in self.work]
        over = st.targets.max_overstaff
        self.cap_hi = [
            math.floor(Fraction(w) * (1 + exact(over)) + 100) if over is not None else 10**12
            for w in self.work
        ]
        self.limits = [sc.dept_limits(d) for d in sc.departments]
        self.min_dep = st.departments.min_deputies
        self.dep_share = exact(st.departments.max_deputy_share)
        self.org = [sc.unit_org[s.unit_id] for s in sc.staff]
        self.home: list[int | None] = []
        for s in sc.staff:
            uw = unit_work.get(s.unit_id)
            self.home.append(max(uw, key=lambda d: (uw[d], -d)) if uw else None)
        n = len(sc.staff)
        self.dept: list[int | None] = [None] * n
        self.role: list[Role] = [Role.EXIT] * n
        self.fixed = [False] * n  # locked or protected: never moved by the heuristic
        self.fte = [0] * k
        self.count = [0] * k
        self.skill_fte: list[dict[str, int]] = [defaultdict(int) for _ in range(k)]
        self.org_fte: list[dict[str, int]] = [defaultdict(int) for _ in range(k)]
        self.org_count: list[dict[str, int]] = [defaultdict(int) for _ in range(k)]
        self.heads = [0] * k
        self.deputies = [0] * k
        self.borrow = False  # in the second pass, people may move between departments

    # -- bookkeeping -------------------------------------------------------------
    def place(self, i: int, d: int, role: Role = Role.MEMBER) -> None:
        assert self.dept[i] is None
        s = self.sc.staff[i]
        self.dept[i], self.role[i] = d, role
        self.fte[d] += s.fte_h
        self.count[d] += 1
        for sk in s.skills:
            self.skill_fte[d][sk] += s.fte_h
        self.org_fte[d][self.org[i]] += s.fte_h
        self.org_count[d][self.org[i]] += 1
        self.heads[d] += role is Role.HEAD
        self.deputies[d] += role is Role.DEPUTY

    def remove(self, i: int) -> None:
        d = self.dept[i]
        assert d is not None
        s = self.sc.staff[i]
        self.fte[d] -= s.fte_h
        self.count[d] -= 1
        for sk in s.skills:
            self.skill_fte[d][sk] -= s.fte_h
        self.org_fte[d][self.org[i]] -= s.fte_h
        self.org_count[d][self.org[i]] -= 1
        self.heads[d] -= self.role[i] is Role.HEAD
        self.deputies[d] -= self.role[i] is Role.DEPUTY
        self.dept[i], self.role[i] = None, Role.EXIT

    def set_role(self, i: int, role: Role) -> None:
        d = self.dept[i]
        assert d is not None
        self.heads[d] += (role is Role.HEAD) - (self.role[i] is Role.HEAD)
        self.deputies[d] += (role is Role.DEPUTY) - (self.role[i] is Role.DEPUTY)
        self.role[i] = role

    # -- needs ---------------------------------------------------------------------
    def lower_needs_met_without(self, i: int) -> bool:
        """Would department ``dept[i]`` still cover every lower need without person i?"""
        d = self.dept[i]
        assert d is not None
        s = self.sc.staff[i]
        if self.fixed[i] or self.role[i] is not Role.MEMBER:
            return False
        if self.fte[d] - s.fte_h < self.cap_lo[d] or self.count[d] - 1 < self.limits[d][0]:
            return False
        for sk in s.skills:
            if self.skill_fte[d][sk] - s.fte_h < self.skill_need[d].get(sk, 0):
                return False
        o = self.org[i]
        if self.org_fte[d][o] - s.fte_h < self.reserved_need[d].get(o, 0):
            return False
        if o in self.presence[d] and self.org_count[d][o] <= 1:
            return False
        # C6: the deputies must stay within their share of the smaller headcount.
        return self._share_ok_at(d, self.deputies[d], self.count[d] - 1)

    def room_for(self, i: int, d: int) -> bool:
        s = self.sc.staff[i]
        return self.fte[d] + s.fte_h <= self.cap_hi[d] and self.count[d] + 1 <= self.limits[d][1]

    # -- candidate choice ------------------------------------------------------------
    def _free(self, pool: list[int]) -> list[int]:
        return [i for i in pool if self.dept[i] is None and not self.fixed[i]]

    def pick(self, d: int, pool: list[int], ok, *, lead: bool = False) -> int | None:
        """The best free person of ``pool`` with ``ok(i)`` for department d.

        Preference: their unit's work is in d (no disruption), not retiring (an
        exit of a retiring person is free), for posts a current head or deputy,
        then the cheaper.
        """
        best, best_key = None, None
        sc = self.sc
        for i in pool:
            if self.dept[i] is not None or self.fixed[i] or not ok(i):
                continue
            s = sc.staff[i]
            key = (
                s.unit_id not in self.unit_depts or d not in self.unit_depts[s.unit_id],
                (s.position is Position.STAFF) if lead else False,
                s.retiring,
                s.salary,
                i,
            )
            if best_key is None or key < best_key:
                best, best_key = i, key
        if best is None and self.borrow:
            # Nobody free: move someone another department can spare (C1 keeps one place).
            for i in pool:
                j = self.dept[i]
                if j is None or j == d or not ok(i) or not self.lower_needs_met_without(i):
                    continue
                self.remove(i)
                return i
        return best

    # -- the steps -------------------------------------------------------------------
    def pin(self) -> bool:
        """Locks (C13) and protected staff (C7) first; False when a lock cannot be met."""
        sc = self.sc
        dept = {d: j for j, d in enumerate(sc.dept_ids)}
        sidx = {s.staff_id: i for i, s in enumerate(sc.staff)}
        for lk in sc.locks:
            if lk.kind is not LockKind.STAFF:
                continue
            i = sidx[lk.id]
            self.fixed[i] = True
            if lk.role is Role.EXIT:
                continue
            d = dept[lk.dept_id] if lk.dept_id is not None else self.home[i]
            if d is None:
                d = min(range(self.k), key=lambda j: self.fte[j] - self.cap_lo[j])
            role = lk.role or Role.MEMBER
            if role is Role.HEAD and self.heads[d]:
                return False
            self.place(i, d, role)
        for i, s in enumerate(sc.staff):
            if s.protected and self.dept[i] is None and not self.fixed[i]:
                d = self.home[i]
                if d is None:
                    d = min(range(self.k), key=lambda j: self.fte[j] - self.cap_lo[j])
                self.place(i, d)
                self.fixed[i] = True
        return True

    def cover(self, d: int, pool: list[int]) -> None:
        """Cover department d's lower needs from ``pool`` (free people only)."""
        sc = self.sc
        staff = sc.staff
        if not self.heads[d]:
            i = self.pick(d, pool, lambda i: staff[i].can_lead, lead=True)
            if i is not None:
                self.place(i, d, Role.HEAD)
        while self.deputies[d] < self.min_dep:
            i = self.pick(d, pool, lambda i: staff[i].can_lead, lead=True)
            if i is None:
                break
            self.place(i, d, Role.DEPUTY)
        for o, need in self.reserved_need[d].items():
            while self.org_fte[d][o] < need:
                i = self.pick(d, pool, lambda i, o=o: self.org[i] == o)
                if i is None:
                    break
                self.place(i, d)
        for sk, need in self.skill_need[d].items():
            while self.skill_fte[d][sk] < need:
                i = self.pick(d, pool, lambda i, sk=sk: sk in staff[i].skills)
                if i is None:
                    break
                self.place(i, d)
        for o in self.presence[d]:
            if not self.org_count[d][o]:
                i = self.pick(d, pool, lambda i, o=o: self.org[i] == o)
                if i is not None:
                    self.place(i, d)
        while self.fte[d] < self.cap_lo[d] or self.count[d] < self.limits[d][0]:
            i = self.pick(d, pool, lambda i: True)
            if i is None:
                break
            self.place(i, d)
        while self.dep_share < 1 and self.deputies[d] * self.dep_share.denominator > (
            self.count[d] * self.dep_share.numerator
        ):
            i = self.pick(d, pool, lambda i: True)
            if i is None:
                break
            self.place(i, d)

    def trim(self) -> None:
        """Exits for C7 and the upper limits of C3/C5: drop people a department can spare."""
        sc = self.sc
        need = _required_exits(sc)

        def spare_order(i: int) -> tuple:
            s = sc.staff[i]
            return (not s.retiring, -s.salary, i)

        # Upper limits first (they are hard per department).
        for d in range(self.k):
            members = sorted((i for i, x in enumerate(self.dept) if x == d), key=spare_order)
            for i in members:
                if self.fte[d] <= self.cap_hi[d] and self.count[d] <= self.limits[d][1]:
                    break
                if self.lower_needs_met_without(i):
                    self.remove(i)
        exits = sum(1 for x in self.dept if x is None)
        if exits >= need:
            return
        everyone = sorted((i for i, x in enumerate(self.dept) if x is not None), key=spare_order)
        for i in everyone:
            if exits >= need:
                return
            if self.lower_needs_met_without(i) and self._org_keeps(self.org[i]):
                self.remove(i)
                exits += 1

    def _org_keeps(self, o: str) -> bool:
        """Would organisation o still keep its min_staff after one more exit?"""
        minimum = next(x.min_staff for x in self.sc.organizations if x.org_id == o)
        return sum(c[o] for c in self.org_count) - 1 >= minimum

    def org_minimums(self) -> None:
        """C9 staff: organisations below min_staff get people back, or swap in for others."""
        sc = self.sc
        need = _required_exits(sc)
        for org in sc.organizations:
            o = org.org_id
            while sum(c[o] for c in self.org_count) < org.min_staff:
                free = [i for i in range(len(sc.staff)) if self.org[i] == o]
                exits = sum(1 for x in self.dept if x is None)
                placed = False
                for d in sorted(
                    range(self.k), key=lambda d: self.cap_hi[d] - self.fte[d], reverse=True
                ):
                    i = self.pick(d, free, lambda i, d=d: self.room_for(i, d))
                    if i is None:
                        continue
                    if exits - 1 >= need:
                        self.place(i, d)
                        placed = True
                        break
                    # Keep the exits: swap out a spare person of an organisation above its minimum.
                    out = self._spare_in(d, exclude_org=o, fte_at_most=None)
                    if out is not None:
                        self.remove(out)
                        if self.room_for(i, d):
                            self.place(i, d)
                            placed = True
                            break
                if not placed:
                    return

    def _spare_in(self, d: int, exclude_org: str, fte_at_most: int | None) -> int | None:
        cands = [
            i
            for i, x in enumerate(self.dept)
            if x == d
            and self.org[i] != exclude_org
            and self.lower_needs_met_without(i)
            and self._org_keeps(self.org[i])
        ]
        return min(cands, key=lambda i: (not self.sc.staff[i].retiring, i)) if cands else None

    def posts(self) -> None:
        """C9 posts: organisations below min_leaders take a deputy post (C6 permitting)."""
        sc = self.sc
        cap = sc.settings.targets.max_leadership_posts
        for org in sc.organizations:
            o = org.org_id
            while self._posts(o) < org.min_leaders:
                done = False
                for d in range(self.k):
                    if self.deputies[d] >= self.limits[d][2]:
                        continue
                    if cap is not None and sum(self.heads) + sum(self.deputies) >= cap:
                        # swap an existing deputy of an organisation with posts to spare
                        for j, x in enumerate(self.dept):
                            if (
                                x == d
                                and self.role[j] is Role.DEPUTY
                                and not self.fixed[j]
                                and self._posts(self.org[j]) > self._min_leaders(self.org[j])
                            ):
                                self.set_role(j, Role.MEMBER)
                                break
                        else:
                            continue
                    cand = [
                        i
                        for i, x in enumerate(self.dept)
                        if x == d
                        and self.org[i] == o
                        and sc.staff[i].can_lead
                        and self.role[i] is Role.MEMBER
                        and not self.fixed[i]
                    ]
                    if not cand:  # bring one in: free, or spared by another department
                        self.borrow = True
                        i = self.pick(
                            d,
                            list(range(len(sc.staff))),
                            lambda i, d=d, o=o: (
                                self.org[i] == o and sc.staff[i].can_lead and self.room_for(i, d)
                            ),
                        )
                        self.borrow = False
                        if i is not None:
                            self.place(i, d)
                            cand = [i]
                    if cand and self._share_ok(d, 1):
                        self.set_role(cand[0], Role.DEPUTY)
                        done = True
                        break
                if not done:
                    return

    def _share_ok(self, d: int, extra: int) -> bool:
        return self._share_ok_at(d, self.deputies[d] + extra, self.count[d])

    def _share_ok_at(self, d: int, deputies: int, headcount: int) -> bool:
        """C6: ``q · deputies ≤ p · headcount`` with ``max_deputy_share = p/q``."""
        q = self.dep_share
        return q >= 1 or deputies * q.denominator <= headcount * q.numerator

    def _posts(self, o: str) -> int:
        return sum(
            1
            for i, x in enumerate(self.dept)
            if x is not None and self.org[i] == o and self.role[i] in (Role.HEAD, Role.DEPUTY)
        )

    def _min_leaders(self, o: str) -> int:
        return next(x.min_leaders for x in self.sc.organizations if x.org_id == o)

    def run(self) -> bool:
        if not self.pin():
            return False
        n = len(self.sc.staff)
        homes: dict[int | None, list[int]] = defaultdict(list)
        for i in range(n):
            homes[self.home[i]].append(i)
        everyone = list(range(n))
        # Departments with the least own pool per unit of work first: they need the others most.
        order = sorted(
            range(self.k),
            key=lambda d: sum(self.sc.staff[i].fte_h for i in homes[d]) / max(self.work[d], 1),
        )
        for d in order:
            self.cover(d, homes[d])
        self.borrow = True
        for d in order:
            self.cover(d, everyone)
        self.borrow = False
        self.trim()
        self.org_minimums()
        self.posts()
        self.fill()
        return True

    def fill(self) -> None:
        """Keep more people where it pays: a non-retiring person whose exit costs more
        (weight of involuntary_exits) than their salary adds to the payroll term
        (weight of payroll per 1,000), while C7's exits, C3/C5's upper limits and C8 allow.
        """
        sc = self.sc
        w = sc.settings.objective.weights()
        need = _required_exits(sc)
        exits = sum(1 for x in self.dept if x is None)
        t = sc.settings.targets
        if t.max_payroll is not None or t.min_income_raise is not None:
            return  # budgets: keep the trimmed plan rather than risk C8
        free = sorted(
            (
                i
                for i, x in enumerate(self.dept)
                if x is None
                and not self.fixed[i]
                and not sc.staff[i].retiring
                and w["involuntary_exits"] * 1000 > w["payroll"] * sc.staff[i].salary
            ),
            key=lambda i: (sc.staff[i].salary, i),
        )
        for i in free:
            if exits - 1 < need:
                return
            # The department left with the least surplus (the imbalance term is the largest
            # surplus); one's own unit's department is worth its disruption weight.
            bonus = 100 * w["disruption"] // max(w["imbalance"], 1)
            room = [d for d in range(self.k) if self.room_for(i, d)]
            if room:
                d = min(
                    room,
                    key=lambda d: (
                        self.fte[d] - self.work[d] - (bonus if d == self.home[i] else 0),
                        d,
                    ),
                )
                self.place(i, d)
                exits -= 1

    def plan(self) -> Plan:
        sc = self.sc
        staff = tuple(
            StaffAssignment(
                staff_id=s.staff_id,
                org_id=self.org[i],
                unit_id=s.unit_id,
                dept_id=None if self.dept[i] is None else sc.dept_ids[self.dept[i]],  # type: ignore[index]
                role=self.role[i],
            )
            for i, s in enumerate(sc.staff)
        )
        functions = tuple(
            FunctionAssignment(
                function_id=fn.function_id,
                dept_id=sc.dept_ids[self.where[f]],
                lead_org=self.lead.get(f),
            )
            for f, fn in enumerate(sc.functions)
        )
        plan = Plan(staff=staff, functions=functions)
        return plan.model_copy(update={"departments": department_summaries(sc, plan)})


def _required_exits(sc: Scenario) -> int:
    share = sc.settings.targets.min_reduction
    return 0 if share is None else math.ceil(exact(share) * len(sc.staff))


def placements(sc: Scenario, tries: int = 4, seed: int = 0) -> Iterator[dict[int, int]]:
    """Distinct packings: the deterministic one first, then randomised tie-breaks."""
    seen: set[tuple[int, ...]] = set()
    rng = random.Random(seed)
    for t in range(tries):
        where = pack_units(sc, None if t == 0 else rng)
        if where is None:
            continue
        key = tuple(where[f] for f in range(len(sc.functions)))
        if key in seen:
            continue
        seen.add(key)
        yield where


def construct(sc: Scenario, where: dict[int, int]) -> Plan | None:
    """The greedy plan for one placement (None when a lock cannot be met)."""
    staffing = Staffing(sc, where, choose_leads(sc, where))
    if not staffing.run():
        return None
    return staffing.plan()
