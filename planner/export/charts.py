"""Figures shared by the exports and the app.

Everything here turns a scenario and a plan into plain numbers, names and
colours, so that the workbook, the SVGs, the HTML report and the Streamlit
pages tell the same story with the same words:

- ``Names``: display names of people, units, organisations and departments;
- ``org_colors``: one colour per organisation, stable for a scenario;
- ``before_after``: the before/after figures of SPEC §5 ``kpis``;
- ``department_loads`` and ``workload_chart``: capacity against workload per
  department, as rows and as an Altair chart for the app (``chart_svg`` renders a chart to an
  inline SVG with vl-convert, no browser and no script);

Every exporter writes its file with ``planner.io.durable.write_atomically``, so an
interrupted export never leaves half a file behind.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from models import Plan, Role, Scenario, Summary

if TYPE_CHECKING:
    import altair as alt

PALETTE: tuple[str, ...] = (
    "#4e79a7",
    "#f28e2b",
    "#59a14f",
    "#e15759",
    "#b07aa1",
    "#76b7b2",
    "#edc948",
    "#ff9da7",
    "#9c755f",
    "#bab0ac",
    "#1f77b4",
    "#8c564b",
)
"""Tableau 10 and two more: distinct on screen and in grey-scale print."""

EXIT_COLOR = "#9e9e9e"


def org_colors(scenario: Scenario) -> dict[str, str]:
    """One colour per ``org_id``, by the organisation's order in the scenario.

    The order of organizations.csv decides, so the same scenario always gets
    the same colours in every export and in the app.
    """
    return {o.org_id: PALETTE[i % len(PALETTE)] for i, o in enumerate(scenario.organizations)}


@dataclass(frozen=True)
class Names:
    """Display names by id; an empty name falls back to the id."""

    staff: dict[str, str]
    units: dict[str, str]
    orgs: dict[str, str]
    depts: dict[str, str]

    @classmethod
    def of(cls, scenario: Scenario, plan: Plan | None = None) -> Names:
        depts = {d.dept_id: d.name or d.dept_id for d in scenario.departments}
        if plan is not None:
            depts.update({d.dept_id: d.name or d.dept_id for d in plan.departments})
        return cls(
            staff={s.staff_id: s.name or s.staff_id for s in scenario.staff},
            units={u.unit_id: u.name or u.unit_id for u in scenario.units},
            orgs={o.org_id: o.name or o.org_id for o in scenario.organizations},
            depts=depts,
        )

    def person(self, staff_id: str | None) -> str:
        return "" if staff_id is None else self.staff.get(staff_id, staff_id)

    def dept(self, dept_id: str | None) -> str:
        return "" if dept_id is None else self.depts.get(dept_id, dept_id)

    def unit(self, unit_id: str | None) -> str:
        return "" if unit_id is None else self.units.get(unit_id, unit_id)

    def org(self, org_id: str | None) -> str:
        return "" if org_id is None else self.orgs.get(org_id, org_id)


# -- before / after -------------------------------------------------------------

BEFORE_AFTER_LABELS: dict[str, dict[str, str]] = {
    "vi": {
        "units": "Phòng ban (đơn vị → phòng)",
        "posts": "Chức danh trưởng, phó",
        "headcount": "Biên chế (người)",
        "exits": "Nghỉ, ra khỏi biên chế",
        "involuntary_exits": "Trong đó: không tự nguyện",
        "reduction": "Tỷ lệ tinh giản",
        "payroll": "Quỹ lương tháng",
        "savings": "Tiết kiệm mỗi tháng",
        "income_raise_per_head": "Tăng thu nhập mỗi người / tháng",
    },
    "en": {
        "units": "Departments (units → departments)",
        "posts": "Head and deputy posts",
        "headcount": "Headcount",
        "exits": "Exits",
        "involuntary_exits": "of which involuntary",
        "reduction": "Staff reduction",
        "payroll": "Monthly payroll",
        "savings": "Savings per month",
        "income_raise_per_head": "Income raise per head / month",
    },
}


@dataclass(frozen=True)
class Figure:
    """One before/after row; ``kind`` is ``count``, ``money`` or ``share``."""

    key: str
    before: float | None
    after: float | None
    kind: str = "count"

    @property
    def change(self) -> float | None:
        if self.before is None or self.after is None:
            return None
        return self.after - self.before

    def label(self, lang: str = "vi") -> str:
        return BEFORE_AFTER_LABELS[text_lang(lang)][self.key]


def before_after(summary: Summary) -> list[Figure]:
    """The SPEC §5 ``kpis`` as before/after rows (``None`` where there is no 'before')."""
    k = summary.kpis
    return [
        Figure("units", k.units_before, k.departments_after),
        Figure("posts", k.posts_before, k.posts_after),
        Figure("headcount", k.headcount_before, k.headcount_after),
        Figure("exits", None, k.exits),
        Figure("involuntary_exits", None, k.involuntary_exits),
        Figure("reduction", None, k.reduction, "share"),
        Figure("payroll", k.payroll_before, k.payroll_after, "money"),
        Figure("savings", None, k.savings, "money"),
        Figure("income_raise_per_head", None, k.income_raise_per_head, "money"),
    ]


def text_lang(lang: str) -> str:
    """``lang`` when the charts have texts in it, else ``vi``."""
    return lang if lang in BEFORE_AFTER_LABELS else "vi"


# -- departments: capacity, workload, who is where -------------------------------


@dataclass(frozen=True)
class DepartmentLoad:
    dept_id: str
    name: str
    headcount: int
    fte: float
    workload: float
    staff_by_org: dict[str, int]


def department_loads(scenario: Scenario, plan: Plan) -> list[DepartmentLoad]:
    """Per department of the plan: size, capacity, workload and staff per organisation.

    ``staff_by_org`` follows the order of organizations.csv (the chips and legends
    read in the same order everywhere).
    """
    counts: dict[str, dict[str, int]] = {d.dept_id: {} for d in plan.departments}
    for a in plan.staff:
        if a.role is not Role.EXIT and a.dept_id in counts:
            row = counts[a.dept_id]
            row[a.org_id] = row.get(a.org_id, 0) + 1
    order = {o: i for i, o in enumerate(scenario.org_ids)}
    return [
        DepartmentLoad(
            dept_id=d.dept_id,
            name=d.name or d.dept_id,
            headcount=d.headcount,
            fte=d.fte,
            workload=d.workload,
            staff_by_org=dict(
                sorted(counts[d.dept_id].items(), key=lambda kv: order.get(kv[0], len(order)))
            ),
        )
        for d in plan.departments
    ]


CHART_TEXT: dict[str, dict[str, str]] = {
    "vi": {
        "capacity": "Năng lực (FTE)",
        "workload": "Khối lượng công việc (FTE)",
        "dept": "Phòng ban",
        "value": "FTE",
    },
    "en": {
        "capacity": "Capacity (FTE)",
        "workload": "Workload (FTE)",
        "dept": "Department",
        "value": "FTE",
    },
}


def workload_chart(scenario: Scenario, plan: Plan, lang: str = "vi") -> alt.Chart:
    """Capacity (retained FTE) against workload, one pair of bars per department (C3).

    An Altair chart, so the app shows it as it is and the report renders it to
    SVG with ``chart_svg``.
    """
    import altair as alt

    t = CHART_TEXT[text_lang(lang)]
    rows = []
    for i, d in enumerate(department_loads(scenario, plan)):
        label = f"{d.name} ({d.dept_id})" if d.name != d.dept_id else d.name
        label = shorten(label, 42)
        rows.append({"order": i, "dept": label, "measure": t["capacity"], "value": round(d.fte, 2)})
        rows.append(
            {"order": i, "dept": label, "measure": t["workload"], "value": round(d.workload, 2)}
        )
    n = max(1, len(plan.departments))
    base = alt.Chart(alt.Data(values=rows))
    order = list(dict.fromkeys(str(r["dept"]) for r in rows))  # the plan's order, top to bottom
    y = alt.Y("dept:N", title=None, sort=order, axis=alt.Axis(labelLimit=300))
    bars = base.mark_bar(cornerRadiusEnd=2).encode(
        y=y,
        yOffset=alt.YOffset("measure:N", sort=[t["capacity"], t["workload"]]),
        x=alt.X("value:Q", title=t["value"]),
        color=alt.Color(
            "measure:N",
            title=None,
            sort=[t["capacity"], t["workload"]],
            scale=alt.Scale(range=["#4e79a7", "#f28e2b"]),
            legend=alt.Legend(orient="top"),
        ),
        tooltip=["dept:N", "measure:N", "value:Q"],
    )
    labels = base.mark_text(align="left", dx=3, fontSize=11, color="#333").encode(
        y=y,
        yOffset=alt.YOffset("measure:N", sort=[t["capacity"], t["workload"]]),
        x="value:Q",
        text=alt.Text("value:Q", format=".2f"),
    )
    return (
        (bars + labels)
        .properties(width=520, height=alt.Step(12) if n > 20 else alt.Step(16))
        .configure(font="DejaVu Sans, Arial, Helvetica, sans-serif", background="white")
        .configure_view(stroke=None)
        .configure_axis(labelFontSize=12, titleFontSize=12)
        .configure_legend(labelFontSize=12, symbolSize=120)
    )


_ID = re.compile(r'\bid="([^"]+)"')
_counter = itertools.count(1)


NUMBER_LOCALES: dict[str, dict[str, object]] = {
    "vi": {"decimal": ",", "thousands": ".", "grouping": [3], "currency": ["", " ₫"]},
    "en": {"decimal": ".", "thousands": ",", "grouping": [3], "currency": ["", ""]},
}


def chart_svg(chart: alt.Chart | alt.LayerChart | dict, lang: str = "vi") -> str:
    """Render an Altair chart (or a Vega-Lite dict) to one inline ``<svg>`` element.

    vl-convert runs Vega in-process (no browser); it may fetch nothing
    (``allowed_base_urls=[]``: the data is inline). Numbers follow ``lang``
    (``1.234,5`` in Vietnamese). Ids in the SVG are made unique so several
    charts can share one HTML page.
    """
    import vl_convert

    spec = chart if isinstance(chart, dict) else chart.to_dict()
    svg = vl_convert.vegalite_to_svg(
        spec, allowed_base_urls=[], format_locale=NUMBER_LOCALES[text_lang(lang)]
    )
    svg = re.sub(r"^\s*<\?xml[^>]*>\s*", "", svg)
    prefix = f"vl{next(_counter)}-"
    for old in set(_ID.findall(svg)):
        svg = svg.replace(f'id="{old}"', f'id="{prefix}{old}"').replace(
            f"url(#{old})", f"url(#{prefix}{old})"
        )
    return svg


def fmt_number(value: float | None, lang: str = "vi", digits: int = 0) -> str:
    """``1390000`` -> ``1.390.000`` (vi) or ``1,390,000`` (en); ``None`` -> ``—``."""
    if value is None:
        return "—"
    text = f"{value:,.{digits}f}"
    if text_lang(lang) == "vi":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def fmt_signed(value: float | None, lang: str = "vi", digits: int = 0) -> str:
    """A change with its sign: ``+3``, ``−12`` (a true minus sign), ``0``."""
    if value is None:
        return "—"
    text = fmt_number(abs(value), lang, digits)
    return ("+" if value > 0 else "−" if value < 0 else "") + text


def shorten(text: str, limit: int) -> str:
    """Cut ``text`` to ``limit`` characters, ending with an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
