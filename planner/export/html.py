"""report.html (SPEC §5): one self-contained page a planner can send by mail.

No script, no external font, stylesheet or image: inline CSS and the inline
SVGs of ``planner.export.svg`` (the org chart, the flow and the workload chart,
all drawn as plain SVG: no vl-convert per report). A Content-Security-Policy meta tag forbids loading anything
anyway. Every string from the data goes through ``esc``. The page reads in
Vietnamese or English (``lang``); its words are in ``TEXT`` below.

This module is long because a third of it is the page's words in two languages
(``TEXT``) and its stylesheet (``CSS``), kept beside the one report class that writes
the sections in page order.
"""

from __future__ import annotations

import logging
import os
import re
from collections import Counter
from collections.abc import Iterable
from typing import Any

from models import Plan, Position, Role, Scenario, Summary
from models.settings import TERMS
from planner.export.charts import (
    Names,
    before_after,
    fmt_number,
    fmt_signed,
    org_colors,
)
from planner.export.draft import describe as describe_violation
from planner.export.draft import headline, is_draft
from planner.export.svg import esc, flow_svg, structure_svg, workload_svg
from planner.io.durable import write_text_atomically

log = logging.getLogger("planner")

TEXT: dict[str, dict[str, str]] = {
    "vi": {
        "title": "Phương án sắp xếp cơ quan khối",
        "nav": "Nội dung",
        "story": "Phương án qua các con số",
        "story_text": (
            "{units_before} phòng ban của {orgs} tổ chức được sắp xếp thành {departments_after} phòng ban chung "
            "của cơ quan khối. Chức danh trưởng, phó: từ {posts_before} còn {posts_after}. Biên chế: từ "
            "{headcount_before} còn {headcount_after} người ({exits} người nghỉ, trong đó {involuntary_exits} "
            "không tự nguyện). Quỹ lương tháng: từ {payroll_before} còn {payroll_after} {currency}; số tiết kiệm "
            "{savings} {currency} mỗi tháng, tương đương {income_raise_per_head} {currency} tăng thu nhập "
            "cho mỗi người ở lại."
        ),
        "no_plan": "Không có phương án: trạng thái «{status}».",
        "before_after": "Trước và sau",
        "measure": "Chỉ tiêu",
        "before": "Trước",
        "after": "Sau",
        "change": "Thay đổi",
        "structure": "Cơ cấu đề xuất",
        "workload": "Khối lượng công việc và năng lực từng phòng",
        "workload_note": "Năng lực = tổng FTE của cán bộ ở lại; mỗi phòng cần năng lực không thấp hơn khối lượng (C3).",
        "flow": "Từ đơn vị hiện nay sang phòng ban mới",
        "independence": "Vị trí của từng tổ chức",
        "independence_note": "Mỗi tổ chức giữ cán bộ, chức danh lãnh đạo và nhiệm vụ chủ trì của mình (C9, C11).",
        "org": "Tổ chức",
        "staff_before": "Cán bộ trước",
        "staff_after": "Cán bộ sau",
        "posts_before": "Trưởng, phó trước",
        "posts_after": "Trưởng, phó sau",
        "min": "tối thiểu",
        "leads": "Nhiệm vụ chủ trì",
        "reserved": "Nhiệm vụ riêng",
        "departments": "Các phòng ban",
        "dept": "Phòng ban",
        "head": "Trưởng phòng",
        "deputies": "Phó trưởng phòng",
        "headcount": "Số người",
        "fte": "Năng lực (FTE)",
        "load": "Khối lượng (FTE)",
        "domains": "Lĩnh vực",
        "orgs": "Tổ chức",
        "moves": "Bố trí cán bộ",
        "staff_id": "Mã",
        "name": "Họ tên",
        "from": "Đơn vị hiện nay",
        "to": "Phòng ban mới",
        "role": "Vị trí",
        "retiring": "nghỉ hưu",
        "functions": "Nhiệm vụ",
        "function": "Nhiệm vụ",
        "domain": "Lĩnh vực",
        "kind": "Loại",
        "lead": "Tổ chức chủ trì",
        "settings": "Thiết lập đã dùng",
        "key": "Khóa",
        "value": "Giá trị",
        "solver": "Bộ giải",
        "status": "Trạng thái",
        "objective": "Hàm mục tiêu",
        "bound": "Cận dưới",
        "gap": "Khoảng cách tối ưu",
        "runtime": "Thời gian chạy (giây)",
        "input": "Mã băm dữ liệu vào (SHA-256)",
        "created": "Thời điểm tạo",
        "terms": "Các thành phần hàm mục tiêu",
        "term": "Thành phần",
        "weight": "Trọng số",
        "weighted": "Trọng số × giá trị",
        "conflicts": "Các thiết lập mâu thuẫn",
        "conflicts_note": "Không thể đồng thời thỏa mãn các thiết lập sau; hãy nới lỏng ít nhất một:",
        "head_role": "Trưởng phòng",
        "deputy_role": "Phó trưởng phòng",
        "member_role": "Thành viên",
        "exit_role": "Nghỉ",
        "chart_error": "Không vẽ được biểu đồ.",
        "generated": "Tạo bởi Khối",
        "optimal": "tối ưu",
        "feasible": "khả thi",
        "infeasible": "không khả thi",
        "timeout": "hết thời gian",
        "invalid": "không hợp lệ",
        "mode": "Cách tối ưu",
        "pos_head": "trưởng",
        "pos_deputy": "phó",
        "pos_staff": "chuyên viên",
    },
    "en": {
        "title": "Block agency merger plan",
        "nav": "Contents",
        "story": "The plan in numbers",
        "story_text": (
            "{units_before} departments of {orgs} organisations become {departments_after} shared departments of "
            "the block agency. Head and deputy posts: {posts_before} → {posts_after}. Headcount: "
            "{headcount_before} → {headcount_after} ({exits} exits, {involuntary_exits} of them involuntary). "
            "Monthly payroll: {payroll_before} → {payroll_after} {currency}; the {savings} {currency} saved each "
            "month equals an income raise of {income_raise_per_head} {currency} for every person who stays."
        ),
        "no_plan": "No plan: status “{status}”.",
        "before_after": "Before and after",
        "measure": "Measure",
        "before": "Before",
        "after": "After",
        "change": "Change",
        "structure": "Recommended structure",
        "workload": "Workload and capacity per department",
        "workload_note": "Capacity = FTE of the staff retained; every department needs capacity at least equal to its workload (C3).",
        "flow": "From today's units to the new departments",
        "independence": "Each organisation's place",
        "independence_note": "Every organisation keeps staff, leadership posts and the tasks it leads (C9, C11).",
        "org": "Organisation",
        "staff_before": "Staff before",
        "staff_after": "Staff after",
        "posts_before": "Posts before",
        "posts_after": "Posts after",
        "min": "minimum",
        "leads": "Tasks led",
        "reserved": "Reserved tasks",
        "departments": "Departments",
        "dept": "Department",
        "head": "Head",
        "deputies": "Deputies",
        "headcount": "Headcount",
        "fte": "Capacity (FTE)",
        "load": "Workload (FTE)",
        "domains": "Domains",
        "orgs": "Organisations",
        "moves": "Staff placement",
        "staff_id": "Id",
        "name": "Name",
        "from": "Unit today",
        "to": "New department",
        "role": "Role",
        "retiring": "retiring",
        "functions": "Functions",
        "function": "Function",
        "domain": "Domain",
        "kind": "Kind",
        "lead": "Lead organisation",
        "settings": "Settings used",
        "key": "Key",
        "value": "Value",
        "solver": "Solver",
        "status": "Status",
        "objective": "Objective",
        "bound": "Bound",
        "gap": "Optimality gap",
        "runtime": "Runtime (s)",
        "input": "Input hash (SHA-256)",
        "created": "Created",
        "terms": "Objective terms",
        "term": "Term",
        "weight": "Weight",
        "weighted": "Weight × value",
        "conflicts": "Conflicting settings",
        "conflicts_note": "These settings cannot hold together; relax at least one:",
        "head_role": "Head",
        "deputy_role": "Deputy",
        "member_role": "Member",
        "exit_role": "Exit",
        "chart_error": "The chart could not be drawn.",
        "generated": "Made with Khối",
        "optimal": "optimal",
        "feasible": "feasible",
        "infeasible": "infeasible",
        "timeout": "timeout",
        "invalid": "invalid",
        "mode": "Objective mode",
        "pos_head": "head",
        "pos_deputy": "deputy",
        "pos_staff": "staff",
    },
}

