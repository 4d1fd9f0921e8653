"""Tagging by keyboard: hotkeys, picker, exclusive sets, bulk, filter, triage queue, undo/redo
(also after reopening), links, and read-only files. Each checks the file, not just the
screen: a change is committed before the screen shows it."""

from __future__ import annotations

import pytest
from tui_helpers import rows, screen_text, settle

from dossier.store import Store
from dossier.tui.widgets.panes import ArticleList, EntityList, Reader

TRIAGE = "SELECT target_id, tag, analyst FROM taggings WHERE tagset = 'triage' ORDER BY 1"


async def test_hotkey_tags_and_exclusive_set_replaces(make_app, sample_path):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        first = app.query_one(ArticleList).current.id
        await pilot.press("1")
        assert rows(sample_path, TRIAGE) == [(first, "relevant", "ana")]
        await settle(pilot)
        assert "relevant" in screen_text(app)
        # Triage advances (issue 16): back up to the first article to change its tag.
        assert app.query_one(ArticleList).cursor == 1
        await pilot.press("k", "3")
        assert rows(sample_path, TRIAGE) == [(first, "noise", "ana")]
        await pilot.press("k", "3")  # the same key again takes the tag off
        assert rows(sample_path, TRIAGE) == []


async def test_picker_tags_an_entity(make_app, sample_path):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        entities = app.query_one(EntityList)
        entities.focus()
        while entities.current.name != "Ashot Mkrtychev":
            await pilot.press("j")
        await pilot.press("t")
        await settle(pilot)
        assert "Tag this entity" in screen_text(app)
        # Options: triage is for articles only, so the entity's list starts with priority.
        # priority: high, medium, low, then role: broker
        await pilot.press("down", "down", "down", "enter")
        await settle(pilot)
        got = rows(sample_path, "SELECT tagset, tag FROM taggings WHERE target_kind='entity'")
        assert got == [("role", "broker")]
        await pilot.press("w")  # role: sanctioned by its hotkey
        got = rows(sample_path, "SELECT tag FROM taggings WHERE target_kind='entity' ORDER BY 1")
        assert got == [("broker",), ("sanctioned",)]
        await settle(pilot)
        line = next(x for x in screen_text(app).splitlines() if "● Ashot Mkrtychev" in x)
        assert " broker " in line  # the first chip, in the entity's row


async def test_marking_several_then_one_key_tags_all(make_app, sample_path):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("space", "space")  # marks both articles (the cursor moves down)
        await pilot.press("2")
        assert [r[1] for r in rows(sample_path, TRIAGE)] == ["background", "background"]
        await pilot.press("u")  # one undo takes back the whole bulk change
        assert rows(sample_path, TRIAGE) == []
        assert any("on 2 articles" in str(n.message) for n in app._notifications)


async def test_filter_untagged_and_next_untagged(make_app, sample_path):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        articles = app.query_one(ArticleList)
        await pilot.press("1")
        await pilot.press("x")  # next article without a triage tag
        assert articles.cursor == 1
        await pilot.press("f")
        await settle(pilot)
        await pilot.press("down", "enter")  # "nothing from triage yet"
        await settle(pilot)
        assert articles.count == 1 and "no triage" in screen_text(app)
        await pilot.press("f")
        await settle(pilot)
        await pilot.press("enter")  # no filter
        await settle(pilot)
        assert articles.count == 2


async def test_undo_redo_and_undo_after_reopening(make_app, sample_path):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("1", "k", "3")  # triage advances: back up to change the tag
        await pilot.press("u")
        assert [r[1] for r in rows(sample_path, TRIAGE)] == ["relevant"]
        await pilot.press("ctrl+r")
        assert [r[1] for r in rows(sample_path, TRIAGE)] == ["noise"]
        messages = [str(n.message) for n in app._notifications]
        assert any(m.startswith("undone: tag triage:noise on article “U.S. Sanctions")
                   for m in messages)
        assert any(m.startswith("redone: tag triage:noise on article “U.S. Sanctions")
                   for m in messages)
    app.store.close()
    again = make_app()
    async with again.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("u")
        assert [r[1] for r in rows(sample_path, TRIAGE)] == ["relevant"]
        await pilot.press("u")
        assert rows(sample_path, TRIAGE) == []
        await settle(pilot)
        assert "nothing to undo" not in screen_text(again)
        await pilot.press("u")
        await settle(pilot)
        assert any("nothing to undo" in str(n.message) for n in again._notifications)


