"""Every page in both languages, in a real browser (Debian's chromium via Playwright, 127.0.0.1).

One solve of the province, then every page in Vietnamese and in English: no exception,
no request to another host, and the numbers of the page in the language's format. With
``KHOI_SCREENSHOTS`` set (``make screenshots``) the pages are kept there as
``pages/LANG-PAGE.png``. Slow (a province solve and sixteen pages): marked ``bench``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.servers import free_port, serving
from tests.ui.browser import CHROMIUM, failure_shot, new_page, open_page, settle

ROOT = Path(__file__).resolve().parents[2]
PAGES = ("scenario", "settings", "plan", "tradeoffs", "roadmap", "compare", "export", "workspace")
TITLES = {
    "vi": ("Kịch bản", "Thiết lập", "Giải & phương án", "Đánh đổi", "Lộ trình", "So sánh",
           "Xuất tệp", "Kho lưu trữ"),
    "en": ("Scenario", "Settings", "Solve & plan", "Trade-offs", "Roadmap", "Compare",
           "Export", "Workspace"),
}  # fmt: skip
WRONG_NUMBER = {
    # a grouped number in the other language's format: 1,234,567 in Vietnamese, 1.234.567 in English
    "vi": re.compile(r"\b\d{1,3}(?:,\d{3})+(?:\.\d+)?\b"),
    "en": re.compile(r"\b\d{1,3}(?:\.\d{3}){2,}(?:,\d+)?\b"),
}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.bench,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's /usr/bin/chromium is not installed"),
    pytest.mark.skipif(
        not (ROOT / "data" / "quang_ninh_province" / "scenario.toml").is_file(),
        reason="data/quang_ninh_province is not there",
    ),
]


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    db = f"sqlite:///{tmp_path_factory.mktemp('pages') / 'workspace.db'}"
    port = free_port()
    env = {**os.environ, "KHOI_DATABASE_URL": db, "KHOI_AUTHOR": "Lan"}
    with serving(["planner", "app", "--port", str(port)], env, port, "planner app") as url:
        yield url


def _visible_text(page) -> str:  # type: ignore[no-untyped-def]
    """The page's text outside tables drawn on a canvas (which have no DOM text)."""
    return str(page.locator("[data-testid='stMain']").inner_text())


def test_every_page_in_both_languages(app_url: str, browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    chosen = os.environ.get("KHOI_SCREENSHOTS")
    shots = Path(chosen) / "pages" if chosen else tmp_path
    shots.mkdir(parents=True, exist_ok=True)
    context, page = new_page(browser, height=2000)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(app_url + "plan", wait_until="domcontentloaded")
        page.get_by_role("button", name="Giải", exact=True).click()
        page.wait_for_selector("[data-testid='stMetricValue']:has-text('33 → 6')", timeout=300_000)
        for lang in ("vi", "en"):
            if lang == "en":
                sidebar = page.locator("[data-testid='stSidebar']")
                sidebar.get_by_text("English", exact=True).click()  # the language switch
                settle(page)
            for name, title in zip(PAGES, TITLES[lang], strict=True):
                open_page(page, title)  # in the sidebar: the same session, its plan kept
                settle(page, 2.5)
                page.screenshot(path=str(shots / f"{lang}-{name}.png"), full_page=True)
                assert not page.locator("[data-testid='stException']").count(), (lang, name)
                text = _visible_text(page)
                wrong = WRONG_NUMBER[lang].findall(text)
                assert not wrong, f"{lang} {name}: numbers in the other format: {wrong[:5]}"
        assert not errors, errors
        assert not page.refused, page.refused
    except Exception:
        failure_shot(page, "pages")
        raise
    finally:
        context.close()
