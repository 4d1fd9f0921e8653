"""The reads and writes `dossier push` and `dossier pull` need (the rules are in dossier/sync.py).

Every statement here is plain SQL on the store's public tables; the writes of analyst work go
through `Store.change` (journalled), and the meta records through `Store.put_meta` inside the
same transaction, so a push's batch and the note of what it applied commit together.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from dossier.dedup import from_blob
from dossier.store.dedup import write_pairs, write_signature
from dossier.store.journal import read_row
from dossier.store.schema import JOURNALLED_TABLES, quote
from dossier.store.store import normalise_alias

if TYPE_CHECKING:
    from dossier.store.store import Store


IDENTITY_KEY = "dossier_id"
SYNC_PREFIX = "sync."


def identity(store: Store) -> str:
    """What names a dossier across copies and moves: its `dossier_id` meta value (a pulled
    file gets one), else the time it was created (milliseconds, set once by `create`)."""
    return store.get_meta(IDENTITY_KEY) or f"created:{store.get_meta('created_at')}"


def new_identity() -> str:
    return uuid.uuid4().hex


def drop_sync_records(store: Store) -> None:
    """Remove the push/pull records copied from another dossier (inside the caller's
    transaction): a pulled file starts with records of its own only."""
    store.conn.execute("DELETE FROM meta WHERE key LIKE 'sync.%' OR key = ?", (IDENTITY_KEY,))


def max_ids(store: Store) -> dict[str, int]:
    """The highest id of each journalled table (0 when empty)."""
    return {t: store.conn.execute(f"SELECT coalesce(max(id), 0) FROM {quote(t)}").fetchone()[0]
            for t in JOURNALLED_TABLES}


def journal_mark(store: Store) -> int:
    (mark,) = store.conn.execute("SELECT coalesce(max(id), 0) FROM journal").fetchone()
    return int(mark)


def batches_not_done(store: Store, upto: int) -> list[int]:
    """Batches up to journal id `upto` whose changes are not in the file (undone or dropped)."""
    return [b for (b,) in store.conn.execute(
        "SELECT DISTINCT batch FROM journal WHERE id <= ? AND state != 'done' ORDER BY batch",
        (upto,))]


def batch_states(store: Store, batches: list[int]) -> dict[int, str]:
    """The state of each named batch ('done', 'undone', 'dropped'); absent when unknown."""
    out: dict[int, str] = {}
    for start in range(0, len(batches), 500):
        chunk = batches[start:start + 500]
        out.update(store.conn.execute(
            f"SELECT batch, min(state) FROM journal WHERE batch IN "
            f"({', '.join('?' for _ in chunk)}) GROUP BY batch", chunk).fetchall())
    return out


@dataclass
class JournalRow:
    table: str
    row_id: int
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    problem: str | None = None  # why this row cannot be replayed (another tool wrote it)


@dataclass
class Batch:
    """One analyst change of a file's journal, as recorded."""

    batch: int
    analyst: str
    at: str
    action: str
    state: str
    target_kind: str | None
    target_id: int | None
    rows: list[JournalRow] = field(default_factory=list)


def _journal_row(columns: dict[str, set[str]], jid: int, table: object, row_id: object,
                 before: object, after: object) -> JournalRow:
    """A journal row read back, checked as undo checks it: a journalled table, an integer
    row id, JSON objects of that table's columns holding plain values. A row that fails
    carries its `problem` (the push skips its change) instead of being trusted."""
    import json

    images: list[dict[str, Any] | None] = []
    problem = None
    if table not in JOURNALLED_TABLES or not isinstance(row_id, int):
        problem = f"journal row {jid} names no row of a journalled table"
    for text in (before, after):
        if text is None or problem:
            images.append(None)
            continue
        try:
            value = json.loads(text) if isinstance(text, str | bytes) else None
        except ValueError:
            value = None
        if not isinstance(value, dict) or set(value) - columns[str(table)] or not all(
                v is None or isinstance(v, str | int | float) for v in value.values()):
            problem = f"journal row {jid} is not one this program wrote"
            value = None
        images.append(value)
    if not problem and images == [None, None]:
        problem = f"journal row {jid} has neither a before nor an after"
    return JournalRow(str(table), row_id if isinstance(row_id, int) else 0, images[0],
                      images[1], problem)


