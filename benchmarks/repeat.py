"""Solve named scenarios at their goal limit, several times: how often a first plan comes.

    python -m benchmarks.repeat heavy-locks-2000/skills split-domains/skills --runs 5
    python -m benchmarks.repeat many-depts-3000 heavy-locks-4000 --set RESCUE_SHARE=0.5

A name is an instance of ``benchmarks.family`` (``many-depts-3000``), a scenario of
``../shared/unseen`` (``split-domains``), a plan-first shape of ``benchmarks.shapes`` at
2,000 staff, seed 1 (``heavy-locks-2000``), or any of these with ``/VARIANT``: the scenario
tightened around its known plan by ``benchmarks.tighten`` (``split-domains/skills``). Each
is solved ``--runs`` times with ``--seed`` at its band's goal limit (10 s up to 3,000 staff,
else 30 s, issue 20), by ``planner.search.solve.solve`` in this process; one JSON line per
run (status, first plan s, wall s, objective, bound). ``--set NAME=VALUE`` overrides a
module constant of ``planner.search.solve`` for a paired comparison (a time share).

The runs of one name differ only in the machine's timing: at 10 s the tight-skills
variants got a first plan on 13 of 20 runs (docs/benchmarks.md, 2026-12-08), where one
draw each of ``benchmarks.stress`` had them all.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.family import BY_NAME, unseen_limit, unseen_root

__all__ = ["main", "scenario_of"]


def scenario_of(name: str) -> Any:
    """The scenario a name stands for (module docstring); KeyError for an unknown name."""
    base, _, variant = name.partition("/")
    source: Callable[[], tuple[Any, Any]]
    root = unseen_root()
    if base in BY_NAME:

        def source() -> tuple[Any, Any]:
            packed = BY_NAME[base].build()
            return packed.scenario, packed.plan

    elif root is not None and (root / base / "about.json").is_file():
        from planner.io import read_scenario
        from planner.io.plan_io import read_plan

        def source() -> tuple[Any, Any]:
            return read_scenario(root / base / "scenario"), read_plan(root / base / "witness")

    else:
        from benchmarks.shapes import KINDS, ShapeSpec, generate_shape

        kind, _, size = base.rpartition("-")
        if kind not in KINDS or not size.isdigit():
            raise KeyError(base)

        def source() -> tuple[Any, Any]:
            shape = generate_shape(ShapeSpec(base, kind, int(size)), seed=1)
            return shape.scenario, shape.plan

    scenario, plan = source()
    if variant:
        from benchmarks.tighten import tighten

        scenario = tighten(scenario, plan, variant)
    return scenario


def run_once(name: str, scenario: Any, seed: int) -> dict[str, Any]:
    """One solve at the goal limit: what the first progress report and the result say."""
    from planner.search.solve import solve

    limit = unseen_limit(len(scenario.staff))  # the band's goal limit
    first: list[float] = []
    started = time.perf_counter()
    result = solve(
        scenario,
        time_limit=limit,
        seed=seed,
        explain=False,
        on_progress=lambda seconds, objective, bound: first.append(seconds),
    )
    return {
        "name": name,
        "staff": len(scenario.staff),
        "limit": limit,
        "seed": seed,
        "status": result.status.value,
        "first_s": round(first[0], 2) if first else None,
        "wall_s": round(time.perf_counter() - started, 2),
        "objective": result.objective,
        "bound": result.bound,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.repeat", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    ap.add_argument("names", nargs="+")
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                    help="override a constant of planner.search.solve")  # fmt: skip
    ap.add_argument("--out", type=Path, help="also append the JSON lines here")
    args = ap.parse_args(argv)
    import planner.search.solve as solve_module

    for item in args.set:
        key, _, value = item.partition("=")
        if not hasattr(solve_module, key):
            ap.error(f"--set {item}: planner.search.solve has no {key}")
        setattr(solve_module, key, type(getattr(solve_module, key))(value))
    runs = []
    for name in args.names:
        try:
            scenario = scenario_of(name)
        except KeyError:
            ap.error(f"{name}: not a family instance, a scenario of ../shared/unseen or a shape")
        for _ in range(args.runs):
            record = {**run_once(name, scenario, args.seed), "set": args.set}
            runs.append(record)
            line = json.dumps(record)
            print(line, flush=True)
            if args.out is not None:
                with args.out.open("a", encoding="utf-8") as fh:
                    fh.write(line + "\n")
    planned = sum(r["status"] in ("optimal", "feasible") for r in runs)
    print(f"{planned} of {len(runs)} runs with a plan", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
