"""A version-1 dossier file for migration tests, made as version 1 made it.

No committed database files (STYLE.md): a current dossier is written through the store, then
taken back to version 1's schema (the tables new since dropped, the full-text table with
version 1's definition and rebuilt, the version number set), and checked object by object
against version 1's schema.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from dossier.store import migrations, schema


def downgrade_to_v1(path: Path) -> Path:
    """Turn a closed current dossier file into the version-1 file holding the same rows."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("BEGIN")
        for statement in reversed(schema.DDL):
            name = migrations.ddl_name(statement)
            if name not in migrations.V1_OBJECTS:
                kind = "INDEX" if statement.startswith("CREATE INDEX") else "TABLE"
                conn.execute(f"DROP {kind} IF EXISTS {name}")
        conn.execute("DROP TABLE articles_fts")
        conn.execute(migrations.V1_FTS)
        conn.execute("INSERT INTO articles_fts (articles_fts) VALUES ('rebuild')")
        conn.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
        conn.execute("COMMIT")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        problems = schema.schema_differences(conn, migrations.expected_objects(1))
        assert not problems, problems
    finally:
        conn.close()
    return path
