"""Migrations from one schema version to the next, each run in the opener's one transaction.

`db._migrate` backs the file up beside itself, then runs `MIGRATIONS[v]` for every version from
the file's up to `schema.SCHEMA_VERSION` and compares the result with the expected schema:
a migration that leaves anything else is rolled back whole. A step is called with the
connection and a `progress(done, total)` callable (the opener's, or one that does nothing).

Each older version's objects are frozen here by name (`V1_OBJECTS`, `V2_OBJECTS`), so an older
file is compared with what that version made before anything runs in it, and a step creates
exactly the objects new in its version.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable

from dossier.store import schema

Progress = Callable[[int, int], None]  # (done, total)

# The objects of version 1 by name, frozen: what a version-1 file holds. A DDL object that
# is not among them is new in version 2 and is created by the 1 -> 2 migration.
V1_OBJECTS = frozenset({
    "aliases", "articles", "articles_fts", "entities", "event_entities", "events",
    "idx_aliases_norm", "idx_articles_published", "idx_articles_source", "idx_articles_title",
    "idx_entities_name", "idx_event_entities_entity", "idx_events_article", "idx_events_date",
    "idx_journal_batch", "idx_journal_target", "idx_links_from", "idx_links_to",
    "idx_mentions_article", "idx_mentions_entity", "idx_taggings_tag", "journal", "links",
    "mentions", "meta", "taggings",
})

# The objects new in version 2 (issue 17's decisions, relation types, saved views, the
# near-duplicate sketches), frozen likewise.
V2_OBJECTS = V1_OBJECTS | frozenset({
    "saved_views", "relation_types", "decisions", "idx_decisions_b", "article_signatures",
    "article_bands", "idx_article_bands_article",
})

# Version 1's full-text table, as version 1 wrote it.
V1_FTS = """CREATE VIRTUAL TABLE articles_fts USING fts5(
    title, body, content='articles', content_rowid='id',
    tokenize='porter unicode61 remove_diacritics 2'
)"""

_NAME = re.compile(r"CREATE (?:VIRTUAL )?(?:TABLE|INDEX) (\w+)")


def ddl_name(statement: str) -> str:
    """The name of the object a DDL statement creates."""
    match = _NAME.match(statement)
    if match is None:  # pragma: no cover - the DDL is ours
        raise ValueError(f"not a CREATE TABLE/INDEX statement: {statement[:40]}")
    return match.group(1)


_expected: dict[int, dict[tuple[str, str], schema.SchemaObject]] = {}


def expected_objects(version: int) -> dict[tuple[str, str], schema.SchemaObject]:
    """The schema objects of a fresh file of an older version, as that version made them, so
    an older file is compared object by object before a migration runs anything in it."""
    if version not in _expected:
        if version not in (1, 2):
            raise ValueError(f"no schema known for version {version}")
        objects = V1_OBJECTS if version == 1 else V2_OBJECTS
        mem = sqlite3.connect(":memory:")
        try:
            for statement in schema.DDL:
                name = ddl_name(statement)
                if name in objects:
                    mem.execute(V1_FTS if name == "articles_fts" and version == 1
                                else statement)
            _expected[version] = schema.schema_objects(mem)
        finally:
            mem.close()
    return _expected[version]


def _fts_statement() -> str:
    return next(s for s in schema.DDL if ddl_name(s) == "articles_fts")


def _create_new(conn: sqlite3.Connection, old: frozenset[str], new: frozenset[str] | None
                ) -> None:
    """Create the objects of `schema.DDL` in `new` (None: every one) and not in `old`."""
    present = {name for (name,) in conn.execute("SELECT name FROM sqlite_master")}
    for statement in schema.DDL:
        name = ddl_name(statement)
        if name not in old and name not in present and (new is None or name in new):
            conn.execute(statement)


def _v1_to_v2(conn: sqlite3.Connection, progress: Progress) -> None:
    """Version 2: the full-text table names its content table as sqlite-utils and Datasette
    look for it (`content="articles"`, version 1 wrote `content='articles'`, which neither
    finds), so `sqlite-utils search FILE articles WORD` and Datasette's search box work on the
    file as it is; and the tables new in version 2 are created.

    The FTS5 table is dropped (its shadow tables with it) and made again from the articles:
    FTS5 has no way to change a table's options in place.
    """
    conn.execute("DROP TABLE articles_fts")
    conn.execute(_fts_statement())
    conn.execute("INSERT INTO articles_fts (articles_fts) VALUES ('rebuild')")
    _create_new(conn, V1_OBJECTS, V2_OBJECTS)
    for step in V2_BACKFILL:
        step(conn)


def _v2_to_v3(conn: sqlite3.Connection, progress: Progress) -> None:
    """Version 3: the near-duplicate pairs are a table (`article_duplicates`), written at
    ingest, so opening a big dossier no longer walks every pair; a version-2 file's pairs are
    found once here from the sketches it already holds (one walk of the band index, then the
    candidates' sketches compared, `progress` called as they are)."""
    from dossier.store.dedup import backfill_pairs

    _create_new(conn, V2_OBJECTS, None)
    backfill_pairs(conn, progress)


def _relation_types_from_links(conn: sqlite3.Connection) -> None:
    """The relations a version-1 file's links use, other than the defaults, become the
    dossier's relation types (origin 'analyst', by the first analyst who used each)."""
    from dossier.model import DEFAULT_RELATIONS

    defaults = {name.casefold() for name in DEFAULT_RELATIONS}
    seen: set[str] = set()
    for relation, analyst, at in conn.execute(
            "SELECT relation, analyst, created_at FROM links ORDER BY id").fetchall():
        key = str(relation).casefold()
        if key in defaults or key in seen or not str(relation).strip():
            continue
        seen.add(key)
        conn.execute("INSERT OR IGNORE INTO relation_types (name, origin, created_by, "
                     "created_at) VALUES (?, 'analyst', ?, ?)", (relation, analyst, at))


def backfill_signatures(conn: sqlite3.Connection) -> None:
    """Near-duplicate sketches of a version-1 file's articles (issue 17); their pairs are
    the 2 -> 3 step's (version 2 has no table for them)."""
    from dossier.store.dedup import backfill

    backfill(conn, pairs=False)


# Steps that fill version 2's new tables from a version-1 file's rows, run after they exist.
V2_BACKFILL: list[Callable[[sqlite3.Connection], None]] = [
    _relation_types_from_links, backfill_signatures]

MIGRATIONS: dict[int, Callable[[sqlite3.Connection, Progress], None]] = {
    1: _v1_to_v2, 2: _v2_to_v3}
