"""End to end through the real command line: the embedded scenarios, exit
codes, the plan folder of SPEC §5, determinism."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PLANNER = [sys.executable, "-m", "planner"]


def planner(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*PLANNER, *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False
    )


def test_province_plan_matches_published_figures(tmp_path):
    out = tmp_path / "plan"
    run = planner(
        "solve", "data/quang_ninh_province", "--out", str(out), "--time-limit", "60", "-q"
    )
    assert run.returncode == 0, run.stderr
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["status"] in ("optimal", "feasible")
    k = summary["kpis"]
    assert (k["units_before"], k["departments_after"]) == (33, 6)
    assert (k["posts_before"], k["posts_after"]) == (87, 18)  # 69 posts removed, as published
    for name in (
        "staff.csv",
        "functions.csv",
        "departments.csv",
        "plan.xlsx",
        "structure.svg",
        "report.html",
    ):
        assert (out / name).is_file(), name
    check = planner("check", "data/quang_ninh_province", str(out))
    assert check.returncode == 0, check.stdout + check.stderr


@pytest.mark.bench
def test_province_proven_optimal(tmp_path):
    out = tmp_path / "plan"
    run = planner(
        "solve", "data/quang_ninh_province", "--out", str(out), "--time-limit", "120", "-q"
    )
    assert run.returncode == 0
    assert json.loads((out / "summary.json").read_text())["status"] == "optimal"


def test_district_reduction_and_income_raise(tmp_path):
    out = tmp_path / "plan"
    run = planner(
        "solve", "data/quang_ninh_district", "--out", str(out), "--time-limit", "60", "-q"
    )
    assert run.returncode == 0, run.stderr
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["status"] == "optimal"
    k = summary["kpis"]
    assert k["reduction"] >= 0.155
    assert k["income_raise_per_head"] >= 1_390_000
    check = planner("check", "data/quang_ninh_district", str(out))
    assert check.returncode == 0
    lines = check.stdout.splitlines()
    assert lines[0] == "ok: the plan satisfies C1–C13; its terms:"
    assert "{" not in check.stdout  # plain lines, not a Python dict
    assert {tuple(line.split()) for line in lines[1:]} == {
        (name, f"{value:,}") for name, value in summary["terms"].items()
    }


def test_progress_in_a_log_file_is_one_line_per_improvement(tmp_path):
    """Piped to a file (not a terminal), each progress report is a line of its own."""
    run = planner("solve", "data/quang_ninh_district", "--out", str(tmp_path / "plan"))
    assert run.returncode == 0, run.stderr
    reports = [line for line in run.stderr.splitlines() if " objective " in line]
    assert reports, run.stderr
    for line in reports:
        assert "\r" not in line and line.count(" objective ") == 1, line
        assert line.strip().split()[1] == "s" and "gap" in line, line


def test_infeasible_exit_code_names_conflicts(tmp_path):
    out = tmp_path / "plan"
    run = planner(
        "solve",
        "data/quang_ninh_district",
        "--out",
        str(out),
        "--set",
        "targets.max_leadership_posts=3",
    )
    assert run.returncode == 3
    assert "targets.max_leadership_posts" in run.stderr
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["status"] == "infeasible"
    assert "targets.max_leadership_posts" in summary["conflicts"]
    assert not (out / "staff.csv").exists()  # no assignment files on infeasible (SPEC §5)


def test_bad_setting_exit_2_and_nothing_written(tmp_path):
    out = tmp_path / "plan"
    run = planner(
        "solve", "data/quang_ninh_district", "--out", str(out), "--set", "targets.min_reduction=2"
    )
    assert run.returncode == 2
    assert "Traceback" not in run.stderr
    assert not out.exists()


def test_deterministic_runs_give_identical_plans(tmp_path):
    files = {}
    for i in range(2):
        out = tmp_path / f"plan{i}"
        run = planner(
            "solve",
            "data/quang_ninh_district",
            "--out",
            str(out),
            "--deterministic",
            "--seed",
            "7",
            "--time-limit",
            "20",
            "-q",
        )
        assert run.returncode == 0, run.stderr
        files[i] = [
            (out / n).read_bytes() for n in ("staff.csv", "functions.csv", "departments.csv")
        ]
    assert files[0] == files[1]


def test_schema_and_validate():
    run = planner("schema")
    assert run.returncode == 0
    assert "Scenario" in json.loads(run.stdout)["title"]
    assert planner("validate", "data/quang_ninh_province").returncode == 0
