"""Durable, atomic file writes: a reader sees the whole earlier file or the whole new one.

A rename is atomic but not durable by itself: after a power cut the new name may
point to a file whose data never reached the disk (an empty ``plan.xlsx``). Every
writer of the planner therefore goes through these helpers, which

1. write to a temporary name in the same folder (same file system, so the rename
   is one step);
2. ``fsync`` the written data before the rename;
3. ``fsync`` the folder after it, so that the rename itself is on disk.

A folder built in a temporary place and put in place as a whole
(``planner.io.plan_io.atomic_folder``) is flushed once, file by file, before its
rename; the writes inside it skip their own ``fsync`` (:func:`deferred_sync`): the
guarantee is the same, with one flush per file instead of two or three.

Temporary names carry the writing process (``.NAME.new-PID.HOST.xxxx``), so that a
folder left behind by a killed process (``kill -9``, a power cut) is recognised
and removed by the next writer of the same target on the same host
(:func:`remove_stale`); a live writer's folder is never touched.
"""

from __future__ import annotations

import contextvars
import errno
import os
import re
import shutil
import socket
import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

_SAFE_HOST = re.compile(r"[^A-Za-z0-9_-]")
_DEFERRED: contextvars.ContextVar[tuple[str, ...]] = contextvars.ContextVar(
    "khoi_deferred_sync", default=()
)


@contextmanager
def deferred_sync(root: str | os.PathLike[str]) -> Iterator[None]:
    """Within the block, :func:`fsync_path` skips paths under ``root`` (in this thread).

    Only for a folder that is not in its final place yet and that the caller flushes
    whole with :func:`fsync_tree` (outside the block) before putting it in place: until
    then nothing under ``root`` can be seen under its final name, so nothing is lost.
    """
    token = _DEFERRED.set((*_DEFERRED.get(), os.path.abspath(root) + os.sep))
    try:
        yield
    finally:
        _DEFERRED.reset(token)


def _deferred(path: str | os.PathLike[str]) -> bool:
    roots = _DEFERRED.get()
    if not roots:
        return False
    full = os.path.abspath(path) + os.sep
    return any(full.startswith(root) for root in roots)


def fsync_path(path: str | os.PathLike[str]) -> None:
    """Flush a file's data, or a folder's entries, to the disk.

    Folders cannot be opened for fsync on some systems (Windows) or file systems
    that do not support it (EINVAL): there it is skipped, as it cannot be done.
    Skipped too under a :func:`deferred_sync` root (flushed later as a whole).
    """
    if _deferred(path):
        return
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


_FLUSHERS: list[ThreadPoolExecutor] = []  # one per process, made on first use
if hasattr(os, "register_at_fork"):  # a forked worker gets its own (threads do not fork)
    os.register_at_fork(after_in_child=_FLUSHERS.clear)


def _flusher() -> ThreadPoolExecutor:
    if not _FLUSHERS:
        _FLUSHERS.append(ThreadPoolExecutor(max_workers=8, thread_name_prefix="fsync"))
    return _FLUSHERS[0]


def fsync_tree(folder: str | os.PathLike[str]) -> None:
    """fsync every file and folder under ``folder``, ``folder`` itself last.

    The files are flushed a few at a time (threads: an fsync waits on the disk, not the
    CPU, and the file system commits concurrent ones together: a plan folder's 17
    files took 54 ms one by one on a loaded machine), then the folders, deepest first.
    """
    files: list[str] = []
    dirs: list[str] = []
    for root, subdirs, names in os.walk(folder, topdown=False):
        files += (os.path.join(root, name) for name in names)
        dirs += (os.path.join(root, name) for name in subdirs)
    if len(files) > 2:
        for _ in _flusher().map(fsync_path, files):  # re-raises the first error
            pass
    else:
        for path in files:
            fsync_path(path)
    for path in dirs:
        fsync_path(path)
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
