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


async def test_an_added_alias_marks_its_hits_at_once(make_app, sample_path):
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
        # Once the dossier knows the name, its occurrences are mentions: marked at once.
        assert rows(sample_path, "SELECT count(*) FROM mentions m JOIN entities e ON "
                    "e.id = m.entity_id WHERE e.name = 'Wagner Group'") == [(2,)]
        after = snapshot(sample_path)
        await pilot.press("u")  # the alias and its marking, one change
        await settle(pilot)
        assert snapshot(sample_path) == before
        await pilot.press("ctrl+r")
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


async def test_links_are_followed_and_tagged_from_the_inspector(make_app, sample_path):
    from dossier.model import Link
    from dossier.tui.widgets.panes import Inspector

    store = Store.open(sample_path)
    broker = store.find_entities("Ashot Mkrtychev")[0].id
    korea = store.find_entities("North Korea")[0].id
    store.add_link("bo", Link("entity", broker, "brokered deal with", "entity", korea))
    store.close()
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await focus_entity(pilot, "Ashot Mkrtychev")
        inspector = app.query_one(Inspector)
        inspector.focus()
        await pilot.press("]")
        assert inspector.selected_link.relation == "brokered deal with"
        await pilot.press("8")  # confidence: alleged, on the link
        await settle(pilot)
        assert rows(sample_path, "SELECT target_kind, tag FROM taggings") == [("link", "alleged")]
        await pilot.press("enter")  # follow it to North Korea
        await settle(pilot)
        assert inspector.item == ("entity", korea)


async def test_event_entities_and_a_new_event_from_the_reader(make_app, sample_path):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        events = app.query_one(EventList)
        events.focus()
        await settle(pilot)
        event_id = events.current.id
        before = snapshot(sample_path)
        await pilot.press("r", "down", "down", "enter")  # add an entity it involves
        await settle(pilot)
        await pilot.press(*"wagner")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert rows(sample_path, "SELECT count(*) FROM event_entities ee JOIN entities e ON "
                    "e.id = ee.entity_id WHERE ee.event_id = ? AND e.name = 'Wagner Group'",
                    (event_id,)) == [(1,)]
        await undo_redo(pilot, sample_path, before)
        reader = app.query_one(Reader)
        reader.focus()
        await pilot.press("]")  # on a mention: its sentence becomes the event's evidence
        before = snapshot(sample_path)
        await pilot.press("r")
        await settle(pilot)
        await pilot.press("end", "enter")  # the last option: a new event from the sentence
        await settle(pilot)
        await pilot.press(*"2023-03-30", "enter")
        await settle(pilot)
        (new,) = rows(sample_path, "SELECT date_start, precision, resolution, evidence_start, "
                      "evidence_end FROM events WHERE resolution = 'analyst'")
        assert new[:3] == ("2023-03-30", "day", "analyst") and new[3] < new[4]
        await undo_redo(pilot, sample_path, before)
