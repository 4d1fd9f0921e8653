"""A dossier on PostgreSQL through the CLI and the store: the URL wherever a file goes, the
role as the analyst, a reader role read-only, one-line errors naming the server, and a
colleague's commit seen by another connection (LISTEN/NOTIFY)."""

from __future__ import annotations

import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner
from dossier_helpers import add_article_with_names, other_tool

from dossier.cli import main
from dossier.ingest.pipeline import ingest_paths
from dossier.store import ReadOnlyError, Store, problem_text, store_errors


@pytest.fixture
def url(pg_url):
    return pg_url


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_ingest_check_suggest_export_on_a_url(url, tmp_path: Path):
    story = tmp_path / "story.txt"
    story.write_text("Broker sanctioned\n\nAshot Mkrtychev was sanctioned by the Treasury.\n")
    result = run("ingest", url, str(story), "--extractor", "rules")
    assert result.exit_code == 0, result.output
    assert "1 added" in result.output
    with other_tool(url) as conn:
        assert conn.execute("SELECT title FROM articles").fetchall() == [("Broker sanctioned",)]
    checked = run("check", url)
    assert checked.exit_code == 0, checked.output
    assert "dossier schema version" in checked.output and checked.output.strip().endswith("ok")
    assert run("suggest", url).exit_code == 0
    out = tmp_path / "out.json"
    exported = run("export", url, "-f", "json", "-o", str(out))
    assert exported.exit_code == 0, exported.output
    assert "Broker sanctioned" in out.read_text()
    # Without -o there is no file name to write beside: said, nothing written.
    refused = run("export", url, "-f", "md")
    assert refused.exit_code == 2 and "say where with -o" in refused.output


def test_the_analyst_is_the_database_role_unless_told(url):
    store = Store.open(url, create=True)
    try:
        assert store.role() == "postgres"
    finally:
        store.close()
    assert Store.open.__name__  # the CLI's choice, below
    from dossier.cli import analyst_for

    store = Store.open(url)
    try:
        assert analyst_for(store, None) == "postgres"
        assert analyst_for(store, "ana") == "ana"
    finally:
        store.close()


def test_a_reader_role_opens_read_only(pg_server, url):
    store = Store.open(url, create=True)
    add_article_with_names(store, "Seen", "Body.", {})
    store.close()
    database = urlsplit(url).path.lstrip("/")
    pg_server.sql("DROP ROLE IF EXISTS reader_ro", "CREATE ROLE reader_ro LOGIN")
    pg_server.sql("GRANT USAGE ON SCHEMA public TO reader_ro",
                  "GRANT SELECT ON ALL TABLES IN SCHEMA public TO reader_ro",
                  database=database)
    reader = Store.open(pg_server.url(database, user="reader_ro"))
    try:
        assert reader.readonly
        assert reader.count_articles() == 1
        with pytest.raises(ReadOnlyError):
            reader.set_tag("reader_ro", [("article", 1)], "triage", "relevant")
    finally:
        reader.close()


@pytest.mark.parametrize("problem", ["no database", "server down", "other program",
                                     "no role", "not a dossier yet"])
