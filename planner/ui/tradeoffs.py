"""Trade-offs page: the Pareto curve between two objective terms and the price of each policy.

Both come from ``planner.tradeoffs`` (the same functions as ``planner pareto``
and ``planner price``) and run in a background thread with a progress bar.
Every point of the curve is a full, checked plan that can be opened on the
Plan page (and is then kept for the Compare page).
"""

from __future__ import annotations

from typing import Any

import altair as alt
import polars as pl
import streamlit as st

from models import TERMS, Scenario
from planner.ui import relax, state
from planner.ui.common import fmt_num, need_scenario, show_chart, show_table, status_text
from planner.ui.i18n import t

PLAN_PAGE = "planner/ui/plan.py"


def render() -> None:
    st.title(t("tradeoffs.title"))
    st.caption(t("tradeoffs.intro"))
    sc = need_scenario()
    if sc is None:
        return
    tab_pareto, tab_price = st.tabs([t("tradeoffs.tab_pareto"), t("tradeoffs.tab_price")])
    with tab_pareto:
        _pareto(sc)
    with tab_price:
        _price(sc)


def _default_time() -> float:
    """The whole run's default budget: the CLI's (two minutes)."""
    from planner.tradeoffs.common import DEFAULT_BUDGET

    return DEFAULT_BUDGET


@st.fragment(run_every=1.0)
def _progress(kind: str) -> None:
    task = state.task(kind)
    if task is None:
        return
    if task.done:
        st.rerun()
    share = task.done_steps / task.total_steps if task.total_steps else 0.0
    st.progress(
        min(share, 1.0),
        text=t(
            "tradeoffs.progress",
            done=task.done_steps,
            total=task.total_steps or "…",
            label=task.label or "…",
            seconds=fmt_num(task.elapsed, 0),
        ),
    )
    st.caption(t("tradeoffs.background"))


# -- Pareto curve --------------------------------------------------------------------------


def _pareto(sc: Scenario) -> None:
    from planner.tradeoffs import pareto

    st.caption(t("tradeoffs.pareto_intro"))
    c1, c2, c3, c4 = st.columns(4)
    terms = list(TERMS)
    x = c1.selectbox(
        t("tradeoffs.x"),
        terms,
        index=terms.index("payroll"),
        format_func=lambda k: t(f"term.{k}"),
        key="trade.x",
    )
    y = c2.selectbox(
        t("tradeoffs.y"),
        terms,
        index=terms.index("involuntary_exits"),
        format_func=lambda k: t(f"term.{k}"),
        key="trade.y",
    )
    points = c3.number_input(
        t("tradeoffs.points"),
        min_value=2,
        max_value=15,
        value=5,
        step=1,
        key="trade.points",
        help=t("tradeoffs.points_help"),
    )
    limit = c4.number_input(
        t("tradeoffs.time_total"),
        min_value=1.0,
        max_value=3600.0,
        value=_default_time(),
        step=5.0,
        format="%.0f",
        key="trade.limit",
        help=t("tradeoffs.time_total_help"),
    )
    task = state.task("pareto")
    running = task is not None and not task.done
    if x == y:
        st.warning(t("tradeoffs.same_terms"))
    st.caption(t("tradeoffs.pareto_cost", n=int(points), seconds=fmt_num(limit)))
    if st.button(
        t("tradeoffs.compute_pareto"),
        type="primary",
        icon=":material/show_chart:",
        key="trade.go",
        disabled=running or x == y,
    ):
        res, res_sc = state.result(), state.result_scenario()
        base = res if res is not None and res_sc is sc and res.plan is not None else None

        def work(on_step: Any) -> Any:
            return pareto(
                sc,
                x,
                y,
                points=int(points),
                time_limit=float(limit),
                base=base,
                on_step=on_step,
            )

        state.start_task("pareto", sc, work)
        st.rerun()
    if running:
        _progress("pareto")
        return
    if task is None:
        return
    if task.error:
        st.error(t("tradeoffs.error", error=task.error))
        return
    _show_pareto(task.scenario, task.result, stale=task.scenario is not sc)
    if task.result.points:
        _save_form("pareto", task.scenario, task.result)


