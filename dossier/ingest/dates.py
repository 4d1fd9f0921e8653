"""Date expressions in news text: found with their spans, normalised, relative ones resolved.

Values are ISO strings at their precision: `2023-03-30` (day), `2022-02` (month), `2022`
(year); a range is a start and an end (`2022-10` .. `2023-03`). Weeks, weekends, quarters,
halves, seasons and decades are ranges of days, months or years (TIMEX3's `2009-W13`,
`2009-W04-WE`, `2009-Q3`, `2009-H1`, `2009-SP`, `197` written as what they cover). The
conventions follow TimeML/HeidelTime where they agree, and a reader of news where not:

- Direction comes from the tense of the date's own clause (its governing verb before it,
  else the words after it; a reporting verb in another clause does not count): with a past
  verb a date named without a year is the latest one on or before the article's date, with a
  future one (`will`, `would`, `should`, `plans to`, `until` ...) the next one on or after;
  with neither, the article's year. So `crashed in June` (article of 2009-05) is 2008-06,
  `will be completed in October` (2009-11) is 2010-10, `will meet on Wednesday` is the
  coming Wednesday, `said on Thursday` and a bare `Thursday` the latest one.
- `last week` is Monday to Sunday of the week before the article's; `this week` its own.
  `yesterday`, `today` from the article's day.
- `last September` is the latest September before the article's month (2009-09 in a text of
  2009-10; in one of 2009-09, 2008-09); `next September` the first after it; `this
  September` the article's year. `last month`, `last year`, `last quarter`, `next year`
  count from the article's month, quarter or year. `last summer` likewise. `later this year`
  runs from the article's month to December, `earlier this year` from January to it.
- A bare month needs no year (`in March`, `between April and June`, `since September`);
  March, May, June and August only after a word that makes them a date (`in May`), since they
  are also words. `October of next year` is one month.
- `early 2023` is January to March, `mid-2023` May to August, `late 2023` / `the end of 2023`
  October to December, `the beginning of 2023` January to March; `early June` is June.
- Quarters and halves: `the third quarter of this year`, `Q4 2009`, `third-quarter`, `the
  first half of 2009`, `H1`; `final` and `last` with a year are the fourth. Seasons: spring
  March-May, summer June-August, autumn/fall September-November, winter December-February
  (the winter of a year starts in its December); `fall` only as `the fall`, `this fall`,
  `fall 2009`. Decades: `the 1980s`, `the '80s`, `the 70s` (two digits: the latest such
  decade not after the article's year; not `in their 70s`), `the early 1990s`. `'82` is the
  year 1982 (the nearest to the article's, at most ten years ahead).
- Weeks: `the last week of March` is an ISO week; the weeks of a month are those whose
  Thursday lies in it (ISO 8601's rule for the weeks of a year). `this weekend`, `the
  weekend` are a Saturday and Sunday: the one of the article's week, or the one before with
  a past verb (`became public this weekend`), `last weekend` / `next weekend` one week off.
- The article's day said indirectly: `the day`, `the same day`, `that day`, `the start of the
  day` are the day last named before them (else the article's); `the next day`, `the day
  before` one day off; `a second consecutive day` (`week`) the article's day (week).
- A time of day (`14:58 UTC`, `0800 GMT`, `6:40 p.m.`, `at 9:30`) is a day: the one it is
  written with (`16:15 UTC, June 1`), else the day named before it in its sentence, else the
  article's. A bare `3:20` is not a time (a score, a ratio).
- Anaphoric years: `the previous year`, `the year before` are the year before the one last
  named (else before the article's); `the entire year` the year last named; `the same month
  a year ago`, `the same period last year` the date last named, a year back.
- Named days are not weekdays: `Black Monday`, `Good Friday`, `Super Tuesday` are not dated.
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
    ("dm", re.compile(r"\b(?P<d>\d{1,2})(?:st|nd|rd|th)? (?:of )?" + _MONTH.format(g="mon")
                      + r"(?!,? \d)")),
    ("my", re.compile(_MONTH.format(g="mon") + r",? (?:of )?" + _YEAR.format(g="y") + r"\b")),
    # A word boundary and a first letter before the case-blind alternation: without them the
    # engine tries every alternative at every position (300 µs an article instead of 20).
    ("part_rel_year", re.compile(r"\b(?=[EeLlMmTtBbSsFf])(?i:" + _PART
                                 + r" (?P<rel>last|this|next) year)\b")),
    ("part_year", re.compile(r"\b(?=[EeLlMmTtBbSsFf])(?i:" + _PART + r") ?"
                             + _YEAR.format(g="y") + r"\b")),
    ("month_rel_year", re.compile(_MONTH.format(g="mon") + r",? (?:of )?(?P<rel>last|this|next)"
                                  r" year\b")),
    ("rel_month_name", re.compile(r"\b(?P<rel>[Ll]ast|[Tt]his|[Nn]ext) "
                                  + _MONTH.format(g="mon"))),
    ("part_month", re.compile(r"\b(?P<part>[Ee]arly|[Ll]ate|[Mm]id-?|the end of|the beginning of|"
                              r"the start of|the middle of) " + _MONTH.format(g="mon")
                              + r"\b(?! \d)")),
    ("quarter", re.compile(r"\b(?=[TtFfSs1-4])(?:[Tt]he )?"
                           r"(?P<qn>first|second|third|fourth|final|1st|2nd|3rd|"
                           r"4th)[ -](?P<qunit>quarter|half)(?: of (?:(?P<y>(?:1[89]|20)\d\d)|"
                           r"(?P<rel>last|this|next) year|the year))?\b", re.I)),
    ("quarter_q", re.compile(r"\b(?:(?P<y0>(?:1[89]|20)\d\d) )?(?P<qunit>[QH])(?P<qn>[1-4])"
                             r"(?:[ -](?P<y>(?:1[89]|20)\d\d))?\b")),
    ("rel_quarter", re.compile(r"\b(?P<rel>[Ll]ast|[Tt]his|[Nn]ext) (?P<qunit>quarter)\b")),
    ("week_of", re.compile(r"\b(?:[Tt]he )?(?P<wn>first|second|third|fourth|fifth|last|final) "
                           r"week of (?:" + _MONTH.format(g="mon") + r"(?:,? (?P<y>(?:1[89]|20)"
                           r"\d\d))?|(?P<y2>(?:1[89]|20)\d\d))\b")),
    ("season", re.compile(r"\b(?=[LlTtNnEeSsAaWwFf])"
                          r"(?:(?P<rel>[Ll]ast|[Tt]his|[Nn]ext) |(?:[Tt]he )?(?P<part>[Ee]arly|"
                          r"[Ll]ate) |[Tt]he )?(?P<season>[Ss]pring|[Ss]ummer|[Aa]utumn|[Ww]inter|"
                          r"[Ff]all)(?: (?:of )?(?P<y>(?:1[89]|20)\d\d))?\b(?! [A-Z])")),
    ("decade", re.compile(r"(?=[EeLlMmTtAaOoIi'’0-9])"
                          r"(?:\b(?P<dpart>[Ee]arly|[Ll]ate|[Mm]id-?) ?|(?P<pre>\b(?:[Tt]he|and|or|"
                          r"to|[Ii]n) ))?(?P<dec>\b(?:1[89]|20)\d0|['’]\d0|\b\d0)['’]?s\b")),
    ("weekend", re.compile(r"\b(?P<rel>[Tt]his|[Ll]ast|[Nn]ext|[Tt]he|[Tt]hat) weekend\b")),
    ("nth_unit", re.compile(r"\b(?:[Aa]|[Tt]he) (?:second|third|fourth|fifth|sixth|seventh|"
                            r"eighth|ninth|tenth|\d{1,2}(?:st|nd|rd|th))"
                            r"(?: (?:straight|consecutive|successive|running))? "
                            r"(?P<unit>day|week)\b")),
    ("same_ago", re.compile(r"\b[Tt]he same (?P<unit>period|month|quarter|week|day|time) "
                            r"(?:last year|a year (?:ago|earlier|before)|of last year|"
                            r"the (?:previous|prior|preceding) year)")),
    ("prev_year", re.compile(r"\b(?:[Tt]he (?:previous|prior|preceding) year|[Tt]he year "
                             r"(?:before|previous|earlier))\b")),
    ("whole_year", re.compile(r"\b[Tt]he (?:entire|whole|full) year\b")),
    ("the_day", re.compile(r"\b(?:(?P<shift>[Tt]he (?:next|following|previous|preceding) day|"
                           r"[Tt]he day (?:before|after)(?= *[.,;:)\n]| *$))|[Tt]he same day|"
                           r"[Tt]hat (?:same )?day|(?<=[Ii]n )the day(?= *[.,;:)\n]| *$)|"
                           r"[Tt]he (?:start|beginning|end|rest|close) of (?:the|that) day)\b")),
    ("time", re.compile(r"\b(?P<hh>[01]?\d|2[0-3])(?::(?P<mm>[0-5]\d)(?:\s*(?P<ap>[ap]\.?m\.?))?"
                        r"(?:\s*\(?(?P<z>UTC|GMT|EST|EDT|CET|CEST|BST|PST|PDT|CST|CDT|MST|MDT|JST"
                        r")\b(?:\s*[+-]\s*\d{1,2})?\)?)?|(?P<hhmm>[0-5]\d)\s+(?P<z2>GMT|UTC)\b|"
                        r"\s*(?P<ap2>[ap]\.m\.))")),
    ("later_year", re.compile(r"\b(?P<lat>[Ll]ater|[Ee]arlier) (?:this|in the) year\b")),
    ("rel_unit", re.compile(r"\b(?P<rel>[Ll]ast|[Tt]his|[Nn]ext|[Pp]ast) "
                            r"(?P<unit>week|month|year)\b")),
    ("yesterday", re.compile(r"\b(?P<w>[Yy]esterday|[Tt]oday)\b")),
    ("weekday", re.compile(r"\b" + _WEEKDAY + r"(?:[’']s)?\b")),
    # A bare month: March, May, June and August are also words; they need a word before them
    # that makes them a date ("in May", "between April and June").
    ("month", re.compile(r"(?:\b(?:[Ii]n|[Ss]ince|[Uu]ntil|till|by|[Bb]efore|[Aa]fter|during|"
                         r"[Ff]rom|to|through|[Bb]etween|and|or|of|on|for|[Ee]arly|[Ll]ate|mid-?) "
                         r"(?P<mon>March|May|June|August)|\b(?P<mon2>January|February|April|July|"
                         r"September|October|November|December))\b(?![ -]?\d)")),
    ("apos_year", re.compile(r"(?<![\w'’])['’](?P<yy>\d\d)\b(?!['’]?s\b)")),
    ("year_range", re.compile(r"\b" + _YEAR.format(g="y") + r"[-–](?P<y2>\d{2})\b")),
    # A bare year only after a word that makes it a date ("in 2010"; not "2010 jobs").
    ("year", re.compile(r"\b(?:[Ii]n|[Ss]ince|by|until|of|during|[Ff]rom|before|after|"
                        r"through|to|and|[Bb]etween|[Tt]he|or) " + _YEAR.format(g="y")
                        + r"\b(?![-–]\d)")),
]

# What every match of a pattern holds: a substring (a needle), or a match of a probe (a
# pattern led by a literal, which the regex engine finds as fast as a substring). A pattern
# runs only on a text holding one of its needles or probes, of each `_Need` it has: each
# pattern is a scan of the whole text (~35 µs an article for one led by `\b`, tried at every
# position; 190 µs for `decade`), most match in few articles, and a needle costs about a
# microsecond. `fold`: the needles are looked for in the text folded as the case-blind
# patterns compare (`_fold`). A kind not listed always runs. Keep them with the patterns:
# `tests/test_ingest_fast_paths.py` checks that no match lacks its needles.
@dataclass(frozen=True, eq=False)  # found once a text, by identity
class _Need:
    needles: tuple[str, ...] = ()
    probes: tuple[re.Pattern[str], ...] = ()
    fold: bool = False


def _fold(text: str) -> str:
    """`text` lower-cased as a case-blind pattern matches ASCII letters: besides A-Z, `İ`
    and `ı` are an `i`, `ſ` an `s`, the Kelvin sign a `k` (which `lower` makes it)."""
    return text.lower().replace("\u0307", "").replace("ı", "i").replace("ſ", "s")


def _probes(*patterns: str) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p) for p in patterns)


_MONTH_NEED = _Need(probes=_probes(_MONTH.format(g="m")))
# A day before a month: looked for only in a text naming a month.
_DAY_MONTH_NEED = _Need(probes=_probes(r"\d(?:st|nd|rd|th)? (?:of )?" + _MONTH.format(g="m")))
_NEEDS: dict[str, tuple[_Need, ...]] = {
    "iso": (_Need(probes=_probes(r"-\d\d-")),),
    "dmy": (_MONTH_NEED, _DAY_MONTH_NEED),
    "mdr": (_MONTH_NEED,), "mdy": (_MONTH_NEED,), "md": (_MONTH_NEED,),
    "dm": (_MONTH_NEED, _DAY_MONTH_NEED),
    "my": (_MONTH_NEED,), "month_rel_year": (_MONTH_NEED,), "rel_month_name": (_MONTH_NEED,),
    "part_month": (_MONTH_NEED,), "month": (_MONTH_NEED,),
    "part_rel_year": (_Need(("last year", "this year", "next year"), fold=True),),
    "part_year": (_Need(("early", "late", "mid", "end of", "beginning of", "start of",
                         "half of"), fold=True),),
    "quarter": (_Need(("quarter", "half"), fold=True),),
    "quarter_q": (_Need(probes=_probes(r"Q[1-4]", r"H[1-4]")),),
    "rel_quarter": (_Need((" quarter",)),),
    "week_of": (_Need(("week of",)),),
    "season": (_Need(("Spring", "spring", "Summer", "summer", "Autumn", "autumn", "Winter",
                      "winter", "Fall", "fall")),),
    "decade": (_Need(("0s", "0's", "0’s")),),
    "weekend": (_Need((" weekend",)),),
    "nth_unit": (_Need((" day", " week")),),
    "same_ago": (_Need(("he same ",)),),
    "prev_year": (_Need(("previous year", "prior year", "preceding year", "he year ")),),
    "whole_year": (_Need(("entire year", "whole year", "full year")),),
    "the_day": (_Need((" day",)),),
    "time": (_Need(("GMT", "UTC", ".m."), _probes(r":[0-5]\d")),),
    "later_year": (_Need(("this year", "in the year")),),
    "rel_unit": (_Need(tuple(f"{rel} {unit}" for rel in ("ast", "his", "ext")
                             for unit in ("week", "month", "year"))),),
    "yesterday": (_Need(("esterday", "oday")),),
    "weekday": (_Need(("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
                       "Sunday")),),
    "apos_year": (_Need(probes=_probes(r"'\d\d", r"’\d\d")),),
    "year_range": (_Need(probes=_probes(r"-\d\d", r"–\d\d")),),
    "year": (_Need(probes=_probes(r"(?:1[89]|20)\d\d")),),
}


def _runnable(text: str) -> list[tuple[str, re.Pattern[str]]]:
    """The patterns that may match in `text` (`_NEEDS`), in their order."""
    found: dict[_Need, bool] = {}
    folded: str | None = None
    out = []
    for kind, pattern in _PATTERNS:
        for need in _NEEDS.get(kind, ()):
            if need not in found:
                within = text
                if need.fold:
                    if folded is None:
                        folded = _fold(text)
                    within = folded
                found[need] = any(n in within for n in need.needles) or any(
                    p.search(text) is not None for p in need.probes)
            if not found[need]:
                break
        else:
            out.append((kind, pattern))
    return out


_RANGE_BEFORE = re.compile(r"(?i)\b(between|from) +$")  # never across a line end
_RANGE_JOIN = re.compile(r"(?i)^ +(and|to|until|through) +$")


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


def _pick_year(first: int, last: int, anchor: Anchor, tense: str | None) -> int:
    """The year of a month-like period (months `first`..`last`) named without one: the
    article's, unless the tense says it is the latest past one or the next one."""
    assert anchor.year is not None
    if anchor.month is None or tense is None:
        return anchor.year
    if tense == "past" and first > anchor.month:
        return anchor.year - 1
    if tense == "future" and last < anchor.month:
        return anchor.year + 1
    return anchor.year


