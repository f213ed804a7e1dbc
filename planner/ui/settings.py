"""Settings page: every target, department limit, independence minimum, objective weight and lock.

Widgets start from the working scenario; every change builds a new, validated
scenario from the one read from disk (models are frozen:
``Settings.with_overrides`` and a re-validated ``Scenario``). Invalid values
are listed and the working scenario stays as it was. Reset returns to the
scenario's own values.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
import streamlit as st
from pydantic import ValidationError

from models import TERMS, Department, Lock, Organization, Scenario, ScenarioError
from planner.ui import state
from planner.ui.common import fmt_money, fmt_share, need_scenario, show_table
from planner.ui.i18n import t

TARGETS: dict[str, dict[str, Any]] = {
    "min_reduction": {"min_value": 0.0, "max_value": 1.0, "step": 0.005, "format": "%.3f"},
    "max_leadership_posts": {"min_value": 0, "step": 1},
    "max_payroll": {"min_value": 0.0, "step": 1_000_000.0, "format": "%.0f"},
    "min_income_raise": {"min_value": 0.0, "step": 10_000.0, "format": "%.0f"},
    "workload_slack": {"min_value": 0.0, "max_value": 10.0, "step": 0.05, "format": "%.2f"},
    "max_overstaff": {"min_value": 0.0, "max_value": 100.0, "step": 0.05, "format": "%.2f"},
    "max_leader_share": {"min_value": 0.0, "max_value": 1.0, "step": 0.05, "format": "%.2f"},
    "min_lead_tasks": {"min_value": 0, "step": 1},
}
DEPARTMENTS: dict[str, dict[str, Any]] = {
    "count": {"min_value": 1, "max_value": 10_000, "step": 1},
    "min_staff": {"min_value": 0, "step": 1},
    "max_staff": {"min_value": 0, "step": 1},
    "min_deputies": {"min_value": 0, "step": 1},
    "max_deputies": {"min_value": 0, "step": 1},
    "max_deputy_share": {"min_value": 0.0, "max_value": 1.0, "step": 0.05, "format": "%.2f"},
}
MONEY: dict[str, dict[str, Any]] = {
    "scenario.base_salary": {"min_value": 0, "step": 10_000},
    "allowances.head": {"min_value": 0.0, "max_value": 100.0, "step": 0.05, "format": "%.2f"},
    "allowances.deputy": {"min_value": 0.0, "max_value": 100.0, "step": 0.05, "format": "%.2f"},
}
SOLVER: dict[str, dict[str, Any]] = {
    "time_limit": {"min_value": 1.0, "max_value": 86_400.0, "step": 5.0, "format": "%.0f"},
    "workers": {"min_value": 0, "max_value": 256, "step": 1},
    "seed": {"min_value": 0, "step": 1},
}


def render() -> None:
    st.title(t("settings.title"))
    sc = need_scenario()
    base = state.base()
    if sc is None or base is None:
        return
    top_l, top_r = st.columns([4, 1], vertical_alignment="center")
    top_l.caption(t("settings.intro"))

    overrides: dict[str, Any] = {}
    changes: dict[str, Any] = {}
    problems: list[str] = []
    tabs = st.tabs(
        [
            t("settings.tab_targets"),
            t("settings.tab_departments"),
            t("settings.tab_independence"),
            t("settings.tab_objective"),
            t("settings.tab_locks"),
            t("settings.tab_solver"),
        ]
    )
    with tabs[0]:
        st.caption(t("settings.targets_intro"))
        cols = list(st.columns(2))
        for i, key in enumerate(TARGETS):
            with cols[i % 2]:
                overrides[f"targets.{key}"] = _number(
                    f"targets.{key}",
                    getattr(sc.settings.targets, key),
                    optional=True,
                    **TARGETS[key],
                )
                _money_caption(f"targets.{key}", overrides[f"targets.{key}"], sc)
        st.divider()
        st.caption(t("settings.money_intro"))
        cols = list(st.columns(3))
        for i, (dotted, kw) in enumerate(MONEY.items()):
            section, key = dotted.split(".")
            with cols[i]:
                overrides[dotted] = _number(
                    dotted, getattr(getattr(sc.settings, section), key), **kw
                )
                _money_caption(dotted, overrides[dotted], sc)
    with tabs[1]:
        st.caption(t("settings.departments_intro"))
        cols = list(st.columns(3))
        for i, key in enumerate(DEPARTMENTS):
            with cols[i % 3]:
                disabled = key == "count" and sc.departments_given
                overrides[f"departments.{key}"] = _number(
                    f"departments.{key}",
                    getattr(sc.settings.departments, key),
                    disabled=disabled,
                    **DEPARTMENTS[key],
                )
                _money_caption(f"departments.{key}", overrides[f"departments.{key}"], sc)
        if sc.departments_given:
            st.caption(t("settings.count_given"))
            st.markdown(t("settings.per_department"))
            depts, p = _departments_editor(sc)
            problems += p
            if depts is not None:
                changes["departments"] = depts
    with tabs[2]:
        st.caption(t("settings.independence_intro"))
        orgs, p = _organizations_editor(sc)
        problems += p
        if orgs is not None:
            changes["organizations"] = orgs
    with tabs[3]:
        _objective(sc, overrides)
    with tabs[4]:
        locks, p = _locks_editor(sc)
        problems += p
        if locks is not None:
            changes["locks"] = locks
    with tabs[5]:
        st.caption(t("settings.solver_intro"))
        cols = list(st.columns(3))
        for i, (key, kw) in enumerate(SOLVER.items()):
            with cols[i]:
                overrides[f"solver.{key}"] = _number(
                    f"solver.{key}", getattr(sc.settings.solver, key), **kw
                )
        overrides["solver.deterministic"] = _toggle(
            "solver.deterministic", sc.settings.solver.deterministic
        )

    new = None
    if not problems:
        try:
            settings = base.settings.with_overrides(overrides)
            new = base.replace(
                settings=settings,
                **{k: changes.get(k, getattr(sc, k)) for k in ("organizations", "locks")},
                **({"departments": changes["departments"]} if "departments" in changes else {}),
            )
        except ScenarioError as exc:
            problems += state.problem_lines(exc)
        except ValidationError as exc:
            problems += [f"{'.'.join(str(x) for x in e['loc'])}: {e['msg']}" for e in exc.errors()]
        except ValueError as exc:
            problems.append(str(exc))
    if problems:
        _reset_button(top_r, disabled=False)  # drawn last, above the tabs: it sees this run's edits
        st.error(t("settings.invalid"))
        for line in problems:
            st.markdown(f"- `{line}`")
        return
    if new is not None and _differs(new, sc):
        state.set_scenario(new)
        sc = new
    _reset_button(top_r, disabled=sc is base)
    _changes(base, sc)


AMOUNTS = ("scenario.base_salary", "targets.max_payroll", "targets.min_income_raise")
"""Settings that are sums of money: shown again below their box in the page's number format
(a number box cannot group digits)."""


SHARES = (
    "targets.min_reduction", "targets.workload_slack", "targets.max_overstaff",
    "targets.max_leader_share", "departments.max_deputy_share",
)  # fmt: skip
"""Settings that are shares: a number box shows ``0.155`` whatever the language, so the
share is repeated below it as the page writes it (``15,5 %``)."""
ALLOWANCES = ("allowances.head", "allowances.deputy")


def _money_caption(dotted: str, value: Any, sc: Scenario) -> None:
    """Below a number box, its value as the page writes numbers: a sum of money with its
    unit, a share in per cent, an allowance as the money it pays."""
    if value is None:
        return
    cur = sc.settings.scenario.currency
    if dotted in AMOUNTS:
        st.caption(fmt_money(value, cur))
    elif dotted in SHARES:
        st.caption(fmt_share(value, 1))
    elif dotted in ALLOWANCES:
        st.caption(
            t(
                "settings.allowance_money",
                value=fmt_money(value * sc.settings.scenario.base_salary, cur),
            )
        )


def _reset_button(where: Any, *, disabled: bool) -> None:
    if where.button(
        t("settings.reset"),
        icon=":material/restart_alt:",
        key="settings.reset",
        width="stretch",
        help=t("settings.reset_help"),
        disabled=disabled,
    ):
        state.reset()
        st.rerun()


# -- widgets ----------------------------------------------------------------------


def _number(
    dotted: str, value: Any, *, optional: bool = False, disabled: bool = False, **kw: Any
) -> Any:
    """A number input for the setting ``dotted`` (empty = not given, for optional targets)."""
    key = f"set.{dotted}"
    if key not in st.session_state:
        if value is not None:
            value = float(value) if isinstance(kw.get("min_value"), float) else int(value)
        st.session_state[key] = value
    params: dict[str, Any] = {
        "key": key,
        "help": t(f"help.{dotted}"),
        "disabled": disabled,
        "placeholder": t("settings.not_given") if optional else None,
        **({"value": None} if optional else {}),
        **kw,
    }
    number_input: Any = st.number_input  # one call for int, float and optional settings
    return number_input(t(f"setting.{dotted}"), **params)


def _toggle(dotted: str, value: bool) -> bool:
    key = f"set.{dotted}"
    if key not in st.session_state:
        st.session_state[key] = value
    return st.toggle(t(f"setting.{dotted}"), key=key, help=t(f"help.{dotted}"))


def _objective(sc: Scenario, overrides: dict[str, Any]) -> None:
    o = sc.settings.objective
    key = "set.objective.mode"
    if key not in st.session_state:
        st.session_state[key] = o.mode.value
    mode = st.radio(
        t("setting.objective.mode"),
        ["weighted", "lexicographic"],
        key=key,
        horizontal=True,
        format_func=lambda m: t(f"settings.mode_{m}"),
        help=t("help.objective.mode"),
    )
    overrides["objective.mode"] = mode
    st.caption(t("settings.weights_intro"))
    cols = list(st.columns(4))
    for i, term in enumerate(TERMS):
        with cols[i % 4]:
            overrides[f"objective.{term}"] = _number(
                f"objective.{term}", getattr(o, term), min_value=0, step=1
            )
    pkey = "set.objective.priority"
    if pkey not in st.session_state:
        st.session_state[pkey] = list(o.priority)
    priority = st.multiselect(
        t("setting.objective.priority"),
        list(TERMS),
        key=pkey,
        format_func=lambda x: t(f"term.{x}"),
        help=t("help.objective.priority"),
        disabled=mode != "lexicographic",
    )
    overrides["objective.priority"] = tuple(priority)
    if mode == "lexicographic":
        rest = [x for x in TERMS if x not in priority]
        st.caption(
            t(
                "settings.priority_order",
                order=" → ".join(t(f"term.{x}") for x in priority) or "—",
                rest=", ".join(t(f"term.{x}") for x in rest) or "—",
            )
        )


def _snapshot(name: str, make: Any) -> tuple[str, pd.DataFrame]:
    """The editor's input table, frozen while its edits live (so edits are not applied twice)."""
    key = f"set.{name}.{state.get('editors', 0)}"
    snap = f"khoi.snap.{name}"
    if key not in st.session_state or snap not in st.session_state:
        st.session_state[snap] = make()
    return key, st.session_state[snap]


