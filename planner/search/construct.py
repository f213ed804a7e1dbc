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
   functions (split by domain where no department may host all of them), or, in the
   second packing, one domain's functions whatever their units (§4's fragmentation
   costs 5,000 a domain split, while a unit's people can follow each part of its
   work); ``together`` groups whole, joint work by domain — are packed largest first
   into the allowed department (C2, locks, avoiding ``apart`` pairs) with the
   least work so far; blocks are split until every department hosts work, and
   a department with too little work for its ``min_staff`` under
   ``max_overstaff`` (C3 with C5) gets work moved in.
2. ``choose_leads``: each divided function's most suitable candidate, then the
   C11 quotas (``min_lead_tasks``) by handing functions to organisations short
   of them.
3. ``Staffing``, in this order, each step keeping what the earlier ones cover:

   - locks first; protected staff where their work is (they may move, never exit);
   - every department's skills (C4), scarcest skill first (scarcity = workload
     requiring it / FTE of its holders), from the department's own people, then
     from anyone; a nearly exhausted skill by best fit of FTE. Commoner needs
     later cannot take a holder a rarer skill needs;
   - every organisation's reserved work (C10), across departments, the organisations
     whose keepable FTE it needs most first: with tight C9 minima an organisation may
     keep only a few people, who must not go to other departments' heads first;
   - department by department from its own people, then from anyone (moving
     people another department can spare): a head and the minimum deputies
     (promoting members where possible), reserved work (C10), lead presence
     (C11), the workload with its slack (C3), ``min_staff`` (C5);
   - no organisation keeps more than C7 and the others' C9 minima allow
     (``_max_keep``), so that the required exits are possible at all;
   - trimming for C7 and the upper limits (where no one can be spared, a full-timer
     who would exit replaces two part-timers: ``consolidate``); C9 minima of staff and posts (promote,
     swap a spare post, or bring someone in); C9's leader share (hand posts over);
     skills still short, by moving a holder in (``_bring``);
   - then the objective: keep people whose exit costs more than their salary
     saves (``fill``; with a budget, while C8 holds), let retiring members make way
     for those who are not (``retire_first``), and bring members who lost their work
     (disruption) to it: move, swap, or trade places with someone who exits
     (``rehome``).

This module is long because the constructive plan is one heuristic whose steps share one
state: the packing of units and the choice of leads, then the staffing steps above, all
methods of :class:`Staffing` that must see the counts every earlier step left.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Callable, Iterator
from fractions import Fraction
from typing import Literal

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
from planner.domain.grouping import UnionFind, breaks_apart
from planner.domain.kpis import allowances, department_summaries, payroll_before

# -- 1. placement ---------------------------------------------------------------

BlocksBy = Literal["unit", "domain"]
"""What a block of ``pack_units`` keeps together (``_blocks``)."""


def _blocks(sc: Scenario, by: BlocksBy = "unit") -> tuple[list[list[int]], dict[int, int]]:
    """Blocks of function indices that should share a department, and block -> locked dept.

    ``together`` groups are merged whole (C12). By ``unit``: a unit's functions form one
    block when some department may host all of its domains, else one block per domain.
    By ``domain``: a domain's functions form one block, whatever their units (§4's
    fragmentation is then 0 where the blocks stay whole; a unit's people can follow
    its work to each department that hosts part of it without losing their work).
    A block is split where keeping it whole cannot work (``_Joiner``): two of its
    functions locked to different departments (C13), an ``apart`` rule inside it
    (C12), or more work than the largest department that may host it can staff (C5).
    """
    fs, depts = sc.functions, sc.departments
    fid = {fn.function_id: i for i, fn in enumerate(fs)}
    soft = UnionFind(len(fs))
    joiner = _Joiner(sc, soft)
    for f, group in _forced_groups(sc).items():  # together rules: must stay together
        soft.union(f, group[0])
    by_unit: dict[str, list[int]] = defaultdict(list)
    joint: dict[str, list[int]] = defaultdict(list)
    for i, fn in enumerate(fs):
        (by_unit[fn.unit_id] if fn.unit_id and by == "unit" else joint[fn.domain]).append(i)
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
                joiner.join(part[0], f)
    for group in joint.values():
        for f in group[1:]:
            joiner.join(group[0], f)
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


class _Joiner:
    """Merges blocks of functions when one department could take the merged block whole.

    Two blocks merge when some department may host all of their domains (C2) and it
    breaks nothing a whole block must keep: no two functions locked to different
    departments (a locked department must host every domain), no ``apart`` rule with
    a side in each (or both in one), and at most the work that the largest hosting
    department can staff: ``Σ workload ≤ 0.95 × max_staff × mean fte`` (C5 with C3).
    """

    def __init__(self, sc: Scenario, u: UnionFind) -> None:
        self.sc, self.u = sc, u
        fid = {fn.function_id: i for i, fn in enumerate(sc.functions)}
        self.locked: dict[int, int] = {}
        dept = {d: i for i, d in enumerate(sc.dept_ids)}
        for lk in sc.locks:
            if lk.kind is LockKind.FUNCTION and lk.dept_id is not None:
                self.locked[fid[lk.id]] = dept[lk.dept_id]
        self.apart = [
            ({fid[x] for x in sc.rule_targets(r.a)}, {fid[x] for x in sc.rule_targets(r.b)})
            for r in sc.rules
            if r.rule is RuleKind.APART
        ]
        fte = [s.fte_h for s in sc.staff] or [100]
        self.mean_fte = sum(fte) / len(fte)
        self.members: dict[int, set[int]] = defaultdict(set)  # root -> its functions
        for i in range(len(sc.functions)):  # the together groups are already merged
            self.members[u.find(i)].add(i)

    def join(self, a: int, b: int) -> None:
        u = self.u
        ra, rb = u.find(a), u.find(b)
        if ra == rb:
            return
        merged = self.members[ra] | self.members[rb]
        fs, depts = self.sc.functions, self.sc.departments
        doms = {fs[f].domain for f in merged}
        pinned = {self.locked[f] for f in merged if f in self.locked}
        if len(pinned) > 1:
            return
        hosts = [(i, d) for i, d in enumerate(depts) if all(d.hosts(g) for g in doms)]
        if pinned:
            hosts = [(i, d) for i, d in hosts if i in pinned]
        if not hosts:
            return
        if any(merged & a and merged & b for a, b in self.apart):
            return
        work = sum(fs[f].workload_h for f in merged)
        room = max(self.sc.dept_limits(d)[1] for _, d in hosts) * self.mean_fte
        if work > 0.95 * room:
            return
        u.union(ra, rb)
        self.members[u.find(ra)] = merged


