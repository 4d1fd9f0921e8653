"""RSS and Atom feed files (`.rss`, `.atom`, `.xml` that is a feed): one article an entry.

Read by feedparser from the file's bytes (never a URL, never a file name: a feed whose text is
a path is not opened). Each entry gives its title, its date as written (the day in the
feed's own time zone, or the month or year when that is all it says), link, author, and the
full text when the feed carries it (`content:encoded`, Atom `content`), else the summary; the
HTML of an entry becomes text (scripts and styles dropped). Two entries
with the same title and text are one article (the content hash is taken over both), in one
feed or across feeds. An entry without text is refused alone, with its number.
"""

from __future__ import annotations

import calendar
import io
import re
import warnings
from collections.abc import Iterator
from email.utils import parsedate_to_datetime
from pathlib import Path
from xml.parsers import expat

import feedparser

from dossier.ingest.readers import IngestError, Record, read_article_bytes
from dossier.ingest.web import fragment_text

EXTENSIONS = (".rss", ".atom", ".xml")
# A feed that is not well-formed XML goes to feedparser's lenient parser, which takes some
# 15 s a megabyte of broken markup (300,000 unclosed "<a "): larger ones are refused.
LOOSE_MAX_BYTES = 512 * 1024
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_ISO_PREFIX = re.compile(r"\s*(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?(?=$|[T\s])")


def entry_date(raw: str | None) -> str | None:
    """The date of an entry as the feed wrote it, ISO at its precision: `2023-04-04T23:30:00-05:00`
    and `Tue, 04 Apr 2023 23:30:00 -0500` are both 4 April (feedparser's own parsed value is in
    UTC, which would make that 5 April); `2023-04` stays a month."""
    if not raw:
        return None
    m = _ISO_PREFIX.match(raw)
    if m:
        year, month, day = m.groups()
        if month and not day and 1 <= int(month) <= 12:  # the words dates.py reads as a month
            return f"{calendar.month_name[int(month)]} {year}"
        return "-".join(part for part in (year, month, day) if part)
    try:
        return parsedate_to_datetime(raw.strip()).date().isoformat()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def _as_text(value: str, kind: str | None) -> str:
    if kind in _HTML_TYPES or (kind is None and "<" in value):
        return fragment_text(value)
    return value.strip()


def _entry_text(entry: dict) -> str:
    """The full text when the entry carries one (the longest `content`), else its summary."""
    contents = [c for c in entry.get("content") or [] if (c.get("value") or "").strip()]
    if contents:
        best = max(contents, key=lambda c: len(c["value"]))
        return _as_text(best["value"], best.get("type"))
    detail = entry.get("summary_detail") or {}
    return _as_text(entry.get("summary") or "", detail.get("type"))


_RSS_AUTHOR = re.compile(r"^\s*\S+@\S+\s*\((?P<name>[^()]+)\)\s*$")  # mail (Name)


def _author(entry: dict) -> str | None:
    raw = entry.get("author") or ""
    m = _RSS_AUTHOR.match(raw)  # feedparser's own split fails on longer top-level domains
    if m:
        return " ".join(m.group("name").split())
    detail = entry.get("author_detail") or {}
    name = " ".join((detail.get("name") or raw).split())
    return name or None


def _not_well_formed(data: bytes) -> str | None:
    """Why expat refuses the document (None when it is well-formed XML). Linear in the size;
    entities are not fetched, and expat refuses an entity expansion bomb itself."""
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        return f"{expat.ErrorString(exc.code)} at line {exc.lineno}"
    return None


def parse(path: Path) -> feedparser.FeedParserDict:
    """The parsed feed, or IngestError when the file is not one (or cannot be read)."""
    data = read_article_bytes(path)
    if len(data) > LOOSE_MAX_BYTES:
        problem = _not_well_formed(data)
        if problem:
            raise IngestError(str(path), f"not well-formed XML ({problem}), and too large "
                              f"for the lenient parser ({len(data):,} bytes; the limit is "
                              f"{LOOSE_MAX_BYTES:,})")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # the entries' HTML is made text by fragment_text, scripts dropped: feedparser's
        # own sanitiser and URI rewriting would only cost time
        parsed = feedparser.parse(io.BytesIO(data), resolve_relative_uris=False,
                                  sanitize_html=False)
    if not parsed.get("version") and not parsed.entries:
        why = parsed.get("bozo_exception")
        if hasattr(why, "getMessage"):  # the XML parser's (its line numbers are feedparser's)
            detail = f" (XML {why.getMessage()})"
        else:
            detail = f" ({_first_line(str(why))})" if why else ""
        raise IngestError(str(path), f"not an RSS or Atom feed{detail}")
    return parsed


def _first_line(text: str) -> str:
    return text.strip().split("\n", 1)[0][:200]


def feed_records(path: Path) -> Iterator[Record | IngestError]:
    """One record an entry of the feed; an entry without text is refused alone."""
    parsed = parse(path)
    feed = parsed.get("feed") or {}
    source = (feed.get("title") or "").strip() or None
    if not parsed.entries:
        raise IngestError(str(path), "a feed with no entries")
    for n, entry in enumerate(parsed.entries, 1):
        origin = f"{path}[entry {n}]"
        title_detail = entry.get("title_detail") or {}
        title = _as_text(entry.get("title") or "", title_detail.get("type")) or None
        text = _entry_text(entry)
        if not text:
            yield IngestError(origin, "no text (no content, summary or description)")
            continue
        raw = f"{title or ''}\n\n{text}"
        published = entry_date(entry.get("published") or entry.get("updated")
                               or entry.get("created"))
        yield Record(origin, raw, title or text.split("\n", 1)[0][:120], text,
                     published=published, source=source, url=entry.get("link") or None,
                     author=_author(entry) or _author(feed))
