"""Analyst changes as journalled row writes: the audit trail, and what undo and redo walk.

Every analyst change runs inside `Store.change(...)`, which opens one IMMEDIATE transaction and
hands out a `Change`. Each row the change inserts, updates or deletes is written through it, and
a journal row records the table, the row id, and the whole row before and after (JSON). One
change is one *batch* of journal rows; undo restores the batch's `before` rows in reverse order,
redo its `after` rows in order. Because the journal is in the file, undo works across restarts.

Undo and redo are per analyst: `u` takes back your own latest change, never a colleague's.
Before restoring, each row is compared with what the journal says it should be now; if someone
changed it since, the undo is refused (`JournalConflict`) instead of overwriting their work.
"""

from __future__ import annotations

import json
import sqlite3
from typing import TYPE_CHECKING, Any

from dossier.store import fts
from dossier.store.errors import integrity_errors
from dossier.store.schema import JOURNALLED_TABLES, quote

if TYPE_CHECKING:
    from dossier.store.store import Store


# Writes to these make the store's cached entity ranking and name suggestions stale.
ENTITY_TABLES = {"entities", "aliases", "mentions"}


class JournalConflict(Exception):
    """Undo/redo refused: a row changed since the journal recorded it."""


class UnusableJournalRow(JournalConflict):
    """Undo/redo refused: a journal row this program did not write (another tool's, or a
    crafted one) names something it cannot restore; nothing is changed."""


class ReadOnlyError(Exception):
    """A change was attempted on a dossier opened read-only."""



def read_row(conn: sqlite3.Connection, table: str, row_id: int) -> dict[str, Any] | None:
    """The row as a dict of column -> value, or None."""
    cur = conn.execute(f"SELECT * FROM {quote(table)} WHERE id = ?", (row_id,))
    row = cur.fetchone()
    if row is None:
        return None
    return {d[0]: v for d, v in zip(cur.description, row, strict=True)}


def _fts_delete(conn: sqlite3.Connection, row: dict[str, Any]) -> None:
    fts.delete(conn, row["id"], row["title"], row["body"])


def _fts_insert(conn: sqlite3.Connection, row: dict[str, Any]) -> None:
    fts.insert(conn, row["id"], row["title"], row["body"])


def write_row(
    conn: sqlite3.Connection,
    table: str,
    row_id: int,
    current: dict[str, Any] | None,
    target: dict[str, Any] | None,
) -> None:
    """Make row `row_id` of `table` go from `current` to `target` (None = absent).

    The one primitive every analyst change, undo and redo goes through; it keeps the
    articles' full-text index in step, since triggers cannot (they are refused with
    trusted_schema off, and a dossier must open with it off).
    """
    if table not in JOURNALLED_TABLES:
        raise ValueError(f"not a journalled table: {table}")
    if table == "articles" and current is not None:
        _fts_delete(conn, current)
    if target is None:
        if current is not None:
            conn.execute(f"DELETE FROM {quote(table)} WHERE id = ?", (row_id,))
    elif current is None:
        cols = list(target)
        conn.execute(
            f"INSERT INTO {quote(table)} ({', '.join(map(quote, cols))}) "
            f"VALUES ({', '.join('?' for _ in cols)})",
            [target[c] for c in cols],
        )
    else:
        cols = [c for c in target if c != "id"]
        conn.execute(
            f"UPDATE {quote(table)} SET {', '.join(f'{quote(c)} = ?' for c in cols)} "
            "WHERE id = ?",
            [target[c] for c in cols] + [row_id],
        )
    if table == "articles" and target is not None:
        _fts_insert(conn, target)


def write_later(conn: Any, sql: str, rows: list[Any]) -> None:
    """Rows of a write nobody reads back (journal rows): PostgreSQL sends them with the
    connection's next statement, in the same round trip (store/pg.py `write_later`); an
    SQLite file, in the same process, writes them now."""
    later = getattr(conn, "write_later", None)
    if later is None:
        conn.executemany(sql, rows)
    else:
        later(sql, rows)


