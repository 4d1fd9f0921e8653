"""A dossier on PostgreSQL: the connection adapter that lets the store keep its SQL.

`open_connection(url)` opens (or, with `create`, makes) a dossier in a PostgreSQL database and
returns a `PgConnection`, which answers the calls the store makes on an `sqlite3.Connection`
(`execute`, `executemany`, `in_transaction`, `total_changes`, `close`) and rewrites the few
SQLite idioms of the store's statements on the way (`translate`):

    ?                         -> %s (and a literal % -> %%)
    INSERT OR IGNORE INTO ... -> INSERT INTO ... ON CONFLICT DO NOTHING
    INSERT OR REPLACE INTO .. -> INSERT INTO ... ON CONFLICT (key) DO UPDATE SET ...
    json_each(?) [alias]      -> unnest(?::bigint[]) AS alias(value) (the JSON list of ids)
    group_concat(x)           -> string_agg(x::text, ',')
    total(x)                  -> coalesce(sum(x), 0)::float8
    min(a, b) / max(a, b)     -> least(a, b) / greatest(a, b)
    LIKE                      -> ILIKE (SQLite's LIKE ignores ASCII case)
    CROSS JOIN t ON           -> JOIN t ON (SQLite's hint to keep the join order)
    ORDER BY source           -> ORDER BY source ASC NULLS FIRST, as SQLite sorts NULLs
    BEGIN IMMEDIATE           -> BEGIN + a transaction-scoped advisory lock: writers take
                                 turns, as on SQLite, so the journal's batches and undo's
                                 "changed since?" checks mean the same on both engines
    BEGIN                     -> BEGIN ISOLATION LEVEL REPEATABLE READ (one snapshot)
    INSERT INTO t (...)       -> ... RETURNING id, for `cursor.lastrowid`
    PRAGMA ...                -> what each means here (table_info from information_schema,
                                 data_version from the change notices, the rest nothing)

The full-text statements differ too much to rewrite: `store/fts.py` holds both engines'.

Round trips: a tag on a file costs nothing but the fsync; here each statement is a wait for
the server, under the writers' lock. So `BEGIN IMMEDIATE` sends BEGIN, the lock and a read of
the journal's highest id (a change's batch number) in one pipeline; writes nobody reads back
(`write_later`: the journal's rows, the redo history dropped) wait in the connection and go
with the next statement; and COMMIT sends them, the NOTIFY and the COMMIT in one pipeline,
returning only once the server has committed (an error of any of them fails the change
whole). A tag is 4 round trips (begin, one read, the insert returning its row, commit), where
it was 11.

Live: every transaction that wrote sends `NOTIFY dossier_changes` before its COMMIT, and
every connection LISTENs; `PRAGMA data_version` answers a counter bumped by each notice from
another session, as SQLite's changes when another connection commits.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from dossier import __version__
from dossier.store import pgschema, schema
from dossier.store.db import DossierFileError, now_iso
from dossier.store.urls import server_name

CHANNEL = "dossier_changes"
WRITE_LOCK = 0x646F7373  # "doss": the advisory lock key of a dossier's writers

# Tables whose rows have an `id` the insert returns (cursor.lastrowid).
ID_TABLES = frozenset({
    "articles", "entities", "aliases", "mentions", "events", "event_entities", "taggings",
    "links", "journal", "saved_views", "relation_types", "decisions",
})


# ------------------------------------------------------------------------------ translation

_TRANSLATED: dict[str, Any] = {}
_INSERT = re.compile(r"^\s*INSERT\s+(OR\s+(IGNORE|REPLACE)\s+)?INTO\s+\"?(\w+)\"?", re.I)
_JSON_EACH = re.compile(
    r"json_each\(\?\)(?:\s+(?!(?:CROSS|JOIN|WHERE|ORDER|GROUP|LIMIT|ON|AS)\b)(\w+))?", re.I)
_GROUP_CONCAT = re.compile(r"group_concat\(([\w.]+)\)", re.I)
_MIN_MAX = re.compile(r"\b(min|max)\(([\w.]+),\s*([\w.]+)\)", re.I)
_LIKE = re.compile(r"\bLIKE\b")
_ORDER_BY = re.compile(r"\bORDER BY\s+(.+?)(?=\s+LIMIT\b|\s+OFFSET\b|\)|$)", re.S)
# Columns that may be NULL and that lists sort on: SQLite puts NULLs first going up.
NULLABLE_KEYS = ("source", "published", "date_start", "date_end", "author", "url")
_NULLABLE_TERM = re.compile(
    r"^((?:\w+\.)?(?:" + "|".join(NULLABLE_KEYS) + r"))(?:\s+(ASC|DESC))?$", re.I)


def _nulls_as_sqlite(match: re.Match[str]) -> str:
    """An ORDER BY list whose nullable columns sort NULLs as SQLite does (first going up,
    last going down); PostgreSQL's default is the other way round."""
    terms = []
    for term in match.group(1).split(","):
        bare = term.strip()
        found = _NULLABLE_TERM.match(bare)
        if found:
            desc = (found.group(2) or "").upper() == "DESC"
            bare = f"{found.group(1)} {'DESC NULLS LAST' if desc else 'ASC NULLS FIRST'}"
            term = term[:len(term) - len(term.lstrip())] + bare
        terms.append(term)
    return "ORDER BY " + ",".join(terms)


