"""Shared fixtures: fresh dossiers built by the code under test, never committed .db files."""

from __future__ import annotations

import hashlib

import pytest

from dossier.model import Article, Entity, Event, Mention
from dossier.store import Store


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "test.db"


@pytest.fixture
def store(db_path):
    s = Store.open(db_path, create=True)
    yield s
    s.close()


def make_article(title: str, body: str, **kw) -> Article:
    """An article with its content hash filled in, as ingest would."""
    kw.setdefault("content_hash", hashlib.sha256((title + "\n" + body).encode()).hexdigest())
    return Article(title=title, body=body, **kw)


def add_article_with_names(store: Store, title: str, body: str, names: dict[str, str], **kw):
    """Ingest an article, marking each name (name -> kind) at every place it occurs."""
    article = make_article(title, body, **kw)
    entities = []
    mentions = []
    for name, kind in names.items():
        existing = store.find_entities(name)
        entity = existing[0] if existing else Entity(name=name, kind=kind)
        entities.append(entity)
        start = body.find(name)
        while start >= 0:
            mention = Mention(None, None, start, start + len(name), name)
            mentions.append((len(entities) - 1, mention))
            start = body.find(name, start + 1)
    article_id = store.ingest_article(article, entities, mentions, [])
    return article_id, entities


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
