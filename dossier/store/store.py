"""The dossier store: one connection owner, typed reads, journalled analyst changes.

Reads return dataclasses from `dossier.model`. Analyst changes go through `change()` (one
IMMEDIATE transaction, journalled, committed before the call returns). The ingest path writes
machine-found material through `ingest_article()` without journalling: it is not an analyst's
change and is not undone by `u`.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sqlite3
import tempfile
import threading
import time
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from dossier.model import (
    Article,
    ArticleSummary,
    Entity,
    Event,
    JournalEntry,
    Link,
    Mention,
    RemovedLine,
    Scope,
    SearchHit,
    TagFilter,
    Tagging,
    normalise_alias,  # here for the store's callers: `from dossier.store import ...`
)
from dossier.store import fts, journal
from dossier.store.corrections import CorrectionsMixin
from dossier.store.db import DossierFileError, file_identity, now_iso, open_connection
from dossier.store.dedup import backfill as backfill_signatures
from dossier.store.dedup import dangling_pairs, remove_dangling_pairs, write_signature
from dossier.store.errors import query_errors, store_errors
from dossier.store.ftsquery import to_fts
from dossier.store.journal import Change, JournalConflict, ReadOnlyError
from dossier.store.room import RoomMixin
from dossier.store.schema import quote, reset_fts_index
from dossier.store.scoped import ScopeMixin, scope_sql
from dossier.store.urls import is_url, server_name

FTS_INTEGRITY_CHECK = fts.SQLITE_INTEGRITY_CHECK

__all__ = ["Store", "SearchError", "DossierFileError", "JournalConflict", "ReadOnlyError",
           "GoneError"]


class SearchError(ValueError):
    """A full-text query SQLite cannot parse; str() says what is wrong, for the user."""


class GoneError(ValueError):
    """A change aimed at an item that no longer exists (merged, split off or deleted)."""


# The table of each kind of item a tag or a link can point at.
ITEM_TABLES = {"article": "articles", "entity": "entities", "event": "events", "link": "links"}

# Long background work (a merge) commits a step at a time and then pauses this long, so the
# busy handlers of other processes' writers find the lock free (SQLite polls them at up to
# 100 ms intervals); writers of this process are let in first by the `WriteGate`.
STEP_PAUSE_S = 0.005


class WriteGate:
    """The writers of one file in this process take turns, and a key goes first.

    SQLite serialises writers across processes with its lock and busy handler; inside the
    process that handler would let a long worker's next step win over a waiting keypress again
    and again. The gate makes the order explicit: an interactive change (a tag key on the UI
    thread) is served before the next step of background work. Re-entrant per thread."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._owner: int | None = None
        self._depth = 0
        self._waiting = 0  # interactive writers waiting for their turn

    @contextmanager
    def turn(self, interactive: bool = True) -> Iterator[None]:
        me = threading.get_ident()
        with self._cond:
            if self._owner == me:
                self._depth += 1
            else:
                if interactive:
                    self._waiting += 1
                try:
                    while self._owner is not None or (not interactive and self._waiting):
                        self._cond.wait()
                finally:
                    if interactive:
                        self._waiting -= 1
                self._owner, self._depth = me, 1
        try:
            yield
        finally:
            with self._cond:
                self._depth -= 1
                if self._depth == 0:
                    self._owner = None
                    self._cond.notify_all()


_gates_lock = threading.Lock()
_gates: dict[Any, WriteGate] = {}


def _gate_for(path: str) -> WriteGate:
    key = path if is_url(path) else file_identity(path) or os.path.abspath(path)
    with _gates_lock:
        gate = _gates.get(key)
        if gate is None:
            gate = _gates[key] = WriteGate()
        return gate


# Undated articles sort after dated ones oldest-first, and before them newest-first (where
# they are the ones to look at); both orders walk idx_articles_published.
ARTICLE_ORDERS = {
    "published": "coalesce(published, '9999') ASC, id ASC",
    "-published": "coalesce(published, '9999') DESC, id DESC",
    "title": "title COLLATE NOCASE ASC, id ASC",
    "id": "id ASC",
}


SEARCH_ORDERS = ("rank", "recent", "newest")


@dataclass
class UndoResult:
    action: str
    rows: int


