"""Reading a file someone else named: a regular file only, and never more than a limit.

A named pipe (FIFO) blocks `open()` until a writer comes and a device such as /dev/zero never
ends, so both are refused from `stat` before they are opened; the file is then opened
non-blocking and checked again (`fstat`), in case it was swapped in between.
"""

from __future__ import annotations

import os
import stat

_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


class FileRefused(Exception):
    """A file not read, and why; str() is `PATH: reason`."""

    def __init__(self, path: str | os.PathLike[str], reason: str):
        super().__init__(f"{os.fspath(path)}: {reason}")
        self.path, self.reason = os.fspath(path), reason


def not_regular(mode: int) -> str | None:
    """Why a file of this mode is not read (None for a regular file)."""
    if stat.S_ISREG(mode):
        return None
    kind = next((name for test, name in _KINDS if test(mode)), "not a regular file")
    return f"{kind}, not a regular file: not read"


def read_bytes(path: str | os.PathLike[str], limit: int) -> bytes:
    """The bytes of a regular file of at most `limit` bytes; anything else is `FileRefused`."""
    try:
        why = not_regular(os.stat(path).st_mode)
        if why:
            raise FileRefused(path, why)
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)
                     | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        raise FileRefused(path, "no such file") from None
    except OSError as exc:
        raise FileRefused(path, f"cannot read: {exc.strerror or exc}") from None
    with os.fdopen(fd, "rb") as handle:
        size = os.fstat(handle.fileno())
        why = not_regular(size.st_mode)
        if why:
            raise FileRefused(path, why)
        if size.st_size > limit:
            raise FileRefused(path, f"too large ({size.st_size:,} bytes; the limit is "
                              f"{limit:,})")
        try:
            data = handle.read(limit + 1)
        except OSError as exc:
            raise FileRefused(path, f"cannot read: {exc.strerror or exc}") from None
    if len(data) > limit:  # it grew after the check
        raise FileRefused(path, f"too large (more than {limit:,} bytes)")
    return data
