"""The dossier file's schema, version 1: the public interface people query with SQL.

Kept as literal DDL so the file is exactly what the README documents and so an opened file's
schema can be compared, object by object, with what this program expects before any query runs.
"""

from __future__ import annotations

import sqlite3

SCHEMA_VERSION = 1
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
    title, body, content='articles', content_rowid='id',
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
)

# Tables whose rows analysts change through the journal (undo restores them row by row).
JOURNALLED_TABLES = (
    "articles", "entities", "aliases", "mentions", "events", "event_entities",
    "taggings", "links",
)

# Objects SQLite creates by itself next to ours. AUTOINCREMENT (and so sqlite_sequence) keeps
# ids from being reused, so undo and redo never restore a row onto someone else's id.
_INTERNAL_PREFIXES = ("sqlite_autoindex_", "sqlite_stat", "sqlite_sequence")


def create(conn: sqlite3.Connection) -> None:
    """Create every table of a new dossier in one transaction (the caller writes meta)."""
    for statement in DDL:
        conn.execute(statement)


def _normalise(sql: str | None) -> str:
    return " ".join((sql or "").split())


def schema_objects(conn: sqlite3.Connection) -> dict[tuple[str, str], str]:
    """Return {(type, name): normalised sql} of a database's schema, internal objects left out."""
    rows = conn.execute("SELECT type, name, sql FROM sqlite_master").fetchall()
    return {
        (kind, name): _normalise(sql)
        for kind, name, sql in rows
        if not name.startswith(_INTERNAL_PREFIXES)
    }


_expected: dict[tuple[str, str], str] | None = None


def expected_objects() -> dict[tuple[str, str], str]:
    """The schema objects of a fresh version-1 dossier (built once in memory)."""
    global _expected
    if _expected is None:
        mem = sqlite3.connect(":memory:")
        try:
            create(mem)
            _expected = schema_objects(mem)
        finally:
            mem.close()
    return _expected


def schema_differences(conn: sqlite3.Connection) -> list[str]:
    """Describe how a file's schema differs from the expected one; empty when identical."""
    found = schema_objects(conn)
    expected = expected_objects()
    problems = []
    for key in sorted(found.keys() - expected.keys()):
        problems.append(f"unexpected {key[0]} '{key[1]}'")
    for key in sorted(expected.keys() - found.keys()):
        problems.append(f"missing {key[0]} '{key[1]}'")
    for key in sorted(found.keys() & expected.keys()):
        if found[key] != expected[key]:
            problems.append(f"{key[0]} '{key[1]}' is not defined as expected")
    return problems
