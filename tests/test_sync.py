"""`dossier pull` and `dossier push`: an offline copy taken from a dossier, worked on, and
brought back; a dossier published into another. Real files, the real command line, and a
real process killed with SIGKILL half-way through a push."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from dossier_helpers import add_article_with_names

from dossier.cli import main
from dossier.store import Store


def run(*args: object) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


def build_team(path: Path) -> dict[str, int]:
    """The team dossier: four articles (two dated 2023, two 2022), shared entities, tags."""
    store = Store.open(path, create=True)
    try:
        a1, ents = add_article_with_names(
            store, "Broker sanctioned", "Ashot Mkrtychev was sanctioned by the Treasury.",
            {"Ashot Mkrtychev": "person", "Treasury": "organisation"},
            published="2023-04-04", published_precision="day")
        a2, _ = add_article_with_names(
            store, "Arms deal alleged", "The Treasury said Ashot Mkrtychev brokered arms talks.",
            {"Ashot Mkrtychev": "person", "Treasury": "organisation"},
            published="2023-03-30", published_precision="day")
        a3, _ = add_article_with_names(
            store, "Old story", "Mkrtychev met officials in Yerevan.",
            {"Mkrtychev": "person", "Yerevan": "place"},
            published="2022-05-01", published_precision="day")
        a4, _ = add_article_with_names(
            store, "Unrelated", "Nothing about anyone here.", {},
            published="2022-01-01", published_precision="day")
        store.set_tag("bob", [("article", a1)], "triage", "relevant", exclusive=True)
        store.set_tag("bob", [("article", a3)], "triage", "relevant", exclusive=True)
        store.set_tag("bob", [("article", a4)], "triage", "noise", exclusive=True)
        broker = ents[0].id
        short = store.find_entities("Mkrtychev")[0].id
        return {"a1": a1, "a2": a2, "a3": a3, "a4": a4, "broker": broker, "short": short}
    finally:
        store.close()


def titles(path: Path) -> set[str]:
    with sqlite3.connect(path) as conn:
        return {t for (t,) in conn.execute("SELECT title FROM articles")}


def tags_of(path: Path) -> set[tuple[str, str, str, str]]:
    """(item name, set, tag, analyst) of every tag in a file: what a colleague would check."""
    with sqlite3.connect(path) as conn:
        rows = conn.execute(
            "SELECT coalesce(a.title, e.name, 'link'), t.tagset, t.tag, t.analyst FROM taggings t"
            " LEFT JOIN articles a ON t.target_kind = 'article' AND a.id = t.target_id"
            " LEFT JOIN entities e ON t.target_kind = 'entity' AND e.id = t.target_id").fetchall()
    return set(rows)


def journal_size(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT count(*) FROM journal").fetchone()[0]


# --------------------------------------------------------------------------- pull

def test_pull_with_tag_takes_exactly_the_tagged_articles(tmp_path):
    team = tmp_path / "team.db"
    build_team(team)
    code, out, err = run("pull", team, tmp_path / "off.db", "--tag", "triage:relevant")
    assert code == 0, err
    assert titles(tmp_path / "off.db") == {"Broker sanctioned", "Old story"}
    assert "2 articles" in out


def test_pull_with_since_takes_exactly_the_later_articles(tmp_path):
    team = tmp_path / "team.db"
    build_team(team)
    code, _out, err = run("pull", team, tmp_path / "off.db", "--since", "2023")
    assert code == 0, err
    assert titles(tmp_path / "off.db") == {"Broker sanctioned", "Arms deal alleged"}
    code, _out, err = run("pull", team, tmp_path / "both.db", "--since", "2023",
                          "--tag", "triage:relevant")
    assert code == 0, err
    assert titles(tmp_path / "both.db") == {"Broker sanctioned"}


def test_pull_records_where_and_when_it_came_from(tmp_path):
    team = tmp_path / "team.db"
    build_team(team)
    assert run("pull", team, tmp_path / "off.db")[0] == 0
    with sqlite3.connect(tmp_path / "off.db") as conn:
        meta = dict(conn.execute("SELECT key, value FROM meta"))
        (team_marks,) = sqlite3.connect(team).execute("SELECT max(id) FROM journal").fetchone()
    record = json.loads(meta["sync.pulled_from"])
    assert record["location"] == str(team)
    assert record["source_journal_mark"] == team_marks
    assert record["id_marks"]["articles"] == 4
    assert record["pulled_at"].startswith("20")
    assert meta["dossier_id"]


def test_pull_refuses_an_existing_file_and_a_missing_source(tmp_path):
    team = tmp_path / "team.db"
    build_team(team)
    (tmp_path / "off.db").write_text("offline work")
    code, _out, err = run("pull", team, tmp_path / "off.db")
    assert code == 2
    assert str(tmp_path / "off.db") in err and "already exists" in err
    assert (tmp_path / "off.db").read_text() == "offline work"
    code, _out, err = run("pull", tmp_path / "nowhere.db", tmp_path / "new.db")
    assert code == 2 and "nowhere.db" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "new.db").exists()


# --------------------------------------------------------------------------- publish

def test_publish_into_an_empty_target_carries_articles_entities_and_work(tmp_path):
    mine = tmp_path / "mine.db"
    ids = build_team(mine)
    store = Store.open(mine)
    store.add_alias("olga", ids["broker"], "A. Mkrtychev")
    store.close()
    code, out, err = run("push", mine, tmp_path / "new.db", "--analyst", "olga")
    assert code == 0, err
    assert "publish" in out
    assert titles(tmp_path / "new.db") == titles(mine)
    assert tags_of(tmp_path / "new.db") == tags_of(mine)  # bob's tags stay bob's
    target = Store.open(tmp_path / "new.db")
    try:
        assert [e.name for e in target.find_entities("A. Mkrtychev")] == ["Ashot Mkrtychev"]
        assert target.check() == []
        # The import is undoable there: the material under olga, the tags under bob.
        assert target.undo("bob") is not None
        assert tags_of(tmp_path / "new.db") == set()
        assert target.undo("olga") is not None
        assert target.count_articles() == 0
    finally:
        target.close()


def test_publish_into_a_non_empty_target_matches_articles_by_content_hash(tmp_path):
    mine = tmp_path / "mine.db"
    ids = build_team(mine)
    store = Store.open(mine)
    store.set_tag("olga", [("entity", ids["broker"])], "role", "broker")
    store.close()
    team = tmp_path / "team.db"
    store = Store.open(team, create=True)
    add_article_with_names(store, "Broker sanctioned",
                           "Ashot Mkrtychev was sanctioned by the Treasury.",
                           {"Ashot Mkrtychev": "person", "Treasury": "organisation"},
                           published="2023-04-04", published_precision="day")
    add_article_with_names(store, "Their own", "Something else by Ashot Mkrtychev.",
                           {"Ashot Mkrtychev": "person"})
    store.close()
    code, out, err = run("push", mine, team, "--analyst", "olga")
    assert code == 0, err
    assert "already there: 1 articles" in out
    assert titles(team) == titles(mine) | {"Their own"}
    with sqlite3.connect(team) as conn:
        assert conn.execute("SELECT count(*) FROM articles WHERE title = 'Broker sanctioned'"
                            ).fetchone() == (1,)
        assert conn.execute("SELECT count(*) FROM entities WHERE name = 'Ashot Mkrtychev'"
                            ).fetchone() == (1,)
    assert ("Ashot Mkrtychev", "role", "broker", "olga") in tags_of(team)
    assert ("Broker sanctioned", "triage", "relevant", "bob") in tags_of(team)
    # Published once: a second push finds nothing new.
    before = journal_size(team)
    code, out, _err = run("push", mine, team, "--analyst", "olga")
    assert code == 0 and "imported nothing new" in out
    assert journal_size(team) == before


# --------------------------------------------------------------------------- take away, bring back

def pull(team: Path, off: Path, *args: str) -> None:
    code, _out, err = run("pull", team, off, *args)
    assert code == 0, err


def team_and_copy(tmp_path: Path) -> tuple[Path, Path, dict[str, int]]:
    """The team dossier of `build_team` and an offline copy pulled from it; the team's ids."""
    team, off = tmp_path / "team.db", tmp_path / "off.db"
    ids = build_team(team)
    pull(team, off)
    return team, off, ids