def _total(text: str) -> str:
    """SQLite's total(x) (a float, 0.0 over no rows) -> coalesce(sum(x), 0)::float8."""
    while (start := text.find("total(")) != -1 and (start == 0 or not (
            text[start - 1].isalnum() or text[start - 1] == "_")):
        depth, end = 0, start + 5
        for end in range(start + 5, len(text)):
            depth += {"(": 1, ")": -1}.get(text[end], 0)
            if depth == 0:
                break
        text = (f"{text[:start]}coalesce(sum({text[start + 6:end]}), 0)::float8"
                f"{text[end + 1:]}")
    return text


_CROSS_ON = re.compile(r"\bCROSS JOIN (\w+(?: \w+)?) ON\b")
_JOURNAL_WRITE = re.compile(r"\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|DELETE\s+FROM)\s+\"?journal\b",
                            re.I)
_MATCH = re.compile(r"\barticles_fts MATCH \?")


def _placeholders(sql: str) -> str:
    """`?` -> `%s` and `%` -> `%%` outside quoted strings and names."""
    out: list[str] = []
    quote: str | None = None
    for ch in sql:
        if quote is not None:
            if ch == quote:
                quote = None
            out.append("%%" if ch == "%" else ch)
            continue
        if ch in ("'", '"'):
            quote = ch
            out.append(ch)
        elif ch == "?":
            out.append("%s")
        elif ch == "%":
            out.append("%%")
        else:
            out.append(ch)
    return "".join(out)


# The keys an INSERT OR REPLACE replaces on (SQLite finds them itself).
REPLACE_KEYS = {"article_duplicates": ("a_id", "b_id"), "article_signatures": ("article_id",)}


def _replace_clause(table: str, text: str) -> str:
    """INSERT OR REPLACE as an upsert on the table's key: the other columns take the new row's
    values (the same row SQLite's delete-and-insert leaves, for tables no key points at)."""
    keys = REPLACE_KEYS.get(table)
    cols = re.search(r"\(([^)]*)\)", text)
    if keys is None or cols is None:
        raise ValueError(f"INSERT OR REPLACE INTO {table}: no PostgreSQL form known")
    rest = [c.strip().strip('"') for c in cols.group(1).split(",") if c.strip().strip('"')
            not in keys]
    sets = ", ".join(f"{c} = excluded.{c}" for c in rest)
    return f" ON CONFLICT ({', '.join(keys)}) " + (f"DO UPDATE SET {sets}" if sets
                                                   else "DO NOTHING")


Translated = tuple[str, str | None, bool, tuple[int, ...]]


