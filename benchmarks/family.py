"""A benchmark family of structural variety (issue 14): generated, seeded, feasibility known.

    .venv/bin/python -m benchmarks.family                       # the whole family (long: ≈ 2 h)
    .venv/bin/python -m benchmarks.family --only merged-600 tiny-2dept --runs 1
    .venv/bin/python -m benchmarks.family --list                # the instances, nothing solved
    .venv/bin/python -m benchmarks.family --render              # rewrite the docs section only

Every instance is a :class:`planner.generate.packed.PackedSpec` and a seed: a merged
agency whose units are packed whole into the departments in a planted plan (see
``planner/generate/packed.py``). A *feasible* instance is feasible by construction —
its planted plan passes ``planner.check`` (``tests/benchmarks/test_family.py`` checks every one,
at a small size and at its benchmark size). An *infeasible* instance is its feasible
twin tightened by a provable small margin (``PackedSpec.infeasible``):

- ``exits``: each organisation's ``min_staff`` is what the planted plan keeps and
  ``min_reduction`` asks for one exit more; C9 lets at most Σ(size − min_staff) go,
  which is exactly the planted exits: one short of C7;
- ``skill``: one function needs a skill that only two people hold, 0.01 FTE more than
  their FTE together: C4 fails wherever it is placed;
- ``posts``: ``max_leadership_posts`` is one below departments × (1 + min_deputies): C6.

Issue 20 added the *plan-first* instances (``SHAPES``, ``benchmarks/shapes.py``): a planted
plan drawn first, on no "units stay whole" assumption (units cut over departments, more
departments than units, scarce skills, heavy locks, lopsided organisations, uneven
department limits, part-time staff and reserved work, chains of ``together`` rules), and
two twins infeasible by exactly one person and by exactly one post. The scenarios of
``../shared/unseen`` (folders with ``scenario/``, ``witness/`` and ``about.json``) are solved
beside the family (``--unseen``), once each at 10 s up to 3,000 staff and 30 s above, their
objective set against the witness's. Infeasible instances also get a ``draft=True`` solve
at their band's goal limit, whose draft ``planner.check`` must confirm (``--no-draft``).

The size bands are those of the issue's goals: ≤ 3,000 staff (a checked plan within
10 s) and ≤ 10,000 staff (within 30 s, gap ≤ 2 % at 120 s).

What one run of an instance records (each solve in a fresh spawned process):

- **main**: ``planner.search.solve.solve`` with the band's limit (60 s ≤ 3,000 staff, 120 s above;
  ``--time-limit`` overrides), ``on_progress`` tracing every improvement: status, seconds
  to the first plan, objective/bound/gap at 10/30/60(/120) s from the trace (a bound is
  known only when a plan improves, so a gap at t is an upper bound of the true one),
  proof time (optimal or infeasible), peak MB (``ru_maxrss``), and whether the final plan
  passes ``planner.check`` with the objective the solver reported;
- **checkpoints**: the plan a user asking for 10 s (then, if none, 30 s) gets: a separate
  solve with that limit whose plan is checked by ``planner.check`` (skipped when the main
  solve already ended with a checked plan or a proof by then). "A checked plan within T s"
  means such a solve returned a plan that passes the checker, in at most T × 1.05 + 0.5 s;
- **HiGHS** (``benchmarks/highs_baseline.solve_highs``, the per-person MIP) with the main
  limit, on instances up to 3,000 staff (``--highs-max-staff``): status, first plan, gaps
  at the same times, check of its plan.

Results go to ``benchmarks/results/family/latest.json`` and ``latest.csv`` (a subfolder, so
``benchmarks/run.py``'s own recorded-runs section does not read them) and to the section
"Structural family" of ``docs/benchmarks.md`` (between marker comments; ``benchmarks/run.py``
renders the same section when it rewrites the page).
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import pickle
import shlex
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.harness import gap_of, in_fresh_process, machine, replace_section
from benchmarks.shapes import Shape, ShapeSpec, generate_shape
from planner.generate.packed import Packed, PackedSpec, generate_packed, merged

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "family"
DOC = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- family:start -->", "<!-- family:end -->"
BANDS = ("≤ 3,000", "≤ 10,000")
GOAL_FIRST = {"≤ 3,000": 10.0, "≤ 10,000": 30.0}
CHECKPOINTS = (10.0, 30.0)
GRACE = (1.05, 0.5)  # "within T s": wall ≤ T × 1.05 + 0.5
SMALL = 300  # the size of every instance's small twin (tests)
HIGHS_MAX_STAFF = 3_000
"""HiGHS runs on the family up to this size by default. Its per-person MIP has one binary
per person, department and role: 160,000–1,200,000 columns from 4,000 to 10,000 staff,
and at 10,000 staff (benchmarks/run.py's ministry) it found no plan within 120 s. Its
runs above this size would add about 20 minutes to ``make bench`` and say only that."""

NA = object()  # a figure at a time beyond the run's limit


# -- the instances -----------------------------------------------------------------------


@dataclass(frozen=True)
class FamilyInstance:
    """One instance of the family: a spec, a seed and what it is meant to show.

    A :class:`PackedSpec` plants units kept whole (``planner/generate/packed.py``); a
    :class:`ShapeSpec` plants a plan first and rests on no such assumption
    (``benchmarks/shapes.py``, issue 20).
    """

    name: str
    spec: PackedSpec | ShapeSpec
    seed: int = 0

    @property
    def size(self) -> int:
        return self.spec.size

    @property
    def band(self) -> str:
        return BANDS[0] if self.size <= 3_000 else BANDS[1]

    @property
    def feasible(self) -> bool:
        return self.spec.infeasible is None

    @property
    def time_limit(self) -> float:
        return 60.0 if self.band == BANDS[0] else 120.0

    @property
    def flags(self) -> list[str]:
        """The structure, read off the spec (not hand-written)."""
        s = self.spec
        if isinstance(s, ShapeSpec):
            return s.flags()
        out = [
            "departments.csv" if s.departments_given else "no departments.csv",
            f"{s.departments} depts",
            f"{s.units} units",
            f"{s.orgs} orgs",
        ]
        if s.departments_given:
            out.append(
                f"+{s.extra_domains} domains/dept" if s.extra_domains else "planted domains only"
            )
        if s.mix >= 0.4:
            out.append(f"mixed domains ({s.mix:.0%} of a unit's work elsewhere)")
        elif s.mix == 0:
            out.append("one domain set per unit")
        if s.skill_share >= 0.7:
            out.append(f"skill-heavy ({s.skill_share:.0%} of work)")
        if s.lacking >= 0.3:
            out.append(f"{s.lacking:.0%} of units lack a skill")
        if s.tight_independence:
            out.append("tight independence (minima = planted, leader share tight)")
        elif s.max_leader_share is not None:
            out.append(f"max_leader_share {s.max_leader_share}")
        if s.org_min_staff_share >= 0.8 and not s.tight_independence:
            out.append(f"org min_staff {s.org_min_staff_share:.0%}")
        if s.divided_share >= 0.4:
            out.append(
                f"divided-heavy ({s.divided_share:.0%}, {s.lead_candidates[0]}–{s.lead_candidates[1]} candidates, min_lead_tasks {s.min_lead_tasks})"
            )
        if s.retiring >= 0.15:
            out.append(f"retiring {s.retiring:.0%}")
        if s.protected >= 0.1:
            out.append(f"protected {s.protected:.0%}")
        if s.locks:
            out.append(f"{s.locks} locks")
        if s.apart or s.together:
            out.append(f"rules: {s.apart} apart, {s.together} together")
        if s.workload_slack:
            out.append(f"workload_slack {s.workload_slack}")
        if s.max_overstaff is None:
            out.append("no max_overstaff")
        if s.min_reduction is not None and s.min_reduction != 0.197:
            out.append(f"min_reduction {s.min_reduction}")
        if s.infeasible:
            out.append(f"INFEASIBLE: {s.infeasible}")
        return out

    def build(self) -> Packed | Shape:
        if isinstance(self.spec, ShapeSpec):
            return generate_shape(self.spec, self.seed)
        return generate_packed(self.spec, self.seed)

    def at(self, size: int) -> FamilyInstance:
        """The same structure at ``size`` staff: units, departments, locks and rules scale."""
        if isinstance(self.spec, ShapeSpec):
            return replace(self, spec=self.spec.at(size))
        return replace(self, spec=scaled(self.spec, size))

    @property
    def expected(self) -> str:
        """Either ``feasible`` or ``infeasible (how)``, how the spec's ``infeasible``."""
        return "feasible" if self.feasible else f"infeasible ({self.spec.infeasible})"


def scaled(spec: PackedSpec, size: int) -> PackedSpec:
    """``spec`` at ``size`` staff, its proportions kept (floors: an organisation a unit, 2 departments)."""
    f = size / spec.size

    def n(x: int, lo: int = 0) -> int:
        return max(lo, round(x * f)) if x else 0

    units = max(spec.orgs, round(spec.units * f))
    depts = min(units, max(2, round(spec.departments * f)))
    return replace(
        spec,
        size=size,
        units=units,
        departments=depts,
        locks=n(spec.locks, 1),
        apart=n(spec.apart, 1),
        together=min(depts, n(spec.together, 1)),
    )


def _inst(name: str, seed: int = 0, **kw: Any) -> FamilyInstance:
    return FamilyInstance(name, PackedSpec(name=name, **kw), seed)


def _merged(name: str, size: int, seed: int = 0, **kw: Any) -> FamilyInstance:
    return FamilyInstance(name, replace(merged(size), name=name, **kw), seed)


def _shape(kind: str, size: int, infeasible: str | None = None, seed: int = 0) -> FamilyInstance:
    name = f"{kind}-{size}" if infeasible is None else f"infeasible-{infeasible}-{size}"
    return FamilyInstance(name, ShapeSpec(name, kind, size, infeasible), seed)


SHAPES: tuple[FamilyInstance, ...] = (
    # ---- plan-first shapes (issue 20), band ≤ 3,000
    _shape("split-units", 2_400),
    _shape("scarce-skills", 1_700),
    _shape("uneven-limits", 2_800),
    _shape("together-chains", 2_000),
    # ---- band ≤ 10,000
    _shape("more-depts", 7_600),
    _shape("heavy-locks", 4_000),
    _shape("lopsided-orgs", 5_000),
    _shape("part-time-reserved", 6_000),
    # ---- infeasible twins: by exactly one person, by exactly one post
    _shape("lopsided-orgs", 1_500, infeasible="person"),
    _shape("uneven-limits", 4_000, infeasible="post"),
)
"""The plan-first instances; their small twins (``SHAPES_SMALL`` staff) are the tests'."""
SHAPES_SMALL = 400


FAMILY: tuple[FamilyInstance, ...] = (
    # ---- band ≤ 3,000
    _merged("merged-600", 600),
    _merged("merged-2700", 2_700),
    _inst("tiny-2dept", size=150, units=5, departments=2, min_staff=10),
    _inst(
        "csv-6dept-300",
        size=300,
        units=12,
        departments=6,
        departments_given=True,
        extra_domains=1,
        min_staff=10,
    ),
    _inst("csv-planted-domains-800", size=800, units=16, departments=8, departments_given=True),
    _inst(
        "csv-open-domains-1200",
        seed=1,
        size=1_200,
        units=18,
        departments=9,
        departments_given=True,
        extra_domains=4,
    ),
    _inst("one-domain-units-1000", size=1_000, units=14, departments=7, mix=0.0),
    _inst(
        "mixed-domains-1000",
        size=1_000,
        units=14,
        departments=7,
        mix=0.6,
        functions_per_unit=(6, 10),
    ),
    _inst(
        "mixed-domains-csv-1600",
        seed=2,
        size=1_600,
        units=20,
        departments=10,
        mix=0.5,
        departments_given=True,
        extra_domains=2,
    ),
    _inst("skill-heavy-900", size=900, units=12, departments=6, skill_share=0.9, lacking=0.3),
    _inst("skill-lacking-2000", size=2_000, units=26, departments=13, lacking=0.5),
    _inst("tight-independence-700", size=700, units=10, departments=5, tight_independence=True),
    _inst(
        "leader-share-1500",
        size=1_500,
        units=20,
        departments=10,
        max_leader_share=0.3,
        org_min_staff_share=0.85,
    ),
    _inst(
        "divided-heavy-1200",
        size=1_200,
        units=16,
        departments=8,
        divided_share=0.6,
        lead_candidates=(3, 5),
        min_lead_tasks=3,
    ),
    _inst(
        "retiring-heavy-1000", size=1_000, units=14, departments=7, retiring=0.25, min_reduction=0.3
    ),
    _inst("protected-heavy-800", size=800, units=12, departments=6, protected=0.3),
    _inst("locks-rules-1500", size=1_500, units=20, departments=10, locks=40, apart=6, together=4),
    _inst(
        "rules-csv-2500",
        seed=3,
        size=2_500,
        units=32,
        departments=16,
        departments_given=True,
        extra_domains=2,
        apart=10,
        together=6,
    ),
    _inst(
        "many-depts-3000",
        size=3_000,
        units=60,
        departments=40,
        min_staff=10,
        posts_per_department=3,
    ),
    _inst("two-depts-2000", size=2_000, units=6, departments=2, max_staff=1_200),
    _inst(
        "slack-2400", size=2_400, units=30, departments=15, workload_slack=0.1, max_overstaff=0.5
    ),
    _inst(
        "no-overstaff-cap-400",
        size=400,
        units=8,
        departments=4,
        max_overstaff=None,
        min_reduction=0.1,
        min_staff=10,
    ),
    _inst("eight-orgs-1800", size=1_800, units=24, departments=12, orgs=8),
    # ---- band ≤ 10,000
    _merged("merged-5000", 5_000),
    _inst("merged-10000", size=10_000, units=80, departments=40),
    _inst(
        "csv-40dept-10000",
        seed=1,
        size=10_000,
        units=80,
        departments=40,
        departments_given=True,
        extra_domains=2,
    ),
    _inst("nocsv-20dept-6000", size=6_000, units=40, departments=20, mix=0.3),
    _inst("skill-heavy-8000", size=8_000, units=60, departments=30, skill_share=0.85, lacking=0.35),
    _inst("tight-independence-4000", size=4_000, units=40, departments=20, tight_independence=True),
    _inst(
        "divided-heavy-7000",
        size=7_000,
        units=52,
        departments=26,
        divided_share=0.5,
        lead_candidates=(3, 5),
        min_lead_tasks=2,
    ),
    _inst("locks-rules-5000", size=5_000, units=40, departments=20, locks=80, apart=10, together=8),
    _inst(
        "retiring-protected-9000",
        size=9_000,
        units=70,
        departments=35,
        retiring=0.2,
        protected=0.2,
        min_reduction=0.25,
    ),
    # ---- infeasible by a small margin
    _merged("infeasible-exits-600", 600, infeasible="exits"),
    _inst("infeasible-exits-4000", size=4_000, units=40, departments=20, infeasible="exits"),
    _inst("infeasible-skill-1200", size=1_200, units=16, departments=8, infeasible="skill"),
    _inst("infeasible-skill-6000", size=6_000, units=40, departments=20, infeasible="skill"),
    _inst("infeasible-posts-800", size=800, units=12, departments=6, infeasible="posts"),
    *SHAPES,
)
BY_NAME = {i.name: i for i in FAMILY}


def select(names: Sequence[str] | None) -> list[FamilyInstance]:
    if not names:
        return list(FAMILY)
    unknown = [n for n in names if n not in BY_NAME]
    if unknown:
        raise SystemExit(f"unknown instance(s): {', '.join(unknown)}; see --list")
    return [BY_NAME[n] for n in names]


# -- the jobs (each in a fresh spawned process) ---------------------------------------------


def cpsat_job(payload: dict[str, Any]) -> dict[str, Any]:
    """One ``planner.search.solve.solve`` call with ``on_progress``; its plan re-checked here."""
    import resource

    from planner.checking.check import check, objective_value
    from planner.search.solve import solve

    sc = pickle.loads(payload["scenario"])
    events: list[tuple[float, float | None, float | None]] = []  # wall s, objective, bound
    t0 = time.perf_counter()

    def on_progress(_t: float, objective: float, bound: float) -> None:
        events.append((time.perf_counter() - t0, objective, bound))

    load0 = os.getloadavg()[0]
    res = solve(
        sc,
        time_limit=payload["time_limit"],
        seed=payload.get("seed"),
        workers=payload.get("workers"),
        on_progress=on_progress,
        explain=False,
    )
    wall = time.perf_counter() - t0
    out: dict[str, Any] = {
        "solver": "cp-sat",
        "status": res.status.value,
        "objective": res.objective,
        "bound": res.bound,
        "gap": res.gap,
        "wall_s": wall,
        "runtime_s": res.runtime,
        "first_s": next((e[0] for e in events if e[1] is not None), None),
        "events": events,
        "violations": list(res.violations),
        "conflicts": list(res.conflicts),
        "load1_start": load0,
        "load1_end": os.getloadavg()[0],
    }
    if res.plan is not None:
        report = check(sc, res.plan)
        value = objective_value(report.terms, sc.settings)
        out["check_ok"] = report.ok and not res.violations and value == res.objective
        out["violations"] += [str(v) for v in report.violations][:20]
        if value != res.objective:
            out["violations"].append(f"objective: solver {res.objective} != checker {value}")
        if out["first_s"] is None:  # a plan without a progress event: count it at the end
            out["first_s"] = wall
    else:
        out["check_ok"] = None
    out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def draft_job(payload: dict[str, Any]) -> dict[str, Any]:
    """``solve(..., draft=True)`` on an infeasible instance: its status and conflicts, and
    whether ``planner.check`` confirms the draft's listed violations (SPEC §5)."""
    from planner.checking.check import check
    from planner.search.solve import solve, to_summary

    sc = pickle.loads(payload["scenario"])
    t0 = time.perf_counter()
    res = solve(sc, time_limit=payload["time_limit"], draft=True)
    out: dict[str, Any] = {
        "status": res.status.value,
        "wall_s": time.perf_counter() - t0,
        "conflicts": list(res.conflicts),
        "draft": res.draft is not None,
        "draft_violations": len(res.draft_violations),
        "draft_rules": sorted({v.rule for v in res.draft_violations}),
        "confirmed": None,
    }
    if res.draft is not None:
        report = check(sc, res.draft, to_summary(res, sc))
        out["confirmed"] = report.ok
        out["check_lines"] = report.lines()[:5]
    return out


def highs_job(payload: dict[str, Any]) -> dict[str, Any]:
    """The HiGHS baseline of ``benchmarks/highs_baseline.py`` on one scenario."""
    from benchmarks.highs_baseline import solve_highs

    sc = pickle.loads(payload["scenario"])
    out = solve_highs(
        sc, payload["time_limit"], payload.get("threads", 2), cores=os.cpu_count() or 1
    )
    if out.get("highs_status") == "Infeasible":
        out["status"] = "infeasible"
    # (wall, idle-eq, primal, dual) -> (wall, objective, bound)
    out["events"] = [(w, p, d) for w, _, p, d in out.pop("trace")]
    return out


# -- traces ---------------------------------------------------------------------------------


def at(run: dict[str, Any], t: float) -> dict[str, float | None]:
    """Best objective, best bound and their gap known ``t`` seconds into ``run``.

    The run's final figures count when it ended by ``t``; HiGHS's objective is its own
    (its plan's checked objective is the final ``objective``)."""
    objective: float | None = None
    bound: float | None = None
    final = (run.get("wall_s"), run.get("objective_highs", run.get("objective")), run.get("bound"))
    for e in [*run.get("events", []), final]:
        if e[0] is None or e[0] > t:
            continue
        if e[1] is not None:
            objective = e[1] if objective is None else min(objective, e[1])
        if e[2] is not None and math.isfinite(e[2]):
            bound = e[2] if bound is None else max(bound, e[2])
    if run.get("status") == "optimal" and run.get("wall_s") is not None and run["wall_s"] <= t:
        bound = objective
    return {"objective": objective, "bound": bound, "gap": gap_of(objective, bound)}


def within(run: dict[str, Any] | None, t: float) -> bool:
    """Did ``run`` (a solve asked for ≤ t s) return a plan that passes the checker by t?"""
    if not run or run.get("check_ok") is not True or run.get("wall_s") is None:
        return False
    return run["wall_s"] <= t * GRACE[0] + GRACE[1]


def times(inst: FamilyInstance, limit: float | None) -> list[float]:
    main = limit or inst.time_limit
    marks = [10.0, 30.0, 60.0] + ([120.0] if inst.band == BANDS[1] else [])
    return [m for m in marks if m <= main + 1e-9] or [main]


# -- running ----------------------------------------------------------------------------------


def _checkpoints(
    inst: FamilyInstance, main: dict[str, Any], payload: dict[str, Any], limit: float
) -> dict[str, Any]:
    """The plan a user asking for 10 s (then, if none, 30 s) gets, beside the main run
    ``main`` of the same seed: from the main run's own trace when it had a checked plan by
    then, else from a solve of its own."""
    payload = {**payload, "seed": main.get("seed", 0)}
    cps: dict[str, Any] = {"seed": payload["seed"]}
    for cp in CHECKPOINTS:
        if cp >= limit:
            break
        if within(main, cp):  # the main solve itself ended with a checked plan by then
            cps[str(int(cp))] = {
                "from_main": True,
                **{k: main.get(k) for k in ("status", "wall_s", "check_ok")},
            }
            continue
        run = in_fresh_process(cpsat_job, {**payload, "time_limit": cp})
        run.pop("events", None)
        cps[str(int(cp))] = {"from_main": False, **run}
        _say(inst, f"{int(cp)} s", run)
        if within(run, cp):
            break  # a checked plan within 10 s is one within 30 s
    return cps


def run_instance(
    inst: FamilyInstance, args: argparse.Namespace, previous: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Solve ``inst`` (its main runs, checkpoints, a draft when infeasible); with
    ``previous`` (``--checkpoints-only``), only the checkpoints of its recorded main runs."""
    t = time.perf_counter()
    packed = inst.build()
    gen_s = time.perf_counter() - t
    from planner.checking.check import check, objective_value

    planted = check(packed.scenario, packed.plan)
    if planted.ok != inst.feasible:  # a generator bug: the instance is not what it claims
        print(f"BUG: {inst.name}: planted plan {planted.lines()[:3]}", file=sys.stderr, flush=True)
    sc = packed.scenario
    limit = args.time_limit or inst.time_limit
    blob = pickle.dumps(sc)
    entry: dict[str, Any] = {
        "name": inst.name,
        "band": inst.band,
        "feasible": inst.feasible,
        "proof": packed.proof,
        "flags": inst.flags,
        "seed": inst.seed,
        "staff": len(sc.staff),
        "units": len(sc.units),
        "functions": len(sc.functions),
        "departments": len(sc.departments),
        "generate_s": round(gen_s, 3),
        "planted_ok": planted.ok,
        "planted_violations": sorted(planted.constraint_ids),
        "planted_objective": objective_value(planted.terms, sc.settings) if planted.ok else None,
        "time_limit": limit,
        "cpsat": [],
        "checkpoints": [],
        "highs": [],
    }
    if previous is not None:  # --checkpoints-only: the main runs stay, the checkpoints are new
        entry = {**previous, "checkpoints": [], "checkpoints_command": args.command}
        for main in previous["cpsat"]:
            payload = {"scenario": blob, "time_limit": limit, "workers": args.workers}
            entry["checkpoints"].append(_checkpoints(inst, main, payload, limit))
        return entry
    for r in range(args.runs):
        payload = {"scenario": blob, "time_limit": limit, "seed": r, "workers": args.workers}
        main = in_fresh_process(cpsat_job, payload)
        main["seed"] = r
        entry["cpsat"].append(main)
        _say(inst, "cp-sat", main)
        if inst.feasible and not args.no_checkpoints:
            entry["checkpoints"].append(_checkpoints(inst, main, payload, limit))
        else:
            entry["checkpoints"].append({"seed": r})
    if not inst.feasible and not args.no_draft:
        cap = GOAL_FIRST[inst.band]
        entry["draft"] = in_fresh_process(draft_job, {"scenario": blob, "time_limit": cap})
        d = entry["draft"]
        print(
            f"  {inst.name:28s} draft   {d.get('status', '?'):10s} conflicts {d.get('conflicts')}, "
            f"draft {d.get('draft')} ({d.get('draft_violations')} violations {d.get('draft_rules')}), "
            f"confirmed {d.get('confirmed')}" + (f" {d['error']}" if d.get("error") else ""),
            flush=True,
        )
    if not args.no_highs and inst.size <= args.highs_max_staff:
        h = in_fresh_process(highs_job, {"scenario": blob, "time_limit": limit, "threads": 2})
        entry["highs"].append(h)
        _say(inst, "highs", h)
    elif not args.no_highs:
        entry["highs_skipped"] = f"> {args.highs_max_staff:,} staff"
    return entry


def unseen_root() -> Path | None:
    """``../shared/unseen`` beside the checkout (or beside its parent, for a worktree)."""
    for base in (ROOT.parent, ROOT.parent.parent):
        path = base / "shared" / "unseen"
        if path.is_dir():
            return path
    return None


def unseen_limit(staff: int) -> float:
    """The limit an outside scenario is solved with: 10 s up to 3,000 staff, else 30 s."""
    return GOAL_FIRST[BANDS[0]] if staff <= 3_000 else GOAL_FIRST[BANDS[1]]


def run_unseen(args: argparse.Namespace) -> dict[str, Any] | None:
    """Every scenario of ``../shared/unseen`` solved once at its band's goal limit, its plan
    checked and its objective set against the witness's (``about.json``). None when absent."""
    from planner.io import read_scenario

    root = unseen_root()
    if root is None:
        print("skipped the scenarios from outside: no ../shared/unseen here", flush=True)
        return None
    out: dict[str, Any] = {}
    for folder in sorted(p for p in root.iterdir() if (p / "about.json").is_file()):
        about = json.loads((folder / "about.json").read_text(encoding="utf-8"))
        sc = read_scenario(folder / "scenario")
        limit = unseen_limit(len(sc.staff))
        payload = {"scenario": pickle.dumps(sc), "time_limit": limit, "workers": args.workers}
        run = in_fresh_process(cpsat_job, payload)
        run.pop("events", None)
        out[folder.name] = {
            "name": folder.name,
            "staff": len(sc.staff),
            "departments": len(sc.departments),
            "time_limit": limit,
            "witness_objective": about.get("objective"),
            "stresses": about.get("stresses", []),
            **run,
        }
        print(f"unseen {folder.name}: {len(sc.staff):,} staff", flush=True)
        _say_name(folder.name, f"{int(limit)} s", run)
    return out


def _say(inst: FamilyInstance, what: str, run: dict[str, Any]) -> None:
    _say_name(inst.name, what, run)


def _say_name(name: str, what: str, run: dict[str, Any]) -> None:
    print(
        f"  {name:28s} {what:7s} {run.get('status', '?'):10s} "
        f"first {_s(run.get('first_s'))} s, wall {_s(run.get('wall_s'))} s, gap {_gap(run.get('gap'))}, "
        f"check {run.get('check_ok')}, {_s(run.get('peak_mb'), 0)} MB"
        + (f" {run['error']}" if run.get("error") else ""),
        flush=True,
    )


def run_family(args: argparse.Namespace) -> dict[str, Any]:
    results: dict[str, Any] = {
        "command": args.command,
        "label": args.label,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "runs": args.runs,
        "time_limit": args.time_limit,
        "machine": machine(),
        "instances": {},
    }
    previous = args.results / "latest.json"
    if args.merge and previous.exists():
        old = json.loads(previous.read_text(encoding="utf-8"))
        results["instances"] = old["instances"]
        if "unseen" in old:
            results["unseen"] = old["unseen"]
        results["merged_from"] = [*old.get("merged_from", []), old["command"]]
    for inst in select(args.only) if args.unseen != "only" else ():
        print(
            f"{inst.name}: {inst.size:,} staff, {inst.band}, {'feasible' if inst.feasible else 'infeasible'}",
            flush=True,
        )
        previous = None
        if args.checkpoints_only:
            previous = results["instances"].get(inst.name)
            if previous is None or not inst.feasible:
                print(f"  {inst.name}: no recorded feasible run to add checkpoints to", flush=True)
                continue
        results["instances"][inst.name] = run_instance(inst, args, previous)
        results["machine"]["load1_at_end"] = round(os.getloadavg()[0], 2)
        save(results, args.results)  # after every instance: a crash keeps what was measured
    if args.unseen == "yes" or args.unseen == "only" or (args.unseen == "auto" and not args.only):
        unseen = run_unseen(args)
        if unseen is not None:
            results["unseen"] = unseen
            save(results, args.results)
    return results


# -- summaries -----------------------------------------------------------------------------------


def summary(e: dict[str, Any]) -> dict[str, Any]:
    """The figures of one instance (medians over its runs)."""
    runs = [r for r in e["cpsat"] if r.get("status") != "error"]
    marks = [10.0, 30.0, 60.0, 120.0]
    out: dict[str, Any] = {
        "statuses": dict(sorted(_count(r.get("status", "error") for r in e["cpsat"]).items())),
        "first_s": _median([r.get("first_s") for r in runs]),
        "peak_mb": max((r.get("peak_mb") or 0 for r in runs), default=None),
        "check": _check_all(e),
        "proof_s": _median(
            [r["wall_s"] for r in runs if r.get("status") in ("optimal", "infeasible")]
        )
        if runs and all(r.get("status") in ("optimal", "infeasible") for r in runs)
        else None,
        "proved": sum(r.get("status") == "optimal" for r in runs),
        "detected": sum(r.get("status") == "infeasible" for r in runs),
        "runs": len(e["cpsat"]),
    }
    for m in marks:
        if m <= e["time_limit"] + 1e-9:
            gaps = [at(r, m)["gap"] for r in runs]
            known = [g for g in gaps if g is not None]
            out[f"gap{int(m)}"] = max(known) if gaps and len(known) == len(gaps) else None
            out[f"plan{int(m)}"] = sum(at(r, m)["objective"] is not None for r in runs)
    for cp in CHECKPOINTS:
        out[f"checked{int(cp)}"] = sum(checked_by(e, i, cp) for i in range(len(e["cpsat"])))
    h = [r for r in e.get("highs", []) if r.get("status") != "error"]
    if h:
        r = h[0]
        out["highs"] = {
            "status": r.get("status"),
            "first_s": r.get("first_s"),
            "check": r.get("check_ok"),
            "peak_mb": r.get("peak_mb"),
            **{f"gap{int(m)}": at(r, m)["gap"] for m in marks if m <= e["time_limit"] + 1e-9},
            "plan10": at(r, 10.0)["objective"] is not None,
            "plan30": at(r, 30.0)["objective"] is not None,
            "proof_s": r.get("wall_s") if r.get("status") in ("optimal", "infeasible") else None,
        }
    elif e.get("highs"):
        out["highs"] = {"status": e["highs"][0].get("status"), "error": e["highs"][0].get("error")}
    elif e.get("highs_skipped"):
        out["highs"] = {"status": f"not run ({e['highs_skipped']})"}
    return out


def checked_by(e: dict[str, Any], i: int, t: float) -> bool:
    """Did run ``i`` of instance ``e`` get a checked plan within ``t`` s (main solve or checkpoints)?"""
    runs, cps = e["cpsat"], e.get("checkpoints", [])
    if i < len(runs) and within(runs[i], t):
        return True
    here = cps[i] if i < len(cps) else {}
    return any(within(here.get(str(int(c))), c) for c in CHECKPOINTS if c <= t)


def _check_all(e: dict[str, Any]) -> bool | None:
    """True when every plan of every solve passed the checker; None when none had a plan."""
    seen: list[bool] = []
    for r in e["cpsat"]:
        if r.get("check_ok") is not None:
            seen.append(bool(r["check_ok"]))
    for c in e.get("checkpoints", []):
        for k, v in c.items():
            if k != "seed" and isinstance(v, dict) and v.get("check_ok") is not None:
                seen.append(bool(v["check_ok"]))
    return all(seen) if seen else None


def _count(xs: Any) -> dict[str, int]:
    out: dict[str, int] = {}
    for x in xs:
        out[x] = out.get(x, 0) + 1
    return out


def _median(values: list[Any]) -> Any:
    if values and all(v is NA for v in values):
        return NA
    vs = [v for v in values if v is not None and v is not NA]
    return statistics.median(vs) if vs else None


def _s(v: float | None, digits: int = 1) -> str:
    return "—" if v is None else f"{v:.{digits}f}"


def _gap(v: Any) -> str:
    if v is NA:
        return "n/a (limit below)"
    return "—" if v is None else f"{100 * v:.2f}%"


def band_table(results: dict[str, Any]) -> list[str]:
    """Per size band: the issue's figures, CP-SAT and HiGHS side by side."""
    inst = results["instances"]
    lines = [
        "| band | solver | feasible run | first plan s (median) | checked plan ≤ 10 s | checked plan ≤ 30 s | median gap at 60 s | worst gap at 60 s | worst gap at 120 s | proven optimal | infeasible run | detected infeasible | timeout, no plan (feasible) |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for band in BANDS:
        es = [e for e in inst.values() if e["band"] == band]
        if not es:
            continue
        feas = [e for e in es if e["feasible"]]
        infeas = [e for e in es if not e["feasible"]]
        sums = {e["name"]: summary(e) for e in es}
        n = len(feas)
        c10 = sum(1 for e in feas if sums[e["name"]]["checked10"] == sums[e["name"]]["runs"])
        c30 = sum(1 for e in feas if sums[e["name"]]["checked30"] == sums[e["name"]]["runs"])
        g60 = [sums[e["name"]].get("gap60", NA) for e in feas]
        g120 = [sums[e["name"]].get("gap120", NA) for e in feas] if band == BANDS[1] else []
        proved = sum(1 for e in feas if sums[e["name"]]["proved"] == sums[e["name"]]["runs"])
        det = sum(1 for e in infeas if sums[e["name"]]["detected"] == sums[e["name"]]["runs"])
        noplan = sum(1 for e in feas if any(r.get("status") == "timeout" for r in e["cpsat"]))
        first = _median([sums[e["name"]]["first_s"] for e in feas])
        lines.append(
            f"| {band} | CP-SAT | {n} | {_s(first, 2)} | {c10}/{n} | {c30}/{n} | {_gap(_median(g60))} | {_worst(g60)} | "
            f"{_worst(g120) if band == BANDS[1] else 'n/a'} | {proved}/{n} | {len(infeas)} | {det}/{len(infeas)} | {noplan} |"
        )
        hs = {
            k: h
            for k, v in sums.items()
            if (h := v.get("highs")) and not str(h.get("status")).startswith("not run")
        }
        skipped = [e for e in es if e.get("highs_skipped")]
        if skipped and not hs:
            lines.append(
                f"| {band} | HiGHS | not run ({skipped[0]['highs_skipped']}: `--highs-max-staff`) |"
                + " |" * 10
            )
        if hs:
            hf = [hs.get(e["name"]) or {} for e in feas]
            hi = [hs.get(e["name"]) or {} for e in infeas]
            lines.append(
                f"| {band} | HiGHS | {n} | {_s(_median([h.get('first_s') for h in hf]), 2)} | "
                f"{sum(bool(h.get('plan10')) and h.get('check') is True for h in hf)}/{n} | "
                f"{sum(bool(h.get('plan30')) and h.get('check') is True for h in hf)}/{n} | "
                f"{_gap(_median([h.get('gap60', NA) for h in hf]))} | {_worst([h.get('gap60', NA) for h in hf])} | "
                f"{_worst([h.get('gap120', NA) for h in hf]) if band == BANDS[1] else 'n/a'} | "
                f"{sum(h.get('status') == 'optimal' for h in hf)}/{n} | {len(infeas)} | "
                f"{sum(h.get('status') == 'infeasible' for h in hi)}/{len(infeas)} | "
                f"{sum(h.get('status') == 'timeout' for h in hf)} |"
            )
    return lines


def _worst(gaps: list[Any]) -> str:
    if not gaps:
        return "—"
    if all(g is NA for g in gaps):
        return "n/a (limit below)"
    gaps = [None if g is NA else g for g in gaps]
    if any(g is None for g in gaps):
        return f"no bound/plan on {sum(g is None for g in gaps)}"
    return _gap(max(g for g in gaps if g is not None))


def issue20_goals(results: dict[str, Any]) -> list[tuple[str, str, str]]:
    """The goals of issue 20 ("the family learns new structure"), family and unseen together."""
    inst, unseen = results["instances"], results.get("unseen", {})
    out = []
    small = [e for e in inst.values() if e["band"] == BANDS[0] and e["feasible"]]
    small_u = [u for u in unseen.values() if u["staff"] <= 3_000]
    if small or small_u:
        miss = [e["name"] for e in small if summary(e)["checked10"] < summary(e)["runs"]]
        miss += [f"unseen {u['name']}" for u in small_u if not within(u, 10.0)]
        firsts = [summary(e)["first_s"] for e in small] + [u.get("first_s") for u in small_u]
        first = _median(firsts)
        none = sum(f is None for f in firsts)
        out.append(
            (
                "family and unseen ≤ 3,000 staff: a checked plan at --time-limit 10 on every "
                "feasible instance; median first plan ≤ 1 s",
                f"{len(small) + len(small_u) - len(miss)}/{len(small) + len(small_u)}"
                + (f"; not: {', '.join(miss)}" if miss else "")
                + f"; median first plan {_s(first, 2)} s"
                + (f" ({none} without a plan)" if none else ""),
                _verdict(not miss and first is not None and not none and first <= 1.0),
            )
        )
    big = [e for e in inst.values() if e["band"] == BANDS[1] and e["feasible"]]
    big_u = [u for u in unseen.values() if u["staff"] > 3_000]
    if big or big_u:
        miss = [e["name"] for e in big if summary(e)["checked30"] < summary(e)["runs"]]
        miss += [f"unseen {u['name']}" for u in big_u if not within(u, 30.0)]
        out.append(
            (
                "≤ 10,000 staff: a checked plan at --time-limit 30",
                f"{len(big) + len(big_u) - len(miss)}/{len(big) + len(big_u)}"
                + (f"; not: {', '.join(miss)}" if miss else ""),
                _verdict(not miss),
            )
        )
    planted = [e for e in inst.values() if e["feasible"] and e.get("planted_objective")]
    if planted or unseen:
        worse = [e["name"] for e in planted if _above(worst_objective(e), e["planted_objective"])]
        worse += [
            f"unseen {u['name']}"
            for u in unseen.values()
            if _above(u.get("objective"), u.get("witness_objective"))
        ]
        n = len(planted) + len(unseen)
        out.append(
            (
                "every instance with a planted plan: objective at the limit ≤ the planted plan's",
                f"{n - len(worse)}/{n}" + (f"; not: {', '.join(worse)}" if worse else ""),
                _verdict(not worse),
            )
        )
    infeas = [e for e in inst.values() if not e["feasible"]]
    if infeas:
        bad = [
            e["name"]
            for e in infeas
            if not all(r.get("status") == "infeasible" for r in e["cpsat"])
            or not (e.get("draft") or {}).get("conflicts")
            or (e.get("draft") or {}).get("confirmed") is not True
        ]
        out.append(
            (
                "infeasible instances: infeasible with conflicts; with draft, a draft whose "
                "violations planner check confirms",
                f"{len(infeas) - len(bad)}/{len(infeas)}"
                + (f"; not: {', '.join(bad)}" if bad else ""),
                _verdict(not bad),
            )
        )
    return out


def _above(objective: int | None, reference: int | None) -> bool:
    """No plan, or a plan worse than the reference (a planted or witness objective)."""
    return reference is not None and (objective is None or objective > reference)


def goals(results: dict[str, Any]) -> list[tuple[str, str, str]]:
    inst = results["instances"]
    out = issue20_goals(results)
    for band, t in GOAL_FIRST.items():
        feas = [e for e in inst.values() if e["band"] == band and e["feasible"]]
        if not feas:
            continue
        ok = [e["name"] for e in feas if (s := summary(e))[f"checked{int(t)}"] == s["runs"]]
        miss = [e["name"] for e in feas if e["name"] not in ok]
        where = f"{len(ok)}/{len(feas)}" + (f"; not: {', '.join(miss)}" if miss else "")
        out.append(
            (
                f"family {band} staff: a checked plan within {t:.0f} s on every feasible instance",
                where,
                _verdict(not miss),
            )
        )
    big = [e for e in inst.values() if e["band"] == BANDS[1] and e["feasible"]]
    if big:
        g = [summary(e).get("gap120") for e in big]
        bad = [e["name"] for e, x in zip(big, g, strict=True) if x is None or x > 0.02]
        out.append(
            (
                "family ≤ 10,000 staff: gap ≤ 2 % at 120 s",
                f"worst {_worst(g)}" + (f"; not: {', '.join(bad)}" if bad else ""),
                _verdict(not bad),
            )
        )
    feas = [e for e in inst.values() if e["feasible"]]
    if feas:
        bad = [e["name"] for e in feas if any(r.get("status") == "timeout" for r in e["cpsat"])]
        out.append(
            (
                'no feasible instance ends in "timeout, no plan"',
                f"{len(bad)} do" + (f": {', '.join(bad)}" if bad else ""),
                _verdict(not bad),
            )
        )
    infeas = [e for e in inst.values() if not e["feasible"]]
    if infeas:
        bad = [e["name"] for e in infeas if summary(e)["detected"] < summary(e)["runs"]]
        out.append(
            (
                "infeasible instances detected as infeasible (not timeout)",
                f"{len(infeas) - len(bad)}/{len(infeas)}"
                + (f"; not: {', '.join(bad)}" if bad else ""),
                _verdict(not bad),
            )
        )
    wrong = [n for n, e in inst.items() if e.get("planted_ok") is not e["feasible"]]
    out.append(
        (
            "every instance is what it claims (planted plan passes the checker iff feasible)",
            f"{len(inst) - len(wrong)}/{len(inst)}"
            + (f"; not: {', '.join(wrong)}" if wrong else ""),
            _verdict(not wrong),
        )
    )
    checks = [summary(e)["check"] for e in inst.values()]
    out.append(
        (
            "every CP-SAT plan passes planner.check",
            f"{sum(c is False for c in checks)} instance(s) with a failing plan",
            _verdict(all(c is not False for c in checks)),
        )
    )
    return out


def _verdict(ok: bool) -> str:
    return "**met**" if ok else "**not met**"


def instance_table(results: dict[str, Any] | None = None) -> list[str]:
    """Every instance with its structure; with results, its figures."""
    rows = results["instances"] if results else {}
    lines = [
        "| instance | staff | band | structure | expected | CP-SAT status | first plan s | checked ≤ 10 s | checked ≤ 30 s | gap 10 s | gap 30 s | gap 60 s | gap 120 s | proof s | peak MB | check | objective vs planted | HiGHS status | HiGHS first s | HiGHS gap 60 s |",
        "|---|---:|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---|---:|---:|",
    ]
    for inst in FAMILY:
        e = rows.get(inst.name)
        head = f"| {inst.name} | {inst.size:,} | {inst.band} | {'; '.join(inst.flags)} | {inst.expected} |"
        if e is None:
            lines.append(head + (" not run |" if results else " |") + " |" * 14)
            continue
        s = summary(e)
        h = s.get("highs") or {}
        st = ", ".join(f"{k} {v}" for k, v in s["statuses"].items())
        lines.append(
            head
            + f" {st} | {_s(s['first_s'])} | {s['checked10']}/{s['runs']} | {s['checked30']}/{s['runs']} | "
            f"{_gap(s.get('gap10'))} | {_gap(s.get('gap30'))} | {_gap(s.get('gap60'))} | {_gap(s.get('gap120'))} | "
            f"{_s(s['proof_s'])} | {_s(s['peak_mb'], 0)} | {_ok(s['check'])} | "
            f"{_vs(worst_objective(e), e.get('planted_objective'))} | {h.get('status', '—')} | "
            f"{_s(h.get('first_s'))} | {_gap(h.get('gap60'))} |"
        )
    return lines


def worst_objective(e: dict[str, Any]) -> int | None:
    """The highest objective the main solves of an instance ended with (None: one had none)."""
    values = [r.get("objective") for r in e["cpsat"]]
    return None if not values or None in values else max(values)


def _vs(objective: int | None, reference: int | None) -> str:
    """``objective`` against a planted or witness objective: "≤ (−1.20 %)" or "**> (+0.40 %)**"."""
    if reference is None:
        return "—"
    if objective is None:
        return "**no plan**"
    pct = f"{100 * (objective - reference) / max(1, abs(reference)):+.2f} %"
    return f"≤ ({pct})" if objective <= reference else f"**> ({pct})**"


def unseen_table(results: dict[str, Any]) -> list[str]:
    """The scenarios of ../shared/unseen: one solve each at 10 s (≤ 3,000 staff) or 30 s."""
    lines = [
        "| scenario | staff | limit s | status | first plan s | wall s | objective | witness objective | objective vs witness | check |",
        "|---|---:|---:|---|---:|---:|---:|---:|---|---|",
    ]
    for name, e in sorted(results.get("unseen", {}).items()):
        lines.append(
            f"| {name} | {e['staff']:,} | {e['time_limit']:.0f} | {e.get('status', '?')} | "
            f"{_s(e.get('first_s'), 2)} | {_s(e.get('wall_s'))} | {e.get('objective') or '—'} | "
            f"{e.get('witness_objective') or '—'} | {_vs(e.get('objective'), e.get('witness_objective'))} | "
            f"{_ok(e.get('check_ok'))} |"
        )
    return lines


def _ok(v: bool | None) -> str:
    return "—" if v is None else ("ok" if v else "**FAILED**")


def family_section(results: dict[str, Any] | None = None) -> list[str]:
    """The "Structural family" section of docs/benchmarks.md, between marker comments."""
    if results is None:
        path = RESULTS / "latest.json"
        try:
            results = json.loads(path.read_text(encoding="utf-8")) if path.exists() else None
        except ValueError:
            results = None
    L = [
        START,
        "## Structural family (issue 14)",
        "",
        "Generated by `benchmarks/family.py` (`python -m benchmarks.family`; `make bench` runs it),",
        "each instance a merged agency planted with its units kept whole (`planner/generate/packed.py`):",
        "feasible ones by construction (the planted plan passes `planner.check`, tested in",
        "`tests/benchmarks/test_family.py`), infeasible ones by a proven small margin (see the module docstring).",
        "A *checked plan within T s* is a solve asked for T s that returned a plan passing",
        f"`planner.check` in at most T × {GRACE[0]} + {GRACE[1]} s. Gaps at t come from the `on_progress` trace",
        "(the bound is known only when the plan improves, so they overstate the true gap).",
        "",
    ]
    if results:
        m = results["machine"]
        label = results.get("label")
        L += [
            f"- command: `{results['command']}`; date: {results['date']}; runs per instance: {results['runs']}",
            *(f"- merged into the results of `{c}`" for c in results.get("merged_from", [])),
            f"- machine: {m['cores']} cores, {m['cpu']}; ortools {m['ortools']}, highspy {m['highspy']}; "
            f"load average {m.get('load1_at_start')} at start, {m.get('load1_at_end', '—')} at end",
            "",
        ]
        if label:
            L += [f"> **{label}**", ""]
        if len(results["instances"]) < len(FAMILY):
            L += [
                f"> Only {len(results['instances'])} of the {len(FAMILY)} instances were run: the band figures cover those.",
                "",
            ]
        L += ["### Goals", "", "| goal | where it stands | verdict |", "|---|---|---|"]
        L += [f"| {g} | {w} | {v} |" for g, w, v in goals(results)]
        L += ["", "### By size band", "", *band_table(results), ""]
        if results.get("unseen"):
            L += [
                "### Scenarios from outside (../shared/unseen)",
                "",
                "One solve each at the goal's limit (10 s up to 3,000 staff, else 30 s); the witness",
                "objective (`about.json`) is that of a plan known to satisfy every rule.",
                "",
                *unseen_table(results),
                "",
            ]
        L += [
            "CP-SAT rows count an instance when every run met the figure; gaps are the worst run's.",
            "HiGHS rows (the per-person MIP of `benchmarks/highs_baseline.py`, one solve with the main",
            "limit): a plan by 10 s / 30 s in its trace with its final plan passing the checker.",
            "",
        ]
    else:
        L += ["Not run yet: `python -m benchmarks.family` fills the figures.", ""]
    L += ["### Instances", "", *instance_table(results), "", END]
    return L


def write_section(path: Path, results: dict[str, Any] | None) -> None:
    """Replace the family section of ``path`` (or append it)."""
    replace_section(path, family_section(results), missing="# Benchmarks\n")


# -- files ---------------------------------------------------------------------------------------

CSV_FIELDS = [
    "instance", "band", "staff", "departments", "feasible", "solver", "seed", "time_limit",
    "status", "objective", "bound", "gap", "wall_s", "first_s",
    *(f"{k}{m}" for m in (10, 30, 60, 120) for k in ("objective", "bound", "gap")),
    "peak_mb", "check_ok", "checked10", "checked30", "load1_start",
]  # fmt: skip


def save(results: dict[str, Any], folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / "latest.json.tmp"
    tmp.write_text(json.dumps(results, indent=1, default=str), encoding="utf-8")
    tmp.replace(folder / "latest.json")
    rows = []
    for name, e in results["instances"].items():
        for solver, runs in (("cp-sat", e["cpsat"]), ("highs", e.get("highs", []))):
            for i, r in enumerate(runs):
                row = {
                    "instance": name, "band": e["band"], "staff": e["staff"],
                    "departments": e["departments"], "feasible": e["feasible"], "solver": solver,
                    "seed": r.get("seed", 0), "time_limit": e["time_limit"],
                    "status": r.get("status"), "objective": r.get("objective"),
                    "bound": r.get("bound"), "gap": r.get("gap"), "wall_s": r.get("wall_s"),
                    "first_s": r.get("first_s"), "peak_mb": r.get("peak_mb"),
                    "check_ok": r.get("check_ok"), "load1_start": r.get("load1_start"),
                    "checked10": checked_by(e, i, 10.0) if solver == "cp-sat" else "",
                    "checked30": checked_by(e, i, 30.0) if solver == "cp-sat" else "",
                }  # fmt: skip
                for m in (10, 30, 60, 120):
                    fig = at(r, m) if m <= e["time_limit"] else {}
                    for k in ("objective", "bound", "gap"):
                        row[f"{k}{m}"] = fig.get(k, "")
                rows.append(row)
    with (folder / "latest.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=CSV_FIELDS)
        w.writeheader()
        w.writerows(rows)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m benchmarks.family",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ap.add_argument(
        "--only", nargs="+", metavar="NAME", help="instances to run (default: all; see --list)"
    )
    ap.add_argument(
        "--runs", type=int, default=1, help="CP-SAT runs per instance, seeds 0 … N−1 (default 1)"
    )
    ap.add_argument(
        "--time-limit",
        type=float,
        default=None,
        help="main solve limit in s (default 60 ≤ 3,000 staff, 120 above)",
    )
    ap.add_argument(
        "--workers",
        type=int,
        default=None,
        help="CP-SAT workers (default: the scenario's, automatic)",
    )
    ap.add_argument("--no-highs", action="store_true", help="skip the HiGHS baseline")
    ap.add_argument(
        "--highs-max-staff",
        type=int,
        default=HIGHS_MAX_STAFF,
        help=f"run HiGHS only up to this many staff (default {HIGHS_MAX_STAFF:,})",
    )
    ap.add_argument("--no-checkpoints", action="store_true", help="skip the 10 s / 30 s solves")
    ap.add_argument(
        "--checkpoints-only",
        action="store_true",
        help="with --merge: run only the 10 s / 30 s solves of the recorded main runs",
    )
    ap.add_argument(
        "--no-draft", action="store_true", help="skip the draft solve of infeasible instances"
    )
    ap.add_argument(
        "--unseen",
        choices=("auto", "yes", "no", "only"),
        default="auto",
        help="run ../shared/unseen beside the family (auto: unless --only names instances)",
    )
    ap.add_argument(
        "--label", default=None, help="a note printed above the figures (e.g. 'under load')"
    )
    ap.add_argument(
        "--results", type=Path, default=RESULTS, help="folder of latest.json / latest.csv"
    )
    ap.add_argument(
        "--out", type=Path, default=DOC, help="the page whose family section is rewritten"
    )
    ap.add_argument(
        "--no-report",
        action="store_true",
        help="do not touch the docs (benchmarks/run.py renders them)",
    )
    ap.add_argument(
        "--render", action="store_true", help="only rewrite the docs section from the results"
    )
    ap.add_argument("--list", action="store_true", help="print the instances and exit")
    ap.add_argument(
        "--merge",
        action="store_true",
        help="keep the instances of the last results and add (or replace) the ones run now",
    )
    args = ap.parse_args(argv)
    if args.checkpoints_only and not args.merge:
        ap.error("--checkpoints-only adds to recorded runs: give --merge too")
    args.command = (
        "python -m benchmarks.family " + shlex.join(argv if argv is not None else sys.argv[1:])
    ).strip()
    if args.list:
        for i in FAMILY:
            print(
                f"{i.name:28s} {i.size:>6,}  {i.band:9s} {'feasible' if i.feasible else 'INFEASIBLE'}  {'; '.join(i.flags)}"
            )
        return 0
    if args.render:
        path = args.results / "latest.json"
        results = json.loads(path.read_text(encoding="utf-8")) if path.exists() else None
    else:
        results = run_family(args)
        save(results, args.results)
    if not args.no_report:
        write_section(args.out, results)
        print(f"wrote the family section of {args.out}")
    bad = [
        n for n, e in (results or {}).get("instances", {}).items() if summary(e)["check"] is False
    ]
    if bad:
        print(f"BUG: plans that failed planner.check: {', '.join(bad)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
