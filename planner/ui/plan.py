"""Solve and Plan page: a live solve with a Stop button, then the plan or its conflicts.

The solve goes through the server's queue (``planner.ui.solves``); while it waits
the page shows its place and a Cancel button (looked at every 5 s), while it runs
a fragment polls it every 2 s and draws the objective and the bound over time: on a
loaded server, the reruns of many waiting pages must not crowd out a new visitor's. A
finished plan shows its before → after figures, the org chart, who goes
where, workload against capacity and a filterable staff table. An infeasible
solve shows the named conflicts, each with a sentence and a "relax" button.
"""

from __future__ import annotations

from typing import Any

import polars as pl
import streamlit as st

from models import Plan, Scenario, SolveResult
from planner.ui import charts, relax, solves, state
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
    summary_of,
)
from planner.ui.i18n import current, domain, has, t


def render() -> None:
    st.title(t("plan.title"))
    sc = need_scenario()
    if sc is None:
        return
    _controls(sc)
    job = state.job()
    if state.running():
        if job is not None and job.state == "queued":
            _waiting()
        else:
            _progress()
    elif job is not None and not job.done:
        _recording()  # the plan is shown; its run is being written to the workspace
    error = state.get("solve_error")
    if error:
        st.error(t("solve.error", error=error))
    res = state.result()
    if res is None:
        if not state.running():
            st.info(t("plan.none_yet"))
        return
    res_sc = state.result_scenario() or sc
    if res_sc is not sc:
        st.warning(t("plan.stale"), icon=":material/history:")
    _status(res, res_sc)
    if res.plan is not None:
        _plan(res, res_sc, res.plan)
    elif res.status.value == "infeasible":
        _conflicts(res, res_sc)
        _draft(res, res_sc)
    elif res.status.value == "timeout":
        st.warning(t("plan.timeout"))
        _draft(res, res_sc)
    else:
        st.error(t("plan.invalid"))
        for v in res.violations:
            st.text(v)


def _draft(res: SolveResult, sc: Scenario) -> None:
    """The closest plan found when none meets every rule (SPEC §5's draft): each broken
    rule, where and by how much, in the page's language."""
    if res.draft is None or not res.draft_violations:
        return
    from planner.export.draft import describe

    lang = current()
    st.warning(t("plan.draft"), icon=":material/draft:")
    rows = [
        {
            t("plan.draft_rule"): describe(v, sc.settings.scenario.currency, lang),
            t("plan.draft_where"): v.where or "—",
            t("plan.draft_amount"): v.amount,
        }
        for v in res.draft_violations
    ]
    st.dataframe(rows, hide_index=True, use_container_width=True)


def _controls(sc: Scenario) -> None:
    left, mid, right = st.columns([1, 1, 2], vertical_alignment="bottom")
    with mid:
        limit = st.number_input(
            t("solve.time_limit"),
            min_value=1.0,
            max_value=3600.0,
            value=float(sc.settings.solver.time_limit),
            step=5.0,
            format="%.0f",
            help=t("solve.time_limit_help"),
            key="plan.time_limit",
        )
    with left:
        again = state.result() is not None
        if st.button(
            t("solve.again" if again else "solve.start"),
            type="primary",
            icon=":material/play_arrow:",
            disabled=state.running(),
            key="plan.solve",
            width="stretch",
        ):
            solves.start_solve(sc, time_limit=limit)
            st.rerun()
    with right:
        if state.get("last_plan") is not None:
            st.caption(t("solve.warm_start"))


@st.fragment(run_every=5.0)
def _waiting() -> None:
    """A queued solve, looked at every 5 s: ten waiting planners must not slow the pages."""
    job = state.job()
    if job is None:
        return
    if job.state != "queued":
        st.rerun()  # started (or done): the whole page switches to the progress
    _queued(job)


@st.fragment(run_every=2.0)
def _progress() -> None:
    job = state.job()
    if job is None:
        return
    if job.answered:  # shown at once; its run is recorded meanwhile
        st.rerun()
    points = job.snapshot()
    stopping = job.stop.is_set()
    with st.container(border=True):
        a, b = st.columns([3, 1], vertical_alignment="center")
        a.markdown(
            t("solve.stopping" if stopping else "solve.running", seconds=fmt_num(job.elapsed, 1))
        )
        b.button(
            t("solve.stop"),
            icon=":material/stop:",
            on_click=state.stop_running,
            disabled=stopping,
            key="plan.stop",
            width="stretch",
        )
        if points:
            _, obj, bound = points[-1]
            gap = abs(obj - bound) / max(1.0, abs(obj))
            c1, c2, c3 = st.columns(3)
            c1.metric(t("solve.objective"), fmt_num(obj))
            c2.metric(t("solve.bound"), fmt_num(bound))
            c3.metric(t("solve.gap"), fmt_share(gap, 2))
            show_chart(charts.progress(points), width="stretch")
        else:
            st.caption(t("solve.waiting"))
        st.caption(t("solve.survives"))


