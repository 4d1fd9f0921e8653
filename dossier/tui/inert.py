"""The app's last door to the terminal: no control character in anything drawn.

Every string from a dossier is made safe with `dossier.safetext` where it is put into a
`Text` (control characters become visible placeholders, `␛`). This filter runs on every line
Textual draws, after that, so a string that slipped past (a new column, a new notice) still
never reaches the terminal as an escape sequence: it drops what the placeholders should have
replaced. Control characters take no cell, so dropping them changes no layout.
"""

from __future__ import annotations

from rich.segment import Segment
from textual.color import Color
from textual.filter import LineFilter

from dossier.safetext import is_safe, strip_unsafe


class InertFilter(LineFilter):
    """Drop control characters (C0, DEL, C1, bidi overrides) from every drawn segment."""

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        if is_safe("".join([segment.text for segment in segments])):  # one search a line
            return segments
        return [Segment(strip_unsafe(text), style, control)
                for text, style, control in segments]