def _show_pareto(sc: Scenario, res: Any, *, stale: bool) -> None:
    if stale:
        st.warning(t("tradeoffs.stale"), icon=":material/history:")
    frontier: pl.DataFrame = res.frontier
    if frontier.is_empty():
        st.info(t("tradeoffs.no_frontier", status=status_text(res.status.value)))
        return
    cur = sc.settings.scenario.currency

    def axis_title(term: str) -> str:
        return f"{t(f'term.{term}')} ({t(f'term_unit.{term}', currency=cur)})"

    xl, yl = axis_title(res.x), axis_title(res.y)
    df = frontier.with_row_index("point", offset=1).with_columns(
        pl.when(pl.col("proven"))
        .then(pl.lit(t("tradeoffs.proven")))
        .otherwise(pl.lit(t("tradeoffs.not_proven")))
        .alias("quality")
    )
    pick = alt.selection_point(fields=["point"], name="pick")
    base = alt.Chart(df).encode(
        x=alt.X(
            "x:Q",
            title=xl,
            scale=alt.Scale(zero=False, nice=True),
            axis=alt.Axis(tickMinStep=1, format=",d"),
        ),
        y=alt.Y(
            "y:Q",
            title=yl,
            scale=alt.Scale(zero=False, nice=True),
            axis=alt.Axis(tickMinStep=1, format=",d"),
        ),
    )
    line = base.mark_line(color="#4e79a7", strokeWidth=2, opacity=0.6)
    dots = (
        base.mark_point(filled=True, size=140)
        .encode(
            color=alt.Color(
                "quality:N",
                title=None,
                scale=alt.Scale(
                    domain=[t("tradeoffs.proven"), t("tradeoffs.not_proven")],
                    range=["#4e79a7", "#e15759"],
                ),
                legend=alt.Legend(orient="top"),
            ),
            tooltip=[
                alt.Tooltip("point:Q", title=t("tradeoffs.point")),
                alt.Tooltip("x:Q", title=xl, format=",d"),
                alt.Tooltip("y:Q", title=yl, format=",d"),
                alt.Tooltip("objective:Q", title=t("compare.objective"), format=",d"),
                alt.Tooltip("quality:N", title=" "),
            ],
            opacity=alt.condition(pick, alt.value(1.0), alt.value(0.5)),
        )
        .add_params(pick)
    )
    labels = base.mark_text(dy=-14, fontSize=11, color="#333").encode(text="point:Q")
    event = show_chart(
        (line + dots + labels).properties(height=380),
        width="stretch",
        on_select="rerun",
        key="trade.chart",
    )
    chosen = _selected_point(event)
    st.caption(t("tradeoffs.pareto_read", x=xl, y=yl))
    table = df.select(
        pl.col("point").alias(t("tradeoffs.point")),
        pl.col("x").alias(xl),
        pl.col("y").alias(yl),
        pl.col("objective").alias(t("compare.objective")),
        pl.col("quality").alias(t("compare.status")),
    )
    show_table(table)
    options = list(range(1, df.height + 1))
    a, b = st.columns([3, 1], vertical_alignment="bottom")
    n = a.selectbox(
        t("tradeoffs.open_which"),
        options,
        index=options.index(chosen) if chosen in options else 0,
        format_func=lambda i: t(
            "tradeoffs.point_label",
            n=i,
            x=xl,
            xv=fmt_num(df["x"][i - 1]),
            y=yl,
            yv=fmt_num(df["y"][i - 1]),
        ),
        key="trade.open_which",
    )
    if b.button(
        t("tradeoffs.open"), icon=":material/open_in_new:", key="trade.open", width="stretch"
    ):
        point = res.points[n - 1]
        label = t("tradeoffs.kept_label", n=n, x=xl, xv=fmt_num(point.x), y=yl, yv=fmt_num(point.y))
        state.open_result(sc, point.result, label)
        st.switch_page(PLAN_PAGE)


def _selected_point(event: Any) -> int | None:
    try:
        rows = event["selection"]["pick"]
    except (KeyError, TypeError):
        return None
    if rows and isinstance(rows, list) and "point" in rows[0]:
        return int(rows[0]["point"])
    return None


# -- price of each policy ------------------------------------------------------------------