def translate(sql: str) -> Translated:
    """(PostgreSQL statement, the table an INSERT returns the id of, is a write, the
    positions of the parameters that are full-text queries)."""
    hit = _TRANSLATED.get(sql)
    if hit is not None:
        return hit
    text = sql
    returning: str | None = None
    match = _INSERT.match(text)
    conflict = ""
    if match:
        table = match.group(3)
        if match.group(2):
            text = text[:match.start(1)] + text[match.end(1):]
            conflict = " ON CONFLICT DO NOTHING"
            if match.group(2).upper() == "REPLACE":
                conflict = _replace_clause(table, text)
        if table in ID_TABLES and "RETURNING" not in text.upper():
            returning = table
    text = _JSON_EACH.sub(
        lambda m: f"unnest(translate(?, '[]', '{{}}')::bigint[]) AS {m.group(1) or 'json_each'}"
                  "(value)", text)
    text = _GROUP_CONCAT.sub(r"string_agg(\1::text, ',')", text)
    text = _MIN_MAX.sub(lambda m: ("least" if m.group(1).lower() == "min" else "greatest")
                        + f"({m.group(2)}, {m.group(3)})", text)
    text = _LIKE.sub("ILIKE", text)
    text = _CROSS_ON.sub(r"JOIN \1 ON", text)
    text = _ORDER_BY.sub(_nulls_as_sqlite, text)
    text = _total(text)
    queries = tuple(text[:m.start()].count("?") for m in _MATCH.finditer(text))
    text = _MATCH.sub(f"articles_fts.doc @@ to_tsquery('{pgschema.TS_CONFIG}', ?)", text)
    text = _placeholders(text) + conflict + (" RETURNING id" if returning else "")
    head = sql.lstrip()[:7].upper()
    writes = head.startswith(("INSERT", "UPDATE", "DELETE"))
    result = (text, returning, writes, queries)
    if len(_TRANSLATED) < 4096:
        _TRANSLATED[sql] = result
    return result


# ------------------------------------------------------------------------------ the adapter


class PgCursor:
    """The parts of `sqlite3.Cursor` the store uses, over a psycopg cursor or fixed rows."""

    def __init__(self, cur: Any = None, rows: list[tuple] | None = None,
                 description: Sequence[tuple] | None = None, lastrowid: int | None = None):
        self._cur = cur
        self._rows = rows
        self.description = description if cur is None else cur.description
        self.lastrowid = lastrowid
        self.rowcount = -1 if cur is None else cur.rowcount

    def fetchone(self) -> tuple | None:
        if self._rows is not None:
            return self._rows.pop(0) if self._rows else None
        if self._cur is None or self._cur.description is None:
            return None
        return self._cur.fetchone()

    def fetchall(self) -> list[tuple]:
        if self._rows is not None:
            rows, self._rows = self._rows, []
            return rows
        if self._cur is None or self._cur.description is None:
            return []
        return self._cur.fetchall()

    def fetchmany(self, size: int = 1) -> list[tuple]:
        if self._rows is not None:
            rows, self._rows = self._rows[:size], self._rows[size:]
            return rows
        if self._cur is None or self._cur.description is None:
            return []
        return self._cur.fetchmany(size)

    def __iter__(self) -> Iterator[tuple]:
        while (row := self.fetchone()) is not None:
            yield row


