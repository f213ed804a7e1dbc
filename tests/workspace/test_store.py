"""The workspace store (planner.workspace) on SQLite and on a real PostgreSQL server.

Round trips are byte for byte; every save is one transaction (concurrent writers all land,
a writer killed with SIGKILL half-way leaves nothing); stored plans are checked on the way
in and on the way out; the command line exits 2 on a bad REF or URL and never prints a password.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from planner.workspace import NameTaken, RefError, WorkspaceError, open_store
from planner.workspace import schema as S

ROOT = Path(__file__).resolve().parents[2]
DISTRICT = ROOT / "data" / "quang_ninh_district"


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="session")
def district():
    from planner.io import read_scenario

    return read_scenario(DISTRICT)


@pytest.fixture(scope="session")
def plan_folder(tmp_path_factory, district) -> Path:
    """A real plan folder of the district scenario, written by planner.services.writer."""
    from planner.io import scenario_sha256
    from planner.search.solve import solve, to_summary
    from planner.services.writer import write_plan_folder

    sc = district.with_settings(district.settings.with_overrides({"solver.time_limit": 20}))
    result = solve(sc)
    assert result.status.has_plan
    folder = tmp_path_factory.mktemp("plan") / "plan"
    write_plan_folder(sc, result, to_summary(result, sc, scenario_sha256(sc)), folder)
    return folder


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'ws.db'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'ws.db'}"


def _count(store, table) -> int:
    with store.engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(table)))


# -- the schema ---------------------------------------------------------------------------


def test_migrations_build_exactly_the_declared_schema(url):
    """Alembic's revisions and planner/workspace/schema.py agree; opening twice changes nothing."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from planner.workspace import current_revision, head_revision

    with open_store(url) as store:
        assert current_revision(store) == head_revision()
        with store.engine.connect() as conn:
            assert compare_metadata(MigrationContext.configure(conn), S.metadata) == []
    with open_store(url) as store:
        assert current_revision(store) == head_revision()


def test_migrations_go_down_to_nothing_and_up_again(url):
    """Every revision's downgrade undoes its upgrade: down to base leaves no table but
    alembic's own, and the store opens again at the head afterwards."""
    from alembic import command
    from sqlalchemy import inspect

    from planner.workspace import _alembic_config, current_revision, head_revision

    with open_store(url) as store:
        cfg = _alembic_config()
        with store.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "base")
        assert set(inspect(store.engine).get_table_names()) <= {"alembic_version"}
        assert current_revision(store) is None
    with open_store(url) as store:
        assert current_revision(store) == head_revision()
        assert set(S.metadata.tables) <= set(inspect(store.engine).get_table_names())


# -- round trips --------------------------------------------------------------------------


def test_plan_folder_round_trip_is_byte_identical_and_passes_the_checker(
    url, plan_folder, tmp_path
):
    with open_store(url) as store:
        item = store.save_plan_folder(plan_folder, name="district-1", author="an", note="first try")
        assert item.kind == "run" and item.run["status"] in ("optimal", "feasible")
        assert item.run["kpis"]["units_before"] == 6 and item.run["has_plan"]
        out = store.export("district-1", tmp_path / "back")
    assert _snapshot(out) == _snapshot(plan_folder)
    check = subprocess.run(
        [sys.executable, "-m", "planner", "check", str(out / "scenario"), str(out)],
        capture_output=True, text=True, cwd=ROOT, check=False,
    )  # fmt: skip
    assert check.returncode == 0, check.stdout + check.stderr


def test_identical_scenarios_are_stored_once_and_variants_keep_their_settings_diff(url, district):
    changed = district.with_settings(
        district.settings.with_overrides({"targets.min_reduction": 0.05})
    )
    with open_store(url) as store:
        a = store.save_variant(district, name="as given", author="an")
        b = store.save_variant(district, name="again", author="bình")
        c = store.save_variant(changed, name="tighter", author="an", base=district, note="5 %")
        assert a.scenario_id == b.scenario_id != c.scenario_id
        assert _count(store, S.scenarios) == 2
        assert c.settings_diff == [
            {
                "key": "targets.min_reduction",
                "before": district.settings.targets.min_reduction,
                "after": 0.05,
            }
        ]
        assert store.scenario_of("tighter") == changed
        assert store.base_of(c) == district
        d = store.diff("as given", "tighter")
        assert [s["key"] for s in d["settings"]] == ["targets.min_reduction"] and d["tables"] == {}


