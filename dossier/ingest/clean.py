"""Cleaning what a reader would skip: captions, credits, bylines, boilerplate, copyright.

Nothing is thrown away: each removed line is kept as a `RemovedLine` with its kind and line
number, shown to the analyst apart from the body, and never fed to entities or events (a
caption's `February 21-28 2015` is not an event of the story). What the removed lines say
about the article (the byline's author, the copyright's outlet and year) becomes metadata.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from dossier.ingest.dates import find_dateline, parse_publication_date
from dossier.model import RemovedLine

_CREDIT = re.compile(
    r"\((?:Photo|Image|Picture|Video|Credit|Foto)s?\s*(?::|by\b|credit\b)[^()]*\)\s*$",
    re.IGNORECASE,
)
_BYLINE = re.compile(r"^\s*By\s+(?P<name>[A-Z][\w'’.-]+(?:\s+[A-Z][\w'’.-]+){0,3})"
                     r"(?:\s*(?:,|and|\|)\s*.*)?\s*$")
_COPYRIGHT = re.compile(r"^\s*(?:©|\(c\)|Copyright)\s*(?:©\s*)?(?P<year>(?:19|20)\d\d)?\s*"
                        r"(?P<owner>[^.|]{2,80}?)\.?\s*(?:All rights reserved\.?)?\s*$",
                        re.IGNORECASE)
# Lines that are page furniture, not the story. Compared case-insensitively, whole line.
BOILERPLATE = {
    "video embed", "related articles", "share article", "latest articles", "share this article",
    "advertisement", "read more", "subscribe", "sign up for our newsletter", "listen to article",
    "share", "comments", "most read", "recommended", "trending", "more from", "related",
    "skip to main content", "click to share", "print", "email",
    "reuter", "reuters", "&#3;",  # a wire story's sign-off
}
# Once one of these closes the story, everything after it is page furniture too.
TRAILERS = {"related articles", "latest articles", "most read", "recommended", "read more"}
_TERMINAL = re.compile(r"[.!?\"”’:;)]\s*$")


@dataclass
class Cleaned:
    """The result of cleaning one article's lines."""

    body: str
    removed: list[RemovedLine] = field(default_factory=list)
    author: str | None = None
    source: str | None = None
    published: str | None = None
    published_precision: str = "unknown"
    copyright_year: str | None = None


