"""Tighten a scenario to one of its plans: every target of a group set at what the plan meets.

    .venv/bin/python -m benchmarks.tighten SCENARIO PLAN OUT --variant posts

A scenario from outside comes with a plan that proves it feasible; the targets it was
given usually leave room around that plan. Setting them at the plan's own figures keeps
the scenario feasible (the plan still passes ``planner.check``, verified here) and leaves
the solver no room: the shape of "exits and budget within 0.5 % of the limits" (issue 20)
on any scenario, and a stress test that rests on no generator's assumptions.

Variants (``VARIANTS``), each a group of SPEC §3 targets:

- ``budget``: C7 and C8. ``min_reduction`` the largest millionth with
  ceil(min_reduction × N) ≤ the plan's exits; ``max_payroll`` = ⌈the plan's payroll⌉;
  ``min_income_raise`` = ⌊(payroll before − payroll after) / retained⌋.
- ``posts``: C6 and C9. ``max_leadership_posts`` = the plan's posts; every organisation's
  ``min_staff`` and ``min_leaders`` = what it keeps and holds in the plan;
  ``max_leader_share`` = the largest share held, rounded up to 10⁻⁴.
- ``capacity``: C3. ``workload_slack`` = min over departments of fte / workload − 1, and
  ``max_overstaff`` = max of (fte − 1 − workload) / workload, rounded inwards to 10⁻⁴
  (never below 0).
- ``all``: the three together.

Structural variants, each also kept feasible by the plan:

- ``locks``: a third of the staff (seeded) locked to the plan's department and role, or to
  exit; a third of the functions to the plan's department (and lead organisation) (C13).
- ``rules``: ``apart`` between 2k pairs of functions the plan keeps apart, ``together``
  between k pairs it hosts together (k departments) (C12).
- ``skills``: every skill taken from everyone but the fewest retained holders of each
  department that still cover its work there, largest FTE first (C4): skills as scarce as
  the plan allows.
- ``sizes``: every department's ``min_staff`` and ``max_staff`` at the plan's headcount
  there (departments.csv; C5).
"""

from __future__ import annotations

import argparse
import math
import random
from fractions import Fraction
from pathlib import Path

from models import Department, Lock, LockKind, Plan, Role, Rule, RuleKind, Scenario, Staff
from planner.checking.check import check
from planner.domain.kpis import Placement, payroll_after, payroll_before

LOCKED_SHARE = 1 / 3
"""Share of the staff, and of the functions, the ``locks`` variant locks."""
VARIANTS = ("budget", "posts", "capacity", "all", "locks", "rules", "skills", "sizes")


def _budget(pl: Placement, targets: dict) -> None:
    sc = pl.scenario
    n, exits = len(sc.staff), len(pl.exits)
    share = math.floor(exits / n * 1e6) / 1e6
    while math.ceil(share * n) > exits:
        share -= 1e-6
    targets["min_reduction"] = round(share, 6)
    after, before = payroll_after(pl), payroll_before(sc)
    targets["max_payroll"] = float(math.ceil(after))
    targets["min_income_raise"] = float(math.floor((before - after) / pl.retained))


def _posts(pl: Placement, targets: dict) -> tuple:
    sc = pl.scenario
    org_of = sc.staff_org
    posts = pl.posts()
    held = {o.org_id: 0 for o in sc.organizations}
    kept = dict(held)
    for s in posts:
        held[org_of[s]] += 1
    for s in pl.dept_of_staff:
        kept[org_of[s]] += 1
    targets["max_leadership_posts"] = len(posts)
    if posts:
        share = max(Fraction(h, len(posts)) for h in held.values())
        targets["max_leader_share"] = min(1.0, math.ceil(float(share) * 1e4) / 1e4)
    return tuple(
        o.model_copy(update={"min_staff": kept[o.org_id], "min_leaders": held[o.org_id]})
        for o in sc.organizations
    )


def _capacity(pl: Placement, targets: dict) -> None:
    used = [d for d in pl.departments if pl.workload_h[d]]
    if not used:
        return
    low = min(Fraction(pl.fte_h[d], pl.workload_h[d]) for d in used) - 1
    high = max(Fraction(pl.fte_h[d] - 100 - pl.workload_h[d], pl.workload_h[d]) for d in used)
    targets["workload_slack"] = max(0.0, math.floor(float(low) * 1e4) / 1e4)
    targets["max_overstaff"] = max(0.0, math.ceil(float(high) * 1e4) / 1e4)


def _locks(pl: Placement, rng: random.Random) -> tuple[Lock, ...]:
    sc = pl.scenario
    locked = {(lk.kind, lk.id) for lk in sc.locks}
    out = list(sc.locks)
    for s in sc.staff:
        if (LockKind.STAFF, s.staff_id) in locked or rng.random() >= LOCKED_SHARE:
            continue
        if s.staff_id in pl.exits:
            out.append(Lock(kind=LockKind.STAFF, id=s.staff_id, role=Role.EXIT))
        else:
            out.append(
                Lock(kind=LockKind.STAFF, id=s.staff_id, dept_id=pl.dept_of_staff[s.staff_id],
                     role=pl.role_of_staff[s.staff_id])
            )  # fmt: skip
    for f in sc.functions:
        if (LockKind.FUNCTION, f.function_id) in locked or rng.random() >= LOCKED_SHARE:
            continue
        out.append(
            Lock(kind=LockKind.FUNCTION, id=f.function_id,
                 dept_id=pl.dept_of_function[f.function_id],
                 lead_org=pl.lead_of_function.get(f.function_id) if f.lead_candidates else None)
        )  # fmt: skip
    return tuple(out)


