"""``benchmarks/gap_terms.py``: the LP relaxation's terms beside a plan's (docs/bound.md §3)."""

from __future__ import annotations

from benchmarks.gap_terms import load, lp_terms

DISTRICT_OPTIMUM = 234_197  # proven by CP-SAT, 0.24-0.8 s (docs/bound.md)


def test_district_lp_terms_add_up_to_the_lp_and_stay_below_the_optimum():
    sc = load("district")
    value, terms = lp_terms(sc, time_limit=30)
    assert value is not None
    assert 234_046 <= value <= DISTRICT_OPTIMUM  # the LP is 234,046.4 (docs/bound.md)
    weights = sc.settings.objective.weights()
    assert set(terms) == set(weights)
    # the weighted sum of the LP's term values is the LP's objective
    assert abs(sum(weights[t] * v for t, v in terms.items()) - value) < 1
