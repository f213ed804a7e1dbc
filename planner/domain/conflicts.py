"""Plain-language sentences for the conflict names of an infeasible scenario."""

from __future__ import annotations

from models import Scenario

_SETTING_TEXT = {
    "targets.min_reduction": "at least {v:.1%} of today's staff must leave",
    "targets.max_leadership_posts": "at most {v} head and deputy posts in all",
    "targets.max_payroll": "the monthly payroll after the merger may not exceed {v:,.0f}",
    "targets.min_income_raise": "savings must fund a raise of {v:,.0f} per person who stays",
    "targets.workload_slack": "every department needs {v:.0%} more capacity than its workload",
    "targets.max_overstaff": "no department may have more than {v:.0%} spare capacity (+1 FTE)",
    "targets.max_leader_share": "no organisation may hold more than {v:.0%} of the posts",
    "targets.min_lead_tasks": "every organisation named as a lead candidate must lead at least {v} task groups",
    "departments.min_staff": "every department needs at least {v} staff",
    "departments.max_staff": "no department may have more than {v} staff",
    "departments.min_deputies": "every department needs at least {v} deputies",
    "departments.max_deputies": "no department may have more than {v} deputies",
    "departments.max_deputy_share": "deputies may be at most {v:.0%} of a department's staff",
}
_DATA_TEXT = {
    "departments.count": "every target department needs a head who can lead and some work",
    "functions.workload": "every department's staff must cover its workload",
    "functions.skill": "the staff holding each required skill must cover the work that needs it",
    "functions.kind": "each organisation's reserved work needs that organisation's own staff in the same department",
    "functions.lead_candidates": "the lead of each divided task must have staff in the task's department",
    "staff.protected": "protected staff may not leave",
}


def describe(name: str, scenario: Scenario) -> str:
    """One sentence explaining what the named setting demands, with its current value."""
    st = scenario.settings
    if name in _SETTING_TEXT:
        section, key = name.split(".")
        value = getattr(getattr(st, section), key)
        return f"{name} = {value}: " + _SETTING_TEXT[name].format(v=value)
    if name in _DATA_TEXT:
        return f"{name}: {_DATA_TEXT[name]}"
    if name.startswith("organizations:"):
        org_id, key = name.removeprefix("organizations:").rsplit(".", 1)
        org = next((o for o in scenario.organizations if o.org_id == org_id), None)
        value = getattr(org, key, "?")
        what = "staff kept" if key == "min_staff" else "head or deputy posts"
        return f"{name} = {value}: organisation {org_id} keeps at least {value} {what}"
    if name.startswith("departments:"):
        dept_id, key = name.removeprefix("departments:").rsplit(".", 1)
        dept = next((d for d in scenario.departments if d.dept_id == dept_id), None)
        return f"{name} = {getattr(dept, key, '?')}: the limit set for department {dept_id} in departments.csv"
    if name.startswith("rules:"):
        return f"{name}: the rule on that row of rules.csv"
    if name.startswith("locks:"):
        return f"{name}: the decision fixed on that row of locks.csv"
    return name


def after_name(name: str, sentence: str) -> str:
    """What to print after a conflict's name so that the name appears once: the rest of a
    sentence that starts with it (``functions.skill: …``, ``targets.x = 0.25: …``), else
    `` — `` and the sentence."""
    return sentence[len(name) :] if sentence.startswith(name) else f" — {sentence}"
