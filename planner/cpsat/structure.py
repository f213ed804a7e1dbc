"""Structure first: place the work on departments before anyone is staffed.

The constructive plan (``planner.search.construct``) staffs a given placement of the
functions greedily. Its own packing (``pack_units``) keeps units whole where it
can and repairs department sizes afterwards; on shapes where that pattern does
not hold (every unit spanning domains no department may host together, more
departments than units with tight limits) every greedy packing left one
department with too little or too much work for the people its limits allow,
and the staffing could not meet C3 and C5 together there.

This module places the functions with a small CP-SAT model over functions and
departments only (no people), in which every department's workload must fall
in the window that its limits allow:

    y[f,d] ∈ {0,1}   function f in department d (only where C2 and the locks allow)
    Σ_d y[f,d] = 1                                         (C1)
    y[f,d] = y[g,d]  for f, g in one ``together`` group      (C12)
    A_d + B_d ≤ 1    A_d = OR_{f∈a} y[f,d], B_d likewise     (C12 ``apart``)
    Σ_f y[f,d] ≥ 1                                          (§3: every department used)
    W_d = Σ_f workload_f · y[f,d]
    floor_d − lo_d ≤ W_d ≤ ceil_d + hi_d,   lo_d, hi_d ≥ 0

with the window from C3 and C5 at the staff's mean fte ``φ`` (hundredths):

    floor_d = max((min_staff_d · φ − 100) / (1 + max_overstaff),
                  (fte of the staff locked to d − 100) / (1 + max_overstaff))
    ceil_d  = FULL · max_staff_d · φ / (1 + workload_slack)

and C4: the work needing skill s sits in at most as many departments as s
has holders, and for a scarce skill (holders' fte below ``SCARCE`` × its work)
exactly, over its few holders: h[p,d] ∈ {0,1}, Σ_d h[p,d] ≤ 1,
Σ_{p holds s} fte_p · h[p,d] ≥ Σ_{f needs s} workload_f · y[f,d]; the staffing
places those holders there first. Two solves, the second hinted with the first:

    1. min Σ_d (lo_d + hi_d)          (windows: soft, as φ is an estimate; a
                                       placement meeting them all is proven at once)
    2. min UNIT · Σ_u |{d : u has work in d}|        (keep each unit's work together)
         + DOMAIN · Σ_domain |{d : hosts it}|        (§4 fragmentation)
         + SKILL · Σ_s scarce |{d : has s-work}|     (a holder for each)
       subject to Σ_d (lo_d + hi_d) ≤ its value in 1.

A unit is split only where its limits, domains, locks or rules require it, and
nothing about the scenario's shape is assumed: the model is exact for C1, C2,
C12, the function locks of C13 and "every department used"; only the windows
are estimates, which the staffing and the checker then judge.
"""

from __future__ import annotations

import logging
import math
import time
from collections import defaultdict
from dataclasses import dataclass

from ortools.sat.python import cp_model

from models import LockKind, Role, RuleKind, Scenario, exact
from planner.cpsat.solver import new_solver

log = logging.getLogger("planner.cpsat")

FULL = 0.98
"""A department's work may use this share of its room (``max_staff`` × mean fte)."""
UNIT, DOMAIN, SKILL = 10, 5, 20
"""Second stage's weights: a unit split once more, a domain in one more department, a
scarce skill's work in one more department."""
SCARCE = 3
"""A skill is scarce when its holders' fte is below this multiple of the work needing it:
its work is then kept in few departments (each one needs a holder of its own)."""


