"""The reading room's shape (issue 16): the one Confirm, read-only through check_action, each
dialog flow a worker awaiting its dialogs and ending in one applied edit, driven end to end
with Pilot. Each checks the screen and the file."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult
from textual.widgets import Static
from tui_helpers import rows, screen_text, settle

from dossier.tui.screens.dialogs import Choice, Confirm, ItemPicker, TextPrompt
from dossier.tui.widgets.panes import EntityList, EventList

# --------------------------------------------------------------------------- Confirm


class _Asker(App[None]):
    """A bare app that asks one question and keeps the answer."""

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question
        self.answers: list[bool] = []

    def compose(self) -> ComposeResult:
        yield Static("behind")

    def ask(self) -> None:
        self.push_screen(Confirm(self.question, "Delete"), self.answers.append)


@pytest.mark.parametrize(("keys", "answer"), [
    (("y",), True), (("enter",), True), (("n",), False), (("escape",), False),
    (("down", "enter"), False)])
async def test_confirm_answers_yes_only_when_told(keys, answer):
    app = _Asker("Delete “[b]x[/b]” with its 3 mentions?")
    async with app.run_test(size=(80, 24)) as pilot:
        app.ask()
        await pilot.pause()
        assert isinstance(app.screen, Confirm)
        # The question quotes the file: shown as the text it is, never as markup.
        text = str(app.screen.query_one("Label").render())
        assert "[b]x[/b]" in text and "Delete" in text
        await pilot.press(*keys)
        await pilot.pause()
        assert app.answers == [answer]
        assert not isinstance(app.screen, Confirm)


# --------------------------------------------------------------------------- read-only


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
async def test_read_only_turns_writing_actions_off(make_app, sample_path, size):
    app = make_app(readonly=True)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        main = app.main_screen
        for action in ("tag", "link", "merge", "edit", "undo", "redo"):
            assert main.check_action(action, ()) is False, action
        assert main.check_action("search", ()) is True
        # Out of the footer and the palette...
        footer = screen_text(app).splitlines()[-1]
        assert "Search" in footer
        for word in ("Tag", "Link", "Undo", "Redo"):
            assert f" {word} " not in footer, footer
        offered = {title for title, _, _ in app.palette_commands()}
        assert "Search" in offered and not offered & {"Tag", "Link", "Undo", "Redo", "Edit"}
        # ...and a key press says why, once, and opens nothing.
        for key in ("t", "l", "m", "r", "u", "ctrl+r"):
            app._notifications.clear()
            await pilot.press(key)
            await settle(pilot)
            said = [str(n.message) for n in app._notifications]
            assert len(said) == 1 and "read-only" in said[0], (key, said)
            assert app.screen is main, key
        assert rows(sample_path, "SELECT count(*) FROM journal") == [(0,)]


async def test_writable_dossier_keeps_the_writing_actions(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        footer = screen_text(app).splitlines()[-1]
        for word in ("Tag", "Link", "Undo"):
            assert f" {word} " in footer, footer
        assert app.main_screen.check_action("tag", ()) is True


# --------------------------------------------------------------------------- flows


async def _focus_entity(pilot, app, name: str) -> EntityList:
    app.main_screen.go_to_pane("entities-pane")
    entities = app.query_one(EntityList)
    entities.focus()
    await pilot.press("g")
    for _ in range(200):
        if entities.current is not None and entities.current.name == name:
            break
        await pilot.press("j")
    assert entities.current.name == name
    return entities


def _flows(app):
    return [w for w in app.workers if w.group == "edit-flow" and not w.is_finished]


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
async def test_delete_flow_waits_on_confirm_then_applies(make_app, sample_path, size):
    count = "SELECT count(*) FROM entities WHERE name = 'Kremlin'"
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await _focus_entity(pilot, app, "Kremlin")
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, Choice) and len(_flows(app)) == 1
        await pilot.press(*["down"] * 6, "enter")  # delete this entity
        await settle(pilot)
        # The flow is a worker waiting on the shared Confirm: nothing written yet.
        assert isinstance(app.screen, Confirm) and len(_flows(app)) == 1
        assert "Kremlin" in screen_text(app)
        assert rows(sample_path, count) == [(1,)]
        await pilot.press("n")
        await settle(pilot)
        assert app.screen is app.main_screen and _flows(app) == []
        assert rows(sample_path, count) == [(1,)]
        await pilot.press("r")
        await settle(pilot)
        await pilot.press(*["down"] * 6, "enter")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert app.screen is app.main_screen and _flows(app) == []
        assert rows(sample_path, count) == [(0,)]
        await pilot.press("u")  # one change, one undo
        await settle(pilot)
        assert rows(sample_path, count) == [(1,)]


async def test_merge_flow_picker_then_confirm(make_app, sample_path):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await _focus_entity(pilot, app, "Vladimir Putin")
        await pilot.press("m")
        await settle(pilot)
        assert isinstance(app.screen, ItemPicker)
        await pilot.press(*"kremlin")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, Confirm)
        assert "Vladimir Putin" in screen_text(app) and "Kremlin" in screen_text(app)
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is app.main_screen and app.long_work is None
        assert rows(sample_path, "SELECT count(*) FROM entities WHERE name = "
                    "'Vladimir Putin'") == [(0,)]


async def test_link_flow_escape_at_any_step_writes_nothing(make_app, sample_path):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await _focus_entity(pilot, app, "Vladimir Putin")
        for steps in (0, 1, 2):  # escape at the picker, the relation, the note
            await pilot.press("l")
            await settle(pilot)
            assert isinstance(app.screen, ItemPicker)
            if steps >= 1:
                await pilot.press(*"kremlin")
                await settle(pilot)
                await pilot.press("enter")
                await settle(pilot)
                assert isinstance(app.screen, Choice)
            if steps >= 2:
                await pilot.press("enter")
                await settle(pilot)
                assert isinstance(app.screen, TextPrompt)
            await pilot.press("escape")
            await settle(pilot)
            assert app.screen is app.main_screen and _flows(app) == []
        assert rows(sample_path, "SELECT count(*) FROM links") == [(0,)]
        # All the way: one link, with the relation chosen and the note typed.
        await pilot.press("l")
        await settle(pilot)
        await pilot.press(*"kremlin")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press(*"seen together", "enter")
        await settle(pilot)
        assert app.screen is app.main_screen and _flows(app) == []
        got = rows(sample_path, "SELECT note FROM links")
        assert got == [("seen together",)]


async def test_event_date_flow_keeps_a_bad_date_open(make_app, sample_path):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.main_screen.go_to_pane("timeline-pane")
        events = app.query_one(EventList)
        events.focus()
        await settle(pilot)
        event_id = events.current.id
        await pilot.press("r")
        await settle(pilot)
        await pilot.press("down", "enter")  # date
        await settle(pilot)
        assert isinstance(app.screen, TextPrompt)
        await pilot.press("ctrl+a", "ctrl+k", *"not a date", "enter")
        await settle(pilot)
        assert isinstance(app.screen, TextPrompt) and len(_flows(app)) == 1
        await pilot.press("ctrl+a", "ctrl+k", *"26 Feb 1987", "enter")
        await settle(pilot)
        assert app.screen is app.main_screen and _flows(app) == []
        assert rows(sample_path, "SELECT date_start, precision FROM events WHERE id = ?",
                    (event_id,)) == [("1987-02-26", "day")]


# --------------------------------------------------------------------------- reactive panes


def _count_reloads(monkeypatch, cls) -> list[int]:
    """Count the times a list reads its rows again (the real method still runs)."""
    calls = [0]
    original = cls.refresh_source

    def counted(self, *args, **kwargs):
        calls[0] += 1
        return original(self, *args, **kwargs)

    monkeypatch.setattr(cls, "refresh_source", counted)
    return calls


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
async def test_scope_change_reloads_each_pane_once_and_retitles(make_app, size, monkeypatch):
    from dossier.model import Scope
    from dossier.tui.widgets.listpanes import EntitiesPane, TimelinePane

    app = make_app()
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        main = app.main_screen
        entities_pane = app.query_one(EntitiesPane)
        timeline_pane = app.query_one(TimelinePane)
        whole = app.query_one(EntityList).count
        assert str(entities_pane.border_title).startswith(f"Entities of dossier ({whole})")
        entity_reloads = _count_reloads(monkeypatch, EntityList)
        event_reloads = _count_reloads(monkeypatch, EventList)
        # Follow with no filter: the scope stays empty, nothing is read again.
        await pilot.press("F")
        await settle(pilot)
        assert entity_reloads == [0] and event_reloads == [0]
        # A filter while following: each pane's reactive scope changes once, reloads once,
        # and its title says so.
        main.articles_pane.scope = Scope(date_from="2023", date_to="2023")
        await settle(pilot)
        assert entity_reloads == [1] and event_reloads == [1]
        assert entities_pane.scope == timeline_pane.scope == main.articles.story()
        assert str(entities_pane.border_title).startswith("Entities of the story (")
        assert "2023" in str(entities_pane.border_title)
        assert str(timeline_pane.border_title).startswith("Timeline of the story (")
        # The same scope again: no reload.
        main.articles_pane.scope = Scope(date_from="2023", date_to="2023")
        await settle(pilot)
        assert entity_reloads == [1] and event_reloads == [1]
        for pane in ("entities-pane", "timeline-pane"):
            main.go_to_pane(pane)
            await settle(pilot)
            assert "of the story" in screen_text(app), pane
        # Sort and reach are reactive too: one key, one reload, a new title.
        main.go_to_pane("entities-pane")
        await pilot.press("s")
        await settle(pilot)
        assert entity_reloads == [2] and entities_pane.order == "name"
        assert "· by name" in str(entities_pane.border_title)
        await pilot.press("F")  # stop following: back to the dossier, titles too
        await settle(pilot)
        assert entity_reloads == [3] and event_reloads == [2]
        assert str(entities_pane.border_title).startswith("Entities of dossier (")
        assert str(timeline_pane.border_title).startswith("Timeline (")


async def test_marking_retitles_the_articles_pane(make_app):
    from dossier.tui.widgets.listpanes import ArticlesPane

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        pane = app.query_one(ArticlesPane)
        assert "marked" not in str(pane.border_title)
        await pilot.press("space", "space")
        await settle(pilot)
        assert "2 marked" in str(pane.border_title)
        assert "2 marked" in screen_text(app)
        await pilot.press("1")  # a tag on the marked rows clears the marks
        await settle(pilot)
        assert "marked" not in str(pane.border_title)


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
async def test_marked_entities_and_events_are_counted_in_their_titles(make_app, size,
                                                                    monkeypatch):
    """Marks in the Entities and Timeline panes show in their titles too (merge and tags
    apply to the marked rows), and a mark does not read the title's counts again."""
    from dossier.store import Store
    from dossier.tui.widgets.listpanes import EntitiesPane, TimelinePane

    app = make_app()
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        main = app.main_screen
        reads: list[str] = []
        for name in ("count_events", "count_entities"):
            real = getattr(Store, name)
            monkeypatch.setattr(Store, name, lambda self, *a, _r=real, _n=name, **k: (
                reads.append(_n), _r(self, *a, **k))[1])
        for pane_id, cls in (("entities-pane", EntitiesPane), ("timeline-pane", TimelinePane)):
            main.go_to_pane(pane_id)
            await settle(pilot)
            pane = app.query_one(cls)
            before = str(pane.border_title)
            await pilot.press("space", "space", "space")
            await settle(pilot)
            title = str(pane.border_title)
            assert title == f"[bold]3 marked[/bold] · {before}"
            assert "3 marked" in screen_text(app), pane_id
            await pilot.press("k", "space")  # unmark the last one
            await settle(pilot)
            assert str(pane.border_title) == f"[bold]2 marked[/bold] · {before}"
        assert reads == []


