"""The roadmap model of SPEC §8: the §3 families once per period, on views of one model.

A new dimension is a view, not a copy. The structure (y, z) is decided once; each
period t gets a ``Variables`` view with its own staff counts m_t, h_t, v_t, r_t and
the shared y, z, whose ``scenario`` is the period's view of the scenario
(``planner.domain.periods``: the transition before ``norm_by``, the period's C7 share, C8's
income raise from ``norm_by``). The constraint families of §3 then run unchanged on
each view; what concerns the structure only (every department used, C11's lead
quotas, C12, function locks) is added once.

Classes (``classes.py``) are keyed by what §8 tells apart too: the retirement period
R_c (first period whose start is on or after the retirement date), the salary and the
service years, so that every member of a class costs the same package and payroll.
A class is ``retired`` in the views of periods t ≥ R_c: no cells, r_t[c] = 0.

Dynamics and terms, with r_0[c] = n_c and L_c = min(R_c − 1, T) (last period a member
of c may be present):

- gone is for good: ``r_t[c] ≤ r_{t−1}[c]``;
- early departures of c at e ≤ L_c: ``r_{e−1}[c] − r_e[c]``, each paid ``package_c(e)``;
  departures at R_c are retirements and cost nothing;
- ``cost = Σ_t floor(months × payroll_t / 1000) + Σ_c Σ_{e ≤ L_c} package_c(e) ·
  (r_{e−1}[c] − r_e[c])``, payroll_t exact through the scaled ``P_t`` of ``budget.py``;
- ``early_exits = Σ_{c not retiring} (n_c − r_{L_c}[c])`` (0 when R_c = 1);
- ``moves = Σ_{t ≥ 2} Σ_c (r_t[c] − Σ_{d, role} stay)``, ``stay = min(x_{t−1}, x_t)``
  for each cell x (m, h or v of c in d): people of a class are interchangeable, so
  the fewest moves keep min(x_{t−1}, x_t) people in each cell (``extract`` does);
- disruption … lead_preference: §4 on the period-1 view (``objective.py``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

from ortools.sat.python import cp_model

from models import PeriodRole, Scenario
from planner.cpsat import capacity, locks, objective, placement, staffing, symmetry
from planner.cpsat.budget import add_budget, allowances
from planner.cpsat.builder import BuiltModel, on_time
from planner.cpsat.classes import StaffClass, staff_classes
from planner.cpsat.guards import Guards
from planner.cpsat.variables import LinearExpr, Variables, create_variables
from planner.domain.periods import (
    norm_applies,
    period_scenario,
    reduction_source,
    retirement_periods,
)
from planner.domain.retirement import package

PERIOD_TERMS = (
    objective.add_disruption,
    objective.add_fragmentation,
    objective.add_imbalance,
    objective.add_leadership_churn,
    objective.add_lead_preference,
)
"""§4 terms a roadmap takes from its first period."""

NORM_NAMES = frozenset(
    {
        "departments.max_deputies",
        "departments.max_deputy_share",
        "targets.max_leadership_posts",
        "targets.min_income_raise",
    }
)
"""Settings whose constraints hold only from ``norm_by`` on (§8)."""


class PeriodGuards(Guards):
    """The guards of one period: the families' names read in §8's vocabulary.

    Before ``norm_by`` the transition settings replace §3's; from ``norm_by`` on, a
    norm constraint is guarded by its setting and ``roadmap.norm_by`` together, so that
    a conflict can name the deadline; C7 is named by the share that sets it.
    """

    def __init__(self, base: Guards, rename: Callable[[str], list[str]]) -> None:
        self._base, self._rename = base, rename
        self._model = base._model
        self.explain, self.elastic = base.explain, base.elastic
        self.literals, self.slacks, self.scopes = base.literals, base.slacks, base.scopes
        self._pending = base._pending

    def __call__(self, name: str) -> list[cp_model.IntVar]:
        return [lit for n in self._rename(name) for lit in self._base(n)]


def period_names(scenario: Scenario, t: int) -> Callable[[str], list[str]]:
    """The renaming of guard names in period t (``PeriodGuards``)."""
    norm = norm_applies(scenario, t)
    c7 = reduction_source(scenario, t)

    def rename(name: str) -> list[str]:
        if name == "targets.min_reduction":
            return [c7] if c7.startswith("roadmap.") or not norm else [c7, "roadmap.norm_by"]
        base = name
        if name.startswith("departments:") and name.endswith(".max_deputies"):
            base = "departments.max_deputies"
        if base not in NORM_NAMES:
            return [name]
        if norm:
            return [name, "roadmap.norm_by"]
        if base == "departments.max_deputies":
            return ["roadmap.transition_max_deputies"]
        if base == "targets.max_leadership_posts":
            return ["roadmap.transition_max_leadership_posts"]
        return [name]  # max_deputy_share and min_income_raise are not added before norm_by

    return rename


@dataclass
class RoadmapModel:
    """A built roadmap model: its views (one per period), terms and class data."""

    model: cp_model.CpModel
    views: list[Variables]
    guards: Guards
    classes: list[StaffClass]
    last: dict[int, int]  # class -> L_c, the last period its members may be present
    payroll: list[cp_model.IntVar]  # scaled monthly payroll P_t
    terms: dict[str, cp_model.IntVar]
    stay: dict[tuple[int, int, int, str], cp_model.IntVar]
    violations: cp_model.IntVar | None = None
    """The elastic model only: Σ weight · s over every softened rule of every period."""

    def holder(self) -> BuiltModel:
        """The first period's view as a ``BuiltModel`` (hints, repair, extraction of y, z)."""
        return BuiltModel(
            model=self.model,
            var=self.views[0],
            guards=self.guards,
            payroll_scaled=self.payroll[0],
            violations=self.violations,
        )


