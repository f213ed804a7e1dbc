"""roadmap.xlsx and roadmap.html (SPEC §8): the roadmap for people.

roadmap.xlsx: a sheet per table (periods, staff with one column per period,
departures, functions) and the summary; text cells are written as strings in a
workbook that never turns a string into a formula or a link (``xlsx.py``).

roadmap.html: one self-contained page in Vietnamese and English side by side
(every label "vi / en"): per-period headcount by department (stacked), posts and
deputies against the norm, departures by reason and period, cost against the
unchanged cost with the cumulative savings and the payback period, the periods
table and who leaves when and why. Every string from the data is escaped. Names
of people are shown; salaries are not (packages are, as the planner's figures).
"""

from __future__ import annotations

import html
import os
from collections import Counter
from pathlib import Path
from typing import Any

import xlsxwriter

from models import DepartureReason, PeriodRole, Roadmap, RoadmapSummary, Scenario
from planner.export.draft import describe as describe_violation
from planner.export.draft import headline, is_draft
from planner.export.xlsx import FORMATS, WORKBOOK_OPTIONS, Column, write_sheet
from planner.io.durable import write_atomically, write_text_atomically

REASON_TEXT = {
    DepartureReason.RETIREMENT: "nghỉ hưu / retirement",
    DepartureReason.EARLY: "nghỉ trước / early",
}