def normalise_text(text: str) -> str:
    """Text fit to store and index: NUL dropped, lone surrogates replaced, CRLF -> LF, NFC.

    Other control characters are kept as written (the body is evidence); the UI makes them
    visible and inert."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    text = text.encode("utf-8", "replace").decode("utf-8")  # lone surrogates -> '?'
    return unicodedata.normalize("NFC", text)


def _key(line: str) -> str:
    return " ".join(line.lower().split()).strip(" :|-")


HEADER_LINES = 8  # non-blank lines at most before the body starts
DATE_LINE_MAX = 80  # characters of a line that is a date and nothing else


def clean_lines(title: str, lines: list[str], first_line_no: int = 1) -> Cleaned:
    """Split an article's lines (after its title) into body and removed lines.

    The publication date comes from the header zone only: the lines before the first
    paragraph of text (a date line there, removed with kind `date`), else the in-text
    dateline opening that paragraph (`WASHINGTON, March 3 (Reuters) - `, its year from a
    year-only date line or the copyright line; a copy kept in `removed` with kind
    `dateline`). A date in the text is never the publication date."""
    out = Cleaned(body="")
    lines = [_untab(raw) for raw in lines]
    kinds: list[str | None] = [None] * len(lines)
    title_key = _key(title)
    trailing = False
    for i, raw in enumerate(lines):
        line = raw.strip()
        key = _key(line)
        if raw is _PAGE_BREAK:
            kinds[i] = ""  # a form feed alone on its line: neither body nor removed
            continue
        if not line:
            continue
        if trailing:
            kinds[i] = "boilerplate"
        elif key in BOILERPLATE:
            kinds[i] = "boilerplate"
            trailing = key in TRAILERS
        elif title_key and key == title_key:
            kinds[i] = "headline"
        elif _CREDIT.search(line):
            kinds[i] = "caption"
        elif (m := _COPYRIGHT.match(line)) and len(line) < 120:
            kinds[i] = "copyright"
            out.source = out.source or m.group("owner").strip()
            out.copyright_year = m.group("year")
        elif (m := _BYLINE.match(line)) and len(line) < 80 and out.author is None:
            kinds[i] = "byline"
            out.author = m.group("name").strip()
    # Alt text: a short line without closing punctuation just before a caption.
    for i, kind in enumerate(kinds):
        if kind != "caption":
            continue
        j = i - 1
        while j >= 0 and not lines[j].strip():
            j -= 1
        if j >= 0 and kinds[j] is None and len(lines[j].split()) <= 30 \
                and not _TERMINAL.search(lines[j]):
            kinds[j] = "caption"
    first_text = _header_dates(lines, kinds, out)
    year_only = out.published if out.published_precision == "year" else out.copyright_year
    if first_text is not None and out.published_precision != "day":
        dateline = find_dateline(lines[first_text])
        day = dateline.on(int(year_only)) if dateline and year_only else None
        if dateline is not None and day is not None:
            out.published, out.published_precision = day, "day"
            out.removed.append(RemovedLine(
                kind="dateline", text=lines[first_text][dateline.start:dateline.end].strip(),
                line=first_line_no + first_text))
    body_lines = []
    for i, (raw, kind) in enumerate(zip(lines, kinds, strict=True)):
        if kind is None:
            body_lines.append(raw.rstrip())
        elif kind:
            body_lines.append("")  # a removed line ends the paragraph it stood in
            out.removed.append(RemovedLine(kind=kind, text=raw.strip(), line=first_line_no + i))
    out.removed.sort(key=lambda r: r.line)
    out.body = reflow(body_lines)
    if out.published is None and out.copyright_year:
        out.published, out.published_precision = out.copyright_year, "year"
    return out


_PAGE_BREAK = "\f"  # the one object standing for a line that held only form feeds


def _untab(raw: str) -> str:
    """Tabs to spaces (indentation and columns measured as shown); form feeds and vertical
    tabs dropped, a line of nothing else becoming a page break."""
    if "\f" in raw or "\v" in raw:
        if not raw.strip(" \t\r\f\v"):
            return _PAGE_BREAK
        # At either end of a line a page break is nothing; inside one, a space.
        raw = re.sub(r"[\f\v]", " ", re.sub(r"^[\f\v]+|[\f\v]+$", "", raw))
    return raw.expandtabs(8) if "\t" in raw else raw


def _header_dates(lines: list[str], kinds: list[str | None], out: Cleaned) -> int | None:
    """Mark the header zone's date line (kind `date`); the index of the first text line."""
    seen = 0
    for i, raw in enumerate(lines):
        line = raw.strip()
        if not line or kinds[i] is not None:
            continue
        seen += 1
        if len(line) <= DATE_LINE_MAX and (date := parse_publication_date(line)) is not None:
            if out.published is None or (out.published_precision != "day" and date[1] == "day"):
                out.published, out.published_precision = date
            kinds[i] = "date"
            continue
        if seen > HEADER_LINES or _starts_text(lines, kinds, i):
            return i
    return None


def _starts_text(lines: list[str], kinds: list[str | None], i: int) -> bool:
    """A line that opens the body: long, a sentence, or the first of a wrapped paragraph."""
    line = lines[i].strip()
    if len(line) >= 100 or (_TERMINAL.search(line) and len(line.split()) >= 6):
        return True
    nxt = lines[i + 1] if i + 1 < len(lines) else ""
    return bool(nxt.strip()) and kinds[i + 1] is None and len(line.split()) >= 6


_BULLET = re.compile(r"(?:[-*•·▪◦–]|\(?\d{1,3}[.)]|\(?[a-z][.)])\s+")
_ALIGNED = re.compile(r"[^\s.!?:;,]( {2,})\S")  # columns: a gap of spaces not after a stop
_LEADER = re.compile(r"\.{4,}|_{4,}")
WRAP_MIN, WRAP_MAX = 30, 110  # line widths a hard-wrapped text is written at


def _row(line: str) -> bool:
    # A gap of two spaces first: without one no column can be aligned, and the search of a
    # paragraph's every character is skipped (a substring test is a fraction of it).
    bare = line.strip()
    return bool(("  " in bare and _ALIGNED.search(bare)) or _LEADER.search(line))


