"""The top-level API: one import, lazy, typed; the README's script example runs."""

from __future__ import annotations

import importlib
import inspect
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NAMES = ("read_scenario", "solve", "check", "pareto", "price", "compare", "sweep", "batch")


def test_every_name_is_its_function_whatever_was_imported_first():
    import planner
    import planner.batch  # the submodules of the same names, imported explicitly
    import planner.check
    import planner.solve
    from planner.batch import batch, sweep
    from planner.check import check
    from planner.io import read_scenario
    from planner.solve import solve
    from planner.tradeoffs import compare, pareto, price

    expected = {
        "read_scenario": read_scenario,
        "solve": solve,
        "check": check,
        "pareto": pareto,
        "price": price,
        "compare": compare,
        "sweep": sweep,
        "batch": batch,
    }
    for name in NAMES:
        assert getattr(planner, name) is expected[name], name
        assert inspect.getdoc(getattr(planner, name)), f"planner.{name} has no docstring"
        assert name in dir(planner) and name in planner.__all__
    # the modules stay reachable, and pickling (process pools, Dask) finds functions by module
    assert importlib.import_module("planner.solve").solve is solve
    assert importlib.import_module("planner.batch").run_task.__module__ == "planner.batch"
    importlib.import_module("planner.cli")
    assert planner.cli.__name__ == "planner.cli"  # other submodules are plain attributes


def test_import_planner_is_lazy():
    """``import planner`` loads neither OR-Tools nor polars (measured: ~1 ms, as before)."""
    code = (
        "import sys, planner; "
        "print(sorted(m for m in ('ortools', 'polars', 'planner.solve') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.strip() == "[]"


def _readme_example() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Scripting", 1)[1]
    match = re.search(r"```python\n(.*?)```", section, re.S)
    assert match, "README.md: no python block under ## Scripting"
    return match.group(1)


def test_readme_script_example_runs(capsys: pytest.CaptureFixture[str]):
    code = _readme_example()
    assert "import planner" in code
    cwd = os.getcwd()
    os.chdir(ROOT)  # the example names data/… relative to the repository
    try:
        exec(compile(code, "README.md", "exec"), {"__name__": "readme_example"})
    finally:
        os.chdir(cwd)
    out = capsys.readouterr().out
    assert out.startswith("optimal ") or out.startswith("feasible "), out
    assert "setting" in out and "proven" in out
