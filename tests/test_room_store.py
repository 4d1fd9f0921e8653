"""Named views, relation types, and tags on many rows: the reading room's store side."""

from __future__ import annotations

import pytest
from dossier_helpers import add_article_with_names, other_tool
from downgrade import downgrade_to_v1

from dossier.model import DEFAULT_RELATIONS, Link, Scope, ScopeError
from dossier.store import GoneError, Store
from dossier.store.room import ViewSpec
from dossier.tagsets import default_config

# The store's suites run on both engines (tests/conftest.py).
pytestmark = pytest.mark.both_engines


def articles(store, n=3):
    return [add_article_with_names(store, f"A{i}", f"Body {i}.", {})[0] for i in range(n)]


def test_a_named_view_survives_a_restart(db_path):
    store = Store.open(db_path, create=True)
    scope = Scope(tags=(("triage", "relevant"), ("triage", "background")), query="Iran-Contra",
                  date_from="1987-01", article_ids=frozenset({3, 1}))
    store.save_view("ana", "my queue", ViewSpec(scope, "-published", "North"))
    store.save_view("ana", "all noise", {"scope": {"tags": [["triage", "noise"]]}})
    store.save_view("bob", "my queue", ViewSpec())
    store.close()
    store = Store.open(db_path)
    try:
        view = store.get_view("ana", "my queue")
        assert view is not None
        assert view.spec == ViewSpec(scope, "-published", "North")
        assert [v.name for v in store.list_views("ana")] == ["all noise", "my queue"]
        assert store.get_view("bob", "my queue").spec.scope.is_empty()
        assert store.get_view("ana", "nothing") is None
    finally:
        store.close()
    row = other_tool(db_path).execute(
        "SELECT analyst, name, spec FROM saved_views WHERE name = 'all noise'").fetchone()
    assert row[0] == "ana" and '"noise"' in row[2]  # plain JSON, readable by other tools


def test_saving_again_replaces_and_delete_removes(store):
    first = store.save_view("ana", "q", ViewSpec(order="title"))
    second = store.save_view("ana", "  q ", ViewSpec(order="recent", search="x"))
    assert first.id == second.id and second.spec.order == "recent"
    assert second.created_at == first.created_at and second.updated_at >= first.updated_at
    assert len(store.list_views("ana")) == 1
    assert store.delete_view("ana", "q") and not store.delete_view("ana", "q")
    assert store.list_views("ana") == []


def test_saved_views_are_not_undone(store):
    (a,) = articles(store, 1)
    store.set_tag("ana", [("article", a)], "triage", "relevant")
    store.save_view("ana", "q", ViewSpec())
    store.undo("ana")  # takes back the tag, not the view
    assert store.tags_for("article", a) == [] and store.get_view("ana", "q") is not None


@pytest.mark.parametrize("name,says", [("", "empty"), ("x" * 81, "at most 80"),
                                       ("a\x1bb", "control")])
def test_view_names_checked(store, name, says):
    with pytest.raises(ValueError, match=says):
        store.save_view("ana", name, ViewSpec())


@pytest.mark.parametrize("spec,says", [
    ({"scope": {"tags": "x"}}, "'tags'"), ({"order": "loud"}, "order"),
    ({"evil": 1}, "unknown keys"), ([1], "JSON object"), ({"search": 5}, "search"),
])
def test_crafted_view_specs_refused_with_a_reason(store, spec, says):
    with pytest.raises(ScopeError, match=says):
        store.save_view("ana", "q", spec)


def test_a_view_broken_by_another_tool_is_skipped_not_a_crash(store, db_path):
    store.save_view("ana", "good", ViewSpec())
    conn = other_tool(db_path)
    conn.execute("INSERT INTO saved_views (analyst, name, spec, created_at, updated_at) "
                 "VALUES ('ana', 'bad', '{\"scope\": 5', 'x', 'x')")
    conn.commit()
    conn.close()
    assert [v.name for v in store.list_views("ana")] == ["good"]
    with pytest.raises(ScopeError):
        store.get_view("ana", "bad")


def test_relation_types_defaults_tagsets_and_free_text(store):
    names = [r.name for r in store.relation_types()]
    assert names == list(DEFAULT_RELATIONS)
    config = default_config()
    infos = {r.name: r for r in store.relation_types(config)}
    assert infos["works for"].origin == "builtin"
    assert infos["brokered deal with"].origin == "tagset"
    assert infos["brokered deal with"].label == "Arranged a deal with"
    added = store.add_relation_type("ana", "  laundered money for ")
    assert (added.name, added.origin, added.created_by) == ("laundered money for", "analyst",
                                                           "ana")
    assert store.add_relation_type("bob", "Laundered Money For").created_by == "ana"
    assert store.add_relation_type("bob", "WORKS FOR").origin == "builtin"
    assert [r.name for r in store.relation_types()][-1] == "laundered money for"
    # Links keep using the text.
    a, b = articles(store, 2)
    link_id = store.add_link("ana", Link("article", a, added.name, "article", b))
    assert store.get_link(link_id).relation == "laundered money for"


@pytest.mark.parametrize("name,says", [("", "empty"), ("x" * 61, "at most 60"),
                                       ("paid\x00", "control"), ("a\u202eb", "control")])
def test_free_text_relations_checked(store, name, says):
    with pytest.raises(ValueError, match=says):
        store.add_relation_type("ana", name)


def test_default_relations_are_in_the_shipped_tag_sets():
    shipped = default_config().relations
    assert set(DEFAULT_RELATIONS) <= set(shipped)


def test_version_1_links_become_relation_types(tmp_path):
    path = tmp_path / "old.db"
    store = Store.open(path, create=True)
    a, b = articles(store, 2)
    store.add_link("ana", Link("article", a, "brokered deal with", "article", b))
    store.add_link("bob", Link("article", b, "same story", "article", a))
    store.close()
    downgrade_to_v1(path)
    store = Store.open(path)
    try:
        mine = [r for r in store.relation_types() if r.origin == "analyst"]
        assert [(r.name, r.created_by) for r in mine] == [("brokered deal with", "ana")]
    finally:
        store.close()


def test_tag_many_is_one_change_and_one_undo(store):
    ids = articles(store, 4)
    store.set_tag("bob", [("article", ids[0])], "triage", "noise")
    changed = store.tag_many("ana", "article", ids, "triage", "relevant", exclusive=True)
    assert changed == 4
    assert {t.tag for i in ids for t in store.tags_for("article", i)} == {"relevant"}
    batches = {e.batch for e in store.history() if e.analyst == "ana"}
    assert len(batches) == 1
    store.undo("ana")
    assert [t.tag for t in store.tags_for("article", ids[0])] == ["noise"]  # bob's is back
    assert all(store.tags_for("article", i) == [] for i in ids[1:])
    assert store.tag_many("ana", "article", ids[1:], "triage", "relevant", mode="add") == 3
    assert store.tag_many("ana", "article", ids[1:], "triage", "relevant", mode="add") == 0
    assert store.tag_many("ana", "article", ids[1:], "triage", "relevant",
                          mode="remove") == 3
    assert store.tag_many("ana", "article", [], "triage", "relevant") == 0


def test_tag_many_refuses_a_gone_item_whole(store):
    ids = articles(store, 2)
    with pytest.raises(GoneError):
        store.tag_many("ana", "article", [*ids, 999], "triage", "relevant")
    assert all(store.tags_for("article", i) == [] for i in ids)
