"""Read queries the graph export needs: who is named where, and how often."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator


def entities_by_article(conn: sqlite3.Connection) -> Iterator[tuple[int, int, int]]:
    """(article_id, entity_id, mentions) for each entity named in each article, in article
    order; within an article the most-mentioned first, ties by the first named."""
    yield from conn.execute(
        "SELECT article_id, entity_id, count(*) AS n FROM mentions "
        "GROUP BY article_id, entity_id ORDER BY article_id, n DESC, min(start), entity_id")


def event_entities(conn: sqlite3.Connection) -> Iterator[tuple[int, int]]:
    """(event_id, entity_id) of every event's involved entities."""
    yield from conn.execute("SELECT event_id, entity_id FROM event_entities ORDER BY id")
