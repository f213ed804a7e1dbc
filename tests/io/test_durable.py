"""Durable atomic writes (``planner/io/durable.py``): data flushed before the rename,
the folder after it, nothing half-written on failure, leftovers of dead writers removed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from planner.io import durable
from planner.io.plan_io import atomic_folder


@pytest.fixture
def fsyncs(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """Record ("fsync", path) and ("replace", target) in the order they happen."""
    events: list[tuple[str, str]] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        events.append(("fsync", os.readlink(f"/proc/self/fd/{fd}")))
        real_fsync(fd)

    def replace(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        events.append(("replace", os.fspath(dst)))
        real_replace(src, dst)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    return events


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/fd")
def test_file_is_flushed_before_the_rename_and_its_folder_after(
    tmp_path: Path, fsyncs: list[tuple[str, str]]
) -> None:
    target = tmp_path / "report.html"
    durable.write_text_atomically(target, "<p>mới</p>")
    assert target.read_text(encoding="utf-8") == "<p>mới</p>"
    assert oct(target.stat().st_mode & 0o777) == oct(0o644)
    kinds = [kind for kind, _ in fsyncs]
    assert kinds == ["fsync", "replace", "fsync"], fsyncs
    tmp_name = Path(fsyncs[0][1]).name
    assert tmp_name.startswith(".report.html.") and tmp_name.endswith(".tmp")
    assert fsyncs[1][1] == str(target)
    assert fsyncs[2][1] == str(tmp_path)  # the folder's entry for the new name
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]


def test_failed_write_keeps_the_earlier_file(tmp_path: Path) -> None:
    target = tmp_path / "plan.xlsx"
    target.write_bytes(b"earlier")

    def half(tmp: Path) -> None:
        tmp.write_bytes(b"half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        durable.write_atomically(target, half)
    assert target.read_bytes() == b"earlier"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.xlsx"]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/fd")
def test_plan_folder_files_are_flushed_before_it_is_put_in_place(
    tmp_path: Path, fsyncs: list[tuple[str, str]]
) -> None:
    target = tmp_path / "plan"
    with atomic_folder(target) as tmp:
        (tmp / "staff.csv").write_text("staff_id\n", encoding="utf-8")
        (tmp / "summary.json").write_text("{}", encoding="utf-8")
    flushed = [Path(p).name for kind, p in fsyncs if kind == "fsync"]
    assert {"staff.csv", "summary.json"} <= set(flushed[:3])
    assert flushed[2].startswith(".plan.new-")  # the new folder itself, after its files
    assert flushed[-1] == tmp_path.name  # the parent, after the rename
    assert sorted(p.name for p in target.iterdir()) == ["staff.csv", "summary.json"]


def _dead_pid() -> int:
    """The pid of a process that has ended (and been reaped)."""
    proc = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    return int(proc.stdout)


def test_leftovers_of_dead_writers_are_removed_and_nothing_else(tmp_path: Path) -> None:
    target = tmp_path / "plan"
    host = durable.temp_prefix(target, "new").split(".")[-2]
    dead, alive = _dead_pid(), os.getppid()
    names = {
        f".plan.new-{dead}.{host}.ab12": False,  # a killed writer of this plan: removed
        f".plan.old-{dead}.{host}.cd34": False,  # the earlier plan it had moved aside
        f".plan.new-{alive}.{host}.ef56": True,  # a live writer's: kept
        f".plan.new-{dead}.otherhost.gh78": True,  # another machine's (shared folder): kept
        f".plans.new-{dead}.{host}.ij90": True,  # another target's: kept
        "notes": True,
    }
    for name in names:
        (tmp_path / name).mkdir()
        (tmp_path / name / "staff.csv").write_text("x", encoding="utf-8")
    removed = durable.remove_stale(target)
    assert sorted(p.name for p in removed) == sorted(n for n, keep in names.items() if not keep)
    with atomic_folder(target) as tmp:
        (tmp / "summary.json").write_text("{}", encoding="utf-8")
    left = {p.name for p in tmp_path.iterdir()}
    assert left == {"plan"} | {n for n, keep in names.items() if keep}


def test_writing_a_scenario_removes_a_dead_writers_leftover(tmp_path: Path) -> None:
    from planner.io import read_scenario, write_scenario

    target = tmp_path / "scenario"
    host = durable.temp_prefix(target, "new").split(".")[-2]
    stale = tmp_path / f".scenario.new-{_dead_pid()}.{host}.zz99"
    stale.mkdir()
    district = read_scenario(Path(__file__).resolve().parents[2] / "data" / "quang_ninh_district")
    write_scenario(district, target)
    write_scenario(district, target)  # replacing the earlier one leaves nothing either
    assert sorted(p.name for p in tmp_path.iterdir()) == ["scenario"]
    assert read_scenario(target).staff == district.staff


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/fd")
def test_writes_inside_a_new_folder_are_flushed_once_with_it(
    tmp_path: Path, fsyncs: list[tuple[str, str]]
) -> None:
    """A file written atomically inside an atomic_folder is not flushed on its own
    (its folder is not in place yet); the folder's flush covers it, before the rename."""
    target = tmp_path / "plan"
    with atomic_folder(target) as tmp:
        durable.write_text_atomically(tmp / "report.html", "<html></html>")
        (tmp / "sub").mkdir()
        durable.write_text_atomically(tmp / "sub" / "a.csv", "x\n")
        assert [kind for kind, _ in fsyncs if kind == "fsync"] == []  # nothing flushed yet
    flushed = [Path(p).name for kind, p in fsyncs if kind == "fsync"]
    assert flushed.count("report.html") == 1 and flushed.count("a.csv") == 1
    assert flushed[-1] == tmp_path.name  # the parent, after the folder is in place
    assert (target / "report.html").read_text(encoding="utf-8") == "<html></html>"
