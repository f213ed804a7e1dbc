"""Merged-agency scenarios planted as a human would plan them: units kept whole, packed.

``build_packed(spec, rng)`` returns a scenario and the plan planted in it. The
plan is the one anyone could write by hand (issue 14): every unit's work and its
retained people stay together, about ``units / departments`` units are packed into
each target department, each unit keeps just enough of its people to cover its
work (the exits are spread over the units in proportion to their size, retiring
people first), holders of a skill a unit lacks are brought in from a unit in
another department, and heads and deputies are picked among those who
``can_lead`` within the organisations' minima and caps. Workloads are set last,
from the planted capacities (``utilisation`` of each department's retained FTE,
divided by ``1 + workload_slack``), so that C3 holds with the chosen tightness.

The planted plan satisfies SPEC §3 (the tests pass it through ``planner.check``);
a spec with ``infeasible`` set is then tightened by a small, provable margin (see
:func:`_make_infeasible`), and the planted plan fails exactly that one check.

``merged(size)`` is the spec of the scenario at the top of issue 14 (5 organisations,
36 units, ≈ 2,700 staff, 19 departments without departments.csv); the structure
scales with ``size``: ``units = round(36 × size / 2700)`` (at least 5, one per organisation) and
``departments = round(19 × size / 2700)`` (at least 2), four posts per department.

This module is long because planting a packed plan is one sequence of steps over shared
state (``_Packer``: packing, exits, skills a unit lacks, leaders, workloads, leads),
then the rules, locks and infeasible variants of a spec; what it shares with
``planner.generate.scenarios`` is in ``planner.generate.people``.
"""

from __future__ import annotations

import math
import random
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from models import (
    Department,
    Function,
    FunctionAssignment,
    Lock,
    Organization,
    Plan,
    Role,
    Rule,
    Scenario,
    Settings,
    Staff,
    Unit,
    exact,
)
from planner.generate import names_vi as vi
from planner.generate.people import (
    BASE_SALARY_2018,
    Blueprint,
    GenerationError,
    Person,
    UnitSpec,
    draw_people,
    largest_remainder,
    witness_staff,
)

INFEASIBLE = ("exits", "skill", "posts")
"""How a spec can be made infeasible by a small margin (see ``_make_infeasible``)."""

# Skills that a unit may lack; its work then needs holders from another unit.
_RARE_SKILLS = ("english", "it", "law", "finance", "economics", "media", "social_work")
_UNIQUE_SKILL = "statistics"  # held by the few donors of the "skill" infeasibility only
_ORG_WEIGHTS = (1.4, 1.1, 1.0, 1.0, 0.6, 0.9, 0.8, 0.7)
_EXTRA_ORGS = {
    "CD": "Tổng Liên đoàn Lao động Việt Nam",
    "HCTD": "Trung ương Hội Chữ thập đỏ Việt Nam",
    "HLHTN": "Hội Liên hiệp Thanh niên Việt Nam",
}


@dataclass(frozen=True)
class PackedSpec:
    """The structure of a merged agency and the settings it is merged under.

    Shares are of units (``lacking``), functions (``mix``, ``skill_share``,
    ``divided_share``, ``reserved_share``) or staff (``retiring``, ``protected``).
    ``tight_independence`` sets every organisation's ``min_staff`` and ``min_leaders``
    to what the planted plan keeps and ``max_leader_share`` to the smallest
    hundredth the planted plan meets.
    """

    name: str
    size: int
    units: int
    departments: int
    orgs: int = 5
    departments_given: bool = False
    extra_domains: int = (
        0  # with departments.csv: domains a department may host beyond its planted ones
    )
    mix: float = 0.15
    functions_per_unit: tuple[int, int] = (5, 9)
    skill_share: float = 0.3
    lacking: float = 0.15
    divided_share: float = 0.2
    lead_candidates: tuple[int, int] = (2, 4)
    reserved_share: float = 0.15
    retiring: float = 0.08
    protected: float = 0.0
    can_lead_share: float = 0.05
    unit_deputies: tuple[int, int] = (1, 3)
    min_staff: int = 20
    max_staff: int = 400
    min_deputies: int = 1
    max_deputies: int = 3
    max_deputy_share: float = 0.5
    posts_per_department: int | None = 4
    max_overstaff: float | None = 0.3
    workload_slack: float = 0.0
    min_reduction: float | None = 0.197
    extra_exits: float = 0.0
    utilisation: tuple[float, float] = (0.93, 0.99)
    org_min_staff_share: float = 0.7
    tight_independence: bool = False
    max_leader_share: float | None = None
    min_lead_tasks: int | None = 1
    locks: int = 0
    apart: int = 0
    together: int = 0
    infeasible: str | None = None

    def __post_init__(self) -> None:
        if self.infeasible is not None and self.infeasible not in INFEASIBLE:
            raise GenerationError(f"unknown infeasibility {self.infeasible!r}")
        if not 1 <= self.departments <= self.units:
            raise GenerationError("units are kept whole: need 1 ≤ departments ≤ units")
        if self.orgs > len(_ORG_WEIGHTS) or self.orgs > self.units:
            raise GenerationError(f"between 1 and min(units, {len(_ORG_WEIGHTS)}) organisations")


