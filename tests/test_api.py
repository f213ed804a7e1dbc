"""The top-level API: one import, lazy, typed; the README's script example runs."""

from __future__ import annotations

import importlib
import os
import re
import subprocess
import sys
import types
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NAMES = (
    "read_scenario",
    "solve",
    "check",
    "pareto",
    "price",
    "compare",
    "sweep",
    "batch",
    "roadmap",
)


def test_every_name_is_its_function_whatever_was_imported_first():
    import planner
    import planner.checking.check  # the modules of the functions, imported explicitly
    import planner.search.roadmap
    import planner.search.solve
    import planner.services.batch
    from planner.checking.check import check
    from planner.io import read_scenario
    from planner.search.roadmap import roadmap
    from planner.search.solve import solve
    from planner.services.batch import batch, sweep
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
        "roadmap": roadmap,
    }
    for name in NAMES:
        assert getattr(planner, name) is expected[name], name  # the function itself
        assert name in dir(planner) and name in planner.__all__
    exec("from planner import solve as imported", namespace := {})
    assert namespace["imported"] is solve
    # a plain package: no class of its own, no module named like an API function
    assert type(planner) is types.ModuleType
    package = Path(planner.__file__).parent
    assert not [n for n in NAMES if (package / n).exists() or (package / f"{n}.py").exists()]
    # the modules are reachable by their paths, and pickling (process pools, Dask)
    # finds functions by module
    assert importlib.import_module("planner.services.batch").run_task.__module__ == (
        "planner.services.batch"
    )
    importlib.import_module("planner.cli")
    assert planner.cli.__name__ == "planner.cli"  # other submodules are plain attributes
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        _ = planner.nothing


def test_a_patched_function_is_the_one_called(monkeypatch: pytest.MonkeyPatch):
    """``import planner.search.solve as m`` (tests, scripts) reads and patches the module;
    ``planner.solve`` looks the function up there at each use."""
    import planner
    import planner.search.solve as m

    real = m.solve
    calls: list[object] = []
    monkeypatch.setattr(m, "solve", lambda *a, **k: calls.append(a) or "patched")
    assert planner.solve("x") == "patched" and calls == [("x",)]
    monkeypatch.undo()
    assert planner.solve is real


def test_import_planner_is_lazy():
    """``import planner`` loads neither OR-Tools nor polars (measured: ~1 ms, as before)."""
    code = (
        "import sys, planner; "
        "print(sorted(m for m in ('ortools', 'polars', 'planner.search.solve') if m in sys.modules))"
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
