"""Scenario page: pick an embedded scenario or upload one, see today's structure, Solve.

A newcomer lands here on the embedded province scenario; the Solve button
starts a solve and opens the Plan page.
"""

from __future__ import annotations

import streamlit as st

from models import Position, Scenario
from planner.ui import charts, solves, state
from planner.ui.common import fmt_num, show_chart, show_table
from planner.ui.i18n import domain, t
from planner.ui.uploads import MAX_UPLOAD_BYTES, UploadError, read_upload

PLAN_PAGE = "planner/ui/plan.py"


def render() -> None:
    st.title(t("scenario.title"))
    st.caption(t("scenario.intro"))
    _picker()
    errors = state.get("load_error")
    if errors:
        _problems(t("scenario.invalid"), errors)
    base = state.base()
    if base is not None and base.warnings and not errors:
        _problems(t("scenario.warnings"), list(base.warnings), warning=True)
    sc = state.scenario()
    if sc is None:
        if not state.embedded_scenarios():
            st.info(t("scenario.none_embedded"))
        return
    _header(sc)
    _overview(sc)


# -- choosing a scenario ---------------------------------------------------------


def _picker() -> None:
    found = state.embedded_scenarios()
    src = state.source()
    with st.expander(t("scenario.pick"), expanded=not src or src.get("kind") == "upload"):
        embedded, upload = st.tabs([t("scenario.embedded"), t("scenario.upload")])
        with embedded:
            if not found:
                st.info(t("scenario.none_embedded"))
            else:
                names = list(found)
                current = src.get("name") if src.get("kind") == "embedded" else None
                choice = st.selectbox(
                    t("scenario.embedded_label"),
                    names,
                    index=names.index(current) if current in names else 0,
                    format_func=lambda n: n.replace("_", " "),
                    help=t("scenario.embedded_help"),
                    key="pick.embedded",
                )
                if st.button(
                    t("scenario.open"),
                    key="pick.open",
                    disabled=choice == current and not state.get("load_error"),
                ):
                    _open_embedded(choice, found[choice])
                    st.rerun()
        with upload:
            files = st.file_uploader(
                t("scenario.upload_label"),
                type=["zip", "xlsx", "csv", "toml", "parquet"],
                accept_multiple_files=True,
                help=t("scenario.upload_help", mb=MAX_UPLOAD_BYTES // 2**20),
                key="pick.upload",
            )
            if files and st.button(t("scenario.read_upload"), key="pick.read", type="primary"):
                _open_upload(files)
                st.rerun()


def _open_embedded(name: str, folder) -> None:
    try:
        state.set_source(state.read_embedded(folder), "embedded", name)
    except Exception as exc:  # noqa: BLE001 - every problem is listed on the page
        state.put("load_error", state.problem_lines(exc))


def _open_upload(files) -> None:
    total = sum(f.size for f in files)
    if total > MAX_UPLOAD_BYTES:
        state.put("load_error", [t("scenario.too_large", mb=MAX_UPLOAD_BYTES // 2**20)])
        return
    try:
        sc = read_upload([(f.name, f.getvalue()) for f in files])
    except UploadError as exc:
        state.put("load_error", exc.lines())
        return
    name = files[0].name if len(files) == 1 else sc.settings.scenario.name
    state.set_source(sc, "upload", name)


def _problems(title: str, lines: list[str], *, warning: bool = False) -> None:
    """Validation problems (or the reader's warnings) as a table: file, row, column, message."""
    (st.warning if warning else st.error)(title)
    rows = []
    for line in lines:
        head, sep, message = line.partition(": ")
        parts = head.rsplit(":", 2) if sep else []
        if len(parts) == 3:
            rows.append(
                {
                    t("problem.file"): parts[0],
                    t("problem.row"): parts[1],
                    t("problem.column"): parts[2],
                    t("problem.message"): message,
                }
            )
        else:
            rows.append(
                {
                    t("problem.file"): "",
                    t("problem.row"): "",
                    t("problem.column"): "",
                    t("problem.message"): line,
                }
            )
    show_table(rows, hide_index=True, width="stretch")


# -- today's structure -------------------------------------------------------------


def _header(sc: Scenario) -> None:
    src = state.source()
    st.subheader(sc.settings.scenario.name)
    st.caption(t(f"scenario.source_{src.get('kind', 'embedded')}", name=src.get("name", "")))
    posts = sum(1 for s in sc.staff if s.position is not Position.STAFF)
    cols = st.columns(6)
    cols[0].metric(t("scenario.orgs"), len(sc.organizations))
    cols[1].metric(t("scenario.units"), len(sc.units))
    cols[2].metric(t("scenario.staff"), len(sc.staff))
    cols[3].metric(t("scenario.posts"), posts, help=t("scenario.posts_help"))
    cols[4].metric(t("scenario.functions"), len(sc.functions))
    cols[5].metric(
        t("scenario.workload"),
        fmt_num(sum(f.workload for f in sc.functions), 1),
        help=t("scenario.workload_help"),
    )
    if sc is not state.base():
        st.caption(t("scenario.edited"))
    left, right = st.columns([1, 3], vertical_alignment="center")
    solving = state.running()
    with left:
        clicked = st.button(
            t("scenario.solve"),
            type="primary",
            icon=":material/play_arrow:",
            disabled=solving,
            key="scenario.solve",
            width="stretch",
        )
    with right:
        if solving:
            st.caption(t("solve.in_progress"))
        else:
            st.caption(t("scenario.solve_help", seconds=fmt_num(sc.settings.solver.time_limit)))
    if clicked:
        solves.start_solve(sc)
        st.switch_page(PLAN_PAGE)


def _overview(sc: Scenario) -> None:
    """Today's structure in tabs; only the open tab is computed and sent (a new visitor sees
    the charts without waiting for four tables of every person and every piece of work)."""
    tab_charts, tab_orgs, tab_units, tab_staff, tab_work = st.tabs(
        [
            t("scenario.tab_charts"),
            t("scenario.tab_orgs"),
            t("scenario.tab_units"),
            t("scenario.tab_staff"),
            t("scenario.tab_functions"),
        ],
        key="scenario.view",
        on_change="rerun",
    )
    with tab_charts:
        if tab_charts.open:
            _charts(sc)
    with tab_orgs:
        if tab_orgs.open:
            show_table(_orgs_rows(sc), hide_index=True, width="stretch")
    with tab_units:
        if tab_units.open:
            show_table(_units_rows(sc), hide_index=True, width="stretch")
    with tab_staff:
        if tab_staff.open:
            show_table(_staff_rows(sc), hide_index=True, width="stretch")
    with tab_work:
        if tab_work.open:
            show_table(_functions_rows(sc), hide_index=True, width="stretch")


def _charts(sc: Scenario) -> None:
    a, b = st.columns(2)
    with a:
        show_chart(charts.staff_by_org(sc), width="stretch")
    with b:
        show_chart(charts.units_by_org(sc), width="stretch")
    c, d = st.columns(2)
    with c:
        show_chart(charts.workload_by_domain(sc), width="stretch")
    with d:
        show_chart(charts.capacity_by_org(sc), width="stretch")
    st.caption(charts.org_legend(sc))


def _units_rows(sc: Scenario) -> list[dict[str, object]]:
    org = {o.org_id: o.name or o.org_id for o in sc.organizations}
    count: dict[str, int] = {}
    for s in sc.staff:
        count[s.unit_id] = count.get(s.unit_id, 0) + 1
    return [
        {
            t("col.unit_id"): u.unit_id,
            t("col.name"): u.name,
            t("col.org"): org.get(u.org_id, u.org_id),
            t("col.headcount"): count.get(u.unit_id, 0),
            t("col.functions"): len(sc.functions_by_unit.get(u.unit_id, ())),
        }
        for u in sc.units
    ]


def _staff_rows(sc: Scenario) -> list[dict[str, object]]:
    unit = {u.unit_id: u.name or u.unit_id for u in sc.units}
    return [
        {
            t("col.staff_id"): s.staff_id,
            t("col.name"): s.name,
            t("col.unit"): unit.get(s.unit_id, s.unit_id),
            t("col.position"): t(f"position.{s.position.value}"),
            t("col.fte"): s.fte,
            t("col.skills"): "; ".join(s.skills),
            t("col.can_lead"): s.can_lead,
            t("col.retiring"): s.retiring,
            t("col.protected"): s.protected,
        }
        for s in sc.staff
    ]


def _functions_rows(sc: Scenario) -> list[dict[str, object]]:
    return [
        {
            t("col.function_id"): f.function_id,
            t("col.name"): f.name,
            t("col.domain"): domain(f.domain),
            t("col.kind"): t(f"kind.{f.kind.value}"),
            t("col.org"): f.org_id or "",
            t("col.workload"): f.workload,
            t("col.skill"): f.skill or "",
            t("col.lead_candidates"): "; ".join(f.lead_candidates),
        }
        for f in sc.functions
    ]


def _orgs_rows(sc: Scenario) -> list[dict[str, object]]:
    units: dict[str, int] = {}
    staff: dict[str, int] = {}
    posts: dict[str, int] = {}
    for u in sc.units:
        units[u.org_id] = units.get(u.org_id, 0) + 1
    for s in sc.staff:
        o = sc.staff_org[s.staff_id]
        staff[o] = staff.get(o, 0) + 1
        if s.position is not Position.STAFF:
            posts[o] = posts.get(o, 0) + 1
    return [
        {
            t("col.org_id"): o.org_id,
            t("col.name"): o.name,
            t("col.units"): units.get(o.org_id, 0),
            t("col.headcount"): staff.get(o.org_id, 0),
            t("col.posts"): posts.get(o.org_id, 0),
            t("col.min_staff"): o.min_staff,
            t("col.min_leaders"): o.min_leaders,
        }
        for o in sc.organizations
    ]


if __name__ == "__main__":
    render()
