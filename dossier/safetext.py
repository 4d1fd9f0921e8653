"""Make untrusted text safe to show: the one place control characters are neutralised.

Article text, titles and names come from strangers. Rich and Textual strip only a few control
characters (BEL, BS, VT, FF, CR); ESC and the rest would reach the terminal (OSC 52 clipboard
writes, OSC 8 links, CSI screen clears, title changes). Every string from a dossier passes
through `safe_text` (or `safe_line`) before it is put in a `Text`/`Content`; the UI never hands
such a string to a widget as markup.
"""

from __future__ import annotations

import json
import re
from typing import Any

# Bidi embedding/override/isolate controls and marks: they reorder what follows on screen.
_BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
REPLACEMENT = "\ufffd"

_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f\x80-\x9f" + _BIDI + "\ud800-\udfff]"
)
_UNSAFE_LINE = re.compile(
    "[\x00-\x1f\x7f\x80-\x9f" + _BIDI + "\ud800-\udfff]"
)


def _placeholder(match: re.Match[str]) -> str:
    ch = match.group()
    code = ord(ch)
    if code < 0x20:
        return chr(0x2400 + code)  # Unicode control pictures: ESC -> U+241B
    if code == 0x7F:
        return "\u2421"  # SYMBOL FOR DELETE
    return REPLACEMENT


def _line_placeholder(match: re.Match[str]) -> str:
    ch = match.group()
    if ch in "\n\r":
        return " "
    if ch == "\t":
        return " "
    return _placeholder(match)


def safe_text(text: str | None) -> str:
    """Return `text` with every control character but newline and tab made visible and inert."""
    if not text:
        return ""
    return _UNSAFE.sub(_placeholder, text)


def safe_line(text: str | None) -> str:
    """Like `safe_text`, for one-line places (titles, rows): newlines and tabs become spaces."""
    if not text:
        return ""
    return _UNSAFE_LINE.sub(_line_placeholder, text)


def is_safe(text: str) -> bool:
    """True when `text` holds nothing `safe_text` would change."""
    return _UNSAFE.search(text) is None


def strip_unsafe(text: str) -> str:
    """`text` without the characters `safe_text` would replace: for the last door to the
    terminal, where a placeholder would take a cell the layout did not give it."""
    return _UNSAFE.sub("", text)


# JSON leaves DEL and the C1 controls (U+007F-U+009F) as they are, and a terminal reads
# U+009D as OSC: written as \u escapes, the same strings, inert on `-o -`. U+2028 and U+2029
# too: valid JSON, but line ends to `str.splitlines()`, older JavaScript and JSON-lines readers.
_INERT_JSON = {c: f"\\u{c:04x}" for c in [*range(0x7F, 0xA0), 0x2028, 0x2029]}
_NEEDS_INERT_JSON = re.compile("[\x7f-\x9f\u2028\u2029]")


def json_text(value: Any, **kwargs: Any) -> str:
    """`json.dumps(value, ensure_ascii=False, **kwargs)` with no raw control character and no
    Unicode line end: the same strings, one JSON line stays one line."""
    text = json.dumps(value, ensure_ascii=False, **kwargs)
    # Almost no text holds one: looked for first (a regex scan, in C), translated only then
    # (`translate` looks every character up in the table: a fifth of a JSON export's time).
    if _NEEDS_INERT_JSON.search(text) is None:
        return text
    return text.translate(_INERT_JSON)