def _price(sc: Scenario) -> None:
    from planner.tradeoffs import price

    st.caption(t("tradeoffs.price_intro"))
    n = len(relax.relaxations(sc))
    a, b = st.columns([1, 3], vertical_alignment="bottom")
    limit = a.number_input(
        t("tradeoffs.time_total"),
        min_value=1.0,
        max_value=3600.0,
        value=_default_time(),
        step=5.0,
        format="%.0f",
        key="price.limit",
        help=t("tradeoffs.time_total_help"),
    )
    b.caption(t("tradeoffs.price_cost", n=n, seconds=fmt_num(limit)))
    task = state.task("price")
    running = task is not None and not task.done
    if st.button(
        t("tradeoffs.compute_price"),
        type="primary",
        icon=":material/sell:",
        key="price.go",
        disabled=running or n == 0,
    ):
        res, res_sc = state.result(), state.result_scenario()
        base = res if res is not None and res_sc is sc and res.plan is not None else None

        def work(on_step: Any) -> Any:
            return price(sc, time_limit=float(limit), base=base, on_step=on_step)

        state.start_task("price", sc, work)
        st.rerun()
    if running:
        _progress("price")
        return
    if task is None:
        return
    if task.error:
        st.error(t("tradeoffs.error", error=task.error))
        return
    if task.scenario is not sc:
        st.warning(t("tradeoffs.stale"), icon=":material/history:")
    _show_price(task.result)
    if not task.result.is_empty():
        _save_form("price", task.scenario, task.result)


def _show_price(frame: pl.DataFrame) -> None:
    from planner.tradeoffs.price import saving_range

    if frame.is_empty():
        st.info(t("tradeoffs.no_price"))
        return
    binding = frame.filter(pl.col("binding"))
    if binding.is_empty():
        st.success(t("tradeoffs.none_binding"))
    else:
        chart = (
            alt.Chart(binding)
            .mark_bar(color="#e15759")
            .encode(
                y=alt.Y("setting:N", title=None, sort="-x", axis=alt.Axis(labelLimit=320)),
                x=alt.X("saving:Q", title=t("tradeoffs.saving")),
                tooltip=[
                    alt.Tooltip("setting:N", title=t("tradeoffs.setting")),
                    alt.Tooltip("current:N", title=t("tradeoffs.current")),
                    alt.Tooltip("relaxed:N", title=t("tradeoffs.relaxed")),
                    alt.Tooltip("saving:Q", title=t("tradeoffs.saving"), format=",d"),
                    alt.Tooltip("changed:N", title=t("tradeoffs.changed")),
                ],
            )
            .properties(height=alt.Step(24), title=t("tradeoffs.price_chart"))
        )
        show_chart(chart, width="stretch")
    frame = frame.with_columns(
        pl.struct("saving_low", "saving_high")
        .map_elements(
            lambda r: saving_range(r["saving_low"], r["saving_high"], fmt_num),
            return_dtype=pl.String,
        )
        .alias("within")
    )
    cols = {
        "setting": "setting",
        "current": "current",
        "relaxed": "relaxed",
        "saving": "saving",
        "within": "within",
        "binding": "binding",
        "changed": "changed",
        "status": "status_col",
        "proven": "proven_col",
        "note": "note",
    }
    table = frame.select([pl.col(c).alias(t(f"tradeoffs.{k}")) for c, k in cols.items()])
    show_table(table, hide_index=True, width="stretch")


# -- saving a result in the workspace ------------------------------------------------------


def _save_form(kind: str, sc: Scenario, result: Any) -> None:
    """Name and save the result on screen in the shared workspace (planner.workspace); it is
    listed on the Workspace page with who saved it, like ``planner {kind} --save NAME``."""
    from planner.ui import saved

    with st.form(f"{kind}.save_form", border=True):
        st.caption(t("tradeoffs.save_intro"))
        a, b = st.columns([3, 1], vertical_alignment="bottom")
        name = a.text_input(t("workspace.name"), key=f"{kind}.save_name", max_chars=120)
        go = b.form_submit_button(t("tradeoffs.save"), icon=":material/save:", width="stretch")
    if go:
        item = saved.save_tradeoff(kind, sc, result, name)
        if item is not None:
            st.success(t("workspace.saved", label=saved.label_of(item)))


if __name__ == "__main__":
    render()
