"""App-wide messages: what a worker reports back to the UI thread."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.message import Message


@dataclass
class SearchReady(Message):
    """A search finished: its source holds the count and the first page of hits."""

    query: str
    source: Any  # panes.SearchSource (not imported here: panes import this module's users)


@dataclass
class SearchFailed(Message):
    """A search was refused (bad FTS5 syntax); `problem` says why, for the analyst."""

    query: str
    problem: str


@dataclass
class Warmed(Message):
    """The whole-dossier figures that read every row are ready (after the first paint)."""

    density: list[int]
    first: str
    last: str
    bucket: str
