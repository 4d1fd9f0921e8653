"""A private, throwaway PostgreSQL server for the tests (Debian's `postgresql` package).

`start()` makes a cluster in a temporary folder (initdb), starts it listening on a unix socket
in that folder only (no TCP port to collide on), and returns a `PgServer`; `stop()` stops it and
removes the folder. As root, initdb and the server refuse to run: both run as the `postgres`
user (the package makes it), in a folder it owns.
"""

from __future__ import annotations

import glob
import itertools
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path


class NoServer(RuntimeError):
    """PostgreSQL is not installed here, or its server would not start."""


def _bindir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0)
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).resolve().parent
    raise NoServer("PostgreSQL's server is not installed (apt-get install postgresql)")


@dataclass
class PgServer:
    folder: Path
    bindir: Path
    as_user: list[str]
    user: str = "postgres"
    _names: itertools.count = field(default_factory=lambda: itertools.count(1))

    def url(self, database: str = "postgres", user: str | None = None,
            password: str | None = None) -> str:
        who = user or self.user
        if password is not None:
            who += f":{password}"
        return f"postgresql://{who}@/{database}?host={self.folder}"

    def sql(self, *statements: str, database: str = "postgres") -> list[list[tuple]]:
        """Run statements as the superuser (autocommit); their rows."""
        import psycopg

        out = []
        with psycopg.connect(self.url(database), autocommit=True) as conn:
            for statement in statements:
                cur = conn.execute(statement)
                out.append(cur.fetchall() if cur.description else [])
        return out

    def analyst_role(self, url: str, role: str) -> str:
        """A login role with an analyst's rights on the dossier at `url` (the README's GRANTs:
        read and write the rows, not the schema); the URL to connect as it."""
        from urllib.parse import urlsplit

        database = urlsplit(url).path.lstrip("/")
        self.sql(f"DROP ROLE IF EXISTS {role}", f"CREATE ROLE {role} LOGIN")
        self.sql(f"GRANT USAGE ON SCHEMA public TO {role}",
                 f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
                 f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {role}",
                 database=database)
        return self.url(database, user=role)

    def new_database(self, prefix: str = "dossier") -> str:
        """A fresh empty database; its name."""
        name = f"{prefix}_{os.getpid()}_{next(self._names)}"
        self.sql(f'CREATE DATABASE "{name}"')
        return name

    def ctl(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [*self.as_user, str(self.bindir / "pg_ctl"), "-D", str(self.folder / "data"),
             "-l", str(self.folder / "log"), *args],
            capture_output=True, text=True, timeout=120)

    def stop(self) -> None:
        self.ctl("stop", "-m", "immediate", "-w")
        shutil.rmtree(self.folder, ignore_errors=True)


def start(*, durable: bool = False) -> PgServer:
    """A new server; `durable` keeps PostgreSQL's fsync on (benchmarks), the tests turn it
    off (a throwaway cluster)."""
    bindir = _bindir()
    folder = Path(tempfile.mkdtemp(prefix="dossier-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:
        runuser = shutil.which("runuser")
        if runuser is None:
            raise NoServer("running as root without runuser: cannot start PostgreSQL")
        as_user = [runuser, "-u", "postgres", "--"]
        shutil.chown(folder, "postgres")
    init = subprocess.run(
        [*as_user, str(bindir / "initdb"), "-D", str(folder / "data"), "-U", "postgres",
         "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"],
        capture_output=True, text=True, timeout=300)
    if init.returncode:
        shutil.rmtree(folder, ignore_errors=True)
        raise NoServer(f"initdb failed: {init.stderr.strip()[-300:]}")
    server = PgServer(folder, bindir, as_user)
    options = f"-k {folder} -c listen_addresses='' -c max_connections=200"
    if not durable:
        options += " -c fsync=off -c full_page_writes=off -c synchronous_commit=off"
    started = server.ctl("start", "-w", "-t", "60", "-o", options)
    if started.returncode:
        log = (folder / "log").read_text(errors="replace")[-300:] if (
            folder / "log").exists() else ""
        shutil.rmtree(folder, ignore_errors=True)
        raise NoServer(f"the server did not start: {started.stderr.strip()} {log}")
    return server