def test_pull_tag_offline_push_puts_the_tags_under_the_offline_analyst(tmp_path):
    team, off, ids = team_and_copy(tmp_path)
    offline = Store.open(off)
    offline.set_tag("olga", [("article", ids["a2"])], "triage", "relevant", exclusive=True)
    offline.set_tag("olga", [("entity", ids["broker"])], "role", "broker", note="from a source")
    offline.close()
    code, out, err = run("push", off, team)
    assert code == 0, err
    assert out.count("applied: olga") == 2
    assert ("Arms deal alleged", "triage", "relevant", "olga") in tags_of(team)
    assert ("Ashot Mkrtychev", "role", "broker", "olga") in tags_of(team)
    target = Store.open(team)
    try:
        [note] = [t.note for t in target.tags_for("entity", ids["broker"])]
        assert note == "from a source"
        # Journalled under olga in the team dossier: her `u` there takes back her last one.
        assert target.undo("olga").action == "tag role:broker"
        assert ("Ashot Mkrtychev", "role", "broker", "olga") not in tags_of(team)
    finally:
        target.close()


def test_a_second_push_changes_nothing(tmp_path):
    team, off, ids = team_and_copy(tmp_path)
    offline = Store.open(off)
    offline.set_tag("olga", [("article", ids["a2"])], "triage", "relevant", exclusive=True)
    offline.rename_entity("olga", ids["short"], "Mkrtychev (broker)")
    offline.close()
    assert run("push", off, team)[0] == 0
    with sqlite3.connect(team) as conn:
        first = conn.execute("SELECT * FROM journal").fetchall(), conn.execute(
            "SELECT * FROM taggings").fetchall(), conn.execute("SELECT * FROM entities"
                                                               ).fetchall()
    code, out, _err = run("push", off, team)
    assert code == 0
    assert "0 changes applied" in out
    with sqlite3.connect(team) as conn:
        second = conn.execute("SELECT * FROM journal").fetchall(), conn.execute(
            "SELECT * FROM taggings").fetchall(), conn.execute("SELECT * FROM entities"
                                                               ).fetchall()
    assert first == second
    assert any(row[1] == "Mkrtychev (broker)" for row in second[2])


