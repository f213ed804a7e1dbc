"""The frame around every page: page config, navigation entries, sidebar, session start."""

from __future__ import annotations

import streamlit as st

from planner.ui import saved, state
from planner.ui.i18n import language_switch, t

PAGES: tuple[tuple[str, str, str, str], ...] = (
    ("planner/ui/scenario.py", "nav.scenario", ":material/folder_open:", "scenario"),
    ("planner/ui/settings.py", "nav.settings", ":material/tune:", "settings"),
    ("planner/ui/plan.py", "nav.plan", ":material/account_tree:", "plan"),
    ("planner/ui/tradeoffs.py", "nav.tradeoffs", ":material/show_chart:", "tradeoffs"),
    ("planner/ui/roadmap.py", "nav.roadmap", ":material/timeline:", "roadmap"),
    ("planner/ui/compare.py", "nav.compare", ":material/compare_arrows:", "compare"),
    ("planner/ui/export.py", "nav.export", ":material/download:", "export"),
    ("planner/ui/workspace.py", "nav.workspace", ":material/inventory_2:", "workspace"),
)


def icon():  # type: ignore[no-untyped-def]
    """The favicon, drawn here: a material icon would be fetched from a font CDN (no network)."""
    from PIL import Image, ImageDraw

    img = Image.new("RGBA", (64, 64), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    draw.rounded_rectangle((2, 2, 62, 62), radius=12, fill="#1b3a57")
    colors = ("#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#b07aa1", "#76b7b2")
    for i, color in enumerate(colors):  # six organisations, one block
        x, y = 12 + (i % 3) * 15, 20 + (i // 3) * 15
        draw.ellipse((x, y, x + 11, y + 11), fill=color)
    return img


def configure() -> None:
    st.set_page_config(page_title="Khối", page_icon=icon(), layout="wide")


def pages() -> list[st.Page]:
    """The app's pages; the Scenario page is where a newcomer lands."""
    return [
        st.Page(path, title=t(title), icon=icon, url_path=url, default=(i == 0))
        for i, (path, title, icon, url) in enumerate(PAGES)
    ]


def start() -> None:
    """Before any page: sign-in on a team server, reopen the last saved item or the default
    scenario, collect a finished solve (the queue has recorded it in the workspace), draw the sidebar."""
    if not saved.gate():
        st.stop()
    saved.open_last()
    state.init()
    from planner.ui import solves

    solves.queue()  # the server's queue and its solver processes start with the first visit
    state.collect()
    language_switch()
    sc = state.scenario()
    with st.sidebar:
        st.caption(t("app.tagline"))
        if sc is not None:
            st.markdown(t("app.current", name=sc.settings.scenario.name))
            if sc is not state.base():
                st.caption(t("app.edited"))
        if state.running():
            st.caption(t("app.solving"))
        saved.sidebar()
