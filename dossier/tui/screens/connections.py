"""The Connections view: the focused entity's neighbourhood, navigable by keyboard."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from dossier.connections import Neighbour, neighbourhood
from dossier.safetext import safe_line
from dossier.store import Store
from dossier.tui.messages import ReportsWorkerFailures


class ConnectionsScreen(ReportsWorkerFailures, ModalScreen[tuple[str, int] | None]):
    """Linked items and co-occurring entities, two hops out; enter on an entity recentres,
    `o` opens the item in the app."""

    BINDINGS = [
        Binding("escape", "close", "Close", id="connections.close", tooltip="Close"),
        Binding("o", "open_item", "Open", id="connections.open",
                tooltip="Show the highlighted item in the app"),
    ]
    DEFAULT_CSS = """
    ConnectionsScreen { align: center middle; }
    ConnectionsScreen > Vertical { width: 100; max-width: 98%; height: 85%;
        border: round $primary; background: $surface; padding: 0 1; }
    ConnectionsScreen OptionList { height: 1fr; }
    """

    def __init__(self, store: Store, entity_id: int) -> None:
        super().__init__()
        self.store = store
        self.entity_id = entity_id
        self.items: list[Neighbour] = []

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text("Connections", style="bold"), id="connections-title")
            yield OptionList(id="connections-list")

    def on_mount(self) -> None:
        self.load(self.entity_id)

    @work(thread=True, exclusive=True, exit_on_error=False, group="connections")
    def load(self, entity_id: int) -> None:
        with self.store.reading() as store:
            entity = store.get_entity(entity_id)
            items = neighbourhood(store, entity_id)
        self.app.call_from_thread(self.show, entity.name if entity else "?", items)

    def show(self, name: str, items: list[Neighbour]) -> None:
        self.items = items
        self.query_one("#connections-title", Label).update(
            Text(f"Connections of {safe_line(name)} (enter: recentre, o: open, escape)",
                 style="bold"))
        listing = self.query_one("#connections-list", OptionList)
        listing.clear_options()
        for n, item in enumerate(items):
            label = Text(f"{'  ' * (item.hop - 1)}{item.hop} ", style="dim")
            label.append(f"{safe_line(item.relation):<18}", style="italic")
            label.append(safe_line(item.name))
            label.append(f"  {safe_line(item.kind)}", style="dim")
            if item.relation == "named with":
                label.append(f"  {item.weight} shared articles", style="dim")
            if item.hop > 1 and item.via_name:
                label.append(f"  through {safe_line(item.via_name)}", style="italic")
            listing.add_option(Option(label, id=str(n)))
        if not items:
            listing.add_option(Option(Text("no links and no shared articles", style="dim")))
        else:
            listing.highlighted = 0
        listing.focus()

    def _highlighted(self) -> Neighbour | None:
        listing = self.query_one("#connections-list", OptionList)
        index = listing.highlighted
        return self.items[index] if index is not None and index < len(self.items) else None

    @on(OptionList.OptionSelected)
    def recentre(self) -> None:
        item = self._highlighted()
        if item is not None and item.kind == "entity":
            self.entity_id = item.id
            self.load(item.id)

    def action_open_item(self) -> None:
        item = self._highlighted()
        if item is not None:
            self.dismiss((item.kind, item.id))

    def action_close(self) -> None:
        self.dismiss(None)
