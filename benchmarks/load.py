"""Load on a team server: N planners press Solve on the province at once (issue 23).

Drives real browsers (Debian's chromium through Playwright, 127.0.0.1 only) against
``planner app`` with a workspace of its own, and measures what a planner sees:

1. **alone** — one planner solves the province as given: the single-solve time;
2. **distinct** — N planners each press Solve within one second, each with another
   question: planner *i* weighs disruption a little more (``objective.disruption`` =
   ``DISTINCT_WEIGHTS[i]``: 2010, 2020, …; each feasible, each solved to optimality
   alone), so the queue must really solve N questions one after another. When the last result
   arrives, whether every plan is proven optimal, how long a new visitor's page takes
   to load meanwhile, and a planner who closes the tab mid-solve finds the run in the
   workspace history. (Another time limit alone is not another question: a proven
   optimum answers it, in flight or from the workspace.)
3. **same** — N planners press Solve on the province as given, on a server with a new
   workspace (which has not seen the question): one search, shared in flight, the same
   plan for everybody (``staff.csv`` compared byte for byte);
4. **dask** — ``planner app --scheduler`` against a local Dask scheduler with two
   workers, two planners with two questions: the solves run on the workers (the run's
   record names the worker).

Every process it starts (the app, the scheduler, the workers) runs in its own process
group and is stopped by that group's id when its phase ends, pass or fail.

Run: ``python -m benchmarks.load [--planners 10] [--phases alone,distinct,same,dask]``
(``make bench`` runs it). Prints a table, writes ``benchmarks/results/load.csv`` and the
"Team server under load" section of ``docs/benchmarks.md``.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import logging
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.browser import ARGS, CHROMIUM, new_page, open_page, settle
from benchmarks.harness import replace_section

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "benchmarks.md"
CSV = ROOT / "benchmarks" / "results" / "load.csv"
PROVINCE_DONE = "[data-testid='stMetricValue']:has-text('33 → 6')"
SOLVE_BUTTON = "Giải"
LIMIT_LABEL = "Giới hạn thời gian (giây)"
SETTINGS_PAGE, PLAN_PAGE = "Thiết lập", "Giải & phương án"
OBJECTIVE_TAB, WEIGHT_LABEL = "Hàm mục tiêu", "Trọng số: xáo trộn công việc"
BASE_LIMIT = 60
DISTINCT_WEIGHTS = tuple(2000 + 10 * k for k in range(1, 17))
"""``objective.disruption`` of the distinct phase's planners (the province weighs 2000):
2010, 2020, … — each another objective, so another search to prove its optimum, of about
the province's own difficulty (on this machine, alone: 10-45 s, against 12-30 s for the
province; ``targets.min_reduction`` 0.105-0.15 took 35-60 s and more). Each is feasible:
``planner solve data/quang_ninh_province --set objective.disruption=2010`` proves its
optimum. The last one used goes to the planner who closes the tab."""
DASK_WEIGHTS = (2010, 2020)
"""Two questions for the cluster's two workers (the phase shows where solves run)."""


log = logging.getLogger("benchmarks.load")


# -- processes -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def process_group(command: list[str], env: dict[str, str], log_file: Path) -> Iterator[Any]:
    """Start ``command`` in a process group of its own; stop that group (by its id) at the end:
    SIGTERM, then SIGKILL after 15 s. Its children (Streamlit, the solver pool) go with it."""
    with open(log_file, "ab") as out:
        proc = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    try:
        yield proc
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(15)
        with contextlib.suppress(ProcessLookupError):  # whatever of the group is left
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(5)


def _wait_until(ok: Any, proc: Any, what: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while not ok():
        if proc.poll() is not None:
            raise RuntimeError(f"{what} ended with exit code {proc.returncode}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not start in {timeout:.0f} s")
        time.sleep(0.3)


def _http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as r:
            return bool(r.status == 200)
    except OSError:
        return False


def _port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0


@contextlib.contextmanager
def app_server(db: str, logs: Path, extra: list[str] | None = None) -> Iterator[str]:
    """``planner app`` on a free 127.0.0.1 port with the workspace ``db``; its URL."""
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""),
        "KHOI_DATABASE_URL": db,
        "KHOI_AUTHOR": "bench",
        "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
    }
    command = [sys.executable, "-m", "planner", "app", "--port", str(port), *(extra or [])]
    with process_group(command, env, logs / "app.log") as proc:
        url = f"http://127.0.0.1:{port}/"
        _wait_until(lambda: _http_ok(url + "_stcore/health"), proc, "planner app")
        _GROUPS[url] = proc.pid
        try:
            yield url
        finally:
            _GROUPS.pop(url, None)