_SEASONS = {"spring": (3, 5), "summer": (6, 8), "autumn": (9, 11), "fall": (9, 11),
            "winter": (12, 14)}
_ORDINAL = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4,
            "4th": 4, "fifth": 5, "final": -1, "last": -1}


def _months_value(year: int, first: int, last: int) -> _Value:
    end = _ym(year + (last - 1) // 12, (last - 1) % 12 + 1)
    return _ym(year, first), end, "month"


def _period_value(spec: DateSpec, anchor: Anchor, shift: int, tense: str | None) -> _Value | None:
    """Quarters, halves and seasons as month ranges: `Q3 2009` is 2009-07..2009-09."""
    g = spec.groups
    if spec.kind == "season":
        first, last = _SEASONS[g["season"].lower()]
        part = (g.get("part") or "").lower()
        if part == "early":
            last = first
        elif part == "late":
            first = last
    elif spec.kind == "rel_quarter":
        if anchor.year is None or anchor.month is None:
            return None
        index = anchor.year * 4 + (anchor.month - 1) // 3 + shift
        return _months_value(index // 4, index % 4 * 3 + 1, index % 4 * 3 + 3)
    else:
        n = _ORDINAL.get(g["qn"].lower(), 0) if not g["qn"].isdigit() else int(g["qn"])
        size = 6 if g["qunit"].lower() in ("half", "h") else 3
        n = 12 // size if n == -1 else n
        if not 1 <= n <= 12 // size:
            return None
        first, last = (n - 1) * size + 1, n * size
    year_text = g.get("y") or g.get("y0")
    if year_text:
        return _months_value(int(year_text), first, last)
    if anchor.year is None:
        return None
    if g.get("rel"):
        rel = g["rel"].lower()
        if spec.kind == "season" and anchor.month is not None and rel in ("last", "next"):
            if rel == "last":
                year = anchor.year if last < anchor.month else anchor.year - 1
            else:
                year = anchor.year if first > anchor.month else anchor.year + 1
            return _months_value(year, first, last)
        return _months_value(anchor.year + shift, first, last)
    return _months_value(_pick_year(first, min(last, 12), anchor, tense), first, last)


def _week_of(g: dict[str, str | None], anchor: Anchor) -> _Value | None:
    """`the last week of March`: the weeks of a month are the ISO weeks whose Thursday is in it
    (ISO 8601's rule for the weeks of a year)."""
    n = _ORDINAL.get((g.get("wn") or "").lower(), 0)
    if g.get("y2"):
        year = int(g["y2"])
        thursdays = [d for d in (date(year, 1, 1) + timedelta(days=i) for i in range(366))
                     if d.weekday() == 3 and d.year == year]
    else:
        year = int(g["y"]) if g.get("y") else anchor.year
        if year is None:
            return None
        mon = _month(g["mon"] or "")
        thursdays = [date(year, mon, d) for d in range(1, calendar.monthrange(year, mon)[1] + 1)
                     if date(year, mon, d).weekday() == 3]
    if n == 0 or n > len(thursdays):
        return None
    monday = thursdays[n - 1 if n > 0 else -1] - timedelta(days=3)
    return monday.isoformat(), (monday + timedelta(days=6)).isoformat(), "day"


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
        mon = _month(g["mon"])
        year = anchor.year
        if shift and anchor.month is not None:  # the latest one before the article's month
            year += (-1 if mon >= anchor.month else 0) if shift < 0 else (
                1 if mon <= anchor.month else 0)
        elif shift:
            year += shift
        v = _ym(year, mon)
        return v, v, "month"
    tense = g.get("_tense")
    if spec.kind in ("md", "dm"):
        if anchor.year is None:
            return None
        try:
            d = date(anchor.year, _month(g["mon"]), int(g["d"]))
            if anchor.day is not None and tense == "past" and d > anchor.day:
                d = d.replace(year=d.year - 1)
            elif anchor.day is not None and tense == "future" and d < anchor.day:
                d = d.replace(year=d.year + 1)
        except ValueError:
            return None
        return d.isoformat(), d.isoformat(), "day"
    if spec.kind in ("month", "part_month", "month_rel_year"):
        if anchor.year is None:
            return None
        mon = _month(g.get("mon") or g.get("mon2") or "")
        year = anchor.year + shift if spec.kind == "month_rel_year" else _pick_year(
            mon, mon, anchor, tense)
        return _ym(year, mon), _ym(year, mon), "month"
    if spec.kind in ("quarter", "quarter_q", "rel_quarter", "season"):
        return _period_value(spec, anchor, shift, tense)
    if spec.kind == "later_year":  # the rest of the article's year, or the part before
        if anchor.year is None:
            return None
        if anchor.month is None:
            return str(anchor.year), str(anchor.year), "year"
        later = g["lat"].lower() == "later"
        return _months_value(anchor.year, anchor.month if later else 1,
                             12 if later else anchor.month)
    if spec.kind == "week_of":
        return _week_of(g, anchor)
    if spec.kind == "decade":
        dec = g["dec"].strip("'’")
        if len(dec) == 2:
            if anchor.year is None:
                return None
            century = anchor.year // 100 * 100
            first = century + int(dec) if century + int(dec) <= anchor.year else (
                century - 100 + int(dec))
        else:
            first = int(dec)
        part = (g.get("dpart") or "").lower()
        lo, hi = {"early": (0, 3), "mid": (3, 6), "mid-": (3, 6), "late": (7, 9)}.get(part, (0, 9))
        return str(first + lo), str(first + hi), "year"
    if spec.kind == "apos_year":
        if anchor.year is None:
            return None
        century = anchor.year // 100 * 100
        y = century + int(g["yy"])
        y = y if y <= anchor.year + 10 else y - 100
        return str(y), str(y), "year"
    if spec.kind == "prev_year":  # the year before the one last named, else the article's
        before = g.get("_before")
        year = int(before[:4]) if before else anchor.year
        return None if year is None else (str(year - 1),) * 2 + ("year",)
    if spec.kind in ("whole_year", "same_ago"):
        before = g.get("_before")
        if spec.kind == "whole_year":
            if before:
                return before[:4], before[:4], "year"
            return None if anchor.year is None else (str(anchor.year),) * 2 + ("year",)
        if before:
            try:
                y = str(int(before[:4]) - 1)
                v = y + before[4:]
                if len(v) == 10:
                    date.fromisoformat(v)
                precision = {4: "year", 7: "month"}.get(len(v), "day")
                return v, v, precision
            except ValueError:
                return None
        return None if anchor.year is None else (str(anchor.year - 1),) * 2 + ("year",)
    if spec.kind in ("the_day", "time", "nth_unit"):
        day = g.get("_day")
        base = date.fromisoformat(day) if day else anchor.day
        if base is None:
            return None
        if spec.kind == "nth_unit" and g["unit"] == "week":
            monday = base - timedelta(days=base.weekday())
            return monday.isoformat(), (monday + timedelta(days=6)).isoformat(), "day"
        shift_text = (g.get("shift") or "").lower()
        if any(w in shift_text for w in ("next", "following", "after")):
            base += timedelta(days=1)
        elif any(w in shift_text for w in ("previous", "preceding", "before")):
            base -= timedelta(days=1)
        return base.isoformat(), base.isoformat(), "day"
    if spec.kind == "weekend":
        if anchor.day is None:
            return None
        saturday = anchor.day + timedelta(days=5 - anchor.day.weekday())  # of the article's week
        if rel == "last" or (rel != "next" and tense == "past" and saturday > anchor.day):
            saturday -= timedelta(weeks=1)
        elif rel == "next" or (tense == "future" and saturday + timedelta(days=1) < anchor.day):
            saturday += timedelta(weeks=1)
        return saturday.isoformat(), (saturday + timedelta(days=1)).isoformat(), "day"
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
        if tense == "future":
            d = anchor.day + timedelta(days=(WEEKDAYS[g["wd"].lower()] - anchor.day.weekday()) % 7)
            return d.isoformat(), d.isoformat(), "day"
        back = (anchor.day.weekday() - WEEKDAYS[g["wd"].lower()]) % 7
        d = anchor.day - timedelta(days=back)
        return d.isoformat(), d.isoformat(), "day"
    return None


ABSOLUTE = {"iso", "dmy", "mdr", "mdy", "my", "part_year", "year", "year_range"}
_MAYBE_ABSOLUTE = {"quarter", "quarter_q", "season", "week_of", "decade"}


_NAMED_DAY = re.compile(r"\b(?:Black|Blue|Cyber|Super|Good|Easter|Ash|Bloody|Holy|Maundy|"
                        r"Shrove|Whit|Palm|Giving|Fat|Mad|Manic|Small Business) $")
_TIME_BEFORE = re.compile(r"\b(?:[Aa]t|by|[Ff]rom|until|till|to|around|about|before|after|"
                          r"since|between|and) $")


def _is_time(text: str, m: re.Match[str]) -> bool:
    """A clock time only with a zone, a.m./p.m., or `at`-like word before it: not a score."""
    if m.group("z") or m.group("z2") or m.group("ap") or m.group("ap2"):
        return m.group("mm") is not None or m.group("hhmm") is not None or bool(m.group("ap2"))
    return m.group("mm") is not None and bool(
        _TIME_BEFORE.search(text, max(0, m.start() - 8), m.start()))


_FUTURE = re.compile(r"(?i)\b(?:will|won't|wo n't|shall|would|should|going to|expected to|"
                     r"expects? to|plans? to|planned to|planning to|scheduled|set to|is to|"
                     r"due(?! to (?:the|an?|what|its|his|her|their|this|that|[A-Z]\w*)\b)|"
                     r"wants? to|needs? to|are to|until|till|upcoming|intends? to|aims? to|"
                     r"hopes? to|could|may|might|must|to be)\b|'ll\b")
_PAST = re.compile(r"(?i)\b(?:was|were|had|did|said|ago|earlier|made|took|told|began|saw|got|"
                   r"went|came|rose|fell|sold|bought|won|lost|left|held|met|gave|paid|became|"
                   r"found|brought|spent|struck|thought|knew|grew|flew|drove|wrote|led|ran|"
                   r"stood|sent|built|chose|hit|cut|since|[a-z]{3,}ed)\b")
_NOT_PAST = {"expected", "scheduled", "planned", "proposed", "based", "related", "united",
             "limited", "advanced", "detailed", "need", "indeed", "speed", "seed", "feed",
             "hundred", "red", "bed", "shed", "bred", "breed", "weed"}
_CLAUSE = re.compile(r"[.;:!?\n—–]|--|,\s|\b(?:that|which|who|when|where|while|because|but)\b")


def _tense(text: str, start: int, end: int) -> str | None:
    """`past`, `future` or None: what the verbs of a date's own clause say of its direction,
    the words before it first (its governing verb), then those after it. A reporting verb in
    another clause (`Ford announced cuts, closing plants in the fourth quarter`) does not
    count."""
    sentence_start = _sentence_start(text, start)
    before = text[sentence_start:start]
    clause_start = 0
    for m in _CLAUSE.finditer(before):
        clause_start = m.end()
    after = text[end:end + 200]
    m = _CLAUSE.search(after)
    for window in (before[clause_start:], after[:m.start() if m else len(after)]):
        if _FUTURE.search(window):
            return "future"
        if any(p.group().lower() not in _NOT_PAST for p in _PAST.finditer(window)):
            return "past"
    return None


def _scan(text: str) -> list[tuple[int, int, DateSpec]]:
    found: list[tuple[int, int, DateSpec]] = []
    # Spans taken so far, sorted: an earlier pattern wins an overlap. Bisect, not a scan:
    # a 5 MB page holds 100,000 dates.
    starts: list[int] = []
    ends: list[int] = []
    for kind, pattern in _runnable(text):
        for m in pattern.finditer(text):
            start, end = m.start(), m.end()
            if kind == "year":
                start = m.start("y")
            elif kind == "month":
                start = m.start("mon") if m.group("mon") else m.start("mon2")
            if kind == "decade" and not m.group("dpart"):
                start = m.start("dec")
            if kind == "time" and not _is_time(text, m):
                continue
            if kind == "time" and text[end - 1] == ")" and "(" not in text[start:end]:
                end -= 1  # `(16:30 UTC)`: the bracket closes the aside, not the time
            elif kind == "weekday" and _NAMED_DAY.search(text, max(0, start - 12), start):
                continue  # Black Monday, Good Friday: a named day, not the nearest weekday
            elif kind == "season" and m.group("season").lower() == "fall" and not (
                    m.group("rel") or m.group("y") or re.search(
                        r"(?:\b[Ii]n|\bthe|\bThe|\bthis|\bby) $", text[max(0, start - 6):start])):
                continue  # "a fall in sales"
            elif kind == "season" and re.search(r"\b(?:[Aa]n?|[Ee]very|[Ee]ach) $",
                                                text[max(0, start - 6):start]):
                continue
            elif kind == "decade" and re.search(r"\b(?:their|his|her|its|my|our|your) (?:mid-|"
                                                r"early |late )?$", text[max(0, start - 12):start]):
                continue  # "in their 70s": an age
            elif kind == "decade" and not m.group("pre") and not m.group("dpart") and \
                    len(m.group("dec").strip("'’")) == 2 and m.group("dec")[0] not in "'’":
                continue
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
    relative = any(s.kind not in ABSOLUTE and not (
        s.kind in _MAYBE_ABSOLUTE and (s.groups.get("y") or s.groups.get("y0") or s.groups.get(
            "y2") or len((s.groups.get("dec") or "").strip("'’")) == 4)) for s in specs)
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


_DAY_KINDS = {"iso", "dmy", "mdy", "md", "dm", "weekday", "yesterday"}
_TENSED = {"md", "dm", "month", "part_month", "quarter", "quarter_q", "season", "weekday",
           "weekend"}


def _sentence_start(text: str, at: int) -> int:
    """Where the sentence holding `at` starts, looked for at most 400 characters back: a text
    without stops (a hostile page of dates) must not cost a scan back to its start per date."""
    lo = max(0, at - 400)
    return max([text.rfind(c, lo, at) for c in ".!?\n"] + [lo - 1]) + 1


def find_dates(text: str, published: str | None = None) -> list[DateMatch]:
    """Every date expression in `text`, resolved against the article's date when relative."""
    anchor = Anchor.parse(published)
    last_day_at = -1
    atoms = _scan(text)
    groups: list[tuple[int, int, tuple[DateSpec, ...]]] = []
    i = 0
    while i < len(atoms):
        start, end, spec = atoms[i]
        if i + 1 < len(atoms):
            n_start, n_end, n_spec = atoms[i + 1]
            if spec.kind == "time" and n_spec.kind in _DAY_KINDS and re.fullmatch(
                    r",? (?:on )?", text[end:n_start]):
                groups.append((start, n_end, (n_spec,)))  # `16:15 UTC, June 1`: one date
                i += 2
                continue
            before = _RANGE_BEFORE.search(text[max(0, start - 12):start])
            if before and _RANGE_JOIN.match(text[end:n_start]):
                groups.append((start - len(before.group(0)), n_end, (spec, n_spec)))
                i += 2
                continue
        groups.append((start, end, (spec,)))
        i += 1
    out = []
    last_day: str | None = None
    last_value: str | None = None
    for start, end, specs in groups:
        for spec in specs:
            if spec.kind in _TENSED:
                spec.groups["_tense"] = _tense(text, start, end)
            if spec.kind in ("the_day", "time"):
                spec.groups["_day"] = last_day if spec.kind == "the_day" or (
                    last_day_at >= _sentence_start(text, start)) else None
            if spec.kind in ("whole_year", "same_ago", "prev_year"):
                spec.groups["_before"] = last_value
        value, resolution = _combine(specs, anchor)
        if value is not None:
            last_value = value[0]
            if value[2] == "day":
                last_day, last_day_at = value[0], start
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
        # A year, `May` or `the day` is a date after the word that made it one (`in 2010`).
        matches = find_dates("in " + date_text, anchor_iso)
    if not matches or matches[0].date_start is None:
        return None
    m = matches[0]
    return m.date_start, m.date_end, m.precision


_LABEL = re.compile(r"(?i)^\s*(?:(?:first |last )?(?:published|posted|updated|dated|date|"
                    r"released)(?: on| at)?)\s*[:\-]?\s*")
_WEEKDAY_PREFIX = re.compile(r"(?i)^(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)"
                             r"(?:day|nesday|sday|urday|rsday)?\.?,?\s+")
_TIME = re.compile(r"(?:\b[Aa]t\s+)?\b\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s*(?i:[ap]\.?m\.?))?"
                   r"(?:\s*(?:[A-Z]{2,5}\b|[+-]\d{2}:?\d{2}|Z\b))?")
_WIRE = re.compile(r"(?P<d>\d{1,2})-(?P<mon>[A-Za-z]{3,4})-(?P<y>\d{4})")
_MONTH_WORDS = (r"(?:january|february|march|april|may|june|july|august|september|october|"
                r"november|december|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)")
_WORD_MONTH = re.compile(r"(?i)\b" + _MONTH_WORDS + r"\.?(?=[\s,\d]|$)")
_NUMERIC = re.compile(r"(?P<a>\d{1,4})[/.](?P<b>\d{1,2})[/.](?P<c>\d{2,4})")


def _iso_day(year: int, month: int, day: int) -> tuple[str, str] | None:
    try:
        return date(year, month, day).isoformat(), "day"
    except ValueError:
        return None


def _month_word(word: str) -> int | None:
    key = word.lower().rstrip(".")
    return MONTHS.get(key) or MONTH_ABBR.get(key[:4] if key.startswith("sept") else key[:3])


def _spelled_months(text: str) -> str:
    """`Mar 3` -> `March 3`: written months without a dot, as datelines and feeds write them."""
    def full(m: re.Match[str]) -> str:
        month = _month_word(m.group())
        return calendar.month_name[month] if month else m.group()
    return _WORD_MONTH.sub(full, text)


def parse_publication_date(text: str) -> tuple[str, str] | None:
    """A publication date written on its own: (ISO value, precision), or None.

    Accepted: `Published: 04 April 2023`, `December 10, 2013`, `3 March 2023`, `Mar 3, 2023`,
    `2023-04-04` (a time after it too), `2023`, `March 2023`, the wire's
    `26-FEB-1987 15:01:01.79`, RFC 2822 `Thu, 26 Feb 1987 15:01:01 GMT`,
    `Updated 3:14 PM EST, Mar 3, 2023`, and numeric dates: `2023/03/04` is year, month, day;
    `04/03/2023` and `04.03.2023` are read only when the order cannot matter (one number over
    12, or both the same): a day and a month both 12 or under are refused as ambiguous, since
    `04/03` is April in the US and March in most of the world."""
    text = " ".join(text.split())
    if len(text) > 80:
        return None
    iso = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?", text)
    if iso:
        return _iso_day(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
    text = _LABEL.sub("", text)
    text = _WEEKDAY_PREFIX.sub("", text)
    text = _TIME.sub(" ", text)
    text = re.sub(r"\((?:Reuters|AP|AFP|UPI)\)", " ", text)
    text = " ".join(text.split()).strip(" ,;-–—|")
    if (m := _WIRE.fullmatch(text)) and (month := _month_word(m.group("mon"))):
        return _iso_day(int(m.group("y")), month, int(m.group("d")))
    if m := _NUMERIC.fullmatch(text):
        a, b, c = m.group("a"), m.group("b"), m.group("c")
        if len(a) == 4:
            return _iso_day(int(a), int(b), int(c)) if len(c) <= 2 else None
        if len(c) != 4:
            return None
        x, y = int(a), int(b)
        if x > 12 >= y:
            return _iso_day(int(c), y, x)
        if y > 12 >= x:
            return _iso_day(int(c), x, y)
        return _iso_day(int(c), x, y) if x == y else None
    text = _spelled_months(text)
    for m in find_dates(text):
        if m.resolution == "absolute" and m.start <= 1 and len(text) - m.end <= 1 \
                and m.date_end is None:
            return m.date_start, m.precision  # type: ignore[return-value]
    if re.fullmatch(r"(?:1[89]|20)\d\d", text):
        return text, "year"
    return None


# An in-text dateline opening a wire story: `WASHINGTON, March 3 (Reuters) - `,
# `SALVADOR, Feb 26 - `, `NEW YORK, Dec 1 -- `. The place is upper case or a capitalised name.
_DATELINE = re.compile(
    r"(?P<place>[A-Z][A-Za-z.'’-]*(?: [A-Z][A-Za-z.'’-]*){0,3}(?:, [A-Z][A-Za-z.'’-]*"
    r"(?: [A-Z][A-Za-z.'’-]*){0,2})?), (?P<mon>(?i:" + _MONTH_WORDS + r")\.?) "
    r"(?P<d>\d{1,2})(?:, (?P<y>\d{4}))?"
    r"(?: \((?P<agency>[A-Za-z][A-Za-z .&]{0,30})\))? ?(?:-{1,2}|–|—) ")


@dataclass
class Dateline:
    """A wire story's opening `PLACE, Month Day -`: where and (without a year) when."""

    start: int
    end: int  # just after the dash
    date_start: int  # the span of `Month Day` in the text
    date_end: int
    place: str
    month: int
    day: int
    year: int | None

    def on(self, anchor_year: int | None) -> str | None:
        """The dateline's day in its own year, else in `anchor_year`; None without a year."""
        year = self.year or anchor_year
        if year is None:
            return None
        found = _iso_day(year, self.month, self.day)
        return found[0] if found else None


def find_dateline(text: str, start: int = 0) -> Dateline | None:
    """The dateline at `start` (after blanks), or None."""
    while start < len(text) and text[start] in " \t":
        start += 1
    m = _DATELINE.match(text, start)
    if m is None:
        return None
    month = _month_word(m.group("mon"))
    if month is None or not 1 <= int(m.group("d")) <= 31:
        return None
    date_end = m.end("y") if m.group("y") else m.end("d")
    return Dateline(m.start(), m.end(), m.start("mon"), date_end,
                    m.group("place"), month, int(m.group("d")),
                    int(m.group("y")) if m.group("y") else None)
