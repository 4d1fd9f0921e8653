"""Readers: files of articles -> `Article` objects (body cleaned, metadata found).

Formats, by extension:

- `.txt` — the first non-blank line is the title; a line holding only a date
  (`Published: 04 April 2023`, `December 10, 2013`, `2023-04-04`) is the publication date;
  bylines, captions, credits, boilerplate and copyright lines are removed and kept (see
  `clean.py`).
- `.md` — optional YAML front matter (`title`, `date`/`published`, `source`, `url`, `author`);
  without a title there, the first `# heading` (or first line) is the title.
- `.html`/`.htm` — `<title>` or `og:title`; date from `article:published_time`, `date`,
  `pubdate`, `og:published_time` meta or `<time datetime>`; author from `author` meta;
  source from `og:site_name`; url from `og:url` or canonical link. The text is that of
  `<article>` (else `<main>`, else `<body>`) without `script`, `style`, `nav`, `header`,
  `footer`, `aside`, `form`, `figure`'s caption kept apart as removed.
- `.json` — one object or a list of objects; `.jsonl` — one object a line. Keys: `title`;
  `text` or `body` or `content`; `published` or `date` or `published_at`; `source` or `outlet`
  or `site`; `url` or `link`; `author` or `byline`. A line that is not an object is refused
  with its line number; the others go on.
"""

from __future__ import annotations

import hashlib
import html
import itertools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

from dossier import safeyaml
from dossier.ingest.clean import clean_lines, normalise_text
from dossier.ingest.dates import parse_publication_date
from dossier.model import Article, RemovedLine
from dossier.safefile import FileRefused, read_bytes

EXTENSIONS = (".txt", ".md", ".markdown", ".html", ".htm", ".json", ".jsonl",
              ".rss", ".atom", ".xml", ".eml", ".mbox", ".pdf")
MAX_BYTES = 20 * 1024 * 1024  # an article file larger than this is refused, not read
FRONT_MATTER_MAX = 64 * 1024  # characters of YAML front matter in a Markdown article
HTML_MAX_CHARS = 8 * 1024 * 1024  # an HTML page: most of a big one is markup
MAX_JSON_DEPTH = 64  # levels of nesting in one JSON record


class IngestError(Exception):
    """A file (or one record of it) that cannot be read as an article."""

    def __init__(self, origin: str, reason: str):
        super().__init__(f"{origin}: {reason}")
        self.origin = origin
        self.reason = reason


@dataclass
class Record:
    """One article as read, before cleaning."""

    origin: str
    raw: str  # what the content hash is taken over
    title: str | None
    text: str
    published: str | None = None
    source: str | None = None
    url: str | None = None
    author: str | None = None
    first_line: int = 1
    clean: bool = True  # run the line cleaner (plain text and markdown)


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


def read_article_bytes(path: Path) -> bytes:
    """A file's bytes for a reader: refused (IngestError) when empty, too large, or not a
    regular file (a FIFO would block, a device never end)."""
    try:
        data = read_bytes(path, MAX_BYTES)
    except FileRefused as exc:
        raise IngestError(str(path), exc.reason) from None
    if not data.strip():
        raise IngestError(str(path), "empty file")
    return data


def read_text_file(path: Path) -> str:
    """A file's text as UTF-8 (BOM allowed); refuse binary, empty or undecodable files, and
    anything not a regular file."""
    data = read_article_bytes(path)
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise IngestError(str(path), "binary file (NUL bytes), not text")
    encoding = "utf-16" if data.startswith((b"\xff\xfe", b"\xfe\xff")) else "utf-8-sig"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise IngestError(str(path), f"not UTF-8 text (cannot decode byte {exc.start})") from None
    return text


# The wire's time stamp on its own line (`26-FEB-1987 15:01:01.79`): in a file holding two
# or more, each one opens an article (a wire archive).
_WIRE_STAMP = re.compile(r"[ \t]*\d{1,2}-[A-Za-z]{3}-\d{4} \d{1,2}:\d{2}:\d{2}(?:\.\d+)?[ \t\r]*")


def _records_txt(path: Path, text: str) -> list[Record]:
    lines = text.split("\n")
    stamps = [i for i, line in enumerate(lines) if _WIRE_STAMP.fullmatch(line)]
    if len(stamps) < 2:
        return [_record_txt(str(path), text, lines, 0)]
    out = []
    bounds = ([0] if "".join(lines[:stamps[0]]).strip() else []) + stamps + [len(lines)]
    for a, b in itertools.pairwise(bounds):
        chunk = lines[a:b]
        out.append(_record_txt(f"{path}:{a + 1}", "\n".join(chunk), chunk, a))
    return out


