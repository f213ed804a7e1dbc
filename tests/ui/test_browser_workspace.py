"""The Workspace page in a real browser (Debian's chromium via Playwright, 127.0.0.1 only):
save a variant, refresh, reopen it, solve it, see the run in the history; a second
browser session sees both."""

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
        not (ROOT / "data" / "quang_ninh_district" / "scenario.toml").is_file(),
        reason="data/quang_ninh_district is not there",
    ),
]


@pytest.fixture(scope="module")
def ws_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """``planner app`` on a free local port with a workspace of its own; stopped by its pid."""
    db = f"sqlite:///{tmp_path_factory.mktemp('ws') / 'workspace.db'}"
    port = free_port()
    env = {
        **os.environ,
        "KHOI_DATABASE_URL": db,
        "KHOI_AUTHOR": "Lan",
        "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
    }
    with serving(["planner", "app", "--port", str(port)], env, port, "planner app") as url:
        yield url, db


def _select_district(page) -> None:  # type: ignore[no-untyped-def]
    """Open the district scenario (smaller than the province: a quick solve)."""
    page.get_by_text("Chọn kịch bản", exact=True).click()  # the picker's expander
    settle(page, 0.5)
    page.get_by_role("combobox", name="Kịch bản mẫu").click()
    page.get_by_role("option", name="quang ninh district").click()
    settle(page)
    page.get_by_role("button", name="Mở kịch bản").click()
    page.wait_for_selector("text=Kịch bản có sẵn: data/quang_ninh_district", timeout=60_000)


def test_save_refresh_reopen_solve_and_a_second_session_sees_it(ws_server, browser) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    url, db = ws_server
    context, page = new_page(browser, height=1800)
    try:
        page.goto(url, wait_until="domcontentloaded")
        page.wait_for_selector("h1:has-text('Kịch bản')", timeout=60_000)
        settle(page)
        _select_district(page)
        open_page(page, "Kho lưu trữ")
        settle(page)
        page.get_by_label("Tên").fill("Phương án huyện")
        page.get_by_label("Ghi chú").fill("thử lần đầu")
        page.get_by_role("button", name="Lưu biến thể").click()
        page.wait_for_selector("text=Đã lưu #1 Phương án huyện", timeout=30_000)

        page.reload(wait_until="domcontentloaded")  # a new session: the app opens on it
        page.wait_for_selector("h1:has-text('Kho lưu trữ')", timeout=60_000)
        page.wait_for_selector("text=bạn (#1 Phương án huyện)", timeout=60_000)  # the source
        settle(page)
        page.wait_for_selector(
            "text=1 biến thể đã lưu; mới nhất: #1 Phương án huyện, do Lan", timeout=30_000
        )
        page.get_by_role("button", name="Mở", exact=True).first.click()
        page.wait_for_selector("text=Đã mở #1 Phương án huyện", timeout=30_000)

        open_page(page, "Giải & phương án")
        settle(page)
        page.get_by_role("button", name="Giải", exact=True).click()
        page.wait_for_selector("[data-testid='stMetricValue']:has-text('6 → 2')", timeout=240_000)
        settle(page)
        open_page(page, "Kho lưu trữ")
        page.wait_for_selector("text=1 lần giải; mới nhất: #2 (", timeout=60_000)
        assert page.locator("text=do Lan chạy lúc").count() == 1
        assert not page.locator("[data-testid='stException']").count()
        assert not page.refused, f"the app asked for other hosts: {page.refused}"
    except Exception:
        failure_shot(page, "workspace")
        raise
    finally:
        context.close()

    other_context, other = new_page(browser, height=1800)  # another browser, another session
    try:
        other.goto(url + "workspace", wait_until="domcontentloaded")
        other.wait_for_selector(
            "text=1 biến thể đã lưu; mới nhất: #1 Phương án huyện", timeout=60_000
        )
        other.wait_for_selector("text=1 lần giải; mới nhất: #2", timeout=30_000)
        assert not other.locator("[data-testid='stException']").count()
    except Exception:
        failure_shot(other, "workspace-second")
        raise
    finally:
        other_context.close()

    from planner.workspace import open_store

    with open_store(db) as store:
        (run,) = store.items("run")
        assert run.author == "Lan" and run.parent_id == 1
        store.plan_of(run)  # the recorded plan passes the checker
