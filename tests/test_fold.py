"""The Articles list's fold of near-duplicates (issue 17): the store's queries."""

from __future__ import annotations

import pytest

from dossier.model import Article, Scope
from dossier.store import Store
from dossier.store.suggest import decide
from tests.test_dedup import STORY

# The store's suites run on both engines (tests/conftest.py).
pytestmark = pytest.mark.both_engines

RESENT = STORY.replace("Shipping agents said it would take a week to clear the backlog of "
                       "containers.", "Farmers said fruit had rotted on the quays.")
OTHER = ("The council voted on Monday to close two libraries and a swimming pool to save "
         "money, and the mayor said more cuts would follow in the spring budget, which the "
         "opposition called a disgrace to the city and its children.")


def _dossier(tmp_path):
    store = Store.open(tmp_path / "f.db", create=True)
    first = _add(store, "Port strike ends", STORY, "1987-03-01")
    other = _add(store, "Libraries close", OTHER, "1987-03-02")
    copy = _add(store, "Port strike over", RESENT, "1987-03-03")
    return store, first, other, copy


def _add(store: Store, title: str, body: str, published: str) -> int:
    article_id = store.ingest_article(
        Article(title=title, body=body, published=published, published_precision="day",
                source="Wire", content_hash=title), [], [], [])
    assert article_id is not None
    return article_id


def test_a_copy_folds_under_its_first(tmp_path):
    store, first, other, copy = _dossier(tmp_path)
    assert store.folded_copies() == {first: [copy]}
    assert store.count_articles() == 3 and store.count_articles(None, fold=True) == 2
    ids = [a.id for a in store.articles_page(None, "-published", 0, 10, fold=True)]
    assert ids == [other, first]
    assert store.article_index(None, "-published", first, fold=True) == 1
    assert store.article_index(None, "-published", copy, fold=True) is None
    # A scope that keeps the copy but not its first: the copy is a row of its own.
    wire_copy = Scope(article_ids=frozenset({copy, other}))
    assert store.folded_copies(wire_copy) == {}
    assert store.count_articles(wire_copy, fold=True) == 2
    # Called different: no longer a copy.
    decide(store, "ana", "article", first, copy, "different")
    assert store.folded_copies() == {} and store.count_articles(None, fold=True) == 3
    store.close()


def test_a_new_copy_is_folded_at_once(tmp_path):
    store, first, other, copy = _dossier(tmp_path)
    assert store.count_articles(None, fold=True) == 2  # the pairs are cached now
    again = _add(store, "Port strike done", RESENT + " All is well.", "1987-03-04")
    assert store.folded_copies() == {first: [copy, again]}
    assert store.count_articles(None, fold=True) == 2
    store.close()