class Store(ScopeMixin, RoomMixin, CorrectionsMixin):
    """An open dossier file."""

    def __init__(self, path: str | os.PathLike[str], conn: sqlite3.Connection, readonly: bool):
        self.target = os.fspath(path)  # what `open` opens again: a file, or a URL
        # What people are shown: a URL without its password.
        self.path = server_name(self.target) if is_url(self.target) else self.target
        self.conn = conn
        self.readonly = readonly
        self.lock = threading.RLock()
        self.gate = _gate_for(self.target)
        self.background = False  # a worker's writing store: keys go before its next step
        self._readers: list[Store] = []  # idle read connections, for `reading()`
        self._readers_lock = threading.Lock()
        self._ranking_cache: tuple[tuple[int, int], array, array] | None = None
        self.engine = getattr(conn, "engine", "sqlite")  # "sqlite" or "postgresql"
        self.entity_writes = 0  # bumped by every write of entities, aliases or mentions here
        # Bumped by every write here of what the near-duplicate fold reads (decisions, pairs,
        # articles); with `data_version` (other connections' commits) it keys that cache.
        self.pair_writes = 0
        if not readonly:
            conn.execute("PRAGMA foreign_keys = ON")
            # FULL: a change acknowledged on screen survives a power cut, not just a crash.
            conn.execute("PRAGMA synchronous = FULL")

    # ----------------------------------------------------------------- lifecycle

    @classmethod
    def open(
        cls, path: str | os.PathLike[str], *, create: bool = False, readonly: bool = False,
        progress: Callable[[int, int], None] | None = None,
    ) -> Store:
        """Open a dossier (see `db.open_connection` for what is refused and why); an older
        file is migrated first, `progress(done, total)` told how it goes."""
        conn, is_readonly = open_connection(path, create=create, readonly=readonly,
                                            progress=progress)
        return cls(path, conn, is_readonly)

    def close(self) -> None:
        self.close_readers()
        with self.lock:
            self.conn.close()

    def close_readers(self) -> None:
        """Close the idle read connections of `reading()` (the next call opens one again)."""
        with self._readers_lock:
            readers, self._readers = self._readers, []
        for reader in readers:
            reader.close()

    # ----------------------------------------------------------------- connection policy
    #
    # The UI thread uses `self.conn`. A worker that reads takes `reading()`: a connection of
    # its own inside one read transaction, so it sees one committed snapshot and never another
    # thread's uncommitted rows. A worker that writes takes `writing()`: a connection of its
    # own whose changes commit in short steps (`steps()`), so a key pressed meanwhile is
    # committed between two steps. SQLite serialises the connections; `WriteGate` orders them.

    @contextmanager
    def reading(self) -> Iterator[Store]:
        """A read-only store on a connection of its own, inside one read transaction."""
        with self._readers_lock:
            reader = self._readers.pop() if self._readers else None
        if reader is None:
            reader = Store.open(self.target, readonly=True)
        try:
            with reader.lock:
                reader.conn.execute("BEGIN")
                try:
                    yield reader
                finally:
                    if reader.conn.in_transaction:
                        reader.conn.execute("ROLLBACK")
        except BaseException:
            reader.close()  # in an unknown state: not back into the pool
            raise
        with self._readers_lock:
            self._readers.append(reader)

    @contextmanager
    def writing(self) -> Iterator[Store]:
        """A writable store on a connection of its own, for one worker's long work."""
        self._check_writable()
        writer = Store.open(self.target)
        writer.background = True
        try:
            yield writer
        finally:
            writer.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def db(self):  # noqa: ANN201 - sqlite_utils.Database, imported only when asked for
        """The file as a `sqlite_utils.Database`, for scripts that want its API. Nothing in
        the program calls it (every reader goes through the store's own methods, which serve
        both engines); on a PostgreSQL dossier it is refused with `DossierFileError`, one line
        naming the server (without its password) and what to use instead.

        Imported on first use: sqlite-utils costs ~60 ms of start-up the app does not need."""
        if self.engine != "sqlite":
            raise DossierFileError(self.path, "a PostgreSQL dossier: sqlite-utils (Store.db) "
                                              "reads SQLite files only; use Store.query, or "
                                              "`dossier pull` for a file")
        import sqlite_utils

        return sqlite_utils.Database(self.conn)

    def query(self, sql: str, params: Iterable[Any] = ()) -> Iterator[dict[str, Any]]:
        """Rows of a read query as dicts (column -> value)."""
        cur = self.conn.execute(sql, list(params))
        names = [d[0] for d in cur.description]
        for row in cur:
            yield dict(zip(names, row, strict=True))

    # ----------------------------------------------------------------- meta

    def get_meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else row[0]

    def set_meta(self, key: str, value: str) -> None:
        """Set a meta value (not journalled: settings such as the remembered tag sets)."""
        self._check_writable()
        with self._transaction():
            self.conn.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    def counts(self) -> dict[str, int]:
        """Row counts of the main tables."""
        tables = ("articles", "entities", "aliases", "mentions", "events", "taggings",
                  "links", "journal")
        return {
            t: self.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables
        }

    # ----------------------------------------------------------------- analyst changes

    def _check_writable(self) -> None:
        if self.readonly:
            raise ReadOnlyError(f"{self.path} is open read-only: changes are not allowed")

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        """BEGIN IMMEDIATE ... COMMIT on this store's connection, in the writers' order."""
        with self.gate.turn(interactive=not self.background), self.lock:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield
                self.conn.execute("COMMIT")
            except BaseException:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                raise

    @contextmanager
    def change(
        self,
        analyst: str,
        action: str,
        target_kind: str | None = None,
        target_id: int | None = None,
        *,
        batch: int | None = None,
        at: str | None = None,
    ) -> Iterator[Change]:
        """One analyst change: a transaction whose row writes are journalled, then committed.

        A new change by an analyst drops that analyst's redo history, as in any editor.
        `batch` continues a change begun in an earlier transaction (see `steps`).
        """
        self._check_writable()
        if not analyst:
            raise ValueError("an analyst name is required for a change")
        with self._transaction():
            ch = Change(self, analyst, action, target_kind, target_id, at or now_iso())
            ch.batch = batch
            yield ch
            if ch.batch is not None and batch is None:  # a new change, not a later step
                journal.write_later(
                    self.conn,
                    "UPDATE journal SET state = 'dropped' WHERE analyst = ? AND state = 'undone'",
                    [(analyst,)],
                )

    def steps(
        self, analyst: str, action: str, target_kind: str | None = None,
        target_id: int | None = None,
    ) -> Steps:
        """One analyst change committed in several short transactions (one journal batch).

        For work too long to hold the write lock for (a merge of 600,000 mentions): each
        `with steps.step() as ch:` is one transaction; a key pressed meanwhile (another
        connection, another process) is committed between two steps. Until the last step the
        change is in progress: killed half-way, what was done is in the journal as one batch
        that undo takes back whole."""
        return Steps(self, analyst, action, target_kind, target_id)

    def require(self, kind: str, item_id: int) -> None:
        """Raise `GoneError` unless the item exists (call inside the change's transaction)."""
        if kind not in ITEM_TABLES:
            raise ValueError(f"unknown kind of item {kind!r}")
        if not self.exists(kind, item_id):
            raise GoneError(f"this {kind} no longer exists (merged, split off or deleted "
                            "meanwhile): nothing changed")

    def exists(self, kind: str, item_id: int) -> bool:
        """True when the item (article, entity, event, link) is in the file."""
        table = ITEM_TABLES.get(kind)
        return table is not None and self.conn.execute(
            f"SELECT 1 FROM {table} WHERE id = ?", (item_id,)).fetchone() is not None

    def _walk(self, analyst: str, direction: str) -> UndoResult | None:
        self._check_writable()
        with self._transaction():
            result = journal.walk(self.conn, analyst, direction)
            self.entity_writes += 1  # an undo may have moved mentions back
            self.pair_writes += 1  # or taken back a decision
        return None if result is None else UndoResult(*result)

    def undo(self, analyst: str) -> UndoResult | None:
        """Take back this analyst's latest change; None when there is nothing to undo."""
        return self._walk(analyst, "undo")

    def redo(self, analyst: str) -> UndoResult | None:
        """Do again this analyst's latest undone change; None when there is nothing to redo."""
        return self._walk(analyst, "redo")

    def history(
        self, target_kind: str | None = None, target_id: int | None = None, limit: int = 100
    ) -> list[JournalEntry]:
        """Journal entries, newest first, for one item or (with no target) the whole dossier."""
        sql = "SELECT * FROM journal"
        params: list[Any] = []
        if target_kind is not None:
            sql += " WHERE target_kind = ? AND target_id = ?"
            params = [target_kind, target_id]
        sql += " ORDER BY id DESC LIMIT ?"
        params.append(limit)
        return [_journal_entry(r) for r in self.query(sql, params)]

    # ----------------------------------------------------------------- tags

    def tags_for(self, target_kind: str, target_id: int) -> list[Tagging]:
        rows = self.query(
            "SELECT * FROM taggings WHERE target_kind = ? AND target_id = ? ORDER BY tagset, tag",
            [target_kind, target_id],
        )
        return [Tagging(**r) for r in rows]

    def tags_for_many(self, target_kind: str, ids: Iterable[int]) -> dict[int, list[Tagging]]:
        """Tags of many items at once (the rows visible in a list), keyed by item id."""
        ids = list(ids)
        out: dict[int, list[Tagging]] = {i: [] for i in ids}
        for chunk_start in range(0, len(ids), 500):
            chunk = ids[chunk_start:chunk_start + 500]
            rows = self.query(
                f"SELECT * FROM taggings WHERE target_kind = ? AND target_id IN "
                f"({', '.join('?' for _ in chunk)}) ORDER BY tagset, tag",
                [target_kind, *chunk],
            )
            for r in rows:
                out[r["target_id"]].append(Tagging(**r))
        return out

    def set_tag(
        self,
        analyst: str,
        targets: list[tuple[str, int]],
        tagset: str,
        tag: str,
        *,
        mode: str = "toggle",
        exclusive: bool = False,
        note: str | None = None,
    ) -> str:
        """Add, remove or toggle one tag on one or more items, as one undoable change.

        mode 'toggle' removes the tag when every target has it and adds it to the rest
        otherwise. With `exclusive`, adding replaces any other tag of the same set. The state
        is read inside the write transaction, so the rule across analysts is: the later write
        wins, and what it replaced is in the journal (with the other analyst's row).
        Returns 'added', 'removed' or 'unchanged'.
        """
        if not targets:
            return "unchanged"
        kind0, id0 = targets[0]
        action = f"tag {tagset}:{tag}"
        with self.change(analyst, action, kind0 if len(targets) == 1 else None,
                         id0 if len(targets) == 1 else None) as ch:
            existing: dict[tuple[str, int], int | None] = {}
            siblings: dict[tuple[str, int], list[int]] = {}
            for kind, tid in targets:
                if kind not in ITEM_TABLES:
                    raise ValueError(f"unknown kind of item {kind!r}")
                # Is the item there, has it the tag, which other tags of the set has it:
                # one statement (round trips are what a change costs on PostgreSQL).
                there, row_id, others = self.conn.execute(
                    f"SELECT (SELECT 1 FROM {ITEM_TABLES[kind]} WHERE id = ?), "
                    "(SELECT id FROM taggings WHERE target_kind = ? AND target_id = ? "
                    "AND tagset = ? AND tag = ?), "
                    "(SELECT group_concat(id) FROM taggings WHERE target_kind = ? AND "
                    "target_id = ? AND tagset = ? AND tag != ?)",
                    (tid, kind, tid, tagset, tag, kind, tid, tagset, tag),
                ).fetchone()
                if there is None:
                    self.require(kind, tid)  # raises GoneError, worded as everywhere
                existing[(kind, tid)] = row_id
                siblings[(kind, tid)] = sorted(int(i) for i in str(others or "").split(",")
                                               if i)
            if mode == "toggle":
                mode = "remove" if all(v is not None for v in existing.values()) else "add"
            if mode == "remove":
                ch.action = f"untag {tagset}:{tag}"
                for row_id in existing.values():
                    if row_id is not None:
                        ch.delete("taggings", row_id)
            elif mode == "add":
                for (kind, tid), row_id in existing.items():
                    if row_id is not None:
                        continue
                    if exclusive:
                        for other_id in siblings[(kind, tid)]:
                            ch.delete("taggings", other_id)
                    ch.target_kind, ch.target_id = (kind, tid) if len(targets) == 1 else (
                        ch.target_kind, ch.target_id)
                    ch.insert("taggings", {
                        "target_kind": kind, "target_id": tid, "tagset": tagset, "tag": tag,
                        "analyst": analyst, "created_at": ch.at, "note": note,
                    })
            else:
                raise ValueError(f"unknown mode {mode!r}")
            if ch.count == 0:
                return "unchanged"
            return "removed" if mode == "remove" else "added"

    # ----------------------------------------------------------------- links

    def add_link(self, analyst: str, link: Link) -> int:
        """Record a link between two items (with optional evidence); return its id."""
        with self.change(analyst, f"link {link.relation}", link.from_kind, link.from_id) as ch:
            self.require(link.from_kind, link.from_id)
            self.require(link.to_kind, link.to_id)
            if link.evidence_article_id is not None:
                self.require("article", link.evidence_article_id)
            return ch.insert("links", {
                "from_kind": link.from_kind, "from_id": link.from_id,
                "relation": link.relation, "to_kind": link.to_kind, "to_id": link.to_id,
                "evidence_article_id": link.evidence_article_id,
                "evidence_start": link.evidence_start, "evidence_end": link.evidence_end,
                "note": link.note, "analyst": analyst, "created_at": ch.at,
            })

    def remove_link(self, analyst: str, link_id: int) -> bool:
        """Delete a link and the tags on it, as one undoable change."""
        link = self.get_link(link_id)
        if link is None:
            return False
        with self.change(analyst, f"unlink {link.relation}", link.from_kind, link.from_id) as ch:
            for t in self.tags_for("link", link_id):
                assert t.id is not None
                ch.delete("taggings", t.id)
            return ch.delete("links", link_id)

    def item_name(self, kind: str, item_id: int) -> str:
        """A short name for any item: an entity's name, an article's or event's title."""
        table = {"entity": ("entities", "name"), "article": ("articles", "title"),
                 "event": ("events", "title")}.get(kind)
        if table is not None:
            row = self.conn.execute(f"SELECT {table[1]} FROM {table[0]} WHERE id = ?",
                                    (item_id,)).fetchone()
            if row is not None:
                return row[0]
        return f"{kind} {item_id}"

    def get_link(self, link_id: int) -> Link | None:
        row = journal.read_row(self.conn, "links", link_id)
        return None if row is None else Link(**row)

    def links_for(self, kind: str, item_id: int) -> list[Link]:
        """Links from or to an item, oldest first."""
        rows = self.query(
            "SELECT * FROM links WHERE (from_kind = ? AND from_id = ?) "
            "OR (to_kind = ? AND to_id = ?) ORDER BY id",
            [kind, item_id, kind, item_id],
        )
        return [Link(**r) for r in rows]

    # ----------------------------------------------------------------- articles

    def find_article_by_hash(self, content_hash: str) -> int | None:
        row = self.conn.execute(
            "SELECT id FROM articles WHERE content_hash = ?", (content_hash,)
        ).fetchone()
        return None if row is None else row[0]

    def get_article(self, article_id: int) -> Article | None:
        row = journal.read_row(self.conn, "articles", article_id)
        return None if row is None else _article(row)

    def _article_where(
        self, tag_filter: TagFilter | None, ids: Iterable[int] | None = None
    ) -> tuple[str, list[Any]]:
        clauses, params = tag_filter_sql(tag_filter, "article", "articles.id")
        if ids is not None:
            id_list = list(ids)
            clauses.append(f"articles.id IN ({', '.join('?' for _ in id_list)})")
            params.extend(id_list)
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", params

    def list_articles(
        self,
        offset: int = 0,
        limit: int = 100,
        *,
        tag_filter: TagFilter | None = None,
        order: str = "published",
    ) -> list[ArticleSummary]:
        """One page of the article list, without bodies."""
        where, params = self._article_where(tag_filter)
        rows = self.conn.execute(
            "SELECT id, title, source, published, published_precision FROM articles"
            f"{where} ORDER BY {ARTICLE_ORDERS[order]} LIMIT ? OFFSET ?",
            [*params, limit, offset],
        ).fetchall()
        return [ArticleSummary(*r) for r in rows]

    def article_position(
        self, article_id: int, *, tag_filter: TagFilter | None = None, order: str = "published"
    ) -> int | None:
        """The index of an article in the list as `list_articles` orders it, or None.

        Counts the rows before it along the order's index instead of listing them all."""
        row = self.conn.execute(
            "SELECT coalesce(published, '9999'), title, id FROM articles WHERE id = ?",
            (article_id,),
        ).fetchone()
        if row is None:
            return None
        key, title, _ = row
        before = {
            "published": ("(coalesce(published, '9999') < ? OR "
                          "(coalesce(published, '9999') = ? AND id < ?))", [key, key, article_id]),
            "-published": ("(coalesce(published, '9999') > ? OR "
                           "(coalesce(published, '9999') = ? AND id > ?))",
                           [key, key, article_id]),
            "title": ("(title < ? COLLATE NOCASE OR (title = ? COLLATE NOCASE AND id < ?))",
                      [title, title, article_id]),
            "id": ("id < ?", [article_id]),
        }[order]
        clauses, params = tag_filter_sql(tag_filter, "article", "articles.id")
        if clauses:
            where = " AND ".join(clauses)
            inside = self.conn.execute(
                f"SELECT 1 FROM articles WHERE id = ? AND {where}", [article_id, *params]
            ).fetchone()
            if inside is None:
                return None
        clauses.append(before[0])
        return self.conn.execute(
            f"SELECT count(*) FROM articles WHERE {' AND '.join(clauses)}",
            [*params, *before[1]],
        ).fetchone()[0]

    def update_article(self, analyst: str, article_id: int, **fields: Any) -> bool:
        """Correct an article's title, source, url, author or published date (journalled)."""
        allowed = {"title", "source", "url", "author", "published", "published_precision"}
        bad = set(fields) - allowed
        if bad:
            raise ValueError(f"cannot edit {', '.join(sorted(bad))}")
        with self.change(analyst, "edit article", "article", article_id) as ch:
            return ch.update("articles", article_id, fields)

    def search(self, query: str, offset: int = 0, limit: int = 50, *, order: str = "rank",
               scope: Scope | None = None) -> list[SearchHit]:
        """Full-text hits with title, source, date and a snippet, within the scope if given.

        Any text is a query (`ftsquery.to_fts` makes it valid: `Iran-Contra`, `U.S.`, an
        unbalanced quote); the FTS5 operators still work when typed. Orders:
        "recent": the latest added first — FTS5 walks its index backwards and stops at the
        page, so the first page answers at once whatever the query (BENCHMARKS.md);
        "rank": best first (bm25, title weighted 5x), which scores every hit: for a common
        word on a big dossier, a worker's job; "newest": newest publication date first,
        undated last, which reads every hit's date. SearchError only if SQLite still
        refuses the query (it should not)."""
        if order not in SEARCH_ORDERS:
            raise ValueError(f"unknown order {order!r}; one of {', '.join(SEARCH_ORDERS)}")
        fts_query = to_fts(query)
        if not fts_query:
            return []
        clauses, params = scope_sql(scope)
        inside, inside_params = _fts_filter(scope)
        try:
            if order in ("rank", "recent"):
                ranked = fts.ranked(self.conn, fts_query, inside, inside_params, order, limit,
                                    offset)
            else:
                ids = self._recent_hits(fts_query, clauses, params, offset, limit)
                snippets = fts.snippets(self.conn, fts_query, ids)
                ranked = [(i, snippets.get(i, ""), 0.0) for i in ids]
        except query_errors() as exc:
            raise SearchError(_search_problem(query, exc)) from None
        if not ranked:
            return []
        ids = [r[0] for r in ranked]
        meta = {
            r[0]: r[1:] for r in self.conn.execute(
                f"SELECT id, title, source, published FROM articles WHERE id IN "
                f"({', '.join('?' for _ in ids)})", ids,
            )
        }
        return [
            SearchHit(article_id=rid, title=meta[rid][0], snippet=snip, rank=rank,
                      source=meta[rid][1], published=meta[rid][2])
            for rid, snip, rank in ranked if rid in meta
        ]

    def _recent_hits(self, fts: str, clauses: list[str], params: list[Any], offset: int,
                     limit: int) -> list[int]:
        """Ids of a page of hits, newest publication first, undated last: the dated range
        of idx_articles_published walked backwards, then the undated rows newest added."""
        match = ["articles.id IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?)",
                 *clauses]
        where = " AND ".join(match)
        ids = [r[0] for r in self.conn.execute(
            f"SELECT id FROM articles WHERE coalesce(published, '9999') < '9999' AND {where} "
            "ORDER BY coalesce(published, '9999') DESC, id DESC LIMIT ? OFFSET ?",
            [fts, *params, limit, offset])]
        if len(ids) < limit:
            dated = offset + len(ids) if ids or offset == 0 else self.conn.execute(
                f"SELECT count(*) FROM articles WHERE coalesce(published, '9999') < '9999' "
                f"AND {where}", [fts, *params]).fetchone()[0]
            ids += [r[0] for r in self.conn.execute(
                f"SELECT id FROM articles WHERE coalesce(published, '9999') = '9999' AND "
                f"{where} ORDER BY coalesce(published, '9999') DESC, id DESC LIMIT ? OFFSET ?",
                [fts, *params, limit - len(ids), max(0, offset - dated)])]
        return ids

    def count_search(self, query: str, scope: Scope | None = None) -> int:
        """How many articles `search` finds for this text (within the scope if given)."""
        fts_query = to_fts(query)
        if not fts_query:
            return 0
        inside, params = _fts_filter(scope)
        try:
            return self.conn.execute(
                f"SELECT count(*) FROM articles_fts WHERE articles_fts MATCH ?{inside}",
                [fts_query, *params]).fetchone()[0]
        except query_errors() as exc:
            raise SearchError(_search_problem(query, exc)) from None

    # ----------------------------------------------------------------- entities & mentions

    def get_entity(self, entity_id: int) -> Entity | None:
        row = journal.read_row(self.conn, "entities", entity_id)
        if row is None:
            return None
        entity = Entity(id=row["id"], name=row["name"], kind=row["kind"],
                        description=row["description"])
        entity.aliases = [
            r[0] for r in self.conn.execute(
                "SELECT alias FROM aliases WHERE entity_id = ? ORDER BY id", (entity_id,)
            )
        ]
        entity.mention_count = self.conn.execute(
            "SELECT count(*) FROM mentions WHERE entity_id = ?", (entity_id,)
        ).fetchone()[0]
        return entity

    def get_entities(self, ids: Iterable[int]) -> dict[int, Entity]:
        """Entities by id (no aliases or counts): what a list of mentions needs to draw."""
        ids = sorted(set(ids))
        out: dict[int, Entity] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            for r in self.conn.execute(
                f"SELECT id, name, kind, description FROM entities WHERE id IN "
                f"({', '.join('?' for _ in chunk)})", chunk,
            ):
                out[r[0]] = Entity(id=r[0], name=r[1], kind=r[2], description=r[3])
        return out

    def count_entities(self, article_id: int | Scope | None = None, *, kind: str | None = None,
                       name_prefix: str = "") -> int:
        """Entities of the dossier, of one article, or (given a Scope) named in the scope's
        articles, as `entities_page` lists them (`kind`, `name_prefix` apply to a scope)."""
        if isinstance(article_id, Scope) or kind is not None or name_prefix:
            scope = article_id if isinstance(article_id, Scope) else None
            return self.count_entities_in(scope, kind=kind, name_prefix=name_prefix)
        if article_id is None:
            return self.conn.execute("SELECT count(*) FROM entities").fetchone()[0]
        return self.conn.execute(
            "SELECT count(DISTINCT entity_id) FROM mentions WHERE article_id = ?", (article_id,)
        ).fetchone()[0]

    def list_entities(
        self,
        offset: int = 0,
        limit: int = 100,
        *,
        article_id: int | None = None,
        order: str = "count",
        tag_filter: TagFilter | None = None,
    ) -> list[Entity]:
        """Entities with mention counts (in the article when given, else in the dossier).

        Over the whole dossier, counting a million mentions for every page would cost
        ~100 ms a scroll: by count, pages are cut from a ranking computed once per change of
        the file (`_entity_ranking`); by name, they walk the name index and count only the
        page's entities.
        """
        if order not in ("count", "name"):
            raise ValueError(f"unknown order {order!r}")
        clauses, params = tag_filter_sql(tag_filter, "entity", "e.id")
        where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
        if article_id is not None:
            order_sql = ("c.n DESC, e.name COLLATE NOCASE, e.id" if order == "count"
                         else "e.name COLLATE NOCASE, e.id")
            rows = self.conn.execute(
                "SELECT e.id, e.name, e.kind, e.description, c.n FROM entities e JOIN "
                "(SELECT entity_id, count(*) AS n FROM mentions WHERE article_id = ? "
                f"GROUP BY entity_id) c ON c.entity_id = e.id{where} ORDER BY {order_sql} "
                "LIMIT ? OFFSET ?",
                [article_id, *params, limit, offset],
            ).fetchall()
            return [Entity(id=r[0], name=r[1], kind=r[2], description=r[3], mention_count=r[4])
                    for r in rows]
        if order == "name":
            rows = self.conn.execute(
                f"SELECT e.id, e.name, e.kind, e.description FROM entities e{where} "
                "ORDER BY e.name COLLATE NOCASE, e.id LIMIT ? OFFSET ?",
                [*params, limit, offset],
            ).fetchall()
            page = [Entity(id=r[0], name=r[1], kind=r[2], description=r[3]) for r in rows]
            for entity in page:
                entity.mention_count = self.conn.execute(
                    "SELECT count(*) FROM mentions WHERE entity_id = ?", (entity.id,)
                ).fetchone()[0]
            return page
        ids, counts = self._entity_ranking()
        if clauses:
            keep = {r[0] for r in self.conn.execute(f"SELECT e.id FROM entities e{where}",
                                                    params)}
            ranked = [(i, n) for i, n in zip(ids, counts, strict=True) if i in keep]
            window = ranked[offset:offset + limit]
        else:
            window = list(zip(ids[offset:offset + limit], counts[offset:offset + limit],
                              strict=True))
        found = self.get_entities(i for i, _ in window)
        page = []
        for entity_id, count in window:
            if (entity := found.get(entity_id)) is not None:
                entity.mention_count = count
                page.append(entity)
        return page

    def role(self) -> str | None:
        """The database role of a PostgreSQL dossier's session (the analyst by default);
        None for a file."""
        if self.engine != "postgresql":
            return None
        return str(self.conn.execute("SELECT current_user").fetchone()[0])

    # The PostgreSQL group role whose members may record changes under another analyst's name
    # (`--analyst`): a lead importing a colleague's work, a script acting for the team.
    ACT_FOR_OTHERS_ROLE = "dossier_lead"

    def refused_names(self, names: Iterable[str]) -> list[str]:
        """The names among `names` this session may not record changes under, sorted. On a
        file, none (the file's permissions are the only identity there); on PostgreSQL any
        but the role's own, unless the role is a superuser or a member of `dossier_lead`."""
        names = set(names)
        if self.engine != "postgresql" or not names:
            return []
        row = self.conn.execute(
            "SELECT current_user, "
            "       (SELECT rolsuper FROM pg_roles WHERE rolname = current_user), "
            "       CASE WHEN EXISTS (SELECT 1 FROM pg_roles WHERE rolname = ?) "
            "            THEN pg_has_role(current_user, ?, 'MEMBER') ELSE false END",
            (self.ACT_FOR_OTHERS_ROLE, self.ACT_FOR_OTHERS_ROLE)).fetchone()
        if row[1] or row[2]:
            return []
        return sorted(n for n in names if n != row[0])

    def refusal(self, refused: Sequence[str]) -> str:
        """What to say when `refused_names` refused some (the caller says what was not done)."""
        return (f"role {self.role()} may not record changes as "
                f"{', '.join(repr(n) for n in refused)} (only its own name, unless it is a "
                f"member of role {self.ACT_FOR_OTHERS_ROLE})")

    def data_version(self) -> int:
        """Changes whenever another connection (another process) commits to the file."""
        return self.conn.execute("PRAGMA data_version").fetchone()[0]

    def _generation(self) -> tuple[int, int]:
        """Changes when another connection commits to the file, or when this one writes
        entities or mentions (a tag or a link leaves the ranking as it was)."""
        return self.data_version(), self.entity_writes

    def _entity_ranking(self) -> tuple[array, array]:
        """Entity ids by mention count (then name), with their counts; cached per generation.

        Two arrays of machine integers: 16 bytes an entity, not a Python object each."""
        generation = self._generation()
        cached = self._ranking_cache
        if cached is not None and cached[0] == generation:
            return cached[1], cached[2]
        with self.lock:
            counts = dict(self.conn.execute(
                "SELECT entity_id, count(*) FROM mentions GROUP BY entity_id"
            ).fetchall())
            by_name = [r[0] for r in self.conn.execute(
                "SELECT id FROM entities ORDER BY name COLLATE NOCASE, id")]
        position = {entity_id: i for i, entity_id in enumerate(by_name)}
        by_name.sort(key=lambda i: (-counts.get(i, 0), position[i]))
        ids = array("q", by_name)
        ranks = array("q", (counts.get(i, 0) for i in by_name))
        self._ranking_cache = (generation, ids, ranks)
        return ids, ranks

    def prepare_ranking(self) -> None:
        """Compute the entity ranking on a read connection of its own and cache it here.

        For a worker: the UI thread's connection stays free for keys meanwhile."""
        with self.lock:
            generation = self._generation()
        with self.reading() as reader:
            ids, ranks = reader._entity_ranking()
        # Labelled with the generation seen before reading: a commit in between only makes
        # the next page compute it again.
        self._ranking_cache = (generation, ids, ranks)

    def iter_entities_with_aliases(self) -> Iterator[Entity]:
        """Every entity with its aliases: what the ingest resolver is seeded from."""
        aliases: dict[int, list[str]] = {}
        for entity_id, alias in self.conn.execute(
            "SELECT entity_id, alias FROM aliases ORDER BY id"
        ):
            aliases.setdefault(entity_id, []).append(alias)
        for r in self.conn.execute(
            "SELECT id, name, kind, description FROM entities ORDER BY id"
        ).fetchall():
            yield Entity(id=r[0], name=r[1], kind=r[2], description=r[3],
                         aliases=aliases.get(r[0], []))

    def find_entities(self, alias: str) -> list[Entity]:
        """Entities known by this name or alias (matched as `normalise_alias` does)."""
        ids = [
            r[0] for r in self.conn.execute(
                "SELECT DISTINCT entity_id FROM aliases WHERE norm = ?", (normalise_alias(alias),)
            )
        ]
        return [e for i in ids if (e := self.get_entity(i)) is not None]

    def article_mentions(self, article_id: int) -> list[Mention]:
        """Mentions in one article, in reading order."""
        rows = self.conn.execute(
            'SELECT id, article_id, entity_id, start, "end", text, origin FROM mentions '
            "WHERE article_id = ? ORDER BY start, id",
            (article_id,),
        ).fetchall()
        return [_mention(r) for r in rows]

    def entity_mentions(self, entity_id: int, offset: int = 0, limit: int = 100) -> list[Mention]:
        """Mentions of one entity across the dossier, ordered by article then position."""
        rows = self.conn.execute(
            'SELECT id, article_id, entity_id, start, "end", text, origin FROM mentions '
            "WHERE entity_id = ? ORDER BY article_id, start LIMIT ? OFFSET ?",
            (entity_id, limit, offset),
        ).fetchall()
        return [_mention(r) for r in rows]

    def entity_articles(self, entity_id: int, limit: int = 200) -> list[tuple[ArticleSummary, int]]:
        """Articles that mention an entity, with the number of mentions in each."""
        rows = self.conn.execute(
            "SELECT a.id, a.title, a.source, a.published, a.published_precision, c.n FROM "
            "(SELECT article_id, count(*) AS n FROM mentions WHERE entity_id = ? "
            "GROUP BY article_id) c JOIN articles a ON a.id = c.article_id "
            "ORDER BY a.published, a.id LIMIT ?",
            (entity_id, limit),
        ).fetchall()
        return [(ArticleSummary(*r[:5]), r[5]) for r in rows]

    def next_mention(
        self, entity_id: int, article_id: int, start: int, direction: int = 1
    ) -> Mention | None:
        """The entity's next (direction 1) or previous (-1) mention after (article, start),
        across articles in id order; wraps around at the ends."""
        if direction >= 0:
            sql = ('SELECT id, article_id, entity_id, start, "end", text, origin FROM mentions '
                   "WHERE entity_id = ? AND (article_id, start) > (?, ?) "
                   "ORDER BY article_id, start LIMIT 1")
            wrap = ('SELECT id, article_id, entity_id, start, "end", text, origin FROM mentions '
                    "WHERE entity_id = ? ORDER BY article_id, start LIMIT 1")
        else:
            sql = ('SELECT id, article_id, entity_id, start, "end", text, origin FROM mentions '
                   "WHERE entity_id = ? AND (article_id, start) < (?, ?) "
                   "ORDER BY article_id DESC, start DESC LIMIT 1")
            wrap = ('SELECT id, article_id, entity_id, start, "end", text, origin FROM mentions '
                    "WHERE entity_id = ? ORDER BY article_id DESC, start DESC LIMIT 1")
        row = self.conn.execute(sql, (entity_id, article_id, start)).fetchone()
        if row is None:
            row = self.conn.execute(wrap, (entity_id,)).fetchone()
        return None if row is None else _mention(row)

    # ----------------------------------------------------------------- events

    def count_events(self, scope: Scope | None = None, *,
                     unresolved: bool | None = None) -> int:
        """Events of the dossier (or of the scope's articles; `unresolved` True or False
        counts only undated or dated ones, over the whole dossier)."""
        if scope is not None and not scope.is_empty():
            return self.count_events_in(scope)
        where = _event_where(unresolved)
        once = self.duplicate_events_clause()
        if once:
            where = (where + " AND" if where else " WHERE") + once
        return self.conn.execute(f"SELECT count(*) FROM events{where}").fetchone()[0]

    def duplicate_events_clause(self) -> str:
        """A condition leaving out the events of articles the analyst linked as duplicates of
        an earlier one (issue 17: a resent wire's events count once); empty when there are
        none, so the usual queries stay exactly as they are."""
        if self.conn.execute("SELECT 1 FROM decisions WHERE kind = 'article' AND "
                             "verdict = 'same' LIMIT 1").fetchone() is None:
            return ""
        return (" (article_id IS NULL OR article_id NOT IN (SELECT b_id FROM decisions "
                "WHERE kind = 'article' AND verdict = 'same'))")

    def list_events(
        self, offset: int = 0, limit: int = 100, *, unresolved: bool | None = None,
        article_id: int | None = None,
    ) -> list[Event]:
        """Events in date order (unresolved ones have no date and come last).

        Dated and undated events are paged separately so each walks idx_events_date; one
        ORDER BY with "date_start IS NULL" first would sort every event for every page."""
        if article_id is not None:
            rows = list(self.query(
                "SELECT * FROM events WHERE article_id = ? "
                "ORDER BY date_start IS NULL, date_start, id LIMIT ? OFFSET ?",
                [article_id, limit, offset]))
            events = [Event(**r) for r in rows]
        else:
            events = []
            once = self.duplicate_events_clause()
            once = " AND" + once if once else ""
            dated = 0 if unresolved else self.count_events(unresolved=False)
            if not unresolved and offset < dated:
                events += [Event(**r) for r in self.query(
                    f"SELECT * FROM events WHERE date_start IS NOT NULL{once} "
                    "ORDER BY date_start, id LIMIT ? OFFSET ?", [limit, offset])]
            if unresolved is not False and len(events) < limit:
                skip = max(0, offset - dated)
                events += [Event(**r) for r in self.query(
                    f"SELECT * FROM events WHERE date_start IS NULL{once} ORDER BY id "
                    "LIMIT ? OFFSET ?", [limit - len(events), skip])]
        self._fill_event_entities(events)
        return events

    def get_event(self, event_id: int) -> Event | None:
        row = journal.read_row(self.conn, "events", event_id)
        if row is None:
            return None
        event = Event(**row)
        self._fill_event_entities([event])
        return event

    def _fill_event_entities(self, events: list[Event]) -> None:
        by_id = {e.id: e for e in events}
        if not by_id:
            return
        ids = list(by_id)
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            for event_id, entity_id in self.conn.execute(
                "SELECT event_id, entity_id FROM event_entities WHERE event_id IN "
                f"({', '.join('?' for _ in chunk)}) ORDER BY id", chunk,
            ):
                by_id[event_id].entity_ids.append(entity_id)

    def event_density(self, bucket: str = "month") -> list[tuple[str, int]]:
        """Number of events per month (or year), in date order, for the density strip."""
        width = {"month": 7, "year": 4}[bucket]
        once = self.duplicate_events_clause()
        once = " AND" + once if once else ""
        rows = self.conn.execute(
            "SELECT substr(date_start, 1, ?) AS b, count(*) FROM events "
            f"WHERE date_start IS NOT NULL AND length(date_start) >= ?{once} "
            "GROUP BY b ORDER BY b",
            (width, width),
        ).fetchall()
        return [(r[0], r[1]) for r in rows]

    # ----------------------------------------------------------------- ingest (bulk path)

    def ingest_article(
        self,
        article: Article,
        entities: list[Entity],
        mentions: list[tuple[int, Mention]],
        events: list[tuple[Event, list[int]]],
    ) -> int | None:
        """Store one ingested article with what was found in it, in one transaction.

        `entities` are new (id None: created) or existing (id set: their aliases merged in);
        the ints in `mentions` and `events` index that list. New entities get their ids filled
        in. Returns the article's id, or None when the same content is already in the dossier.
        Not journalled: ingest is not an analyst's change.
        """
        self._check_writable()
        new_entities: list[Entity] = []
        with self.gate.turn(interactive=not self.background), self.lock:
            # Inside `bulk()` the article is a savepoint of the bulk transaction.
            nested = self.conn.in_transaction
            self.conn.execute("SAVEPOINT article" if nested else "BEGIN IMMEDIATE")
            try:
                if self.find_article_by_hash(article.content_hash) is not None:
                    if nested:
                        self.conn.execute("RELEASE article")
                    else:
                        self.conn.execute("ROLLBACK")
                    return None
                article_id = self._insert_article(article)
                # Each table's rows in one statement (in the order one a row would write
                # them): a statement costs more than the rows of a usual article.
                aliases = []
                for entity in entities:
                    if entity.id is None:
                        entity.id = self.conn.execute(
                            "INSERT INTO entities (name, kind, description, created_at) "
                            "VALUES (?, ?, ?, ?)",
                            (entity.name, entity.kind, entity.description, now_iso()),
                        ).lastrowid
                        new_entities.append(entity)
                    aliases += [(entity.id, a, normalise_alias(a))
                                for a in dict.fromkeys([entity.name, *entity.aliases])
                                if a.strip()]
                self.conn.executemany(
                    "INSERT OR IGNORE INTO aliases (entity_id, alias, norm) VALUES (?, ?, ?)",
                    aliases)
                self.conn.executemany(
                    'INSERT INTO mentions (article_id, entity_id, start, "end", text, origin) '
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    [(article_id, entities[i].id, m.start, m.end, m.text, m.origin)
                     for i, m in mentions],
                )
                links = []
                for event, entity_indexes in events:
                    event_id = self.conn.execute(
                        "INSERT INTO events (title, date_start, date_end, precision, date_text, "
                        "resolution, article_id, date_start_char, date_end_char, "
                        "evidence_start, evidence_end) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (event.title, event.date_start, event.date_end, event.precision,
                         event.date_text, event.resolution, article_id, event.date_start_char,
                         event.date_end_char, event.evidence_start, event.evidence_end),
                    ).lastrowid
                    event.id, event.article_id = event_id, article_id
                    links += [(event_id, entities[i].id) for i in entity_indexes]
                self.conn.executemany(
                    "INSERT OR IGNORE INTO event_entities (event_id, entity_id) VALUES (?, ?)",
                    links)
                self.conn.execute("RELEASE article" if nested else "COMMIT")
                self.entity_writes += 1
                self.pair_writes += 1  # a new article, perhaps a new pair
            except BaseException:
                for entity in new_entities:  # the caller's resolver must not keep dead ids
                    entity.id = None
                # SQLite may have rolled back already (a full disk, an I/O error): a second
                # ROLLBACK would hide the real error behind "no transaction is active".
                if nested and self.conn.in_transaction:
                    self.conn.execute("ROLLBACK TO article")
                    self.conn.execute("RELEASE article")
                elif self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                raise
        article.id = article_id
        return article_id

    @contextmanager
    def bulk(self, synchronous: str = "OFF") -> Iterator[None]:
        """Many machine writes in one transaction, without an fsync each.

        Ingest commits batches of whole articles with synchronous=NORMAL (a crash of the
        program loses nothing committed; a power cut may lose the last batch, which running
        the same ingest again puts back); building generated or imported dossiers uses OFF.
        A failure inside loses the whole batch, never half of it."""
        self._check_writable()
        with self.synchronous(synchronous), self._transaction():
            yield

    @contextmanager
    def synchronous(self, level: str) -> Iterator[None]:
        """Commits of this connection at `level` meanwhile (OFF, NORMAL or FULL), then FULL
        again: every analyst change is FULL, machine work may skip the fsync."""
        if level not in ("OFF", "NORMAL", "FULL"):
            raise ValueError(level)
        with self.gate.turn(interactive=not self.background), self.lock:
            self.conn.execute(f"PRAGMA synchronous = {level}")
            try:
                yield
            finally:
                self.conn.execute("PRAGMA synchronous = FULL")

    def _insert_article(self, article: Article) -> int:
        row = {
            "title": article.title, "source": article.source, "url": article.url,
            "author": article.author, "published": article.published,
            "published_precision": article.published_precision, "body": article.body,
            "removed": json.dumps([vars(r) for r in article.removed], ensure_ascii=False),
            "content_hash": article.content_hash, "origin": article.origin,
            "ingested_at": article.ingested_at or now_iso(),
        }
        cols = list(row)
        article_id = self.conn.execute(
            f"INSERT INTO articles ({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)})",
            [row[c] for c in cols],
        ).lastrowid
        assert article_id is not None
        fts.insert(self.conn, article_id, article.title, article.body)
        write_signature(self.conn, article_id, article.body)
        return article_id

    # ----------------------------------------------------------------- streaming reads

    def iter_rows(self, table: str, where: str = "", params: Iterable[Any] = (),
                  page: int = 1000) -> Iterator[dict[str, Any]]:
        """Every row of a table as dicts, in id order, fetched a page at a time (keyset)."""
        if table not in {"articles", "entities", "aliases", "mentions", "events",
                         "event_entities", "taggings", "links", "journal", "meta",
                         "saved_views", "relation_types",
                         "decisions"}:
            raise ValueError(f"unknown table {table}")
        if table == "meta":
            yield from self.query("SELECT * FROM meta ORDER BY key")
            return
        last = 0
        params = list(params)
        cond = f"({where}) AND " if where else ""
        while True:
            rows = list(self.query(
                f"SELECT * FROM {table} WHERE {cond}id > ? ORDER BY id LIMIT ?",
                [*params, last, page],
            ))
            yield from rows
            if len(rows) < page:
                return
            last = rows[-1]["id"]

    # ----------------------------------------------------------------- integrity

    def check(self) -> list[str]:
        """Problems found by SQLite's integrity and foreign-key checks and the FTS index check."""
        problems = []
        try:  # a page SQLite cannot even walk stops the check with an error: report it too
            for (text,) in self.conn.execute("PRAGMA integrity_check(10)"):
                problems += [f"integrity: {line}" for line in str(text).splitlines()
                             if line not in ("ok", "*** in database main ***")]
            for table, rowid, parent, _fk in self.conn.execute("PRAGMA foreign_key_check"):
                if table == "article_duplicates":  # no rowid to name: said below, by ids
                    continue
                problems.append(
                    f"foreign key: {table} row {rowid} points to a missing {parent} row")
            for what, row_id, kind, target_id in self.dangling():
                problems.append(f"{what} {row_id} points to {kind} {target_id}, which is not "
                                "in the file; `dossier check --fix` removes it (journalled)")
            for a_id, b_id, missing in dangling_pairs(self.conn):
                problems.append(f"near-duplicate pair ({a_id}, {b_id}) names article "
                                f"{missing}, which is not in the file; `dossier check --fix` "
                                "removes the pair")
        except store_errors() as exc:
            problems.append(f"integrity: the file is damaged ({exc})")
            return problems
        if self.engine == "postgresql":
            out = fts.pg_out_of_step(self.conn)
            if out:
                problems.append(f"full-text index out of step with articles ({out} rows); "
                                "run `dossier check --fix`")
            return problems
        try:
            if self.readonly:
                self._fts_check_on_a_copy()
            else:
                self.conn.execute(FTS_INTEGRITY_CHECK)
        except store_errors() as exc:
            problems.append(f"full-text index out of step with articles ({exc}); "
                            "run `dossier check --fix`"
                            + (" (it needs a file you may write)" if self.readonly else ""))
        return problems

    def dangling(self) -> list[tuple[str, int, str, int]]:
        """Taggings and links whose item is not in the file: (what, id, kind, missing id).

        Tags and links name their item by kind and id, which no foreign key can hold; the
        app refuses a change aimed at a row that is gone, but another tool may still leave
        such rows behind."""
        found: list[tuple[str, int, str, int]] = []
        for kind, table in ITEM_TABLES.items():
            for row_id, target_id in self.conn.execute(
                f"SELECT t.id, t.target_id FROM taggings t WHERE t.target_kind = ? AND NOT "
                f"EXISTS (SELECT 1 FROM {table} x WHERE x.id = t.target_id) ORDER BY t.id",
                (kind,),
            ):
                found.append(("tagging", row_id, kind, target_id))
            for end in ("from", "to"):
                for row_id, target_id in self.conn.execute(
                    f"SELECT l.id, l.{end}_id FROM links l WHERE l.{end}_kind = ? AND NOT "
                    f"EXISTS (SELECT 1 FROM {table} x WHERE x.id = l.{end}_id) ORDER BY l.id",
                    (kind,),
                ):
                    found.append(("link", row_id, kind, target_id))
        return found

    def remove_dangling_pairs(self) -> int:
        """Delete near-duplicate pairs naming a missing article (machine rows, made from
        the bodies: not journalled, as they are not written by one); returns how many."""
        self._check_writable()
        with self._transaction():
            removed = remove_dangling_pairs(self.conn)
            self.pair_writes += 1
        return removed

    def remove_dangling(self, analyst: str) -> int:
        """Delete the taggings and links of `dangling()` (and tags on those links), as one
        journalled change; returns the rows removed."""
        with self.change(analyst, "check --fix: drop tags and links of missing items") as ch:
            for what, row_id, _kind, _target in self.dangling():
                if what == "link":
                    for (tag_id,) in self.conn.execute(
                        "SELECT id FROM taggings WHERE target_kind = 'link' AND target_id = ?",
                        (row_id,),
                    ).fetchall():
                        ch.delete("taggings", tag_id)
                ch.delete("taggings" if what == "tagging" else "links", row_id)
            return ch.count

    def _fts_check_on_a_copy(self) -> None:
        """FTS5's integrity check is an INSERT command, refused on a read-only file: run it on
        a copy made with SQLite's backup API in a temporary folder (never plain file reads,
        which would drop this process's locks on the dossier). O(file), as integrity_check."""
        with tempfile.TemporaryDirectory(prefix="dossier-check-") as folder:
            copy = sqlite3.connect(os.path.join(folder, "copy.db"), isolation_level=None)
            try:
                copy.execute("PRAGMA trusted_schema = OFF")
                with self.lock:
                    self.conn.backup(copy)
                copy.execute(FTS_INTEGRITY_CHECK)
            finally:
                copy.close()

    def rebuild_fts(self) -> None:
        """Rebuild the full-text index from the articles table (after edits by other tools).

        When the index's own records are damaged (a tampered structure record), FTS5 cannot
        rebuild over them: the index is first reset to the records of an empty one."""
        self._check_writable()
        with self.gate.turn(interactive=not self.background), self.lock:
            try:
                if self.engine == "postgresql":
                    with self._transaction():
                        self.refill_fts()
                else:
                    self.refill_fts()
                return
            except store_errors():
                if self.engine == "postgresql":
                    raise
            with self._transaction():
                reset_fts_index(self.conn)
                self.refill_fts()

    # ----------------------------------------------------------------- copying whole tables

    def columns(self, table: str) -> list[str]:
        """The column names of a table, in the order the schema declares them."""
        return [r[1] for r in self.conn.execute(f"PRAGMA table_info({table})")]

    def put_meta(self, key: str, value: str) -> None:
        """Set a meta value inside the caller's `bulk()` (no transaction of its own)."""
        self.conn.execute("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) "
                          "DO UPDATE SET value = excluded.value", (key, value))

    def insert_row(self, table: str, cols: list[str], values: list[Any]) -> None:
        """Insert one row as given (its id included) inside the caller's `bulk()`; a value
        the schema refuses raises the sqlite3 error."""
        self.conn.execute(
            f"INSERT INTO {quote(table)} ({', '.join(map(quote, cols))}) "
            f"VALUES ({', '.join('?' for _ in cols)})", values)

    def copy_rows(self, table: str, cols: list[str], rows: Iterable[Sequence[Any]]) -> int:
        """Insert many rows as given (ids included) inside the caller's `bulk()`: one COPY on
        PostgreSQL, `executemany` on a file; returns how many. Then `rows_copied()`."""
        copy = getattr(self.conn, "copy_rows", None)
        if copy is not None:
            return int(copy(table, cols, rows))
        count = 0
        insert = (f"INSERT INTO {quote(table)} ({', '.join(map(quote, cols))}) "
                  f"VALUES ({', '.join('?' for _ in cols)})")
        batch: list[Sequence[Any]] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= 5000:
                self.conn.executemany(insert, batch)
                count, batch = count + len(batch), []
        self.conn.executemany(insert, batch)
        return count + len(batch)

    def rows_copied(self) -> None:
        """After rows were inserted with their ids (`insert_row`, `copy_rows`): on
        PostgreSQL, each identity column moved past the highest id, so the next insert does
        not take a copied row's id (SQLite's keys follow their rows by themselves)."""
        if self.engine == "postgresql":
            self.conn.reset_identities()

    def refill_fts(self) -> None:
        """Rebuild the full-text index inside the caller's `bulk()` (after copying articles)."""
        fts.rebuild(self.conn)
        backfill_signatures(self.conn)  # and the near-duplicate sketches, which are the same
        self.pair_writes += 1  # and their pairs

    def checkpoint(self) -> None:
        """Copy the write-ahead log into the main file and truncate the log."""
        self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def leave_wal(self) -> None:
        """Switch the file to a rollback journal, so it is one file that travels alone."""
        self.conn.execute("PRAGMA journal_mode = DELETE")


