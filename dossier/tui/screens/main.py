"""The main screen: five panes over one dossier file, driven by the keyboard.

Articles, Reader, Entities, Timeline, Inspector. Lists are lazy (pages from SQLite); every
analyst change is a store call that commits before the screen shows it. The app
(`dossier.tui.app`) keeps what outlives the screen: the store, themes, keymap, notices.

The screen lays the panes out and routes keys and focus to them. The panes own their state
(`widgets/listpanes.py`: search, filter, order, scope); the dialogs are flows in workers
(`tui/flows.py`: tag, filter, views, export; `tui/corrections.py`: links, corrections, undo).
What stays here acts across panes: a tag key and the triage advance, showing the file anew.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.reactive import reactive
from textual.screen import Screen
from textual.theme import Theme
from textual.widget import Widget
from textual.widgets import Footer, Static
from textual.worker import Worker, WorkerState

from dossier import keys
from dossier.model import Scope
from dossier.safetext import safe_line
from dossier.store import (
    GoneError,
    ReadOnlyError,
    Store,
    problem_text,
    store_errors,
)
from dossier.store.views import density
from dossier.tagsets import TagConfig, TagSet
from dossier.tui.bindings import bindings
from dossier.tui.corrections import CorrectionsMixin
from dossier.tui.flows import RoomFlowsMixin
from dossier.tui.messages import ReportsWorkerFailures, Warmed
from dossier.tui.widgets.lazylist import LazyList
from dossier.tui.widgets.listpanes import (
    ArticlesPane,
    EntitiesPane,
    ListPane,
    TimelinePane,
)
from dossier.tui.widgets.panebar import PaneBar
from dossier.tui.widgets.panes import (
    ArticleList,
    EntityList,
    EventList,
    Inspector,
    ItemList,
    Reader,
)

# The panes in tab order: (id of the pane, its name, id of the widget that takes focus).
PANES = (("articles-pane", "Articles", "articles"), ("reader", "Reader", "reader"),
         ("inspector", "Inspector", "inspector"), ("entities-pane", "Entities", "entities"),
         ("timeline-pane", "Timeline", "events"))
LIST_PANES = ("articles-pane", "entities-pane", "timeline-pane")
# The actions that change the file: off on a read-only dossier (`MainScreen.check_action`).
WRITE_ACTIONS = frozenset({"tag", "link", "merge", "edit", "undo", "redo"})


class MainScreen(ReportsWorkerFailures, RoomFlowsMixin, CorrectionsMixin, Screen[None]):
    """The five panes: routes focus between them, runs the analyst's actions on them."""

    # Below 100 columns or 28 rows the five panes do not fit side by side: the screen then
    # shows one pane at a time (tab / shift+tab switch, a bar names them all).
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (28, "-tall")]
    BINDINGS = bindings(keys.APP)  # every key once, in dossier/keys.py

    # Entities and Timeline show the story's articles only (the Articles filter and search).
    follow_story: reactive[bool] = reactive(False, init=False)

    def __init__(self, store: Store, tagsets: TagConfig, analyst: str) -> None:
        super().__init__()
        self.store = store
        self.tagsets = tagsets
        self.analyst = analyst
        self._inspect_next: tuple[str, int] | None = None
        self._inspect_timer: Any = None
        self.current_pane = "articles-pane"  # the one shown when the screen is narrow
        self._last_list_pane = "articles-pane"

    # ------------------------------------------------------------- layout

    def compose(self) -> ComposeResult:
        # The size classes and the current pane (Articles) are set before the panes exist,
        # so each is styled once as it mounts: set in `on_mount`, each class changed restyled
        # the whole screen again before the first paint (~13 ms of start-up).
        self._apply_breakpoints()
        yield Static(Text(""), id="status")
        yield PaneBar(id="panebar")
        with Horizontal(id="top", classes="-current"):
            yield ArticlesPane(self.store, self.tagsets, id="articles-pane",
                               classes="pane -current")
            yield Reader(self.store, self.tagsets, id="reader", classes="pane")
            yield Inspector(self.store, self.tagsets, id="inspector", classes="pane")
        with Horizontal(id="bottom"):
            yield EntitiesPane(self.store, self.tagsets, id="entities-pane", classes="pane")
            yield TimelinePane(self.store, self.tagsets, id="timeline-pane", classes="pane")
        yield Footer()

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, self._theme_changed)
        self._show_pane("articles-pane")  # its classes are set already: the pane bar's names
        self.articles.reload(keep_cursor=False)
        self.events.reload(keep_cursor=False)
        self.entities.empty_text = "counting mentions…"
        self.reader.border_title = Text("Reader")
        self.inspector.border_title = Text("Inspector")
        # Titled before the first paint (their `Reloaded` messages come after it).
        for pane in (self.articles_pane, self.entities_pane, self.timeline_pane):
            pane.retitle()
        self._show_status()
        # Ranking entities by mentions and the density strip read every mention and event:
        # on a big dossier that is more than a frame, so it happens after the first paint.
        self.warm_up()
        # A colleague may be tagging the same file: look for their commits every second (on
        # PostgreSQL, twice a second: the look reads the LISTEN notices, one round trip).
        self._data_version = self.store.data_version()
        self.set_interval(0.5 if self.store.engine == "postgresql" else 1.0,
                          self.check_for_other_writers)
        self.articles.focus()
        first = self.articles.current
        if first is not None:
            self.reader.show(first.id)

    @property
    def long_work(self) -> str | None:
        """What long work runs ("merge"): undo waits for it (the app's, it outlives keys)."""
        return self.app.long_work  # type: ignore[attr-defined,no-any-return]

    @long_work.setter
    def long_work(self, value: str | None) -> None:
        self.app.long_work = value  # type: ignore[attr-defined]

    def writable(self) -> bool:
        """True when changes are allowed; else says why, once, politely (for the tag hotkeys
        and the views dialog, which are not bindings of their own)."""
        if self.store.readonly:
            self._say_read_only()
            return False
        return True

    def _say_read_only(self) -> None:
        self.notify("this dossier is open read-only: it cannot be changed here",
                    title="Read-only", severity="warning", markup=False)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Read-only (opened so, or a file someone else made read-only): the actions that
        write are off, out of the footer and the palette; their keys say why (`on_key`)."""
        if action in WRITE_ACTIONS and self.store.readonly:
            return False
        return True

    def _refused_write(self, key: str) -> bool:
        """True when `key` is bound here to an action that is off because the dossier is
        read-only (a binding of the focused widget for that key comes first)."""
        for namespace, bindings_map in self._modal_binding_chain:
            for binding in bindings_map.key_to_bindings.get(key, ()):
                action = binding.action.split("(")[0]
                if namespace is self and action in WRITE_ACTIONS:
                    return self.store.readonly
                if namespace.check_action(action, ()) is not False:
                    return False
        return False

    def store_failed(self, exc: BaseException) -> None:
        """A change the file refused (locked too long, a full disk): one notice; the app goes
        on and the screen shows only what is in the file."""
        self.notify(f"not saved: {problem_text(exc)}", title="Not saved", severity="error",
                    markup=False, timeout=8)

    @on(Worker.StateChanged)
    def _warm_up_failed(self, event: Worker.StateChanged) -> None:
        """The count of mentions failed: the pane stops waiting (the app's notice comes from
        `ReportsWorkerFailures`, whose handler Textual runs as well)."""
        if event.state == WorkerState.ERROR and event.worker.group == "warm-up":
            self.entities.empty_text = "could not count mentions (see the notice)"
            self.entities.refresh_source(keep_cursor=True)

    def check_for_other_writers(self) -> None:
        """Show what another process committed to the file since we last looked."""
        version = self.store.data_version()
        if version != self._data_version:
            self._data_version = version
            self.after_change()

    @work(thread=True, exclusive=True, exit_on_error=False, group="warm-up")
    def warm_up(self) -> None:
        """Rank entities by mentions and count events a month, off the UI thread."""
        self.store.prepare_ranking()  # on a read connection of its own; cached for the UI
        with self.store.reading() as store:
            self.post_message(Warmed(*density(store)))

    @on(Warmed)
    def _warmed(self, message: Warmed) -> None:
        self.entities.empty_text = "no entities"
        self.entities.refresh_source(keep_cursor=True)
        self._show_density(message)
        # What start-up built lives as long as the app: frozen out of the collector's
        # sweeps, and the sweeps moved to the analyst's pauses (dossier.tui.pacing).
        self.app.collector.start()  # type: ignore[attr-defined]

    @work(thread=True, exclusive=True, exit_on_error=False, group="density")
    def recount_density(self) -> None:
        """The density strip after a change (reads every dated event: not on the UI thread)."""
        with self.store.reading() as store:
            warmed = Warmed(*density(store))
        self.app.call_from_thread(self._show_density, warmed)

    def _show_density(self, message: Warmed) -> None:
        self.timeline_pane.density = (tuple(message.density), message.first, message.last,
                                      message.bucket)

    @property
    def articles_pane(self) -> ArticlesPane:
        return self.query_one("#articles-pane", ArticlesPane)

    @property
    def entities_pane(self) -> EntitiesPane:
        return self.query_one("#entities-pane", EntitiesPane)

    @property
    def timeline_pane(self) -> TimelinePane:
        return self.query_one("#timeline-pane", TimelinePane)

    @property
    def articles(self) -> ArticleList:
        return self.query_one("#articles", ArticleList)

    @property
    def entities(self) -> EntityList:
        return self.query_one("#entities", EntityList)

    @property
    def events(self) -> EventList:
        return self.query_one("#events", EventList)

    @property
    def reader(self) -> Reader:
        return self.query_one("#reader", Reader)

    @property
    def inspector(self) -> Inspector:
        return self.query_one("#inspector", Inspector)

    def _show_status(self) -> None:
        """The file, the analyst, and READ-ONLY when changes are not allowed."""
        status = Text()
        status.append(f" {safe_line(self.store.path)} ", style="bold")
        status.append(f" analyst: {safe_line(self.analyst)} ", style="dim")
        if self.store.readonly:
            status.append(" READ-ONLY: changes are not allowed ", style="bold reverse")
        self.query_one("#status", Static).update(status)

    # ------------------------------------------------------------- focus and navigation

    @on(LazyList.Highlighted)
    def highlighted(self, event: LazyList.Highlighted) -> None:
        widget = event.lazy_list
        if isinstance(widget, ItemList) and event.row is not None and widget.has_focus:
            # The cursor's frame first; the inspector follows once the cursor rests (50 ms),
            # so holding j scrolls at full speed instead of describing every row passed.
            self._inspect_next = (widget.kind, event.row.id)
            if self._inspect_timer is not None:
                self._inspect_timer.stop()
            self._inspect_timer = self.set_timer(0.05, self._inspect_pending)

    def _inspect_pending(self) -> None:
        self._inspect_timer = None
        # (The app may be closing: a list reloaded just before then has no inspector left.)
        if self._inspect_next is not None and self.is_attached and \
                self.query("#inspector"):
            self.inspector.show(*self._inspect_next)
            self._inspect_next = None

    def on_descendant_focus(self, event: Any) -> None:
        widget = event.widget if hasattr(event, "widget") else None
        if widget is None or widget.screen is not self:
            return
        pane = self.pane_of(widget)
        if pane is not None and pane != self.current_pane:
            self._show_pane(pane)
        if isinstance(widget, ItemList) and widget.current is not None:
            self.inspector.show(widget.kind, widget.current.id)

    # ------------------------------------------------------------- panes (and the narrow screen)

    @property
    def narrow(self) -> bool:
        """True when the terminal is too small for five panes: one is shown at a time."""
        return self.has_class("-narrow") or self.has_class("-short")

    def _apply_breakpoints(self) -> None:
        """Size classes before the first paint (the screen sets them again on each resize):
        a small terminal must not flash the five-pane layout first."""
        width, height = self.app.size
        for breakpoints, value in ((self.HORIZONTAL_BREAKPOINTS, width),
                                   (self.VERTICAL_BREAKPOINTS, height)):
            active = [name for limit, name in breakpoints or [] if value >= limit][-1:]
            for _, name in breakpoints or []:
                self.set_class(name in active, name)

    def pane_of(self, widget: Widget) -> str | None:
        """The id of the pane a widget is in."""
        ids = {pane_id for pane_id, _, _ in PANES}
        for node in widget.ancestors_with_self:
            if node.id in ids:
                return node.id
        return None

    def _show_pane(self, pane_id: str) -> None:
        """Make `pane_id` the current pane: the one shown when the screen is narrow."""
        self.current_pane = pane_id
        if pane_id in LIST_PANES:
            self._last_list_pane = pane_id
        for other, _, _ in PANES:
            pane = self.query_one(f"#{other}")
            pane.set_class(other == pane_id, "-current")
        shown = self.query_one(f"#{pane_id}")
        for row in ("#top", "#bottom"):
            container = self.query_one(row)
            container.set_class(shown.parent is container, "-current")
        self._draw_panebar()

    def _draw_panebar(self) -> None:
        self.query_one(PaneBar).show([(p, name) for p, name, _ in PANES], self.current_pane)

    @on(PaneBar.Chosen)
    def pane_chosen(self, message: PaneBar.Chosen) -> None:
        self.go_to_pane(message.pane_id)

    def go_to_pane(self, pane_id: str) -> None:
        """Show a pane (narrow screen) and focus it."""
        self._show_pane(pane_id)
        target = next(w for p, _, w in PANES if p == pane_id)
        self.query_one(f"#{target}").focus()

    def step_pane(self, step: int) -> None:
        order = [p for p, _, _ in PANES]
        here = order.index(self.current_pane) if self.current_pane in order else 0
        self.go_to_pane(order[(here + step) % len(order)])

    def action_pane(self, pane_id: str) -> None:
        """Go to a pane by its id (from the command palette)."""
        self.go_to_pane(pane_id)

    def _theme_changed(self, theme: Theme) -> None:
        """Entity colours come from the theme: draw what holds them again (the file has not
        changed: the article's mentions are not read again)."""
        self.reader.redraw(reload=False)
        for widget in (self.articles, self.entities, self.events):
            widget.refresh()

    @on(LazyList.Chosen)
    def chosen(self, event: LazyList.Chosen) -> None:
        row = event.row
        if isinstance(event.lazy_list, ArticleList):
            self.open_article(row.id)
            if self.narrow:
                self.go_to_pane("reader")
        elif isinstance(event.lazy_list, EntityList):
            self.inspector.show("entity", row.id)
            mention = self.store.next_mention(row.id, 0, -1, 1)
            if mention is not None:
                self.reader.show(mention.article_id, mention.id)
            if self.narrow:
                self.go_to_pane("inspector")
        elif isinstance(event.lazy_list, EventList):
            self.inspector.show("event", row.id)
            if row.article_id is not None:
                self.reader.show(row.article_id)
            if self.narrow:
                self.go_to_pane("inspector")

    def open_article(self, article_id: int, mention_id: int | None = None) -> None:
        self.reader.show(article_id, mention_id)
        self.inspector.show("article", article_id)
        self.entities_pane.show_article(article_id)

    @on(Inspector.Follow)
    def follow(self, event: Inspector.Follow) -> None:
        if event.kind == "article":
            self.open_article(event.item_id)
            if self.narrow:
                self.go_to_pane("reader")
        else:
            self.inspector.show(event.kind, event.item_id)

    @on(Reader.SpanChosen)
    def span_chosen(self, event: Reader.SpanChosen) -> None:
        self.mark_mention(event.article_id, event.start, event.end)

    @on(Reader.MentionFocused)
    def mention_focused(self, event: Reader.MentionFocused) -> None:
        if event.entity is not None and event.entity.id is not None:
            self.inspector.show("entity", event.entity.id)
            if event.opened and self.narrow:
                self.go_to_pane("inspector")

    def focused_item(self) -> tuple[str, int] | None:
        widget = self.focused
        if isinstance(widget, ItemList):
            row = widget.current
            return None if row is None else (widget.kind, row.id)
        if isinstance(widget, Reader):
            if widget.selection is not None and widget.article is not None:
                return ("article", widget.article.id)
            entity = widget.current_entity
            if entity is not None and entity.id is not None:
                return ("entity", entity.id)
            if widget.article is not None and widget.article.id is not None:
                return ("article", widget.article.id)
        if isinstance(widget, Inspector) and widget.item:
            link = widget.selected_link
            return ("link", link.id) if link is not None else widget.item
        return None

    def focused_entity(self) -> int | None:
        item = self.focused_item()
        if item and item[0] == "entity":
            return item[1]
        if self.inspector.item and self.inspector.item[0] == "entity":
            return self.inspector.item[1]
        return None

    def action_mention(self, step: int) -> None:
        entity_id = self.focused_entity()
        if entity_id is None:
            self.notify("focus an entity first (Entities pane, or [ ] in the Reader)", markup=False)
            return
        reader = self.reader
        article_id, start = 0, -1
        if reader.article is not None and reader.article.id is not None:
            article_id = reader.article.id
            current = reader.current_mention
            start = current.start if current is not None else (-1 if step > 0 else 10**9)
        mention = self.store.next_mention(entity_id, article_id, start, step)
        if mention is None:
            self.notify("this entity has no mentions", markup=False)
            return
        self.reader.show(mention.article_id, mention.id)
        self.inspector.show("entity", entity_id)
        if self.narrow and self.current_pane != "reader":
            self.go_to_pane("reader")

    def action_zoom(self) -> None:
        if self.maximized is not None:
            self.minimize()
        elif self.focused is not None:
            pane = self.focused
            while pane is not None and "pane" not in pane.classes and pane.parent is not None:
                pane = pane.parent
            # The pane itself, border and title, whatever widget in it has the focus.
            self.maximize(pane if pane is not None else self.focused, container=False)

    def action_back(self) -> None:
        """Back one step: the zoom, the search box, the small screen's Reader or Inspector,
        the search, the focused list's filter."""
        if self.maximized is not None:
            self.minimize()
            return
        if self.articles_pane.close_search():
            return
        if self.narrow and self.current_pane not in LIST_PANES:
            self.go_to_pane(self._last_list_pane)
            return
        if self.articles_pane.query:
            self.articles_pane.query = ""  # the pane leaves the search and retitles
            return
        widget = self.focused
        pane_id = self.pane_of(widget) if isinstance(widget, ItemList) else None
        if pane_id in LIST_PANES and self.query_one(f"#{pane_id}", ListPane).clear_filter():
            self.notify("filter cleared", timeout=2, markup=False)

    # ------------------------------------------------------------- search and the story

    def action_search(self) -> None:
        if isinstance(self.focused, EntityList):  # type-to-find by name in the Entities pane
            self.entities.finding = True
            self.entities_pane.retitle()
            return
        self._show_pane("articles-pane")
        self.articles_pane.open_search()

    @on(ArticlesPane.StoryChanged)
    def _story_changed(self) -> None:
        """The Articles filter or search changed: Entities and Timeline follow when told
        (their `scope` is reactive: an equal scope reloads nothing)."""
        story = self.articles.story() if self.follow_story else Scope()
        self.entities_pane.scope = story
        self.timeline_pane.scope = story

    def watch_follow_story(self) -> None:
        self._story_changed()

    def action_follow_story(self) -> None:
        self.follow_story = not self.follow_story
        self.notify("Entities and Timeline follow the Articles filter" if self.follow_story
                    else "Entities and Timeline show the whole dossier", timeout=2,
                    markup=False)

    def action_pile(self) -> None:
        """Open or close the near-duplicate pile under the Articles cursor (issue 17)."""
        if self.focused is not self.articles:
            return
        if not self.articles.toggle_pile():
            self.notify("not a near-duplicate pile (no +N on this row)", timeout=3)

    # ------------------------------------------------------------- tagging

    def on_key(self, event: Any) -> None:
        """A tag's own key toggles it on the focused item (or the marked rows); a key whose
        action writes says why it does nothing on a read-only dossier."""
        if self.store.readonly and self._refused_write(event.key):
            event.stop()
            event.prevent_default()
            self._say_read_only()
            return
        widget = self.focused
        if not isinstance(widget, ItemList | Reader | Inspector) or not event.character \
                or event.character not in self.tagsets.keys():
            return
        event.stop()
        event.prevent_default()
        # Typed ahead, each key must act where the key before it left the cursor. Textual
        # runs a key's binding (j, g, escape, tab) once the key has bubbled back up to the
        # app, and this handler sees the keys typed after it before that: "g" then ten "1"s
        # in one burst moved the cursor to the top after some of the tags, and the next tags
        # toggled off what had just been tagged. So the tag waits its turn on the app's
        # queue, behind the bindings of the keys typed before it.
        self.app.call_later(self._tag_key, event.key, event.character)

    def _tag_key(self, key: str, character: str) -> None:
        """A tag hotkey, in its turn: on the focused item (or the marked rows) as the keys
        before it left them; theirs when they opened a dialog or went to a text box."""
        screen, widget = self.app.screen, self.focused
        if screen is not self or not isinstance(widget, ItemList | Reader | Inspector):
            # `t` then `1` typed at once: the tag picker is up by now and `1` is its key
            # (the tag of that key, on what the picker is for); `/` then `1987`: the search
            # box has the focus and the `1` is text. The key goes where the analyst is.
            # Delivered as the app delivers a key (`App.on_event`): to the focus, forwarded.
            (screen.focused or screen)._forward_event(events.Key(key, character))
            return
        candidates: list[list[tuple[str, int]]] = []
        if isinstance(widget, ItemList):
            candidates.append(widget.targets())
            if not candidates[0] and widget.pending(widget.cursor):
                self.notify("that row is still being read: the key did nothing", timeout=2,
                            markup=False)
                return
        elif isinstance(widget, Inspector):
            item = self.focused_item()
            candidates.append([item] if item else [])
        elif isinstance(widget, Reader):
            # The reader: the entity of the mention under the cursor if the key is one of an
            # entity's tags, else the article (triage keys work while reading).
            entity = widget.current_entity
            if entity is not None and entity.id is not None and widget.selection is None:
                candidates.append([("entity", entity.id)])
            if widget.article is not None and widget.article.id is not None:
                candidates.append([("article", widget.article.id)])
        for targets in candidates:
            if not targets:
                continue
            hit = self.tagsets.tag_for_key(targets[0][0], character)
            if hit is not None:
                self.apply_tag(targets, hit[0], hit[1].name, advance=True)
                return

    def apply_tag(self, targets: list[tuple[str, int]], tagset: TagSet, tag: str, *,
                  advance: bool = False) -> None:
        """Toggle a tag on the targets: one short committed write, then the chips; with
        `advance` and a set that says `advance: true` (triage), on to the next article."""
        if not targets or not self.writable():
            return
        step = self._advance_plan(targets) if advance and tagset.advance else None
        try:
            if len(targets) > 1:
                # The marked rows: one change, one journal batch that one `u` takes back.
                changed = self.store.tag_many(
                    self.analyst, targets[0][0], [i for _, i in targets], tagset.name, tag,
                    exclusive=tagset.exclusive, mode="toggle")
                result = f"changed on {changed} of" if changed else "unchanged on"
            else:
                result = self.store.set_tag(self.analyst, targets, tagset.name, tag,
                                            exclusive=tagset.exclusive)
        except (ReadOnlyError, GoneError) as exc:
            self.notify(str(exc), severity="warning", markup=False)
            self.after_change()  # what is gone leaves the screen
            return
        except store_errors() as exc:  # locked too long, a full disk: said, and nothing shown
            self.store_failed(exc)
            return
        if len(targets) > 1 or result == "unchanged":
            # One item's tag shows as a chip in its row at once; several need saying.
            self.notify(f"{tagset.name}: {tag} {result} {len(targets)} items"
                        if len(targets) > 1 else f"{tagset.name}: {tag} {result}",
                        markup=False, timeout=2)
        lists = {"article": self.articles, "entity": self.entities, "event": self.events}
        for widget in lists.values():
            widget.clear_marks()
        # A tag changes one list's rows and the chips around: not the other lists, not counts
        # of mentions, not the article's body (on a big dossier those cost more than a frame).
        widget = lists.get(targets[0][0])
        if widget is not None and not widget.tag_may_hide_rows():
            # No filter can hide or show a row: the rows are the same, only their chips
            # (the one row's, re-read and repainted alone when the list can).
            if not widget.retag(targets):
                widget.reload(keep_cursor=True, recount=False)
            self.call_after_refresh(self._redraw_around, False)
        else:
            self.after_change([widget] if widget is not None else [], body=False)
        if step is not None:
            self._advance(*step)

    def _advance_plan(self, targets: list[tuple[str, int]]) -> tuple[int, int | None] | None:
        """Before a triage tag: (the tagged row's index, the id of the row after it), when the
        tag is on the one article under the Articles cursor (from the list or the reader)."""
        if len(targets) != 1 or targets[0][0] != "article":
            return None
        articles = self.articles
        row = articles.current
        if row is None or row.id != targets[0][1]:
            return None
        after = articles.row_at(articles.cursor + 1)
        return articles.cursor, None if after is None else after.id

    def _advance(self, index: int, next_id: int | None) -> None:
        """After a triage tag: the cursor on the article that came after the tagged one (a
        filter such as "nothing from triage yet" may have taken the tagged row away), and
        the reader on it when the reader showed the tagged article."""
        articles = self.articles
        if next_id is None and articles.pending(index + 1):
            articles.move_to(index + 1)  # a page still being read: its row shows when in
            return
        if next_id is None:
            self.notify("the last article of the list", markup=False, timeout=2)
            return
        for candidate in (index, index + 1):
            row = articles.row_at(candidate)
            if row is not None and row.id == next_id:
                articles.move_to(candidate)
                if isinstance(self.focused, Reader) and self.reader.article is not None:
                    # Reading: the next article is the answer to the key (and the target of
                    # the next one), so it is in this frame.
                    self.open_article(next_id)
                elif self.reader.article is not None and not self.narrow:
                    # From the list: the chip and the cursor are the answer; the reader, the
                    # inspector and the entities of the article follow a frame later (a body
                    # laid out costs more than a frame on a long article).
                    self.call_after_refresh(self._open_if_current, next_id)
                return

    def _open_if_current(self, article_id: int) -> None:
        """Open an article in the reader if the Articles cursor is still on it."""
        row = self.articles.current
        if row is not None and row.id == article_id:
            self.open_article(article_id)

    def after_change(self, lists: list[LazyList] | None = None, *, body: bool = True) -> None:
        """Show the file as it now is: the lists (all unless told), reader, inspector."""
        for widget in lists if lists is not None else (self.articles, self.entities,
                                                        self.events):
            widget.reload(keep_cursor=True)
        if body:
            self._redraw_around(body)
        else:
            # A tag: the row's chip is the answer to the key and goes in the next frame; the
            # reader's and inspector's relayout follow in the frame after.
            self.call_after_refresh(self._redraw_around, body)
        if lists is None:
            self.recount_density()

    def _redraw_around(self, body: bool) -> None:
        self.reader.redraw(header_only=not body)
        self.inspector.redraw()

    def action_next_untagged(self) -> None:
        """The triage queue: from the cursor down, the next article with no tag of the first
        exclusive set (the Articles pane walks its list)."""
        exclusive = [s for s in self.tagsets.sets_for("article") if s.exclusive]
        if not exclusive:
            self.notify("no exclusive tag set for articles to triage with", markup=False)
            return
        self.articles_pane.next_untagged(exclusive[0].name)

    @on(ArticlesPane.Untagged)
    def _untagged_found(self, message: ArticlesPane.Untagged) -> None:
        self.open_article(message.article_id)

    def action_review(self) -> None:
        from dossier.tui.screens.review import ReviewScreen

        self.app.push_screen(ReviewScreen(self.store, self.analyst))

    def action_entity_scope(self) -> None:
        reading = self.reader.article
        self.entities_pane.toggle_whole(None if reading is None else reading.id)

    def action_entity_sort(self) -> None:
        self.entities_pane.toggle_order()
