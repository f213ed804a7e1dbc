"""Module layout: no import circle between the app's pages and its session state."""

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
