"""Exports: one module a format, each a function (store, selection, stream) -> None.

`export()` is the one entry point, for the command line and the app alike. It refuses an
output path that is the dossier being exported or one of its `-wal`/`-shm`/`-journal` files
(compared by device and inode when the path exists, through symlinks and hard links, and by
resolved path otherwise). It writes atomically: into a temporary `.NAME.dossier-part-HOST-PID-X`
beside the target, flushed and synced, then renamed into place; on any failure (or an
interrupt) the temporary is removed, so a failed export never leaves a half file behind. A
process killed outright (kill -9, a power cut) cannot clean up: the next export into the same
folder removes the temporaries of this host whose process is gone. `-` writes to standard
output; an existing FIFO or device (`/dev/null`) is written in place, never replaced.

The dossier file itself is only ever `os.stat`-ed here, never opened: closing a plain file
handle on it would drop this process's SQLite locks on it.
"""

from __future__ import annotations

import errno
import os
import re
import secrets
import shutil
import socket
import sqlite3
import stat
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from dossier.export import (
    brat,
    brief,
    csvfmt,
    ftm,
    graphml,
    html,
    jsonfmt,
    spacyfmt,
    subset,
    timelinejs,
)
from dossier.export.base import ExportError, Progress, RefusedTarget, Unavailable
from dossier.export.selection import Selection
from dossier.store import DossierFileError, Store, is_url, store_errors
from dossier.store.db import file_identity

__all__ = ["FORMATS", "ExportError", "Format", "Progress", "RefusedTarget", "Selection",
           "Unavailable", "clean_stale_parts", "export"]


@dataclass(frozen=True)
class Format:
    name: str
    extension: str
    description: str
    write: Callable[..., None]  # (store, selection, stream: IO[bytes], progress) -> None
    to_folder: bool = False  # writes a folder, a zip or a database rather than one stream
    check: Callable[[], None] | None = None  # raises `Unavailable` when a dependency is missing


FORMATS: dict[str, Format] = {
    "md": Format("md", ".md", "a brief a colleague reads (Markdown)", brief.write),
    "html": Format("html", ".html", "the brief as one self-contained HTML report", html.write),
    "json": Format("json", ".json", "lossless; `dossier ingest NEW.db FILE` rebuilds it",
                   jsonfmt.write),
    "csv": Format("csv", "", "one CSV file per table, in a folder (or a .zip)", csvfmt.write,
                  to_folder=True),
    "ftm": Format("ftm", ".ftm.json", "FollowTheMoney entities, JSON lines (Aleph)",
                  ftm.write),
    "timelinejs": Format("timelinejs", ".timeline.json", "TimelineJS JSON", timelinejs.write),
    "graphml": Format("graphml", ".graphml", "entities, articles, events as a graph "
                      "(Gephi, yEd)", graphml.write),
    "dossier": Format("dossier", ".db", "a smaller dossier file of the selection",
                      subset.write, to_folder=True),
    "spacy": Format("spacy", "-spacy", "training data for spaCy: train.spacy + train.jsonl",
                    spacyfmt.write, to_folder=True, check=spacyfmt.check),
    "brat": Format("brat", "-brat", "training data for brat, INCEpTION: .txt + .ann",
                   brat.write, to_folder=True),
}


def export(store: Store, fmt: str, out: str | os.PathLike[str], selection: Selection,
           progress: Progress | None = None, stdout: IO[bytes] | None = None) -> None:
    """Write the selection of the dossier in a format to `out` (a path, or `-`).

    Raises `RefusedTarget` for an output that is the dossier or one of its journal files, and
    `ExportError` (one line naming the path and the reason) for anything that could not be
    written: the command line prints that line (exit status 1), the app shows it."""
    try:
        _export(store, fmt, out, selection, progress, stdout)
    except ExportError:
        raise
    except OSError as exc:  # anything the steps below did not name themselves
        target = "standard output" if os.fspath(out) == "-" else os.fspath(out)
        raise ExportError(f"{target}: cannot write ({why_not(exc, Path(target).parent)})"
                          ) from None


