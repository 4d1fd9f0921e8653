"""Hostile text in every pane: shown literally, nothing runs on click, no control byte on
screen."""

from __future__ import annotations

import pytest
from tui_helpers import screen_text, settle

from dossier.model import Article, Entity, Event, Mention
from dossier.store import Store

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
        for pane in ("articles-pane", "reader", "inspector", "entities", "timeline-pane"):
            app.go_to_pane(pane)
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
        # Not valid FTS5: a message, shown as text, and the app goes on.
        messages = [str(n.message) for n in app._notifications]
        assert any("cannot search for '[@click=app.quit]'" in m for m in messages)
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


async def test_huge_article_and_long_line_stay_responsive(make_app, tmp_path):
    from dossier.ingest.pipeline import ingest_paths

    folder = tmp_path / "in"
    folder.mkdir()
    paragraph = "Ashot Mkrtychev met officials in Slovakia last week. " * 20
    (folder / "huge.txt").write_text("A huge page\n\n" + (paragraph + "\n\n") * 5000)
    (folder / "line.txt").write_text("One long line\n\n" + "word " * 20_000)
    path = tmp_path / "big.db"
    store = Store.open(path, create=True)
    report = ingest_paths(store, [folder], extractor="rules")
    store.close()
    assert report.added == 2 and report.refused == []
    app = make_app(path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        for _ in range(2):
            await pilot.press("enter")
            await settle(pilot)
            await pilot.press("j")
        text = str(app.query_one("#reader-body").render())
        assert "more characters not shown here" in text or "word word" in text
        assert app.is_running