@st.fragment(run_every=2.0)
def _recording() -> None:
    """Once the answered solve's run is recorded, the page once more: the run's number."""
    job = state.job()
    if job is not None and job.done:
        st.rerun()


def _queued(job: Any) -> None:
    """A solve waiting for its turn: its place in the server's queue and a Cancel button."""
    from planner.ui import solves

    q = solves.queue()
    counts = q.counts()
    with st.container(border=True):
        a, b = st.columns([3, 1], vertical_alignment="center")
        a.markdown(
            t(
                "solve.queued",
                position=fmt_num(q.position(job)),
                running=fmt_num(counts["running"]),
                slots=fmt_num(q.backend.slots),
                seconds=fmt_num(job.waited, 0),
            )
        )
        b.button(
            t("solve.cancel"),
            icon=":material/cancel:",
            on_click=state.stop_running,
            key="plan.cancel",
            width="stretch",
        )
        st.caption(t("solve.survives"))


def _status(res: SolveResult, sc: Scenario) -> None:
    parts = [t("plan.status", status=status_text(res.status.value))]
    if res.objective is not None:
        parts.append(t("plan.objective", value=fmt_num(res.objective)))
    parts += bound_parts(res.bound, res.gap, res.stats)
    parts.append(t("plan.runtime", value=fmt_num(res.runtime, 1)))
    icon = {"optimal": ":material/verified:", "feasible": ":material/check_circle:"}.get(
        res.status.value, ":material/error:"
    )
    st.markdown(f"{icon} " + " · ".join(parts))
    if res.status.value == "feasible":
        st.caption(t("plan.feasible_note"))
    reused = res.stats.get("reused_optimum")
    where = res.stats.get("ran_on") or {}
    if where.get("backend") in ("shared", "workspace"):
        st.caption(t("plan.same_question", run=res.stats.get("same_as_run") or "—"))
    elif reused is not None:
        st.caption(t("plan.reused_note", changes=", ".join(reused) or "—"))
    if res.plan is not None:
        from planner.search.ties import ties

        found = ties(sc, res.plan)
        if found.any:
            st.caption(
                t("plan.ties", classes=fmt_num(found.classes), people=fmt_num(found.people)),
                help=t("plan.ties_help"),
            )


# -- a plan --------------------------------------------------------------------------


def _plan(res: SolveResult, sc: Scenario, plan: Plan) -> None:
    k = res.kpis
    cur = sc.settings.scenario.currency
    # counts on one row, sums of money (wider, with their unit) on the next
    row1 = st.columns(5)
    row1[0].metric(
        t("kpi.units"),
        f"{k.units_before} → {k.departments_after}",
        delta=k.departments_after - k.units_before,
        delta_color="inverse",
        help=t("kpi.units_help"),
        border=True,
    )
    row1[1].metric(
        t("kpi.posts"),
        f"{k.posts_before} → {k.posts_after}",
        delta=k.posts_after - k.posts_before,
        delta_color="inverse",
        help=t("kpi.posts_help"),
        border=True,
    )
    row1[2].metric(
        t("kpi.headcount"),
        f"{k.headcount_before} → {k.headcount_after}",
        delta=k.headcount_after - k.headcount_before,
        delta_color="inverse",
        help=t("kpi.headcount_help"),
        border=True,
    )
    row1[3].metric(
        t("kpi.exits"),
        fmt_num(k.exits),
        delta=t("kpi.reduction", share=fmt_share(k.reduction)),
        delta_color="off",
        delta_arrow="off",
        help=t("kpi.exits_help"),
        border=True,
    )
    row1[4].metric(
        t("kpi.involuntary"),
        fmt_num(k.involuntary_exits),
        help=t("kpi.involuntary_help"),
        border=True,
    )
    row2 = st.columns(3)
    row2[0].metric(
        t("kpi.payroll", currency=cur),
        fmt_compact_money(k.payroll_after, cur),
        delta=fmt_compact_money(k.payroll_after - k.payroll_before, cur),
        delta_color="inverse",
        help=t(
            "kpi.payroll_help",
            before=fmt_money(k.payroll_before, cur),
            after=fmt_money(k.payroll_after, cur),
        ),
        border=True,
    )
    row2[1].metric(
        t("kpi.savings", currency=cur),
        fmt_compact_money(k.savings, cur),
        help=t("kpi.savings_help", value=fmt_money(k.savings, cur)),
        border=True,
    )
    row2[2].metric(
        t("kpi.raise", currency=cur),
        fmt_compact_money(k.income_raise_per_head, cur),
        help=t("kpi.raise_help", value=fmt_money(k.income_raise_per_head, cur)),
        border=True,
    )

    # Only the open tab is computed and sent: ten planners whose solves end together each
    # get one drawing, not five (the org chart, the flows, the staff table …).
    tabs = st.tabs(
        [
            t("plan.tab_structure"),
            t("plan.tab_flow"),
            t("plan.tab_workload"),
            t("plan.tab_staff"),
            t("plan.tab_terms"),
        ],
        key="plan.view",
        on_change="rerun",
    )
    with tabs[0]:
        if tabs[0].open:
            _structure(res, sc, plan)
    with tabs[1]:
        if tabs[1].open:
            _flow(res, sc, plan)
    with tabs[2]:
        if tabs[2].open:
            show_chart(charts.workload(sc, plan), width="stretch")
            st.caption(t("plan.workload_note"))
    with tabs[3]:
        if tabs[3].open:
            _staff_table(sc, plan)
    with tabs[4]:
        if tabs[4].open:
            _terms(res, sc)


