"""Placement of work: every department used, divided work (C11), rules (C12)."""

from __future__ import annotations

from ortools.sat.python import cp_model

from models import FunctionKind, RuleKind
from planner.cpsat.guards import Guards, row
from planner.cpsat.variables import Variables


def add_used(model: cp_model.CpModel, var: Variables, guards: Guards) -> None:
    """§3: every target department hosts at least one function: ``Σ_f y[f,d] ≥ 1``.

    (Its ``min_staff`` is C5.) Named ``departments.count``: fewer departments relax it.
    """
    sc = var.scenario
    for d in range(len(sc.departments)):
        ys = [var.y[f, d] for f in range(len(sc.functions)) if (f, d) in var.y]
        guards.add(model.add_bool_or(ys), "departments.count")  # an empty clause is false


def add_leads(
    model: cp_model.CpModel, var: Variables, guards: Guards, *, quotas: bool = True
) -> None:
    """C11: the lead of a divided function is present in its department; lead quotas.

    - ``Σ_{o ∈ lead_candidates_f} z[f,o] = 1`` (by construction, ``variables.py``);
    - ``z[f,o] ∧ y[f,d] ⇒ present[o,d]`` and ``present[o,d] ⇒ Σ_{c ∈ o} a[c,d] ≥ 1``;
    - ``Σ_f z[f,o] ≥ min_lead_tasks`` for every o named in some lead_candidates
      (``quotas``: a roadmap adds them with its first period only, z being shared).
    """
    sc = var.scenario
    present: dict[tuple[str, int], cp_model.IntVar] = {}
    for f, fn in enumerate(sc.functions):
        if fn.kind is not FunctionKind.DIVIDED:
            continue
        for o in fn.lead_candidates:
            for d in range(len(sc.departments)):
                if (f, d) not in var.y:
                    continue
                if (o, d) not in present:
                    lit = model.new_bool_var(f"present[{o},{d}]")
                    mine = [c for c in var.classes if c.org_id == o]
                    staff = var.count(d, mine)
                    if mine:
                        model.add(staff >= 1).only_enforce_if(lit)
                    else:
                        model.add(lit == 0)
                    present[o, d] = lit
                guards.add(
                    model.add_bool_or([var.z[f, o].Not(), var.y[f, d].Not(), present[o, d]]),
                    "functions.lead_candidates",
                )
    quota = sc.settings.targets.min_lead_tasks
    if quota and quotas:
        for o in sc.lead_organizations:
            zs = [var.z[f, oo] for (f, oo) in var.z if oo == o]
            guards.add(model.add(sum(zs) >= quota), "targets.min_lead_tasks")


def host_literals(
    model: cp_model.CpModel, var: Variables, functions: list[int], label: str
) -> list[cp_model.IntVar]:
    """``host[d] = OR_{f ∈ functions} y[f,d]``, exactly, for every department d."""
    return [
        host_literal(
            model, [var.y[f, d] for f in functions if (f, d) in var.y], f"host[{label},{d}]"
        )
        for d in range(len(var.scenario.departments))
    ]


def host_literal(
    model: cp_model.CpModel, ys: list[cp_model.IntVar], name: str = ""
) -> cp_model.IntVar:
    """A literal equal to ``OR(ys)`` (0 when ``ys`` is empty)."""
    lit = model.new_bool_var(name)
    if ys:
        for y in ys:
            model.add_implication(y, lit)
        model.add_bool_or(ys).only_enforce_if(lit)
    else:
        model.add(lit == 0)
    return lit


def add_rules(model: cp_model.CpModel, var: Variables, guards: Guards) -> None:
    """C12: ``apart a b``: ``host_a[d] + host_b[d] ≤ 1`` for every d;
    ``together a b``: ``y[f,d] = y[g,d]`` for all f, g in a ∪ b and every d.
    Named ``rules:row N``.
    """
    sc = var.scenario
    fid = {fn.function_id: i for i, fn in enumerate(sc.functions)}
    for i, rule in enumerate(sc.rules):
        name = f"rules:row {row(i)}"
        a = [fid[x] for x in sc.rule_targets(rule.a)]
        b = [fid[x] for x in sc.rule_targets(rule.b)]
        if rule.rule is RuleKind.APART:
            ha = host_literals(model, var, a, f"rule{i}a")
            hb = host_literals(model, var, b, f"rule{i}b")
            for d in range(len(sc.departments)):
                guards.add(model.add(ha[d] + hb[d] <= 1), name)
        else:
            group = list(dict.fromkeys(a + b))
            first = group[0]
            for g in group[1:]:
                for d in range(len(sc.departments)):
                    yf, yg = var.y.get((first, d)), var.y.get((g, d))
                    if yf is None and yg is None:
                        continue
                    if yf is None or yg is None:  # one of them may not sit in d (C2)
                        guards.add(model.add((yg if yf is None else yf) == 0), name)
                    else:
                        guards.add(model.add(yf == yg), name)
