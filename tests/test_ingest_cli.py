"""`dossier ingest` on the piles analysts have: nested folders, hidden files, other formats,
dates in file names and file times, a dry run, and a progress bar only on a terminal."""

from __future__ import annotations

import os
import pty
import sqlite3
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from dossier.cli import main


def article(path: Path, title: str, body: str, header: str = "") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"{title}\n\n{header}{body}\n", encoding="utf-8")
    return path


def ingest(*args: str | Path):
    return CliRunner().invoke(main, ["ingest", *map(str, args), "--extractor", "rules"])


def rows(db: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


@pytest.fixture
def pile(tmp_path):
    """A folder as it comes off a shared drive: nested, with a .git, editor and macOS
    droppings, and files of other formats."""
    root = tmp_path / "pile"
    article(root / "one.txt", "One", "The Treasury sanctioned a broker.")
    article(root / "2023" / "march" / "two.md", "", "Kim Jong Un visited Moscow.")
    (root / "2023" / "march" / "two.md").write_text(
        "---\ntitle: Two\n---\nKim Jong Un visited Moscow.\n", encoding="utf-8")
    article(root / "2023" / "april" / "deep" / "three.txt", "Three", "NATO met in Brussels.")
    article(root / ".git" / "notes.txt", "Git", "Not an article at all.")
    article(root / "2023" / ".drafts" / "draft.txt", "Draft", "Half a story.")
    article(root / ".one.txt.swp", "Swap", "Editor junk.")
    article(root / "2023" / "._two.md", "Apple", "Resource fork.")
    (root / "report.docx").write_bytes(b"PK\x03\x04 word")
    (root / "2023" / "notes.docx").write_bytes(b"PK\x03\x04 word")
    (root / "photo.png").write_bytes(b"\x89PNG\r\n")
    return root


def test_folders_are_read_at_any_depth_and_the_skipped_are_counted_by_kind(tmp_path, pile):
    db = tmp_path / "out.db"
    result = ingest(db, pile)
    assert result.exit_code == 0, result.output
    assert sorted(t for (t,) in rows(db, "SELECT title FROM articles")) == ["One", "Three",
                                                                             "Two"]
    lines = result.stdout.splitlines()
    assert lines[0] == f"{db}: 3 added, 0 duplicate, 0 refused (extractor: rules)"
    # .git and .drafts (folders, not walked), .one.txt.swp and ._two.md (files)
    assert lines[1] == "skipped: 4 hidden, 2 .docx, 1 .png (not an article format)"
    assert "Git" not in result.stdout and result.stderr == ""


def test_a_clean_folder_says_nothing_was_skipped(tmp_path):
    article(tmp_path / "in" / "a.txt", "A", "The Treasury acted.")
    result = ingest(tmp_path / "out.db", tmp_path / "in")
    assert result.exit_code == 0
    assert "skipped" not in result.stdout


def test_a_hidden_file_named_on_the_command_line_is_read(tmp_path):
    hidden = article(tmp_path / ".named.txt", "Named", "The Treasury acted.")
    db = tmp_path / "out.db"
    assert ingest(db, hidden).exit_code == 0
    assert rows(db, "SELECT title FROM articles") == [("Named",)]


def test_dry_run_lists_every_file_and_creates_nothing(tmp_path, pile):
    db = tmp_path / "sub" / "out.db"  # not even its folder needs to exist
    result = CliRunner().invoke(main, ["ingest", str(db), str(pile), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert not db.exists() and not db.parent.exists()
    out = result.stdout.splitlines()
    assert f"read {pile / 'one.txt'} (text)" in out
    assert f"read {pile / '2023' / 'march' / 'two.md'} (markdown)" in out
    assert f"read {pile / '2023' / 'april' / 'deep' / 'three.txt'} (text)" in out
    assert f"skip {pile / '.git'} (hidden folder)" in out
    assert f"skip {pile / '2023' / '.drafts'} (hidden folder)" in out
    assert f"skip {pile / '.one.txt.swp'} (hidden)" in out
    assert f"skip {pile / 'report.docx'} (.docx: not an article format)" in out
    assert f"skip {pile / 'photo.png'} (.png: not an article format)" in out
    assert out[-1] == ("dry run: 3 would be read; skipped: 4 hidden, 2 .docx, 1 .png "
                       "(not an article format); nothing written")
    assert not any("notes.txt" in line or "draft.txt" in line for line in out)


def test_dry_run_leaves_an_existing_dossier_as_it_was(tmp_path, pile):
    db = tmp_path / "out.db"
    assert ingest(db, pile / "one.txt").exit_code == 0
    before = db.read_bytes()
    result = CliRunner().invoke(main, ["ingest", str(db), str(pile), "--dry-run"])
    assert result.exit_code == 0
    assert db.read_bytes() == before
    assert rows(db, "SELECT count(*) FROM articles") == [(1,)]


def test_dry_run_names_what_would_be_refused(tmp_path):
    result = CliRunner().invoke(main, ["ingest", str(tmp_path / "out.db"),
                                       str(tmp_path / "missing"), "--dry-run"])
    assert result.exit_code == 0
    assert f"refuse {tmp_path / 'missing'}: no such file or folder" in result.stdout
    assert not (tmp_path / "out.db").exists()


@pytest.mark.parametrize(("name", "published", "precision"), [
    ("2023-04-04-sanctions.txt", "2023-04-04", "day"),
    ("20230404_sanctions.txt", "2023-04-04", "day"),
    ("2023_04_04 sanctions.txt", "2023-04-04", "day"),
    ("2023-04_sanctions.txt", "2023-04", "month"),
    ("2023-13-04-not-a-month.txt", None, "unknown"),
    ("sanctions-2023-04-04.txt", None, "unknown"),  # only a name that starts with one
])
def test_date_from_name(tmp_path, name, published, precision):
    article(tmp_path / "in" / name, "Broker sanctioned", "The Treasury acted last week.")
    db = tmp_path / "out.db"
    result = ingest(db, tmp_path / "in", "--date-from-name")
    assert result.exit_code == 0, result.output
    assert rows(db, "SELECT published, published_precision FROM articles") == [
        (published, precision)]


def test_date_from_name_resolves_relative_dates_and_never_beats_the_articles_own(tmp_path):
    article(tmp_path / "in" / "2023-04-04-a.txt", "Undated", "The Treasury acted last week.")
    article(tmp_path / "in" / "2023-04-04-b.txt", "Dated", "The Treasury acted.",
            header="Published: 02 May 2021\n\n")
    db = tmp_path / "out.db"
    assert ingest(db, tmp_path / "in", "--date-from-name").exit_code == 0
    assert dict(rows(db, "SELECT title, published FROM articles")) == {
        "Undated": "2023-04-04", "Dated": "2021-05-02"}
    # "last week" counts from the date the name gave: Monday to Sunday of the week before.
    assert rows(db, "SELECT date_start, date_end, resolution FROM events "
                    "WHERE date_text = 'last week'") == [("2023-03-27", "2023-04-02", "relative")]


def test_without_the_flag_a_name_gives_no_date(tmp_path):
    article(tmp_path / "in" / "2023-04-04-a.txt", "Undated", "The Treasury acted.")
    db = tmp_path / "out.db"
    assert ingest(db, tmp_path / "in").exit_code == 0
    assert rows(db, "SELECT published, published_precision FROM articles") == [
        (None, "unknown")]


def _set_mtime(path: Path, day: date) -> None:
    noon = time.mktime((day.year, day.month, day.day, 12, 0, 0, 0, 0, -1))
    os.utime(path, (noon, noon))


def test_date_from_mtime_is_opt_in_and_comes_after_the_name(tmp_path):
    plain = article(tmp_path / "in" / "plain.txt", "Plain", "The Treasury acted.")
    named = article(tmp_path / "in" / "2023-04-04-named.txt", "Named", "NATO met.")
    own = article(tmp_path / "in" / "own.txt", "Own", "Kim spoke.",
                  header="Published: 02 May 2021\n\n")
    for path in (plain, named, own):
        _set_mtime(path, date(2022, 11, 9))

    without = tmp_path / "without.db"
    assert ingest(without, tmp_path / "in").exit_code == 0
    assert dict(rows(without, "SELECT title, published FROM articles")) == {
        "Plain": None, "Named": None, "Own": "2021-05-02"}

    both = tmp_path / "both.db"
    assert ingest(both, tmp_path / "in", "--date-from-name", "--date-from-mtime").exit_code == 0
    assert set(rows(both, "SELECT title, published, published_precision FROM articles")) == {
        ("Plain", "2022-11-09", "day"), ("Named", "2023-04-04", "day"),
        ("Own", "2021-05-02", "day")}

    mtime_only = tmp_path / "mtime.db"
    assert ingest(mtime_only, tmp_path / "in", "--date-from-mtime").exit_code == 0
    assert dict(rows(mtime_only, "SELECT title, published FROM articles"))["Named"] == \
        "2022-11-09"


def test_dry_run_says_which_date_a_name_gives(tmp_path):
    article(tmp_path / "in" / "20230404_a.txt", "A", "The Treasury acted.")
    result = CliRunner().invoke(main, ["ingest", str(tmp_path / "out.db"), str(tmp_path / "in"),
                                       "--dry-run", "--date-from-name"])
    assert f"read {tmp_path / 'in' / '20230404_a.txt'} (text; dated 2023-04-04 unless it " \
           "has a date)" in result.stdout


def _run_with_terminal_stderr(args: list[str], cwd: Path) -> tuple[int, str, str]:
    """Run the program with stderr on a pseudo-terminal (as in a shell) and stdout a pipe."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "dossier", *args], cwd=cwd,
                            stdout=subprocess.PIPE, stderr=follower, stdin=subprocess.DEVNULL)
    os.close(follower)
    seen = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the follower closed: the program is done
            break
        if not chunk:
            break
        seen += chunk
    out = proc.stdout.read().decode() if proc.stdout else ""
    os.close(leader)
    return proc.wait(timeout=60), out, seen.decode(errors="replace")


def test_progress_with_articles_a_second_on_a_terminal_only(tmp_path):
    for i in range(30):
        article(tmp_path / "in" / f"a{i:02}.txt", f"Story {i}", f"The Treasury acted {i}.")
    status, out, err = _run_with_terminal_stderr(
        ["ingest", str(tmp_path / "tty.db"), str(tmp_path / "in"), "--extractor", "rules"],
        tmp_path)
    assert status == 0 and "30 added" in out
    assert "ingesting" in err and "100%" in err and "articles/s" in err
    assert "30 articles" in err

    piped = ingest(tmp_path / "pipe.db", tmp_path / "in")
    assert piped.exit_code == 0 and "30 added" in piped.stdout
    assert "ingesting" not in piped.stderr and "articles/s" not in piped.output
