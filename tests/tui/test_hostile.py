"""Hostile text in every pane: shown literally, nothing runs on click, no control byte on
screen."""

from __future__ import annotations

import pytest
from hostile_dossier import CLIPBOARD, PAYLOAD, TITLE, build, holds_control
from rich.text import Text
from textual.widgets import Static
from tui_helpers import screen_text, settle

from dossier.model import Article, Entity, Event, Mention
from dossier.store import Store
from dossier.tui.widgets.panes import ArticleList, Reader

CLICK = "[@click=app.quit]Click me[/]"
ESCAPES = "\x1b]52;c;cHduZWQ=\x07\x1b[2J\x1b]0;owned\x07\x1b]8;;http://evil\x1b\\x\x9b31m\u202e"


def hostile_dossier(path):
    store = Store.open(path, create=True)
    body = f"{CLICK} said {ESCAPES} and [bold]not bold[/bold] [link=file:///etc/passwd]x[/link]."
    entity = Entity(name=f"{CLICK} Person {ESCAPES}", kind="person")
    event = Event(title=f"{CLICK} event", date_start="2023-01-01",
                  evidence_start=0, evidence_end=len(body))
    store.ingest_article(
        Article(title=f"{CLICK} title {ESCAPES}", body=body, source="[red]src[/red]",
                url="javascript:alert(1)", content_hash="h"),
        [entity], [(0, Mention(None, None, 0, len(CLICK), CLICK))], [(event, [0])])
    store.close()


def no_control_bytes(text: str) -> bool:
    return not any(ord(c) < 32 and c != "\n" or 0x7F <= ord(c) <= 0x9F or c == "\u202e"
                   for c in text)


def assert_inert(app) -> None:
    """What the screen shows holds no control byte, no link and no click action."""
    text = screen_text(app)
    assert no_control_bytes(text), text
    for strip in app.screen._compositor.render_strips():
        for segment in strip:
            style = segment.style
            assert not (style and (style.link or (style.meta or {}).get("@click")))


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
async def test_hostile_text_is_inert_in_every_pane(make_app, tmp_path, size):
    path = tmp_path / "hostile.db"
    hostile_dossier(path)
    app = make_app(path)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        seen = ""
        for pane in ("articles-pane", "reader", "inspector", "entities-pane", "timeline-pane"):
            app.main_screen.go_to_pane(pane)
            await settle(pilot)
            if pane == "reader":
                await pilot.press("]")  # the hostile entity's mention, into the inspector
                await settle(pilot)
            seen += screen_text(app)
            assert_inert(app)
            # Clicking the "button" text leaves the app running, whatever pane it is in.
            await pilot.click(app.focused, offset=(12, 1))
            await pilot.click(app.focused, offset=(4, 2))
            await settle(pilot)
            assert app.is_running and app.return_code is None
        assert "[@click=app.quit]Click me[/]" in seen  # the markup is shown, not run
        assert "[bold]not" in seen and "bold[/bold]" in seen and "[red]src[/red]" in seen
        assert "␛]52;c;" in seen  # the escape is a visible placeholder
        assert "[@click=app.quit]Click me[/] event" in seen  # the timeline row
        assert "ENTITY" in seen and "1 mention in 1 article" in seen  # the inspector
        assert "javascript:alert(1)" in seen  # a URL is text


async def test_hostile_search_and_help(make_app, tmp_path):
    path = tmp_path / "hostile.db"
    hostile_dossier(path)
    app = make_app(path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"Click", "enter")
        await settle(pilot)
        assert "Search: Click (1)" in screen_text(app)
        assert_inert(app)
        await pilot.press("escape", "slash", *"[@click=app.quit]", "enter")
        await settle(pilot)
        # Search forgives: the markup is searched as words and shown as text.
        assert "Search: [@click=app.quit] (" in screen_text(app)
        assert app.is_running
        assert_inert(app)