def _record_txt(origin: str, text: str, lines: list[str], offset: int) -> Record:
    """The first non-blank line not a date is the title; the lines before it (a wire's time
    stamp) stay in the text, for the cleaner to read as the date line."""
    for i, line in enumerate(lines):
        if line.strip() and not (len(line) < 80 and parse_publication_date(line)):
            rest = lines[:i] + [""] + lines[i + 1:]
            return Record(origin, text, line.strip(), "\n".join(rest), first_line=offset + 1)
    raise IngestError(origin, "no text")


_FRONT = re.compile(r"\A---\s*\n(?P<yaml>.*?)\n---\s*\n", re.DOTALL)


def _records_md(path: Path, text: str) -> list[Record]:
    meta: dict = {}
    first_line = 1
    m = _FRONT.match(text)
    if m:
        try:
            loaded = safeyaml.load(m.group("yaml"), max_chars=FRONT_MATTER_MAX)
        except safeyaml.YAMLRefused as exc:
            where = f" at line {exc.line + 1}" if exc.line > 1 else ""
            raise IngestError(str(path), f"front matter refused{where}: {exc.message}") from None
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" at line {mark.line + 2}" if mark else ""
            raise IngestError(str(path), f"bad YAML front matter{where}") from None
        if loaded is not None and not isinstance(loaded, dict):
            raise IngestError(str(path), "front matter is not a mapping")
        meta = loaded or {}
        first_line = text[: m.end()].count("\n") + 1
        text_body = text[m.end():]
    else:
        text_body = text
    lines = text_body.split("\n")
    title = _str(meta.get("title"))
    start = 0
    if not title:
        for i, line in enumerate(lines):
            if line.strip():
                title, start = line.strip().lstrip("#").strip(), i + 1
                break
    if not title:
        raise IngestError(str(path), "no title")
    body = "\n".join(re.sub(r"^#{1,6}\s+", "", ln) for ln in lines[start:])
    return [Record(str(path), text, title, body, published=_str(meta.get("date") or
                   meta.get("published")), source=_str(meta.get("source")),
                   url=_str(meta.get("url")), author=_str(meta.get("author")),
                   first_line=first_line + start)]


