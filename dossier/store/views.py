"""Read queries the panes, dialogs and exports need, beside the `Store` methods.

Each is one LIMITed or counting SQL statement over the public tables, so a list of 100,000
rows still reads a page at a time. Formatting stays with the caller.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from dossier.model import Event, TagFilter
from dossier.store.store import Store, tag_filter_sql

DENSITY_MAX_MONTHS = 1200  # beyond a century of months the strip counts years


def count_entities(store: Store, article_id: int | None, tag_filter: TagFilter | None) -> int:
    """Entities of the dossier (or of one article) that the tag filter keeps, counted in SQL."""
    clauses, params = tag_filter_sql(tag_filter, "entity", "e.id")
    if article_id is not None:
        clauses.insert(0, "e.id IN (SELECT entity_id FROM mentions WHERE article_id = ?)")
        params.insert(0, article_id)
    where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
    return store.conn.execute(f"SELECT count(*) FROM entities e{where}", params).fetchone()[0]


def entity_article_count(store: Store, entity_id: int) -> int:
    """How many articles mention an entity (`entity_articles` lists only a page of them)."""
    return store.conn.execute(
        "SELECT count(DISTINCT article_id) FROM mentions WHERE entity_id = ?", (entity_id,)
    ).fetchone()[0]


def count_events(store: Store, tag_filter: TagFilter | None) -> int:
    """Events the tag filter keeps."""
    if tag_filter is None or tag_filter.is_empty():
        return store.count_events()
    clauses, params = tag_filter_sql(tag_filter, "event", "events.id")
    clauses += [c for c in [store.duplicate_events_clause()] if c]
    return store.conn.execute(
        f"SELECT count(*) FROM events WHERE {' AND '.join(clauses)}", params).fetchone()[0]


def list_events(store: Store, offset: int, limit: int, tag_filter: TagFilter | None
                ) -> list[Event]:
    """A page of the events the tag filter keeps, dated ones in date order, unresolved last."""
    if tag_filter is None or tag_filter.is_empty():
        return store.list_events(offset, limit)
    clauses, params = tag_filter_sql(tag_filter, "event", "events.id")
    clauses += [c for c in [store.duplicate_events_clause()] if c]
    ids = [r[0] for r in store.conn.execute(
        f"SELECT id FROM events WHERE {' AND '.join(clauses)} "
        "ORDER BY date_start IS NULL, date_start, id LIMIT ? OFFSET ?",
        [*params, limit, offset])]
    return [e for i in ids if (e := store.get_event(i)) is not None]


def article_precisions(store: Store, ids: list[int]) -> dict[int, str]:
    """The precision of each article's date (a search hit carries the date, not this)."""
    if not ids:
        return {}
    marks = ", ".join("?" for _ in ids)
    return dict(store.conn.execute(
        f"SELECT id, published_precision FROM articles WHERE id IN ({marks})", ids))


def density(store: Store) -> tuple[list[int], str, str, str]:
    """Events per month from the first to the last dated one, empty months included, so
    the strip is a time axis; years when the span is longer than a century.

    Returns (counts, first bucket, last bucket, bucket name)."""
    months = [(b, n) for b, n in store.event_density("month") if _is_month(b)]
    if not months:
        return [], "", "", "month"
    first, last = _month_index(months[0][0]), _month_index(months[-1][0])
    if last - first < DENSITY_MAX_MONTHS:
        counts = [0] * (last - first + 1)
        for bucket, n in months:
            counts[_month_index(bucket) - first] += n
        return counts, months[0][0], months[-1][0], "month"
    years: dict[int, int] = {}
    for bucket, n in months:
        years[int(bucket[:4])] = years.get(int(bucket[:4]), 0) + n
    low, high = min(years), max(years)
    return ([years.get(y, 0) for y in range(low, high + 1)], f"{low:04d}", f"{high:04d}",
            "year")


def _is_month(bucket: str) -> bool:
    return len(bucket) == 7 and bucket[:4].isdigit() and bucket[4] == "-" \
        and bucket[5:].isdigit() and 1 <= int(bucket[5:]) <= 12


def _month_index(bucket: str) -> int:
    return int(bucket[:4]) * 12 + int(bucket[5:7]) - 1


