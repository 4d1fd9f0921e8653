"""The full-text index's statements, one function each, for both engines.

SQLite: the FTS5 table `articles_fts` (external content: its rows are written by hand, as a
dossier has no triggers). PostgreSQL: `articles_fts (rowid, doc tsvector)` under a GIN index,
title weighted A and body B, ranked with `ts_rank`, snippets by `ts_headline`. A query is
always `ftsquery.to_fts`'s text; `pg.translate` turns `articles_fts MATCH ?` into `doc @@
to_tsquery(...)` with `ftsquery.fts_to_tsquery`, so the store's plain MATCH filters run on both.
"""

from __future__ import annotations

import json
from typing import Any

from dossier.model import SNIPPET_CLOSE, SNIPPET_OPEN
from dossier.store import pgschema
from dossier.store.ftsquery import fts_to_tsquery
from dossier.store.pgschema import TS_CONFIG

PG_INDEX = "idx_articles_fts_doc"  # the GIN index of PG_INDEX_DDL
PG_INDEX_DDL = pgschema.FTS_INDEX

# The document of a row: the title weighted A (5x the body, as bm25's weights on SQLite).
PG_DOC = (f"setweight(to_tsvector('{TS_CONFIG}', coalesce(?, '')), 'A') || "
          f"setweight(to_tsvector('{TS_CONFIG}', coalesce(?, '')), 'B')")
PG_RANK = "ts_rank('{0.1, 0.2, 0.2, 1.0}', f.doc, q)"
PG_HEADLINE = (f"ts_headline('{TS_CONFIG}', a.body, q, 'StartSel={SNIPPET_OPEN}, "
               f"StopSel={SNIPPET_CLOSE}, MaxWords=12, MinWords=4, MaxFragments=1, "
               "FragmentDelimiter=…')")
SQLITE_INTEGRITY_CHECK = (
    "INSERT INTO articles_fts (articles_fts, rank) VALUES ('integrity-check', 1)")


def is_pg(conn: Any) -> bool:
    return getattr(conn, "engine", "sqlite") == "postgresql"


def insert(conn: Any, rowid: int, title: str, body: str) -> None:
    if is_pg(conn):
        conn.execute(f"INSERT INTO articles_fts (rowid, doc) VALUES (?, {PG_DOC})",
                     (rowid, title, body))
    else:
        conn.execute("INSERT INTO articles_fts (rowid, title, body) VALUES (?, ?, ?)",
                     (rowid, title, body))


def delete(conn: Any, rowid: int, title: str, body: str) -> None:
    if is_pg(conn):
        conn.execute("DELETE FROM articles_fts WHERE rowid = ?", (rowid,))
    else:
        conn.execute("INSERT INTO articles_fts (articles_fts, rowid, title, body) "
                     "VALUES ('delete', ?, ?, ?)", (rowid, title, body))


def rebuild(conn: Any) -> None:
    """Every article's index row made again from the articles (in the caller's transaction)."""
    if is_pg(conn):
        conn.execute("DELETE FROM articles_fts")
        conn.execute("INSERT INTO articles_fts (rowid, doc) SELECT id, "
                     + PG_DOC.replace("?", "title", 1).replace("?", "body", 1)
                     + " FROM articles")
    else:
        conn.execute("INSERT INTO articles_fts (articles_fts) VALUES ('rebuild')")


def pg_out_of_step(conn: Any) -> int:
    """How many articles' index rows differ from what their text makes (PostgreSQL)."""
    doc = PG_DOC.replace("?", "a.title", 1).replace("?", "a.body", 1)
    return conn.execute(
        f"SELECT count(*) FROM articles a FULL JOIN articles_fts f ON f.rowid = a.id "
        f"WHERE a.id IS NULL OR f.rowid IS NULL OR f.doc IS DISTINCT FROM {doc}").fetchone()[0]


def ranked(conn: Any, fts: str, inside: str, params: list[Any], order: str, limit: int,
           offset: int) -> list[tuple[int, str, float]]:
    """(id, snippet, rank) of a page of hits of the full-text query `fts` (`inside`: an
    " AND ..." clause on the FTS table's rowid, with `params`), best first ("rank") or latest
    added first ("recent"); smaller ranks are better (bm25 on SQLite, -ts_rank on
    PostgreSQL)."""
    if is_pg(conn):
        sort = "r" if order == "rank" else "f.rowid DESC"
        return [(i, s, float(r)) for i, s, r in conn.execute(
            f"SELECT h.rowid, {PG_HEADLINE}, h.r FROM (SELECT f.rowid, -{PG_RANK} AS r, q "
            f"FROM articles_fts f, to_tsquery('{TS_CONFIG}', ?) q WHERE f.doc @@ q{inside} "
            f"ORDER BY {sort} LIMIT ? OFFSET ?) h JOIN articles a ON a.id = h.rowid "
            f"ORDER BY {'h.r, h.rowid' if order == 'rank' else 'h.rowid DESC'}",
            [fts_to_tsquery(fts), *params, limit, offset]).fetchall()]
    # Score (or walk) and snip in the FTS table alone: joining articles first would read
    # every matching row. bm25 only for "rank": its first call counts every phrase's matches
    # over the whole index (EXPLAIN QUERY PLAN is the same either way; the time is not: 35
    # of a scoped "recent" page's 50 ms for a common word on 100,000 articles).
    sort = "r" if order == "rank" else "rowid DESC"
    score = "bm25(articles_fts, 5.0, 1.0)" if order == "rank" else "0.0"
    return conn.execute(  # type: ignore[no-any-return]
        "SELECT rowid, snippet(articles_fts, -1, ?, ?, '…', 12), "
        f"{score} AS r FROM articles_fts "
        f"WHERE articles_fts MATCH ?{inside} ORDER BY {sort} LIMIT ? OFFSET ?",
        [SNIPPET_OPEN, SNIPPET_CLOSE, fts, *params, limit, offset]).fetchall()


def snippets(conn: Any, fts: str, ids: list[int]) -> dict[int, str]:
    """The snippet of each of the articles `ids` for the full-text query `fts`."""
    if not ids:
        return {}
    if is_pg(conn):
        marks = ", ".join("?" for _ in ids)
        return dict(conn.execute(
            f"SELECT a.id, {PG_HEADLINE} FROM articles a, to_tsquery('{TS_CONFIG}', ?) q "
            f"WHERE a.id IN ({marks})", [fts_to_tsquery(fts), *ids]).fetchall())
    return dict(conn.execute(
        "SELECT rowid, snippet(articles_fts, -1, ?, ?, '…', 12) FROM articles_fts "
        "WHERE articles_fts MATCH ? AND +rowid IN (SELECT value FROM json_each(?))",
        [SNIPPET_OPEN, SNIPPET_CLOSE, fts, json.dumps(ids)]).fetchall())