_GROUPS: dict[str, int] = {}
"""The process group of each running app server, by URL."""


def quiet(url: str, timeout: float = 90.0) -> None:
    """Until the app's processes are quiet: its first visit starts the solver processes and
    the queue's clerk, which spend seconds importing OR-Tools; a page loaded meanwhile is
    not a page loaded on an idle server."""
    import psutil

    def used() -> float:
        total = 0.0
        for proc in psutil.process_iter():
            with contextlib.suppress(psutil.Error, ProcessLookupError):
                if os.getpgid(proc.pid) == _GROUPS[url]:
                    times = proc.cpu_times()
                    total += times.user + times.system
        return total

    deadline = time.monotonic() + timeout
    before = used()
    while time.monotonic() < deadline:
        time.sleep(2.0)
        now = used()
        if now - before < 0.2:  # under a tenth of a core
            return
        before = now
    log.warning("the app was still busy after %.0f s", timeout)


BARE_APP = 'import streamlit as st\n\nst.title("Khối")\nst.metric("33", 33)\n'
"""The least a Streamlit page can be: the floor under any page load of the app."""


@contextlib.contextmanager
def bare_server(logs: Path) -> Iterator[str]:
    """Streamlit serving ``BARE_APP`` (a title and one metric) on a free 127.0.0.1 port: what
    a new visitor's browser needs for any Streamlit page (its scripts, the connection)."""
    port = free_port()
    app = logs / "bare_app.py"
    app.write_text(BARE_APP, encoding="utf-8")
    command = [sys.executable, "-m", "streamlit", "run", str(app), "--server.port", str(port)]
    command += ["--server.address", "127.0.0.1", "--server.headless", "true"]
    command += ["--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]
    with process_group(command, dict(os.environ), logs / "bare.log") as proc:
        url = f"http://127.0.0.1:{port}/"
        _wait_until(lambda: _http_ok(url + "_stcore/health"), proc, "bare streamlit")
        yield url


@contextlib.contextmanager
def dask_cluster(logs: Path, workers: int = 2) -> Iterator[str]:
    """A Dask scheduler and ``workers`` single-threaded worker processes on 127.0.0.1."""
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    scheduler = [sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1"]
    scheduler += ["--port", str(port), "--no-dashboard"]
    worker = [sys.executable, "-m", "distributed.cli.dask_worker", address, "--nworkers"]
    worker += [str(workers), "--nthreads", "1", "--no-dashboard", "--host", "127.0.0.1"]
    with process_group(scheduler, env, logs / "scheduler.log") as sched:
        _wait_until(lambda: _port_open(port), sched, "dask scheduler")
        with process_group(worker, env, logs / "workers.log") as work:
            from distributed import Client

            def joined() -> bool:
                with Client(address, timeout="5s", set_as_default=False) as c:
                    return len(c.scheduler_info()["workers"]) >= workers

            _wait_until(joined, work, "dask workers")
            yield address


# -- browsers -----------------------------------------------------------------------------------


def _new_page(browser: Any) -> tuple[Any, Any]:
    """A fresh browser session (context) in Vietnamese at a laptop's size."""
    return new_page(browser, locale="vi-VN", width=1280, height=1000)


PAGE_LOAD_LIMIT = 180.0
"""Seconds a measured page load may take before it is recorded as that (not waited for)."""


def page_load(browser: Any, url: str) -> float:
    """Seconds until a new visitor sees the Scenario page with its figures (at most
    ``PAGE_LOAD_LIMIT``: a page that takes longer is recorded as taking that long)."""
    context, page = _new_page(browser)
    page.set_default_timeout(PAGE_LOAD_LIMIT * 1000)
    try:
        start = time.perf_counter()
        try:
            page.goto(url, wait_until="domcontentloaded")
            page.wait_for_selector("[data-testid='stMetric']")
        except Exception:  # noqa: BLE001 - playwright's TimeoutError: the limit is the figure
            log.warning("a page load took more than %.0f s", PAGE_LOAD_LIMIT)
            return PAGE_LOAD_LIMIT
        return time.perf_counter() - start
    finally:
        context.close()


def ready_to_solve(
    browser: Any, url: str, limit: float, disruption: int | None = None
) -> tuple[Any, Any]:
    """A planner on the Plan page with the time limit ``limit`` and, when given, the weight
    of disruption ``disruption`` set on the Settings page: ready to press Solve."""
    context, page = _new_page(browser)
    page.set_default_timeout(PAGE_LOAD_LIMIT * 1000)
    if disruption is not None:
        page.goto(url + "settings", wait_until="domcontentloaded")
        page.get_by_role("tab", name=OBJECTIVE_TAB).click()
        box = page.get_by_role("spinbutton", name=WEIGHT_LABEL)
        box.wait_for(timeout=120_000)
        box.fill(str(disruption))
        box.press("Enter")
        settle(page, 0.5)
        open_page(page, PLAN_PAGE, timeout=30.0)
    else:
        page.goto(url + "plan", wait_until="domcontentloaded")
    box = page.get_by_role("spinbutton", name=LIMIT_LABEL)
    box.wait_for(timeout=120_000)
    if float(box.input_value() or 0) != limit:
        box.fill(str(int(limit)))
        box.press("Enter")
        settle(page, 0.5)
    return context, page


def press_solve(page: Any) -> None:
    page.get_by_role("button", name=SOLVE_BUTTON, exact=True).click()


# -- the workspace's view ---------------------------------------------------------------------


def runs_after(db: str, since: float) -> list[Any]:
    """Runs recorded since ``since`` (epoch seconds), oldest first."""
    from planner.workspace import open_store

    with open_store(db) as store:
        return [i for i in reversed(store.items("run")) if i.created_at.timestamp() >= since - 1.0]


def wait_runs(db: str, since: float, n: int, timeout: float) -> list[Any]:
    deadline = time.monotonic() + timeout
    while True:
        runs = runs_after(db, since)
        if len(runs) >= n or time.monotonic() > deadline:
            return runs
        time.sleep(1.0)


def staff_csv(db: str, item: Any) -> bytes:
    from planner.workspace import open_store

    with open_store(db) as store:
        return store.files_of(item).get("staff.csv", b"")


# -- phases -----------------------------------------------------------------------------------


def alone(browser: Any, url: str, db: str, limit: float) -> dict[str, Any]:
    context, page = ready_to_solve(browser, url, limit)
    try:
        t0 = time.time()
        press_solve(page)
        page.wait_for_selector(PROVINCE_DONE, timeout=int((limit + 120) * 1000))
        seen = time.time() - t0
        (run,) = wait_runs(db, t0, 1, 60)[-1:]
        return {
            "phase": "alone",
            "planners": 1,
            "solves": 1,
            "optimal": int(run.run["status"] == "optimal"),
            "single_s": round(seen, 1),
            "last_result_s": round(seen, 1),
            "runtime_s": run.run["runtime_s"],
        }
    finally:
        context.close()


def together(
    browser: Any,
    url: str,
    db: str,
    planners: int,
    single: float,
    *,
    distinct: bool,
    bare: str | None = None,
) -> dict[str, Any]:
    """N planners press Solve within a second; a new visitor loads a page meanwhile (and
    the ``bare`` Streamlit page after each, the floor under the same load); one more
    planner presses Solve and closes the tab at once. ``distinct``: each planner asks
    another weight of disruption (``DISTINCT_WEIGHTS``); else all ask the province as given."""
    if distinct and planners + 1 > len(DISTINCT_WEIGHTS):
        raise SystemExit(f"at most {len(DISTINCT_WEIGHTS) - 1} planners (DISTINCT_WEIGHTS)")
    asked: list[int | None] = (
        list(DISTINCT_WEIGHTS[: planners + 1]) if distinct else [None] * (planners + 1)
    )
    sessions = [ready_to_solve(browser, url, BASE_LIMIT, x) for x in asked[:planners]]
    closer = ready_to_solve(browser, url, BASE_LIMIT, asked[planners])
    try:
        t0 = time.time()
        for _, page in sessions:
            press_solve(page)
        clicks = time.time() - t0
        press_solve(closer[1])
        time.sleep(0.5)
        closer[0].close()  # the tab is gone while its solve waits or runs
        loads, floors = [], []
        for _ in range(3):
            time.sleep(2.0)
            loads.append(page_load(browser, url))
            if bare is not None:
                floors.append(page_load(browser, bare))
        budget = max(600.0, 12 * single * (planners + 1))
        for _, page in sessions:
            left = max(1.0, budget - (time.time() - t0))
            page.wait_for_selector(PROVINCE_DONE, timeout=int(left * 1000))
        seen_last = time.time() - t0
        # the closed tab's solve was queued last: wait for its record too (it ends the phase,
        # so that the next phase counts only its own runs)
        runs = wait_runs(db, t0, planners + 1, max(120.0, budget - (time.time() - t0)))
        statuses = [r.run["status"] for r in runs]
        ours = runs[: planners + 1]
        same_staff = None
        if not distinct:
            tables = {staff_csv(db, r) for r in ours}
            same_staff = len(tables) == 1 and b"" not in tables
        solved_on = [r.run.get("solver", {}).get("ran_on", {}).get("backend") for r in ours]
        searched = [r for r, b in zip(ours, solved_on, strict=True) if b in ("local", "dask")]
        return {
            "phase": "distinct" if distinct else "same",
            "planners": planners,
            "clicks_s": round(clicks, 2),
            "solves": sum(b not in (None, "workspace", "shared") for b in solved_on),
            "optimal": sum(s == "optimal" for s in statuses[: planners + 1]),
            "runs_recorded": len(ours),
            "closed_tab_recorded": int(len(ours) == planners + 1),
            "single_s": round(single, 1),
            "last_result_s": round(seen_last, 1),
            "ratio_to_single": round(seen_last / single, 2),
            "solving_s": round(sum(r.run["runtime_s"] for r in searched), 1),
            "page_load_max_s": round(max(loads), 2),
            "page_loads_s": " ".join(f"{x:.2f}" for x in loads),
            "page_load_floor_s": round(max(floors), 2) if floors else None,
            "identical_staff_csv": same_staff,
        }
    finally:
        for context, _ in sessions:
            with contextlib.suppress(Exception):
                context.close()


def on_dask(browser: Any, url: str, db: str, workers: set[str]) -> dict[str, Any]:
    """Two planners with different questions: both solves run on the cluster's workers."""
    sessions = [ready_to_solve(browser, url, 30, x) for x in DASK_WEIGHTS]
    try:
        t0 = time.time()
        for _, page in sessions:
            press_solve(page)
        for _, page in sessions:
            page.wait_for_selector(PROVINCE_DONE, timeout=600_000)
        seen = time.time() - t0
        runs = wait_runs(db, t0, 2, 60)
        where = [r.run.get("solver", {}).get("ran_on", {}) for r in runs]
        return {
            "phase": "dask",
            "planners": 2,
            "solves": len(runs),
            "optimal": sum(r.run["status"] == "optimal" for r in runs),
            "last_result_s": round(seen, 1),
            "on_workers": sum(w.get("worker") in workers for w in where),
            "workers_used": len({w.get("worker") for w in where} & workers),
        }
    finally:
        for context, _ in sessions:
            context.close()


# -- the report ---------------------------------------------------------------------------------


COLUMNS = [
    "phase", "planners", "clicks_s", "solves", "optimal", "runs_recorded", "closed_tab_recorded",
    "single_s", "last_result_s", "ratio_to_single", "solving_s", "page_load_idle_s",
    "page_load_floor_s", "page_load_max_s", "page_loads_s",
    "identical_staff_csv", "on_workers", "workers_used", "runtime_s", "load_avg_1m",
]  # fmt: skip


def write_outputs(rows: list[dict[str, Any]], command: str, load: str) -> None:
    CSV.parent.mkdir(parents=True, exist_ok=True)
    with open(CSV, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=COLUMNS)
        w.writeheader()
        for row in rows:
            w.writerow({k: row.get(k, "") for k in COLUMNS})
    table = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for row in rows:
        table.append("| " + " | ".join(str(row.get(k, "")) for k in COLUMNS) + " |")
    print("\n".join(table))
    section = [
        "<!-- load:start -->",
        "## Team server under load (`benchmarks/load.py`, issue 23)",
        "",
        f"`{command}` on {datetime.now(UTC):%Y-%m-%d}, {os.cpu_count()} cores, {load}.",
        "Real browsers (Debian chromium, Playwright) against `planner app` with a fresh workspace;",
        "times are what the planners' pages show (click to the plan's figures). `alone`: one",
        "planner, the province as given, 59 s limit. `distinct`: every planner another",
        "question, the weight of disruption 2010, 2020, … instead of 2000 (each feasible, each",
        "a search of its own; `solving_s`: the CP-SAT time of the phase's solves, added up).",
        "`same`: every planner the province as given,",
        "on a server whose workspace has not seen it (one search, shared in flight). One more",
        "planner presses Solve and closes the tab at once (`closed_tab_recorded`: its run is in",
        "the workspace history). `page_load_*`: a new visitor's Scenario page until its figures",
        "(the metrics) show, idle and while the solves run; `page_load_floor_s`: the same for a",
        "Streamlit page of a title and one metric on this machine, idle and right after each",
        "of the app's page loads (what any page costs a new visitor's browser under the same",
        "load). `dask`: two planners, two questions, 30 s, on a local scheduler with two",
        "single-threaded workers.",
        "",
        "Goals (issue 23): every plan proven optimal and the last result within 10 × the",
        "single-solve time (`ratio_to_single` ≤ 10); a page load during the solves < 2 s; the",
        "closed tab's run recorded; on Dask, the solves on the workers; the same settings →",
        "identical `staff.csv`.",
        "",
        *table,
        "<!-- load:end -->",
    ]
    replace_section(DOC, section)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--planners", type=int, default=10)
    ap.add_argument("--phases", default="alone,distinct,same,dask")
    ap.add_argument(
        "--report-only",
        metavar="COMMAND",
        help="rewrite the docs section from benchmarks/results/load.csv (the command that made it)",
    )
    args = ap.parse_args(argv)
    if args.report_only:
        with open(CSV, encoding="utf-8") as f:
            kept = [{k: v for k, v in row.items() if v != ""} for row in csv.DictReader(f)]
        write_outputs(kept, args.report_only, "loaded by other work (see the figures' date)")
        return 0
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(message)s")
    log.setLevel(logging.INFO)
    if not CHROMIUM.exists():
        print("Debian's /usr/bin/chromium is missing (make browser)", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    phases = args.phases.split(",")
    rows: list[dict[str, Any]] = []
    load_before = os.getloadavg()[0]  # other people's work on a shared machine
    with (
        tempfile.TemporaryDirectory(prefix="khoi-load-") as tmp,
        sync_playwright() as p,
        contextlib.ExitStack() as stack,
    ):
        logs = Path(tmp)
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            bare = stack.enter_context(bare_server(logs))
            page_load(browser, bare)
            floor = min(page_load(browser, bare) for _ in range(3))
            db = f"sqlite:///{logs / 'workspace.db'}"
            with app_server(db, logs) as url:
                page_load(browser, url)  # the first visit warms the server's caches
                quiet(url)  # … and starts the solver processes, which import OR-Tools
                idle = min(page_load(browser, url) for _ in range(3))
                single = 0.0
                if "alone" in phases or "distinct" in phases or "same" in phases:
                    rows.append(alone(browser, url, db, BASE_LIMIT - 1))
                    rows[-1]["page_load_idle_s"] = round(idle, 2)
                    rows[-1]["page_load_floor_s"] = round(floor, 2)
                    single = rows[-1]["single_s"]
                    rows[-1]["load_avg_1m"] = round(os.getloadavg()[0], 1)  # others' work too
                    log.info("alone: %s", rows[-1])
                if "distinct" in phases:
                    rows.append(
                        together(browser, url, db, args.planners, single, distinct=True, bare=bare)
                    )
                    rows[-1]["load_avg_1m"] = round(os.getloadavg()[0], 1)  # others' work too
                    log.info("distinct: %s", rows[-1])
            if "same" in phases:  # a workspace that has not seen the question: one search
                db_same = f"sqlite:///{logs / 'workspace-same.db'}"
                with app_server(db_same, logs) as url:
                    page_load(browser, url)
                    quiet(url)
                    rows.append(
                        together(
                            browser, url, db_same, args.planners, single, distinct=False, bare=bare
                        )
                    )
                    rows[-1]["load_avg_1m"] = round(os.getloadavg()[0], 1)  # others' work too
                    log.info("same: %s", rows[-1])
            if "dask" in phases:
                from distributed import Client

                with dask_cluster(logs) as address:
                    with Client(address, set_as_default=False) as c:
                        workers = set(c.scheduler_info()["workers"])
                    db2 = f"sqlite:///{logs / 'workspace-dask.db'}"
                    with app_server(db2, logs, ["--scheduler", address]) as url:
                        page_load(browser, url)
                        rows.append(on_dask(browser, url, db2, workers))
                        rows[-1]["load_avg_1m"] = round(os.getloadavg()[0], 1)  # others' work too
                        log.info("dask: %s", rows[-1])
        finally:
            browser.close()
    command = "python -m benchmarks.load " + " ".join(argv if argv is not None else sys.argv[1:])
    load_after = os.getloadavg()[0]
    write_outputs(
        rows,
        command.strip(),
        f"load average {load_before:.1f} at the start and {load_after:.1f} at the end",
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