def _svg(name: str, res: SolveResult, sc: Scenario, plan: Plan) -> str | None:
    try:
        from planner import export
    except ImportError:
        return None
    fn = getattr(export, name, None)
    if fn is None:
        return None
    try:
        return fn(sc, plan, summary_of(res, sc), lang=current())
    except Exception:  # noqa: BLE001 - the page falls back to its own chart
        return None


def _structure(res: SolveResult, sc: Scenario, plan: Plan) -> None:
    svg = _svg("structure_svg", res, sc, plan)
    if svg:
        st.image(svg, width="stretch")
    names = {o.org_id: o.name or o.org_id for o in sc.organizations}
    person = {s.staff_id: s.name or s.staff_id for s in sc.staff}
    rows = []
    for d in plan.departments:
        row: dict[str, object] = {
            t("col.dept"): d.name or d.dept_id,
            t("col.headcount"): d.headcount,
            t("col.fte"): d.fte,
            t("col.workload"): d.workload,
        }
        if not svg:  # the chart above names the leaders and the organisations' codes
            row[t("col.head")] = person.get(d.head or "", d.head or "")
            row[t("col.deputies")] = "; ".join(person.get(x, x) for x in d.deputies)
        row[t("col.domains")] = "; ".join(domain(x) for x in d.domains)
        row[t("col.orgs")] = ", ".join(d.orgs if svg else (names.get(o, o) for o in d.orgs))
        rows.append(row)
    show_table(rows)


def _flow(res: SolveResult, sc: Scenario, plan: Plan) -> None:
    svg = _svg("flow_svg", res, sc, plan)
    if svg:
        st.image(svg, width="stretch")
    else:
        show_chart(charts.flow(sc, plan), width="stretch")
    st.caption(t("plan.flow_note"))


def _staff_table(sc: Scenario, plan: Plan) -> None:
    org_name = {o.org_id: o.name or o.org_id for o in sc.organizations}
    unit_name = {u.unit_id: u.name or u.unit_id for u in sc.units}
    dept_name = {d.dept_id: d.name or d.dept_id for d in sc.departments}
    person = {s.staff_id: s for s in sc.staff}
    rows = []
    for a in plan.staff:
        s = person[a.staff_id]
        rows.append(
            {
                "staff_id": a.staff_id,
                "name": s.name,
                "org": org_name.get(a.org_id, a.org_id),
                "unit": unit_name.get(a.unit_id, a.unit_id),
                "position": t(f"position.{s.position.value}"),
                "dept": dept_name.get(a.dept_id, a.dept_id) if a.dept_id else "",
                "role": t(f"role.{a.role.value}"),
                "retiring": s.retiring,
            }
        )
    df = pl.DataFrame(rows)
    c1, c2, c3, c4 = st.columns(4)
    orgs = c1.multiselect(t("filter.org"), list(org_name.values()), key="plan.f_org")
    depts = c2.multiselect(
        t("filter.dept"),
        [*dept_name.values(), ""],
        format_func=lambda d: d or t("role.exit"),
        key="plan.f_dept",
    )
    roles = c3.multiselect(
        t("filter.role"),
        [t(f"role.{r}") for r in ("head", "deputy", "member", "exit")],
        key="plan.f_role",
    )
    text = c4.text_input(t("filter.search"), key="plan.f_text", placeholder=t("filter.search_hint"))
    if orgs:
        df = df.filter(pl.col("org").is_in(orgs))
    if depts:
        df = df.filter(pl.col("dept").is_in(depts))
    if roles:
        df = df.filter(pl.col("role").is_in(roles))
    if text:
        needle = text.strip().lower()
        df = df.filter(
            pl.col("name").str.to_lowercase().str.contains(needle, literal=True)
            | pl.col("staff_id").str.to_lowercase().str.contains(needle, literal=True)
        )
    st.caption(t("plan.staff_count", shown=df.height, total=len(plan.staff)))
    show_table(
        df.rename({c: t(f"col.{c}") for c in df.columns}),
        hide_index=True,
        width="stretch",
        height=min(600, 38 + 35 * max(df.height, 1)),
    )


