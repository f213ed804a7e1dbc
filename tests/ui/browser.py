"""What the real-browser tests share: Debian's chromium, a page that talks to 127.0.0.1 only,
and the waits of a Streamlit page (``benchmarks/browser.py``, which the load benchmark uses
too), plus the failure screenshots. Not a test module: the tests import it (the ``browser``
fixture is in ``tests/ui/conftest.py``)."""

from __future__ import annotations

import contextlib
from pathlib import Path

from benchmarks.browser import ARGS, CHROMIUM, new_page, open_page, settle

__all__ = ["ARGS", "CHROMIUM", "ROOT", "failure_shot", "new_page", "open_page", "settle"]

ROOT = Path(__file__).resolve().parents[2]


def failure_shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    """What the browser showed when a step failed: tests/_artifacts/ (not committed)."""
    folder = ROOT / "tests" / "_artifacts"
    folder.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(Exception):  # the original failure matters more
        page.screenshot(path=str(folder / f"browser-{name}.png"))
