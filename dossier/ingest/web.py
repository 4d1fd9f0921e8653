"""Saved web pages (`.html`, `.htm`): the article's text by trafilatura, its metadata by both.

trafilatura finds the main text of a news page (navigation, cookie banners, related links,
comments and scripts left out) and reads JSON-LD, Open Graph and the byline for title, date,
author and site; it is given the page as a string and never fetches anything. The page is
first read by the linear tokenizer of `readers.py` (within the same 8 MB bound) for its meta
tags and `<article>` text: that reader's title and date are taken when trafilatura has none,
and its text when trafilatura finds no main text. `bench/webpages.py` measures both readers
on pages of several sites' shapes (BENCHMARKS.md, "Web pages").

Broken markup: lxml (under trafilatura) repairs stray, unclosed and deeply nested tags in
linear time (the 1 MB bombs of `tests/test_bombs.py` take about a second more than the
tokenizer alone); trafilatura gives up on a tree of more than `MAX_TREE` elements, and the
page is then read by the linear reader alone. Dates are taken from the markup only: htmldate's
"extensive search" makes a footer's `(c) 2023` a publication date of 1 January 2023.

`fragment_text` turns a piece of HTML (a feed entry, a mail's HTML part) into text with the
same linear tokenizer, scripts and styles dropped, a line a block.
"""

from __future__ import annotations

import logging
from pathlib import Path

from dossier.ingest.readers import (
    HTML_MAX_CHARS,
    IngestError,
    Record,
    _HTMLText,
    _records_html,
)

MAX_TREE = 100_000  # elements; a page beyond is read by the linear reader alone

# trafilatura and htmldate log through `logging`: without a handler of their own, Python's
# last-resort handler would print their warnings on the user's terminal.
for _name in ("trafilatura", "htmldate", "courlan", "justext"):
    logging.getLogger(_name).addHandler(logging.NullHandler())


class _Fragment(_HTMLText):
    """All the text of a fragment, with or without `<body>` or `<article>`; a line break in
    the source is a space (as a browser shows it), blocks and `<br>` make the lines."""

    def handle_data(self, data: str) -> None:
        super().handle_data(data.replace("\r", " ").replace("\n", " "))

    def _text(self, data: str) -> None:
        if self._skip or self._caption is not None:
            return
        self.parts["body"].append(data)


def _lines(text: str) -> list[str]:
    """Whitespace collapsed in each line, runs of blank lines made one, none at either end."""
    lines: list[str] = []
    for line in text.split("\n"):
        line = " ".join(line.split())
        if line or (lines and lines[-1]):
            lines.append(line)
    while lines and not lines[-1]:
        lines.pop()
    return lines


def fragment_text(fragment: str) -> str:
    """The text of an HTML fragment: a paragraph a line, blank lines between blocks."""
    parser = _Fragment()
    parser.feed(fragment)
    return "\n".join(_lines("".join(parser.parts["body"])))


_config = None


def _trafilatura(text: str):
    global _config
    import trafilatura  # imported here: it takes a while, and only pages need it
    from trafilatura.settings import use_config

    if _config is None:
        _config = use_config()
        _config.set("DEFAULT", "MAX_TREE_SIZE", str(MAX_TREE))
        _config.set("DEFAULT", "EXTRACTION_TIMEOUT", "0")  # no signals: ingest runs in threads
    return trafilatura.bare_extraction(
        text, with_metadata=True, include_comments=False, include_tables=True,
        favor_precision=True, config=_config,
        # no guessing from free text: htmldate's extensive search makes "(c) 2023" in a footer
        # a publication date of 2023-01-01
        date_extraction_params={"extensive_search": False, "original_date": True})


def _paragraphs(text: str) -> str:
    """trafilatura's text (a paragraph a line) with a blank line between paragraphs."""
    return "\n\n".join(line.strip() for line in text.split("\n") if line.strip())


def page_records(path: Path, text: str) -> list[Record]:
    """One article of a saved web page (see the module's docstring)."""
    if len(text) > HTML_MAX_CHARS:
        raise IngestError(str(path), f"HTML page of {len(text):,} characters; the limit is "
                          f"{HTML_MAX_CHARS:,}")
    try:
        (fallback,) = _records_html(path, text)
    except IngestError:
        fallback = None
    try:
        doc = _trafilatura(text)
    except (ValueError, RecursionError, MemoryError):  # lxml's limits on broken markup
        doc = None
    body = _paragraphs(doc.text or "") if doc is not None else ""
    if not body.strip():
        if fallback is None:
            raise IngestError(str(path), "no article text found in the HTML")
        return [fallback]
    fb = fallback or Record(str(path), text, None, "")
    record = Record(
        str(path), text, doc.title or fb.title, body, published=doc.date or fb.published,
        source=doc.sitename or fb.source, url=doc.url or fb.url, author=doc.author or fb.author)
    if not record.title:
        record.title = body.split("\n", 1)[0][:120]
    record.captions = getattr(fallback, "captions", [])  # type: ignore[attr-defined]
    return [record]
