"""The three list panes as containers: each owns its list, what sits above it (the search box,
the density strip) and its title.

Pane state is reactive (toolong's `LogView`): the Articles pane's filter (`scope`), search
(`query`) and `order`, and whether the ranked page is awaited; the Entities and Timeline panes'
tag filter, the story scope they follow, the Entities order and reach; the Timeline's density.
A watcher reloads the list when the rows change and retitles; a list that reloaded for any
other reason (a change in the file) posts `LazyList.Reloaded`, and its pane retitles. No
screen-wide "update every title" function.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Input, Sparkline
from textual.worker import Worker, WorkerState, get_current_worker

from dossier.model import Scope, TagFilter
from dossier.safetext import safe_line
from dossier.store import SearchError, Store, problem_text, store_errors
from dossier.tagsets import TagConfig
from dossier.tui.messages import ReportsWorkerFailures, SearchFailed, SearchReady
from dossier.tui.widgets.lazylist import PAGE, LazyList
from dossier.tui.widgets.panes import (
    ArticleList,
    ArticleSource,
    EntityList,
    EventList,
    ItemList,
    Pane,
    SearchSource,
)

ARTICLE_ORDER = "-published"  # the list's order unless a view says another
NEAR_ROWS = 500  # rows the next-untagged key looks through at once, before a worker goes on


def describe_filter(tag_filter: TagFilter) -> str:
    parts = [f"{s}:{t}" for s, t in tag_filter.all_of]
    parts += [f"no {s}" for s in tag_filter.untagged_in]
    return " & ".join(safe_line(p) for p in parts)


@dataclass(frozen=True)
class View:
    """What the Articles pane shows: its filter (the story's scope), the search typed (empty:
    none) and the order of the articles. A named view keeps one (`ArticlesPane.show_view`)."""

    scope: Scope = field(default_factory=Scope)
    query: str = ""
    order: str = ARTICLE_ORDER


class ListPane(Pane):
    """A pane around one list: retitles itself when its list reloads, and says how many of its
    rows are marked."""

    _base_title: Text | None = None  # the title as the pane's state makes it, marks aside

    @property
    def rows(self) -> LazyList[Any]:
        """The pane's list."""
        raise NotImplementedError

    def title(self) -> Text:
        raise NotImplementedError

    def clear_filter(self) -> bool:
        """Drop the pane's filter (Escape in its list); False when there was none."""
        raise NotImplementedError

    def retitle(self) -> None:
        """The title again from the pane's state (its rows or what it shows changed)."""
        if not self.is_attached:
            return
        self._base_title = self.title()
        self._show_title()

    def _show_title(self) -> None:
        """The title and the count of marked rows, set only when it changed: each set
        repaints the pane."""
        if self._base_title is None:
            return
        title = self._base_title
        if marked := len(self.rows.marked):
            # First: a narrow pane cuts the title's end, and the marks are what the next
            # key (a tag, a merge, an export) will act on.
            title = Text.assemble((f"{marked} marked", "bold"), " · ", title)
        if self.border_title is None or str(self.border_title) != title.markup:
            self.border_title = title

    def set_subtitle(self, subtitle: Text) -> None:
        if self.border_subtitle is None or str(self.border_subtitle) != subtitle.markup:
            self.border_subtitle = subtitle

    @on(LazyList.Reloaded)
    def _list_reloaded(self) -> None:
        self.retitle()

    @on(LazyList.MarksChanged)
    def _marks_changed(self) -> None:
        # Only the count of marks changed: the title's counts are not read again.
        if self._base_title is None:
            self.retitle()
        else:
            self._show_title()


