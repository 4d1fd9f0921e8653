"""Date expressions in news text: found with their spans, normalised, relative ones resolved.

Values are ISO strings at their precision: `2023-03-30` (day), `2022-02` (month), `2022`
(year); a range is a start and an end (`2022-10` .. `2023-03`). Conventions, as a reader of
news would take them:

- `last week` is Monday to Sunday of the week before the article's; `on Thursday` the latest
  Thursday on or before the article's date; `yesterday`, `today` likewise.
- `last February` is February of the year before the article's (`this February`: the same
  year); `last month`, `last year`, `next year` count from the article's month or year.
- `early 2023` is January to March, `mid-2023` May to August, `late 2023` / `the end of 2023`
  October to December, `the beginning of 2023` January to March.
- `between X and Y`, `from X to Y` are one range from the start of X to the end of Y.
A relative expression needs the article's date at the precision it counts in (a day for
`last week`, a year for `last year`); without it the expression is kept `unresolved`, and is
resolved when the analyst sets the article's date (`resolve`).
"""

from __future__ import annotations

import calendar
import re
from bisect import bisect_right
from dataclasses import dataclass
from datetime import date, timedelta

MONTHS = {
    name.lower(): i
    for i, name in enumerate(calendar.month_name) if name
}
MONTH_ABBR = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
    "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}
WEEKDAYS = {name.lower(): i for i, name in enumerate(calendar.day_name)}

_MONTH = (r"(?P<{g}>January|February|March|April|May|June|July|August|September|October|"
          r"November|December|Jan\.|Feb\.|Mar\.|Apr\.|Jun\.|Jul\.|Aug\.|Sept?\.|Oct\.|Nov\.|"
          r"Dec\.)")
_YEAR = r"(?P<{g}>(?:1[89]|20)\d\d)"
_WEEKDAY = r"(?P<wd>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_PART = (r"(?P<part>early|late|mid-?|the end of|the beginning of|the start of|the middle of|"
         r"end of|beginning of|start of|the first half of|the second half of)")

# Alternatives tried in order at each position; the first that matches wins.
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("iso", re.compile(r"\b(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})\b")),
    ("dmy", re.compile(r"\b(?P<d>\d{1,2})(?:st|nd|rd|th)? " + _MONTH.format(g="mon") + r",? "
                       + _YEAR.format(g="y") + r"\b")),
    ("mdr", re.compile(_MONTH.format(g="mon") + r" (?P<d>\d{1,2})[-–](?P<d2>\d{1,2}),? "
                       + _YEAR.format(g="y") + r"\b")),
    ("mdy", re.compile(_MONTH.format(g="mon") + r" (?P<d>\d{1,2})(?:st|nd|rd|th)?,? "
                       + _YEAR.format(g="y") + r"\b")),
    ("md", re.compile(_MONTH.format(g="mon") + r" (?P<d>\d{1,2})(?:st|nd|rd|th)?\b(?!,? \d)")),
    ("my", re.compile(_MONTH.format(g="mon") + r",? (?:of )?" + _YEAR.format(g="y") + r"\b")),
    # A word boundary and a first letter before the case-blind alternation: without them the
    # engine tries every alternative at every position (300 µs an article instead of 20).
    ("part_rel_year", re.compile(r"\b(?=[EeLlMmTtBbSsFf])(?i:" + _PART
                                 + r" (?P<rel>last|this|next) year)\b")),
    ("part_year", re.compile(r"\b(?=[EeLlMmTtBbSsFf])(?i:" + _PART + r") ?"
                             + _YEAR.format(g="y") + r"\b")),
    ("rel_month_name", re.compile(r"\b(?P<rel>[Ll]ast|[Tt]his|[Nn]ext) "
                                  + _MONTH.format(g="mon"))),
    ("rel_unit", re.compile(r"\b(?P<rel>[Ll]ast|[Tt]his|[Nn]ext|[Pp]ast) "
                            r"(?P<unit>week|month|year)\b")),
    ("yesterday", re.compile(r"\b(?P<w>[Yy]esterday|[Tt]oday)\b")),
    ("weekday", re.compile(r"\b" + _WEEKDAY + r"(?:[’']s)?\b")),
    ("year_range", re.compile(r"\b" + _YEAR.format(g="y") + r"[-–](?P<y2>\d{2})\b")),
    # A bare year only after a word that makes it a date ("in 2010"; not "2010 jobs").
    ("year", re.compile(r"\b(?:[Ii]n|[Ss]ince|by|until|of|during|[Ff]rom|before|after|"
                        r"through|to|and) " + _YEAR.format(g="y") + r"\b(?![-–]\d)")),
]

_RANGE_BEFORE = re.compile(r"(?i)\b(between|from)\s+$")
_RANGE_JOIN = re.compile(r"(?i)^\s+(and|to|until|through)\s+$")


@dataclass
class DateSpec:
    """What a date expression says, before resolution against an article's date."""

    kind: str  # the pattern's name
    groups: dict[str, str | None]