# --------------------------------------------------------------------------- the Articles pane's
# search, filter and views as reactive state; the flows that set it; export

SIZES = [(120, 40), (80, 24)]


def _record_titles(monkeypatch, cls) -> list[str]:
    """Every border title set on a pane of `cls`, as plain text (the real setter still runs)."""
    from textual.widget import Widget

    real = Widget.__dict__["border_title"]
    titles: list[str] = []

    class Recorded:
        def __get__(self, obj, objtype=None):
            return real.__get__(obj, objtype)

        def __set__(self, obj, value):
            titles.append(getattr(value, "plain", str(value)))
            real.__set__(obj, value)

    monkeypatch.setattr(cls, "border_title", Recorded(), raising=False)
    return titles


def _count_searches(monkeypatch):
    """The searches run, by order ("recent" at once, "rank" in the worker), the ranked one
    held until the test sets the gate."""
    import threading

    from dossier.tui.widgets import panes

    gate, calls = threading.Event(), []
    prime = panes.SearchSource.prime

    def counted(self, store=None):
        if self.order == "rank":
            assert gate.wait(30)
        calls.append((self.order, self.query))
        prime(self, store)

    monkeypatch.setattr(panes.SearchSource, "prime", counted)
    return gate, calls


@pytest.mark.parametrize("size", SIZES)
async def test_setting_the_query_searches_once_and_retitles(make_app, size, monkeypatch):
    from dossier.tui.widgets.listpanes import ArticlesPane
    from dossier.tui.widgets.panes import ArticleList

    gate, calls = _count_searches(monkeypatch)
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        pane = app.query_one(ArticlesPane)
        articles = app.query_one(ArticleList)
        titles = _record_titles(monkeypatch, ArticlesPane)
        pane.query = "Ukraine"
        await pilot.pause()
        # One search at once (the latest first), one title for it; the ranking waits.
        count = articles.count
        assert calls == [("recent", "Ukraine")] and count > 1
        assert titles == [f"Search: Ukraine ({count}) · latest first, ranking…"]
        assert f"Search: Ukraine ({count}) · latest first" in screen_text(app)
        gate.set()
        await settle(pilot)
        assert calls == [("recent", "Ukraine"), ("rank", "Ukraine")]
        assert titles[1:] == [f"Search: Ukraine ({count}) · best first"]
        assert pane.ranking is False and articles.search_order == "rank"
        # Escape clears the query: the article list again, titled so.
        articles.focus()
        await pilot.press("escape")
        await settle(pilot)
        assert pane.query == "" and articles.search_query is None
        assert titles[-1] == f"Articles ({articles.count})"
        assert "Search:" not in screen_text(app)


