"""A rule file shared by many scenarios: ``domain:NAME`` of a domain a scenario lacks.

SPEC §2: ``domain:NAME`` is every function of that domain. In a scenario without
that domain the set is empty and the rule holds vacuously: the scenario is valid,
solves, and the reader warns (file, row, column) so that a misspelt domain is seen.
A batch says each distinct warning once. An unknown function id is still an error.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from planner.checking.check import check
from planner.io import InputError, read_scenario, write_scenario
from planner.search.solve import solve
from tests.tiny import person, tiny, work

RULES = "rule,a,b\napart,domain:office,domain:inspection\n"
WARNING = "rules.csv:2:b: no function has domain 'inspection': the rule holds vacuously here"


def _scenario(with_inspection: bool):
    functions = [work("f1", workload=0.5), work("f3", domain="finance", workload=0.5)]
    if with_inspection:
        functions.append(work("f2", domain="inspection", workload=0.5))
    return tiny(
        [person("h1", position="head"), person("h2", position="head"), person("m1")],
        functions,
        departments={"count": 2},
    )


@pytest.fixture
def communes(tmp_path: Path) -> Path:
    """Three scenario folders sharing one rules.csv: one with inspection work, two without."""
    root = tmp_path / "communes"
    for name, inspection in (("with", True), ("without_a", False), ("without_b", False)):
        write_scenario(_scenario(inspection), root / name)
        (root / name / "rules.csv").write_text(RULES, encoding="utf-8")
    return root


def test_shared_rule_file_reads_with_a_located_warning(communes: Path):
    with_ = read_scenario(communes / "with")
    without = read_scenario(communes / "without_a")
    assert with_.warnings == ()
    assert without.warnings == (WARNING,)
    assert len(without.rules) == 1  # kept: it holds vacuously
    for sc in (with_, without):
        result = solve(sc, time_limit=10)
        assert result.status.has_plan, result.status
        assert check(sc, result.plan).ok
    # the rule binds where the domain exists: office and inspection work apart
    plan = solve(with_, time_limit=10).plan
    depts = {f.function_id: f.dept_id for f in plan.functions}
    assert depts["f1"] != depts["f2"]


def test_unknown_function_id_is_still_an_error(communes: Path):
    folder = communes / "without_a"
    (folder / "rules.csv").write_text("rule,a,b\napart,f1,F99\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        read_scenario(folder)
    assert [str(p) for p in exc.value.problems] == ["rules.csv:2:b: unknown function 'F99'"]


def test_cli_validate_solve_and_batch_warn(communes: Path, tmp_path: Path):
    from planner.cli.commands import app

    runner = CliRunner()
    validated = runner.invoke(app, ["validate", str(communes / "without_a")])
    assert validated.exit_code == 0, validated.output
    assert f"warning: {WARNING}" in validated.stderr
    solved = runner.invoke(
        app, ["solve", str(communes / "without_a"), "--out", str(tmp_path / "plan")]
    )
    assert solved.exit_code == 0, solved.output
    assert f"warning: {WARNING}" in solved.stderr
    quiet = runner.invoke(app, ["validate", str(communes / "with")])
    assert quiet.exit_code == 0 and "warning" not in quiet.stderr
    # a batch over all three: every scenario solves, the warning is said once, with file:row
    batch = runner.invoke(
        app,
        [
            "batch",
            str(communes),
            "--out",
            str(tmp_path / "plans"),
            "--workers",
            "1",
            "--tables-only",
        ],
    )
    assert batch.exit_code == 0, batch.output
    assert batch.stderr.count("no function has domain 'inspection'") == 1, batch.stderr
    assert f"warning: {WARNING} (2 scenarios, first without_a)" in batch.stderr
    for name in ("with", "without_a", "without_b"):
        assert (tmp_path / "plans" / name / "summary.json").is_file()


def test_batch_api_reports_each_warning_once(communes: Path, tmp_path: Path):
    from planner.services.batch import batch

    shutil.rmtree(communes / "with")
    said: list[tuple[str, list[str]]] = []
    frame = batch(
        communes,
        out=tmp_path / "plans",
        workers=1,
        exports=False,
        on_warning=lambda m, runs: said.append((m, runs)),
    )
    assert set(frame["status"]) <= {"optimal", "feasible"}
    assert said == [(WARNING, ["without_a", "without_b"])]
