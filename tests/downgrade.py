"""Dossier files of earlier schema versions for migration tests, made as those versions made them.

No committed database files (STYLE.md): a current dossier is written through the store, then
taken back to an earlier version's schema (the objects new since dropped; for version 1 the
full-text table with version 1's definition, rebuilt; the version number set), and checked
object by object against that version's schema. Version 2's sketches and band keys stay:
version 2 wrote them.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from dossier.store import migrations, schema

KEPT = {1: migrations.V1_OBJECTS, 2: migrations.V2_OBJECTS}


def downgrade(path: Path, version: int) -> Path:
    """Turn a closed current dossier file into the version-`version` file holding the same rows."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("BEGIN")
        for statement in reversed(schema.DDL):
            name = migrations.ddl_name(statement)
            if name not in KEPT[version]:
                kind = "INDEX" if statement.startswith("CREATE INDEX") else "TABLE"
                conn.execute(f"DROP {kind} IF EXISTS {name}")
        if version == 1:
            conn.execute("DROP TABLE articles_fts")
            conn.execute(migrations.V1_FTS)
            conn.execute("INSERT INTO articles_fts (articles_fts) VALUES ('rebuild')")
        conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(version),))
        conn.execute("COMMIT")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        problems = schema.schema_differences(conn, migrations.expected_objects(version))
        assert not problems, problems
    finally:
        conn.close()
    return path


def downgrade_to_v1(path: Path) -> Path:
    return downgrade(path, 1)


def downgrade_to_v2(path: Path) -> Path:
    return downgrade(path, 2)
