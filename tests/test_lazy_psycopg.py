"""psycopg (the `team` extra) is imported only when a PostgreSQL dossier is opened: working on
an SQLite file (the command line, the app) never loads it, and a PostgreSQL error is still
caught where the store's error tuples (`store_errors()`, `integrity_errors()`) catch it.

Each check runs in a fresh interpreter: in this one another test may have imported psycopg.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path


def fresh_python(code: str, *args: str) -> dict:
    result = subprocess.run([sys.executable, "-c", textwrap.dedent(code), *args],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


SQLITE_SESSION = """
    import asyncio, json, sys
    from dossier.cli import main

    folder = sys.argv[1]
    path, story = folder + "/d.db", folder + "/story.txt"
    seen = {}
    for step, args in [
        ("ingest", ["ingest", path, story, "--extractor", "rules"]),
        ("check", ["check", path]),
        ("export", ["export", path, "-f", "json", "-o", folder + "/out.json"]),
    ]:
        try:
            main(args)
        except SystemExit as exit:
            assert not exit.code, (step, exit.code)
        seen[step] = "psycopg" in sys.modules

    from dossier.store import Store
    from dossier.tui.app import DossierApp

    async def open_app():
        store = Store.open(path)
        app = DossierApp(store, analyst="ana")
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            title = str(app.main_screen.articles_pane.border_title)
            await pilot.press("t")  # a dialog (the tag picker) and back
            await pilot.pause()
            await pilot.press("escape")
        store.close()
        return title

    seen["app_title"] = asyncio.run(open_app())
    seen["app"] = "psycopg" in sys.modules
    print(json.dumps(seen))
"""


def test_an_sqlite_dossier_never_imports_psycopg(tmp_path: Path):
    (tmp_path / "story.txt").write_text(
        "Broker sanctioned\n\nAshot Mkrtychev was sanctioned by the Treasury.\n")
    seen = fresh_python(SQLITE_SESSION, str(tmp_path))
    assert "Broker sanctioned" in (tmp_path / "out.json").read_text()
    assert seen["app_title"].startswith("Articles (1")
    assert seen == {"ingest": False, "check": False, "export": False,
                    "app_title": seen["app_title"], "app": False}


POSTGRESQL_ERRORS = """
    import json, sys
    from dossier.store import Store, integrity_errors, store_errors

    before = "psycopg" in sys.modules
    store = Store.open(sys.argv[1], create=True)
    caught = {"imported_before_open": before, "imported_after_open": "psycopg" in sys.modules}
    try:
        store.conn.execute("SELECT no_such_column FROM articles")
    except store_errors() as exc:
        caught["store_errors"] = type(exc).__module__.split(".")[0]
    store.conn.rollback()
    store.conn.execute("CREATE TEMPORARY TABLE once (x int PRIMARY KEY)")
    store.conn.execute("INSERT INTO once VALUES (1)")
    try:
        store.conn.execute("INSERT INTO once VALUES (1)")
    except integrity_errors() as exc:
        caught["integrity_errors"] = type(exc).__module__.split(".")[0]
    store.conn.rollback()
    store.close()
    print(json.dumps(caught))
"""


def test_postgresql_errors_are_caught_once_a_postgresql_dossier_is_open(pg_url):
    caught = fresh_python(POSTGRESQL_ERRORS, pg_url)
    assert caught == {"imported_before_open": False, "imported_after_open": True,
                      "store_errors": "psycopg", "integrity_errors": "psycopg"}


WITHOUT_PSYCOPG = """
    import sys

    class NoPsycopg:  # an install without the `team` extra
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in ("psycopg", "psycopg_binary", "psycopg_c"):
                raise ModuleNotFoundError(f"No module named {name!r}")

    sys.meta_path.insert(0, NoPsycopg())
    from dossier.cli import main

    main(sys.argv[1:])
"""


def test_without_the_team_extra_a_file_opens_and_a_url_is_one_line(tmp_path: Path):
    story = tmp_path / "story.txt"
    story.write_text("Broker sanctioned\n\nAshot Mkrtychev was sanctioned by the Treasury.\n")
    path = str(tmp_path / "d.db")

    def dossier(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-c", textwrap.dedent(WITHOUT_PSYCOPG), *args],
                              capture_output=True, text=True, timeout=120)

    assert dossier("ingest", path, str(story), "--extractor", "rules").returncode == 0
    checked = dossier("check", path)
    assert checked.returncode == 0 and checked.stdout.strip().endswith("ok"), checked.stderr
    refused = dossier("check", "postgresql://ana:s3cret@localhost/team")
    assert refused.returncode == 2, refused.stderr
    assert refused.stderr.strip().splitlines() == [
        "dossier: postgresql://ana@localhost/team: PostgreSQL dossiers need psycopg: "
        "pip install 'dossier[team]'"]
