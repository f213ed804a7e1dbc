"""Synthetic scenarios that are feasible by construction.

``generate(kind, seed=..., size=...)`` builds a scenario of one of five kinds:

========== ===================== ===================================== =====================
kind       staff (default)       structure                             target departments
========== ===================== ===================================== =====================
commune    5–15                  2–5 organisations, one unit each      1
district   25–45                 6 organisations, one unit each,       1 (< 30 staff) or 2
                                 "9 chung, 15 chia"
province   150–220               6 organisations, 27–33 units          6
central    2,720                 5 agencies, 36 units                  19
ministry   10,000                2 ministries, 41 units, ≈1,000 work   40
merged     2,700                 5 organisations, 36 units (issue 14), 19, no departments.csv
                                 units packed whole, ≈ 2 a department
========== ===================== ===================================== =====================

``size`` is the number of staff, exactly; the structure of the kind stays the
same (only a commune's number of organisations and a district's number of
departments follow it). Allowed sizes: commune 4–60, district 24–400,
province 100–2,000, central 400–50,000, ministry 1,000–100,000, merged
150–20,000; a ministry gets one function per ten staff. ``merged`` is built by
``planner.generate.packed`` (its units and departments scale with the size).

How feasibility is guaranteed: the builder plants a plan first. It draws the
people, picks the exits (everyone retiring, then the highest salaries, until
``min_reduction`` and ``min_income_raise`` hold, never a protected person and
never below an organisation's minima), places every function in a department
that hosts its domain, spreads the retained staff over the departments in
proportion to the work (people follow their unit's work), pins the people that
reserved and divided work need, picks heads and deputies among those who
``can_lead`` within the organisations' minima and caps, and only then sets
each department's workloads to 82–92 % of its planted capacity, capping each
organisation's reserved work by its own planted capacity and giving the skill
a function needs to enough people in its department. The planted plan
satisfies every constraint of SPEC §3 (``generate_with_witness`` returns it;
the tests pass it through ``planner.check``). Everything is drawn from one
``random.Random(seed)``: the same seed gives the same scenario.

This module is long because the five blueprints (commune, district, province, central,
ministry) are written out in full, so that each kind's figures read side by side, beside
the one planter (``_Planter``) that plants a plan in any of them.
"""

from __future__ import annotations

import math
import random
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import date, timedelta
from fractions import Fraction

from models import (
    Department,
    Function,
    FunctionAssignment,
    Gender,
    Organization,
    Plan,
    RoadmapSettings,
    Role,
    Rule,
    Scenario,
    Settings,
    Staff,
    Unit,
    exact,
)
from planner.domain.retirement import add_months, statutory_age_months
from planner.generate import names_vi as vi
from planner.generate.packed import build_packed, merged
from planner.generate.people import (
    BASE_SALARY_2018,
    RETIREMENT_AGE_2018,
    Blueprint,
    DeptSpec,
    FunctionSpec,
    GenerationError,
    Person,
    UnitSpec,
    draw_people,
    largest_remainder,
    witness_staff,
)

KINDS: tuple[str, ...] = ("commune", "district", "province", "central", "ministry", "merged")
SIZES: dict[str, tuple[int, int]] = {
    "commune": (4, 60),
    "district": (24, 400),
    "province": (100, 2_000),
    "central": (400, 50_000),
    "ministry": (1_000, 100_000),
    "merged": (150, 20_000),
}
# -- the planted plan ----------------------------------------------------------------------------------