class ArticlesPane(ReportsWorkerFailures, ListPane):
    """The search box and the article list: the story's filter, its search and its order.

    Setting `scope`, `query` or `order` reloads the list and retitles: a query shows the
    latest-added page of hits at once (read here: FTS5 walks its index backwards and stops at
    the page), then the ranked page from a worker replaces it unless a newer search came
    first; later ranked pages are read in a worker as they are scrolled to (`lazylist.py`).
    An empty query is the filtered article list. Each change of what the list shows posts
    `StoryChanged`, for the panes that follow the story."""

    scope: reactive[Scope] = reactive(Scope, init=False)
    # Submitting the same query again searches again (the file may have changed meanwhile).
    query: reactive[str] = reactive("", init=False, always_update=True)
    order: reactive[str] = reactive(ARTICLE_ORDER, init=False)
    # True while the ranked page of a search is awaited: the title says "ranking…".
    ranking: reactive[bool] = reactive(False, init=False)

    class StoryChanged(Message):
        """The list shows another story (its filter or its search changed)."""

        def __init__(self, pane: ArticlesPane) -> None:
            super().__init__()
            self.pane = pane

    def __init__(self, store: Store, tagsets: TagConfig, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.store, self.tagsets = store, tagsets
        self._ranking_query: str | None = None  # the query whose ranked page is awaited
        self._search_serial = 0  # of the latest search: an older worker's answer is dropped

    def compose(self) -> ComposeResult:
        yield Input(placeholder="search (FTS5: words, \"a phrase\", OR, NOT, pre*)",
                    id="search")
        yield ArticleList(self.store, self.tagsets, id="articles")

    @property
    def articles(self) -> ArticleList:
        return self.query_one(ArticleList)

    @property
    def rows(self) -> LazyList[Any]:
        return self.articles

    @property
    def search_box(self) -> Input:
        return self.query_one("#search", Input)

    # ------------------------------------------------------------- state

    @property
    def view(self) -> View:
        """The pane's filter, search and order (what a named view saves)."""
        return View(self.scope, self.query, self.order)

    def show_view(self, view: View) -> None:
        """Filter, search and order at once: one reload, not one for each."""
        self._drop_ranking()
        self.set_reactive(ArticlesPane.scope, view.scope)
        self.set_reactive(ArticlesPane.order, view.order)
        self.set_reactive(ArticlesPane.query, view.query.strip())
        self._load()

    def watch_scope(self) -> None:
        self._load()

    def watch_order(self) -> None:
        self._load()

    def watch_query(self) -> None:
        self._load()

    def watch_ranking(self) -> None:
        self.retitle()

    def _load(self) -> None:
        """Show what the state says: the hits of the query within the filter, or the
        filtered articles in their order."""
        articles = self.articles
        articles.scope, articles.order = self.scope, self.order
        self._drop_ranking()
        if self.query:
            self._search(self.query)
            return
        articles.show_articles()
        self.post_message(self.StoryChanged(self))

    def clear_filter(self) -> bool:
        if self.query:  # leave the search first (its filter stays)
            self.query = ""
            return True
        if self.scope.is_empty():
            return False
        self.scope = Scope()
        return True

    # ------------------------------------------------------------- the search box

    def open_search(self) -> None:
        """Show the search box and give it the keys."""
        box = self.search_box
        box.display = True
        # Focus now, not after a refresh: "/Kirby" typed in one burst must all reach the box.
        self.screen.set_focus(box)

    def close_search(self) -> bool:
        """Hide the search box (the list keeps what it shows); False when it was hidden."""
        box = self.search_box
        if not box.display:
            return False
        box.display = False
        self.articles.focus()
        return True

    @on(Input.Submitted, "#search")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        query = event.value.strip()
        if query:
            self.query = query
        else:
            self.close_search()

    # ------------------------------------------------------------- search

    def _search(self, query: str) -> None:
        """The answer at once (the latest-added page of hits with its count), then the
        ranked page from a worker."""
        source = SearchSource(self.store, query, self.scope, order="recent")
        try:
            source.prime()
        except (SearchError, *store_errors()) as exc:
            problem = str(exc) if isinstance(exc, SearchError) else problem_text(exc)
            self.notify(problem, title="Search", severity="error", markup=False)
            # The list still shows what it showed: so does the state.
            self.set_reactive(ArticlesPane.query, self.articles.search_query or "")
            return
        self.search_box.display = False
        articles = self.articles
        articles.show_search(source)
        articles.focus()
        self.post_message(self.StoryChanged(self))
        if source.count() > 1:  # one hit or none: the order is the same
            self._ranking_query = query
            self.ranking = True
            self._search_serial += 1
            self._rank(query, self.scope, self._search_serial)

    def _drop_ranking(self) -> None:
        """A ranking still running is not wanted any more (a newer search, Escape)."""
        if self._ranking_query is not None:
            self._ranking_query = None
            self.ranking = False
            self._search_serial += 1
            self.workers.cancel_group(self, "search")

    @work(thread=True, exclusive=True, exit_on_error=False, group="search")
    def _rank(self, query: str, scope: Scope, serial: int) -> None:
        """Count the hits and read the ranked first page (ranking reads every match)."""
        try:
            source = SearchSource(self.store, query, scope)
            with self.store.reading() as store:
                source.prime(store)
        except SearchError as exc:
            self.post_message(SearchFailed(query, str(exc), serial))
            return
        if not get_current_worker().is_cancelled:
            self.post_message(SearchReady(query, source, serial))

    def _current(self, serial: int, query: str) -> bool:
        return serial == self._search_serial and query == self._ranking_query

    @on(SearchReady)
    def _ranked(self, message: SearchReady) -> None:
        if not self._current(message.serial, message.query):
            return  # an older search, overtaken or dropped
        self._ranking_query = None
        articles = self.articles
        if articles.search_query == message.query:
            # The same hits, best first: the cursor stays on its row if that row is on the
            # page.
            row = articles.current if articles.cursor > 0 else None
            articles.show_search(message.source)
            if row is not None:
                for index, hit in enumerate(message.source.page(0, PAGE)):
                    if hit.id == row.id:
                        articles.move_to(index)
                        break
        self.ranking = False  # one new title: the hits' count and "best first"

    @on(SearchFailed)
    def _rank_failed(self, message: SearchFailed) -> None:
        if not self._current(message.serial, message.query):
            return
        self._ranking_query = None
        self.ranking = False
        self.notify(message.problem, title="Search", severity="error", markup=False)

    @on(Worker.StateChanged)
    def _ranking_failed(self, event: Worker.StateChanged) -> None:
        """A ranking failed (a broken file): the title stops saying "ranking…" (the app's
        notice comes from `ReportsWorkerFailures`, whose handler Textual runs as well)."""
        if event.state == WorkerState.ERROR and event.worker.group == "search":
            self._ranking_query = None
            self.ranking = False

    # ------------------------------------------------------------- the triage walk

    class Untagged(Message):
        """The cursor is on the next article left to triage (the screen opens it)."""

        def __init__(self, pane: ArticlesPane, article_id: int) -> None:
            super().__init__()
            self.pane, self.article_id = pane, article_id

    def next_untagged(self, tagset: str) -> None:
        """From the cursor down (the row under it first: the queue starts where the analyst
        is), the next article with no tag of `tagset`."""
        articles = self.articles
        # Most often it is close: look through the next pages here, at once...
        near = min(articles.count, articles.cursor + NEAR_ROWS)
        for index in range(articles.cursor, near):
            row = articles.row_at(index)
            if row is not None and not any(t.tagset == tagset for t in row.tags):
                self._go_to_untagged(index, row.id)
                return
        if near >= articles.count:
            self.notify(f"no article below without a {tagset} tag", markup=False)
            return
        # ...and on to the end of a long list in a worker, on its own connection.
        self.notify(f"looking further down for an article without a {tagset} tag…",
                    markup=False, timeout=2)
        self._find_untagged(tagset, near)

    @work(thread=True, exclusive=True, exit_on_error=False, group="untagged")
    def _find_untagged(self, tagset: str, start: int) -> None:
        """Walk the article list (as it is sorted or searched) from `start` for an article
        with no tag of `tagset`."""
        shown = self.articles.source
        count = self.articles.count
        worker = get_current_worker()
        found: tuple[int, int] | None = None
        with self.store.reading() as store:
            source: Any = (SearchSource(store, shown.query, shown.scope, order=shown.order)
                           if isinstance(shown, SearchSource)
                           else ArticleSource(store, shown.scope, shown.order, shown.opened))
            for offset in range(start - start % PAGE, count, PAGE):
                if worker.is_cancelled:
                    return
                for n, row in enumerate(source.page(offset, PAGE)):
                    if offset + n >= start and not any(t.tagset == tagset for t in row.tags):
                        found = (offset + n, row.id)
                        break
                if found:
                    break
        if found:
            self.app.call_from_thread(self._go_to_untagged, *found)
        else:
            self.app.call_from_thread(self.notify, f"no article below without a {tagset} tag",
                                      markup=False)

    def _go_to_untagged(self, index: int, article_id: int) -> None:
        articles = self.articles
        row = articles.row_at(index)
        if row is None or row.id != article_id:  # the list changed meanwhile: look again
            self.notify("the list changed; press x again", markup=False)
            return
        articles.focus()
        articles.move_to(index)
        self.post_message(self.Untagged(self, article_id))

    # ------------------------------------------------------------- title

    def title(self) -> Text:
        articles = self.articles
        title = Text(f"Articles ({articles.count})")
        if articles.search_query:
            title = Text(f"Search: {safe_line(articles.search_query)} ({articles.count})")
            # Which order the hits are in: the latest added while the ranking runs.
            if articles.count > 1:
                title.append(" · latest first, ranking…" if self.ranking
                             else " · best first" if articles.search_order == "rank"
                             else " · latest first")
        if not articles.scope.is_empty():
            title.append(f" · {safe_line(articles.scope.describe())}", style="italic")
        if not articles.search_query and (folded := articles.folded_count()):
            title.append(f" · {folded} {'copy' if folded == 1 else 'copies'} folded (+)")
        return title


class ItemsPane(ListPane):
    """Entities or Timeline: a list filtered by tag (`tag_filter`, reactive), that may
    follow the story's articles (`scope`, reactive)."""

    @property
    def items(self) -> ItemList:
        raise NotImplementedError

    @property
    def rows(self) -> LazyList[Any]:
        return self.items

    # Each `refresh_source` reloads the list, whose `Reloaded` retitles the pane: a state
    # change that reloads does not retitle as well.

    def _filter_changed(self, tag_filter: TagFilter) -> None:
        self.items.tag_filter = tag_filter
        self.items.refresh_source()

    def clear_filter(self) -> bool:
        if self.tag_filter.is_empty():  # type: ignore[attr-defined]
            return False
        self.tag_filter = TagFilter()  # type: ignore[attr-defined]
        return True


class EntitiesPane(ItemsPane):
    """The entity list: of the dossier, of the story, or of the open article."""

    tag_filter: reactive[TagFilter] = reactive(TagFilter, init=False)
    # The story's articles when the pane follows the Articles filter; empty: the dossier.
    scope: reactive[Scope] = reactive(Scope, init=False)
    whole: reactive[bool] = reactive(True, init=False)  # False: of the open article only
    order: reactive[str] = reactive("count", init=False)  # or "name"

    def __init__(self, store: Store, tagsets: TagConfig, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.store, self.tagsets = store, tagsets

    def compose(self) -> ComposeResult:
        yield EntityList(self.store, self.tagsets, id="entities")

    @property
    def entities(self) -> EntityList:
        return self.query_one(EntityList)

    @property
    def items(self) -> ItemList:
        return self.entities

    def watch_tag_filter(self, tag_filter: TagFilter) -> None:
        self._filter_changed(tag_filter)

    def watch_scope(self, scope: Scope) -> None:
        self.entities.scope = scope
        if self.whole:
            self.entities.refresh_source()
        else:  # of one article: the story does not change its rows, only the title
            self.retitle()

    def watch_whole(self, whole: bool) -> None:
        self.entities.whole = whole
        self.entities.refresh_source()

    def watch_order(self, order: str) -> None:
        self.entities.order = order
        self.entities.refresh_source()

    def clear_filter(self) -> bool:
        """The tag filter and the find-by-name prefix."""
        entities = self.entities
        found, entities.prefix, entities.finding = bool(entities.prefix), "", False
        if super().clear_filter():
            return True
        if found:
            entities.refresh_source()
        return found

    def toggle_whole(self, reading: int | None) -> None:
        """Entities of the whole dossier (or story), or of the article being read."""
        if self.entities.article_id is None and reading is not None:
            self.entities.article_id = reading
        self.whole = not self.whole  # reloads and retitles

    def toggle_order(self) -> None:
        self.order = "name" if self.order == "count" else "count"

    def show_article(self, article_id: int) -> None:
        """The article opened: the pane's rows change only when it shows one article's."""
        entities = self.entities
        changed = entities.article_id != article_id
        entities.article_id = article_id
        if changed and not self.whole:
            entities.refresh_source()

    @on(EntityList.FindChanged)
    def _find_changed(self) -> None:
        self.retitle()

    def title(self) -> Text:
        ents = self.entities
        story = not ents.scope.is_empty() and ents.whole
        scope = ("the story" if story else "dossier") if ents.whole else "this article"
        title = Text(f"Entities of {scope} ({ents.count}) · by {ents.order}")
        if story:
            title.append(f" · {safe_line(ents.scope.describe())}", style="italic")
        if ents.finding or ents.prefix:  # first: a narrow pane cuts the title's end
            title = Text(f"find: {safe_line(ents.prefix)}{'▏' if ents.finding else ''}",
                         style="bold") + Text(f" ({ents.count}) · entities of {scope}")
        if not ents.tag_filter.is_empty() and not story and not ents.prefix:
            title.append(f" · {describe_filter(ents.tag_filter)}", style="italic")
        return title


class TimelinePane(ItemsPane):
    """The density strip (events a month or a year) and the event list."""

    tag_filter: reactive[TagFilter] = reactive(TagFilter, init=False)
    # The story's articles when the pane follows the Articles filter; empty: the dossier.
    scope: reactive[Scope] = reactive(Scope, init=False)
    # (counts per bucket, first bucket, last bucket, bucket name), once warmed up.
    density: reactive[tuple[tuple[int, ...], str, str, str] | None] = reactive(None, init=False)

    def __init__(self, store: Store, tagsets: TagConfig, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.store, self.tagsets = store, tagsets

    def compose(self) -> ComposeResult:
        yield Sparkline([], id="density")
        yield EventList(self.store, self.tagsets, id="events")

    @property
    def events(self) -> EventList:
        return self.query_one(EventList)

    @property
    def items(self) -> ItemList:
        return self.events

    def watch_tag_filter(self, tag_filter: TagFilter) -> None:
        self._filter_changed(tag_filter)

    def watch_scope(self, scope: Scope) -> None:
        self.events.scope = scope
        self.events.refresh_source()

    def watch_density(self, density: tuple[tuple[int, ...], str, str, str] | None) -> None:
        if density is None:
            return
        counts, first, last, bucket = density
        self.query_one("#density", Sparkline).data = list(counts) or [0]
        self.set_subtitle(Text("no dated events") if not counts else Text(
            f"{first} ▸ {last} · peak {max(counts)} a {bucket}"))

    def title(self) -> Text:
        events = self.events
        if not events.scope.is_empty():
            title = Text(f"Timeline of the story ({events.count})")
            title.append(f" · {safe_line(events.scope.describe())}", style="italic")
        elif events.tag_filter.is_empty():
            unresolved = self.store.count_events(unresolved=True)
            title = Text(f"Timeline ({events.count}, {unresolved} unresolved last)")
        else:
            title = Text(f"Timeline ({events.count})")
            title.append(f" · {describe_filter(events.tag_filter)}", style="italic")
        return title
