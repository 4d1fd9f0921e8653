"""Scope: the article filter that scopes panes and exports (pure part: text and JSON)."""

from __future__ import annotations

import json

import pytest

from dossier.model import Scope, ScopeError, TagFilter


def test_empty_scope_is_empty_and_says_nothing():
    assert Scope().is_empty()
    assert Scope().describe() == ""
    assert not Scope(query="x").is_empty()
    assert Scope(query="   ").is_empty()
    assert not Scope(article_ids=frozenset()).is_empty()  # no marked row: no article


def test_describe_for_a_pane_title():
    scope = Scope(tags=(("triage", "relevant"), ("priority", "key")), query="Iran-Contra",
                  date_from="1987-01", date_to="1987-03")
    assert scope.describe() == 'relevant&key · "Iran-Contra" · 1987-01..1987-03'
    same_set = Scope(tags=(("triage", "relevant"), ("triage", "background")))
    assert same_set.describe() == "relevant|background"
    assert Scope(article_ids=frozenset({1, 2, 3})).describe() == "3 marked"
    assert Scope(untagged_in=("triage",)).describe() == "no triage"
    assert Scope(date_from="1987").describe() == "1987.."
    assert Scope(sources=("AP", "Reuters", "AFP")).describe() == "AP +2 sources"


def test_tag_groups_or_within_a_set():
    scope = Scope(tags=(("triage", "relevant"), ("priority", "key"), ("triage", "background")))
    assert scope.tag_groups() == {"triage": ("relevant", "background"), "priority": ("key",)}


def test_json_round_trip_through_text():
    scope = Scope(tags=(("triage", "relevant"),), query='"a b" OR c', date_from="1987-01-02",
                  date_to="1988", sources=("AP",), article_ids=frozenset({5, 3}),
                  untagged_in=("priority",))
    text = json.dumps(scope.to_json())
    assert Scope.from_json(text) == scope
    assert Scope.from_json(json.loads(text)) == scope
    assert Scope.from_json(Scope().to_json()) == Scope()


@pytest.mark.parametrize("crafted,words", [
    ("not json {", "not JSON"),
    ("[1, 2]", "JSON object"),
    ('{"tags": "triage:relevant"}', "'tags'"),
    ('{"tags": [["triage"]]}', "'tags'"),
    ('{"tags": [[1, 2]]}', "'tags'"),
    ('{"query": 5}', "'query'"),
    ('{"date_from": "yesterday"}', "YYYY"),
    ('{"date_to": 1987}', "'date_to'"),
    ('{"sources": [null]}', "'sources'"),
    ('{"article_ids": [1, "2"]}', "'article_ids'"),
    ('{"article_ids": [true]}', "'article_ids'"),
    ('{"article_ids": [-1]}', "'article_ids'"),
    ('{"article_ids": [99999999999999999999999]}', "'article_ids'"),
    ('{"untagged_in": "triage"}', "'untagged_in'"),
    ('{"evil": 1}', "unknown keys: evil"),
    ('{"version": 9}', "version 9"),
    ("[" * 100000 + "]" * 100000, "JSON"),
])
def test_crafted_json_gives_a_clear_error(crafted, words):
    with pytest.raises(ScopeError) as info:
        Scope.from_json(crafted)
    assert words in str(info.value)


def test_date_bound_checked_when_made():
    with pytest.raises(ScopeError):
        Scope(date_from="1987/01")


def test_from_tag_filter_keeps_existing_callers_meaning():
    tf = TagFilter(any_of=[("triage", "relevant"), ("triage", "background")],
                   untagged_in=["priority"])
    scope = Scope.from_tag_filter(tf)
    assert scope.tag_groups() == {"triage": ("relevant", "background")}
    assert scope.untagged_in == ("priority",)
    assert Scope.from_tag_filter(None) == Scope()
    with pytest.raises(ScopeError):
        Scope.from_tag_filter(TagFilter(none_of=[("triage", "noise")]))