class Change:
    """One analyst change in progress: every write goes through here and is journalled."""

    def __init__(
        self,
        store: Store,
        analyst: str,
        action: str,
        target_kind: str | None,
        target_id: int | None,
        at: str,
    ):
        self.store = store
        self.conn = store.conn
        self.analyst = analyst
        self.action = action
        self.target_kind = target_kind
        self.target_id = target_id
        self.at = at
        self.batch: int | None = None
        self.count = 0

    def _journal(
        self, table: str, row_id: int, before: dict | None, after: dict | None
    ) -> None:
        self._journal_many(table, [(row_id, before, after)])

    def _journal_many(
        self, table: str, rows: list[tuple[int, dict | None, dict | None]]
    ) -> None:
        if table in ENTITY_TABLES:
            self.store.entity_writes += 1
        if table in ("decisions", "articles"):
            self.store.pair_writes += 1
        if self.batch is None:
            last = getattr(self.conn, "journal_top", None)  # read with the lock (store/pg.py)
            if last is None:
                (last,) = self.conn.execute("SELECT coalesce(max(id), 0) FROM journal"
                                            ).fetchone()
            self.batch = last + 1
        write_later(
            self.conn,
            "INSERT INTO journal (batch, at, analyst, action, table_name, row_id, before, after,"
            " state, target_kind, target_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'done', ?, ?)",
            [(
                self.batch, self.at, self.analyst, self.action, table, row_id,
                None if before is None else json.dumps(before, ensure_ascii=False),
                None if after is None else json.dumps(after, ensure_ascii=False),
                self.target_kind, self.target_id,
            ) for row_id, before, after in rows],
        )
        self.count += len(rows)

    def insert(self, table: str, values: dict[str, Any]) -> int:
        """Insert a row; return its id. The row as written (defaults filled in) comes back
        with the insert (RETURNING *): one statement, not an insert and a read."""
        cols = list(values)
        cur = self.conn.execute(
            f"INSERT INTO {quote(table)} ({', '.join(map(quote, cols))}) "
            f"VALUES ({', '.join('?' for _ in cols)}) RETURNING *",
            [values[c] for c in cols],
        )
        names = [d[0] for d in cur.description]
        rows = cur.fetchall()  # all of them: SQLite finishes the statement only then
        after = dict(zip(names, rows[0], strict=True))
        row_id = after["id"]
        if table == "articles":
            _fts_insert(self.conn, after)
        self._journal(table, row_id, None, after)
        return row_id

    def update(self, table: str, row_id: int, values: dict[str, Any]) -> bool:
        """Change some columns of a row; return False (and journal nothing) if nothing changed."""
        before = read_row(self.conn, table, row_id)
        if before is None:
            raise KeyError(f"{table} {row_id} does not exist")
        target = {**before, **values}
        if target == before:
            return False
        write_row(self.conn, table, row_id, before, target)
        self._journal(table, row_id, before, read_row(self.conn, table, row_id))
        return True

    def update_many(self, table: str, row_ids: list[int], values: dict[str, Any]) -> int:
        """Set the same columns on many rows (a merge's mentions) in a few statements, each
        row journalled as by `update`; returns the rows changed. Not for articles, whose
        full-text rows `update` keeps in step."""
        if table not in JOURNALLED_TABLES or table == "articles":
            raise ValueError(f"update_many does not write {table}")
        befores: list[dict[str, Any]] = []
        for start in range(0, len(row_ids), 500):
            chunk = row_ids[start:start + 500]
            cur = self.conn.execute(
                f"SELECT * FROM {quote(table)} WHERE id IN ({', '.join('?' for _ in chunk)})"
                " ORDER BY id", chunk)
            names = [d[0] for d in cur.description]
            befores += [dict(zip(names, r, strict=True)) for r in cur]
        changed = [(b, {**b, **values}) for b in befores if {**b, **values} != b]
        if not changed:
            return 0
        cols = list(values)
        self.conn.executemany(
            f"UPDATE {quote(table)} SET {', '.join(f'{quote(c)} = ?' for c in cols)} "
            "WHERE id = ?",
            [[values[c] for c in cols] + [before["id"]] for before, _after in changed])
        # No trigger runs (a dossier has none), so the row after is the row before with the
        # values set: what `update` would read back.
        self._journal_many(table, [(b["id"], b, a) for b, a in changed])
        return len(changed)

    def delete(self, table: str, row_id: int) -> bool:
        """Delete a row; return False if it was not there. The row comes back with the
        delete (RETURNING *), but for an article, whose full-text row goes first."""
        if table == "articles" or table not in JOURNALLED_TABLES:
            before = read_row(self.conn, table, row_id)
            if before is None:
                return False
            write_row(self.conn, table, row_id, before, None)
        else:
            cur = self.conn.execute(f"DELETE FROM {quote(table)} WHERE id = ? RETURNING *",
                                    (row_id,))
            rows = cur.fetchall()
            if not rows:
                return False
            before = dict(zip([d[0] for d in cur.description], rows[0], strict=True))
        self._journal(table, row_id, before, None)
        return True


