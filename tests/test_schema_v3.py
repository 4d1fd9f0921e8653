"""Schema version 3: near-duplicate pairs are a table written at ingest; version-2 and
version-1 files migrate to it (after a backup), and `dossier check` knows it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from dossier_helpers import add_article_with_names
from downgrade import downgrade_to_v1, downgrade_to_v2

from dossier.cli import main
from dossier.store import DossierFileError, Store, migrations, schema
from dossier.store.dedup import near_duplicates
from dossier.store.suggest import copies_of, duplicate_pairs
from tests.test_dedup import STORY

RESENT = STORY.replace("Shipping agents said it would take a week to clear the backlog of "
                       "containers.", "Farmers said fruit had rotted on the quays.")
OTHER = ("The council voted on Monday to close two libraries and a swimming pool to save "
         "money, and the mayor said more cuts would follow in the spring budget, which the "
         "opposition called a disgrace to the city and its children.")


def rows(path: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def three_articles(path: Path) -> Path:
    """A current dossier: a story, another story, and the first one resent."""
    s = Store.open(path, create=True)
    add_article_with_names(s, "Port strike ends", STORY, {"port authority": "organisation"})
    add_article_with_names(s, "Libraries close", OTHER, {})
    add_article_with_names(s, "Port strike over", RESENT, {})
    s.close()
    return path


COUNTED = ("articles", "mentions", "entities", "article_signatures", "article_bands")


def counts(path: Path) -> dict[str, int]:
    return {t: rows(path, f"SELECT count(*) FROM {t}")[0][0] for t in COUNTED}


def test_two_near_copies_ingested_make_a_pair_in_the_file_and_another_story_none(tmp_path):
    path = three_articles(tmp_path / "d.db")
    pairs = rows(path, "SELECT a_id, b_id, similarity FROM article_duplicates")
    assert [(a, b) for a, b, _ in pairs] == [(1, 3)]
    assert pairs[0][2] >= 0.6
    # The table holds what the sketches say, no more and no less.
    s = Store.open(path)
    try:
        assert [(a, b) for a, b, _ in near_duplicates(s.conn)] == [(1, 3)]
    finally:
        s.close()


def test_version_2_file_migrates_to_3_with_its_rows_and_pairs_and_leaves_a_backup(tmp_path):
    path = downgrade_to_v2(three_articles(tmp_path / "old.dossier"))
    before = counts(path)
    assert "article_duplicates" not in {r[0] for r in rows(
        path, "SELECT name FROM sqlite_master")}
    heard: list[tuple[int, int]] = []
    s = Store.open(path, progress=lambda done, total: heard.append((done, total)))
    try:
        assert s.get_meta("schema_version") == str(schema.SCHEMA_VERSION) == "3"
        assert schema.schema_differences(s.conn) == []
    finally:
        s.close()
    assert counts(path) == before == {"articles": 3, "mentions": 1, "entities": 1,
                                      "article_signatures": 3, "article_bands": 12}
    assert rows(path, "SELECT a_id, b_id FROM article_duplicates") == [(1, 3)]
    assert heard and heard[-1][0] == heard[-1][1]  # the progress ends at its total
    backup = tmp_path / "old.dossier.v2.bak"
    assert rows(backup, "SELECT value FROM meta WHERE key = 'schema_version'") == [("2",)]
    assert rows(backup, "SELECT count(*) FROM articles") == [(3,)]
    assert CliRunner().invoke(main, ["check", str(path)]).exit_code == 0


def test_version_1_file_migrates_through_2_to_3(tmp_path):
    path = downgrade_to_v1(three_articles(tmp_path / "old.dossier"))
    assert rows(path, "SELECT count(*) FROM articles") == [(3,)]
    s = Store.open(path)
    try:
        assert s.get_meta("schema_version") == "3"
    finally:
        s.close()
    assert counts(path) == {"articles": 3, "mentions": 1, "entities": 1,
                            "article_signatures": 3, "article_bands": 12}
    assert rows(path, "SELECT a_id, b_id FROM article_duplicates") == [(1, 3)]
    assert (tmp_path / "old.dossier.v1.bak").exists()
    assert CliRunner().invoke(main, ["check", str(path)]).exit_code == 0


def test_version_2_file_with_the_pairs_table_already_is_refused_as_not_version_2(tmp_path):
    path = three_articles(tmp_path / "odd.dossier")
    conn = sqlite3.connect(path)
    conn.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    with pytest.raises(DossierFileError, match="version-2 dossier's.*article_duplicates"):
        Store.open(path)
    assert not (tmp_path / "odd.dossier.v2.bak").exists()


def test_expected_version_2_schema_has_the_sketches_and_not_the_pairs():
    names = {name for (_kind, name) in migrations.expected_objects(2)}
    assert "article_bands" in names and "decisions" in names
    assert "article_duplicates" not in names


def test_the_fold_and_the_review_queue_read_the_pairs_table(tmp_path):
    """A pair written into the table (as another tool might) is what the fold and the
    queue show; the sketches are not consulted when reading."""
    path = tmp_path / "d.db"
    s = Store.open(path, create=True)
    add_article_with_names(s, "Port strike ends", STORY, {})
    add_article_with_names(s, "Libraries close", OTHER, {})
    assert s.folded_copies() == {} and duplicate_pairs(s) == []
    s.close()
    conn = sqlite3.connect(path)
    conn.execute("INSERT INTO article_duplicates (a_id, b_id, similarity) VALUES (1, 2, 0.9)")
    conn.commit()
    conn.close()
    s = Store.open(path)
    try:
        assert s.folded_copies() == {1: [2]}
        assert s.count_articles(None, fold=True) == 1
        assert [(p.a_title, p.b_title, p.similarity) for p in duplicate_pairs(s)] == [
            ("Port strike ends", "Libraries close", 0.9)]
        assert copies_of(s, [1, 2]) == {1: (1, None), 2: (0, 1)}
    finally:
        s.close()


def test_a_pair_written_by_another_connection_folds_at_the_next_read(tmp_path):
    path = tmp_path / "d.db"
    s = Store.open(path, create=True)
    add_article_with_names(s, "Port strike ends", STORY, {})
    add_article_with_names(s, "Libraries close", OTHER, {})
    try:
        assert s.copy_firsts() == {}  # cached now
        other = Store.open(path)
        with other.bulk("FULL"):
            other.conn.execute("INSERT INTO article_duplicates VALUES (1, 2, 0.7)")
        other.close()
        assert s.copy_firsts() == {2: 1}
    finally:
        s.close()


def test_check_reports_a_pair_naming_a_missing_article_and_fix_removes_it(tmp_path):
    path = three_articles(tmp_path / "d.db")
    conn = sqlite3.connect(path)  # foreign keys off, as another tool may have them
    conn.execute("INSERT INTO article_duplicates (a_id, b_id, similarity) VALUES (2, 99, 0.8)")
    conn.commit()
    conn.close()
    result = CliRunner().invoke(main, ["check", str(path)])
    assert result.exit_code == 1
    assert "near-duplicate pair (2, 99) names article 99, which is not in the file" in (
        result.stderr)
    fixed = CliRunner().invoke(main, ["check", "--fix", str(path)])
    assert fixed.exit_code == 0, fixed.output
    assert "removed 1 near-duplicate pairs" in fixed.stdout
    assert rows(path, "SELECT a_id, b_id FROM article_duplicates") == [(1, 3)]
