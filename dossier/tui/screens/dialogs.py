"""Modal screens: tag picker, filter, help, item picker (links, merge), choices, text prompts.

Option prompts are `Text` built from `safe_line(...)`: an `OptionList` parses a plain `str`
as markup, and names here come from the dossier.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from dossier import keys
from dossier.safetext import safe_line
from dossier.store import SearchError, Store, views
from dossier.tagsets import TagConfig
from dossier.tui.bindings import bindings
from dossier.tui.messages import ReportsWorkerFailures


class Heading:
    """The value of an option that heads a group: shown, never chosen."""


HEADING = Heading()


class Choice(ModalScreen[Any]):
    """Pick one of a list of options (value, Text); escape cancels (None). Options whose
    value is `HEADING` head a group and cannot be chosen."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="dialog.cancel",
                        tooltip="Close without choosing")]
    DEFAULT_CSS = """
    Choice { align: center middle; }
    Choice > Vertical { width: 70; max-width: 95%; height: auto; max-height: 80%;
        border: round $primary; background: $surface; padding: 0 1; }
    Choice OptionList { height: auto; max-height: 24; }
    """

    def __init__(self, title: str, options: list[tuple[Any, Text]], *,
                 selected: set[Any] | None = None, hotkeys: dict[str, Any] | None = None
                 ) -> None:
        super().__init__()
        self.title_text = safe_line(title)
        self.values = [v for v, _ in options]
        self.options = options
        self.selected = selected or set()
        self.hotkeys = hotkeys or {}  # a key that chooses an option at once (a tag's own)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text(self.title_text, style="bold"))
            yield OptionList(*[
                Option(t, id=str(i), disabled=True) if v is HEADING else
                Option(Text("✓ ", style="bold") + t if v in self.selected else Text("  ") + t,
                       id=str(i))
                for i, (v, t) in enumerate(self.options)
            ])

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = next((i for i, v in enumerate(self.values) if v is not HEADING),
                                   None)

    @on(OptionList.OptionSelected)
    def chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.values[int(event.option.id or 0)])

    def on_key(self, event: Any) -> None:
        if event.character and event.character in self.hotkeys:
            event.stop()
            event.prevent_default()
            self.dismiss(self.hotkeys[event.character])

    def action_cancel(self) -> None:
        self.dismiss(None)


class Confirm(ModalScreen[bool]):
    """The one yes/no question of the app (merge, delete, mark every hit): the answer that
    changes the file first and highlighted (enter), the other below it; `y` says yes, `n` or
    escape says no. Dismisses with True only for yes."""

    BINDINGS = [
        Binding("escape,n", "answer(False)", "No", id="confirm.no",
                tooltip="Leave everything as it is"),
        Binding("y", "answer(True)", "Yes", id="confirm.yes", tooltip="Do it"),
    ]
    DEFAULT_CSS = """
    Confirm { align: center middle; }
    Confirm > Vertical { width: 70; max-width: 95%; height: auto; border: round $warning;
        background: $surface; padding: 0 1; }
    Confirm OptionList { height: auto; }
    """

    def __init__(self, question: str, yes: str = "Yes", no: str = "Cancel") -> None:
        super().__init__()
        # The question names things from the file (an entity, an alias): shown inert.
        self.question, self.yes, self.no = safe_line(question), safe_line(yes), safe_line(no)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text(self.question, style="bold"))
            yield OptionList(Option(Text(f"  {self.yes}  (y)"), id="yes"),
                             Option(Text(f"  {self.no}  (n)"), id="no"))

    def on_mount(self) -> None:
        self.query_one(OptionList).highlighted = 0

    @on(OptionList.OptionSelected)
    def chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id == "yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


def reads_with(parse: Callable[[str], Any], *,
               optional: bool = False) -> Callable[[str], str | None]:
    """A `TextPrompt` check: why `parse` cannot read the line (said under the field, which
    stays open with the text), or None; with `optional`, an empty line is an answer too."""

    def check(value: str) -> str | None:
        if optional and not value.strip():
            return None
        try:
            parse(value)
        except ValueError as exc:
            return str(exc)
        return None

    return check


