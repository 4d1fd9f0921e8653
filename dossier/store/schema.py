"""The dossier file's schema, version 3: the public interface people query with SQL.

Kept as literal DDL so the file is exactly what the README documents and so an opened file's
schema can be compared, object by object, with what this program expects before any query runs.
"""

from __future__ import annotations

import sqlite3

SCHEMA_VERSION = 3
APPLICATION = "dossier"

# Each statement is one schema object. The order matters (foreign keys).
DDL: tuple[str, ...] = (
    """CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
)""",
    """CREATE TABLE articles (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    title TEXT NOT NULL,
    source TEXT,
    url TEXT,
    author TEXT,
    published TEXT,
    published_precision TEXT NOT NULL DEFAULT 'unknown'
        CHECK (published_precision IN ('day', 'month', 'year', 'unknown')),
    body TEXT NOT NULL,
    removed TEXT NOT NULL DEFAULT '[]',
    content_hash TEXT NOT NULL UNIQUE,
    origin TEXT,
    ingested_at TEXT NOT NULL
)""",
    # Expression indexes matching the list orders, so a page of 100,000 rows needs no sort.
    "CREATE INDEX idx_articles_published ON articles (coalesce(published, '9999'), id)",
    "CREATE INDEX idx_articles_title ON articles (title COLLATE NOCASE, id)",
    "CREATE INDEX idx_articles_source ON articles (source)",
    """CREATE VIRTUAL TABLE articles_fts USING fts5(
    title, body, content="articles", content_rowid="id",
    tokenize='porter unicode61 remove_diacritics 2'
)""",
    """CREATE TABLE entities (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('person', 'organisation', 'place', 'other')),
    description TEXT,
    created_at TEXT NOT NULL
)""",
    "CREATE INDEX idx_entities_name ON entities (name COLLATE NOCASE)",
    """CREATE TABLE aliases (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    entity_id INTEGER NOT NULL REFERENCES entities (id) ON DELETE CASCADE,
    alias TEXT NOT NULL,
    norm TEXT NOT NULL,
    origin TEXT NOT NULL DEFAULT 'auto' CHECK (origin IN ('auto', 'analyst')),
    UNIQUE (entity_id, norm)
)""",
    "CREATE INDEX idx_aliases_norm ON aliases (norm)",
    """CREATE TABLE mentions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    entity_id INTEGER NOT NULL REFERENCES entities (id) ON DELETE CASCADE,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    text TEXT NOT NULL,
    origin TEXT NOT NULL DEFAULT 'auto' CHECK (origin IN ('auto', 'analyst')),
    CHECK (0 <= start AND start <= "end")
)""",
    "CREATE INDEX idx_mentions_article ON mentions (article_id, start)",
    "CREATE INDEX idx_mentions_entity ON mentions (entity_id, article_id, start)",
    """CREATE TABLE events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    title TEXT NOT NULL,
    date_start TEXT,
    date_end TEXT,
    precision TEXT NOT NULL DEFAULT 'day'
        CHECK (precision IN ('day', 'month', 'year', 'unknown')),
    date_text TEXT NOT NULL DEFAULT '',
    resolution TEXT NOT NULL DEFAULT 'absolute'
        CHECK (resolution IN ('absolute', 'relative', 'unresolved', 'analyst')),
    article_id INTEGER REFERENCES articles (id) ON DELETE CASCADE,
    date_start_char INTEGER,
    date_end_char INTEGER,
    evidence_start INTEGER,
    evidence_end INTEGER
)""",
    "CREATE INDEX idx_events_date ON events (date_start, id)",
    "CREATE INDEX idx_events_article ON events (article_id)",
    """CREATE TABLE event_entities (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    entity_id INTEGER NOT NULL REFERENCES entities (id) ON DELETE CASCADE,
    UNIQUE (event_id, entity_id)
)""",
    "CREATE INDEX idx_event_entities_entity ON event_entities (entity_id)",
    """CREATE TABLE taggings (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    target_kind TEXT NOT NULL CHECK (target_kind IN ('article', 'entity', 'event', 'link')),
    target_id INTEGER NOT NULL,
    tagset TEXT NOT NULL,
    tag TEXT NOT NULL,
    analyst TEXT NOT NULL,
    created_at TEXT NOT NULL,
    note TEXT,
    UNIQUE (target_kind, target_id, tagset, tag)
)""",
    "CREATE INDEX idx_taggings_tag ON taggings (tagset, tag, target_kind, target_id)",
    """CREATE TABLE links (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    from_kind TEXT NOT NULL CHECK (from_kind IN ('article', 'entity', 'event', 'link')),
    from_id INTEGER NOT NULL,
    relation TEXT NOT NULL,
    to_kind TEXT NOT NULL CHECK (to_kind IN ('article', 'entity', 'event', 'link')),
    to_id INTEGER NOT NULL,
    evidence_article_id INTEGER REFERENCES articles (id) ON DELETE SET NULL,
    evidence_start INTEGER,
    evidence_end INTEGER,
    note TEXT,
    analyst TEXT NOT NULL,
    created_at TEXT NOT NULL
)""",
    "CREATE INDEX idx_links_from ON links (from_kind, from_id)",
    "CREATE INDEX idx_links_to ON links (to_kind, to_id)",
    """CREATE TABLE journal (
    id INTEGER PRIMARY KEY,
    batch INTEGER NOT NULL,
    at TEXT NOT NULL,
    analyst TEXT NOT NULL,
    action TEXT NOT NULL,
    table_name TEXT NOT NULL,
    row_id INTEGER NOT NULL,
    before TEXT,
    after TEXT,
    state TEXT NOT NULL DEFAULT 'done' CHECK (state IN ('done', 'undone', 'dropped')),
    target_kind TEXT,
    target_id INTEGER
)""",
    "CREATE INDEX idx_journal_batch ON journal (analyst, state, batch)",
    "CREATE INDEX idx_journal_target ON journal (target_kind, target_id)",
    # Issue 16: an analyst's named views (scope, order, search), and the dossier's relation
    # types. Neither is journalled: they are settings and vocabulary, not work on the story
    # (`u` never takes back a saved view); each row says who made it and when.
    """CREATE TABLE saved_views (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    analyst TEXT NOT NULL,
    name TEXT NOT NULL,
    spec TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (analyst, name)
)""",
    """CREATE TABLE relation_types (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL COLLATE NOCASE UNIQUE,
    label TEXT,
    origin TEXT NOT NULL DEFAULT 'analyst' CHECK (origin IN ('builtin', 'tagset', 'analyst')),
    created_by TEXT,
    created_at TEXT NOT NULL
)""",
    # Issue 17: the analyst's answers to "same entity? same article?" (a_id < b_id; no foreign
    # keys: a "same" entity decision outlives the entity merged away), journalled.
    """CREATE TABLE decisions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL CHECK (kind IN ('entity', 'article')),
    a_id INTEGER NOT NULL,
    b_id INTEGER NOT NULL,
    verdict TEXT NOT NULL CHECK (verdict IN ('same', 'different')),
    analyst TEXT NOT NULL,
    created_at TEXT NOT NULL,
    CHECK (a_id < b_id),
    UNIQUE (kind, a_id, b_id)
)""",
    "CREATE INDEX idx_decisions_b ON decisions (kind, b_id)",
    # Near-duplicate articles: each article's MinHash signature (machine-made at ingest, not
    # journalled) and its LSH band keys, so a new article finds its look-alikes by index.
    """CREATE TABLE article_signatures (
    article_id INTEGER PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
    minhash BLOB NOT NULL
)""",
    """CREATE TABLE article_bands (
    band INTEGER NOT NULL,
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    PRIMARY KEY (band, article_id)
) WITHOUT ROWID""",
    "CREATE INDEX idx_article_bands_article ON article_bands (article_id)",
    # Version 3: the near-duplicate pairs themselves (a_id < b_id, estimated similarity at or
    # over dedup.THRESHOLD), written at ingest when a new article's band keys meet an earlier
    # article's, so no reader walks every pair. Machine-made from the bodies like the
    # signatures, so not journalled; an article leaving the file takes its pairs with it.
    """CREATE TABLE article_duplicates (
    a_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    b_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    similarity REAL NOT NULL CHECK (similarity BETWEEN 0 AND 1),
    CHECK (a_id < b_id),
    PRIMARY KEY (a_id, b_id)
) WITHOUT ROWID""",
    "CREATE INDEX idx_article_duplicates_b ON article_duplicates (b_id)",
)