def walk_targets(store: Store, analyst: str, direction: str) -> list[tuple[str, int]]:
    """The items the next undo (or redo) of this analyst will touch, as the journal names
    them: the batch `Store.undo`/`redo` picks (its latest done, or earliest undone)."""
    pick = ("SELECT max(batch) FROM journal WHERE analyst = ? AND state = 'done'"
            if direction == "undo" else
            "SELECT min(batch) FROM journal WHERE analyst = ? AND state = 'undone'")
    (batch,) = store.conn.execute(pick, (analyst,)).fetchone()
    if batch is None:
        return []
    targets: list[tuple[str, int]] = []
    for table, before, after, kind, item_id in store.conn.execute(
            "SELECT table_name, before, after, target_kind, target_id FROM journal "
            "WHERE batch = ? ORDER BY id", (batch,)):
        if kind is None and table == "taggings":
            # A change to several items at once names none: the tagging rows do.
            try:  # a crafted row is refused by the undo itself; here it only names nothing
                row = json.loads(after or before or "{}")
            except (ValueError, TypeError):
                row = {}
            if isinstance(row, dict):
                kind, item_id = row.get("target_kind"), row.get("target_id")
        if isinstance(kind, str) and isinstance(item_id, int) and (kind, item_id) not in targets:
            targets.append((kind, item_id))
    return targets


def describe_targets(store: Store, targets: list[tuple[str, int]]) -> str:
    """'article “U.S. Sanctions…”', or '3 articles' (plain text, for a notification)."""
    if not targets:
        return ""
    kinds = {k for k, _ in targets}
    if len(targets) == 1:
        kind, item_id = targets[0]
        name = store.item_name(kind, item_id)
        name = name if len(name) <= 50 else name[:49] + "…"
        return f"{kind} “{name}”"
    if len(kinds) == 1:
        return f"{len(targets)} {next(iter(kinds))}s"
    return f"{len(targets)} items"


def entities_by_alias(store: Store, like: str, limit: int) -> list[tuple[int, str, str]]:
    """(id, name, kind) of entities with an alias LIKE the pattern, most mentioned first."""
    return store.conn.execute(
        "SELECT e.id, e.name, e.kind FROM entities e WHERE e.id IN (SELECT entity_id FROM "
        "aliases WHERE norm LIKE ? LIMIT ?) ORDER BY (SELECT count(*) FROM mentions m "
        "WHERE m.entity_id = e.id) DESC LIMIT ?",
        (like.lower(), limit * 4, limit),
    ).fetchall()


def articles_titled(store: Store, like: str, limit: int) -> list[tuple[int, str, str]]:
    """(id, title, published) of articles whose title is LIKE the pattern."""
    return store.conn.execute("SELECT id, title, published FROM articles WHERE title LIKE ? "
                              "LIMIT ?", (like, limit)).fetchall()


def latest_articles(store: Store, limit: int) -> list[tuple[int, str, str]]:
    """(id, title, published) of the most recently added articles, newest first."""
    return store.conn.execute("SELECT id, title, published FROM articles ORDER BY id DESC "
                              "LIMIT ?", (limit,)).fetchall()


def events_matching(store: Store, like: str, date_prefix: str, limit: int
                    ) -> list[tuple[int, str, str | None]]:
    """(id, title, date_start) of events titled LIKE the pattern or dated from the prefix."""
    return store.conn.execute("SELECT id, title, date_start FROM events WHERE title LIKE ? OR "
                              "date_start LIKE ? ORDER BY date_start LIMIT ?",
                              (like, date_prefix, limit)).fetchall()


def tag_counts(store: Store, kind: str, tags: list[tuple[str, str]]) -> list[tuple[int, int]]:
    """(target id, how many of these (tagset, tag) pairs it carries) for items of `kind`."""
    clauses = " OR ".join("(tagset = ? AND tag = ?)" for _ in tags)
    params: list[Any] = [kind]
    for pair in tags:
        params += list(pair)
    return store.conn.execute(
        f"SELECT target_id, count(DISTINCT tagset || ':' || tag) FROM taggings "
        f"WHERE target_kind = ? AND ({clauses}) GROUP BY target_id", params,
    ).fetchall()


def tagged_ids(store: Store, kind: str) -> set[int]:
    """The ids of the items of `kind` that carry any tag."""
    return {r[0] for r in store.conn.execute(
        "SELECT DISTINCT target_id FROM taggings WHERE target_kind = ?", (kind,))}


def article_dates(store: Store) -> Iterator[tuple[int, str | None]]:
    """(id, published) of every article."""
    yield from store.conn.execute("SELECT id, published FROM articles")


def event_dates(store: Store) -> Iterator[tuple[int, str | None]]:
    """(id, date_start) of every event."""
    yield from store.conn.execute("SELECT id, date_start FROM events")


