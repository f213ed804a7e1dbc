"""A roadmap's periods as views of the scenario (SPEC §8): one §3 scenario per period.

"In every period t the present staff satisfy §3 C1–C13 with these changes" — the
changes are all settings, so a period is the same tables under the period's
settings. Both the roadmap model (``planner.cpsat.roadmap``) and the roadmap checker
(``planner.checking.check_roadmap``) apply the §3 rules of their own to these views:

- before ``norm_by``: ``departments.max_deputies`` := ``transition_max_deputies``
  (no limit when unset: the staff count), department overrides of max_deputies
  dropped, ``max_deputy_share`` := 1 (does not apply), ``targets.max_leadership_posts``
  := ``transition_max_leadership_posts`` (default: heads + deputies today),
  ``targets.min_income_raise`` unset;
- C7: ``targets.min_reduction`` := r_t, and from ``norm_by`` on the larger of r_t
  and ``targets.min_reduction``: ceil(max(a, b) × N) = max(ceil(a N), ceil(b N));
- staff past their retirement date at the start of period t are not protected in
  the view: protected staff never depart *early*; retiring is not early.

Pure: no solver, no I/O.
"""

from __future__ import annotations

from models import Position, Scenario, exact
from planner.domain.retirement import retirement_period


def norm_applies(scenario: Scenario, t: int) -> bool:
    """From period ``norm_by`` on, §3 holds as written."""
    return t >= scenario.settings.roadmap.norm_period


def posts_today(scenario: Scenario) -> int:
    return sum(s.position is not Position.STAFF for s in scenario.staff)


def reduction_share(scenario: Scenario, t: int) -> float | None:
    """The ``min_reduction`` of period t's view: r_t, or from norm_by the larger with §3's."""
    rm = scenario.settings.roadmap
    shares = [rm.reduction[min(t, len(rm.reduction)) - 1]] if rm.reduction else []
    mr = scenario.settings.targets.min_reduction
    if norm_applies(scenario, t) and mr is not None:
        shares.append(mr)
    shares = [s for s in shares if s > 0]
    return max(shares, key=exact) if shares else None


def reduction_source(scenario: Scenario, t: int) -> str:
    """The setting that sets C7 in period t: ``roadmap.reduction[t]`` or ``targets.min_reduction``."""
    rm = scenario.settings.roadmap
    share = reduction_share(scenario, t)
    if share is not None and rm.reduction and exact(share) == rm.reduction_at(t):
        return f"roadmap.reduction[{min(t, len(rm.reduction))}]"
    return "targets.min_reduction"


def retirement_periods(scenario: Scenario) -> tuple[int, ...]:
    """R of every staff member, in scenario order (``retirement.retirement_period``)."""
    rm = scenario.settings.roadmap
    return tuple(retirement_period(s, rm) for s in scenario.staff)


def period_scenario(scenario: Scenario, t: int, retire: tuple[int, ...] | None = None) -> Scenario:
    """The §3 scenario of period t (module docstring). ``retire``: ``retirement_periods``."""
    st = scenario.settings
    rm = st.roadmap
    targets = st.targets.model_copy(update={"min_reduction": reduction_share(scenario, t)})
    departments = st.departments
    depts = scenario.departments
    if not norm_applies(scenario, t):
        cap = rm.transition_max_deputies
        departments = departments.model_copy(
            update={
                "max_deputies": len(scenario.staff) if cap is None else cap,
                "max_deputy_share": 1.0,
            }
        )
        posts = rm.transition_max_leadership_posts
        targets = targets.model_copy(
            update={
                "max_leadership_posts": posts_today(scenario) if posts is None else posts,
                "min_income_raise": None,
            }
        )
        depts = tuple(d.model_copy(update={"max_deputies": None}) for d in depts)
    settings = st.model_copy(update={"targets": targets, "departments": departments})
    R = retirement_periods(scenario) if retire is None else retire
    staff = tuple(
        s.model_copy(update={"protected": False}) if s.protected and R[i] <= t else s
        for i, s in enumerate(scenario.staff)
    )
    return Scenario.model_construct(
        settings=settings,
        organizations=scenario.organizations,
        units=scenario.units,
        staff=staff,
        functions=scenario.functions,
        departments=depts,
        rules=scenario.rules,
        locks=scenario.locks,
        departments_given=scenario.departments_given,
    )
