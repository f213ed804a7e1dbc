"""The app's side of the workspace (planner.workspace): who is signed in, the shared store,
opening a saved variant or run. Finished solves are recorded by the solve queue
(``planner.ui.solves``), not here.

The store is opened once per database URL for the whole server (``st.cache_resource``):
every browser session reads the same database, so two tabs see each other's saves on
their next run. Nothing here raises into a page: a store that cannot be opened is
reported on the Workspace page and the rest of the app works as before.
"""

from __future__ import annotations

import logging
import os
from typing import Any

import streamlit as st

from models import Scenario, SolveResult
from planner.ui import state

log = logging.getLogger(__name__)

LAST = "last_item"


@st.cache_resource(show_spinner=False)
def _open(url: str) -> Any:
    from planner.workspace import open_store

    return open_store(url)


def store() -> Any | None:
    """The shared store, or None (the reason is kept for the Workspace page)."""
    from planner.workspace import WorkspaceError, default_url

    try:
        s = _open(default_url())
    except WorkspaceError as exc:
        state.put("ws.error", str(exc))
        return None
    state.drop("ws.error")
    return s


def error() -> str | None:
    return state.get("ws.error")


def auth_configured() -> bool:
    """Whether secrets.toml has an ``[auth]`` section (Streamlit's OIDC sign-in)."""
    try:
        return "auth" in st.secrets
    except Exception:  # noqa: BLE001 - no secrets file at all
        return False


def signed_in() -> bool:
    try:
        return bool(auth_configured() and st.user.is_logged_in)
    except Exception:  # noqa: BLE001
        return False


def user() -> str:
    """The author of a save: the signed-in user's e-mail (or name), else ``KHOI_AUTHOR``,
    else the login name of the server's user."""
    if signed_in():
        email = st.user.get("email") or st.user.get("name")
        if email:
            return str(email)
    from planner.workspace import default_author

    return default_author()


def visitor() -> str | None:
    """Whose "last opened" item this session reopens: the signed-in user's, else this
    browser's (the session cookie Streamlit's server sets, hashed), else nobody's.

    Without sign-in every visitor has the same author name (the server's login), so the
    author cannot tell two planners apart: one browser's last item is not another's.
    """
    if signed_in():
        return "user:" + user()
    import hashlib

    try:
        cookie = st.context.cookies.get("_streamlit_xsrf")
    except Exception:  # noqa: BLE001 - no browser (bare mode, AppTest)
        cookie = None
    if not isinstance(cookie, str) or not cookie:
        return None
    return "browser:" + hashlib.sha256(_xsrf_token(cookie)).hexdigest()[:24]


def _xsrf_token(cookie: str) -> bytes:
    """The token of Tornado's XSRF cookie (``2|mask|masked token|time``), without its mask."""
    parts = cookie.split("|")
    try:
        mask, masked = bytes.fromhex(parts[1]), bytes.fromhex(parts[2])
    except (IndexError, ValueError):
        return cookie.encode()
    if not mask:
        return masked
    return bytes(b ^ mask[i % len(mask)] for i, b in enumerate(masked))


def remember_last(s: Any, item_id: int) -> None:
    """Remember ``item_id`` as this visitor's last opened or saved item (nothing without one)."""
    who = visitor()
    if who is not None:
        s.remember(who, LAST, str(item_id))


def login_required() -> bool:
    """The launcher (``planner app``) asks for sign-in when it serves a non-local address."""
    return os.environ.get("KHOI_REQUIRE_LOGIN") == "1"


def gate() -> bool:
    """On a team server, nothing is shown before sign-in. True when the page may render."""
    if not login_required() or signed_in():
        return True
    from planner.ui.i18n import t

    st.title("Khối")
    if not auth_configured():
        st.error(t("workspace.auth_missing"))
        return False
    st.info(t("workspace.sign_in_needed"))
    if st.button(t("workspace.sign_in"), key="ws.login", type="primary"):
        st.login()
    return False