def roadmap_classes(scenario: Scenario, retire: tuple[int, ...]) -> list[StaffClass]:
    """Classes of people alike for §3 and §8: retirement period, salary, service years too."""
    staff = scenario.staff
    return staff_classes(scenario, lambda i: (retire[i], staff[i].salary, staff[i].service_halves))


def build_roadmap(
    scenario: Scenario,
    *,
    explain: bool = False,
    elastic: bool = False,
    deadline: float | None = None,
) -> RoadmapModel:
    """The model of §8: per-period C1–C13, the dynamics and the terms (module docstring).

    ``elastic``: every rule of every period that can be broken by an amount gets
    violation variables (``guards.py``), summed in ``violations``; the dynamics (gone
    is for good, retirement dates) stay hard.

    ``deadline`` (a ``time.perf_counter()`` value): raise ``BuildTimeout`` at the first step
    (a period's variables, constraints, the terms) that ends past it (2,700 staff, 5 periods: 22 s on a loaded machine).
    """
    model = cp_model.CpModel()
    guards = Guards(model, explain, elastic=elastic)
    rm = scenario.settings.roadmap
    T = rm.periods
    retire = retirement_periods(scenario)
    base = roadmap_classes(scenario, retire)
    R = {c.index: retire[c.members[0]] for c in base}
    views: list[Variables] = []
    payroll: list[cp_model.IntVar] = []

    for t in range(1, T + 1):
        view = period_scenario(scenario, t, retire)
        classes = [
            dataclasses.replace(c, protected=False, retired=True) if R[c.index] <= t else c
            for c in base
        ]
        var = create_variables(model, view, classes=classes, structure=views[0] if views else None)
        on_time(deadline)
        g = PeriodGuards(guards, period_names(scenario, t))
        first = t == 1
        if first:
            placement.add_used(model, var, g)  # §3: every department used (structure)
        capacity.add_workload(model, var, g)  # C3
        capacity.add_skills(model, var, g)  # C4
        staffing.add_size(model, var, g)  # C5
        staffing.add_leadership(model, var, g)  # C6 (transition limits in the view)
        on_time(deadline)
        staffing.add_reduction(model, var, g)  # C7 (r_t; protected unless retired)
        payroll.append(add_budget(model, var, g))  # C8 (income raise from norm_by)
        staffing.add_independence(model, var, g)  # C9
        capacity.add_reserved(model, var, g)  # C10
        placement.add_leads(model, var, g, quotas=first)  # C11
        if first:
            placement.add_rules(model, var, g)  # C12 (structure)
        locks.add_locks(model, var, g, functions=first, while_present=not first)  # C13
        views.append(var)
        on_time(deadline)
    last = {c.index: min(R[c.index] - 1, T) for c in base}
    for t in range(1, T):  # gone is for good
        for c in base:
            if t + 1 <= last[c.index]:
                model.add(views[t].r[c.index] <= views[t - 1].r[c.index])
    built = RoadmapModel(model, views, guards, base, last, payroll, {}, {})
    _add_terms(built, scenario)
    on_time(deadline)
    if elastic:
        built.violations = guards.total()
    if not explain:
        # Departments alike in the norm's view are alike in every period's view.
        symmetry.break_department_symmetry(model, views[rm.norm_period - 1])
    return built


