"""Workspace page: save the current variant, reopen saved variants and runs, the history of
runs with their figures and who ran them, compare saved plans, delete with confirmation.

Everything comes from the shared store (``planner.ui.saved``), read afresh on every run,
so a save made in another tab or by a colleague shows after a refresh.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from planner.ui import saved, state
from planner.ui.common import fmt_compact_money, fmt_num, show_table, status_text
from planner.ui.i18n import t


def _when(item: Any) -> str:
    return item.created_at.astimezone().strftime("%Y-%m-%d %H:%M")


def render() -> None:
    st.title(t("workspace.title"))
    s = saved.store()
    if s is None:
        st.error(t("workspace.unavailable", reason=saved.error() or ""))
        return
    st.caption(t("workspace.intro", db=s.url, user=saved.user()))
    problem = state.get("ws.record_error")
    if problem:
        st.warning(t("workspace.record_failed", reason=problem))
    flash = state.get("ws.flash")
    if flash:
        st.success(flash)
        state.drop("ws.flash")
    from planner.workspace import WorkspaceError

    try:
        items = s.items()
    except WorkspaceError as exc:
        st.error(str(exc))
        return
    _save_section(s)
    variants = [i for i in items if i.kind == "variant"]
    runs = [i for i in items if i.kind == "run"]
    _variants_section(s, variants)
    _runs_section(s, runs, {i.id: i for i in items})
    _results_section(s, [i for i in items if i.kind in ("pareto", "price", "roadmap")])
    _delete_section(s, items)


def _save_section(s: Any) -> None:
    from planner.workspace import WorkspaceError

    st.subheader(t("workspace.save_title"))
    sc = state.scenario()
    if sc is None:
        st.info(t("common.no_scenario"))
        return
    current = state.source().get("name", "")
    st.caption(t("workspace.save_intro", scenario=sc.settings.scenario.name, source=current))
    with st.form("ws.save_form", clear_on_submit=True):
        name = st.text_input(t("workspace.name"), key="ws.name", max_chars=200)
        note = st.text_area(t("workspace.note"), key="ws.note", height=80)
        submitted = st.form_submit_button(t("workspace.save"), type="primary")
    if submitted:
        if not name.strip():
            st.error(t("workspace.name_needed"))
            return
        try:
            item = s.save_variant(
                sc,
                name=name.strip(),
                note=note,
                author=saved.user(),
                base=state.base(),
                parent=state.get("ws.variant"),
            )
        except WorkspaceError as exc:
            st.error(str(exc))
            return
        state.put("ws.variant", item.id)
        state.put("ws.current", item.id)
        saved.remember_last(s, item.id)
        state.put("ws.flash", t("workspace.saved", label=saved.label_of(item)))
        st.rerun()


def _open_button(s: Any, options: list[Any], key: str) -> None:
    from planner.workspace import WorkspaceError

    if not options:
        return
    labels = {
        i.id: f"{saved.run_name(i) if i.kind == 'run' else saved.label_of(i)} · {i.author}"
        f" · {_when(i)}"
        for i in options
    }
    cols = st.columns([4, 1])
    pick = cols[0].selectbox(
        t("workspace.pick"),
        [i.id for i in options],
        format_func=lambda i: labels[i],
        key=f"{key}.pick",
        label_visibility="collapsed",
    )
    if cols[1].button(t("workspace.open"), key=f"{key}.open", width="stretch"):
        try:
            item = saved.open_item(s, pick)
        except WorkspaceError as exc:
            st.error(str(exc))
            return
        state.put("ws.flash", t("workspace.opened", label=saved.label_of(item)))
        st.rerun()


def _variants_section(s: Any, variants: list[Any]) -> None:
    st.subheader(t("workspace.variants"))
    if not variants:
        st.info(t("workspace.no_variants"))
        return
    current = state.get("ws.current")
    rows = [
        {
            "#": i.id,
            t("workspace.col_name"): (i.name or "") + (" ◀" if i.id == current else ""),
            t("workspace.col_scenario"): i.scenario_name,
            t("workspace.col_changes"): ", ".join(
                f"{d['key']} = {d['after']}" for d in (i.settings_diff or [])
            ),
            t("workspace.col_author"): i.author,
            t("workspace.col_when"): _when(i),
            t("workspace.col_note"): i.note,
        }
        for i in variants
    ]
    newest = variants[0]
    st.caption(
        t("workspace.variants_count", n=len(variants), label=saved.label_of(newest),
          author=newest.author, when=_when(newest))
    )  # fmt: skip
    show_table(rows, hide_index=True, width="stretch", key="ws.variants_table")
    _open_button(s, variants, "ws.variant")


def _runs_section(s: Any, runs: list[Any], by_id: dict[int, Any]) -> None:
    st.subheader(t("workspace.history"))
    if not runs:
        st.info(t("workspace.no_runs"))
        return
    rows = []
    for i in runs:
        r, k = i.run or {}, (i.run or {}).get("kpis", {})
        parent = by_id.get(i.parent_id) if i.parent_id else None
        rows.append(
            {
                "#": i.id,
                t("workspace.col_name"): i.name or "",
                t("workspace.col_variant"): saved.label_of(parent) if parent else "",
                t("workspace.col_status"): status_text(r.get("status", "")),
                t("workspace.col_objective"): fmt_num(r.get("objective")),
                t(
                    "workspace.col_departments"
                ): f"{k.get('units_before', '')} → {k.get('departments_after', '')}",
                t(
                    "workspace.col_posts"
                ): f"{k.get('posts_before', '')} → {k.get('posts_after', '')}",
                t("workspace.col_headcount"): fmt_num(k.get("headcount_after")),
                t("workspace.col_savings"): fmt_compact_money(k.get("savings"), _currency(s, i)),
                t("workspace.col_author"): i.author,
                t("workspace.col_when"): _when(i),
                t("workspace.col_ran_on"): _ran_on(r.get("solver") or {}),
                t("workspace.col_note"): i.note,
            }
        )
    newest = runs[0]
    st.caption(
        t("workspace.runs_count", n=len(runs), label=saved.label_of(newest),
          status=status_text((newest.run or {}).get("status", "")),
          author=newest.author, when=_when(newest),
          where=_ran_on((newest.run or {}).get("solver") or {}) or "—")
    )  # fmt: skip
    show_table(_without_empty_columns(rows), key="ws.runs_table")
    with_plan = [i for i in runs if (i.run or {}).get("has_plan")]
    _open_button(s, with_plan, "ws.run")
    if len(with_plan) >= 2:
        _compare(s, with_plan)


def _currency(s: Any, item: Any) -> str:
    """The currency of a run's scenario (read once per scenario and session)."""
    known: dict[str, str] = state.get("ws.currencies", {})
    if item.scenario_sha256 not in known:
        from planner.workspace import WorkspaceError

        try:
            known[item.scenario_sha256] = s.scenario_of(item).settings.scenario.currency
        except WorkspaceError:
            known[item.scenario_sha256] = ""
        state.put("ws.currencies", known)
    return known[item.scenario_sha256]


