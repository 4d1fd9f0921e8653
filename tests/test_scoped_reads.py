"""Reads within a scope: the articles a filter keeps, their entities and events, and search."""

from __future__ import annotations

import pytest
from dossier_helpers import add_article_with_names, make_article

from dossier.model import Event, Mention, Scope, TagFilter

# The store's suites run on both engines (tests/conftest.py).
pytestmark = pytest.mark.both_engines


@pytest.fixture
def room(store):
    """Five articles: two relevant (one also key), one background, one noise, one untagged."""
    ids = {}
    specs = [
        ("Iran-Contra hearings", "Oliver North told the Senate about Iran-Contra. "
         "Oliver North met Poindexter.", {"Oliver North": "person", "Senate": "organisation",
                                          "Poindexter": "person"}, "AP", "1987-02-26"),
        ("Reagan on arms", "Reagan spoke about arms sales to Iran. Oliver North was named.",
         {"Reagan": "person", "Oliver North": "person", "Iran": "place"}, "Reuters", "1987-03"),
        ("Budget talks", "Reagan and the Senate argued over the budget.",
         {"Reagan": "person", "Senate": "organisation"}, "AP", "1987-05-02"),
        ("Grain prices", "Wheat futures rose in Chicago.", {"Chicago": "place"}, "Reuters",
         "1987-02-27"),
        ("Undated note", "U.S. officials met in Chicago.", {"Chicago": "place"}, None, None),
    ]
    for title, body, names, source, published in specs:
        precision = {None: "unknown", 7: "month", 10: "day"}[len(published) if published
                                                             else None]
        ids[title], _ = add_article_with_names(store, title, body, names, source=source,
                                               published=published,
                                               published_precision=precision)
    tag = store.set_tag
    tag("ana", [("article", ids["Iran-Contra hearings"]), ("article", ids["Reagan on arms"])],
        "triage", "relevant", exclusive=True)
    tag("ana", [("article", ids["Iran-Contra hearings"])], "priority", "key")
    tag("ana", [("article", ids["Budget talks"])], "triage", "background", exclusive=True)
    tag("ana", [("article", ids["Grain prices"])], "triage", "noise", exclusive=True)
    return store, ids


def titles(rows):
    return [r.title for r in rows]


RELEVANT = (("triage", "relevant"),)


def test_or_within_a_set_and_across_sets(room):
    store, _ = room
    both = Scope(tags=(("triage", "relevant"), ("triage", "background")))
    assert titles(store.articles_page(both)) == ["Iran-Contra hearings", "Reagan on arms",
                                                 "Budget talks"]
    assert store.count_articles(both) == 3
    key_and_relevant = Scope(tags=(("triage", "relevant"), ("priority", "key")))
    assert titles(store.articles_page(key_and_relevant)) == ["Iran-Contra hearings"]
    # Today's TagFilter callers get what they got before.
    assert store.count_articles(TagFilter(all_of=[("triage", "relevant")])) == 2
    assert store.count_articles() == 5


def test_untagged_query_dates_sources_marked(room):
    store, ids = room
    assert titles(store.articles_page(Scope(untagged_in=("triage",)))) == ["Undated note"]
    assert titles(store.articles_page(Scope(query="Iran-Contra"))) == ["Iran-Contra hearings"]
    assert titles(store.articles_page(Scope(query="U.S."))) == ["Undated note"]
    assert store.count_articles(Scope(query="...")) == 0
    feb = Scope(date_from="1987-02", date_to="1987-03")
    assert titles(store.articles_page(feb)) == ["Iran-Contra hearings", "Grain prices",
                                                "Reagan on arms"]
    # A month-precision date is in a range that starts inside that month.
    assert titles(store.articles_page(Scope(date_from="1987-03-10"))) == ["Reagan on arms",
                                                                           "Budget talks"]
    assert titles(store.articles_page(Scope(date_to="1987-02-26"))) == ["Iran-Contra hearings"]
    assert titles(store.articles_page(Scope(sources=("Reuters",)), "title")) == [
        "Grain prices", "Reagan on arms"]
    marked = Scope(article_ids=frozenset({ids["Grain prices"], ids["Budget talks"]}))
    assert titles(store.articles_page(marked, "-published")) == ["Budget talks", "Grain prices"]
    assert store.count_articles(Scope(article_ids=frozenset())) == 0
    assert store.article_in_scope(ids["Grain prices"], marked)
    assert not store.article_in_scope(ids["Undated note"], marked)


def test_orders_and_pages(room):
    store, _ = room
    assert titles(store.articles_page(None, "published")) == [
        "Iran-Contra hearings", "Grain prices", "Reagan on arms", "Budget talks", "Undated note"]
    assert titles(store.articles_page(None, "title", offset=1, limit=2)) == [
        "Grain prices", "Iran-Contra hearings"]
    assert titles(store.articles_page(Scope(), "source"))[0] == "Undated note"  # no source
    with pytest.raises(ValueError):
        store.articles_page(None, "random")


def test_entities_of_these_articles_counted_within(room):
    store, _ = room
    scope = Scope(tags=RELEVANT)
    rows = store.entities_page(scope)
    assert [(e.name, e.mention_count, e.article_count) for e in rows] == [
        ("Oliver North", 3, 2), ("Iran", 1, 1), ("Poindexter", 1, 1), ("Reagan", 1, 1),
        ("Senate", 1, 1)]
    assert store.count_entities(scope) == 5
    # Dossier-wide, Reagan is named twice and Chicago is there; not in the scope.
    everything = {e.name: e.mention_count for e in store.entities_page(None)}
    assert everything["Reagan"] == 2 and "Chicago" in everything
    assert [e.name for e in store.entities_page(scope, kind="person", order="name")] == [
        "Oliver North", "Poindexter", "Reagan"]
    assert [e.name for e in store.entities_page(scope, name_prefix="oli")] == ["Oliver North"]
    assert store.count_entities(scope, name_prefix="p") == 1
    assert store.count_entities(scope, kind="place") == 1
    by_name = store.entities_page(scope, order="name", offset=1, limit=2)
    assert [(e.name, e.mention_count) for e in by_name] == [("Oliver North", 3),
                                                            ("Poindexter", 1)]
    assert [e.name for e in store.entities_page(Scope(sources=("Reuters",)))] == [
        "Chicago", "Iran", "Oliver North", "Reagan"]