def pack_units(
    sc: Scenario, rng: random.Random | None = None, by: BlocksBy = "unit"
) -> dict[int, int] | None:
    """Function index -> department index, or None when no packing holds C2 and the locks.

    ``by`` (``unit`` or ``domain``) chooses what a block keeps together (``_blocks``).

    Blocks (``_blocks``) go largest first (ties broken by ``rng`` when given) to
    the allowed department whose room (``max_staff`` × mean fte) would be least
    used with the block (with equal limits: the least workload), avoiding departments that
    would put both sides of an ``apart`` rule together. Then, while a department
    hosts nothing, the largest block that can move there is split or moved.
    """
    fs, depts = sc.functions, sc.departments
    k = len(depts)
    blocks, locked = _blocks(sc, by)
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
    # What each department can staff (C5's max_staff at the mean fte): with uneven limits
    # a block goes where the share of that room it leaves used is smallest.
    mean_fte = sum(s.fte_h for s in sc.staff) / max(1, len(sc.staff))
    room = [max(1.0, sc.dept_limits(dpt)[1] * mean_fte) for dpt in depts]
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
        clean = [d for d in ok if not breaks_apart(blocks[b], d, where, apart)]
        d = min(clean or ok, key=lambda d: ((load[d] + weight[b]) / room[d], d))
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
            if breaks_apart(group, d, where, apart):
                continue
            for g in group:
                where[g] = d
                load[src] -= max(fs[g].workload_h, 1)
                load[d] += max(fs[g].workload_h, 1)
            moved = True
            break
        if not moved:
            return None
    _relieve_full_departments(sc, where, load, room, apart, forced_together)
    _feed_small_departments(sc, where, load, apart, forced_together, full_time=by == "domain")
    return where


FULL = 0.98
"""A department's work may use this share of its room (``max_staff`` × mean fte) before
``_relieve_full_departments`` moves some out."""


def _relieve_full_departments(
    sc: Scenario,
    where: dict[int, int],
    load: list[int],
    room: list[float],
    apart: list[tuple[set[int], set[int]]],
    forced_together: dict[int, list[int]],
) -> None:
    """Move work out of departments that cannot staff it (C5's max_staff with C3).

    A department whose workload is above ``FULL`` of its room (``max_staff`` × mean fte)
    gives functions away, largest that fits first, to the allowed department with the
    most room left, while that one stays within its own room: a unit's work is split
    where keeping it together would need more people than a department may have.
    Pinned functions, ``together`` groups and ``apart`` rules are respected.
    """
    fs, depts = sc.functions, sc.departments
    hosted = [0] * len(depts)
    for e in where.values():
        hosted[e] += 1
    for d in sorted(range(len(depts)), key=lambda d: load[d] / room[d], reverse=True):
        for _ in range(len(fs)):
            excess = load[d] - FULL * room[d]
            if excess <= 0 or hosted[d] <= 1:
                break
            moves = []
            seen: set[int] = set()
            for f, e in where.items():
                if e != d or f in seen or _pinned(sc, fs[f].function_id):
                    continue
                group = forced_together.get(f, [f])  # a together group moves whole
                seen.update(group)
                if any(_pinned(sc, fs[g].function_id) for g in group) or len(group) >= hosted[d]:
                    continue
                w = sum(max(fs[g].workload_h, 1) for g in group)
                for t in range(len(depts)):
                    if (
                        t != d
                        and all(depts[t].hosts(fs[g].domain) for g in group)
                        and load[t] + w <= FULL * room[t]
                        and not breaks_apart(group, t, where, apart)
                    ):
                        moves.append((min(w, excess), -load[t] / room[t], -f, t, group))
            if not moves:
                break
            *_, t, group = max(moves, key=lambda m: m[:4])
            for g in group:
                w = max(fs[g].workload_h, 1)
                load[d] -= w
                hosted[d] -= 1
                load[t] += w
                hosted[t] += 1
                where[g] = t


def _feed_small_departments(
    sc: Scenario,
    where: dict[int, int],
    load: list[int],
    apart: list[tuple[set[int], set[int]]],
    forced_together: dict[int, list[int]],
    *,
    full_time: bool = False,
) -> None:
    """Move work into departments too small for their min_staff under max_overstaff.

    C3's cap ``(1 + max_overstaff) × workload + 1 FTE`` must hold ``min_staff`` people
    (C5): a department needs at least ``(min_staff × φ − 1 FTE) / (1 + max_overstaff)``
    of work, φ the mean fte (``full_time``: the largest, so that min_staff full-timers
    fit; the domain packing fills departments with work cut from large domains, and on
    ``merged-5000`` one of them, at the mean's floor, held 19.80 FTE of 20 people
    against a cap of 19.76). While one has less, the function that best fills the gap
    moves there from the department with the most work, when that one keeps enough,
    its domain is allowed, it is not pinned or tied by ``together``, and no ``apart``
    rule breaks.
    """
    over = sc.settings.targets.max_overstaff
    if over is None or not sc.staff:
        return
    fs, depts = sc.functions, sc.departments
    fte = [s.fte_h for s in sc.staff]
    phi = max(fte) if full_time else sum(fte) / len(fte)
    floor = [max(0.0, (sc.dept_limits(dept)[0] * phi - 100) / (1 + float(over))) for dept in depts]
    hosted = [0] * len(depts)
    for e in where.values():
        hosted[e] += 1
    for d in range(len(depts)):
        for _ in range(len(fs)):
            gap = floor[d] - load[d]
            if gap <= 0:
                break
            cands = [
                f
                for f, e in where.items()
                if e != d
                and depts[d].hosts(fs[f].domain)
                and f not in forced_together
                and not _pinned(sc, fs[f].function_id)
                and hosted[e] > 1
                and load[e] - max(fs[f].workload_h, 1) >= floor[e]
                and not breaks_apart([f], d, where, apart)
            ]
            if not cands:
                break
            f = min(cands, key=lambda f: (abs(max(fs[f].workload_h, 1) - gap), f))
            w = max(fs[f].workload_h, 1)
            load[where[f]] -= w
            hosted[where[f]] -= 1
            load[d] += w
            hosted[d] += 1
            where[f] = d


def _pinned(sc: Scenario, function_id: str) -> bool:
    return any(
        lk.kind is LockKind.FUNCTION and lk.id == function_id and lk.dept_id is not None
        for lk in sc.locks
    )


def _forced_groups(sc: Scenario) -> dict[int, list[int]]:
    """Function index -> its ``together`` group (only for functions in a group)."""
    fid = {fn.function_id: i for i, fn in enumerate(sc.functions)}
    u = UnionFind(len(sc.functions))
    for rule in sc.rules:
        if rule.rule is RuleKind.TOGETHER:
            members = [fid[x] for x in (*sc.rule_targets(rule.a), *sc.rule_targets(rule.b))]
            for f in members[1:]:
                u.union(members[0], f)
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(sc.functions)):
        groups[u.find(i)].append(i)
    return {f: g for g in groups.values() if len(g) > 1 for f in g}


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
_ANY, _SKILL, _ORG, _LEAD = "any", "skill", "org", "lead"
"""Kinds of candidate list: anyone, holders of a skill, members of an organisation, can_lead."""
TIGHT_SKILL = 0.9
"""Scarcity (need / supply) from which a skill's holders are chosen by best fit of their FTE."""
BORROW_TRIES = 20
"""Candidates a borrow tries to replace in their department before giving up (bounds its cost)."""


REHOME_PASSES = 3
"""Passes of ``Staffing.rehome`` at most (it stops at the first that settles no one)."""


