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

from dossier.ingest.dates import parse_publication_date
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


def clean_lines(title: str, lines: list[str], first_line_no: int = 1) -> Cleaned:
    """Split an article's lines (after its title) into body and removed lines."""
    out = Cleaned(body="")
    kinds: list[str | None] = [None] * len(lines)
    title_key = _key(title)
    trailing = False
    for i, raw in enumerate(lines):
        line = raw.strip()
        key = _key(line)
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
        elif out.published is None and len(line) < 60 and (
                date := parse_publication_date(line)) is not None:
            kinds[i] = "dateline"
            out.published, out.published_precision = date
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
    body_lines = []
    for i, (raw, kind) in enumerate(zip(lines, kinds, strict=True)):
        if kind is None:
            body_lines.append(raw.rstrip())
        else:
            out.removed.append(RemovedLine(kind=kind, text=raw.strip(), line=first_line_no + i))
    out.body = _join_paragraphs(body_lines)
    if out.published is None and out.copyright_year:
        out.published, out.published_precision = out.copyright_year, "year"
    return out


def _join_paragraphs(lines: list[str]) -> str:
    """Body text: paragraphs separated by one blank line, no leading or trailing blanks."""
    paragraphs: list[str] = []
    current: list[str] = []
    for line in lines:
        if line.strip():
            current.append(line.strip())
        elif current:
            paragraphs.append("\n".join(current))
            current = []
    if current:
        paragraphs.append("\n".join(current))
    return "\n\n".join(paragraphs)
