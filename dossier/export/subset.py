"""A smaller dossier file holding only the selection and what it needs."""

from __future__ import annotations

from pathlib import Path

from dossier.export.base import Progress
from dossier.export.jsonfmt import TABLES, insert_rows
from dossier.export.selection import Selection, resolve, rows
from dossier.store import Store


def write(store: Store, selection: Selection, target: Path, progress: Progress | None = None,
          final_name: str = "") -> None:
    resolved = resolve(store, selection)
    out = Store.open(target, create=True)
    try:
        with out.bulk():
            for row in store.iter_rows("meta"):
                if row["key"] not in ("application", "schema_version", "created_at",
                                      "created_by"):
                    out.put_meta(row["key"], row["value"])
            articles = set()
            for n, table in enumerate(TABLES, 1):
                if table == "journal" and not selection.is_everything():
                    continue  # the journal of the whole file would name rows left out
                batch = []
                for row in rows(store, table, resolved):
                    if table == "articles":
                        articles.add(row["id"])
                    if table == "events" and row["article_id"] not in articles:
                        row = {**row, "article_id": None}
                    if table == "links" and row["evidence_article_id"] not in articles:
                        row = {**row, "evidence_article_id": None}
                    batch.append(row)
                    if len(batch) >= 1000:
                        insert_rows(out, table, batch)
                        batch = []
                insert_rows(out, table, batch)
                if progress:
                    progress(n, len(TABLES))
            out.rows_copied()  # the rows came with their ids
            out.refill_fts()
        out.checkpoint()
        out.leave_wal()
    finally:
        out.close()
