"""Opening a dossier file defensively: refuse what is not ours before any query runs.

Files come from other people. Before a single query touches the data, the file's header is
read by hand, the schema is read (sqlite_master is data, not code) with `trusted_schema` off,
and it is compared object by object with the schema this program creates. Every refusal is a
`DossierFileError` naming the file and the problem, and leaves the file's bytes unchanged.
"""

from __future__ import annotations

import os
import sqlite3
import stat
import struct
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

from dossier import __version__
from dossier.store import migrations, schema
from dossier.store.urls import is_url

SQLITE_MAGIC = b"SQLite format 3\x00"
BUSY_TIMEOUT_S = 10.0


class DossierFileError(Exception):
    """A file that cannot be opened as a dossier; str() is one line naming the file."""

    def __init__(self, path: str | os.PathLike[str], problem: str):
        super().__init__(f"{os.fspath(path)}: {problem}")
        self.path = os.fspath(path)
        self.problem = problem


def problem_text(exc: BaseException) -> str:
    """What a database error means to the analyst, in a sentence (for notices and the CLI)."""
    text = " ".join(str(exc).split())
    low = text.lower()
    if type(exc).__module__.startswith("psycopg"):
        if "read-only transaction" in low or "permission denied" in low:
            return ("this role may not change the dossier (read rights only): nothing was "
                    "changed")
        if "deadlock" in low or "lock timeout" in low or "serializ" in low:
            return "the dossier was busy with a colleague's change: nothing was changed; try again"
        if (type(exc).__name__ in ("OperationalError", "InterfaceError")
                or "connection" in low or "server closed" in low):
            return ("the PostgreSQL server cannot be reached (connection lost): nothing was "
                    "changed; try again when it is back")
        return text
    if "database or disk is full" in low:
        return "the disk is full: nothing was changed; free some space and try again"
    if "locked" in low or "busy" in low:
        return ("the dossier is locked by another program (a long transaction in another "
                "tool?): nothing was changed; try again")
    if "readonly" in low or "read-only" in low:
        return "the dossier cannot be written here (read-only file or folder): nothing changed"
    if "malformed" in low or "not a database" in low:
        return f"the dossier is damaged ({text}); run `dossier check`"
    if "disk i/o error" in low:
        return ("the dossier could not be written (disk I/O error: the disk full, a file-size "
                "limit, a failing drive?): nothing was changed")
    return text


def now_iso() -> str:
    """The current UTC time as ISO 8601 with milliseconds, the format of every *_at column."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


# Migrations from version N to N+1, each run inside one transaction on the open connection
# (store/migrations.py). A copy, so a test can register a step of its own.
MIGRATIONS: dict[int, Callable[[sqlite3.Connection, migrations.Progress], None]] = dict(
    migrations.MIGRATIONS)


# -------------------------------------------------------------------- connections in this process
#
# POSIX advisory locks belong to a process and a file, not to a file descriptor: closing ANY
# descriptor of the file drops every lock the process holds on it (SQLite's "How To Corrupt An
# SQLite Database File", section 2.2). Another process then believes it is the file's last user
# and deletes the WAL under our open connections. So this module never opens a dossier (or its
# -wal/-shm) with plain file I/O once a connection to it exists in the process: every
# connection is counted here by the file's identity, and the header is read by hand only while
# the count is zero.

_live_lock = threading.Lock()
_live: dict[tuple[int, int], int] = {}


def file_identity(path: str | os.PathLike[str]) -> tuple[int, int] | None:
    """(device, inode) of a file, through symlinks; None when it does not exist. Only
    `stat`: a dossier is never opened as a plain file (see `_live`)."""
    try:
        st = os.stat(path)
    except (OSError, ValueError):  # ValueError: a NUL in the name
        return None
    return st.st_dev, st.st_ino


def connected(path: str | os.PathLike[str]) -> bool:
    """True when this process holds a connection to the file (by identity, not by name)."""
    ident = file_identity(path)
    with _live_lock:
        return ident is not None and _live.get(ident, 0) > 0


class TrackedConnection(sqlite3.Connection):
    """A connection that counts itself in `_live` until it is closed."""

    _ident: tuple[int, int] | None = None

    def track(self, path: str | os.PathLike[str]) -> None:
        ident = file_identity(path)
        if ident is None:
            return
        with _live_lock:
            _live[ident] = _live.get(ident, 0) + 1
        self._ident = ident

    def close(self) -> None:
        ident, self._ident = self._ident, None
        try:
            super().close()
        finally:
            if ident is not None:
                with _live_lock:
                    left = _live.get(ident, 1) - 1
                    if left > 0:
                        _live[ident] = left
                    else:
                        _live.pop(ident, None)


def _harden(conn: sqlite3.Connection) -> None:
    """Settings every connection gets, ours or a stranger's, before it reads anything."""
    conn.execute("PRAGMA trusted_schema = OFF")
    conn.execute("PRAGMA cell_size_check = ON")
    try:
        conn.enable_load_extension(False)
    except AttributeError:  # Python built without extension support: nothing to turn off.
        pass


