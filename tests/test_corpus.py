"""The corpus of damaged and unusual scenarios, run through ``planner validate``.

Every case of ``tests/corpus/expected.toml`` (built by ``tests/corpus/build_corpus.py``)
is validated by the command line's entry point ``planner.cli:main`` (what the
``planner`` script runs) in a separate process, with its own empty working
folder, ``TMPDIR`` and ``HOME``. For each case: the exit code is the expected one
(0 or 2), no traceback is printed, every expected ``file:row:column`` is reported
and no other, the output carries none of the case's ``absent`` strings (personal
data, raw control characters), and nothing was written anywhere: not in the
scenario folder, not beside it, not in the working folder, ``TMPDIR`` or ``HOME``.

Cost: a fresh ``planner`` process spends ~0.7 s of CPU importing polars and the
models, so one process runs the entry point for every case in turn (its state
reset between cases), and a sample of cases, one of each kind, also goes through
the installed ``planner`` executable, one process each, whose output must be the
same to the byte.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from planner.io import InputError, read_scenario
from tests.corpus.build_corpus import CASES, CORPUS, EXPECTED, Case, build_case

ROOT = Path(__file__).resolve().parents[1]
PLANNER = Path(sys.executable).with_name("planner")
LOCATION = re.compile(r"^([^:\s]+):(\d+):([^:\s]+): ")
LINE = re.compile(r"^[^:]+:\d+:[^:]+: .+$")
EXPECTED_CASES: dict[str, dict[str, object]] = tomllib.loads(EXPECTED.read_text("utf-8"))["cases"]
BY_NAME = {c.name: c for c in CORPUS}
SAMPLE = (
    "missing_staff_file", "ragged_row_long", "latin1_encoding", "dangling_unit",
    "control_characters_in_id", "setting_out_of_range", "huge_file", "xlsx_typed", "bom",
)  # fmt: skip
"""Cases also run through the installed executable, one process each."""

DRIVER = r"""
import io, json, logging, os, sys, tempfile
import planner.cli
results = []
for job in json.load(sys.stdin):
    os.chdir(job["cwd"])
    os.environ.update(TMPDIR=job["tmp"], HOME=job["home"])
    tempfile.tempdir = None
    logging.root.handlers.clear()
    sys.argv = ["planner", "validate", job["folder"]]
    out, err = io.StringIO(), io.StringIO()
    sys.stdout, sys.stderr = out, err
    try:
        planner.cli.main()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:
        import traceback
        traceback.print_exc(file=err)
        code = -1
    finally:
        sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__
    results.append({"code": code, "stdout": out.getvalue(), "stderr": err.getvalue()})
