"""Near-duplicates folded in the Articles list (issue 17): a resent wire is not a row of its
own; its first shows +1, `+` opens the pile, the title counts what is folded."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from tui_helpers import rows, screen_text, settle

from dossier.ingest.pipeline import ingest_paths
from dossier.store import Store
from dossier.store.suggest import duplicate_pairs
from dossier.tagsets import load_tagsets
from dossier.tui.app import DossierApp

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
WIRES = Path(__file__).resolve().parents[1] / "fixtures" / "iran_contra"
TRIAGE = "SELECT target_id, tag FROM taggings WHERE tagset = 'triage' ORDER BY 1"


@pytest.fixture
def wires_path(tmp_path) -> tuple[Path, int, int]:
    path = tmp_path / "wires.db"
    store = Store.open(path, create=True)
    ingest_paths(store, [WIRES], extractor="rules")
    (pair,) = duplicate_pairs(store)
    store.close()
    return path, pair.a_id, pair.b_id


def shown_ids(app) -> list[int]:
    articles = app.main_screen.articles
    return [r.id for r in articles.source.page(0, articles.count)]


def articles_title(app) -> str:
    return str(app.query_one("#articles-pane").border_title)


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
async def test_the_copy_folds_under_its_first_and_plus_opens_it(wires_path, size):
    path, first, copy = wires_path
    store = Store.open(path)
    app = DossierApp(store, tagsets=load_tagsets(), analyst="ana")
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        articles = app.main_screen.articles
        total = store.count_articles()
        assert articles.count == total - 1
        assert copy not in shown_ids(app) and first in shown_ids(app)
        assert "1 copy folded" in articles_title(app)
        text = screen_text(app)
        assert "+1 " in text and "≈#" not in text
        articles.focus()
        articles.move_to(shown_ids(app).index(first))
        await settle(pilot)
        # Tagging the first tags it alone: the folded copy is not a target.
        await pilot.press("1")
        await settle(pilot)
        assert rows(path, TRIAGE) == [(first, "relevant")]
        articles.move_to(shown_ids(app).index(first))
        await pilot.press("plus")
        await settle(pilot)
        ids = shown_ids(app)
        assert articles.count == total and ids[ids.index(first) + 1] == copy
        assert "folded" not in articles_title(app)
        copy_title = store.get_article(copy).title
        line = next(ln for ln in screen_text(app).splitlines() if copy_title[:20] in ln)
        assert "≈ " in line  # indented under the first
        # Marked, the copy is tagged too.
        articles.move_to(ids.index(copy))
        await pilot.press("space")
        await pilot.press("2")
        await settle(pilot)
        assert rows(path, TRIAGE) == [(first, "relevant"), (copy, "background")]
        # `+` on the copy closes the pile again.
        articles.marked.clear()
        articles.move_to(shown_ids(app).index(copy))
        await pilot.press("plus")
        await settle(pilot)
        assert articles.count == total - 1 and copy not in shown_ids(app)
        assert articles.current is not None and articles.current.id == first
        assert "1 copy folded" in articles_title(app)
    store.close()


async def test_search_hits_do_not_fold(wires_path):
    path, first, copy = wires_path
    store = Store.open(path)
    app = DossierApp(store, tagsets=load_tagsets(), analyst="ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.main_screen.articles.focus()
        await pilot.press("slash")
        await pilot.press(*"Regan")
        await pilot.press("enter")
        await settle(pilot)
        ids = shown_ids(app)
        assert first in ids and copy in ids
        assert "folded" not in articles_title(app)
    store.close()
