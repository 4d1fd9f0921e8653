"""Corrections from the keyboard; each followed by undo (the file exactly as before) and redo."""

from __future__ import annotations

from tui_helpers import rows, screen_text, settle

from dossier.store import Store
from dossier.tui.widgets.panes import EntityList, EventList, Reader

TABLES = ("articles", "entities", "aliases", "mentions", "events", "event_entities",
          "taggings", "links")


def snapshot(path) -> dict[str, list]:
    return {t: rows(path, f"SELECT * FROM {t} ORDER BY id") for t in TABLES}


async def focus_entity(pilot, name: str) -> None:
    entities = pilot.app.query_one(EntityList)
    entities.focus()
    await settle(pilot)
    while entities.current.name != name:
        await pilot.press("j")


async def undo_redo(pilot, path, before) -> None:
    after = snapshot(path)
    assert after != before
    await pilot.press("u")
    await settle(pilot)
    assert snapshot(path) == before
    await pilot.press("ctrl+r")
    await settle(pilot)
    assert snapshot(path) == after


async def test_alias_finds_hits_and_marks_them(make_app, sample_path):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await focus_entity(pilot, "Wagner Group")
        before = snapshot(sample_path)
        await pilot.press("r")
        await settle(pilot)
        await pilot.press("down", "down", "down", "enter")  # add an alias
        await settle(pilot)
        await pilot.press(*"mercenary organization", "enter")
        await settle(pilot)
        assert "stands 1 times in 1 articles" in screen_text(app)
        await pilot.press("enter")
        await settle(pilot)
        assert rows(sample_path, "SELECT count(*) FROM mentions m JOIN entities e ON "
                    "e.id = m.entity_id WHERE e.name = 'Wagner Group'") == [(2,)]
        after = snapshot(sample_path)
        await pilot.press("u", "u")  # the marking, then the alias
        await settle(pilot)
        assert snapshot(sample_path) == before
        await pilot.press("ctrl+r", "ctrl+r")
        await settle(pilot)
        assert snapshot(sample_path) == after


async def test_split_delete_and_kind(make_app, sample_path):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await focus_entity(pilot, "Joe Biden")
        before = snapshot(sample_path)
        await pilot.press("r")
        await settle(pilot)
        await pilot.press(*["down"] * 5, "enter")  # split
        await settle(pilot)
        await pilot.press("down", "enter")  # choose the first mention
        await settle(pilot)
        await pilot.press("enter")  # done
        await settle(pilot)
        await pilot.press(*"Hunter Biden", "enter")
        await settle(pilot)
        assert rows(sample_path, "SELECT count(*) FROM mentions m JOIN entities e ON "
                    "e.id = m.entity_id WHERE e.name = 'Hunter Biden'") == [(1,)]
        await undo_redo(pilot, sample_path, before)
        await pilot.press("u")
        await settle(pilot)
        await focus_entity(pilot, "Kremlin")
        before = snapshot(sample_path)
        await pilot.press("r")
        await settle(pilot)
        await pilot.press(*["down"] * 6, "enter", "enter")  # delete, confirm
        await settle(pilot)
        assert rows(sample_path, "SELECT count(*) FROM entities WHERE name = 'Kremlin'") == [
            (0,)]
        await undo_redo(pilot, sample_path, before)
        await pilot.press("u")
        await settle(pilot)
        await focus_entity(pilot, "Wagner Group")
        before = snapshot(sample_path)
        await pilot.press("r", "down", "enter")  # change kind
        await settle(pilot)
        await pilot.press("down", "enter")  # organisation -> ... the list: person first
        await settle(pilot)
        assert rows(sample_path, "SELECT kind FROM entities WHERE name = 'Wagner Group'") == [
            ("organisation",)]
        await pilot.press("r", "down", "enter", "enter")  # person
        await settle(pilot)
        assert rows(sample_path, "SELECT kind FROM entities WHERE name = 'Wagner Group'") == [
            ("person",)]
        await undo_redo(pilot, sample_path, before)


async def test_event_date_and_connections(make_app, sample_path):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        events = app.query_one(EventList)
        events.focus()
        await settle(pilot)
        while events.current.date_start is not None:
            await pilot.press("j")
        before = snapshot(sample_path)
        event_id = events.current.id
        await pilot.press("r", "down", "enter")  # date
        await settle(pilot)
        await pilot.press(*"2023-03-30", "enter")
        await settle(pilot)
        assert rows(sample_path, "SELECT date_start, precision, resolution FROM events "
                    "WHERE id = ?", (event_id,)) == [("2023-03-30", "day", "analyst")]
        await undo_redo(pilot, sample_path, before)
        await focus_entity(pilot, "Ashot Mkrtychev")
        await pilot.press("c")
        await settle(pilot)
        text = screen_text(app)
        assert "Connections of Ashot Mkrtychev" in text and "named with" in text
        assert "Russia" in text and "shared articles" in text
        first = app.screen.items[0].name
        await pilot.press("enter")  # recentre on the first neighbour
        await settle(pilot)
        assert f"Connections of {first}" in screen_text(app)
        await pilot.press("escape")


async def test_mark_a_missed_mention_and_drop_a_wrong_one(make_app, sample_path):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        reader = app.query_one(Reader)
        reader.focus()
        before = snapshot(sample_path)
        await pilot.press("v")  # selects the first word: "The"
        await pilot.press("right", "right", "shift+right", "shift+right",
                          "shift+right")  # "Department of the Treasury"
        start, end = reader.selection
        assert reader.article.body[start:end] == "Department of the Treasury"
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press(*"kremlin")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        got = rows(sample_path, "SELECT m.text, m.origin FROM mentions m JOIN entities e ON "
                   "e.id = m.entity_id WHERE e.name = 'Kremlin' ORDER BY m.id")
        assert got[-1] == ("Department of the Treasury", "analyst")
        await undo_redo(pilot, sample_path, before)
        await pilot.press("u")
        await settle(pilot)
        before = snapshot(sample_path)
        await pilot.press("]")
        mention = reader.current_mention
        await pilot.press("r", "enter")  # first option: this mention is wrong
        await settle(pilot)
        assert rows(sample_path, "SELECT count(*) FROM mentions WHERE id = ?",
                    (mention.id,)) == [(0,)]
        await undo_redo(pilot, sample_path, before)


async def test_store_state_after_undo_is_a_valid_dossier(make_app, sample_path):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await focus_entity(pilot, "Vladimir Putin")
        await pilot.press("r", "enter")
        await settle(pilot)
        await pilot.press(*" (RU)", "enter", "u")
        await settle(pilot)
    store = Store.open(sample_path)
    assert store.check() == []
    store.close()