json.dump(results, sys.stdout)
"""


@dataclass(frozen=True)
class Run:
    """One ``planner validate``: exit code, output and what it left in its scratch folders."""

    code: int
    stdout: str
    stderr: str
    left_behind: dict[str, list[str]]  # cwd / TMPDIR / HOME -> what the run left there


@dataclass(frozen=True)
class Corpus:
    runs: dict[str, Run]  # by case, through the entry point
    executable: dict[str, Run]  # the sample, through the installed executable
    before: dict[str, object]  # snapshots of every case folder and of the folders holding them
    after: dict[str, object]


def _snapshot(folder: Path) -> dict[str, tuple[int, str]]:
    """Every file and folder under ``folder``: size and content hash (a prefix for big files)."""
    out: dict[str, tuple[int, str]] = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if path.is_dir():
            out[rel + "/"] = (0, "")
            continue
        with path.open("rb") as f:
            digest = hashlib.sha256(f.read(1 << 20)).hexdigest()
        out[rel] = (path.stat().st_size, digest)
    return out


def _everything(folders: dict[str, Path]) -> dict[str, object]:
    state: dict[str, object] = {name: _snapshot(f) for name, f in folders.items()}
    for parent in {f.parent for f in folders.values()}:
        state[f"ls {parent}"] = sorted(os.listdir(parent))
    return state


def _scratch(root: Path) -> dict[str, Path]:
    dirs = {name: root / name for name in ("cwd", "tmp", "home")}
    for d in dirs.values():
        d.mkdir(parents=True)
    return dirs


def _env(dirs: dict[str, Path]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "COV_"))}
    env.pop("XDG_CACHE_HOME", None)
    env.update(
        TMPDIR=str(dirs["tmp"]),
        HOME=str(dirs["home"]),
        PYTHONDONTWRITEBYTECODE="1",  # the interpreter's own cache is not ours to judge
        COLUMNS="80",  # what rich assumes when stderr is not a terminal: say it explicitly
    )
    return env


def _left(dirs: dict[str, Path]) -> dict[str, list[str]]:
    return {name: sorted(os.listdir(d)) for name, d in dirs.items()}


def _run_executable(folder: Path, scratch: Path) -> Run:
    """The installed ``planner validate FOLDER``, in its own process."""
    dirs = _scratch(scratch)
    proc = subprocess.run(
        [str(PLANNER), "validate", str(folder)],
        cwd=dirs["cwd"], env=_env(dirs), capture_output=True, text=True,
        encoding="utf-8", errors="replace", timeout=300, check=False,
    )  # fmt: skip
    return Run(proc.returncode, proc.stdout, proc.stderr, _left(dirs))


def _run_entry_point(folders: dict[str, Path], scratch: Path) -> dict[str, Run]:
    """``planner.cli:main`` on every folder in turn, in one separate process."""
    dirs = {name: _scratch(scratch / name) for name in folders}
    jobs = [
        {"folder": str(folder), **{k: str(v) for k, v in dirs[name].items()}}
        for name, folder in folders.items()
    ]
    driver_dirs = _scratch(scratch / "-driver")
    proc = subprocess.run(
        [sys.executable, "-c", DRIVER], input=json.dumps(jobs), cwd=driver_dirs["cwd"],
        env=_env(driver_dirs), capture_output=True, text=True, encoding="utf-8",
        timeout=600, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    results = json.loads(proc.stdout)
    return {
        name: Run(r["code"], r["stdout"], r["stderr"], _left(dirs[name]))
        for name, r in zip(folders, results, strict=True)
    }


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Corpus]:
    """Every case through the entry point, and the sample through the executable, in parallel."""
    big = tmp_path_factory.mktemp("corpus-big")
    for c in CORPUS:
        if c.at_test_time:
            build_case(c, big / c.name)
    folders = {c.name: _folder(c, big) for c in CORPUS}
    scratch = tmp_path_factory.mktemp("corpus-runs")
    before = _everything(folders)
    with ThreadPoolExecutor(max_workers=3) as pool:
        sample = {n: pool.submit(_run_executable, folders[n], scratch / "exe" / n) for n in SAMPLE}
        runs = _run_entry_point(folders, scratch / "entry")
        executable = {n: f.result() for n, f in sample.items()}
    yield Corpus(runs, executable, before, _everything(folders))
    shutil.rmtree(big, ignore_errors=True)


def _folder(c: Case, big: Path) -> Path:
    return (big if c.at_test_time else CASES) / c.name


# -- the corpus itself -----------------------------------------------------------------------


def test_corpus_is_large_and_matches_expected_toml() -> None:
    committed = sorted(p.name for p in CASES.iterdir() if p.is_dir())
    assert committed == sorted(c.name for c in CORPUS if not c.at_test_time)
    assert sorted(EXPECTED_CASES) == sorted(BY_NAME)
    assert len(CORPUS) >= 40
    assert sum(c.exit == 2 for c in CORPUS) >= 40
    for name, entry in EXPECTED_CASES.items():
        c = BY_NAME[name]
        assert entry["exit"] == c.exit and tuple(entry["locations"]) == c.locations  # type: ignore[arg-type]
        assert tuple(entry.get("warnings", ())) == c.warnings  # type: ignore[arg-type]
        assert all(re.fullmatch(r"[^:]+:\d+:[^:]+", loc) for loc in c.locations)


def test_committed_cases_are_what_the_builder_writes(tmp_path: Path) -> None:
    """Text files byte for byte; workbooks and Parquet files by the tables they hold."""
    for c in CORPUS:
        if c.at_test_time:
            continue
        fresh = build_case(c, tmp_path / c.name)
        committed = CASES / c.name
        assert sorted(p.name for p in fresh.iterdir()) == sorted(
            p.name for p in committed.iterdir()
        ), c.name
        for path in fresh.iterdir():
            if path.suffix in (".csv", ".toml"):
                assert path.read_bytes() == (committed / path.name).read_bytes(), (
                    f"{c.name}/{path.name}: run python -m tests.corpus.build_corpus"
                )


# -- planner validate on every case -------------------------------------------------------------


@pytest.mark.parametrize("name", [c.name for c in CORPUS])
def test_validate(name: str, corpus: Corpus) -> None:
    c = BY_NAME[name]
    run = corpus.runs[name]
    output = run.stdout + run.stderr
    assert "Traceback" not in output, output
    assert run.code == c.exit, output
    found = sorted(
        ":".join(m.groups()) for line in run.stderr.splitlines() if (m := LOCATION.match(line))
    )
    assert found == sorted(c.locations), run.stderr
    if c.exit == 0:
        assert "valid" in run.stdout
        warned = [line.removeprefix("warning: ") for line in run.stderr.splitlines()]
        assert all(line.startswith("warning: ") for line in run.stderr.splitlines()), run.stderr
        assert sorted(
            ":".join(m.groups()) for line in warned if (m := LOCATION.match(line))
        ) == sorted(c.warnings), run.stderr
        assert len(warned) == len(c.warnings), run.stderr
    else:
        assert "nothing was written" in run.stderr
    for text in c.absent:
        assert text not in output, f"{text!r} in the output"
    # nothing written anywhere
    assert run.left_behind == {"cwd": [], "tmp": [], "home": []}
    assert corpus.after[name] == corpus.before[name]


def test_nothing_was_written_beside_the_cases(corpus: Corpus) -> None:
    listings = [k for k in corpus.before if k.startswith("ls ")]
    assert listings and all(corpus.after[k] == corpus.before[k] for k in listings)


@pytest.mark.parametrize("name", SAMPLE)
def test_installed_executable_says_the_same(name: str, corpus: Corpus) -> None:
    assert corpus.executable[name] == corpus.runs[name]


def test_validate_refuses_what_is_not_a_folder(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "staff.csv").write_text("staff_id\n", encoding="utf-8")
    folders = {"file": tmp_path / "in" / "staff.csv", "missing": tmp_path / "in" / "missing"}
    runs = _run_entry_point(folders, tmp_path / "runs")
    for name, why in (("file", "a file"), ("missing", "no such folder")):
        run = runs[name]
        assert run.code == 2 and "Traceback" not in run.stdout + run.stderr
        # the whole path, not only its last part
        assert run.stderr.startswith(
            f"{folders[name].absolute()}:0:-: not a scenario folder: {why}"
        )
        assert run.left_behind == {"cwd": [], "tmp": [], "home": []}


def test_a_file_too_long_is_one_problem_not_one_per_row(tmp_path: Path) -> None:
    """200,001 ragged rows: the row limit is reported alone, before any row is looked at."""
    folder = build_case(BY_NAME["too_many_rows"], tmp_path / "long")
    with (folder / "staff.csv").open("a", encoding="utf-8") as f:
        f.write("short,row\n")
    with pytest.raises(InputError) as caught:
        read_scenario(folder)
    assert caught.value.lines() == ["staff.csv:0:-: too many rows: more than 200000"]


def test_validate_prints_each_problem_verbatim_on_one_line(corpus: Corpus, tmp_path: Path) -> None:
    """stderr is exactly the reader's lines, then the count: parseable by a script."""
    differences = []
    for c in CORPUS:
        if c.exit != 2 or c.at_test_time:
            continue
        try:
            read_scenario(_folder(c, tmp_path))
        except InputError as exc:
            lines = exc.lines()
        assert all(LINE.match(line) for line in lines), lines
        want = [*lines, f"{len(lines)} problem(s); nothing was written."]
        got = corpus.runs[c.name].stderr.splitlines()
        if got != want:
            differences.append((c.name, got, want))
    assert not differences, differences[:3]


def test_every_case_uploaded_to_the_app_gives_the_same_answer() -> None:
    """The app's upload path (a zip of the case) accepts or refuses exactly like the CLI."""
    import io
    import zipfile

    from planner.ui.uploads import UploadError, read_upload

    for c in CORPUS:
        if c.at_test_time:
            continue
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as z:
            for path in sorted((CASES / c.name).iterdir()):
                z.write(path, f"{c.name}/{path.name}")
        try:
            read_upload([(f"{c.name}.zip", buffer.getvalue())])
            locations: list[str] = []
        except UploadError as exc:
            locations = [
                ":".join(m.groups()) for line in exc.lines() if (m := LOCATION.match(line))
            ]
            assert len(locations) == len(exc.lines()), (c.name, exc.lines())
        assert sorted(locations) == sorted(c.locations), (c.name, locations)