def esc(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _names(scenario: Scenario) -> tuple[dict[str, str], dict[str, str]]:
    return (
        {s.staff_id: s.name for s in scenario.staff},
        {d.dept_id: d.name or d.dept_id for d in scenario.departments},
    )


def roadmap_sheets(
    scenario: Scenario, roadmap: Roadmap
) -> dict[str, tuple[list[Column], list[list[Any]]]]:
    """Every table of the workbook: columns and rows."""
    people, depts = _names(scenario)
    T = scenario.settings.roadmap.periods
    periods = (
        [
            Column("period", "int"),
            Column("start"),
            Column("headcount", "int"),
            Column("posts", "int"),
            Column("deputies", "int"),
            Column("payroll", "money"),
            Column("packages", "money"),
            Column("cost", "money"),
            Column("cost_unchanged", "money"),
            Column("cumulative_savings", "money"),
        ],
        [
            [
                p.period,
                p.start.isoformat(),
                p.headcount,
                p.posts,
                p.deputies,
                p.payroll,
                p.packages,
                p.cost,
                p.cost_unchanged,
                p.cumulative_savings,
            ]
            for p in roadmap.periods
        ],  # fmt: skip
    )
    cell = {(a.staff_id, a.period): a for a in roadmap.staff}
    staff_cols = [Column("staff_id"), Column("name"), Column("org_id"), Column("unit_id")]
    staff_cols += [Column(f"period {t}") for t in range(1, T + 1)]
    staff_rows = []
    for s in scenario.staff:
        row: list[Any] = [s.staff_id, s.name, scenario.unit_org[s.unit_id], s.unit_id]
        for t in range(1, T + 1):
            a = cell.get((s.staff_id, t))
            if a is None or a.role is PeriodRole.GONE:
                row.append("gone")
            else:
                row.append(f"{a.role.value} @ {a.dept_id}")
        staff_rows.append(row)
    departures = (
        [Column("staff_id"), Column("name"), Column("period", "int"), Column("reason"),
         Column("package", "money")],
        [[d.staff_id, people.get(d.staff_id, ""), d.period, d.reason.value, d.package]
         for d in roadmap.departures],
    )  # fmt: skip
    functions = (
        [Column("function_id"), Column("dept_id"), Column("department"), Column("lead_org")],
        [[f.function_id, f.dept_id, depts.get(f.dept_id, ""), f.lead_org] for f in roadmap.functions],
    )  # fmt: skip
    return {
        "periods": periods,
        "staff": (staff_cols, staff_rows),
        "departures": departures,
        "functions": functions,
    }


def write_roadmap_xlsx(
    scenario: Scenario, roadmap: Roadmap, summary: RoadmapSummary, path: str | os.PathLike[str]
) -> None:
    """Write roadmap.xlsx atomically: periods, staff, departures, functions and summary sheets."""

    def write(tmp: Path) -> None:
        wb = xlsxwriter.Workbook(str(tmp), WORKBOOK_OPTIONS)
        wb.set_properties(
            {"title": f"Roadmap: {scenario.settings.scenario.name}", "comments": "Khối planner"}
        )
        formats = {k: wb.add_format(v) for k, v in FORMATS.items()}
        formats["header"] = wb.add_format(
            {"bold": True, "bg_color": "#1c3d5a", "font_color": "#ffffff", "border": 1}
        )
        if is_draft(summary):  # a draft says so on its first sheet, with what it breaks
            currency = scenario.settings.scenario.currency
            write_sheet(
                wb,
                "draft",
                [Column("rule"), Column("where"), Column("amount", "int"), Column(headline(summary, "en"))],
                [[v.rule, v.where, v.amount, describe_violation(v, currency, "en")]
                 for v in summary.violations],
                formats,
            )  # fmt: skip
        for name, (columns, rows) in roadmap_sheets(scenario, roadmap).items():
            write_sheet(wb, name, columns, rows, formats)
        rows = [["status", summary.status.value], ["objective", summary.objective],
                ["bound", summary.bound], ["gap", summary.gap]]  # fmt: skip
        rows += [[f"terms.{k}", v] for k, v in summary.terms.items()]
        rows += [[f"kpis.{k}", v] for k, v in summary.kpis.model_dump().items()]
        write_sheet(wb, "summary", [Column("key"), Column("value", "int")], rows, formats)
        wb.close()

    write_atomically(path, write)


# -- HTML ---------------------------------------------------------------------------------


def _svg_bars(
    series: list[tuple[str, list[float]]],
    labels: list[str],
    *,
    stacked: bool,
    line: list[float] | None = None,
    line_label: str = "",
    width: int = 640,
    height: int = 240,
) -> str:
    """A small inline SVG bar chart (stacked or grouped), with an optional line; no script."""
    palette = ["#1c3d5a", "#3f7cac", "#95b8d1", "#e0a458", "#c2524d", "#6a994e", "#8d6a9f",
               "#bc6c25", "#52796f", "#adb5bd"]  # fmt: skip
    n = len(labels)
    tops = [
        sum(v[i] for _, v in series) if stacked else max((v[i] for _, v in series), default=0)
        for i in range(n)
    ]
    lows = [min(0.0, *(v[i] for _, v in series)) for i in range(n)] if series else [0.0]
    values = tops + (line or []) + [0.0]
    hi = max(values) or 1.0
    lo = min(min(lows, default=0.0), min(line or [0.0]), 0.0)
    left, bottom, top = 70, 30, 10
    plot_h = height - bottom - top
    slot = (width - left - 10) / max(n, 1)

    def y(v: float) -> float:
        return top + plot_h * (hi - v) / ((hi - lo) or 1.0)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height + 20 * (len(series) + 2)}" '
        f'role="img" font-family="sans-serif" font-size="11">'
    ]
    parts.append(
        f'<line x1="{left}" x2="{width - 10}" y1="{y(0):.1f}" y2="{y(0):.1f}" stroke="#555"/>'
    )
    for k in (hi, lo) if lo < 0 else (hi,):
        parts.append(f'<text x="{left - 6}" y="{y(k) + 4:.1f}" text-anchor="end">{k:,.0f}</text>')
    for i, lab in enumerate(labels):
        x0 = left + i * slot + slot * 0.15
        w = slot * 0.7
        base = 0.0
        for j, (_, v) in enumerate(series):
            color = palette[j % len(palette)]
            if stacked:
                y1, y2 = y(base + v[i]), y(base)
                base += v[i]
                parts.append(f'<rect x="{x0:.1f}" y="{min(y1, y2):.1f}" width="{w:.1f}" '
                             f'height="{abs(y2 - y1):.1f}" fill="{color}"/>')  # fmt: skip
            else:
                bw = w / max(len(series), 1)
                y1, y2 = y(max(v[i], 0)), y(min(v[i], 0))
                parts.append(f'<rect x="{x0 + j * bw:.1f}" y="{y1:.1f}" width="{bw:.1f}" '
                             f'height="{y2 - y1:.1f}" fill="{color}"/>')  # fmt: skip
        parts.append(
            f'<text x="{x0 + w / 2:.1f}" y="{height - 12}" text-anchor="middle">{esc(lab)}</text>'
        )
    if line:
        pts = " ".join(f"{left + (i + 0.5) * slot:.1f},{y(v):.1f}" for i, v in enumerate(line))
        parts.append(f'<polyline points="{pts}" fill="none" stroke="#c2524d" stroke-width="2.5"/>')
    legend = [(name, palette[j % len(palette)]) for j, (name, _) in enumerate(series)]
    if line:
        legend.append((line_label, "#c2524d"))
    for j, (name, color) in enumerate(legend):
        yy = height + 16 + 20 * j
        parts.append(f'<rect x="{left}" y="{yy - 9}" width="10" height="10" fill="{color}"/>'
                     f'<text x="{left + 16}" y="{yy}">{esc(name)}</text>')  # fmt: skip
    parts.append("</svg>")
    return "".join(parts)