def _without_empty_columns(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Leave out the columns that are empty in every row (a history without names)."""
    keep = [c for c in rows[0] if any(r[c] not in ("", None) for r in rows)] if rows else []
    return [{c: r[c] for c in keep} for r in rows]


def _ran_on(solver: dict[str, Any]) -> str:
    """Where the solve queue ran a run: a Dask worker, a local process, or an earlier run."""
    where = solver.get("ran_on") or {}
    if solver.get("same_as_run") is not None or where.get("backend") in ("workspace", "shared"):
        return t("workspace.ran_same_as", run=solver.get("same_as_run") or where.get("run"))
    if where.get("backend") == "dask":
        return t("workspace.ran_dask", worker=where.get("worker", "?"))
    if where.get("backend") == "local":
        return t(
            "workspace.ran_local", host=where.get("host", ""), workers=where.get("workers", "")
        )
    return ""


def _compare(s: Any, runs: list[Any]) -> None:
    from planner.workspace import WorkspaceError

    labels = {i.id: saved.run_name(i) for i in runs}
    chosen = st.multiselect(
        t("workspace.compare_pick"),
        [i.id for i in runs],
        default=[i.id for i in runs[:2]],
        format_func=lambda i: labels[i],
        max_selections=6,
        key="ws.compare",
    )
    if st.button(t("workspace.compare"), key="ws.compare_go", disabled=len(chosen) < 1):
        picked = []
        try:
            for item_id in chosen:
                plan, summary, sc = s.plan_of(item_id)
                result = saved.result_of(plan, summary)
                state.open_result(sc, result, labels[item_id])
                picked.append(labels[item_id])
        except WorkspaceError as exc:
            st.error(str(exc))
            return
        kept = state.kept()
        st.session_state["compare.pick"] = [
            f"{k['label']} · {k['created']}" for k in kept if k["label"] in picked
        ][-len(picked) :]
        st.switch_page("planner/ui/compare.py")


def _results_section(s: Any, results: list[Any]) -> None:
    """Saved Pareto frontiers and price tables (from the Trade-offs page or ``--save``)."""
    from planner.workspace.results import result_table

    st.subheader(t("workspace.results"))
    if not results:
        st.info(t("workspace.no_results"))
        return
    tables = {i.id: result_table(i) for i in results}

    def proven(frame: Any) -> str:
        if "proven" not in frame.columns:
            return ""
        return f"{sum(v == 'true' for v in frame['proven'].to_list())}/{frame.height}"

    rows = [
        {
            "#": i.id,
            t("workspace.col_name"): i.name or "",
            t("workspace.col_kind"): t(f"workspace.kind_{i.kind}"),
            t("workspace.col_scenario"): i.scenario_name,
            t("workspace.col_rows"): tables[i.id].height,
            t("workspace.col_proven"): proven(tables[i.id]),
            t("workspace.col_author"): i.author,
            t("workspace.col_when"): _when(i),
            t("workspace.col_note"): i.note,
        }
        for i in results
    ]
    show_table(rows, hide_index=True, width="stretch", key="ws.results_table")
    labels = {
        i.id: f"{saved.label_of(i)} · {t(f'workspace.kind_{i.kind}')} · {_when(i)}" for i in results
    }
    pick = st.selectbox(
        t("workspace.result_pick"),
        [i.id for i in results],
        format_func=lambda i: labels[i],
        key="ws.result.pick",
    )
    frame = tables[pick]
    show_table(frame, hide_index=True, width="stretch", key="ws.result.table")
    item = next(i for i in results if i.id == pick)
    st.download_button(
        t("workspace.result_download"),
        frame.write_csv().encode("utf-8"),
        file_name=f"{item.kind}-{item.id}.csv",
        mime="text/csv",
        key="ws.result.download",
        icon=":material/download:",
    )


def _delete_section(s: Any, items: list[Any]) -> None:
    from planner.workspace import WorkspaceError

    if not items:
        return
    with st.expander(t("workspace.delete_title")):
        labels = {
            i.id: f"{saved.label_of(i)} · {t('workspace.kind_' + i.kind)} · {_when(i)}"
            for i in items
        }
        pick = st.selectbox(
            t("workspace.delete_pick"),
            [i.id for i in items],
            format_func=lambda i: labels[i],
            key="ws.delete.pick",
        )
        if st.button(t("workspace.delete"), key="ws.delete"):
            state.put("ws.confirm", pick)
        if state.get("ws.confirm") == pick:
            st.warning(t("workspace.delete_confirm", label=labels[pick]))
            yes, no = st.columns(2)
            if yes.button(t("workspace.delete_yes"), key="ws.delete.yes", type="primary"):
                state.drop("ws.confirm")
                try:
                    item = s.remove(pick)
                except WorkspaceError as exc:
                    st.error(str(exc))
                    return
                if state.get("ws.current") == item.id:
                    state.drop("ws.current")
                if state.get("ws.variant") == item.id:
                    state.drop("ws.variant")
                state.put("ws.flash", t("workspace.deleted", label=saved.label_of(item)))
                st.rerun()
            if no.button(t("workspace.delete_no"), key="ws.delete.no"):
                state.drop("ws.confirm")
                st.rerun()


if __name__ == "__main__":
    render()
