"""Mail: `.eml` (one message) and `.mbox` (one article a message), by the standard library.

Subject is the title, From's display name (else the address) the author, Date the day of
publication in the sender's own time zone; encoded headers (`=?utf-8?q?...?=`) are decoded by
`email.policy.default`. The body is the text/plain part, or the text/html part made text when
there is no plain one; attachments are not read, but their names are kept with the article
(`removed`, kind `attachment`), and so is a signature after the `-- ` line. A message that is
not a mail (no From, Subject or Date header), or has no text part, is refused alone with its
number in the mbox; the others are read.
"""

from __future__ import annotations

import email
import mailbox
import os
from collections.abc import Iterator
from email import policy
from email.message import EmailMessage
from pathlib import Path

from dossier.ingest.readers import MAX_BYTES, IngestError, Record, read_article_bytes
from dossier.ingest.web import fragment_text
from dossier.safefile import not_regular

MBOX_MAX_BYTES = 2 * 1024**3  # an mbox is read a message at a time; each up to MAX_BYTES
EXTENSIONS = (".eml", ".mbox")


def _header(msg: EmailMessage, name: str) -> str | None:
    """A header's decoded text, or None when missing or unreadable."""
    try:
        value = msg.get(name)
    except (ValueError, TypeError, IndexError, LookupError):
        return None
    text = " ".join(str(value).split()) if value is not None else ""
    return text or None


def _author(msg: EmailMessage) -> str | None:
    try:
        value = msg.get("from")
        addresses = getattr(value, "addresses", ())
    except (ValueError, TypeError, IndexError, LookupError):
        return None
    for address in addresses:
        name = " ".join((address.display_name or "").split())
        return name or address.addr_spec or None
    return _header(msg, "from")


def _date(msg: EmailMessage) -> str | None:
    try:
        value = msg.get("date")
        when = getattr(value, "datetime", None)
    except (ValueError, TypeError, IndexError, OverflowError):
        return None
    return when.date().isoformat() if when is not None else None


def _content(part: EmailMessage) -> str:
    try:
        content = part.get_content()
    except LookupError:
        raise ValueError(f"unknown character set '{part.get_content_charset()}'") from None
    if isinstance(content, bytes):
        content = content.decode("utf-8", "replace")
    return content


def _body(msg: EmailMessage) -> tuple[str, list[tuple[str, str]]]:
    """The message's text and what was set aside (attachments' names, the signature)."""
    set_aside: list[tuple[str, str]] = []
    plain = msg.get_body(preferencelist=("plain",))
    if plain is not None:
        text = _content(plain).replace("\r\n", "\n")
    else:
        html_part = msg.get_body(preferencelist=("html",))
        text = fragment_text(_content(html_part)) if html_part is not None else ""
    lines = text.split("\n")
    if "-- " in lines:  # the signature separator (RFC 3676)
        cut = len(lines) - 1 - lines[::-1].index("-- ")
        signature = " ".join(" ".join(lines[cut + 1:]).split())
        if signature:
            set_aside.append(("signature", signature))
        text = "\n".join(lines[:cut])
    if msg.is_multipart():
        for part in msg.iter_attachments():
            name = part.get_filename() or "(no name)"
            set_aside.append(("attachment", f"{name} ({part.get_content_type()})"))
    return text.strip(), set_aside


def message_record(origin: str, data: bytes) -> Record:
    """The article of one message (its bytes, as in the file)."""
    msg: EmailMessage = email.message_from_bytes(data, policy=policy.default)  # type: ignore
    title, author, published = _header(msg, "subject"), _author(msg), _date(msg)
    if not (title or author or published):
        raise IngestError(origin, "not a mail message (no From, Subject or Date header)")
    try:
        text, set_aside = _body(msg)
    except (ValueError, KeyError) as exc:
        raise IngestError(origin, f"unreadable message body ({exc})") from None
    if not text:
        raise IngestError(origin, "no text in the message (no text/plain or text/html part)")
    record = Record(origin, data.decode("utf-8", "surrogateescape"),
                    title or text.split("\n", 1)[0][:120], text, published=published,
                    author=author)
    record.set_aside = set_aside  # type: ignore[attr-defined]
    return record


def _eml(path: Path) -> Iterator[Record | IngestError]:
    data = read_article_bytes(path)
    yield message_record(str(path), data)


def _mbox(path: Path) -> Iterator[Record | IngestError]:
    try:
        info = os.stat(path)
    except OSError as exc:
        raise IngestError(str(path), f"cannot read: {exc.strerror or exc}") from None
    why = not_regular(info.st_mode)  # mailbox would open a FIFO and wait for a writer
    if why:
        raise IngestError(str(path), why)
    if info.st_size > MBOX_MAX_BYTES:
        raise IngestError(str(path), f"too large ({info.st_size:,} bytes; the limit is "
                          f"{MBOX_MAX_BYTES:,})")
    box = mailbox.mbox(path, create=False)
    try:
        keys = box.keys()
        if not keys:
            raise IngestError(str(path), "no messages (an mbox starts each with a 'From ' line)")
        for n, key in enumerate(keys, 1):
            origin = f"{path}[message {n}]"
            with box.get_file(key) as handle:
                data = handle.read(MAX_BYTES + 1)
            if len(data) > MAX_BYTES:
                yield IngestError(origin, f"message too large (more than {MAX_BYTES:,} bytes)")
                continue
            try:
                yield message_record(origin, data)
            except IngestError as exc:
                yield exc
    except OSError as exc:
        raise IngestError(str(path), f"cannot read: {exc.strerror or exc}") from None
    finally:
        box.close()


def mail_records(path: Path) -> Iterator[Record | IngestError]:
    """The articles of an `.eml` or `.mbox` file."""
    if path.suffix.lower() == ".mbox":
        yield from _mbox(path)
    else:
        yield from _eml(path)
