"""What every export module shares."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

Progress = Callable[[int, int], None]  # (done, total)

# JSON leaves DEL and the C1 controls (U+007F-U+009F) as they are, and a terminal reads
# U+009D as OSC: written as \u escapes, the same strings, inert on `-o -`.
_INERT_JSON = {c: f"\\u{c:04x}" for c in range(0x7F, 0xA0)}


def json_text(value: Any, **kwargs: Any) -> str:
    """`json.dumps(value, ensure_ascii=False, **kwargs)` with no raw control character."""
    return json.dumps(value, ensure_ascii=False, **kwargs).translate(_INERT_JSON)


class ExportError(Exception):
    """An export that could not be written; str() names the path and the reason."""
