"""PDF files, by pypdf: the text of each page, a blank line between pages.

The title is the document's `/Title` (unless it is a word processor's file name such as
`Microsoft Word - draft3.docx`), else the first line of text; the author is `/Author`; the date
is `/CreationDate` (`D:20230404...` is 4 April 2023; `D:202304` is a month). A PDF that is
truncated or damaged beyond reading, encrypted with a password, longer than `MAX_PAGES`
pages, or without any text (a scan) is refused with one line naming it.
"""

from __future__ import annotations

import calendar
import io
import logging
import re
import warnings
from collections.abc import Iterator
from pathlib import Path

from pypdf import PdfReader
from pypdf.errors import DependencyError, FileNotDecryptedError, PyPdfError

from dossier.ingest.readers import IngestError, Record, read_article_bytes

MAX_PAGES = 2000
MAX_CHARS = 20 * 1024 * 1024  # of text, all pages together
EXTENSIONS = (".pdf",)

# pypdf logs what it repairs ("EOF marker not found", "incorrect startxref"): without a
# handler of its own, Python's last-resort handler would print that on the user's terminal.
logging.getLogger("pypdf").addHandler(logging.NullHandler())

_PDF_DATE = re.compile(r"(?:D:)?(\d{4})(\d{2})?(\d{2})?")
_FILE_NAME_TITLE = re.compile(
    r"(?i)^(microsoft \w+ - |untitled\b)|\.(docx?|odt|rtf|pdf|pages|indd|tex|txt)$")


def pdf_date(raw: object) -> str | None:
    """`D:20230404103000+02'00'` -> `2023-04-04`; `D:202304` -> `April 2023`; else None."""
    m = _PDF_DATE.match(str(raw).strip()) if raw else None
    if not m:
        return None
    year, month, day = m.groups()
    if month and not 1 <= int(month) <= 12:
        return year
    if day and not 1 <= int(day) <= 31:
        day = None
    if month and not day:  # the words dates.py reads as a month
        return f"{calendar.month_name[int(month)]} {year}"
    return "-".join(part for part in (year, month, month and day) if part)


def _meta_text(value: object) -> str | None:
    text = " ".join(str(value).split()) if value is not None else ""
    return text or None


def _reader(path: Path, data: bytes) -> PdfReader:
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                opened = reader.decrypt("")  # only an owner password: readable by anyone
            except DependencyError:
                raise IngestError(str(path), "encrypted PDF (AES); not read") from None
            if not opened:
                raise IngestError(str(path), "encrypted PDF: a password is needed to read it")
        return reader
    except FileNotDecryptedError:
        raise IngestError(str(path), "encrypted PDF: a password is needed to read it") from None
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError,
            RecursionError, OSError) as exc:
        raise IngestError(str(path), f"not a readable PDF ({_why(exc)})") from None


def _why(exc: Exception) -> str:
    text = " ".join(str(exc).split())[:160]
    return text or type(exc).__name__


def pdf_records(path: Path) -> Iterator[Record | IngestError]:
    """The article of a PDF file (see the module's docstring)."""
    data = read_article_bytes(path)
    if not data.lstrip()[:5] == b"%PDF-":
        raise IngestError(str(path), "not a PDF (no %PDF- header)")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield _record(path, data)


def _record(path: Path, data: bytes) -> Record:
    reader = _reader(path, data)
    try:
        count = len(reader.pages)
        if count > MAX_PAGES:
            raise IngestError(str(path), f"{count:,} pages; the limit is {MAX_PAGES:,}")
        pages, size = [], 0
        for page in reader.pages:
            text = page.extract_text() or ""
            size += len(text)
            if size > MAX_CHARS:
                raise IngestError(str(path), f"more than {MAX_CHARS:,} characters of text")
            pages.append(text.strip())
        info = reader.metadata or {}
        title = _meta_text(info.get("/Title"))
        author = _meta_text(info.get("/Author"))
        published = pdf_date(info.get("/CreationDate"))
    except IngestError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError,
            RecursionError, OSError, ZeroDivisionError) as exc:
        raise IngestError(str(path), f"not a readable PDF ({_why(exc)})") from None
    text = "\n\n".join(p for p in pages if p)
    if not text.strip():
        raise IngestError(str(path), "no text in the PDF (a scan? text is not read from "
                          "images)")
    if title and _FILE_NAME_TITLE.search(title):
        title = None
    if not title:
        lines = text.split("\n")
        first = next(i for i, line in enumerate(lines) if line.strip())
        title, text = lines[first].strip(), "\n".join(lines[first + 1:])
    return Record(str(path), data.decode("latin-1"), title, text, published=published,
                  author=author)