class PgConnection:
    """A psycopg connection that answers as the store's `sqlite3.Connection` does."""

    engine = "postgresql"

    def __init__(self, raw: Any, url: str, *, listen: bool = True):
        self.raw = raw
        self.url = url
        self.readonly = False  # set by open_connection; a new session after a restart too
        self._closed = False
        self.name = server_name(url)
        self._wrote = False
        self._changes = 0
        self._version = 0
        self._lock = threading.RLock()
        # Writes nobody reads back (the journal's rows, ...), sent with the next statement.
        self._later: list[tuple[str, list[list[Any]]]] = []
        # The journal's highest id, read with the writers' lock (None: not known now).
        self.journal_top: int | None = None
        self.dossier_ready = False  # set once the tables exist (open_connection)
        self.pid = raw.info.backend_pid
        if listen:
            raw.add_notify_handler(self._notice)
            raw.execute(f"LISTEN {CHANNEL}")

    def _notice(self, notify: Any) -> None:
        if notify.pid != self.pid:
            self._version += 1

    # sqlite3.Connection's surface ----------------------------------------------------

    @property
    def in_transaction(self) -> bool:
        from psycopg.pq import TransactionStatus

        return self.raw.info.transaction_status in (
            TransactionStatus.INTRANS, TransactionStatus.INERROR, TransactionStatus.ACTIVE)

    @property
    def total_changes(self) -> int:
        return self._changes

    def _reconnect_if_lost(self) -> None:
        """A server that went away (a restart) and is back: a new session, as the old one
        was (LISTEN, read-only). What the lost one had not committed is gone, and was never
        acknowledged; the notices missed meanwhile count as a change, so the app reloads."""
        from psycopg.pq import ConnStatus

        if self._closed or not (self.raw.closed or getattr(self.raw, "broken", False)
                                or self.raw.pgconn.status != ConnStatus.OK):
            return
        import psycopg

        try:
            raw = _raw_connect(self.url)
        except DossierFileError as exc:
            raise psycopg.OperationalError(f"connection lost: {exc.problem}") from None
        self.raw = raw
        self.pid = raw.info.backend_pid
        raw.add_notify_handler(self._notice)
        raw.execute(f"LISTEN {CHANNEL}")
        if self.readonly:
            raw.execute("SET default_transaction_read_only = on")
        self._wrote = False
        self._later = []
        self.journal_top = None
        self._version += 1

    def _run(self, *statements: tuple[str, list[Any] | None]) -> Any:
        """Run the statements, after the writes waiting in `_later`, in one round trip (a
        pipeline: all sent, then one sync); the last statement's cursor. An error of any of
        them is raised here, inside the caller's transaction, which then rolls back."""
        later, self._later = self._later, []
        if not later and len(statements) == 1:
            return self.raw.execute(statements[0][0], statements[0][1], prepare=False)
        waiting = []
        last = None
        with self.raw.pipeline():
            for text, rows in later:
                cur = self.raw.cursor()
                if len(rows) == 1:
                    cur.execute(text, rows[0], prepare=False)
                else:
                    cur.executemany(text, rows)
                waiting.append(cur)
            for text, values in statements:
                last = self.raw.execute(text, values, prepare=False)
        if later:
            self._wrote = True
            self._changes += sum(max(cur.rowcount, 0) for cur in waiting)
        return last

    def write_later(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        """Rows of a write whose result nobody reads (no id, no count): inside a transaction
        they go with the next statement sent, in the same round trip, so a tag's journal
        rows cost no wait of their own; outside one they are written now. The COMMIT that
        ends the transaction sends them at the latest and reports their errors."""
        with self._lock:
            self._reconnect_if_lost()
            if not self.in_transaction:
                self.executemany(sql, rows)
                return
            text, returning, writes, _queries = translate(sql)
            if returning:
                text = text[:-len(" RETURNING id")]
            batch = [list(r) for r in rows]
            if not writes:
                raise ValueError("write_later takes writes only")
            if batch:
                self._note_journal(sql)
                self._later.append((text, batch))

    def _note_journal(self, sql: str) -> None:
        if _JOURNAL_WRITE.match(sql):
            self.journal_top = None

    def execute(self, sql: str, params: Iterable[Any] = ()) -> PgCursor:
        with self._lock:
            self._reconnect_if_lost()
            special = self._special(sql)
            if special is not None:
                return special
            text, returning, writes, queries = translate(sql)
            values = list(params) if params else None
            if queries and values:
                from dossier.store.ftsquery import fts_to_tsquery

                for i in queries:
                    values[i] = fts_to_tsquery(str(values[i]))
            if writes:
                self._note_journal(sql)
            cur = self._run((text, values))
            if writes:
                self._wrote = True
                self._changes += max(cur.rowcount, 0)
                if not self.in_transaction:
                    self._notify_now()
            lastrowid = None
            if returning is not None:
                row = cur.fetchone()
                lastrowid = None if row is None else row[0]
            return PgCursor(cur, lastrowid=lastrowid)

    def executemany(self, sql: str, seq: Iterable[Sequence[Any]]) -> PgCursor:
        with self._lock:
            self._reconnect_if_lost()
            text, returning, writes, _queries = translate(sql)
            if returning:
                text = text[:-len(" RETURNING id")]
            rows = [list(r) for r in seq]
            if writes and rows:
                self._note_journal(sql)
            if self._later:
                self._run()
            cur = self.raw.cursor()
            if rows:
                cur.executemany(text, rows)
            if writes and rows:
                self._wrote = True
                self._changes += max(cur.rowcount, 0)
                if not self.in_transaction:
                    self._notify_now()
            return PgCursor(cur)

    def copy_rows(self, table: str, cols: list[str], rows: Iterable[Sequence[Any]]) -> int:
        """`COPY table (cols) FROM STDIN` of the rows (inside the caller's transaction):
        one stream instead of a round trip a row. Returns how many rows went in."""
        if table not in pgschema.expected_columns():
            raise ValueError(f"not a dossier table: {table}")
        names = ", ".join(f'"{c}"' for c in cols)
        count = 0
        with self._lock:
            self._reconnect_if_lost()
            cur = self.raw.cursor()
            with cur.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
            if count:
                self._wrote = True
                self._changes += count
        return count

    def reset_identities(self) -> None:
        """Every identity column moved past its table's highest id (after rows were
        inserted with their ids, which an identity column does not notice)."""
        for table in sorted(ID_TABLES):
            self.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                         f"coalesce((SELECT max(id) FROM {table}), 0) + 1, false)")

    def close(self) -> None:
        self._closed = True
        try:
            self.raw.close()
        except Exception:  # noqa: BLE001, S110 - a server already gone: closed all the same
            pass

    def commit(self) -> None:
        if self.in_transaction:
            self.execute("COMMIT")

    def rollback(self) -> None:
        if self.in_transaction:
            self.execute("ROLLBACK")

    # PostgreSQL's forms of SQLite's statements --------------------------------------

    def _notify_now(self) -> None:
        self.raw.execute(f"NOTIFY {CHANNEL}")
        self._wrote = False

    def _special(self, sql: str) -> PgCursor | None:
        head = sql.strip().upper()
        if head in ("BEGIN IMMEDIATE", "BEGIN EXCLUSIVE"):
            # One round trip: the transaction, the writers' lock and (once the tables exist)
            # the journal's highest id, which a change's batch number is made from.
            self._later = []
            self._wrote = False
            steps: list[tuple[str, list[Any] | None]] = [
                ("BEGIN", None), ("SELECT pg_advisory_xact_lock(%s)", [WRITE_LOCK])]
            if self.dossier_ready:
                steps.append(("SELECT coalesce(max(id), 0) FROM journal", None))
            with self.raw.pipeline():
                cur = None
                for text, values in steps:
                    cur = self.raw.execute(text, values, prepare=False)
            self.journal_top = None
            if self.dossier_ready and cur is not None:
                self.journal_top = int(cur.fetchone()[0])
            return PgCursor()
        if head in ("BEGIN", "BEGIN DEFERRED"):
            self._later = []
            self.raw.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
            self._wrote = False
            return PgCursor()
        if head in ("COMMIT", "END"):
            # The waiting writes, the notice and the COMMIT in one round trip; the caller
            # hears of the change as done only once the COMMIT's answer is back.
            ending: list[tuple[str, list[Any] | None]] = [("COMMIT", None)]
            if self._wrote or self._later:
                ending.insert(0, (f"NOTIFY {CHANNEL}", None))
            self._run(*ending)
            self._wrote = False
            self.journal_top = None
            return PgCursor()
        if head == "ROLLBACK":
            self._wrote = False
            self._later = []
            self.journal_top = None
            self.raw.execute("ROLLBACK")
            return PgCursor()
        if head.startswith("RELEASE ") and not head.startswith("RELEASE SAVEPOINT"):
            self._run(("RELEASE SAVEPOINT " + sql.strip()[8:], None))
            return PgCursor()
        if not head.startswith("PRAGMA"):
            return None
        if self._later:
            self._run()
        return self._pragma(sql.strip()[6:].strip())

    def _pragma(self, text: str) -> PgCursor:
        match = re.fullmatch(r"(\w+)\s*(?:=\s*(\w+)|\(([^)]*)\))?", text)
        name = (match.group(1) if match else text).lower()
        arg = match.group(3) if match else None
        if name == "data_version":
            self.raw.execute("SELECT 1")  # reads the notices that arrived meanwhile
            return PgCursor(rows=[(self._version,)], description=[("data_version",)])
        if name == "table_info" and arg:
            rows = self.raw.execute(
                "SELECT ordinal_position - 1, column_name, data_type, "
                "(is_nullable = 'NO')::int, column_default, 0 FROM information_schema.columns "
                "WHERE table_schema = current_schema() AND table_name = %s "
                "ORDER BY ordinal_position", (arg.strip('"'),)).fetchall()
            return PgCursor(rows=[tuple(r) for r in rows], description=[
                ("cid",), ("name",), ("type",), ("notnull",), ("dflt_value",), ("pk",)])
        if name == "integrity_check":
            return PgCursor(rows=[("ok",)], description=[("integrity_check",)])
        if name == "foreign_key_check":
            return PgCursor(rows=[], description=[("table",), ("rowid",), ("parent",),
                                                  ("fkid",)])
        # foreign_keys, synchronous, query_only, journal_mode, wal_checkpoint...: PostgreSQL
        # always checks foreign keys and fsyncs its commits; read-only is the session's.
        return PgCursor(rows=[], description=[(name,)])