@pytest.mark.parametrize("size", SIZES)
async def test_a_recalled_view_sets_the_panes_state(make_app, size, monkeypatch):
    from dossier.model import Scope
    from dossier.store.room import ViewSpec
    from dossier.tui.widgets.listpanes import ArticlesPane, View
    from dossier.tui.widgets.panes import ArticleList

    scope = Scope(date_from="2023", date_to="2023")
    app = make_app()
    app.store.save_view("ana", "this year", ViewSpec(scope, "title", "sanctions"))
    gate, calls = _count_searches(monkeypatch)
    gate.set()
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        pane = app.query_one(ArticlesPane)
        await pilot.press("V")
        await settle(pilot)
        assert isinstance(app.screen, Choice) and "this year" in screen_text(app)
        await pilot.press("down", "enter")
        await settle(pilot)
        assert app.screen is app.main_screen and _flows(app) == []
        # The pane's reactive state is the view's, and one search ran for it (not one for
        # each of filter, search and order).
        assert pane.view == View(scope, "sanctions", "title")
        assert (pane.scope, pane.query, pane.order) == (scope, "sanctions", "title")
        assert [order for order, _ in calls] == ["recent", "rank"]
        articles = app.query_one(ArticleList)
        assert articles.search_query == "sanctions" and articles.scope == scope
        assert str(pane.border_title).startswith(f"Search: sanctions ({articles.count})")
        assert "2023" in str(pane.border_title)


