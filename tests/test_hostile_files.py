"""Strangers' dossiers (issue #13): nothing escapes, nothing explodes, nothing rewrites.

Files crafted with SQLite's own tools (`PRAGMA writable_schema`, raw journal rows, flipped
bytes) must be refused on open with one line naming the file and exit status 2, their bytes
unchanged; undo of a crafted journal row is refused with a message; a damaged file gives one
line and exit status 1 or 2 from every command, never a traceback.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3

import pytest
from click.testing import CliRunner
from dossier_helpers import add_article_with_names

from dossier.cli import main
from dossier.store import DossierFileError, JournalConflict, Store, schema

ANALYST = "ana"


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def make_dossier(path, articles: int = 1):
    s = Store.open(path, create=True)
    for n in range(articles):
        add_article_with_names(s, f"Title {n}", f"Body {n} names Slovakia and Ashot Mkrtychev.",
                               {"Slovakia": "place", "Ashot Mkrtychev": "person"})
    s.set_tag(ANALYST, [("article", 1)], "triage", "relevant", exclusive=True)
    s.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    s.close()
    return path


def tamper(path, *statements: str, writable_schema: bool = True) -> None:
    """Edit a file the way a stranger would, with SQLite itself (rollback journal, so the
    whole file is one self-contained database afterwards)."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = DELETE")
    if writable_schema:
        conn.execute("PRAGMA writable_schema = ON")
    for statement in statements:
        conn.execute(statement)
    conn.close()


# ---------------------------------------------------------------- 1. the schema check


def trigger_named_like_stat(p):
    """Tagging 'relevant' stores 'noise' by another analyst instead."""
    make_dossier(p)
    tamper(p, "CREATE TRIGGER sqlite_stat_rewrite BEFORE INSERT ON taggings "
              "WHEN NEW.tag = 'relevant' BEGIN "
              "INSERT INTO taggings (target_kind, target_id, tagset, tag, analyst, created_at) "
              "VALUES (NEW.target_kind, NEW.target_id, NEW.tagset, 'noise', 'mallory', "
              "NEW.created_at); SELECT RAISE(IGNORE); END")


def trigger_dropping_journal_rows(p):
    make_dossier(p)
    tamper(p, "CREATE TRIGGER sqlite_autoindex_journal_9 BEFORE INSERT ON journal "
              "BEGIN SELECT RAISE(IGNORE); END")


def trigger_named_like_sequence(p):
    make_dossier(p)
    tamper(p, "CREATE TRIGGER sqlite_sequence_x AFTER INSERT ON taggings "
              "BEGIN DELETE FROM taggings; END")


def view_named_like_stat(p):
    make_dossier(p)
    tamper(p, "CREATE VIEW sqlite_stat_view AS SELECT * FROM articles")


def hidden_unique_index(p):
    make_dossier(p)
    tamper(p, "CREATE UNIQUE INDEX sqlite_autoindex_taggings_2 ON taggings (target_kind)")


def stat_table_with_other_sql(p):
    make_dossier(p)
    tamper(p, "CREATE TABLE sqlite_stat1 (tbl, idx, stat, payload)")


def sequence_at_max(p):
    make_dossier(p)
    tamper(p, "UPDATE sqlite_sequence SET seq = 9223372036854775807", writable_schema=False)


def journal_id_at_max(p):
    make_dossier(p)
    tamper(p, "UPDATE journal SET id = 9223372036854775807", writable_schema=False)


def _swap_roots(p, a: str, b: str) -> None:
    conn = sqlite3.connect(p)
    roots = dict(conn.execute("SELECT name, rootpage FROM sqlite_master"))
    conn.close()
    tamper(p, f"UPDATE sqlite_master SET rootpage = {roots[b]} WHERE name = '{a}'",
              f"UPDATE sqlite_master SET rootpage = {roots[a]} WHERE name = '{b}'")


def swapped_table_and_index(p):
    make_dossier(p)
    _swap_roots(p, "entities", "idx_entities_name")


def swapped_tables(p):
    make_dossier(p)
    _swap_roots(p, "articles", "entities")


def swapped_index_and_shadow_table(p):
    make_dossier(p)
    _swap_roots(p, "idx_taggings_tag", "articles_fts_docsize")


SCHEMA_CASES = {
    trigger_named_like_stat: "unexpected trigger 'sqlite_stat_rewrite'",
    trigger_dropping_journal_rows: "unexpected trigger 'sqlite_autoindex_journal_9'",
    trigger_named_like_sequence: "unexpected trigger 'sqlite_sequence_x'",
    view_named_like_stat: "unexpected view 'sqlite_stat_view'",
    hidden_unique_index: "unexpected index 'sqlite_autoindex_taggings_2'",
    stat_table_with_other_sql: "table 'sqlite_stat1' is not defined as expected",
    sequence_at_max: "damaged: sqlite_sequence for 'articles' is 9223372036854775807",
    journal_id_at_max: "damaged: table 'journal' has an id at the end of the 64-bit range",
    swapped_table_and_index: "damaged: the file is corrupt",
    swapped_tables: "damaged: table 'articles' holds rows that are not its own",
    swapped_index_and_shadow_table: "damaged: the file is corrupt",
}