async def test_hostile_theme_files_are_refused_with_a_notice(make_app, tmp_path):
    folder = tmp_path / "themes"
    folder.mkdir()
    (folder / "markup.yaml").write_text('name: "[@click=app.quit]x"\nprimary: "#123456"\n')
    (folder / "colour.yaml").write_text('name: broken\nprimary: "notacolour"\n')
    (folder / "var.yaml").write_text('name: var\nprimary: "#123456"\n'
                                     'variables: {entity-person: "no"}\n')
    (folder / "python.yaml").write_text('name: !!python/object/apply:os.system ["true"]\n')
    app = make_app(theme="broken", themes_folder=folder)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        messages = [str(n.message) for n in app._notifications]
        for name in ("markup.yaml", "colour.yaml", "var.yaml", "python.yaml"):
            assert any(name in m for m in messages), messages
        assert any("no theme named broken" in m for m in messages)
        assert app.theme == "textual-dark" and app.is_running
        assert_inert(app)


def huge_dossier(path):
    """A 5 MB article with 200,000 mentions, and one line of 100,000 characters."""
    store = Store.open(path, create=True)
    sentence = "Ashot Mkrtychev met officials in Slovakia last week. "
    body = ((sentence * 20).strip() + "\n\n") * 5000
    people = [Entity("Ashot Mkrtychev", "person"), Entity("Slovakia", "place")]
    mentions, at = [], 0
    while (at := body.find("Ashot Mkrtychev", at)) >= 0:
        mentions.append((0, Mention(None, None, at, at + 15, "Ashot Mkrtychev")))
        place = body.index("Slovakia", at)
        mentions.append((1, Mention(None, None, place, place + 8, "Slovakia")))
        at = place
    store.ingest_article(Article(title="A huge page", body=body, published="2020-01-02",
                                 published_precision="day", content_hash="huge"),
                         people, mentions, [])
    store.ingest_article(Article(title="One long line", body="word " * 20_000,
                                 published="2020-01-01", published_precision="day",
                                 content_hash="line"), [], [], [])
    store.close()
    return len(body), len(mentions)