def _str(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


# A linear tokenizer, not html.parser: on Python 3.11 html.parser rescans to the end of the
# text for each unclosed construct (80 KB of "<!--" takes 30 s, of "<a " minutes). Here each
# regex stops at the next "<" or ">", an unclosed comment or script runs to the end of the
# page once (as in HTML5), and everything else is text: each character is looked at a bounded
# number of times. A ">" inside a quoted attribute value ends the tag early; for reading the
# text of an article, that is a price worth paying.
_TAG = re.compile(r"<(/?)([A-Za-z][^\s/<>]*)([^<>]*)>")
_DECL = re.compile(r"<[!?][^<>]*>")
_ATTR = re.compile(r"""([^\s=/<>"']+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s"'<>]*))?""")
_RAW_TEXT = ("script", "style")  # their text runs to the end tag, markup and all


def _tokens(handler: _HTMLText, text: str) -> None:
    """Feed `text` to the handler as start tags, end tags and text, in time linear in its length."""
    pos, n = 0, len(text)
    while pos < n:
        lt = text.find("<", pos)
        if lt < 0:
            handler.handle_data(html.unescape(text[pos:]))
            return
        if lt > pos:
            handler.handle_data(html.unescape(text[pos:lt]))
        if text.startswith("<!--", lt):
            close = text.find("-->", lt + 4)
            pos = n if close < 0 else close + 3
            continue
        m = _TAG.match(text, lt)
        if m is None:
            d = _DECL.match(text, lt)
            if d is not None:
                pos = d.end()
            else:
                handler.handle_data("<")
                pos = lt + 1
            continue
        pos = m.end()
        name = m.group(2).lower()
        if m.group(1):
            handler.handle_endtag(name)
            continue
        rest = m.group(3)
        attrs: list[tuple[str, str | None]] = []
        for a in _ATTR.finditer(rest):
            value = a.group(2)
            if value is not None:
                if value[:1] in ('"', "'"):
                    value = value[1:-1]
                value = html.unescape(value)
            attrs.append((a.group(1).lower(), value))
        handler.handle_starttag(name, attrs)
        if rest.rstrip().endswith("/"):
            handler.handle_endtag(name)
        elif name in _RAW_TEXT:
            close = re.compile(rf"</{name}\s*>", re.IGNORECASE).search(text, pos)
            end = n if close is None else close.start()
            handler.handle_data(text[pos:end])
            if close is not None:
                handler.handle_endtag(name)
            pos = n if close is None else close.end()


class _HTMLText:
    """Collects title, meta tags and the readable text of an HTML page.

    Open elements are counted by name, so an end tag or a piece of text costs the same however
    deep the page nests; beyond MAX_DEPTH open elements, tags are counted but not stacked."""

    SKIP = {"script", "style", "nav", "header", "footer", "aside", "form", "noscript",
            "template", "svg", "button", "iframe"}
    BLOCK = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "section",
             "article", "main", "blockquote", "tr", "figcaption", "figure", "pre"}
    MAX_DEPTH = 1000

    def __init__(self) -> None:
        self.meta: dict[str, str] = {}
        self.title_parts: list[str] = []
        self.parts: dict[str, list[str]] = {"article": [], "main": [], "body": []}
        self.captions: list[str] = []
        self._stack: list[str] = []
        self._open: dict[str, int] = {}  # open elements on the stack, by name
        self._overflow: dict[str, int] = {}  # opened beyond MAX_DEPTH, by name
        self._skip = 0
        self._in_title = False
        self._caption: list[str] | None = None
        self.times: list[str] = []

    def feed(self, text: str) -> None:
        _tokens(self, text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k.lower(): (v or "") for k, v in attrs}
        if tag == "meta":
            key = (a.get("property") or a.get("name") or a.get("itemprop") or "").lower()
            if key and a.get("content"):
                self.meta.setdefault(key, a["content"])
            return
        if tag == "link" and a.get("rel", "").lower() == "canonical" and a.get("href"):
            self.meta.setdefault("canonical", a["href"])
            return
        if tag == "time" and a.get("datetime"):
            self.times.append(a["datetime"])
        if tag in ("br", "img", "hr", "input"):
            self._text("\n")
            return
        if len(self._stack) >= self.MAX_DEPTH:
            self._overflow[tag] = self._overflow.get(tag, 0) + 1
            self._skip += tag in self.SKIP
        else:
            self._stack.append(tag)
            self._open[tag] = self._open.get(tag, 0) + 1
            if tag in self.SKIP:
                self._skip += 1
            elif tag == "title":
                self._in_title = True
            elif tag == "figcaption":
                self._caption = []
        if tag in self.BLOCK:
            self._text("\n")

    def handle_endtag(self, tag: str) -> None:
        if self._overflow.get(tag):
            self._overflow[tag] -= 1
            self._skip -= tag in self.SKIP
        elif self._open.get(tag):
            while self._stack:
                top = self._stack.pop()
                self._open[top] -= 1
                if top in self.SKIP:
                    self._skip -= 1
                elif top == "title":
                    self._in_title = False
                elif top == "figcaption" and self._caption is not None:
                    self.captions.append(" ".join("".join(self._caption).split()))
                    self._caption = None
                if top == tag:
                    break
        else:
            return
        if tag in self.BLOCK:
            self._text("\n")

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title_parts.append(data)
            return
        if self._skip:
            return
        if self._caption is not None:
            self._caption.append(data)
            return
        self._text(data)

    def _text(self, data: str) -> None:
        if self._skip or self._caption is not None:
            return
        for container in ("article", "main", "body"):
            if self._open.get(container):
                self.parts[container].append(data)


def _records_html(path: Path, text: str) -> list[Record]:
    if len(text) > HTML_MAX_CHARS:
        raise IngestError(str(path), f"HTML page of {len(text):,} characters; the limit is "
                          f"{HTML_MAX_CHARS:,}")
    parser = _HTMLText()
    parser.feed(text)
    meta = parser.meta
    title = _str(meta.get("og:title")) or _str(" ".join("".join(parser.title_parts).split()))
    chosen = next((parser.parts[c] for c in ("article", "main", "body") if
                   "".join(parser.parts[c]).strip()), [])
    raw_lines = [" ".join(line.split()) for line in "".join(chosen).split("\n")]
    lines: list[str] = []
    for line in raw_lines:
        if line or (lines and lines[-1]):
            lines.append(line)
    if not title:
        title = next((ln for ln in lines if ln), None)
    if not title or not any(lines):
        raise IngestError(str(path), "no article text found in the HTML")
    published = next((_str(meta.get(k)) for k in (
        "article:published_time", "og:published_time", "date", "pubdate", "publishdate",
        "datepublished", "dc.date", "sailthru.date") if meta.get(k)), None)
    if not published and parser.times:
        published = parser.times[0]
    record = Record(str(path), text, title, "\n".join(lines), published=published,
                    source=_str(meta.get("og:site_name")),
                    url=_str(meta.get("og:url") or meta.get("canonical")),
                    author=_str(meta.get("author") or meta.get("article:author")))
    record.captions = parser.captions  # type: ignore[attr-defined]
    return [record]


