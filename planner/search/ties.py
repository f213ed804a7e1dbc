"""Plans that tie with a plan: the same figures, other people in the posts.

The model counts people in classes of interchangeable staff (``planner.cpsat.classes``:
the same unit, post, required skills, working time, ``can_lead``, ``retiring`` and
``protected``, and no lock). Within a class, two people can trade places without
changing any constraint or term of the objective when

* both stay, in different departments or roles (the payroll counts the same two
  salaries, the allowances go with the roles), or
* one stays and one leaves and their salaries are equal (the payroll is the same).

Each such pair is another plan with exactly the same figures. The solver's extraction
always picks the same way (the cheapest members stay, then by ``staff_id``), so a
solve does not choose among them at random; this module counts them so that the app
can say that they exist. Ties between different *numbers* of people per class are not
counted: only a second search with the objective fixed could find those.
"""

from __future__ import annotations

from dataclasses import dataclass

from models import Plan, Role, Scenario
from planner.cpsat.classes import staff_classes


@dataclass(frozen=True)
class Ties:
    """Classes of interchangeable people in which a swap gives another, equally good plan."""

    classes: int
    """Classes with at least one such swap."""
    people: int
    """People in those classes."""

    @property
    def any(self) -> bool:
        return self.classes > 0


def ties(scenario: Scenario, plan: Plan) -> Ties:
    """Count the swaps of interchangeable people that leave every figure of ``plan`` as it is."""
    where = {a.staff_id: a for a in plan.staff}
    classes = people = 0
    for c in staff_classes(scenario):
        if c.size < 2:
            continue
        places: set[tuple[str | None, Role]] = set()
        stay_pay: set[int] = set()
        exit_pay: set[int] = set()
        for i, salary in zip(c.members, c.salaries, strict=True):
            a = where.get(scenario.staff[i].staff_id)
            if a is None:
                continue
            if a.role is Role.EXIT:
                exit_pay.add(salary)
            else:
                places.add((a.dept_id, a.role))
                stay_pay.add(salary)
        if len(places) >= 2 or stay_pay & exit_pay:
            classes += 1
            people += c.size
    return Ties(classes=classes, people=people)