async def test_huge_article_and_long_line_stay_responsive(make_app, tmp_path):
    path = tmp_path / "big.db"
    size, count = huge_dossier(path)
    assert size > 5_000_000 and count == 200_000
    app = make_app(path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter")  # the huge page: a window of it is drawn
        await settle(pilot)
        reader = app.query_one(Reader)
        body = str(app.query_one("#reader-body").render())
        assert reader.article.title == "A huge page"
        assert f"[{size - 30_000:,} more characters;" in body
        assert len(body) < 31_000
        await pilot.press("tab", "[")  # the last mention: the window follows it
        await settle(pilot)
        assert reader.mention_index == count - 1 and reader.current_entity.name == "Slovakia"
        body = str(app.query_one("#reader-body").render())
        assert "characters before this" in body and "more characters" not in body
        await pilot.press("]")  # wraps to the first, and back to the top of the page
        await settle(pilot)
        assert reader.mention_index == 0
        assert "characters before this" not in str(app.query_one("#reader-body").render())
        # Reading on past the drawn part: at its bottom, j moves the window on.
        reader.scroll_end(animate=False)
        await settle(pilot)
        await pilot.press("j")
        await settle(pilot)
        assert reader.window > 0 and reader.scroll_y < reader.max_scroll_y
        assert "characters before this" in str(app.query_one("#reader-body").render())
        await pilot.press("G")  # the end of the article, however long
        await settle(pilot)
        assert reader.window + 30_000 >= size
        assert "more characters" not in str(app.query_one("#reader-body").render())
        await pilot.press("g")
        await settle(pilot)
        assert reader.window == 0 and reader.scroll_y == 0
        app.query_one(ArticleList).focus()
        await pilot.press("j", "enter")  # the long line
        await settle(pilot)
        assert reader.article.title == "One long line"
        assert "word word" in str(app.query_one("#reader-body").render())
        assert app.is_running


# ---------------------------------------------------------------- the sweep: every column

def _shown(app) -> str:
    """The screen and the notices on it (a notice is drawn on the screen too)."""
    return screen_text(app) + "\n" + "\n".join(str(n.message) for n in app._notifications)


# Pane by pane, and every dialog that shows the file: (what, keys).
WALK = [("start", ()), ("open", ("enter",)), ("down", ("j",)), ("reader", ("tab",)),
        ("mention", ("]", "]")), ("entity", ("enter",)), ("inspector", ("tab",)),
        ("link", ("]",)), ("entities", ("tab",)), ("entity row", ("j", "enter")),
        ("timeline", ("tab",)), ("event", ("enter",)), ("event row", ("j",)),
        ("help", ("question_mark",)), ("close help", ("escape",)),
        ("articles", ("tab",)), ("tag picker", ("t",)), ("close picker", ("escape",)),
        ("filter", ("f",)), ("close filter", ("escape",)), ("edit", ("r",)),
        ("edit field", ("down", "enter")), ("close edit", ("escape",)),
        ("link picker", ("l",)), ("close link picker", ("escape",)),
        ("palette", ("ctrl+p",)), ("close palette", ("escape",)),
        ("undo", ("u",)), ("entities again", ("tab", "tab", "tab")),
        ("entity edit", ("r",)), ("close entity edit", ("escape",)),
        ("connections", ("c",)), ("close connections", ("escape",)),
        # / in Entities finds by name (issue 16): the search is typed from the Articles.
        ("articles for search", ("tab", "tab")),
        ("search", ("slash", *"Slovakia", "enter"))]


async def walk(app, size=(140, 50)) -> str:
    """Walk the app over a hostile dossier; every step's screen and notices hold no control
    character. Returns all that was shown."""
    app.inert_filter.enabled = False  # what the widgets are given, not what the door drops
    seen = ""
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        for name, keys in WALK:
            await pilot.press(*keys)
            await settle(pilot)
            shown = _shown(app)
            assert not holds_control(shown), (name, holds_control(shown), shown)
            seen += shown
        assert app.is_running
    assert f"␛]52;c;{CLIPBOARD}␇␛]0;{TITLE}␇" in seen  # the escapes are visible, inert
    assert f"�52;c;{CLIPBOARD}�" in seen  # C1 OSC
    # The title follows 110 columns of payload: where the panes wrap it depends on their
    # widths, so its words are looked for, not the whole phrase on one line.
    assert "Broker" in seen and "officials" in seen
    for where in ("Ashot Mkrtychev", "a broker", "same story",
                  "2023-04-03", "Photo: somebody", "caption", "Connections of",
                  "Tag this", "Filter articles", "Article source", "Search: Slovakia"):
        assert where in seen, where
    return seen


async def test_escapes_in_every_column_never_reach_a_widget(make_app, tmp_path):
    """A stranger's file with OSC 52 / OSC 0 in every text column (CHECKs bypassed): walked
    pane by pane and dialog by dialog, every drawn strip is free of control characters
    before the last door (`InertFilter`) would drop any; the payload shows as placeholders."""
    path = tmp_path / "hostile.db"
    columns = build(path)
    assert len(columns) > 40  # every text column of every table
    seen = await walk(make_app(path))
    assert "cannot undo" in seen  # the conflict notice quotes the file's action


async def test_escapes_survive_the_json_round_trip_inert(make_app, tmp_path):
    """`dossier ingest NEW.db export.json` keeps the payload (lossless); opened, it is as
    inert as in the file it came from."""
    from dossier.export import Selection, export
    from dossier.export.jsonfmt import import_json
    from dossier.store import Store

    path = tmp_path / "hostile.db"
    build(path, bypass_checks=False)
    store = Store.open(path, readonly=True)
    export(store, "json", tmp_path / "export.json", Selection())
    store.close()
    rebuilt = Store.open(tmp_path / "new.db", create=True)
    import_json(rebuilt, tmp_path / "export.json")
    assert rebuilt.get_article(1).title.startswith(PAYLOAD)
    rebuilt.close()
    await walk(make_app(tmp_path / "new.db"))


async def test_the_last_door_drops_control_characters(make_app, tmp_path):
    """Whatever a widget is given, the filter on every drawn line keeps escapes off the
    terminal (the payload in a widget no formatting helper saw)."""
    path = tmp_path / "hostile.db"
    build(path)
    app = make_app(path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await app.mount(Static(Text(f"raw {PAYLOAD} end"), id="raw"))
        await settle(pilot)
        assert "raw" in screen_text(app) and "end" in screen_text(app)
        assert not holds_control(screen_text(app))
