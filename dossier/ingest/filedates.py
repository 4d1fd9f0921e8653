"""Dates a file gives an article that has none of its own: from its name, from its mtime.

An article's own date (a header line, front matter, a meta tag) always wins; the name is
asked next (`--date-from-name`), then the modification time (`--date-from-mtime`, opt-in: a
copied or unzipped pile often has every file stamped with the day it was copied).
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

# At the start of the name: 2023-04-04, 2023_04_04, 20230404 (day); 2023-04, 2023_04 (month).
# What follows must not be another digit, so `20230404123` or `2023-0404` are not dates.
_DAY = re.compile(r"(?P<y>(?:1[89]|20)\d\d)(?P<sep>[-_.]?)(?P<m>\d\d)(?P=sep)(?P<d>\d\d)(?!\d)")
_MONTH = re.compile(r"(?P<y>(?:1[89]|20)\d\d)[-_.](?P<m>\d\d)(?![-_.]?\d)")


def date_from_name(name: str) -> tuple[str, str] | None:
    """The date a file name starts with: (ISO value, precision), or None.

    `2023-04-04-sanctions.txt`, `20230404_sanctions.txt` -> ('2023-04-04', 'day');
    `2023-04_sanctions.txt` -> ('2023-04', 'month'). A name that only looks like one
    (`2023-13-01`, `2023-02-30`) gives nothing."""
    m = _DAY.match(name)
    if m:
        try:
            return date(int(m["y"]), int(m["m"]), int(m["d"])).isoformat(), "day"
        except ValueError:
            return None
    m = _MONTH.match(name)
    if m and 1 <= int(m["m"]) <= 12:
        return f"{m['y']}-{m['m']}", "month"
    return None


def date_from_mtime(path: Path) -> tuple[str, str] | None:
    """The local day a file was last modified: (ISO value, 'day'), or None if unreadable."""
    try:
        return date.fromtimestamp(path.stat().st_mtime).isoformat(), "day"
    except (OSError, ValueError, OverflowError):
        return None