async def test_link_from_the_reader_keeps_evidence(make_app, sample_path):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        reader = app.query_one(Reader)
        reader.focus()
        while reader.current_entity is None or reader.current_entity.name != "Ashot Mkrtychev":
            await pilot.press("]")
        await pilot.press("l")
        await settle(pilot)
        await pilot.press(*"north korea")
        await settle(pilot)
        await settle(pilot)
        await pilot.press("enter")  # first hit: the entity North Korea
        await settle(pilot)
        await pilot.press("enter")  # first relation: brokered deal with
        await settle(pilot)
        await pilot.press(*"per Treasury", "enter")
        await settle(pilot)
        (link,) = rows(sample_path, "SELECT relation, to_kind, evidence_article_id, "
                       "evidence_start, evidence_end, note FROM links")
        assert link[0] == "brokered deal with" and link[1] == "entity" and link[5] == "per Treasury"
        body = rows(sample_path, "SELECT body FROM articles WHERE id = ?", (link[2],))[0][0]
        assert "Mkrtychev" in body[link[3]:link[4]]
        assert "brokered deal with" in str(app.query_one("#inspector-body").render())


async def test_read_only_file_refuses_politely(make_app, sample_path):
    app = make_app(readonly=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert "READ-ONLY" in screen_text(app)
        await pilot.press("1")
        await settle(pilot)
        assert rows(sample_path, TRIAGE) == []
        assert any("read-only" in str(n.message) for n in app._notifications)
        for key in ("t", "l", "u", "ctrl+r", "r"):  # refused at once, no dialog first
            app._notifications.clear()
            await pilot.press(key)
            await settle(pilot)
            assert app.screen is app.main_screen, key
            assert any("read-only" in str(n.message) for n in app._notifications), key
        assert rows(sample_path, "SELECT count(*) FROM journal") == [(0,)]
        assert app.is_running


async def test_rename_entity_and_merge(make_app, sample_path):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        entities = app.query_one(EntityList)
        entities.focus()
        while entities.current.name != "Vladimir Putin":
            await pilot.press("j")
        await pilot.press("r")
        await settle(pilot)
        await pilot.press("enter")  # the first correction: rename
        await settle(pilot)
        await pilot.press("end", *" (RU)", "enter")
        await settle(pilot)
        store = Store.open(sample_path, readonly=True)
        renamed = store.find_entities("Vladimir Putin")[0]  # the old name stays an alias
        assert renamed.name == "Vladimir Putin (RU)"
        store.close()
        await pilot.press("u")
        await pilot.press("m")
        await settle(pilot)
        await pilot.press(*"kremlin")
        await settle(pilot)
        await settle(pilot)
        await pilot.press("enter")  # target: Kremlin
        await settle(pilot)
        await pilot.press("enter")  # confirm
        await settle(pilot)
        await settle(pilot)
        got = rows(sample_path, "SELECT count(*) FROM entities WHERE name = 'Vladimir Putin'")
        assert got == [(0,)]
        assert rows(sample_path, "SELECT count(*) FROM aliases a JOIN entities e ON "
                    "e.id = a.entity_id WHERE e.name = 'Kremlin' AND a.alias = "
                    "'Vladimir Putin'") == [(1,)]
        await pilot.press("u")
        assert rows(sample_path, "SELECT count(*) FROM entities WHERE name = "
                    "'Vladimir Putin'") == [(1,)]


async def test_a_colleagues_tag_appears_without_a_keypress(make_app, sample_path):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        first = app.query_one(ArticleList).current.id
        colleague = Store.open(sample_path)  # another connection, as another process has
        colleague.set_tag("bo", [("article", first)], "triage", "noise", exclusive=True)
        colleague.close()
        for _ in range(100):  # the app looks once a second; wait for it, bounded
            await pilot.pause(0.05)
            if " noise " in screen_text(app):
                break
        assert " noise " in screen_text(app)
        # And its own next change reads the file as it is now: the exclusive set is replaced.
        await pilot.press("1")
        assert rows(sample_path, TRIAGE) == [(first, "relevant", "ana")]


async def test_picker_takes_a_tags_own_key(make_app, sample_path):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        first = app.query_one(ArticleList).current.id
        await pilot.press("t")
        await settle(pilot)
        text = screen_text(app)
        assert "Tag this article" in text and "triage  one of the set" in text
        assert "1  relevant  Part of the story" in text
        await pilot.press("2")
        await settle(pilot)
        assert rows(sample_path, TRIAGE) == [(first, "background", "ana")]
        assert app.screen is app.main_screen


async def test_tag_keys_in_the_reader_tag_the_mention_or_the_article(make_app, sample_path):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        reader = app.query_one(Reader)
        article = reader.article.id
        reader.focus()
        while reader.current_entity is None or reader.current_entity.name != "Ashot Mkrtychev":
            await pilot.press("]")
        entity = reader.current_entity.id
        await pilot.press("b")  # role: broker is an entity's tag: the mention's entity
        await settle(pilot)
        assert " broker " in str(app.query_one("#inspector-body").render())
        await pilot.press("1")  # triage: relevant is an article's: the open article
        await settle(pilot)
        assert rows(sample_path, "SELECT target_kind, target_id, tag FROM taggings ORDER BY 1") \
            == [("article", article, "relevant"), ("entity", entity, "broker")]
        # Triage advances: the reader goes on to the next article of the list.
        assert reader.article.id != article
        assert reader.article.id == app.query_one(ArticleList).current.id


async def test_next_untagged_walks_a_long_list_to_the_end(make_app, tmp_path):
    from dossier.model import Article

    path = tmp_path / "long.db"
    store = Store.open(path, create=True)
    with store.bulk():
        for n in range(700):
            store.ingest_article(Article(title=f"Article {n:04d}", body=f"Body {n}",
                                         published="2020-01-01", published_precision="day",
                                         content_hash=f"h{n}"), [], [], [])
    listed = [a.id for a in store.list_articles(0, 700, order="-published")]
    store.set_tag("bo", [("article", i) for i in listed[:650]], "triage", "noise",
                  exclusive=True)
    store.close()
    app = make_app(path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        articles = app.query_one(ArticleList)
        await pilot.press("x")  # beyond the rows looked at once: a worker goes on
        await settle(pilot)
        assert articles.cursor == 650 and articles.current.id == listed[650]
        assert app.query_one(Reader).article.id == listed[650]
        # x starts at the cursor (issue 16): the untagged last article under it is the one.
        await pilot.press("G", "x")
        await settle(pilot)
        assert articles.cursor == 699
        await pilot.press("1", "x")  # tagged: none is left below
        await settle(pilot)
        assert any("no article below without a triage tag" in str(n.message)
                   for n in app._notifications)


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
async def test_m_merges_every_marked_entity_into_the_one_chosen(make_app, sample_path, size):
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        app.main_screen.go_to_pane("entities-pane")
        await settle(pilot)
        entities = app.query_one(EntityList)
        while entities.current.name == "Kremlin":
            await pilot.press("j")
        await pilot.press("space", "space", "space")
        marked = sorted(entities.marked)
        names = {i: n for i, n in rows(sample_path, "SELECT id, name FROM entities")}
        sources = [i for i in marked if names[i] != "Kremlin"]
        assert len(sources) >= 2
        await pilot.press("m")
        await settle(pilot)
        assert "marked entities into" in screen_text(app)
        await pilot.press(*"kremlin")
        await settle(pilot)
        await settle(pilot)
        await pilot.press("enter")  # target: Kremlin
        await settle(pilot)
        assert f"Merge {len(sources)} marked entities" in screen_text(app)
        notices = []
        app.notify = lambda message, *a, **k: notices.append(message)
        await pilot.press("enter")  # confirm
        await settle(pilot)
        await settle(pilot)
        assert any(f"merged {len(sources)} of {len(sources)} entities" in n for n in notices)
        left = {i for (i,) in rows(sample_path, "SELECT id FROM entities")}
        assert not left & set(sources)
        aliases = {a for (a,) in rows(sample_path, "SELECT a.alias FROM aliases a JOIN entities "
                                      "e ON e.id = a.entity_id WHERE e.name = 'Kremlin'")}
        assert {names[i] for i in sources} <= aliases
        assert not entities.marked
        # One u a merge: the latest merged comes back first, then the others.
        await pilot.press("u")
        await settle(pilot)
        left = {i for (i,) in rows(sample_path, "SELECT id FROM entities")}
        assert left & set(sources) == {sources[-1]}
        for _ in sources[1:]:
            await pilot.press("u")
            await settle(pilot)
        left = {i for (i,) in rows(sample_path, "SELECT id FROM entities")}
        assert set(sources) <= left
