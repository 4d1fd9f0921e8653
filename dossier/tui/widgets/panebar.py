"""The bar naming the panes on a small screen, where one pane shows at a time."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.message import Message
from textual.widgets import Static


class PaneBar(Static):
    """The panes by name, the shown one highlighted; a click on a name goes there."""

    class Chosen(Message):
        """A pane's name was clicked."""

        def __init__(self, pane_id: str) -> None:
            super().__init__()
            self.pane_id = pane_id

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(Text(""), **kwargs)
        self._spans: list[tuple[int, int, str]] = []

    def show(self, panes: list[tuple[str, str]], current: str) -> None:
        """Draw the bar: `panes` are (id, name) in tab order, `current` the one shown."""
        bar = Text(" ")
        self._spans = []
        for pane_id, name in panes:
            start = len(bar)
            bar.append(f" {name} ", style="bold reverse" if pane_id == current else "dim")
            self._spans.append((start, len(bar), pane_id))
            bar.append(" ")
        bar.append(" tab / shift+tab", style="italic dim")
        self.update(bar)

    def on_click(self, event: Any) -> None:
        for start, end, pane_id in self._spans:
            if start <= event.x < end:
                self.post_message(self.Chosen(pane_id))
                return