# ------------------------------------------------------------------------------ opening


def _problem(url: str, exc: Exception) -> DossierFileError:
    """One line naming the server and what went wrong, from a psycopg error."""
    text = " ".join(str(exc).split())
    low = text.lower()
    if "password authentication failed" in low or "no password supplied" in low:
        why = "password refused (check the URL, PGPASSWORD or ~/.pgpass)"
    elif "does not exist" in low and "database" in low:
        why = "no such database on the server (create it with `createdb`)"
    elif "role" in low and "does not exist" in low:
        why = "no such role on the server"
    elif ("connection refused" in low or "could not connect" in low or "no such file" in low
          or "timeout expired" in low or "could not translate host name" in low):
        why = "cannot reach the server (is it running? is the host and port right?)"
    elif "invalid" in low and ("dsn" in low or "uri" in low or "connection option" in low):
        why = f"not a valid PostgreSQL URL ({text[:120]})"
    elif "permission denied" in low:
        why = f"permission denied ({text[:120]})"
    else:
        why = text[:200] or type(exc).__name__
    return DossierFileError(server_name(url), why)


def _raw_connect(url: str) -> Any:
    try:
        import psycopg
    except ImportError:
        raise DossierFileError(server_name(url), "PostgreSQL dossiers need psycopg: "
                               "pip install 'dossier[team]'") from None
    from psycopg.types.numeric import FloatLoader

    try:
        raw = psycopg.connect(url, autocommit=True, connect_timeout=10,
                              application_name=f"dossier {__version__}")
    except (psycopg.Error, ValueError) as exc:
        raise _problem(url, exc) from None
    raw.adapters.register_loader("numeric", FloatLoader)  # sum() and avg() as SQLite's
    return raw


