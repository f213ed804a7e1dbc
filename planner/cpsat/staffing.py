"""Staffing constraints: size (C5), leadership (C6), reduction (C7), independence of staff (C9).

Fractional settings are exact decimals p/q (``models.settings.exact``); every
inequality with a share is multiplied out by q so that it stays integral.
"""

from __future__ import annotations

from ortools.sat.python import cp_model

from models import exact
from planner.cpsat.guards import Guards
from planner.cpsat.variables import LinearExpr, Variables


def add_size(model: cp_model.CpModel, var: Variables, guards: Guards) -> None:
    """C5: ``min_staff_d ≤ Σ_c a[c,d] ≤ max_staff_d`` for every department d.

    A department override is named ``departments:D.min_staff``; the scenario
    default ``departments.min_staff`` (likewise ``max_staff``).
    """
    sc = var.scenario
    for d, dpt in enumerate(sc.departments):
        lo, hi, _ = sc.dept_limits(dpt)
        lo_name = (
            f"departments:{dpt.dept_id}.min_staff"
            if dpt.min_staff is not None
            else "departments.min_staff"
        )
        hi_name = (
            f"departments:{dpt.dept_id}.max_staff"
            if dpt.max_staff is not None
            else "departments.max_staff"
        )
        if lo > 0:
            guards.add(model.add(var.headcount(d) >= lo), lo_name)
        guards.add(model.add(var.headcount(d) <= hi), hi_name)


def add_leadership(model: cp_model.CpModel, var: Variables, guards: Guards) -> None:
    """C6: one head, ``min_deputies ≤ deputies ≤ max_deputies``, deputy share, post cap.

    - ``Σ_c h[c,d] = 1`` for every d (only ``can_lead`` classes have h and v);
    - ``min_deputies ≤ Σ_c v[c,d] ≤ max_deputies_d``;
    - ``q · Σ_c v[c,d] ≤ p · headcount_d`` where ``max_deputy_share = p/q``;
    - ``Σ_{c,d} (h + v) ≤ max_leadership_posts``.
    """
    sc = var.scenario
    st = sc.settings
    share = exact(st.departments.max_deputy_share)
    for d, dpt in enumerate(sc.departments):
        heads = [var.h[c.index, d] for c in var.classes if (c.index, d) in var.h]
        guards.add(model.add(sum(heads) == 1), "departments.count")  # one head per department
        _, _, max_dep = sc.dept_limits(dpt)
        dep = var.deputies(d)
        if st.departments.min_deputies > 0:
            guards.add(model.add(dep >= st.departments.min_deputies), "departments.min_deputies")
        name = (
            f"departments:{dpt.dept_id}.max_deputies"
            if dpt.max_deputies is not None
            else "departments.max_deputies"
        )
        guards.add(model.add(dep <= max_dep), name)
        if share < 1:
            guards.add(
                model.add(share.denominator * dep <= share.numerator * var.headcount(d)),
                "departments.max_deputy_share",
                unit=share.denominator,
            )
    cap = st.targets.max_leadership_posts
    if cap is not None:
        guards.add(model.add(var.all_posts() <= cap), "targets.max_leadership_posts")


def add_reduction(model: cp_model.CpModel, var: Variables, guards: Guards) -> None:
    """C7: ``Σ_c (n_c − r[c]) ≥ ceil(min_reduction × N)``; protected classes keep everyone: ``r[c] = n_c``."""
    need = var.scenario.required_exits
    if need > 0:
        guards.add(model.add(var.exits_total() >= need), "targets.min_reduction")
    for c in var.classes:
        if c.protected:
            # Hard in a draft too: a protected person never exits (C7).
            guards.add(model.add(var.r[c.index] == c.size), "staff.protected", weight=None)


def add_independence(model: cp_model.CpModel, var: Variables, guards: Guards) -> None:
    """C9: for every organisation o,

    - ``Σ_{c ∈ o} r[c] ≥ min_staff_o``;
    - ``posts_o = Σ_{c ∈ o, d} (h + v) ≥ min_leaders_o``;
    - ``q · posts_o ≤ p · Σ_{c,d} (h + v)`` where ``max_leader_share = p/q``.
    """
    sc = var.scenario
    share = sc.settings.targets.max_leader_share
    k = len(sc.departments)
    total = var.all_posts()
    for org in sc.organizations:
        mine = [c for c in var.classes if c.org_id == org.org_id]
        if org.min_staff > 0:
            guards.add(
                model.add(LinearExpr.sum([var.r[c.index] for c in mine]) >= org.min_staff),
                f"organizations:{org.org_id}.min_staff",
            )
        posts = LinearExpr.sum(
            [
                p[c.index, d]
                for p in (var.h, var.v)
                for c in mine
                for d in range(k)
                if (c.index, d) in p
            ]
        )
        if org.min_leaders > 0:
            guards.add(
                model.add(posts >= org.min_leaders), f"organizations:{org.org_id}.min_leaders"
            )
        if share is not None and exact(share) < 1:
            p = exact(share)
            guards.add(
                model.add(p.denominator * posts <= p.numerator * total),
                "targets.max_leader_share",
                unit=p.denominator,
            )
