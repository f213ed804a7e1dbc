"""Uploaded scenarios, parsed safely.

A planner may upload a zip of the scenario's CSVs, one ``scenario.xlsx``, or
the single files (CSV, TOML, XLSX, Parquet). Nothing uploaded is trusted:

* the total upload is capped (:data:`MAX_UPLOAD_BYTES`);
* zip members are checked before anything is extracted: no absolute paths,
  no ``..``, no drive letters or backslashes, no symbolic links; their count
  and total uncompressed size are capped, and the sizes are enforced while
  reading (a member's header can lie), so a zip bomb stops at the cap;
* only the scenario's file kinds are written, into a fresh temporary folder
  that is removed once the scenario has been read.

Problems come back as :class:`UploadError` with one line per problem.
"""

from __future__ import annotations

import shutil
import stat
import tempfile
import zipfile
from collections.abc import Iterable
from io import BytesIO
from pathlib import Path, PurePosixPath
from typing import IO

from models import Scenario

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_MEMBERS = 200
MAX_UNCOMPRESSED = 100 * 1024 * 1024
MAX_MEMBER_BYTES = 50 * 1024 * 1024
ALLOWED_SUFFIXES = (".csv", ".toml", ".xlsx", ".parquet")
_MARKERS = ("scenario.toml", "scenario.xlsx", "organizations.csv", "organizations.parquet")


class UploadError(ValueError):
    """The upload cannot be used; ``lines`` says why, one problem a line."""

    def __init__(self, lines: list[str]) -> None:
        self.problems = list(lines)
        super().__init__("\n".join(lines))

    def lines(self) -> list[str]:
        return list(self.problems)


def _safe_member(name: str) -> PurePosixPath | None:
    """The relative path of a zip member, or None when it must not be extracted."""
    if not name or "\\" in name or "\x00" in name or name.startswith("/") or ":" in name:
        return None
    path = PurePosixPath(name)
    if path.is_absolute() or any(part in ("..", "") for part in path.parts):
        return None
    return path


def _ignored(path: PurePosixPath) -> bool:
    """macOS and editor litter, folders and files of other kinds: skipped, not errors."""
    return (
        any(part.startswith(".") or part == "__MACOSX" for part in path.parts)
        or path.suffix.lower() not in ALLOWED_SUFFIXES
    )


def _copy_limited(src: IO[bytes], dst: Path, budget: int) -> int:
    written = 0
    with dst.open("wb") as out:
        while chunk := src.read(64 * 1024):
            written += len(chunk)
            if written > budget:
                raise UploadError(
                    [f"{dst.name}: larger than its declared size or the upload limit (zip bomb?)"]
                )
            out.write(chunk)
    return written


