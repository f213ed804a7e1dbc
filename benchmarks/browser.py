"""What every real-browser run shares, the tests' and the load benchmark's: Debian's
chromium, a page that talks to 127.0.0.1 only, and the waits of a Streamlit page.

``tests/ui/browser.py`` adds the tests' failure screenshots; ``benchmarks/load.py`` drives
many pages at once against a team server.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

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

LOCAL = ("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:")
"""What a page may load; every other request is refused."""


def new_page(
    browser: Any, locale: str = "vi-VN", width: int = 1440, height: int = 2200
) -> tuple[Any, Any]:
    """A fresh browser session (context) and its page; every request to another host is
    refused and noted in ``page.refused``."""
    context = browser.new_context(viewport={"width": width, "height": height}, locale=locale)
    refused: list[str] = []

    def guard(route: Any) -> None:
        url = route.request.url
        if url.startswith(LOCAL):
            route.continue_()
        else:
            refused.append(url)
            route.abort()

    context.route("**/*", guard)
    page = context.new_page()
    page.refused = refused
    return context, page


def settle(page: Any, seconds: float = 1.5) -> None:
    """Wait until Streamlit has finished the current run, then ``seconds`` more (charts draw)."""
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=120_000
    )
    time.sleep(seconds)


def open_page(page: Any, title: str, timeout: float = 20.0) -> None:
    """Click a page in the sidebar; again (three times in all) if a rerun swallowed the click."""
    for attempt in range(3):
        page.get_by_role("link", name=title).click()
        try:
            page.wait_for_selector(f"h1:has-text('{title}')", timeout=timeout * 1000)
            return
        except Exception:  # noqa: BLE001 - retried, then the last error is raised
            if attempt == 2:
                raise
