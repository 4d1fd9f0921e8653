"""Shared fixtures: fresh dossiers built by the code under test, never committed .db files."""

from __future__ import annotations

import os

import pgserver
import pytest
from dossier_helpers import add_article_with_names, make_article

from dossier.model import Event, Mention
from dossier.store import Store

# The store's suites, run on both engines: in a module marked `both_engines` (`pytestmark`),
# each test taking `db_path` (or `store`, `filled`) runs once on an SQLite file and once on a
# PostgreSQL database. A test SQLite-only by nature (the file's header, WAL, the sqlite3 shell)
# carries @pytest.mark.sqlite_only and says why.


def pytest_generate_tests(metafunc):
    if "engine" not in metafunc.fixturenames:
        return
    both = (metafunc.definition.get_closest_marker("both_engines") is not None
            and metafunc.definition.get_closest_marker("sqlite_only") is None)
    metafunc.parametrize("engine", ["sqlite", "postgresql"] if both else ["sqlite"],
                         indirect=True)


@pytest.fixture
def engine(request):
    return getattr(request, "param", "sqlite")


@pytest.fixture(scope="session")
def pg_server():
    """A private PostgreSQL server for this test session (tests/pgserver.py). Without one,
    the PostgreSQL tests are skipped, except in CI (`CI` set), where that is a failure."""
    try:
        server = pgserver.start()
    except pgserver.NoServer as exc:
        if os.environ.get("CI"):
            pytest.fail(f"CI needs PostgreSQL: {exc}")
        pytest.skip(f"no PostgreSQL server: {exc}")
    yield server
    server.stop()


@pytest.fixture
def pg_url(request):
    """The URL of a fresh, empty PostgreSQL database (the server started on first use)."""
    server = request.getfixturevalue("pg_server")
    return server.url(server.new_database())


@pytest.fixture
def db_path(tmp_path, engine, request):
    """Where the test's dossier lives: a file, or a PostgreSQL database's URL."""
    if engine == "postgresql":
        return request.getfixturevalue("pg_url")
    return tmp_path / "test.db"


@pytest.fixture
def store(db_path):
    s = Store.open(db_path, create=True)
    yield s
    s.close()


@pytest.fixture
def filled(store):
    """A small dossier: three articles, shared entities, one event."""
    a1, ents = add_article_with_names(
        store, "Broker sanctioned", "Ashot Mkrtychev was sanctioned by the Treasury in Slovakia.",
        {"Ashot Mkrtychev": "person", "Treasury": "organisation", "Slovakia": "place"},
        source="Outlet A", published="2023-04-04", published_precision="day",
    )
    a2, _ = add_article_with_names(
        store, "Arms deal alleged", "The Treasury said Ashot Mkrtychev brokered arms talks.",
        {"Ashot Mkrtychev": "person", "Treasury": "organisation"},
        source="Outlet B", published="2023-03-30", published_precision="day",
    )
    a3, _ = add_article_with_names(
        store, "Unrelated story", "Nothing about anyone in particular here.", {},
        source="Outlet C",
    )
    event = Event(title="designation", date_start="2023-03", precision="month",
                  date_text="last month")
    store.ingest_article(make_article("With event", "Slovakia designation in March."),
                         [ents[2]], [(0, Mention(None, None, 0, 8, "Slovakia"))], [(event, [0])])
    return store
