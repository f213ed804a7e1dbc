"""Altair charts of the app: today's structure, solve progress, flows and workload."""

from __future__ import annotations

import altair as alt
import polars as pl

from models import FunctionKind, Plan, Role, Scenario
from planner.ui.i18n import domain, t

_POSITION_ORDER = ("head", "deputy", "staff")


def _colors(sc: Scenario) -> tuple[list[str], list[str]]:
    try:
        from planner.export.charts import org_colors

        colors = org_colors(sc)
    except ImportError:  # pragma: no cover - the exports land separately
        colors = {}
    orgs = [o.name or o.org_id for o in sc.organizations]
    return orgs, [colors.get(o.org_id, "#4e79a7") for o in sc.organizations]


def staff_by_org(sc: Scenario) -> alt.Chart:
    """Headcount of every organisation today, split by post (head, deputy, staff)."""
    org_name = {o.org_id: o.name or o.org_id for o in sc.organizations}
    rows = [
        {
            "code": sc.staff_org[s.staff_id],
            "org": org_name[sc.staff_org[s.staff_id]],
            "position": t(f"position.{s.position.value}"),
            "order": _POSITION_ORDER.index(s.position.value),
        }
        for s in sc.staff
    ]
    df = pl.DataFrame(rows).group_by("code", "org", "position", "order").len("count")
    return (
        alt.Chart(df)
        .mark_bar()
        .encode(
            y=alt.Y("code:N", title=None, sort=list(sc.org_ids)),
            x=alt.X("count:Q", title=t("chart.headcount")),
            color=alt.Color(
                "position:N",
                title=t("chart.position"),
                sort=[t(f"position.{p}") for p in _POSITION_ORDER],
                scale=alt.Scale(range=["#e15759", "#f28e2b", "#4e79a7"]),
                legend=alt.Legend(orient="top", title=None),
            ),
            order=alt.Order("order:Q"),
            tooltip=[
                alt.Tooltip("org:N", title=t("chart.org")),
                alt.Tooltip("position:N", title=t("chart.position")),
                alt.Tooltip("count:Q", title=t("chart.headcount")),
            ],
        )
        .properties(height=alt.Step(26), title=t("chart.staff_by_org"))
    )


def units_by_org(sc: Scenario) -> alt.Chart:
    """Units of every organisation today, with their headcount."""
    org_name = {o.org_id: o.name or o.org_id for o in sc.organizations}
    heads: dict[str, int] = {}
    for s in sc.staff:
        heads[s.unit_id] = heads.get(s.unit_id, 0) + 1
    rows = [
        {
            "code": u.org_id,
            "org": org_name[u.org_id],
            "unit": u.name or u.unit_id,
            "staff": heads.get(u.unit_id, 0),
            "one": 1,
        }
        for u in sc.units
    ]
    _, colors = _colors(sc)
    return (
        alt.Chart(pl.DataFrame(rows))
        .mark_bar(stroke="white", strokeWidth=1)
        .encode(
            y=alt.Y("code:N", title=None, sort=list(sc.org_ids)),
            x=alt.X("sum(one):Q", title=t("chart.units"), axis=alt.Axis(tickMinStep=1, format="d")),
            color=alt.Color(
                "code:N", legend=None, scale=alt.Scale(domain=list(sc.org_ids), range=colors)
            ),
            detail="unit:N",
            tooltip=[
                alt.Tooltip("org:N", title=t("chart.org")),
                alt.Tooltip("unit:N", title=t("chart.unit")),
                alt.Tooltip("staff:Q", title=t("chart.headcount")),
            ],
        )
        .properties(height=alt.Step(26), title=t("chart.units_by_org"))
    )


