"""The solve queue in a real browser (Debian's chromium via Playwright, 127.0.0.1 only).

``planner app --solves 1``: while one planner's solve runs, a second planner's waits with
its place in the queue and can cancel; a planner who closes the tab mid-solve finds the
run in the workspace history; ``planner app --scheduler`` sends the solves to the workers
of a local Dask cluster, and the run's record names the worker.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from benchmarks.load import dask_cluster
from tests.servers import free_port, serving
from tests.ui.browser import CHROMIUM, failure_shot, new_page, open_page, settle

ROOT = Path(__file__).resolve().parents[2]
DISTRICT_DONE = "[data-testid='stMetricValue']:has-text('6 → 2')"

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


def _env(db: str) -> dict[str, str]:
    return {
        **os.environ,
        "KHOI_DATABASE_URL": db,
        "KHOI_AUTHOR": "Lan",
        "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
    }


@pytest.fixture(scope="module")
def one_at_a_time(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """``planner app --solves 1`` with a workspace of its own; stopped by its pid."""
    db = f"sqlite:///{tmp_path_factory.mktemp('queue') / 'workspace.db'}"
    port = free_port()
    args = ["planner", "app", "--port", str(port), "--solves", "1"]
    with serving(args, _env(db), port, "planner app") as url:
        yield url, db


def _plan_page(browser, url: str, limit: int, reduction: float | None = None):  # type: ignore[no-untyped-def]  # noqa: F811
    """A new session on the Plan page of the province with the time limit ``limit`` and,
    when given, the minimum reduction ``reduction`` (another question)."""
    context, page = new_page(browser, height=1400)
    if reduction is None:
        page.goto(url + "plan", wait_until="domcontentloaded")
    else:
        page.goto(url + "settings", wait_until="domcontentloaded")
        box = page.get_by_role("spinbutton", name="Tỷ lệ tinh giản tối thiểu")
        box.wait_for(timeout=60_000)
        box.fill(f"{reduction:.3f}")
        box.press("Enter")
        settle(page, 0.5)
        open_page(page, "Giải & phương án")
    box = page.get_by_role("spinbutton", name="Giới hạn thời gian (giây)")
    box.wait_for(timeout=60_000)
    box.fill(str(limit))
    box.press("Enter")
    settle(page, 0.5)
    return context, page


def _runs(db: str) -> list:  # type: ignore[type-arg]
    from planner.workspace import open_store

    with open_store(db) as store:
        return store.items("run")


def _wait_runs(db: str, n: int, timeout: float) -> list:  # type: ignore[type-arg]
    deadline = time.monotonic() + timeout
    while len(runs := _runs(db)) < n:
        assert time.monotonic() < deadline, f"{len(runs)} run(s) recorded, {n} expected"
        time.sleep(0.5)
    return runs


def test_a_second_solve_waits_with_its_place_and_can_be_cancelled(one_at_a_time, browser) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    url, db = one_at_a_time
    first, a = _plan_page(browser, url, 8)  # the province for 8 s: the only slot is taken
    second, b = _plan_page(browser, url, 9)
    try:
        a.get_by_role("button", name="Giải", exact=True).click()
        a.wait_for_selector("text=Đang tìm phương án", timeout=30_000)
        b.get_by_role("button", name="Giải", exact=True).click()
        b.wait_for_selector("text=Đang chờ đến lượt: thứ 1 trong hàng đợi", timeout=30_000)
        assert b.locator("text=Có thể đóng thẻ này").count() == 1
        b.get_by_role("button", name="Huỷ").click()
        b.wait_for_selector("text=Chưa có phương án", timeout=30_000)  # back, nothing solved
        a.wait_for_selector("[data-testid='stMetricValue']:has-text('33 → 6')", timeout=60_000)
        runs = _wait_runs(db, 1, 30)
        time.sleep(1.0)
        assert len(_runs(db)) == 1, "the cancelled solve ran after all"
        assert runs[0].run["solver"]["ran_on"]["backend"] == "local"
        for page in (a, b):
            assert not page.locator("[data-testid='stException']").count()
            assert not page.refused, page.refused
    except Exception:
        failure_shot(b, "queue")
        raise
    finally:
        first.close()
        second.close()


def test_a_tab_closed_mid_solve_finds_its_run_in_the_history(one_at_a_time, browser) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    url, db = one_at_a_time
    before = len(_runs(db))
    # a question of its own: the province under another time limit could be answered at once
    # by a run proven optimal before (the previous test's, on a fast machine)
    context, page = _plan_page(browser, url, 6, reduction=0.11)
    page.get_by_role("button", name="Giải", exact=True).click()
    page.wait_for_selector("text=Đang tìm phương án", timeout=30_000)
    context.close()  # mid-solve
    (run, *_) = _wait_runs(db, before + 1, 60)
    assert run.author == "Lan" and run.run["status"] in ("optimal", "feasible")

    again, later = new_page(browser, height=1800)  # the planner comes back
    try:
        later.goto(url + "workspace", wait_until="domcontentloaded")
        later.wait_for_selector(f"text=lần giải; mới nhất: #{run.id}", timeout=60_000)
        assert not later.locator("[data-testid='stException']").count()
    except Exception:
        failure_shot(later, "closed-tab")
        raise
    finally:
        again.close()


def test_solves_run_on_the_workers_of_a_dask_scheduler(browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    pytest.importorskip("distributed")
    from distributed import Client

    db = f"sqlite:///{tmp_path / 'workspace.db'}"
    with dask_cluster(tmp_path, workers=2) as address:
        with Client(address, set_as_default=False) as client:
            workers = set(client.scheduler_info()["workers"])
        port = free_port()
        args = ["planner", "app", "--port", str(port), "--scheduler", address]
        with serving(args, _env(db), port, "planner app --scheduler") as url:
            context, page = new_page(browser, height=1800)
            try:
                page.goto(url + "plan", wait_until="domcontentloaded")
                page.wait_for_selector("h1:has-text('Giải & phương án')", timeout=60_000)
                box = page.get_by_role("spinbutton", name="Giới hạn thời gian (giây)")
                box.fill("5")
                box.press("Enter")
                settle(page, 0.5)
                page.get_by_role("button", name="Giải", exact=True).click()
                page.wait_for_selector(
                    "[data-testid='stMetricValue']:has-text('33 → 6')", timeout=120_000
                )
                (run,) = _wait_runs(db, 1, 30)
                where = run.run["solver"]["ran_on"]
                assert where["backend"] == "dask" and where["worker"] in workers
                open_page(page, "Kho lưu trữ")
                page.wait_for_selector(f"text=máy Dask {where['worker']}", timeout=30_000)
                assert not page.locator("[data-testid='stException']").count()
                assert not page.refused, page.refused
            except Exception:
                failure_shot(page, "dask")
                raise
            finally:
                context.close()