def _read_header(path: Path) -> None:
    """Refuse files that are not whole SQLite databases, by their first 100 bytes and size.

    Only called while no connection of this process has the file open (see `_live`)."""
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            header = handle.read(100)
    except PermissionError:
        raise DossierFileError(path, "permission denied (cannot read the file)") from None
    except OSError as exc:
        raise DossierFileError(path, f"cannot read: {exc.strerror or exc}") from None
    if size == 0:
        raise DossierFileError(path, "empty file (0 bytes), not a dossier")
    if not header.startswith(SQLITE_MAGIC):
        what = "a text file" if _looks_like_text(header) else "not an SQLite database"
        raise DossierFileError(path, f"not a dossier: {what}")
    if len(header) < 100:
        raise DossierFileError(path, f"truncated: {size} bytes, shorter than an SQLite header")
    (page_size,) = struct.unpack(">H", header[16:18])
    page_size = 65536 if page_size == 1 else page_size
    (pages,) = struct.unpack(">I", header[28:32])
    (change_counter,) = struct.unpack(">I", header[24:28])
    (valid_for,) = struct.unpack(">I", header[92:96])
    wal = Path(f"{path}-wal")
    wal_pending = wal.exists() and wal.stat().st_size > 0
    # The in-header page count is only trustworthy when it matches the change counter, and
    # the main file may lag the header while committed pages still sit in the WAL.
    if pages and change_counter == valid_for and not wal_pending and size < pages * page_size:
        raise DossierFileError(
            path, f"truncated or damaged: {size} bytes where the header says {pages * page_size}"
        )