def _inspect(conn: PgConnection) -> int | None:
    """The dossier's schema version; None when the database holds no tables at all."""
    name = conn.name
    tables = [r[0] for r in conn.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = "
        "current_schema() ORDER BY table_name").fetchall()]
    if not tables:
        return None
    if "meta" not in tables:
        shown = ", ".join(tables[:6]) + (", ..." if len(tables) > 6 else "")
        raise DossierFileError(name, f"not a dossier: a database of some other program "
                                     f"(tables: {shown})")
    meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
    if meta.get("application") != schema.APPLICATION:
        raise DossierFileError(name, "not a dossier: a database of some other program "
                                     "(meta has no application 'dossier')")
    try:
        version = int(meta.get("schema_version", ""))
    except ValueError:
        raise DossierFileError(name, "damaged: meta.schema_version is not a number") from None
    if version > schema.SCHEMA_VERSION:
        raise DossierFileError(name, f"schema version {version} is newer than this program "
                                     f"knows ({schema.SCHEMA_VERSION}); upgrade dossier")
    if version < schema.SCHEMA_VERSION and version not in MIGRATIONS:
        raise DossierFileError(name, f"no migration from schema version {version}")
    if version == schema.SCHEMA_VERSION:
        problems = pgschema.schema_differences(conn)
        if problems:
            shown = "; ".join(problems[:3]) + ("; ..." if len(problems) > 3 else "")
            raise DossierFileError(name, f"refused: schema is not a dossier's ({shown})")
    return version


