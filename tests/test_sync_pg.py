"""`dossier pull` and `dossier push` with a PostgreSQL dossier at the other end: the same
rules as between two files (tests/test_sync.py), on the server the tests start."""

from __future__ import annotations

import json

from click.testing import CliRunner
from dossier_helpers import add_article_with_names

from dossier.cli import main
from dossier.store import Store


def run(*args: object):
    result = CliRunner().invoke(main, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


def test_pull_from_postgresql_tag_offline_push_back_with_a_conflict(pg_url, tmp_path):
    team = Store.open(pg_url, create=True)
    a1, _ = add_article_with_names(team, "Broker sanctioned",
                                   "Ashot Mkrtychev was sanctioned by the Treasury.",
                                   {"Ashot Mkrtychev": "person", "Treasury": "organisation"},
                                   published="2023-04-04", published_precision="day")
    a2, _ = add_article_with_names(team, "Arms deal alleged",
                                   "The Treasury said Ashot Mkrtychev brokered arms talks.",
                                   {"Ashot Mkrtychev": "person", "Treasury": "organisation"},
                                   published="2023-03-30", published_precision="day")
    team.set_tag("bob", [("article", a1)], "triage", "relevant", exclusive=True)
    team.close()
    off = tmp_path / "off.db"
    code, out, err = run("pull", pg_url, off)
    assert code == 0, out + err
    assert "password" not in out
    offline = Store.open(off)
    assert offline.count_articles() == 2
    offline.set_tag("olga", [("article", a1)], "triage", "noise", exclusive=True)
    offline.set_tag("olga", [("article", a2)], "triage", "relevant", exclusive=True)
    offline.close()
    team = Store.open(pg_url)
    team.set_tag("bob", [("article", a1)], "triage", "background", exclusive=True)
    team.close()
    report = tmp_path / "report.json"
    code, out, err = run("push", off, pg_url, "--report", report)
    assert code == 1, out + err
    [skipped] = json.loads(report.read_text())["skipped"]
    assert skipped["action"] == "tag triage:noise" and "bob" in skipped["reason"]
    team = Store.open(pg_url)
    try:
        assert [(t.tag, t.analyst) for t in team.tags_for("article", a1)] == [
            ("background", "bob")]
        assert [(t.tag, t.analyst) for t in team.tags_for("article", a2)] == [
            ("relevant", "olga")]
        journal = team.history("article", a2)
        assert journal[0].analyst == "olga"
    finally:
        team.close()
    code, out, _err = run("push", off, pg_url)  # the conflict, reported once, is counted
    assert code == 0 and "0 changes applied" in out and "1 reported before" in out


def test_publish_a_file_into_postgresql_and_again(pg_url, tmp_path):
    mine = tmp_path / "mine.db"
    store = Store.open(mine, create=True)
    a1, ents = add_article_with_names(store, "Broker sanctioned",
                                      "Ashot Mkrtychev was sanctioned by the Treasury.",
                                      {"Ashot Mkrtychev": "person", "Treasury": "organisation"})
    store.set_tag("olga", [("article", a1)], "triage", "relevant", exclusive=True)
    store.set_tag("olga", [("entity", ents[0].id)], "role", "broker")
    store.close()
    code, out, err = run("push", mine, pg_url, "--analyst", "olga")
    assert code == 0, out + err
    assert "publish" in out
    team = Store.open(pg_url)
    try:
        [article] = team.list_articles()
        assert article.title == "Broker sanctioned"
        assert {(t.tagset, t.tag, t.analyst) for t in team.tags_for("article", article.id)} == {
            ("triage", "relevant", "olga")}
        assert [e.name for e in team.find_entities("Ashot Mkrtychev")] == ["Ashot Mkrtychev"]
        before = len(team.history(limit=1000))
    finally:
        team.close()
    code, out, _err = run("push", mine, pg_url)
    assert code == 0 and "imported nothing new" in out
    team = Store.open(pg_url)
    try:
        assert len(team.history(limit=1000)) == before
    finally:
        team.close()


def test_a_push_under_other_names_needs_the_lead_role(pg_server, pg_url, tmp_path):
    """A role pushes its own offline work; a file holding someone else's changes is refused
    before anything is written, unless the role is a dossier_lead."""
    team = Store.open(pg_url, create=True)
    a1, _ = add_article_with_names(team, "Broker sanctioned", "Ashot Mkrtychev was sanctioned.",
                                   {"Ashot Mkrtychev": "person"})
    a2, _ = add_article_with_names(team, "Arms deal alleged", "Ashot Mkrtychev brokered talks.",
                                   {"Ashot Mkrtychev": "person"})
    team.close()
    as_olga = pg_server.analyst_role(pg_url, "olga_pg")

    mixed, own = tmp_path / "mixed.db", tmp_path / "own.db"
    for file in (mixed, own):
        code, out, err = run("pull", pg_url, file)
        assert code == 0, out + err
    offline = Store.open(mixed)
    offline.set_tag("olga_pg", [("article", a1)], "triage", "relevant", exclusive=True)
    offline.set_tag("mallory", [("article", a2)], "triage", "noise", exclusive=True)
    offline.close()
    code, out, err = run("push", mixed, as_olga)
    assert code == 2
    assert "may not record changes as 'mallory'" in out + err and "nothing was pushed" in out + err
    team = Store.open(pg_url)
    try:
        assert team.tags_for("article", a1) == [] and team.tags_for("article", a2) == []
    finally:
        team.close()

    offline = Store.open(own)
    offline.set_tag("olga_pg", [("article", a2)], "triage", "background", exclusive=True)
    offline.close()
    code, out, err = run("push", own, as_olga)
    assert code == 0, out + err
    team = Store.open(pg_url)
    try:
        assert [(t.tag, t.analyst) for t in team.tags_for("article", a2)] == [
            ("background", "olga_pg")]
    finally:
        team.close()


def test_push_into_postgresql_carries_views_and_relation_types(pg_url, tmp_path):
    off = tmp_path / "off.db"
    store = Store.open(off, create=True)
    add_article_with_names(store, "Broker sanctioned", "Ashot Mkrtychev was sanctioned.",
                           {"Ashot Mkrtychev": "person"})
    store.save_view("postgres", "sanctions", {"search": "sanctioned"})
    store.add_relation_type("postgres", "bankrolled")
    store.close()
    for _ in range(2):  # a second push carries nothing again
        code, out, err = run("push", off, pg_url)
        assert code == 0, out + err
    team = Store.open(pg_url, readonly=True)
    try:
        assert [(v.name, v.spec.search) for v in team.list_views("postgres")] == [
            ("sanctions", "sanctioned")]
        assert "bankrolled" in {r.name for r in team.relation_types()}
    finally:
        team.close()


def test_push_whole_copies_a_file_into_postgresql_then_replays_later_work(pg_url, tmp_path):
    mine = tmp_path / "mine.db"
    store = Store.open(mine, create=True)
    a1, _ = add_article_with_names(store, "Broker sanctioned",
                                   "Ashot Mkrtychev was sanctioned by the Treasury.",
                                   {"Ashot Mkrtychev": "person", "Treasury": "organisation"})
    a2, _ = add_article_with_names(store, "Arms deal alleged", "Arms talks were held.", {})
    store.set_tag("postgres", [("article", a1)], "triage", "relevant", exclusive=True)
    store.set_tag("postgres", [("article", a2)], "triage", "noise", exclusive=True)
    store.save_view("postgres", "sanctions", {"search": "sanctioned"})
    store.close()
    code, out, err = run("push", mine, pg_url, "--whole")
    assert code == 0, out + err
    assert "copy from" in out and "2 articles" in out
    team = Store.open(pg_url)
    try:
        assert [h.article_id for h in team.search("sanctioned")] == [a1]
        assert [v.name for v in team.list_views("postgres")] == ["sanctions"]
        assert team.undo("postgres") is not None  # the file's own last change, undone there
        assert team.tags_for("article", a2) == []
        assert team.redo("postgres") is not None
    finally:
        team.close()
    # Work done in the file afterwards is replayed by a plain push, once.
    store = Store.open(mine)
    store.set_tag("postgres", [("article", a2)], "triage", "relevant", exclusive=True)
    store.close()
    code, out, err = run("push", mine, pg_url)
    assert code == 0 and "1 changes applied" in out, out + err
    team = Store.open(pg_url)
    try:
        assert [t.tag for t in team.tags_for("article", a2)] == ["relevant"]
    finally:
        team.close()
    code, out, err = run("push", mine, pg_url, "--whole")
    assert code == 2 and "empty dossier only" in err and "\n" not in err.strip()


def test_push_whole_under_other_names_needs_the_lead_role(pg_server, pg_url, tmp_path):
    """`push --whole` copies the file's journal as it is: a role that may only record its own
    name is refused a file holding a colleague's changes, before a row is copied."""
    Store.open(pg_url, create=True).close()  # an empty team dossier, made by its owner
    as_vera = pg_server.analyst_role(pg_url, "vera_pg")

    mine = tmp_path / "mine.db"
    offline = Store.open(mine, create=True)
    a1, _ = add_article_with_names(offline, "Broker sanctioned", "Ashot Mkrtychev was sanctioned.",
                                   {"Ashot Mkrtychev": "person"})
    offline.set_tag("vera_pg", [("article", a1)], "triage", "relevant", exclusive=True)
    offline.set_tag("mallory", [("article", a1)], "triage", "noise", exclusive=True)
    offline.close()
    code, out, err = run("push", "--whole", mine, as_vera)
    assert code == 2, out + err
    assert "may not record changes as 'mallory'" in out + err and "nothing was pushed" in out + err
    team = Store.open(pg_url)
    try:
        assert team.count_articles() == 0 and team.history(limit=10) == []
    finally:
        team.close()