def test_entity_counts_follow_a_new_tag(room):
    store, ids = room
    scope = Scope(tags=RELEVANT)
    assert store.count_entities(scope) == 5
    store.set_tag("ana", [("article", ids["Grain prices"])], "triage", "relevant",
                  exclusive=True)
    assert "Chicago" in [e.name for e in store.entities_page(scope)]


def test_events_of_the_scope(store):
    for i, (date, tag) in enumerate([("1987-03-01", "relevant"), (None, "relevant"),
                                     ("1987-01-01", "noise"), ("1986-12-01", "relevant")]):
        event = Event(title=f"event {i}", date_start=date, precision="day",
                      resolution="absolute" if date else "unresolved")
        article_id = store.ingest_article(make_article(f"A{i}", f"Body {i}."), [], [],
                                          [(event, [])])
        store.set_tag("ana", [("article", article_id)], "triage", tag)
    scope = Scope(tags=RELEVANT)
    assert [e.title for e in store.events_page(scope)] == ["event 3", "event 0", "event 1"]
    assert [e.title for e in store.events_page(scope, offset=1, limit=1)] == ["event 0"]
    assert [e.title for e in store.events_page(scope, offset=2)] == ["event 1"]
    assert store.count_events(scope) == 3
    assert store.count_events() == 4
    assert len(store.events_page(None)) == 4


def test_entities_in_an_evidence_sentence(store):
    body = "Oliver North met Poindexter. Reagan was away."
    article_id, ents = add_article_with_names(store, "T", body, {
        "Poindexter": "person", "Oliver North": "person", "Reagan": "person"})
    first = body.index(".") + 1
    assert [e.name for e in store.entities_in_span(article_id, 0, first)] == [
        "Oliver North", "Poindexter"]
    assert [e.name for e in store.entities_in_span(article_id, first, len(body))] == ["Reagan"]
    assert store.entities_in_span(article_id, 3, 8) == []  # inside a name: none whole


def test_search_hits_carry_title_source_date_and_order(room):
    store, _ = room
    hits = store.search("Iran-Contra")
    assert [(h.title, h.source, h.published) for h in hits] == [
        ("Iran-Contra hearings", "AP", "1987-02-26")]
    assert "\ue000" in hits[0].snippet
    newest = store.search("Oliver OR Chicago", order="newest")
    assert titles(newest) == ["Reagan on arms", "Grain prices", "Iran-Contra hearings",
                              "Undated note"]
    assert titles(store.search("Oliver OR Chicago", order="newest", offset=3)) == [
        "Undated note"]
    assert titles(store.search("Oliver OR Chicago", order="newest", offset=2, limit=1)) == [
        "Iran-Contra hearings"]
    assert titles(store.search("Oliver OR Chicago", scope=Scope(tags=RELEVANT),
                               order="newest")) == ["Reagan on arms", "Iran-Contra hearings"]
    # recent: the latest added first (the articles were added in the fixture's order).
    assert titles(store.search("Oliver OR Chicago", order="recent")) == [
        "Undated note", "Grain prices", "Reagan on arms", "Iran-Contra hearings"]
    assert titles(store.search("Oliver OR Chicago", order="recent", offset=1, limit=2,
                               scope=Scope(sources=("Reuters",)))) == ["Reagan on arms"]
    assert store.count_search("Oliver OR Chicago", scope=Scope(tags=RELEVANT)) == 2
    assert store.count_search("Oliver OR Chicago") == 4
    assert store.search("") == [] and store.search(" AND ") == []
    with pytest.raises(ValueError):
        store.search("x", order="loudest")


def test_mentions_helper_keeps_article_mentions(store):
    # A sanity check of the fixture helper the tests above lean on.
    article_id, _ = add_article_with_names(store, "X", "Reagan and Reagan.", {"Reagan": "person"})
    assert [m.text for m in store.article_mentions(article_id)] == ["Reagan", "Reagan"]
    assert isinstance(store.article_mentions(article_id)[0], Mention)


def test_whole_dossier_orders_and_alias_prefix(room):
    store, _ = room
    by_name = store.entities_page(None, order="name")
    assert [e.name for e in by_name] == ["Chicago", "Iran", "Oliver North", "Poindexter",
                                         "Reagan", "Senate"]
    assert {e.name: (e.mention_count, e.article_count) for e in by_name}["Chicago"] == (2, 2)
    by_articles = store.entities_page(None, order="articles", limit=3)
    assert [(e.name, e.article_count) for e in by_articles] == [
        ("Oliver North", 2), ("Chicago", 2), ("Reagan", 2)]
    north = store.find_entities("Oliver North")[0]
    store.add_alias("ana", north.id, "Ollie")
    assert [e.name for e in store.entities_page(None, name_prefix="oll")] == ["Oliver North"]
    assert [e.name for e in store.entities_page(Scope(tags=RELEVANT), name_prefix="OLL",
                                                order="name")] == ["Oliver North"]
    assert store.count_entities(None, name_prefix="oll") == 1
    assert store.count_entities(None, kind="place") == 2