def workload_by_domain(sc: Scenario) -> alt.Chart:
    """Workload (FTE) of every kind of work, split by shared / divided / reserved."""
    rows = [
        {"domain": domain(f.domain), "kind": t(f"kind.{f.kind.value}"), "workload": f.workload}
        for f in sc.functions
    ]
    df = pl.DataFrame(rows).group_by("domain", "kind").agg(pl.col("workload").sum().round(2))
    kinds = [t(f"kind.{k.value}") for k in FunctionKind]
    return (
        alt.Chart(df)
        .mark_bar()
        .encode(
            y=alt.Y("domain:N", title=None, sort="-x", axis=alt.Axis(labelLimit=200)),
            x=alt.X("sum(workload):Q", title=t("chart.workload_fte")),
            color=alt.Color(
                "kind:N",
                title=None,
                sort=kinds,
                scale=alt.Scale(domain=kinds, range=["#59a14f", "#edc948", "#b07aa1"]),
                legend=alt.Legend(orient="top"),
            ),
            tooltip=[
                alt.Tooltip("domain:N", title=t("chart.domain")),
                alt.Tooltip("kind:N", title=t("chart.kind")),
                alt.Tooltip("workload:Q", title=t("chart.workload_fte"), format=".2f"),
            ],
        )
        .properties(height=alt.Step(22), title=t("chart.workload_by_domain"))
    )


def capacity_by_org(sc: Scenario) -> alt.Chart:
    """Capacity (FTE of staff) against the workload each organisation owns today."""
    org_name = {o.org_id: o.name or o.org_id for o in sc.organizations}
    fte: dict[str, float] = {o: 0.0 for o in sc.org_ids}
    work: dict[str, float] = {o: 0.0 for o in sc.org_ids}
    joint = 0.0
    for s in sc.staff:
        fte[sc.staff_org[s.staff_id]] += s.fte
    for f in sc.functions:
        owner = f.org_id or (sc.unit_org.get(f.unit_id) if f.unit_id else None)
        if owner in work:
            work[owner] += f.workload
        else:
            joint += f.workload
    cap, load = t("chart.capacity"), t("chart.workload")
    rows = []
    joint_code = t("chart.joint_code")
    for o in sc.org_ids:
        rows.append({"code": o, "org": org_name[o], "measure": cap, "fte": round(fte[o], 2)})
        rows.append({"code": o, "org": org_name[o], "measure": load, "fte": round(work[o], 2)})
    if joint:
        rows.append(
            {
                "code": joint_code,
                "org": t("chart.joint_work"),
                "measure": load,
                "fte": round(joint, 2),
            }
        )
    return (
        alt.Chart(pl.DataFrame(rows))
        .mark_bar()
        .encode(
            y=alt.Y("code:N", title=None, sort=[*sc.org_ids, joint_code]),
            yOffset=alt.YOffset("measure:N", sort=[cap, load]),
            x=alt.X("fte:Q", title="FTE"),
            color=alt.Color(
                "measure:N",
                title=None,
                sort=[cap, load],
                scale=alt.Scale(range=["#4e79a7", "#f28e2b"]),
                legend=alt.Legend(orient="top"),
            ),
            tooltip=[
                alt.Tooltip("org:N", title=t("chart.org")),
                alt.Tooltip("measure:N", title=" "),
                alt.Tooltip("fte:Q", title="FTE", format=".2f"),
            ],
        )
        .properties(height=alt.Step(14), title=t("chart.capacity_by_org"))
    )


def org_legend(sc: Scenario) -> str:
    """``MTTQ — Ủy ban …  ·  CD — …``: the codes the charts use, spelled out."""
    return "  ·  ".join(f"**{o.org_id}** — {o.name or o.org_id}" for o in sc.organizations)


