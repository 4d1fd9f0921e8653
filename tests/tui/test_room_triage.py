"""Issue 16, triage at one key an article; keys defined once, remapped by `keymap:`."""

from __future__ import annotations

import subprocess
import sys

import pytest
from textual import events
from tui_helpers import rows, screen_text, settle

from dossier import keys
from dossier.model import Article
from dossier.store import Store
from dossier.tagsets import APP_KEYS, load_tagsets, parse
from dossier.tui.app import DossierApp, MainScreen
from dossier.tui.widgets.lazylist import LazyList
from dossier.tui.widgets.panes import ArticleList, Reader

SIZES = [(120, 40), (80, 24)]
TRIAGE = "SELECT target_id, tag FROM taggings WHERE tagset = 'triage' ORDER BY 1"


@pytest.fixture
def pile(tmp_path):
    """Twelve articles, newest first as the list shows them."""
    path = tmp_path / "pile.db"
    store = Store.open(path, create=True)
    with store.bulk():
        for n in range(12):
            store.ingest_article(Article(title=f"Wire story number {n:02d} about the inquiry",
                                         body=f"Body {n}", published=f"2020-01-{n + 1:02d}",
                                         published_precision="day", content_hash=f"h{n}"),
                                 [], [], [])
    listed = [a.id for a in store.list_articles(0, 12, order="-published")]
    store.close()
    return path, listed