def _upper(v: cp_model.IntVar) -> int:
    """The upper bound of v's domain (the proto's repeated field takes no negative index)."""
    domain = v.proto.domain
    return int(domain[len(domain) - 1])


def _add_terms(built: RoadmapModel, scenario: Scenario) -> None:
    model, views = built.model, built.views
    rm = scenario.settings.roadmap
    T = rm.periods
    scale = allowances(scenario).scale
    unit = 1000 * scale
    costs = []
    for t, p in enumerate(built.payroll, start=1):
        hi = rm.months * _upper(p) // unit + 1
        pc = model.new_int_var(0, hi, f"period_cost[{t}]")  # floor(months × P_t / (1000 scale))
        model.add(unit * pc <= rm.months * p)
        model.add(rm.months * p <= unit * pc + unit - 1)
        costs.append(pc)
    pk_vars, pk_coefs = [], []
    pk_const = 0
    early_parts = []
    for c in built.classes:
        L = built.last[c.index]
        person = scenario.staff[c.members[0]]
        r = [views[t].r[c.index] for t in range(L)]  # r_1 … r_L
        for e in range(1, L + 1):
            amount = package(person, rm, e)
            if not amount:
                continue
            # amount × (r_{e-1} − r_e), r_0 = n_c
            if e == 1:
                pk_const += amount * c.size
            else:
                pk_vars.append(r[e - 2])
                pk_coefs.append(amount)
            pk_vars.append(r[e - 1])
            pk_coefs.append(-amount)
        if L >= 1 and not c.retiring:
            early_parts.append(c.size - r[L - 1])
    packages_hi = sum(
        c.size
        * max((package(scenario.staff[c.members[0]], rm, e) for e in range(1, T + 1)), default=0)
        for c in built.classes
    )
    cost_hi = sum(_upper(v) for v in costs) + packages_hi
    cost = model.new_int_var(0, cost_hi, "term:cost")
    model.add(cost == LinearExpr.sum(costs) + LinearExpr.weighted_sum(pk_vars, pk_coefs) + pk_const)
    early = model.new_int_var(0, len(scenario.staff), "term:early_exits")
    model.add(early == LinearExpr.sum(early_parts) if early_parts else early == 0)
    move_parts: list[LinearExpr] = []
    for t in range(1, T):
        prev, cur = views[t - 1], views[t]
        for c in built.classes:
            if t + 1 > built.last[c.index]:
                continue
            stays = []
            for d in range(len(scenario.departments)):
                for role, table in (("m", cur.m), ("h", cur.h), ("v", cur.v)):
                    if (c.index, d) not in table:
                        continue
                    a = {"m": prev.m, "h": prev.h, "v": prev.v}[role][c.index, d]
                    b = table[c.index, d]
                    s = model.new_int_var(0, c.size, f"stay[{c.index},{d},{role},{t + 1}]")
                    if c.size == 1:  # min of two Booleans, linearly: presolve keeps it cheap
                        model.add(s <= a)
                        model.add(s <= b)
                        model.add(s >= a + b - 1)
                    else:
                        model.add_min_equality(s, [a, b])
                    built.stay[c.index, d, t + 1, role] = s
                    stays.append(s)
            move_parts.append(cur.r[c.index] - LinearExpr.sum(stays))
    moves = model.new_int_var(0, len(scenario.staff) * T, "term:moves")
    model.add(moves == LinearExpr.sum(move_parts) if move_parts else moves == 0)
    for add in PERIOD_TERMS:
        add(model, views[0])
    built.terms = {"cost": cost, "early_exits": early, "moves": moves}
    for name in ("disruption", "fragmentation", "imbalance", "leadership_churn", "lead_preference"):
        built.terms[name] = views[0].terms[name]


