"""CSV export: one UTF-8 file per table (with a header), in a folder or a .zip.

Made for spreadsheets, which run a cell starting with `=`, `+`, `-` or `@` as a formula
(`=HYPERLINK(...)`, `=WEBSERVICE(...)`, DDE): a text cell whose first character that is not a
space is one of those, a tab or a carriage return gets a leading `'` (the OWASP rule for CSV
injection), so the spreadsheet shows it as text. Only text is changed: SQLite integers and
reals are written as numbers, and ids, offsets and counts are never negative; dates are ISO
text (`2023-04-04`), which starts with a digit and stays as written. The JSON export is the
lossless one.
"""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

from dossier.export.base import Progress
from dossier.export.selection import Selection, resolve, rows
from dossier.store import Store

TABLES = ("articles", "entities", "aliases", "mentions", "events", "event_entities",
          "taggings", "links", "decisions")


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """A text cell a spreadsheet would take for a formula, prefixed with `'`; else as is."""
    if isinstance(value, str) and value.lstrip(" ").startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _columns(store: Store, table: str) -> list[str]:
    return store.columns(table)


def write(store: Store, selection: Selection, target: Path, progress: Progress | None = None,
          final_name: str = "") -> None:
    resolved = resolve(store, selection)
    as_zip = final_name.endswith(".zip")
    if as_zip:
        with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for n, table in enumerate(TABLES, 1):
                with archive.open(f"{table}.csv", "w") as raw:
                    handle = io.TextIOWrapper(raw, encoding="utf-8", newline="")
                    _table(store, table, resolved, handle)
                    handle.flush()
                    handle.detach()
                if progress:
                    progress(n, len(TABLES))
        return
    target.mkdir()
    for n, table in enumerate(TABLES, 1):
        with (target / f"{table}.csv").open("w", encoding="utf-8", newline="") as handle:
            _table(store, table, resolved, handle)
        if progress:
            progress(n, len(TABLES))


def _table(store: Store, table: str, resolved, handle) -> None:  # noqa: ANN001
    columns = _columns(store, table)
    writer = csv.DictWriter(handle, fieldnames=columns)
    writer.writeheader()
    for row in rows(store, table, resolved):
        writer.writerow({k: neutralise(v) for k, v in row.items()})
