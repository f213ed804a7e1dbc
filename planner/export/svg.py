"""The recommended structure as hand-written SVG: an org chart and a flow diagram.

Plain string building, no graphviz and no system binaries, so the same code
runs in the CLI, in the app and in a worker. Every piece of text from the data
goes through ``esc`` (XML escaping, quotes included, control characters
dropped); the SVGs use no external fonts, images, styles or links.

``structure_svg`` draws the block agency at the top and one box per department
in rows (at most 8 per row, so 6–40 departments fit an A4 landscape page):
name, head, deputies, headcount, capacity against workload and one coloured
chip per organisation present. ``flow_svg`` draws today's units (left, grouped
by organisation) flowing into the new departments (right), band width =
people moving. Both are sized in millimetres to fit an A4 landscape page and
scale freely when inlined in HTML.

This module is long because it draws three charts (the org chart, the flows and the
workload bars) with one set of text, layout and legend helpers sized for A4; a fourth
chart would be the time to give each chart its own module.
"""

from __future__ import annotations

import html
import math
import os
import re
from dataclasses import dataclass

from models import Plan, Role, Scenario, Summary
from planner.export.charts import (
    EXIT_COLOR,
    Names,
    department_loads,
    fmt_number,
    org_colors,
    shorten,
)
from planner.export.draft import headline, is_draft
from planner.io.durable import write_text_atomically

FONT = "DejaVu Sans, Arial, Helvetica, sans-serif"
CHAR_W = 0.6
"""Average glyph width in em: a safe estimate for DejaVu Sans and Arial (no font metrics here)."""

A4_LANDSCAPE_MM = (277.0, 190.0)  # 297 x 210 mm less 10 mm margins
MAX_MM_PER_PX = 0.35  # do not blow a small chart up beyond ~1.3x its natural size

TEXT: dict[str, dict[str, str]] = {
    "vi": {
        "agency": "CƠ QUAN KHỐI",
        "head": "Trưởng",
        "deputy": "Phó",
        "none": "(chưa có)",
        "people": "người",
        "depts": "phòng ban",
        "posts": "trưởng, phó",
        "capacity": "năng lực",
        "workload": "khối lượng",
        "bar_legend": "Thanh: năng lực (FTE); vạch đen: khối lượng công việc",
        "orgs": "Tổ chức",
        "today": "Hiện nay: đơn vị",
        "plan": "Phương án: phòng ban",
        "exit": "Nghỉ / ra khỏi biên chế",
        "more": "khác",
    },
    "en": {
        "agency": "BLOCK AGENCY",
        "head": "Head",
        "deputy": "Deputy",
        "none": "(none)",
        "people": "staff",
        "depts": "departments",
        "posts": "heads and deputies",
        "capacity": "capacity",
        "workload": "workload",
        "bar_legend": "Bar: capacity (FTE); black tick: workload",
        "orgs": "Organisations",
        "today": "Today: units",
        "plan": "Plan: departments",
        "exit": "Exit",
        "more": "more",
    },
}

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def esc(value: object) -> str:
    """XML/HTML-escape ``value`` (quotes too) and drop characters XML 1.0 forbids."""
    return html.escape(_CONTROL.sub("", str(value)), quote=True)


def _t(lang: str) -> dict[str, str]:
    return TEXT.get(lang, TEXT["vi"])


def _fits(text: str, width_px: float, size: float) -> str:
    """``text`` cut to what fits ``width_px`` at font ``size`` (estimated)."""
    return shorten(text, max(4, int(width_px / (size * CHAR_W))))


def _wrap(text: str, width_px: float, size: float, lines: int) -> list[str]:
    """Greedy word wrap into at most ``lines`` lines; the last one is cut with an ellipsis."""
    limit = max(4, int(width_px / (size * CHAR_W)))
    out: list[str] = []
    current = ""
    words = text.split()
    for i, word in enumerate(words):
        candidate = f"{current} {word}".strip()
        if len(candidate) <= limit:
            current = candidate
            continue
        if current:
            out.append(current)
        current = word
        if len(out) == lines - 1:
            current = " ".join(words[i:])
            break
    if current:
        out.append(current)
    out = out[:lines] or [""]
    out[-1] = shorten(out[-1], limit)
    return [shorten(line, limit) for line in out]


def _text(
    x: float,
    y: float,
    body: str,
    size: float = 12,
    *,
    weight: str = "normal",
    anchor: str = "start",
    fill: str = "#222",
    title: str | None = None,
) -> str:
    """One ``<text>``; ``body`` is raw data (escaped here); ``title`` adds a hover tooltip."""
    tip = f"<title>{esc(title)}</title>" if title and title != body else ""
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" font-weight="{weight}" '
        f'text-anchor="{anchor}" fill="{fill}">{tip}{esc(body)}</text>'
    )


def _svg(width: float, height: float, body: list[str], label: str) -> str:
    """The root element, sized in millimetres to fit A4 landscape, drawn in px units."""
    mm = min(A4_LANDSCAPE_MM[0] / width, A4_LANDSCAPE_MM[1] / height, MAX_MM_PER_PX)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" version="1.1" role="img" aria-label="{esc(label)}" '
        f'width="{width * mm:.1f}mm" height="{height * mm:.1f}mm" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'font-family="{FONT}">'
        f'<rect width="100%" height="100%" fill="#ffffff"/>' + "".join(body) + "</svg>"
    )


def _chip(x: float, y: float, text: str, color: str, size: float = 10) -> tuple[str, float]:
    """A small rounded label; returns the SVG and its width."""
    w = len(text) * size * CHAR_W + 10
    return (
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{size + 6}" rx="{(size + 6) / 2:.1f}" fill="{color}"/>'
        + _text(
            x + w / 2, y + size + 1.5, text, size, anchor="middle", fill="#ffffff", weight="bold"
        ),
        w,
    )


def _legend(
    x: float,
    y: float,
    width: float,
    scenario: Scenario,
    lang: str,
    extra: list[tuple[str, str]] | None = None,
) -> tuple[list[str], float]:
    """Colour legend of the organisations (and ``extra`` (label, colour) items), wrapped to ``width``."""
    colors = org_colors(scenario)
    items = [
        (f"{o.org_id} — {o.name or o.org_id}", colors[o.org_id]) for o in scenario.organizations
    ]
    items += extra or []
    out = [_text(x, y + 11, _t(lang)["orgs"] + ":", 11, weight="bold")]
    cx, cy = x + 11 * CHAR_W * (len(_t(lang)["orgs"]) + 2) + 4, y
    for label, color in items:
        # whole names (an organisation's name is what the reader looks for); only a name
        # wider than a whole line is cut, and then its full text is the hover title
        label = _fits(label, width - 120 - 30, 11)
        w = 16 + len(label) * 11 * CHAR_W + 14
        if cx + w > x + width and cx > x + 120:
            cx, cy = x + 120, cy + 18
        out.append(
            f'<rect x="{cx:.1f}" y="{cy + 1:.1f}" width="12" height="12" rx="3" fill="{color}"/>'
        )
        out.append(_text(cx + 16, cy + 11, label, 11))
        cx += w
    return out, cy + 18 - y


# -- org chart --------------------------------------------------------------------

BOX_W, GAP_X, GAP_Y, MARGIN = 212.0, 20.0, 46.0, 16.0
TOP_W, TOP_H = 480.0, 74.0
MAX_COLUMNS = 8


@dataclass(frozen=True)
class _Box:
    """The text content of one department box, measured before drawing."""

    dept_id: str
    name: list[str]
    full_name: str
    head: str
    head_org: str | None
    deputies: list[tuple[str, str | None]]
    more_deputies: int
    headcount: int
    fte: float
    workload: float
    chips: list[tuple[str, str]]  # (text, colour)


def _boxes(scenario: Scenario, plan: Plan) -> list[_Box]:
    names = Names.of(scenario, plan)
    colors = org_colors(scenario)
    loads = {d.dept_id: d for d in department_loads(scenario, plan)}
    out = []
    for d in plan.departments:
        deputies = [(names.person(s), scenario.staff_org.get(s)) for s in d.deputies]
        shown = deputies if len(deputies) <= 3 else deputies[:2]
        full = d.name or d.dept_id
        out.append(
            _Box(
                dept_id=d.dept_id,
                name=_wrap(full, BOX_W - 16, 13, 3),
                full_name=full,
                head=names.person(d.head) if d.head else "",
                head_org=scenario.staff_org.get(d.head) if d.head else None,
                deputies=shown,
                more_deputies=len(deputies) - len(shown),
                headcount=d.headcount,
                fte=d.fte,
                workload=d.workload,
                chips=[
                    (f"{org} {n}", colors.get(org, EXIT_COLOR))
                    for org, n in loads[d.dept_id].staff_by_org.items()
                ],
            )
        )
    return out


def _name_lines(boxes: list[_Box]) -> int:
    return max((len(b.name) for b in boxes), default=1)


def _header_height(boxes: list[_Box]) -> float:
    return 10 + _name_lines(boxes) * 16


def _box_height(boxes: list[_Box]) -> float:
    """One height for every box (rows line up): the tallest content decides."""
    people = max((1 + len(b.deputies) + (1 if b.more_deputies else 0) for b in boxes), default=1)
    chips = max((_chip_rows(b.chips, BOX_W - 16) for b in boxes), default=1)
    return _header_height(boxes) + 14 + people * 15 + 6 + 7 + 17 + chips * 20 + 2


def _grid(n: int, box_h: float) -> tuple[int, int]:
    """(rows, columns) that print largest on A4 landscape, at most 8 columns.

    Few departments would fit in one row, but two rows of three print at
    twice the size of one row of six: the columns that maximise the scale win
    (ties: fewer rows), then the rows are filled as evenly as possible.
    """
    best: tuple[float, int, int] | None = None
    for cols in range(1, min(max(n, 1), MAX_COLUMNS) + 1):
        rows = math.ceil(n / cols) if n else 1
        width = max(2 * MARGIN + cols * BOX_W + (cols - 1) * GAP_X, TOP_W + 2 * MARGIN, 640.0)
        height = MARGIN + TOP_H + rows * (box_h + GAP_Y) + 70
        scale = round(
            min(A4_LANDSCAPE_MM[0] / width, A4_LANDSCAPE_MM[1] / height, MAX_MM_PER_PX), 3
        )
        if best is None or (scale, -rows) > (best[0], -best[1]):
            best = (scale, rows, cols)
    assert best is not None
    rows = best[1]
    return rows, max(1, math.ceil(n / rows))


def _chip_rows(chips: list[tuple[str, str]], width: float) -> int:
    rows, x = 1, 0.0
    for text, _ in chips:
        w = len(text) * 10 * CHAR_W + 10 + 4
        if x + w > width and x > 0:
            rows, x = rows + 1, 0.0
        x += w
    return rows


def _draw_box(
    b: _Box,
    x: float,
    y: float,
    h: float,
    header_h: float,
    chip_rows: int,
    colors: dict[str, str],
    lang: str,
) -> list[str]:
    """One department: name in the header band, then people, figures, the capacity bar and the chips."""
    t = _t(lang)
    inner = BOX_W - 16
    out = [
        f"<g><title>{esc(b.full_name)} ({esc(b.dept_id)})</title>",
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{BOX_W}" height="{h:.1f}" rx="6" fill="#ffffff" stroke="#5b6b7b" stroke-width="1.2"/>',
        f'<path d="M{x:.1f},{y + 6:.1f} a6,6 0 0 1 6,-6 h{BOX_W - 12} a6,6 0 0 1 6,6 v{header_h - 6:.1f} h-{BOX_W} z" fill="#e3ebf3"/>',
        f'<path d="M{x:.1f},{y + header_h:.1f} h{BOX_W}" stroke="#c5d2de" stroke-width="1"/>',
        "</g>",
    ]
    first = y + header_h / 2 - (len(b.name) - 1) * 8 + 4.5  # the name block centred in the band
    for i, line in enumerate(b.name):
        out.append(
            _text(
                x + BOX_W / 2,
                first + i * 16,
                line,
                13,
                weight="bold",
                anchor="middle",
                fill="#1c2b39",
            )
        )
    cy = y + header_h + 18
    people = [(t["head"], b.head or t["none"], b.head_org, "bold")]
    people += [(t["deputy"], name, org, "normal") for name, org in b.deputies]
    if b.more_deputies:
        people.append((t["deputy"], f"+{b.more_deputies} {t['more']}", None, "normal"))
    name_x = x + 20 + (max(len(t["head"]), len(t["deputy"])) + 2) * 11 * CHAR_W
    for role, name, org, weight in people:
        out.append(
            f'<circle cx="{x + 12:.1f}" cy="{cy - 4:.1f}" r="4" fill="{colors.get(org or "", "#cfd6dd")}"/>'
        )
        out.append(_text(x + 20, cy, f"{role}:", 11, fill="#5b6b7b"))
        out.append(
            _text(
                name_x, cy, _fits(name, x + BOX_W - 8 - name_x, 11), 11, weight=weight, title=name
            )
        )
        cy += 15
    cy = y + h - 26 - chip_rows * 20  # figures, bar and chips line up at the bottom of every box
    figures = (
        f"{b.headcount} {t['people']} · {fmt_number(b.fte, lang, 2)} / "
        f"{fmt_number(b.workload, lang, 2)} FTE"
    )
    out.append(
        _text(
            x + 8,
            cy,
            _fits(figures, inner, 11),
            11,
            fill="#333",
            title=f"{t['capacity']} {b.fte:.2f} FTE, {t['workload']} {b.workload:.2f} FTE",
        )
    )
    cy += 7
    scale = max(b.fte, b.workload, 0.01)
    short = b.fte + 1e-9 < b.workload
    out.append(
        f'<rect x="{x + 8:.1f}" y="{cy:.1f}" width="{inner:.1f}" height="7" rx="2" fill="#edf0f3"/>'
    )
    out.append(
        f'<rect x="{x + 8:.1f}" y="{cy:.1f}" width="{inner * b.fte / scale:.1f}" height="7" rx="2" '
        f'fill="{"#e15759" if short else "#4e79a7"}"/>'
    )
    out.append(
        f'<rect x="{x + 8 + inner * b.workload / scale - 1:.1f}" y="{cy - 2:.1f}" width="2" height="11" fill="#111"/>'
    )
    cy += 7 + 10
    cx = x + 8
    for text, color in b.chips:
        w = len(text) * 10 * CHAR_W + 10
        if cx + w > x + BOX_W - 8 and cx > x + 8:
            cx, cy = x + 8, cy + 20
        chip, w = _chip(cx, cy, text, color)
        out.append(chip)
        cx += w + 4
    return out


def structure_svg(scenario: Scenario, plan: Plan, summary: Summary, lang: str = "vi") -> str:
    """The recommended structure as an org chart (one ``<svg>`` element as a string).

    The block agency on top, the departments in rows below it, a colour
    legend of the organisations at the bottom.
    """
    t = _t(lang)
    colors = org_colors(scenario)
    boxes = _boxes(scenario, plan)
    box_h = _box_height(boxes)
    header_h = _header_height(boxes)
    chip_rows = max((_chip_rows(b.chips, BOX_W - 16) for b in boxes), default=1)
    rows, cols = _grid(len(boxes), box_h)
    width = max(2 * MARGIN + cols * BOX_W + (cols - 1) * GAP_X, TOP_W + 2 * MARGIN, 640.0)
    x0 = (width - (cols * BOX_W + (cols - 1) * GAP_X)) / 2
    mid = width / 2
    body: list[str] = []

    # the block agency: as wide as its name needs (up to the drawing), the name smaller
    # before it is ever cut; a draft's warning above it
    k = summary.kpis
    name = scenario.settings.scenario.name or summary.scenario
    top_w = min(width - 2 * MARGIN, max(TOP_W, len(name) * 17 * CHAR_W + 24))
    name_size = max(12.0, min(17.0, (top_w - 24) / max(1, len(name) * CHAR_W)))
    top_x, top_y = mid - top_w / 2, MARGIN + (24.0 if is_draft(summary) else 0.0)
    line3 = (
        f"{len(boxes)} {t['depts']} · {k.headcount_after or sum(b.headcount for b in boxes)} {t['people']}"
        f" · {k.posts_after} {t['posts']}"
    )
    body += [
        f'<rect x="{top_x:.1f}" y="{top_y:.1f}" width="{top_w:.1f}" height="{TOP_H}" rx="8" fill="#1c3d5a"/>',
        _text(mid, top_y + 20, t["agency"], 11, weight="bold", anchor="middle", fill="#c9d8e6"),
        _text(
            mid,
            top_y + 42,
            _fits(name, top_w - 24, name_size),
            round(name_size, 1),
            weight="bold",
            anchor="middle",
            fill="#ffffff",
            title=name,
        ),
        _text(mid, top_y + 62, line3, 11, anchor="middle", fill="#dfe8f0"),
    ]
    if is_draft(summary):  # SPEC §5: a draft says so first, and what it breaks
        warning = headline(summary, lang)
        body.append(
            _text(
                mid,
                top_y - 10,
                _fits(warning, width - 16, 12),
                12,
                weight="bold",
                anchor="middle",
                fill="#b3261e",
                title=warning,
            )  # fmt: skip
        )

    # connectors: top box -> bus of row 0; a trunk in a column gap down to the last bus
    row_y = [top_y + TOP_H + GAP_Y + r * (box_h + GAP_Y) for r in range(rows)]
    centers: list[list[float]] = []
    for r in range(rows):
        n = min(cols, len(boxes) - r * cols)
        rx0 = x0 + (cols - n) * (BOX_W + GAP_X) / 2
        centers.append([rx0 + i * (BOX_W + GAP_X) + BOX_W / 2 for i in range(n)])
    trunk_x = x0 + (cols // 2) * (BOX_W + GAP_X) - GAP_X / 2 if cols > 1 else mid
    line = 'stroke="#8a96a3" stroke-width="1.6" fill="none"'
    if boxes:
        bus = [y - GAP_Y / 2 for y in row_y]
        body.append(f'<path d="M{mid:.1f},{top_y + TOP_H:.1f} V{bus[0]:.1f}" {line}/>')
        if rows > 1:
            body.append(f'<path d="M{trunk_x:.1f},{bus[0]:.1f} V{bus[-1]:.1f}" {line}/>')
        for r, cs in enumerate(centers):
            xs = cs + [mid if r == 0 else trunk_x]
            body.append(f'<path d="M{min(xs):.1f},{bus[r]:.1f} H{max(xs):.1f}" {line}/>')
            body += [f'<path d="M{c:.1f},{bus[r]:.1f} V{row_y[r]:.1f}" {line}/>' for c in cs]

    for i, b in enumerate(boxes):
        r, c = divmod(i, cols)
        body += _draw_box(
            b, centers[r][c] - BOX_W / 2, row_y[r], box_h, header_h, chip_rows, colors, lang
        )

    y = (row_y[-1] + box_h if boxes else top_y + TOP_H) + 22
    legend, lh = _legend(MARGIN, y, width - 2 * MARGIN, scenario, lang)
    body += legend
    body.append(_text(MARGIN, y + lh + 12, t["bar_legend"], 10, fill="#5b6b7b"))
    height = y + lh + 12 + MARGIN
    return _svg(width, height, body, f"{t['agency']} {name}")


# -- flow -------------------------------------------------------------------------

LABEL_W, NODE_W, BAND_W = 270.0, 12.0, 360.0
NODE_GAP, ORG_GAP = 10.0, 22.0
EXIT = "__exit__"  # the right-hand node of everyone who leaves


@dataclass(frozen=True)
class _Flows:
    """People per (unit, department or EXIT), and the node totals on both sides."""

    units: dict[str, int]
    targets: dict[str, int]  # in drawing order: the plan's departments, then EXIT
    moves: dict[tuple[str, str], int]


def _flows(scenario: Scenario, plan: Plan) -> _Flows:
    units = {u.unit_id: 0 for u in scenario.units}
    for s in scenario.staff:
        units[s.unit_id] += 1
    targets = {d.dept_id: 0 for d in plan.departments}
    moves: dict[tuple[str, str], int] = {}
    for a in plan.staff:
        target = EXIT if a.role is Role.EXIT or a.dept_id is None else a.dept_id
        moves[(a.unit_id, target)] = moves.get((a.unit_id, target), 0) + 1
    for (_, target), n in sorted(moves.items(), key=lambda kv: kv[0][1] == EXIT):
        targets[target] = targets.get(target, 0) + n
    return _Flows(units, targets, moves)


def _band(
    x0: float, x1: float, ys: float, yt: float, w: float, color: str, opacity: float, tip: str
) -> str:
    """A band of width ``w`` from (x0, ys) to (x1, yt): two cubic curves and the two ends."""
    xm = (x0 + x1) / 2
    return (
        f'<path d="M{x0:.1f},{ys:.2f} C{xm:.1f},{ys:.2f} {xm:.1f},{yt:.2f} {x1:.1f},{yt:.2f} '
        f'V{yt + w:.2f} C{xm:.1f},{yt + w:.2f} {xm:.1f},{ys + w:.2f} {x0:.1f},{ys + w:.2f} Z" '
        f'fill="{color}" fill-opacity="{opacity}"><title>{esc(tip)}</title></path>'
    )


def flow_svg(
    scenario: Scenario, plan: Plan, summary: Summary | None = None, lang: str = "vi"
) -> str:
    """Who goes where: today's units (left, grouped by organisation) to the departments (right).

    Band width = number of people moving from a unit to a department; exits
    flow into a grey node at the bottom right. Nodes are proportional to
    headcount; the scale adapts so a few dozen or several thousand people fit.
    Bands leave each unit in department order and enter each department in
    unit order, so they do not cross at the nodes.
    """
    t = _t(lang)
    names = Names.of(scenario, plan)
    colors = org_colors(scenario)
    f = _flows(scenario, plan)
    groups = [
        (o, [u for u in scenario.units if u.org_id == o.org_id]) for o in scenario.organizations
    ]
    groups = [(o, us) for o, us in groups if us]
    n_units = sum(len(us) for _, us in groups)
    left_gaps = (n_units - len(groups)) * NODE_GAP + len(groups) * ORG_GAP
    right_gaps = (len(f.targets) - 1) * NODE_GAP
    scale = min(
        14.0, max(420.0, 720.0 - max(left_gaps, right_gaps)) / max(1, sum(f.units.values()))
    )

    def h(n: int) -> float:
        return max(n * scale, 2.0)

    def target_name(d: str) -> str:
        return t["exit"] if d == EXIT else names.dept(d)

    top, lx = MARGIN + 40, MARGIN + LABEL_W
    rx = lx + NODE_W + BAND_W
    body = [
        _text(lx + NODE_W, MARGIN + 14, t["today"], 13, weight="bold", anchor="end"),
        _text(rx, MARGIN + 14, t["plan"], 13, weight="bold"),
    ]
    left: dict[str, float] = {}  # unit -> top of its node
    y = top
    for o, units in groups:
        y += ORG_GAP
        header = _fits(f"{o.name or o.org_id} ({o.org_id})", LABEL_W + NODE_W, 11)
        body.append(
            _text(
                lx + NODE_W,
                y - 6,
                header,
                11,
                weight="bold",
                anchor="end",
                fill=colors[o.org_id],
                title=o.name,
            )
        )
        for u in units:
            n = f.units[u.unit_id]
            left[u.unit_id] = y
            body.append(
                f'<rect x="{lx:.1f}" y="{y:.1f}" width="{NODE_W}" height="{h(n):.1f}" fill="{colors[o.org_id]}"/>'
            )
            label = f"{_fits(names.unit(u.unit_id), LABEL_W - 40, 11)} · {n}"
            body.append(
                _text(
                    lx - 6, y + h(n) / 2 + 4, label, 11, anchor="end", title=names.unit(u.unit_id)
                )
            )
            y += h(n) + NODE_GAP
    left_bottom = y - NODE_GAP

    # departments spread over the height of the units (gaps up to 3x), the rest centred
    room = left_bottom - top - ORG_GAP - sum(h(n) for n in f.targets.values())
    many = len(f.targets) > 1 and room > right_gaps
    gap = min(3 * NODE_GAP, room / (len(f.targets) - 1)) if many else NODE_GAP
    y = top + ORG_GAP + max(0.0, (room - gap * (len(f.targets) - 1)) / 2)
    right: dict[str, float] = {}  # department -> top of its node
    for d, n in f.targets.items():
        right[d] = y
        body.append(
            f'<rect x="{rx:.1f}" y="{y:.1f}" width="{NODE_W}" height="{h(n):.1f}" fill="#cfd6dd"/>'
        )
        label = f"{_fits(target_name(d), LABEL_W - 40, 11)} · {n}"
        weight = "normal" if d == EXIT else "bold"
        body.append(
            _text(rx + NODE_W + 6, y + h(n) / 2 + 4, label, 11, weight=weight, title=target_name(d))
        )
        y += h(n) + gap
    bottom = max(left_bottom, y - gap)

    order_t = {d: i for i, d in enumerate(f.targets)}
    order_u = {u: i for i, u in enumerate(left)}
    moves = sorted(
        (k for k in f.moves if k[0] in left), key=lambda k: (order_u[k[0]], order_t[k[1]])
    )
    start: dict[tuple[str, str], float] = {}
    out_y = dict(left)
    for unit_id, dept_id in moves:
        start[(unit_id, dept_id)] = out_y[unit_id]
        out_y[unit_id] += f.moves[(unit_id, dept_id)] * scale
    in_y = dict(right)
    for unit_id, dept_id in sorted(moves, key=lambda k: (order_t[k[1]], order_u[k[0]])):
        n = f.moves[(unit_id, dept_id)]
        color = colors.get(scenario.unit_org.get(unit_id, ""), EXIT_COLOR)
        tip = f"{names.unit(unit_id)} → {target_name(dept_id)}: {n}"
        opacity = 0.25 if dept_id == EXIT else 0.5
        body.append(
            _band(
                lx + NODE_W,
                rx,
                start[(unit_id, dept_id)],
                in_y[dept_id],
                n * scale,
                color,
                opacity,
                tip,
            )
        )
        fill = (
            EXIT_COLOR if dept_id == EXIT else color
        )  # the department node shows where its people come from
        body.append(
            f'<rect x="{rx:.1f}" y="{in_y[dept_id]:.2f}" width="{NODE_W}" height="{max(n * scale, 0.5):.2f}" fill="{fill}"/>'
        )
        in_y[dept_id] += n * scale
    width = 2 * MARGIN + 2 * LABEL_W + 2 * NODE_W + BAND_W
    extra = [(t["exit"], EXIT_COLOR)] if EXIT in f.targets else []
    legend, lh = _legend(MARGIN, bottom + 20, width - 2 * MARGIN, scenario, lang, extra)
    body += legend
    return _svg(width, bottom + 20 + lh + MARGIN, body, f"{t['today']} → {t['plan']}")


# -- workload chart ------------------------------------------------------------------

BAR_COLORS = ("#4e79a7", "#f28e2b")  # capacity, workload: as the app's Altair chart


def _nice_step(top: float, ticks: int = 6) -> float:
    """A round tick step (1, 2 or 5 × 10^k) giving about ``ticks`` ticks up to ``top``."""
    raw = max(top, 1e-9) / ticks
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


def workload_svg(scenario: Scenario, plan: Plan, lang: str = "vi") -> str:
    """Capacity (retained FTE) against workload, a pair of bars per department (C3).

    The same chart as :func:`planner.export.charts.workload_chart` (the app's,
    drawn by Altair), written here as plain SVG for the report: the same
    department order, labels, colours and words, values to two decimals, a
    hover title per bar. Drawing it directly takes about a millisecond where
    rendering the Altair chart through vl-convert took about a quarter of a
    second, which is most of a commune's plan folder.
    """
    from planner.export.charts import CHART_TEXT, text_lang

    t = CHART_TEXT[text_lang(lang)]
    loads = department_loads(scenario, plan)
    size = 12
    bar = 12.0 if len(loads) > 20 else 16.0
    labels = []
    for d in loads:
        label = f"{d.name} ({d.dept_id})" if d.name != d.dept_id else d.name
        labels.append(shorten(label, 42))
    label_w = min(300.0, max((len(x) for x in labels), default=4) * size * CHAR_W) + 10
    plot_w, margin, legend_h = 520.0, 10.0, 30.0
    top = max([max(d.fte, d.workload) for d in loads] + [1.0])
    step = _nice_step(top)
    ticks = [i * step for i in range(int(math.ceil(top / step - 1e-9)) + 1)]
    scale = plot_w / ticks[-1]
    digits = 0 if float(step).is_integer() else max(0, -math.floor(math.log10(step)))
    x0, y0 = margin + label_w, margin + legend_h
    plot_h = len(loads) * 2 * bar + 4
    width = x0 + plot_w + 60  # room for the last value label
    height = y0 + plot_h + 44
    body: list[str] = []
    lx = x0
    for text, color in zip((t["capacity"], t["workload"]), BAR_COLORS, strict=True):
        body.append(
            f'<rect x="{lx:.1f}" y="{margin + 4:.1f}" width="12" height="12" fill="{color}"/>'
        )
        body.append(_text(lx + 16, margin + 14, text, size))
        lx += 16 + len(text) * size * CHAR_W + 24
    for v in ticks:
        x = x0 + v * scale
        body.append(
            f'<line x1="{x:.1f}" y1="{y0:.1f}" x2="{x:.1f}" y2="{y0 + plot_h:.1f}" '
            f'stroke="#e0e0e0" stroke-width="1"/>'
        )
        body.append(_text(x, y0 + plot_h + 16, fmt_number(v, lang, digits), 11, anchor="middle"))
    body.append(
        f'<line x1="{x0:.1f}" y1="{y0 + plot_h:.1f}" x2="{x0 + plot_w:.1f}" '
        f'y2="{y0 + plot_h:.1f}" stroke="#888" stroke-width="1"/>'
    )
    body.append(
        _text(x0 + plot_w / 2, y0 + plot_h + 36, t["value"], size, weight="bold", anchor="middle")
    )
    for i, (d, label) in enumerate(zip(loads, labels, strict=True)):
        y = y0 + 2 + i * 2 * bar
        body.append(_text(x0 - 6, y + bar + size / 2 - 1, label, size, anchor="end", title=d.name))
        for j, (name, value, color) in enumerate(
            ((t["capacity"], d.fte, BAR_COLORS[0]), (t["workload"], d.workload, BAR_COLORS[1]))
        ):
            value = round(value, 2)
            by = y + j * bar + 1
            w = max(0.0, value * scale)
            tip = f"{label} — {name}: {fmt_number(value, lang, 2)}"
            body.append(
                f'<rect x="{x0:.1f}" y="{by:.1f}" width="{w:.1f}" height="{bar - 2:.1f}" '
                f'fill="{color}"><title>{esc(tip)}</title></rect>'
            )
            body.append(
                _text(x0 + w + 3, by + bar / 2 + 2.5, fmt_number(value, lang, 2), 11, fill="#333")
            )
    return _svg(width, height, body, f"{t['capacity']} / {t['workload']}")


def write_svg(
    scenario: Scenario,
    plan: Plan,
    summary: Summary,
    path: str | os.PathLike[str],
    *,
    lang: str = "vi",
) -> None:
    """Write structure.svg (SPEC §5): the org chart of ``structure_svg`` as a standalone file."""
    svg = structure_svg(scenario, plan, summary, lang)
    write_text_atomically(path, '<?xml version="1.0" encoding="UTF-8"?>\n' + svg + "\n")