def _fts_filter(scope: Scope | None) -> tuple[str, list[Any]]:
    """The scope as filters on the rows an FTS5 query finds (` AND ...`, and parameters).

    `+rowid`: a filter on the rows FTS5 finds. A plain `rowid IN (...)` is handed to FTS5 as
    a rowid lookup, which runs the full-text query again for every id (25 s for a common word
    within 1,500 tagged articles). The parts on ids alone (tags, marked ids, a query) test
    the rowid directly; the parts on the article's columns (dates, sources) go in one
    subquery over articles."""
    if scope is None or scope.is_empty():
        return "", []
    by_row = Scope(date_from=scope.date_from, date_to=scope.date_to, sources=scope.sources)
    by_id = dataclasses.replace(scope, date_from=None, date_to=None, sources=())
    clauses, params = scope_sql(by_id, "+rowid")
    inside = "".join(f" AND {c}" for c in clauses)
    row_clauses, row_params = scope_sql(by_row)
    if row_clauses:
        inside += (" AND +rowid IN (SELECT articles.id FROM articles WHERE "
                   f"{' AND '.join(row_clauses)})")
    return inside, [*params, *row_params]


def tag_filter_sql(
    tag_filter: TagFilter | None, kind: str, id_expr: str
) -> tuple[list[str], list[Any]]:
    """WHERE clauses (and their parameters) keeping the items of `kind` the filter keeps."""
    clauses: list[str] = []
    params: list[Any] = []
    if tag_filter is None or tag_filter.is_empty():
        return clauses, params
    has = ("EXISTS (SELECT 1 FROM taggings t WHERE t.target_kind = ? AND t.target_id = "
           f"{id_expr} AND t.tagset = ? AND t.tag = ?)")
    for tagset, tag in tag_filter.all_of:
        clauses.append(has)
        params += [kind, tagset, tag]
    if tag_filter.any_of:
        clauses.append("(" + " OR ".join(has for _ in tag_filter.any_of) + ")")
        for tagset, tag in tag_filter.any_of:
            params += [kind, tagset, tag]
    for tagset, tag in tag_filter.none_of:
        clauses.append("NOT " + has)
        params += [kind, tagset, tag]
    for tagset in tag_filter.untagged_in:
        clauses.append("NOT EXISTS (SELECT 1 FROM taggings t WHERE t.target_kind = ? AND "
                       f"t.target_id = {id_expr} AND t.tagset = ?)")
        params += [kind, tagset]
    return clauses, params