class TextPrompt(ModalScreen[str | None]):
    """Ask for one line of text; with `check`, a refused line keeps the dialog open with the
    text as typed and the reason under it (nothing typed is lost to a typo)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="prompt.cancel",
                        tooltip="Close without changing anything")]
    DEFAULT_CSS = """
    TextPrompt { align: center middle; }
    TextPrompt > Vertical { width: 70; max-width: 95%; height: auto; border: round $primary;
        background: $surface; padding: 0 1; }
    TextPrompt #prompt-problem { color: $warning; }
    """

    def __init__(self, title: str, value: str = "", placeholder: str = "",
                 check: Callable[[str], str | None] | None = None) -> None:
        super().__init__()
        # The value to edit may come from the file: shown (and saved, if kept) inert.
        self.title_text, self.value = safe_line(title), safe_line(value)
        self.placeholder = placeholder
        self.check = check

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text(self.title_text, style="bold"))
            yield Input(value=self.value, placeholder=self.placeholder)
            yield Label(Text(""), id="prompt-problem")

    @on(Input.Submitted)
    def submitted(self, event: Input.Submitted) -> None:
        problem = self.check(event.value) if self.check else None
        if problem:
            self.query_one("#prompt-problem", Label).update(Text(safe_line(problem)))
            return
        self.dismiss(event.value)

    @on(Input.Changed)
    def changed(self) -> None:
        self.query_one("#prompt-problem", Label).update(Text(""))

    def action_cancel(self) -> None:
        self.dismiss(None)


class ItemPicker(ReportsWorkerFailures, ModalScreen[tuple[str, int] | None]):
    """Fuzzy picker over the dossier's items: type to narrow, each query a LIMITed lookup."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="picker.cancel", tooltip="Close"),
        Binding("down", "focus_list", "Results", show=False, id="picker.results",
                tooltip="Move to the results"),
    ]
    DEFAULT_CSS = """
    ItemPicker { align: center top; }
    ItemPicker > Vertical { width: 90; max-width: 98%; height: auto; max-height: 90%;
        margin-top: 2; border: round $primary; background: $surface; padding: 0 1; }
    ItemPicker OptionList { height: auto; max-height: 20; }
    """
    LIMIT = 30

    def __init__(self, store: Store, title: str, kinds: tuple[str, ...] = ("article", "entity",
                 "event"), exclude: tuple[str, int] | None = None,
                 first: list[tuple[str, int, Text]] | None = None, note: str = "") -> None:
        super().__init__()
        self.store, self.title_text, self.kinds, self.exclude = store, title, kinds, exclude
        self.first = first or []  # offered before anything typed (the evidence's entities)
        self.note = note  # a line under the title (the evidence quoted, its article)
        self.results: list[tuple[str, int]] = []

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text(safe_line(self.title_text), style="bold"))
            if self.note:
                yield Label(Text(safe_line(self.note), style="dim italic"), id="picker-note")
            yield Input(placeholder="type a name, title or date…", id="picker-input")
            yield OptionList(id="picker-results")

    def on_mount(self) -> None:
        self.lookup("")

    @on(Input.Changed)
    def changed(self, event: Input.Changed) -> None:
        self.lookup(event.value)

    @on(Input.Submitted)
    def submitted(self) -> None:
        if self.results:
            self.dismiss(self.results[0])

    @work(thread=True, exclusive=True, exit_on_error=False, group="picker")
    def lookup(self, query: str) -> None:
        found = find_items(self.store, query, self.kinds, self.LIMIT)
        if not query.strip() and self.first:
            firsts = {(k, i) for k, i, _ in self.first}
            found = self.first + [f for f in found if (f[0], f[1]) not in firsts]
        found = [f for f in found if (f[0], f[1]) != self.exclude]
        self.app.call_from_thread(self.show_results, found)

    def show_results(self, found: list[tuple[str, int, Text]]) -> None:
        self.results = [(k, i) for k, i, _ in found]
        results = self.query_one("#picker-results", OptionList)
        results.clear_options()
        results.add_options([Option(label, id=str(n)) for n, (_, _, label) in enumerate(found)])

    @on(OptionList.OptionSelected)
    def chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.results[int(event.option.id or 0)])

    def action_focus_list(self) -> None:
        self.query_one("#picker-results", OptionList).focus()

    def action_cancel(self) -> None:
        self.dismiss(None)


