"""The store's database errors, whichever engine holds the dossier.

Code outside `dossier/store/` catches these tuples, never `sqlite3.Error` alone: a dossier on
PostgreSQL raises psycopg's errors (psycopg is the optional extra `team`; without it the
tuples hold SQLite's errors only).
"""

from __future__ import annotations

import sqlite3

try:
    import psycopg
except ImportError:  # the `team` extra is not installed: SQLite files only
    psycopg = None

if psycopg is not None:
    DatabaseError: tuple[type[Exception], ...] = (sqlite3.Error, psycopg.Error)
    IntegrityError: tuple[type[Exception], ...] = (sqlite3.IntegrityError,
                                                   psycopg.IntegrityError)
    # What a query the engine cannot run raises (a full-text query it refuses).
    QueryError: tuple[type[Exception], ...] = (sqlite3.OperationalError,
                                               psycopg.errors.SyntaxError,
                                               psycopg.errors.DataException)
    ServerGone: tuple[type[Exception], ...] = (psycopg.OperationalError,)
else:
    DatabaseError = (sqlite3.Error,)
    IntegrityError = (sqlite3.IntegrityError,)
    QueryError = (sqlite3.OperationalError,)
    ServerGone = ()
