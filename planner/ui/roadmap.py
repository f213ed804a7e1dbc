"""Roadmap page: the merger over several periods (SPEC §8), solved live, with its timeline.

The planner sets the horizon, ``norm_by``, the reduction milestones and the package
rates; the roadmap is solved by ``planner.roadmap`` (the same function as ``planner
roadmap``) in a background thread with the live objective/bound chart and a Stop
button. A roadmap shows the timeline (headcount per department stacked over periods,
posts against the norm line, cumulative savings crossing zero), who leaves when and
why, and downloads roadmap.xlsx and roadmap.html.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import altair as alt
import polars as pl
import streamlit as st
from pydantic import ValidationError

from models import PeriodRole, RoadmapResult, Scenario, Status
from planner.domain.conflicts import after_name
from planner.ui import charts, state
from planner.ui.common import (
    bound_parts,
    fmt_compact_money,
    fmt_money,
    fmt_num,
    fmt_share,
    need_scenario,
    show_chart,
    show_table,
    status_text,
)
from planner.ui.i18n import t

JOB = "roadmap.job"
RESULT = "roadmap.result"


def _run(
    scenario: Scenario, *, time_limit: float | None = None, on_progress=None, stop=None, **_: Any
) -> RoadmapResult:  # type: ignore[no-untyped-def]  # noqa: E501
    from planner.search.roadmap import roadmap

    return roadmap(scenario, time_limit=time_limit, on_progress=on_progress, stop=stop)


def render() -> None:
    st.title(t("roadmap.title"))
    st.caption(t("roadmap.intro"))
    sc = need_scenario()
    if sc is None:
        return
    _settings(sc)
    job = state.get(JOB)
    if job is not None and not job.done:
        _progress()
    elif job is not None and job.result is not None:
        state.put(RESULT, (job.scenario, job.result))
        state.drop(JOB)
        _record(job.scenario, job.result)
    elif job is not None and job.error:
        st.error(t("solve.error", error=job.error))
        state.drop(JOB)
    done = state.get(RESULT)
    if done is None:
        if state.get(JOB) is None:
            st.info(t("roadmap.none_yet"))
        return
    _result(*done)


def _record(sc: Scenario, res: RoadmapResult) -> None:
    """Keep a finished roadmap in the workspace history (``KHOI_RECORD_RUNS=0``: not)."""
    import os

    from planner.ui import saved
    from planner.workspace import WorkspaceError
    from planner.workspace.results import save_roadmap

    if os.environ.get("KHOI_RECORD_RUNS", "1") == "0":
        return
    store = saved.store()
    if store is None:
        return
    try:
        item = save_roadmap(store, sc, res, author=saved.user(), note=t("roadmap.title"))
    except (WorkspaceError, ValueError) as exc:
        state.put("ws.record_error", f"{type(exc).__name__}: {exc}")
        return
    state.put("roadmap.run", item.id)


def _settings(sc: Scenario) -> Scenario | None:
    """The [roadmap] settings a planner changes most; Solve starts the job."""
    rm = sc.settings.roadmap
    c1, c2, c3 = st.columns(3)
    periods = c1.number_input(t("roadmap.periods"), 1, 20, int(rm.periods), key="roadmap.periods")
    norm_by = c2.number_input(
        t("roadmap.norm_by"), 1, 20, int(min(rm.norm_period, periods)), key="roadmap.norm_by",
        help=t("roadmap.norm_by_help"),
    )  # fmt: skip
    limit = c3.number_input(
        t("solve.time_limit"), 1.0, 3600.0, float(sc.settings.solver.time_limit), step=5.0,
        format="%.0f", key="roadmap.time_limit",
    )  # fmt: skip
    c4, c5, c6 = st.columns(3)
    reduction = c4.text_input(
        t("roadmap.reduction"),
        ", ".join(str(x) for x in rm.reduction),
        key="roadmap.reduction",
        help=t("roadmap.reduction_help"),
    )
    first = c5.number_input(
        t("roadmap.first_rate"), 0.0, 10.0, float(rm.package.first_rate), step=0.1,
        key="roadmap.first_rate",
    )  # fmt: skip
    later = c6.number_input(
        t("roadmap.later_rate"), 0.0, 10.0, float(rm.package.later_rate), step=0.1,
        key="roadmap.later_rate",
    )  # fmt: skip
    try:
        shares = [float(x) for x in reduction.replace(";", ",").split(",") if x.strip()]
        chosen = sc.with_settings(
            sc.settings.with_overrides(
                {
                    "roadmap.periods": int(periods),
                    "roadmap.norm_by": int(min(norm_by, periods)),
                    "roadmap.reduction": shares,
                    "roadmap.package.first_rate": float(first),
                    "roadmap.package.later_rate": float(later),
                }
            )
        )
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(x) for x in err["loc"])
        st.error(t("roadmap.bad_settings", error=f"{where}: {err['msg']}"))
        return None
    except ValueError as exc:  # a milestone that is not a number
        st.error(t("roadmap.bad_settings", error=str(exc)))
        return None
    running = state.get(JOB) is not None and not state.get(JOB).done
    if st.button(
        t("roadmap.solve"),
        type="primary",
        icon=":material/timeline:",
        disabled=running,
        key="roadmap.solve",
    ):
        job = state.SolveJob(scenario=chosen, label="roadmap", time_limit=float(limit))
        job.start(_run)  # type: ignore[arg-type]  # the job stores whatever result it gets
        state.put(JOB, job)
        st.rerun()
    return chosen


@st.fragment(run_every=0.5)
def _progress() -> None:
    job = state.get(JOB)
    if job is None:
        return
    if job.done:
        st.rerun()
    points = job.snapshot()
    with st.container(border=True):
        a, b = st.columns([3, 1], vertical_alignment="center")
        a.markdown(t("solve.running", seconds=fmt_num(job.elapsed, 1)))
        b.button(t("solve.stop"), icon=":material/stop:", on_click=job.stop.set,
                 disabled=job.stop.is_set(), key="roadmap.stop")  # fmt: skip
        if points:
            _, obj, bound = points[-1]
            c1, c2, c3 = st.columns(3)
            c1.metric(t("solve.objective"), fmt_num(obj))
            c2.metric(t("solve.bound"), fmt_num(bound))
            c3.metric(t("solve.gap"), fmt_share(abs(obj - bound) / max(1.0, abs(obj)), 2))
            show_chart(charts.progress(points), width="stretch")
        else:
            st.caption(t("solve.waiting"))


def _result(sc: Scenario, res: RoadmapResult) -> None:
    parts = [t("plan.status", status=status_text(res.status.value))]
    if res.objective:
        parts.append(t("plan.objective", value=fmt_num(res.objective)))
    st.markdown(" · ".join(parts + bound_parts(res.bound, res.gap, res.stats)))
    if res.roadmap is None:
        if res.conflicts:
            st.error(t("roadmap.infeasible"))
            for name, text in zip(res.conflicts, res.conflict_details, strict=False):
                st.markdown(f"- `{name}`{after_name(name, text)}")
        elif res.status is Status.INFEASIBLE:  # proven, but no setting named in time
            st.error(t("roadmap.infeasible_unnamed"))
        else:
            st.warning(t("plan.timeout"))
        return
    k = res.kpis
    cur = sc.settings.scenario.currency
    months = sc.settings.roadmap.months
    counts = st.columns(3)  # counts and the payback, then the sums of money (wider)
    counts[0].metric(t("roadmap.early_exits"), fmt_num(k.early_exits), border=True)
    counts[1].metric(t("roadmap.retirements"), fmt_num(k.retirements), border=True)
    counts[2].metric(
        t("roadmap.payback"),
        "—" if k.payback_period is None else t("roadmap.payback_value", period=k.payback_period),
        delta=None
        if k.payback_period is None
        else t("roadmap.payback_months", months=k.payback_period * months),
        delta_color="off",
        delta_arrow="off",
        help=t("roadmap.payback_help"),
        border=True,
    )
    money = st.columns(2)
    money[0].metric(  # money in thousands in the model (SPEC §8), shown in currency units
        t("roadmap.packages"), fmt_compact_money(1000 * k.total_packages, cur), border=True,
        help=fmt_money(1000 * k.total_packages, cur),
    )  # fmt: skip
    money[1].metric(
        t("roadmap.net_savings"), fmt_compact_money(1000 * k.net_savings, cur), border=True,
        help=fmt_money(1000 * k.net_savings, cur),
    )  # fmt: skip
    st.subheader(t("roadmap.timeline"))
    names = {d.dept_id: d.name or d.dept_id for d in sc.departments}
    rows = [
        {"period": a.period, "department": names.get(a.dept_id or "", a.dept_id)}
        for a in res.roadmap.staff
        if a.role is not PeriodRole.GONE
    ]
    head = pl.DataFrame(rows).group_by("period", "department").len()
    period_axis = alt.Axis(labelAngle=0, tickMinStep=1)
    show_chart(
        alt.Chart(head, title=t("roadmap.headcount_title"))
        .mark_bar()
        .encode(
            x=alt.X("period:O", title=t("roadmap.period"), axis=period_axis),
            y=alt.Y("len:Q", title=t("roadmap.headcount")),
            color=alt.Color(
                "department:N",
                title=t("roadmap.department"),
                legend=alt.Legend(orient="right", labelLimit=0, titleLimit=0),
            ),
            tooltip=[
                alt.Tooltip("period:O", title=t("roadmap.period")),
                alt.Tooltip("department:N", title=t("roadmap.department")),
                alt.Tooltip("len:Q", title=t("roadmap.headcount")),
            ],
        )
    )
    today = t("roadmap.today")
    start = {"period": today, "posts": k.posts_before, "savings": 0.0}
    periods = pl.DataFrame(
        [start]
        + [
            {"period": str(p.period), "posts": p.posts, "savings": p.cumulative_savings / 1000}
            for p in res.roadmap.periods
        ]
    )
    order = periods["period"].to_list()
    left, right = st.columns(2)
    norm = sc.settings.targets.max_leadership_posts
    x = alt.X("period:N", title=t("roadmap.period"), sort=order, axis=period_axis)
    posts = (
        alt.Chart(periods, title=t("roadmap.posts_title"))
        .mark_line(point=True)
        .encode(x=x, y=alt.Y("posts:Q", title=t("roadmap.posts")))
    )
    if norm is not None:
        posts = posts + alt.Chart(pl.DataFrame({"norm": [norm]})).mark_rule(
            color="#e15759", strokeDash=[4, 4]
        ).encode(y="norm:Q")
    with left:
        show_chart(posts)
        if norm is not None:
            st.caption(
                t("roadmap.norm_line", norm=fmt_num(norm), period=sc.settings.roadmap.norm_by)
            )
    savings = alt.Chart(periods, title=t("roadmap.savings_title")).mark_line(point=True).encode(
        x=x, y=alt.Y("savings:Q", title=t("roadmap.cumulative_savings", currency=cur))
    ) + alt.Chart(pl.DataFrame({"zero": [0]})).mark_rule(color="#555").encode(y="zero:Q")
    with right:
        show_chart(savings)
        st.caption(t("roadmap.savings_note"))
    st.subheader(t("roadmap.who_leaves"))
    people = {s.staff_id: s.name for s in sc.staff}
    leaves = pl.DataFrame(
        [
            {
                t("roadmap.col_staff"): d.staff_id,
                t("roadmap.col_name"): people.get(d.staff_id, ""),
                t("roadmap.period"): d.period,
                t("roadmap.col_reason"): t(f"roadmap.reason_{d.reason.value}"),
                t("roadmap.col_package", currency=cur): 1000 * d.package,
            }
            for d in res.roadmap.departures
        ]
    )
    show_table(leaves, hide_index=True, width="stretch")
    _downloads(sc, res)


def _downloads(sc: Scenario, res: RoadmapResult) -> None:
    from planner.export.roadmap_export import roadmap_html, write_roadmap_xlsx
    from planner.search.roadmap import to_roadmap_summary

    assert res.roadmap is not None
    summary = to_roadmap_summary(res, sc)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "roadmap.xlsx"
        write_roadmap_xlsx(sc, res.roadmap, summary, path)
        xlsx = path.read_bytes()
    a, b = st.columns(2)
    a.download_button(t("roadmap.download_xlsx"), xlsx, "roadmap.xlsx", key="roadmap.dl_xlsx")
    b.download_button(
        t("roadmap.download_html"),
        roadmap_html(sc, res.roadmap, summary).encode("utf-8"),
        "roadmap.html",
        mime="text/html",
        key="roadmap.dl_html",
    )


if __name__ == "__main__":
    render()
