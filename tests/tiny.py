"""Tiny scenarios built in code, for tests with hand-derived optima.

``tiny()`` gives one organisation ``A`` with one unit ``UA``, a head who can
lead and a few members, no allowances, and every objective weight zero except
those a test turns on, so that a test's optimum can be derived by hand.
"""

from __future__ import annotations

from typing import Any

from models import Department, Function, Lock, Organization, Rule, Scenario, Settings, Staff, Unit

ZERO_WEIGHTS = {
    "payroll": 0,
    "involuntary_exits": 0,
    "disruption": 0,
    "fragmentation": 0,
    "imbalance": 0,
    "leadership_churn": 0,
    "lead_preference": 0,
}


def person(
    sid: str, unit: str = "UA", position: str = "staff", salary: int = 1_000_000, **kw: Any
) -> Staff:
    return Staff(
        staff_id=sid, name=f"Người {sid}", unit_id=unit, position=position, salary=salary, **kw
    )


def work(
    fid: str, domain: str = "office", workload: float = 1.0, kind: str = "shared", **kw: Any
) -> Function:
    return Function(
        function_id=fid, name=f"Việc {fid}", domain=domain, kind=kind, workload=workload, **kw
    )


def settings(weights: dict[str, int] | None = None, **sections: dict[str, Any]) -> Settings:
    data: dict[str, Any] = {
        "allowances": {"head": 0, "deputy": 0},
        "departments": {
            "count": 1,
            "min_staff": 1,
            "max_staff": 60,
            "min_deputies": 0,
            "max_deputies": 2,
        },
        "objective": {**ZERO_WEIGHTS, **(weights or {})},
        "solver": {"time_limit": 20, "workers": 2},
    }
    for name, values in sections.items():
        data[name] = {**data.get(name, {}), **values}
    return Settings.model_validate(data)


def tiny(
    staff: list[Staff] | None = None,
    functions: list[Function] | None = None,
    *,
    orgs: list[Organization] | None = None,
    units: list[Unit] | None = None,
    depts: list[Department] | None = None,
    rules: list[Rule] | None = None,
    locks: list[Lock] | None = None,
    weights: dict[str, int] | None = None,
    **sections: dict[str, Any],
) -> Scenario:
    return Scenario(
        settings=settings(weights, **sections),
        organizations=tuple(
            orgs or [Organization(org_id="A", name="Tổ chức A", min_staff=0, min_leaders=0)]
        ),
        units=tuple(units or [Unit(unit_id="UA", org_id="A", name="Ban A")]),
        staff=tuple(
            staff or [person("h", position="head", salary=5_000_000), person("m1"), person("m2")]
        ),
        functions=tuple(functions or [work("f1")]),
        departments=tuple(depts or ()),
        rules=tuple(rules or ()),
        locks=tuple(locks or ()),
    )
