"""Compare page: the plans of this browser session side by side, and who moves between two of them.

The figures and the moves come from ``planner.tradeoffs.compare`` (as
``planner compare``); the page adds names and translations.
"""

from __future__ import annotations

from typing import Any

import polars as pl
import streamlit as st

from models import Scenario
from planner.ui import state
from planner.ui.common import fmt_num, fmt_share, need_scenario, show_table, status_text, summary_of
from planner.ui.i18n import has, t

KPI_NAMES = {
    "departments": "departments_after",
    "posts": "posts_after",
    "headcount": "headcount_after",
    "payroll": "payroll_after",
}
MONEY = {"payroll_before", "payroll", "savings", "income_raise_per_head"}


def render() -> None:
    st.title(t("compare.title"))
    if need_scenario() is None:
        return
    kept = [k for k in state.kept() if k["result"].plan is not None]
    st.caption(t("compare.intro"))
    if not kept:
        st.info(t("compare.none"))
        return
    labels = [f"{k['label']} · {k['created']}" for k in kept]
    default = labels[-2:] if len(labels) >= 2 else labels
    chosen = st.multiselect(
        t("compare.pick"), labels, default=default, key="compare.pick", max_selections=6
    )
    items = [kept[labels.index(c)] for c in chosen]
    if not items:
        return
    from planner.tradeoffs import compare

    result = compare(
        [
            (label, item["result"].plan, summary_of(item["result"], item["scenario"]))
            for label, item in zip(chosen, items, strict=True)
        ]
    )
    st.subheader(t("compare.kpis"))
    table = _kpi_table(result, items)
    show_table(table, hide_index=True, width="stretch", height=38 + 35 * len(table[" "]))
    if len(items) < 2:
        st.info(t("compare.need_two"))
        return
    st.subheader(t("compare.moves"))
    a, b = st.columns(2)
    left = a.selectbox(t("compare.plan_a"), chosen, index=0, key="compare.a")
    right = b.selectbox(t("compare.plan_b"), chosen, index=len(chosen) - 1, key="compare.b")
    ia, ib = kept[labels.index(left)], kept[labels.index(right)]
    pair = compare(
        [
            ("A", ia["result"].plan, summary_of(ia["result"], ia["scenario"])),
            ("B", ib["result"].plan, summary_of(ib["result"], ib["scenario"])),
        ]
    )
    if pair.moves.is_empty():
        st.success(t("compare.same"))
        return
    staff = pair.moves.filter(pl.col("kind") == "staff")
    functions = pair.moves.filter(pl.col("kind") == "function")
    st.caption(t("compare.moves_count", n=staff.height))
    if staff.height:
        show_table(_staff_moves(ia["scenario"], staff), hide_index=True, width="stretch")
    if functions.height:
        st.caption(t("compare.function_moves", n=functions.height))
        show_table(_function_moves(ia["scenario"], functions), hide_index=True, width="stretch")


def _kpi_table(result: Any, items: list[dict[str, Any]]) -> dict[str, list[str]]:
    names = [t("compare.status")]
    for kpi in result.kpis["kpi"].to_list():
        key = KPI_NAMES.get(kpi, kpi)
        names.append(
            t("compare.objective")
            if kpi == "objective"
            else t(f"kpi_row.{key}")
            if has(f"kpi_row.{key}")
            else t(f"term.{kpi}")
        )
    table: dict[str, list[str]] = {" ": names}
    for label, item in zip(result.labels, items, strict=True):
        cur = item["scenario"].settings.scenario.currency
        col = [status_text(result.statuses.get(label, ""))]
        for kpi, value in zip(
            result.kpis["kpi"].to_list(), result.kpis[label].to_list(), strict=True
        ):
            if kpi == "reduction":
                col.append(fmt_share(value))
            elif kpi in MONEY:
                col.append(f"{fmt_num(value)} {cur}")
            else:
                col.append(fmt_num(value))
        table[label] = col
    return table


def _where(dept: str | None, role: str | None, names: dict[str, str]) -> str:
    if role == "exit" or dept is None:
        return t("role.exit")
    return f"{names.get(dept, dept)} · {t(f'role.{role}')}"


def _staff_moves(sc: Scenario, moves: pl.DataFrame) -> list[dict[str, str]]:
    person = {s.staff_id: s.name for s in sc.staff}
    org = {o.org_id: o.name or o.org_id for o in sc.organizations}
    dept = {d.dept_id: d.name or d.dept_id for d in sc.departments}
    return [
        {
            t("col.staff_id"): m["id"],
            t("col.name"): person.get(m["id"], ""),
            t("col.org"): org.get(sc.staff_org.get(m["id"], ""), ""),
            t("compare.in_a"): _where(m["from_dept"], m["from_role"], dept),
            t("compare.in_b"): _where(m["to_dept"], m["to_role"], dept),
        }
        for m in moves.iter_rows(named=True)
    ]


def _function_moves(sc: Scenario, moves: pl.DataFrame) -> list[dict[str, str]]:
    fname = {f.function_id: f.name for f in sc.functions}
    dept = {d.dept_id: d.name or d.dept_id for d in sc.departments}

    def where(d: str | None, lead: str | None) -> str:
        text = dept.get(d or "", d or "")
        return f"{text} · {t('col.lead_org')} {lead}" if lead else text

    return [
        {
            t("col.function_id"): m["id"],
            t("col.name"): fname.get(m["id"], ""),
            t("compare.in_a"): where(m["from_dept"], m["from_role"]),
            t("compare.in_b"): where(m["to_dept"], m["to_role"]),
        }
        for m in moves.iter_rows(named=True)
    ]


if __name__ == "__main__":
    render()
