"""What the real-browser tests share: Debian's chromium, a page that talks to 127.0.0.1 only,
and the waits and failure screenshots of a Streamlit page. Not a test module: the tests
import it (the ``browser`` fixture is in ``tests/ui/conftest.py``)."""

from __future__ import annotations

import contextlib
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
"""chromium's command line: no sandbox (root in a container), nothing fetched in the background."""


def new_page(browser, locale: str = "vi-VN", height: int = 2200):  # type: ignore[no-untyped-def]
    """A fresh context and page; every request to another host is refused and noted in
    ``page.refused``."""
    context = browser.new_context(viewport={"width": 1440, "height": height}, locale=locale)
    # nothing leaves this machine: every request to another host is refused, and noted
    refused: list[str] = []

    def guard(route) -> None:  # type: ignore[no-untyped-def]
        url = route.request.url
        if url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:")):
            route.continue_()
        else:
            refused.append(url)
            route.abort()

    context.route("**/*", guard)
    page = context.new_page()
    page.refused = refused
    return context, page


def settle(page, seconds: float = 1.5) -> None:  # type: ignore[no-untyped-def]
    """Wait until Streamlit has finished the current run, then let charts draw."""
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=120_000
    )
    time.sleep(seconds)


def open_page(page, title: str) -> None:  # type: ignore[no-untyped-def]
    """Click a page in the sidebar; once more if a rerun swallowed the first click."""
    for attempt in range(3):
        page.get_by_role("link", name=title).click()
        try:
            page.wait_for_selector(f"h1:has-text('{title}')", timeout=20_000)
            return
        except Exception:  # noqa: BLE001 - retried, then the last error is raised
            if attempt == 2:
                raise


def failure_shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    """What the browser showed when a step failed: tests/_artifacts/ (not committed)."""
    folder = ROOT / "tests" / "_artifacts"
    folder.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(Exception):  # the original failure matters more
        page.screenshot(path=str(folder / f"browser-{name}.png"))