def batches(store: Store, after: int = 0, only: set[int] | None = None) -> Iterator[Batch]:
    """The file's journal batches in order: those after journal id `after`, and those named in
    `only` (whatever their id)."""
    cond, params = "batch > ?", [after]
    if only:
        cond = f"(batch > ? OR batch IN ({', '.join('?' for _ in only)}))"
        params += sorted(only)
    columns = {t: set(store.columns(t)) for t in JOURNALLED_TABLES}
    current: Batch | None = None
    for jid, batch, at, analyst, action, table, row_id, before, after_, state, tk, ti in (
            store.conn.execute(
                "SELECT id, batch, at, analyst, action, table_name, row_id, before, after, "
                f"state, target_kind, target_id FROM journal WHERE {cond} ORDER BY batch, id",
                params).fetchall()):
        if current is None or current.batch != batch:
            if current is not None:
                yield current
            current = Batch(batch, analyst, at, action, state, tk, ti)
        if state != "done":
            current.state = state
        current.rows.append(_journal_row(columns, jid, table, row_id, before, after_))
    if current is not None:
        yield current


def analysts_after(store: Store, journal_after: int, marks: dict[str, int]) -> set[str]:
    """The analysts a push of `store` would record changes under: of its journal batches
    after `journal_after`, and of its tags, links and decisions above `marks`."""
    names = {str(r[0]) for r in store.conn.execute(
        "SELECT DISTINCT analyst FROM journal WHERE batch > ?", (journal_after,))}
    for table in ("taggings", "links", "decisions"):
        names |= {str(r[0]) for r in store.conn.execute(
            f"SELECT DISTINCT analyst FROM {table} WHERE id > ?", (marks.get(table, 0),))}
    return names


def journal_created(store: Store, after: int) -> dict[str, set[int]]:
    """Rows each table got from journal batches after `after` (their inserts), so a push
    leaves them to the journal's replay rather than importing them as new material."""
    out: dict[str, set[int]] = {t: set() for t in JOURNALLED_TABLES}
    for table, row_id in store.conn.execute(
            "SELECT table_name, row_id FROM journal WHERE batch > ? AND before IS NULL",
            (after,)):
        if table in out:
            out[table].add(row_id)
    return out


def row(store: Store, table: str, row_id: int) -> dict[str, Any] | None:
    return read_row(store.conn, table, row_id)


def last_change(store: Store, table: str, row_id: int) -> tuple[str, str] | None:
    """Who last changed a row, and when, by the journal (None when nobody did)."""
    found = store.conn.execute(
        "SELECT analyst, at FROM journal WHERE table_name = ? AND row_id = ? AND state = 'done' "
        "ORDER BY id DESC LIMIT 1", (table, row_id)).fetchone()
    return None if found is None else (str(found[0]), str(found[1]))


def _one(store: Store, sql: str, params: tuple) -> int | None:
    found = store.conn.execute(sql, params).fetchone()
    return None if found is None else int(found[0])


def find_entity(store: Store, name: str, kind: str) -> int | None:
    """An entity of this kind named so, or having the name as an alias (the oldest first)."""
    return _one(store, "SELECT id FROM entities WHERE name = ? COLLATE NOCASE AND kind = ? "
                "ORDER BY id LIMIT 1", (name, kind)) or _one(
        store, "SELECT e.id FROM aliases a JOIN entities e ON e.id = a.entity_id "
        "WHERE a.norm = ? AND e.kind = ? ORDER BY e.id LIMIT 1", (normalise_alias(name), kind))


def find_same(store: Store, table: str, image: dict[str, Any]) -> int | None:
    """The row of `table` that is the same item as `image` (ids already the target's): by the
    table's natural key (content hash, alias norm, span, ends and relation...)."""
    g = image.get
    if table == "articles":
        return store.find_article_by_hash(str(g("content_hash")))
    if table == "entities":
        return find_entity(store, str(g("name")), str(g("kind")))
    if table == "aliases":
        return _one(store, "SELECT id FROM aliases WHERE entity_id = ? AND norm = ?",
                    (g("entity_id"), g("norm")))
    if table == "mentions":
        return _one(store, 'SELECT id FROM mentions WHERE article_id = ? AND entity_id = ? AND '
                    'start = ? AND "end" = ?',
                    (g("article_id"), g("entity_id"), g("start"), g("end")))
    if table == "events":  # `col IS ?` is SQLite's alone: NULL is spelt out
        conds, params = ["title = ?"], [g("title")]
        for column in ("article_id", "date_start", "date_end"):
            if g(column) is None:
                conds.append(f"{column} IS NULL")
            else:
                conds.append(f"{column} = ?")
                params.append(g(column))
        return _one(store, f"SELECT id FROM events WHERE {' AND '.join(conds)} ORDER BY id "
                    "LIMIT 1", tuple(params))
    if table == "event_entities":
        return _one(store, "SELECT id FROM event_entities WHERE event_id = ? AND entity_id = ?",
                    (g("event_id"), g("entity_id")))
    if table == "taggings":
        return _one(store, "SELECT id FROM taggings WHERE target_kind = ? AND target_id = ? "
                    "AND tagset = ? AND tag = ?",
                    (g("target_kind"), g("target_id"), g("tagset"), g("tag")))
    if table == "links":
        return _one(store, "SELECT id FROM links WHERE from_kind = ? AND from_id = ? AND "
                    "relation = ? AND to_kind = ? AND to_id = ? ORDER BY id LIMIT 1",
                    (g("from_kind"), g("from_id"), g("relation"), g("to_kind"), g("to_id")))
    if table == "decisions":
        return _one(store, "SELECT id FROM decisions WHERE kind = ? AND a_id = ? AND b_id = ?",
                    (g("kind"), g("a_id"), g("b_id")))
    raise ValueError(f"not a journalled table: {table}")