@dataclass
class DateMatch:
    """A date expression found in text: span, and its value when resolved."""

    start: int
    end: int
    text: str
    date_start: str | None
    date_end: str | None
    precision: str  # day, month, year, unknown
    resolution: str  # absolute, relative, unresolved
    specs: tuple[DateSpec, ...] = ()

    @property
    def value(self) -> str | None:
        """ISO value, `START/END` for a range; None when unresolved."""
        if self.date_start is None:
            return None
        if self.date_end and self.date_end != self.date_start:
            return f"{self.date_start}/{self.date_end}"
        return self.date_start


@dataclass
class Anchor:
    """An article's publication date at its precision, what relative dates count from."""

    year: int | None = None
    month: int | None = None
    day: date | None = None

    @classmethod
    def parse(cls, iso: str | None) -> Anchor:
        if not iso:
            return cls()
        parts = iso.split("-")
        try:
            year = int(parts[0])
            month = int(parts[1]) if len(parts) > 1 else None
            day = date(year, month, int(parts[2])) if len(parts) > 2 and month else None
        except (ValueError, IndexError):
            return cls()
        return cls(year, month, day)


def _month(text: str) -> int:
    key = text.lower().rstrip(".")
    return MONTHS.get(key) or MONTH_ABBR[key[:4] if key.startswith("sept") else key[:3]]


_Value = tuple[str, str, str]  # start, end, precision