def _event_where(unresolved: bool | None) -> str:
    if unresolved is None:
        return ""
    return " WHERE date_start IS NULL" if unresolved else " WHERE date_start IS NOT NULL"


def _search_problem(query: str, exc: Exception) -> str:
    text = str(exc)
    if text.startswith("fts5: "):
        text = text[len("fts5: "):]
    return f"cannot search for {query!r}: {text} (FTS5 syntax: words, \"a phrase\", OR, NOT, pre*)"


def _article(row: dict[str, Any]) -> Article:
    removed = []
    try:
        for item in json.loads(row["removed"] or "[]"):
            removed.append(RemovedLine(
                kind=str(item.get("kind", "")), text=str(item.get("text", "")),
                line=int(item.get("line", 0) or 0),
            ))
    except (ValueError, TypeError, AttributeError):
        removed = [RemovedLine(kind="unreadable", text=str(row["removed"]))]
    return Article(**{**row, "removed": removed})


def _mention(r: tuple) -> Mention:
    return Mention(id=r[0], article_id=r[1], entity_id=r[2], start=r[3], end=r[4], text=r[5],
                   origin=r[6])


def _journal_entry(r: dict[str, Any]) -> JournalEntry:
    return JournalEntry(
        id=r["id"], batch=r["batch"], at=r["at"], analyst=r["analyst"], action=r["action"],
        table=r["table_name"], row_id=r["row_id"],
        before=_json_object(r["before"]), after=_json_object(r["after"]),
        state=r["state"], target_kind=r["target_kind"], target_id=r["target_id"],
    )