def test_keys_are_plain_data_and_feed_the_tag_sets():
    code = ("import sys; sys.modules['textual'] = None; import dossier.keys, dossier.tagsets; "
            "print(len(dossier.keys.KEYS))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    # Every key the app binds on the main screen is refused to a tag, by key and character.
    for binding in MainScreen.BINDINGS + LazyList.BINDINGS + Reader.BINDINGS:
        for name in keys.names(binding.key):
            assert name in APP_KEYS and keys.CHARACTERS.get(name, name) in APP_KEYS
    for char in "xzcvas?/[]":
        assert char in APP_KEYS
    _, problems = parse("tagsets:\n  - name: t\n    tags: [{name: a, key: z}]\n")
    assert "one of the app's own keys" in str(problems[0])


def test_tagsets_advance_and_keymap_parse():
    config, problems = parse("tagsets:\n  - name: triage\n    tags: [{name: a, key: '1'}]\n"
                             "  - name: mine\n    advance: yes\n    tags: [{name: b}]\n"
                             "  - name: other\n    tags: [{name: c}]\n"
                             "keymap:\n  dossier.zoom: Z\n  dossier.zom: Y\n")
    assert config.sets["triage"].advance and config.sets["mine"].advance
    assert not config.sets["other"].advance
    assert config.keymap == {"dossier.zoom": "Z"}
    assert "did you mean 'dossier.zoom'" in str(problems[0])
    assert load_tagsets().sets["triage"].advance


@pytest.mark.parametrize("size", SIZES)
async def test_one_key_an_article(make_app, pile, size):
    path, listed = pile
    app = make_app(path)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        articles = app.query_one(ArticleList)
        await pilot.press("1", "3", "1", "2")
        await settle(pilot)
        assert rows(path, TRIAGE) == sorted(zip(listed[:4], ["relevant", "noise", "relevant",
                                                             "background"], strict=True))
        assert articles.cursor == 4
        # x starts at the cursor: the untagged article under it is the next of the queue.
        await pilot.press("x")
        await settle(pilot)
        assert articles.cursor == 4
        await pilot.press("k", "k", "x")
        await settle(pilot)
        assert articles.cursor == 4


@pytest.mark.parametrize("size", SIZES)
async def test_triage_from_the_reader_opens_the_next_article(make_app, pile, size):
    path, listed = pile
    app = make_app(path)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        app.main_screen.go_to_pane("reader")
        await settle(pilot)
        reader = app.query_one(Reader)
        assert reader.article.id == listed[0]
        await pilot.press("1")
        await settle(pilot)
        assert reader.article.id == listed[1]
        await pilot.press("3")
        await settle(pilot)
        assert reader.article.id == listed[2]
        assert rows(path, TRIAGE) == sorted([(listed[0], "relevant"), (listed[1], "noise")])


@pytest.mark.parametrize("size", SIZES)
async def test_marks_have_their_style_their_count_and_take_the_tag(make_app, pile, size):
    path, listed = pile
    app = make_app(path)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        articles = app.query_one(ArticleList)
        await pilot.press("space", "space", "space")
        await settle(pilot)
        assert "─ 3 marked · Articles (12)" in screen_text(app)
        marked = articles.get_component_rich_style("lazy-list--marked", partial=True)
        assert marked.bgcolor is not None and not marked.reverse  # not a search hit's look
        assert screen_text(app).count("▌") == 6  # the two lines of each marked row
        await pilot.press("k", "1")
        await settle(pilot)
        assert rows(path, TRIAGE) == sorted((i, "relevant") for i in listed[:3])
        assert not articles.marked and "marked" not in screen_text(app)


@pytest.mark.parametrize("size", SIZES)
async def test_a_keymap_remaps_a_key_and_help_says_so(make_app, pile, size):
    path, _ = pile
    store = Store.open(path)
    config = load_tagsets()
    config.keymap["dossier.zoom"] = "Z"
    app = DossierApp(store, tagsets=config, analyst="ana")
    try:
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            await pilot.press("z")
            await settle(pilot)
            assert app.screen.maximized is None
            await pilot.press("Z")
            await settle(pilot)
            assert app.screen.maximized is not None
            await pilot.press("Z", "question_mark")
            await settle(pilot)
            help_rows = dict(app.key_help()[0][1])
            assert help_rows["Z"].startswith("Give the focused pane")
    finally:
        store.close()


@pytest.mark.parametrize("size", SIZES)
async def test_a_tag_on_marked_rows_is_one_batch_and_one_undo(make_app, pile, size):
    """Store.tag_many: the marked rows take the tag as one change, the exclusive set's other
    tag is replaced, and one `u` takes all of it back; the same from the `t` picker."""
    path, listed = pile
    store = Store.open(path)
    store.set_tag("tester", [("article", listed[1])], "triage", "noise", exclusive=True)
    store.close()
    app = make_app(path)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press("space", "space", "space", "1")
        await settle(pilot)
        assert rows(path, TRIAGE) == sorted((i, "relevant") for i in listed[:3])
        await pilot.press("u")
        await settle(pilot)
        assert rows(path, TRIAGE) == [(listed[1], "noise")]
        # The picker: two marked rows, the tag chosen by its key in the dialog.
        await pilot.press("g", "space", "space", "t")
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        assert rows(path, TRIAGE) == sorted((i, "background") for i in listed[:2])
        await pilot.press("u")
        await settle(pilot)
        assert rows(path, TRIAGE) == [(listed[1], "noise")]


@pytest.fixture
def long_pile(tmp_path):
    """1,200 articles (twelve pages of the list), one in forty naming the story."""
    path = tmp_path / "long.db"
    store = Store.open(path, create=True)
    with store.bulk():
        for n in range(1200):
            body = "The Iran-Contra hearings resumed." if n % 40 == 0 else f"Market report {n}."
            store.ingest_article(Article(title=f"Wire story {n:04d}", body=body,
                                         published=f"{1900 + n // 12}-{n % 12 + 1:02d}-01",
                                         published_precision="day", content_hash=f"h{n}"),
                                 [], [], [])
    listed = [a.id for a in store.list_articles(0, 20, order="-published")]
    store.close()
    return path, listed


def type_ahead(app, *keys: str) -> None:
    """Keys as a terminal delivers a burst: all in the app's queue before the first is
    handled (Pilot's `press` waits for each key to be handled before the next)."""
    for key in keys:
        app.post_message(events.Key(key, key if len(key) == 1 else None))


def list_text(app, widget) -> str:
    """What the screen shows inside one widget's region."""
    region = widget.region
    strips = app.screen._compositor.render_strips()[region.y:region.bottom]
    return "\n".join(strip.crop(region.x, region.right).text for strip in strips)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("burst", [("escape", "g"), ("g",)], ids=["with-escape", "after-escape"])
async def test_triage_keys_typed_ahead_after_a_search(make_app, long_pile, size, burst):
    """Ten tag-and-advance keys typed ahead at once, right after leaving search results (the
    list reloads, a ranking may be running): each key acts on the article the key before it
    moved to: ten articles tagged in the file, their chips on screen, the cursor on the
    eleventh. (Textual runs `g` and Escape as bindings once they are back at the app, after
    the screen saw the tag keys behind them: the tags used to land before the `g`.)"""
    path, listed = long_pile
    app = make_app(path)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press("j", "j", "j", "slash", *"Iran-Contra", "enter")
        await pilot.pause()
        assert "Search: Iran-Contra (30)" in screen_text(app)
        if burst == ("g",):
            await pilot.press("escape")
        type_ahead(app, *burst, *["1"] * 10)
        await settle(pilot)
        tagged = rows(path, TRIAGE)
        assert tagged == sorted((i, "relevant") for i in listed[:10])
        articles = app.query_one(ArticleList)
        assert articles.search_query is None and articles.cursor == 10
        assert articles.current.id == listed[10]
        shown = list_text(app, articles)
        # Two lines a row (the title, then the date and chips); the top row may be cut.
        top, height = articles.scroll_offset.y, articles.scrollable_content_region.height
        chips_shown = [i for i in range(10) if top <= 2 * i + 1 < top + height]
        titles_shown = [i for i in range(10) if top <= 2 * i < top + height]
        assert len(chips_shown) >= 3 and shown.count(" relevant ") == len(chips_shown)
        for i in titles_shown:
            assert f"Wire story {1199 - i:04d}" in shown


@pytest.mark.parametrize("size", SIZES)
async def test_the_list_scrollbar_follows_its_rows(make_app, long_pile, size):
    """The Articles scrollbar is set when the rows change, not on every layout of the
    screen: it shows for 1,200 articles, its thumb moves down with the cursor, and it goes
    when a search leaves one hit (and comes back with the list)."""
    path, _ = long_pile
    app = make_app(path)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        articles = app.query_one(ArticleList)
        bar = articles.vertical_scrollbar
        assert articles.show_vertical_scrollbar and bar.window_virtual_size == 2 * 1200
        await pilot.press("end")
        await settle(pilot)
        assert bar.position == articles.scroll_offset.y > 2000
        await pilot.press("slash", *"report 1199", "enter")
        await settle(pilot)
        assert articles.count == 1 and not articles.show_vertical_scrollbar
        await pilot.press("escape")
        await settle(pilot)
        assert articles.count == 1200 and articles.show_vertical_scrollbar
        assert bar.window_virtual_size == 2 * 1200


def drawn(app, widget) -> list[list[tuple]]:
    """The cells of one widget's region as the screen has them: text and style."""
    region = widget.region
    strips = app.screen._compositor.render_strips()[region.y:region.bottom]
    return [[(segment.text, segment.style) for segment in strip.crop(region.x, region.right)]
            for strip in strips]


async def drawn_afresh(app, pilot, widget) -> list[list[tuple]]:
    """The same region with every line drawn again from the rows (no line kept)."""
    widget._strips.clear()
    widget._lines_memo = None
    widget._styles_cache.clear()
    widget.refresh()
    await pilot.pause()
    return drawn(app, widget)


@pytest.mark.parametrize("size", SIZES)
async def test_lines_kept_from_frame_to_frame_are_the_lines_drawn_afresh(make_app, long_pile,
                                                                        size):
    """The list keeps its drawn lines from frame to frame (a scroll by one row redraws
    every line): what it shows after tags that advance and scroll, marks, the cursor
    leaving the pane, and a theme change is cell for cell what it draws from nothing."""
    path, _ = long_pile
    app = make_app(path)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        articles = app.query_one(ArticleList)
        steps = [["1"] * 25, ["k", "k", "space", "space"], ["2", "k", "2"], ["tab"],
                 ["shift+tab", "pagedown", "j"]]
        for keys_ in steps:
            await pilot.press(*keys_)
            await settle(pilot)
            seen = drawn(app, articles)
            assert seen == await drawn_afresh(app, pilot, articles), keys_
            if keys_ == steps[0]:
                assert articles.scroll_offset.y > 0 and " relevant " in list_text(app, articles)
        assert len(rows(path, TRIAGE)) > 20
        app.theme = "textual-light" if app.theme != "textual-light" else "textual-dark"
        await settle(pilot)
        seen = drawn(app, articles)
        assert seen == await drawn_afresh(app, pilot, articles)


@pytest.mark.parametrize("size", SIZES)
async def test_a_tag_key_typed_right_after_t_is_the_pickers(make_app, pile, size):
    """`t` then `1` in one burst: the tag picker is up when the `1` comes to its turn, and
    the `1` is its key (the tag, on the article the picker was opened for), not lost."""
    path, listed = pile
    app = make_app(path)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        type_ahead(app, "t", "1")
        await settle(pilot)
        assert app.screen is app.main_screen
        assert rows(path, TRIAGE) == [(listed[0], "relevant")]
        assert "relevant" in list_text(app, app.query_one(ArticleList))


@pytest.mark.parametrize("size", SIZES)
async def test_digits_typed_right_after_slash_are_the_search_boxs(make_app, long_pile, size):
    """`/` then `1199` in one burst: the digits (tag keys in the list) are the search's text,
    in their order, and nothing is tagged."""
    path, _ = long_pile
    app = make_app(path)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        type_ahead(app, "slash", *"1199")
        await settle(pilot)
        assert app.focused.value == "1199"
        assert rows(path, TRIAGE) == []


@pytest.mark.parametrize("size", SIZES)
async def test_a_hundred_articles_triaged_with_a_hundred_keys(make_app, long_pile, size):
    """Issue 16's measure of done: 100 articles triaged with 100 keys (a mix of the three
    triage tags, typed ahead in bursts of ten as a fast analyst does) and no navigation key:
    each article has its tag in the file, in the list's order, the cursor is on the 101st,
    and after each burst the row under the cursor is on screen."""
    path, _ = long_pile
    app = make_app(path)
    keys_ = [("1", "2", "3")[n % 3] for n in range(100)]
    names = {"1": "relevant", "2": "background", "3": "noise"}
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        articles = app.query_one(ArticleList)
        listed = [articles.row_at(n).id for n in range(101)]
        for burst in range(0, 100, 10):
            type_ahead(app, *keys_[burst:burst + 10])
            await settle(pilot)
            if size == (120, 40):
                shown = list_text(app, articles)
                assert f"Wire story {1199 - articles.cursor:04d}" in shown
        assert rows(path, TRIAGE) == sorted(
            (listed[n], names[key]) for n, key in enumerate(keys_))
        assert articles.cursor == 100 and articles.current.id == listed[100]


async def test_marks_cleared_by_a_tag_elsewhere_leave_the_rows_at_once(make_app):
    """Entities marked, then a tag in Articles (which clears every list's marks): the
    Entities rows lose their marked look at once, not at the next repaint."""
    from dossier.tui.widgets.panes import EntityList

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        entities = app.query_one(EntityList)
        app.main_screen.go_to_pane("entities-pane")
        await settle(pilot)
        before = drawn(app, entities)
        await pilot.press("space", "space", "space")
        await settle(pilot)
        assert len(entities.marked) == 3 and drawn(app, entities) != before
        app.main_screen.go_to_pane("articles-pane")
        await pilot.press("1")
        await settle(pilot)
        assert not entities.marked
        assert drawn(app, entities) == await drawn_afresh(app, pilot, entities)