class Staffing:
    """Greedy person-level staffing of a fixed placement; see the module docstring.

    ``dept[i]`` (None = exit) and ``role[i]`` per staff index; running totals per
    department (FTE, headcount, skill FTE, organisation FTE and headcount, posts)
    keep every test O(1). Candidates come from lists sorted once by preference
    (``_rank``) and scanned from a pointer past the people already placed, so a
    pick does not rescan everyone.
    """

    def __init__(
        self,
        sc: Scenario,
        where: dict[int, int],
        lead: dict[int, str],
        holders: dict[int, int] | None = None,
    ) -> None:
        self.sc = sc
        self.where = where
        self.lead = lead
        self.holders = holders or {}
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
        self.n = n
        self.dept: list[int | None] = [None] * n
        self.role: list[Role] = [Role.EXIT] * n
        self.fte_of = [s.fte_h for s in sc.staff]  # read in the inner loops
        t = st.targets
        self.payroll_cap = None if t.max_payroll is None else exact(t.max_payroll)
        self.raise_rate = None if t.min_income_raise is None else exact(t.min_income_raise)
        self.budget = self.payroll_cap is not None or self.raise_rate is not None  # C8 set
        self.payroll_before = payroll_before(sc) if self.budget else Fraction(0)
        self.allowance = allowances(sc)
        self.salaries = 0  # Σ salary of the retained staff
        self.fixed = [False] * n  # locked: never moved by the heuristic
        self.anywhere = [False] * n  # locked to a role only: may change department (rehome)
        self.stays = [s.protected for s in sc.staff]  # protected (C7): may move, never exit
        self.fte = [0] * k
        self.count = [0] * k
        self.members: list[set[int]] = [set() for _ in range(k)]
        self.skill_fte: list[dict[str, int]] = [defaultdict(int) for _ in range(k)]
        self.org_fte: list[dict[str, int]] = [defaultdict(int) for _ in range(k)]
        self.org_count: list[dict[str, int]] = [defaultdict(int) for _ in range(k)]
        self.heads = [0] * k
        self.deputies = [0] * k
        self.kept: dict[str, int] = defaultdict(int)  # retained staff per organisation
        self.held: dict[str, int] = defaultdict(int)  # posts per organisation
        self.borrow = False  # in the second pass, people may move between departments
        self.need_exits = sc.required_exits
        self.min_staff = {o.org_id: o.min_staff for o in sc.organizations}
        self.min_leaders = {o.org_id: o.min_leaders for o in sc.organizations}
        self.max_keep = self._max_keep()
        share = st.targets.max_leader_share
        self.leader_share = None if share is None else exact(share)
        self.scarcity = self._scarcity()
        self.burden = [
            round(sum(self.scarcity.get(sk, 0.0) for sk in s.skills), 1) for s in sc.staff
        ]
        self.homes: dict[int | None, list[int]] = defaultdict(list)
        for i in range(n):
            self.homes[self.home[i]].append(i)
        self.workers: list[list[int]] = [[] for _ in range(k)]
        for i, s in enumerate(sc.staff):
            for d in self.unit_depts.get(s.unit_id, ()):
                self.workers[d].append(i)
        self._lists: dict[tuple, list[int]] = {}
        self._ptr: dict[tuple, tuple[int, int]] = {}
        self._epoch = 0  # bumped whenever someone is freed: pointers start over

    def _max_keep(self) -> dict[str, int]:
        """Most staff each organisation can keep: C7's exits with C9's minima of the others.

        ``retained_o ≤ (headcount − exits required) − Σ_{o' ≠ o} min_staff_o'``. With the
        minima at what a plan can keep (tight independence) this fixes every
        organisation's retained count; filling past it would force exits that the
        department it came from cannot spare.
        """
        if not self.need_exits:
            return {o: self.n for o in self.min_staff}
        keep = self.n - self.need_exits
        total = sum(self.min_staff.values())
        return {o: keep - (total - m) for o, m in self.min_staff.items()}

    def _scarcity(self) -> dict[str, float]:
        """Skill -> Σ workload requiring it / Σ fte of its holders (1 = every holder needed)."""
        supply: dict[str, int] = defaultdict(int)
        for s in self.sc.staff:
            for sk in s.skills:
                supply[sk] += s.fte_h
        demand: dict[str, int] = defaultdict(int)
        for needs in self.skill_need:
            for sk, w in needs.items():
                demand[sk] += w
        return {sk: demand[sk] / max(supply[sk], 1) for sk in demand}

    # -- bookkeeping -------------------------------------------------------------
    def place(self, i: int, d: int, role: Role = Role.MEMBER) -> None:
        assert self.dept[i] is None
        s = self.sc.staff[i]
        o = self.org[i]
        self.dept[i], self.role[i] = d, role
        self.fte[d] += s.fte_h
        self.count[d] += 1
        self.members[d].add(i)
        for sk in s.skills:
            self.skill_fte[d][sk] += s.fte_h
        self.org_fte[d][o] += s.fte_h
        self.org_count[d][o] += 1
        self.kept[o] += 1
        self.salaries += s.salary
        self.heads[d] += role is Role.HEAD
        self.deputies[d] += role is Role.DEPUTY
        self.held[o] += role in (Role.HEAD, Role.DEPUTY)

    def remove(self, i: int) -> None:
        d = self.dept[i]
        assert d is not None
        s = self.sc.staff[i]
        o = self.org[i]
        self.fte[d] -= s.fte_h
        self.count[d] -= 1
        self.members[d].discard(i)
        for sk in s.skills:
            self.skill_fte[d][sk] -= s.fte_h
        self.org_fte[d][o] -= s.fte_h
        self.org_count[d][o] -= 1
        self.kept[o] -= 1
        self.salaries -= s.salary
        self.heads[d] -= self.role[i] is Role.HEAD
        self.deputies[d] -= self.role[i] is Role.DEPUTY
        self.held[o] -= self.role[i] in (Role.HEAD, Role.DEPUTY)
        self.dept[i], self.role[i] = None, Role.EXIT
        self._epoch += 1

    def set_role(self, i: int, role: Role) -> None:
        d = self.dept[i]
        assert d is not None
        posts = (Role.HEAD, Role.DEPUTY)
        self.heads[d] += (role is Role.HEAD) - (self.role[i] is Role.HEAD)
        self.deputies[d] += (role is Role.DEPUTY) - (self.role[i] is Role.DEPUTY)
        self.held[self.org[i]] += (role in posts) - (self.role[i] in posts)
        self.role[i] = role

    @property
    def exits(self) -> int:
        return self.n - sum(self.count)

    # -- needs ---------------------------------------------------------------------
    def lower_needs_met_without(self, i: int) -> bool:
        """Would department ``dept[i]`` still cover every lower need without person i?"""
        if self.fixed[i] or self.role[i] is not Role.MEMBER:
            return False
        return self._needs_kept_without(i)

    def _needs_kept_without(self, i: int) -> bool:
        """``lower_needs_met_without`` for a member whatever their locks."""
        d = self.dept[i]
        assert d is not None
        s = self.sc.staff[i]
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

    def _room_in(self, d: int, also: Callable[[int], bool] | None = None) -> Callable[[int], bool]:
        """``room_for(·, d)`` (and ``also``) as a filter for ``pick``."""
        return lambda i: self.room_for(i, d) and (also is None or also(i))

    def _org_room(self, i: int) -> bool:
        """May person i's organisation keep one more person (``_max_keep``)?"""
        o = self.org[i]
        return self.kept[o] < self.max_keep[o]

    def _post_room(self, o: str, total: int) -> bool:
        """Would one more post for o keep it within max_leader_share of ``total`` posts?"""
        return self.leader_share is None or self.held[o] + 1 <= self.leader_share * total

    # -- candidate choice ------------------------------------------------------------
    def _rank(self, i: int, lead: bool, skill: bool = False) -> tuple:
        """Preference among candidates: for posts someone holding one today (no churn);
        not retiring (the exit of a retiring person is free); for a skill, holding few
        other scarce skills (``burden``: they may be needed elsewhere); then the cheaper.
        """
        s = self.sc.staff[i]
        burden = self.burden[i] if skill else 0.0
        return (lead and s.position is Position.STAFF, s.retiring, burden, s.salary, i)

    def _list(self, scope: str, d: int | None, kind: str, arg: str | None, lead: bool) -> tuple:
        """The sorted candidate list (built once): ``scope`` home (people whose unit's
        work is mostly in d), work (some of it is in d) or all; ``kind`` filters."""
        key = (scope, d, kind, arg, lead)
        lst = self._lists.get(key)
        if lst is None:
            staff = self.sc.staff
            base = (
                self.homes.get(d, [])
                if scope == "home"
                else self.workers[d]  # type: ignore[index]
                if scope == "work"
                else range(self.n)
            )
            if kind == _SKILL:
                base = [i for i in base if arg in staff[i].skills]
            elif kind == _ORG:
                base = [i for i in base if self.org[i] == arg]
            elif kind == _LEAD:
                base = [i for i in base if staff[i].can_lead]
            lst = sorted(base, key=lambda i: self._rank(i, lead, kind == _SKILL))
            self._lists[key] = lst
        return key, lst

    def _free_in(self, key: tuple, lst: list[int]) -> Iterator[int]:
        """The free people of ``lst`` in order; the pointer skips the placed prefix."""
        pos, epoch = self._ptr.get(key, (0, self._epoch))
        if epoch != self._epoch:
            pos = 0
        while pos < len(lst) and (self.dept[lst[pos]] is not None or self.fixed[lst[pos]]):
            pos += 1
        self._ptr[key] = (pos, self._epoch)
        for j in range(pos, len(lst)):
            i = lst[j]
            if self.dept[i] is None and not self.fixed[i]:
                yield i

    def pick(
        self,
        d: int,
        kind: str = _ANY,
        arg: str | None = None,
        *,
        scope: str = "any",
        ok: Callable[[int], bool] | None = None,
        lead: bool = False,
    ) -> int | None:
        """The best free person for department d among ``kind``/``arg`` with ``ok(i)``.

        ``scope`` home: people whose unit's work is mostly in d; any: first those whose
        unit has work in d (no disruption), then anyone. Never past an organisation's
        ``max_keep``. With ``borrow``, when nobody is free: someone another department
        can spare (removed from there; the caller places them).
        """
        scopes = [("home", d)] if scope == "home" else [("work", d), ("all", None)]
        for name, dd in scopes:
            key, lst = self._list(name, dd, kind, arg, lead)
            for i in self._free_in(key, lst):
                if self._org_room(i) and (ok is None or ok(i)):
                    return i
        if self.borrow:
            return self._borrow(d, kind, arg, ok, lead)
        return None

    def _borrow(
        self, d: int, kind: str, arg: str | None, ok: Callable[[int], bool] | None, lead: bool
    ) -> int | None:
        """Someone of ``kind``/``arg`` that another department can spare, removed from there.

        First someone their department can do without; else someone whose department
        is only short of a workload or headcount without them, after a free person
        takes their place there (C1 keeps one place per person).
        """
        _, lst = self._list("all", None, kind, arg, lead)
        movable = [
            i
            for i in lst
            if self.dept[i] not in (None, d)
            and not self.fixed[i]
            and self.role[i] is Role.MEMBER
            and (ok is None or ok(i))
        ]
        for i in movable:
            if self.lower_needs_met_without(i):
                self.remove(i)
                return i
        self.borrow = False
        try:
            for i in movable[:BORROW_TRIES]:
                j = self.dept[i]
                assert j is not None
                r = self.pick(j, ok=self._room_in(j))
                if r is None:
                    return None  # nobody free at all
                self.place(r, j)
                if self.lower_needs_met_without(i):
                    self.remove(i)
                    return i
                self.remove(r)
        finally:
            self.borrow = True
        return None

    # -- the steps -------------------------------------------------------------------
    def pin(self) -> bool:
        """Locks (C13), scarce skills' holders (C4) and protected staff (C7) first; False
        when a lock cannot be met."""
        sc = self.sc
        dept = {d: j for j, d in enumerate(sc.dept_ids)}
        sidx = {s.staff_id: i for i, s in enumerate(sc.staff)}
        # locks that name a department first: the others then go where their role fits
        staff_locks = [lk for lk in sc.locks if lk.kind is LockKind.STAFF]
        for lk in sorted(staff_locks, key=lambda lk: lk.dept_id is None):
            i = sidx[lk.id]
            self.fixed[i] = True
            if lk.role is Role.EXIT:
                continue
            role = lk.role or Role.MEMBER
            if lk.dept_id is not None:
                d = dept[lk.dept_id]
            else:  # where the structure put this holder, their work's department, any other:
                self.anywhere[i] = True
                # first where the work still needs them, then where there is room under C3's
                # and C5's upper limits (they never move afterwards, and heads, protected
                # staff and skills come later)
                first = [x for x in (self.holders.get(i), self.home[i]) if x is not None]
                rest = sorted(range(self.k), key=lambda j: self.fte[j] - self.cap_lo[j])
                order = first + rest
                fte_i = sc.staff[i].fte_h
                fits = [j for j in order if self._post_fits(j, role)]
                d = next(
                    (j for j in fits if self.fte[j] + fte_i <= self.cap_lo[j]),
                    next((j for j in fits if self.room_for(i, j)), (fits or order)[0]),
                )
            if role is Role.HEAD and self.heads[d]:
                return False
            self.place(i, d, role)
        for i, d in sorted(self.holders.items()):
            if self.dept[i] is None and not self.fixed[i]:
                self.place(i, d)  # a scarce skill's holder where its work is (may still move)
        for i, s in enumerate(sc.staff):
            if s.protected and self.dept[i] is None and not self.fixed[i]:
                home = self.home[i]
                if home is None:
                    home = min(range(self.k), key=lambda j: self.fte[j] - self.cap_lo[j])
                self.place(i, home)  # where their work is; they may still move (``stays``)
        return True

    def _post_fits(self, d: int, role: Role) -> bool:
        """Has department d room for one more of ``role`` (C6: one head, max_deputies)?"""
        if role is Role.HEAD:
            return not self.heads[d]
        if role is Role.DEPUTY:
            return self.deputies[d] < self.limits[d][2]
        return True

    def cover_skills(self) -> None:
        """C4 first, across all departments, scarcest skill first.

        A skill whose holders are all needed (scarcity 1: a unit lacks it and a few
        people elsewhere hold it) must get every holder before any of them is taken as
        a head, for a workload or for a commoner skill. Each skill goes first to the
        departments from their own people, then from anyone.
        """
        skills = sorted(
            {sk for needs in self.skill_need for sk in needs},
            key=lambda sk: (-self.scarcity[sk], sk),
        )
        for sk in skills:
            depts = [d for d in range(self.k) if self.skill_need[d].get(sk)]
            for scope in ("home", "any"):
                for d in depts:
                    self._cover_skill(d, sk, scope)

    def cover_reserved(self) -> None:
        """C10 across all departments, before any department's head or workload.

        An organisation that may keep few people (``max_keep``, tight C9 minima) must place
        them where its reserved work is before the department-by-department covers take
        them for heads and workloads elsewhere. Organisations with the largest share of
        their keepable FTE needed go first; each from the department's own people, then
        from anyone.
        """
        need: dict[str, int] = defaultdict(int)
        for needs in self.reserved_need:
            for o, w in needs.items():
                need[o] += w
        fte_of: dict[str, list[int]] = defaultdict(list)
        for i, s in enumerate(self.sc.staff):
            fte_of[self.org[i]].append(s.fte_h)
        supply = {
            o: sum(sorted(f, reverse=True)[: max(self.max_keep.get(o, 0), 0)]) or 1
            for o, f in fte_of.items()
        }
        for o in sorted(need, key=lambda o: (-need[o] / supply.get(o, 1), o)):
            depts = [d for d in range(self.k) if self.reserved_need[d].get(o)]
            for scope in ("home", "any"):
                for d in depts:
                    while self.org_fte[d][o] < self.reserved_need[d][o]:
                        who = self.pick(d, _ORG, o, scope=scope, ok=self._room_in(d))
                        if who is None:
                            break
                        self.place(who, d)

    def _cover_skill(self, d: int, sk: str, scope: str) -> None:
        while self.skill_fte[d][sk] < self.skill_need[d][sk]:
            i = None
            if self.scarcity[sk] >= TIGHT_SKILL:
                i = self._best_fit(d, sk, scope, self.skill_need[d][sk] - self.skill_fte[d][sk])
            if i is None:
                i = self.pick(d, _SKILL, sk, scope=scope, ok=lambda i: self.room_for(i, d))
            if i is None:
                return
            self.place(i, d)

    def _best_fit(self, d: int, sk: str, scope: str, short: int) -> int | None:
        """For a skill nearly every holder of which is needed: the free holder whose fte
        covers ``short`` with the least to spare (else the largest), so that no
        department takes a whole FTE where a part-timer would do."""
        scopes = [("home", d)] if scope == "home" else [("work", d), ("all", None)]
        best, best_key = None, None
        for name, dd in scopes:
            key, lst = self._list(name, dd, _SKILL, sk, False)
            for i in self._free_in(key, lst):
                if not (self._org_room(i) and self.room_for(i, d)):
                    continue
                f = self.sc.staff[i].fte_h
                k = (f < short, f if f >= short else -f, name != "work" and scope == "any")
                if best_key is None or k < best_key:
                    best, best_key = i, k
        return best

    def appoint(self, d: int, role: Role, scope: str) -> bool:
        """A head or deputy for d (C6), within max_leader_share where possible (C9).

        In order: a member already there who holds a post today; a free person who
        does; a member who can lead; a free person who can lead. Promoting a member
        keeps the headcount (and the exits) as they are.
        """
        total = max(sum(self.heads) + sum(self.deputies) + 1, self.k * (1 + self.min_dep))
        staff = self.sc.staff
        for capped in (True, False):

            def fits(i: int, capped: bool = capped) -> bool:
                return staff[i].can_lead and (not capped or self._post_room(self.org[i], total))

            inside = [
                i
                for i in self.members[d]
                if self.role[i] is Role.MEMBER and not self.fixed[i] and fits(i)
            ]
            best = min(inside, key=lambda i: self._rank(i, True), default=None)
            if best is not None and staff[best].position is not Position.STAFF:
                self.set_role(best, role)
                return True
            # borrow from another department only when nobody here can be promoted
            borrow, self.borrow = self.borrow, self.borrow and best is None
            i = self.pick(d, _LEAD, scope=scope, lead=True, ok=self._room_in(d, fits))
            self.borrow = borrow
            if i is not None and (staff[i].position is not Position.STAFF or best is None):
                self.place(i, d, role)
                return True
            if best is not None:
                self.set_role(best, role)
                return True
        return False

    def cover(self, d: int, scope: str) -> None:
        """Cover department d's lower needs from ``scope`` (free people, or borrowed)."""
        if not self.heads[d]:
            self.appoint(d, Role.HEAD, scope)
        while self.deputies[d] < self.min_dep:
            if not self.appoint(d, Role.DEPUTY, scope):
                break
        for o, need in self.reserved_need[d].items():
            while self.org_fte[d][o] < need:
                i = self.pick(d, _ORG, o, scope=scope)
                if i is None:
                    break
                self.place(i, d)
        for sk in self.skill_need[d]:
            self._cover_skill(d, sk, scope)
        for o in self.presence[d]:
            if not self.org_count[d][o]:
                i = self.pick(d, _ORG, o, scope=scope)
                if i is not None:
                    self.place(i, d)
        while self.fte[d] < self.cap_lo[d] or self.count[d] < self.limits[d][0]:
            i = self.pick(d, scope=scope)
            if i is None:
                break
            self.place(i, d)
        while not self._share_ok(d, 0):
            i = self.pick(d, scope=scope)
            if i is None:
                break
            self.place(i, d)

    def _spare_order(self, i: int) -> tuple:
        """Who goes first when someone must: retiring (free), then the costliest."""
        s = self.sc.staff[i]
        return (not s.retiring, -s.salary, i)

    def _spare(self, i: int) -> bool:
        """Can person i exit: not protected, their department keeps its needs, their
        organisation C9."""
        return (
            not self.stays[i] and self.lower_needs_met_without(i) and self._org_keeps(self.org[i])
        )

    def trim(self) -> None:
        """Exits for C7 and the upper limits of C3/C5: drop people a department can spare."""
        for d in range(self.k):  # upper limits first (they are hard per department)
            for i in sorted(self.members[d], key=self._spare_order):
                if self.fte[d] <= self.cap_hi[d] and self.count[d] <= self.limits[d][1]:
                    break
                if not self.stays[i] and self.lower_needs_met_without(i):
                    self.remove(i)
        if self.exits >= self.need_exits:
            return
        placed = sorted(
            (i for i, x in enumerate(self.dept) if x is not None), key=self._spare_order
        )
        exits = self.exits
        for i in placed:
            if exits >= self.need_exits:
                return
            if self._spare(i):
                self.remove(i)
                exits += 1

    def consolidate(self) -> None:
        """C7 where no one can be spared: one person who now exits, full-time first, comes
        into a department in place of two of its members with less fte, part-timers first
        (one exit more each time). Each exchange keeps every need the department covered
        (``_spare``) and its upper limits, or is undone."""
        if self.exits >= self.need_exits:
            return
        fte = [s.fte_h for s in self.sc.staff]
        out = sorted(
            (i for i in range(self.n) if self.dept[i] is None and not self.fixed[i]),
            key=lambda i: (-fte[i], i),
        )
        for x in out:
            if self.exits >= self.need_exits:
                return
            if not self._org_room(x):
                continue
            for d in range(self.k):
                if not any(fte[m] < fte[x] for m in self.members[d]):
                    continue
                undo: list[tuple[int, int | None, Role]] = [(x, None, Role.EXIT)]
                self.place(x, d)
                for m in sorted(self.members[d] - {x}, key=lambda m: (fte[m], m)):
                    if len(undo) == 3 or fte[m] >= fte[x]:
                        break
                    if self._spare(m):
                        undo.append((m, d, self.role[m]))
                        self.remove(m)
                fits = self.fte[d] <= self.cap_hi[d] and self.count[d] <= self.limits[d][1]
                if len(undo) == 3 and fits:
                    break
                self._undo(undo)

    def _org_keeps(self, o: str) -> bool:
        """Would organisation o still keep its min_staff after one more exit?"""
        return self.kept[o] - 1 >= self.min_staff[o]

    def org_minimums(self) -> None:
        """C9 staff: organisations below min_staff get people back, or swap in for others."""
        for o, minimum in self.min_staff.items():
            while self.kept[o] < minimum:
                placed = False
                for d in sorted(range(self.k), key=lambda d: self.fte[d] - self.cap_hi[d]):
                    i = self.pick(d, _ORG, o, ok=self._room_in(d))
                    if i is None:
                        continue
                    if self.exits - 1 >= self.need_exits:
                        self.place(i, d)
                        placed = True
                        break
                    # Keep the exits: swap out a spare person of an organisation above its minimum.
                    out = self._spare_in(d, exclude_org=o)
                    if out is not None:
                        self.remove(out)
                        if self.room_for(i, d):
                            self.place(i, d)
                            placed = True
                            break
                if not placed:
                    return

    def _spare_in(self, d: int, exclude_org: str) -> int | None:
        cands = [i for i in self.members[d] if self.org[i] != exclude_org and self._spare(i)]
        return min(cands, key=lambda i: (not self.sc.staff[i].retiring, i)) if cands else None

    def posts(self) -> None:
        """C9 posts: every organisation below min_leaders gets posts (``_post_for``)."""
        for o, minimum in self.min_leaders.items():
            while self.held[o] < minimum:
                if not self._post_for(o):
                    break

    def _post_for(self, o: str) -> bool:
        """One more post for organisation o: promote one of its retained members who can
        lead (``_promote``); else bring one in — free, or spared by another department —
        keeping C7's exits and o's ``max_keep`` by letting a spare person go."""
        staff = self.sc.staff
        inside = sorted(
            (
                i
                for i in range(self.n)
                if self.org[i] == o
                and self.dept[i] is not None
                and self.role[i] is Role.MEMBER
                and staff[i].can_lead
                and not self.fixed[i]
            ),
            key=lambda i: self._rank(i, True),
        )
        if any(self._promote(i) for i in inside):
            return True
        outside = sorted(
            (
                i
                for i in range(self.n)
                if self.org[i] == o
                and staff[i].can_lead
                and not self.fixed[i]
                and (self.dept[i] is None or self.role[i] is Role.MEMBER)
            ),
            key=lambda i: (self.dept[i] is not None, self._rank(i, True)),
        )
        for i in outside:
            j = self.dept[i]
            if j is not None and not self.lower_needs_met_without(i):
                continue
            for d in sorted(range(self.k), key=lambda d: (self.deputies[d], d)):
                if d == j:
                    continue
                undo: list[tuple[int, int | None, Role]] = []
                if j is not None:
                    undo.append((i, j, self.role[i]))
                    self.remove(i)
                if self.room_for(i, d):
                    self.place(i, d)
                    undo.append((i, None, Role.EXIT))
                    if self._make_up_exits(i, undo) and self._promote(i):
                        return True
                self._undo(undo)
        return False

    def _promote(self, c: int) -> bool:
        """Make member c a deputy in their department, or hand them a post of an
        organisation that holds more than its min_leaders (C6's caps kept)."""
        d = self.dept[c]
        assert d is not None
        cap = self.sc.settings.targets.max_leadership_posts
        posts = sum(self.heads) + sum(self.deputies)
        seat = self.deputies[d] < self.limits[d][2] and self._share_ok(d, 1)
        if seat and (cap is None or posts < cap):
            self.set_role(c, Role.DEPUTY)
            return True
        o = self.org[c]

        def spare_post(h: int) -> bool:
            p = self.org[h]
            return (
                self.role[h] in (Role.HEAD, Role.DEPUTY)
                and not self.fixed[h]
                and p != o
                and self.held[p] > self.min_leaders[p]
            )

        here = sorted(h for h in self.members[d] if spare_post(h))
        if here:
            h = here[0]
            role = self.role[h]
            self.set_role(h, Role.MEMBER)
            self.set_role(c, role)
            return True
        if seat:  # only max_leadership_posts is in the way: a deputy elsewhere steps down
            for h in range(self.n):
                e = self.dept[h]
                if (
                    e is not None
                    and self.role[h] is Role.DEPUTY
                    and self.deputies[e] > self.min_dep
                    and spare_post(h)
                ):
                    self.set_role(h, Role.MEMBER)
                    self.set_role(c, Role.DEPUTY)
                    return True
        return False

    def spread_posts(self) -> None:
        """C9 max_leader_share: an organisation holding too many posts hands one over.

        A post of the over-represented organisation (not locked, leaving it its
        min_leaders) goes to a member of the same department who can lead and whose
        organisation has room, or to such a person brought in (free or spared).
        """
        if self.leader_share is None:
            return
        staff = self.sc.staff
        for _ in range(4 * self.k):
            total = sum(self.heads) + sum(self.deputies)
            over = [o for o in self.held if self.held[o] > self.leader_share * total]
            if not over:
                return
            o = max(over, key=lambda o: (self.held[o], o))
            if self.held[o] - 1 < self.min_leaders.get(o, 0):
                return
            holders = [
                i
                for i in range(self.n)
                if self.org[i] == o
                and self.role[i] in (Role.HEAD, Role.DEPUTY)
                and not self.fixed[i]
            ]
            done = False

            def fits(i: int, o: str = o, total: int = total) -> bool:
                return (
                    staff[i].can_lead and self.org[i] != o and self._post_room(self.org[i], total)
                )

            for h in holders:
                d = self.dept[h]
                assert d is not None
                inside = [
                    i
                    for i in self.members[d]
                    if self.role[i] is Role.MEMBER and not self.fixed[i] and fits(i)
                ]
                if not inside:
                    self.borrow = True
                    i = self.pick(d, _LEAD, lead=True, ok=self._room_in(d, fits))
                    self.borrow = False
                    if i is None:
                        continue
                    self.place(i, d)
                    inside = [i]
                new = min(inside, key=lambda i: self._rank(i, True))
                role = self.role[h]
                self.set_role(h, Role.MEMBER)
                self.set_role(new, role)
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

    def repair_skills(self) -> None:
        """C4 still short somewhere: bring a holder in (``_bring``) until covered."""
        for d in range(self.k):
            for sk, need in self.skill_need[d].items():
                while self.skill_fte[d][sk] < need:
                    if not self._bring(d, sk):
                        break

    def _bring(self, d: int, sk: str) -> bool:
        """Move one holder of sk into d, keeping every other department's needs and C7/C9.

        The holder comes from a department that can spare them, or back from the exits;
        d makes room by letting go a spare member without sk; an exit undone is made up
        by another spare person leaving (of the holder's organisation when it is at its
        ``max_keep``). Every step is undone when the move cannot be completed.
        """
        _, lst = self._list("all", None, _SKILL, sk, False)
        order = sorted(
            (i for i in lst if self.dept[i] != d and not self.fixed[i]),
            key=lambda i: (self.dept[i] is not None, self._rank(i, False)),
        )
        for i in order:
            j = self.dept[i]
            if j is not None and not self.lower_needs_met_without(i):
                continue
            undo: list[tuple[int, int | None, Role]] = []
            if j is not None:
                undo.append((i, j, self.role[i]))
                self.remove(i)
            if not self.room_for(i, d):
                m = min(
                    (
                        m
                        for m in self.members[d]
                        if sk not in self.sc.staff[m].skills
                        and not self.stays[m]
                        and self.lower_needs_met_without(m)
                    ),
                    key=self._spare_order,
                    default=None,
                )
                if m is not None:
                    undo.append((m, d, self.role[m]))
                    self.remove(m)
            if self.room_for(i, d):
                self.place(i, d)
                undo.append((i, None, Role.EXIT))
                if self._make_up_exits(i, undo):
                    return True
            self._undo(undo)
        return False

    def _make_up_exits(self, i: int, undo: list[tuple[int, int | None, Role]]) -> bool:
        """After person i came back, restore C7's exits and i's organisation's max_keep."""
        o = self.org[i]
        while self.exits < self.need_exits or self.kept[o] > self.max_keep[o]:
            only = o if self.kept[o] > self.max_keep[o] else None
            cands = [
                m
                for m in range(self.n)
                if m != i
                and self.dept[m] is not None
                and (only is None or self.org[m] == only)
                and self._spare(m)
            ]
            if not cands:
                return False
            m = min(cands, key=self._spare_order)
            undo.append((m, self.dept[m], self.role[m]))
            self.remove(m)
        return True

    def _undo(self, undo: list[tuple[int, int | None, Role]]) -> None:
        for i, d, role in reversed(undo):
            if self.dept[i] is not None:
                self.remove(i)
            if d is not None:
                self.place(i, d, role)

    def run(self) -> bool:
        """All steps of the module docstring; False when a lock cannot be met."""
        if not self.pin():
            return False
        # Departments with the least own pool per unit of work first: they need the others most.
        order = sorted(
            range(self.k),
            key=lambda d: sum(self.sc.staff[i].fte_h for i in self.homes[d]) / max(self.work[d], 1),
        )
        self.cover_skills()
        self.cover_reserved()
        for d in order:
            self.cover(d, "home")
        self.borrow = True
        for d in order:
            self.cover(d, "any")
        self.borrow = False
        self.trim()
        self.consolidate()
        self.org_minimums()
        self.posts()
        self.spread_posts()
        self.repair_skills()
        self.fill()
        self.retire_first()
        self.rehome()
        return True

    def _budget_room(self, d_payroll: int, d_retained: int) -> bool:
        """C8 after a change: would ``payroll_after + Δpayroll ≤ max_payroll`` and
        ``payroll_before − (payroll_after + Δpayroll) ≥ min_income_raise × (retained +
        Δretained)`` hold? Exact Fractions; ``payroll_after`` (SPEC §3) from the running
        salaries and posts (a member earns no allowance, so their Δpayroll is their salary)."""
        after = (
            self.salaries
            + sum(self.heads) * self.allowance["head"]
            + sum(self.deputies) * self.allowance["deputy"]
            + d_payroll
        )
        if self.payroll_cap is not None and after > self.payroll_cap:
            return False
        retained = sum(self.count) + d_retained
        return self.raise_rate is None or self.payroll_before - after >= self.raise_rate * retained

    def fill(self) -> None:
        """Keep more people where it pays: a non-retiring person whose exit costs more
        (weight of involuntary_exits) than their salary adds to the payroll term
        (weight of payroll per 1,000), while C7's exits, C3/C5's upper limits and C8 allow.

        With a budget (C8) the cheapest come first, and each one only while
        ``payroll_after + salary ≤ max_payroll`` and ``payroll_before − payroll_after −
        salary ≥ min_income_raise × (retained + 1)`` (``_budget_room``).
        """
        sc = self.sc
        w = sc.settings.objective.weights()
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
        exits = self.exits
        for i in free:
            if exits - 1 < self.need_exits:
                return
            if not self._org_room(i):
                continue
            if self.budget and not self._budget_room(sc.staff[i].salary, 1):
                return  # the cheapest left do not fit: no one after them does
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

    def retire_first(self) -> None:
        """Fewer involuntary exits: a retiring member makes way for someone who is not.

        A retained retiring member r of department d (their exit is free) and an exiting
        person x who is not retiring trade places when d keeps every lower need with x
        instead of r (workload within C3's bounds, skills, reserved work, lead presence)
        and r's organisation keeps its min_staff; the headcounts and C7's exits are
        unchanged, the objective drops by one involuntary exit. With a budget (C8) only
        while it holds with x's salary in place of r's (``_budget_room``). x goes
        preferably where their unit's work is.
        """
        sc = self.sc
        staff = sc.staff
        retiring: list[list[int]] = [[] for _ in range(self.k)]
        for i in range(self.n):
            d = self.dept[i]
            movable = self.role[i] is Role.MEMBER and not self.fixed[i] and not self.stays[i]
            if d is not None and staff[i].retiring and movable:
                retiring[d].append(i)
        if not any(retiring):
            return
        waiting = sorted(
            (
                i
                for i in range(self.n)
                if self.dept[i] is None and not self.fixed[i] and not staff[i].retiring
            ),
            key=lambda i: (staff[i].salary, i),
        )
        for x in waiting:
            mine = self.unit_depts.get(staff[x].unit_id, set())
            for d in sorted(range(self.k), key=lambda d: (d not in mine, d)):
                r = next((r for r in retiring[d] if self._trade_ok(x, r, d, self.budget)), None)
                if r is not None:
                    retiring[d].remove(r)
                    self.remove(r)
                    self.place(x, d)
                    break
            if not any(retiring):
                return

    def rehome(self) -> None:
        """Fewer people who lose their work (the disruption term).

        A retained member i of department d is disrupted when d hosts none of their unit's
        functions (SPEC §4). In order, for each such i (holding no post; locked to a
        department: never; locked to a role only: moves and swaps, no exit):

        1. *move*: i goes to a department e that hosts their unit's work, when d keeps
           every lower need without i (``_needs_kept_without``) and e has room;
        2. *swap*: i and a member j of such an e trade places, when each department keeps
           its needs with the other person (``_trade_ok``) and the disrupted count drops
           (j's unit has work in d, or j had lost their work in e already);
        3. *trade with an exit*: someone x who exits now, whose unit has work in d,
           takes i's place and i exits (i not protected), when d keeps its needs, C9 and
           C8 hold, and the weighted objective drops:
           ``Δ = −w_disruption + w_exits·([i not retiring] − [x not retiring])
           + w_payroll·(salary_x − salary_i)/1000 < 0``.

        No step may raise the largest surplus of any department (the imbalance term).
        Headcounts, exits and posts per department are unchanged by 2 and 3, and by 1
        only between departments within their limits.
        """
        sc = self.sc
        staff = sc.staff
        w = sc.settings.objective.weights()
        if not w["disruption"]:
            return
        units = [s.unit_id for s in staff]
        hosts = self.unit_depts

        def lost(i: int, d: int) -> bool:
            where = hosts.get(units[i], set())
            return bool(where) and d not in where

        def movable(i: int) -> bool:  # may change department (not exit: ``fixed``)
            return self.role[i] is Role.MEMBER and (not self.fixed[i] or self.anywhere[i])

        top = max(self.fte[d] - self.work[d] for d in range(self.k))  # after each change

        def surplus_ok(changes: dict[int, int]) -> bool:
            return all(self.fte[d] + c - self.work[d] <= top for d, c in changes.items())

        def changed() -> None:
            nonlocal top
            top = max(self.fte[d] - self.work[d] for d in range(self.k))

        waiting: dict[int, list[int]] = defaultdict(list)  # department -> exits whose work is there
        for x in sorted(range(self.n), key=lambda x: (staff[x].salary, x)):
            if self.dept[x] is None and not self.fixed[x]:
                for h in hosts.get(units[x], ()):
                    waiting[h].append(x)
        we, wp = w["involuntary_exits"], w["payroll"]

        def count_lost() -> int:
            return sum(1 for i, d in enumerate(self.dept) if d is not None and lost(i, d))

        left = count_lost()
        for _ in range(REHOME_PASSES):  # a step can open the way for another
            people = [i for i in range(self.n) if self.dept[i] is not None and movable(i)]
            for i in people:
                d = self.dept[i]
                if d is None or not lost(i, d) or not movable(i):
                    continue
                si = staff[i]
                there = sorted(hosts[units[i]])
                # 1. move
                to = next(
                    (
                        e
                        for e in there
                        if self.room_for(i, e)
                        and surplus_ok({e: self.fte_of[i], d: -self.fte_of[i]})
                    ),
                    None,
                )
                if to is not None and self._needs_kept_without(i):
                    self.remove(i)
                    self.place(i, to)
                    changed()
                    continue
                # 2. swap with a member of a department that hosts i's unit's work
                done = False
                for e in there:
                    for j in list(self.members[e]):
                        if not movable(j) or (lost(j, d) and not lost(j, e)):
                            continue
                        if not surplus_ok(
                            {d: self.fte_of[j] - self.fte_of[i], e: self.fte_of[i] - self.fte_of[j]}
                        ):
                            continue
                        if self._trade_ok(i, j, e, False) and self._trade_ok(j, i, d, False):
                            self.remove(i)
                            self.remove(j)
                            self.place(i, e)
                            self.place(j, d)
                            changed()
                            done = True
                            break
                    if done:
                        break
                if done or self.stays[i] or self.fixed[i]:
                    continue
                # 3. trade with someone who exits now
                for x in waiting.get(d, ()):
                    if self.dept[x] is not None:
                        continue
                    sx = staff[x]
                    delta = (
                        -w["disruption"] * 1000
                        + we * 1000 * ((not si.retiring) - (not sx.retiring))
                        + wp * (sx.salary - si.salary)
                    )
                    if delta >= 0:
                        continue
                    if self.budget and not self._budget_room(sx.salary - si.salary, 0):
                        continue
                    if not surplus_ok({d: self.fte_of[x] - self.fte_of[i]}):
                        continue
                    if self._trade_ok(x, i, d, False):
                        self.remove(i)
                        self.place(x, d)
                        changed()
                        break
            now = count_lost()
            if now >= left:
                return
            left = now

    def _trade_ok(self, x: int, r: int, d: int, budget: bool) -> bool:
        """Would department d keep its lower needs (and C8) with x in place of member r?"""
        sx, sr = self.sc.staff[x], self.sc.staff[r]
        fx, fr = self.fte_of[x], self.fte_of[r]
        if budget and sx.salary > sr.salary and not self._budget_room(sx.salary - sr.salary, 0):
            return False
        fte = self.fte[d] - fr + fx
        if not self.cap_lo[d] <= fte <= self.cap_hi[d]:
            return False
        for sk in sr.skills:
            gain = fx if sk in sx.skills else 0
            if self.skill_fte[d][sk] - fr + gain < self.skill_need[d].get(sk, 0):
                return False
        ox, orr = self.org[x], self.org[r]
        if ox != orr:
            if self.kept[orr] - 1 < self.min_staff[orr]:
                return False
            if self.org_fte[d][orr] - fr < self.reserved_need[d].get(orr, 0):
                return False
            if orr in self.presence[d] and self.org_count[d][orr] <= 1:
                return False
        elif self.org_fte[d][orr] - fr + fx < self.reserved_need[d].get(orr, 0):
            return False
        return True

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


def placements(sc: Scenario, tries: int = 4, seed: int = 0) -> Iterator[dict[int, int]]:
    """Distinct packings: units whole, then domains whole (both deterministic), then units
    whole with randomised tie-breaks (``tries`` packings of units in all)."""
    seen: set[tuple[int, ...]] = set()
    rng = random.Random(seed)
    unit: BlocksBy = "unit"
    order: list[BlocksBy] = [unit, "domain", *[unit] * (tries - 1)]
    for t, by in enumerate(order):
        where = pack_units(sc, rng if t > 1 else None, by)
        if where is None:
            continue
        key = tuple(where[f] for f in range(len(sc.functions)))
        if key in seen:
            continue
        seen.add(key)
        yield where


def construct(
    sc: Scenario, where: dict[int, int], holders: dict[int, int] | None = None
) -> Plan | None:
    """The greedy plan for one placement (None when a lock cannot be met); ``holders``
    (staff index -> department) places scarce skills' holders first, where the placement
    put the work that needs them (``planner.cpsat.structure``)."""
    staffing = Staffing(sc, where, choose_leads(sc, where), holders)
    if not staffing.run():
        return None
    return staffing.plan()
