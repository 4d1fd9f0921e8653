"""Near-duplicate articles in the file: signatures written at ingest, pairs found by index.

The sketches are machine-made from the body (like the full-text index), so they are written
with the article and are not journalled; a file that lacks some (a version-1 file, an import)
gets them from `backfill`.
"""

from __future__ import annotations

import json
import sqlite3
from array import array
from collections.abc import Iterator

from dossier import dedup

# A band key shared by more articles than this is boilerplate (a shared sentence, a
# copyright line) rather than a copy, and is passed over; a true copy shares the others.
BAND_CAP = 10


def write_signature(conn: sqlite3.Connection, article_id: int, body: str) -> None:
    """Store an article's sketch and band keys (inside the caller's transaction)."""
    values = dedup.sketch(body)
    conn.execute("INSERT INTO article_signatures (article_id, minhash) VALUES (?, ?) "
                 "ON CONFLICT (article_id) DO UPDATE SET minhash = excluded.minhash",
                 (article_id, dedup.to_blob(values)))
    conn.executemany("INSERT OR IGNORE INTO article_bands (band, article_id) VALUES (?, ?)",
                     [(band, article_id) for band in dedup.bands(values)])


def backfill(conn: sqlite3.Connection) -> int:
    """Sketch every article that has none yet (inside the caller's transaction)."""
    rows = conn.execute(
        "SELECT id, body FROM articles WHERE id NOT IN (SELECT article_id FROM "
        "article_signatures) ORDER BY id").fetchall()
    for article_id, body in rows:
        write_signature(conn, article_id, body)
    return len(rows)


def _sketch(conn: sqlite3.Connection, article_id: int) -> list[int]:
    row = conn.execute("SELECT minhash FROM article_signatures WHERE article_id = ?",
                       (article_id,)).fetchone()
    return dedup.from_blob(row[0]) if row else []


def near_duplicates(conn: sqlite3.Connection, article_id: int | None = None
                    ) -> Iterator[tuple[int, int, float]]:
    """(first article id, later article id, estimated similarity) of every near-duplicate
    pair at or over `dedup.THRESHOLD` (of one article's pairs when `article_id` is given),
    by ascending ids. Pairs share a band key; the sketches decide."""
    if article_id is None:
        # One walk of the band index (its primary key is in band order), the pairs made
        # here: a self-join per band costs far more on 100,000 articles (BENCHMARKS.md).
        found: set[tuple[int, int]] = set()
        for (ids,) in conn.execute(
                "SELECT group_concat(article_id) FROM article_bands GROUP BY band "
                "HAVING count(*) BETWEEN 2 AND ?", (BAND_CAP,)):
            members = sorted(int(i) for i in ids.split(","))
            found.update((x, y) for n, x in enumerate(members) for y in members[n + 1:])
        ordered = sorted(found)
        wanted = sorted({i for pair in ordered for i in pair})
        sets: dict[int, frozenset[int]] = {}
        for i, blob in conn.execute(
                "SELECT article_id, minhash FROM article_signatures WHERE article_id IN "
                "(SELECT value FROM json_each(?))", (json.dumps(wanted),)):
            values = array("q")
            values.frombytes(blob)
            sets[i] = frozenset(values)
        empty: frozenset[int] = frozenset()
        for a, b in ordered:
            # The estimate counts hashes both sketches hold among the k smallest of their
            # union, so it is at most |a & b| / k: most candidates (articles sharing one
            # sentence) fail that at once, without the full estimate.
            sa, sb = sets.get(a, empty), sets.get(b, empty)
            shared = len(sa & sb)
            k = min(dedup.SKETCH, len(sa) + len(sb) - shared)
            if not k or shared < dedup.THRESHOLD * k:
                continue
            score = dedup.similarity(sorted(sa), sorted(sb))
            if score >= dedup.THRESHOLD:
                yield a, b, score
        return
    pairs = conn.execute(
        "SELECT DISTINCT min(x.article_id, y.article_id), max(x.article_id, y.article_id) "
        "FROM article_bands x JOIN article_bands y ON y.band = x.band "
        "AND y.article_id != x.article_id WHERE x.article_id = ? AND "
        "(SELECT count(*) FROM article_bands z WHERE z.band = x.band) <= ? "
        "ORDER BY 1, 2", (article_id, BAND_CAP))
    cache: dict[int, list[int]] = {}
    for a, b in pairs.fetchall():
        for i in (a, b):
            if i not in cache:
                cache[i] = _sketch(conn, i)
        score = dedup.similarity(cache[a], cache[b])
        if score >= dedup.THRESHOLD:
            yield a, b, score