def roadmap_weights(scenario: Scenario) -> dict[str, int]:
    """Weights of the roadmap terms: [roadmap.objective], and [objective] for the §4 terms."""
    st = scenario.settings
    w = st.objective.weights()
    ro = st.roadmap.objective
    return {
        "cost": ro.cost,
        "early_exits": ro.early_exits,
        "moves": ro.moves,
        **{
            t: w[t]
            for t in (
                "disruption",
                "fragmentation",
                "imbalance",
                "leadership_churn",
                "lead_preference",
            )
        },
    }


def set_roadmap_objective(built: RoadmapModel, scenario: Scenario) -> None:
    """Minimise ``Σ weight_t × term_t`` (weighted; zero weights drop out)."""
    w = roadmap_weights(scenario)
    names = [t for t in w if w[t]]
    built.model.minimize(
        LinearExpr.weighted_sum([built.terms[t] for t in names], [w[t] for t in names])
    )


def extract_people(
    built: RoadmapModel, solution: dict[int, int]
) -> dict[int, list[tuple[int, PeriodRole] | None]]:
    """Staff index -> per period (department index, role) or None (gone), from class counts.

    Period 1 hands each class's members to its cells in order; from period 2 on, each
    cell keeps min(x_{t−1}, x_t) of its previous holders (the model's ``stay``), and the
    cells that grew take people from the cells that shrank; the rest are gone. So the
    moves of the people equal the model's term, and gone is for good.
    """
    views = built.views
    k = len(views[0].scenario.departments)
    T = len(views)
    val = lambda v: solution[v.index]  # noqa: E731
    roles = (("h", PeriodRole.HEAD), ("v", PeriodRole.DEPUTY), ("m", PeriodRole.MEMBER))
    out: dict[int, list[tuple[int, PeriodRole] | None]] = {}
    for c in built.classes:
        where: dict[int, tuple[int, PeriodRole] | None] = {}
        history: dict[int, list[tuple[int, PeriodRole] | None]] = {i: [] for i in c.members}
        for t in range(T):
            var = views[t]
            counts: dict[tuple[int, PeriodRole], int] = {}
            for d in range(k):
                for key, role in roles:
                    table = getattr(var, key)
                    if (c.index, d) in table and val(table[c.index, d]):
                        counts[d, role] = val(table[c.index, d])
            new: dict[int, tuple[int, PeriodRole] | None] = {i: None for i in c.members}
            if t == 0:
                queue = list(c.members)
                for start_cell, n in counts.items():
                    for _ in range(n):
                        new[queue.pop(0)] = start_cell
            else:
                pool = []
                kept: dict[tuple[int, PeriodRole], int] = {}
                for i in c.members:
                    had = where.get(i)
                    if had is None:
                        continue
                    if kept.get(had, 0) < counts.get(had, 0):
                        kept[had] = kept.get(had, 0) + 1
                        new[i] = had
                    else:
                        pool.append(i)
                for cell, n in counts.items():
                    for _ in range(n - kept.get(cell, 0)):
                        new[pool.pop(0)] = cell
            where = new
            for i in c.members:
                history[i].append(new[i])
        out.update(history)
    return out


def add_roadmap_hint(
    built: RoadmapModel,
    cells: dict[int, list[tuple[int, PeriodRole] | None]],
    placed: dict[int, int],
    leads: dict[int, str],
) -> None:
    """Hint every decision variable: ``cells`` staff index -> per period (dept, role) or None,
    ``placed`` function -> department, ``leads`` divided function -> lead organisation."""
    model = built.model
    model.clear_hints()
    key = {PeriodRole.HEAD: "h", PeriodRole.DEPUTY: "v", PeriodRole.MEMBER: "m"}
    k = len(built.views[0].scenario.departments)
    for t, var in enumerate(built.views):
        for c in var.classes:
            counts: dict[tuple[int, str], int] = {}
            for i in c.members:
                cell = cells[i][t]
                if cell is not None:
                    role = key[cell[1]] if (c.index, cell[0]) in var.h else "m"
                    counts[cell[0], role] = counts.get((cell[0], role), 0) + 1
            for d in range(k):
                for name in ("m", "h", "v"):
                    table = getattr(var, name)
                    if (c.index, d) in table:
                        model.add_hint(table[c.index, d], counts.get((d, name), 0))
    y, z = built.views[0].y, built.views[0].z
    for (f, d), x in y.items():
        model.add_hint(x, int(placed.get(f) == d))
    for (f, o), x in z.items():
        model.add_hint(x, int(leads.get(f) == o))