def _looks_like_text(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return all(b >= 32 or b in b"\n\r\t" for b in data)


def _on_read_only_mount(path: Path) -> bool:
    """True when the file sits on a file system mounted read-only (a CD, a `ro` share)."""
    try:
        return bool(os.statvfs(path).f_flag & os.ST_RDONLY)
    except (OSError, AttributeError):
        return False


def _connect(path: Path, *, readonly: bool) -> sqlite3.Connection:
    uri = f"file:{quote(os.fspath(path.absolute()))}"
    uri += "?mode=ro" if readonly else "?mode=rw"
    if readonly and _on_read_only_mount(path) and not Path(f"{path}-wal").exists():
        # SQLite cannot make the -shm a WAL file needs on a read-only mount; nothing can
        # change the file there either, so it is read as immutable (no locks, no -shm).
        uri += "&immutable=1"
    conn = sqlite3.connect(
        uri,
        uri=True,
        timeout=BUSY_TIMEOUT_S,
        isolation_level=None,  # we issue BEGIN/COMMIT ourselves: one change, one transaction
        check_same_thread=False,  # the Store serialises access with its own lock
        factory=TrackedConnection,
    )
    conn.track(path)
    _harden(conn)
    return conn


def _inspect(path: Path, conn: sqlite3.Connection) -> int:
    """Return the file's schema version after checking it is a dossier this program can read."""
    try:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            )
        ]
    except (sqlite3.DatabaseError, UnicodeDecodeError) as exc:
        raise DossierFileError(path, f"not a dossier: {_sqlite_problem(exc)}") from None
    if "meta" not in tables:
        shown = ", ".join(tables[:6]) + (", ..." if len(tables) > 6 else "")
        what = f"tables: {shown}" if tables else "no tables"
        raise DossierFileError(
            path, f"not a dossier: an SQLite database of some other program ({what})"
        )
    try:
        meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
    except (sqlite3.DatabaseError, ValueError) as exc:
        raise DossierFileError(path, f"not a dossier: unreadable meta table ({exc})") from None
    if meta.get("application") != schema.APPLICATION:
        raise DossierFileError(
            path, "not a dossier: an SQLite database of some other program (meta has no "
            "application 'dossier')"
        )
    try:
        version = int(meta.get("schema_version", ""))
    except ValueError:
        raise DossierFileError(path, "damaged: meta.schema_version is not a number") from None
    if version > schema.SCHEMA_VERSION:
        raise DossierFileError(
            path,
            f"schema version {version} is newer than this program knows "
            f"({schema.SCHEMA_VERSION}); upgrade dossier to open it",
        )
    if version < 1:
        raise DossierFileError(path, f"damaged: schema version {version} does not exist")
    if version < schema.SCHEMA_VERSION and version in migrations.MIGRATIONS:
        # An older file is held to its own version's schema before a migration runs in it.
        try:
            problems = schema.schema_differences(conn, migrations.expected_objects(version))
        except (sqlite3.DatabaseError, UnicodeDecodeError) as exc:
            raise DossierFileError(path, f"damaged: {_sqlite_problem(exc)}") from None
        if problems:
            shown = "; ".join(problems[:3]) + ("; ..." if len(problems) > 3 else "")
            raise DossierFileError(
                path, f"refused: schema is not a version-{version} dossier's ({shown})")
    if version == schema.SCHEMA_VERSION:
        try:
            problems = schema.schema_differences(conn)
            damage = [] if problems else schema.structure_problems(conn)
        except (sqlite3.DatabaseError, UnicodeDecodeError) as exc:
            raise DossierFileError(path, f"damaged: {_sqlite_problem(exc)}") from None
        if problems:
            shown = "; ".join(problems[:3]) + ("; ..." if len(problems) > 3 else "")
            raise DossierFileError(path, f"refused: schema is not a dossier's ({shown})")
        if damage:
            raise DossierFileError(path, f"damaged: {damage[0]}")
    return version


def _sqlite_problem(exc: sqlite3.DatabaseError | UnicodeDecodeError) -> str:
    if isinstance(exc, UnicodeDecodeError):  # the schema's own text is damaged
        return "the file is corrupt (its schema is not UTF-8 text)"
    text = str(exc)
    if "malformed" in text or "not a database" in text:
        return "the file is corrupt or not an SQLite database"
    return text


def _create(path: Path) -> sqlite3.Connection:
    if not path.parent.exists():
        raise DossierFileError(path, f"folder {os.fspath(path.parent)} does not exist")
    try:
        conn = sqlite3.connect(
            os.fspath(path), timeout=BUSY_TIMEOUT_S, isolation_level=None,
            check_same_thread=False, factory=TrackedConnection,
        )
    except sqlite3.Error as exc:
        raise DossierFileError(path, f"cannot create: {exc}") from None
    conn.track(path)
    _harden(conn)
    try:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("BEGIN IMMEDIATE")
        schema.create(conn)
        conn.executemany(
            "INSERT INTO meta (key, value) VALUES (?, ?)",
            [
                ("application", schema.APPLICATION),
                ("schema_version", str(schema.SCHEMA_VERSION)),
                ("created_by", f"dossier {__version__}"),
                ("created_at", now_iso()),
            ],
        )
        conn.execute("COMMIT")
    except sqlite3.Error as exc:
        conn.close()
        path.unlink(missing_ok=True)
        raise DossierFileError(path, f"cannot create: {exc}") from None
    return conn