class Steps:
    """One analyst change in several transactions: see `Store.steps`."""

    def __init__(self, store: Store, analyst: str, action: str, target_kind: str | None,
                 target_id: int | None):
        self.store = store
        self.analyst = analyst
        self.action = action
        self.target_kind = target_kind
        self.target_id = target_id
        self.at = now_iso()
        self.batch: int | None = None

    @contextmanager
    def step(self, last: bool = False) -> Iterator[Change]:
        """One short transaction of the change; then a pause for other writers.

        Steps before the last commit without an fsync (synchronous=NORMAL: a crash of the
        program keeps them, a power cut may lose them, and the change is not yet shown as
        done); the last one is FULL, which makes every earlier step durable with it."""
        with self.store.synchronous("FULL" if last else "NORMAL"), self.store.change(
                self.analyst, self.action, self.target_kind, self.target_id,
                batch=self.batch, at=self.at) as ch:
            yield ch
        if ch.batch is not None:
            self.batch = ch.batch
        time.sleep(STEP_PAUSE_S)


def _json_object(text: object) -> dict | None:
    """A journal image as a dict; None when absent, and also when it is not a JSON object
    (a row another tool wrote: shown in the history without its image, never a crash)."""
    try:
        value = json.loads(text) if isinstance(text, str | bytes) else None
    except ValueError:
        return None
    return value if isinstance(value, dict) else None