def merged(size: int) -> PackedSpec:
    """Issue 14's scenario at ``size`` staff (2,700: 36 units, 19 departments, 76 posts)."""
    units = max(5, round(36 * size / 2700))
    depts = max(2, round(19 * size / 2700))
    return PackedSpec(name="merged", size=size, units=units, departments=depts)


# -- building blocks ------------------------------------------------------------------------


def _org_catalogue(n: int) -> list[tuple[str, str]]:
    out = list(vi.CENTRAL_ORGS.items()) + list(_EXTRA_ORGS.items())
    return out[:n]


def _units(
    spec: PackedSpec, rng: random.Random
) -> tuple[list[UnitSpec], dict[str, tuple[str, ...]]]:
    """The units (names and domains from the central catalogue, cycled) and their domains."""
    orgs = [o for o, _ in _org_catalogue(spec.orgs)]
    per_org = largest_remainder(
        {o: _ORG_WEIGHTS[i] for i, o in enumerate(orgs)}, spec.units - len(orgs), orgs
    )
    counts = {o: 1 + per_org[o] for o in orgs}  # every organisation has a unit
    by_org: dict[str, list[tuple[str, tuple[str, ...]]]] = defaultdict(list)
    for org, uname, doms in vi.CENTRAL_UNITS:
        by_org[org].append((uname, doms))
    generic = [(u, d) for _, u, d in vi.CENTRAL_UNITS]
    heads = [rng.randint(*spec.unit_deputies) for _ in range(spec.units)]
    weights = [rng.uniform(0.6, 1.4) for _ in range(spec.units)]
    members = largest_remainder(
        {str(i): w for i, w in enumerate(weights)},
        spec.size - spec.units - sum(heads),
        [str(i) for i in range(spec.units)],
    )
    units: list[UnitSpec] = []
    domains: dict[str, tuple[str, ...]] = {}
    i = 0
    for org in orgs:
        own = by_org.get(org) or generic
        for j in range(counts[org]):
            uname, doms = own[j % len(own)]
            if j >= len(own):
                uname = f"{uname} {j // len(own) + 1}"
            uid = f"{org}-{j + 1:02d}"
            mem = members[str(i)]
            if mem < 1:
                raise GenerationError("too few staff for the units' heads and deputies")
            skills = tuple(
                dict.fromkeys(t[2] for d in doms for t in vi.DOMAIN_TASKS.get(d, ()) if t[2])
            ) or ("organisation",)
            units.append(
                UnitSpec(
                    uid,
                    org,
                    uname,
                    heads[i],
                    mem,
                    skills,
                    protected_head=uname.startswith("Văn phòng") and j < len(own),
                )
            )
            domains[uid] = tuple(d for d in doms if d in vi.DOMAIN_TASKS) or ("office",)
            i += 1
    return units, domains


@dataclass
class _Fn:
    fid: str
    name: str
    domain: str
    kind: str
    org: str
    unit: str
    skill: str | None
    cands: tuple[str, ...]
    weight: float
    work: int = 0
    dept: str = ""
    lead: str | None = None


