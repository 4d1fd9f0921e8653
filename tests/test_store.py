"""The store: round trips, full-text index in step, stable paging, journal, undo and redo."""

from __future__ import annotations

import pytest
from dossier_helpers import add_article_with_names, make_article

from dossier.model import Link, TagFilter
from dossier.store import JournalConflict, ReadOnlyError, Store

# The store's suites run on both engines (tests/conftest.py).
pytestmark = pytest.mark.both_engines


def table(store: Store, name: str) -> list[dict]:
    return list(store.iter_rows(name))


def test_ingested_article_round_trips(store):
    article_id, ents = add_article_with_names(
        store, "Title", "Ashot Mkrtychev met Janet Yellen.",
        {"Ashot Mkrtychev": "person", "Janet Yellen": "person"},
        source="Src", author="Henry Pope", published="2023-04-04", published_precision="day",
    )
    got = store.get_article(article_id)
    assert (got.title, got.source, got.author, got.published) == (
        "Title", "Src", "Henry Pope", "2023-04-04")
    mentions = store.article_mentions(article_id)
    assert [got.body[m.start:m.end] for m in mentions] == ["Ashot Mkrtychev", "Janet Yellen"]
    assert {e.name for e in store.get_entities(m.entity_id for m in mentions).values()} == {
        "Ashot Mkrtychev", "Janet Yellen"}


def test_same_content_twice_is_a_no_op(store):
    article = make_article("T", "Body text.")
    assert store.ingest_article(article, [], [], []) is not None
    again = make_article("T", "Body text.")
    assert store.ingest_article(again, [], [], []) is None
    assert store.count_articles() == 1


def test_entities_resolve_to_existing_and_aliases_merge(store):
    add_article_with_names(store, "A", "Treasury acted.", {"Treasury": "organisation"})
    (treasury,) = store.find_entities("treasury")
    treasury.aliases = ["U.S. Treasury Department"]
    store.ingest_article(make_article("B", "U.S. Treasury Department acted."), [treasury], [], [])
    assert store.count_entities() == 1
    assert store.find_entities("US Treasury Department")[0].id == treasury.id
    assert set(store.get_entity(treasury.id).aliases) == {"Treasury", "U.S. Treasury Department"}


def test_search_ranks_and_snippets(filled):
    hits = filled.search("Mkrtychev")
    assert {h.title for h in hits} == {"Broker sanctioned", "Arms deal alleged"}
    assert all("\ue000Mkrtychev\ue001" in h.snippet for h in hits)
    assert filled.count_search("Mkrtychev") == 2
    assert filled.search('"arms talks"')[0].title == "Arms deal alleged"


@pytest.mark.parametrize("query,titles", [
    ('"unbalanced', set()), ("AND", set()), ("title:", set()), ("(a OR", set()),
    ('"arms talks', {"Arms deal alleged"}), ("(Treasury OR", {"Broker sanctioned",
                                                             "Arms deal alleged"}),
])
def test_any_typed_search_is_a_query_not_an_error(filled, query, titles):
    assert {h.title for h in filled.search(query)} == titles
    assert filled.count_search(query) == len(titles)


@pytest.mark.parametrize("query,titles", [
    ("NEAR(Treasury broker, 2)", {"Near"}),
    ("NEAR(broker Treasury, 5)", {"Near", "Reversed"}),   # either order, as FTS5
    ("NEAR(Treasury broker)", {"Near", "Reversed"}),      # FTS5's default: 10
    ("NEAR(Treasury broker, 1)", set()),
    ('NEAR("Ashot Mkrtychev" Treasury, 3)', {"Near"}),     # a phrase inside
    ("NEAR(Treasury broker sanctioned, 3)", {"Near"}),
    ("Treasury AND broker", {"Near", "Reversed", "Far"}),
])
def test_near_finds_words_within_the_distance_on_both_engines(store, query, titles):
    for title, body in (
        ("Near", "The Treasury sanctioned the broker Ashot Mkrtychev on Thursday."),
        ("Reversed", "Mkrtychev, the broker, was later sanctioned by the Treasury."),
        ("Far", "The Treasury met on Monday. Many days later, after long talks with several "
                "other people in another city, a broker was named."),
    ):
        store.ingest_article(make_article(title, body), [], [], [])
    assert {h.title for h in store.search(query)} == titles
    assert store.count_search(query) == len(titles)


