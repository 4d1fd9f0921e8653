"""Near-duplicate articles in the file: signatures and pairs written at ingest.

The sketches are machine-made from the body (like the full-text index), so they are written
with the article and are not journalled; so are the pairs (`article_duplicates`, schema 3):
a new article's band keys are looked up among the earlier articles', the sketches of those
candidates decide, and each pair at or over `dedup.THRESHOLD` is stored. Readers (the
Articles list's fold, the review queue, the copy chips) read that table and never walk every
pair. A file that lacks sketches (a version-1 file, an import) gets them from `backfill`; a
version-2 file gets its pairs from `backfill_pairs` (one walk of the band index).

A pair stays once found: a band key that later becomes boilerplate (shared by more than
BAND_CAP articles) does not take back a pair whose sketches already matched.
"""

from __future__ import annotations

import json
import sqlite3
from array import array
from collections.abc import Callable, Iterator

from dossier import dedup

# A band key shared by more articles than this is boilerplate (a shared sentence, a
# copyright line) rather than a copy, and is passed over; a true copy shares the others.
BAND_CAP = 10

Progress = Callable[[int, int], None]  # (done, total)


def write_signature(conn: sqlite3.Connection, article_id: int, body: str, *,
                    pairs: bool = True) -> None:
    """Store an article's sketch and band keys and, unless `pairs` is False (a version-2
    file being made, which has no pairs table yet), its pairs with the articles already in
    the file (inside the caller's transaction)."""
    values = dedup.sketch(body)
    conn.execute("INSERT OR REPLACE INTO article_signatures (article_id, minhash) VALUES (?, ?)",
                 (article_id, dedup.to_blob(values)))
    keys = dedup.bands(values)
    conn.executemany("INSERT OR IGNORE INTO article_bands (band, article_id) VALUES (?, ?)",
                     [(band, article_id) for band in keys])
    if pairs and keys:
        write_pairs(conn, article_id, values)


def write_pairs(conn: sqlite3.Connection, article_id: int, values: list[int]) -> int:
    """Store the near-duplicate pairs of one article (whose sketch is `values` and whose band
    keys are written) with the other articles sharing a band key; returns the pairs stored.
    A few index lookups: the article's 4 band keys, then the candidates' sketches."""
    keys = dedup.bands(values)
    if not keys:
        return 0
    marks = ", ".join("?" for _ in keys)
    candidates = [r[0] for r in conn.execute(
        f"SELECT DISTINCT article_id FROM article_bands WHERE band IN ({marks}) AND "
        "article_id != ? AND band IN (SELECT band FROM article_bands WHERE band IN "
        f"({marks}) GROUP BY band HAVING count(*) <= ?)",
        [*keys, article_id, *keys, BAND_CAP])]
    if not candidates:
        return 0
    mine = frozenset(values)
    found = []
    for other, blob in conn.execute(  # the candidates' sketches in one read
            "SELECT article_id, minhash FROM article_signatures WHERE article_id IN "
            "(SELECT value FROM json_each(?)) ORDER BY article_id",
            (json.dumps(candidates),)).fetchall():
        score = dedup.similarity(mine, dedup.from_blob(blob))
        if score >= dedup.THRESHOLD:
            found.append((min(article_id, other), max(article_id, other), score))
    conn.executemany("INSERT OR REPLACE INTO article_duplicates (a_id, b_id, similarity) "
                     "VALUES (?, ?, ?)", found)
    return len(found)


def backfill(conn: sqlite3.Connection, *, pairs: bool = True) -> int:
    """Sketch every article that has none yet, and (unless `pairs` is False) store its pairs
    with the articles sketched before it (inside the caller's transaction)."""
    rows = conn.execute(
        "SELECT id, body FROM articles WHERE id NOT IN (SELECT article_id FROM "
        "article_signatures) ORDER BY id").fetchall()
    for article_id, body in rows:
        write_signature(conn, article_id, body, pairs=pairs)
    return len(rows)


def backfill_pairs(conn: sqlite3.Connection, progress: Progress | None = None) -> int:
    """Every pair of the sketches already in the file, stored in one walk of the band index
    (the version 2 -> 3 migration, inside its transaction); `progress(done, total)` is called
    as the candidates are compared. Returns the pairs stored."""
    found = list(near_duplicates(conn, progress=progress))
    conn.executemany("INSERT OR REPLACE INTO article_duplicates (a_id, b_id, similarity) "
                     "VALUES (?, ?, ?)", found)
    return len(found)


def stored_pairs(conn: sqlite3.Connection, ids: list[int] | None = None
                 ) -> list[tuple[int, int, float]]:
    """(first id, later id, similarity) of the stored pairs, by ascending ids; of the given
    articles' pairs only (either side) when `ids` is given."""
    if ids is None:
        return conn.execute("SELECT a_id, b_id, similarity FROM article_duplicates "
                            "ORDER BY a_id, b_id").fetchall()
    wanted = json.dumps(sorted(set(ids)))
    return conn.execute(
        "SELECT a_id, b_id, similarity FROM article_duplicates WHERE a_id IN "
        "(SELECT value FROM json_each(?)) UNION SELECT a_id, b_id, similarity FROM "
        "article_duplicates WHERE b_id IN (SELECT value FROM json_each(?)) ORDER BY 1, 2",
        (wanted, wanted)).fetchall()


def dangling_pairs(conn: sqlite3.Connection) -> list[tuple[int, int, int]]:
    """Stored pairs naming an article that is not in the file: (a_id, b_id, missing id)."""
    return conn.execute(
        "SELECT a_id, b_id, CASE WHEN NOT EXISTS (SELECT 1 FROM articles WHERE id = a_id) "
        "THEN a_id ELSE b_id END FROM article_duplicates d WHERE NOT EXISTS (SELECT 1 FROM "
        "articles WHERE id = d.a_id) OR NOT EXISTS (SELECT 1 FROM articles WHERE id = d.b_id) "
        "ORDER BY a_id, b_id").fetchall()


def remove_dangling_pairs(conn: sqlite3.Connection) -> int:
    """Delete the pairs of `dangling_pairs` (machine rows: not journalled)."""
    cur = conn.execute(
        "DELETE FROM article_duplicates WHERE a_id NOT IN (SELECT id FROM articles) OR "
        "b_id NOT IN (SELECT id FROM articles)")
    return cur.rowcount


def _sketch(conn: sqlite3.Connection, article_id: int) -> list[int]:
    row = conn.execute("SELECT minhash FROM article_signatures WHERE article_id = ?",
                       (article_id,)).fetchone()
    return dedup.from_blob(row[0]) if row else []


def near_duplicates(conn: sqlite3.Connection, article_id: int | None = None, *,
                    progress: Progress | None = None) -> Iterator[tuple[int, int, float]]:
    """(first article id, later article id, estimated similarity) of every near-duplicate
    pair at or over `dedup.THRESHOLD` (of one article's pairs when `article_id` is given),
    by ascending ids, computed from the sketches (readers use `stored_pairs`; this is what
    fills and checks the table). Pairs share a band key; the sketches decide."""
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
        step = max(1, len(ordered) // 100)
        for n, (a, b) in enumerate(ordered):
            if progress is not None and n % step == 0:
                progress(n, len(ordered))
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
        if progress is not None:
            progress(len(ordered), len(ordered))
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
