"""The three list panes as containers: each owns its list, what sits above it (the search box,
the density strip) and its title.

Pane state is reactive (toolong's `LogView`): the scope the Entities and Timeline panes follow,
the Entities order and reach, the Articles ranking state, the Timeline's density. A watcher
reloads the list when the rows change and retitles; a list that reloaded for any other reason
(a change in the file) posts `LazyList.Reloaded`, and its pane retitles. No screen-wide "update
every title" function.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.reactive import reactive
from textual.widgets import Input, Sparkline

from dossier.model import Scope, TagFilter
from dossier.safetext import safe_line
from dossier.store import Store
from dossier.tagsets import TagConfig
from dossier.tui.widgets.lazylist import LazyList
from dossier.tui.widgets.panes import ArticleList, EntityList, EventList, Pane


def describe_filter(tag_filter: TagFilter) -> str:
    parts = [f"{s}:{t}" for s, t in tag_filter.all_of]
    parts += [f"no {s}" for s in tag_filter.untagged_in]
    return " & ".join(safe_line(p) for p in parts)


class ListPane(Pane):
    """A pane around one list: retitles itself when its list reloads or its marks change."""

    def title(self) -> Text:
        raise NotImplementedError

    def retitle(self) -> None:
        """Set the border title only when it changed: each set repaints the pane."""
        if not self.is_attached:
            return
        title = self.title()
        if self.border_title is None or str(self.border_title) != title.markup:
            self.border_title = title

    def set_subtitle(self, subtitle: Text) -> None:
        if self.border_subtitle is None or str(self.border_subtitle) != subtitle.markup:
            self.border_subtitle = subtitle

    @on(LazyList.Reloaded)
    @on(LazyList.MarksChanged)
    def _list_changed(self) -> None:
        self.retitle()


class ArticlesPane(ListPane):
    """The search box and the article list (the story's filter and search)."""

    # True while the ranked page of a search is awaited: the title says "ranking…".
    ranking: reactive[bool] = reactive(False, init=False)

    def __init__(self, store: Store, tagsets: TagConfig, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.store, self.tagsets = store, tagsets

    def compose(self) -> ComposeResult:
        yield Input(placeholder="search (FTS5: words, \"a phrase\", OR, NOT, pre*)",
                    id="search")
        yield ArticleList(self.store, self.tagsets, id="articles")

    @property
    def articles(self) -> ArticleList:
        return self.query_one(ArticleList)

    def watch_ranking(self) -> None:
        self.retitle()

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
        if articles.marked:
            title.append(f" · {len(articles.marked)} marked", style="bold")
        return title


class EntitiesPane(ListPane):
    """The entity list: of the dossier, of the story, or of the open article."""

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

    def watch_scope(self, scope: Scope) -> None:
        self.entities.scope = scope
        if self.whole:  # of one article: the story does not change its rows
            self.entities.refresh_source()
        self.retitle()

    def watch_whole(self, whole: bool) -> None:
        self.entities.whole = whole
        self.entities.refresh_source()
        self.retitle()

    def watch_order(self, order: str) -> None:
        self.entities.order = order
        self.entities.refresh_source()
        self.retitle()

    def show_article(self, article_id: int) -> None:
        """The article opened: the pane's rows change only when it shows one article's."""
        entities = self.entities
        changed = entities.article_id != article_id
        entities.article_id = article_id
        if changed and not self.whole:
            entities.refresh_source()
            self.retitle()

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


class TimelinePane(ListPane):
    """The density strip (events a month or a year) and the event list."""

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

    def watch_scope(self, scope: Scope) -> None:
        self.events.scope = scope
        self.events.refresh_source()
        self.retitle()

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