def _v2_to_v3(conn: PgConnection, progress: Any) -> None:
    """Version 3 (as on a file, store/migrations.py): the near-duplicate pairs' table, filled
    from the sketches the dossier holds. (A PostgreSQL dossier starts at version 2.)"""
    from dossier.store import migrations
    from dossier.store.dedup import backfill_pairs

    for statement in schema.DDL:
        if migrations.ddl_name(statement) not in migrations.V2_OBJECTS:
            for pg_statement in pgschema.translate(statement):
                conn.execute(pg_statement)
    backfill_pairs(conn, progress)


# Migrations of a PostgreSQL dossier from version N to N+1, in the opener's transaction.
MIGRATIONS: dict[int, Any] = {2: _v2_to_v3}


def _create(conn: PgConnection) -> None:
    conn.execute("BEGIN IMMEDIATE")
    try:
        pgschema.create(conn)
        conn.executemany("INSERT INTO meta (key, value) VALUES (?, ?)", [
            ("application", schema.APPLICATION),
            ("schema_version", str(schema.SCHEMA_VERSION)),
            ("created_by", f"dossier {__version__}"),
            ("created_at", now_iso()),
        ])
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def _migrate(conn: PgConnection, version: int, progress: Any = None) -> None:
    conn.execute("BEGIN IMMEDIATE")
    try:
        while version < schema.SCHEMA_VERSION:
            MIGRATIONS[version](conn, progress or (lambda done, total: None))
            version += 1
        conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(version),))
        problems = pgschema.schema_differences(conn)
        if problems:
            raise DossierFileError(conn.name, f"migration left an unexpected schema: "
                                              f"{problems[0]}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def can_write(conn: PgConnection) -> bool:
    """True when the session's role may write the analysts' tables."""
    row = conn.execute(
        "SELECT bool_and(has_table_privilege(t, 'INSERT, UPDATE, DELETE')) FROM "
        "unnest(ARRAY['journal', 'taggings', 'links', 'entities', 'mentions']) AS t").fetchone()
    return bool(row and row[0])


def open_connection(url: str, *, create: bool = False, readonly: bool = False,
                    progress: Any = None) -> tuple[PgConnection, bool]:
    """Open (or, with `create`, make) the dossier in a PostgreSQL database; return
    (connection, is_read_only). Every refusal is a `DossierFileError` naming the server."""
    raw = _raw_connect(url)  # first: without psycopg (no `team` extra), it says so in one line
    import psycopg

    conn = PgConnection(raw, url)
    try:
        version = _inspect(conn)
        if version is None:
            if not create:
                raise DossierFileError(conn.name, "the database holds no dossier (no tables); "
                                                  "`dossier ingest` makes one there")
            if readonly:
                raise DossierFileError(conn.name, "the database holds no dossier, and "
                                                  "read-only mode cannot create it")
            _create(conn)
            version = schema.SCHEMA_VERSION
        conn.dossier_ready = version == schema.SCHEMA_VERSION
        writable = can_write(conn)
        if version < schema.SCHEMA_VERSION:
            if not writable:
                raise DossierFileError(conn.name, f"schema version {version} needs migrating, "
                                                  "and this role may not write")
            _migrate(conn, version, progress)
            conn.dossier_ready = True
        if readonly or not writable:
            conn.execute("SET default_transaction_read_only = on")
            conn.readonly = True
            return conn, True
        return conn, False
    except DossierFileError:
        conn.close()
        raise
    except psycopg.Error as exc:
        conn.close()
        raise _problem(url, exc) from None
