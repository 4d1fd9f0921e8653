"""Issue 16, the layout that reads: titles readable at 120x40, `z` on every pane, the help
scrolls with the list keys, themes reach every row and border."""

from __future__ import annotations

import pytest
from fixed_dossier import build
from tui_helpers import screen_text, settle

from dossier.tui.widgets.panes import ArticleList

PANES = ("articles-pane", "reader", "inspector", "entities-pane", "timeline-pane")
SIZES = [(120, 40), (80, 24)]


@pytest.mark.parametrize("size", SIZES)
async def test_an_article_title_shows_at_least_40_characters(make_app, size):
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        articles = app.query_one(ArticleList)
        shown = screen_text(app)
        assert articles.count >= 2
        titles = [articles.row_at(i).title for i in range(2)]
        for title in titles:
            assert title[:40] in shown, f"{title[:40]!r} is not on the screen:\n{shown}"


@pytest.mark.parametrize("size", SIZES)
async def test_search_hits_show_their_title(make_app, size):
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"Mkrtychev", "enter")
        await settle(pilot)
        articles = app.query_one(ArticleList)
        assert articles.search_query == "Mkrtychev" and articles.count > 0
        first = articles.row_at(0)
        assert first.snippet is not None
        assert first.title[:30] in screen_text(app)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("pane", PANES)
async def test_z_zooms_every_pane_and_back(make_app, tmp_path, size, pane):
    app = make_app(build(tmp_path / "fixed.db"))
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        app.main_screen.go_to_pane(pane)
        await settle(pilot)
        await pilot.press("z")
        await settle(pilot)
        assert app.screen.maximized is not None
        assert app.screen.maximized.id == pane
        # The zoomed pane has the whole width: its top border runs to the right edge.
        top = screen_text(app).splitlines()[0]
        assert top.startswith("╭") and top.rstrip().endswith("╮") and len(top.rstrip()) == \
            size[0]
        await pilot.press("z")
        await settle(pilot)
        assert app.screen.maximized is None


@pytest.mark.parametrize("size", SIZES)
async def test_help_scrolls_with_j_k_g_G(make_app, size):
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        box = app.screen.query_one("#help")
        assert box.max_scroll_y > 0
        await pilot.press("j")
        await pilot.pause()
        assert box.scroll_y > 0
        await pilot.press("G")
        await pilot.pause()
        assert box.scroll_y == box.max_scroll_y
        await pilot.press("k")
        await pilot.pause()
        assert box.scroll_y < box.max_scroll_y
        await pilot.press("g")
        await pilot.pause()
        assert box.scroll_y == 0


@pytest.mark.parametrize("size", SIZES)
async def test_the_inspector_keeps_its_size_from_item_to_item(make_app, tmp_path, size):
    """The inspector's text fills its pane and keeps its scrollbar's column: a new item that
    fits changes the size of nothing, so its update lays out nothing else (the next key's frame
    is not held by a second layout; BENCHMARKS.md)."""
    from textual.widgets import Static

    app = make_app(build(tmp_path / "fixed.db"))
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        app.main_screen.go_to_pane("articles-pane")
        await settle(pilot)
        inspector, body = app.query_one("#inspector"), app.query_one("#inspector-body", Static)
        seen = []
        for _ in range(3):
            seen.append((str(body.render()), body.size, inspector.virtual_size))
            await pilot.press("j")
            await settle(pilot)
        texts, sizes, virtual = zip(*seen, strict=True)
        assert len(set(texts)) == 3, "each article is described"
        assert len(set(sizes)) == 1 and len(set(virtual)) == 1, seen
