"""The app in a real browser: Debian's chromium driven by Playwright, on 127.0.0.1 only.

Starts ``streamlit run app.py`` on a free port, opens it, presses Solve, waits
for the plan's figures and takes screenshots (plan.png, tradeoffs.png, …). They go
to a temporary folder, so that ``make test`` leaves the clone as it was;
``make screenshots`` (``KHOI_SCREENSHOTS=docs/screenshots``) renews the README's.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.servers import free_port, serving
from tests.ui.browser import CHROMIUM, failure_shot, new_page, open_page, settle

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="Debian's /usr/bin/chromium is not installed (make browser installs it)",
    ),
    pytest.mark.skipif(
        not (ROOT / "data" / "quang_ninh_province" / "scenario.toml").is_file(),
        reason="data/quang_ninh_province is not there yet",
    ),
]


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """``streamlit run app.py`` on a free local port."""
    port = free_port()
    env = {**os.environ, "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"}
    args = ["streamlit", "run", "app.py", "--server.port", str(port)]
    args += ["--server.address", "127.0.0.1", "--server.headless", "true"]
    with serving(args, env, port, "streamlit") as url:
        yield url


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where screenshots go: ``$KHOI_SCREENSHOTS`` when set, else a temporary folder."""
    chosen = os.environ.get("KHOI_SCREENSHOTS")
    folder = Path(chosen) if chosen else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_solve_in_the_browser_and_save_screenshots(server: str, browser, shots: Path) -> None:  # type: ignore[no-untyped-def]
    context, page = new_page(browser)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(server, wait_until="domcontentloaded")
        page.wait_for_selector("h1:has-text('Kịch bản')", timeout=60_000)
        page.wait_for_selector("[data-testid='stMetric']", timeout=60_000)
        settle(page)
        page.screenshot(path=str(shots / "scenario.png"))
        page.get_by_role("button", name="Giải", exact=True).click()
        page.wait_for_selector("h1:has-text('Giải & phương án')", timeout=60_000)
        # the live progress, then the plan's figures
        page.wait_for_selector("[data-testid='stMetricValue']:has-text('33 → 6')", timeout=240_000)
        assert page.locator("[data-testid='stMetricValue']:has-text('87 → 18')").count() == 1
        settle(page, 3)
        page.screenshot(path=str(shots / "plan.png"))
        assert not page.locator("[data-testid='stException']").count()

        page.get_by_role("tab", name="Ai đi đâu").click()
        settle(page)
        page.screenshot(path=str(shots / "flow.png"))

        open_page(page, "Đánh đổi")
        settle(page)
        page.get_by_role("spinbutton", name="Số điểm").fill("3")
        page.keyboard.press("Enter")
        page.wait_for_selector("text=Tối đa 3 lần giải", timeout=30_000)
        settle(page)
        page.get_by_role("button", name="Vẽ đường Pareto").click()
        page.wait_for_selector("[data-testid='stProgress']", timeout=30_000)  # the sweep runs
        page.wait_for_selector("button:has-text('Mở phương án')", timeout=300_000)
        settle(page, 3)
        page.screenshot(path=str(shots / "tradeoffs.png"))
        assert not page.locator("[data-testid='stException']").count()
        assert not errors, errors
        assert not page.refused, f"the app asked for other hosts: {page.refused}"
    except Exception:
        failure_shot(page, "solve")
        raise
    finally:
        context.close()


def test_english_browser_gets_english_and_settings_render(
    server: str, browser, shots: Path
) -> None:  # type: ignore[no-untyped-def]
    context, page = new_page(browser, locale="en-US", height=1400)
    try:
        page.goto(server + "settings", wait_until="domcontentloaded")
        page.wait_for_selector("h1:has-text('Settings')", timeout=60_000)
        page.get_by_role("tab", name="Locks").click()
        settle(page)
        page.screenshot(path=str(shots / "settings.png"))
        assert not page.locator("[data-testid='stException']").count()
        assert not page.refused, f"the app asked for other hosts: {page.refused}"
    finally:
        context.close()


def test_roadmap_page_in_the_browser(server: str, browser, shots: Path) -> None:  # type: ignore[no-untyped-def]
    context, page = new_page(browser, locale="en-US", height=2400)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(server + "roadmap", wait_until="domcontentloaded")
        page.wait_for_selector("h1:has-text('Roadmap')", timeout=60_000)
        settle(page)
        for label, value in (("Periods (years)", "2"), ("Norm by period", "2")):
            page.get_by_role("spinbutton", name=label).fill(value)
            page.keyboard.press("Enter")
            settle(page)
        page.get_by_role("button", name="Solve the roadmap").click()
        page.wait_for_selector(
            "[data-testid='stMetricLabel']:has-text('Early exits')", timeout=300_000
        )
        page.wait_for_selector("text=Who leaves, when and why", timeout=60_000)
        settle(page, 3)
        page.screenshot(path=str(shots / "roadmap.png"))
        assert page.get_by_role("button", name="Download roadmap.html").count() == 1
        assert not page.locator("[data-testid='stException']").count()
        assert not errors, errors
        assert not page.refused, f"the app asked for other hosts: {page.refused}"
    except Exception:
        failure_shot(page, "roadmap")
        raise
    finally:
        context.close()
