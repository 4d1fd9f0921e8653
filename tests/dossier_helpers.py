"""Helpers shared by the tests: small dossiers built by the code under test."""

from __future__ import annotations

import hashlib
from pathlib import Path

from dossier.model import Article, Entity, Mention
from dossier.store import Store


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


def big_entity(path: Path, mentions: int) -> tuple[int, int]:
    """A dossier with entity 1 named `mentions` times and entity 2 once; returns their ids."""
    from dossier.model import Entity, Mention

    store = Store.open(path, create=True)
    body = "Regan spoke. " * 50
    with store.bulk():
        a = Entity("Regan", "person")
        b = Entity("Donald Regan", "person")
        for n in range(mentions // 50):
            ms = [(0, Mention(None, None, i * 13, i * 13 + 5, "Regan")) for i in range(50)]
            if n == 0:
                ms.append((1, Mention(None, None, 0, 5, "Regan")))
            store.ingest_article(make_article(f"A{n}", body + str(n)), [a, b], ms, [])
    store.close()
    return a.id, b.id


def other_tool(target):
    """A plain connection to a dossier, as another program would open it (the sqlite3
    module for a file, psycopg for a PostgreSQL URL); SQL without parameters only."""
    if isinstance(target, str) and target.startswith("postgresql://"):
        import psycopg

        return psycopg.connect(target)
    import sqlite3

    return sqlite3.connect(target)