def _no_progress(done: int, total: int) -> None:
    return None


def _migrate(path: Path, conn: sqlite3.Connection, version: int,
             progress: migrations.Progress | None = None) -> None:
    """Bring an older file up to date in one transaction, after a backup copy beside it;
    `progress(done, total)` hears from the steps that take long (the 2 -> 3 pairs)."""
    backup = path.with_name(f"{path.name}.v{version}.bak")
    # Through SQLite's backup API: a plain copy would open and close the file while `conn`
    # holds it, dropping this process's locks (see `_live`).
    try:
        copy = sqlite3.connect(os.fspath(backup))
        try:
            conn.backup(copy)
        finally:
            copy.close()
    except (OSError, sqlite3.Error) as exc:
        backup.unlink(missing_ok=True)
        raise DossierFileError(path, f"cannot back up before migrating: {exc}") from None
    conn.execute("BEGIN IMMEDIATE")
    try:
        while version < schema.SCHEMA_VERSION:
            step = MIGRATIONS.get(version)
            if step is None:
                raise DossierFileError(
                    path, f"no migration from schema version {version}; upgrade dossier"
                )
            step(conn, progress or _no_progress)
            version += 1
        conn.execute(
            "UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(version),)
        )
        problems = schema.schema_differences(conn)
        if problems:
            raise DossierFileError(path, f"migration left an unexpected schema: {problems[0]}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def open_connection(
    path: str | os.PathLike[str], *, create: bool = False, readonly: bool = False,
    progress: migrations.Progress | None = None,
) -> tuple[sqlite3.Connection, bool]:
    """Open (or, with `create`, make) a dossier file; return (connection, is_read_only).
    An older file is migrated first, `progress(done, total)` told how it goes.

    A file this program cannot or must not read raises `DossierFileError` and is left as it was.
    A file the user cannot write is opened read-only rather than refused.
    """
    if is_url(path):
        from dossier.store import pg  # the PostgreSQL engine: only for a URL

        return pg.open_connection(str(path), create=create, readonly=readonly,  # type: ignore[return-value]
                                  progress=progress)
    path = Path(path)
    if not path.exists():
        if not create:
            raise DossierFileError(path, "no such file")
        if readonly:
            raise DossierFileError(path, "no such file (and read-only mode cannot create it)")
        return _create(path), False
    if path.is_dir():
        raise DossierFileError(path, "is a folder, not a dossier file")
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        raise DossierFileError(path, f"cannot read: {exc.strerror or exc}") from None
    if not stat.S_ISREG(mode):
        # A FIFO would block the first read for ever; a device is nobody's dossier.
        raise DossierFileError(path, "not a regular file (a pipe, device or socket), "
                                     "not a dossier")
    if not connected(path):
        _read_header(path)

    writable = os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)
    try:
        probe = _connect(path, readonly=True)
    except sqlite3.Error as exc:
        raise DossierFileError(path, f"cannot open: {exc}") from None
    try:
        version = _inspect(path, probe)
    finally:
        probe.close()

    if readonly and writable and version < schema.SCHEMA_VERSION:
        # A reader of an older file (export, check) brings it up to date first, as the app
        # would: the commands of today read today's schema. The backup is left beside it.
        conn, _ = open_connection(path, progress=progress)
        conn.close()
        version = schema.SCHEMA_VERSION
    if readonly or not writable:
        if version < schema.SCHEMA_VERSION:
            raise DossierFileError(
                path, f"schema version {version} needs migrating, and the file is read-only"
            )
        conn = _connect(path, readonly=True)
        conn.execute("PRAGMA query_only = ON")
        return conn, True

    try:
        conn = _connect(path, readonly=False)
        conn.execute("PRAGMA journal_mode = WAL")
    except sqlite3.Error as exc:
        raise DossierFileError(path, f"cannot open for writing: {exc}") from None
    if version < schema.SCHEMA_VERSION:
        try:
            _migrate(path, conn, version, progress)
        except BaseException:
            conn.close()
            raise
    return conn, False