def why_not(exc: BaseException, folder: Path) -> str:
    """The reason a file could not be written, as a user reads it."""
    code = getattr(exc, "errno", None)
    text = getattr(exc, "problem", None) or getattr(exc, "strerror", None) or str(exc)
    low = str(exc).lower()
    if code in (errno.ENOSPC, errno.EDQUOT) or "disk is full" in low:
        return f"the disk is full: {text}"
    if code == errno.EFBIG:
        return f"a file-size limit: {text}"
    if code in (errno.EACCES, errno.EPERM) or "readonly" in low or "unable to open" in low:
        return f"no permission to create a file in {folder}: {text}"
    if code == errno.EROFS:
        return f"{folder} is on a read-only file system"
    if code == errno.ENOENT:  # the folder is there (checked) but makes no files: /proc, /sys
        return f"{folder} does not take new files: {text}"
    return text


def _export(store: Store, fmt: str, out: str | os.PathLike[str], selection: Selection,
            progress: Progress | None, stdout: IO[bytes] | None) -> None:
    if fmt not in FORMATS:
        raise ExportError(f"unknown format '{fmt}' (one of {', '.join(FORMATS)})")
    spec = FORMATS[fmt]
    if spec.check:
        spec.check()
    if os.fspath(out) == "-":
        if spec.to_folder:
            raise ExportError(f"the {fmt} format writes files; give -o PATH")
        stream = stdout or sys.stdout.buffer
        _refuse_own_stream(store, stream)
        spec.write(store, selection, stream, progress)
        stream.flush()
        return
    target = Path(out)
    refuse_own_files(store, target)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise ExportError(f"{target}: folder {folder} does not exist")
    if target.is_dir():
        raise ExportError(f"{target}: is a folder; give a file name")
    if _is_special(target):
        if spec.to_folder:
            raise ExportError(f"{target}: is not a regular file; the {fmt} format writes files")
        _write_in_place(store, spec, target, selection, progress)
        return
    clean_stale_parts(folder)
    if spec.to_folder:
        _write_special(store, spec, target, selection, progress)
        return
    tmp = part_path(target)
    try:
        # 0o666 and the process's umask: the mode any other program's output gets.
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0),
                     0o666)
    except OSError as exc:
        raise ExportError(f"{target}: cannot write ({why_not(exc, folder)})") from None
    try:
        with os.fdopen(fd, "wb") as stream:
            spec.write(store, selection, stream, progress)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ExportError(f"{target}: cannot write ({why_not(exc, folder)})") from None
    except store_errors() as exc:  # a stranger's file: text that is not UTF-8, a bad page
        tmp.unlink(missing_ok=True)
        raise ExportError(f"{target}: not written, {store.path} could not be read ({exc})"
                          ) from None
    except ValueError as exc:  # a value the format cannot carry (JSON has no Infinity)
        tmp.unlink(missing_ok=True)
        raise ExportError(f"{target}: not written ({exc})") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


# ----------------------------------------------------------------- the dossier is not a target

_SIDECARS = {"-wal": "write-ahead log", "-shm": "shared-memory index",
             "-journal": "rollback journal"}


def _own_files(store: Store) -> list[tuple[Path, str]]:
    """The dossier's file and its journal files, by the name it was opened with and by its
    real path (SQLite names the journal files after the real file when the name is a link)."""
    if (not store.path or store.path == ":memory:" or store.path.startswith("file:")
            or is_url(store.target)):
        return []
    given = Path(store.path).absolute()
    real = given.resolve()
    files = [(given, "the dossier being exported"), (real, "the dossier being exported")]
    for suffix, what in _SIDECARS.items():
        files += [(Path(f"{given}{suffix}"), f"the dossier's {what}"),
                  (Path(f"{real}{suffix}"), f"the dossier's {what}")]
    return files


def refuse_own_files(store: Store, target: Path) -> None:
    """Raise `RefusedTarget` when writing `target` would replace the dossier or one of its
    journal files: the same file (device and inode, through symlinks and hard links) when the
    target exists, the same resolved path otherwise."""
    own = _own_files(store)
    if not own:
        return
    found = file_identity(target)
    if found is not None:
        for path, what in own:
            if file_identity(path) == found:
                raise RefusedTarget(f"{target}: is {what} ({store.path}); "
                                    "choose another output path")
    resolved = target.absolute().resolve()
    for path, what in own:
        if path.resolve() == resolved:
            raise RefusedTarget(f"{target}: is {what} ({store.path}); "
                                "choose another output path")