def test_refs_names_and_removal(url, district, plan_folder):
    with open_store(url) as store:
        v = store.save_variant(district, name="v", author="an")
        r = store.save_plan_folder(plan_folder, name="r", author="an", parent=v.id)
        assert store.item(str(v.id)).name == "v" and store.item(f"#{r.id}").name == "r"
        assert store.item("r").parent_id == v.id
        with pytest.raises(RefError):
            store.item("nothing")
        with pytest.raises(NameTaken):
            store.save_variant(district, name="v", author="bình")
        with pytest.raises(WorkspaceError, match="number"):
            store.save_variant(district, name="42", author="an")
        assert [i.name for i in store.items()] == ["r", "v"]
        store.remove("v")
        assert store.item("r").parent_id is None
        store.remove(r)
        assert store.items() == []
        assert _count(store, S.blobs) == _count(store, S.scenarios) == 0  # no personal data left
        assert store.verify() == []


def test_results_are_stored_with_their_files(url, district, tmp_path):
    payload = {
        "table": "prices.csv",
        "rows": [{"setting": "targets.min_reduction", "saving": "12"}],
    }
    with open_store(url) as store:
        item = store.save_result(
            "price",
            district,
            payload,
            name="prices",
            author="an",
            files={"prices.csv": b"setting,saving\n"},
        )
        assert store.item("prices").payload == payload and item.files == ["prices.csv"]
        out = store.export("prices", tmp_path / "prices")
    assert (out / "prices.csv").read_bytes() == b"setting,saving\n"
    assert json.loads((out / "result.json").read_text())["payload"] == payload


def test_tradeoffs_held_in_memory_are_saved_like_the_cli_folders(sqlite_url, district, tmp_path):
    """The app saves the result on screen: the same folder ``--out`` writes, stored as one item."""
    from dataclasses import replace

    from planner.tradeoffs import pareto, price
    from planner.tradeoffs.pareto import write_pareto
    from planner.workspace.results import result_table, save_result_folder, save_tradeoff

    prices = price(district, time_limit=20)
    frontier = pareto(district, "payroll", "disruption", points=3, time_limit=20)
    assert not prices.is_empty() and frontier.points
    with open_store(sqlite_url) as store:
        a = save_tradeoff(store, district, prices, name="giá", author="Lan")
        b = save_tradeoff(store, district, frontier, name="pareto", author="Lan", note="n")
        with pytest.raises(WorkspaceError, match="not a trade-off result"):
            save_tradeoff(store, district, [1, 2], name=None, author="Lan")
        with pytest.raises(WorkspaceError, match="neither frontier.csv nor prices.csv"):
            save_result_folder(store, tmp_path, district, name=None)
        assert (a.kind, a.author, b.kind, b.note) == ("price", "Lan", "pareto", "n")
        table = result_table(store.item("giá"))
        assert table["setting"].to_list() == prices["setting"].to_list()
        assert table["proven"].to_list() == [str(v).lower() for v in prices["proven"].to_list()]
        assert result_table(b).height == frontier.frontier.height
        # The Pareto item holds every point's plan folder, as ``planner pareto --out`` wrote it.
        write_pareto(district, frontier, tmp_path / "cli")
        cli = sorted(
            p.relative_to(tmp_path / "cli").as_posix()
            for p in (tmp_path / "cli").rglob("*")
            if p.is_file()
        )
        assert sorted(store.files_of(b)) == cli
        with pytest.raises(WorkspaceError, match="not a trade-off result"):
            result_table(replace(a, kind="run"))


def test_two_saved_price_tables_are_diffed_row_by_row(sqlite_url, district):
    def rows(saving_a: str, proven: str) -> dict[str, object]:
        return {
            "table": "prices.csv",
            "rows": [
                {"setting": "targets.min_reduction", "saving": saving_a, "binding": "true",
                 "proven": proven, "status": "optimal"},
                {"setting": "departments.max_staff", "saving": "0", "binding": "false",
                 "proven": "true", "status": "optimal"},
            ],
        }  # fmt: skip

    with open_store(sqlite_url) as store:
        store.save_result("price", district, rows("1200", "true"), name="p1", author="an")
        second = rows("900", "false")
        second["rows"] = second["rows"][:1]  # type: ignore[index]
        store.save_result("price", district, second, name="p2", author="an")
        d = store.diff("p1", "p2")
    assert d["rows"] == {
        "targets.min_reduction": {
            "saving": {"a": "1200", "b": "900"},
            "proven": {"a": "true", "b": "false"},
        },
        "departments.max_staff": {"a": "present", "b": "—"},
    }
    run = _cli("workspace", "diff", "p1", "p2", "--db", sqlite_url)
    assert run.returncode == 0, run.stderr
    assert "targets.min_reduction: saving 1200 → 900; proven true → false" in run.stdout
    assert "departments.max_staff: present → —" in run.stdout