def _ym(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def _part_range(part: str, year: int) -> _Value:
    part = part.lower()
    if part in ("early", "the beginning of", "the start of", "beginning of", "start of"):
        return _ym(year, 1), _ym(year, 3), "month"
    if part in ("late", "the end of", "end of"):
        return _ym(year, 10), _ym(year, 12), "month"
    if part == "the first half of":
        return _ym(year, 1), _ym(year, 6), "month"
    if part == "the second half of":
        return _ym(year, 7), _ym(year, 12), "month"
    return _ym(year, 5), _ym(year, 8), "month"  # mid, the middle of


def _value(spec: DateSpec, anchor: Anchor) -> _Value | None:
    """The spec's value; None when it is relative and the anchor is not precise enough."""
    g = spec.groups
    try:
        if spec.kind == "iso":
            d = date(int(g["y"]), int(g["m"]), int(g["d"]))
            return d.isoformat(), d.isoformat(), "day"
        if spec.kind in ("dmy", "mdy"):
            d = date(int(g["y"]), _month(g["mon"]), int(g["d"]))
            return d.isoformat(), d.isoformat(), "day"
        if spec.kind == "mdr":
            d = date(int(g["y"]), _month(g["mon"]), int(g["d"]))
            d2 = date(int(g["y"]), _month(g["mon"]), int(g["d2"]))
            return d.isoformat(), d2.isoformat(), "day"
        if spec.kind == "my":
            v = _ym(int(g["y"]), _month(g["mon"]))
            return v, v, "month"
        if spec.kind == "part_year":
            return _part_range(g["part"], int(g["y"]))
        if spec.kind == "year":
            return g["y"], g["y"], "year"
        if spec.kind == "year_range":
            y = int(g["y"])
            y2 = int(str(y)[:2] + g["y2"])
            return (str(y), str(y2), "year") if y2 > y else None
    except (ValueError, KeyError):
        return None
    # relative expressions
    rel = (g.get("rel") or "").lower()
    shift = {"last": -1, "past": -1, "this": 0, "next": 1}.get(rel, 0)
    if spec.kind == "part_rel_year":
        return None if anchor.year is None else _part_range(g["part"], anchor.year + shift)
    if spec.kind == "rel_month_name":
        if anchor.year is None:
            return None
        v = _ym(anchor.year + shift, _month(g["mon"]))
        return v, v, "month"
    if spec.kind == "md":
        if anchor.year is None:
            return None
        try:
            d = date(anchor.year, _month(g["mon"]), int(g["d"]))
        except ValueError:
            return None
        return d.isoformat(), d.isoformat(), "day"
    if spec.kind == "rel_unit":
        unit = g["unit"]
        if unit == "year":
            if anchor.year is None:
                return None
            return str(anchor.year + shift), str(anchor.year + shift), "year"
        if unit == "month":
            if anchor.year is None or anchor.month is None:
                return None
            index = anchor.year * 12 + anchor.month - 1 + shift
            v = _ym(index // 12, index % 12 + 1)
            return v, v, "month"
        if anchor.day is None:
            return None
        monday = anchor.day - timedelta(days=anchor.day.weekday()) + timedelta(weeks=shift)
        return monday.isoformat(), (monday + timedelta(days=6)).isoformat(), "day"
    if spec.kind == "yesterday":
        if anchor.day is None:
            return None
        d = anchor.day - timedelta(days=1 if g["w"].lower() == "yesterday" else 0)
        return d.isoformat(), d.isoformat(), "day"
    if spec.kind == "weekday":
        if anchor.day is None:
            return None
        back = (anchor.day.weekday() - WEEKDAYS[g["wd"].lower()]) % 7
        d = anchor.day - timedelta(days=back)
        return d.isoformat(), d.isoformat(), "day"
    return None


ABSOLUTE = {"iso", "dmy", "mdr", "mdy", "my", "part_year", "year", "year_range"}


def _scan(text: str) -> list[tuple[int, int, DateSpec]]:
    found: list[tuple[int, int, DateSpec]] = []
    # Spans taken so far, sorted: an earlier pattern wins an overlap. Bisect, not a scan:
    # a 5 MB page holds 100,000 dates.
    starts: list[int] = []
    ends: list[int] = []
    for kind, pattern in _PATTERNS:
        for m in pattern.finditer(text):
            start = m.start("y") if kind == "year" else m.start()
            end = m.end()
            i = bisect_right(starts, start)
            if (i > 0 and ends[i - 1] > start) or (i < len(starts) and starts[i] < end):
                continue
            starts.insert(i, start)
            ends.insert(i, end)
            found.append((start, end, DateSpec(kind, m.groupdict())))
    found.sort(key=lambda f: f[0])
    return found


def _combine(specs: tuple[DateSpec, ...], anchor: Anchor) -> tuple[_Value | None, str]:
    values = [_value(s, anchor) for s in specs]
    relative = any(s.kind not in ABSOLUTE for s in specs)
    if any(v is None for v in values):
        return None, "unresolved"
    first, last = values[0], values[-1]
    assert first is not None and last is not None
    precision = first[2] if first[2] == last[2] else "month" if "month" in (
        first[2], last[2]) else "year"
    start, end = first[0], last[1]
    if precision == "month":
        start, end = start[:7], end[:7]
    elif precision == "year":
        start, end = start[:4], end[:4]
    return (start, end, precision), "relative" if relative else "absolute"


def find_dates(text: str, published: str | None = None) -> list[DateMatch]:
    """Every date expression in `text`, resolved against the article's date when relative."""
    anchor = Anchor.parse(published)
    atoms = _scan(text)
    groups: list[tuple[int, int, tuple[DateSpec, ...]]] = []
    i = 0
    while i < len(atoms):
        start, end, spec = atoms[i]
        if i + 1 < len(atoms):
            n_start, n_end, n_spec = atoms[i + 1]
            before = _RANGE_BEFORE.search(text[max(0, start - 12):start])
            if before and _RANGE_JOIN.match(text[end:n_start]):
                groups.append((start - len(before.group(0)), n_end, (spec, n_spec)))
                i += 2
                continue
        groups.append((start, end, (spec,)))
        i += 1
    out = []
    for start, end, specs in groups:
        value, resolution = _combine(specs, anchor)
        if value is None:
            out.append(DateMatch(start, end, text[start:end], None, None, "unknown",
                                 resolution, specs))
            continue
        v_start, v_end, precision = value
        out.append(DateMatch(start, end, text[start:end], v_start,
                             None if v_end == v_start else v_end, precision, resolution, specs))
    return out


def resolve(date_text: str, anchor_iso: str | None) -> tuple[str, str | None, str] | None:
    """Resolve a date expression as written against a date: (start, end|None, precision).

    What the app calls when the analyst sets an article's date."""
    matches = find_dates(date_text, anchor_iso)
    if not matches or matches[0].date_start is None:
        return None
    m = matches[0]
    return m.date_start, m.date_end, m.precision


def parse_publication_date(text: str) -> tuple[str, str] | None:
    """A publication date written on its own (`Published: 04 April 2023`, `December 10,
    2013`, `2023-04-04`, `2023`): (ISO value, precision), or None."""
    text = re.sub(r"(?i)^\s*(published|posted|updated|date)\s*[:\-]?\s*", "", text).strip()
    text = re.sub(r"\s+\d{1,2}:\d{2}.*$", "", text)  # a time after the date
    text = _month_words(text)
    for m in find_dates(text):
        if m.resolution == "absolute" and m.start <= 1 and len(text) - m.end <= 1 \
                and m.date_end is None:
            return m.date_start, m.precision  # type: ignore[return-value]
    if re.fullmatch(r"(?:1[89]|20)\d\d", text):
        return text, "year"
    return None


_MONTH_WORD = re.compile(r"(?i)\b(?:(?P<full>" + "|".join(MONTHS) + r")|(?P<abbr>"
                         + "|".join(MONTH_ABBR) + r")(?!\.))\b")


def _month_words(text: str) -> str:
    """Month names as an analyst types them, as `find_dates` reads them: `april` -> `April`,
    `Apr` -> `Apr.` (so `Apr 2023`, `4 apr 2023`, `Apr 4, 2023` are dates)."""
    def fix(m: re.Match[str]) -> str:
        return m[0].capitalize() + ("." if m["abbr"] else "")

    return _MONTH_WORD.sub(fix, text)