def _batch_rows(conn: sqlite3.Connection, batch: int) -> list[tuple]:
    return conn.execute(
        "SELECT id, table_name, row_id, before, after, action FROM journal WHERE batch = ? "
        "ORDER BY id",
        (batch,),
    ).fetchall()


def walk(conn: sqlite3.Connection, analyst: str, direction: str) -> tuple[str, int] | None:
    """Undo (direction 'undo') or redo this analyst's latest batch, inside the caller's
    transaction. Returns (action, rows restored) or None when there is nothing to walk."""
    if direction == "undo":
        (batch,) = conn.execute(
            "SELECT max(batch) FROM journal WHERE analyst = ? AND state = 'done'", (analyst,)
        ).fetchone()
    else:
        (batch,) = conn.execute(
            "SELECT min(batch) FROM journal WHERE analyst = ? AND state = 'undone'", (analyst,)
        ).fetchone()
    if batch is None:
        return None
    rows = _batch_rows(conn, batch)
    if direction == "undo":
        rows.reverse()
    action = str(rows[0][5])
    columns: dict[str, set[str]] = {}  # read once a table, not once a row of a big batch
    for jid, table, row_id, before_json, after_json, _action in rows:
        before, after = _validated(conn, columns, direction, action, jid, table, row_id,
                                   before_json, after_json)
        expected, target = (after, before) if direction == "undo" else (before, after)
        current = read_row(conn, table, row_id)
        if current != expected:
            raise JournalConflict(
                f"cannot {direction} '{action}': {table} row {row_id} has changed since"
            )
        try:
            write_row(conn, table, row_id, current, target)
        except integrity_errors() as exc:
            raise UnusableJournalRow(
                f"cannot {direction} '{action}': journal row {jid} would break the file's "
                f"rules ({exc}); nothing was changed"
            ) from None
    conn.execute(
        "UPDATE journal SET state = ? WHERE batch = ?",
        ("undone" if direction == "undo" else "done", batch),
    )
    return action, len(rows)


_INT64 = range(-(2**63), 2**63)


def _validated(
    conn: sqlite3.Connection, columns_of: dict[str, set[str]], direction: str, action: str,
    jid: int, table: object, row_id: object, before_json: object, after_json: object,
) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """The journal row's before and after images, checked against the schema before anything
    is written: a journalled table, an integer row id, JSON objects of that table's columns
    (scalars only) whose id is the row's. Anything else raises `UnusableJournalRow`."""

    def refuse(why: str) -> UnusableJournalRow:
        return UnusableJournalRow(
            f"cannot {direction} '{action}': journal row {jid} {why}; nothing was changed")

    if table not in JOURNALLED_TABLES:
        raise refuse(f"names {str(table)[:40]!r}, not a table undo can restore")
    assert isinstance(table, str)
    if not isinstance(row_id, int) or row_id not in _INT64:
        raise refuse(f"has a row id that is not a number ({str(row_id)[:40]!r})")
    if table not in columns_of:
        columns_of[table] = {c[1] for c in conn.execute(f"PRAGMA table_info({quote(table)})")}
    columns = columns_of[table]
    images: list[dict[str, Any] | None] = []
    for name, text in (("a 'before'", before_json), ("an 'after'", after_json)):
        if text is None:
            images.append(None)
            continue
        try:
            image = json.loads(text) if isinstance(text, str | bytes) else text
        except ValueError:
            raise refuse(f"has {name} that is not JSON") from None
        if not isinstance(image, dict):
            raise refuse(f"has {name} that is not a JSON object")
        unknown = sorted(set(image) - columns)
        if unknown:
            raise refuse(f"has an unknown column {str(unknown[0])[:40]!r} for {table}")
        missing = sorted(columns - set(image))
        if missing:
            raise refuse(f"lacks the column '{missing[0]}' of {table}")
        if image.get("id") != row_id:
            raise refuse(f"has {name} whose id does not match row {row_id}")
        for column, value in image.items():
            if not (value is None or isinstance(value, str | float)
                    or (isinstance(value, int) and value in _INT64)):
                raise refuse(f"has a value for {column} that is not a plain value")
        images.append(image)
    if images == [None, None]:
        raise refuse("has neither a before nor an after")
    return images[0], images[1]