def place(
    sc: Scenario,
    time_limit: float = 1.0,
    *,
    seed: int = 0,
    workers: int = 2,
    start: dict[int, int] | None = None,
) -> Placement | None:
    """The module docstring's placement, or None when no placement meets C2, the rules,
    the function locks and the scarce skills' C4, or none was found in time."""
    fs, depts = sc.functions, sc.departments
    k = len(depts)
    if not fs or not k:
        return None
    model = cp_model.CpModel()
    pinned = {
        lk.id: lk.dept_id
        for lk in sc.locks
        if lk.kind is LockKind.FUNCTION and lk.dept_id is not None
    }
    dept_index = {d.dept_id: i for i, d in enumerate(depts)}
    y: dict[tuple[int, int], cp_model.IntVar] = {}
    for f, fn in enumerate(fs):
        allowed = [d for d in range(k) if depts[d].hosts(fn.domain)]
        if fn.function_id in pinned:
            allowed = [d for d in allowed if d == dept_index.get(pinned[fn.function_id])]
        if not allowed:
            return None
        for d in allowed:
            y[f, d] = model.new_bool_var("")
        model.add_exactly_one(y[f, d] for d in allowed)
    fid = {fn.function_id: i for i, fn in enumerate(fs)}

    def at(f: int, d: int) -> cp_model.IntVar | int:
        return y.get((f, d), 0)

    for rule in sc.rules:
        a = [fid[x] for x in sc.rule_targets(rule.a) if x in fid]
        b = [fid[x] for x in sc.rule_targets(rule.b) if x in fid]
        if rule.rule is RuleKind.TOGETHER:
            group = a + b
            for f in group[1:]:
                for d in range(k):
                    model.add(at(f, d) == at(group[0], d))
        elif rule.rule is RuleKind.APART:
            for d in range(k):
                xs = [y[f, d] for f in a if (f, d) in y]
                zs = [y[f, d] for f in b if (f, d) in y]
                if xs and zs:
                    ha, hb = _host(model, xs), _host(model, zs)
                    model.add(ha + hb <= 1)
    work = [
        cp_model.LinearExpr.weighted_sum(
            [y[f, d] for f in range(len(fs)) if (f, d) in y],
            [fs[f].workload_h for f in range(len(fs)) if (f, d) in y],
        )
        for d in range(k)
    ]
    for d in range(k):
        model.add(sum(y[f, d] for f in range(len(fs)) if (f, d) in y) >= 1)
    floor, ceil = windows(sc)
    total = sum(fn.workload_h for fn in fs)
    penalties = []
    for d in range(k):
        lo = model.new_int_var(0, max(0, floor[d]), "")
        hi = model.new_int_var(0, total, "")
        model.add(work[d] + lo >= floor[d])
        model.add(work[d] - hi <= ceil[d])
        penalties += [lo, hi]
    units: dict[str, list[int]] = defaultdict(list)
    domains: dict[str, list[int]] = defaultdict(list)
    for f, fn in enumerate(fs):
        if fn.unit_id is not None:
            units[fn.unit_id].append(f)
        domains[fn.domain].append(f)
    spread = []
    for groups, weight in ((units, UNIT), (domains, DOMAIN)):
        for members in groups.values():
            spread.append((_hosts(model, y, members, k), weight))
    h: dict[tuple[int, int], cp_model.IntVar] = {}  # scarce skills' holders: person, dept
    locked = {lk.id: lk for lk in sc.locks if lk.kind is LockKind.STAFF}
    for _skill, (members, holders, scarce) in _skills(sc).items():
        hosts = _hosts(model, y, members, k)
        model.add(hosts <= len(holders))  # C4: each department with its work needs a holder
        if not scarce:
            continue
        spread.append((hosts, SKILL))
        for i in holders:
            if (i, 0) in h:
                continue
            lk = locked.get(sc.staff[i].staff_id)
            for d in range(k):
                h[i, d] = model.new_bool_var("")
                if lk is not None and (
                    lk.role is Role.EXIT
                    or (lk.dept_id is not None and lk.dept_id != depts[d].dept_id)
                ):
                    model.add(h[i, d] == 0)
            model.add_at_most_one(h[i, d] for d in range(k))
        for d in range(k):  # C4 exactly, for the only people who hold the skill
            model.add(
                cp_model.LinearExpr.weighted_sum(
                    [h[i, d] for i in holders], [sc.staff[i].fte_h for i in holders]
                )
                >= cp_model.LinearExpr.weighted_sum(
                    [y[f, d] for f in members if (f, d) in y],
                    [fs[f].workload_h for f in members if (f, d) in y],
                )
            )
    if start is not None:
        for (f, d), x in y.items():
            model.add_hint(x, int(start.get(f) == d))
    deadline = time.perf_counter() + max(0.2, time_limit)
    # 1. the windows alone (proven at 0 as soon as a placement meets them all)
    model.minimize(cp_model.LinearExpr.sum(penalties))
    first = _solve(model, deadline - time.perf_counter(), seed, workers)
    if first is None:
        log.info("structure: no placement")
        return None
    outside = int(first.objective_value)
    log.info("structure: windows met but for %d hundredths in %.2f s", outside, first.wall_time)
    # 2. keep units and domains together, the windows no worse than found
    model.add(cp_model.LinearExpr.sum(penalties) <= outside)
    model.clear_hints()
    for x in (*y.values(), *h.values()):
        model.add_hint(x, first.value(x))
    model.minimize(cp_model.LinearExpr.weighted_sum([e for e, _ in spread], [w for _, w in spread]))
    second = _solve(model, deadline - time.perf_counter(), seed, workers)
    solver = second or first
    log.info("structure: placement, %d hundredths of an FTE outside the windows", outside)
    return Placement(
        where={f: d for (f, d), x in y.items() if solver.boolean_value(x)},
        holders={i: d for (i, d), x in h.items() if solver.boolean_value(x)},
    )


