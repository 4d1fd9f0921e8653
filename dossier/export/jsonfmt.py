"""JSON export, lossless and versioned, and its import.

    {"format": "dossier-export", "version": 1, "schema_version": 1,
     "meta": {...}, "articles": [...], "entities": [...], "aliases": [...],
     "mentions": [...], "events": [...], "event_entities": [...], "taggings": [...],
     "links": [...], "decisions": [...], "journal": [...], "saved_views": [...],
     "relation_types": [...]}

Every table's rows as objects with the columns of the dossier file (README), in id order.
`dossier ingest NEW.db export.json` rebuilds the dossier: same ids, same rows, so its own
JSON export is identical. Written as a stream: one row at a time.
"""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path
from typing import IO, Any

from dossier.export.base import ExportError, Progress, dumps
from dossier.export.selection import Selection, resolve, rows
from dossier.store import Store, integrity_errors
from dossier.store.schema import SCHEMA_VERSION

MARKER = "dossier-export"
VERSION = 1
TABLES = ("articles", "entities", "aliases", "mentions", "events", "event_entities",
          "taggings", "links", "decisions", "journal", "saved_views", "relation_types")
META_SKIPPED = {"application", "schema_version"}


def _meta(store: Store) -> dict[str, str]:
    return {r["key"]: r["value"] for r in store.iter_rows("meta")
            if r["key"] not in META_SKIPPED}


def write(store: Store, selection: Selection, stream: IO[bytes],
          progress: Progress | None = None) -> None:
    resolved = resolve(store, selection)
    total = store.count_articles()
    w = stream.write
    head = {"format": MARKER, "version": VERSION, "schema_version": SCHEMA_VERSION,
            "meta": _meta(store)}
    w(dumps(head, sort_keys=True)[:-1].encode())
    done = 0
    for table in TABLES:
        w(f', "{table}": ['.encode())
        first = True
        source = rows(store, table, resolved) if table != "journal" else (
            store.iter_rows("journal") if resolved.articles is None and
            resolved.entities is None else iter(()))
        for row in source:
            w((b"" if first else b",") + b"\n  " + dumps(
                row, sort_keys=True).encode())
            first = False
            if table == "articles":
                done += 1
                if progress and done % 500 == 0:
                    progress(done, total)
        w(b"\n]")
    w(b"}\n")
    if progress:
        progress(total, total)


def is_dossier_export(path: str | os.PathLike[str]) -> bool:
    """True when a .json file starts as a dossier export (read only its first bytes)."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(200)
    except OSError:
        return False
    return b'"format": "dossier-export"' in head


def import_json(store: Store, path: str | os.PathLike[str]) -> dict[str, int]:
    """Rebuild a dossier from a JSON export, into an empty dossier; returns rows per table."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ExportError(f"{path}: not a readable dossier export ({exc})") from None
    if not isinstance(data, dict) or data.get("format") != MARKER:
        raise ExportError(f"{path}: not a dossier export")
    # An export of an older schema imports as long as its tables are a subset of today's
    # (a version-1 export lacks version 2's new tables, which stay empty).
    if data.get("version") != VERSION or data.get("schema_version") not in range(
            1, SCHEMA_VERSION + 1):
        raise ExportError(f"{path}: export version {data.get('version')} (schema "
                          f"{data.get('schema_version')}) is not one this program reads")
    if store.count_articles() or store.count_entities():
        raise ExportError(f"{path}: a dossier export is imported into a new, empty dossier; "
                          f"{store.path} already holds articles")
    counts = {}
    with store.bulk():
        meta = data.get("meta") or {}
        if not isinstance(meta, dict):
            raise ExportError(f"{path}: meta is not an object")
        for key, value in meta.items():
            if key in META_SKIPPED:  # this program's own, never taken from a file
                continue
            store.put_meta(key, str(value))
        for table in TABLES:
            items = data.get(table) or []
            if not isinstance(items, list):
                raise ExportError(f"{path}: {table} is not a list")
            try:
                counts[table] = insert_rows(store, table, items)
            except ExportError as exc:
                raise ExportError(f"{path}: {exc}") from None
        store.rows_copied()  # the rows came with their ids
        store.refill_fts()
    return counts


def insert_rows(store: Store, table: str, items: list[dict[str, Any]]) -> int:
    """Insert rows with their ids, checking columns against the table's."""
    columns = store.columns(table)
    for n, row in enumerate(items, 1):
        if not isinstance(row, dict):
            raise ExportError(f"{table} row {n}: not an object")
        if set(row) - set(columns):
            raise ExportError(f"{table} row {n}: unexpected columns "
                              f"{sorted(set(row) - set(columns))}")
        cols = [c for c in columns if c in row]
        try:
            store.insert_row(table, cols, [row[c] for c in cols])
        except (*integrity_errors(), sqlite3.ProgrammingError, OverflowError) as exc:
            # A CHECK, NOT NULL, UNIQUE or foreign-key rule, or a value that is not one
            # SQLite stores (a list, an object, an integer beyond 64 bits).
            shown = f"id {str(row['id'])[:40]}" if "id" in row else f"row {n}"
            raise ExportError(f"{table} {shown} (row {n}) is refused: {exc}") from None
    return len(items)

