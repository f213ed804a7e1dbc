"""Helpers shared by the pages: number formats, summaries, tables of a plan.

pandas is imported here, with the first page, and not on first use: Altair's charts look
pandas up in ``sys.modules`` without importing it, so a session drawing a chart while
another thread was still importing pandas for its first table saw a half-initialised
module ("partially initialized module 'pandas' has no attribute 'Timestamp'").
"""

from __future__ import annotations

from typing import Any

import pandas  # noqa: F401 - imported whole before two sessions can race for it (see below)
import polars as pl
import streamlit as st

from models import Plan, Role, Scenario, SolveResult, Summary
from planner.ui import state
from planner.ui.i18n import current, t


def fmt_num(value: float | None, digits: int = 0) -> str:
    """``1390000`` -> ``1.390.000`` in Vietnamese, ``1,390,000`` in English."""
    if value is None:
        return "—"
    text = f"{value:,.{digits}f}"
    if current() == "vi":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def fmt_money(value: float | None, currency: str) -> str:
    return "—" if value is None else f"{fmt_num(value)} {currency}"


def fmt_compact_money(value: float | None, currency: str) -> str:
    """A large amount with its unit, short enough for a metric: ``938 triệu VND`` / ``938 M VND``."""
    return "—" if value is None else f"{fmt_compact(value)} {currency}".strip()


NUMBER_LOCALE: dict[str, dict[str, Any]] = {
    "vi": {"decimal": ",", "thousands": ".", "grouping": [3], "currency": ["", " ₫"]},
    "en": {"decimal": ".", "thousands": ",", "grouping": [3], "currency": ["", " VND"]},
}
"""d3-format locales for the charts (Vega-Lite ``config.locale``): the same separators as
:func:`fmt_num`, so an axis reads like the cards and tables beside it."""


def show_chart(c: Any, **kwargs: Any) -> Any:
    """``st.altair_chart`` with the session's number format on every axis, label and tooltip."""
    import altair as alt

    c = c.copy(deep=False)
    config = c.config if c.config is not alt.Undefined else alt.Config()
    config = config.copy(deep=False)
    config.locale = alt.Locale(number=NUMBER_LOCALE[current()])
    c.config = config
    kwargs.setdefault("width", "stretch")
    return st.altair_chart(c, **kwargs)


def _decimals(values: Any) -> int:
    """Decimals a column of numbers needs (0–2): ``43.5, 29.23`` -> 2, ``44, 33`` -> 0."""
    most = 0
    for v in values:
        if v is None or v != v:  # None or NaN
            continue
        for d in (0, 1, 2):
            if abs(round(float(v), d) - float(v)) < 1e-9:
                most = max(most, d)
                break
        else:
            return 2
    return most


def show_table(data: Any, *, wide: tuple[str, ...] = (), **kwargs: Any) -> Any:
    """``st.dataframe`` with numbers in the session's format (``1.234.567,5`` / ``1,234,567.5``).

    The numbers keep their values (a column still sorts as numbers); only their display
    is formatted, every number of a column with the same decimals. ``wide`` names text
    columns shown at full width rather than cut.
    """
    import pandas as pd

    frame = data.to_pandas() if isinstance(data, pl.DataFrame) else pd.DataFrame(data)
    formats: dict[str, Any] = {}
    for name in frame.columns:
        column = frame[name]
        if pd.api.types.is_bool_dtype(column) or not pd.api.types.is_numeric_dtype(column):
            continue
        digits = 0 if pd.api.types.is_integer_dtype(column) else _decimals(column)
        formats[name] = lambda v, d=digits: fmt_num(v, d)
    styled = frame.style.format(formats, na_rep="—") if formats else frame
    config = dict(kwargs.pop("column_config", None) or {})
    for name in frame.columns:
        if name in config:
            continue
        # a header is a tooltip of its own (a narrow column cuts it); ``wide`` ones are not cut
        config[name] = st.column_config.Column(
            str(name), help=str(name), width="large" if name in wide else None
        )
    kwargs.setdefault("hide_index", True)
    kwargs.setdefault("width", "stretch")
    return st.dataframe(styled, column_config=config or None, **kwargs)


def fmt_compact(value: float | None) -> str:
    """A large amount, short enough for a metric: ``71,9 triệu`` / ``71.9 M``, ``1,25 tỷ`` / ``1.25 bn``."""
    if value is None:
        return "—"
    vi = current() == "vi"
    for size, word_vi, word_en in ((1e9, "tỷ", "bn"), (1e6, "triệu", "M"), (1e3, "nghìn", "k")):
        if abs(value) >= size:
            scaled = value / size
            digits = 2 if abs(scaled) < 10 else 1 if abs(scaled) < 100 else 0
            return f"{fmt_num(scaled, digits)} {word_vi if vi else word_en}"
    return fmt_num(value)


def fmt_share(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{fmt_num(100 * value, digits)} %"


def fmt_signed(value: float | None, digits: int = 0) -> str:
    if value is None:
        return "—"
    return ("+" if value > 0 else "−" if value < 0 else "") + fmt_num(abs(value), digits)


def bound_parts(bound: int | None, gap: float | None, stats: dict[str, Any]) -> list[str]:
    """ "bound …", "gap …" and where the bound came from, for a result's status line."""
    parts = []
    if bound is not None:
        parts.append(t("plan.bound", value=fmt_num(bound)))
    if gap is not None:
        parts.append(t("plan.gap", value=fmt_share(gap, 2)))
    source = {"cp-sat": "plan.bound_source_cp", "lp relaxation": "plan.bound_source_lp"}.get(
        stats.get("bound_from", "")
    )
    if bound is not None and source is not None:
        parts.append(t("plan.bound_from", source=t(source)))
    return parts


def status_text(status: str) -> str:
    return t(f"status.{status}")


def summary_of(result: SolveResult, scenario: Scenario) -> Summary:
    """summary.json of a result (SPEC §5), as the command line writes it."""
    from planner.io import scenario_sha256
    from planner.search.solve import to_summary

    return to_summary(result, scenario, scenario_sha256(scenario))


def need_scenario() -> Scenario | None:
    """The working scenario, or a message pointing to the Scenario page."""
    sc = state.scenario()
    if sc is None:
        st.info(t("common.no_scenario"))
        st.page_link(
            "planner/ui/scenario.py", label=t("nav.scenario"), icon=":material/folder_open:"
        )
    return sc


def names(sc: Scenario) -> dict[str, dict[str, str]]:
    return {
        "org": {o.org_id: o.name or o.org_id for o in sc.organizations},
        "unit": {u.unit_id: u.name or u.unit_id for u in sc.units},
        "dept": {d.dept_id: d.name or d.dept_id for d in sc.departments},
    }


def posts_after(plan: Plan) -> int:
    return sum(1 for a in plan.staff if a.role in (Role.HEAD, Role.DEPUTY))