# Tables whose rows analysts change through the journal (undo restores them row by row).
JOURNALLED_TABLES = (
    "articles", "entities", "aliases", "mentions", "events", "event_entities",
    "taggings", "links", "decisions",
)

# Objects SQLite may add to a file by itself after it is created: ANALYZE's statistics
# tables, with exactly this SQL. Everything else SQLite makes for our DDL (sqlite_sequence for
# AUTOINCREMENT, sqlite_autoindex_* for UNIQUE and PRIMARY KEY constraints, the FTS5 shadow
# tables of articles_fts) is in the expected schema itself, since a fresh file has them.
OPTIONAL_OBJECTS: dict[tuple[str, str], tuple[str, str | None]] = {
    ("table", "sqlite_stat1"): ("sqlite_stat1", "CREATE TABLE sqlite_stat1(tbl,idx,stat)"),
    ("table", "sqlite_stat4"): (
        "sqlite_stat4", "CREATE TABLE sqlite_stat4(tbl,idx,neq,nlt,ndlt,sample)"),
}

# An AUTOINCREMENT id (or the journal's id) above this is refused on open: the next insert
# would fail with SQLITE_FULL or overflow, and no dossier gets near it honestly.
MAX_ID = 2**62


def create(conn: sqlite3.Connection) -> None:
    """Create every table of a new dossier in one transaction (the caller writes meta)."""
    for statement in DDL:
        conn.execute(statement)