def extract_zip(data: bytes, dest: Path) -> list[str]:
    """Check every member of a zip, then extract the scenario files into ``dest``."""
    try:
        zf = zipfile.ZipFile(BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise UploadError([f"not a valid zip file: {exc}"]) from exc
    with zf:
        infos = zf.infolist()
        problems: list[str] = []
        if len(infos) > MAX_MEMBERS:
            problems.append(
                f"the zip holds {len(infos)} entries; at most {MAX_MEMBERS} are accepted"
            )
        declared = sum(i.file_size for i in infos)
        if declared > MAX_UNCOMPRESSED:
            problems.append(
                f"the zip expands to {declared:,} bytes; at most {MAX_UNCOMPRESSED:,} are accepted"
            )
        wanted: list[tuple[zipfile.ZipInfo, PurePosixPath]] = []
        for info in infos:
            path = _safe_member(info.filename)
            if path is None:
                problems.append(
                    f"{info.filename!r}: unsafe path in the zip (absolute, '..' or drive)"
                )
                continue
            mode = info.external_attr >> 16
            if stat.S_ISLNK(mode):
                problems.append(f"{info.filename}: symbolic links are not accepted")
                continue
            if info.is_dir() or _ignored(path):
                continue
            if info.flag_bits & 0x1:
                problems.append(f"{info.filename}: encrypted members are not accepted")
                continue
            if info.file_size > MAX_MEMBER_BYTES:
                problems.append(
                    f"{info.filename}: {info.file_size:,} bytes; at most {MAX_MEMBER_BYTES:,} per file"
                )
                continue
            wanted.append((info, path))
        if problems:
            raise UploadError(problems)
        budget = MAX_UNCOMPRESSED
        names: list[str] = []
        for info, path in wanted:
            target = dest.joinpath(*path.parts)
            if not target.resolve().is_relative_to(dest.resolve()):
                raise UploadError([f"{info.filename}: unsafe path in the zip"])
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                with zf.open(info) as src:
                    budget -= _copy_limited(src, target, min(budget, info.file_size))
            except (
                zipfile.BadZipFile,
                OSError,
                EOFError,
                NotImplementedError,
                RuntimeError,
            ) as exc:
                raise UploadError(
                    [f"{info.filename}: cannot be read from the zip ({exc})"]
                ) from exc
            names.append(str(path))
        return names


def scenario_root(folder: Path) -> Path:
    """The folder holding the scenario files: ``folder`` itself or its one sub-folder that does."""
    if any((folder / m).is_file() for m in _MARKERS):
        return folder
    hits = sorted({p.parent for m in _MARKERS for p in folder.rglob(m)}, key=lambda p: len(p.parts))
    if not hits:
        raise UploadError(
            ["no scenario found: expected scenario.toml, scenario.xlsx or organizations.csv"]
        )
    return hits[0]


def extract(files: Iterable[tuple[str, bytes]], dest: Path) -> Path:
    """Write an upload (zip, xlsx or single files) into ``dest``; return the scenario folder."""
    files = list(files)
    total = sum(len(b) for _, b in files)
    if total > MAX_UPLOAD_BYTES:
        raise UploadError(
            [
                f"the upload is {total / 2**20:.1f} MB; at most {MAX_UPLOAD_BYTES // 2**20} MB are accepted"
            ]
        )
    if not files:
        raise UploadError(["nothing was uploaded"])
    problems: list[str] = []
    xlsx = [n for n, _ in files if n.lower().endswith(".xlsx")]
    for name, data in files:
        base = PurePosixPath(name.replace("\\", "/")).name
        suffix = PurePosixPath(base).suffix.lower()
        if suffix == ".zip":
            extract_zip(data, dest)
            continue
        if base.startswith(".") or suffix not in ALLOWED_SUFFIXES:
            problems.append(f"{base}: not a scenario file (zip, xlsx, csv, toml or parquet)")
            continue
        if suffix == ".xlsx" and len(xlsx) == 1 and not (dest / "scenario.xlsx").exists():
            base = "scenario.xlsx"  # SPEC §2: the sheets of one scenario.xlsx
        (dest / base).write_bytes(data)
    if problems:
        raise UploadError(problems)
    return scenario_root(dest)


def read_upload(files: Iterable[tuple[str, bytes]]) -> Scenario:
    """Read an uploaded scenario through ``planner.io.read_scenario``.

    Raises :class:`UploadError` for a refused upload and ``planner.io.InputError``
    (file, row and column of every problem) for an invalid scenario; the
    temporary folder's path is stripped from the messages.
    """
    from planner.io import read_scenario

    tmp = Path(tempfile.mkdtemp(prefix="khoi-upload-"))
    try:
        root = extract(files, tmp)
        try:
            return read_scenario(root)
        except Exception as exc:
            lines = getattr(exc, "lines", None)
            if callable(lines):
                raise UploadError([_strip(line, root, tmp) for line in lines()]) from exc
            problems = getattr(exc, "problems", None)
            if problems:
                raise UploadError([_strip(str(p), root, tmp) for p in problems]) from exc
            raise UploadError([_strip(f"{type(exc).__name__}: {exc}", root, tmp)]) from exc
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _strip(line: str, *folders: Path) -> str:
    for folder in folders:
        for form in (str(folder.resolve()), str(folder)):
            line = line.replace(form + "/", "").replace(form, "")
    return line