def _refuse_own_stream(store: Store, stream: IO[bytes]) -> None:
    """Standard output redirected onto the dossier (`>> x.db`) is refused like `-o x.db`."""
    try:
        st = os.fstat(stream.fileno())
    except (AttributeError, OSError, ValueError):
        return
    for path, what in _own_files(store):
        if file_identity(path) == (st.st_dev, st.st_ino):
            raise RefusedTarget(f"standard output: is {what} ({store.path}); "
                                "choose another output path")


# ----------------------------------------------------------------- temporaries

PART_MARK = ".dossier-part-"
_PART = re.compile(r"^\..+\.dossier-part-(?P<host>[A-Za-z0-9_.]+)-(?P<pid>\d+)-[0-9a-f]{8}"
                   r"(?:-wal|-shm|-journal)?$")


def _host() -> str:
    return re.sub(r"[^A-Za-z0-9_.]", "_", socket.gethostname())[:64] or "host"


def part_path(target: Path) -> Path:
    """A new temporary name beside `target`: `.NAME.dossier-part-HOST-PID-RANDOM`."""
    return target.with_name(f".{target.name}{PART_MARK}{_host()}-{os.getpid()}-"
                            f"{secrets.token_hex(4)}")


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    except (OverflowError, OSError):
        return False
    return True


def clean_stale_parts(folder: Path) -> list[Path]:
    """Remove the temporaries a killed export left in `folder`: those made on this host by a
    process that no longer runs (another host's, or a live process's, are left alone).
    Best effort: what cannot be removed stays. Returns what was removed."""
    removed = []
    host = _host()
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        match = _PART.match(entry.name)
        if not match or match["host"] != host or _alive(int(match["pid"])):
            continue
        try:
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path)
            else:
                os.unlink(entry.path)
        except OSError:
            continue
        removed.append(Path(entry.path))
    return removed


def _is_special(target: Path) -> bool:
    """An existing FIFO, device or socket: written in place (renaming would replace it)."""
    try:
        mode = os.stat(target).st_mode
    except OSError:
        return False
    return not stat.S_ISREG(mode) and not stat.S_ISDIR(mode)


def _write_in_place(store: Store, spec: Format, target: Path, selection: Selection,
                    progress: Progress | None) -> None:
    try:
        with open(target, "wb") as stream:
            spec.write(store, selection, stream, progress)
    except (OSError, *store_errors()) as exc:
        raise ExportError(f"{target}: cannot write ({why_not(exc, target.parent)})") from None


def _write_special(store: Store, spec: Format, target: Path, selection: Selection,
                   progress: Progress | None) -> None:
    """Formats that make a folder, a zip or a database: built under a temporary name too.
    The folder is tried first with an empty file, so that every format says the same thing
    when it cannot be written (SQLite would say only "unable to open database file")."""
    tmp = part_path(target)
    folder = target.parent
    try:
        # Its mode is 0o666 less the umask, what a file of any other program gets; SQLite
        # makes its files 0o644 whatever the umask, so the written dossier is given it too.
        probe = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        mode = stat.S_IMODE(os.fstat(probe).st_mode)
        os.close(probe)
        os.unlink(tmp)
    except OSError as exc:
        raise ExportError(f"{target}: cannot write ({why_not(exc, folder)})") from None
    try:
        spec.write(store, selection, tmp, progress, final_name=target.name)
        if tmp.is_file():
            os.chmod(tmp, mode)
        os.replace(tmp, target)
    except (OSError, *store_errors()) as exc:  # sqlite3: a full disk, or an unreadable source
        _remove(tmp)
        if isinstance(exc, sqlite3.DatabaseError) and "malformed" in str(exc):
            raise ExportError(f"{target}: not written, {store.path} could not be read ({exc})"
                              ) from None
        raise ExportError(f"{target}: cannot write ({why_not(exc, folder)})") from None
    except DossierFileError as exc:  # the new dossier could not be created
        _remove(tmp)
        raise ExportError(f"{target}: cannot write ({why_not(exc, folder)})") from None
    except BaseException:
        _remove(tmp)
        raise


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)
    for suffix in _SIDECARS:
        Path(f"{path}{suffix}").unlink(missing_ok=True)