@dataclass(frozen=True)
class Placement:
    where: dict[int, int]
    """Function index -> department index."""
    holders: dict[int, int]
    """Staff index -> department index: where the holders of scarce skills go (C4)."""


def windows(sc: Scenario) -> tuple[list[int], list[int]]:
    """Each department's workload window (floor, ceil) in hundredths of an FTE (module
    docstring): the work its ``min_staff`` and ``max_staff`` can carry under C3."""
    t = sc.settings.targets
    over = None if t.max_overstaff is None else float(exact(t.max_overstaff))
    slack = float(exact(t.workload_slack or 0))
    mean = sum(s.fte_h for s in sc.staff) / max(1, len(sc.staff))
    locked_fte: dict[str, int] = defaultdict(int)
    fte = {s.staff_id: s.fte_h for s in sc.staff}
    for lk in sc.locks:
        if lk.kind is LockKind.STAFF and lk.dept_id is not None and lk.role is not Role.EXIT:
            locked_fte[lk.dept_id] += fte.get(lk.id, 0)
    floor, ceil = [], []
    for dept in sc.departments:
        least, most, _ = sc.dept_limits(dept)
        lo = 0.0
        if over is not None:
            lo = max(least * mean - 100, locked_fte[dept.dept_id] - 100, 0) / (1 + over)
        floor.append(math.ceil(lo))
        ceil.append(max(math.ceil(lo), math.floor(FULL * most * mean / (1 + slack))))
    return floor, ceil


def _solve(
    model: cp_model.CpModel, seconds: float, seed: int, workers: int
) -> cp_model.CpSolver | None:
    if seconds < 0.05:
        return None
    solver = new_solver()
    p = solver.parameters
    p.max_time_in_seconds = seconds
    p.num_workers = max(1, workers)
    p.random_seed = seed
    status = solver.solve(model)
    return solver if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) else None


def _hosts(
    model: cp_model.CpModel, y: dict[tuple[int, int], cp_model.IntVar], members: list[int], k: int
) -> cp_model.LinearExpr:
    """The number of departments hosting one of ``members``."""
    return cp_model.LinearExpr.sum(
        [_host(model, xs) for d in range(k) if (xs := [y[f, d] for f in members if (f, d) in y])]
    )


def _skills(sc: Scenario) -> dict[str, tuple[list[int], list[int], bool]]:
    """Skill -> (functions needing it, its holders (staff indices), scarce: holders' fte <
    SCARCE × need)."""
    out: dict[str, tuple[list[int], list[int], bool]] = {}
    for skill in sorted({fn.skill for fn in sc.functions if fn.skill is not None}):
        members = [
            f for f, fn in enumerate(sc.functions) if fn.skill == skill and fn.workload_h > 0
        ]
        if not members:
            continue
        holders = [i for i, s in enumerate(sc.staff) if skill in s.skills]
        need = sum(sc.functions[f].workload_h for f in members)
        supply = sum(sc.staff[i].fte_h for i in holders)
        out[skill] = (members, holders, supply < SCARCE * need)
    return out


def _host(model: cp_model.CpModel, xs: list[cp_model.IntVar]) -> cp_model.IntVar:
    """A literal that is 1 exactly when one of ``xs`` is."""
    if len(xs) == 1:
        return xs[0]
    h = model.new_bool_var("")
    model.add_max_equality(h, xs)
    return h
