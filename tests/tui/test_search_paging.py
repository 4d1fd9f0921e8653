"""Later ranked search pages are read in a worker (issue 16's bench): the keys keep answering
while a page is read, and the page shows when it arrives; a page for a list that has moved on
is dropped."""

from __future__ import annotations

import threading

import pytest
from dossier_helpers import make_article
from tui_helpers import screen_text, settle

from dossier.store import Store
from dossier.tui.widgets import panes
from dossier.tui.widgets.panes import ArticleList

HITS = 250  # three pages of 100: the third is the one scrolled to


@pytest.fixture
def many_hits(tmp_path):
    """250 articles naming the harbour, a different number of times each (a ranking)."""
    path = tmp_path / "many.db"
    store = Store.open(path, create=True)
    with store.bulk():
        for n in range(HITS):
            body = ("The harbour master spoke. " * (1 + n % 7)) + f"Report number {n}."
            store.ingest_article(make_article(f"Harbour report {n:03}", body), [], [], [])
    store.close()
    return path


def _hold_pages(monkeypatch):
    """A later page waits for the test's word; the threads that read pages are noted."""
    gate = threading.Event()
    threads: list[threading.Thread] = []
    read = panes.SearchSource.page_in_worker

    def held(self, offset, limit):
        threads.append(threading.current_thread())
        assert gate.wait(30)
        return read(self, offset, limit)

    monkeypatch.setattr(panes.SearchSource, "page_in_worker", held)
    return gate, threads


def _ranked_title(path, query, index):
    store = Store.open(path, readonly=True)
    try:
        return store.search(query, index, 1)[0].title
    finally:
        store.close()


async def test_a_later_ranked_page_arrives_from_a_worker_while_keys_answer(
        make_app, many_hits, monkeypatch):
    gate, threads = _hold_pages(monkeypatch)
    app = make_app(many_hits)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"harbour", "enter")
        await settle(pilot)
        articles = app.query_one(ArticleList)
        assert articles.search_order == "rank" and articles.count == HITS
        await pilot.press("G")  # the last hit: on the third page, not read yet
        await pilot.pause()
        assert articles.cursor == HITS - 1 and articles.pending(HITS - 1)
        assert articles.current is None and "…" in screen_text(app)
        await pilot.press("k", "k")  # the list still answers while the page is read
        await pilot.pause()
        assert articles.cursor == HITS - 3 and articles.pending(HITS - 3)
        gate.set()
        await settle(pilot)
        assert not articles.pending(HITS - 3)
        expected = _ranked_title(many_hits, "harbour", HITS - 3)
        assert articles.current.title == expected
        assert expected in screen_text(app)
        assert threads and all(t is not threading.main_thread() for t in threads)


async def test_a_page_read_for_an_older_search_is_dropped(make_app, many_hits, monkeypatch):
    gate, _threads = _hold_pages(monkeypatch)
    app = make_app(many_hits)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"harbour", "enter")
        await settle(pilot)
        await pilot.press("G")
        await pilot.pause()
        articles = app.query_one(ArticleList)
        assert articles.pending(HITS - 1)
        await pilot.press("slash", *"number", "enter")  # a new search meanwhile
        await pilot.pause()
        gate.set()
        await settle(pilot)
        assert articles.search_query == "number" and articles.cursor == 0
        # The page read for "harbour" did not land in the new list's rows: asked for, the
        # row is read anew (for "number") and arrives.
        assert articles.row_at(HITS - 1) is None and articles.pending(HITS - 1)
        await settle(pilot)
        assert articles.row_at(HITS - 1).title == _ranked_title(many_hits, "number",
                                                                  HITS - 1)
        assert "number" in articles.row_at(HITS - 1).snippet  # the snippet of its own query
