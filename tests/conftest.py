"""Shared fixtures: fresh dossiers built by the code under test, never committed .db files."""

from __future__ import annotations

import pytest
from dossier_helpers import add_article_with_names, make_article

from dossier.model import Event, Mention
from dossier.store import Store


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "test.db"


@pytest.fixture
def store(db_path):
    s = Store.open(db_path, create=True)
    yield s
    s.close()


@pytest.fixture
def filled(store):
    """A small dossier: three articles, shared entities, one event."""
    a1, ents = add_article_with_names(
        store, "Broker sanctioned", "Ashot Mkrtychev was sanctioned by the Treasury in Slovakia.",
        {"Ashot Mkrtychev": "person", "Treasury": "organisation", "Slovakia": "place"},
        source="Outlet A", published="2023-04-04", published_precision="day",
    )
    a2, _ = add_article_with_names(
        store, "Arms deal alleged", "The Treasury said Ashot Mkrtychev brokered arms talks.",
        {"Ashot Mkrtychev": "person", "Treasury": "organisation"},
        source="Outlet B", published="2023-03-30", published_precision="day",
    )
    a3, _ = add_article_with_names(
        store, "Unrelated story", "Nothing about anyone in particular here.", {},
        source="Outlet C",
    )
    event = Event(title="designation", date_start="2023-03", precision="month",
                  date_text="last month")
    store.ingest_article(make_article("With event", "Slovakia designation in March."),
                         [ents[2]], [(0, Mention(None, None, 0, 8, "Slovakia"))], [(event, [0])])
    return store