_GOES_ON = {"a", "an", "the", "of", "in", "on", "at", "to", "for", "from", "by", "with",
            "and", "or", "between", "than", "about", "into", "over", "under", "after",
            "before", "since", "until", "as", "its", "their", "his", "her", "said"}


def _goes_on(prev: str, nxt: str) -> bool:
    """A line that cannot end there: no stop, and a word that needs the next line after it
    (`between`, `the`, `of`), or a next line going on in lower case."""
    if _TERMINAL.search(prev) or not prev.strip():
        return False
    last = prev.split()[-1].lower()
    return last in _GOES_ON or last.endswith(",") or nxt[:1].islower()


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def reflow(lines: list[str]) -> str:
    """Body text from an article's lines: hard-wrapped paragraphs joined into one line each,
    paragraphs separated by a blank line, and lines that stand alone kept as lines.

    The body this returns is the one stored: every offset (mentions, dates, evidence)
    indexes it.

    A text is taken as hard-wrapped when most of its lines are cut at one width between 30
    and 110 columns. Then a line continues the one before unless a blank line, a step of
    indentation past the running lines' (the wire's indented first lines) or a list
    bullet comes between, either
    line is a table row (columns aligned by spaces, dot leaders), or the line before ended
    short (the next word would have fitted on it: the writer ended it, not the wrapper).
    Lines that end early inside a block stay lines (`\n`); paragraphs end with `\n\n`. A
    text that is not hard-wrapped keeps its lines, as written."""
    texts = [ln.rstrip() for ln in lines]
    is_row = {t: _row(t) for t in texts}  # each line's once (asked of it up to four times)
    indents = [_indent(t) for t in texts if t.strip() and not is_row[t]]
    # The least indentation is that of a paragraph's running lines; deeper is the first line
    # of a paragraph (the wire's style), or a list item's continuation.
    base = min(indents) if indents else 0
    # The wrap width, from the running lines (an indented first line, tab-expanded, would
    # overstate it): an underestimate only joins lines, never splits a paragraph.
    prose = sorted(len(t) for t in texts if t.strip() and not is_row[t] and _indent(t) == base)
    width = prose[int((len(prose) - 1) * 0.9 + 0.5)] if prose else 0
    wrapped = WRAP_MIN <= width <= WRAP_MAX
    rows = [_indent(t) for t in texts if t.strip() and is_row[t]]
    row_indent = min(rows) if rows else 0
    parts: list[str] = []
    prev: str | None = None
    blank = False
    item_indent: int | None = None  # where the text of the current list item starts
    for text in texts:
        if not text.strip():
            blank = prev is not None
            continue
        row = is_row[text]
        piece = text[row_indent:] if row else text.strip()
        bullet = _BULLET.match(text.lstrip(" "))
        # A line that ends inside angle brackets (`<Contraves` / `AG>`) was cut by the wrap.
        fits = prev is not None and len(prev) + 1 + len(text.split()[0]) <= width \
            and prev.rfind("<") <= prev.rfind(">") and not _goes_on(prev, piece)
        if prev is None:
            sep = ""
        elif blank:
            sep = "\n\n"
        elif not wrapped or row or is_row[prev] or bullet:
            sep = "\n"
        elif _indent(text) > min(base, _indent(prev)) and not (
                item_indent is not None and _indent(text) >= item_indent):
            # Short lines at one indentation (a wire story's figures) stay a run of lines.
            run = _indent(text) == _indent(prev) and fits and not _TERMINAL.search(prev)
            sep = "\n" if run else "\n\n"
        elif fits:
            sep = "\n"
        elif prev.endswith("-") and len(prev) > 1 and prev[-2].isalpha() \
                and piece[:1].isalpha():
            sep = ""  # a hyphenated word cut by the wrap keeps its hyphen
        else:
            sep = " "
        if sep != " " and sep != "":
            item_indent = _indent(text) + bullet.end() if bullet else None
        elif prev is None and bullet:
            item_indent = _indent(text) + bullet.end()
        parts.append(sep)
        parts.append(piece)
        prev, blank = text, False
    return "".join(parts)
