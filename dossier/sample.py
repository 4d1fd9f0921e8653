"""The bundled sample dossier: built from data/sample/ into the user's data directory.

Built on first start (and again only when the shipped articles or this program's version
change), into a temporary file renamed into place, so an interrupted build never leaves a half
dossier. The analyst's work in an outdated sample is kept aside as a backup, not thrown away.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from dossier import __version__
from dossier.paths import data_files, user_data_dir
from dossier.store import DossierFileError, Store

SAMPLE_NAME = "sample.db"


def _stamp() -> str:
    """What the sample is built from: the shipped files and this program's version."""
    digest = hashlib.sha256(__version__.encode())
    folder = data_files() / "sample"
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if entry.name.endswith((".txt", ".md", ".html", ".json", ".jsonl")):
            digest.update(entry.name.encode() + b"\0" + entry.read_bytes())
    gazetteer = data_files() / "gazetteer.yaml"
    if gazetteer.is_file():
        digest.update(gazetteer.read_bytes())
    return digest.hexdigest()


def _current(path: Path, stamp: str) -> bool:
    try:
        store = Store.open(path, readonly=True)
    except DossierFileError:
        return False
    try:
        return store.get_meta("sample_stamp") == stamp
    finally:
        store.close()


def build_sample(path: Path) -> Path:
    """Ingest the shipped sample articles into a new dossier at `path` (atomically)."""
    from dossier.ingest.pipeline import ingest_paths

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".sample-", suffix=".db", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    tmp.unlink()
    try:
        store = Store.open(tmp, create=True)
        try:
            folder = Path(str(data_files() / "sample"))
            if folder.is_dir():  # installed as files (wheel or source tree): read them there
                report = ingest_paths(store, [folder], extractor="rules")
            else:  # packaged some other way (a zip): copy the articles out first
                with tempfile.TemporaryDirectory() as src:
                    for entry in (data_files() / "sample").iterdir():
                        if entry.name.endswith(".txt"):
                            Path(src, entry.name).write_bytes(entry.read_bytes())
                    report = ingest_paths(store, [Path(src)], extractor="rules")
            if report.refused:
                raise DossierFileError(path, f"sample article refused: {report.refused[0]}")
            store.set_meta("sample_stamp", _stamp())
            store.checkpoint()
        finally:
            store.close()
        os.replace(tmp, path)
    finally:
        for leftover in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
            leftover.unlink(missing_ok=True)
    return path


def ensure_sample() -> Path:
    """The path of an up-to-date sample dossier, building it when missing or outdated."""
    path = user_data_dir() / SAMPLE_NAME
    stamp = _stamp()
    if path.exists():
        if _current(path, stamp):
            return path
        backup = path.with_name(f"sample-before-{__version__}.db")
        for suffix in ("", "-wal", "-shm"):
            if Path(f"{path}{suffix}").exists():
                os.replace(f"{path}{suffix}", f"{backup}{suffix}")
    return build_sample(path)
