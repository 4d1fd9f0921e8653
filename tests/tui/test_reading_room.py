"""The reading room at 120x40 and 80x24: panes, reader, search, filter, help, themes."""

from __future__ import annotations

import pytest
from tui_helpers import colours_of, screen_text, settle

from dossier.store import Store
from dossier.tui.screens.dialogs import HEADING
from dossier.tui.widgets.panes import ArticleList, EntityList, EventList, Inspector, Reader

FIRST = "U.S. Sanctions Arms Trader"
SECOND = "Russia seeking new munitions"


async def test_all_panes_show_at_120x40(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        text = screen_text(app)
        for title in ("Articles (2)", "Reader", "Inspector", "Entities of dossier",
                      "Timeline (6, 2 unresolved last)"):
            assert title in text
        assert "2023-04-04" in text and "2023 " in text  # a year is not printed as a day
        assert "Russia  place" in text and "Ashot Mkrtychev  person" in text
        assert "2023-02 " in text and "2022-10..2023-03" in text and "unresolved" in text
        # The newest article is open in the reader, its removed lines shown apart.
        reader = app.query_one(Reader)
        assert reader.article.title.startswith(FIRST)
        assert "Removed from the body" in str(app.query_one("#reader-removed").render())
        assert "[byline] By Henry Pope" in str(app.query_one("#reader-removed").render())


async def test_every_pane_reachable_at_80x24(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        seen = []
        for _ in range(6):
            seen.append(type(app.focused).__name__)
            await pilot.press("tab")
        assert {"ArticleList", "Reader", "Inspector", "EntityList", "EventList"} <= set(seen)
        app.query_one(EntityList).focus()
        await pilot.press("z")
        await settle(pilot)
        assert app.screen.maximized is not None
        assert "Ashot Mkrtychev" in screen_text(app)
        await pilot.press("escape")
        assert app.screen.maximized is None


async def test_open_article_and_walk_mentions_across_articles(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("j", "enter")
        await settle(pilot)
        reader = app.query_one(Reader)
        assert reader.article.title.startswith(SECOND)
        reader.focus()
        await pilot.press("]")
        first = reader.current_mention
        assert first is not None and reader.current_entity.name == "Russia"
        await pilot.press("]", "]", "]")
        assert reader.current_mention.start > first.start
        # Find the broker's mention, then n walks to his next mention, across articles.
        while reader.current_entity.name != "Ashot Mkrtychev":
            await pilot.press("]")
        await pilot.press("enter")
        await settle(pilot)
        assert "Ashot Mkrtychev  person" in str(app.query_one("#inspector-body").render())
        articles_seen = {reader.article.id}
        for _ in range(8):
            await pilot.press("n")
            await settle(pilot)
            assert reader.current_mention.text in ("Ashot Mkrtychev", "Mkrtychev")
            articles_seen.add(reader.article.id)
        assert len(articles_seen) == 2
        await pilot.press("N")
        assert reader.current_mention.text in ("Ashot Mkrtychev", "Mkrtychev")


async def test_entities_scope_sort_and_inspector(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        entities = app.query_one(EntityList)
        entities.focus()
        await settle(pilot)
        assert entities.current.name == "Russia"
        assert "30 mentions in 2 articles" in str(app.query_one("#inspector-body").render())
        await pilot.press("s")
        assert entities.current.name == "Antony J. Blinken"
        await pilot.press("a")
        await settle(pilot)
        assert "Entities of this article" in screen_text(app)
        assert entities.count < 22


async def test_search_ranks_snippets_and_bad_query(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"Kirby", "enter")
        await settle(pilot)
        articles = app.query_one(ArticleList)
        assert articles.count == 1 and "Search: Kirby (1)" in screen_text(app)
        assert "Kirby" in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        assert articles.count == 2 and articles.search_query is None
        await pilot.press("slash", *'"unbalanced', "enter")
        await settle(pilot)
        # Search forgives: an unbalanced quote is a phrase to the end, not an error.
        assert 'Search: "unbalanced (0)' in screen_text(app)
        assert app.is_running


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
async def test_help_lists_every_key_and_tag_hotkey(make_app, size):
    from dossier.tui.widgets.lazylist import LazyList

    app = make_app()
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        seen = screen_text(app)
        for _ in range(40):  # scroll to the end, reading every screen on the way
            await pilot.press("j")
            await settle(pilot)
            seen += screen_text(app)
        for binding in [*app.main_screen.BINDINGS, *LazyList.BINDINGS, *Reader.BINDINGS,
                        *Inspector.BINDINGS]:
            assert binding.tooltip[:30] in seen, binding
        assert "Full-text search" in seen and "Command palette" in seen
        for line in ("1    relevant", "w    sanctioned", "7    confirmed"):
            assert line in seen  # the tag hotkeys of the loaded sets
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is app.main_screen


async def test_themes_switch_and_broken_theme_falls_back(make_app, tmp_path):
    folder = tmp_path / "themes"
    folder.mkdir()
    (folder / "good.yaml").write_text("name: mine\nprimary: '#123456'\n")
    (folder / "broken.yaml").write_text("name: [unclosed\n")
    app = make_app(theme="mine", themes_folder=folder)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.theme == "mine"
        assert any("broken.yaml" in str(n.message) for n in app._notifications)
    app2 = make_app(theme="dossier-light")
    async with app2.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app2.theme == "dossier-light"
        assert app2.theme_variables["entity-person"].lower() == "#9a5800"


async def test_event_opens_its_evidence(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        events = app.query_one(EventList)
        events.focus()
        await pilot.press("enter")
        await settle(pilot)
        assert app.query_one(Reader).article.title.startswith(FIRST)
        assert "evidence:" in str(app.query_one(Inspector).query_one("#inspector-body").render())


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
async def test_palette_lists_every_action_and_switches_theme(make_app, size):
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        titles = {title for title, _, _ in app.palette_commands()}
        for binding in app.main_screen.BINDINGS:
            assert binding.description in titles
        for wanted in ("Go to Reader", "Go to Timeline", "Reader: Next mention",
                       "Inspector: Follow link", "List: Bottom", "Theme: dossier-light",
                       "Theme: dossier-high-contrast"):
            assert wanted in titles
        if app.main_screen.narrow:
            app.main_screen.go_to_pane("reader")
        await settle(pilot)
        # dark's person colour
        assert colours_of(app, "Mkrtychev", app.main_screen.reader) == {"#f2b35e"}
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"Theme: dossier-light")
        await wait_until(pilot, lambda: "Switch to this theme" in screen_text(app))
        await pilot.press("enter")
        await settle(pilot)
        assert app.theme == "dossier-light"
        # The entity colours come from the theme: the reader is drawn again in the new ones.
        assert app.theme_variables["entity-person"].lower() == "#9a5800"
        if app.main_screen.narrow:
            app.main_screen.go_to_pane("reader")
        await settle(pilot)
        assert colours_of(app, "Mkrtychev", app.main_screen.reader) == {"#9a5800"}


async def test_palette_runs_a_pane_command(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"Go to Timeline")
        await wait_until(pilot, lambda: "Show and focus the Timeline pane" in screen_text(app))
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.focused, EventList)


async def wait_until(pilot, condition, tries: int = 200) -> None:
    """Let the app run until `condition()` holds (bounded: fails rather than hangs)."""
    for _ in range(tries):
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError("the condition never held")


async def test_small_screen_shows_one_pane_at_a_time(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.main_screen.narrow
        text = screen_text(app)
        # The bar names every pane; only the Articles pane is drawn, at full width.
        assert "Articles   Reader   Inspector   Entities   Timeline" in text
        assert "Articles (2)" in text and "─ Reader ─" not in text
        assert "U.S. Sanctions Arms Trader Who Brokered Deal Between North Korea" in text
        await pilot.press("enter")  # opening an article shows it
        await settle(pilot)
        text = screen_text(app)
        assert "─ Reader ─" in text and "Articles (2)" not in text
        assert isinstance(app.focused, Reader)
        await pilot.press("]", "]", "enter")  # a mention's entity, in the inspector
        await settle(pilot)
        assert "─ Inspector ─" in screen_text(app) and isinstance(app.focused, Inspector)
        assert "ENTITY" in screen_text(app)
        await pilot.press("n")  # the next mention of that entity: back in the reader
        await settle(pilot)
        assert isinstance(app.focused, Reader)
        await pilot.press("escape")  # back to the list it came from
        await settle(pilot)
        assert isinstance(app.focused, ArticleList) and "Articles (2)" in screen_text(app)
        seen = []
        for _ in range(5):
            await pilot.press("tab")
            await settle(pilot)
            seen.append(screen_text(app).splitlines()[2])
        assert any("Entities of dossier" in line for line in seen)
        assert any("Timeline (6" in line for line in seen)
        await pilot.press("shift+tab")
        await settle(pilot)
        assert "Timeline (6" in screen_text(app).splitlines()[2]


async def test_search_at_80x24_keeps_the_match_in_sight(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"Kirby", "enter")
        await settle(pilot)
        # A hit takes two lines: its title, then the words that matched.
        lines = screen_text(app).splitlines()
        at = next(n for n, x in enumerate(lines) if "Russia seeking" in x)
        assert "Kirby" in lines[at + 1]
        await pilot.press("enter")
        await settle(pilot)
        assert app.query_one(Reader).article.title.startswith(SECOND)
        assert "─ Reader ─" in screen_text(app)


async def test_search_runs_in_a_worker_and_says_so(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"sanctions", "enter")
        await settle(pilot)
        articles = app.query_one(ArticleList)
        assert articles.search_query == "sanctions" and articles.count == 2
        assert not app.main_screen.articles_pane.ranking
        assert "(searching…)" not in screen_text(app)


async def test_timeline_density_is_a_time_axis(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        from textual.widgets import Sparkline

        data = list(app.query_one("#density", Sparkline).data)
        # One bucket a month from 2022-10 to 2023-03 (6), empty months included: the range
        # 2022-10..2023-03 and "the end of last year" (2022-10), "last February" (2023-02,
        # the latest February before April 2023) and "last week" (2023-03).
        assert data == [2, 0, 0, 0, 1, 1]
        assert "2022-10 ▸ 2023-03" in screen_text(app)


async def test_events_filter_by_tag(make_app, sample_path):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        events = app.query_one(EventList)
        events.focus()
        await pilot.press("j", "7")  # confidence: confirmed, on the second event
        await settle(pilot)
        await pilot.press("f")
        await settle(pilot)
        text = screen_text(app)
        assert "Filter events by tag" in text
        values = [v for v in app.screen.values if v is not HEADING]  # headings are skipped
        await pilot.press(*["down"] * values.index(("tag", "confidence", "confirmed")), "enter")
        await settle(pilot)
        assert events.count == 1 and "confidence:confirmed" in screen_text(app)
        assert " confirmed " in screen_text(app)


async def test_lists_have_no_horizontal_scrollbar(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        entities = app.query_one(EntityList)
        assert entities.count > entities.size.height  # it scrolls down...
        assert not entities.show_horizontal_scrollbar  # ...never sideways


async def test_escape_clears_the_lists_filter(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        articles = app.query_one(ArticleList)
        await pilot.press("1", "f")  # tag the first, then filter: nothing from triage yet
        await settle(pilot)
        await pilot.press("down", "enter")
        await settle(pilot)
        assert articles.count == 1 and "no triage" in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        assert articles.count == 2 and "no triage" not in screen_text(app)


async def test_pane_bar_names_are_clicked_to_switch(make_app):
    from dossier.tui.widgets.panebar import PaneBar

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        bar = app.query_one(PaneBar)
        start = next(s for s, _, pane in bar._spans if pane == "timeline-pane")
        await pilot.click(PaneBar, offset=(start + 2, 0))
        await settle(pilot)
        assert isinstance(app.focused, EventList)
        assert "Timeline (6" in screen_text(app) and "Articles (2)" not in screen_text(app)


async def test_reader_shows_the_articles_tags_and_links(make_app, sample_path):
    from dossier.model import Link
    from dossier.store import Store

    store = Store.open(sample_path)
    first, second = (a.id for a in store.list_articles(0, 2, order="-published"))
    store.add_link("bo", Link("article", first, "same story", "article", second))
    store.set_tag("bo", [("article", first)], "triage", "relevant", exclusive=True)
    store.close()
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        header = str(app.query_one("#reader-header").render())
        assert "—same story→ article “Russia seeking new munitions" in header
        assert " relevant " in header


def _hold_ranking(monkeypatch):
    """The ranked page waits for the test's word: what the screen shows before it is in."""
    import threading

    from dossier.tui.widgets import panes

    gate = threading.Event()
    prime = panes.SearchSource.prime

    def held(self, store=None):
        if self.order == "rank":
            assert gate.wait(30)
        prime(self, store)

    monkeypatch.setattr(panes.SearchSource, "prime", held)
    return gate


def _shown(articles):
    return [articles.row_at(i).id for i in range(articles.count)]


def _ranked(path, query, order="rank"):
    store = Store.open(path, readonly=True)
    try:
        return [h.article_id for h in store.search(query, 0, 50, order=order)]
    finally:
        store.close()


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
async def test_search_answers_at_once_then_ranks(make_app, sample_path, monkeypatch, size):
    gate = _hold_ranking(monkeypatch)
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"Ukraine", "enter")
        await pilot.pause()
        articles = app.query_one(ArticleList)
        # At once, on the UI thread: the latest added first, and the title says so.
        assert articles.search_query == "Ukraine" and articles.search_order == "recent"
        assert _shown(articles) == _ranked(sample_path, "Ukraine", "recent")
        assert _ranked(sample_path, "Ukraine") != _ranked(sample_path, "Ukraine", "recent")
        assert f"Search: Ukraine ({articles.count}) · latest first" in screen_text(app)
        gate.set()
        await settle(pilot)
        assert articles.search_order == "rank" and not app.main_screen.articles_pane.ranking
        assert _shown(articles) == _ranked(sample_path, "Ukraine")
        assert f"Search: Ukraine ({articles.count}) · best first" in screen_text(app)


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
async def test_an_older_ranking_never_overwrites_a_newer_search(make_app, sample_path,
                                                                monkeypatch, size):
    gate = _hold_ranking(monkeypatch)
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"Russia", "enter", "slash", *"sanctions", "enter")
        await pilot.pause()
        articles = app.query_one(ArticleList)
        assert articles.search_query == "sanctions" and articles.search_order == "recent"
        assert _shown(articles) == _ranked(sample_path, "sanctions", "recent")
        assert _ranked(sample_path, "sanctions") != _ranked(sample_path, "sanctions", "recent")
        gate.set()
        await settle(pilot)
        assert articles.search_query == "sanctions" and articles.search_order == "rank"
        assert _shown(articles) == _ranked(sample_path, "sanctions")
        assert "Search: sanctions (" in screen_text(app)
        # An older worker's answer, however late, is dropped by its serial.
        from dossier.tui.messages import SearchReady
        from dossier.tui.widgets.listpanes import ArticlesPane
        from dossier.tui.widgets.panes import SearchSource

        stale = SearchSource(app.store, "Russia")
        stale.prime()
        # To the pane that runs the searches (posted to the app, it never reached them).
        app.query_one(ArticlesPane).post_message(SearchReady("Russia", stale, 1))
        await settle(pilot)
        assert articles.search_query == "sanctions"
        assert _shown(articles) == _ranked(sample_path, "sanctions")