def _blank(v: Any) -> bool:
    return (
        v is None
        or (isinstance(v, float) and math.isnan(v))
        or (isinstance(v, str) and not v.strip())
        or v is pd.NA
    )


def _organizations_editor(sc: Scenario) -> tuple[tuple[Organization, ...] | None, list[str]]:
    key, df = _snapshot(
        "orgs",
        lambda: pd.DataFrame(
            [
                {
                    "org_id": o.org_id,
                    "name": o.name,
                    "min_staff": o.min_staff,
                    "min_leaders": o.min_leaders,
                }
                for o in sc.organizations
            ]
        ),
    )
    edited = st.data_editor(
        df,
        key=key,
        hide_index=True,
        width="stretch",
        num_rows="fixed",
        disabled=["org_id", "name"],
        column_config={
            "org_id": st.column_config.TextColumn(t("col.org_id")),
            "name": st.column_config.TextColumn(t("col.name")),
            "min_staff": st.column_config.NumberColumn(
                t("setting.organizations.min_staff"),
                help=t("help.organizations.min_staff"),
                min_value=0,
                step=1,
                format="%d",
                required=True,
            ),
            "min_leaders": st.column_config.NumberColumn(
                t("setting.organizations.min_leaders"),
                help=t("help.organizations.min_leaders"),
                min_value=0,
                step=1,
                format="%d",
                required=True,
            ),
        },
    )
    by_id = {o.org_id: o for o in sc.organizations}
    out, problems = [], []
    for i, row in enumerate(edited.to_dict("records")):
        org = by_id.get(row["org_id"])
        if org is None:
            continue
        try:
            update = {k: int(row[k]) for k in ("min_staff", "min_leaders") if not _blank(row[k])}
            out.append(Organization.model_validate({**org.model_dump(), **update}))
        except (ValidationError, ValueError, TypeError) as exc:
            problems.append(f"organizations:row {i + 2}: {_msg(exc)}")
    return (tuple(out) if not problems else None), problems


