"""A whole dossier copied into an empty one, rows as they are: the bulk path between engines.

`copy_dossier(source, target)` copies every table's rows, ids included (so the journal's
batches, the analysts' undo and every reference stay as they were), then makes the full-text
index from the copied articles. On PostgreSQL the rows go in with `COPY ... FROM STDIN`
(`PgConnection.copy_rows`), the GIN index is made once at the end, and the identity columns
are moved past the copied ids; on an SQLite file they go in with `executemany`. One
transaction: a copy that fails leaves the target as empty as it was.

The machine-made near-duplicate tables (signatures, band keys, pairs) are copied too: they
are what the same bodies would make again, and making them is most of an ingest's time.
Meta is not copied: the target keeps its own identity and creation record.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from dossier.store import fts
from dossier.store.schema import quote

if TYPE_CHECKING:
    from dossier.store.store import Store

# Every table of a dossier but meta and the full-text index, parents before children.
TABLES = (
    "articles", "entities", "aliases", "mentions", "events", "event_entities", "taggings",
    "links", "journal", "saved_views", "relation_types", "decisions", "article_signatures",
    "article_bands", "article_duplicates",
)


class NotEmptyError(ValueError):
    """The target of a whole-dossier copy already holds rows."""


def _rows(source: Store, table: str, cols: list[str], page: int = 20_000
          ) -> Iterator[tuple[Any, ...]]:
    """The table's rows in key order, a page at a time (one cursor would hold a read
    transaction open on the source for the whole copy, which is fine, but pages keep the
    memory flat on both engines)."""
    key = {"article_signatures": "article_id", "article_bands": "band, article_id",
           "article_duplicates": "a_id, b_id"}.get(table, "id")
    select = f"SELECT {', '.join(map(quote, cols))} FROM {quote(table)}"
    if key == "id":
        last = -1 << 62
        while True:
            rows = source.conn.execute(f"{select} WHERE id > ? ORDER BY id LIMIT ?",
                                       (last, page)).fetchall()
            yield from (tuple(r) for r in rows)
            if len(rows) < page:
                return
            last = rows[-1][cols.index("id")]
    else:
        yield from (tuple(r) for r in source.conn.execute(f"{select} ORDER BY {key}"))


def copy_dossier(source: Store, target: Store,
                 progress: Callable[[str, int], None] | None = None,
                 meta: dict[str, str] | None = None) -> dict[str, int]:
    """Copy every row of `source` into `target`, which must hold no rows yet; return the
    rows copied per table. `progress(table, rows)` is told after each table; `meta` is set
    in the target in the same transaction (a push's record of what it took)."""
    target._check_writable()  # noqa: SLF001 - the store's own module family
    full = [t for t in TABLES if target.conn.execute(
        f"SELECT 1 FROM {quote(t)} LIMIT 1").fetchone() is not None]
    if full:
        raise NotEmptyError(f"{target.path} is not empty ({', '.join(full)} hold rows): a "
                            "whole dossier is copied into a new one only")
    counts: dict[str, int] = {}
    with target.bulk():
        pg = fts.is_pg(target.conn)
        if pg:  # one GIN build at the end is far cheaper than 100,000 index updates
            target.conn.execute(f"DROP INDEX {quote(fts.PG_INDEX)}")
        for table in TABLES:
            known = set(source.columns(table))
            cols = [c for c in target.columns(table) if c in known]
            counts[table] = target.copy_rows(table, cols, _rows(source, table, cols))
            if progress:
                progress(table, counts[table])
        fts.rebuild(target.conn)
        if pg:
            target.conn.execute("SET LOCAL maintenance_work_mem = '256MB'")
            target.conn.execute(fts.PG_INDEX_DDL)
        target.rows_copied()
        for key, value in (meta or {}).items():
            target.put_meta(key, value)
    target.pair_writes += 1
    target.entity_writes += 1
    return counts