def test_conflicts_are_skipped_and_reported_the_rest_applied(tmp_path):
    team, off, ids = team_and_copy(tmp_path)
    offline = Store.open(off)
    # 1: the same article's triage tag, changed offline and (below) in the team dossier.
    offline.set_tag("olga", [("article", ids["a1"])], "triage", "noise", exclusive=True)
    # 2: a tag on an entity the team then merges away.
    offline.set_tag("olga", [("entity", ids["short"])], "role", "broker")
    # 3 and 4 apply.
    offline.set_tag("olga", [("article", ids["a2"])], "triage", "relevant", exclusive=True)
    offline.update_article("olga", ids["a4"], title="Unrelated (checked)")
    offline.close()
    store = Store.open(team)
    store.set_tag("bob", [("article", ids["a1"])], "triage", "background", exclusive=True)
    store.merge_entities("bob", ids["short"], ids["broker"])
    store.close()
    report = tmp_path / "report.json"
    code, out, err = run("push", off, team, "--report", report)
    assert code == 1, err
    skipped = [line for line in out.splitlines() if line.startswith("skipped:")]
    assert len(skipped) == 2
    assert "tag triage:noise" in skipped[0] and "since the pull by bob" in skipped[0]
    assert "'Mkrtychev'" in skipped[1] and "merged away" in skipped[1]
    tags = tags_of(team)
    assert ("Broker sanctioned", "triage", "background", "bob") in tags
    assert not any(tag[2] == "noise" and tag[0] == "Broker sanctioned" for tag in tags)
    assert ("Arms deal alleged", "triage", "relevant", "olga") in tags
    assert "Unrelated (checked)" in titles(team)
    data = json.loads(report.read_text())
    assert data["status"] == 1
    assert [s["action"] for s in data["skipped"]] == ["tag triage:noise", "tag role:broker"]
    assert all(s["analyst"] == "olga" for s in data["skipped"])
    assert len(data["applied"]) == 2
    # Pushed again: nothing is applied twice, and the two conflicts, reported already, are
    # only counted (exit 0), unless asked for.
    before = journal_size(team)
    code, out, _err = run("push", off, team, "--report", report)
    assert code == 0 and "0 changes applied" in out
    assert "0 skipped as conflicts (and 2 reported before, still not applied" in out
    assert not any(line.startswith(("skipped:", "earlier")) for line in out.splitlines())
    data = json.loads(report.read_text())
    assert data["skipped"] == [] and data["earlier_skipped"] == 2 and "earlier" not in data
    code, out, _err = run("push", off, team, "--all-conflicts", "--report", report)
    assert code == 1
    earlier = [line for line in out.splitlines() if line.startswith("earlier skipped:")]
    assert len(earlier) == 2 and "tag triage:noise" in earlier[0]
    assert [s["action"] for s in json.loads(report.read_text())["earlier"]] == [
        "tag triage:noise", "tag role:broker"]
    assert journal_size(team) == before
    # Bob takes his tag back: Olga's change now applies at the next push, and is gone from
    # the conflicts remembered.
    store = Store.open(team)
    store.undo("bob")  # the merge
    store.undo("bob")  # the tag
    store.close()
    code, out, _err = run("push", off, team)
    assert code == 0 and "2 changes applied" in out, out
    assert ("Broker sanctioned", "triage", "noise", "olga") in tags_of(team)
    code, out, _err = run("push", off, team, "--all-conflicts")
    assert code == 0 and "0 skipped as conflicts;" not in out and "reported before" not in out