# -- checking -----------------------------------------------------------------------------


def test_a_plan_that_fails_the_checker_is_not_saved(sqlite_url, plan_folder, tmp_path):
    import shutil

    bad = tmp_path / "bad"
    shutil.copytree(plan_folder, bad)
    lines = (bad / "staff.csv").read_text().splitlines()
    (bad / "staff.csv").write_text("\n".join(lines[:-1]) + "\n")  # someone left out
    with open_store(sqlite_url) as store:
        with pytest.raises(WorkspaceError, match="fails the checker"):
            store.save_plan_folder(bad, name="bad", author="an")
        assert store.items() == [] and _count(store, S.blobs) == 0


def test_a_plan_altered_in_the_database_fails_when_read_back(sqlite_url, plan_folder, tmp_path):
    """Read back, a plan is checked again: a staff.csv swapped in the database is refused."""
    import hashlib

    with open_store(sqlite_url) as store:
        item = store.save_plan_folder(plan_folder, name="r", author="an")
        lines = (plan_folder / "staff.csv").read_bytes().splitlines(keepends=True)
        altered = b"".join(lines[:-1])
        sha = hashlib.sha256(altered).hexdigest()
        with store.engine.begin() as conn:
            conn.execute(
                S.blobs.insert().values(sha256=sha, size=len(altered), codec="raw", data=altered)
            )
            conn.execute(
                update(S.item_files)
                .where(S.item_files.c.item_id == item.id, S.item_files.c.path == "staff.csv")
                .values(blob_sha256=sha)
            )
        with pytest.raises(WorkspaceError, match="fails the checker"):
            store.plan_of("r")
        with pytest.raises(WorkspaceError, match="fails the checker"):
            store.export("r", tmp_path / "out")
        assert not (tmp_path / "out").exists()  # nothing half-written


def test_anonymized_export_from_the_store_has_no_names(sqlite_url, plan_folder, district, tmp_path):
    names = [s.name for s in district.staff]
    with open_store(sqlite_url) as store:
        store.save_plan_folder(plan_folder, name="r", author="an")
        plain = store.export("r", tmp_path / "plain")
        anon = store.export("r", tmp_path / "anon", anonymize=True)
        variant = store.save_variant(district, name="v", author="an")
        anon_sc = store.export(variant, tmp_path / "anon_sc", anonymize=True)
    assert any(names[0].encode() in data for data in _snapshot(plain).values())
    for folder in (anon, anon_sc):
        for rel, data in _snapshot(folder).items():
            for name in names:
                assert name.encode() not in data, rel
    from planner.checking.check import check
    from planner.io import read_scenario
    from planner.io.plan_io import read_plan, read_summary

    assert check(read_scenario(anon / "scenario"), read_plan(anon), read_summary(anon)).ok


# -- concurrency and crashes --------------------------------------------------------------