def roadmap_html(scenario: Scenario, roadmap: Roadmap, summary: RoadmapSummary) -> str:
    """The whole page (Vietnamese / English)."""
    people, depts = _names(scenario)
    T = scenario.settings.roadmap.periods
    labels = [f"{t}" for t in range(1, T + 1)]
    by_dept = Counter((a.dept_id, a.period) for a in roadmap.staff if a.role is not PeriodRole.GONE)
    headcount = [
        (depts[d], [float(by_dept[d, t]) for t in range(1, T + 1)]) for d in scenario.dept_ids
    ]
    posts = [float(p.posts) for p in roadmap.periods]
    deputies = [float(p.deputies) for p in roadmap.periods]
    norm = scenario.settings.targets.max_leadership_posts
    reasons = [
        (REASON_TEXT[r], [float(sum(1 for d in roadmap.departures if d.period == t and d.reason is r))
                          for t in range(1, T + 1)])
        for r in DepartureReason
    ]  # fmt: skip
    money = [
        ("chi phí / cost", [float(p.cost) for p in roadmap.periods]),
        ("giữ nguyên / unchanged", [float(p.cost_unchanged) for p in roadmap.periods]),
    ]
    saving = [float(p.cumulative_savings) for p in roadmap.periods]
    k = summary.kpis
    payback = "—" if k.payback_period is None else str(k.payback_period)
    cards = [
        ("Thời kỳ / periods", k.periods),
        (
            "Nhân sự hôm nay → cuối kỳ / headcount today → end",
            f"{k.headcount_before} → {k.headcount_end}",
        ),
        ("Chức danh / posts", f"{k.posts_before} → {k.posts_end}"),
        ("Nghỉ hưu / retirements", k.retirements),
        ("Nghỉ trước tuổi / early exits", k.early_exits),
        ("Tổng hỗ trợ / total packages (k)", f"{k.total_packages:,}"),
        ("Tổng chi phí / total cost (k)", f"{k.total_cost:,}"),
        ("Nếu giữ nguyên / unchanged (k)", f"{k.cost_unchanged:,}"),
        ("Tiết kiệm ròng / net savings (k)", f"{k.net_savings:,}"),
        ("Hoàn vốn ở kỳ / payback period", payback),
    ]
    card_html = "".join(
        f'<div class="card"><div class="l">{esc(a)}</div><div class="v">{esc(b)}</div></div>'
        for a, b in cards
    )
    period_rows = "".join(
        f"<tr><td>{p.period}</td><td>{p.start.isoformat()}</td><td>{p.headcount}</td>"
        f"<td>{p.posts}</td><td>{p.deputies}</td><td>{p.packages:,}</td><td>{p.cost:,}</td>"
        f"<td>{p.cost_unchanged:,}</td><td>{p.cumulative_savings:,}</td></tr>"
        for p in roadmap.periods
    )
    leave_rows = "".join(
        f"<tr><td>{esc(d.staff_id)}</td><td>{esc(people.get(d.staff_id, ''))}</td>"
        f"<td>{d.period}</td><td>{esc(REASON_TEXT[d.reason])}</td><td>{d.package:,}</td></tr>"
        for d in sorted(roadmap.departures, key=lambda d: (d.period, d.reason.value, d.staff_id))
    )
    posts_chart = _svg_bars(
        [("chức danh / posts", posts), ("phó / deputies", deputies)],
        labels,
        stacked=False,
        line=[float(norm)] * T if norm is not None else None,
        line_label=f"định mức / norm ({norm})",
    )
    title = esc(scenario.settings.scenario.name)
    draft_html = ""
    if is_draft(summary):  # SPEC §5: a draft says so first, and what it breaks
        currency = scenario.settings.scenario.currency
        items = "".join(
            f"<li>{esc(describe_violation(v, currency, 'en'))}</li>" for v in summary.violations
        )
        draft_html = (
            f'<div style="border-left:4px solid #e15759;background:#fdf1f1;padding:6px 12px">'
            f"<p><b>{esc(headline(summary, 'vi'))}<br>{esc(headline(summary, 'en'))}</b></p>"
            f"<ul>{items}</ul></div>"
        )
    return f"""<!doctype html>
<html lang="vi"><head><meta charset="utf-8">
<title>Lộ trình / Roadmap — {title}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em auto; max-width: 960px; color: #222; }}
h1 {{ font-size: 1.5em; }} h2 {{ margin-top: 1.6em; border-bottom: 1px solid #ccc; }}
.cards {{ display: flex; flex-wrap: wrap; gap: .6em; }}
.card {{ border: 1px solid #ccd; border-radius: 6px; padding: .5em .8em; min-width: 12em; }}
.card .l {{ color: #666; font-size: .85em; }} .card .v {{ font-size: 1.3em; font-weight: 600; }}
table {{ border-collapse: collapse; width: 100%; font-size: .9em; }}
th, td {{ border-bottom: 1px solid #e3e3e3; padding: .25em .5em; text-align: left; }}
td:nth-child(n+3) {{ font-variant-numeric: tabular-nums; }}
figure {{ margin: 1em 0; }} svg {{ max-width: 100%; height: auto; }}
</style></head><body>
<h1>Lộ trình sáp nhập / Merger roadmap — {title}</h1>
{draft_html}<p>Trạng thái / status: <b>{esc(summary.status.value)}</b>; mục tiêu / objective {esc(summary.objective)},
khoảng cách / gap {esc(summary.gap)}. Tiền tính bằng nghìn {esc(scenario.settings.scenario.currency)} /
money in thousands of {esc(scenario.settings.scenario.currency)}.</p>
<div class="cards">{card_html}</div>
<h2>Nhân sự theo ban qua các kỳ / Headcount by department per period</h2>
<figure>{_svg_bars(headcount, labels, stacked=True)}</figure>
<h2>Chức danh so với định mức / Posts against the norm</h2>
<figure>{posts_chart}</figure>
<h2>Nghỉ việc theo lý do / Departures by reason</h2>
<figure>{_svg_bars(reasons, labels, stacked=True)}</figure>
<h2>Chi phí so với giữ nguyên / Cost against unchanged</h2>
<p>Đường đỏ: tiết kiệm luỹ kế / red line: cumulative savings; hoàn vốn ở kỳ / payback period: <b>{payback}</b>.</p>
<figure>{_svg_bars(money, labels, stacked=False, line=saving, line_label="tiết kiệm luỹ kế / cumulative savings")}</figure>
<h2>Các kỳ / Periods</h2>
<table><thead><tr><th>kỳ / period</th><th>bắt đầu / start</th><th>nhân sự / headcount</th>
<th>chức danh / posts</th><th>phó / deputies</th><th>hỗ trợ / packages</th><th>chi phí / cost</th>
<th>giữ nguyên / unchanged</th><th>tiết kiệm luỹ kế / cumulative savings</th></tr></thead>
<tbody>{period_rows}</tbody></table>
<h2>Ai nghỉ, khi nào, vì sao / Who leaves when and why</h2>
<table><thead><tr><th>mã / id</th><th>họ tên / name</th><th>kỳ / period</th><th>lý do / reason</th>
<th>hỗ trợ / package (k)</th></tr></thead><tbody>{leave_rows}</tbody></table>
</body></html>
"""


def write_roadmap_html(
    scenario: Scenario, roadmap: Roadmap, summary: RoadmapSummary, path: str | os.PathLike[str]
) -> None:
    write_text_atomically(path, roadmap_html(scenario, roadmap, summary))


def write_roadmap_exports(
    scenario: Scenario, roadmap: Roadmap, summary: RoadmapSummary, folder: str | os.PathLike[str]
) -> None:
    """roadmap.xlsx and roadmap.html into ``folder``."""
    out = Path(folder)
    write_roadmap_xlsx(scenario, roadmap, summary, out / "roadmap.xlsx")
    write_roadmap_html(scenario, roadmap, summary, out / "roadmap.html")
