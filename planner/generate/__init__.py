"""Synthetic scenarios: ``scenarios`` (the kinds of ``planner generate``), ``packed`` (merged
agencies planted as a human would plan them), ``people`` (what both draw) and
``names_vi`` (Vietnamese vocabulary, from ``planner/data/names_vi.json``).

Uses ``planner.domain`` only; nothing of the search or the checker.
"""
