"""SPEC §8 input: the new staff columns, ``[roadmap]``, and the retirement calendar."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from models import Gender, RoadmapSettings, Settings
from planner.domain.retirement import (
    add_months,
    first_rate_applies,
    package,
    period_start,
    retirement_date,
    retirement_period,
    statutory_date,
)
from planner.io import read_scenario
from tests.fixtures.scenario_files import copy_tiny, problem_lines, read_table, write_table
from tests.tiny import person

VN = RoadmapSettings()


def add_columns(folder: Path, columns: dict[str, list[str]]) -> None:
    """Add columns to the tiny staff.csv (one value per data row, '' for empty)."""
    records = read_table(folder, "staff")
    for name, values in columns.items():
        records[0].append(name)
        for i, record in enumerate(records[1:]):
            record.append(values[i] if i < len(values) else "")
    write_table(folder, "staff", records)


def test_new_columns_are_read(tmp_path: Path) -> None:
    folder = copy_tiny(tmp_path)
    add_columns(
        folder,
        {
            "birth_date": ["1964-03-31", "1980-12-01"],
            "gender": ["M", "f"],
            "service_years": ["30.25", "12"],
            "retires_on": ["", "2027-01-01"],
        },
    )
    (folder / "scenario.toml").write_text(
        (folder / "scenario.toml").read_text(encoding="utf-8")
        + '\n[roadmap]\nstart = "2025-07-01"\nperiods = 3\nnorm_by = 2\nreduction = [0.05, 0.1]\n'
        "[roadmap.package]\nfirst_rate = 1.0\n",
        encoding="utf-8",
    )
    sc = read_scenario(folder)
    a, b = sc.staff[0], sc.staff[1]
    assert (a.birth_date, a.gender, a.service_years) == (date(1964, 3, 31), Gender.M, 30.25)
    assert a.service_halves == 61  # 30.25 rounds up to 30.5
    assert b.retires_on == date(2027, 1, 1) and b.gender is Gender.F
    rm = sc.settings.roadmap
    assert (rm.periods, rm.norm_period, rm.reduction, rm.package.first_rate) == (
        3,
        2,
        (0.05, 0.1),
        1.0,
    )
    assert sc.staff[2].birth_date is None and sc.staff[2].service_years == 0


def test_every_bad_roadmap_input_is_reported_at_once(tmp_path: Path) -> None:
    folder = copy_tiny(tmp_path)
    add_columns(
        folder,
        {
            "birth_date": ["2999-01-01", "31/12/1970", "19700101"],
            "gender": ["x", "m", "f"],
            "service_years": ["-1", "", ""],
        },
    )
    toml = (folder / "scenario.toml").read_text(encoding="utf-8")
    (folder / "scenario.toml").write_text(
        toml + "\n[roadmap]\nperiods = 3\nnorm_by = 4\nreduction = [0.2, 0.1]\n",
        encoding="utf-8",
    )
    lines = problem_lines(folder)
    text = "\n".join(lines)
    assert "staff.csv:2:birth_date: birth date 2999-01-01 is in the future" in text
    assert "staff.csv:3:birth_date: not a date: write YYYY-MM-DD" in text
    assert "staff.csv:4:birth_date: not a date: write YYYY-MM-DD" in text
    assert "staff.csv:2:gender: 'x' is not one of: m, f" in text
    assert "staff.csv:2:service_years:" in text and "greater than or equal to 0" in text
    n = toml.count("\n") + 1
    assert any(
        line.startswith(f"scenario.toml:{n + 3}:roadmap.norm_by:")
        and "after the last period" in line
        for line in lines
    ), lines
    assert any(
        line.startswith(f"scenario.toml:{n + 4}:roadmap.reduction:") and "must not decrease" in line
        for line in lines
    ), lines


def test_reduction_share_above_one(tmp_path: Path) -> None:
    folder = copy_tiny(tmp_path)
    toml = (folder / "scenario.toml").read_text(encoding="utf-8")
    (folder / "scenario.toml").write_text(
        toml + "\n[roadmap]\nreduction = [0.1, 1.5]\n", encoding="utf-8"
    )
    n = toml.count("\n") + 1
    lines = problem_lines(folder)
    assert any(
        line.startswith(f"scenario.toml:{n + 2}:roadmap.reduction:")
        and "less than or equal to 1" in line
        for line in lines
    ), lines


def test_package_sub_table_key_is_located(tmp_path: Path) -> None:
    folder = copy_tiny(tmp_path)
    toml = (folder / "scenario.toml").read_text(encoding="utf-8")
    (folder / "scenario.toml").write_text(
        toml + "\n[roadmap.package]\nfirst_rate = -1\n", encoding="utf-8"
    )
    n = toml.count("\n") + 1
    lines = problem_lines(folder)
    assert any(
        line.startswith(f"scenario.toml:{n + 2}:roadmap.package.first_rate:") for line in lines
    )


def test_set_reaches_sub_tables() -> None:
    s = Settings().with_overrides({"roadmap.package.later_rate": 0.5, "roadmap.norm_by": 2})
    assert s.roadmap.package.later_rate == 0.5 and s.roadmap.norm_by == 2
    with pytest.raises(ValueError, match=r"keys of \[roadmap.package\]"):
        Settings().with_overrides({"roadmap.package.nope": 1})


# -- the calendar -----------------------------------------------------------------


def test_adding_months_takes_the_last_day_of_a_shorter_month() -> None:
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2023, 1, 31), 1) == date(2023, 2, 28)
    assert add_months(date(2025, 11, 30), 3) == date(2026, 2, 28)
    assert add_months(date(2025, 7, 1), 60) == date(2030, 7, 1)


@pytest.mark.parametrize(
    ("born", "gender", "expected", "why"),
    [
        # 2021: 60y3m -> 2022-01-31 is not in 2021; 2022: 60y6m -> 2022-04-31 = 04-30
        (date(1961, 10, 31), "m", date(2022, 4, 30), "year boundary, end of month"),
        # 2022: 60y6m -> 2023-06 (not 2022); 2023: 60y9m -> 2023-09-30
        (date(1962, 12, 31), "m", date(2023, 9, 30), "December birth"),
        # 2028: 62y (cap reached) -> 2028-05-10
        (date(1966, 5, 10), "m", date(2028, 5, 10), "men's cap reached in 2028"),
        # 2027: 61y9m -> 2028-10 (not 2027); 2028: 62y -> 2029-01 (not 2028); 2029: 62y
        (date(1967, 1, 15), "m", date(2029, 1, 15), "after the cap, 62 years"),
        # 2034: 55y + 56m = 59y8m -> 2034-09-20
        (date(1975, 1, 20), "f", date(2034, 9, 20), "women just before the 2035 cap"),
        # 2035: 60y (cap) -> 2035-06-15; 2034: 59y8m -> 2035-02 (not 2034)
        (date(1975, 6, 15), "f", date(2035, 6, 15), "women's cap reached in 2035"),
        # 2020 and before: 55 years
        (date(1964, 2, 29), "f", date(2019, 2, 28), "leap day, 55 years before 2021"),
        # 2021: 55y4m -> 2021-06-10
        (date(1966, 2, 10), "f", date(2021, 6, 10), "first step for women"),
    ],
)
def test_statutory_schedule_edges(born: date, gender: str, expected: date, why: str) -> None:
    assert statutory_date(born, Gender(gender), VN) == expected, why


def test_fixed_schedule_and_overrides() -> None:
    fixed = RoadmapSettings(retirement="fixed", retirement_age_m=60, retirement_age_f=58)
    assert statutory_date(date(1970, 8, 31), Gender.M, fixed) == date(2030, 8, 31)
    assert statutory_date(date(1970, 8, 31), Gender.F, fixed) == date(2028, 8, 31)
    p = person("X", birth_date="1970-08-31", gender="f", retires_on="2026-01-01")
    assert retirement_date(p, VN) == date(2026, 1, 1)  # retires_on wins
    r = person("Y", retiring=True)
    assert retirement_date(r, VN) == period_start(VN, 2) == date(2026, 7, 1)
    assert retirement_date(person("Z"), VN) is None


def test_retirement_period_is_the_first_start_on_or_after_the_date() -> None:
    assert retirement_period(person("A", retires_on="2026-07-01"), VN) == 2  # on the start
    assert retirement_period(person("B", retires_on="2026-07-02"), VN) == 3
    assert retirement_period(person("C", retires_on="2025-07-01"), VN) == 1
    assert retirement_period(person("D", retires_on="2031-01-01"), VN) == 6  # T + 1
    assert retirement_period(person("E"), VN) == 6


def test_package_formula_exact() -> None:
    p = person("P", salary=10_000_000, service_years=10.2)  # rounds to 10.0
    # period 1: first rate: 0.8 × min(60, 120) + 1.5 × 10 + 3 = 66 months -> 660,000 thousand
    assert package(p, VN, 1) == 660_000
    # period 2 starts 12 months after start: later rate; s = 11: 0.4 × 60 + 16.5 + 3 = 43.5
    assert first_rate_applies(VN, 1) and not first_rate_applies(VN, 2)
    assert package(p, VN, 2) == 435_000
    q = person("Q", salary=7_777_777, service_years=2.75)  # 3.0 (a quarter up from 2.75)
    # 0.8 × 36 + 4.5 + 3 = 36.3 months × 7,777,777 / 1000 = 282,333.3 -> 282,333
    assert package(q, VN, 1) == 282_333
    half = RoadmapSettings(months=6)
    # months = 6: period 2 starts 6 months after start: still the first rate; s = 3.5
    assert first_rate_applies(half, 2)
    # 0.8 × min(60, 42) + 1.5 × 3.5 + 3 = 41.85 months: 325,499.967… -> 325,499
    assert package(q, half, 2) == 325_499