def _functions(
    spec: PackedSpec,
    rng: random.Random,
    units: Sequence[UnitSpec],
    domains: dict[str, tuple[str, ...]],
    orgs: Sequence[str],
) -> list[_Fn]:
    """Each unit's work: mostly its own domains, a ``mix`` share in another unit's domain."""
    all_domains = sorted({d for ds in domains.values() for d in ds})
    out: list[_Fn] = []
    first_of_org: set[str] = set()
    need_led = spec.min_lead_tasks or 0
    for u in units:
        n = rng.randint(*spec.functions_per_unit)
        own = domains[u.unit_id]
        # ``mix`` of the work (rounded at random) in other domains; below half unless mix > 0.5
        n_mix = min(int(spec.mix * n + rng.random()), n - 1 if spec.mix > 0.5 else (n - 1) // 2)
        mixed = set(rng.sample(range(len(own), n), max(0, min(n_mix, n - len(own)))))
        for i in range(n):
            dom = own[i % len(own)]
            if i in mixed:
                dom = rng.choice([d for d in all_domains if d not in own] or all_domains)
            tasks = vi.DOMAIN_TASKS[dom]
            name, _, skill = tasks[i % len(tasks)]
            if i >= len(tasks):
                name = f"{name} (mảng {i // len(tasks) + 1})"
            r = rng.random()
            if u.org_id not in first_of_org and i < need_led and spec.divided_share > 0:
                kind = "divided"  # every organisation can meet min_lead_tasks with its own work
            elif r < spec.divided_share:
                kind = "divided"
            elif r < spec.divided_share + spec.reserved_share:
                kind = "reserved"
            else:
                kind = "shared"
            if rng.random() < spec.skill_share:
                skill = skill or rng.choice(u.skills)
            elif rng.random() < 0.5:
                skill = None
            cands: tuple[str, ...] = ()
            if kind == "divided":
                k = rng.randint(*spec.lead_candidates)
                others = [o for o in orgs if o != u.org_id]
                cands = (u.org_id, *rng.sample(others, min(len(others), k - 1)))
            out.append(
                _Fn(
                    f"F{len(out) + 1:05d}",
                    f"{name} ({u.name}, {u.org_id})",
                    dom,
                    kind,
                    u.org_id,
                    u.unit_id,
                    skill,
                    cands,
                    rng.uniform(0.6, 1.4),
                )
            )
        first_of_org.add(u.org_id)
    return out


class _Packer:
    """The planted plan, step by step; each step keeps the earlier ones true."""

    def __init__(
        self,
        spec: PackedSpec,
        rng: random.Random,
        units: list[UnitSpec],
        people: list[Person],
        functions: list[_Fn],
        orgs: list[str],
    ) -> None:
        self.spec, self.rng, self.units, self.people, self.fns = spec, rng, units, people, functions
        self.orgs = orgs
        self.depts = (
            [f"B{i + 1:02d}" for i in range(spec.departments)]
            if spec.departments_given
            else [f"D{i + 1}" for i in range(spec.departments)]
        )
        self.unit_dept: dict[str, str] = {}
        self.deputies: dict[str, int] = {}
        self.banned: dict[str, set[str]] = {}  # dept -> skills only donors may hold there
        self.lacking: dict[str, tuple[_Fn, list[Person]]] = {}  # unit -> (function, donors)
        self.by_unit: dict[str, list[Person]] = defaultdict(list)
        for p in people:
            self.by_unit[p.unit.unit_id].append(p)

    @property
    def retained(self) -> list[Person]:
        return [p for p in self.people if p.dept != "exit"]

    def _in(self, d: str) -> list[Person]:
        return [p for p in self.people if p.dept == d]

    # ---- units packed into departments (whole)
    def pack(self) -> None:
        size = {u.unit_id: 1 + u.deputies + u.members for u in self.units}
        load = {d: 0 for d in self.depts}
        count = {d: 0 for d in self.depts}
        order = sorted(self.units, key=lambda u: (-size[u.unit_id], u.unit_id))
        # the largest units open the departments, the others go where fewest units and staff are
        for u in order:
            d = min(self.depts, key=lambda x: (count[x], load[x], x))
            self.unit_dept[u.unit_id] = d
            load[d] += size[u.unit_id]
            count[d] += 1
        for p in self.people:
            p.dept = self.unit_dept[p.unit.unit_id]
        for f in self.fns:
            f.dept = self.unit_dept[f.unit]

    # ---- exits: spread over the units in proportion to their size
    def exits(self) -> int:
        s, n = self.spec, len(self.people)
        need = math.ceil(exact(s.min_reduction) * n) if s.min_reduction is not None else 0
        total = need + round(s.extra_exits * n)
        lo = s.min_staff + 3  # room for donors and leaders moving out
        room = {d: len(self._in(d)) - lo for d in self.depts}
        if sum(max(0, r) for r in room.values()) < total:
            raise GenerationError("departments' min_staff leave too few possible exits")
        quota = largest_remainder({d: max(0, r) for d, r in room.items()}, total, self.depts)
        for d in self.depts:
            us = [u for u in self.units if self.unit_dept[u.unit_id] == d]
            share = largest_remainder(
                {u.unit_id: len(self.by_unit[u.unit_id]) for u in us},
                quota[d],
                [u.unit_id for u in us],
            )
            left = 0
            for u in us:
                left += self._exit_from(u.unit_id, share[u.unit_id] + left)
            if left:
                raise GenerationError(f"department {d} cannot lose {quota[d]} staff")
        out = sum(p.dept == "exit" for p in self.people)
        above = len(self.retained) - max(0, s.max_staff) * len(self.depts)
        if above > 0:
            raise GenerationError("departments' max_staff too small for the retained staff")
        return out

    def _exit_from(self, uid: str, k: int) -> int:
        """Exit ``k`` people of a unit (retiring first, never protected, never its head).

        Returns how many of the ``k`` could not exit (the unit keeps at least two).
        """
        ppl = [p for p in self.by_unit[uid] if p.dept != "exit"]
        keep_min = 2
        order = sorted(
            (p for p in ppl if not p.protected and p.position != "head"),
            key=lambda p: (
                not p.retiring,
                {"deputy": 2}.get(p.position, 1 if p.can_lead else 0),
                self.rng.random(),
            ),
        )
        done = 0
        for p in order:
            if done >= k or len(ppl) - done <= keep_min:
                break
            p.dept = "exit"
            done += 1
        return k - done

    # ---- skills some units lack: holders from a unit in another department
    def lack(self) -> None:
        s = self.spec
        n = round(s.lacking * len(self.units))
        if n == 0 and s.lacking > 0:
            n = 1
        candidates = [u for u in self.units]
        self.rng.shuffle(candidates)
        for u in candidates:
            if len(self.lacking) >= n:
                break
            d = self.unit_dept[u.unit_id]
            if d in self.banned:
                continue  # one lacking skill per department keeps the donors' count small
            needed_here = {f.skill for f in self.fns if f.dept == d and f.skill}
            # not a skill that a donor from this department took elsewhere
            moved = [
                p for _, ds in self.lacking.values() for p in ds
                if self.unit_dept[p.unit.unit_id] == d
            ]  # fmt: skip
            choices = [
                k
                for k in _RARE_SKILLS
                if k not in needed_here and not any(k in p.skills for p in moved)
            ]
            fns = [f for f in self.fns if f.unit == u.unit_id and f.kind == "shared"]
            if not choices or not fns:
                continue
            skill = self.rng.choice(choices)
            f = self.rng.choice(fns)
            f.skill = skill
            for p in self.people:  # nobody in the department holds it today
                if self.unit_dept[p.unit.unit_id] == d and skill in p.skills:
                    p.skills.remove(skill)
            self.banned.setdefault(d, set()).add(skill)
            donors = self._donors(d, skill, self.rng.randint(1, 3))
            self.lacking[u.unit_id] = (f, donors)

    def _donors(self, d: str, skill: str, k: int) -> list[Person]:
        size = Counter(p.dept for p in self.retained)
        pool = [
            p
            for p in self.retained
            if p.dept != d
            and p.position == "staff"
            and not p.pinned
            and skill not in self.banned.get(self.unit_dept[p.unit.unit_id], ())
        ]
        self.rng.shuffle(pool)
        out: list[Person] = []
        for p in pool:
            if len(out) >= k:
                break
            if size[p.dept] <= self.spec.min_staff + 1:
                continue
            size[p.dept] -= 1
            p.dept = d
            p.pinned = True
            if skill not in p.skills:
                p.skills.append(skill)
            out.append(p)
        if not out:
            raise GenerationError(f"no donor of skill {skill} for department {d}")
        return out

    # ---- heads and deputies (C6, C9)
    def leaders(self) -> None:
        s, k = self.spec, len(self.depts)
        size = Counter(p.dept for p in self.retained)
        cap_dep = {
            d: min(s.max_deputies, math.floor(exact(s.max_deputy_share) * size[d]))
            for d in self.depts
        }
        if any(cap_dep[d] < s.min_deputies for d in self.depts):
            raise GenerationError("a department is too small for its minimum deputies")
        budget = k * (1 + s.max_deputies)
        if s.posts_per_department is not None:
            budget = min(budget, s.posts_per_department * k)
        # the most posts the budget allows: every department at its cap, trimmed at random
        dep = dict(cap_dep)
        while k + sum(dep.values()) > budget:
            over = [d for d in self.depts if dep[d] > s.min_deputies]
            if not over:
                raise GenerationError("max_leadership_posts below the minimum posts")
            dep[self.rng.choice(over)] -= 1
        self.deputies = dep
        posts = k + sum(dep.values())
        share = s.max_leader_share
        cap = (
            math.floor(exact(share) * posts)
            if share is not None and not s.tight_independence
            else posts
        )
        free = {d: 1 + dep[d] for d in self.depts}
        held: Counter[str] = Counter()

        def take(p: Person) -> None:
            p.leader = p.pinned = True
            free[p.dept] -= 1
            held[p.org] += 1

        for org in self.orgs:  # at least one post per organisation
            if held[org]:
                continue
            here = [p for p in self.retained if p.org == org and p.can_lead and free[p.dept] > 0]
            if not here:
                raise GenerationError(f"{org} has no one to lead")
            take(max(here, key=lambda q: (q.rank, q.sid)))
        for d in self.depts:
            while free[d] > 0:
                here = [p for p in self._in(d) if p.can_lead and not p.leader and held[p.org] < cap]
                if here:
                    take(max(here, key=lambda q: (q.rank, q.sid)))
                    continue
                movers = [
                    p
                    for p in self.retained
                    if p.can_lead
                    and not p.pinned
                    and held[p.org] < cap
                    and p.dept != d
                    and size[p.dept] > s.min_staff + 1
                ]
                if not movers:
                    raise GenerationError(f"no one can lead in department {d}")
                p = max(movers, key=lambda q: (size[q.dept], q.sid))
                size[p.dept] -= 1
                size[d] += 1
                p.dept = d
                take(p)

    # ---- workloads (C3, C10) and skills (C4)
    def workloads(self) -> None:
        s = self.spec
        slack = exact(s.workload_slack)
        for d in self.depts:
            ppl = self._in(d)
            cap = sum(p.fte_h for p in ppl)
            u = Fraction(self.rng.uniform(*s.utilisation)).limit_denominator(1000)
            target = math.floor(cap * u / (1 + slack))
            fs = [f for f in self.fns if f.dept == d]
            own: Counter[str] = Counter()
            for p in ppl:
                own[p.unit.unit_id] += p.fte_h
            per_unit = largest_remainder(
                {uid: own[uid] or 1 for uid in {f.unit for f in fs}},
                target,
                sorted({f.unit for f in fs}),
            )
            for uid, w in per_unit.items():
                mine = [f for f in fs if f.unit == uid]
                total = sum(f.weight for f in mine)
                split = largest_remainder(
                    {f.fid: f.weight / total for f in mine}, w, [f.fid for f in mine]
                )
                for f in mine:
                    f.work = max(1, split[f.fid])
            # reserved work within the owner's own capacity here (C10)
            for org in sorted({f.org for f in fs if f.kind == "reserved"}):
                mine = [f for f in fs if f.kind == "reserved" and f.org == org]
                room = math.floor(sum(p.fte_h for p in ppl if p.org == org) * Fraction(97, 100))
                used = sum(f.work for f in mine)
                if used > room:
                    for f in mine:
                        f.work = max(1, f.work * room // used)
            # a lacking skill's work within its donors' capacity (C4)
            capped = set()
            for f, donors in (v for v in self.lacking.values() if v[0].dept == d):
                f.work = max(1, min(f.work, sum(p.fte_h for p in donors)))
                capped.add(f.fid)
            # what the caps took off goes to the department's other shared and divided work
            free = [f for f in fs if f.kind != "reserved" and f.fid not in capped]
            gap = target - sum(f.work for f in fs)
            if free and gap > 0:
                extra = largest_remainder(
                    {f.fid: f.weight for f in free}, gap, [f.fid for f in free]
                )
                for f in free:
                    f.work += extra[f.fid]
            load = sum(f.work for f in fs)
            if cap < (1 + slack) * load:
                raise GenerationError(f"workload of department {d} cannot be calibrated")
            over = s.max_overstaff
            if over is not None and cap > (1 + exact(over)) * load + 100:
                raise GenerationError(f"department {d}: max_overstaff too tight for its workload")

    def skills(self) -> None:
        need: dict[tuple[str, str], list[_Fn]] = defaultdict(list)
        for f in self.fns:
            if f.skill:
                need[(f.dept, f.skill)].append(f)
        for (d, skill), fs in sorted(need.items()):
            want = sum(f.work for f in fs)
            units = {f.unit for f in fs}
            ppl = sorted(
                self._in(d),
                key=lambda p: (p.unit.unit_id not in units, p.leader, p.sid),
            )
            have = sum(p.fte_h for p in ppl if skill in p.skills)
            if skill in self.banned.get(d, ()):
                if have < want:
                    raise GenerationError(f"donors short of skill {skill} in {d}")
                continue
            for p in ppl:
                if have >= want:
                    break
                if skill not in p.skills:
                    p.skills.append(skill)
                    have += p.fte_h
            if have < want:
                raise GenerationError(f"department {d} cannot cover skill {skill}")

    def leads(self) -> None:
        want = self.spec.min_lead_tasks or 0
        led: Counter[str] = Counter()
        divided = [f for f in self.fns if f.kind == "divided"]
        for f in divided:
            f.lead = f.org
            led[f.org] += 1
        present = {d: {p.org for p in self._in(d)} for d in self.depts}
        for f in divided:  # some work led by another candidate present in the department
            alt = [o for o in f.cands[1:] if o in present[f.dept]]
            if alt and led[f.org] > want and self.rng.random() < 0.3:
                led[f.org] -= 1
                f.lead = self.rng.choice(alt)
                led[f.lead] += 1
        named = {o for f in divided for o in f.cands}
        for o in named:
            if led[o] < want:
                raise GenerationError(f"{o} cannot lead {want} divided functions")

    def roles(self) -> dict[str, Role]:
        out: dict[str, Role] = {}
        for d in self.depts:
            chiefs = sorted(
                (p for p in self._in(d) if p.leader), key=lambda q: (q.rank, q.sid), reverse=True
            )
            for i, p in enumerate(chiefs):
                out[p.sid] = Role.HEAD if i == 0 else Role.DEPUTY
        return out


def _shares(spec: PackedSpec, people: list[Person], orgs: list[str], roles: dict[str, Role]):
    """Organisation minima and the leader share the planted plan meets."""
    size = Counter(p.org for p in people)
    kept = Counter(p.org for p in people if p.dept != "exit")
    held = Counter(p.org for p in people if p.sid in roles)
    posts = len(roles)
    if spec.tight_independence:
        min_staff = {o: kept[o] for o in orgs}
        min_leaders = {o: held[o] for o in orgs}
        share: float | None = math.ceil(100 * max(held.values()) / posts) / 100
    else:
        min_staff = {
            o: min(kept[o], math.floor(exact(spec.org_min_staff_share) * size[o])) for o in orgs
        }
        min_leaders = {o: min(1, held[o]) for o in orgs}
        share = spec.max_leader_share
    return min_staff, min_leaders, share


def _rules(spec: PackedSpec, rng: random.Random, fns: list[_Fn]) -> tuple[Rule, ...]:
    """``apart`` between work the planted plan separates, ``together`` for work it joins."""
    out: list[Rule] = []
    by_dom: dict[str, set[str]] = defaultdict(set)
    for f in fns:
        by_dom[f.domain].add(f.dept)
    doms = sorted(by_dom)
    pairs = [(a, b) for i, a in enumerate(doms) for b in doms[i + 1 :] if not by_dom[a] & by_dom[b]]
    rng.shuffle(pairs)
    for a, b in pairs[: spec.apart]:
        out.append(Rule(rule="apart", a=f"domain:{a}", b=f"domain:{b}"))
    missing = spec.apart - len(out)
    for _ in range(missing * 20):
        if missing <= 0:
            break
        f, g = rng.sample(fns, 2)
        if f.dept != g.dept:
            out.append(Rule(rule="apart", a=f.fid, b=g.fid))
            missing -= 1
    # together: work of two different units packed into one department (pins the packing)
    by_dept: dict[str, dict[str, list[_Fn]]] = defaultdict(lambda: defaultdict(list))
    for f in fns:
        by_dept[f.dept][f.unit].append(f)
    depts = sorted(d for d, us in by_dept.items() if len(us) > 1)
    rng.shuffle(depts)
    for d in depts[: spec.together]:
        u, v = rng.sample(sorted(by_dept[d]), 2)
        out.append(
            Rule(rule="together", a=rng.choice(by_dept[d][u]).fid, b=rng.choice(by_dept[d][v]).fid)
        )
    return tuple(out)


def _locks(
    spec: PackedSpec,
    rng: random.Random,
    people: list[Person],
    fns: list[_Fn],
    roles: dict[str, Role],
) -> tuple[Lock, ...]:
    """Decisions fixed by hand, all true in the planted plan (a mix of every lock shape)."""
    out: list[Lock] = []
    staff = sorted(people, key=lambda p: p.sid)
    picks = rng.sample(staff, min(len(staff), 3 * spec.locks))
    for i, p in enumerate(picks):
        if len(out) >= spec.locks:
            break
        shape = i % 4
        if p.dept == "exit":
            out.append(Lock(kind="staff", id=p.sid, role=Role.EXIT))
        elif shape == 0:
            out.append(Lock(kind="staff", id=p.sid, dept_id=p.dept))
        elif shape == 1 and p.sid in roles:
            out.append(Lock(kind="staff", id=p.sid, dept_id=p.dept, role=roles[p.sid]))
        elif shape == 2:
            f = rng.choice(fns)
            out.append(Lock(kind="function", id=f.fid, dept_id=f.dept))
        elif shape == 3:
            div = [f for f in fns if f.kind == "divided"]
            if div:
                f = rng.choice(div)
                out.append(Lock(kind="function", id=f.fid, lead_org=f.lead))
    return tuple(out)


def _make_infeasible(
    spec: PackedSpec,
    people: list[Person],
    fns: list[_Fn],
    min_staff: dict[str, int],
    settings: dict,
) -> str:
    """Tighten a planted scenario by a provable small margin; returns the proof.

    * ``exits``: every organisation's ``min_staff`` = what the plan keeps, and
      ``min_reduction`` asks one exit more. C9 keeps ≥ Σ min_staff, so at most
      Σ (size_o − min_staff_o) = the planted exits may leave: one fewer than C7 needs.
    * ``skill``: one function needs a skill that only its few donors hold, 0.01 FTE more
      than all of them together; C4 cannot hold wherever it is placed.
      (Another function of its department loses 0.01 FTE: C3 is unchanged.)
    * ``posts``: ``max_leadership_posts`` = departments × (1 + min_deputies) − 1: C6 needs
      one head and min_deputies deputies in every department.
    """
    n = len(people)
    if spec.infeasible == "exits":
        kept = Counter(p.org for p in people if p.dept != "exit")
        min_staff.update(kept)
        exits = sum(p.dept == "exit" for p in people)
        # the largest millionth with ceil(mr × n) = exits + 1: (exits + 1 − n / 10⁶, exits + 1]
        mr = Fraction(math.floor(Fraction(exits + 1, n) * 10**6), 10**6)
        assert math.ceil(mr * n) == exits + 1
        settings["targets"]["min_reduction"] = float(mr)
        assert exact(float(mr)) == mr
        return f"C7 needs {exits + 1} exits; C9 (min_staff = kept) allows at most {exits}"
    if spec.infeasible == "skill":
        f = next(f for f in fns if f.kind == "shared" and f.work > 2)
        donors = [p for p in people if p.dept == f.dept and p.position == "staff"][:2]
        for p in people:
            if _UNIQUE_SKILL in p.skills:
                p.skills.remove(_UNIQUE_SKILL)
        for p in donors:
            p.skills.append(_UNIQUE_SKILL)
        total = sum(p.fte_h for p in donors)
        others = [g for g in fns if g.dept == f.dept and g is not f and g.work > total + 2]
        delta = total + 1 - f.work
        f.skill = _UNIQUE_SKILL
        f.work = total + 1
        if others:
            others[0].work -= delta
        return (
            f"function {f.fid} needs {_UNIQUE_SKILL} for {(total + 1) / 100:.2f} FTE; "
            f"all holders together have {total / 100:.2f}"
        )
    if spec.infeasible == "posts":
        k = spec.departments
        settings["targets"]["max_leadership_posts"] = k * (1 + spec.min_deputies) - 1
        return f"C6 needs at least {k * (1 + spec.min_deputies)} posts; the cap is one fewer"
    return ""


@dataclass(frozen=True)
class Packed:
    """A generated scenario, its planted plan and (when infeasible) the proof of it.

    ``unit_domains`` are each unit's own domains; ``lacking`` maps a unit to the skill its
    work requires and none of its (or its department's) people hold.
    """

    scenario: Scenario
    plan: Plan
    feasible: bool
    proof: str = ""
    unit_domains: dict[str, tuple[str, ...]] = field(default_factory=dict)
    lacking: dict[str, str] = field(default_factory=dict)  # unit -> the skill it lacks


def build_packed(spec: PackedSpec, rng: random.Random) -> Packed:
    """The scenario a spec describes and its planted plan (see the module docstring)."""
    orgs = [o for o, _ in _org_catalogue(spec.orgs)]
    units, domains = _units(spec, rng)
    settings_stub = Settings.model_validate(
        {"scenario": {"name": spec.name, "base_salary": BASE_SALARY_2018}}
    )
    bp = Blueprint(
        orgs=tuple((o, n, 1) for o, n in _org_catalogue(spec.orgs)),
        units=tuple(units),
        functions=(),
        departments=(),
        settings=settings_stub,
        level="central",
        retiring_share=spec.retiring,
        can_lead_share=spec.can_lead_share,
    )
    people = draw_people(bp, rng)
    if spec.protected:
        members = [p for p in people if not p.retiring and not p.protected]
        for p in rng.sample(members, round(spec.protected * len(people))):
            p.protected = True
    fns = _functions(spec, rng, units, domains, orgs)
    pk = _Packer(spec, rng, units, people, fns, orgs)
    pk.pack()
    pk.exits()
    pk.lack()
    pk.leaders()
    pk.workloads()
    pk.skills()
    pk.leads()
    roles = pk.roles()
    min_staff, min_leaders, share = _shares(spec, people, orgs, roles)
    k = len(pk.depts)
    targets: dict[str, object] = {
        "workload_slack": spec.workload_slack,
        "min_lead_tasks": spec.min_lead_tasks if spec.divided_share > 0 else None,
    }
    if spec.min_reduction is not None:
        targets["min_reduction"] = spec.min_reduction
    if spec.posts_per_department is not None:
        targets["max_leadership_posts"] = spec.posts_per_department * k
    if spec.max_overstaff is not None:
        targets["max_overstaff"] = spec.max_overstaff
    if share is not None:
        targets["max_leader_share"] = share
    settings: dict = {
        "scenario": {"name": spec.name, "currency": "VND", "base_salary": BASE_SALARY_2018},
        "departments": {
            "count": k,
            "min_staff": spec.min_staff,
            "max_staff": spec.max_staff,
            "min_deputies": spec.min_deputies,
            "max_deputies": spec.max_deputies,
            "max_deputy_share": spec.max_deputy_share,
        },
        "allowances": {"head": 0.7, "deputy": 0.5},
        "targets": targets,
        "solver": {"time_limit": 120.0, "workers": 0, "seed": 0},
    }
    rules = _rules(spec, rng, fns)
    locks = _locks(spec, rng, people, fns, roles)
    proof = _make_infeasible(spec, people, fns, min_staff, settings) if spec.infeasible else ""
    depts: tuple[Department, ...] = ()
    if spec.departments_given:
        all_domains = sorted({f.domain for f in fns})
        rows = []
        for i, d in enumerate(pk.depts):
            mine = sorted({f.domain for f in fns if f.dept == d})
            extra = [x for x in all_domains if x not in mine]
            mine += rng.sample(extra, min(len(extra), spec.extra_domains))
            name = vi.CENTRAL_DEPARTMENTS[i % len(vi.CENTRAL_DEPARTMENTS)][0]
            if i >= len(vi.CENTRAL_DEPARTMENTS):
                name = f"{name} {i // len(vi.CENTRAL_DEPARTMENTS) + 1}"
            rows.append(Department(dept_id=d, name=name, domains=tuple(mine)))
        depts = tuple(rows)
    scenario = Scenario(
        settings=Settings.model_validate(settings),
        organizations=tuple(
            Organization(org_id=o, name=n, min_staff=min_staff[o], min_leaders=min_leaders[o])
            for o, n in _org_catalogue(spec.orgs)
        ),
        units=tuple(Unit(unit_id=u.unit_id, org_id=u.org_id, name=u.name) for u in units),
        staff=tuple(
            Staff(
                staff_id=p.sid,
                name=p.name,
                unit_id=p.unit.unit_id,
                position=p.position,
                salary=p.salary,
                fte=p.fte_h / 100,
                skills=tuple(dict.fromkeys(p.skills)),
                can_lead=p.can_lead,
                retiring=p.retiring,
                protected=p.protected,
            )
            for p in people
        ),
        functions=tuple(
            Function(
                function_id=f.fid,
                name=f.name,
                org_id=f.org,
                unit_id=f.unit,
                domain=f.domain,
                kind=f.kind,
                workload=f.work / 100,
                skill=f.skill,
                lead_candidates=f.cands,
            )
            for f in fns
        ),
        departments=depts,
        rules=rules,
        locks=locks,
    )
    plan = Plan(
        staff=witness_staff(people, roles),
        functions=tuple(
            FunctionAssignment(function_id=f.fid, dept_id=f.dept, lead_org=f.lead) for f in fns
        ),
    )
    lacking = {u: f.skill or "" for u, (f, _) in pk.lacking.items()}
    return Packed(scenario, plan, spec.infeasible is None, proof, domains, lacking)


def generate_packed(spec: PackedSpec, seed: int = 0) -> Packed:
    """``build_packed`` with ``random.Random(seed)``: same spec and seed, same scenario."""
    return build_packed(spec, random.Random(seed))


__all__ = ["INFEASIBLE", "Packed", "PackedSpec", "build_packed", "generate_packed", "merged"]
