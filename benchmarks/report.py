"""The benchmark's outputs: ``latest.json``, ``latest.csv``, ``docs/benchmarks.md`` and its chart.

Reads the figures :mod:`benchmarks.harness` measured (or ``latest.json`` with
``--render``) and writes them; nothing here solves.
"""

from __future__ import annotations

import csv
import json
import math
import statistics
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from benchmarks.family import family_section
from benchmarks.harness import (
    AXIS,
    ONE_PERCENT,
    OUT,
    RESULTS,
    SVG_NAME,
    gap_at,
    gap_of,
    median,
    normalize,
    set_clock,
    summarize,
    time_to_gap,
)

# -- outputs -----------------------------------------------------------------------------


def save(results: dict[str, Any]) -> None:
    folder = OUT["results"]
    folder.mkdir(parents=True, exist_ok=True)
    clean = json.loads(json.dumps(results, default=_jsonable))
    tmp = folder / "latest.json.tmp"
    tmp.write_text(json.dumps(clean, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(folder / "latest.json")
    write_csv(clean)


def _jsonable(v: Any) -> Any:
    if isinstance(v, bytes):
        return None
    if isinstance(v, set | tuple):
        return list(v)
    return str(v)


CSV_FIELDS = [
    "instance", "group", "solver", "repeat", "staff", "units", "functions", "departments",
    "classes", "clock", "time_limit", "status", "objective", "bound", "gap", "wall_s", "eq_s",
    "first_s", "first_eq_s", "build_s", "search_s", "det_time", "cpu_s", "peak_mb", "check_ok",
    "load1_start",
]  # fmt: skip


def write_csv(results: dict[str, Any]) -> None:
    rows = []
    for name, e in results["instances"].items():
        for solver in ("cpsat", "highs"):
            for r in e.get(solver, []):
                rows.append(
                    {
                        "instance": name,
                        "group": e["group"],
                        "clock": results.get("clock", "wall"),
                        "solver": "cp-sat" if solver == "cpsat" else "highs",
                        "staff": e["staff"],
                        "units": e["units"],
                        "functions": e["functions"],
                        "departments": e["departments"],
                        "classes": e.get("classes") if solver == "cpsat" else None,
                        "time_limit": e["time_limit"]
                        if solver == "cpsat"
                        else e.get("highs_time_limit"),
                        **{k: r.get(k) for k in CSV_FIELDS if k in r},
                        "objective": r.get("objective_raw"),
                    }
                )
    with open(OUT["results"] / "latest.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=CSV_FIELDS, extrasaction="ignore")
        w.writeheader()
        for row in rows:
            w.writerow({k: _round(v) for k, v in row.items()})


def _round(v: Any) -> Any:
    if isinstance(v, float):
        return round(v, 6)
    return v


# -- the report ---------------------------------------------------------------------------


def _s(v: float | None, digits: int = 2) -> str:
    if v is None:
        return "—"
    if v >= 100:
        return f"{v:.0f}"
    return f"{v:.{digits}f}"


def _gap(v: float | None) -> str:
    if v is None:
        return "—"
    if v == 0:
        return "0"
    return f"{v:.3%}" if v < 0.01 else f"{v:.2%}"


def _int(v: float | None) -> str:
    return "—" if v is None else f"{round(v):,}"


def _status(summary: dict[str, Any]) -> str:
    st = summary["statuses"]
    return ", ".join(f"{k} {n}/{summary['runs']}" for k, n in st.items())


def _check(summary: dict[str, Any]) -> str:
    if summary["check_failed"]:
        return f"**FAILED {len(summary['check_failed'])}**"
    plans = summary.get("plans", 0)
    return f"ok {plans}/{summary['runs']}" if plans else "no plan"


def comparison(e: dict[str, Any]) -> dict[str, Any] | None:
    """CP-SAT against HiGHS on one instance: time to CP-SAT's final gap and to 1 %."""
    if not e.get("highs") or not e.get("cpsat"):
        return None
    cp, hs = e["cpsat_summary"], e["highs"][0]
    out: dict[str, Any] = {"highs": hs, "highs_limit": e.get("highs_time_limit")}
    for key, target in (("same", cp["gap"]), ("one", ONE_PERCENT)):
        if target is None:
            out[key] = None
            continue
        cps = [time_to_gap(r, target) for r in e["cpsat"]]
        cp_wall = median([c[0] for c in cps])
        cp_cpu = median([c[1] for c in cps])
        h_wall, h_cpu = time_to_gap(hs, target, integral_bound=True)
        limit = normalize(hs).get("time_s") or out["highs_limit"]
        ratio = ratio_cpu = None
        lower = upper = False
        if not cp_wall and h_wall is not None:
            # HiGHS got there, CP-SAT did not within its limit: HiGHS is faster by ≥ limit/h
            ratio, upper = h_wall / e["time_limit"], True
            ratio_cpu = h_cpu / (median([r.get("other_s") for r in e["cpsat"]]) or math.inf)
        elif cp_wall:
            if h_wall is not None:
                ratio, ratio_cpu = h_wall / cp_wall, (h_cpu / cp_cpu if cp_cpu else None)
            elif limit:
                ratio, lower = limit / cp_wall, True
                ratio_cpu = (hs.get("other_s") or 0) / cp_cpu if cp_cpu else None
        out[key] = {
            "target": target,
            "cp_wall": cp_wall,
            "cp_cpu": cp_cpu,
            "h_wall": h_wall,
            "h_cpu": h_cpu,
            "ratio": ratio,
            "ratio_cpu": ratio_cpu,
            "lower": lower,
            "upper": upper,
        }
    return out


def _ratio(c: dict[str, Any] | None, key: str = "ratio") -> str:
    if c is None or c.get(key) is None:
        return "—"
    mark = "> " if c["lower"] else "< " if c.get("upper") else ""
    return f"{mark}{c[key]:.1f}×" if c[key] >= 0.1 else f"{mark}{c[key]:.2f}×"


def goals(results: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(goal, where it stands, verdict) for the goals of the issue."""
    inst = results["instances"]
    quick = results.get("quick")
    rows: list[tuple[str, str, str]] = []

    def verdict(ok: bool | None) -> str:
        if ok is None:
            return "not measured"
        return ("**met**" if ok else "**not met**") + (" (quick run)" if quick else "")

    p = inst.get("province")
    if p:
        c = p["cpsat_summary"]
        rows.append((
            "embedded province proven optimal, median < 2 s",
            f"{_status(c)}; median {_s(c['time_s'])} s (gap {_gap(c['gap'])})",
            verdict(c["all_optimal"] and (c["time_s"] or 99) < 2),
        ))  # fmt: skip
    else:
        rows.append(("embedded province proven optimal, median < 2 s", "—", verdict(None)))
    like = [e for e in inst.values() if e["group"] == "province-like"]
    if like:
        opt = sum(e["cpsat_summary"]["all_optimal"] for e in like)
        never = sum(1 for e in like if not e["cpsat_summary"]["statuses"].get("optimal"))
        proven = [
            e["cpsat_summary"]["time_s"] or 0 for e in like if e["cpsat_summary"]["all_optimal"]
        ]
        slow = sum(1 for e in like if (e["cpsat_summary"]["time_s"] or 99) >= 10)
        rows.append((
            "10 province-like all proven optimal, each < 10 s",
            f"{len(like)} run: {opt} proven optimal in every repeat, {never} in none (stopped at "
            f"the limit); slowest median of the proven "
            f"{_s(max(proven)) + ' s' if proven else '—'}; worst median gap "
            f"{_gap(max((e['cpsat_summary']['gap'] or 0) for e in like))}",
            verdict(len(like) == 10 and opt == 10 and slow == 0)
            if len(like) == 10 else verdict(opt == len(like) and slow == 0) + f" ({len(like)} of 10)",
        ))  # fmt: skip
    else:
        rows.append(("10 province-like all proven optimal, each < 10 s", "—", verdict(None)))
    r = inst.get("resolve")
    if r:
        c = r["cpsat_summary"]
        rows.append((
            "re-solve after one setting change (hinted) < 1 s",
            f"{_status(c)}; median {_s(c['time_s'])} s, first plan {_s(c['first_time_s'])} s, "
            f"gap {_gap(c['gap'])}",
            verdict(c["all_optimal"] and (c["time_s"] or 99) < 1),
        ))  # fmt: skip
    else:
        rows.append(("re-solve after one setting change (hinted) < 1 s", "—", verdict(None)))

    def within(e: dict[str, Any]) -> tuple[float | None, str]:
        """Median gap at the limit (None counts as no plan) and a note on overruns."""
        lim = e["time_limit"]
        gaps = [gap_at(r, lim) for r in e["cpsat"]]
        known = sorted(g for g in gaps if g is not None)
        med = None if len(known) * 2 <= len(gaps) else known[(len(gaps) - 1) // 2]
        over = [r for r in e["cpsat"] if (r.get("time_s") or 0) > lim * 1.05]
        note = ""
        if over:
            note = (f"; {len(over)} of {len(gaps)} runs ignored the stop until their first plan and "
                    f"ended at {_s(median([r.get('time_s') for r in over]))} s (gap then "
                    f"{_gap(e['cpsat_summary']['gap'])})")  # fmt: skip
        return med, note

    ce = inst.get("central")
    if ce:
        c = ce["cpsat_summary"]
        g, note = within(ce)
        rows.append((
            "central (≈2,700 staff) gap ≤ 1 % within 60 s",
            f"median gap {_gap(g)} at {_s(ce['time_limit'])} s ({_status(c)}){note}",
            verdict(g is not None and g <= 0.01),
        ))  # fmt: skip
    else:
        rows.append(("central (≈2,700 staff) gap ≤ 1 % within 60 s", "—", verdict(None)))
    mi = inst.get("ministry")
    if mi:
        c = mi["cpsat_summary"]
        g, note = within(mi)
        rows += [
            ("ministry (10,000 staff) first plan within 30 s",
             f"median {_s(c['first_time_s'])} s (Python model building {_s(c['build_s'])} s wall)",
             verdict(c["first_time_s"] is not None and c["first_time_s"] <= 30)),
            ("ministry gap ≤ 2 % within 120 s",
             f"median gap {_gap(g) if g is not None else 'none (no plan)'} at "
             f"{_s(mi['time_limit'])} s{note}",
             verdict(g is not None and g <= 0.02)),
            ("ministry peak memory < 4 GB",
             f"{_s(c['peak_mb'], 0)} MB", verdict(c["peak_mb"] is not None and c["peak_mb"] < 4096)),
        ]  # fmt: skip
    else:
        rows += [
            ("ministry (10,000 staff) first plan within 30 s", "—", verdict(None)),
            ("ministry gap ≤ 2 % within 120 s", "—", verdict(None)),
            ("ministry peak memory < 4 GB", "—", verdict(None)),
        ]
    comps = [(n, comparison(e)) for n, e in inst.items() if e["province_scale"] and comparison(e)]
    highs_only = [
        n
        for n, e in inst.items()
        if e["province_scale"]
        and e.get("highs")
        and e["cpsat_summary"]["gap"] is None
        and e["highs"][0].get("check_ok")
    ]
    comps = [(n, c) for n, c in comps if c and c.get("same") and c["same"]["ratio"] is not None]
    if comps:
        ratios = [c["same"]["ratio"] for _, c in comps]
        decided = [c for _, c in comps if not (c["same"]["lower"] and c["same"]["ratio"] < 10)]
        ok = len(decided) == len(comps) and all(c["same"]["ratio"] >= 10 for c in decided)
        worst = min(comps, key=lambda nc: nc[1]["same"]["ratio"])
        rows.append((
            "≥ 10× faster than HiGHS to the same gap at province scale",
            f"{'idle-equivalent' if AXIS['axis'] else 'wall-clock'} ratio at CP-SAT's gap over "
            f"{len(comps)} instances: min "
            f"{_ratio(worst[1]['same'])} ({worst[0]}), median {statistics.median(ratios):.1f}×"
            + (f"; HiGHS found a plan where CP-SAT found none: {', '.join(highs_only)}"
               if highs_only else ""),
            verdict(ok and not highs_only)
            if len(decided) == len(comps) else "undecided (HiGHS limit too short)",
        ))  # fmt: skip
    else:
        rows.append(
            ("≥ 10× faster than HiGHS to the same gap at province scale", "—", verdict(None))
        )
    return rows


def time_vs_size_svg(results: dict[str, Any], path: Path) -> bool:
    """Median wall seconds against staff, one point per instance and solver (log-log)."""
    try:
        import altair as alt
        import vl_convert as vlc
    except ImportError:
        return False
    rows = []
    for name, e in results["instances"].items():
        for key, label in (("cpsat_summary", "CP-SAT"), ("highs_summary", "HiGHS per person")):
            c = e.get(key)
            if not c or c["time_s"] is None:
                continue
            rows.append({
                "instance": name, "staff": e["staff"], "seconds": round(c["time_s"], 3),
                "solver": label,
                "result": "proven optimal"
                if c["all_optimal"]
                else "stopped at CP-SAT's gap"
                if "gap reached" in c["statuses"]
                else "time limit (plan or none)",
                "label": name if e["group"] != "province-like" and label == "CP-SAT" else "",
            })  # fmt: skip
    if not rows:
        return False
    base = alt.Chart(alt.Data(values=rows))
    x = alt.X("staff:Q", scale=alt.Scale(type="log"), title="staff (log scale)")
    clock = "idle-equivalent" if AXIS["axis"] else "wall"
    y = alt.Y("seconds:Q", scale=alt.Scale(type="log"), title=f"median {clock} s (log scale)")
    points = base.mark_point(size=80, filled=True, opacity=0.8).encode(
        x=x,
        y=y,
        color=alt.Color("solver:N", title="solver"),
        shape=alt.Shape("result:N", title="result"),
    )
    labels = base.mark_text(align="left", dx=7, dy=-6, fontSize=10).encode(x=x, y=y, text="label:N")
    chart = (points + labels).properties(
        width=560, height=320, title="Solve time against size (2 cores; time limits apply)"
    )
    path.write_text(vlc.vegalite_to_svg(chart.to_dict()), encoding="utf-8")
    return True


def dominating(results: dict[str, Any]) -> list[str]:
    """Bullets on what the time goes into, computed from the runs."""
    out = []
    for name, e in results["instances"].items():
        c = e["cpsat_summary"]
        if c["time_s"] is None:
            continue
        wall = c["time_s"]
        parts = []
        if c["build_s"] is not None and c["build_s"] > 0.15 * (c["wall_s"] or 1):
            parts.append(
                f"Python model building {_s(c['build_s'])} s of {_s(c['wall_s'])} s wall "
                f"({c['build_s'] / c['wall_s']:.0%})"
            )
        if not c["all_optimal"] and c["last_improvement_s"] is not None:
            parts.append(
                f"last better plan at {_s(c['last_improvement_s'])} s, then "
                f"{_s(wall - c['last_improvement_s'])} s of search that left a gap of "
                f"{_gap(c['gap'])} (objective {_int(c['objective'])}, bound {_int(c['bound'])})"
            )
        if c["all_optimal"] and c["last_improvement_s"] is not None:
            parts.append(
                f"optimum found at {_s(c['last_improvement_s'])} s, proven at {_s(wall)} s"
            )
        if c["gap"] is None:
            parts.append(
                f"no plan within {_s(e['time_limit'], 0)} s in {c['statuses'].get('timeout', 0)} of "
                f"{c['runs']} runs (median dtime {_s(c['det_time'])}, CPU {_s(c['cpu_s'])} s)"
            )
        if c["cpu_s"] and c["wall_s"]:
            parts.append(
                f"{c['cpu_s'] / c['wall_s']:.2f} cores' worth of CPU (load {_s(c['load1'], 1)})"
            )
        if parts:
            out.append(f"- **{name}**: " + "; ".join(parts) + ".")
    return out


def communes_section() -> list[str]:
    path = RESULTS / "communes.json"
    if not path.exists():
        return []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except ValueError:
        return []
    lines = ["## Every commune (`benchmarks/communes.py`)", ""]
    lines += [
        "Figures from `benchmarks/results/communes.json`, written by "
        "`python -m benchmarks.communes` (`make bench` runs it before this script).",
        "",
        "| mode | communes | processes | total s | batch s | median s / commune | p95 s | "
        "statuses | peak MB / worker | goal (< 300 s) |",
        "|---|---:|---:|---:|---:|---:|---:|---|---:|---|",
    ]
    for mode in ("full", "tables_only"):
        f = data.get(mode)
        if not isinstance(f, dict):
            continue
        st = ", ".join(f"{k} {v}" for k, v in (f.get("statuses") or {}).items())
        lines.append(
            f"| {mode.replace('_', ' ')} | {f.get('communes', '—'):,} | {f.get('processes', '—')} | "
            f"{_s(f.get('total_s'))} | {_s(f.get('batch_wall_s'))} | "
            f"{_s(f.get('per_scenario_median_s'), 3)} | {_s(f.get('per_scenario_p95_s'), 3)} | {st} | "
            f"{_s(f.get('peak_rss_mb_worker'), 0)} | "
            f"{'met' if f.get('goal_met') else 'not met'} ({f.get('date', '')}) |"
        )
    split = (data.get("full") or {}).get("split_ms") if isinstance(data.get("full"), dict) else None
    if isinstance(split, dict) and split:
        steps = "; ".join(f"{k} {v:.1f}" for k, v in split.items() if k != "total")
        lines += [
            "",
            f"Where a plan's time goes (full mode, ms per commune, steps timed one by one): "
            f"{steps}; total {split.get('total', 0):.1f}.",
        ]
    return [*lines, ""]


def diagnostics_section() -> list[str]:
    """Diagnostic runs kept as ``benchmarks/results/diagnostics-*.json`` (``--only
    province-no-imbalance resolve resolve-full-hint --results …``), summarised."""
    files = sorted(RESULTS.glob("diagnostics-*.json"))
    if not files:
        return []
    lines = [
        "## Diagnostics",
        "",
        "Separate runs of the diagnostic instances (`benchmarks/instances.py`), kept in",
        "`benchmarks/results/diagnostics-*.json` and summarised here:",
        "**province-no-imbalance** is the province with `objective.imbalance = 0`;",
        "**resolve-full-hint** is the re-solve with the hint completed to every variable before",
        "the solve (the hinted decision variables fixed, a one-worker solve without objective for",
        "the rest). Since 2026-11-27 `planner.solve` completes every hint itself",
        "(`planner.cpsat.builder.complete_hint`), so **resolve** measures the same thing.",
        "",
        "| file | clock | instance | status | objective | gap | s | first s | dtime | command |",
        "|---|---|---|---|---:|---:|---:|---:|---:|---|",
    ]
    for f, data in _recorded(files):
        for name, e in data["instances"].items():
            c = summarize(e["cpsat"])
            lines.append(
                f"| {f.name} | {data.get('clock', 'wall')} | {name} | {_status(c)} | "
                f"{_int(c['objective'])} | {_gap(c['gap'])} | {_s(c['time_s'])} | "
                f"{_s(c['first_time_s'])} | {_s(c['det_time'])} | `{data['command']}` |"
            )
    return [*lines, ""]


def _recorded(files: list[Path]) -> Iterator[tuple[Path, dict[str, Any]]]:
    """Each recorded results file with its data, the report's clock set to the file's
    own while it is in use (and restored afterwards)."""
    keep = AXIS["axis"]
    try:
        for f in files:
            data = json.loads(f.read_text(encoding="utf-8"))
            set_clock(data.get("clock", "wall"))
            yield f, data
    finally:
        AXIS["axis"] = keep


def other_runs_section() -> list[str]:
    """The goals as judged by other full runs kept in ``benchmarks/results/*.json``."""
    skip = {"latest.json", "communes.json"}
    files = [
        f
        for f in sorted(RESULTS.glob("*.json"))
        if f.name not in skip and not f.name.startswith("diagnostics-")
    ]
    if not files:
        return []
    lines = [
        "## Other recorded runs",
        "",
        "Runs recorded before 2026-11-27 counted the bounds of the restricted first-plan model",
        "as bounds of the scenario (a harness bug, fixed then): their central and ministry gaps",
        "are understated.",
        "",
    ]
    for f, data in _recorded(files):
        if "instances" not in data:  # another probe's results (bound-probe-*.json)
            continue
        for e in data["instances"].values():
            e["cpsat_summary"] = summarize(e["cpsat"])
            if e.get("highs"):
                e["highs_summary"] = summarize(e["highs"])
        m = data["machine"]
        loads = [r.get("load1_start") for e in data["instances"].values() for r in e["cpsat"]]
        lines += [
            f"`{f.name}`: `{data['command']}`, {data['date']}, {data.get('clock', 'wall')} "
            f"clock, median load average {_s(median(loads), 1)} on {m['cores']} cores.",
            "",
            "| goal | where it stood | verdict |",
            "|---|---|---|",
            *(f"| {g} | {w} | {v} |" for g, w, v in goals(data)),
            "",
        ]
    return lines


def write_report(results: dict[str, Any], out: Path) -> None:
    m = results["machine"]
    out.parent.mkdir(parents=True, exist_ok=True)
    svg = out.parent / SVG_NAME
    set_clock(results.get("clock", "wall"))
    inst = results["instances"]
    for e in inst.values():  # recomputed: the summaries follow this code, not the stored copy
        e["cpsat_summary"] = summarize(e["cpsat"])
        if e.get("highs"):
            e["highs_summary"] = summarize(e["highs"])
    has_svg = time_vs_size_svg(results, svg)
    idle = results.get("clock") == "idle"
    clock_name = "idle-equivalent" if idle else "wall"
    other_name = "wall" if idle else "idle-eq"
    L: list[str] = [
        "# Benchmarks",
        "",
        "Rewritten by `benchmarks/run.py`; do not edit by hand. Regenerate with `make bench`",
        "(`python -m benchmarks.run`); `--quick` for a short run, `--only NAME …` for some",
        "instances, `--render` to rewrite this page from `benchmarks/results/latest.json`.",
        "",
        f"- command: `{results['command']}`" + (" (quick: shorter limits, fewer instances)" if results.get("quick") else ""),
        *(f"- then `{m_['command']}` ({m_['date']}), merged: its instances replace those above"
          for m_ in results.get("merged", [])),
        f"- date: {results['date']}; CP-SAT runs per instance: {results['repeats']} (medians)",
        f"- machine: {m['cores']} cores, {m['cpu']}, {m.get('memory_gb')} GB; {m['os']}",
        f"- python {m['python']}, ortools {m['ortools']}, highspy {m['highspy']}",
        f"- 1-minute load average: {m.get('load1_at_start')} at start, {m.get('load1_at_end', '—')} at end",
        "",
    ]  # fmt: skip
    loads = [r.get("load1_start") for e in inst.values() for r in e["cpsat"]]
    med_load = median(loads)
    shares = [
        r["cpu_s"] / r["wall_s"]
        for e in inst.values()
        for r in e["cpsat"]
        if r.get("cpu_s") and r.get("wall_s")
    ]
    med_share = median(shares)
    got_machine = med_share is not None and m["cores"] and med_share >= 0.9 * m["cores"]
    if med_load is not None and m["cores"] and med_load > m["cores"] and not got_machine:
        L += [
            f"> **The machine was loaded** (median load average {med_load:.1f} on {m['cores']} cores "
            "during the runs, from other work on the same machine): wall-clock figures are slower",
            "> than on an idle machine. CP-SAT's deterministic time (`dtime`) does not depend on load;",
            "> `cores` = CPU seconds / wall seconds is the share of the machine the run actually got.",
            "",
        ]
    elif med_load is not None and m["cores"] and med_load > m["cores"]:
        L += [
            f"> The load average (median {med_load:.1f} on {m['cores']} cores) counts the benchmark's "
            "own solver threads (CP-SAT's workers time-share the cores); the runs got a median of",
            f"> {med_share:.2f} cores of CPU (`cores` column), so the machine was otherwise idle.",
            "",
        ]
    if idle:
        L += [
            "> **Clock: idle-equivalent seconds** (`--clock idle`). Limits and times are CPU seconds",
            "> spent inside the solver ÷ cores, plus CPU seconds of the serial Python phases (model",
            "> building, extraction, checking): what the same work takes on an idle machine of this",
            f"> many cores ({m['cores']}). Wall seconds on this loaded machine are given beside them.",
            "",
        ]
    L += ["## Goals", "", f"Times on the {clock_name} clock.", "",
          "| goal | where it stands | verdict |", "|---|---|---|"]  # fmt: skip
    L += [f"| {g} | {w} | {v} |" for g, w, v in goals(results)]
    L += [
        "",
        "## CP-SAT (`planner.solve`) per instance",
        "",
        f"Seconds ({clock_name} clock) run from the call of `planner.search.solve.solve` (model building",
        "included) to its return (plan extracted and checked); *first* is the first plan, *build*",
        "the Python model building (wall), *dtime* CP-SAT's deterministic time, *cores* CPU seconds",
        "÷ wall seconds (the share of the machine the run got); objective, bound and gap are those",
        "of the run with the median gap. *timeout* = no plan within the limit. Every plan is",
        "verified by `planner.check` (*check*: plans that passed / runs).",
        "",
        "| instance | staff | units | functions | depts | classes | limit s | status | objective | bound "
        f"| bound from | gap | s | first s | {other_name} s | build s | dtime | cores | peak MB | check |",
        "|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]  # fmt: skip
    for name, e in inst.items():
        c = e["cpsat_summary"]
        cores = (c["cpu_s"] / c["wall_s"]) if c["cpu_s"] and c["wall_s"] else None
        L.append(
            f"| {name} | {e['staff']:,} | {e['units']} | {e['functions']:,} | {e['departments']} | "
            f"{e.get('classes') or '—'} | {_s(e['time_limit'], 0)} | {_status(c)} | "
            f"{_int(c['objective'])} | {_int(c['bound'])} | {c.get('bound_from') or '—'} | "
            f"{_gap(c['gap'])} | {_s(c['time_s'])} | "
            f"{_s(c['first_time_s'])} | {_s(c['other_s'])} | {_s(c['build_s'])} | "
            f"{_s(c['det_time'])} | {_s(cores)} | "
            f"{_s(c['peak_mb'], 0)} | {_check(c)} |"
        )
    L += [
        "",
        "Instances: "
        + "; ".join(
            f"**{n}** = {e['source']}" for n, e in inst.items() if e["group"] != "province-like"
        ),
    ]
    if any(e["group"] == "province-like" for e in inst.values()):
        L[-1] += '; **province-s*N*** = `generate("province", seed=N)`'
    L += [""]
    if has_svg:
        L += [f"![solve time against size]({SVG_NAME})", "", f"([{SVG_NAME}]({SVG_NAME}))", ""]
    comps = [(n, comparison(e)) for n, e in inst.items()]
    comps = [(n, c) for n, c in comps if c]
    if comps:
        L += [
            "## CP-SAT against HiGHS on the same model per person",
            "",
            "`benchmarks/highs_baseline.py`: one binary per person × department × role (and exit),",
            "y[f,d], z[f,o], every constraint C1–C13 and every §4 term with the same exact arithmetic,",
            "big-M host binaries for disruption and fragmentation, the payroll floor as an integer",
            "variable, the same department-symmetry cuts; HiGHS with `threads = 2`, gap tolerances 0.",
            "Its plan is rebuilt as a `Plan` and verified by `planner.check`; *objective* is the",
            "checker's. Gaps of HiGHS use ⌈dual bound⌉ (every plan's objective is an integer).",
            "",
            "*Time to gap g*: seconds from the call until a plan within g of the solver's own bound —",
            "g = the gap CP-SAT reaches within its limit (0 when proven optimal), and 1 %. The ratio is",
            "HiGHS ÷ CP-SAT (> when HiGHS did not get there within its limit: a lower bound). HiGHS",
            "stops once within min(g, 1 %) of its bound; at province scale its limit is",
            f"max(limit, {results.get('highs_factor', 10):g} × CP-SAT's time to g), at most "
            f"{results.get('highs_cap', 100):g} s, so that a ≥ 10× ratio can be decided.",
            f"Times on the {clock_name} clock; *{other_name} ratio*: the same on the other clock.",
            "On a loaded machine CP-SAT's 8 threads get a larger share of the CPU than HiGHS' mostly",
            "serial branch and bound, which flatters CP-SAT on the wall clock; the idle-equivalent",
            "clock divides HiGHS' CPU seconds by the cores too, which flatters HiGHS. Read both.",
            "",
            "| instance | HiGHS columns / rows | HiGHS limit s | HiGHS status | HiGHS objective | HiGHS gap "
            f"| check | g | CP-SAT s to g | HiGHS s to g | ratio | {other_name} ratio | CP-SAT s to 1 % | HiGHS s to 1 % | ratio 1 % |",
            "|---|---:|---:|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]  # fmt: skip
        for name, c in comps:
            h = c["highs"]
            same, one = c.get("same"), c.get("one")
            hgap = gap_of(
                h.get("objective_raw"),
                math.ceil(h["bound"] - 1e-6) if h.get("bound") is not None else None,
            )
            check = (
                "ok" if h.get("check_ok") else ("**FAILED**" if h.get("check_ok") is False else "—")
            )
            L.append(
                f"| {name} | {_int(h.get('columns'))} / {_int(h.get('rows'))} | {_s(c['highs_limit'], 0)} | "
                f"{h.get('status')} | {_int(h.get('objective'))} | {_gap(hgap)} | {check} | "
                f"{_gap(same and same['target'])} | {_s(same and same['cp_wall'])} | {_s(same and same['h_wall'])} | "
                f"{_ratio(same)} | {_ratio(same, 'ratio_cpu')} | {_s(one and one['cp_wall'])} | "
                f"{_s(one and one['h_wall'])} | {_ratio(one)} |"
            )  # fmt: skip
        L += [""]
    L += communes_section()
    L += diagnostics_section()
    L += other_runs_section()
    L += family_section()  # issue 14's structural family (benchmarks/family.py)
    bullets = dominating(results)
    if bullets:
        L += ["## Where the time goes (CP-SAT, medians)", "", *bullets, ""]
    L += [
        "## How it is measured",
        "",
        "- Every solve runs in a fresh process (`multiprocessing` spawn); peak MB is that process's",
        "  `ru_maxrss` (Python, OR-Tools, the scenario and the model).",
        "- The scenario is read or generated once in the parent and handed over pickled; generation",
        "  time is not counted. The re-solve is hinted with the best province plan of the same run.",
        "- Times come from `on_progress` (plans) and CP-SAT's `best_bound_callback` (bounds) in the",
        "  child, against the moment `solve` was called; HiGHS from its MIP callbacks.",
        "- Idle-equivalent seconds (`--clock idle`, and the *idle-eq* columns): CPU seconds inside",
        "  the solver ÷ cores + CPU seconds of the serial Python phases, from `getrusage`; with",
        "  `--clock idle` the limits are enforced on that clock (`solve`'s `stop` event, HiGHS'",
        "  interrupt callback).",
        "- Raw runs: `benchmarks/results/latest.csv` (one row per run) and `latest.json` (with traces).",
        "",
    ]
    L += kept_sections(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(L), encoding="utf-8")


KEPT = ("spot-checks", "bound-goals", "roadmap", "load", "load-profile", "stress")
"""Sections of the page written by other benchmarks (``benchmarks/roadmap.py``) or by hand
(single spot checks with their commands), kept as they
are between ``<!-- NAME:start -->`` and ``<!-- NAME:end -->`` when this report rewrites it."""


def kept_sections(out: Path) -> list[str]:
    """The marked sections of ``out`` that other benchmarks own, markers included."""
    if not out.exists():
        return []
    text = out.read_text(encoding="utf-8")
    lines: list[str] = []
    for name in KEPT:
        start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
        if start in text and end in text:
            i, j = text.index(start), text.index(end) + len(end)
            lines += ["", text[i:j], ""]
    return lines