_SAVER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from planner.workspace import open_store
    url, folder, name, go = sys.argv[1:5]
    while not Path(go).exists():
        time.sleep(0.005)
    with open_store(url) as store:
        store.save_plan_folder(folder, name=name, author=name)
    """
)


def _saver_env(url: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT)
    env.pop("KHOI_DATABASE_URL", None)
    return env


@pytest.mark.parametrize("n", [6])
def test_concurrent_writers_lose_nothing(url, plan_folder, tmp_path, n):
    """N processes open a fresh store and save a run at the same instant: all N are there."""
    go = tmp_path / "go"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _SAVER, url, str(plan_folder), f"run-{i}", str(go)],
            env=_saver_env(url),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        for i in range(n)
    ]
    time.sleep(1.0)  # every process imported and waiting
    go.touch()
    for p in procs:
        _, stderr = p.communicate(timeout=240)
        assert p.returncode == 0, stderr
    with open_store(url) as store:
        names = sorted(i.name for i in store.items("run"))
        assert names == sorted(f"run-{i}" for i in range(n))
        assert store.verify() == []
        assert _count(store, S.scenarios) == 1  # the same scenario, stored once


_KILLED = textwrap.dedent(
    """
    import sys, time
    from planner.workspace import open_store
    from planner.workspace.store import Store
    url, folder = sys.argv[1:3]
    original = Store._put_files
    def put_files(self, conn, item_id, files):
        original(self, conn, item_id, files)
        print("inside", flush=True)   # the item, its run row and its files are written,
        time.sleep(120)               # the transaction is not committed
    Store._put_files = put_files
    with open_store(url) as store:
        store.save_plan_folder(folder, name="half", author="killed")
    """
)


def test_a_writer_killed_in_the_middle_of_a_save_leaves_nothing(url, plan_folder):
    with open_store(url) as store:
        store.save_plan_folder(plan_folder, name="before", author="an")
    proc = subprocess.Popen(
        [sys.executable, "-c", _KILLED, url, str(plan_folder)],
        env=_saver_env(url), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line.strip() == "inside", proc.stderr.read() if proc.stderr else ""
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    with open_store(url) as store:
        assert [i.name for i in store.items()] == ["before"]
        assert store.verify() == []
        store.plan_of("before")  # still whole, still passes the checker
        store.save_plan_folder(
            plan_folder, name="half", author="an"
        )  # nothing locked, the name free
        assert store.verify() == []


_LOOP = textwrap.dedent(
    """
    import sys
    from planner.workspace import open_store
    url, folder, prefix = sys.argv[1:4]
    with open_store(url) as store:
        for i in range(1000):
            store.save_plan_folder(folder, name=f"{prefix}-{i}", author="loop")
            print(i, flush=True)
    """
)


def test_killing_a_saving_process_at_random_moments_keeps_the_store_whole(sqlite_url, plan_folder):
    import random

    rng = random.Random(15)
    saved: set[str] = set()
    for round_ in range(3):
        proc = subprocess.Popen(
            [sys.executable, "-c", _LOOP, sqlite_url, str(plan_folder), f"k{round_}"],
            env=_saver_env(sqlite_url), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert proc.stdout is not None
        proc.stdout.readline()  # one save done: the store exists
        time.sleep(rng.uniform(0.05, 0.8))
        os.kill(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate(timeout=30)
        saved |= {f"k{round_}-0"} | {f"k{round_}-{line}" for line in out.split()}
        with open_store(sqlite_url) as store:
            assert store.verify() == []
            names = {i.name for i in store.items()}
            assert saved <= names  # every save reported done is there ...
            for item in store.items():  # ... and every run there is whole
                assert item.run is not None and item.run["has_plan"]
                assert {"staff.csv", "summary.json", "scenario/scenario.toml"} <= set(
                    store.item(item.id).files
                )
            store.plan_of(sorted(names)[-1])


# -- the command line ---------------------------------------------------------------------


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "planner", *args], cwd=ROOT, capture_output=True, text=True,
        timeout=300, check=False, env={**os.environ, **(env or {})},
    )  # fmt: skip


def test_cli_workspace_commands(sqlite_url, plan_folder, tmp_path):
    db = ["--db", sqlite_url]
    run = _cli("workspace", "save", str(DISTRICT), "--name", "as given", "--note", "the file", *db)
    assert run.returncode == 0, run.stderr
    run = _cli("workspace", "save", str(plan_folder), "--name", "plan-a", "--base", "as given", *db)
    assert run.returncode == 0, run.stderr
    listed = json.loads(_cli("workspace", "list", "--json", *db).stdout)
    assert [(i["kind"], i["name"]) for i in listed] == [("run", "plan-a"), ("variant", "as given")]
    assert listed[1]["note"] == "the file"
    shown = _cli("workspace", "show", "plan-a", *db)
    assert shown.returncode == 0 and "departments_after" in shown.stdout
    diff = json.loads(_cli("workspace", "diff", "as given", "plan-a", "--json", *db).stdout)
    assert {s["key"] for s in diff["settings"]} == {"solver.time_limit"}
    run = _cli("workspace", "export", "plan-a", "--out", str(tmp_path / "back"), *db)
    assert run.returncode == 0, run.stderr
    assert _snapshot(tmp_path / "back") == _snapshot(plan_folder)
    run = _cli("workspace", "export", str(listed[1]["id"]), "--out", str(tmp_path / "sc"), *db)
    assert run.returncode == 0 and (tmp_path / "sc" / "scenario.toml").is_file()
    assert _cli("workspace", "rm", "plan-a", *db).returncode == 0
    assert [i["name"] for i in json.loads(_cli("workspace", "list", "--json", *db).stdout)] == [
        "as given"
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["workspace", "show", "nothing"], "no saved item"),
        (["workspace", "rm", "#99"], "no saved item"),
        (["workspace", "save", "/nonexistent"], "no such folder"),
        (["workspace", "list", "--db", "mysql://u:topsecret@h/db"], "only sqlite"),
        (["workspace", "list", "--db", "postgresql://u:topsecret@127.0.0.1:1/db"], "cannot open"),
    ],
)
def test_cli_bad_refs_and_urls_exit_2_without_traceback_or_password(sqlite_url, args, message):
    env = {"KHOI_DATABASE_URL": sqlite_url}
    run = _cli(*args, env=env)
    assert run.returncode == 2, run.stdout + run.stderr
    assert message in run.stderr and "Traceback" not in run.stderr
    assert "topsecret" not in run.stdout + run.stderr


def test_solve_save_records_the_run(sqlite_url, tmp_path):
    env = {"KHOI_DATABASE_URL": sqlite_url, "KHOI_AUTHOR": "Lan"}
    run = _cli(
        "solve", str(DISTRICT), "--out", str(tmp_path / "p"), "-q", "--save", "monday", env=env
    )
    assert run.returncode == 0, run.stderr
    again = _cli(
        "solve", str(DISTRICT), "--out", str(tmp_path / "q"), "-q", "--save", "monday", env=env
    )
    assert again.returncode == 2 and "taken" in again.stderr and not (tmp_path / "q").exists()
    with open_store(sqlite_url) as store:
        item = store.item("monday")
        assert item.author == "Lan" and item.run["objective"] is not None
        assert set(store.files_of(item)) == set(_snapshot(tmp_path / "p"))


def test_postgres_password_never_printed(pg_server, pg_url, plan_folder):
    """The URL in KHOI_DATABASE_URL carries the password; nothing printed shows it."""
    run = _cli(
        "workspace", "save", str(plan_folder), "--name", "p", env={"KHOI_DATABASE_URL": pg_url}
    )
    assert run.returncode == 0, run.stderr
    listed = _cli("workspace", "list", env={"KHOI_DATABASE_URL": pg_url})
    assert listed.returncode == 0 and "***" in listed.stdout
    assert pg_server.password not in run.stdout + run.stderr + listed.stdout + listed.stderr


def test_no_personal_data_in_logs(sqlite_url, plan_folder, district, tmp_path, caplog):
    import logging

    caplog.set_level(logging.DEBUG)
    with open_store(sqlite_url) as store:
        store.save_variant(district, name="v", author="an")
        store.save_plan_folder(plan_folder, name="r", author="an")
        store.export("r", tmp_path / "out", anonymize=True)
        store.diff("v", "r")
        store.remove("v")
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "workspace: saved run" in logged
    for s in district.staff:
        assert s.name not in logged and str(s.salary) not in logged


def test_cli_saves_a_price_folder_as_a_result(sqlite_url, tmp_path):
    folder = tmp_path / "prices"
    folder.mkdir()
    (folder / "prices.csv").write_text(
        "setting,current,relaxed,saving\ntargets.min_reduction,0.1,0.05,1200\n"
    )
    db = ["--db", sqlite_url]
    run = _cli("workspace", "save", str(folder), "--name", "prices", *db)
    assert run.returncode == 2 and "--scenario" in run.stderr
    run = _cli(
        "workspace", "save", str(folder), "--name", "prices", "--scenario", str(DISTRICT), *db
    )
    assert run.returncode == 0, run.stderr
    (item,) = json.loads(_cli("workspace", "list", "--json", *db).stdout)
    assert item["kind"] == "price" and item["payload"]["rows"][0]["saving"] == "1200"
    run = _cli("workspace", "export", "prices", "--out", str(tmp_path / "back"), *db)
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "back" / "prices.csv").read_bytes() == (folder / "prices.csv").read_bytes()


def test_pareto_save_keeps_the_frontier_and_its_plans(sqlite_url, tmp_path):
    env = {"KHOI_DATABASE_URL": sqlite_url}
    out = tmp_path / "pareto"
    run = _cli(
        "pareto", str(DISTRICT), "--x", "payroll", "--y", "disruption", "--points", "2",
        "--time-limit", "10", "--out", str(out), "--save", "front", env=env,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    with open_store(sqlite_url) as store:
        item = store.item("front")
        assert item.kind == "pareto" and item.payload["table"] == "frontier.csv"
        assert item.payload["rows"] and store.files_of(item) == _snapshot(out)
