"""A restricted model for a fast first plan on large scenarios.

People are only allowed into departments that may host the work of their
current unit (its functions' domains). That is a heuristic restriction — it
can cut off the optimum — so it is used only to find a first plan quickly;
the full model then starts from it (``planner.solve``). A plan of the
restricted model satisfies every constraint of the full one.
"""

from __future__ import annotations

from ortools.sat.python import cp_model

from planner.cpsat.variables import Variables


def home_departments(var: Variables) -> dict[int, set[int]]:
    """Class -> departments that may host some domain of its unit's functions.

    A class whose unit has no functions, or whose work no department may host,
    keeps every department; a department no class would reach is opened to all.
    """
    sc = var.scenario
    domains_of: dict[str, set[str]] = {}
    for f in sc.functions:
        if f.unit_id is not None:
            domains_of.setdefault(f.unit_id, set()).add(f.domain)
    every = set(range(len(sc.departments)))
    allowed: dict[int, set[int]] = {}
    for c in var.classes:
        doms = domains_of.get(c.unit_id, set())
        homes = {d for d, dpt in enumerate(sc.departments) if any(dpt.hosts(g) for g in doms)}
        allowed[c.index] = homes or set(every)
    reached = set().union(*allowed.values()) if allowed else set()
    for d in every - reached:
        for homes in allowed.values():
            homes.add(d)
    return allowed


def restrict_to_homes(model: cp_model.CpModel, var: Variables) -> int:
    """Fix to 0 every class × department cell outside the class's home departments.

    Returns the number of cells fixed.
    """
    fixed = 0
    for c, homes in home_departments(var).items():
        for d in range(len(var.scenario.departments)):
            if d not in homes:
                for x in var.cell(c, d):
                    model.add(x == 0)
                    fixed += 1
    return fixed
