"""The store's database errors, whichever engine holds the dossier.

Code outside `dossier/store/` catches these, never `sqlite3.Error` alone: a dossier on
PostgreSQL raises psycopg's errors (psycopg is the optional extra `team`).

They are functions called in the `except` clause (`except store_errors() as exc:`), not
tuples built at import, so that an SQLite dossier never imports psycopg (~50 ms of the app's
start-up): a psycopg error can only be raised once psycopg has been imported (by
`dossier/store/pg.py`, when a PostgreSQL dossier is opened), and an `except` clause's
expression is evaluated only when an exception reaches it, so each call sees psycopg's
classes whenever one of them can be in flight.
"""

from __future__ import annotations

import sqlite3
import sys

_SQLITE_ONLY: dict[str, tuple[type[Exception], ...]] = {
    "database": (sqlite3.Error,),
    "integrity": (sqlite3.IntegrityError,),
    "query": (sqlite3.OperationalError,),
    "server_gone": (),
}
_with_psycopg: dict[str, tuple[type[Exception], ...]] | None = None


def _errors() -> dict[str, tuple[type[Exception], ...]]:
    """SQLite's error classes, with psycopg's once psycopg has been imported."""
    global _with_psycopg
    if _with_psycopg is not None:
        return _with_psycopg
    psycopg = sys.modules.get("psycopg")
    if psycopg is None:
        return _SQLITE_ONLY
    try:
        _with_psycopg = {
            "database": (sqlite3.Error, psycopg.Error),
            "integrity": (sqlite3.IntegrityError, psycopg.IntegrityError),
            "query": (sqlite3.OperationalError, psycopg.errors.SyntaxError,
                      psycopg.errors.DataException),
            "server_gone": (psycopg.OperationalError,),
        }
    except AttributeError:  # psycopg still being imported: none of its errors raised yet
        return _SQLITE_ONLY
    return _with_psycopg


def store_errors() -> tuple[type[Exception], ...]:
    """Any database error of either engine (`except store_errors() as exc:`)."""
    return _errors()["database"]


def integrity_errors() -> tuple[type[Exception], ...]:
    """A row the engine's rules refuse (a unique or foreign key, a check)."""
    return _errors()["integrity"]


def query_errors() -> tuple[type[Exception], ...]:
    """What a query the engine cannot run raises (a full-text query it refuses)."""
    return _errors()["query"]


def server_gone_errors() -> tuple[type[Exception], ...]:
    """The PostgreSQL server went away or refused the connection (none on SQLite)."""
    return _errors()["server_gone"]
