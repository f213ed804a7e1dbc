"""Every commune of the country: 3,321 generated commune scenarios through ``planner batch``.

The 2025 reform left 3,321 communes (SPEC §1); each gets its own small merged
structure. This benchmark writes them with ``planner generate commune --count N``,
solves them all with ``planner.services.batch.batch`` on a fixed number of local processes,
and records the figures in ``benchmarks/results/communes.json`` (one entry per
mode: ``full`` plan folders, or ``tables_only``)::

    .venv/bin/python -m benchmarks.communes                  # 3,321 communes, 2 processes
    .venv/bin/python -m benchmarks.communes --n 200 --tables-only

Every run starts from an empty output folder (no resumed runs). Goal: all 3,321
communes generated and solved in under 5 minutes on 2 cores. ``make bench`` runs
the full batch with every export. The figures include where a plan's time goes
(``split_ms``: read, solve, check, tables, scenario copy and each export, timed one
by one in this process over the first ``--split`` communes).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from planner.services.batch import batch, cores

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "communes.json"
GOAL_S = 300.0


def generate(n: int, seed: int, folder: Path) -> float:
    """``planner generate commune --count n`` into ``folder``; returns its wall time."""
    shutil.rmtree(folder, ignore_errors=True)
    start = time.perf_counter()
    script = Path(sys.executable).with_name("planner")  # the console script of this venv
    planner = [str(script)] if script.exists() else [sys.executable, "-m", "planner"]
    cmd = [
        *planner,
        "generate",
        "commune",
        "--count",
        str(n),
        "--seed",
        str(seed),
        "--out",
        str(folder),
    ]
    subprocess.run(cmd, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def split(scenarios: Path, k: int) -> dict[str, float]:
    """Mean milliseconds a plan spends in each step, over the first ``k`` scenario folders.

    The steps of ``planner.services.batch.run_task`` with every export, one at a time in this
    process (one CP-SAT worker, as in a batch of 2 processes on 2 cores); ``flush`` is
    the plan folder's one flush to disk and rename.
    """
    import tempfile

    from planner.checking.check import check
    from planner.export import EXPORTERS, FILE_NAMES
    from planner.io import read_scenario, scenario_sha256, write_scenario
    from planner.io.plan_io import atomic_folder, write_plan_tables
    from planner.search.solve import solve, to_summary

    times: dict[str, list[float]] = {}

    def timed(step: str, fn, *args):  # type: ignore[no-untyped-def]
        start = time.perf_counter()
        value = fn(*args)
        times.setdefault(step, []).append(time.perf_counter() - start)
        return value

    with tempfile.TemporaryDirectory() as tmp:
        for folder in sorted(p for p in scenarios.iterdir() if p.is_dir())[:k]:
            sc = timed("read", read_scenario, folder)
            sc = sc.with_settings(sc.settings.with_overrides({"solver.workers": 1}))
            result = timed("solve", solve, sc)
            if result.plan is None:
                continue
            timed("check", check, sc, result.plan)
            summary = to_summary(result, sc, scenario_sha256(sc))
            # as in the batch: built in a temporary folder, flushed once, then put in place
            start = time.perf_counter()
            inside = 0.0
            with atomic_folder(Path(tmp) / folder.name) as out:
                for step, fn, args in (
                    ("tables", write_plan_tables, (result.plan, summary, out)),
                    ("scenario_copy", write_scenario, (sc, out / "scenario")),
                    *(
                        (fmt, writer, (sc, result.plan, summary, out / FILE_NAMES[fmt]))
                        for fmt, writer in EXPORTERS.items()
                    ),
                ):
                    timed(step, fn, *args)
                    inside += times[step][-1]
            times.setdefault("flush", []).append(time.perf_counter() - start - inside)
    means = {step: round(1000 * statistics.mean(v), 2) for step, v in times.items()}
    return {**means, "total": round(sum(means.values()), 2)}


def quantile(values: list[float], q: float) -> float:
    return (
        statistics.quantiles(values, n=100, method="inclusive")[int(q * 100) - 1]
        if len(values) > 1
        else values[0]
    )


def save(path: Path, mode: str, figures: dict[str, object]) -> None:
    """Keep one entry per mode (``full``, ``tables_only``) in the results file."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        data = {}
    data = {"benchmark": "communes", **data, mode: figures}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--n", type=int, default=3321, help="communes (default 3,321)")
    ap.add_argument("--workers", type=int, default=2, help="processes (default 2)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument(
        "--time-limit",
        type=float,
        default=None,
        help="seconds per commune (default: the scenario's)",
    )
    ap.add_argument(
        "--tables-only", action="store_true", help="no plan.xlsx / structure.svg / report.html"
    )
    ap.add_argument(
        "--work", type=Path, default=ROOT / "out" / "bench_communes", help="scratch folder"
    )
    ap.add_argument("--results", type=Path, default=RESULTS)
    ap.add_argument("--split", type=int, default=100, help="communes timed step by step (0: none)")
    args = ap.parse_args(argv)

    scenarios, plans = args.work / "scenarios", args.work / "plans"
    generate_s = generate(args.n, args.seed, scenarios)
    print(f"generated {args.n} commune scenarios in {generate_s:.1f} s")
    shutil.rmtree(plans, ignore_errors=True)  # every run from scratch: nothing resumed

    start = time.perf_counter()
    frame = batch(scenarios, out=plans, workers=args.workers, time_limit=args.time_limit,
                  exports=not args.tables_only)  # fmt: skip
    wall = time.perf_counter() - start

    split_ms = split(scenarios, args.split) if args.split and not args.tables_only else None

    elapsed = frame["elapsed"].drop_nulls().to_list()
    solve = frame["runtime"].drop_nulls().to_list()
    statuses = Counter(frame["status"].to_list())
    figures = {
        "communes": args.n,
        "processes": args.workers,
        "cores": cores(),
        "plan_folders": "tables only" if args.tables_only else "full (tables, xlsx, svg, html)",
        "generate_s": round(generate_s, 2),
        "batch_wall_s": round(wall, 2),
        "total_s": round(generate_s + wall, 2),
        "per_scenario_median_s": round(statistics.median(elapsed), 4),
        "per_scenario_p95_s": round(quantile(elapsed, 0.95), 4),
        "solve_median_s": round(statistics.median(solve), 4),
        "solve_max_s": round(max(solve), 4),
        "throughput_per_s": round(args.n / wall, 1),
        "statuses": dict(statuses.most_common()),
        "optimal_share": round(statuses.get("optimal", 0) / args.n, 4),
        "staff_total": int(frame["kpi.headcount_before"].sum() or 0),
        "exits_total": int(frame["kpi.exits"].sum() or 0),
        "peak_rss_mb_worker": round(
            resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1
        ),
        "peak_rss_mb_parent": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "load_avg_1m_at_end": round(
            os.getloadavg()[0], 1
        ),  # other work on the machine skews wall times
        "split_ms": split_ms,
        "goal_s": GOAL_S,
        "goal_met": generate_s + wall < GOAL_S,
        "machine": f"{platform.machine()} {platform.processor() or ''}".strip(),
        "python": platform.python_version(),
        "polars": pl.__version__,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    save(args.results, "tables_only" if args.tables_only else "full", figures)

    width = max(map(len, figures))
    for key, value in figures.items():
        print(f"{key:<{width}}  {value}")
    print(
        f"wrote {args.results.relative_to(ROOT) if args.results.is_relative_to(ROOT) else args.results}"
    )
    failed = args.n - sum(
        statuses.get(s, 0) for s in ("optimal", "feasible", "infeasible", "timeout")
    )
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