def _terms(res: SolveResult, sc: Scenario) -> None:
    w = sc.settings.objective.weights()
    rows = [
        {
            t("col.term"): t(f"term.{k}"),
            t("col.value"): v,
            t("col.term_unit"): t(f"term_unit.{k}", currency=sc.settings.scenario.currency),
            t("col.weight"): w.get(k, 0),
            t("col.weighted"): v * w.get(k, 0),
            t("col.meaning"): t(f"term_help.{k}"),
        }
        for k, v in res.terms.items()
    ]
    show_table(rows, wide=(t("col.meaning"),))
    if sc.settings.objective.mode.value == "lexicographic":
        st.caption(
            t(
                "plan.lexicographic",
                order=" → ".join(t(f"term.{x}") for x in sc.settings.objective.priority),
            )
        )


# -- conflicts --------------------------------------------------------------------------


def _conflicts(res: SolveResult, sc: Scenario) -> None:
    st.error(t("plan.infeasible"), icon=":material/block:")
    if not res.conflicts:
        st.info(t("plan.no_conflicts"))
        _suspects(sc)
        return
    st.markdown(t("plan.conflicts_intro"))
    cached = state.get("relaxations")
    if cached is None or cached[0] is not sc:
        try:
            steps = relax.relaxations(sc)
        except (
            ValueError
        ):  # a relaxation the models refuse: the conflicts are shown without buttons
            steps = {}
        cached = (sc, steps)
        state.put("relaxations", cached)
    for i, name in enumerate(res.conflicts):
        c = relax.analyse(sc, name, cached[1])
        with st.container(border=True):
            a, b = st.columns([4, 1], vertical_alignment="center")
            key = c.key if has(c.key) else "conflict.other"
            sentence = t(key, **{"name": name, **_sentence_values(c.values)})
            a.markdown(sentence[:1].upper() + sentence[1:])
            if c.relaxed is not None:
                new = _fmt_value(c.values.get("new"))
                label = (
                    t("plan.relax_remove")
                    if name.startswith(("locks:", "rules:"))
                    else t("plan.relax", new=new)
                )
                if b.button(
                    label,
                    key=f"plan.relax.{i}",
                    icon=":material/tune:",
                    width="stretch",
                    disabled=state.running(),
                ):
                    state.set_scenario(c.relaxed)
                    state.bump_editors()
                    solves.start_solve(c.relaxed)
                    st.rerun()
            else:
                b.caption(t("plan.relax_in_files"))
    with st.expander(t("plan.conflict_details")):  # the settings' names, for whoever edits files
        for name in res.conflicts:
            st.markdown(f"- `{name}`")
        for line in res.conflict_details:
            st.markdown(f"- {line}")


def _suspects(sc: Scenario) -> None:
    """Without named conflicts: the settings changed since the file, each with a button to restore it."""
    base = state.base()
    if base is None:
        return
    found = relax.changes(base, sc)
    if not found:
        return
    st.markdown(t("plan.suspects_intro"))
    for i, ch in enumerate(found):
        with st.container(border=True):
            a, b = st.columns([4, 1], vertical_alignment="center")
            a.markdown(
                t(
                    "plan.suspect",
                    name=ch.name,
                    file=_fmt_value(ch.file_value),
                    now=_fmt_value(ch.value),
                )
            )
            if b.button(
                t("plan.restore"),
                key=f"plan.restore.{i}",
                icon=":material/undo:",
                width="stretch",
                disabled=state.running(),
            ):
                restored = relax.restore(base, sc, ch.name)
                state.set_scenario(restored)
                state.bump_editors()
                solves.start_solve(restored)
                st.rerun()


def _fmt_value(v: object) -> str:
    if isinstance(v, float) and 0 < v < 1 and not float(v).is_integer():
        return fmt_num(v, 3 if round(v, 2) != v else 2)
    if isinstance(v, (int, float)):
        return fmt_num(v, 0 if float(v).is_integer() else 2)
    return "—" if v is None else str(v)


def _sentence_values(values: dict[str, object]) -> dict[str, object]:
    out: dict[str, object] = {}
    for k, v in values.items():
        out[k] = _fmt_value(v) if k in ("value", "new") else v
        if k in ("value", "new"):
            out[f"{k}_pct"] = fmt_share(v) if isinstance(v, (int, float)) else "—"
    return out


if __name__ == "__main__":
    render()