def _normalise(sql: object) -> str | None:
    return None if sql is None else " ".join(str(sql).split())


SchemaObject = tuple[str, str | None]  # (tbl_name, normalised sql; None for autoindexes)


def schema_rows(conn: sqlite3.Connection) -> list[tuple[str, str, str, str | None]]:
    """Every row of sqlite_master as (type, name, tbl_name, normalised sql), none left out."""
    return [
        (str(kind), str(name), str(tbl), _normalise(sql))
        for kind, name, tbl, sql in conn.execute(
            "SELECT type, name, tbl_name, sql FROM sqlite_master"
        )
    ]


def schema_objects(conn: sqlite3.Connection) -> dict[tuple[str, str], SchemaObject]:
    """Return {(type, name): (tbl_name, normalised sql)} of every object of a database."""
    return {(kind, name): (tbl, sql) for kind, name, tbl, sql in schema_rows(conn)}


_expected: dict[tuple[str, str], SchemaObject] | None = None


def expected_objects() -> dict[tuple[str, str], SchemaObject]:
    """The schema objects of a fresh dossier of this version (built once in memory), internal
    ones included: sqlite_sequence, the autoindexes and the FTS5 shadow tables."""
    global _expected
    if _expected is None:
        mem = sqlite3.connect(":memory:")
        try:
            create(mem)
            _expected = schema_objects(mem)
        finally:
            mem.close()
    return _expected


