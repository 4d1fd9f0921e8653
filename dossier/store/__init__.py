"""The dossier file: schema, opening, queries, and the journal of analyst changes.

Reading-room API (issue 16), all on `Store` (details in each module's docstring):
    scope reads (store/scoped.py): articles_page, count_articles, article_in_scope,
        scoped_article_ids, entities_page, count_entities, events_page, count_events,
        entities_in_span
    search (store/store.py + store/ftsquery.py): search(query, offset, limit, *,
        order="rank"|"recent"|"newest", scope=None), count_search(query, scope=None)
    named views, relation types, many at once (store/room.py): save_view, list_views,
        get_view, delete_view, relation_types, add_relation_type, tag_many
"""

from dossier.store.db import DossierFileError, now_iso, problem_text
from dossier.store.errors import integrity_errors, store_errors
from dossier.store.journal import JournalConflict, ReadOnlyError
from dossier.store.room import RelationTypeInfo, SavedView, ViewSpec
from dossier.store.scoped import ScopedEntity
from dossier.store.store import GoneError, SearchError, Store, UndoResult, normalise_alias
from dossier.store.urls import is_url

__all__ = [
    "DossierFileError", "JournalConflict", "ReadOnlyError", "SearchError", "GoneError", "Store",
    "UndoResult", "normalise_alias", "now_iso", "problem_text", "RelationTypeInfo",
    "SavedView", "ViewSpec", "ScopedEntity", "store_errors", "integrity_errors", "is_url",
]
