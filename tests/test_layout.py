"""Module layout: no import circle between the app's pages and its session state; one maker of CP-SAT solvers."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _imports(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside a function."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
    return found


def test_relax_does_not_import_the_session_state():
    # state.run_label uses relax.changes; relax must not need state back.
    assert not {m for m in _imports(ROOT / "planner/ui/relax.py") if "planner.ui.state" in m}


def test_every_cp_sat_solver_is_made_by_new_solver():
    # A solver made otherwise keeps CP-SAT's own SIGINT handler, which leaves SIGINT at
    # SIG_DFL when it ends (a Ctrl-C then kills the CLI instead of writing the best
    # plan), and may miss the google/or-tools#5293 workaround.
    offenders = []
    for path in sorted((ROOT / "planner").rglob("*.py")):
        if path.name == "solver.py" and path.parent.name == "cpsat":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "CpSolver":
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []
