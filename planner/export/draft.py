"""The words every export of a draft plan puts on its first page (SPEC §5, "Draft plans").

A draft is the closest plan found when none meets every rule. Each export says
so before anything else, and lists what it breaks: the rule, where and by how
much, in the rule's own unit.
"""

from __future__ import annotations

from models import DraftViolation, RoadmapSummary, Status, Summary

AnySummary = Summary | RoadmapSummary

RULE_NAMES = {
    "vi": {
        "C3": "khối lượng công việc",
        "C4": "kỹ năng",
        "C5": "quy mô phòng",
        "C6": "lãnh đạo phòng",
        "C7": "tinh giản",
        "C8": "quỹ lương",
        "C9": "tính độc lập của tổ chức",
        "C10": "nhiệm vụ riêng",
        "C11": "nhiệm vụ chủ trì",
        "C12": "quy tắc tách/gộp",
        "C13": "quyết định đã khoá",
        "used": "phòng không có việc",
    },
    "en": {
        "C3": "workload",
        "C4": "skills",
        "C5": "department size",
        "C6": "department leadership",
        "C7": "reduction",
        "C8": "budget",
        "C9": "independence of an organisation",
        "C10": "reserved work",
        "C11": "lead tasks",
        "C12": "apart/together rules",
        "C13": "locked decisions",
        "used": "department without work",
    },
}
UNITS = {
    "vi": {"fte": "phần trăm FTE", "people": "người", "posts": "chức danh", "money": "",
           "functions": "nhiệm vụ", "locks": "khoá"},
    "en": {"fte": "hundredths of an FTE", "people": "people", "posts": "posts", "money": "",
           "functions": "functions", "locks": "locks"},
}  # fmt: skip
RULE_UNIT = {
    "C3": "fte", "C4": "fte", "C10": "fte", "C5": "people", "C7": "people", "C6": "posts",
    "C8": "money", "C11": "functions", "C12": "functions", "C13": "locks", "used": "functions",
}  # fmt: skip
HEADLINE = {
    "vi": "BẢN NHÁP — chưa đáp ứng mọi quy định: vi phạm {n} điều kiện ({rules}).",
    "en": "DRAFT — this plan does not meet every rule: it breaks {n} ({rules}).",
}
WHOLE_PLAN = {"vi": "toàn bộ phương án", "en": "whole plan"}


def is_draft(summary: AnySummary) -> bool:
    return summary.status is Status.DRAFT


def headline(summary: AnySummary, lang: str = "vi") -> str:
    """One sentence: this is a draft, and which rules it breaks."""
    rules = sorted({v.rule for v in summary.violations}, key=_order)
    return HEADLINE["en" if lang == "en" else "vi"].format(
        n=len(summary.violations), rules=", ".join(rules)
    )


def describe(v: DraftViolation, currency: str, lang: str = "vi") -> str:
    """``C5 (department size) · D3 · 4 people``."""
    lang = "en" if lang == "en" else "vi"
    name = RULE_NAMES[lang].get(v.rule, v.rule)
    unit = RULE_UNIT.get(v.rule, "")
    if unit == "money":
        unit_text = currency
    elif v.rule == "C9":  # staff minimum in people, posts otherwise: the amount says which
        unit_text = ""
    else:
        unit_text = UNITS[lang].get(unit, "")
    where = v.where or WHOLE_PLAN[lang]
    amount = f"{v.amount:,}".replace(",", "." if lang == "vi" else ",")
    return f"{v.rule} ({name}) · {where} · {amount} {unit_text}".rstrip()


def _order(rule: str) -> tuple[int, str]:
    return (int(rule[1:]) if rule[1:].isdigit() else 99, rule)