def test_errors_are_one_line_naming_the_server(pg_server, url, problem, tmp_path):
    if problem == "no database":
        target = pg_server.url("no_such_database")
    elif problem == "server down":
        target = f"postgresql://postgres@/x?host={tmp_path}"  # no server listens there
    elif problem == "no role":
        target = pg_server.url(urlsplit(url).path.lstrip("/"), user="nobody_here")
    else:
        target = url
        if problem == "other program":
            with other_tool(url) as conn:
                conn.execute("CREATE TABLE invoices (id int)")
    result = run("check", target)
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("dossier: postgresql://")
    assert "password" not in lines[0]
    expected = {"no database": "no such database", "server down": "cannot reach the server",
                "other program": "some other program", "no role": "no such role",
                "not a dossier yet": "holds no dossier"}[problem]
    assert expected in lines[0]
    if problem == "other program":  # nothing written into the stranger's database
        with other_tool(url) as conn:
            assert [r[0] for r in conn.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = 'public'")] == ["invoices"]


def test_a_colleagues_commit_reaches_another_connection(url):
    mine = Store.open(url, create=True)
    theirs = Store.open(url)
    try:
        article, _ = add_article_with_names(mine, "Shared", "Body.", {})
        seen = theirs.data_version()
        own = mine.data_version()
        mine.set_tag("ana", [("article", article)], "triage", "relevant")
        deadline = time.monotonic() + 10
        while theirs.data_version() == seen:
            assert time.monotonic() < deadline, "the colleague's commit was never noticed"
            time.sleep(0.05)
        assert mine.data_version() == own  # one's own commits are not a colleague's
        assert [t.tag for t in theirs.tags_for("article", article)] == ["relevant"]
    finally:
        theirs.close()
        mine.close()


def test_writers_take_turns_and_undo_refuses_to_clobber(url):
    ana = Store.open(url, create=True)
    bo = Store.open(url)
    try:
        article, _ = add_article_with_names(ana, "Shared", "Body.", {})
        ana.update_article("ana", article, title="Ana's title")
        bo.update_article("bo", article, title="Bo's title")
        from dossier.store import JournalConflict

        with pytest.raises(JournalConflict):
            ana.undo("ana")
        assert bo.get_article(article).title == "Bo's title"
    finally:
        bo.close()
        ana.close()


def test_a_server_restart_mid_session_loses_nothing_acknowledged(pg_server, url):
    store = Store.open(url, create=True)
    try:
        first, _ = add_article_with_names(store, "One", "Body one.", {})
        second, _ = add_article_with_names(store, "Two", "Body two.", {})
        store.set_tag("ana", [("article", first)], "triage", "relevant")
        restarted = pg_server.ctl("restart", "-m", "fast", "-w")
        assert restarted.returncode == 0, restarted.stderr
        acknowledged = False
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # as an analyst would press the key again
            try:
                store.set_tag("ana", [("article", second)], "triage", "relevant")
            except store_errors() as exc:
                assert "cannot be reached" in problem_text(exc)
                time.sleep(0.2)
                continue
            acknowledged = True
            break
        assert acknowledged, "the store never reconnected"
        with other_tool(url) as conn:
            assert sorted(r[0] for r in conn.execute(
                "SELECT target_id FROM taggings WHERE tag = 'relevant'")) == [first, second]
    finally:
        store.close()


def test_a_version_2_database_is_migrated_to_3_with_its_pairs(url):
    wires = Path(__file__).parent / "fixtures" / "iran_contra"
    store = Store.open(url, create=True)
    ingest_paths(store, [wires], extractor="rules")
    pairs = store.conn.execute("SELECT a_id, b_id FROM article_duplicates").fetchall()
    store.close()
    assert len(pairs) == 1
    with other_tool(url) as conn:  # what this program made before schema 3
        conn.execute("DROP TABLE article_duplicates")
        conn.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    store = Store.open(url)
    try:
        assert store.get_meta("schema_version") == "3"
        assert store.conn.execute("SELECT a_id, b_id FROM article_duplicates").fetchall() == \
            pairs
    finally:
        store.close()


CHILD = """
import sys
from dossier.store import Store
store = Store.open(sys.argv[1])
with store.change("killed", "tag triage:relevant", "article", 1) as ch:
    ch.insert("taggings", {"target_kind": "article", "target_id": 1, "tagset": "triage",
                           "tag": "relevant", "analyst": "killed", "created_at": ch.at})
    print("inside", flush=True)
    sys.stdin.readline()  # killed here, inside the transaction, holding the write lock
"""


def test_an_app_killed_mid_tag_leaves_nothing_half_done_and_no_lock(url):
    import signal
    import subprocess
    import sys

    store = Store.open(url, create=True)
    article, _ = add_article_with_names(store, "One", "Body.", {})
    assert article == 1
    child = subprocess.Popen([sys.executable, "-c", CHILD, url], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "inside"
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        # The server rolls the dead session back and frees its lock: the next tag goes in.
        assert store.set_tag("ana", [("article", article)], "triage", "background") == "added"
        with other_tool(url) as conn:
            assert conn.execute("SELECT tag, analyst FROM taggings").fetchall() == [
                ("background", "ana")]
            assert conn.execute(
                "SELECT count(*) FROM journal WHERE analyst = 'killed'").fetchone() == (0,)
    finally:
        if child.poll() is None:
            child.kill()
        store.close()


def test_another_analysts_name_needs_the_lead_role(pg_server, url, tmp_path: Path):
    """--analyst other than the role is refused (exit 2, nothing written) unless the role is a
    member of dossier_lead; then the change is recorded under the name given."""
    store = Store.open(url, create=True)
    add_article_with_names(store, "Seen", "Body.", {})
    store.close()
    as_ana = pg_server.analyst_role(url, "ana_act")
    pg_server.sql("DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = "
                  "'dossier_lead') THEN CREATE ROLE dossier_lead NOLOGIN; END IF; END $$")
    story = tmp_path / "story.txt"
    story.write_text("Second story\n\nAshot Mkrtychev was sanctioned by the Treasury.\n")

    refused = CliRunner().invoke(main, ["check", as_ana, "--fix", "--analyst", "bob"])
    assert refused.exit_code == 2
    assert "role ana_act may not record changes as 'bob'" in refused.output
    assert "dossier_lead" in refused.output and "\n" not in refused.output.strip()

    # Its own name is always fine.
    own = CliRunner().invoke(main, ["check", as_ana, "--fix", "--analyst", "ana_act"])
    assert own.exit_code == 0, own.output

    pg_server.sql("GRANT dossier_lead TO ana_act")
    lead = Store.open(as_ana)
    try:
        from dossier.cli import analyst_for

        assert analyst_for(lead, "bob") == "bob"
        lead.set_tag(analyst_for(lead, "bob"), [("article", 1)], "triage", "relevant")
    finally:
        lead.close()
    with other_tool(url) as conn:
        assert conn.execute("SELECT analyst FROM taggings").fetchall() == [("bob",)]


def test_a_wrong_password_is_one_line_without_the_password(pg_server, url):
    """The test server trusts its socket; this role alone must give a password (scram), as on
    a real server. A wrong one: exit 2, one line naming the server, the password not shown."""
    hba = pg_server.folder / "data" / "pg_hba.conf"
    rule = "local all pw_analyst scram-sha-256\n"
    if rule not in hba.read_text():
        hba.write_text(rule + hba.read_text())
        assert pg_server.ctl("reload").returncode == 0
    pg_server.sql("DROP ROLE IF EXISTS pw_analyst",
                  "CREATE ROLE pw_analyst LOGIN PASSWORD 'right-one'")
    database = urlsplit(url).path.lstrip("/")
    Store.open(url, create=True).close()
    pg_server.sql("GRANT USAGE ON SCHEMA public TO pw_analyst",
                  "GRANT SELECT ON ALL TABLES IN SCHEMA public TO pw_analyst", database=database)
    wrong = pg_server.url(database, user="pw_analyst", password="s3cret-wrong")
    result = run("check", wrong)
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("dossier: postgresql://pw_analyst@")
    assert "s3cret-wrong" not in result.output
    assert "password" in lines[0]
    right = run("check", pg_server.url(database, user="pw_analyst", password="right-one"))
    assert right.exit_code == 0, right.output


def test_a_journal_row_refused_at_commit_fails_the_whole_tag(url):
    """A tag's journal rows travel with its COMMIT (one round trip): when the server refuses
    one there, the change is refused whole (no tag without its journal row), the caller hears
    of it, and the writers' lock is free for the next change."""
    store = Store.open(url, create=True)
    try:
        article, _ = add_article_with_names(store, "Shared", "Body.", {})
        with other_tool(url) as conn:
            conn.execute("ALTER TABLE journal ADD CONSTRAINT no_mallory "
                         "CHECK (analyst <> 'mallory')")
        with pytest.raises(store_errors(), match="no_mallory"):
            store.set_tag("mallory", [("article", article)], "triage", "relevant")
        with other_tool(url) as conn:
            assert conn.execute("SELECT count(*) FROM taggings").fetchone() == (0,)
            assert conn.execute("SELECT count(*) FROM journal WHERE analyst = 'mallory'"
                                ).fetchone() == (0,)
        assert store.set_tag("ana", [("article", article)], "triage", "relevant") == "added"
        assert [e.analyst for e in store.history("article", article)][:1] == ["ana"]
    finally:
        store.close()


def test_sqlite_utils_view_is_the_file_and_a_clear_refusal_on_postgresql(url, tmp_path):
    """`Store.db` (sqlite-utils) serves a file; a PostgreSQL dossier refuses it in one line
    naming the server without its password, and the store's own reads serve both."""
    from dossier.store import DossierFileError

    file = Store.open(tmp_path / "f.db", create=True)
    add_article_with_names(file, "Shared", "Body.", {})
    assert file.db["articles"].count == 1
    file.close()
    store = Store.open(url + "&password=sesame", create=True)
    try:
        add_article_with_names(store, "Shared", "Body.", {})
        with pytest.raises(DossierFileError) as refused:
            store.db  # noqa: B018 - the property is what refuses
        line = str(refused.value)
        assert "\n" not in line and "sqlite-utils" in line and "Store.query" in line
        assert line.startswith("postgresql://postgres@") and "sesame" not in line
        assert [r["title"] for r in store.query("SELECT title FROM articles")] == ["Shared"]
    finally:
        store.close()


def test_a_json_export_imported_into_postgresql_takes_new_changes_after(url, tmp_path):
    """The import writes rows with their ids: the identity columns are moved past them, so
    the next tag, link or article there gets an id of its own."""
    file = Store.open(tmp_path / "f.db", create=True)
    article, _ = add_article_with_names(file, "Shared", "Body of the story.", {})
    file.set_tag("ana", [("article", article)], "triage", "relevant")
    file.close()
    out = tmp_path / "f.json"
    assert run("export", str(tmp_path / "f.db"), "--format", "json", "-o", str(out)
               ).exit_code == 0
    result = run("ingest", url, str(out))
    assert result.exit_code == 0, result.output
    store = Store.open(url)
    try:
        assert store.set_tag("ana", [("article", article)], "extra", "x") == "added"
        second, _ = add_article_with_names(store, "Another", "Another body.", {})
        assert second != article
        assert {t.tagset for t in store.tags_for("article", article)} == {"triage", "extra"}
    finally:
        store.close()
