"""What the command line prints for people and for scripts: tables piped to ``grep`` are
never wrapped, every row is printed, problems name the whole path."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path

import polars as pl
from rich.console import Console
from typer.testing import CliRunner

from planner.cli.commands import app
from planner.cli.common import PIPED_WIDTH
from planner.cli.tradeoffs import price_table
from planner.tradeoffs.price import PRICE_SCHEMA

ROOT = Path(__file__).resolve().parents[2]
PLANNER = [sys.executable, "-m", "planner"]


def planner(*args: str) -> subprocess.CompletedProcess[str]:
    """The real command line, its output piped (not a terminal), as a script sees it."""
    return subprocess.run(
        [*PLANNER, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        stdin=subprocess.DEVNULL,  # no terminal anywhere: rich would take its width
    )


def test_a_piped_table_keeps_each_row_on_one_line(tmp_path: Path) -> None:
    # `planner workspace list | grep NAME` found nothing: rich drew the table 80 columns
    # wide when stdout was not a terminal, and the long name wrapped over three lines.
    db = f"sqlite:///{tmp_path / 'ws.db'}"
    name = "district-variant-" + "with-a-very-long-name-" * 4 + "end"
    saved = planner("workspace", "save", "data/quang_ninh_district", "--name", name, "--db", db)
    assert saved.returncode == 0, saved.stderr
    listed = planner("workspace", "list", "--db", db)
    assert listed.returncode == 0, listed.stderr
    assert [line for line in listed.stdout.splitlines() if name in line], listed.stdout


def test_every_command_module_prints_through_the_shared_consoles() -> None:
    """Piped width is decided once, in cli.common; a console of a module's own would not be."""
    paths = sorted((ROOT / "planner" / "cli").glob("*.py"))
    assert len(paths) > 2
    for path in paths:
        if path.name != "common.py":
            assert "Console(" not in path.read_text(encoding="utf-8"), path.name


def test_the_price_table_has_every_row() -> None:
    # `planner price` printed the 10 binding rows of 23 and only named the others.
    rows = [
        {
            "setting": f"setting_{i:02d}",
            "current": "1",
            "relaxed": "2",
            "objective": 100,
            "objective_relaxed": 100 - (i if i < 10 else 0),
            "saving": i if i < 10 else 0,
            "binding": 0 < i < 10,
            "changed": "payroll" if 0 < i < 10 else "",
            "status": "optimal",
            "proven": True,
            "note": "",
        }
        for i in range(23)
    ]
    frame = pl.DataFrame(rows, schema=PRICE_SCHEMA)
    screen = io.StringIO()
    Console(file=screen, width=PIPED_WIDTH).print(price_table(frame))
    shown = re.findall(r"setting_\d\d", screen.getvalue())
    assert sorted(shown) == [f"setting_{i:02d}" for i in range(23)]
    assert shown[:9] == [f"setting_{i:02d}" for i in range(1, 10)]  # the binding ones first


def test_a_missing_scenario_folder_is_named_in_full(tmp_path: Path) -> None:
    # It said `no_such_place:0:-: not a scenario folder`: which no_such_place?
    where = tmp_path / "somewhere" / "no_such_place"
    result = CliRunner().invoke(app, ["validate", str(where)])
    assert result.exit_code == 2
    assert f"{where}:0:-: not a scenario folder: no such folder" in result.output


def test_infeasible_without_named_conflicts_says_what_to_try(capsys):
    """A proven infeasibility whose explanation named nothing in time (a roadmap where the
    only holder of a needed skill retires) must not print an empty list of settings."""
    from planner.cli.common import print_conflicts

    print_conflicts([], None, what="roadmap")
    said = capsys.readouterr().err
    assert "no roadmap meets every rule" in said and "--draft" in said
    assert "cannot hold together:" not in said
    print_conflicts(["targets.min_reduction"], ["exits ≥ 29"], draft=False)
    said = capsys.readouterr().err
    assert "cannot hold together:" in said and "targets.min_reduction — exits ≥ 29" in said
    # a sentence that already starts with its setting's name is not preceded by it again
    print_conflicts(["functions.skill"], ["functions.skill: the staff holding … (C4)"])
    said = capsys.readouterr().err
    assert "  functions.skill: the staff holding … (C4)" in said
    assert "functions.skill — functions.skill" not in said
