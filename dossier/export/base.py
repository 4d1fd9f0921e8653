"""What every export module shares."""

from __future__ import annotations

from collections.abc import Callable

Progress = Callable[[int, int], None]  # (done, total)


class ExportError(Exception):
    """An export that could not be written; str() names the path and the reason."""
