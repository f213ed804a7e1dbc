"""Retirement dates and the calendar of a roadmap (SPEC §8), as pure functions.

Used alike by the roadmap model (``planner.cpsat.roadmap``) and the independent
checker (``planner.checking.check_roadmap``): only dates and integers, no solver.

Date arithmetic (§8): adding m months to a date keeps its day, or takes the last
day of the target month when that month is shorter (2024-01-31 + 1 month =
2024-02-29).

Statutory age A(Y) for the year Y of retirement (``retirement = "vn-2019"``,
Labour Code 2019 art. 169, Decree 135/2020), in months:

- men:   60 years + 3 months × max(0, Y − 2020), at most 62 years (reached in 2028);
- women: 55 years + 4 months × max(0, Y − 2020), at most 60 years (reached in 2035).

``retirement = "fixed"``: A = ``retirement_age_m`` or ``retirement_age_f`` years.
The retirement date is the earliest ``birth_date + A(Y)`` that falls in year Y.
"""

from __future__ import annotations

import calendar
import math
from datetime import date
from fractions import Fraction

from models import Gender, RetirementSchedule, RoadmapSettings, Staff, exact


def add_months(day: date, months: int) -> date:
    """``day + months`` months: the same day, or the last day of a shorter target month."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def statutory_age_months(gender: Gender, year: int, settings: RoadmapSettings) -> int:
    """A(Y) in months for a person of ``gender`` retiring in ``year``."""
    if settings.retirement is RetirementSchedule.FIXED:
        years = settings.retirement_age_m if gender is Gender.M else settings.retirement_age_f
        return 12 * years
    steps = max(0, year - 2020)
    if gender is Gender.M:
        return min(60 * 12 + 3 * steps, 62 * 12)
    return min(55 * 12 + 4 * steps, 60 * 12)


def statutory_date(birth: date, gender: Gender, settings: RoadmapSettings) -> date:
    """The earliest ``birth + A(Y)`` that falls in year Y.

    A(Y) never decreases with Y, and rises by at most 4 months a year, so the
    candidate years are the year reached with the youngest age and the next few;
    the first Y whose date falls in Y is the answer.
    """
    youngest = statutory_age_months(gender, 0, settings)  # A at its lowest
    first = add_months(birth, youngest).year
    for year in range(first, first + 200):
        day = add_months(birth, statutory_age_months(gender, year, settings))
        if day.year == year:
            return day
        if day.year < year:  # A(Y) capped: every later year gives this same date
            return day
    raise ValueError("no retirement year found")  # unreachable: A(Y) is capped


def retirement_date(person: Staff, settings: RoadmapSettings) -> date | None:
    """§8: ``retires_on``; else the statutory date from birth_date and gender; else, for
    ``retiring = true``, the start of period 2; else None (none within the horizon)."""
    if person.retires_on is not None:
        return person.retires_on
    if person.birth_date is not None and person.gender is not None:
        return statutory_date(person.birth_date, person.gender, settings)
    if person.retiring:
        return period_start(settings, 2)
    return None


def period_start(settings: RoadmapSettings, t: int) -> date:
    """Period t (1-based) starts at ``start + (t − 1) × months``."""
    return add_months(settings.start, (t - 1) * settings.months)


def retirement_period(person: Staff, settings: RoadmapSettings) -> int:
    """R: the first period t whose start is on or after the retirement date (T + 1 if none).

    The person may be present in periods 1 … R − 1 only; a departure at R is a retirement.
    """
    day = retirement_date(person, settings)
    if day is None:
        return settings.periods + 1
    for t in range(1, settings.periods + 1):
        if day <= period_start(settings, t):
            return t
    return settings.periods + 1


def first_rate_applies(settings: RoadmapSettings, e: int) -> bool:
    """``first_rate`` for a departure at period e: e starts < 12 months after ``start``."""
    return period_start(settings, e) < add_months(settings.start, 12)


def service_at(person: Staff, settings: RoadmapSettings, e: int) -> Fraction:
    """s_e = service_years (rounded to a half, a quarter up) + (e − 1) × months / 12."""
    return Fraction(person.service_halves, 2) + Fraction((e - 1) * settings.months, 12)


def package(person: Staff, settings: RoadmapSettings, e: int) -> int:
    """The exit package (thousands) of leaving early at the start of period e (§8):

    ``floor(salary × (rate_e × min(cap_months, 12 s_e) + per_service_year × s_e
    + fixed_months) / 1000)``, exact arithmetic.
    """
    p = settings.package
    s = service_at(person, settings, e)
    rate = exact(p.first_rate if first_rate_applies(settings, e) else p.later_rate)
    months = rate * min(Fraction(p.cap_months), 12 * s) + exact(p.per_service_year) * s
    months += exact(p.fixed_months)
    return math.floor(person.salary * months / 1000)
