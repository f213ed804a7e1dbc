"""The planted plan of :mod:`benchmarks.shapes`, drawn before the scenario it answers.

:class:`Planter` takes a :class:`Layout` (the numbers a structural kind asks for) and
draws, in order: the organisations' units and people, the planted department of every
retained person (units cut wherever the department sizes fall, so a unit is whole only
when a cut happens to land on its edge), the exits, the posts, and then the work of each
department sized to the FTE retained there. Every step only adds facts the plan already
meets, so nothing here assumes that a unit stays whole. Pure Python: no OR-Tools.
"""

from __future__ import annotations

import math
import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from fractions import Fraction

from models import Role, exact
from planner.generate import names_vi as vi
from planner.generate.scenarios import BASE_SALARY_2018, GenerationError

SKILL_POOL = ("law", "it", "finance", "media", "english", "economics", "social_work", "statistics")
"""Skills people hold in the background (a function may need one of them)."""
SCARCE = ("audit", "cyber", "treaty", "ethnic_language", "forensics", "sign_language")
"""Skills only the few planted holders of kind ``scarce-skills`` have."""
PART_TIME = (50, 60, 70, 80, 90)
"""fte of part-time staff, in hundredths."""
_DOMAINS = tuple(vi.DOMAIN_TASKS)


@dataclass(frozen=True)
class Layout:
    """What a structural kind asks of the planted plan (see ``benchmarks.shapes.KINDS``).

    Shares are of people (``retiring``, ``protected``, ``part_time``, ``can_lead``,
    ``staff_locks``), of functions (``reserved``, ``divided``, ``skill``, ``joint``,
    ``function_locks``) or of department cuts (``whole``: the chance that a cut between
    two departments is moved to the nearest edge of a unit).
    """

    orgs: tuple[float, ...]
    units: int
    departments: int
    reduction: float = 0.16
    whole: float = 0.0
    departments_csv: bool = False
    extra_domains: tuple[int, int] = (0, 0)
    one_domain: bool = False
    big_units: int = 0
    uneven: bool = False
    tight_limits: float | None = None
    retiring: float = 0.08
    protected: float = 0.03
    part_time: float = 0.04
    can_lead: float = 0.05
    reserved: float = 0.15
    divided: float = 0.2
    skill: float = 0.3
    joint: float = 0.0
    scarce: int = 0
    staff_locks: float = 0.0
    function_locks: float = 0.0
    apart_in_unit: int = 0
    chains: int = 0
    tiny: int = 0
    slack: float = 0.0
    over: float = 0.3
    budgets: bool = False


@dataclass
class Person:
    """One person of the scenario and their planted fate (``dept`` None: exits)."""

    sid: str
    unit: str
    org: str
    position: str
    salary: int
    fte_h: int
    retiring: bool
    protected: bool
    can_lead: bool
    female: bool
    skills: list[str] = field(default_factory=list)
    dept: str | None = None
    role: Role = Role.MEMBER


@dataclass
class Work:
    """One function and its planted department and lead organisation."""

    fid: str
    name: str
    domain: str
    kind: str
    org: str | None
    unit: str | None
    work: int
    dept: str
    skill: str | None = None
    cands: tuple[str, ...] = ()
    lead: str | None = None


def largest_remainder(weights: list[float], n: int) -> list[int]:
    """``n`` split in proportion to ``weights`` (Hamilton's method, ties to the first)."""
    total = sum(weights)
    if n <= 0 or total <= 0:
        return [0] * len(weights)
    raw = [w * n / total for w in weights]
    out = [math.floor(r) for r in raw]
    order = sorted(range(len(raw)), key=lambda i: (out[i] - raw[i], i))
    for i in order[: n - sum(out)]:
        out[i] += 1
    return out