@pytest.mark.parametrize("maker", list(SCHEMA_CASES), ids=[m.__name__ for m in SCHEMA_CASES])
def test_crafted_schema_is_refused_and_left_alone(tmp_path, maker):
    path = tmp_path / "crafted.db"
    maker(path)
    before = digest(path)
    with pytest.raises(DossierFileError) as info:
        Store.open(path)
    assert SCHEMA_CASES[maker] in str(info.value)
    for command in ("open", "check"):
        result = CliRunner().invoke(main, [command, str(path)])
        assert result.exit_code == 2, result.output
        assert result.stderr.strip() == f"dossier: {path}: {info.value.problem}"
    assert digest(path) == before


def test_analysed_file_still_opens(tmp_path):
    """ANALYZE adds sqlite_stat1 (and maybe sqlite_stat4): SQLite's own, with its own SQL."""
    path = make_dossier(tmp_path / "analysed.db")
    tamper(path, "ANALYZE", writable_schema=False)
    with Store.open(path) as s:
        assert s.set_tag(ANALYST, [("article", 1)], "triage", "noise", exclusive=True) == "added"


# ---------------------------------------------------------------- 2. crafted journal rows


def _craft_journal_row(path, **overrides) -> None:
    """Replace the analyst's latest journal row with a crafted one."""
    conn = sqlite3.connect(path, isolation_level=None)
    (jid,) = conn.execute("SELECT max(id) FROM journal WHERE analyst = ?", (ANALYST,)).fetchone()
    for column, value in overrides.items():
        conn.execute(f"UPDATE journal SET {column} = ? WHERE id = ?", (value, jid))
    conn.close()


def _file_state(path) -> list:
    conn = sqlite3.connect(path)
    rows = [conn.execute(f"SELECT * FROM {t} ORDER BY id").fetchall()
            for t in ("taggings", "journal", "articles")]
    conn.close()
    return rows


TAGGING = {"id": 1, "target_kind": "article", "target_id": 1, "tagset": "triage",
           "tag": "relevant", "analyst": ANALYST, "created_at": "x", "note": None}

# The latest journal row records the insert of tagging 1 (before null, after the row); undo
# checks the row is as `after` says and writes `before`. Each case crafts one field.
JOURNAL_CASES = {
    "unknown table": ({"table_name": "meta"}, "names 'meta', not a table undo can restore"),
    "sqlite table": ({"table_name": "sqlite_master"}, "not a table undo can restore"),
    "bad json": ({"after": "{not json"}, "has an 'after' that is not JSON"),
    "json list": ({"before": "[1, 2]"}, "has a 'before' that is not a JSON object"),
    "json string": ({"before": '"text"'}, "not a JSON object"),
    "unknown column": ({"before": json.dumps({
        **TAGGING, "evil\"; DROP TABLE articles; --": 1})}, "has an unknown column"),
    "id mismatch": ({"before": json.dumps({**TAGGING, "id": 7})}, "id does not match row 1"),
    "nested value": ({"before": json.dumps({**TAGGING, "note": [1]})}, "not a plain value"),
    "huge integer": ({"before": json.dumps({**TAGGING, "target_id": 2**70})},
                     "not a plain value"),
    "row id not a number": ({"row_id": "1 OR 1=1"}, "row id that is not a number"),
    "breaks a CHECK": ({"before": json.dumps({**TAGGING, "target_kind": "planet"})},
                       "would break the file's rules"),
}


@pytest.mark.parametrize("case", list(JOURNAL_CASES))
def test_undo_of_a_crafted_journal_row_is_refused(tmp_path, case):
    path = make_dossier(tmp_path / "j.db")
    overrides, message = JOURNAL_CASES[case]
    _craft_journal_row(path, **overrides)
    state = _file_state(path)
    with Store.open(path) as s:
        with pytest.raises(JournalConflict, match=message):
            s.undo(ANALYST)
    assert _file_state(path) == state


def test_redo_of_a_crafted_journal_row_is_refused(tmp_path):
    path = make_dossier(tmp_path / "j.db")
    with Store.open(path) as s:
        s.undo(ANALYST)
    _craft_journal_row(path, after='"a string"')
    state = _file_state(path)
    with Store.open(path) as s:
        with pytest.raises(JournalConflict, match="not a JSON object"):
            s.redo(ANALYST)
    assert _file_state(path) == state


