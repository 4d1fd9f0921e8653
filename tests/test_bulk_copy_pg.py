"""A whole dossier copied into an empty one (store/bulk.py): file -> PostgreSQL (COPY),
PostgreSQL -> file and file -> file, on the server the tests start. What a user checks: the
rows and ids are the same, search finds the text, the analyst's undo still takes back her own
last change, a new change after the copy gets a fresh id, a non-empty target is refused."""

from __future__ import annotations

import pytest
from dossier_helpers import add_article_with_names

from dossier.model import Link
from dossier.store import Store
from dossier.store.bulk import TABLES, NotEmptyError, copy_dossier


def _filled(target) -> dict[str, int]:
    store = Store.open(target, create=True)
    try:
        a1, ents = add_article_with_names(
            store, "Broker sanctioned", "Ashot Mkrtychev was sanctioned by the Treasury.",
            {"Ashot Mkrtychev": "person", "Treasury": "organisation"},
            source="Outlet A", published="2023-04-04", published_precision="day")
        a2, _ = add_article_with_names(
            store, "Arms deal alleged", "The Treasury said Ashot Mkrtychev brokered arms talks.",
            {"Ashot Mkrtychev": "person", "Treasury": "organisation"}, source="Outlet B")
        store.set_tag("olga", [("article", a1)], "triage", "relevant", exclusive=True)
        store.set_tag("bob", [("article", a2)], "triage", "noise", exclusive=True)
        store.add_link("olga", Link("entity", ents[0].id, "member of", "entity", ents[1].id))
        store.save_view("olga", "sanctions", {"search": "sanctioned"})
        store.add_relation_type("olga", "bankrolled")
        store.set_tag("olga", [("article", a2)], "triage", "relevant", exclusive=True)
        return {"a1": a1, "a2": a2}
    finally:
        store.close()


def _dump(store: Store) -> dict[str, list[tuple]]:
    out = {}
    for table in TABLES:
        cols = store.columns(table)
        key = {"article_signatures": "article_id", "article_bands": "band, article_id",
               "article_duplicates": "a_id, b_id"}.get(table, "id")
        out[table] = [tuple(bytes(v) if isinstance(v, memoryview) else v for v in r)
                      for r in store.conn.execute(
                          f"SELECT {', '.join(chr(34) + c + chr(34) for c in cols)} "
                          f"FROM {table} ORDER BY {key}").fetchall()]
    return out


@pytest.mark.parametrize("direction", ["file->pg", "pg->file", "file->file"])
def test_a_whole_dossier_copies_rows_ids_search_and_undo(direction, tmp_path, request):
    pg = request.getfixturevalue("pg_url") if "pg" in direction else None
    source_at = pg if direction.startswith("pg") else tmp_path / "source.db"
    target_at = pg if direction.endswith("pg") else tmp_path / "target.db"
    ids = _filled(source_at)
    source = Store.open(source_at, readonly=True)
    target = Store.open(target_at, create=True)
    try:
        counts = copy_dossier(source, target)
        assert counts["articles"] == 2 and counts["journal"] > 0
        assert _dump(target) == _dump(source)
        assert [h.article_id for h in target.search("sanctioned")] == [ids["a1"]]
        assert [v.name for v in target.list_views("olga")] == ["sanctions"]
        # Olga's last change (article 2 from noise to relevant) is hers to take back there.
        assert target.undo("olga") is not None
        assert [(t.tag, t.analyst) for t in target.tags_for("article", ids["a2"])] == [
            ("noise", "bob")]
        # A new row after the copy takes an id past the copied ones.
        target.set_tag("carl", [("article", ids["a1"])], "extra", "x", mode="add")
        highest = max(r[0] for r in source.conn.execute("SELECT id FROM taggings"))
        [new] = [t for t in target.tags_for("article", ids["a1"]) if t.tagset == "extra"]
        assert new.id > highest
    finally:
        source.close()
        target.close()


def test_a_copy_into_a_dossier_that_holds_rows_is_refused_and_changes_nothing(pg_url,
                                                                             tmp_path):
    _filled(tmp_path / "source.db")
    _filled(pg_url)
    source = Store.open(tmp_path / "source.db", readonly=True)
    target = Store.open(pg_url)
    try:
        before = _dump(target)
        with pytest.raises(NotEmptyError, match="not empty"):
            copy_dossier(source, target)
        assert _dump(target) == before
    finally:
        source.close()
        target.close()


def test_the_copy_and_the_id_counters_know_every_table_of_the_schema(tmp_path):
    """The two hand-kept lists follow the schema: a table missing from `bulk.TABLES` would be
    left behind by a whole copy, and one with ids missing from `pg.ID_TABLES` would hand out
    ids already taken after rows were copied in (and return no id from an insert)."""
    import sqlite3

    from dossier.store.pg import ID_TABLES

    path = tmp_path / "new.db"
    Store.open(path, create=True).close()
    conn = sqlite3.connect(path)
    tables = {name for (name,) in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table'")
        if name != "meta" and not name.startswith(("sqlite_", "articles_fts"))}
    with_ids = {table for table in tables if [
        row[1] for row in conn.execute(f"PRAGMA table_info({table})") if row[5]] == ["id"]}
    conn.close()
    assert sorted(TABLES) == sorted(tables)
    assert ID_TABLES == with_ids