@pytest.mark.parametrize("size", SIZES)
async def test_entity_filter_flow_sets_the_panes_tag_filter(make_app, sample_path, size):
    from dossier.tui.widgets.listpanes import EntitiesPane

    app = make_app()
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        entities = await _focus_entity(pilot, app, "Ashot Mkrtychev")
        whole = entities.count
        await pilot.press("w")  # role: sanctioned, by its own key
        await settle(pilot)
        await pilot.press("f")
        await settle(pilot)
        assert isinstance(app.screen, Choice) and len(_flows(app)) == 1
        app.screen.query_one("OptionList").highlighted = app.screen.values.index(
            ("tag", "role", "sanctioned"))
        await pilot.press("enter")
        await settle(pilot)
        pane = app.query_one(EntitiesPane)
        assert app.screen is app.main_screen and _flows(app) == []
        assert pane.tag_filter.all_of == [("role", "sanctioned")]
        assert entities.count == 1 and entities.current.name == "Ashot Mkrtychev"
        assert "role:sanctioned" in str(pane.border_title)
        assert "role:sanctioned" in screen_text(app)
        await pilot.press("escape")  # the filter goes; every entity again
        await settle(pilot)
        assert pane.tag_filter.is_empty() and entities.count == whole


def _export_to(app, fmt: str):
    """In the export flow's format dialog: choose `fmt`."""
    options = app.screen.query_one("OptionList")
    options.highlighted = list(app.screen.values).index(fmt)


