"""An article's date typed as analysts write it, and one date for all the marked articles:
what the file holds after, what the screen says, and `u` taking it all back."""

from __future__ import annotations

import pytest
from tui_helpers import rows, screen_text, settle

from dossier.ingest.pipeline import ingest_paths
from dossier.store import Store
from dossier.tui.screens.dialogs import TextPrompt
from dossier.tui.widgets.panes import ArticleList

STORIES = {
    "a-tuesday.txt": ("Broker met on a Tuesday", "Ashot Mkrtychev met officials last Tuesday."),
    "b-treasury.txt": ("Treasury acts", "The Treasury sanctioned a broker."),
    "c-nato.txt": ("NATO meets", "NATO met in Brussels."),
    "d-dated.txt": ("Already dated", "Published: 02 May 2021\n\nKim Jong Un spoke."),
}


@pytest.fixture
def undated(tmp_path):
    """Four articles through the real ingest; three without a date, one with."""
    folder = tmp_path / "in"
    folder.mkdir()
    for name, (title, body) in STORIES.items():
        (folder / name).write_text(f"{title}\n\n{body}\n", encoding="utf-8")
    path = tmp_path / "dates.db"
    store = Store.open(path, create=True)
    ingest_paths(store, [folder], extractor="rules")
    store.close()
    return path


def dates(path) -> dict[str, tuple]:
    return {t: (p, q) for t, p, q in rows(path, "SELECT title, published, "
                                                "published_precision FROM articles")}


async def focus_article(pilot, title: str) -> ArticleList:
    articles = pilot.app.query_one(ArticleList)
    articles.focus()
    await pilot.press("g")  # from the top: the list's order is not the files'
    await settle(pilot)
    for _ in STORIES:
        if articles.current.title == title:
            return articles
        await pilot.press("j")
        await settle(pilot)
    raise AssertionError(f"no article {title!r} in the list")


async def open_date_prompt(pilot) -> None:
    await pilot.press("r")
    await settle(pilot)
    await pilot.press("down", "down", "down", "enter")  # title, source, author, published
    await settle(pilot)
    assert isinstance(pilot.app.screen, TextPrompt)


async def test_typing_a_date_as_written_dates_the_article_at_day_precision(make_app, undated):
    app = make_app(undated)
    async with app.run_test(size=(120, 40)) as pilot:
        await focus_article(pilot, "Treasury acts")
        await open_date_prompt(pilot)
        await pilot.press(*"4 April 2023", "enter")
        await settle(pilot)
        assert not isinstance(app.screen, TextPrompt)
        assert dates(undated)["Treasury acts"] == ("2023-04-04", "day")
        await pilot.press("u")
        await settle(pilot)
        assert dates(undated)["Treasury acts"] == (None, "unknown")


@pytest.mark.parametrize(("typed", "stored"), [
    ("April 4, 2023", ("2023-04-04", "day")),
    ("2023-04-04", ("2023-04-04", "day")),
    ("Apr 2023", ("2023-04", "month")),
    ("2023", ("2023", "year")),
])
async def test_the_other_common_forms(make_app, undated, typed, stored):
    app = make_app(undated)
    async with app.run_test(size=(120, 40)) as pilot:
        await focus_article(pilot, "NATO meets")
        await open_date_prompt(pilot)
        await pilot.press(*typed, "enter")
        await settle(pilot)
        assert dates(undated)["NATO meets"] == stored


async def test_a_bad_date_keeps_the_dialog_and_the_text_and_says_why(make_app, undated):
    app = make_app(undated)
    async with app.run_test(size=(120, 40)) as pilot:
        await focus_article(pilot, "NATO meets")
        await open_date_prompt(pilot)
        journal = rows(undated, "SELECT count(*) FROM journal")
        await pilot.press(*"4 Aprill 2023", "enter")
        await settle(pilot)
        assert isinstance(app.screen, TextPrompt)
        assert app.screen.query_one("Input").value == "4 Aprill 2023"
        assert "not a date: 4 Aprill 2023" in screen_text(app)
        assert rows(undated, "SELECT count(*) FROM journal") == journal
        # The typo is fixed in place: nothing typed before is lost.
        await pilot.press("left", "left", "left", "left", "left", "backspace", "enter")
        await settle(pilot)
        assert not isinstance(app.screen, TextPrompt)
        assert dates(undated)["NATO meets"] == ("2023-04-04", "day")


async def test_one_date_for_three_marked_articles_is_one_change(make_app, undated):
    app = make_app(undated)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        before = dates(undated)
        events_before = rows(undated, "SELECT id, date_start, resolution FROM events "
                             "ORDER BY id")
        (tuesday,) = rows(undated, "SELECT date_start, resolution FROM events "
                                   "WHERE date_text LIKE '%Tuesday%'")
        assert tuesday == (None, "unresolved")
        articles = app.query_one(ArticleList)
        articles.focus()
        await settle(pilot)
        three = ["Broker met on a Tuesday", "Treasury acts", "NATO meets"]
        for title in three:
            await focus_article(pilot, title)
            await pilot.press("space")
            await settle(pilot)
        assert len(articles.marked) == 3
        journal = rows(undated, "SELECT max(batch) FROM journal")[0][0] or 0

        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, TextPrompt)
        assert "Date of the 3 marked articles" in screen_text(app)
        await pilot.press(*"4 April 2023", "enter")
        await settle(pilot)

        after = dates(undated)
        assert all(after[t] == ("2023-04-04", "day") for t in three)
        assert after["Already dated"] == before["Already dated"] == ("2021-05-02", "day")
        assert rows(undated, "SELECT count(DISTINCT batch) FROM journal WHERE batch > ?",
                    (journal,)) == [(1,)]
        # "last Tuesday" now counts from the article's new date: the latest Tuesday on or
        # before Tuesday 4 April 2023.
        assert rows(undated, "SELECT date_start, resolution FROM events "
                             "WHERE date_text LIKE '%Tuesday%'") == [("2023-04-04", "relative")]
        assert "dated 3 articles: 2023-04-04" in screen_text(app)
        assert not articles.marked

        await pilot.press("u")
        await settle(pilot)
        assert dates(undated) == before
        assert rows(undated, "SELECT id, date_start, resolution FROM events ORDER BY id") == \
            events_before


async def test_r_names_the_marked_dating_in_help(make_app, undated):
    app = make_app(undated)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("question_mark")
        await settle(pilot)
        assert "date every marked article at once" in screen_text(app)