def test_fts_follows_edit_undo_and_delete(filled):
    (hit,) = filled.search("Unrelated")
    filled.update_article("ana", hit.article_id, title="Completely different headline")
    assert filled.search("Unrelated") == []
    assert filled.search("headline")[0].article_id == hit.article_id
    filled.undo("ana")
    assert filled.search("headline") == []
    assert filled.search("Unrelated")[0].article_id == hit.article_id
    with filled.change("ana", "delete article", "article", hit.article_id) as ch:
        ch.delete("articles", hit.article_id)
    assert filled.search("Unrelated") == [] and filled.search("particular") == []
    assert filled.check() == []
    filled.undo("ana")
    assert filled.search("particular")[0].article_id == hit.article_id
    assert filled.check() == []


def test_paging_is_stable_and_complete(store):
    for i in range(57):
        store.ingest_article(make_article(f"Article {i:02d}", f"body {i}",
                                          published=f"2023-01-{i % 28 + 1:02d}"), [], [], [])
    for order in ("published", "-published", "title", "id"):
        seen = []
        for offset in range(0, 60, 10):
            seen += [a.id for a in store.list_articles(offset, 10, order=order)]
        assert len(seen) == 57 and len(set(seen)) == 57
        assert seen == [a.id for a in store.list_articles(0, 100, order=order)]
    dates = [a.published for a in store.list_articles(0, 100, order="published")]
    assert dates == sorted(dates)


def test_entity_listing_counts_and_orders(filled):
    names = [(e.name, e.mention_count) for e in filled.list_entities(order="count")]
    assert names[0] == ("Ashot Mkrtychev", 2)
    assert [e.name for e in filled.list_entities(order="name")] == [
        "Ashot Mkrtychev", "Slovakia", "Treasury"]
    first = filled.list_articles(order="id")[0].id
    assert filled.count_entities(article_id=first) == 3


def test_next_mention_walks_across_articles_and_wraps(filled):
    (person,) = filled.find_entities("Ashot Mkrtychev")
    first = filled.entity_mentions(person.id)
    assert len(first) == 2
    nxt = filled.next_mention(person.id, first[0].article_id, first[0].start)
    assert nxt.article_id == first[1].article_id
    wrapped = filled.next_mention(person.id, nxt.article_id, nxt.start)
    assert wrapped.id == first[0].id
    assert filled.next_mention(person.id, first[0].article_id, first[0].start, -1).id == nxt.id


def test_events_in_date_order_with_entities(filled):
    (event,) = filled.list_events()
    assert (event.date_start, event.precision) == ("2023-03", "month")
    assert filled.get_entities(event.entity_ids)[event.entity_ids[0]].name == "Slovakia"
    assert filled.event_density() == [("2023-03", 1)]


def test_tag_toggle_exclusive_and_filters(filled):
    ids = [a.id for a in filled.list_articles(order="id")]
    assert filled.set_tag("ana", [("article", ids[0])], "triage", "relevant",
                          exclusive=True) == "added"
    assert filled.set_tag("ana", [("article", ids[0])], "triage", "noise",
                          exclusive=True) == "added"
    assert [t.tag for t in filled.tags_for("article", ids[0])] == ["noise"]
    assert filled.set_tag("ana", [("article", ids[0])], "triage", "noise") == "removed"
    assert filled.tags_for("article", ids[0]) == []
    filled.set_tag("bo", [("article", i) for i in ids[:2]], "priority", "high")
    assert {t.analyst for t in filled.tags_for("article", ids[1])} == {"bo"}
    only_high = TagFilter(all_of=[("priority", "high")])
    assert filled.count_articles(only_high) == 2
    left = TagFilter(untagged_in=["priority"])
    assert {a.id for a in filled.list_articles(tag_filter=left)} == set(ids[2:])
    # Bulk toggle: all have it -> removed from all, as one undoable change.
    assert filled.set_tag("bo", [("article", i) for i in ids[:2]], "priority", "high") == "removed"
    filled.undo("bo")
    assert filled.count_articles(only_high) == 2