# ---------------------------------------------------------------- 3. damaged files, one line


def failed_politely(result, path, status=(1, 2)) -> list[str]:
    """The command failed as a user is told: an exit status, every stderr line naming the
    file, no traceback. Returns the stderr lines."""
    assert result.exit_code in status, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        repr(result.exception))
    lines = result.stderr.strip().splitlines()
    assert lines and all(str(path) in line for line in lines), result.stderr
    return lines


def corrupt_middle_page(path, name: str) -> None:
    """Overwrite the second half (the cells) of a leaf page in the middle of b-tree `name`,
    as a disk or a stranger might: the file still opens, a full read finds the damage. The
    bytes are written with no connection to the file open in this process."""
    conn = sqlite3.connect(path)
    try:
        pages = [r[0] for r in conn.execute(
            "SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf' ORDER BY path",
            (name,))]
    except sqlite3.OperationalError:  # SQLite built without the dbstat table
        conn.close()
        pytest.skip("this SQLite has no dbstat table to find a page with")
    (size,) = conn.execute("PRAGMA page_size").fetchone()
    conn.close()
    assert len(pages) >= 3, pages
    start = (pages[len(pages) // 2] - 1) * size
    data = bytearray(path.read_bytes())
    data[start + size // 2:start + size] = b"\xff" * (size // 2)
    path.write_bytes(bytes(data))


@pytest.fixture
def damaged(tmp_path):
    path = tmp_path / "damaged.db"
    s = Store.open(path, create=True)
    for n in range(80):
        add_article_with_names(s, f"Title {n}", f"Body {n} names Slovakia. " + "word " * 150,
                               {"Slovakia": "place"})
    s.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    s.close()
    corrupt_middle_page(path, "articles")
    return path


def test_check_of_a_damaged_file_is_lines_naming_it(damaged):
    result = CliRunner().invoke(main, ["check", str(damaged)])
    lines = failed_politely(result, damaged, status=(1,))
    assert any("integrity" in line for line in lines)


@pytest.mark.parametrize("fmt", ["json", "md", "csv", "html"])
def test_export_of_a_damaged_file_is_one_line_and_no_file(damaged, tmp_path, fmt):
    out = tmp_path / "out" / f"export.{fmt}"
    out.parent.mkdir()
    result = CliRunner().invoke(main, ["export", str(damaged), "-f", fmt, "-o", str(out)])
    [line] = failed_politely(result, damaged, status=(1,))
    assert "could not be read (database disk image is malformed)" in line \
        or "damaged: the file is corrupt" in line
    assert list(out.parent.iterdir()) == []


def test_check_fix_rebuilds_over_a_tampered_structure_record(tmp_path):
    path = make_dossier(tmp_path / "fts.db", articles=3)
    tamper(path, "UPDATE articles_fts_data SET block = X'00000001FFFFFFFF0A0B' WHERE id = 10",
           writable_schema=False)
    result = CliRunner().invoke(main, ["check", str(path)])
    [line] = failed_politely(result, path, status=(1,))
    assert "full-text index out of step" in line
    fixed = CliRunner().invoke(main, ["check", "--fix", str(path)])
    assert fixed.exit_code == 0, fixed.output
    assert "full-text index rebuilt" in fixed.stdout
    with Store.open(path, readonly=True) as s:
        assert [h.title for h in s.search("Slovakia")] == ["Title 0", "Title 1", "Title 2"]


def test_read_only_check_sees_a_broken_full_text_index(tmp_path):
    """FTS5's integrity check is an INSERT: on a read-only file it runs on a backup copy."""
    path = make_dossier(tmp_path / "ro.db", articles=2)
    tamper(path, "UPDATE articles SET body = 'edited by another tool' WHERE id = 2",
           writable_schema=False)
    before = digest(path)
    with Store.open(path, readonly=True) as s:
        [problem] = s.check()
    assert "full-text index out of step" in problem and "a file you may write" in problem
    assert digest(path) == before


@pytest.fixture
def immutable(tmp_path):
    """Make a path unwritable even for root (`chattr +i`); skip where that is not allowed."""
    import shutil
    import subprocess

    made = []

    def make(path):
        if shutil.which("chattr") is None:
            pytest.skip("no chattr")
        done = subprocess.run(["chattr", "+i", str(path)], capture_output=True)
        if done.returncode != 0:
            pytest.skip(f"chattr +i refused here: {done.stderr.decode().strip()}")
        made.append(path)
        return path

    yield make
    for path in made:
        subprocess.run(["chattr", "-i", str(path)], check=False)


def test_ingest_into_an_immutable_file_is_refused(tmp_path, immutable):
    path = make_dossier(tmp_path / "frozen.db")
    note = tmp_path / "note.txt"
    note.write_text("A title\nA body about Slovakia.\n")
    before = digest(path)
    immutable(path)
    result = CliRunner().invoke(main, ["ingest", str(path), str(note)])
    [line] = failed_politely(result, path, status=(2,))
    assert "read-only" in line
    assert digest(path) == before


def test_check_of_an_immutable_file_with_a_broken_index_is_not_ok(tmp_path, immutable):
    path = make_dossier(tmp_path / "frozen.db", articles=2)
    tamper(path, "UPDATE articles SET body = 'edited by another tool' WHERE id = 2",
           writable_schema=False)
    immutable(path)
    result = CliRunner().invoke(main, ["check", str(path)])
    [line] = failed_politely(result, path, status=(1,))
    assert "full-text index out of step" in line
    assert "ok" not in result.stdout.split()


def test_export_into_an_unwritable_folder_is_one_line(tmp_path, immutable):
    path = make_dossier(tmp_path / "d.db")
    folder = tmp_path / "locked"
    folder.mkdir()
    immutable(folder)
    out = folder / "brief.md"
    result = CliRunner().invoke(main, ["export", str(path), "-f", "md", "-o", str(out)])
    [line] = failed_politely(result, out, status=(1,))
    assert "cannot write" in line
    assert not out.exists()


def test_json_import_with_rows_breaking_a_check_leaves_no_dossier(tmp_path):
    path = make_dossier(tmp_path / "d.db")
    export = tmp_path / "d.json"
    assert CliRunner().invoke(main, ["export", str(path), "-f", "json", "-o",
                                     str(export)]).exit_code == 0
    data = json.loads(export.read_text())
    data["articles"][0]["published_precision"] = "sometimes"
    export.write_text(json.dumps(data))
    new = tmp_path / "new.db"
    result = CliRunner().invoke(main, ["ingest", str(new), str(export)])
    [line] = failed_politely(result, export, status=(2,))
    assert "articles id 1" in line and "CHECK constraint failed" in line
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("new.db")] == []


def test_json_import_does_not_take_the_schema_version_from_the_file(tmp_path):
    path = make_dossier(tmp_path / "d.db")
    export = tmp_path / "d.json"
    CliRunner().invoke(main, ["export", str(path), "-f", "json", "-o", str(export)])
    data = json.loads(export.read_text())
    data["meta"].update(schema_version="99", application="evil")
    export.write_text(json.dumps(data))
    new = tmp_path / "new.db"
    assert CliRunner().invoke(main, ["ingest", str(new), str(export)]).exit_code == 0
    with Store.open(new) as s:
        assert (s.get_meta("schema_version"), s.get_meta("application")) == (
            str(schema.SCHEMA_VERSION), "dossier")


# ---------------------------------------------------------------- 4. flipped bytes, fuzzed


@pytest.fixture(scope="module")
def small_dossier_bytes(tmp_path_factory) -> bytes:
    path = tmp_path_factory.mktemp("fuzz") / "small.db"
    s = Store.open(path, create=True)
    for n in range(12):
        add_article_with_names(s, f"Title {n}", f"Body {n} names Slovakia and Ashot Mkrtychev.",
                               {"Slovakia": "place", "Ashot Mkrtychev": "person"})
    s.set_tag(ANALYST, [("article", 1)], "triage", "relevant", exclusive=True)
    s.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    s.close()
    return path.read_bytes()


def test_flipped_bytes_never_give_a_traceback(small_dossier_bytes, tmp_path_factory):
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    size = len(small_dossier_bytes)
    flips = st.lists(st.tuples(st.integers(0, size - 1), st.integers(0, 255)),
                     min_size=1, max_size=16)

    @settings(deadline=None, max_examples=100, derandomize=True,
              suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(flips=flips, cut=st.one_of(st.none(), st.integers(0, size - 1)))
    def run(flips, cut):
        folder = tmp_path_factory.mktemp("flip")
        path = folder / "flipped.db"
        data = bytearray(small_dossier_bytes)
        for at, value in flips:
            data[at] = value
        path.write_bytes(bytes(data[:cut] if cut is not None else data))
        try:  # `dossier open` is this, then the app
            Store.open(path).close()
        except DossierFileError as exc:
            assert str(exc).startswith(f"{path}: ") and "\n" not in str(exc)
        runner = CliRunner()
        for args in (["check", str(path)],
                     ["export", str(path), "-f", "json", "-o", str(folder / "e.json")],
                     ["export", str(path), "-f", "md", "-o", str(folder / "e.md")],
                     ["export", str(path), "-f", "csv", "-o", str(folder / "e-csv")]):
            result = runner.invoke(main, args)
            assert result.exit_code in (0, 1, 2), (args, result.output)
            assert "Traceback" not in result.output
            assert result.exception is None or isinstance(result.exception, SystemExit), (
                args, repr(result.exception))

    run()
