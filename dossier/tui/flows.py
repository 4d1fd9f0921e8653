"""Tag, filter, named views and export, from the keyboard: the main screen's reading-room flows.

As the link and correction flows (`dossier.tui.corrections`), each is a straight line in one
worker that awaits its dialogs and ends with a small edit dataclass (`TagEdit`, `ScopeEdit`,
`FilterEdit`, `ViewEdit`, `SaveViewEdit`, `ExportEdit`); the one `apply(edit)` sends it on:
a tag to `apply_tag`, a filter or a view to the pane's reactive state (the pane reloads and
retitles), a view to save to the store, an export to the app's long work. Escape at any step
ends the flow with nothing changed.

A flow's first dialog is shown at the key, before its worker starts (`start_flow`): a key
typed right after (a tag's own key in the tag picker, enter on a format) reaches the dialog,
never the list behind it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from rich.text import Text

from dossier.model import Scope, ScopeError, TagFilter
from dossier.safetext import safe_line
from dossier.store import store_errors
from dossier.tagsets import TagSet
from dossier.tui.screens.dialogs import HEADING, Choice, TextPrompt, reads_with
from dossier.tui.widgets.listpanes import ARTICLE_ORDER, View
from dossier.tui.widgets.panes import ItemList

KINDS = {"article": "articles", "entity": "entities", "event": "events", "link": "links"}


@dataclass(frozen=True)
class TagEdit:
    """A tag chosen in the picker, for the items it was opened on."""

    targets: tuple[tuple[str, int], ...]
    tagset: TagSet
    tag: str


@dataclass(frozen=True)
class ScopeEdit:
    """The Articles filter (the story's scope) as it is to be."""

    scope: Scope


@dataclass(frozen=True)
class FilterEdit:
    """The tag filter of the Entities or Timeline pane as it is to be."""

    pane_id: str
    tag_filter: TagFilter


@dataclass(frozen=True)
class ViewEdit:
    """A named view to show: the Articles pane takes its filter, search and order."""

    name: str
    view: View


@dataclass(frozen=True)
class SaveViewEdit:
    """The Articles pane's filter, search and order, to keep under a name."""

    name: str
    view: View


@dataclass(frozen=True)
class ExportEdit:
    """An export to write: the format, the path, the articles (None: the whole dossier)."""

    fmt: str
    path: str
    scope: Scope | None


RoomEdit = TagEdit | ScopeEdit | FilterEdit | ViewEdit | SaveViewEdit | ExportEdit


def date_span(text: str) -> dict[str, str | None]:
    """`Jan 1987..Mar 1987`, `1987`, `..1987-03`, `1987-01..` -> date_from, date_to (ISO
    prefixes); one date is that span alone; empty is any date. ValueError says why."""
    from dossier.typed_dates import parse_typed_date

    text = text.strip()
    if not text:
        return {"date_from": None, "date_to": None}
    if ".." in text:
        first, _, second = text.partition("..")
    else:
        first = second = text
    bounds = [parse_typed_date(part)[0] if part.strip() else None for part in (first, second)]
    return {"date_from": bounds[0], "date_to": bounds[1]}


def _toggled(items: tuple[Any, ...] | list[Any], item: Any) -> list[Any]:
    """`items` with `item` taken out if it was in, else added at the end."""
    out = list(items)
    out.remove(item) if item in out else out.append(item)
    return out


class RoomFlowsMixin:
    """The main screen's tag, filter, views and export flows; mixed into `MainScreen`
    before `CorrectionsMixin`, whose `run_flow`, `ask` and `confirm` they use."""

    # Provided by MainScreen and CorrectionsMixin.
    app: Any
    store: Any
    analyst: str
    tagsets: Any
    focused: Any
    articles: Any
    articles_pane: Any
    notify: Any
    run_flow: Any
    ask: Any
    confirm: Any
    writable: Any
    store_failed: Any
    apply_tag: Any
    focused_item: Any
    query_one: Any

    # ------------------------------------------------------------- flows

    def start_flow(self, first: Any, then: Callable[[Any], Awaitable[RoomEdit | None]]
                   ) -> None:
        """Show the first dialog now, then run the rest of the flow on its answer in a
        worker (None, escaped: the flow ends there)."""
        answer: asyncio.Future[Any] = asyncio.get_running_loop().create_future()

        def answered(value: Any) -> None:
            if not answer.done():
                answer.set_result(value)

        self.app.push_screen(first, answered)

        async def flow() -> RoomEdit | None:
            value = await answer
            return None if value is None else await then(value)

        self.run_flow(flow)

    def apply(self, edit: Any) -> bool:
        """Send one edit on (the link and correction edits to `CorrectionsMixin.apply`)."""
        if isinstance(edit, TagEdit):
            self.apply_tag(list(edit.targets), edit.tagset, edit.tag)
            return True
        if isinstance(edit, ScopeEdit):
            self.articles_pane.scope = edit.scope  # the pane reloads and retitles
            return True
        if isinstance(edit, FilterEdit):
            self.query_one(f"#{edit.pane_id}").tag_filter = edit.tag_filter
            return True
        if isinstance(edit, ViewEdit):
            self.articles_pane.show_view(edit.view)
            self.notify(f"view: {safe_line(edit.name)}", timeout=2, markup=False)
            return True
        if isinstance(edit, SaveViewEdit):
            return self._save_view(edit)
        if isinstance(edit, ExportEdit):
            self.app.run_export(edit.fmt, edit.path, edit.scope)
            return True
        return super().apply(edit)  # type: ignore[misc,no-any-return]

    # ------------------------------------------------------------- tag

    def action_tag(self) -> None:
        widget = self.focused
        if isinstance(widget, ItemList):
            targets = widget.targets()
        else:
            item = self.focused_item()
            targets = [item] if item else []
        if not targets:
            self.notify("nothing to tag here", markup=False)
            return
        kind = targets[0][0]
        present = {(t.tagset, t.tag) for t in self.store.tags_for(*targets[0])}
        options: list[tuple[Any, Text]] = []
        for tagset in self.tagsets.sets_for(kind):
            heading = Text(safe_line(tagset.name), style="bold")
            if tagset.exclusive:
                heading.append("  one of the set", style="dim italic")
            options.append((HEADING, heading))
            for tag in tagset.tags:
                label = Text(f"{safe_line(tag.key) or ' '}  ", style="bold")
                label.append(safe_line(tag.name), style=tag.color or "")
                if tag.description:
                    label.append(f"  {safe_line(tag.description)}", style="dim")
                options.append(((tagset, tag.name), label))
        if not options:
            self.notify(f"no tag set applies to {KINDS[kind]}", markup=False)
            return
        selected = {v for v, _ in options
                    if v is not HEADING and (v[0].name, v[1]) in present}
        count = f"{len(targets)} {KINDS[kind]}" if len(targets) > 1 else f"this {kind}"
        hotkeys = {tag.key: (tagset, tag.name) for tagset in self.tagsets.sets_for(kind)
                   for tag in tagset.tags if tag.key}
        self.start_flow(Choice(f"Tag {count}", options, selected=selected, hotkeys=hotkeys),
                        lambda chosen: self.tag_flow(targets, chosen))

    async def tag_flow(self, targets: list[tuple[str, int]], chosen: tuple[TagSet, str]
                       ) -> TagEdit:
        """The tag chosen (by its line or its own key), for the items the picker was on."""
        return TagEdit(tuple(targets), chosen[0], chosen[1])

    # ------------------------------------------------------------- filter

    def _tag_options(self, kind: str, heading: str, untagged: Any, chosen: Any
                     ) -> tuple[list[tuple[Any, Text]], set[Any]]:
        """The filter dialog's choices for a kind: per tag set, "nothing from it yet" and
        each tag; and those already chosen."""
        options: list[tuple[Any, Text]] = [(("clear",), Text("no filter: show everything"))]
        selected: set[Any] = set()
        for tagset in self.tagsets.sets_for(kind):
            options.append((HEADING, Text(safe_line(tagset.name) + heading, style="bold")))
            options.append((("untagged", tagset.name),
                            Text(f"  nothing from {safe_line(tagset.name)} yet (to triage)")))
            if tagset.name in untagged:
                selected.add(("untagged", tagset.name))
            for tag in tagset.tags:
                label = Text(f"  {safe_line(tagset.name)}: ", style="dim")
                label.append(safe_line(tag.name), style=tag.color or "")
                options.append((("tag", tagset.name, tag.name), label))
                if (tagset.name, tag.name) in chosen:
                    selected.add(("tag", tagset.name, tag.name))
        return options, selected

    def action_filter(self) -> None:
        """Filter the focused list (Articles when the focus is elsewhere): each choice
        toggles one condition; the choices combine."""
        widget = self.focused
        if not isinstance(widget, ItemList) or widget is self.articles:
            self.filter_articles()
            return
        pane_id = "entities-pane" if widget.kind == "entity" else "timeline-pane"
        current: TagFilter = self.query_one(f"#{pane_id}").tag_filter
        options, selected = self._tag_options(widget.kind, "", current.untagged_in,
                                              current.all_of)
        self.start_flow(Choice(f"Filter {KINDS[widget.kind]} by tag (choices combine)",
                               options, selected=selected),
                        lambda choice: self.item_filter_flow(pane_id, current, choice))

    async def item_filter_flow(self, pane_id: str, current: TagFilter, choice: Any
                               ) -> FilterEdit:
        if choice[0] == "clear":
            return FilterEdit(pane_id, TagFilter())
        if choice[0] == "untagged":
            return FilterEdit(pane_id, replace(current, untagged_in=_toggled(
                current.untagged_in, choice[1])))
        return FilterEdit(pane_id, replace(current, all_of=_toggled(
            current.all_of, (choice[1], choice[2]))))

    def filter_articles(self) -> None:
        """The article filter, the story's scope: tags (OR within a set, AND across sets),
        "nothing from a set yet", a date range, a source."""
        scope: Scope = self.articles_pane.scope
        options, selected = self._tag_options("article", "  (any of these)",
                                              scope.untagged_in, scope.tags)
        options.append((HEADING, Text("dates and sources", style="bold")))
        options.append((("dates",), Text(f"  date range… ({safe_line(_span(scope))})")))
        options.append((("source",), Text("  source… (" + (safe_line(", ".join(
            scope.sources)) or "any") + ")")))
        self.start_flow(Choice("Filter articles by tag, date or source (OR within a set, "
                               "AND across sets)", options, selected=selected),
                        lambda choice: self.article_filter_flow(scope, choice))

    async def article_filter_flow(self, scope: Scope, choice: Any) -> ScopeEdit | None:
        if choice[0] == "dates":
            span = _span(scope)
            typed = await self.ask(TextPrompt(
                "Articles dated from..to (e.g. Jan 1987..Mar 1987, 1987, ..1987-03; empty "
                "for any)", span if span != "any" else "", check=reads_with(date_span)))
            return None if typed is None else ScopeEdit(replace(scope, **date_span(typed)))
        if choice[0] == "source":
            typed = await self.ask(TextPrompt(
                "Articles from the sources (comma-separated; empty for any)",
                ", ".join(scope.sources)))
            return None if typed is None else ScopeEdit(replace(scope, sources=tuple(
                s.strip() for s in typed.split(",") if s.strip())))
        if choice[0] == "clear":
            return ScopeEdit(Scope())
        if choice[0] == "untagged":
            return ScopeEdit(replace(scope, untagged_in=tuple(_toggled(scope.untagged_in,
                                                                       choice[1]))))
        return ScopeEdit(replace(scope, tags=tuple(_toggled(scope.tags,
                                                            (choice[1], choice[2])))))

    # ------------------------------------------------------------- named views

    def action_views(self) -> None:
        views = self.store.list_views(self.analyst)
        options: list[tuple[Any, Text]] = [
            (("save",), Text("save the current filter, search and order as…", style="bold"))]
        if views:
            options.append((HEADING, Text("your views", style="bold")))
        for view in views:
            label = Text(f"  {safe_line(view.name)}  ")
            described = view.spec.scope.describe()
            if view.spec.search:
                described = " · ".join(p for p in (described, f"“{view.spec.search}”") if p)
            label.append(safe_line(described) or "everything", style="dim")
            options.append((("recall", view.name), label))
        self.start_flow(Choice("Named views", options), self.views_flow)

    async def views_flow(self, choice: Any) -> ViewEdit | SaveViewEdit | None:
        """Save what the Articles pane shows under a name, or show a saved view."""
        if choice[0] == "recall":
            return self.recalled(choice[1])
        name = await self.ask(TextPrompt("Save this view as", ""))
        if not name or not name.strip():
            return None
        return SaveViewEdit(name.strip(), self.articles_pane.view)

    def recalled(self, name: str) -> ViewEdit | None:
        """The saved view of that name, as the pane shows it; None (and said) when there is
        none or it cannot be read."""
        try:
            saved = self.store.get_view(self.analyst, name)
        except ScopeError as exc:
            self.notify(f"view {safe_line(name)} cannot be read: {exc}", severity="warning",
                        markup=False)
            return None
        if saved is None:
            self.notify(f"no view named {safe_line(name)}", markup=False)
            return None
        spec = saved.spec
        # A search's own orders (and "newest") are not orders of the article list.
        order = spec.order if spec.order not in ("rank", "recent", "newest") else ARTICLE_ORDER
        return ViewEdit(saved.name, View(spec.scope, spec.search.strip(), order))

    def recall_view(self, name: str) -> None:
        """Show a saved view (from the command palette)."""
        edit = self.recalled(name)
        if edit is not None:
            self.apply(edit)

    def _save_view(self, edit: SaveViewEdit) -> bool:
        from dossier.store.room import ViewSpec

        if not self.writable():
            return False
        view = edit.view
        try:
            self.store.save_view(self.analyst, edit.name,
                                 ViewSpec(view.scope, view.order, view.query))
        except ValueError as exc:
            self.notify(str(exc), severity="warning", markup=False)
            return False
        except store_errors() as exc:
            self.store_failed(exc)
            return False
        self.notify(f"saved view: {safe_line(' '.join(edit.name.split()))}", timeout=2,
                    markup=False)
        return True

    # ------------------------------------------------------------- export

    def action_export(self) -> None:
        """Export what the Articles list shows (its filter and search), or the marked
        articles: format, then path, then (a file there already) replace it?"""
        from dossier.export import FORMATS

        articles = self.articles
        scope: Scope | None = articles.story()
        if articles.marked:
            scope = Scope(article_ids=frozenset(articles.marked))
            what = f"the {len(articles.marked)} marked articles"
        elif scope is None or scope.is_empty():
            scope, what = None, "the whole dossier"
        else:
            # Folded copies are in the story and so in the export (issue 17).
            what = (f"the {articles.count + articles.folded_count()} articles listed "
                    f"({safe_line(scope.describe())})")
        options = [(name, Text(f"{name:<11} {fmt.description}"))
                   for name, fmt in FORMATS.items()]
        self.start_flow(Choice(f"Export {what}: format", options),
                        lambda fmt: self.export_flow(fmt, what, scope))

    async def export_flow(self, fmt: str, what: str, scope: Scope | None
                          ) -> ExportEdit | None:
        from dossier.export import FORMATS, RefusedTarget
        from dossier.export import refuse_own_files as refuse

        default = str(Path.home() / f"dossier-export{FORMATS[fmt].extension}")
        typed = await self.ask(TextPrompt(f"Export {what} as {fmt} to", default))
        path = (typed or "").strip()
        if not path:
            return None
        try:  # the dossier itself (or its journal): said now, never offered to replace
            refuse(self.store, Path(path))
        except RefusedTarget as exc:
            self.notify(str(exc), title="Export failed", severity="error", markup=False)
            return None
        if Path(path).is_file() and not await self.confirm(
                f"{path} exists. Replace it with the export?", "Replace it", "Keep it"):
            return None
        return ExportEdit(fmt, path, scope)


def _span(scope: Scope) -> str:
    """The filter's date range as typed (`1987-01..1987-03`), or "any"."""
    if not (scope.date_from or scope.date_to):
        return "any"
    return f"{scope.date_from or ''}..{scope.date_to or ''}"