def test_an_undo_in_the_file_after_a_push_is_undone_in_the_target(tmp_path):
    team, off, ids = team_and_copy(tmp_path)
    offline = Store.open(off)
    offline.set_tag("olga", [("article", ids["a2"])], "triage", "relevant", exclusive=True)
    offline.close()
    assert run("push", off, team)[0] == 0
    offline = Store.open(off)
    offline.undo("olga")
    offline.close()
    code, out, err = run("push", off, team)
    assert code == 0, err
    assert "undone: olga" in out
    assert ("Arms deal alleged", "triage", "relevant", "olga") not in tags_of(team)


def test_articles_ingested_offline_come_with_their_tags(tmp_path):
    team, off = tmp_path / "team.db", tmp_path / "off.db"
    build_team(team)
    pull(team, off, "--since", "2023")
    offline = Store.open(off)
    new, _ = add_article_with_names(offline, "Found offline", "Ashot Mkrtychev in Prague.",
                                    {"Ashot Mkrtychev": "person", "Prague": "place"})
    offline.set_tag("olga", [("article", new)], "triage", "relevant", exclusive=True)
    offline.close()
    code, out, err = run("push", off, team)
    assert code == 0, err
    assert "Found offline" in titles(team)
    assert ("Found offline", "triage", "relevant", "olga") in tags_of(team)
    with sqlite3.connect(team) as conn:  # the known person is reused, the new place added
        assert conn.execute("SELECT count(*) FROM entities WHERE name = 'Ashot Mkrtychev'"
                            ).fetchone() == (1,)
        assert conn.execute("SELECT count(*) FROM entities WHERE name = 'Prague'"
                            ).fetchone() == (1,)


def test_push_errors_are_one_line_with_status_2(tmp_path):
    team = tmp_path / "team.db"
    build_team(team)
    code, _out, err = run("push", tmp_path / "missing.db", team)
    assert code == 2 and "missing.db" in err and len(err.strip().splitlines()) == 1
    (tmp_path / "notes.txt").write_text("not a dossier\n" * 20)
    code, _out, err = run("push", team, tmp_path / "notes.txt")
    assert code == 2 and "notes.txt" in err and len(err.strip().splitlines()) == 1
    code, _out, err = run("push", team, team)
    assert code == 2 and "same dossier" in err


def test_help_names_the_exit_statuses():
    code, out, _err = run("push", "--help")
    assert code == 0 and "Exit status" in out and "conflicts" in out
    code, out, _err = run("pull", "--help")
    assert code == 0 and "--tag" in out and "--since" in out


