"""Sweeps and batches (planner.services.batch, planner sweep / planner batch).

The sweep scenario is small enough to derive every run by hand: one department,
a head (10,000 thousand) and three members (3,000, 4,000 and 5,000 thousand),
one function of 2.5 FTE, weights payroll 1 and involuntary_exits 1,000.

| run | min_reduction | workload_slack | needs | best | objective |
|---|---|---|---|---|---|
| 1 | 0    | 0    | 3 people         | c leaves: 17,000 + 1 x 1,000 | 18,000 |
| 2 | 0    | 0.25 | 3.125 FTE: all 4 | nobody leaves: 22,000        | 22,000 |
| 3 | 0.25 | 0    | 1 exit, 3 people | as run 1                     | 18,000 |
| 4 | 0.25 | 0.25 | 1 exit, 4 people | infeasible                   |        |
| 5 | 0.5  | 0    | 2 exits, 3 people| infeasible                   |        |
| 6 | 0.5  | 0.25 | 2 exits, 4 people| infeasible                   |        |
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal
from typer.testing import CliRunner

from planner.cli.batch import parse_grid, split_values
from planner.cli.commands import app
from planner.io import read_scenario, write_scenario
from planner.services.batch import batch, expand_grid, plan_sweep, sweep
from tests.tiny import person, tiny, work

GRID = {"targets.min_reduction": [0, 0.25, 0.5], "targets.workload_slack": [0, 0.25]}
EXPECTED = [
    ("optimal", 18_000),
    ("optimal", 22_000),
    ("optimal", 18_000),
    ("infeasible", None),
    ("infeasible", None),
    ("infeasible", None),
]
VOLATILE = ("runtime", "elapsed", "folder")  # wall-clock times; folders of two outputs differ


def sweep_scenario():
    staff = [
        person("h", position="head", salary=10_000_000),
        person("a", salary=3_000_000),
        person("b", salary=4_000_000),
        person("c", salary=5_000_000),
    ]
    return tiny(
        staff,
        [work("f1", workload=2.5)],
        weights={"payroll": 1, "involuntary_exits": 1_000},
        solver={"deterministic": True},
    )


class Counter:
    """on_progress that counts solved and resumed runs."""

    def __init__(self) -> None:
        self.solved = self.resumed = 0

    def __call__(self, done: int, total: int, row: dict, resumed: bool) -> None:
        if resumed:
            self.resumed += 1
        else:
            self.solved += 1


def check_sweep(frame: pl.DataFrame, out: Path) -> None:
    assert frame["run"].to_list() == [f"run_{i:04d}" for i in range(1, 7)]
    assert list(zip(frame["status"], frame["objective"], strict=True)) == EXPECTED
    assert frame["targets.min_reduction"].to_list() == [0, 0, 0.25, 0.25, 0.5, 0.5]
    assert frame["term.payroll"].to_list()[:3] == [17_000, 22_000, 17_000]
    assert frame["kpi.exits"].to_list()[:3] == [1, 0, 1]
    assert all("targets.min_reduction" in c.split(";") for c in frame["conflicts"][3:])
    assert frame["folder"].to_list() == ["run_0001", "run_0002", "run_0003", None, None, None]
    for name in ("run_0001", "run_0002", "run_0003"):
        assert (out / name / "summary.json").is_file() and (out / name / "staff.csv").is_file()
    assert not (out / "run_0004").exists()
    assert_frame_equal(pl.read_parquet(out / "results.parquet"), frame)
    assert pl.read_csv(out / "results.csv").height == 6


@pytest.fixture(scope="module")
def cluster():
    """Two Dask worker processes on this machine only."""
    from dask.distributed import LocalCluster

    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    ) as local_cluster:
        yield local_cluster


def test_sweep_local_processes_and_dask_give_identical_tables(tmp_path, cluster):
    from dask.distributed import Client

    scenario = sweep_scenario()
    local = sweep(scenario, GRID, out=tmp_path / "local", workers=2, exports=False)
    check_sweep(local, tmp_path / "local")
    with Client(cluster) as client:
        on_dask = sweep(
            scenario, GRID, out=tmp_path / "dask", executor=client.get_executor(), exports=False
        )
    check_sweep(on_dask, tmp_path / "dask")
    assert_frame_equal(local.drop(VOLATILE), on_dask.drop(VOLATILE))


def test_sweep_cli_on_a_dask_scheduler(tmp_path, cluster):
    write_scenario(sweep_scenario(), tmp_path / "sc")
    args = ["sweep", str(tmp_path / "sc"), "--grid", "targets.min_reduction=0,0.25,0.5"]
    args += ["--grid", "targets.workload_slack=0,0.25", "--out", str(tmp_path / "out")]
    result = CliRunner().invoke(app, [*args, "--scheduler", cluster.scheduler_address, "--json"])
    assert result.exit_code == 0, result.output
    assert [(r["status"], r["objective"]) for r in json.loads(result.stdout)] == EXPECTED


def test_sweep_resumes_finished_runs(tmp_path):
    scenario = sweep_scenario()
    first, again, after_loss = Counter(), Counter(), Counter()
    frame = sweep(scenario, GRID, out=tmp_path, workers=1, on_progress=first)
    assert (first.solved, first.resumed) == (6, 0)
    assert (tmp_path / "run_0001" / "report.html").is_file()  # full plan folder by default

    repeated = sweep(scenario, GRID, out=tmp_path, workers=1, on_progress=again)
    assert (again.solved, again.resumed) == (0, 6)
    assert_frame_equal(frame, repeated)

    shutil.rmtree(tmp_path / "run_0002")  # a lost plan folder is solved again, nothing else
    sweep(scenario, GRID, out=tmp_path, workers=1, on_progress=after_loss)
    assert (after_loss.solved, after_loss.resumed) == (1, 5)
    assert (tmp_path / "run_0002" / "summary.json").is_file()

    other = Counter()  # another time limit is another run: nothing is reused
    sweep(
        scenario,
        {"targets.min_reduction": [0]},
        out=tmp_path / "t",
        workers=1,
        time_limit=5,
        on_progress=other,
    )
    assert other.solved == 1


def test_batch_of_generated_communes(tmp_path):
    from planner.generate.scenarios import generate_many

    communes = dict(generate_many("commune", 3, seed=7))
    for name, sc in communes.items():
        write_scenario(sc, tmp_path / "in" / name)
    frame = batch(tmp_path / "in", out=tmp_path / "out", workers=2, exports=False)
    assert frame["scenario"].to_list() == sorted(communes)
    assert frame["status"].to_list() == ["optimal"] * 3
    assert frame["folder"].to_list() == sorted(communes)
    result = CliRunner().invoke(
        app,
        [
            "check",
            str(tmp_path / "in" / frame["scenario"][0]),
            str(tmp_path / "out" / frame["folder"][0]),
        ],
    )
    assert result.exit_code == 0, result.output

    # The same scenarios given in memory (solved in this process) give the same rows.
    in_memory = batch(communes, out=tmp_path / "mem", workers=1, exports=False)
    assert_frame_equal(frame.drop(VOLATILE), in_memory.drop(VOLATILE))

    counter = Counter()
    batch(tmp_path / "in", out=tmp_path / "out", workers=2, on_progress=counter)
    assert (counter.solved, counter.resumed) == (0, 3)


def test_batch_cli_reports_an_unreadable_scenario_and_solves_the_rest(tmp_path):
    write_scenario(sweep_scenario(), tmp_path / "in" / "good")
    (tmp_path / "in" / "broken").mkdir()
    (tmp_path / "in" / "broken" / "scenario.toml").write_text(
        "[scenario]\nname = 'x'\n", encoding="utf-8"
    )
    result = CliRunner().invoke(
        app,
        ["batch", str(tmp_path / "in"), "--out", str(tmp_path / "out"), "--workers", "1", "--json"],
    )
    assert result.exit_code == 2, result.output
    rows = {r["scenario"]: r for r in json.loads(result.stdout)}
    assert rows["good"]["status"] == "optimal"
    assert rows["broken"]["status"] == "bad_input" and "organizations" in rows["broken"]["error"]


def test_sweep_cli(tmp_path):
    write_scenario(sweep_scenario(), tmp_path / "sc")
    args = [
        "sweep",
        str(tmp_path / "sc"),
        "--grid",
        "targets.min_reduction=0,0.25,0.5",
        "--grid",
        "targets.workload_slack=0,0.25",
        "--out",
        str(tmp_path / "out"),
        "--workers",
        "1",
    ]
    result = CliRunner().invoke(app, [*args, "--tables-only"])
    assert result.exit_code == 0, result.output  # infeasible runs are results, not failures
    # Both settings take part: each alone is feasible (run_0002, run_0003).
    assert "run_0004 infeasible: targets.workload_slack, targets.min_reduction" in result.stdout
    assert "3 optimal, 3 infeasible" in result.stdout
    result = CliRunner().invoke(app, [*args, "--json"])
    assert result.exit_code == 0
    assert [(r["status"], r["objective"]) for r in json.loads(result.stdout)] == EXPECTED
    assert (
        read_scenario(tmp_path / "out" / "run_0001" / "scenario").settings.targets.min_reduction
        == 0
    )


@pytest.mark.parametrize(
    ("grid", "message"),
    [
        (["targets.nope=1,2"], "unknown setting 'targets.nope'"),
        (["solverx.seed=1"], "unknown setting 'solverx.seed'"),
        (["targets.min_reduction=0,2"], "targets.min_reduction=2"),
        (["targets.min_reduction"], "expected section.key=v1,v2"),
        (["targets.min_reduction=0", "targets.min_reduction=1"], "given twice"),
    ],
)
def test_sweep_cli_bad_grid_exits_2(tmp_path, grid, message):
    write_scenario(sweep_scenario(), tmp_path / "sc")
    args = ["sweep", str(tmp_path / "sc"), "--out", str(tmp_path / "out")]
    for item in grid:
        args += ["--grid", item]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert not (tmp_path / "out").exists()  # nothing solved, nothing written


def test_sweep_cli_bad_time_limit_exits_2(tmp_path):
    write_scenario(sweep_scenario(), tmp_path / "sc")
    args = ["sweep", str(tmp_path / "sc"), "--grid", "solver.seed=1,2", "--time-limit", "-1"]
    result = CliRunner().invoke(app, [*args, "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "solver.time_limit" in result.stderr


def test_batch_cli_without_scenarios_exits_2(tmp_path):
    result = CliRunner().invoke(app, ["batch", str(tmp_path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "no scenario folders" in result.stderr


def test_run_hashes_follow_content_not_position():
    scenario = sweep_scenario()
    runs = plan_sweep(scenario, {"solver.workers": [1, 2], "targets.min_reduction": [0, 0.0]})
    assert len({r.run_hash for r in runs}) == 2  # 0 and 0.0 are the same setting
    assert runs[0].run_hash != runs[2].run_hash  # workers named in the grid are part of the run
    alone = plan_sweep(scenario, {"targets.min_reduction": [0]})[0]
    shifted = plan_sweep(scenario, {"targets.min_reduction": [0.5, 0]})[1]
    assert (shifted.name, shifted.run_hash) == ("run_0002", alone.run_hash)
    timed = plan_sweep(scenario, {"targets.min_reduction": [0]}, time_limit=3)[0]
    assert timed.run_hash != alone.run_hash


def test_grid_order_and_parsing():
    assert expand_grid({"a.x": [1, 2], "b.y": ["p", "q"]}) == [
        {"a.x": 1, "b.y": "p"},
        {"a.x": 1, "b.y": "q"},
        {"a.x": 2, "b.y": "p"},
        {"a.x": 2, "b.y": "q"},
    ]
    assert split_values('0, 0.1,[1,2],"a,b"') == ["0", "0.1", "[1,2]", '"a,b"']
    assert parse_grid(
        ["objective.priority=['payroll'],['disruption','payroll']", "solver.seed=1,2"]
    ) == {"objective.priority": [["payroll"], ["disruption", "payroll"]], "solver.seed": [1, 2]}


@pytest.mark.bench
def test_province_sweep_local_and_dask_identical(tmp_path, cluster):
    """The Quảng Ninh province under 6 settings, local processes and a Dask cluster (~2 min)."""
    from dask.distributed import Client

    folder = Path(__file__).parents[2] / "data" / "quang_ninh_province"
    if not folder.is_dir():
        pytest.skip("data/quang_ninh_province is missing")
    scenario = read_scenario(folder)
    scenario = scenario.with_settings(
        scenario.settings.with_overrides({"solver.deterministic": True})
    )
    grid = {"targets.min_reduction": [0.05, 0.1, 0.155], "targets.max_leadership_posts": [18, 24]}
    local = sweep(scenario, grid, out=tmp_path / "local", workers=2, time_limit=2, exports=False)
    with Client(cluster) as client:
        on_dask = sweep(
            scenario,
            grid,
            out=tmp_path / "dask",
            executor=client.get_executor(),
            time_limit=2,
            exports=False,
        )
    assert local.height == 6
    assert local["status"].is_in(["optimal", "feasible"]).all()
    assert_frame_equal(local.drop(VOLATILE), on_dask.drop(VOLATILE))
