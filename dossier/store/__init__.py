"""The dossier file: schema, opening, queries, and the journal of analyst changes."""

from dossier.store.db import DossierFileError, now_iso, problem_text
from dossier.store.journal import JournalConflict, ReadOnlyError
from dossier.store.store import GoneError, SearchError, Store, UndoResult, normalise_alias

__all__ = [
    "DossierFileError", "JournalConflict", "ReadOnlyError", "SearchError", "GoneError", "Store",
    "UndoResult", "normalise_alias", "now_iso", "problem_text",
]