@pytest.mark.parametrize("size", SIZES)
async def test_export_flow_writes_the_scoped_rows_and_asks_before_replacing(
        make_app, tmp_path, size):
    import json

    from dossier.model import Scope
    from dossier.tui.widgets.panes import ArticleList

    out = tmp_path / "story.json"
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        articles = app.query_one(ArticleList)
        first = articles.current.title
        articles.focus()
        await pilot.press("1")  # relevant: the first article only
        await settle(pilot)
        app.main_screen.articles_pane.scope = Scope(tags=(("triage", "relevant"),))
        await settle(pilot)

        async def export(answer: str | None = None) -> None:
            await pilot.press("e")
            await settle(pilot)
            assert isinstance(app.screen, Choice) and len(_flows(app)) == 1
            _export_to(app, "json")
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, TextPrompt)
            app.screen.query_one("Input").value = str(out)
            await pilot.press("enter")
            await settle(pilot)
            if answer is not None:
                assert isinstance(app.screen, Confirm)
                question = str(app.screen.query_one("Label").render())
                assert f"{out} exists" in question and "Replace it" in screen_text(app)
                await pilot.press(answer)
            await app.workers.wait_for_complete()
            await settle(pilot)
            assert app.screen is app.main_screen and _flows(app) == []

        await export()
        titles = [a["title"] for a in json.loads(out.read_text())["articles"]]
        assert titles == [first]
        # The whole dossier now, to the same file: asked first; "no" keeps the file.
        app.main_screen.articles_pane.scope = Scope()
        await settle(pilot)
        await export("n")
        assert [a["title"] for a in json.loads(out.read_text())["articles"]] == [first]
        await export("y")
        assert len(json.loads(out.read_text())["articles"]) == articles.count == 2
        assert any("exported json to" in str(n.message) for n in app._notifications)


@pytest.mark.parametrize("size", SIZES)
async def test_read_only_exports_but_saves_no_view(make_app, sample_path, tmp_path, size):
    import json

    out = tmp_path / "all.json"
    app = make_app(readonly=True)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        main = app.main_screen
        assert main.check_action("export", ()) is True
        assert main.check_action("views", ()) is True
        await pilot.press("e")
        await settle(pilot)
        _export_to(app, "json")
        await pilot.press("enter")
        await settle(pilot)
        app.screen.query_one("Input").value = str(out)
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await settle(pilot)
        assert len(json.loads(out.read_text())["articles"]) == 2
        # Saving a view writes to the dossier: refused, said once, nothing written.
        await pilot.press("V")
        await settle(pilot)
        await pilot.press("enter")  # save the current view as…
        await settle(pilot)
        app._notifications.clear()
        await pilot.press(*"mine", "enter")
        await settle(pilot)
        said = [str(n.message) for n in app._notifications]
        assert len(said) == 1 and "read-only" in said[0], said
        assert app.screen is main and _flows(app) == []
    assert rows(sample_path, "SELECT count(*) FROM saved_views") == [(0,)]
    assert rows(sample_path, "SELECT count(*) FROM journal") == [(0,)]


