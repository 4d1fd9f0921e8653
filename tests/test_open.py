"""Opening files: what is refused, with which message and exit status, and that the bytes
of a refused file are left exactly as they were."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import sys

import pytest
from click.testing import CliRunner

from dossier.cli import main
from dossier.store import DossierFileError, Store, schema
from dossier.store import db as dbmod


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def make_dossier(path):
    s = Store.open(path, create=True)
    from dossier_helpers import add_article_with_names

    add_article_with_names(s, "A title", "Some body with Slovakia.", {"Slovakia": "place"})
    s.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    s.close()
    return path


def text_file(p):
    p.write_text("title,body\nhello,world\n")


def random_bytes(p):
    p.write_bytes(os.urandom(4096))


def empty_file(p):
    p.write_bytes(b"")


def truncated_dossier(p):
    make_dossier(p)
    data = p.read_bytes()
    p.write_bytes(data[: len(data) // 2])


def other_program(p):
    conn = sqlite3.connect(p)
    conn.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
    conn.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY)")
    conn.commit()
    conn.close()


def future_version(p):
    make_dossier(p)
    conn = sqlite3.connect(p)
    conn.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()


def hostile_trigger(p):
    make_dossier(p)
    conn = sqlite3.connect(p)
    conn.execute("CREATE TRIGGER t AFTER INSERT ON taggings BEGIN "
                 "SELECT load_extension('evil'); END")
    conn.commit()
    conn.close()


def hostile_view(p):
    make_dossier(p)
    conn = sqlite3.connect(p)
    conn.execute("CREATE VIEW articles_v AS SELECT * FROM articles")
    conn.commit()
    conn.close()


def lying_version(p):
    """Claims schema version 1, but its articles table is not ours (an extra column)."""
    make_dossier(p)
    conn = sqlite3.connect(p)
    conn.execute("ALTER TABLE articles ADD COLUMN payload TEXT DEFAULT 'x'")
    conn.commit()
    conn.close()


def extra_table(p):
    make_dossier(p)
    conn = sqlite3.connect(p)
    conn.execute("CREATE TABLE sneaky (x)")
    conn.commit()
    conn.close()


CASES = {
    text_file: "not a dossier: a text file",
    random_bytes: "not a dossier: not an SQLite database",
    empty_file: "empty file",
    truncated_dossier: "truncated",
    other_program: "some other program (tables: customers, orders)",
    future_version: "schema version 99 is newer",
    hostile_trigger: "unexpected trigger 't'",
    hostile_view: "unexpected view 'articles_v'",
    lying_version: "table 'articles' is not defined as expected",
    extra_table: "unexpected table 'sneaky'",
}


@pytest.mark.parametrize("maker", list(CASES), ids=[m.__name__ for m in CASES])
@pytest.mark.parametrize("command", ["open", "check", "ingest"])
def test_refused_files_keep_their_bytes(tmp_path, maker, command, monkeypatch):
    path = tmp_path / "victim.db"
    maker(path)
    before = digest(path)
    with pytest.raises(DossierFileError) as info:
        Store.open(path, create=(command == "ingest"))
    assert str(info.value).startswith(str(path) + ": ")
    assert CASES[maker] in str(info.value)
    if command in ("open", "check"):
        result = CliRunner().invoke(main, [command, str(path)])
        assert result.exit_code == 2, result.output
        assert result.stderr.strip() == f"dossier: {path}: {info.value.problem}"
        assert "Traceback" not in result.output
    assert digest(path) == before


def test_missing_file_is_refused_except_when_creating(tmp_path):
    path = tmp_path / "new.db"
    with pytest.raises(DossierFileError, match="no such file"):
        Store.open(path)
    assert not path.exists()
    result = CliRunner().invoke(main, ["check", str(path)])
    assert result.exit_code == 2 and "no such file" in result.stderr
    Store.open(path, create=True).close()
    assert path.exists()


def test_missing_folder_is_refused(tmp_path):
    with pytest.raises(DossierFileError, match="does not exist"):
        Store.open(tmp_path / "nope" / "x.db", create=True)


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0,
                    reason="root ignores file permissions")
def test_read_only_file_opens_read_only(tmp_path):
    path = make_dossier(tmp_path / "ro.db")
    path.chmod(0o444)
    before = digest(path)
    s = Store.open(path)
    assert s.readonly and s.count_articles() == 1
    s.close()
    assert digest(path) == before


def test_read_only_mode_leaves_bytes_alone(tmp_path):
    path = make_dossier(tmp_path / "ro.db")
    before = digest(path)
    s = Store.open(path, readonly=True)
    assert s.readonly and s.search("Slovakia")
    s.close()
    assert digest(path) == before


def test_check_reports_counts_and_ok(tmp_path):
    path = make_dossier(tmp_path / "ok.db")
    result = CliRunner().invoke(main, ["check", str(path)])
    assert result.exit_code == 0, result.output
    assert f"schema version {schema.SCHEMA_VERSION}" in result.stdout
    assert "articles           1" in result.stdout and result.stdout.rstrip().endswith("ok")


def test_check_exits_1_on_integrity_problem(tmp_path):
    path = make_dossier(tmp_path / "bad.db")
    conn = sqlite3.connect(path)
    conn.execute("UPDATE articles SET body = 'edited by another tool'")
    conn.commit()
    conn.close()
    result = CliRunner().invoke(main, ["check", str(path)])
    assert result.exit_code == 1
    assert "full-text index" in result.stderr
    fixed = CliRunner().invoke(main, ["check", "--fix", str(path)])
    assert fixed.exit_code == 0 and "rebuilt" in fixed.stdout


def test_older_version_is_migrated_after_a_backup(tmp_path, monkeypatch):
    path = make_dossier(tmp_path / "old.db")
    conn = sqlite3.connect(path)
    conn.execute("UPDATE meta SET value = '0' WHERE key = 'schema_version'")
    conn.execute("DROP INDEX idx_articles_source")
    conn.commit()
    old_dump = list(conn.iterdump())
    conn.close()

    def zero_to_one(c, progress):
        c.execute("CREATE INDEX idx_articles_source ON articles (source)")

    monkeypatch.setitem(dbmod.MIGRATIONS, 0, zero_to_one)
    # Version 0 never shipped, so without a registered step it is refused as damaged.
    monkeypatch.setattr(dbmod, "_inspect", _inspect_allowing_zero)
    s = Store.open(path)
    assert s.get_meta("schema_version") == str(schema.SCHEMA_VERSION)
    assert s.count_articles() == 1
    s.close()
    # The backup is the old file as SQLite copies it (the backup API: a plain copy would
    # drop the process's locks on the open file): the same schema and rows, version 0.
    backup = tmp_path / "old.db.v0.bak"
    copy = sqlite3.connect(backup)
    assert list(copy.iterdump()) == old_dump
    copy.close()


def _inspect_allowing_zero(path, conn):
    version = int(conn.execute(
        "SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0])
    return version


def test_failed_migration_rolls_back(tmp_path, monkeypatch):
    path = make_dossier(tmp_path / "old.db")
    conn = sqlite3.connect(path)
    conn.execute("UPDATE meta SET value = '0' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()

    def broken(c, progress):
        c.execute("CREATE TABLE half_done (x)")
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setitem(dbmod.MIGRATIONS, 0, broken)
    monkeypatch.setattr(dbmod, "_inspect", _inspect_allowing_zero)
    with pytest.raises(sqlite3.OperationalError):
        Store.open(path)
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone() == ("0",)
    assert conn.execute("SELECT name FROM sqlite_master WHERE name='half_done'").fetchone() is None
    conn.close()
    shutil.rmtree(tmp_path, ignore_errors=True)


@pytest.mark.parametrize("command", [["check"], ["open"], ["export", "-f", "json", "-o", "-"]])
def test_a_fifo_given_as_the_dossier_is_refused_not_waited_on(tmp_path, command):
    """A named pipe nobody writes would block the header read for ever."""
    import subprocess
    import sys

    fifo = tmp_path / "pipe.db"
    os.mkfifo(fifo)
    result = subprocess.run([sys.executable, "-m", "dossier", command[0], str(fifo),
                             *command[1:]], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip() == f"dossier: {fifo}: not a regular file (a pipe, device or " \
        "socket), not a dossier"


def test_a_dossier_on_a_read_only_mount_opens_read_only(tmp_path):
    """Seen: "not a dossier: unable to open database file" (SQLite cannot make the -shm)."""
    import subprocess
    import sys

    folder = tmp_path / "ro"
    folder.mkdir()
    if os.geteuid() != 0 or subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(folder)],
            capture_output=True).returncode != 0:
        pytest.skip("cannot mount a file system here (needs root)")
    try:
        path = make_dossier(folder / "story.db")
        store = Store.open(path)
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        store.close()
        subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)
        result = subprocess.run([sys.executable, "-m", "dossier", "check", str(path)],
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        assert "(read-only)" in result.stdout and result.stdout.rstrip().endswith("ok")
        store = Store.open(path)
        assert store.readonly and store.count_articles() == 1
        store.close()
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)
