"""A version-2 dossier file for migration tests, made as version 2 made it.

As `version1.py`: a current dossier is written through the store, then taken back to version
2's schema (the objects new since dropped, the version number set) and checked object by
object against version 2's schema. Its sketches and band keys stay: version 2 wrote them.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from dossier.store import migrations, schema


def downgrade_to_v2(path: Path) -> Path:
    """Turn a closed current dossier file into the version-2 file holding the same rows."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("BEGIN")
        for statement in reversed(schema.DDL):
            name = migrations.ddl_name(statement)
            if name not in migrations.V2_OBJECTS:
                kind = "INDEX" if statement.startswith("CREATE INDEX") else "TABLE"
                conn.execute(f"DROP {kind} IF EXISTS {name}")
        conn.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
        conn.execute("COMMIT")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        problems = schema.schema_differences(conn, migrations.expected_objects(2))
        assert not problems, problems
    finally:
        conn.close()
    return path