def _departments_editor(sc: Scenario) -> tuple[tuple[Department, ...] | None, list[str]]:
    def make() -> pd.DataFrame:
        return pd.DataFrame(
            [
                {
                    "dept_id": d.dept_id,
                    "name": d.name,
                    "domains": "; ".join(d.domains),
                    "min_staff": d.min_staff,
                    "max_staff": d.max_staff,
                    "max_deputies": d.max_deputies,
                }
                for d in sc.departments
            ]
        ).astype({"min_staff": "float", "max_staff": "float", "max_deputies": "float"})

    key, df = _snapshot("depts", make)

    def num(label: str) -> Any:
        return st.column_config.NumberColumn(
            t(label), help=t("help.department_override"), min_value=0, step=1, format="%d"
        )

    edited = st.data_editor(
        df,
        key=key,
        hide_index=True,
        width="stretch",
        num_rows="fixed",
        placeholder="—",
        disabled=["dept_id", "name", "domains"],
        column_config={
            "dept_id": st.column_config.TextColumn(t("col.dept_id")),
            "name": st.column_config.TextColumn(t("col.name")),
            "domains": st.column_config.TextColumn(
                t("col.domains"), help=t("help.departments.domains")
            ),
            "min_staff": num("col.dept_min_staff"),
            "max_staff": num("col.dept_max_staff"),
            "max_deputies": num("col.dept_max_deputies"),
        },
    )
    by_id = {d.dept_id: d for d in sc.departments}
    out, problems = [], []
    for i, row in enumerate(edited.to_dict("records")):
        d = by_id.get(row["dept_id"])
        if d is None:
            continue
        try:
            update = {
                k: None if _blank(row[k]) else int(row[k])
                for k in ("min_staff", "max_staff", "max_deputies")
            }
            out.append(Department.model_validate({**d.model_dump(), **update}))
        except (ValidationError, ValueError, TypeError) as exc:
            problems.append(f"departments:row {i + 2}: {_msg(exc)}")
    return (tuple(out) if not problems else None), problems


