"""What every export module shares."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from dossier.safetext import json_text

Progress = Callable[[int, int], None]  # (done, total)


class ExportError(Exception):
    """An export that could not be written; str() names the path and the reason."""


class RefusedTarget(ExportError):
    """An output path the export must not write (the dossier itself, or one of its journal
    files): a user's mistake, refused before anything is written."""


# XML 1.0 `Char`: tab, LF, CR and U+0020..U+D7FF, U+E000..U+FFFD, U+10000..U+10FFFF. Anything
# else (other C0 controls, lone surrogates, U+FFFE, U+FFFF) makes a parser reject the file.
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# Text meant to be read (HTML, JSON for other tools): the characters XML forbids, and the C1
# controls, which no reader wants either.
_NOT_TEXT = re.compile("[^\t\n\r\u0020-\u007e\u00a0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
REPLACEMENT = "\ufffd"


def xml_chars(text: str) -> str:
    """`text` with every character XML 1.0 cannot hold replaced by U+FFFD."""
    return _NOT_XML.sub(REPLACEMENT, text)


def readable(text: str) -> str:
    """`text` with control characters (but tab and newlines), lone surrogates and the
    non-characters U+FFFE/U+FFFF replaced by U+FFFD: what HTML and JSON for other tools carry."""
    return _NOT_TEXT.sub(REPLACEMENT, text)


def dumps(value: Any, **kw: Any) -> str:
    """JSON for other tools: `safetext.json_text` (no raw control character, no Unicode line
    end: every output line is one JSON line) that never writes NaN or Infinity."""
    return json_text(value, allow_nan=False, **kw)


class Unavailable(ExportError):
    """A format whose optional dependency is not installed: a usage problem, said before
    anything is written."""
