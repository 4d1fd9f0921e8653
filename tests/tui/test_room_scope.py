"""Issue 16: the Articles filter is the story's scope (OR within a set, AND across sets; dates,
sources), Entities and Timeline follow it (F), the export takes what the list shows or the
marks, named views survive a restart, Entities find by name as you type."""

from __future__ import annotations

import json

import pytest
from tui_helpers import screen_text, settle

from dossier.model import Scope
from dossier.tui.widgets.panes import ArticleList, EntityList, EventList

SIZES = [(120, 40), (80, 24)]
FIRST = "U.S. Sanctions Arms Trader"
SECOND = "Russia seeking new munitions"


async def _tag_both(app, pilot):
    """The first article of the list (FIRST) relevant, the next background: one key each."""
    await settle(pilot)
    app.main_screen.articles.focus()
    await pilot.press("1", "2")
    await settle(pilot)


@pytest.mark.parametrize("size", SIZES)
async def test_filter_ors_within_a_set_and_ands_across(make_app, size):
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await _tag_both(app, pilot)
        articles = app.query_one(ArticleList)
        articles.focus()
        await pilot.press("f")
        await settle(pilot)
        await pilot.press("down", "down", "enter")  # triage: relevant
        await settle(pilot)
        assert articles.count == 1 and articles.current.title.startswith(FIRST)
        assert "relevant" in screen_text(app)
        await pilot.press("f")
        await settle(pilot)
        await pilot.press("down", "down", "down", "enter")  # and background: either of them
        await settle(pilot)
        assert articles.count == 2
        assert articles.scope.tags == (("triage", "relevant"), ("triage", "background"))
        await pilot.press("escape")
        await settle(pilot)
        assert articles.count == 2 and articles.scope.is_empty()


@pytest.mark.parametrize("size", SIZES)
async def test_entities_and_timeline_follow_the_story(make_app, size):
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await _tag_both(app, pilot)
        entities, events = app.query_one(EntityList), app.query_one(EventList)
        whole_entities, whole_events = entities.count, events.count
        app.main_screen.articles_pane.scope = Scope(tags=(("triage", "relevant"),))
        await settle(pilot)
        assert entities.count == whole_entities  # not followed yet
        await pilot.press("F")
        await settle(pilot)
        assert 0 < entities.count < whole_entities
        assert events.count < whole_events
        app.main_screen.go_to_pane("entities-pane")
        await settle(pilot)
        assert "Entities of the story" in screen_text(app)
        app.main_screen.go_to_pane("timeline-pane")
        await settle(pilot)
        assert "Timeline of the story" in screen_text(app)
        await pilot.press("F")
        await settle(pilot)
        assert entities.count == whole_entities and events.count == whole_events


@pytest.mark.parametrize("size", SIZES)
async def test_export_takes_what_the_list_shows_or_the_marks(make_app, tmp_path, size):
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await _tag_both(app, pilot)
        app.main_screen.articles_pane.scope = Scope(tags=(("triage", "relevant"),))
        await settle(pilot)
        out = tmp_path / "story.json"
        await pilot.press("e")
        await settle(pilot)
        assert "Export the 1 articles listed" in screen_text(app)
        await pilot.press("escape")
        app.run_export("json", str(out), app.main_screen.articles.story())
        await settle(pilot)
        titles = [a["title"] for a in json.loads(out.read_text())["articles"]]
        assert len(titles) == 1 and titles[0].startswith(FIRST)
        app.main_screen.articles_pane.scope = Scope()
        await settle(pilot)
        app.main_screen.articles.focus()
        await pilot.press("g", "j", "space")  # mark the older one
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        assert "Export the 1 marked articles" in screen_text(app)


@pytest.mark.parametrize("size", SIZES)
async def test_a_named_view_survives_a_restart(make_app, sample_path, size):
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await _tag_both(app, pilot)
        app.main_screen.articles_pane.scope = Scope(tags=(("triage", "background"),))
        await settle(pilot)
        await pilot.press("V")
        await settle(pilot)
        await pilot.press("enter")  # save the current view as…
        await settle(pilot)
        await pilot.press(*"my queue", "enter")
        await settle(pilot)
    app.store.close()
    again = make_app(sample_path)
    async with again.run_test(size=size) as pilot:
        await settle(pilot)
        articles = again.query_one(ArticleList)
        assert articles.count == 2
        await pilot.press("V")
        await settle(pilot)
        assert "my queue" in screen_text(again)
        await pilot.press("down", "enter")
        await settle(pilot)
        assert articles.count == 1 and articles.current.title.startswith(SECOND)
        assert articles.scope.tags == (("triage", "background"),)
        # The palette offers it too.
        assert "View: my queue" in {t for t, _, _ in again.palette_commands()}


@pytest.mark.parametrize("size", SIZES)
async def test_entities_find_by_name_as_you_type(make_app, size):
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        app.main_screen.go_to_pane("entities-pane")
        await settle(pilot)
        entities = app.query_one(EntityList)
        everything = entities.count
        await pilot.press("slash", *"mkr")
        await settle(pilot)
        assert entities.prefix == "mkr" and entities.count == 0 or \
            entities.current.name == "Ashot Mkrtychev"
        await pilot.press("backspace", "backspace", "backspace", *"ashot", "enter")
        await settle(pilot)
        assert entities.current.name == "Ashot Mkrtychev" and entities.count < everything
        assert "find: ashot" in screen_text(app)
        await pilot.press("escape")  # clears the find
        await settle(pilot)
        assert entities.count == everything
