"""The Dossier app: what outlives a screen (the store, themes, keymap, notices, long work).

The panes and the analyst's actions live in `MainScreen` (`dossier.tui.screens.main`),
returned by `get_default_screen` as Posting does; dialogs are screens pushed above it.
"""

from __future__ import annotations

import time
from typing import Any

from textual import events, on, work
from textual.app import App
from textual.binding import Binding
from textual.widget import Widget
from textual.worker import Worker, WorkerState

from dossier import keys
from dossier.model import Scope
from dossier.safetext import safe_line, safe_text
from dossier.store import ReadOnlyError, Store, problem_text, store_errors
from dossier.tagsets import TagConfig
from dossier.tui.commands import Command, DossierCommands
from dossier.tui.inert import InertFilter
from dossier.tui.messages import WorkerFailed
from dossier.tui.pacing import EVERY_S, QuietCollector
from dossier.tui.screens.dialogs import HelpScreen
from dossier.tui.screens.main import PANES, MainScreen
from dossier.tui.themes import DEFAULT_THEME, ENTITY_DEFAULTS, load_themes
from dossier.tui.widgets.lazylist import LazyList
from dossier.tui.widgets.listpanes import describe_filter
from dossier.tui.widgets.panes import Inspector, Reader

__all__ = ["DossierApp", "MainScreen", "describe_filter"]

# What each worker group does, for the notice when one fails.
WORKER_WORK = {
    "warm-up": "counting mentions", "density": "the timeline's density strip",
    "search": "search", "untagged": "looking for an untagged article", "export": "export",
    "merge": "merge", "inspector": "the inspector", "connections": "connections",
    "picker": "the picker's search", "review": "the review queue",
    "edit-flow": "the dialog",
}