LOCK_COLUMNS = ("kind", "id", "dept_id", "role", "lead_org")


def _locks_editor(sc: Scenario) -> tuple[tuple[Lock, ...] | None, list[str]]:
    st.caption(t("settings.locks_intro"))

    def make() -> pd.DataFrame:
        rows = [
            {
                c: (getattr(lk, c).value if hasattr(getattr(lk, c), "value") else getattr(lk, c))
                for c in LOCK_COLUMNS
            }
            for lk in sc.locks
        ]
        return pd.DataFrame(rows, columns=list(LOCK_COLUMNS), dtype="object")

    key, df = _snapshot("locks", make)
    staff_ids = [s.staff_id for s in sc.staff]
    function_ids = [f.function_id for f in sc.functions]
    edited = st.data_editor(
        df,
        key=key,
        hide_index=True,
        width="stretch",
        num_rows="dynamic",
        column_config={
            "kind": st.column_config.SelectboxColumn(
                t("col.lock_kind"),
                options=["staff", "function"],
                help=t("help.locks.kind"),
                required=True,
            ),
            "id": st.column_config.SelectboxColumn(
                t("col.lock_id"),
                options=staff_ids + function_ids,
                help=t("help.locks.id"),
                required=True,
            ),
            "dept_id": st.column_config.SelectboxColumn(
                t("col.dept_id"), options=list(sc.dept_ids), help=t("help.locks.dept_id")
            ),
            "role": st.column_config.SelectboxColumn(
                t("col.lock_role"),
                options=["head", "deputy", "member", "exit"],
                help=t("help.locks.role"),
            ),
            "lead_org": st.column_config.SelectboxColumn(
                t("col.lead_org"), options=list(sc.org_ids), help=t("help.locks.lead_org")
            ),
        },
    )
    with st.expander(t("settings.lock_ids")):
        person = {s.staff_id: s.name for s in sc.staff}
        a, b = st.columns(2)
        a.dataframe(
            [{t("col.staff_id"): k, t("col.name"): v} for k, v in person.items()],
            hide_index=True,
            height=240,
        )
        b.dataframe(
            [
                {
                    t("col.function_id"): f.function_id,
                    t("col.name"): f.name,
                    t("col.domain"): f.domain,
                }
                for f in sc.functions
            ],
            hide_index=True,
            height=240,
        )
    out, problems = [], []
    for i, row in enumerate(edited.to_dict("records")):
        clean = {c: None if _blank(row.get(c)) else str(row.get(c)).strip() for c in LOCK_COLUMNS}
        if all(v is None for v in clean.values()):
            continue
        try:
            out.append(Lock.model_validate(clean))
        except (ValidationError, ValueError) as exc:
            problems.append(f"locks:row {i + 2}: {_msg(exc)}")
    return (tuple(out) if not problems else None), problems


