"""Exports: one module a format, each a function (store, selection, stream) -> None.

`export()` writes atomically: into a temporary file beside the target, flushed and synced,
then renamed into place; on any failure (or an interrupt) the temporary file is removed, so a
failed export never leaves a half file behind. `-` writes to standard output.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from dossier.export import brief, csvfmt, ftm, graphml, html, jsonfmt, subset, timelinejs
from dossier.export.base import ExportError, Progress
from dossier.export.selection import Selection
from dossier.store import Store

__all__ = ["FORMATS", "ExportError", "Format", "Progress", "Selection", "export"]


@dataclass(frozen=True)
class Format:
    name: str
    extension: str
    description: str
    write: Callable[..., None]  # (store, selection, stream: IO[bytes], progress) -> None
    to_folder: bool = False  # writes a folder, a zip or a database rather than one stream


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
}


def export(store: Store, fmt: str, out: str | os.PathLike[str], selection: Selection,
           progress: Progress | None = None, stdout: IO[bytes] | None = None) -> None:
    """Write the selection of the dossier in a format to `out` (a path, or `-`)."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown format '{fmt}' (one of {', '.join(FORMATS)})")
    spec = FORMATS[fmt]
    if os.fspath(out) == "-":
        if spec.to_folder:
            raise ExportError(f"the {fmt} format writes files; give -o PATH")
        stream = stdout or sys.stdout.buffer
        spec.write(store, selection, stream, progress)
        stream.flush()
        return
    target = Path(out)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise ExportError(f"{target}: folder {folder} does not exist")
    if target.is_dir():
        raise ExportError(f"{target}: is a folder; give a file name")
    if spec.to_folder:
        _write_special(store, spec, target, selection, progress)
        return
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=folder)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as stream:
            spec.write(store, selection, stream, progress)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ExportError(f"{target}: cannot write ({exc.strerror or exc})") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _write_special(store: Store, spec: Format, target: Path, selection: Selection,
                   progress: Progress | None) -> None:
    """Formats that make a folder, a zip or a database: built under a temporary name too."""
    tmp = target.with_name(f".{target.name}.part")
    try:
        if tmp.exists():
            _remove(tmp)
        spec.write(store, selection, tmp, progress, final_name=target.name)
        if target.exists() and target.is_dir():
            _remove(target)
        os.replace(tmp, target)
    except OSError as exc:
        _remove(tmp)
        raise ExportError(f"{target}: cannot write ({exc.strerror or exc})") from None
    except BaseException:
        _remove(tmp)
        raise


def _remove(path: Path) -> None:
    if path.is_dir():
        for child in path.iterdir():
            child.unlink(missing_ok=True)
        path.rmdir()
    else:
        path.unlink(missing_ok=True)
        for suffix in ("-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