class Planter:
    """The planted plan, step by step; each step keeps the earlier ones true."""

    def __init__(self, lay: Layout, size: int, org_ids: list[str], rng: random.Random) -> None:
        self.lay, self.size, self.orgs, self.rng = lay, size, org_ids, rng
        self.exits = round(lay.reduction * size)
        self.kept = size - self.exits
        prefix = "B" if lay.departments_csv else "D"
        width = 2 if lay.departments_csv else 0
        self.depts = [f"{prefix}{i + 1:0{width}d}" for i in range(lay.departments)]
        self.unit_org: dict[str, str] = {}
        self.unit_name: dict[str, str] = {}
        self.people: list[Person] = []
        self.works: list[Work] = []
        self.domains: dict[str, list[str]] = {}  # dept -> planted domains (first: its own)
        self.deputies: dict[str, int] = {}
        self.scarce_owner: str | None = None

    # ---- units and how their retained people fall into departments
    def units(self) -> list[tuple[str, int]]:
        """Units (id, retained people) in the order the departments cut them."""
        lay, rng = self.lay, self.rng
        per_org = [1 + k for k in largest_remainder(list(lay.orgs), lay.units - len(self.orgs))]
        out: list[tuple[str, float]] = []
        for o, n in zip(self.orgs, per_org, strict=True):
            for j in range(n):
                uid = f"{o}-{j + 1:02d}"
                self.unit_org[uid] = o
                name = vi.CENTRAL_UNITS[len(out) % len(vi.CENTRAL_UNITS)][1]
                self.unit_name[uid] = f"{name} ({o} {j + 1})"
                share = lay.orgs[self.orgs.index(o)] / n
                out.append((uid, share * rng.uniform(0.6, 1.4)))
        for i in rng.sample(range(len(out)), min(lay.big_units, max(1, len(out) // 8))):
            out[i] = (out[i][0], out[i][1] * 5.0)  # larger than any department may be
        sizes = largest_remainder([w for _, w in out], self.kept)
        if min(sizes) < 3:
            raise GenerationError("too few staff for the units")
        units = [(u, s) for (u, _), s in zip(out, sizes, strict=True)]
        rng.shuffle(units)
        return units

    def dept_sizes(self, units: list[tuple[str, int]]) -> list[int]:
        """Retained headcount of each department; a ``whole`` share of cuts on unit edges."""
        lay, rng, k = self.lay, self.rng, len(self.depts)
        if lay.uneven:  # ~10 to several hundred: log-uniform, the extremes drawn for sure
            w = [1.0, 30.0] + [math.exp(rng.uniform(0, math.log(30))) for _ in range(k - 2)]
            rng.shuffle(w)
        else:
            w = [rng.uniform(0.75, 1.25) for _ in range(k)]
        sizes = largest_remainder(w, self.kept)
        edges = set()
        at = 0
        for _, s in units:
            at += s
            edges.add(at)
        cuts, at = [], 0
        for s in sizes[:-1]:
            at += s
            if rng.random() < lay.whole:
                near = min(edges, key=lambda e: (abs(e - at), e))
                if abs(near - at) < 0.3 * s:
                    at = near
            cuts.append(at)
        bounds = [0, *cuts, self.kept]
        out = [b - a for a, b in zip(bounds, bounds[1:], strict=False)]
        if min(out) < 6:
            raise GenerationError("a department would keep fewer than 6 staff")
        return out

    def people_and_places(self, units: list[tuple[str, int]], sizes: list[int]) -> None:
        """Everyone, with a planted department (or exit); units cut where departments end."""
        rng = self.rng
        exits = largest_remainder([float(s) for _, s in units], self.exits)
        slots: list[str] = []  # department of each retained place, in cut order
        for d, s in zip(self.depts, sizes, strict=True):
            slots += [d] * s
        at, width = 0, max(5, len(str(self.size)))
        for (uid, kept), out in zip(units, exits, strict=True):
            n = kept + out
            deputies = max(1, min(rng.randint(1, 3), (n - 1) // 5))
            positions = ["head"] + ["deputy"] * deputies + ["staff"] * (n - 1 - deputies)
            ppl: list[Person] = []
            for pos in positions:
                p = self._person(f"S{len(self.people) + len(ppl) + 1:0{width}d}", uid, pos)
                ppl.append(p)
            # exits: retiring people first, never the protected nor the unit's head
            order = sorted(
                (p for p in ppl if not p.protected and p.position != "head"),
                key=lambda p: (not p.retiring, p.position == "deputy", rng.random()),
            )
            if len(order) < out:
                raise GenerationError(f"unit {uid} cannot lose {out} people")
            leaving = {id(p) for p in order[:out]}
            staying = [p for p in ppl if id(p) not in leaving]
            rng.shuffle(staying)
            for p in staying:
                p.dept = slots[at]
                at += 1
            self.people += ppl

    def _person(self, sid: str, uid: str, pos: str) -> Person:
        lay, rng = self.lay, self.rng
        female = rng.random() < 0.45
        coef = {"head": (4.4, 6.8), "deputy": (4.0, 6.0)}.get(pos, (2.34, 5.0))
        salary = round(BASE_SALARY_2018 * rng.uniform(*coef), -3)
        retiring = rng.random() < lay.retiring
        fte = rng.choice(PART_TIME) if pos == "staff" and rng.random() < lay.part_time else 100
        skills = rng.sample(SKILL_POOL, rng.choice((0, 1, 1, 2)))
        return Person(
            sid,
            uid,
            self.unit_org[uid],
            pos,
            int(salary),
            fte,
            retiring,
            protected=not retiring and pos == "staff" and rng.random() < lay.protected,
            can_lead=pos != "staff" or rng.random() < lay.can_lead,
            female=female,
            skills=skills,
        )

    def in_dept(self, d: str) -> list[Person]:
        return [p for p in self.people if p.dept == d]

    # ---- scarce skills: a few holders of one organisation, moved to others' departments
    def scarce(self) -> dict[tuple[str, str], int]:
        """Holders of ``lay.scarce`` skills; returns the holders' FTE by (department, skill)."""
        rng = self.rng
        supply: dict[tuple[str, str], int] = {}
        if not self.lay.scarce:
            return supply
        size = Counter(p.org for p in self.people)
        owner = max(self.orgs, key=lambda o: (size[o], o))
        self.scarce_owner = owner
        pool = [p for p in self.people if p.org == owner and p.dept and p.position == "staff"]
        rng.shuffle(pool)
        for s in SCARCE[: self.lay.scarce]:
            holders = [pool.pop() for _ in range(rng.randint(3, 6))]
            others = [d for d in self.depts if any(q.org != owner for q in self.in_dept(d))]
            targets = rng.sample(others, min(len(others), rng.randint(1, 2)))
            for i, p in enumerate(holders):
                d = targets[i % len(targets)]
                if p.dept != d:  # swap places with someone of another organisation there
                    q = next(
                        q
                        for q in self.in_dept(d)
                        if q.org != owner
                        and q.position == "staff"
                        and not q.protected
                        and not set(q.skills) & set(SCARCE)
                    )
                    q.dept, p.dept = p.dept, d
                p.skills.append(s)
        holders = [p for p in self.people if set(p.skills) & set(SCARCE)]
        holders[0].retiring = True  # a retiring holder must stay all the same
        second = next(s for s in SCARCE[: self.lay.scarce] if s not in holders[1].skills)
        dual = [q for q in holders if q.dept == holders[1].dept and second in q.skills]
        if dual:  # a holder of two scarce skills
            holders[1].skills.append(second)
        for p in holders:
            for s in p.skills:
                if s in SCARCE and p.dept:
                    supply[(p.dept, s)] = supply.get((p.dept, s), 0) + p.fte_h
        return supply

    # ---- posts: one head, min..max deputies per department, within the share
    def posts(self, min_deputies: int, max_deputies: dict[str, int], share: float) -> None:
        rng = self.rng
        for d in self.depts:
            ppl = self.in_dept(d)
            hi = min(max_deputies[d], math.floor(exact(share) * len(ppl)))
            n = max(min_deputies, min(hi, round(len(ppl) / 50)))
            if n > hi or len(ppl) < n + 1:
                raise GenerationError(f"department {d} cannot hold {n} deputies")
            rank = {"head": 3, "deputy": 2}
            order = sorted(
                ppl,
                key=lambda p: (-rank.get(p.position, 1 if p.can_lead else 0), rng.random()),
            )
            for i, p in enumerate(order[: n + 1]):
                p.can_lead = True
                p.role = Role.HEAD if i == 0 else Role.DEPUTY
            self.deputies[d] = n

    def give_post(self, org: str) -> None:
        """A deputy post for ``org`` (taken from the best-served organisation when full)."""
        held = Counter(p.org for p in self.people if p.role in (Role.HEAD, Role.DEPUTY))
        for d in self.depts:
            mine = [p for p in self.in_dept(d) if p.org == org and p.role is Role.MEMBER]
            deps = [p for p in self.in_dept(d) if p.role is Role.DEPUTY]
            if not mine or not deps:
                continue
            top = max(deps, key=lambda p: (held[p.org], p.sid))
            if held[top.org] < 2:
                continue
            top.role = Role.MEMBER
            mine[0].role, mine[0].can_lead = Role.DEPUTY, True
            return
        raise GenerationError(f"no department can give {org} a post")

    # ---- work sized to the planted capacity of each department
    def plant_domains(self) -> None:
        lay, rng, k = self.lay, self.rng, len(self.depts)
        pool = list(_DOMAINS[: max(2, min(len(_DOMAINS), round(0.6 * k)))])
        for i, d in enumerate(self.depts):
            own = pool[i % len(pool)] if lay.one_domain else rng.choice(pool)
            mine = [own]
            if not lay.one_domain and rng.random() < 0.4:
                mine.append(rng.choice([x for x in pool if x != own] or pool))
            self.domains[d] = mine

    def functions(self, supply: dict[tuple[str, str], int]) -> None:
        """Each department's workload W: retained fte ≥ (1 + slack) W, ≤ (1 + over) W + 1.00
        (C3), shared out to the units present in proportion to their FTE there, so that an
        organisation's work there (and its reserved work, C10) never exceeds its FTE."""
        lay, rng = self.lay, self.rng
        slack, over = exact(lay.slack), exact(lay.over)
        for d in self.depts:
            ppl = self.in_dept(d)
            cap = sum(p.fte_h for p in ppl)
            load = math.floor(
                Fraction(cap) * exact(round(rng.uniform(0.93, 0.99), 3)) / (1 + slack)
            )
            if not (cap >= (1 + slack) * load and cap <= (1 + over) * load + 100):
                raise GenerationError(f"department {d}: no workload fits C3")
            pieces = sorted({p.unit for p in ppl})
            fte = [sum(p.fte_h for p in ppl if p.unit == u) for u in pieces]
            portions = largest_remainder([float(f) for f in fte], load)
            wants = {s: v for (dd, s), v in supply.items() if dd == d}
            for u, portion in zip(pieces, portions, strict=True):
                if portion <= 0:
                    continue
                org = self.unit_org[u]
                for s in list(wants):  # scarce work of another organisation, as much as its holders
                    if org != self.scarce_owner and portion > 1:
                        w = min(portion - 1, wants.pop(s) - rng.randint(0, 5))
                        self._work(d, u, org, max(1, w), skill=s)
                        portion -= max(1, w)
                n = min(4, max(1, round(portion / 500)))
                for w in largest_remainder([rng.uniform(0.6, 1.4) for _ in range(n)], portion):
                    if w > 0:
                        self._work(d, u, org, w)
            if wants:
                raise GenerationError(
                    f"department {d}: no other organisation to need {sorted(wants)}"
                )

    def _work(self, d: str, u: str, org: str, w: int, skill: str | None = None) -> None:
        lay, rng = self.lay, self.rng
        dom = self.domains[d][0] if lay.one_domain else rng.choice(self.domains[d])
        tasks = vi.DOMAIN_TASKS[dom]
        name, _, task_skill = tasks[len(self.works) % len(tasks)]
        fid = f"F{len(self.works) + 1:05d}"
        led = {f.lead for f in self.works if f.lead}
        r = rng.random()
        if skill is None and rng.random() < lay.skill:
            skill = task_skill or rng.choice(SKILL_POOL)
        kind = "shared"
        if org not in led or r < lay.divided:
            kind = "divided"  # every organisation leads some divided work (C11's minimum)
        elif r < lay.divided + lay.reserved:
            kind = "reserved"
        elif r < lay.divided + lay.reserved + lay.joint:
            present = sorted({p.org for p in self.in_dept(d)})
            joint = tuple(rng.sample(present, min(len(present), rng.randint(2, 3))))
            if len(joint) < 2 or rng.random() < 0.5:  # joint work nobody owns or leads
                joint = ()
            self.works.append(
                Work(fid, f"{name} (việc chung)", dom, "divided" if joint else "shared",
                     None, None, w, d, skill, joint, joint[0] if joint else None)
            )  # fmt: skip
            return
        cands: tuple[str, ...] = ()
        lead = None
        if kind == "divided":
            others = [o for o in sorted(led) if o != org]
            cands = (org, *rng.sample(others, min(len(others), rng.randint(0, 2))))
            lead = org
        self.works.append(
            Work(fid, f"{name} ({self.unit_name[u]})", dom, kind, org, u, w, d, skill, cands, lead)
        )

    def other_leads(self) -> None:
        """Some divided work led by another candidate present in its department."""
        led = Counter(f.lead for f in self.works if f.lead)
        for f in self.works:
            if f.kind != "divided" or f.org is None or led[f.org] < 2:
                continue
            here = {p.org for p in self.in_dept(f.dept)}
            alt = [o for o in f.cands[1:] if o in here]
            if alt and self.rng.random() < 0.2:
                led[f.org] -= 1
                f.lead = alt[0]
                led[f.lead] += 1

    def cover_skills(self) -> None:
        """C4: holders of every skill a department's work needs, enough FTE of them there."""
        need: dict[tuple[str, str], int] = defaultdict(int)
        units: dict[tuple[str, str], set[str | None]] = defaultdict(set)
        for f in self.works:
            if f.skill:
                need[(f.dept, f.skill)] += f.work
                units[(f.dept, f.skill)].add(f.unit)
        for (d, s), want in sorted(need.items()):
            ppl = sorted(self.in_dept(d), key=lambda p: (p.unit not in units[(d, s)], p.sid))
            have = sum(p.fte_h for p in ppl if s in p.skills)
            for p in ppl:
                if have >= want or s in SCARCE:
                    break
                if s not in p.skills:
                    p.skills.append(s)
                    have += p.fte_h
            if have < want:
                raise GenerationError(f"department {d} cannot cover skill {s}")
