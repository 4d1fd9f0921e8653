"""An entity's neighbourhood: links and co-occurrence, one and two hops out."""

from __future__ import annotations

import pytest
from dossier_helpers import add_article_with_names

from dossier.connections import co_occurring, neighbourhood
from dossier.model import Link

# The store's suites run on both engines (tests/conftest.py).
pytestmark = pytest.mark.both_engines


def test_co_occurrence_counts_shared_articles(store):
    for n in range(3):
        add_article_with_names(store, f"A{n}", f"Mkrtychev met Kirby {n}.",
                               {"Mkrtychev": "person", "Kirby": "person"})
    add_article_with_names(store, "B", "Mkrtychev saw Blinken.",
                           {"Mkrtychev": "person", "Blinken": "person"})
    add_article_with_names(store, "C", "Blinken met Yellen.",
                           {"Blinken": "person", "Yellen": "person"})
    ids = {n: store.find_entities(n)[0].id for n in ("Mkrtychev", "Kirby", "Blinken", "Yellen")}
    assert co_occurring(store, ids["Mkrtychev"]) == [(ids["Kirby"], 3), (ids["Blinken"], 1)]
    store.add_link("ana", Link("entity", ids["Kirby"], "member of", "entity", ids["Yellen"]))
    near = neighbourhood(store, ids["Mkrtychev"], hops=2)
    first = [(n.name, n.relation, n.weight) for n in near if n.hop == 1]
    assert first == [("Kirby", "named with", 3), ("Blinken", "named with", 1)]
    second = {(n.name, n.relation) for n in near if n.hop == 2}
    assert ("Yellen", "member of") in second  # linked from Kirby, two hops out
    assert all(n.id != ids["Mkrtychev"] for n in near)


def test_second_hop_rows_say_through_whom(store):
    add_article_with_names(store, "A", "Mkrtychev met Kirby.", {"Mkrtychev": "person",
                                                                 "Kirby": "person"})
    add_article_with_names(store, "B", "Kirby met Blinken.", {"Kirby": "person",
                                                              "Blinken": "person"})
    add_article_with_names(store, "C", "Yellen spoke.", {"Yellen": "person"})
    ids = {n: store.find_entities(n)[0].id for n in ("Mkrtychev", "Kirby", "Blinken", "Yellen")}
    store.add_link("ana", Link("entity", ids["Yellen"], "works for", "entity", ids["Kirby"]))
    near = neighbourhood(store, ids["Mkrtychev"], hops=2)
    rows = {(n.name, n.hop, n.relation, n.via_id, n.via_name) for n in near}
    assert ("Kirby", 1, "named with", None, None) in rows
    assert ("Blinken", 2, "named with", ids["Kirby"], "Kirby") in rows
    assert ("Yellen", 2, "works for", ids["Kirby"], "Kirby") in rows