def _rules(pl: Placement, rng: random.Random) -> tuple[Rule, ...]:
    sc = pl.scenario
    k = len(sc.departments)
    ids = sorted(pl.dept_of_function)
    have = {(r.a, r.b) for r in sc.rules} | {(r.b, r.a) for r in sc.rules}
    out = list(sc.rules)
    wanted = {RuleKind.APART: 2 * k, RuleKind.TOGETHER: k}
    for _ in range(50 * k):
        if not any(wanted.values()):
            break
        a, b = rng.sample(ids, 2)
        kind = (
            RuleKind.TOGETHER
            if pl.dept_of_function[a] == pl.dept_of_function[b]
            else RuleKind.APART
        )
        if wanted[kind] and (a, b) not in have:
            out.append(Rule(rule=kind, a=a, b=b))
            have |= {(a, b), (b, a)}
            wanted[kind] -= 1
    return tuple(out)


def _skills(pl: Placement) -> tuple[Staff, ...]:
    sc = pl.scenario
    keep: dict[str, set[str]] = {}  # staff -> skills they keep
    for d, fids in pl.functions_in.items():
        need: dict[str, int] = {}
        for f in fids:
            fn = pl.functions[f]
            if fn.skill is not None and fn.workload_h > 0:
                need[fn.skill] = need.get(fn.skill, 0) + fn.workload_h
        for skill, w in need.items():
            holders = sorted(
                (s for s in pl.staff_in[d] if skill in pl.staff[s].skills),
                key=lambda s: (-pl.staff[s].fte_h, s),
            )
            covered = 0
            for s in holders:
                if covered >= w:
                    break
                keep.setdefault(s, set()).add(skill)
                covered += pl.staff[s].fte_h
    return tuple(
        s.model_copy(update={"skills": tuple(k for k in s.skills if k in keep.get(s.staff_id, ()))})
        for s in sc.staff
    )


def _sizes(pl: Placement) -> tuple[Department, ...]:
    return tuple(
        d.model_copy(update={"min_staff": len(pl.staff_in[d.dept_id]),
                             "max_staff": len(pl.staff_in[d.dept_id])})
        for d in pl.scenario.departments
    )  # fmt: skip


def tighten(scenario: Scenario, plan: Plan, variant: str, seed: int = 0) -> Scenario:
    """``scenario`` with the targets of ``variant`` set at ``plan``'s figures, or its
    structure narrowed around ``plan`` (module docstring; ``seed`` draws the locks and
    rules). ``plan`` must pass the checker on ``scenario``, and passes it on the result."""
    if variant not in VARIANTS:
        raise ValueError(f"unknown variant {variant!r}; known: {', '.join(VARIANTS)}")
    if not check(scenario, plan).ok:
        raise ValueError("the plan does not pass the checker on the scenario")
    pl = Placement(scenario, plan)
    st = scenario.settings
    targets = st.targets.model_dump()
    organizations = scenario.organizations
    if variant in ("budget", "all"):
        _budget(pl, targets)
    if variant in ("posts", "all"):
        organizations = _posts(pl, targets)
    if variant in ("capacity", "all"):
        _capacity(pl, targets)
    settings = st.model_copy(update={"targets": st.targets.model_copy(update=targets)})
    changes: dict = {"settings": settings, "organizations": organizations}
    rng = random.Random(seed)
    if variant == "locks":
        changes["locks"] = _locks(pl, rng)
    elif variant == "rules":
        changes["rules"] = _rules(pl, rng)
    elif variant == "skills":
        changes["staff"] = _skills(pl)
    elif variant == "sizes":
        changes["departments"] = _sizes(pl)
        changes["departments_given"] = True
    out = scenario.replace(**changes)
    report = check(out, plan)
    if not report.ok:  # rounding went the wrong way: a bug here, not in the scenario
        raise AssertionError(f"the plan no longer passes: {report.lines()[:3]}")
    return out


def main(argv: list[str] | None = None) -> int:
    from planner.io import read_scenario, write_scenario
    from planner.io.plan_io import read_plan

    ap = argparse.ArgumentParser(prog="python -m benchmarks.tighten", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    ap.add_argument("scenario", type=Path)
    ap.add_argument("plan", type=Path)
    ap.add_argument("out", type=Path)
    ap.add_argument("--variant", choices=VARIANTS, default="all")
    args = ap.parse_args(argv)
    out = tighten(read_scenario(args.scenario), read_plan(args.plan), args.variant)
    write_scenario(out, args.out)
    print(f"wrote {args.out}: {args.variant!r} tightened to the plan")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

__all__ = ["VARIANTS", "tighten"]