# --------------------------------------------------------------------------- a push killed

def test_a_push_killed_mid_way_leaves_whole_batches_and_a_new_push_completes(tmp_path):
    team, off = tmp_path / "team.db", tmp_path / "off.db"
    store = Store.open(team, create=True)
    articles = [add_article_with_names(store, f"Story {n}", f"Body {n} of the story.", {})[0]
                for n in range(60)]
    store.close()
    pull(team, off)
    offline = Store.open(off)
    batches = 300
    with offline.synchronous("OFF"):  # building the offline work fast; the push is FULL
        for n in range(batches):  # each change tags five articles: one batch of five rows
            chosen = [("article", articles[(n + k) % 60]) for k in range(5)]
            offline.set_tag("olga", chosen, "step", f"s{n}")
    offline.close()
    proc = subprocess.Popen([sys.executable, "-m", "dossier", "push", str(off), str(team)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    applied = 0
    while applied < 3 and proc.poll() is None and time.monotonic() < deadline:
        try:
            with sqlite3.connect(f"file:{team}?mode=ro", uri=True, timeout=5) as conn:
                (applied,) = conn.execute(
                    "SELECT count(DISTINCT batch) FROM journal WHERE analyst = 'olga'"
                ).fetchone()
        except sqlite3.OperationalError:
            pass
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL, "the push ended before it could be killed"
    with sqlite3.connect(team) as conn:
        per_tag = dict(conn.execute("SELECT tag, count(*) FROM taggings WHERE tagset = 'step' "
                                    "GROUP BY tag"))
    assert 3 <= len(per_tag) < batches
    assert set(per_tag.values()) == {5}  # every batch whole, none half
    code, out, err = run("push", off, team)
    assert code == 0, err
    with sqlite3.connect(team) as conn:
        per_tag = dict(conn.execute("SELECT tag, count(*) FROM taggings WHERE tagset = 'step' "
                                    "GROUP BY tag"))
        assert conn.execute("SELECT count(DISTINCT batch) FROM journal WHERE analyst = 'olga'"
                            ).fetchone() == (batches,)
    assert len(per_tag) == batches and set(per_tag.values()) == {5}


@pytest.mark.parametrize("extra", [[], ["--tag", "triage:relevant"]])
def test_pulled_copy_passes_check(tmp_path, extra):
    team, off = tmp_path / "team.db", tmp_path / "off.db"
    build_team(team)
    pull(team, off, *extra)
    code, out, err = run("check", off)
    assert code == 0, out + err


def test_publish_carries_corrections_of_articles_the_target_has(tmp_path):
    mine = tmp_path / "mine.db"
    ids = build_team(mine)
    team = tmp_path / "team.db"
    build_team(team)  # the same articles, ingested there too
    store = Store.open(mine)
    store.update_article("olga", ids["a2"], title="Arms deal alleged by Treasury")
    store.merge_entities("olga", ids["short"], ids["broker"])
    store.close()
    store = Store.open(team)
    store.update_article("bob", ids["a4"], title="Unrelated (bob)")
    store.close()
    store = Store.open(mine)
    store.update_article("olga", ids["a4"], title="Unrelated (olga)")
    store.close()
    code, out, err = run("push", mine, team, "--analyst", "olga")
    assert code == 1, err
    assert "Arms deal alleged by Treasury" in titles(team)
    assert "Unrelated (bob)" in titles(team)
    skipped = [line for line in out.splitlines() if line.startswith("skipped:")]
    assert any("title differs" in line and "by bob" in line for line in skipped)
    assert any("entity 'Mkrtychev'" in line and "merged away" in line for line in skipped)
    with sqlite3.connect(team) as conn:
        assert conn.execute("SELECT analyst FROM journal WHERE table_name = 'articles' AND "
                            "after LIKE '%by Treasury%'").fetchone() == ("olga",)
    before = journal_size(team)
    code, out, _err = run("push", mine, team)
    assert code == 0 and journal_size(team) == before


def test_an_offline_merge_and_rename_are_replayed(tmp_path):
    team, off, ids = team_and_copy(tmp_path)
    offline = Store.open(off)
    offline.merge_entities("olga", ids["short"], ids["broker"])
    offline.rename_entity("olga", ids["broker"], "Ashot Mkrtychev (broker)")
    offline.close()
    code, out, err = run("push", off, team)
    assert code == 0, err
    target = Store.open(team)
    try:
        assert target.get_entity(ids["short"]) is None
        assert target.get_entity(ids["broker"]).name == "Ashot Mkrtychev (broker)"
        assert [e.id for e in target.find_entities("Mkrtychev")] == [ids["broker"]]
        assert target.check() == []
    finally:
        target.close()


def test_an_article_edited_in_both_places_is_reported(tmp_path):
    team, off, ids = team_and_copy(tmp_path)
    offline = Store.open(off)
    offline.update_article("olga", ids["a3"], title="Old story (olga)")
    offline.close()
    store = Store.open(team)
    store.update_article("bob", ids["a3"], title="Old story (bob)")
    store.close()
    code, out, _err = run("push", off, team)
    assert code == 1
    assert "article 'Old story' was changed in" in out and "by bob" in out
    assert "Old story (bob)" in titles(team)


def test_a_copy_of_a_pushed_file_worked_on_apart_is_refused(tmp_path):
    team, off, ids = team_and_copy(tmp_path)
    copy = tmp_path / "copy.db"
    copy.write_bytes(off.read_bytes())
    offline = Store.open(off)
    offline.set_tag("olga", [("article", ids["a2"])], "triage", "relevant", exclusive=True)
    offline.close()
    assert run("push", off, team)[0] == 0
    other = Store.open(copy)
    other.set_tag("petr", [("article", ids["a2"])], "triage", "noise", exclusive=True)
    other.close()
    before = journal_size(team)
    code, _out, err = run("push", copy, team)
    assert code == 2 and "copy.db" in err and "pull a fresh copy" in err
    assert journal_size(team) == before


def test_a_journal_row_another_tool_wrote_is_skipped_not_trusted(tmp_path):
    team, off, ids = team_and_copy(tmp_path)
    offline = Store.open(off)
    offline.set_tag("olga", [("article", ids["a2"])], "triage", "relevant", exclusive=True)
    offline.set_tag("olga", [("article", ids["a3"])], "priority", "high")
    offline.close()
    with sqlite3.connect(off) as conn:
        conn.execute("""UPDATE journal SET after = '{"id": 99, "sql": "DROP TABLE x"}'
                        WHERE id = (SELECT max(id) FROM journal)""")
    code, out, _err = run("push", off, team)
    assert code == 1
    assert "is not one this program wrote" in out
    assert ("Arms deal alleged", "triage", "relevant", "olga") in tags_of(team)
    assert not any(tag[1] == "priority" for tag in tags_of(team))


def test_progress_shows_on_a_terminal_and_not_in_a_pipe(tmp_path):
    import pty

    mine = tmp_path / "mine.db"
    store = Store.open(mine, create=True)
    for n in range(80):
        add_article_with_names(store, f"Story {n}", f"Ashot Mkrtychev met Person{n} in Yerevan.",
                               {"Ashot Mkrtychev": "person", f"Person{n}": "person",
                                "Yerevan": "place"})
    store.close()
    leader, follower = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "dossier", "push", str(mine),
                             str(tmp_path / "a.db")], stdout=subprocess.PIPE, stderr=follower)
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the terminal closed: the process is done with it
            break
        if not chunk:
            break
        shown += chunk
    proc.wait()
    os.close(leader)
    assert proc.returncode == 0
    assert b"pushing" in shown and b"%" in shown
    code, _out, err = run("push", mine, tmp_path / "b.db")
    assert code == 0 and err == ""


