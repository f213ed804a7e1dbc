"""A restricted model for a fast first plan on large scenarios.

People are only allowed into departments that may host the work of their
current unit (its functions' domains): the model creates no variable for
any other class × department cell. That is a heuristic restriction — it can
cut off the optimum — so it is used only to find a first plan quickly; the
full model then starts from it (``planner.solve``). A plan of the restricted
model satisfies every constraint of the full one.
"""

from __future__ import annotations

from models import FunctionKind, Scenario
from planner.cpsat.classes import StaffClass


def home_departments(scenario: Scenario, classes: list[StaffClass]) -> dict[int, set[int]]:
    """Class -> departments that may host some domain of its unit's functions.

    Departments that may host divided work its organisation may lead are homes
    too (C11 needs the lead's staff there). A class whose unit has no functions, or whose work no department may host,
    keeps every department; a department no class would reach is opened to all.
    """
    domains_of: dict[str, set[str]] = {}
    lead_domains: dict[str, set[str]] = {}  # org -> domains of divided work it may lead (C11)
    for f in scenario.functions:
        if f.unit_id is not None:
            domains_of.setdefault(f.unit_id, set()).add(f.domain)
        if f.kind is FunctionKind.DIVIDED:
            for o in f.lead_candidates:
                lead_domains.setdefault(o, set()).add(f.domain)
    every = set(range(len(scenario.departments)))
    allowed: dict[int, set[int]] = {}
    for c in classes:
        doms = domains_of.get(c.unit_id, set()) | lead_domains.get(c.org_id, set())
        homes = {d for d, dpt in enumerate(scenario.departments) if any(dpt.hosts(g) for g in doms)}
        allowed[c.index] = homes or set(every)
    reached: set[int] = set().union(*allowed.values()) if allowed else set()
    for d in every - reached:
        for homes in allowed.values():
            homes.add(d)
    return allowed
