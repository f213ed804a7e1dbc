"""The Workspace page, driven headless with Streamlit's AppTest: save a variant, a second
session reopens it on its first visit, a solve is recorded in the history with its author,
saved plans feed the Compare page, deletion asks for confirmation."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from planner.workspace import open_store

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
TIMEOUT = 60


@pytest.fixture
def db(tmp_path, monkeypatch) -> str:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    monkeypatch.setenv("KHOI_DATABASE_URL", url)
    monkeypatch.setenv("KHOI_AUTHOR", "Lan")
    return url


def ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def start() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    return ok(at)


def visit(at: AppTest, name: str) -> AppTest:
    at.switch_page(f"planner/ui/{name}.py").run()
    return ok(at)


def open_district(at: AppTest) -> None:
    visit(at, "scenario")
    at.selectbox(key="pick.embedded").set_value("quang_ninh_district").run()
    at.button(key="pick.open").click().run()
    ok(at)


def wait_for_solve(at: AppTest, timeout: float = 300) -> None:
    import time

    at.switch_page("planner/ui/plan.py")
    deadline = time.monotonic() + timeout
    while True:
        at.run()
        ok(at)
        job = at.session_state["khoi.job"]
        if job.done and at.session_state["khoi.collected"] is job:
            return
        assert time.monotonic() < deadline
        time.sleep(0.5)


def test_save_reopen_solve_history_compare_delete(db) -> None:
    at = start()
    open_district(at)
    visit(at, "workspace")
    assert any("Lan" in m.value for m in at.caption) or any("Lan" in m.value for m in at.markdown)
    at.text_input(key="ws.name").input("huyện A")
    at.text_area(key="ws.note").input("ghi chú")
    at.button[[b.label for b in at.button].index("Lưu biến thể")].click().run()
    ok(at)
    with open_store(db) as store:
        (variant,) = store.items("variant")
        assert (variant.name, variant.author, variant.note) == ("huyện A", "Lan", "ghi chú")

    # Another browser without sign-in is not opened on this one's last item ("last opened" is
    # per signed-in user, else per browser); it opens the variant from the Workspace page.
    other = start()
    assert other.session_state["khoi.source"]["kind"] == "embedded"
    visit(other, "workspace")
    other.selectbox(key="ws.variant.pick").set_value(variant.id).run()
    other.button(key="ws.variant.open").click().run()
    ok(other)
    assert other.session_state["khoi.source"] == {"kind": "workspace", "name": "#1 huyện A"}
    assert other.session_state["khoi.scenario"].settings.scenario.name == variant.scenario_name

    for _ in range(2):  # two runs of the saved variant (the second: the first's plan again)
        visit(other, "plan")
        other.button(key="plan.solve").click().run()
        wait_for_solve(other)
    with open_store(db) as store:
        runs = store.items("run")
        assert len(runs) == 2 and {r.author for r in runs} == {"Lan"}
        assert {r.parent_id for r in runs} == {variant.id}
        store.plan_of(runs[0])  # whole, and passes the checker
    visit(at, "workspace")  # the first session sees them after a rerun
    tables = [d.value for d in at.dataframe]
    assert len(tables) == 2 and len(tables[1]) == 2

    at.button(key="ws.compare_go").click().run()
    ok(at)
    kept = at.session_state["khoi.kept"]
    assert len([k for k in kept if "lần giải #" in k["label"]]) == 2  # named with the scenario

    visit(at, "workspace")
    at.selectbox(key="ws.delete.pick").set_value(variant.id).run()
    at.button(key="ws.delete").click().run()
    with open_store(db) as store:
        assert len(store.items("variant")) == 1  # not before the confirmation
    at.button(key="ws.delete.yes").click().run()
    ok(at)
    with open_store(db) as store:
        assert store.items("variant") == [] and len(store.items("run")) == 2


def test_workspace_page_with_an_unreachable_database(monkeypatch) -> None:
    monkeypatch.setenv("KHOI_DATABASE_URL", "postgresql://u:topsecret@127.0.0.1:1/x")
    at = start()
    visit(at, "workspace")
    assert at.error and "cannot open" in at.error[0].value
    assert "topsecret" not in at.error[0].value
    visit(at, "scenario")  # the rest of the app works


def test_a_price_table_saved_from_the_tradeoffs_page_is_listed_in_the_workspace(db) -> None:
    import time

    at = start()
    open_district(at)
    visit(at, "tradeoffs")
    at.number_input(key="price.limit").set_value(10.0).run()
    at.button(key="price.go").click().run()
    deadline = time.monotonic() + 120
    while not at.session_state["khoi.task.price"].done:
        assert time.monotonic() < deadline, "the price task did not finish"
        time.sleep(0.5)
        at.run()
        ok(at)
    at.run()
    ok(at)
    prices = at.session_state["khoi.task.price"].result
    at.text_input(key="price.save_name").input("giá huyện")
    save = [b for b in at.button if b.label == "Lưu vào kho lưu trữ"]
    assert len(save) == 1, [b.label for b in at.button]
    save[0].click().run()
    ok(at)
    assert any("giá huyện" in m.value for m in at.success)
    with open_store(db) as store:
        (item,) = store.items("price")
        assert (item.name, item.author) == ("giá huyện", "Lan")
        assert [r["setting"] for r in store.item(item.id).payload["rows"]] == prices[
            "setting"
        ].to_list()
    visit(at, "workspace")
    listed = [d.value for d in at.dataframe]
    assert "giá huyện" in listed[0].to_string(), "the results table"
    shown = listed[-1]  # the saved table itself (pandas, as AppTest gives it)
    assert shown["setting"].tolist() == prices["setting"].to_list()
    assert at.get("download_button"), "the table can be downloaded"


def test_the_browser_is_known_by_its_xsrf_token_whatever_its_mask() -> None:
    """Tornado masks the same token differently on every page; the visitor stays the same."""
    from planner.ui.saved import _xsrf_token

    token = bytes.fromhex("00112233445566778899aabbccddeeff")

    def cookie(mask: bytes) -> str:
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(token))
        return f"2|{mask.hex()}|{masked.hex()}|1700000000"

    assert _xsrf_token(cookie(b"\x01\x02\x03\x04")) == token
    assert _xsrf_token(cookie(b"\xff\x00\xaa\x55")) == token
    assert _xsrf_token("not a tornado cookie") == b"not a tornado cookie"