def schema_differences(conn: sqlite3.Connection,
                       expected: dict[tuple[str, str], SchemaObject] | None = None) -> list[str]:
    """Describe how a file's schema differs from the expected one; empty when identical.

    Every object is compared by type, name, table and SQL, SQLite's internal names included:
    a trigger called `sqlite_stat_x` is as unexpected as one called `t`, and there is no
    trigger or view in a dossier at all.
    """
    rows = schema_rows(conn)
    if expected is None:
        expected = expected_objects()
    problems = []
    seen: set[tuple[str, str]] = set()
    for kind, name, tbl, sql in rows:
        key = (kind, name.lower())
        if key in seen:
            problems.append(f"{kind} '{name}' is defined twice")
            continue
        seen.add(key)
        want = expected.get((kind, name)) or OPTIONAL_OBJECTS.get((kind, name))
        if kind in ("trigger", "view") or want is None:
            problems.append(f"unexpected {kind} '{name}'")
        elif (tbl, sql) != want:
            problems.append(f"{kind} '{name}' is not defined as expected")
    for kind, name in sorted(expected.keys() - {(k, n) for k, n, _t, _s in rows}):
        problems.append(f"missing {kind} '{name}'")
    return problems


def quote(name: str) -> str:
    """An SQL identifier, quoted."""
    return '"' + name.replace('"', '""') + '"'


def structure_problems(conn: sqlite3.Connection) -> list[str]:
    """Damage a schema comparison cannot see, found with a few cheap reads (O(log n) each).

    Every table and index of the (already compared) schema is read once at each end: a root
    page swapped in sqlite_master reads as "malformed" or as rows with NULLs in NOT NULL
    columns. Ids at the top of the 64-bit range are refused too: the next insert would fail.
    Raises sqlite3.DatabaseError when SQLite itself finds the file corrupt.
    """
    problems = []
    ddl_tables = set(JOURNALLED_TABLES) | {"meta", "journal", "saved_views", "relation_types"}
    for (kind, name), (tbl, sql) in sorted(expected_objects().items()):
        if kind == "index":
            conn.execute(f"SELECT 1 FROM {quote(tbl)} INDEXED BY {quote(name)} LIMIT 1")
            continue
        if kind != "table" or (sql or "").startswith("CREATE VIRTUAL"):
            continue
        required = [c[1] for c in conn.execute(f"PRAGMA table_info({quote(name)})") if c[3]]
        if (sql or "").endswith("WITHOUT ROWID"):
            ends = [conn.execute(f"SELECT * FROM {quote(name)} LIMIT 1")]
        else:
            ends = [conn.execute(f"SELECT rowid AS _rowid_, * FROM {quote(name)} "
                                 f"ORDER BY rowid {order} LIMIT 1") for order in ("", "DESC")]
        for cur in ends:
            row = cur.fetchone()
            if row is None:
                continue
            values = dict(zip([d[0] for d in cur.description], row, strict=True))
            if any(values[c] is None for c in required):
                problems.append(f"table '{name}' holds rows that are not its own "
                                "(a swapped root page?)")
                break
            if name in ddl_tables and isinstance(values.get("_rowid_"), int) and (
                    values["_rowid_"] > MAX_ID):
                problems.append(f"table '{name}' has an id at the end of the 64-bit range")
                break
    for name, seq in conn.execute("SELECT name, seq FROM sqlite_sequence"):
        if not isinstance(seq, int) or not 0 <= seq <= MAX_ID:
            problems.append(f"sqlite_sequence for '{name}' is {seq!r}, at or near the end of "
                            "the 64-bit range (no new row could be added)")
    return problems


FTS_SHADOW_TABLES = ("articles_fts_data", "articles_fts_idx", "articles_fts_docsize",
                     "articles_fts_config")


def reset_fts_index(conn: sqlite3.Connection) -> None:
    """Give articles_fts the shadow rows of an empty index (inside the caller's transaction),
    so a 'rebuild' can run over a damaged one. The rows come from a fresh in-memory dossier,
    so they are what this SQLite's FTS5 writes itself."""
    mem = sqlite3.connect(":memory:")
    try:
        create(mem)
        fresh = {t: mem.execute(f"SELECT * FROM {t}").fetchall() for t in FTS_SHADOW_TABLES}
    finally:
        mem.close()
    for table, rows in fresh.items():
        conn.execute(f"DELETE FROM {table}")
        for row in rows:
            conn.execute(f"INSERT INTO {table} VALUES ({', '.join('?' for _ in row)})", row)
