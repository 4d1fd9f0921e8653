"""Corrections: each does what it says, and undo puts every table back exactly; redo again."""

from __future__ import annotations

import pytest
from dossier_helpers import add_article_with_names

from dossier.model import Link

# The store's suites run on both engines (tests/conftest.py).
pytestmark = pytest.mark.both_engines

TABLES = ("articles", "entities", "aliases", "mentions", "events", "event_entities",
          "taggings", "links")


def snapshot(store) -> dict[str, list[dict]]:
    return {t: list(store.iter_rows(t)) for t in TABLES}


def undo_redo_round_trip(store, before, after_check):
    after = snapshot(store)
    assert store.undo("ana") is not None
    assert snapshot(store) == before
    assert store.redo("ana") is not None
    assert snapshot(store) == after
    after_check()


def entity(store, name):
    (e,) = store.find_entities(name)
    return e


def test_merge_moves_everything_and_undoes(filled):
    add_article_with_names(filled, "Short name", "Mkrtychev denied it.", {"Mkrtychev": "person"})
    full, short = entity(filled, "Ashot Mkrtychev"), entity(filled, "Mkrtychev")
    filled.set_tag("ana", [("entity", short.id)], "role", "broker")
    filled.set_tag("ana", [("entity", full.id)], "role", "broker")
    filled.set_tag("ana", [("entity", short.id)], "role", "sanctioned")
    filled.add_link("ana", Link("entity", short.id, "sanctioned by", "entity",
                                entity(filled, "Treasury").id))
    before = snapshot(filled)
    moved = filled.merge_entities("ana", short.id, full.id)
    assert moved == 1
    merged = filled.get_entity(full.id)
    assert merged.mention_count == 3 and "Mkrtychev" in merged.aliases
    assert filled.get_entity(short.id) is None
    assert sorted(t.tag for t in filled.tags_for("entity", full.id)) == ["broker", "sanctioned"]
    assert filled.links_for("entity", full.id)[0].relation == "sanctioned by"
    assert filled.history("entity", full.id)[0].action == "merge 'Mkrtychev'"
    undo_redo_round_trip(filled, before, lambda: None)


def test_merge_into_itself_is_refused(filled):
    e = entity(filled, "Treasury")
    with pytest.raises(ValueError):
        filled.merge_entities("ana", e.id, e.id)


def test_split_rename_kind_alias(filled):
    person = entity(filled, "Ashot Mkrtychev")
    first, _second = filled.entity_mentions(person.id)
    before = snapshot(filled)
    new_id = filled.split_entity("ana", person.id, [first.id], "A. Mkrtychev (namesake)")
    assert filled.get_entity(new_id).mention_count == 1
    assert filled.get_entity(person.id).mention_count == 1
    undo_redo_round_trip(filled, before, lambda: None)

    before = snapshot(filled)
    filled.rename_entity("ana", person.id, "Ashot Mkrtichev")
    assert filled.get_entity(person.id).name == "Ashot Mkrtichev"
    assert filled.find_entities("Ashot Mkrtychev")[0].id == person.id
    undo_redo_round_trip(filled, before, lambda: None)

    before = snapshot(filled)
    filled.set_entity_kind("ana", person.id, "organisation")
    assert filled.get_entity(person.id).kind == "organisation"
    undo_redo_round_trip(filled, before, lambda: None)
    with pytest.raises(ValueError):
        filled.set_entity_kind("ana", person.id, "vegetable")

    before = snapshot(filled)
    assert filled.add_alias("ana", person.id, "the broker")
    assert not filled.add_alias("ana", person.id, "The Broker")
    undo_redo_round_trip(filled, before, lambda: None)
    before = snapshot(filled)
    assert filled.remove_alias("ana", person.id, "the broker")
    undo_redo_round_trip(filled, before, lambda: None)


