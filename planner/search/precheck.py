"""Counting arguments that prove a scenario infeasible before any model is built.

At scale a solver can spend its whole time limit without proving that no plan
exists, and the planner would read "timeout" where the truth is "these settings
cannot hold together". Each check here is a necessary condition of SPEC §3,
summed over departments or organisations, so a failed check is a proof: no
plan can exist, whatever the placement and staffing. Each names the settings
involved, in the vocabulary of ``summary.json``'s ``conflicts``.

Notation: N staff today, E = ceil(min_reduction × N) required exits (C7), K
departments, P protected staff; capacities in hundredths of an FTE.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from fractions import Fraction

from models import FunctionKind, LockKind, Role, Scenario, exact


@dataclass(frozen=True)
class Failure:
    """One failed necessary condition: the conflicting names and why, in a sentence."""

    conflicts: tuple[str, ...]
    reason: str


def precheck(sc: Scenario) -> list[Failure]:
    """Every failed necessary condition (empty when none fails: no proof either way)."""
    st = sc.settings
    t, dep = st.targets, st.departments
    n, k = len(sc.staff), len(sc.departments)
    e = sc.required_exits
    keep = n - e  # at most this many retained
    out: list[Failure] = []
    reduction = ("targets.min_reduction",) if e else ()

    protected = sum(s.protected for s in sc.staff)
    if protected > keep:
        out.append(
            Failure(
                ("staff.protected", *reduction),
                f"{protected} protected staff must stay but at most {keep} of {n} may (C7)",
            )
        )
    # C9 staff minima against the reduction, and against each organisation's size.
    size_of: dict[str, int] = defaultdict(int)
    for s in sc.staff:
        size_of[sc.unit_org[s.unit_id]] += 1
    for o in sc.organizations:
        if o.min_staff > size_of[o.org_id]:
            out.append(
                Failure(
                    (f"organizations:{o.org_id}.min_staff",),
                    f"organisation {o.org_id} must keep {o.min_staff} staff but has "
                    f"{size_of[o.org_id]} (C9)",
                )
            )
    minima = [o for o in sc.organizations if o.min_staff > 0]
    if sum(o.min_staff for o in minima) > keep:
        out.append(
            Failure(
                (*reduction, *(f"organizations:{o.org_id}.min_staff" for o in minima)),
                f"the organisations must keep {sum(o.min_staff for o in minima)} staff in all "
                f"but at most {keep} may stay (C7, C9)",
            )
        )
    # C5 sizes against the reduction.
    lows = [sc.dept_limits(d)[0] for d in sc.departments]
    if sum(lows) > keep:
        out.append(
            Failure(
                ("departments.min_staff", *reduction),
                f"the departments need {sum(lows)} staff in all but at most {keep} may stay "
                "(C5, C7)",
            )
        )
    # C6 posts: one head and min_deputies deputies per department.
    posts_needed = k * (1 + dep.min_deputies)
    per = ("departments.count", *(("departments.min_deputies",) if dep.min_deputies else ()))
    if t.max_leadership_posts is not None and posts_needed > t.max_leadership_posts:
        out.append(
            Failure(
                (*per, "targets.max_leadership_posts"),
                f"{k} departments need {posts_needed} head and deputy posts but at most "
                f"{t.max_leadership_posts} are allowed (C6)",
            )
        )
    exit_locked = {lk.id for lk in sc.locks if lk.kind is LockKind.STAFF and lk.role is Role.EXIT}
    leaders = sum(1 for s in sc.staff if s.can_lead and s.staff_id not in exit_locked)
    if posts_needed > leaders:
        out.append(
            Failure(
                per,
                f"{k} departments need {posts_needed} heads and deputies but only {leaders} "
                "staff may lead (C6)",
            )
        )
    leader_minima = [o for o in sc.organizations if o.min_leaders > 0]
    if t.max_leadership_posts is not None and (
        sum(o.min_leaders for o in leader_minima) > t.max_leadership_posts
    ):
        out.append(
            Failure(
                (
                    "targets.max_leadership_posts",
                    *(f"organizations:{o.org_id}.min_leaders" for o in leader_minima),
                ),
                "the organisations' minimum posts add up to more than max_leadership_posts (C6, C9)",
            )
        )
    # C3 and C4 over the whole structure: capacity of the best `keep` people.
    slack = exact(t.workload_slack or 0)
    work = sum(f.workload_h for f in sc.functions)
    best = sorted((s.fte_h for s in sc.staff), reverse=True)[:keep]
    if Fraction(sum(best)) < (1 + slack) * work:
        # Data names (the workload itself) only when no setting takes part.
        names: tuple[str, ...] = ("targets.workload_slack",) if t.workload_slack else ()
        if not names and not reduction:
            names = ("functions.workload",)
        out.append(
            Failure(
                (*names, *reduction),
                f"the {keep} staff who may stay have at most {sum(best) / 100:.2f} FTE but the "
                f"work needs {float((1 + slack) * work) / 100:.2f} (C3)",
            )
        )
    need: dict[str, int] = defaultdict(int)
    for f in sc.functions:
        if f.skill is not None:
            need[f.skill] += f.workload_h
    for skill, w in need.items():
        holders = sorted(
            (s.fte_h for s in sc.staff if skill in s.skills and s.staff_id not in exit_locked),
            reverse=True,
        )
        if sum(holders) < w:
            out.append(
                Failure(
                    ("functions.skill",),
                    f"skill {skill}: its holders have {sum(holders) / 100:.2f} FTE but its "
                    f"work needs {w / 100:.2f} (C4)",
                )
            )
    # C10: each organisation's reserved work against its own staff.
    reserved: dict[str, int] = defaultdict(int)
    org_fte: dict[str, int] = defaultdict(int)
    for f in sc.functions:
        if f.kind is FunctionKind.RESERVED and f.org_id:
            reserved[f.org_id] += f.workload_h
    for s in sc.staff:
        if s.staff_id not in exit_locked:
            org_fte[sc.unit_org[s.unit_id]] += s.fte_h
    for owner, w in reserved.items():
        if org_fte[owner] < w:
            out.append(
                Failure(
                    ("functions.kind",),
                    f"organisation {owner}'s reserved work needs {w / 100:.2f} FTE of its own "
                    f"staff but it has {org_fte[owner] / 100:.2f} (C10)",
                )
            )
    # C11 quotas and "every department used".
    quota = t.min_lead_tasks or 0
    divided = [f for f in sc.functions if f.kind is FunctionKind.DIVIDED]
    if quota:
        for lead in sc.lead_organizations:
            can = sum(1 for f in divided if lead in f.lead_candidates)
            if can < quota:
                out.append(
                    Failure(
                        ("targets.min_lead_tasks",),
                        f"organisation {lead} may lead {can} divided functions, fewer than "
                        f"min_lead_tasks = {quota} (C11)",
                    )
                )
        if quota * len(sc.lead_organizations) > len(divided):
            out.append(
                Failure(
                    ("targets.min_lead_tasks",),
                    f"{len(sc.lead_organizations)} lead organisations × {quota} tasks exceed the "
                    f"{len(divided)} divided functions (C11)",
                )
            )
    if k > len(sc.functions):
        out.append(
            Failure(
                ("departments.count",),
                f"{k} departments but only {len(sc.functions)} functions: a department would "
                "host no work",
            )
        )
    return out