def sidebar() -> None:
    """Sign in / out, when sign-in is configured."""
    if not auth_configured():
        return
    from planner.ui.i18n import t

    if signed_in():
        st.caption(t("workspace.signed_in_as", user=user()))
        if st.button(t("workspace.sign_out"), key="ws.logout"):
            st.logout()
    elif st.button(t("workspace.sign_in"), key="ws.login_side"):
        st.login()


# -- opening --------------------------------------------------------------------------------


def result_of(plan: Any, summary: Any) -> SolveResult:
    """A stored run as the result the pages show (its plan was checked on the way out)."""
    from planner.workspace.runs import run_result

    return run_result(plan, summary)


def label_of(item: Any) -> str:
    return f"#{item.id}" + (f" {item.name}" if item.name else "")


def run_name(item: Any) -> str:
    """A saved run as the Compare page names it: ``Quảng Ninh 2018 · lần giải #12 …``."""
    from planner.ui.i18n import t

    name = f" {item.name}" if item.name else ""
    return f"{state.short_name(item.scenario_name)} · {t('run.saved', id=item.id)}{name}"


def open_item(s: Any, ref: str | int, *, remember: bool = True) -> Any:
    """Make a saved variant (its scenario, edits over its base) or run (its scenario and
    plan) the session's current one. Raises WorkspaceError."""
    item = s.item(ref)
    label = label_of(item)
    if item.kind == "variant":
        sc: Scenario = s.scenario_of(item)
        base = s.base_of(item) or sc
        state.set_source(base, "workspace", label)
        if base != sc:
            state.set_scenario(sc)
        state.put("ws.variant", item.id)
    elif item.kind == "run":
        sc = s.scenario_of(item)
        state.set_source(sc, "workspace", label)
        state.put("ws.variant", item.parent_id)
        if (item.run or {}).get("has_plan"):
            plan, summary, _ = s.plan_of(item)
            result = result_of(plan, summary)
            state.open_result(sc, result, run_name(item))
            state.put("last_plan", plan)
            state.put("ws.recorded_result", result)  # already in the store
    else:
        sc = s.scenario_of(item)
        state.set_source(sc, "workspace", label)
    state.put("ws.current", item.id)
    if remember:
        remember_last(s, item.id)
    log.info("workspace: opened %s #%d", item.kind, item.id)
    return item


def open_last() -> None:
    """On a first visit, reopen the item this user opened or saved last (if it still exists)."""
    if state.get("source") is not None or state.get("ws.tried_last"):
        return
    state.put("ws.tried_last", True)
    s = store()
    if s is None:
        return
    from planner.workspace import WorkspaceError

    try:
        who = visitor()
        last = s.recall(who, LAST) if who is not None else None
        if last:
            open_item(s, last, remember=False)
    except WorkspaceError as exc:
        log.info("workspace: the last item could not be reopened (%s)", type(exc).__name__)
    except Exception:  # noqa: BLE001 - a broken store must not keep the app from starting
        log.exception("workspace: reopening the last item failed")


# -- saving ---------------------------------------------------------------------------------


def save_tradeoff(kind: str, scenario: Scenario, result: Any, name: str) -> Any | None:
    """Save a Pareto frontier or a price table shown on the Trade-offs page; the saved
    item, or None with the reason on the page (the result stays on screen either way)."""
    from planner.ui.i18n import t
    from planner.workspace import WorkspaceError
    from planner.workspace.results import save_tradeoff as save

    s = store()
    if s is None:
        st.error(t("workspace.unavailable", reason=error() or ""))
        return None
    try:
        with st.spinner(t("tradeoffs.saving_result")):
            item = save(s, scenario, result, name=name.strip() or None, author=user())
    except WorkspaceError as exc:
        st.error(str(exc))
        return None
    log.info("workspace: saved %s #%d from the Trade-offs page", kind, item.id)
    return item
