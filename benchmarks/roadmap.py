"""Roadmap (SPEC §8) timings: district, province and a central-scale scenario, 5 yearly periods.

    .venv/bin/python -m benchmarks.roadmap                  # all three, 60 s each
    .venv/bin/python -m benchmarks.roadmap --only district --limit 30
    .venv/bin/python -m benchmarks.roadmap --only province --seeds 0 1 2 3 4
    .venv/bin/python -m benchmarks.roadmap --family --limit 20 --csv out/roadmap-family.csv

The goals of issue 13 (2 cores, in ``make bench``): district proven optimal under
5 s; province a checked roadmap within 10 s, optimal or gap ≤ 1 % within 60 s;
central (≈2,700 staff) a checked roadmap within 60 s; issue 20 adds the first checked
roadmap ≤ 10 s on the family's feasible instances up to 3,000 staff (``--family``: those
of ``benchmarks/family.py`` and of ``../shared/unseen`` where it exists, each with the
``[roadmap]`` section its generator wrote, 5 periods). Each run prints the seconds
to the first roadmap (the first progress report), the final status, objective,
bound, gap, where the bound came from (CP-SAT's search or the LP relaxation beside it,
``planner/cpsat/relaxation.py``) and the roadmap's headline figures; ``--seeds`` repeats
each instance over seeds (the spread of objectives); ``--csv`` appends a row per run.
Every roadmap returned has passed the independent checker (``planner.roadmap``).
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path

from benchmarks.harness import append_rows
from models import Scenario
from planner.checking.check_roadmap import check_roadmap
from planner.generate.scenarios import generate
from planner.io import read_scenario
from planner.search.roadmap import roadmap

DATA = Path(__file__).resolve().parents[1] / "data"


def instances() -> dict[str, Scenario]:
    return {
        "district": read_scenario(DATA / "quang_ninh_district"),
        "province": read_scenario(DATA / "quang_ninh_province"),
        "central": generate("central", seed=1, size=2_700),
    }


FAMILY_MAX_STAFF = 3_000


def family_instances() -> dict[str, Scenario]:
    """The feasible instances of the family and of ``../shared/unseen`` up to
    FAMILY_MAX_STAFF staff (issue 20's roadmap goal), generated or read in turn."""
    from benchmarks.family import FAMILY, SHAPES, unseen_root

    out: dict[str, Scenario] = {}
    for inst in (*FAMILY, *SHAPES):
        if inst.feasible and inst.size <= FAMILY_MAX_STAFF:
            out[inst.name] = inst.build().scenario
    root = unseen_root()
    if root is None:
        print("no ../shared/unseen here: the family only", flush=True)
    else:
        for folder in sorted(p for p in root.iterdir() if (p / "scenario").is_dir()):
            sc = read_scenario(folder / "scenario")
            if len(sc.staff) <= FAMILY_MAX_STAFF:
                out[f"unseen {folder.name}"] = sc
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--only", help="one instance by name (district, province, central, …)")
    ap.add_argument("--family", action="store_true", help="the family's instances ≤ 3,000 staff")
    ap.add_argument("--limit", type=float, default=60.0)
    ap.add_argument("--csv", type=Path)
    ap.add_argument("--seeds", type=int, nargs="+", default=[0])
    args = ap.parse_args()
    rows = []
    named = family_instances() if args.family else instances()
    if args.only and args.only not in named:
        ap.error(f"no instance {args.only!r}; known: {', '.join(named)}")
    runs = [(name, sc, seed) for name, sc in named.items() for seed in args.seeds]
    for name, sc, seed in runs:
        if args.only and name != args.only:
            continue
        sc = sc.with_settings(sc.settings.with_overrides({"roadmap.periods": 5}))
        first: list[float] = []

        def seen(
            seconds: float, _objective: float, _bound: float, into: list[float] = first
        ) -> None:
            into.append(seconds)

        start = time.perf_counter()
        r = roadmap(sc, time_limit=args.limit, seed=seed, on_progress=seen)
        wall = time.perf_counter() - start
        k = r.kpis
        row = {
            "instance": name,
            "seed": seed,
            "staff": len(sc.staff),
            "status": r.status.value,
            "first_s": round(first[0], 2) if first else None,
            "check": None if r.roadmap is None else check_roadmap(sc, r.roadmap).ok,
            "seconds": round(wall, 2),
            "objective": r.objective,
            "bound": r.bound,
            "gap": r.gap,
            "bound_from": r.stats.get("bound_from"),
            "lp_bound": r.stats.get("lp_bound"),
            "lp_s": r.stats.get("lp_seconds"),
            "early_exits": k.early_exits,
            "retirements": k.retirements,
            "total_packages": k.total_packages,
            "net_savings": k.net_savings,
            "payback_period": k.payback_period,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
        }
        rows.append(row)
        print("  ".join(f"{k}={v}" for k, v in row.items()), flush=True)
    if args.csv:
        append_rows(args.csv, rows)


if __name__ == "__main__":
    main()
