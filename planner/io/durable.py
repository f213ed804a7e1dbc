"""Durable, atomic file writes: a reader sees the whole earlier file or the whole new one.

A rename is atomic but not durable by itself: after a power cut the new name may
point to a file whose data never reached the disk (an empty ``plan.xlsx``). Every
writer of the planner therefore goes through these helpers, which

1. write to a temporary name in the same folder (same file system, so the rename
   is one step);
2. ``fsync`` the written data before the rename;
3. ``fsync`` the folder after it, so that the rename itself is on disk.

Temporary names carry the writing process (``.NAME.new-PID.HOST.xxxx``), so that a
folder left behind by a killed process (``kill -9``, a power cut) is recognised
and removed by the next writer of the same target on the same host
(:func:`remove_stale`); a live writer's folder is never touched.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import socket
import tempfile
from collections.abc import Callable
from pathlib import Path

_SAFE_HOST = re.compile(r"[^A-Za-z0-9_-]")


def fsync_path(path: str | os.PathLike[str]) -> None:
    """Flush a file's data, or a folder's entries, to the disk.

    Folders cannot be opened for fsync on some systems (Windows) or file systems
    that do not support it (EINVAL): there it is skipped, as it cannot be done.
    """
    flags = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) if os.path.isdir(path) else os.O_RDONLY
    try:
        fd = os.open(path, flags)
    except (PermissionError, IsADirectoryError):  # Windows: folders are not opened
        return
    try:
        os.fsync(fd)
    except OSError as exc:
        if exc.errno not in (errno.EINVAL, errno.EBADF, errno.ENOTSUP, errno.EOPNOTSUPP):
            raise
    finally:
        os.close(fd)


def fsync_tree(folder: str | os.PathLike[str]) -> None:
    """fsync every file and folder under ``folder``, ``folder`` itself last."""
    for root, dirs, files in os.walk(folder, topdown=False):
        for name in files:
            fsync_path(os.path.join(root, name))
        for name in dirs:
            fsync_path(os.path.join(root, name))
    fsync_path(folder)


def replace_durably(tmp: str | os.PathLike[str], target: str | os.PathLike[str]) -> None:
    """Move the complete file ``tmp`` over ``target`` (same folder), both flushed to disk."""
    fsync_path(tmp)
    os.replace(tmp, target)
    fsync_path(os.path.dirname(os.path.abspath(target)))


def write_atomically(path: str | os.PathLike[str], write: Callable[[Path], object]) -> Path:
    """Call ``write(tmp)`` on a temporary file next to ``path``, then put it in place durably.

    A failed or interrupted write leaves any earlier file intact (as SPEC §5 asks
    of the plan folder); the file is readable by others (0644), as a document to share.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        tmp.chmod(0o644)  # mkstemp makes 0600
        replace_durably(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target


def write_text_atomically(path: str | os.PathLike[str], text: str) -> Path:
    """:func:`write_atomically` for a UTF-8 text."""
    return write_atomically(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def write_bytes_atomically(path: str | os.PathLike[str], data: bytes) -> Path:
    """:func:`write_atomically` for bytes."""
    return write_atomically(path, lambda tmp: tmp.write_bytes(data))


# -- temporary folders of a writer ---------------------------------------------------


def _host() -> str:
    return _SAFE_HOST.sub("_", socket.gethostname())[:40] or "host"


def temp_prefix(target: Path, kind: str) -> str:
    """``.NAME.KIND-PID.HOST.``: the prefix of this process's temporary folder for ``target``."""
    return f".{target.name}.{kind}-{os.getpid()}.{_host()}."


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's live process (EPERM), or cannot tell
        return True
    return True


def remove_stale(target: Path) -> list[Path]:
    """Remove temporary folders of ``target`` left by dead processes of this host.

    Only names made by :func:`temp_prefix` (``.NAME.new-PID.HOST.*`` and
    ``.NAME.old-PID.HOST.*``) are considered; one of another host (a shared
    network folder) or of a live process is left alone. Returns what was removed.
    """
    pattern = re.compile(
        rf"^\.{re.escape(target.name)}\.(?:new|old)-(\d+)\.{re.escape(_host())}\.[^.]+$"
    )
    removed: list[Path] = []
    try:
        entries = list(os.scandir(target.parent))
    except OSError:
        return removed
    for entry in entries:
        match = pattern.match(entry.name)
        if match is None or not entry.is_dir(follow_symlinks=False):
            continue
        pid = int(match.group(1))
        if pid == os.getpid() or _alive(pid):
            continue
        shutil.rmtree(entry.path, ignore_errors=True)
        removed.append(Path(entry.path))
    return removed
