"""The timeline of an article: its dated sentences become events with evidence.

Each date expression in the body gives one event: its normalised date and precision, the
sentence it stands in (the evidence span), a short title from the clause around the date, and
the entities named in that sentence. Removed lines never reach here: they are not in the body.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right

from dossier.ingest.dates import DateMatch, find_dateline, find_dates
from dossier.model import Event

_ABBREV = re.compile(r"(?:\b[A-Z]\.|\b(?:Mr|Mrs|Ms|Dr|St|Gen|Sen|Rep|Gov|Col|Capt|Lt|Jan|Feb|"
                     r"Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|No|vs|U\.S|U\.N|etc)\.)$")
# A line end is a sentence end unless the next line goes on in lower case (a line the
# reflow could not join); a blank line always is.
_BOUNDARY = re.compile(r"[.!?]+[\"”’)]*(?=\s+[\"“‘(]?[A-Z0-9])|\n[ \t]*\n\s*|\n(?![ \t]*[a-z])")
_TITLE_WORDS = 12


def sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans (start, end) of a body, with common abbreviations not ending one."""
    spans = []
    start = 0
    for m in _BOUNDARY.finditer(text):
        end = m.end()
        if m.group().startswith(".") and _ABBREV.search(text[max(start, end - 6):end]):
            continue
        if text[start:end].strip():
            spans.append(_trim(text, start, end))
        start = end
    if text[start:].strip():
        spans.append(_trim(text, start, len(text)))
    return spans


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _title(sentence: str, date_start: int, date_end: int) -> str:
    """A short title: the clause holding the date, without the date, cut to a few words."""
    date_start = max(0, min(date_start, len(sentence)))
    date_end = max(date_start, min(date_end, len(sentence)))
    bounds = [0] + [m.end() for m in re.finditer(r"[,;:—–]\s|\s[-–]\s", sentence)] + [
        len(sentence) + 2]
    clause_start = max((b for b in bounds if b <= date_start), default=0)
    clause_end = min((b for b in bounds if b >= date_end), default=len(sentence) + 2) - 2
    clause = sentence[clause_start:date_start] + sentence[date_end:max(clause_end, date_end)]
    words = clause.replace("“", "").replace("”", "").replace('"', "").split()
    words = [w for w in words if w.lower() not in ("on", "in", "since", "last", "between",
                                                   "from", "until", "by")] or words
    if len(" ".join(words)) < 12:  # a clause of a date alone: take the sentence instead
        words = sentence.split()
    title = " ".join(words[:_TITLE_WORDS]).strip(" ,.;:")
    if len(words) > _TITLE_WORDS:
        title += "…"
    return title[:1].upper() + title[1:] if title else " ".join(sentence[:80].split())


def article_events(body: str, published: str | None,
                   mention_spans: list[tuple[int, int, int]]) -> list[tuple[Event, list[int]]]:
    """Events of one article, each with the indexes of the entities in its sentence.

    `mention_spans` are (start, end, entity index) of the article's mentions."""
    spans = sentences(body)
    starts = [s for s, _ in spans]
    by_start = sorted(mention_spans)
    mention_starts = [m[0] for m in by_start]
    out: list[tuple[Event, list[int]]] = []
    dateline = find_dateline(body)
    for match in find_dates(body, published):
        if dateline is not None and dateline.date_start <= match.start < dateline.end:
            continue  # the dateline's day is the article's date, not an event of it
        # Bisect, not scan: a 5 MB page has 100,000 sentences and as many dates.
        i = bisect_right(starts, match.start) - 1
        if i < 0 or not spans[i][0] <= match.start < spans[i][1]:
            continue
        s, e = spans[i]
        while e < match.end and i + 1 < len(spans):  # a date never cut by its evidence
            i += 1
            e = spans[i][1]
        e = max(e, match.end)
        lo, hi = bisect_left(mention_starts, s), bisect_left(mention_starts, e)
        out.append((_event(body, match, s, e), sorted({
            idx for _ms, me, idx in by_start[lo:hi] if me <= e})))
    return out


def _event(body: str, match: DateMatch, s: int, e: int) -> Event:
    return Event(
        title=_title(body[s:e], match.start - s, match.end - s),
        date_start=match.date_start, date_end=match.date_end, precision=match.precision,
        date_text=match.text, resolution=match.resolution, date_start_char=match.start,
        date_end_char=match.end, evidence_start=s, evidence_end=e,
    )
