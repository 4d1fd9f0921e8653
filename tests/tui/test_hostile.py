"""Hostile text in every pane: shown literally, nothing runs on click, no control byte on
screen."""

from __future__ import annotations

from tui_helpers import screen_text, settle

from dossier.model import Article, Entity, Event, Mention
from dossier.store import Store
from dossier.tui.widgets.panes import ArticleList, EntityList, Reader

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


async def test_hostile_text_is_inert_everywhere(make_app, tmp_path):
    path = tmp_path / "hostile.db"
    hostile_dossier(path)
    app = make_app(path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.query_one(EntityList).focus()
        await settle(pilot)
        text = screen_text(app)
        assert "[@click=app.quit]Click me[/]" in text  # the markup is shown, not run
        assert "[bold]not bold[/bold]" in text
        assert "␛]52;c;" in text  # the escape is a visible placeholder
        assert no_control_bytes(text)
        # Rendered segments carry no link or click meta.
        for strip in app.screen._compositor.render_strips():
            for segment in strip:
                style = segment.style
                assert not (style and (style.link or (style.meta or {}).get("@click")))
        # Clicking the "button" text in every pane leaves the app running.
        for selector in (ArticleList, Reader, EntityList):
            await pilot.click(selector, offset=(12, 1))
            await settle(pilot)
            assert app.is_running
        await pilot.press("slash", *"Click", "enter")
        await settle(pilot)
        assert no_control_bytes(screen_text(app)) and app.is_running


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