@pytest.mark.parametrize("size", SIZES)
async def test_article_filter_flow_dates_and_sources_set_the_panes_scope(make_app, size):
    from dossier.tui.widgets.listpanes import ArticlesPane
    from dossier.tui.widgets.panes import ArticleList

    app = make_app()
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        pane = app.query_one(ArticlesPane)
        articles = app.query_one(ArticleList)

        async def choose(value) -> None:
            await pilot.press("f")
            await settle(pilot)
            assert isinstance(app.screen, Choice) and len(_flows(app)) == 1
            app.screen.query_one("OptionList").highlighted = app.screen.values.index(value)
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, TextPrompt)

        await choose(("dates",))
        await pilot.press(*"not a date", "enter")
        await settle(pilot)
        # A typo keeps the field open, the text as typed; nothing filtered yet.
        assert isinstance(app.screen, TextPrompt) and len(_flows(app)) == 1
        assert app.screen.query_one("Input").value == "not a date"
        assert pane.scope.is_empty() and articles.count == 2
        app.screen.query_one("Input").value = "..2022"
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is app.main_screen and _flows(app) == []
        assert (pane.scope.date_from, pane.scope.date_to) == (None, "2022")
        assert articles.count == 0 and "..2022" in str(pane.border_title)
        await choose(("dates",))
        app.screen.query_one("Input").value = "Apr 2023"
        await pilot.press("enter")
        await settle(pilot)
        assert (pane.scope.date_from, pane.scope.date_to) == ("2023-04", "2023-04")
        assert articles.count == 2 and "2023-04" in str(pane.border_title)
        # A source as well: dates AND source.
        await choose(("source",))
        await pilot.press(*"Washington Examiner", "enter")
        await settle(pilot)
        assert pane.scope.sources == ("Washington Examiner",)
        assert pane.scope.date_from == "2023-04" and articles.count == 1
        assert articles.current.title.startswith("Russia seeking")
        await choose(("dates",))
        app.screen.query_one("Input").value = ""  # any date
        await pilot.press("enter")
        await settle(pilot)
        assert pane.scope.date_from is None and pane.scope.sources == ("Washington Examiner",)
        assert articles.count == 1
        # Escape in a dialog of the flow changes nothing.
        await choose(("source",))
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is app.main_screen and _flows(app) == []
        assert pane.scope.sources == ("Washington Examiner",)


@pytest.mark.parametrize("size", SIZES)
async def test_tag_picker_is_a_flow_whose_answer_goes_to_apply_tag(make_app, sample_path,
                                                                   size):
    from dossier.tui.widgets.panes import ArticleList

    app = make_app()
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        first = app.query_one(ArticleList).current.id
        await pilot.press("t")
        await settle(pilot)
        # The picker is up at once, a flow worker waiting on it; nothing written yet.
        assert isinstance(app.screen, Choice) and len(_flows(app)) == 1
        assert rows(sample_path, "SELECT count(*) FROM taggings") == [(0,)]
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is app.main_screen and _flows(app) == []
        assert rows(sample_path, "SELECT count(*) FROM taggings") == [(0,)]
        await pilot.press("t")
        await settle(pilot)
        await pilot.press("3")  # triage: noise, by its own key
        await settle(pilot)
        assert app.screen is app.main_screen and _flows(app) == []
        assert rows(sample_path, "SELECT target_id, tag FROM taggings") == [(first, "noise")]
        await pilot.press("u")  # one change, one undo
        await settle(pilot)
        assert rows(sample_path, "SELECT count(*) FROM taggings") == [(0,)]