def test_an_entity_split_offline_is_a_new_entity_in_the_target(tmp_path):
    team, off, ids = team_and_copy(tmp_path)
    offline = Store.open(off)
    [mention] = [m.id for m in offline.article_mentions(ids["a3"])
                 if m.entity_id == ids["short"]]
    new = offline.split_entity("olga", ids["short"], [mention], "Ashot Mkrtychev")
    offline.set_tag("olga", [("entity", new)], "role", "broker")
    offline.close()
    code, out, err = run("push", off, team)
    assert code == 0, out + err
    with sqlite3.connect(team) as conn:
        assert conn.execute("SELECT count(*) FROM entities WHERE name = 'Ashot Mkrtychev'"
                            ).fetchone() == (2,)
        (moved_to,) = conn.execute("SELECT entity_id FROM mentions WHERE id = ?",
                                   (mention,)).fetchone()
    assert moved_to not in (ids["short"], ids["broker"])
    assert ("Ashot Mkrtychev", "role", "broker", "olga") in tags_of(team)


def test_a_pushed_change_undone_in_the_target_stays_undone(tmp_path):
    team, off, ids = team_and_copy(tmp_path)
    offline = Store.open(off)
    offline.set_tag("olga", [("article", ids["a2"])], "triage", "relevant", exclusive=True)
    offline.close()
    assert run("push", off, team)[0] == 0
    target = Store.open(team)
    assert target.undo("olga").action == "tag triage:relevant"
    target.close()
    code, out, _err = run("push", off, team)
    assert code == 0 and "0 changes applied" in out
    assert ("Arms deal alleged", "triage", "relevant", "olga") not in tags_of(team)