def test_alias_hits_become_mentions(filled):
    slovakia = entity(filled, "Slovakia")
    add_article_with_names(filled, "More", "Officials in Slovakia and slovakian press.", {})
    hits = filled.find_text("Slovakia")
    assert len(hits) == 1  # the two already marked are left out; "slovakian" is no hit
    before = snapshot(filled)
    assert filled.add_mentions("ana", slovakia.id, hits) == 1
    assert filled.get_entity(slovakia.id).mention_count == 3
    undo_redo_round_trip(filled, before, lambda: None)


def test_mark_and_drop_mention(filled):
    art = filled.list_articles(order="id")[2]
    body = filled.get_article(art.id).body
    person = entity(filled, "Ashot Mkrtychev")
    before = snapshot(filled)
    mention_id = filled.add_mention("ana", art.id, person.id, 0, 7)
    (m,) = filled.article_mentions(art.id)
    assert (m.text, m.origin) == (body[:7], "analyst")
    undo_redo_round_trip(filled, before, lambda: None)
    before = snapshot(filled)
    assert filled.remove_mention("ana", mention_id)
    undo_redo_round_trip(filled, before, lambda: None)
    with pytest.raises(ValueError):
        filled.add_mention("ana", art.id, person.id, 5, 5000)


def test_delete_entity_takes_its_links_and_tags(filled):
    treasury = entity(filled, "Treasury")
    person = entity(filled, "Ashot Mkrtychev")
    link_id = filled.add_link("ana", Link("entity", person.id, "sanctioned by", "entity",
                                          treasury.id))
    filled.set_tag("ana", [("link", link_id)], "confidence", "confirmed")
    filled.set_tag("ana", [("entity", treasury.id)], "role", "official")
    before = snapshot(filled)
    filled.delete_entity("ana", treasury.id)
    assert filled.find_entities("Treasury") == []
    assert filled.links_for("entity", person.id) == []
    assert filled.conn.execute("SELECT count(*) FROM taggings").fetchone() == (0,)
    undo_redo_round_trip(filled, before, lambda: None)


def test_event_edits(filled):
    (event,) = filled.list_events()
    person = entity(filled, "Ashot Mkrtychev")
    before = snapshot(filled)
    filled.update_event("ana", event.id, date_start="2023-03-24", precision="day")
    got = filled.get_event(event.id)
    assert (got.date_start, got.precision, got.resolution) == ("2023-03-24", "day", "analyst")
    undo_redo_round_trip(filled, before, lambda: None)
    before = snapshot(filled)
    assert filled.set_event_entity("ana", event.id, person.id, True)
    assert person.id in filled.get_event(event.id).entity_ids
    undo_redo_round_trip(filled, before, lambda: None)
    before = snapshot(filled)
    art = filled.list_articles(order="id")[0].id
    new_id = filled.create_event("ana", title="Designation announced", date_start="2023-03-30",
                                 article_id=art, evidence_start=0, evidence_end=10,
                                 entity_ids=[person.id])
    assert filled.get_event(new_id).entity_ids == [person.id]
    assert filled.history("event", new_id)[0].action == "create event"
    undo_redo_round_trip(filled, before, lambda: None)


def test_article_date_resolves_its_relative_events(filled):
    art = filled.list_articles(order="id")[3]  # the article carrying the event
    filled.conn.execute("UPDATE events SET resolution = 'unresolved', date_start = NULL")

    def resolve(text, anchor):
        assert text == "last month"
        year, month = int(anchor[:4]), int(anchor[5:7])
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
        return f"{year:04d}-{month:02d}", None, "month"

    before = snapshot(filled)
    assert filled.set_article_date("ana", art.id, "2023-04-04", "day", resolve) == 1
    (event,) = filled.list_events()
    assert (event.date_start, event.resolution) == ("2023-03", "relative")
    assert filled.get_article(art.id).published == "2023-04-04"
    undo_redo_round_trip(filled, before, lambda: None)
