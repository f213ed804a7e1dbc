"""Scenarios with no room left: every target set at a known plan's figures (issue 20).

    .venv/bin/python -m benchmarks.stress                      # ../shared/unseen x 8 variants
    .venv/bin/python -m benchmarks.stress --shapes 2000        # and plan-first shapes, seed 1

Each source is a scenario with a plan that passes ``planner.check``: the scenarios of
``../shared/unseen`` with their witnesses and, with ``--shapes``, every plan-first kind of
``benchmarks/shapes.py`` at the given sizes (seed 1; the family uses seed 0) with its
planted plan. ``benchmarks/tighten.py`` sets one group of targets at the plan's own figures
(``budget``, ``posts``, ``capacity``, ``all``) or narrows the structure around it (``locks``,
``rules``, ``skills``, ``sizes``): the result is feasible (the plan proves it) and leaves
the solver no slack there. Each is solved once in a fresh process at its band's
goal limit (10 s up to 3,000 staff, else 30 s, as issue 20's goals), and the plan is
checked. Writes the "stress" section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import shlex
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.family import unseen_limit, unseen_root
from benchmarks.harness import cpsat_job, in_fresh_process, replace_section
from benchmarks.tighten import VARIANTS, tighten
from models import Plan, Scenario
from planner.checking.check import check, objective_value

DOC = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
MARKS = ("<!-- stress:start -->", "<!-- stress:end -->")


def sources(shape_sizes: list[int]) -> list[tuple[str, Scenario, Plan]]:
    """(name, scenario, a plan that passes it): ../shared/unseen, then the shapes."""
    from planner.io import read_scenario
    from planner.io.plan_io import read_plan

    out: list[tuple[str, Scenario, Plan]] = []
    root = unseen_root()
    if root is None:
        print("no ../shared/unseen here: only the shapes", flush=True)
    else:
        for folder in sorted(p for p in root.iterdir() if (p / "witness").is_dir()):
            out.append(
                (folder.name, read_scenario(folder / "scenario"), read_plan(folder / "witness"))
            )
    if shape_sizes:
        from benchmarks.shapes import KINDS, ShapeSpec, generate_shape

        for size in shape_sizes:
            for kind in KINDS:
                shape = generate_shape(ShapeSpec(f"{kind}-{size}", kind, size), seed=1)
                out.append((f"{kind}-{size} (seed 1)", shape.scenario, shape.plan))
    return out


def run(shape_sizes: list[int], variants: list[str], workers: int | None) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for name, scenario, plan in sources(shape_sizes):
        for variant in variants:
            sc = tighten(scenario, plan, variant)
            limit = unseen_limit(len(sc.staff))
            payload = {"scenario": pickle.dumps(sc), "time_limit": limit, "workers": workers}
            r = in_fresh_process(cpsat_job, payload)
            known = objective_value(check(sc, plan).terms, sc.settings)
            row = {
                "source": name,
                "variant": variant,
                "staff": len(sc.staff),
                "limit_s": limit,
                "status": r.get("status"),
                "first_s": r.get("first_s"),
                "runtime_s": r.get("runtime_s"),
                "objective": r.get("objective"),
                "known": known,
                "check_ok": r.get("check_ok"),
            }
            rows.append(row)
            print(json.dumps(row), flush=True)
    return rows


def _cell(v: Any, digits: int = 2) -> str:
    if v is None:
        return "—"
    if isinstance(v, float):
        return f"{v:.{digits}f}"
    if isinstance(v, int) and not isinstance(v, bool):
        return f"{v:,}"
    return str(v)


def section(rows: list[dict[str, Any]], command: str) -> list[str]:
    planned = [r for r in rows if r["check_ok"]]
    firsts = sorted(r["first_s"] for r in planned if r["first_s"] is not None)
    at_or_below = [r for r in planned if r["objective"] <= r["known"]]
    table = [
        "| source | variant | staff | limit s | status | first plan s | objective | known plan | vs known | check |",
        "|---|---|---:|---:|---|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        vs = (
            f"{(r['objective'] - r['known']) / r['known']:+.2%}"
            if r["objective"] is not None and r["known"]
            else "—"
        )
        check_cell = {True: "ok", False: "**FAILED**", None: "no plan"}[r["check_ok"]]
        table.append(
            f"| {r['source']} | {r['variant']} | {r['staff']:,} | {r['limit_s']:.0f} | "
            f"{r['status']} | {_cell(r['first_s'])} | {_cell(r['objective'])} | "
            f"{_cell(r['known'])} | {vs} | {check_cell} |"
        )
    load = os.getloadavg()[0]
    return [
        MARKS[0],
        "## Scenarios with no room left (`benchmarks/stress.py`, issue 20)",
        "",
        f"- command: `{command}`; date: {datetime.now(UTC):%Y-%m-%d}; "
        f"{os.cpu_count()} cores; load average {load:.1f} at the end",
        "- each source is a scenario with a plan that passes `planner check` (the witnesses of",
        "  `../shared/unseen`, the planted plans of the plan-first shapes at seed 1); "
        "`benchmarks/tighten.py`",
        "  sets one group of targets at that plan's own figures: `budget` (C7, C8), `posts` (C6 and",
        "  C9: every organisation's minima at what it keeps and holds), `capacity` (C3's slack and",
        "  overstaff), `all`; or narrows the structure around it: `locks` (a third of the staff and",
        "  functions locked where the plan has them), `rules` (3k apart/together rules the plan",
        "  meets), `skills` (each skill left only to the fewest holders the plan needs), `sizes`",
        "  (every department's size fixed at the plan's). Each is feasible (the plan proves it) and solved once at its band's",
        "  goal limit (10 s up to 3,000 staff, else 30 s); `known plan` is that plan's objective.",
        "",
        f"**{len(planned)} of {len(rows)}** got a checked plan within the limit; median first "
        f"plan {_cell(firsts[len(firsts) // 2] if firsts else None)} s; "
        f"{len(at_or_below)} of {len(planned)} at or below the known plan's objective.",
        "",
        *table,
        MARKS[1],
    ]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.stress", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    ap.add_argument("--shapes", type=int, nargs="*", default=[], metavar="STAFF")
    ap.add_argument("--variants", nargs="+", choices=VARIANTS, default=list(VARIANTS))
    ap.add_argument("--workers", type=int, default=None)
    ap.add_argument("--no-doc", action="store_true", help="print only")
    args = ap.parse_args(argv)
    rows = run(args.shapes, args.variants, args.workers)
    if not rows:
        print("nothing to run", flush=True)
        return 0
    command = "python -m benchmarks.stress " + shlex.join(sys.argv[1:] if argv is None else argv)
    lines = section(rows, command.strip())
    print("\n".join(lines[3:]))
    if not args.no_doc:
        replace_section(DOC, lines)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