CSS = """
:root { --ink:#1f2933; --muted:#5b6b7b; --line:#d9e0e7; --soft:#f3f6f9; --brand:#1c3d5a; }
* { box-sizing: border-box; }
body { margin:0; color:var(--ink); background:#fff;
  font: 14px/1.5 "DejaVu Sans", "Segoe UI", Arial, Helvetica, sans-serif; }
main { max-width: 1160px; margin: 0 auto; padding: 0 24px 48px; }
header.top { background: var(--brand); color:#fff; padding: 22px 24px 18px; }
header.top .inner { max-width:1160px; margin:0 auto; }
header.top h1 { margin:0 0 4px; font-size: 24px; }
header.top .sub { color:#c9d8e6; font-size: 13px; }
.badge { display:inline-block; padding:1px 10px; border-radius:10px; font-size:12px; font-weight:bold;
  background:#59a14f; color:#fff; margin-left:8px; vertical-align: middle; }
.badge.feasible { background:#edc948; color:#222; } .badge.bad { background:#e15759; }
nav { margin: 14px 0 0; font-size: 13px; display: flex; flex-wrap: wrap; gap: 2px 16px; }
nav a { color: var(--brand); text-decoration: none; white-space: nowrap; }
h2 { font-size: 19px; margin: 34px 0 10px; padding-bottom: 4px; border-bottom: 2px solid var(--brand); }
h3 { font-size: 15px; margin: 18px 0 6px; }
p.note { color: var(--muted); font-size: 13px; margin: 4px 0 10px; }
.story { font-size: 15px; max-width: 900px; }
.cards { display:grid; grid-template-columns: repeat(4, minmax(0, 1fr)); gap: 12px; margin: 14px 0; }
.card { border:1px solid var(--line); border-radius:8px; padding:10px 14px; background: var(--soft); }
.card .label { color: var(--muted); font-size: 12px; }
.card .value { font-size: 22px; font-weight: bold; }
.card .value.long { font-size: 17px; }
.card .delta { font-size: 12px; color: var(--muted); }
.card .delta.good { color:#2e7d32; } .card .delta.warn { color:#b23c17; }
table { border-collapse: collapse; width: 100%; font-size: 13px; margin: 6px 0 12px; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: var(--soft); font-weight: bold; color: #334; }
tbody tr:nth-child(even) td { background: #fafbfc; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.code, td.hash { font-family: "DejaVu Sans Mono", Consolas, monospace; font-size: 12px; }
td.hash { word-break: break-all; } td.code { white-space: nowrap; }
tr.exit td { color: #8a3324; } tr.lead td.role { font-weight: bold; }
.tag { display:inline-block; padding:0 6px; border-radius:8px; font-size:11px; color:#fff; font-weight:bold; }
.muted { color: var(--muted); }
figure { margin: 8px auto 16px; } figure svg { width: 100%; height: auto; display:block; }
.grid3 { display:grid; grid-template-columns: repeat(3, 1fr); gap: 0 18px; }
.conflicts, .draft { border-left: 4px solid #e15759; background:#fdf1f1; padding: 8px 14px; }
footer { color: var(--muted); font-size: 12px; margin-top: 36px; }
@media (max-width: 800px) { .cards { grid-template-columns: repeat(2, 1fr); } .grid3 { grid-template-columns: 1fr; } }
@page { size: A4; margin: 12mm; }
@media print {
  body { font-size: 10pt; } main { max-width: none; padding: 0; }
  header.top { background: none; color: var(--ink); padding: 0 0 8px; border-bottom: 2px solid var(--brand); }
  header.top h1 { font-size: 17pt; }
  header.top .sub { color: var(--muted); } nav { display: none; }
  h2 { break-after: avoid; } figure, .card, tr { break-inside: avoid; }
  section.page { break-before: page; }
  figure.chart svg { max-width: 100%; }
}
"""