class DossierApp(App[None]):
    """Read, tag, link and correct a dossier."""

    CSS_PATH = "app.tcss"
    TITLE = "Dossier"
    COMMANDS = App.COMMANDS | {DossierCommands}
    # Below 100 columns or 28 rows the five panes do not fit side by side (see MainScreen).
    HORIZONTAL_BREAKPOINTS = MainScreen.HORIZONTAL_BREAKPOINTS
    VERTICAL_BREAKPOINTS = MainScreen.VERTICAL_BREAKPOINTS

    def __init__(self, store: Store, *, tagsets: TagConfig | None = None,
                 analyst: str = "analyst", theme: str | None = None,
                 themes_folder: Any = None) -> None:
        super().__init__()
        self.store = store
        self.tagsets = tagsets or TagConfig()
        self.analyst = analyst
        self.requested_theme = theme
        self.themes_folder = themes_folder
        self.long_work: str | None = None  # "merge" while one runs (undo waits for it)
        self.inert_filter = InertFilter()
        self.main_screen = MainScreen(self.store, self.tagsets, self.analyst)
        # Held from `on_load` (no sweep in the first frame), started by the screen once the
        # dossier is open (`MainScreen._warmed`).
        self.collector = QuietCollector()

    def get_default_screen(self) -> MainScreen:
        return self.main_screen

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return dict(ENTITY_DEFAULTS)

    def get_line_filters(self) -> list[Any]:
        """Textual's filters, then the last door to the terminal (`dossier.tui.inert`)."""
        extra = [self.inert_filter] if self.inert_filter.enabled else []
        return [*super().get_line_filters(), *extra]

    def notify(self, message: str, *, title: str = "", severity: Any = "information",
               timeout: float | None = None, markup: bool = False) -> None:
        """Every notice may quote the file (a name, a tag, a conflict): shown as inert text,
        never as markup, wherever it was raised."""
        super().notify(safe_text(message), title=safe_line(title), severity=severity,
                       timeout=timeout, markup=False)

    def on_load(self) -> None:
        self.collector.hold()  # no full sweep inside the first frame (dossier.tui.pacing)

    def on_mount(self) -> None:
        themes, problems = load_themes(self.themes_folder)
        for theme in themes:
            self.register_theme(theme)
        # Said at start-up, while the dossier loads: long enough to be read (and they pile up
        # when a folder holds several bad files).
        for problem in problems:
            self.notify(problem, title="Theme not loaded", severity="warning", markup=False,
                        timeout=15)
        wanted = self.requested_theme or DEFAULT_THEME
        if wanted in self.available_themes:
            self.theme = wanted
        else:
            fallback = DEFAULT_THEME if DEFAULT_THEME in self.available_themes \
                else "textual-dark"
            self.notify(f"no theme named {safe_line(wanted)}; using {fallback}",
                        severity="warning", markup=False, timeout=15)
            self.theme = fallback
        if self.tagsets.keymap:  # the user's own keys (a tag-set file's `keymap:`)
            self.set_keymap(self.tagsets.keymap)
        self.set_interval(EVERY_S, self.collector.tick, name="collector")

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.InputEvent):
            self.collector.saw_input()  # the collector waits for a pause (dossier.tui.pacing)
        await super().on_event(event)

    def on_unmount(self) -> None:
        self.collector.stop()
        self.store.close_readers()

    # ------------------------------------------------------------- workers

    @on(Worker.StateChanged)
    def _worker_state(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            self._worker_failed(event.worker)

    @on(WorkerFailed)
    def _widget_worker_failed(self, message: WorkerFailed) -> None:
        self._worker_failed(message.worker)

    def _worker_failed(self, worker: Worker) -> None:
        """Every worker that fails says so: nothing vanishes, no pane waits for ever."""
        what = WORKER_WORK.get(worker.group, worker.group or worker.name or "work")
        error = worker.error
        reason = "unknown error" if error is None else safe_line(
            problem_text(error) if isinstance(error, store_errors()) else str(error))
        self.notify(f"{what} failed: {reason}", title="Something failed", severity="error",
                    markup=False, timeout=8)

    @work(thread=True, exclusive=True, exit_on_error=False, group="export")
    def run_export(self, fmt: str, path: str, scope: Scope | None = None) -> None:
        """Write an export on a connection of its own (it may outlive the dialog), saying
        how far it is at most once a second."""
        from dossier.export import ExportError, Selection, export

        selection = Selection() if scope is None or scope.is_empty() else \
            Selection.from_scope(scope)
        last = [time.monotonic()]

        def progress(done: int, total: int) -> None:
            if done >= total or time.monotonic() - last[0] < 1.0:
                return
            last[0] = time.monotonic()
            self.call_from_thread(self.notify, f"exporting {fmt}: {done}/{total}",
                                  timeout=1.5, markup=False)

        try:
            with self.store.reading() as store:  # one snapshot, on a connection of its own
                export(store, fmt, path, selection, progress)
        except ExportError as exc:
            self.call_from_thread(self.notify, str(exc), title="Export failed",
                                  severity="error", markup=False)
            return
        self.call_from_thread(self.notify, f"exported {fmt} to {path}", title="Export",
                              markup=False)

    @work(thread=True, exclusive=True, exit_on_error=False, group="merge")
    def run_merge(self, source_ids: list[int], target_id: int) -> None:
        """Merge on a connection of its own, in short steps: keys pressed meanwhile (a tag)
        are committed between two steps and drawn at once; undo waits for the end. Several
        sources: one merge after another, each its own journal batch (one `u` each)."""
        last = [time.monotonic()]
        many = len(source_ids) > 1

        def progress(done: int, total: int) -> None:
            # Called between two steps, never inside a transaction; a notice a second at most.
            if done < total and time.monotonic() - last[0] < 1.0:
                return
            last[0] = time.monotonic()
            self.call_from_thread(self.notify, f"merging: {done}/{total} mentions",
                                  timeout=1.5, markup=False)

        moved = merged = 0
        problem = None
        try:
            with self.store.writing() as writer:
                for source_id in source_ids:
                    try:
                        moved += writer.merge_entities(self.analyst, source_id, target_id,
                                                       progress)
                    except (ValueError, KeyError) as exc:  # gone meanwhile: the next one
                        problem = exc
                        if not many:
                            raise
                        continue
                    merged += 1
                    if many:
                        self.call_from_thread(
                            self.notify, f"merging: {merged} of {len(source_ids)} entities",
                            timeout=1.5, markup=False)
        except (ReadOnlyError, ValueError, KeyError) as exc:
            self.call_from_thread(self.notify, str(exc), severity="warning", markup=False)
            return
        finally:
            self.long_work = None
            self.call_from_thread(self.main_screen.after_change)
        if not many:
            self.call_from_thread(self.notify, f"merged: {moved} mentions moved", markup=False)
            return
        said = (f"merged {merged} of {len(source_ids)} entities: {moved} mentions moved "
                "(u takes back one merge at a time)")
        if problem is not None:
            said += f"; not merged: {problem}"
        self.call_from_thread(self.notify, said, markup=False,
                              severity="warning" if problem else "information")

    # ------------------------------------------------------------- focus across panes

    def action_focus_next(self) -> None:
        if self.screen is self.main_screen and self.main_screen.narrow:
            self.main_screen.step_pane(1)
        else:
            super().action_focus_next()

    def action_focus_previous(self) -> None:
        if self.screen is self.main_screen and self.main_screen.narrow:
            self.main_screen.step_pane(-1)
        else:
            super().action_focus_previous()

    # ------------------------------------------------------------- help, palette

    def key_help(self) -> list[tuple[str, list[tuple[str, str]]]]:
        """Every key and what it does, by where it works, for the help screen: from the one
        list of keys (dossier/keys.py), as the user's keymap has them."""
        keymap = dict(getattr(self, "_keymap", {}) or {})

        def rows(where: str) -> list[tuple[str, str]]:
            return [(keys.shown(keymap.get(k.id, k.keys)), k.tooltip)
                    for k in keys.keys_for(where)]

        everywhere = rows(keys.APP) + [
            ("tab  shift+tab", "Next / previous pane (below 100x28 one pane shows at a time; "
                               "the bar at the top names them)"),
            ("ctrl+p", "Command palette: every action, the panes, the themes")]
        return [(keys.WHERE[keys.APP], everywhere),
                *((keys.WHERE[where], rows(where))
                  for where in (keys.LIST, keys.READER, keys.INSPECTOR, keys.HELP))]

    def action_help(self) -> None:
        self.push_screen(HelpScreen(self.key_help(), self.tagsets))

    def palette_commands(self) -> list[Command]:
        """What the command palette offers: every action, each pane, each theme."""
        main = self.main_screen
        commands: list[Command] = []
        for binding in main.BINDINGS:
            assert isinstance(binding, Binding)
            if main.check_action(binding.action.split("(")[0], ()) is False:
                continue  # off (a read-only dossier): not offered
            commands.append((binding.description, f"{binding.tooltip}  ({_key(binding)})",
                             lambda action=binding.action: main.run_action(action)))
        for pane_id, name, _ in PANES:
            commands.append((f"Go to {name}", f"Show and focus the {name} pane",
                             lambda pane_id=pane_id: main.go_to_pane(pane_id)))
        reader, inspector = main.reader, main.inspector
        for binding in Reader.BINDINGS:
            assert isinstance(binding, Binding)
            if binding.action.split("(")[0] in ("mention", "open_entity", "select"):
                commands.append((f"Reader: {binding.description}",
                                 f"{binding.tooltip}  ({_key(binding)})",
                                 lambda action=binding.action: self._in(reader, action)))
        for binding in Inspector.BINDINGS:
            assert isinstance(binding, Binding)
            commands.append((f"Inspector: {binding.description}",
                             f"{binding.tooltip}  ({_key(binding)})",
                             lambda action=binding.action: self._in(inspector, action)))
        for binding in LazyList.BINDINGS:
            assert isinstance(binding, Binding)
            commands.append((f"List: {binding.description}",
                             f"{binding.tooltip}, in the list you were in  ({_key(binding)})",
                             lambda action=binding.action: self._in_list(action)))
        for view in self.store.list_views(self.analyst):
            commands.append((f"View: {view.name}", "Recall this named view (filter, search, "
                             "order)", lambda name=view.name: main.recall_view(name)))
        for name in sorted(self.available_themes):
            if name.startswith("dossier-") or name == self.requested_theme:
                commands.append((f"Theme: {name}", "Switch to this theme",
                                 lambda name=name: setattr(self, "theme", name)))
        return commands

    def _in(self, widget: Widget, action: str) -> None:
        """Focus a pane, then run one of its own actions there."""
        main = self.main_screen
        main.go_to_pane(main.pane_of(widget) or "articles-pane")
        self.call_later(widget.run_action, action)

    def _in_list(self, action: str) -> None:
        """Run a list action in the list pane last used."""
        main = self.main_screen
        target = next(w for p, _, w in PANES if p == main._last_list_pane)
        self._in(main.query_one(f"#{target}"), action)


def _key(binding: Binding) -> str:
    """A binding's keys as the help screen shows them."""
    names = {"question_mark": "?", "slash": "/", "left_square_bracket": "[",
             "right_square_bracket": "]", "equals_sign": "="}
    return "  ".join(names.get(k.strip(), k.strip()) for k in binding.key.split(","))
