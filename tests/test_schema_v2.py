"""Schema version 2: a version-1 file migrates (after a backup), and the file searches in
sqlite-utils as it is."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from dossier_helpers import add_article_with_names
from downgrade import downgrade_to_v1

from dossier.cli import main
from dossier.store import Store, migrations, schema
from dossier.store.db import DossierFileError

SQLITE_UTILS = Path(sys.executable).with_name("sqlite-utils")


def v1_file(tmp_path: Path) -> Path:
    path = tmp_path / "old.dossier"
    s = Store.open(path, create=True)
    add_article_with_names(s, "Tower report", "The Tower Commission met in Washington.",
                           {"Tower Commission": "organisation", "Washington": "place"})
    add_article_with_names(s, "Other", "Nothing about it.", {})
    s.close()
    return downgrade_to_v1(path)


def fts_sql(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(
            "SELECT sql FROM sqlite_master WHERE name = 'articles_fts'").fetchone()[0]
    finally:
        conn.close()


def test_version_1_file_migrates_keeps_rows_and_leaves_a_backup(tmp_path):
    path = v1_file(tmp_path)
    assert "content='articles'" in fts_sql(path)
    s = Store.open(path)
    try:
        assert s.get_meta("schema_version") == str(schema.SCHEMA_VERSION) == "3"
        assert s.count_articles() == 2
        assert [h.title for h in s.search("Commission")] == ["Tower report"]
    finally:
        s.close()
    assert 'content="articles"' in fts_sql(path)
    backup = tmp_path / "old.dossier.v1.bak"
    conn = sqlite3.connect(backup)
    try:
        assert conn.execute("SELECT value FROM meta WHERE key = 'schema_version'"
                            ).fetchone() == ("1",)
        assert conn.execute("SELECT count(*) FROM articles").fetchone() == (2,)
    finally:
        conn.close()
    assert CliRunner().invoke(main, ["check", str(path)]).exit_code == 0


def test_version_1_file_with_an_object_of_its_own_is_refused_before_migrating(tmp_path):
    path = v1_file(tmp_path)
    conn = sqlite3.connect(path)
    conn.execute("CREATE TRIGGER t AFTER UPDATE ON meta BEGIN DELETE FROM taggings; END")
    conn.commit()
    conn.close()
    with pytest.raises(DossierFileError, match="version-1 dossier's.*unexpected trigger 't'"):
        Store.open(path)
    assert "content='articles'" in fts_sql(path)  # untouched
    assert not (tmp_path / "old.dossier.v1.bak").exists()


def test_read_only_version_1_file_is_refused_with_the_reason(tmp_path):
    import os

    if os.geteuid() == 0:
        pytest.skip("root writes any file")
    path = v1_file(tmp_path)
    path.chmod(0o444)
    with pytest.raises(DossierFileError, match="needs migrating, and the file is read-only"):
        Store.open(path)


def test_a_reader_of_a_writable_version_1_file_migrates_it_first(tmp_path):
    path = v1_file(tmp_path)
    s = Store.open(path, readonly=True)
    try:
        assert s.readonly and s.get_meta("schema_version") == str(schema.SCHEMA_VERSION)
    finally:
        s.close()
    assert (tmp_path / "old.dossier.v1.bak").exists()


@pytest.mark.parametrize("old", [False, True], ids=["fresh", "migrated-from-v1"])
def test_sqlite_utils_searches_the_dossier_as_it_is(tmp_path, old):
    if old:
        path = v1_file(tmp_path)
        Store.open(path).close()
    else:
        path = tmp_path / "new.dossier"
        s = Store.open(path, create=True)
        add_article_with_names(s, "Tower report", "The Tower Commission met in Washington.",
                               {})
        add_article_with_names(s, "Other", "Nothing about it.", {})
        s.close()
    done = subprocess.run([str(SQLITE_UTILS), "search", str(path), "articles", "Commission",
                           "--csv"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "Tower report" in done.stdout and "Other" not in done.stdout


def test_json_export_of_a_version_1_dossier_still_imports(tmp_path):
    path = v1_file(tmp_path)
    shutil.copy(path, tmp_path / "copy.dossier")
    out = tmp_path / "old.json"
    assert CliRunner().invoke(main, ["export", str(path), "--format", "json",
                                     "-o", str(out)]).exit_code == 0
    data = json.loads(out.read_text())
    data["schema_version"] = 1  # as version 1 of the program wrote it
    out.write_text(json.dumps(data))
    result = CliRunner().invoke(main, ["ingest", str(tmp_path / "new.dossier"), str(out)])
    assert result.exit_code == 0, result.output
    s = Store.open(tmp_path / "new.dossier")
    try:
        assert s.count_articles() == 2
    finally:
        s.close()


def test_expected_version_1_schema_has_only_version_1_objects():
    names = {name for (_kind, name) in migrations.expected_objects(1)}
    assert "articles_fts" in names and "meta" in names
    assert {migrations.ddl_name(s) for s in schema.DDL} >= migrations.V1_OBJECTS


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize("old", [False, True], ids=["fresh", "migrated-from-v1"])
def test_datasette_searches_the_articles_table_over_http(tmp_path, old):
    """Datasette's search box on `articles` is `?_search=`: it finds the FTS table by its
    `content="articles"` and answers with the matching article only."""
    import time
    import urllib.error
    import urllib.request

    pytest.importorskip("datasette")
    if old:
        path = v1_file(tmp_path)
        Store.open(path).close()  # migrates to the current version
    else:
        path = tmp_path / "new.dossier"
        s = Store.open(path, create=True)
        add_article_with_names(s, "Tower report", "The Tower Commission met in Washington.",
                               {})
        add_article_with_names(s, "Other", "Nothing about it.", {})
        s.close()
    port = _free_port()
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("datasette")), "serve", str(path), "--host",
         "127.0.0.1", "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/{path.stem}/articles.json?_search=Commission&_shape=array"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310
                    found = json.loads(response.read())
                break
            except (urllib.error.URLError, ConnectionError):
                if server.poll() is not None or time.monotonic() > deadline:
                    out = server.stdout.read().decode() if server.stdout else ""
                    pytest.fail(f"datasette did not answer: {out}")
                time.sleep(0.2)
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert [row["title"] for row in found] == ["Tower report"]
