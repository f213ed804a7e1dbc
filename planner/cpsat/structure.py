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
    H_d ≥ min_staff_d,  fte_max · H_d ≥ (1 + workload_slack) · W_d,
    Σ_d H_d − e ≤ |staff| − required exits (C7),   e ≥ 0

with the window from C3 and C5 at the staff's mean fte ``φ`` (hundredths):

    floor_d = max((min_staff_d · φ − 100) / (1 + max_overstaff),
                  (fte of the staff locked to d − 100) / (1 + max_overstaff))
    ceil_d  = FULL · max_staff_d · φ / (1 + workload_slack)

and C4: the work needing skill s sits in at most as many departments as s
has holders, and for a scarce skill (holders' fte below ``SCARCE`` × its work; the scarcest, within ``HOLDER_VARS``)
exactly, over its holders grouped into classes c of people alike (the same
modelled skills, fte and lock): h[c,d] ∈ {0..|c|}, Σ_d h[c,d] ≤ |c|,
Σ_{c holds s} fte_c · h[c,d] + short_{s,d} ≥ Σ_{f needs s} workload_f · y[f,d]; the
staffing places those holders there first. C4 is soft (short ≥ 0, and ``beyond_s``
departments with s-work past its holders' count), weighted SKILL_SHORT: when every greedy
packing breaks it (every skill as scarce as a plan allows) the model still starts from one
and drives the shortfall down. Two solves, the second hinted with the first:

    1. min Σ_d (lo_d + hi_d) + 100 · e   (windows and heads: soft, as φ is an
         + SKILL_SHORT · (Σ short          estimate; a placement meeting them all is
           + 100 · Σ beyond)               proven at once)
    2. min UNIT · Σ_u |{d : u has work in d}|        (keep each unit's work together)
         + DOMAIN · Σ_domain |{d : hosts it}|        (§4 fragmentation)
         + SKILL · Σ_s scarce |{d : has s-work}|     (a holder for each)
         + LOCKED_LOST · Σ_{u,d} L_ud · [d hosts no work of u]   (§4 disruption of the
                                          L_ud people of u locked to d)
       subject to stage 1's objective ≤ its value in 1.

The second stage's placement is given after ``STAGE_TWO`` × the first stage's time, so
that a plan comes early; ``placings`` then resumes it for the rest of the limit and gives
the better placement it finds.

A unit is split only where its limits, domains, locks or rules require it, and
nothing about the scenario's shape is assumed: the model is exact for C1, C2,
C12, the function locks of C13 and "every department used"; the windows are
estimates and C4 is soft, both judged by the staffing and the checker.
"""

from __future__ import annotations

import logging
import math
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from ortools.sat.python import cp_model

from models import LockKind, Role, RuleKind, Scenario, exact
from planner.cpsat.placement import host_literal
from planner.cpsat.solver import new_solver

log = logging.getLogger("planner.cpsat")

FULL = 0.98
"""A department's work may use this share of its room (``max_staff`` × mean fte)."""
SKILL_SHORT = 1_000
"""First stage: a hundredth of an FTE of skilled work without a holder weighs as much as
a thousand outside a window (and a department with a skill's work beyond its holders' count as
a thousand people): C4 alone never leaves the model without a placement (the greedy
packing's hint is one), and a placement that meets C4 is preferred to any window."""
UNIT, DOMAIN, SKILL = 10, 5, 20
"""Second stage's weights: a unit split once more, a domain in one more department, a
scarce skill's work in one more department."""
LOCKED_LOST = 2
"""Second stage's weight of a person locked to a department that hosts none of their
unit's work (§4's disruption against fragmentation at their default weights: 2,000 and
5,000 against DOMAIN's 5)."""
STAGE_TWO = 2.0
"""The second stage (units, domains, skills together) gets at most this multiple of the
first stage's time, at least 0.5 s, before its placement is given (``placings``): it
polishes a placement that already meets the windows."""
RESUME_LEAST = 0.3
"""``placings`` resumes the second stage when at least this many seconds of its limit are
left. On ``heavy-locks-4000`` with 3 s in all, the 1.0–1.5 s left took the placement from
42 and 37 departments too many for the domains (fragmentation) to 25 and 34, and the
constructive plan from 24,188,626 and 24,075,728 to 23,948,112 and 24,018,287 (seeds 0
and 1)."""
SCARCE = 3
HOLDER_VARS = 10_000
"""A skill is scarce when its holders' fte is below SCARCE × the work needing it. The
scarcest are modelled exactly (the work needing them kept in few departments) while
their holders' classes × departments stay within HOLDER_VARS: one boolean per holder and
department cost 97,000 variables on a 7,600-person scenario of 72 departments (1,356
holders of one skill at 2.5 × its work), most of the build; holders alike (the same
modelled skills, fte and lock) are one integer count per department instead."""


def place(
    sc: Scenario,
    time_limit: float = 1.0,
    *,
    seed: int = 0,
    workers: int = 2,
    start: dict[int, int] | None = None,
    deterministic: bool = False,
) -> Placement | None:
    """The module docstring's placement, or None when no placement meets C2, the rules,
    the function locks and the scarce skills' C4, or none was found in time: the first
    that ``placings`` gives (its second stage for at most ``STAGE_TWO`` × the first's time).

    ``deterministic``: one worker, ``time_limit`` in CP-SAT's deterministic time: the same
    placement on every machine and under any load (tests, ``[solver] deterministic``)."""
    return next(
        placings(
            sc, time_limit, seed=seed, workers=workers, start=start, deterministic=deterministic
        ),
        None,
    )


def placings(
    sc: Scenario,
    time_limit: float = 1.0,
    *,
    seed: int = 0,
    workers: int = 2,
    start: dict[int, int] | None = None,
    deterministic: bool = False,
) -> Iterator[Placement]:
    """``place``'s placement as soon as its second stage has had ``STAGE_TWO`` × the first's
    time, then (wall-clock limits only) a better one if the second stage, resumed from it,
    finds one in what is left of ``time_limit``: a first plan comes early, and the rest of
    the time the placement was given still lowers fragmentation and lost work."""
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
                    ha, hb = host_literal(model, xs), host_literal(model, zs)
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
    penalties: list[cp_model.LinearExprT] = []
    slacks: list[tuple[cp_model.IntVar, cp_model.IntVar]] = []
    for d in range(k):
        lo = model.new_int_var(0, max(0, floor[d]), "")
        hi = model.new_int_var(0, total, "")
        model.add(work[d] + lo >= floor[d])
        model.add(work[d] - hi <= ceil[d])
        penalties += [lo, hi]
        slacks.append((lo, hi))
    # C7 with C5 and C3: the people the departments need, at least min_staff each and
    # enough for their work at the largest fte, fit in those who may stay (a necessary
    # condition of every plan: no person works more than the largest fte)
    n = len(sc.staff)
    phi = max((s.fte_h for s in sc.staff), default=100)
    slack = round(100 * float(exact(sc.settings.targets.workload_slack or 0)))
    heads = []
    for d, dept in enumerate(depts):
        least, _, _ = sc.dept_limits(dept)
        h_d = model.new_int_var(min(least, n), n, "")
        model.add(100 * phi * h_d >= (100 + slack) * work[d])
        heads.append(h_d)
    excess = model.new_int_var(0, k * n, "")
    model.add(cp_model.LinearExpr.sum(heads) - excess <= max(0, n - sc.required_exits))
    penalties.append(100 * excess)  # a person weighs as much as one FTE outside a window
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
    spread += _locked_away(sc, model, y, units)
    skills = _skills(sc)
    classes = _holder_classes(sc, {sk for sk, (_, _, exact_) in skills.items() if exact_})
    h: dict[tuple[int, int], cp_model.IntVar] = {}  # holders of class c in department d
    for c, (_held, _fte, lock, members) in enumerate(classes):
        for d in range(k):
            h[c, d] = model.new_int_var(0, len(members) if lock in (None, d) else 0, "")
        kept = cp_model.LinearExpr.sum([h[c, d] for d in range(k)])
        # a holder locked to a department is there (C13); the others at most once
        model.add(kept == len(members)) if lock is not None else model.add(kept <= len(members))
    # C4, soft like the windows (a placement always exists, the greedy packing's hint is
    # one, and the first stage drives the shortfall to 0 where a placement allows it)
    short_hints: list[tuple[cp_model.IntVar, int]] = []
    for skill, (members, holders, exact_) in skills.items():
        hosts = _hosts(model, y, members, k)
        beyond = model.new_int_var(0, k, "")  # departments with its work beyond its holders
        model.add(hosts - beyond <= len(holders))  # each department with its work needs one
        penalties.append(100 * SKILL_SHORT * beyond)
        if start is not None:
            short_hints.append((beyond, max(0, len({start[f] for f in members}) - len(holders))))
        if not exact_:
            continue
        spread.append((hosts, SKILL))
        mine = [c for c, (held, _, _, _) in enumerate(classes) if skill in held]
        need_all = sum(fs[f].workload_h for f in members)
        for d in range(k):  # C4 exactly, for the only people who hold the skill
            short = model.new_int_var(0, need_all, "")
            model.add(
                cp_model.LinearExpr.weighted_sum(
                    [h[c, d] for c in mine], [classes[c][1] for c in mine]
                )
                + short
                >= cp_model.LinearExpr.weighted_sum(
                    [y[f, d] for f in members if (f, d) in y],
                    [fs[f].workload_h for f in members if (f, d) in y],
                )
            )
            penalties.append(SKILL_SHORT * short)
            if start is not None:
                need_d = sum(fs[f].workload_h for f in members if start.get(f) == d)
                held_d = sum(classes[c][1] * len(classes[c][3]) for c in mine if classes[c][2] == d)
                short_hints.append((short, max(0, need_d - held_d)))
    if start is not None:  # the greedy packing, with what it implies, as a complete hint
        for (f, d), x in y.items():
            model.add_hint(x, int(start.get(f) == d))
        load = [0] * k
        for f, d in start.items():
            load[d] += fs[f].workload_h
        wanted = [  # the heads each department needs with the greedy packing's work
            max(heads[d].proto.domain[0], -(-(100 + slack) * load[d] // (100 * phi)))
            for d in range(k)
        ]
        for d in range(k):
            lo_d, hi_d = slacks[d]
            model.add_hint(lo_d, max(0, floor[d] - load[d]))
            model.add_hint(hi_d, max(0, load[d] - ceil[d]))
            model.add_hint(heads[d], wanted[d])
        model.add_hint(excess, max(0, sum(wanted) - max(0, n - sc.required_exits)))
        for (c, d), x in h.items():  # holders where a lock puts them, else nowhere yet
            lock = classes[c][2]
            model.add_hint(x, len(classes[c][3]) if lock == d else 0)
        for x, v in short_hints:
            model.add_hint(x, v)
    deadline = time.perf_counter() + max(0.2, time_limit)
    # 1. the windows alone (proven at 0 as soon as a placement meets them all)
    model.minimize(cp_model.LinearExpr.sum(penalties))
    if deterministic:
        workers, deadline = 0, time.perf_counter() + 10**6  # the limit is the solver's own
    first = _solve(
        model, time_limit if deterministic else deadline - time.perf_counter(), seed, workers
    )
    if first is None:
        log.info("structure: no placement")
        return
    outside = int(first.objective_value)
    log.info("structure: windows met but for %d hundredths in %.2f s", outside, first.wall_time)
    # 2. keep units and domains together, the windows no worse than found
    model.add(cp_model.LinearExpr.sum(penalties) <= outside)
    model.clear_hints()
    for x in (*y.values(), *h.values()):
        model.add_hint(x, first.value(x))
    model.minimize(cp_model.LinearExpr.weighted_sum([e for e, _ in spread], [w for _, w in spread]))
    # the second stage only polishes: at most STAGE_TWO × the first's time (≥ 0.5 s)
    spent = first.response_proto.deterministic_time if deterministic else first.wall_time
    seconds = max(0.5, STAGE_TWO * spent)
    if not deterministic:
        seconds = min(deadline - time.perf_counter(), seconds)
    second = _solve(model, seconds, seed, workers)
    solver = second or first
    log.info("structure: placement, %d hundredths of an FTE outside the windows", outside)

    def placement(solver: cp_model.CpSolver) -> Placement:
        where = {f: d for (f, d), x in y.items() if solver.boolean_value(x)}
        counts = {key: solver.value(x) for key, x in h.items()}
        return Placement(where=where, holders=_holders(sc, where, classes, counts))

    yield placement(solver)
    left = deadline - time.perf_counter()
    if deterministic or second is None or left < RESUME_LEAST:
        return
    if second.objective_value <= second.best_objective_bound:
        return  # proven: nothing to resume
    # 3. the second stage resumed from its placement, for the rest of the limit
    model.clear_hints()
    for x in (*y.values(), *h.values()):
        model.add_hint(x, second.value(x))
    third = _solve(model, left, seed, workers)
    if third is not None and third.objective_value < second.objective_value:
        log.info(
            "structure: resumed placement %d → %d",
            int(second.objective_value),
            int(third.objective_value),
        )
        yield placement(third)


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
    """``workers`` 0: one worker and ``seconds`` of deterministic time."""
    if seconds < 0.05:
        return None
    solver = new_solver()
    p = solver.parameters
    if workers:
        p.max_time_in_seconds = seconds
        p.num_workers = workers
    else:
        p.max_deterministic_time = seconds
        p.num_workers = 1
    p.random_seed = seed
    status = solver.solve(model)
    return solver if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) else None


HolderClass = tuple[frozenset[str], int, int | None, list[int]]
"""(modelled skills held, fte in hundredths, department locked to or None, staff indices):
holders alike for the placement model's C4."""


def _holder_classes(sc: Scenario, modelled: set[str]) -> list[HolderClass]:
    """The holders of the modelled skills, grouped by the skills they hold, their fte and
    their lock (a staff lock to a department; locked to exit: not a holder here)."""
    dept = {d.dept_id: i for i, d in enumerate(sc.departments)}
    locks = {lk.id: lk for lk in sc.locks if lk.kind is LockKind.STAFF}
    groups: dict[tuple[frozenset[str], int, int | None], list[int]] = defaultdict(list)
    for i, st in enumerate(sc.staff):
        held = frozenset(set(st.skills) & modelled)
        if not held:
            continue
        lk = locks.get(st.staff_id)
        if lk is not None and lk.role is Role.EXIT:
            continue
        where = dept.get(lk.dept_id) if lk is not None and lk.dept_id is not None else None
        groups[held, st.fte_h, where].append(i)
    return [(held, fte, where, members) for (held, fte, where), members in groups.items()]


def _holders(
    sc: Scenario,
    where: dict[int, int],
    classes: list[HolderClass],
    counts: dict[tuple[int, int], int],
) -> dict[int, int]:
    """Staff index -> department for the holders the model placed: of each class, people
    whose unit has work in that department first."""
    work: dict[str, set[int]] = defaultdict(set)
    for f, d in where.items():
        unit = sc.functions[f].unit_id
        if unit is not None:
            work[unit].add(d)
    out: dict[int, int] = {}
    for c, (_, _, _, members) in enumerate(classes):
        free = list(members)
        for d in sorted({d for (cc, d), v in counts.items() if cc == c and v}):

            def elsewhere(i: int, d: int = d) -> tuple[bool, int]:
                return d not in work[sc.staff[i].unit_id], i

            free.sort(key=elsewhere)
            take, free = free[: counts[c, d]], free[counts[c, d] :]
            out.update((i, d) for i in take)
    return out


def _locked_away(
    sc: Scenario,
    model: cp_model.CpModel,
    y: dict[tuple[int, int], cp_model.IntVar],
    units: dict[str, list[int]],
) -> list[tuple[cp_model.LinearExpr, int]]:
    """Second-stage terms for the staff locked to a department (C13): the people of unit u
    locked to d lose their work (§4 disruption) unless d hosts one of u's functions, so
    ``[d hosts none of u] · L_ud · LOCKED_LOST`` for the L_ud people of u locked to d.
    The placement cannot move them; it can bring their unit's work to them."""
    dept_index = {d.dept_id: i for i, d in enumerate(sc.departments)}
    unit_of = {s.staff_id: s.unit_id for s in sc.staff}
    locked: dict[tuple[str, int], int] = defaultdict(int)
    for lk in sc.locks:
        if lk.kind is LockKind.STAFF and lk.dept_id is not None and lk.role is not Role.EXIT:
            locked[unit_of[lk.id], dept_index[lk.dept_id]] += 1
    out: list[tuple[cp_model.LinearExpr, int]] = []
    for (unit, d), count in sorted(locked.items()):
        xs = [y[f, d] for f in units.get(unit, []) if (f, d) in y]
        if xs:
            out.append((host_literal(model, xs).Not(), LOCKED_LOST * count))
    return out


def _hosts(
    model: cp_model.CpModel, y: dict[tuple[int, int], cp_model.IntVar], members: list[int], k: int
) -> cp_model.LinearExpr:
    """The number of departments hosting one of ``members``."""
    return cp_model.LinearExpr.sum(
        [
            host_literal(model, xs)
            for d in range(k)
            if (xs := [y[f, d] for f in members if (f, d) in y])
        ]
    )


def _skills(sc: Scenario) -> dict[str, tuple[list[int], list[int], bool]]:
    """Skill -> (functions needing it, its holders (staff indices), modelled exactly).

    A skill is scarce when its holders' fte is below SCARCE × the work needing it; the
    scarcest ones (need / supply) are modelled person by person while the holders'
    variables (holders × departments, a person holding two counts once) stay within
    HOLDER_VARS (holders alike, an upper bound of their classes, × departments)."""
    found = []
    for skill in sorted({fn.skill for fn in sc.functions if fn.skill is not None}):
        members = [
            f for f, fn in enumerate(sc.functions) if fn.skill == skill and fn.workload_h > 0
        ]
        if not members:
            continue
        holders = [i for i, s in enumerate(sc.staff) if skill in s.skills]
        need = sum(sc.functions[f].workload_h for f in members)
        supply = sum(sc.staff[i].fte_h for i in holders)
        found.append((skill, members, holders, need / max(1, supply)))
    k = max(1, len(sc.departments))
    chosen: set[str] = set()
    people: set[int] = set()
    for skill, _, holders, scarcity in sorted(found, key=lambda x: (-x[3], x[0])):
        more = people | set(holders)
        alike = {(sc.staff[i].fte_h, frozenset(sc.staff[i].skills)) for i in more}
        if scarcity * SCARCE > 1 and len(alike) * k <= HOLDER_VARS:
            chosen.add(skill)
            people = more
    return {skill: (m, h, skill in chosen) for skill, m, h, _ in found}
