"""Strangers' files: nothing explodes (issue #13).

Each bomb is a few bytes that once cost minutes or gigabytes: alias-expanding YAML, HTML that
made parsing quadratic, JSON nested past Python's recursion, a FIFO or a device named as a
file. Each is refused with one line naming the file, the others still come in, and the time
and peak memory of the test process are measured with generous bounds (machines are noisy:
the bounds tell a bomb from a slow machine, not a fast program from a slow one).
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
import tracemalloc
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner

from dossier.cli import main
from dossier.ingest.pipeline import ingest_paths
from dossier.store import Store
from dossier.tagsets import TagSetFileErrors, load_tagsets

# The classic: nine levels of ten aliases, 10**9 strings from 600 bytes (line 10 is `i`).
LAUGHS = "".join(
    ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"]
    + [f"{c}: &{c} [{', '.join([f'*{p}'] * 10)}]\n" for p, c in zip("abcdefgh", "bcdefghi",
                                                                      strict=True)])
GOOD_MD = "---\ntitle: A good story\ndate: 2021-05-02\n---\nJoe Biden met Vladimir Putin.\n"


# A bomb (a billion laughs, a zip of zips) runs for minutes or fills memory; a loaded shared
# machine takes 25 s over a safe input. The bound tells the two apart without timing anything.
HANG_S = 120


@contextmanager
def bounded(seconds: float, megabytes: float | None = None):
    """Fail when the block takes longer than `seconds`, or (measured with tracemalloc, which
    slows Python down several times) allocates more than `megabytes` at its peak."""
    if megabytes is not None:
        tracemalloc.start()
    start = time.perf_counter()
    try:
        yield
    finally:
        elapsed = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1] if megabytes is not None else 0
        if megabytes is not None:
            tracemalloc.stop()
    assert elapsed < seconds, f"took {elapsed:.1f} s (bound {seconds} s)"
    if megabytes is not None:
        assert peak < megabytes * 2**20, f"peak {peak / 2**20:.0f} MB (bound {megabytes} MB)"


def ingest(*args: str | Path):
    return CliRunner().invoke(main, ["ingest", *map(str, args), "--extractor", "rules"])


def titles(db: Path) -> set[str]:
    conn = sqlite3.connect(db)
    try:
        return {t for (t,) in conn.execute("SELECT title FROM articles")}
    finally:
        conn.close()


# ------------------------------------------------------------------ YAML


def test_front_matter_alias_bomb_refuses_that_article_only(tmp_path):
    """A 600-byte .md once took 23 GB: its title was the expansion of 10**9 aliases."""
    (tmp_path / "bomb.md").write_text("---\n" + LAUGHS + "title: *i\n---\nBody text here.\n")
    (tmp_path / "good.md").write_text(GOOD_MD)
    db = tmp_path / "out.db"
    with bounded(60, megabytes=300):
        result = ingest(db, tmp_path)
    assert result.exit_code == 1, result.output
    assert (f"refused {tmp_path / 'bomb.md'}: front matter refused at line 6: aliases "
            "expand to more than 100,000 values") in result.stderr
    assert "1 added, 0 duplicate, 1 refused" in result.stdout
    assert titles(db) == {"A good story"}


def test_front_matter_over_the_size_limit_is_refused(tmp_path):
    (tmp_path / "big.md").write_text("---\ntitle: Big\nnotes: " + "x" * 70_000 + "\n---\n"
                                     "Body text here.\n")
    (tmp_path / "good.md").write_text(GOOD_MD)
    result = ingest(tmp_path / "out.db", tmp_path)
    assert result.exit_code == 1
    assert f"refused {tmp_path / 'big.md'}: front matter refused: YAML document of 70,018 " \
           "characters; the limit is 65,536" in result.stderr
    assert titles(tmp_path / "out.db") == {"A good story"}


@pytest.mark.parametrize(("text", "where", "message"), [
    (LAUGHS + "tagsets: *i\n", "5:4", "aliases expand to more than 100,000 values"),
    ("tagsets: &loop [*loop]\n", "1:10", "a recursive alias"),
    ("tagsets: " + "[" * 10_000 + "]" * 10_000 + "\n", "1:73", "nested more than 64 levels"),
])
def test_tag_set_bombs_are_one_line_with_position(tmp_path, text, where, message):
    """`dossier tagsets check` once took 86 s on the billion laughs (and a deep list was a
    RecursionError traceback); `--tagsets` on start is refused the same way."""
    path = tmp_path / "bomb.yaml"
    path.write_text(text)
    with bounded(HANG_S, megabytes=200):
        result = CliRunner().invoke(main, ["tagsets", "check", str(path)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"{path}:{where}: {message}")
    assert len(result.stderr.splitlines()) == 1
    store = Store.open(tmp_path / "x.db", create=True)
    store.close()
    with bounded(HANG_S):
        opened = CliRunner().invoke(main, ["open", str(tmp_path / "x.db"), "--tagsets",
                                           str(path)])
    assert opened.exit_code == 2 and f"{path}:{where}: {message}" in opened.stderr


def test_a_stranger_dossier_with_a_bomb_in_meta_tagsets(tmp_path):
    """The app hung on open while `dossier check` said ok."""
    db = tmp_path / "stranger.db"
    store = Store.open(db, create=True)
    store.set_meta("tagsets", LAUGHS + "tagsets: *i\n")
    with bounded(HANG_S, megabytes=200), pytest.raises(TagSetFileErrors) as caught:
        load_tagsets(store=store)
    store.close()
    assert str(caught.value.errors[0]) == (f"{db} (meta.tagsets):5:4: aliases expand to more "
                                           "than 100,000 values (an alias bomb?)")
    with bounded(HANG_S):
        checked = CliRunner().invoke(main, ["check", str(db)])
    assert checked.exit_code == 1
    assert f"{db}: meta.tagsets:5:4: aliases expand to more than 100,000 values" in \
        checked.stderr
    assert "ok" not in checked.stdout.splitlines()
    with bounded(HANG_S):
        opened = CliRunner().invoke(main, ["open", str(db)])
    assert opened.exit_code == 2
    assert opened.stderr == (f"dossier: {db} (meta.tagsets):5:4: aliases expand to more "
                             "than 100,000 values (an alias bomb?)\n")


def test_gazetteer_bomb_is_one_line(tmp_path):
    bomb = tmp_path / "gazetteer.yaml"
    bomb.write_text(LAUGHS + "entities:\n  - {name: *i, kind: person}\n")
    (tmp_path / "good.md").write_text(GOOD_MD)
    with bounded(30, megabytes=300):
        result = CliRunner().invoke(main, ["ingest", str(tmp_path / "out.db"),
                                           str(tmp_path / "good.md"), "--extractor", "rules",
                                           "--gazetteer", str(bomb)])
    assert result.exit_code == 2
    assert result.stderr == (f"dossier: {bomb}:5:4: aliases expand to more than 100,000 "
                             "values (an alias bomb?)\n")


# ------------------------------------------------------------------ HTML


def _page(name: str) -> str:
    return f"<html><body><article><p>{name} story text.</p><p>More words of the story.</p>"


HTML_BOMBS = {
    "nested.html": _page("Nested") + "<div>" * 200_000 + "Deep words.",
    "stray.html": _page("Stray") + "</b>" * 250_000,
    "unclosed.html": _page("Unclosed") + "<a " * 340_000,
    "comments.html": _page("Comment") + "<!--" * 250_000,
}


def test_html_of_a_megabyte_of_stray_nested_or_unclosed_tags(tmp_path):
    """60,000 nested or stray tags took 30 s (a scan of the open elements for each tag and
    each piece of text); 80 KB of unclosed `<a ` took minutes in html.parser."""
    folder = tmp_path / "in"
    folder.mkdir()
    for name, text in HTML_BOMBS.items():
        (folder / name).write_text(text)
        assert len(text) > 1_000_000
    (folder / "good.md").write_text(GOOD_MD)
    store = Store.open(tmp_path / "out.db", create=True)
    with bounded(HANG_S):
        report = ingest_paths(store, [folder], extractor="rules")
    store.close()
    assert report.refused == [] and report.added == 5
    assert titles(tmp_path / "out.db") >= {"A good story", "Nested story text.",
                                           "Stray story text.", "Unclosed story text."}


def test_html_bombs_take_little_memory(tmp_path):
    """Memory, measured on a quarter of each bomb (tracemalloc makes Python several times
    slower): a few times the page at most, not the page times its tags."""
    from dossier.ingest.readers import records

    for name, text in HTML_BOMBS.items():
        path = tmp_path / name
        path.write_text(text[: len(text) // 4])
        with bounded(60, megabytes=50):
            (record,) = list(records(path))
        assert record.title.endswith("story text.")


def test_html_over_the_size_limit_is_refused(tmp_path):
    page = tmp_path / "huge.html"
    page.write_text("<html><body><p>" + "word " * 1_700_000 + "</p></body></html>")
    (tmp_path / "good.md").write_text(GOOD_MD)
    with bounded(HANG_S):
        result = ingest(tmp_path / "out.db", tmp_path)
    assert result.exit_code == 1
    assert f"refused {page}: HTML page of 8,500,033 characters; the limit is 8,388,608" in \
        result.stderr
    assert titles(tmp_path / "out.db") == {"A good story"}


# ------------------------------------------------------------------ JSON


def story(n: int) -> str:
    return json.dumps({"title": f"Story {n}", "text": f"Text of story number {n}."})


def test_deeply_nested_json_lines_refused_with_their_line_the_rest_come_in(tmp_path):
    """A RecursionError traceback once, and the later lines were lost."""
    lines = [story(1), "[" * 100_000 + "]" * 100_000, story(3),
             json.dumps({"title": "Deep", "text": "x", "extra": json.loads("[" * 80 + "]" * 80)}),
             story(5)]
    path = tmp_path / "lines.jsonl"
    path.write_text("\n".join(lines) + "\n")
    with bounded(HANG_S, megabytes=200):
        result = ingest(tmp_path / "out.db", path)
    assert result.exit_code == 1, result.output
    assert f"refused {path}:2: nested more than 64 levels deep" in result.stderr
    assert f"refused {path}:4: nested more than 64 levels deep" in result.stderr
    assert "3 added, 0 duplicate, 2 refused" in result.stdout
    assert titles(tmp_path / "out.db") == {"Story 1", "Story 3", "Story 5"}


def test_json_list_refuses_a_bad_element_alone(tmp_path):
    good = tmp_path / "list.json"
    good.write_text("[" + ",\n".join([story(1), "[" * 100 + "]" * 100, "17", story(4)]) + "]")
    deep = tmp_path / "deep.json"
    deep.write_text('{"title": "x", "text": ' + '{"a": ' * 100_000 + "1" + "}" * 100_001)
    rest = tmp_path / "rest.json"
    rest.write_text("[" + story(6) + ", " + "[" * 100_000 + "]" * 100_000 + ", "
                    + story(8) + "]")
    with bounded(HANG_S, megabytes=200):
        result = ingest(tmp_path / "out.db", good, deep, rest)
    assert result.exit_code == 1, result.output
    for origin, why in [(f"{good}[1]", "nested more than 64 levels deep"),
                        (f"{good}[2]", "not a JSON object"),
                        (deep, "nested more than 64 levels deep"),
                        (f"{rest}[1]", "nested more than 64 levels deep; the rest of the "
                                       "file is not read")]:
        assert f"refused {origin}: {why}" in result.stderr
    assert titles(tmp_path / "out.db") == {"Story 1", "Story 4", "Story 6"}


def test_extract_refuses_a_deep_line_and_goes_on():
    stdin = "\n".join([json.dumps({"id": 1, "text": "Joe Biden spoke."}),
                       "[" * 100_000 + "]" * 100_000,
                       json.dumps({"id": 3, "text": "Vladimir Putin spoke."})]) + "\n"
    with bounded(HANG_S, megabytes=200):
        result = CliRunner().invoke(main, ["extract", "--extractor", "rules"], input=stdin)
    assert result.exit_code == 2
    assert [json.loads(x)["id"] for x in result.stdout.splitlines()] == [1, 3]
    assert result.stderr == ("dossier extract: line 2: nested more than 64 levels deep\n"
                             "dossier extract: 1 line refused\n")


def test_extract_skips_a_line_over_the_limit_without_holding_it():
    MAX_LINE = 20 * 1024 * 1024  # noqa: N806 - the limit, as the program names it
    huge = json.dumps({"id": 2, "text": "a" * (MAX_LINE + 10)})
    stdin = "\n".join([json.dumps({"id": 1, "text": "Joe Biden spoke."}), huge,
                       json.dumps({"id": 3, "text": "Vladimir Putin spoke."})]) + "\n"
    with bounded(30):
        result = CliRunner().invoke(main, ["extract", "--extractor", "rules"], input=stdin)
    assert result.exit_code == 2
    assert [json.loads(x)["id"] for x in result.stdout.splitlines()] == [1, 3]
    assert f"dossier extract: line 2: longer than {MAX_LINE:,} characters; skipped" in \
        result.stderr


# ------------------------------------------------------------------ FIFOs and devices

FIFO = "a named pipe (FIFO), not a regular file: not read"


@pytest.fixture
def fifo_folder(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("pipe.txt", "pipe.json", "pipe.yaml"):
        os.mkfifo(folder / name)  # nobody ever writes: opening one for reading would block
    (folder / "good.md").write_text(GOOD_MD)
    return folder


def test_fifo_article_refused_never_waited_on(fifo_folder, tmp_path):
    db = tmp_path / "out.db"
    with bounded(HANG_S):
        result = ingest(db, fifo_folder / "pipe.txt", fifo_folder / "pipe.json",
                        fifo_folder / "good.md")
    assert result.exit_code == 1, result.output
    assert f"refused {fifo_folder / 'pipe.txt'}: {FIFO}" in result.stderr
    assert f"refused {fifo_folder / 'pipe.json'}: {FIFO}" in result.stderr
    assert titles(db) == {"A good story"}
    with bounded(HANG_S):
        again = ingest(tmp_path / "folder.db", fifo_folder)  # found inside a folder too
    assert again.exit_code == 1 and f"refused {fifo_folder / 'pipe.json'}: {FIFO}" in \
        again.stderr
    assert "1 added, 0 duplicate, 2 refused" in again.stdout


def test_fifo_as_tag_set_or_gazetteer(fifo_folder, tmp_path):
    pipe = fifo_folder / "pipe.yaml"
    with bounded(HANG_S):
        checked = CliRunner().invoke(main, ["tagsets", "check", str(pipe)])
        gazetteer = CliRunner().invoke(main, ["ingest", str(tmp_path / "out.db"),
                                              str(fifo_folder / "good.md"), "--extractor",
                                              "rules", "--gazetteer", str(pipe)])
    assert checked.exit_code == 2 and checked.stderr == f"{pipe}:1:1: {FIFO}\n"
    assert gazetteer.exit_code == 2 and gazetteer.stderr == f"dossier: {pipe}: {FIFO}\n"


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero here")
def test_a_device_is_not_read(tmp_path):
    """/dev/zero never ends: as a tag-set file it would fill the memory."""
    with bounded(HANG_S, megabytes=100):
        checked = CliRunner().invoke(main, ["tagsets", "check", "/dev/zero"])
        ingested = ingest(tmp_path / "out.db", "/dev/zero")
    assert checked.exit_code == 2
    assert checked.stderr == "/dev/zero:1:1: a character device, not a regular file: not read\n"
    assert ingested.exit_code == 1
    assert "refused /dev/zero: a character device, not a regular file: not read" in \
        ingested.stderr