def find_items(store: Store, query: str, kinds: tuple[str, ...],
               limit: int) -> list[tuple[str, int, Text]]:
    """Items whose name, alias, title or date starts with or contains the query."""
    q = query.strip()
    like = f"%{q.replace('%', '').replace('_', '')}%"
    out: list[tuple[str, int, Text]] = []
    if "entity" in kinds:
        for entity_id, name, kind in views.entities_by_alias(store, like, limit):
            label = Text.assemble(("entity  ", "dim"), safe_line(name),
                                  (f"  {safe_line(kind)}", "dim italic"))
            out.append(("entity", entity_id, label))
    if "article" in kinds:
        rows = []
        if q:
            try:
                phrase = " ".join(f'"{w}"' for w in q.replace('"', " ").split())
                rows = [(h.article_id, h.title, h.published) for h in
                        store.search(phrase + "*" if phrase else phrase, 0, limit)]
            except SearchError:
                rows = []
            if not rows:
                rows = views.articles_titled(store, like, limit)
        else:
            rows = views.latest_articles(store, limit)
        for article_id, title, published in rows:
            out.append(("article", article_id, Text.assemble(
                ("article ", "dim"), safe_line(title), (f"  {safe_line(published)}", "dim"))))
    if "event" in kinds:
        for event_id, title, date in views.events_matching(store, like, f"{q}%", limit):
            out.append(("event", event_id, Text.assemble(
                ("event   ", "dim"), (f"{safe_line(date) or 'unresolved'}  ", "dim"),
                safe_line(title))))
    return out[: limit * 2]


HelpSection = tuple[str, list[tuple[str, str]]]  # a heading, then (keys, what they do)


class HelpScreen(ModalScreen[None]):
    """Every key of the app, and every tag hotkey of the loaded tag sets."""

    BINDINGS = bindings(keys.HELP)
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll { width: 116; max-width: 98%; height: 90%;
        border: round $primary; background: $surface; padding: 0 1; }
    HelpScreen Horizontal { height: auto; }
    HelpScreen #help-keys { width: 3fr; height: auto; }
    HelpScreen #help-tags { width: 2fr; height: auto; margin-left: 2; }
    HelpScreen.-narrow Horizontal, HelpScreen.-short Horizontal { layout: vertical; }
    HelpScreen.-narrow #help-tags, HelpScreen.-short #help-tags { width: 1fr; margin: 1 0 0 0; }
    HelpScreen.-narrow #help-keys, HelpScreen.-short #help-keys { width: 1fr; }
    """

    def __init__(self, sections: list[HelpSection], tagsets: TagConfig) -> None:
        super().__init__()
        self.sections, self.tagsets = sections, tagsets

    def compose(self) -> ComposeResult:
        keys: list[Any] = []
        for heading, rows in self.sections:
            keys.append(Text(("\n" if keys else "") + heading, style="bold underline"))
            table = Table.grid(padding=(0, 2))
            table.add_column(no_wrap=True, style="bold", min_width=8)
            table.add_column()
            for key, what in rows:
                table.add_row(Text(key), Text(what))
            keys.append(table)
        tags: list[Any] = [Text("Tag hotkeys", style="bold underline"),
                           Text("toggle a tag on the row (or the marked rows) in a list; in the "
                                "reader on the mention's entity, else on the article; in the "
                                "inspector on its item or selected link", style="dim")]
        for tagset in self.tagsets.sets.values():
            heading = Text("\n" + safe_line(tagset.name), style="bold")
            heading.append(f"  on {safe_line(', '.join(tagset.applies_to))}"
                           f"{' (one at a time)' if tagset.exclusive else ''}", style="dim")
            tags.append(heading)
            table = Table.grid(padding=(0, 2))
            table.add_column(no_wrap=True, style="bold", min_width=3)
            table.add_column()
            for tag in tagset.tags:
                table.add_row(Text(safe_line(tag.key) or "·"), Text(safe_line(tag.name),
                                                        style=tag.color or ""))
            tags.append(table)
        with VerticalScroll(id="help"):
            with Horizontal():
                yield Static(Group(*keys), id="help-keys")
                yield Static(Group(*tags), id="help-tags")

    def on_mount(self) -> None:
        self.query_one("#help", VerticalScroll).focus()

    def action_scroll(self, step: int) -> None:
        self.query_one("#help", VerticalScroll).scroll_relative(y=step * 3, animate=False,
                                                                immediate=True)

    def action_page(self, step: int) -> None:
        help_box = self.query_one("#help", VerticalScroll)
        help_box.scroll_relative(y=step * max(help_box.size.height - 2, 1), animate=False,
                                 immediate=True)

    def action_end(self, step: int) -> None:
        help_box = self.query_one("#help", VerticalScroll)
        if step > 0:
            help_box.scroll_end(animate=False, immediate=True)
        else:
            help_box.scroll_home(animate=False, immediate=True)

    def action_close(self) -> None:
        self.dismiss(None)
