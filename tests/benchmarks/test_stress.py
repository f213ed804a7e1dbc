"""benchmarks.stress: the section counts plans, checks and objectives against the known plan."""

from __future__ import annotations

from benchmarks.stress import MARKS, section


def test_section_counts_what_passed_and_marks_failures():
    rows = [
        {"source": "a", "variant": "all", "staff": 2_000, "limit_s": 10.0, "status": "feasible",
         "first_s": 0.4, "runtime_s": 10.0, "objective": 99, "known": 100, "check_ok": True},
        {"source": "a", "variant": "posts", "staff": 2_000, "limit_s": 10.0, "status": "feasible",
         "first_s": 1.2, "runtime_s": 10.0, "objective": 103, "known": 100, "check_ok": False},
        {"source": "b", "variant": "all", "staff": 7_000, "limit_s": 30.0, "status": "timeout",
         "first_s": None, "runtime_s": 30.1, "objective": None, "known": 100, "check_ok": None},
    ]  # fmt: skip
    lines = section(rows, "python -m benchmarks.stress")
    text = "\n".join(lines)
    assert lines[0] == MARKS[0] and lines[-1] == MARKS[1]
    assert "**1 of 3** got a checked plan" in text
    assert "1 of 1 at or below the known plan" in text
    assert "| a | posts | 2,000 | 10 | feasible | 1.20 | 103 | 100 | +3.00% | **FAILED** |" in text
    assert "| b | all | 7,000 | 30 | timeout | — | — | 100 | — | no plan |" in text
