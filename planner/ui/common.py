"""Helpers shared by the pages: number formats, summaries, tables of a plan."""

from __future__ import annotations

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


def status_text(status: str) -> str:
    return t(f"status.{status}")


def summary_of(result: SolveResult, scenario: Scenario) -> Summary:
    """summary.json of a result (SPEC §5), as the command line writes it."""
    from planner.io import scenario_sha256
    from planner.solve import to_summary

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