def test_a_change_the_target_refuses_is_skipped_whole(tmp_path):
    team, off, ids = team_and_copy(tmp_path)
    offline = Store.open(off)
    offline.set_entity_kind("olga", ids["short"], "organisation")
    offline.close()
    with sqlite3.connect(off) as conn:  # another tool's hand: a kind the schema refuses
        conn.execute("UPDATE journal SET after = replace(after, '\"organisation\"', '\"robot\"')"
                     " WHERE id = (SELECT max(id) FROM journal)")
    code, out, _err = run("push", off, team)
    assert code == 1 and "would break" in out
    target = Store.open(team)
    try:
        assert target.get_entity(ids["short"]).kind == "person"
    finally:
        target.close()


def _views(path) -> set[tuple[str, str, str]]:
    store = Store.open(path, readonly=True)
    try:
        return {(v["analyst"], v["name"], json.loads(v["spec"])["search"]) for v in store.query(
            "SELECT analyst, name, spec FROM saved_views")}
    finally:
        store.close()


def test_push_carries_saved_views_and_relation_types_once(tmp_path):
    team, off = tmp_path / "team.db", tmp_path / "off.db"
    build_team(team)
    store = Store.open(team)
    store.save_view("bob", "sanctions", {"search": "sanctioned"})
    store.save_view("olga", "arms", {"search": "arms"})
    store.close()
    pull(team, off)
    offline = Store.open(off)
    offline.save_view("olga", "yerevan", {"search": "Yerevan"})
    offline.save_view("olga", "arms", {"search": "arms deal"})  # changed offline: newer
    offline.add_relation_type("olga", "bankrolled")
    offline.add_relation_type("olga", "Sanctioned By")
    offline.close()
    store = Store.open(team)
    store.add_relation_type("bob", "sanctioned by")  # the same relation, another case
    store.close()
    code, out, err = run("push", off, team)
    assert code == 0, out + err
    assert "1 views added, 1 views replaced, 1 relation types added" in out
    views = _views(team)
    assert ("olga", "yerevan", "Yerevan") in views
    assert ("olga", "arms", "arms deal") in views
    assert ("bob", "sanctions", "sanctioned") in views
    team_store = Store.open(team, readonly=True)
    names = {r.name: r.created_by for r in team_store.relation_types()
             if r.origin == "analyst"}
    team_store.close()
    assert names == {"bankrolled": "olga", "sanctioned by": "bob"}
    # Pushed again: nothing to carry; a view changed in the team later is kept there.
    store = Store.open(team)
    store.save_view("olga", "yerevan", {"search": "Yerevan airport"})
    store.close()
    code, out, _err = run("push", off, team)
    assert code == 0 and "views added" not in out and "views replaced" not in out
    assert "relation types added" not in out
    assert ("olga", "yerevan", "Yerevan airport") in _views(team)
