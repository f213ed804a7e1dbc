"""The benchmark instances and the goals of the issue "Speed and scale".

Each :class:`Instance` knows how to build its scenario (``load``), its time
limit (full and ``--quick``), and, for the re-solve, the setting it changes
and the base scenario whose plan it is hinted with.

=================== =========================================== ======= =======
name                scenario                                    limit   quick
=================== =========================================== ======= =======
district            data/quang_ninh_district (embedded)         10 s    5 s
province            data/quang_ninh_province (embedded)         10 s    5 s
province-s1 … s10   ``generate("province", seed=s)``            10 s    5 s
resolve             province, ``targets.max_overstaff`` 0.5 →    5 s     3 s
                    0.6, hinted with the province's plan
central             ``generate("central")`` ≈ 2,720 staff       60 s    15 s
ministry            ``generate("ministry")`` 10,000 staff       120 s   30 s
=================== =========================================== ======= =======

``--quick`` runs district, province, province-s1, province-s2, resolve and
central at the quick limits (the ministry only when named with ``--only``).

Diagnostics, run only when named with ``--only`` (no goal, no HiGHS run):

- ``province-no-imbalance``: the province with ``objective.imbalance = 0``, to show
  what the imbalance term costs the proof;
- ``resolve-full-hint``: the re-solve with the hint *completed* before the solve (the
  hinted decision variables are fixed, a one-worker solve without objective gives a
  value to every other variable, and every variable is hinted) — a proposed change to
  ``planner.cpsat.builder.add_plan_hint``, applied here from the outside.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from models import Scenario

ROOT = Path(__file__).resolve().parents[1]

PROVINCE_LIKE_SEEDS = tuple(range(1, 11))
RESOLVE_CHANGE = {"targets.max_overstaff": 0.6}  # from 0.5 in data/quang_ninh_province


@dataclass(frozen=True)
class Instance:
    """One benchmark instance."""

    name: str
    group: str  # embedded | province-like | resolve | central | ministry
    source: str  # how the scenario is made, for the tables
    time_limit: float
    quick_limit: float
    in_quick: bool = True
    province_scale: bool = False  # counts for the "≥ 10× HiGHS at province scale" goal
    base: str | None = None  # resolve: the instance whose plan is the hint
    change: dict[str, object] = field(default_factory=dict)  # resolve: the setting changed
    diagnostic: bool = False  # only when named with --only; no goal, no HiGHS
    complete_hint: bool = False  # complete the hint to every variable before solving

    def limit(self, quick: bool) -> float:
        return self.quick_limit if quick else self.time_limit

    def load(self) -> Scenario:
        """The scenario (for ``resolve``: with the setting changed)."""
        return LOADERS[self.name]()


def _read(folder: str) -> Callable[[], Scenario]:
    def load() -> Scenario:
        from planner.io import read_scenario

        return read_scenario(ROOT / folder)

    return load


def _generate(kind: str, seed: int = 0) -> Callable[[], Scenario]:
    def load() -> Scenario:
        from planner.generate.scenarios import generate

        return generate(kind, seed=seed)

    return load


def _resolve() -> Scenario:
    base = _read("data/quang_ninh_province")()
    settings = base.settings.with_overrides(RESOLVE_CHANGE)
    return base.with_settings(settings)


def _province_no_imbalance() -> Scenario:
    base = _read("data/quang_ninh_province")()
    return base.with_settings(base.settings.with_overrides({"objective.imbalance": 0}))


INSTANCES: tuple[Instance, ...] = (
    Instance("district", "embedded", "data/quang_ninh_district", 10, 5),
    Instance("province", "embedded", "data/quang_ninh_province", 10, 5, province_scale=True),
    *(
        Instance(
            f"province-s{s}",
            "province-like",
            f'generate("province", seed={s})',
            10,
            5,
            in_quick=s <= 2,
            province_scale=True,
        )
        for s in PROVINCE_LIKE_SEEDS
    ),
    Instance(
        "resolve",
        "resolve",
        "province, targets.max_overstaff 0.5 → 0.6, hint = previous plan",
        5,
        3,
        province_scale=True,
        base="province",
        change=RESOLVE_CHANGE,
    ),
    Instance("central", "central", 'generate("central")', 60, 15),
    Instance("ministry", "ministry", 'generate("ministry")', 120, 30, in_quick=False),
    Instance(
        "province-no-imbalance",
        "diagnostic",
        "province with objective.imbalance = 0",
        10,
        5,
        in_quick=False,
        diagnostic=True,
    ),
    Instance(
        "resolve-full-hint",
        "diagnostic",
        "resolve with the hint completed to every variable",
        5,
        3,
        in_quick=False,
        base="province",
        change=RESOLVE_CHANGE,
        diagnostic=True,
        complete_hint=True,
    ),
)

LOADERS: dict[str, Callable[[], Scenario]] = {
    "district": _read("data/quang_ninh_district"),
    "province": _read("data/quang_ninh_province"),
    **{f"province-s{s}": _generate("province", s) for s in PROVINCE_LIKE_SEEDS},
    "resolve": _resolve,
    "central": _generate("central"),
    "ministry": _generate("ministry"),
    "province-no-imbalance": _province_no_imbalance,
    "resolve-full-hint": _resolve,
}

BY_NAME = {i.name: i for i in INSTANCES}


def select(names: list[str] | None, quick: bool) -> list[Instance]:
    """The instances to run: ``names`` (``--only``; ``province-like`` names all ten), or
    every instance (``--quick``: the quick subset)."""
    if names:
        out: list[Instance] = []
        for n in names:
            if n == "province-like":
                out += [i for i in INSTANCES if i.group == "province-like"]
            elif n in BY_NAME:
                out.append(BY_NAME[n])
            else:
                known = ", ".join([*BY_NAME, "province-like"])
                raise SystemExit(f"unknown instance {n!r}: known instances are {known}")
        return list({i.name: i for i in out}.values())
    return [i for i in INSTANCES if not i.diagnostic and (i.in_quick or not quick)]
