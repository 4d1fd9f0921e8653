"""Pilot fixtures: the sample dossier built by the real ingest into tmp_path, and the app."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dossier.ingest.pipeline import ingest_paths
from dossier.store import Store
from dossier.tagsets import load_tagsets
from dossier.tui.app import DossierApp

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"


@pytest.fixture(scope="session")
def sample_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "sample.db"
    store = Store.open(path, create=True)
    ingest_paths(store, [SAMPLE], extractor="rules")
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    return path


@pytest.fixture
def sample_path(sample_template, tmp_path) -> Path:
    path = tmp_path / "sample.db"
    shutil.copyfile(sample_template, path)
    return path


@pytest.fixture
def make_app(sample_path):
    stores = []

    def make(path: Path | None = None, *, readonly: bool = False, **kwargs) -> DossierApp:
        store = Store.open(path or sample_path, readonly=readonly)
        stores.append(store)
        return DossierApp(store, tagsets=load_tagsets(), analyst="ana", **kwargs)

    yield make
    for store in stores:
        store.close()
