"""Dates typed as people write them, for the date fields of the app.

API:
    parse_typed_date(text) -> (iso, precision)   precision: day, month or year
        raises TypedDateError (a ValueError) whose str() tells the analyst what is wrong
    DATE_HINT   one line of accepted forms, for a field's placeholder

Accepted: `26 Feb 1987`, `26th of February 1987`, `Feb 26, 1987`, `February 26th 1987`,
`1987-02-26`, `1987/02/26` (year first: year, month, day), `1987-02`, `Feb 1987`, `1987`.
Numeric day-first or month-first dates (`26/02/1987`, `02/26/1987`, `26.02.1987`) are read
only when the order cannot matter (one number over 12, or both the same); `04/03/1987` is
refused as ambiguous (April in the US, March in most of the world) with the two readings named.
The parsing is the ingest's own (`ingest.dates.parse_publication_date`), so a date typed is
read as one in a file.
"""

from __future__ import annotations

import calendar
import re

DATE_HINT = "26 Feb 1987, Feb 26, 1987, 1987-02-26, Feb 1987, 1987-02, 1987"
MAX_LENGTH = 60


class TypedDateError(ValueError):
    """A typed date that cannot be read; str() says why, for the analyst."""


_NUMERIC = re.compile(r"(\d{1,2})([/.\-])(\d{1,2})\2(\d{4})")
_ISO_MONTH = re.compile(r"(\d{4})-(\d{1,2})")
_ISO_DAY = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_OF = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?\s+of\s+", re.IGNORECASE)


def parse_typed_date(text: str) -> tuple[str, str]:
    """(ISO value, precision) of a date as typed; TypedDateError saying why otherwise."""
    value = " ".join(str(text).split())
    if not value:
        raise TypedDateError("no date typed")
    if len(value) > MAX_LENGTH:
        raise TypedDateError(f"a date is at most {MAX_LENGTH} characters")
    if m := _ISO_MONTH.fullmatch(value):
        year, month = int(m.group(1)), int(m.group(2))
        if not 1 <= month <= 12:
            raise TypedDateError(f"{value}: there is no month {month}")
        return f"{year:04d}-{month:02d}", "month"
    if m := _ISO_DAY.fullmatch(value):
        _check_day(value, int(m.group(1)), int(m.group(2)), int(m.group(3)))
    if m := _NUMERIC.fullmatch(value):
        a, b, year = int(m.group(1)), int(m.group(3)), int(m.group(4))
        if a <= 12 and b <= 12 and a != b:
            raise TypedDateError(
                f"{value} is ambiguous: {_name(year, b, a)} (day first) or {_name(year, a, b)} "
                "(month first); write the month as a word, e.g. "
                f"{a} {calendar.month_abbr[b]} {year}, or as {year}-{b:02d}-{a:02d}")
        if a > 12 and b > 12:
            raise TypedDateError(f"{value}: neither {a} nor {b} is a month")
        day, month = (a, b) if a > 12 else (b, a)
        _check_day(value, year, month, day)
    # Here, not at the top: the ingest's date grammar (47 patterns compiled at import) is
    # imported when a date is first typed, not with the app's dialogs at start-up.
    from dossier.ingest.dates import parse_publication_date

    parsed = parse_publication_date(_OF.sub(r"\1 ", value))
    if parsed is None or parsed[1] not in ("day", "month", "year"):
        raise TypedDateError(f"not a date: {value} (try {DATE_HINT})")
    return parsed


def _name(year: int, month: int, day: int) -> str:
    return f"{day} {calendar.month_abbr[month]} {year}"


def _check_day(value: str, year: int, month: int, day: int) -> None:
    if not 1 <= month <= 12:
        raise TypedDateError(f"{value}: there is no month {month}")
    last = calendar.monthrange(year, month)[1]
    if not 1 <= day <= last:
        raise TypedDateError(f"{value}: {calendar.month_name[month]} {year} has {last} days")


def typed_range(value: str) -> tuple[str, str | None, str]:
    """(start, end or None, precision) of a date or a range typed `START..END` (also
    `START/END` or `START to END` when the whole is not one date); ValueError says why."""
    value = value.strip()
    try:
        iso, precision = parse_typed_date(value)
        return iso, None, precision
    except TypedDateError as whole:
        for separator in ("..", " to ", "/"):
            if separator in value:
                first, _, second = value.partition(separator)
                start, precision = parse_typed_date(first)
                end, _ = parse_typed_date(second)
                if end < start:
                    raise TypedDateError(f"the range ends ({end}) before it starts ({start})"
                                         ) from None
                return start, end, precision
        raise whole from None
