"""Translations of the web app: every label, help text and message in Vietnamese and English.

The texts live in ``lang/vi.toml`` and ``lang/en.toml`` as nested tables; a
key is the dotted path (``plan.metric.units``). Texts are ``str.format``
templates. Vietnamese is the default; the browser's language decides on the
first visit when Streamlit exposes it (``st.context.locale`` or the
``Accept-Language`` header), and the sidebar switch decides after that.
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

import streamlit as st

LANGUAGES: dict[str, str] = {"vi": "Tiếng Việt", "en": "English"}
DEFAULT = "vi"
_DIR = Path(__file__).resolve().parent / "lang"
_KEY = "lang"


def _flatten(table: dict[str, object], prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in table.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flatten(value, dotted + "."))
        else:
            out[dotted] = str(value)
    return out


@cache
def catalog(lang: str) -> dict[str, str]:
    """Every text of one language, by dotted key."""
    with (_DIR / f"{lang}.toml").open("rb") as fh:
        return _flatten(tomllib.load(fh))


def pick_language(locale: str | None, accept_language: str | None = None) -> str:
    """The app language for a browser locale (``en-US``) or an Accept-Language header."""
    candidates: list[str] = []
    if locale:
        candidates.append(locale)
    if accept_language:
        weighted = []
        for i, part in enumerate(accept_language.split(",")):
            tag, _, params = part.strip().partition(";")
            q = 1.0
            if params.strip().startswith("q="):
                try:
                    q = float(params.strip()[2:])
                except ValueError:
                    q = 0.0
            weighted.append((-q, i, tag.strip()))
        candidates += [tag for _, _, tag in sorted(weighted)]
    for tag in candidates:
        base = tag.lower().replace("_", "-").split("-")[0]
        if base in LANGUAGES:
            return base
    return DEFAULT


def _browser_language() -> str:
    try:
        locale = st.context.locale
    except Exception:  # noqa: BLE001 - older runtimes or bare mode: fall back to headers
        locale = None
    header = None
    try:
        header = st.context.headers.get("Accept-Language")
    except Exception:  # noqa: BLE001
        header = None
    return pick_language(locale, header)


def current() -> str:
    """The language of this browser session."""
    lang = st.session_state.get(_KEY)
    if lang not in LANGUAGES:
        lang = _browser_language()
        st.session_state[_KEY] = lang
    return lang


def t(key: str, **values: object) -> str:
    """The text of ``key`` in the session's language, formatted with ``values``."""
    return text(current(), key, **values)


def text(lang: str, key: str, **values: object) -> str:
    """The text of ``key`` in ``lang`` (falls back to Vietnamese, then to the key itself)."""
    template = catalog(lang).get(key) or catalog(DEFAULT).get(key) or key
    if not values:
        return template
    try:
        return template.format(**values)
    except (KeyError, IndexError, ValueError):
        return template


def has(key: str) -> bool:
    return key in catalog(current())


def domain(name: str) -> str:
    """A kind of work in the session's language when it is one of the usual ones, else as written."""
    return t(f"domain.{name}") if has(f"domain.{name}") else name


def language_switch() -> None:
    """The sidebar switch between Vietnamese and English."""
    current()
    st.sidebar.segmented_control(
        t("app.language"),
        options=list(LANGUAGES),
        format_func=LANGUAGES.__getitem__,
        key=_KEY,
        selection_mode="single",
        required=True,
    )