_JSON_KEYS = {
    "title": ("title", "headline"),
    "text": ("text", "body", "content", "article"),
    "published": ("published", "date", "published_at", "publishedAt", "pubdate"),
    "source": ("source", "outlet", "site", "publisher"),
    "url": ("url", "link"),
    "author": ("author", "byline", "authors"),
}


def _record_from_object(origin: str, obj: object, raw: str) -> Record:
    if not isinstance(obj, dict):
        raise IngestError(origin, "not a JSON object")
    got: dict[str, str | None] = {}
    for field_name, keys in _JSON_KEYS.items():
        value = next((obj[k] for k in keys if obj.get(k) not in (None, "")), None)
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        if isinstance(value, dict):
            value = value.get("name")
        got[field_name] = _str(value)
    if not got["text"]:
        raise IngestError(origin, "no text (keys text, body or content)")
    if not got["title"]:
        first = got["text"].strip().split("\n", 1)[0]
        got["title"] = first[:120]
    return Record(origin, raw, got["title"], got["text"], published=got["published"],
                  source=got["source"], url=got["url"], author=got["author"])


_WS = re.compile(r"[ \t\n\r]*")


def too_deep(value: object, limit: int = MAX_JSON_DEPTH) -> bool:
    """True when a parsed JSON value nests more than `limit` levels (checked without
    recursion, so that nothing later, `str()` or `json.dumps`, recurses past Python's limit)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            item = list(item.values())
        if isinstance(item, list):
            if depth > limit:
                return True
            stack.extend((v, depth + 1) for v in item if isinstance(v, (dict, list)))
    return False


def loads(text: str) -> object:
    """`json.loads`, with nesting deeper than Python's recursion allows (or than
    MAX_JSON_DEPTH) a ValueError rather than a RecursionError."""
    try:
        value = json.loads(text)
    except RecursionError:
        raise ValueError(f"nested more than {MAX_JSON_DEPTH} levels deep") from None
    if too_deep(value):
        raise ValueError(f"nested more than {MAX_JSON_DEPTH} levels deep")
    return value


def _records_json(path: Path, text: str) -> Iterator[Record | IngestError]:
    """One object, or a list read an element at a time (a huge list is never held whole);
    a bad element is refused alone, bad JSON stops the file where it is."""
    start = _WS.match(text).end()
    if not text.startswith("[", start):
        try:
            item = loads(text)
        except json.JSONDecodeError as exc:
            raise IngestError(str(path), f"invalid JSON at line {exc.lineno} column "
                              f"{exc.colno}: {exc.msg}") from None
        except ValueError as exc:
            raise IngestError(str(path), str(exc)) from None
        yield _record_from_object(str(path), item, json.dumps(item, sort_keys=True,
                                                              ensure_ascii=False))
        return
    decoder = json.JSONDecoder()
    pos = _WS.match(text, start + 1).end()
    closed = text.startswith("]", pos)
    index = 0
    while not closed:
        origin = f"{path}[{index}]"
        try:
            item, pos = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            yield IngestError(str(path), f"invalid JSON at line {exc.lineno} column "
                              f"{exc.colno}: {exc.msg}")
            return
        except RecursionError:
            yield IngestError(origin, f"nested more than {MAX_JSON_DEPTH} levels deep; the "
                              "rest of the file is not read")
            return
        except ValueError as exc:  # an integer of more than 4,300 digits
            yield IngestError(origin, f"{exc}; the rest of the file is not read")
            return
        try:
            if too_deep(item):
                raise IngestError(origin, f"nested more than {MAX_JSON_DEPTH} levels deep")
            yield _record_from_object(origin, item, json.dumps(item, sort_keys=True,
                                                               ensure_ascii=False))
        except IngestError as exc:
            yield exc
        pos = _WS.match(text, pos).end()
        if text.startswith(",", pos):
            pos = _WS.match(text, pos + 1).end()
            index += 1
        elif text.startswith("]", pos):
            closed = True
        else:
            line = text.count("\n", 0, pos) + 1
            column = pos - text.rfind("\n", 0, pos)
            yield IngestError(str(path), f"invalid JSON at line {line} column {column}: "
                              "expected ',' or ']'")
            return
    rest = _WS.match(text, pos + 1).end()
    if rest < len(text):
        line = text.count("\n", 0, rest) + 1
        yield IngestError(str(path), f"invalid JSON at line {line}: extra data after the list")


def iter_jsonl(path: Path, text: str) -> Iterator[Record | IngestError]:
    """Records of a JSON-lines file; a bad line is an error for that line alone."""
    for n, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        origin = f"{path}:{n}"
        try:
            obj = loads(line)
            yield _record_from_object(origin, obj, line)
        except json.JSONDecodeError as exc:
            yield IngestError(origin, f"invalid JSON: {exc.msg}")
        except ValueError as exc:
            yield IngestError(origin, str(exc))
        except IngestError as exc:
            yield exc


def records(path: Path) -> Iterator[Record | IngestError]:
    """Every article record in a file, or the errors that stopped them."""
    suffix = path.suffix.lower()
    try:
        whole = _source_reader(suffix)
        if whole is not None:  # feeds, mail, PDF: they read the file (bytes) themselves
            yield from whole(path)
            return
        text = read_text_file(path)
        if suffix == ".jsonl":
            yield from iter_jsonl(path, text)
            return
        reader = {".txt": _records_txt, ".md": _records_md, ".markdown": _records_md,
                  ".html": _records_page, ".htm": _records_page, ".json": _records_json}.get(suffix)
        if reader is None:
            raise IngestError(str(path), f"unknown kind of file '{suffix}' (not one of "
                              f"{', '.join(EXTENSIONS)})")
        yield from reader(path, text)
    except IngestError as exc:
        yield exc


def _records_page(path: Path, text: str) -> list[Record]:
    from dossier.ingest.web import page_records  # trafilatura, with this module's fallback

    return page_records(path, text)


def _source_reader(suffix: str):
    """The reader of a feed, mail or PDF file (modules of their own, imported when needed)."""
    if suffix in (".rss", ".atom", ".xml"):
        from dossier.ingest.feeds import feed_records
        return feed_records
    if suffix in (".eml", ".mbox"):
        from dossier.ingest.mail import mail_records
        return mail_records
    if suffix == ".pdf":
        from dossier.ingest.pdf import pdf_records
        return pdf_records
    return None


def to_article(record: Record, *, source: str | None = None) -> Article:
    """Clean a record into an Article (body, removed lines, metadata)."""
    title = normalise_text(record.title or "").strip()
    text = normalise_text(record.text)
    lines = text.split("\n")
    cleaned = clean_lines(title, lines, record.first_line)
    removed = list(cleaned.removed)
    for caption in getattr(record, "captions", []):
        removed.append(RemovedLine(kind="caption", text=caption, line=0))
    for kind, text in getattr(record, "set_aside", []):  # a mail's attachments, signature
        removed.append(RemovedLine(kind=kind, text=text, line=0))
    published, precision = None, "unknown"
    if record.published:
        parsed = parse_publication_date(record.published[:10]) or parse_publication_date(
            record.published)
        if parsed:
            published, precision = parsed
    if published is None and cleaned.published:
        published, precision = cleaned.published, cleaned.published_precision
    if not cleaned.body.strip():
        raise IngestError(record.origin, "no body text left after cleaning")
    if _shouting(title):
        removed.insert(0, RemovedLine(kind="headline", text=title, line=record.first_line))
        title = _title_case(title, cleaned.body)
    return Article(
        title=title[:500] or "(untitled)", body=cleaned.body,
        source=record.source or cleaned.source or source,
        url=record.url, author=record.author or cleaned.author,
        published=published, published_precision=precision, removed=removed,
        content_hash=_hash(record.raw), origin=record.origin,
    )


_SMALL_WORDS = {"a", "an", "and", "as", "at", "by", "for", "in", "of", "on", "or", "the", "to",
                "vs", "with", "from"}


def _shouting(title: str) -> bool:
    """An upper-case headline (the wire's): two or more words, no lower-case letter."""
    words = re.findall(r"[^\W\d_]{2,}", title)
    return len(words) >= 2 and not any(c.islower() for c in title)


def _title_case(title: str, body: str) -> str:
    """`BAHIA COCOA REVIEW` -> `Bahia Cocoa Review`; a word written in capitals in the body
    (`IBM`, `U.S.`, `OPEC`) stays in capitals, small words after the first are lower case."""
    shouted = set(re.findall(r"\b[A-Z][A-Z0-9.&]*[A-Z0-9]\b\.?", body))
    out = []
    for n, word in enumerate(title.split(" ")):
        core = word.strip("\"'()<>,;:-")
        if not core or core in shouted or core.rstrip(".") in shouted or "." in core.strip("."):
            out.append(word)
        elif n and core.lower() in _SMALL_WORDS:
            out.append(word.lower())
        else:
            out.append("-".join(p[:1] + p[1:].lower() for p in word.split("-")))
    return " ".join(out)