def test_undo_redo_walks_back_to_exact_state(filled):
    before = {t: table(filled, t) for t in ("taggings", "links", "articles")}
    art = filled.list_articles(order="id")[0].id
    filled.set_tag("ana", [("article", art)], "triage", "relevant")
    link_id = filled.add_link("ana", Link("article", art, "same story", "article", art + 1,
                                          evidence_article_id=art, evidence_start=0,
                                          evidence_end=5))
    filled.set_tag("ana", [("link", link_id)], "confidence", "alleged")
    filled.update_article("ana", art, source="Corrected outlet")
    after = {t: table(filled, t) for t in ("taggings", "links", "articles")}
    for _ in range(4):
        assert filled.undo("ana") is not None
    assert filled.undo("ana") is None
    assert {t: table(filled, t) for t in before} == before
    for _ in range(4):
        assert filled.redo("ana") is not None
    assert filled.redo("ana") is None
    assert {t: table(filled, t) for t in after} == after


def test_undo_is_per_analyst_and_refuses_to_clobber(filled):
    art = filled.list_articles(order="id")[0].id
    filled.set_tag("ana", [("article", art)], "triage", "relevant", exclusive=True)
    filled.set_tag("bo", [("article", art)], "triage", "noise", exclusive=True)
    assert filled.undo("carol") is None
    # ana's tag was replaced by bo: undoing ana's change would clobber bo's work.
    with pytest.raises(JournalConflict):
        filled.undo("ana")
    assert [t.tag for t in filled.tags_for("article", art)] == ["noise"]
    assert filled.undo("bo").action == "tag triage:noise"
    assert [t.tag for t in filled.tags_for("article", art)] == ["relevant"]


def test_new_change_drops_redo(filled):
    art = filled.list_articles(order="id")[0].id
    filled.set_tag("ana", [("article", art)], "triage", "relevant")
    filled.undo("ana")
    filled.set_tag("ana", [("article", art)], "priority", "low")
    assert filled.redo("ana") is None


def test_journal_survives_reopen_and_history_names_who(db_path, filled):
    art = filled.list_articles(order="id")[0].id
    filled.set_tag("ana", [("article", art)], "triage", "relevant")
    filled.close()
    reopened = Store.open(db_path)
    (entry,) = reopened.history("article", art)
    assert (entry.analyst, entry.action, entry.after["tag"]) == (
        "ana", "tag triage:relevant", "relevant")
    assert reopened.undo("ana").action == "tag triage:relevant"
    assert reopened.tags_for("article", art) == []
    reopened.close()


def test_links_both_directions_and_removal_takes_tags(filled):
    a, b = [x.id for x in filled.list_articles(order="id")[:2]]
    link_id = filled.add_link("ana", Link("article", a, "contradicts", "article", b))
    filled.set_tag("ana", [("link", link_id)], "confidence", "alleged")
    assert [lk.id for lk in filled.links_for("article", b)] == [link_id]
    assert filled.remove_link("ana", link_id)
    assert filled.links_for("article", a) == [] and filled.tags_for("link", link_id) == []
    filled.undo("ana")
    assert [t.tag for t in filled.tags_for("link", link_id)] == ["alleged"]


def test_read_only_store_refuses_changes(db_path, filled):
    filled.close()
    ro = Store.open(db_path, readonly=True)
    assert ro.readonly
    with pytest.raises(ReadOnlyError):
        ro.set_tag("ana", [("article", 1)], "triage", "relevant")
    assert ro.count_articles() == 4
    ro.close()


