"""App-wide messages: what a worker reports back to the UI thread."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.message import Message
from textual.worker import Worker, WorkerState


@dataclass
class SearchReady(Message):
    """A search finished: its source holds the count and the first page of hits."""

    query: str
    source: Any  # panes.SearchSource (not imported here: panes import this module's users)
    serial: int = 0  # which search of the app's: an older one's answer is dropped


@dataclass
class SearchFailed(Message):
    """A search was refused (bad FTS5 syntax); `problem` says why, for the analyst."""

    query: str
    problem: str
    serial: int = 0


@dataclass
class Warmed(Message):
    """The whole-dossier figures that read every row are ready (after the first paint)."""

    density: list[int]
    first: str
    last: str
    bucket: str


@dataclass
class WorkerFailed(Message):
    """A worker of a widget or screen failed: for the app's one notice of failures."""

    worker: Worker


class ReportsWorkerFailures:
    """Mixed into a widget or screen that runs workers: Worker.StateChanged goes only to the
    node that started the worker (it does not bubble), so a failure is passed to the app."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            self.app.post_message(WorkerFailed(event.worker))  # type: ignore[attr-defined]