def progress(points: list[tuple[float, float, float]]) -> alt.Chart:
    """Objective (best plan found) and bound (proved limit) over the seconds of a solve.

    A bound of 0 (nothing proven yet: a large scenario's first plans come from a
    restricted model) is left out, so that it does not flatten the objective's line.
    """
    obj, bound = t("solve.objective"), t("solve.bound")
    rows = []
    for sec, o, b in points:
        rows.append({"seconds": round(sec, 2), "series": obj, "value": o})
        if b > 0:
            rows.append({"seconds": round(sec, 2), "series": bound, "value": b})
    df = pl.DataFrame(
        rows, schema={"seconds": pl.Float64, "series": pl.String, "value": pl.Float64}
    )
    return (
        alt.Chart(df)
        .mark_line(point=True, interpolate="step-after")
        .encode(
            x=alt.X("seconds:Q", title=t("solve.seconds")),
            y=alt.Y("value:Q", title=t("solve.value"), scale=alt.Scale(zero=False)),
            color=alt.Color(
                "series:N",
                title=None,
                sort=[obj, bound],
                scale=alt.Scale(range=["#4e79a7", "#e15759"]),
                legend=alt.Legend(orient="bottom"),
            ),
            tooltip=[
                alt.Tooltip("seconds:Q", title=t("solve.seconds")),
                alt.Tooltip("series:N", title=" "),
                alt.Tooltip("value:Q", title=t("solve.value"), format=",.0f"),
            ],
        )
        .properties(height=260)
    )


def flow(sc: Scenario, plan: Plan) -> alt.Chart:
    """Who goes where: headcount from every organisation to every department (and to exit).

    A Sankey diagram's content as a matrix, readable without plotly: rows are
    today's organisations, columns the merged departments, the cell is the
    number of people, its colour the count.
    """
    org_name = {o.org_id: o.name or o.org_id for o in sc.organizations}
    dept_name = {d.dept_id: d.name or d.dept_id for d in sc.departments}
    dept_name.update({d.dept_id: d.name or d.dept_id for d in plan.departments})
    exit_label = t("role.exit")
    counts: dict[tuple[str, str], int] = {}
    for a in plan.staff:
        target = (
            exit_label
            if a.role is Role.EXIT or a.dept_id is None
            else dept_name.get(a.dept_id, a.dept_id)
        )
        key = (org_name.get(a.org_id, a.org_id), target)
        counts[key] = counts.get(key, 0) + 1
    rows = [{"org": k[0], "dept": k[1], "staff": v} for k, v in counts.items()]
    depts = [dept_name[d] for d in sc.dept_ids if dept_name.get(d)] + [exit_label]
    base = alt.Chart(pl.DataFrame(rows)).encode(
        y=alt.Y(
            "org:N",
            title=t("chart.from_org"),
            sort=[org_name[o] for o in sc.org_ids],
            axis=alt.Axis(labelLimit=220),
        ),
        x=alt.X(
            "dept:N",
            title=t("chart.to_dept"),
            sort=depts,
            axis=alt.Axis(labelAngle=-30, labelLimit=180),
        ),
    )
    cells = base.mark_rect(cornerRadius=3).encode(
        color=alt.Color("staff:Q", title=t("chart.headcount"), scale=alt.Scale(scheme="blues")),
        tooltip=[
            alt.Tooltip("org:N", title=t("chart.from_org")),
            alt.Tooltip("dept:N", title=t("chart.to_dept")),
            alt.Tooltip("staff:Q", title=t("chart.headcount")),
        ],
    )
    text = base.mark_text(fontSize=12).encode(
        text="staff:Q",
        color=alt.condition(alt.datum.staff > 8, alt.value("white"), alt.value("#222")),
    )
    return (cells + text).properties(height=alt.Step(34))


def workload(sc: Scenario, plan: Plan) -> alt.Chart:
    """Capacity against workload per department (the exports' chart when it exists)."""
    from planner.ui.i18n import current

    try:
        from planner.export.charts import workload_chart

        return workload_chart(sc, plan, current())
    except ImportError:  # pragma: no cover
        pass
    cap, load = t("chart.capacity"), t("chart.workload")
    rows = []
    for d in plan.departments:
        rows.append({"dept": d.name or d.dept_id, "measure": cap, "fte": d.fte})
        rows.append({"dept": d.name or d.dept_id, "measure": load, "fte": d.workload})
    return (
        alt.Chart(pl.DataFrame(rows))
        .mark_bar()
        .encode(
            y=alt.Y("dept:N", title=None),
            yOffset="measure:N",
            x=alt.X("fte:Q", title="FTE"),
            color=alt.Color("measure:N", title=None),
        )
    )