def signature(store: Store, article_id: int, body: str, source: Store | None = None,
              source_id: int | None = None) -> None:
    """The near-duplicate sketch of an article the push inserted (machine-made, as at ingest;
    inside the caller's transaction): copied from the file it came from when it has one (the
    same body makes the same sketch), else computed."""
    blob = None if source is None else source.conn.execute(
        "SELECT minhash FROM article_signatures WHERE article_id = ?", (source_id,)).fetchone()
    if blob is None:
        write_signature(store.conn, article_id, body)
        return
    bands = source.conn.execute("SELECT band FROM article_bands WHERE article_id = ?",
                                (source_id,)).fetchall()
    store.conn.execute("INSERT INTO article_signatures (article_id, minhash) VALUES (?, ?)",
                       (article_id, blob[0]))
    store.conn.executemany("INSERT INTO article_bands (band, article_id) VALUES (?, ?)",
                           [(band, article_id) for (band,) in bands])
    if bands:  # and its near-duplicate pairs with the target's articles, as ingest writes them
        write_pairs(store.conn, article_id, from_blob(bytes(blob[0])))


def saved_views(store: Store) -> list[dict[str, Any]]:
    """Every analyst's named views, as rows (analyst, name, spec, created_at, updated_at)."""
    return list(store.query("SELECT analyst, name, spec, created_at, updated_at FROM "
                            "saved_views ORDER BY analyst, name"))


def view_action(store: Store, view: dict[str, Any]) -> str:
    """What `carry_view` would do with another dossier's view: 'added' (none of that analyst
    and name here), 'replaced' (the one here differs and is older), else 'kept' (the same, or
    changed here later: the later one stays)."""
    found = store.conn.execute(
        "SELECT spec, updated_at FROM saved_views WHERE analyst = ? AND name = ?",
        (view["analyst"], view["name"])).fetchone()
    if found is None:
        return "added"
    if found[0] == view["spec"] or str(found[1]) >= str(view["updated_at"]):
        return "kept"
    return "replaced"


def carry_view(store: Store, view: dict[str, Any]) -> str:
    """Put another dossier's view in, by analyst and name (inside the caller's transaction);
    returns `view_action`'s word for what was done."""
    action = view_action(store, view)
    if action == "added":
        store.conn.execute(
            "INSERT INTO saved_views (analyst, name, spec, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?)", (view["analyst"], view["name"], view["spec"],
                                       view["created_at"], view["updated_at"]))
    if action != "replaced":
        return action
    store.conn.execute("UPDATE saved_views SET spec = ?, updated_at = ? WHERE analyst = ? AND "
                       "name = ?", (view["spec"], view["updated_at"], view["analyst"],
                                    view["name"]))
    return "replaced"


def relation_type_rows(store: Store) -> list[dict[str, Any]]:
    return list(store.query("SELECT name, label, origin, created_by, created_at FROM "
                            "relation_types ORDER BY id"))


def carry_relation_type(store: Store, row: dict[str, Any]) -> bool:
    """Put another dossier's relation type in unless one of that name (any case) is there
    (inside the caller's transaction); True when added."""
    if store.conn.execute("SELECT 1 FROM relation_types WHERE name = ? COLLATE NOCASE",
                          (row["name"],)).fetchone() is not None:
        return False
    store.conn.execute(
        "INSERT INTO relation_types (name, label, origin, created_by, created_at) "
        "VALUES (?, ?, ?, ?, ?)", (row["name"], row["label"], row["origin"],
                                   row["created_by"], row["created_at"]))
    return True