class _Planter:
    """Builds the planted plan step by step; each step keeps the earlier ones true."""

    def __init__(self, bp: Blueprint, rng: random.Random, people: list[Person]) -> None:
        self.bp, self.rng, self.people = bp, rng, people
        self.s = bp.settings
        self.depts = {d.dept_id: d for d in bp.departments}
        self.org_size = Counter(p.org for p in people)
        self.min_staff = {
            o: max(1, math.floor(bp.min_staff_share * self.org_size[o])) for o, _, _ in bp.orgs
        }
        self.min_leaders = {o: m for o, _, m in bp.orgs}
        self.posts = sum(1 + d.deputies for d in bp.departments)
        share = self.s.targets.max_leader_share
        self.cap = math.floor(exact(share) * self.posts) if share is not None else self.posts
        self.place: dict[str, str] = {}
        self.lead: dict[str, str] = {}
        self._retained: list[Person] | None = None  # known once the exits are chosen

    # ---- exits (C7, C8, C9)
    def exits(self) -> None:
        ppl, t, a = self.people, self.s.targets, self.s.allowances
        base = self.s.scenario.base_salary
        head, deputy = exact(a.head) * base, exact(a.deputy) * base
        before = sum(head if p.position == "head" else deputy for p in ppl if p.position != "staff")
        after = len(self.depts) * head + sum(d.deputies for d in self.depts.values()) * deputy
        savings = Fraction(before - after)
        need = math.ceil(exact(t.min_reduction) * len(ppl)) if t.min_reduction else 0
        raise_ = exact(t.min_income_raise) if t.min_income_raise else None
        kept = Counter(p.org for p in ppl)
        leads = Counter(p.org for p in ppl if p.can_lead)
        n_out = 0

        def done() -> bool:
            return n_out >= need and (raise_ is None or savings >= raise_ * (len(ppl) - n_out))

        order = sorted(ppl, key=lambda p: (not p.retiring, p.can_lead, -p.salary, p.sid))
        for p in order:
            if done() and not p.retiring:
                break
            if p.protected or kept[p.org] <= self.min_staff[p.org]:
                continue
            if p.can_lead and (
                leads[p.org] <= self.min_leaders[p.org] or sum(leads.values()) <= self.posts + 2
            ):
                continue
            p.dept = "exit"
            kept[p.org] -= 1
            leads[p.org] -= p.can_lead
            savings += p.salary
            n_out += 1
        if not done():
            raise GenerationError("no set of exits meets min_reduction and min_income_raise here")
        self._retained = None

    @property
    def retained(self) -> list[Person]:
        if self._retained is None:
            self._retained = [p for p in self.people if p.dept != "exit"]
        return self._retained

    # ---- functions (C2, every department used)
    def place_functions(self) -> None:
        hosts = {
            dom: [d for d, spec in self.depts.items() if not spec.domains or dom in spec.domains]
            for dom in {f.domain for f in self.bp.functions}
        }
        load: dict[str, float] = defaultdict(float)
        for f in self.bp.functions:
            options = hosts[f.domain]
            if not options:
                raise GenerationError(f"no department hosts domain {f.domain!r}")
            # the first host (the department made for the domain); among "any domain" hosts, the lightest
            d = (
                min(options, key=lambda x: load[x])
                if not self.depts[options[0]].domains
                else options[0]
            )
            self.place[f.function_id] = d
            load[d] += f.weight
        by_id = {f.function_id: f for f in self.bp.functions}
        for d in self.depts:
            if load[d]:
                continue
            movable = [
                fid
                for fid, at in self.place.items()
                if d in hosts[by_id[fid].domain]
                and sum(1 for x in self.place.values() if x == at) > 1
            ]
            if not movable:
                raise GenerationError(f"department {d} can host none of the work")
            fid = movable[0]
            load[self.place[fid]] -= by_id[fid].weight
            self.place[fid] = d
            load[d] += by_id[fid].weight

    # ---- staff (people follow their unit's work)
    def _bounds(self, d: str) -> tuple[int, int]:
        spec, ds = self.depts[d], self.s.departments
        lo = max(
            ds.min_staff,
            1 + spec.deputies,
            math.ceil(spec.deputies / exact(ds.max_deputy_share)) if spec.deputies else 0,
        )
        return lo, ds.max_staff

    def place_staff(self) -> None:
        funcs = {f.function_id: f for f in self.bp.functions}
        unit_pref: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        dept_weight: dict[str, float] = defaultdict(float)
        for fid, d in self.place.items():
            f = funcs[fid]
            dept_weight[d] += f.weight
            if f.unit_id is not None:
                unit_pref[f.unit_id][d] += f.weight
        by_unit: dict[str, list[Person]] = defaultdict(list)
        for p in self.retained:
            by_unit[p.unit.unit_id].append(p)
        total = sum(dept_weight.values())
        bound = sum(f.weight for f in self.bp.functions if f.unit_id is not None) / total
        n = len(self.retained)
        target: dict[str, float] = defaultdict(float)
        for uid, ps in by_unit.items():
            pref = unit_pref.get(uid) or dept_weight
            w = sum(pref.values())
            for d, x in pref.items():
                target[d] += bound * len(ps) * x / w
        for d, x in dept_weight.items():
            target[d] += (1 - bound) * n * x / total
        quota = largest_remainder(target, n, list(self.depts))
        for d in self.depts:  # respect the size bounds in the quotas
            lo, _ = self._bounds(d)
            while quota[d] < lo:
                src = max(self.depts, key=lambda x: quota[x] - self._bounds(x)[0])
                if quota[src] - self._bounds(src)[0] <= 0:
                    raise GenerationError("too few staff for the departments' minimum sizes")
                quota[src] -= 1
                quota[d] += 1
        for uid, ps in by_unit.items():
            pref = unit_pref.get(uid) or dept_weight
            share = largest_remainder(pref, len(ps), sorted(pref, key=lambda x: -pref[x]))
            order = sorted(pref, key=lambda x: -pref[x])
            for p in sorted(ps, key=lambda q: (-q.rank[0], q.sid)):
                # the unit's own share first, then any of its departments with room, then any room
                fits = [x for x in order if share[x] > 0 and quota[x] > 0]
                fits = fits or [x for x in order if quota[x] > 0]
                d = fits[0] if fits else max(quota, key=lambda x: quota[x])
                p.dept = d
                share[d] -= 1
                quota[d] -= 1

    def _in(self, d: str, org: str | None = None) -> list[Person]:
        return [p for p in self.retained if p.dept == d and (org is None or p.org == org)]

    def _bring(self, org: str, d: str, *, leader: bool = False) -> Person:
        """Move one unpinned person of ``org`` (one who can lead, if asked) into ``d``."""
        pool = [
            p
            for p in self.retained
            if p.org == org and not p.pinned and p.dept != d and (p.can_lead or not leader)
        ]
        if not pool:
            raise GenerationError(f"no movable staff of {org} for department {d}")
        size = Counter(q.dept for q in self.retained)
        spare = {x: size[x] - self._bounds(x)[0] for x in self.depts}
        p = max(pool, key=lambda q: (spare[q.dept], not q.can_lead or leader, q.sid))
        p.dept = d
        return p

    def _pin(self, org: str, d: str) -> None:
        here = self._in(d, org)
        if any(p.pinned for p in here):
            return
        p = min(here, key=lambda q: (q.can_lead, q.sid)) if here else self._bring(org, d)
        p.pinned = True

    # ---- reserved and divided work need their organisations' people (C10, C11)
    def presence(self) -> None:
        funcs = sorted(self.bp.functions, key=lambda f: f.function_id)
        for f in funcs:
            if f.kind == "reserved":
                self._pin(f.owner, self.place[f.function_id])
        for f in funcs:
            if f.kind != "divided":
                continue
            d = self.place[f.function_id]
            cands = f.lead_candidates
            lead = next((o for o in cands if self._in(d, o)), cands[0])
            self.lead[f.function_id] = lead
            self._pin(lead, d)
        want = self.s.targets.min_lead_tasks or 0
        named = {o for f in funcs if f.kind == "divided" for o in f.lead_candidates}
        for org in sorted(named):
            while Counter(self.lead.values())[org] < want:
                counts = Counter(self.lead.values())
                options = [
                    f
                    for f in funcs
                    if f.function_id in self.lead
                    and org in f.lead_candidates
                    and counts[self.lead[f.function_id]] > want
                ]
                if not options:
                    raise GenerationError(f"{org} cannot lead {want} divided functions")
                f = max(
                    options,
                    key=lambda g: (bool(self._in(self.place[g.function_id], org)), g.function_id),
                )
                self.lead[f.function_id] = org
                self._pin(org, self.place[f.function_id])

    # ---- sizes (C5, and room for the deputies of C6)
    def sizes(self) -> None:
        for _ in range(10 * len(self.people)):
            size = Counter(p.dept for p in self.retained)
            low = [d for d in self.depts if size[d] < self._bounds(d)[0]]
            high = [d for d in self.depts if size[d] > self._bounds(d)[1]]
            if not low and not high:
                return
            if low:
                d = low[0]
                src = [x for x in self.depts if size[x] > self._bounds(x)[0]]
            else:
                d = min(self.depts, key=lambda x: size[x] - self._bounds(x)[1])
                src = high
            movers = [p for p in self.retained if p.dept in src and not p.pinned]
            if not movers:
                raise GenerationError("department sizes cannot be met")
            p = max(
                movers,
                key=lambda q: (size[q.dept] - self._bounds(q.dept)[0], not q.can_lead, q.sid),
            )
            p.dept = d
        raise GenerationError("department sizes did not settle")

    # ---- heads and deputies (C6, C9)
    def leaders(self) -> None:
        free = {d: 1 + spec.deputies for d, spec in self.depts.items()}
        held: Counter[str] = Counter()

        def take(p: Person) -> None:
            p.leader = p.pinned = True
            free[p.dept] -= 1
            held[p.org] += 1

        for org in sorted(
            self.min_leaders, key=lambda o: sum(p.can_lead for p in self.retained if p.org == o)
        ):
            while held[org] < self.min_leaders[org]:
                here = [
                    p
                    for p in self.retained
                    if p.org == org and p.can_lead and not p.leader and free[p.dept] > 0
                ]
                if here:
                    take(max(here, key=lambda q: (q.rank, q.sid)))
                else:
                    d = max(free, key=lambda x: free[x])
                    if free[d] <= 0:
                        raise GenerationError("more leadership minima than posts")
                    take(self._bring(org, d, leader=True))
        for d in self.depts:
            while free[d] > 0:
                here = [
                    p for p in self._in(d) if p.can_lead and not p.leader and held[p.org] < self.cap
                ]
                if here:
                    take(max(here, key=lambda q: (q.rank, q.sid)))
                    continue
                orgs = sorted(
                    (o for o in self.min_leaders if held[o] < self.cap), key=lambda o: held[o]
                )
                for org in orgs:
                    try:
                        take(self._bring(org, d, leader=True))
                        break
                    except GenerationError:
                        continue
                else:
                    raise GenerationError(f"no one can lead in department {d}")

    def roles(self) -> dict[str, Role]:
        out: dict[str, Role] = {}
        for d in self.depts:
            chiefs = sorted(
                (p for p in self._in(d) if p.leader), key=lambda q: (q.rank, q.sid), reverse=True
            )
            for i, p in enumerate(chiefs):
                out[p.sid] = Role.HEAD if i == 0 else Role.DEPUTY
        return out

    # ---- workloads (C3, C10) and skills (C4)
    def workloads(self) -> dict[str, int]:
        slack = exact(self.s.targets.workload_slack or 0)
        over = self.s.targets.max_overstaff
        by_dept: dict[str, list[FunctionSpec]] = defaultdict(list)
        for f in self.bp.functions:
            by_dept[self.place[f.function_id]].append(f)
        work: dict[str, int] = {}
        for d, fs in by_dept.items():
            ppl = self._in(d)
            cap = sum(p.fte_h for p in ppl)
            target = math.floor(
                cap
                * Fraction(self.rng.uniform(*self.bp.utilisation)).limit_denominator(1000)
                / (1 + slack)
            )
            total = sum(f.weight for f in fs)
            for f in fs:
                work[f.function_id] = max(1, math.floor(target * f.weight / total))
            for org in sorted({f.owner for f in fs if f.kind == "reserved"}):
                mine = [f for f in fs if f.kind == "reserved" and f.org_id == org]
                room = math.floor(sum(p.fte_h for p in ppl if p.org == org) * Fraction(95, 100))
                used = sum(work[f.function_id] for f in mine)
                if used > room:
                    for f in mine:
                        work[f.function_id] = max(1, work[f.function_id] * room // used)
                    rest = [f for f in fs if f.kind != "reserved"]
                    if not rest:
                        continue
                    extra = used - sum(work[f.function_id] for f in mine)
                    w = sum(f.weight for f in rest)
                    for f in rest:
                        work[f.function_id] += math.floor(extra * f.weight / w)
            load = sum(work[f.function_id] for f in fs)
            if cap < (1 + slack) * load or (
                over is not None and cap > (1 + exact(over)) * load + 100
            ):
                raise GenerationError(f"workload of department {d} cannot be calibrated")
        return work

    def skills(self, work: dict[str, int]) -> dict[str, str | None]:
        need: dict[tuple[str, str], list[FunctionSpec]] = defaultdict(list)
        for f in self.bp.functions:
            if f.skill:
                need[(self.place[f.function_id], f.skill)].append(f)
        for (d, skill), fs in sorted(need.items()):
            want = sum(work[f.function_id] for f in fs)
            units = {f.unit_id for f in fs}
            orgs = {f.org_id for f in fs}
            ppl = sorted(
                self._in(d),
                key=lambda p: (p.unit.unit_id not in units, p.org not in orgs, p.leader, p.sid),
            )
            have = sum(p.fte_h for p in ppl if skill in p.skills)
            for p in ppl:
                if have >= want:
                    break
                if skill not in p.skills:
                    p.skills.append(skill)
                    have += p.fte_h
        return {f.function_id: f.skill for f in self.bp.functions}


ROADMAP_START = date(2025, 7, 1)
"""The date the generated ages refer to (SPEC §8 ``roadmap.start``'s default)."""


def _life(p: Person, rng: random.Random) -> tuple[date, float]:
    """A birth date and service years (SPEC §8) that keep the 2018 profile's years to retirement.

    The generator's ages were drawn against the 2018 ages (men 60, women 55):
    ``retiring`` people were 1–2 years short, the others at least 3. Under the rising
    schedule of the Labour Code 2019 the same distance is kept: a person ``retiring``
    reaches the statutory age within the first year after ``ROADMAP_START`` (natural
    attrition within one period); anyone else ``60|55 − age`` years and some days after
    it. Service years run from the career start that set the salary step.
    """
    gender = Gender.F if p.female else Gender.M
    if p.retiring:
        target = ROADMAP_START + timedelta(days=rng.randint(1, 365))
    else:
        years = RETIREMENT_AGE_2018[p.female] - p.age
        target = ROADMAP_START + timedelta(days=round(365.25 * years) + rng.randint(0, 364))
    schedule = RoadmapSettings()
    birth = add_months(target, -statutory_age_months(gender, target.year, schedule))
    age = (ROADMAP_START - birth).days / 365.25
    service = max(0.0, round(age - p.career_start - rng.random(), 1))
    return birth, service


def build(bp: Blueprint, rng: random.Random) -> tuple[Scenario, Plan]:
    """The scenario a blueprint describes, and the plan planted in it."""
    people = draw_people(bp, rng)
    pl = _Planter(bp, rng, people)
    pl.exits()
    pl.place_functions()
    pl.place_staff()
    pl.presence()
    pl.sizes()
    pl.leaders()
    pl.sizes()  # a leader brought in may have left a department short
    roles = pl.roles()
    work = pl.workloads()
    skills = pl.skills(work)
    s = bp.settings
    orgs = tuple(
        Organization(org_id=o, name=name, min_staff=pl.min_staff[o], min_leaders=m)
        for o, name, m in bp.orgs
    )
    units = tuple(Unit(unit_id=u.unit_id, org_id=u.org_id, name=u.name) for u in bp.units)
    # Birth dates from a generator of their own: the scenario drawn before is unchanged.
    lives = random.Random(len(people) * 7919 + sum(p.salary for p in people))
    life = {p.sid: _life(p, lives) for p in people}
    staff = tuple(
        Staff(
            staff_id=p.sid,
            name=p.name,
            unit_id=p.unit.unit_id,
            position=p.position,
            salary=p.salary,
            fte=p.fte_h / 100,
            skills=tuple(p.skills),
            can_lead=p.can_lead,
            retiring=p.retiring,
            protected=p.protected,
            birth_date=life[p.sid][0],
            gender=Gender.F if p.female else Gender.M,
            service_years=life[p.sid][1],
        )
        for p in people
    )
    functions = tuple(
        Function(
            function_id=f.function_id,
            name=f.name,
            org_id=f.org_id,
            unit_id=f.unit_id,
            domain=f.domain,
            kind=f.kind,
            workload=work[f.function_id] / 100,
            skill=skills[f.function_id],
            lead_candidates=f.lead_candidates,
        )
        for f in bp.functions
    )
    depts = tuple(
        Department(dept_id=d.dept_id, name=d.name, domains=d.domains) for d in bp.departments
    )
    scenario = Scenario(
        settings=s,
        organizations=orgs,
        units=units,
        staff=staff,
        functions=functions,
        departments=depts,
        rules=bp.rules,
    )
    plan = Plan(
        staff=witness_staff(people, roles),
        functions=tuple(
            FunctionAssignment(
                function_id=f.function_id,
                dept_id=pl.place[f.function_id],
                lead_org=pl.lead.get(f.function_id),
            )
            for f in bp.functions
        ),
    )
    return scenario, plan


# -- the kinds -------------------------------------------------------------------------------------------


def _settings(
    name: str, count: int, departments: dict, targets: dict, time_limit: float = 30.0
) -> Settings:
    return Settings.model_validate(
        {
            "scenario": {"name": name, "currency": "VND", "base_salary": BASE_SALARY_2018},
            "departments": {"count": count, **departments},
            "allowances": {"head": 0.7, "deputy": 0.5},
            "targets": targets,
            "solver": {"time_limit": time_limit, "workers": 0, "seed": 0},
        }
    )


def _fspec(
    fid: str, row: tuple, org: str | None, unit: str | None, candidates: str | None = None
) -> FunctionSpec:
    name, domain, kind, skill, cands, weight = row
    kinds = {"S": "shared", "D": "divided", "R": "reserved"}
    lead = tuple(x for x in (candidates if candidates is not None else cands).split(";") if x)
    if kinds[kind] == "divided" and not lead and org:
        lead = (org,)
    return FunctionSpec(
        fid,
        name,
        domain,
        kinds[kind],
        org,
        unit,
        skill,
        lead if kinds[kind] == "divided" else (),
        weight,
    )


def _spread(rng: random.Random, n: int, weights: Sequence[float]) -> list[int]:
    """``n`` split in proportion to jittered ``weights``."""
    jittered = {str(i): w * rng.uniform(0.85, 1.15) for i, w in enumerate(weights)}
    split = largest_remainder(jittered, n, list(jittered))
    return [split[str(i)] for i in range(len(weights))]


def commune(rng: random.Random, size: int) -> Blueprint:
    """A commune: the Front and 1–4 associations, one department, 1 head and up to 2 deputies."""
    k = min(len(vi.COMMUNE_ORDER), max(2, (size - 1) // 2))
    orgs = vi.COMMUNE_ORDER[:k]
    place = vi.place_name(rng)
    deps = [0] * k
    deps[0] = 1 if size >= 6 else 0
    members = _spread(rng, size - k - sum(deps), [2.0] + [1.0] * (k - 1))
    units: list[UnitSpec] = []
    functions: list[FunctionSpec] = []
    for i, o in enumerate(orgs):
        uid = f"{o}-X"
        units.append(
            UnitSpec(
                uid,
                o,
                vi.BLOCK_ORGS[o][0].format(level=f"xã {place}"),
                deps[i],
                members[i],
                ("organisation", "social_work"),
                protected_head=(o == "MTTQ"),
            )
        )
        functions.append(
            FunctionSpec(
                f"R-{o}",
                f"Công tác hội viên, đoàn viên ({vi.BLOCK_ORGS[o][1]})",
                "organisation",
                "reserved",
                o,
                uid,
                None,
                (),
                0.6,
            )
        )
        second = orgs[(i + 1) % k]
        functions.append(
            FunctionSpec(
                f"D-{o}",
                vi.COMMUNE_MOVEMENTS[o],
                "movement",
                "divided",
                o,
                uid,
                None,
                (o, second),
                1.0,
            )
        )
    for i, row in enumerate(vi.COMMUNE_SHARED, 1):
        functions.append(_fspec(f"S{i}", row, None, None))
    retained = size - math.ceil(Fraction(1, 10) * size)
    deputies = min(2, retained // 2, k + sum(deps) - 1)
    dept = DeptSpec("KHOI", f"Cơ quan MTTQ và các đoàn thể xã {place}", (), deputies)
    settings = _settings(
        f"Xã {place}",
        1,
        {
            "min_staff": 3,
            "max_staff": 60,
            "min_deputies": 0,
            "max_deputies": 2,
            "max_deputy_share": 0.5,
        },
        {
            "min_reduction": 0.1,
            "max_leadership_posts": 3,
            "max_overstaff": 0.5,
            "min_lead_tasks": 1,
        },
        10.0,
    )
    orgs_spec = tuple(
        (o, vi.BLOCK_ORGS[o][0].format(level=f"xã {place}"), 1 if o == "MTTQ" else 0) for o in orgs
    )
    return Blueprint(
        orgs_spec,
        tuple(units),
        tuple(functions),
        (dept,),
        settings,
        "commune",
        min_staff_share=0.0,
        retiring_share=0.05,
        utilisation=(0.8, 0.9),
    )


def district(
    rng: random.Random,
    size: int,
    *,
    departments: int | None = None,
    name: str | None = None,
    place: str = "huyện",
    composition: Sequence[tuple[int, int]] | None = None,
) -> Blueprint:
    """A district block agency under "9 chung, 15 chia": six organisations, one unit each.

    ``composition`` fixes (staff, deputies) per organisation in ``names_vi.BLOCK_ORGS`` order.
    """
    orgs = tuple(vi.BLOCK_ORGS)
    if composition is None:
        counts = _spread(rng, size, [1.25, 1.05, 1.05, 1.05, 1.0, 0.8])
        composition = [(n, 2 if n >= 6 and rng.random() < 0.7 else 1) for n in counts]
    if sum(n for n, _ in composition) != size:
        raise GenerationError("the composition does not add up to the size")
    units = []
    for o, (n, dep) in zip(orgs, composition, strict=True):
        units.append(
            UnitSpec(
                f"{o}-H",
                o,
                vi.DISTRICT_UNIT_NAMES[o],
                dep,
                n - 1 - dep,
                vi.DISTRICT_SKILLS[o],
                True,
            )
        )
    functions = [
        _fspec(f"CHUNG{i:02d}", row, None, None) for i, row in enumerate(vi.DISTRICT_SHARED, 1)
    ]
    for i, row in enumerate(vi.DISTRICT_DIVIDED, 1):
        first = row[4].split(";")[0]
        functions.append(_fspec(f"CHIA{i:02d}", row, first, f"{first}-H"))
    for o in orgs:
        functions.append(_fspec(f"RIENG-{o}", vi.DISTRICT_RESERVED[o], o, f"{o}-H"))
    k = departments or (1 if size < 30 else 2)
    if k == 1:
        d_id, d_name, doms = vi.DISTRICT_ONE_DEPARTMENT
        depts: tuple[DeptSpec, ...] = (DeptSpec(d_id, d_name, doms, 5),)
        dept_settings = {"min_staff": 8, "max_staff": 400, "min_deputies": 1, "max_deputies": 5}
        posts = 6
    else:
        depts = tuple(DeptSpec(i, n, doms, 2) for i, n, doms in vi.DISTRICT_TWO_DEPARTMENTS)
        dept_settings = {"min_staff": 4, "max_staff": 400, "min_deputies": 1, "max_deputies": 3}
        posts = 8
    settings = _settings(
        name or "Cơ quan khối cấp huyện (tổng hợp)",
        len(depts),
        {**dept_settings, "max_deputy_share": 0.5},
        {
            "min_reduction": 0.155,
            "max_leadership_posts": posts,
            "min_income_raise": BASE_SALARY_2018,
            "max_overstaff": 0.5,
            "max_leader_share": 0.5,
            "min_lead_tasks": 1,
        },
    )
    orgs_spec = tuple((o, vi.BLOCK_ORGS[o][0].format(level=place), 1) for o in orgs)
    return Blueprint(
        orgs_spec,
        tuple(units),
        tuple(functions),
        depts,
        settings,
        "district",
        min_staff_share=0.6,
        retiring_share=0.085,
    )


def province(
    rng: random.Random,
    size: int,
    *,
    units: int | None = None,
    name: str | None = None,
    place: str = "tỉnh",
    deputies: Sequence[int] | None = None,
) -> Blueprint:
    """A provincial block agency: the Front and five organisations, 27–33 units, 6 departments.

    ``units`` fixes the number of units (33 keeps all of ``names_vi.PROVINCE_UNITS``);
    ``deputies`` (one count per unit kept) fixes today's deputies.
    """
    catalogue = list(vi.PROVINCE_UNITS)
    n_units = units or rng.randint(27, len(catalogue))
    while len(catalogue) > n_units:  # drop a unit that is neither an office nor the Front's
        per_org = Counter(u[0] for u in catalogue)
        droppable = [u for u in catalogue if u[1] != "VP" and u[0] != "MTTQ" and per_org[u[0]] > 3]
        catalogue.remove(rng.choice(droppable))
    deps = list(deputies) if deputies is not None else [u[3] for u in catalogue]
    members = _spread(rng, size - len(catalogue) - sum(deps), [u[4] for u in catalogue])
    if min(members) < 0:
        raise GenerationError("too few staff for the units' heads and deputies")
    unit_specs: list[UnitSpec] = []
    functions: list[FunctionSpec] = []
    # heads of the organisation boards sit on their standing committees: elected, protected
    heads_protected = {"TCTG", "TC", "TCKT", "XDD"}
    for (org, code, uname, _, _, skills, rows), dep, mem in zip(
        catalogue, deps, members, strict=True
    ):
        uid = f"{org}-{code}"
        unit_specs.append(
            UnitSpec(uid, org, uname, dep, mem, skills, protected_head=code in heads_protected)
        )
        for i, row in enumerate(rows, 1):
            short = vi.BLOCK_ORGS[org][1]
            spec = _fspec(f"{uid}-{i}", row, org, uid)
            functions.append(replace(spec, name=f"{spec.name} ({short})"))
    depts = tuple(DeptSpec(i, n, doms, 2) for i, n, doms in vi.PROVINCE_DEPARTMENTS)
    settings = _settings(
        name or "Cơ quan khối cấp tỉnh (tổng hợp)",
        len(depts),
        {
            "min_staff": 5,
            "max_staff": max(60, size // 3),
            "min_deputies": 2,
            "max_deputies": 2,
            "max_deputy_share": 0.5,
        },
        {
            "min_reduction": 0.1,
            "max_leadership_posts": 18,
            "max_overstaff": 0.5,
            "max_leader_share": 0.3,
            "min_lead_tasks": 1,
        },
        60.0,
    )
    orgs_spec = tuple((o, vi.BLOCK_ORGS[o][0].format(level=place), 1) for o in vi.BLOCK_ORGS)
    rules = (Rule(rule="apart", a="domain:inspection", b="domain:finance"),)
    return Blueprint(
        orgs_spec,
        tuple(unit_specs),
        tuple(functions),
        depts,
        settings,
        "province",
        min_staff_share=0.75,
        retiring_share=0.07,
        rules=rules,
    )


def _unit_functions(
    rng: random.Random,
    uid: str,
    org: str,
    domains: Sequence[str],
    count: int,
    candidates: Sequence[str],
    start: int,
) -> list[FunctionSpec]:
    """``count`` functions of a unit, cycling over its domains' tasks."""
    kinds = {"S": "shared", "D": "divided", "R": "reserved"}
    per_domain = []
    for dom in domains:
        if dom in vi.DOMAIN_TASKS:
            per_domain.append([(dom, *t) for t in vi.DOMAIN_TASKS[dom]])
        else:
            label = vi.MINISTRY_SECTOR_LABELS[dom]
            per_domain.append(
                [(dom, name.format(x=label), kind, skill) for name, kind, skill in vi.SECTOR_TASKS]
            )
    # round robin over the domains, so that every domain of the unit has work
    tasks = [ts[j] for j in range(max(map(len, per_domain))) for ts in per_domain if j < len(ts)]
    out = []
    for i in range(max(count, len(domains))):
        dom, name, kind, skill = tasks[i % len(tasks)]
        if i >= len(tasks):
            name = f"{name} (mảng {i // len(tasks) + 1})"
        lead = (org, *[c for c in candidates if c != org][:2]) if kind == "D" else ()
        out.append(
            FunctionSpec(
                f"F{start + i:05d}",
                name,
                dom,
                kinds[kind],
                org,
                uid,
                skill,
                lead,
                rng.uniform(0.6, 1.4),
            )
        )
    return out


def central(rng: random.Random, size: int) -> Blueprint:
    """The central Front in 2025: 36 units of 5 agencies merged into 19 departments."""
    orgs = tuple(vi.CENTRAL_ORGS)
    n_units = len(vi.CENTRAL_UNITS)
    deps = [rng.choice((2, 3, 3, 4)) for _ in range(n_units)]
    members = _spread(
        rng, size - n_units - sum(deps), [rng.uniform(0.7, 1.3) for _ in range(n_units)]
    )
    units: list[UnitSpec] = []
    functions: list[FunctionSpec] = []
    for i, ((org, uname, domains), dep, mem) in enumerate(
        zip(vi.CENTRAL_UNITS, deps, members, strict=True)
    ):
        uid = f"{org}-{i + 1:02d}"
        skills = tuple(
            dict.fromkeys(t[2] for d in domains for t in vi.DOMAIN_TASKS[d] if t[2])
        ) or ("organisation",)
        units.append(
            UnitSpec(
                uid, org, uname, dep, mem, skills, protected_head=uname.startswith("Văn phòng")
            )
        )
        affinity = tuple(o for o in vi.AFFINITY.get(org, ()) if o in orgs) + orgs
        functions += _unit_functions(
            rng, uid, org, domains, rng.randint(5, 9), affinity, len(functions) + 1
        )
    depts = tuple(
        DeptSpec(f"B{i + 1:02d}", n, doms, 2) for i, (n, doms) in enumerate(vi.CENTRAL_DEPARTMENTS)
    )
    settings = _settings(
        "Cơ quan Ủy ban Trung ương MTTQ Việt Nam (tổng hợp)",
        len(depts),
        {
            "min_staff": 5,
            "max_staff": max(60, 4 * size // len(depts)),
            "min_deputies": 1,
            "max_deputies": 3,
            "max_deputy_share": 0.5,
        },
        {
            "min_reduction": 0.19,
            "max_leadership_posts": 3 * len(depts),
            "max_overstaff": 0.5,
            "max_leader_share": 0.5,
            "min_lead_tasks": 1,
        },
        120.0,
    )
    orgs_spec = tuple((o, vi.CENTRAL_ORGS[o], 1) for o in orgs)
    return Blueprint(
        orgs_spec,
        tuple(units),
        tuple(functions),
        depts,
        settings,
        "central",
        min_staff_share=0.7,
        retiring_share=0.05,
    )


def ministry(rng: random.Random, size: int) -> Blueprint:
    """Two ministries merged into one: 41 units, ≈ size / 10 functions, 40 departments."""
    orgs = tuple(vi.MINISTRY_ORGS)
    catalogue = [(o, n, doms) for o in orgs for n, doms in vi.MINISTRY_COMMON_UNITS]
    catalogue += [(o, n, (dom,)) for o in orgs for n, dom in vi.MINISTRY_SECTOR_UNITS[o]]
    n_units = len(catalogue)
    deps = [rng.choice((3, 4, 4, 5)) for _ in range(n_units)]
    weights = [rng.uniform(0.6, 1.4) for _ in range(n_units)]
    members = _spread(rng, size - n_units - sum(deps), weights)
    per_unit = _spread(rng, max(n_units, size // 10), weights)
    units: list[UnitSpec] = []
    functions: list[FunctionSpec] = []
    for i, ((org, uname, domains), dep, mem, nf) in enumerate(
        zip(catalogue, deps, members, per_unit, strict=True)
    ):
        uid = f"{org}-{i + 1:02d}"
        skills = ("law", "planning", "it", "english", "finance", "inspection")
        units.append(
            UnitSpec(uid, org, uname, dep, mem, tuple(rng.sample(skills, 3)), protected_head=False)
        )
        functions += _unit_functions(rng, uid, org, domains, nf, orgs, len(functions) + 1)
    depts = tuple(
        DeptSpec(f"V{i + 1:02d}", n, doms, 3) for i, (n, doms) in enumerate(vi.MINISTRY_DEPARTMENTS)
    )
    settings = _settings(
        "Bộ Nông nghiệp và Môi trường (tổng hợp)",
        len(depts),
        {
            "min_staff": 10,
            "max_staff": max(100, 4 * size // len(depts)),
            "min_deputies": 1,
            "max_deputies": 4,
            "max_deputy_share": 0.5,
        },
        {
            "min_reduction": 0.15,
            "max_leadership_posts": 4 * len(depts),
            "max_overstaff": 0.5,
            "max_leader_share": 0.75,
            "min_lead_tasks": 1,
        },
        300.0,
    )
    orgs_spec = tuple((o, vi.MINISTRY_ORGS[o], 5) for o in orgs)
    return Blueprint(
        orgs_spec,
        tuple(units),
        tuple(functions),
        depts,
        settings,
        "central",
        min_staff_share=0.7,
        retiring_share=0.05,
    )


_BLUEPRINTS = {
    "commune": commune,
    "district": district,
    "province": province,
    "central": central,
    "ministry": ministry,
}
_DEFAULT_SIZE = {
    "commune": (5, 15),
    "district": (25, 45),
    "province": (150, 220),
    "central": (2_720, 2_720),
    "ministry": (10_000, 10_000),
    "merged": (2_700, 2_700),
}


def blueprint(kind: str, rng: random.Random, size: int | None = None) -> Blueprint:
    """The blueprint of a kind (see the module docstring), drawn from ``rng``."""
    if kind not in _BLUEPRINTS:
        if kind == "merged":
            raise ValueError("kind 'merged' is built by planner.generate.packed, not a blueprint")
        raise ValueError(f"unknown kind {kind!r}: use one of {', '.join(KINDS)}")
    lo, hi = SIZES[kind]
    if size is None:
        size = rng.randint(*_DEFAULT_SIZE[kind])
    elif not lo <= size <= hi:
        raise ValueError(f"size {size} is outside {lo}–{hi} for kind {kind!r}")
    return _BLUEPRINTS[kind](rng, size)


def generate_with_witness(
    kind: str, *, seed: int = 0, size: int | None = None
) -> tuple[Scenario, Plan]:
    """A scenario of ``kind`` and the feasible plan planted in it."""
    rng = random.Random(seed)
    if kind == "merged":
        lo, hi = SIZES[kind]
        if size is None:
            size = _DEFAULT_SIZE[kind][0]
        elif not lo <= size <= hi:
            raise ValueError(f"size {size} is outside {lo}–{hi} for kind {kind!r}")
        packed = build_packed(merged(size), rng)
        return packed.scenario, packed.plan
    return build(blueprint(kind, rng, size), rng)


def generate(kind: str, *, seed: int = 0, size: int | None = None) -> Scenario:
    """A synthetic scenario of ``kind``, feasible under SPEC §3 with its own settings.

    Parameters
    ----------
    kind
        ``commune``, ``district``, ``province``, ``central`` or ``ministry``.
    seed
        Seed of the one ``random.Random`` everything is drawn from: same seed, same scenario.
    size
        Number of staff (default: drawn from the kind's typical range, see the module docstring).
    """
    return generate_with_witness(kind, seed=seed, size=size)[0]


def generate_many(kind: str, n: int, seed: int = 0) -> Iterator[tuple[str, Scenario]]:
    """``n`` scenarios of ``kind``: ``(key, scenario)`` with keys ``kind-00001`` …

    Scenario ``i`` uses seed ``seed * 1_000_003 + i``, so any one of them can be
    regenerated alone with ``generate(kind, seed=...)``.
    """
    width = max(5, len(str(n)))
    for i in range(1, n + 1):
        yield f"{kind}-{i:0{width}d}", generate(kind, seed=seed * 1_000_003 + i)