def test_check_finds_an_fts_index_out_of_step(db_path, filled):
    filled.conn.execute("UPDATE articles SET title = 'changed behind our back' WHERE id = 1")
    assert any("full-text" in p for p in filled.check())
    filled.rebuild_fts()
    assert filled.check() == []


def test_bulk_writes_many_articles_in_one_transaction(store):
    with store.bulk():
        for i in range(20):
            store.ingest_article(make_article(f"T{i}", f"bulk body {i}"), [], [], [])
        assert store.ingest_article(make_article("T0", "bulk body 0"), [], [], []) is None
    assert store.count_articles() == 20 and store.count_search("bulk") == 20


def test_failed_bulk_leaves_nothing(store):
    with pytest.raises(RuntimeError), store.bulk():
        store.ingest_article(make_article("T", "gone"), [], [], [])
        raise RuntimeError("interrupted")
    assert store.count_articles() == 0 and store.count_search("gone") == 0


def test_entity_ranking_follows_changes_here_and_elsewhere(db_path, filled):
    assert filled.list_entities(order="count")[0].name == "Ashot Mkrtychev"
    slovakia = filled.find_entities("Slovakia")[0]
    hits = [(a.id, 0, 4) for a in filled.list_articles(order="id")]
    filled.add_mentions("ana", slovakia.id, hits)  # this connection: 2 + 4 mentions
    assert filled.list_entities(order="count")[0].name == "Slovakia"
    other = Store.open(db_path)  # another connection (as another process would)
    other.merge_entities("bo", slovakia.id, other.find_entities("Treasury")[0].id)
    other.close()
    top = filled.list_entities(order="count")[0]
    assert (top.name, top.mention_count) == ("Treasury", 8)
    assert [e.name for e in filled.list_entities(order="count", tag_filter=TagFilter(
        any_of=[("role", "x")]))] == []


def test_article_position_matches_the_list(store):
    for i in range(30):
        published = None if i % 7 == 0 else f"2023-0{i % 3 + 1}-1{i % 5}"
        store.ingest_article(make_article(f"{'ab'[i % 2]}rticle {i % 4}", f"body {i}",
                                          published=published), [], [], [])
    store.set_tag("ana", [("article", i) for i in range(1, 31, 3)], "triage", "relevant")
    keep = TagFilter(all_of=[("triage", "relevant")])
    for order in ("published", "-published", "title", "id"):
        for tag_filter in (None, keep):
            listed = [a.id for a in store.list_articles(0, 100, order=order,
                                                        tag_filter=tag_filter)]
            for index, article_id in enumerate(listed):
                assert store.article_position(article_id, order=order,
                                              tag_filter=tag_filter) == index
    assert store.article_position(2, tag_filter=keep) is None


def test_tags_and_links_leave_the_entity_ranking_cached(filled):
    ranking = filled._entity_ranking()[0]
    first = filled.list_articles(order="id")[0].id
    filled.set_tag("ana", [("article", first)], "triage", "relevant")
    filled.add_link("ana", Link("article", first, "same story", "article", first + 1))
    assert filled._entity_ranking()[0] is ranking  # not recomputed over every mention
    filled.undo("ana")
    assert filled._entity_ranking()[0] is not ranking


def test_event_pages_cross_from_dated_to_unresolved(store):
    from dossier.model import Event

    events = [(Event(title=f"e{i}", date_start=None if i % 3 == 0 else f"2020-0{i % 9 + 1}",
                     precision="month"), []) for i in range(25)]
    store.ingest_article(make_article("T", "body"), [], [], events)
    whole = [e.id for e in store.list_events(0, 100)]
    paged = [e.id for off in range(0, 25, 4) for e in store.list_events(off, 4)]
    assert paged == whole and len(whole) == 25
    dates = [e.date_start for e in store.list_events(0, 100)]
    assert dates[:16] == sorted(dates[:16]) and dates[16:] == [None] * 9
    assert [e.id for e in store.list_events(0, 100, unresolved=True)] == whole[16:]