def _msg(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(
            f"{'.'.join(str(x) for x in e['loc']) or '-'}: {e['msg']}" for e in exc.errors()
        )
    return str(exc)


# -- what changed -------------------------------------------------------------------


def _differs(a: Scenario, b: Scenario) -> bool:
    return any(
        getattr(a, f) != getattr(b, f)
        for f in ("settings", "organizations", "departments", "locks")
    )


def _flat(model: Any, prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in model.model_dump(mode="json").items():
        if isinstance(v, dict):
            for kk, vv in v.items():
                out[f"{k}.{kk}"] = vv
        else:
            out[f"{prefix}{k}"] = v
    return out


def _changes(base: Scenario, sc: Scenario) -> None:
    rows = []
    a, b = _flat(base.settings), _flat(sc.settings)
    for k in b:
        if a.get(k) != b.get(k):
            rows.append(
                {
                    t("settings.col_setting"): k,
                    t("settings.col_file"): _show(a.get(k)),
                    t("settings.col_now"): _show(b.get(k)),
                }
            )
    for o0, o1 in zip(base.organizations, sc.organizations, strict=False):
        for k in ("min_staff", "min_leaders"):
            if getattr(o0, k) != getattr(o1, k):
                rows.append(
                    {
                        t("settings.col_setting"): f"organizations:{o1.org_id}.{k}",
                        t("settings.col_file"): _show(getattr(o0, k)),
                        t("settings.col_now"): _show(getattr(o1, k)),
                    }
                )
    if base.departments_given:
        for d0, d1 in zip(base.departments, sc.departments, strict=False):
            for k in ("min_staff", "max_staff", "max_deputies"):
                if getattr(d0, k) != getattr(d1, k):
                    rows.append(
                        {
                            t("settings.col_setting"): f"departments:{d1.dept_id}.{k}",
                            t("settings.col_file"): _show(getattr(d0, k)),
                            t("settings.col_now"): _show(getattr(d1, k)),
                        }
                    )
    if base.locks != sc.locks:
        rows.append(
            {
                t("settings.col_setting"): "locks",
                t("settings.col_file"): str(len(base.locks)),
                t("settings.col_now"): str(len(sc.locks)),
            }
        )
    st.divider()
    if rows:
        st.markdown(t("settings.changed", n=len(rows)))
        show_table(rows, hide_index=True, width="stretch")
        st.page_link(
            "planner/ui/plan.py", label=t("settings.go_solve"), icon=":material/play_arrow:"
        )
    else:
        st.caption(t("settings.unchanged"))


def _show(v: Any) -> str:
    if v is None:
        return "—"
    if isinstance(v, list | tuple):
        return ", ".join(map(str, v))
    return str(v)


if __name__ == "__main__":
    render()