def entities_in_articles(store: Store, article_ids: list[int]) -> set[int]:
    """The entities named in any of these articles (a chunk small enough for one IN)."""
    marks = ",".join("?" * len(article_ids))
    return {r[0] for r in store.conn.execute(
        f"SELECT DISTINCT entity_id FROM mentions WHERE article_id IN ({marks})", article_ids)}


def events_in_articles(store: Store, article_ids: list[int]) -> set[int]:
    """The events taken from any of these articles (a chunk small enough for one IN)."""
    marks = ",".join("?" * len(article_ids))
    return {r[0] for r in store.conn.execute(
        f"SELECT id FROM events WHERE article_id IN ({marks})", article_ids)}


def co_occurring(store: Store, entity_id: int, limit: int, article_cap: int
                 ) -> list[tuple[int, int]]:
    """Entities named in the same articles as this one (its latest `article_cap` articles),
    with the number of shared articles, most shared first."""
    rows = store.conn.execute(
        "SELECT m2.entity_id, count(DISTINCT m2.article_id) AS n FROM "
        "(SELECT DISTINCT article_id FROM mentions WHERE entity_id = ? "
        " ORDER BY article_id DESC LIMIT ?) a "
        "JOIN mentions m2 ON m2.article_id = a.article_id "
        "WHERE m2.entity_id != ? GROUP BY m2.entity_id ORDER BY n DESC, m2.entity_id LIMIT ?",
        (entity_id, article_cap, entity_id, limit),
    ).fetchall()
    return [(r[0], r[1]) for r in rows]


def mention_markers(store: Store) -> dict[int, tuple[str, str]]:
    """Who marked each mention an analyst added, from the journal: mention id -> (analyst,
    when). Mentions found at ingest are not journalled and are not in it."""
    return {row_id: (analyst, at) for row_id, analyst, at in store.conn.execute(
        "SELECT row_id, analyst, at FROM journal WHERE table_name = 'mentions' "
        "AND before IS NULL AND after IS NOT NULL AND state = 'done' ORDER BY id")}


def entity_links_with_evidence(store: Store) -> Iterator[dict[str, Any]]:
    """Links between two entities that carry an evidence article, in id order."""
    yield from store.query(
        "SELECT * FROM links WHERE from_kind = 'entity' AND to_kind = 'entity' "
        "AND evidence_article_id IS NOT NULL ORDER BY id")


def entity_kinds(store: Store, entity_ids: list[int]) -> dict[int, str]:
    """id -> kind of these entities (the ends of the exported links)."""
    out: dict[int, str] = {}
    ids = sorted(set(entity_ids))
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        marks = ",".join("?" * len(chunk))
        out.update(store.conn.execute(
            f"SELECT id, kind FROM entities WHERE id IN ({marks})", chunk).fetchall())
    return out


def mention_stats(store: Store, article_ids: list[int] | None
                  ) -> dict[int, tuple[int, int]]:
    """entity id -> (mentions, articles naming it) within these articles (None: all)."""
    out: dict[int, tuple[int, int]] = {}
    if article_ids is None:
        rows = store.conn.execute(
            "SELECT entity_id, count(*), count(DISTINCT article_id) FROM mentions "
            "GROUP BY entity_id")
        return {r[0]: (r[1], r[2]) for r in rows}
    ids = sorted(set(article_ids))
    for start in range(0, len(ids), 500):  # an article is in one chunk: counts add up
        chunk = ids[start:start + 500]
        marks = ",".join("?" * len(chunk))
        for entity_id, mentions, articles in store.conn.execute(
                f"SELECT entity_id, count(*), count(DISTINCT article_id) FROM mentions "
                f"WHERE article_id IN ({marks}) GROUP BY entity_id", chunk):
            before = out.get(entity_id, (0, 0))
            out[entity_id] = (before[0] + mentions, before[1] + articles)
    return out


def article_sources(store: Store, article_ids: list[int] | None) -> set[str]:
    """The distinct `source` values of these articles (None: of all)."""
    if article_ids is None:
        return {r[0] for r in store.conn.execute(
            "SELECT DISTINCT source FROM articles WHERE source IS NOT NULL")}
    out: set[str] = set()
    ids = sorted(set(article_ids))
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        marks = ",".join("?" * len(chunk))
        out |= {r[0] for r in store.conn.execute(
            f"SELECT DISTINCT source FROM articles WHERE id IN ({marks}) "
            "AND source IS NOT NULL", chunk)}
    return out
