"""Restricted models for a fast first plan on large scenarios.

Two heuristic restrictions, used only to find a first plan quickly; the full
model then starts from it (``planner.solve``). A plan of a restricted model
satisfies every constraint of the full one, so the final answer stays exact;
only the restricted model's own "optimum" may be far from the real one.

- **home departments** (``home_departments``): people may only join departments
  that may host the work of their current unit (its functions' domains).
- **follow the work** (``place_functions`` + ``work_homes``): every function is
  first placed by a greedy rule (its unit's work stays together where C2
  allows), then people may only join the departments where their own unit's
  work went. The function placement is fixed in that model, so what is left is
  a staffing problem that CP-SAT's LP-guided search solves in seconds where the
  open model found no plan in minutes at ministry scale (docs/benchmarks.md).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from functools import partial

from models import FunctionKind, LockKind, RuleKind, Scenario
from planner.cpsat.classes import StaffClass
from planner.grouping import UnionFind, breaks_apart


def home_departments(scenario: Scenario, classes: list[StaffClass]) -> dict[int, set[int]]:
    """Class -> departments that may host some domain of its unit's functions.

    Departments that may host divided work its organisation may lead are homes
    too (C11 needs the lead's staff there). A class whose unit has no functions, or whose work no department may host,
    keeps every department; a department no class would reach is opened to all.
    """
    domains_of: dict[str, set[str]] = {}
    lead_domains: dict[str, set[str]] = {}  # org -> domains of divided work it may lead (C11)
    for f in scenario.functions:
        if f.unit_id is not None:
            domains_of.setdefault(f.unit_id, set()).add(f.domain)
        if f.kind is FunctionKind.DIVIDED:
            for o in f.lead_candidates:
                lead_domains.setdefault(o, set()).add(f.domain)
    every = set(range(len(scenario.departments)))
    allowed: dict[int, set[int]] = {}
    for c in classes:
        doms = domains_of.get(c.unit_id, set()) | lead_domains.get(c.org_id, set())
        homes = {d for d, dpt in enumerate(scenario.departments) if any(dpt.hosts(g) for g in doms)}
        allowed[c.index] = homes or set(every)
    return _open_unreached(allowed, every)


def _open_unreached(allowed: dict[int, set[int]], every: set[int]) -> dict[int, set[int]]:
    """A department that no class may join is opened to every class (C5 needs staff)."""
    reached: set[int] = set().union(*allowed.values()) if allowed else set()
    for d in every - reached:
        for homes in allowed.values():
            homes.add(d)
    return allowed


def place_functions(scenario: Scenario) -> dict[int, int] | None:
    """A greedy placement function index -> department index, or None when it finds none.

    Holds C2 (domains), function locks with a department, ``together`` rules (a
    group goes whole to a department that may host all of it) and "every
    department hosts a function"; ``apart`` rules are avoided where the choice
    allows (the restricted model checks them, and a failure falls back).

    Rule for each group, most constrained first: a locked department if any;
    otherwise the department that already holds most of the same units' work
    (a unit's work stays together), then the most specific department (fewest
    domains; "any domain" last), then the lightest.
    """
    sc = scenario
    fs, depts = sc.functions, sc.departments
    k = len(depts)
    fid = {fn.function_id: i for i, fn in enumerate(fs)}
    dept = {d: i for i, d in enumerate(sc.dept_ids)}
    groups = UnionFind(len(fs))
    apart: list[tuple[set[int], set[int]]] = []
    for rule in sc.rules:
        a = {fid[x] for x in sc.rule_targets(rule.a)}
        b = {fid[x] for x in sc.rule_targets(rule.b)}
        if rule.rule is RuleKind.TOGETHER:
            members = sorted(a | b)
            for f in members[1:]:
                groups.union(members[0], f)
        else:
            apart.append((a, b))
    locked: dict[int, int] = {}
    for lk in sc.locks:
        if lk.kind is LockKind.FUNCTION and lk.dept_id is not None:
            locked[groups.find(fid[lk.id])] = dept[lk.dept_id]
    members_of: dict[int, list[int]] = defaultdict(list)
    for f in range(len(fs)):
        members_of[groups.find(f)].append(f)
    options: dict[int, list[int]] = {}
    for g, members in members_of.items():
        ok = [d for d in range(k) if all(depts[d].hosts(fs[f].domain) for f in members)]
        if g in locked:
            ok = [d for d in ok if d == locked[g]]
        if not ok:
            return None
        options[g] = ok
    specificity = [len(dp.domains) if dp.domains else 10**6 for dp in depts]
    unit_load: dict[tuple[str, int], int] = defaultdict(int)
    load = [0] * k
    where: dict[int, int] = {}
    order = sorted(
        members_of, key=lambda g: (len(options[g]), fs[members_of[g][0]].unit_id or "", g)
    )
    for g in order:
        units = {u for f in members_of[g] if (u := fs[f].unit_id) is not None}
        clash = {d for d in options[g] if breaks_apart(members_of[g], d, where, apart)}
        choices = [d for d in options[g] if d not in clash] or options[g]

        def preference(d: int, units: set[str] = units) -> tuple[int, int, int, int]:
            together = sum(unit_load[u, d] for u in units)
            return (-together, specificity[d], load[d], d)

        d = min(choices, key=preference)
        for f in members_of[g]:
            where[f] = d
            load[d] += fs[f].workload_h
            unit = fs[f].unit_id
            if unit is not None:
                unit_load[unit, d] += max(fs[f].workload_h, 1)
    # Every department hosts a function: move a group from a department that keeps another.
    for d in range(k):
        if any(where[f] == d for f in where):
            continue
        count: dict[int, int] = defaultdict(int)
        for g in members_of:
            count[where[g]] += 1
        movable = [
            g for g in members_of if d in options[g] and g not in locked and count[where[g]] > 1
        ]
        if not movable:
            return None
        g = max(movable, key=lambda g: (count[where[g]], -len(members_of[g]), g))
        for f in members_of[g]:
            where[f] = d
    return where


def work_homes(
    scenario: Scenario, placement: dict[int, int], classes: list[StaffClass]
) -> dict[int, set[int]]:
    """Class -> the departments where its unit's work was placed ("follow the work"),
    and the other departments that may host the domains of that work (so that a
    department given too much of a unit's staff can pass some to a neighbour).

    A class whose unit has no functions keeps every department; a department no
    class would reach is opened to all.
    """
    domains_of: dict[str, set[str]] = defaultdict(set)
    where_unit: dict[str, set[int]] = defaultdict(set)
    for f, fn in enumerate(scenario.functions):
        if fn.unit_id is not None:
            where_unit[fn.unit_id].add(placement[f])
            domains_of[fn.unit_id].add(fn.domain)
    depts = scenario.departments
    every = set(range(len(depts)))
    allowed: dict[int, set[int]] = {}
    for c in classes:
        doms = domains_of.get(c.unit_id, set())
        near = {d for d, dpt in enumerate(depts) if any(dpt.hosts(g) for g in doms)}
        allowed[c.index] = (where_unit.get(c.unit_id, set()) | near) or set(every)
    _cover_needs(scenario, placement, classes, allowed)
    return _open_unreached(allowed, every)


NEED_MARGIN = 1.5
"""How much more capacity than a department needs its pool of possible staff must offer."""


def _cover_needs(
    scenario: Scenario,
    placement: dict[int, int],
    classes: list[StaffClass],
    allowed: dict[int, set[int]],
) -> None:
    """Open more departments to more classes until, in every department, the classes
    that may join it could cover ``NEED_MARGIN`` × each need on their own: its
    workload (C3), every required skill (C4), every organisation's reserved work
    (C10) and its head and minimum deputies (C6). Classes of the organisations
    whose work sits in the department come first, larger classes before smaller.
    """
    sc = scenario
    k = len(sc.departments)
    work = [0] * k
    skill_need: dict[tuple[int, str], int] = defaultdict(int)
    reserved_need: dict[tuple[int, str], int] = defaultdict(int)
    orgs_in: dict[int, set[str]] = defaultdict(set)
    for f, fn in enumerate(sc.functions):
        d = placement[f]
        work[d] += fn.workload_h
        if fn.skill is not None:
            skill_need[d, fn.skill] += fn.workload_h
        if fn.kind is FunctionKind.RESERVED and fn.org_id is not None:
            reserved_need[d, fn.org_id] += fn.workload_h
        if fn.org_id is not None:
            orgs_in[d].add(fn.org_id)
    leaders = 1 + sc.settings.departments.min_deputies

    def cover(
        d: int, need: float, fits: Callable[[StaffClass], bool], weight: Callable[[StaffClass], int]
    ) -> None:
        have = sum(weight(c) for c in classes if d in allowed[c.index] and fits(c))
        if have >= NEED_MARGIN * need:
            return
        extra = sorted(
            (c for c in classes if d not in allowed[c.index] and fits(c)),
            key=lambda c: (c.org_id not in orgs_in[d], -weight(c), c.index),
        )
        for c in extra:
            if have >= NEED_MARGIN * need:
                return
            allowed[c.index].add(d)
            have += weight(c)

    def fte(c: StaffClass) -> int:
        return c.size * c.fte_h

    def anyone(c: StaffClass) -> bool:
        return True

    def can_lead(c: StaffClass) -> bool:
        return c.can_lead

    def size(c: StaffClass) -> int:
        return c.size

    for d in range(k):
        cover(d, work[d], anyone, fte)
        cover(d, leaders, can_lead, size)
    for (d, s), need in skill_need.items():
        cover(d, need, partial(_holds, s), fte)
    for (d, o), need in reserved_need.items():
        cover(d, need, partial(_belongs, o), fte)


def _holds(skill: str, c: StaffClass) -> bool:
    return skill in c.skills


def _belongs(org: str, c: StaffClass) -> bool:
    return c.org_id == org
