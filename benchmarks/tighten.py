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
"""

from __future__ import annotations

import argparse
import math
from fractions import Fraction
from pathlib import Path

from models import Plan, Scenario
from planner.checking.check import check
from planner.domain.kpis import Placement, payroll_after, payroll_before

VARIANTS = ("budget", "posts", "capacity", "all")


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


def tighten(scenario: Scenario, plan: Plan, variant: str) -> Scenario:
    """``scenario`` with the targets of ``variant`` set at ``plan``'s figures (module
    docstring). ``plan`` must pass the checker on ``scenario``, and passes it on the result."""
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
    out = scenario.replace(settings=settings, organizations=organizations)
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
    print(f"wrote {args.out}: targets of {args.variant!r} at the plan's figures")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

__all__ = ["VARIANTS", "tighten"]
