"""A dossier named by a PostgreSQL URL: telling one from a file path, showing it to people.

Apart from `dossier/store/pg.py` (the PostgreSQL engine, ~30 KB) so that opening a file does
not import the engine of the other kind: the store and the command line need only these.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

SCHEMES = ("postgresql://", "postgres://")


def is_url(target: object) -> bool:
    """True when a dossier is named by a PostgreSQL URL rather than a file path."""
    return isinstance(target, str) and target.startswith(SCHEMES)


def server_name(url: str) -> str:
    """The URL as shown to people: no password, whatever the URL holds."""
    try:
        parts = urlsplit(url)
        netloc = parts.netloc
        if "@" in netloc:
            user, host = netloc.rsplit("@", 1)
            netloc = f"{user.split(':', 1)[0]}@{host}"
        query = "&".join(p for p in parts.query.split("&")
                         if p and not p.lower().startswith("password="))
        return urlunsplit((parts.scheme, netloc, parts.path, query, ""))
    except ValueError:
        return url.split("?", 1)[0]