class Markup(str):
    """HTML built here from escaped parts: ``_table`` does not escape it again."""


def _cell(value: Any) -> str:
    return value if isinstance(value, Markup) else esc(value)


def _table(
    headers: list[tuple[str, str]],
    rows: Iterable[list[tuple[Any, str]]],
    row_class: Iterable[str] = (),
) -> str:
    """An HTML table; ``headers`` are (label, class), each cell (value, class); values are escaped
    unless they are ``Markup``."""
    head = "".join(f'<th class="{c}">{esc(h)}</th>' for h, c in headers)
    classes = iter(row_class)
    body = []
    for row in rows:
        rc = next(classes, "")
        cells = "".join(
            f'<td class="{c}">{_cell(v)}</td>' if c else f"<td>{_cell(v)}</td>" for v, c in row
        )
        body.append(f'<tr class="{rc}">{cells}</tr>' if rc else f"<tr>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


class _Report:
    """Builds the sections of one report; ``t`` is the language's words."""

    def __init__(self, scenario: Scenario, plan: Plan | None, summary: Summary, lang: str) -> None:
        self.sc, self.plan, self.summary = scenario, plan, summary
        self.lang = lang if lang in TEXT else "vi"
        self.t = TEXT[self.lang]
        self.names = Names.of(scenario, plan)
        self.currency = scenario.settings.scenario.currency

    def n(self, value: float | None, digits: int = 0) -> str:
        return fmt_number(value, self.lang, digits)

    def figure(self, value: float | None, kind: str) -> str:
        """A before/after value: a count, money in the scenario's currency, or a share in %."""
        if value is None:
            return "—"
        if kind == "share":
            return f"{self.n(100 * value, 1)} %"
        return self.n(value) + (f" {self.currency}" if kind == "money" else "")

    def role(self, role: Role) -> str:
        return self.t[f"{role.value}_role"]

    # -- sections ------------------------------------------------------------------
    def header(self) -> str:
        s, t = self.summary, self.t
        status = s.status.value
        badge = "" if status == "optimal" else "feasible" if status == "feasible" else "bad"
        name = self.sc.settings.scenario.name or s.scenario
        sub = " · ".join(
            x
            for x in (s.created, f"{t['input']}: {s.input_sha256[:12]}" if s.input_sha256 else "")
            if x
        )
        return (
            f'<header class="top"><div class="inner"><h1>{esc(t["title"])}: {esc(name)}'
            f'<span class="badge {badge}">{esc(t.get(status, status))}</span></h1>'
            f'<div class="sub">{esc(sub)}</div></div></header>'
        )

    def nav(self, sections: list[tuple[str, str]]) -> str:
        links = "".join(f'<a href="#{key}">{esc(title)}</a>' for key, title in sections)
        return f'<nav aria-label="{esc(self.t["nav"])}">{links}</nav>'

    def draft(self) -> str:
        """A draft's warning before anything else (SPEC §5): it breaks these rules."""
        if not is_draft(self.summary):
            return ""
        lang = self.lang
        items = "".join(
            f"<li>{esc(describe_violation(v, self.currency, lang))}</li>"
            for v in self.summary.violations
        )
        return (
            f'<div class="draft" role="alert"><p><strong>{esc(headline(self.summary, lang))}'
            f"</strong></p><ul>{items}</ul></div>"
        )

    def story(self) -> str:
        t, k = self.t, self.summary.kpis
        if self.plan is None:
            text = t["no_plan"].format(
                status=t.get(self.summary.status.value, self.summary.status.value)
            )
            return f'<p class="story">{esc(text)}</p>'
        values = {key: self.n(v) for key, v in k.model_dump().items() if key != "reduction"}
        text = t["story_text"].format(
            orgs=len(self.sc.organizations), currency=self.currency, **values
        )
        cards = []
        for f in before_after(self.summary):
            if f.key in ("involuntary_exits", "savings"):
                continue
            if f.key == "reduction":
                value, delta, cls = self.figure(f.after, f.kind), "", ""
            elif f.before is None:
                value, delta, cls = self.n(f.after), "", ""
                if f.key == "exits":
                    delta = f"{self.n(k.involuntary_exits)} {BEFORE_AFTER_SHORT[self.lang]['involuntary']}"
                    cls = "warn" if k.involuntary_exits else "good"
                if f.kind == "money":
                    delta = self.currency
            else:
                value = f"{self.n(f.before)} → {self.n(f.after)}"
                delta = fmt_signed(f.change, self.lang)
                if f.kind == "money":
                    delta += f" {self.currency}"
                cls = "good" if (f.change or 0) <= 0 else "warn"
            cards.append(
                f'<div class="card"><div class="label">{esc(f.label(self.lang))}</div>'
                f'<div class="value{" long" if len(value) > 14 else ""}">{esc(value)}</div><div class="delta {cls}">{esc(delta)}</div></div>'
            )
        return f'<p class="story">{esc(text)}</p><div class="cards">{"".join(cards)}</div>'

    def before_after(self) -> str:
        t = self.t
        rows = []
        for f in before_after(self.summary):
            unit = f" {self.currency}" if f.kind == "money" else ""
            change = "—" if f.change is None else fmt_signed(f.change, self.lang) + unit
            rows.append(
                [
                    (f.label(self.lang), ""),
                    (self.figure(f.before, f.kind), "num"),
                    (self.figure(f.after, f.kind), "num"),
                    (change, "num"),
                ]
            )
        return _table(
            [(t["measure"], ""), (t["before"], "num"), (t["after"], "num"), (t["change"], "num")],
            rows,
        )

    def workload(self) -> str:
        assert self.plan is not None
        try:
            svg = workload_svg(self.sc, self.plan, self.lang)
        except Exception:  # a report without this chart beats no report
            log.warning("workload chart could not be rendered", exc_info=True)
            return f'<p class="note">{esc(self.t["chart_error"])}</p>'
        return f'<p class="note">{esc(self.t["workload_note"])}</p>{_figure(svg, scale=1.25)}'

    def independence(self) -> str:
        assert self.plan is not None
        t, sc = self.t, self.sc
        colors = org_colors(sc)
        staff_before = Counter(sc.staff_org[s.staff_id] for s in sc.staff)
        posts_before = Counter(
            sc.staff_org[s.staff_id] for s in sc.staff if s.position is not Position.STAFF
        )
        staff_after = Counter(a.org_id for a in self.plan.staff if a.role is not Role.EXIT)
        posts_after = Counter(
            a.org_id for a in self.plan.staff if a.role in (Role.HEAD, Role.DEPUTY)
        )
        leads = Counter(a.lead_org for a in self.plan.functions if a.lead_org)
        reserved = Counter(f.org_id for f in sc.functions if f.kind.value == "reserved")
        head = [
            (t["org"], ""),
            (t["staff_before"], "num"),
            (t["staff_after"], "num"),
            (t["posts_before"], "num"),
            (t["posts_after"], "num"),
            (t["leads"], "num"),
            (t["reserved"], "num"),
        ]
        rows = []
        for o in sc.organizations:
            oid = o.org_id
            swatch = f'<span class="tag" style="background:{colors[oid]}">{esc(oid)}</span> {esc(o.name or oid)}'
            rows.append(
                [
                    (Markup(swatch), ""),
                    (self.n(staff_before[oid]), "num"),
                    (f"{self.n(staff_after[oid])}  ({t['min']} {o.min_staff})", "num"),
                    (self.n(posts_before[oid]), "num"),
                    (f"{self.n(posts_after[oid])}  ({t['min']} {o.min_leaders})", "num"),
                    (self.n(leads[oid]), "num"),
                    (self.n(reserved[oid]), "num"),
                ]
            )
        return f'<p class="note">{esc(t["independence_note"])}</p>{_table(head, rows)}'

    def departments(self) -> str:
        assert self.plan is not None
        t, nm = self.t, self.names
        head = [
            (t["dept"], ""),
            (t["head"], ""),
            (t["deputies"], ""),
            (t["headcount"], "num"),
            (t["fte"], "num"),
            (t["load"], "num"),
            (t["domains"], ""),
            (t["orgs"], ""),
        ]
        rows = [
            [
                (f"{d.name or d.dept_id} ({d.dept_id})", ""),
                (nm.person(d.head) if d.head else "—", ""),
                ("; ".join(nm.person(s) for s in d.deputies) or "—", ""),
                (self.n(d.headcount), "num"),
                (self.n(d.fte, 2), "num"),
                (self.n(d.workload, 2), "num"),
                (", ".join(d.domains), ""),
                (", ".join(d.orgs), ""),
            ]
            for d in self.plan.departments
        ]
        return _table(head, rows)

    def moves(self) -> str:
        assert self.plan is not None
        t, nm = self.t, self.names
        people = {s.staff_id: s for s in self.sc.staff}
        order = {u.unit_id: i for i, u in enumerate(self.sc.units)}
        placed = sorted(
            self.plan.staff,
            key=lambda a: (order.get(a.unit_id, 0), a.role is Role.EXIT, a.staff_id),
        )
        head = [
            (t["staff_id"], ""),
            (t["name"], ""),
            (t["org"], ""),
            (t["from"], ""),
            (t["to"], ""),
            (t["role"], ""),
        ]
        rows, classes = [], []
        for a in placed:
            s = people.get(a.staff_id)
            before = (
                f"{nm.unit(a.unit_id)} ({t['pos_' + s.position.value]})"
                if s
                else nm.unit(a.unit_id)
            )
            role = self.role(a.role) + (
                f" ({t['retiring']})" if a.role is Role.EXIT and s and s.retiring else ""
            )
            rows.append(
                [
                    (a.staff_id, "code"),
                    (nm.person(a.staff_id), ""),
                    (a.org_id, ""),
                    (before, ""),
                    (nm.dept(a.dept_id) or "—", ""),
                    (role, "role"),
                ]
            )
            classes.append(
                "exit"
                if a.role is Role.EXIT
                else "lead"
                if a.role in (Role.HEAD, Role.DEPUTY)
                else ""
            )
        return _table(head, rows, classes)

    def functions(self) -> str:
        assert self.plan is not None
        t, nm = self.t, self.names
        info = {f.function_id: f for f in self.sc.functions}
        head = [
            (t["function"], ""),
            (t["domain"], ""),
            (t["kind"], ""),
            (t["load"], "num"),
            (t["dept"], ""),
            (t["lead"], ""),
        ]
        rows = []
        for a in self.plan.functions:
            f = info.get(a.function_id)
            rows.append(
                [
                    (f"{f.name} ({a.function_id})" if f and f.name else a.function_id, ""),
                    (f.domain if f else "", ""),
                    (f.kind.value if f else "", ""),
                    (self.n(f.workload if f else None, 2), "num"),
                    (nm.dept(a.dept_id), ""),
                    (nm.org(a.lead_org) if a.lead_org else "—", ""),
                ]
            )
        return _table(head, rows)

    def settings(self) -> str:
        t = self.t
        blocks = []
        for section, values in self.sc.settings.model_dump(mode="json").items():
            rows = [[(key, "code"), (_setting(value), "")] for key, value in values.items()]
            blocks.append(
                f"<div><h3>[{esc(section)}]</h3>{_table([(t['key'], ''), (t['value'], '')], rows)}</div>"
            )
        return f'<div class="grid3">{"".join(blocks)}</div>'

    def solver(self) -> str:
        t, s = self.t, self.summary
        rows = [
            [(t["status"], ""), (t.get(s.status.value, s.status.value), "")],
            [(t["objective"], ""), (self.n(s.objective), "")],
            [(t["bound"], ""), (self.n(s.bound), "")],
            [
                (t["gap"], ""),
                ("—" if s.gap is None else f"{fmt_number(100 * s.gap, self.lang, 2)} %", ""),
            ],
            [(t["runtime"], ""), (self.n(s.runtime_s, 2), "")],
            [(t["mode"], ""), (s.mode, "")],
            [
                (t["solver"], ""),
                (
                    f"{s.solver.name} {s.solver.version} · seed {s.solver.seed} · workers "
                    f"{s.solver.workers} · time_limit {s.solver.time_limit:g} s",
                    "",
                ),
            ],
            [(t["input"], ""), (s.input_sha256 or "—", "hash")],
            [(t["created"], ""), (s.created or "—", "")],
        ]
        weights = self.sc.settings.objective.weights()
        terms = [
            [
                (term, "code"),
                (self.n(s.terms[term]), "num"),
                (self.n(weights.get(term)), "num"),
                (self.n(s.terms[term] * weights[term]) if term in weights else "—", "num"),
            ]
            for term in list(TERMS) + [x for x in s.terms if x not in TERMS]
            if term in s.terms
        ]
        out = _table([(t["key"], ""), (t["value"], "")], rows)
        if terms:
            out += f"<h3>{esc(t['terms'])}</h3>" + _table(
                [
                    (t["term"], ""),
                    (t["value"], "num"),
                    (t["weight"], "num"),
                    (t["weighted"], "num"),
                ],
                terms,
            )
        return out

    def conflicts(self) -> str:
        items = "".join(f"<li><code>{esc(c)}</code></li>" for c in self.summary.conflicts)
        return (
            f'<div class="conflicts"><p>{esc(self.t["conflicts_note"])}</p><ul>{items}</ul></div>'
        )

    # -- the page --------------------------------------------------------------------
    def render(self) -> str:
        t, plan = self.t, self.plan
        sections: list[tuple[str, str, str]] = [("story", t["story"], self.draft() + self.story())]
        if self.summary.conflicts:
            sections.append(("conflicts", t["conflicts"], self.conflicts()))
        if plan is not None:
            sections += [
                ("before-after", t["before_after"], self.before_after()),
                (
                    "structure",
                    t["structure"],
                    _figure(structure_svg(self.sc, plan, self.summary, self.lang)),
                ),
                ("workload", t["workload"], self.workload()),
                ("flow", t["flow"], _figure(flow_svg(self.sc, plan, self.summary, self.lang))),
                ("independence", t["independence"], self.independence()),
                ("departments", t["departments"], self.departments()),
                ("moves", t["moves"], self.moves()),
                ("functions", t["functions"], self.functions()),
            ]
        sections += [
            ("settings", t["settings"], self.settings()),
            ("solver", t["solver"], self.solver()),
        ]
        page_break = ("structure", "moves")  # in print, the big figures and tables start a page
        body = "".join(
            f'<section id="{key}"{PAGE if key in page_break else ""}><h2>{esc(title)}</h2>{content}</section>'
            for key, title, content in sections
        )
        name = self.sc.settings.scenario.name or self.summary.scenario
        return (
            f'<!DOCTYPE html>\n<html lang="{self.lang}"><head><meta charset="utf-8">'
            '<meta http-equiv="Content-Security-Policy" '
            "content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">"
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{esc(t['title'])}: {esc(name)}</title><style>{CSS}</style></head><body>"
            f"{self.header()}<main>{self.nav([(k, title) for k, title, _ in sections])}{body}"
            f"<footer>{esc(t['generated'])} · {esc(self.summary.solver.name)} {esc(self.summary.solver.version)}"
            "</footer></main></body></html>\n"
        )


PAGE = ' class="page"'
BEFORE_AFTER_SHORT = {
    "vi": {"involuntary": "không tự nguyện"},
    "en": {"involuntary": "involuntary"},
}


_VIEWBOX = re.compile(r'viewBox="[-\d.]+ [-\d.]+ ([\d.]+) [\d.]+"')


def _figure(svg: str, scale: float = 1.1) -> str:
    """An SVG in a figure that shrinks with the page but grows at most ``scale`` x its natural width."""
    match = _VIEWBOX.search(svg)
    style = f' style="max-width:{float(match.group(1)) * scale:.0f}px"' if match else ""
    return f"<figure{style}>{svg}</figure>"


def _setting(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value) or "—"
    if isinstance(value, bool):
        return "true" if value else "false"
    return f"{value:,}" if isinstance(value, int) else str(value)


def report_html(scenario: Scenario, plan: Plan | None, summary: Summary, lang: str = "vi") -> str:
    """The whole report as one HTML string (``plan`` may be None: a run without a plan)."""
    return _Report(scenario, plan, summary, lang).render()


def write_html(
    scenario: Scenario,
    plan: Plan | None,
    summary: Summary,
    path: str | os.PathLike[str],
    *,
    lang: str = "vi",
) -> None:
    """Write report.html: self-contained, in Vietnamese (``lang="vi"``) or English (``"en"``)."""
    write_text_atomically(path, report_html(scenario, plan, summary, lang))
