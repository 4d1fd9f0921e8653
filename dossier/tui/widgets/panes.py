"""The panes: Articles, Entities, Timeline (lazy lists), Reader and Inspector.

Every string from the dossier reaches the screen through `safe_text`/`safe_line` and a
`rich.text.Text` — never as a markup string — so `[@click=app.quit]` in a title is just text.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field, replace
from typing import Any

from rich.style import Style
from rich.text import Text
from textual import work
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Static
from textual.worker import get_current_worker

from dossier import keys
from dossier.model import (
    SNIPPET_CLOSE,
    SNIPPET_OPEN,
    Article,
    ArticleSummary,
    Entity,
    Event,
    Mention,
    Scope,
    SearchHit,
    TagFilter,
    Tagging,
)
from dossier.safetext import safe_line, safe_text
from dossier.store import Store
from dossier.store.views import (
    article_precisions,
    count_entities,
    count_events,
    entity_article_count,
    list_events,
)
from dossier.tagsets import TagConfig
from dossier.tui.bindings import bindings
from dossier.tui.messages import ReportsWorkerFailures
from dossier.tui.widgets.lazylist import PAGE, LazyList, RowSource

# Characters of a body drawn at once in the reader: a window that follows the mention under
# the cursor. Textual wraps the whole text of a widget on each change, ~6 ms per 1,000
# characters here; 30,000 (15 screens at 120 columns) hold nearly every real article whole.
READER_WINDOW = 30_000
READER_LINKS = 3  # links of the open article named in the reader's header
SNIPPET_LEAD = 24  # characters of context kept before the first match of a search hit
KIND_COLOURS = {"person": "entity-person", "organisation": "entity-organisation",
                "place": "entity-place", "other": "entity-other"}


def show_date(value: str | None, precision: str | None = None) -> str:
    """A date at its precision: a month is not printed as a day (inert: a file's dates are
    only text, whatever a CHECK-less writer put there)."""
    if not value:
        return "undated"
    if precision == "year":
        value = value[:4]
    elif precision == "month":
        value = value[:7]
    return safe_line(value)


def when(stamp: str | None) -> str:
    """When a change was made, to the minute (a file's stamp is only text)."""
    return safe_line((stamp or "")[:16])


def plural(n: int, noun: str) -> str:
    """'1 mention', '2 mentions'."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def event_date(event: Event) -> str:
    if event.date_start is None:
        return "unresolved"
    start = show_date(event.date_start, event.precision)
    if event.date_end and event.date_end != event.date_start:
        return f"{start}..{show_date(event.date_end, event.precision)}"
    return start


def chips(tags: list[Tagging], config: TagConfig) -> Text:
    """Tags as coloured chips (the tag's colour from its set, else a neutral one)."""
    out = Text()
    for tagging in tags:
        tagset = config.sets.get(tagging.tagset)
        tag = tagset.tag(tagging.tag) if tagset else None
        colour = tag.color if tag and tag.color else "grey50"
        out.append(" ")
        out.append(f" {safe_line(tagging.tag)} ", style=Style(color="white", bgcolor=colour))
    return out


# ---------------------------------------------------------------- rows and sources

@dataclass
class ArticleRow:
    id: int
    title: str
    source: str | None
    published: str | None
    precision: str
    tags: list[Tagging] = field(default_factory=list)
    snippet: str | None = None
    copies: tuple[int, int | None] = (0, None)  # (later near-duplicates, first if a copy)
    under: int | None = None  # the first this copy is shown under (an opened pile)


class ArticleSource(RowSource[ArticleRow]):
    """The articles of a scope (every article when it is empty), in an order.

    Near-duplicates fold (issue 17): a copy whose first is in the list too is not a row of
    its own; the first shows how many it holds (`+N`), and a pile in `opened` shows its
    copies as rows right under the first (`under` set). The folded list is the store's
    (`articles_page(fold=True)`, which walks the order's index and stops at the page); an
    opened pile's first is found with one count (`article_index`), so a page never lists
    or sorts every row."""

    def __init__(self, store: Store, scope: Scope | None = None, order: str = "-published",
                 opened: frozenset[int] = frozenset()):
        self.store, self.scope, self.order = store, scope or Scope(), order
        self.opened = opened
        self._folded: dict[int, list[int]] | None = None
        self._openings: list[tuple[int, list[int]]] | None = None

    def forget(self) -> None:
        self._folded = self._openings = None

    @property
    def folded(self) -> dict[int, list[int]]:
        """{first: its copies} folded in this list."""
        if self._folded is None:
            self._folded = self.store.folded_copies(self._scope())
        return self._folded

    def _scope(self) -> Scope | None:
        return None if self.scope.is_empty() else self.scope

    def folded_count(self) -> int:
        """Copies folded and not shown (those of the opened piles are shown)."""
        return sum(len(c) for f, c in self.folded.items() if f not in self.opened)

    def openings(self) -> list[tuple[int, list[int]]]:
        """(index of the first in the folded list, its copies) of each opened pile."""
        if self._openings is None:
            found = []
            for first in sorted(self.opened):
                copies = self.folded.get(first)
                if not copies:
                    continue
                index = self.store.article_index(self._scope(), self.order, first, fold=True)
                if index is not None:
                    found.append((index, copies))
            self._openings = sorted(found)
        return self._openings

    def count(self) -> int:
        return (self.store.count_articles(self._scope(), fold=True)
                + sum(len(c) for _, c in self.openings()))

    def _locate(self, v: int) -> tuple[int, int | None]:
        """(row of the folded list, None) or (the first's row, copy id) for row `v`."""
        extra = 0
        for index, copies in self.openings():
            if v <= index + extra:
                break
            if v <= index + extra + len(copies):
                return index, copies[v - index - extra - 1]
            extra += len(copies)
        return v - extra, None

    def page(self, offset: int, limit: int) -> list[ArticleRow]:
        located = [self._locate(v) for v in range(offset, offset + limit)]
        bases = [b for b, c in located if c is None]
        start = bases[0] if bases else 0
        base_rows = (self.store.articles_page(self._scope(), self.order, start,
                                              bases[-1] - start + 1, fold=True)
                     if bases else [])
        copy_ids = [c for _, c in located if c is not None]
        copy_rows = ({r.id: r for r in self.store.articles_page(
            Scope(article_ids=frozenset(copy_ids)), "id", 0, len(copy_ids))}
            if copy_ids else {})
        summaries: list[ArticleSummary] = []
        under: list[int | None] = []
        firsts = self.store.copy_firsts()
        for b, c in located:
            if c is None:
                if b - start >= len(base_rows):
                    break
                summaries.append(base_rows[b - start])
                under.append(None)
            elif c in copy_rows:
                summaries.append(copy_rows[c])
                under.append(firsts.get(c))
        out = _with_tags(self.store, summaries)
        for row, first in zip(out, under, strict=True):
            row.under = first
            row.copies = (len(self.folded.get(row.id, [])), firsts.get(row.id))
        return out


def _with_tags(store: Store, rows: list[ArticleSummary]) -> list[ArticleRow]:
    tags = store.tags_for_many("article", [r.id for r in rows])
    return [ArticleRow(r.id, r.title, r.source, r.published, r.published_precision, tags[r.id])
            for r in rows]


class SearchSource(RowSource[ArticleRow]):
    """Full-text hits in one of `Store.search`'s orders.

    `prime` reads the count and the first page: on the UI thread for "recent" (FTS5 walks its
    index backwards and stops at the page: the first answer, at once), in a worker for "rank"
    (ranking reads every match), where it raises SearchError for a refused query. The first
    page's hits are kept: after a change (a tag) the list re-reads their tags and dates, not
    the ranking. Later pages are read as they are scrolled to."""

    def __init__(self, store: Store, query: str, scope: Scope | None = None,
                 order: str = "rank"):
        self.store, self.query, self.order = store, query, order
        self.scope = None if scope is None or scope.is_empty() else scope
        self._count = 0
        self._hits: list[SearchHit] | None = None  # the first page, as found
        self._first: list[ArticleRow] | None = None

    def prime(self, store: Store | None = None) -> None:
        """Count the hits and read the first page now, with `store` (a worker's, if given)."""
        store = store or self.store
        self._count = store.count_search(self.query, self.scope)
        self._hits = store.search(self.query, 0, PAGE, order=self.order, scope=self.scope)
        self._first = self._rows(store, self._hits)

    def forget(self) -> None:
        self._first = None

    def count(self) -> int:
        return self._count

    def page(self, offset: int, limit: int) -> list[ArticleRow]:
        if offset == 0 and limit == PAGE and self._hits is not None:
            if self._first is None:
                self._first = self._rows(self.store, self._hits)
            return self._first
        return self._rows(self.store, self.store.search(self.query, offset, limit,
                                                        order=self.order, scope=self.scope))

    def slow_page(self, offset: int) -> bool:
        # A later ranked page scores every hit again (~0.5 s for a common word on 100,000
        # articles): a worker's. The "recent" order walks the index and stops: at once.
        return offset > 0 and self.order != "recent"

    def page_in_worker(self, offset: int, limit: int) -> list[ArticleRow]:
        with self.store.reading() as store:
            return self._rows(store, store.search(self.query, offset, limit,
                                                  order=self.order, scope=self.scope))

    @staticmethod
    def _rows(store: Store, hits: list[SearchHit]) -> list[ArticleRow]:
        ids = [h.article_id for h in hits]
        tags = store.tags_for_many("article", ids)
        precision = article_precisions(store, ids)
        return [ArticleRow(h.article_id, h.title, h.source, h.published,
                           precision.get(h.article_id, "unknown"), tags[h.article_id],
                           h.snippet) for h in hits]


class EntitySource(RowSource[Entity]):
    """Entities of the dossier or of one article; of a scope's articles (counts within it);
    those whose name or an alias starts with `prefix` (type-to-find). A scope or a prefix
    reads through `Store.entities_page`, where the entity tag filter does not apply."""

    def __init__(self, store: Store, article_id: int | None = None, order: str = "count",
                 tag_filter: TagFilter | None = None, scope: Scope | None = None,
                 prefix: str = ""):
        self.store, self.article_id, self.order = store, article_id, order
        self.tag_filter = tag_filter
        if article_id is not None:
            scope = Scope(article_ids=frozenset({article_id})) if prefix else None
        self.scope = None if scope is None or scope.is_empty() else scope
        self.prefix = prefix
        self.tags: dict[int, list[Tagging]] = {}  # of the rows fetched, one query a page

    @property
    def scoped(self) -> bool:
        return self.scope is not None or bool(self.prefix)

    def forget(self) -> None:
        self.tags.clear()

    def count(self) -> int:
        if self.scoped:
            return self.store.count_entities_in(self.scope, name_prefix=self.prefix)
        if self.tag_filter and not self.tag_filter.is_empty():
            return count_entities(self.store, self.article_id, self.tag_filter)
        return self.store.count_entities(self.article_id)

    def page(self, offset: int, limit: int) -> list[Entity]:
        if self.scoped:
            rows: list[Any] = self.store.entities_page(
                self.scope, name_prefix=self.prefix, offset=offset, limit=limit,
                order="name" if self.order == "name" else "mentions")
        else:
            rows = self.store.list_entities(offset, limit, article_id=self.article_id,
                                            order=self.order, tag_filter=self.tag_filter)
        self.tags.update(self.store.tags_for_many("entity", [e.id for e in rows
                                                             if e.id is not None]))
        return rows


class EventSource(RowSource[Event]):
    """The timeline: every event, or those of a scope's articles (then the event tag filter
    does not apply)."""

    def __init__(self, store: Store, tag_filter: TagFilter | None = None,
                 scope: Scope | None = None):
        self.store, self.tag_filter = store, tag_filter
        self.scope = None if scope is None or scope.is_empty() else scope
        self.tags: dict[int, list[Tagging]] = {}  # of the rows fetched, one query a page

    def forget(self) -> None:
        self.tags.clear()

    def count(self) -> int:
        if self.scope is not None:
            return self.store.count_events_in(self.scope)
        return count_events(self.store, self.tag_filter)

    def page(self, offset: int, limit: int) -> list[Event]:
        if self.scope is not None:
            rows = self.store.events_page(self.scope, offset, limit)
        else:
            rows = list_events(self.store, offset, limit, self.tag_filter)
        self.tags.update(self.store.tags_for_many("event", [e.id for e in rows
                                                            if e.id is not None]))
        return rows


# ---------------------------------------------------------------- pane containers

class Shown(Static):
    """A Static that takes new content only when it differs from what it shows. Each update
    of a Static is a layout of the whole screen (its height may change), and the reader and
    inspector are asked to draw the same thing again after a key (a tag's redraw, then the
    next article's open; the inspector's follow once the cursor rests, on what is shown)."""

    _shown: Any = None

    def update(self, content: Any = "", *, layout: bool = True) -> None:
        key = _content_key(content)
        if key is not None and key == self._shown:
            return
        self._shown = key
        super().update(content, layout=layout)


def _content_key(content: Any) -> Any:
    """What makes two contents draw alike (None when not known: always drawn)."""
    if isinstance(content, str):
        return content
    if isinstance(content, Text):
        return (content.plain, tuple(content.spans), str(content.style), content.justify,
                content.no_wrap, content.overflow, content.end)
    return None


class Pane(Vertical):
    """A pane that holds more than its list (the search box, the density strip): it is what
    `z` gives the whole screen, border and title included."""

    ALLOW_MAXIMIZE = True


# ---------------------------------------------------------------- list panes

class ItemList(LazyList[Any]):
    """A list pane whose rows are dossier items of one kind (for tagging and the inspector)."""

    kind = "article"

    def refresh_source(self, *, keep_cursor: bool = False) -> None:
        """Read the rows again under the list's tag filter."""
        self.reload(keep_cursor=keep_cursor)

    def __init__(self, store: Store, tagsets: TagConfig, **kwargs: Any):
        super().__init__(**kwargs)
        self.store = store
        self.tagsets = tagsets
        self.tag_filter = TagFilter()

    def has_filter(self) -> bool:
        """True when a filter may hide rows (a tag changes which rows show)."""
        return not self.tag_filter.is_empty()

    def tag_may_hide_rows(self) -> bool:
        """True when a tag may change which rows the list shows (a filter on tags)."""
        return self.has_filter()

    def retag(self, targets: list[tuple[str, int]]) -> bool:
        """After a tag on an unfiltered list: re-read the tags of the one row under the
        cursor and repaint that row only (the other rows are as they were); False when this
        list cannot (several targets, another row, rows without their tags): reload then."""
        return False

    def targets(self) -> list[tuple[str, int]]:
        """The marked items, else the one under the cursor."""
        if self.marked:
            return [(self.kind, i) for i in sorted(self.marked)]
        row = self.current
        return [] if row is None else [(self.kind, row.id)]


class ArticleList(ItemList):
    kind = "article"

    def __init__(self, store: Store, tagsets: TagConfig, **kwargs: Any):
        super().__init__(store, tagsets, **kwargs)
        self.search_query: str | None = None
        self.search_order = "rank"  # of the hits shown: "recent" until the ranked page is in
        # The article filter (tags OR within a set and AND across sets, "nothing from a set
        # yet", date range, sources): the story's scope, which Entities, Timeline and the
        # export can follow. Search runs within it.
        self.scope = Scope()
        self.order = "-published"
        self.opened: set[int] = set()  # the near-duplicate piles shown open (issue 17)
        self.source = ArticleSource(store)
        self.empty_text = "no articles (dossier ingest FILE PATH... adds some)"

    def tag_may_hide_rows(self) -> bool:
        # A search, a date range or a source keep the same rows whatever is tagged.
        return bool(self.scope.tag_groups() or self.scope.untagged_in)

    def retag(self, targets: list[tuple[str, int]]) -> bool:
        row = self.current
        if len(targets) != 1 or row is None or targets[0] != ("article", row.id):
            return False
        row.tags = self.store.tags_for("article", row.id)  # as committed
        self._refresh_row(self.cursor)
        return True

    def story(self) -> Scope:
        """What the list shows, as a scope: the filter and the search."""
        return replace(self.scope, query=self.search_query or "")

    def show_articles(self) -> None:
        """The article list under its scope (leaving search results)."""
        self.search_query = None
        self.empty_text = ("no articles (dossier ingest FILE PATH... adds some)"
                           if self.scope.is_empty() else "no article matches the filter")
        self.set_source(ArticleSource(self.store, self.scope, self.order,
                                      frozenset(self.opened)))

    def folded_count(self) -> int:
        """Copies folded out of sight in the list (0 for search hits, which do not fold)."""
        source = self.source
        return source.folded_count() if isinstance(source, ArticleSource) else 0

    def toggle_pile(self) -> bool:
        """Open the near-duplicate pile under the cursor (the first's, or the one a shown
        copy is in), or close it; False when the row is in no pile."""
        row = self.current
        if row is None or not isinstance(self.source, ArticleSource):
            return False
        first = row.under if row.under is not None else row.id
        if first not in self.source.folded:
            return False
        self.opened.symmetric_difference_update({first})
        source = ArticleSource(self.store, self.scope, self.order, frozenset(self.opened))
        self.set_source(source, keep_cursor=True)
        if row.under is not None:  # closing from a copy: the cursor goes to its first
            index = self.store.article_index(None if self.scope.is_empty() else self.scope,
                                             self.order, first, fold=True)
            if index is not None:
                self.move_to(index + sum(len(c) for i, c in source.openings() if i < index))
        return True

    def refresh_source(self, *, keep_cursor: bool = False) -> None:
        """Read the list again under the current tag filter (leaves search results)."""
        self.show_articles()

    def show_search(self, source: SearchSource) -> None:
        """Replace the list by search hits (a source primed in a worker)."""
        self.search_query = source.query
        self.search_order = source.order
        self.empty_text = f"no article matches {safe_line(source.query)}"
        self.set_source(source)

    # Two lines a row: the title alone on the first, so it reads at any pane width; the date,
    # the tag chips and the source (or, for a search hit, the words that matched) under it.
    row_height = 2

    def render_row_lines(self, row: ArticleRow, index: int, width: int) -> list[Text]:
        mark = "▌" if row.id in self.marked else " "
        if row.under is not None:  # a copy shown under its first (an opened pile)
            mark += "  ≈ "
        title = Text(mark)
        title.append(safe_line(row.title), style="bold" if not row.tags else "")
        detail = Text(mark)
        detail.append(f"{show_date(row.published, row.precision):<11}", style="dim")
        chip_text = chips(row.tags, self.tagsets)
        if chip_text.plain:
            detail.append_text(chip_text)
            detail.append(" ")
        later, first = row.copies
        if later:
            detail.append(f"+{later} ", style="bold")  # near-duplicates under this one
        if first is not None and row.under is None:
            detail.append(f"≈#{first} ", style="dim")  # a near-duplicate of an earlier one
        if row.snippet is not None:
            detail.append_text(snippet_text(row.snippet, keep=10))
        elif row.source:
            detail.append(safe_line(row.source), style="italic dim")
        return [title, detail]

    def render_row(self, row: ArticleRow, index: int, width: int) -> Text:
        return self.render_row_lines(row, index, width)[0]


def snippet_text(snippet: str, keep: int = SNIPPET_LEAD) -> Text:
    """A search snippet with its matched terms highlighted, the rest inert text; at most
    `keep` characters of context before the first match."""
    out = Text()
    parts = safe_line(snippet).split(SNIPPET_OPEN)
    lead = parts[0]
    if len(parts) > 1 and len(lead) > keep:
        # Keep the match in sight on a narrow row: a few words of context before it, not 12.
        cut = lead[-keep:]
        lead = "…" + cut[cut.find(" ") + 1:] if " " in cut else "…" + cut
    out.append(lead)
    for part in parts[1:]:
        hit, _, rest = part.partition(SNIPPET_CLOSE)
        out.append(hit, style="bold reverse")
        out.append(rest)
    return out


class EntityList(ItemList):
    kind = "entity"

    def __init__(self, store: Store, tagsets: TagConfig, **kwargs: Any):
        super().__init__(store, tagsets, **kwargs)
        self.article_id: int | None = None
        self.whole = True
        self.order = "count"
        self.scope = Scope()  # the story's articles, when the pane follows the filter
        self.prefix = ""  # type-to-find: names (or aliases) starting with it
        self.finding = False
        self.empty_text = "no entities"

    def refresh_source(self, *, keep_cursor: bool = False) -> None:
        """Read the entities again: scope, order, find prefix and tag filter as they are."""
        self.set_source(EntitySource(self.store, None if self.whole else self.article_id,
                                     self.order, self.tag_filter,
                                     self.scope if self.whole else None, self.prefix),
                        keep_cursor=keep_cursor)

    def on_key(self, event: Any) -> None:
        """Type-to-find: while finding, letters narrow the list to names starting with
        them; backspace takes one back; enter keeps the list so found, escape clears it."""
        if not self.finding:
            return
        if event.key == "backspace":
            self.prefix = self.prefix[:-1]
        elif event.key in ("enter", "escape", "tab", "shift+tab"):
            self.finding = False
            if event.key == "escape":
                self.prefix = ""
            else:
                self.post_message(self.FindChanged(self))
                if event.key == "enter":  # ends the typing; the next enter opens the row
                    event.stop()
                    event.prevent_default()
                return  # the list keeps the prefix (escape in the list clears it)
        elif event.character and event.character.isprintable() and len(self.prefix) < 60:
            self.prefix += event.character
        else:
            return
        event.stop()
        event.prevent_default()
        self.refresh_source()
        self.post_message(self.FindChanged(self))

    class FindChanged(Message):
        """The type-to-find prefix changed (the title says it)."""

        def __init__(self, entity_list: EntityList) -> None:
            super().__init__()
            self.entity_list = entity_list

    def has_filter(self) -> bool:
        return super().has_filter() or bool(self.prefix)

    def render_row(self, row: Entity, index: int, width: int) -> Text:
        colour = self.app.theme_variables.get(KIND_COLOURS.get(row.kind, "entity-other"),
                                              "white")
        text = Text()
        text.append(f"{row.mention_count:>6} ", style="dim")
        text.append("● ", style=Style(color=colour))
        text.append(safe_line(row.name))
        text.append(f"  {safe_line(row.kind)}", style="dim italic")
        text.append_text(chips(self.source.tags.get(row.id, []), self.tagsets))
        return text


class EventList(ItemList):
    kind = "event"

    def __init__(self, store: Store, tagsets: TagConfig, **kwargs: Any):
        super().__init__(store, tagsets, **kwargs)
        self.source = EventSource(store)
        self.scope = Scope()  # the story's articles, when the pane follows the filter
        self.empty_text = "no events"

    def refresh_source(self, *, keep_cursor: bool = False) -> None:
        """Read the events again under the current tag filter, or of the story's scope."""
        self.empty_text = "no events" if self.tag_filter.is_empty() and \
            self.scope.is_empty() else "no event matches the filter"
        self.set_source(EventSource(self.store, self.tag_filter, self.scope),
                        keep_cursor=keep_cursor)

    def render_row(self, row: Event, index: int, width: int) -> Text:
        text = Text()
        when = event_date(row)
        text.append(f"{when:<22}", style="dim italic" if row.date_start is None else "bold")
        # Chips before the title: a long title is cut at the pane's edge, the tags never.
        text.append_text(chips(self.source.tags.get(row.id, []), self.tagsets))
        text.append(" ")
        text.append(safe_line(row.title))
        if row.resolution == "relative":
            text.append(f"  ({safe_line(row.date_text)})", style="dim")
        return text


# ---------------------------------------------------------------- reader

class Reader(VerticalScroll, can_focus=True):
    """The open article: header, body with mentions highlighted by kind, removed lines apart."""

    ALLOW_MAXIMIZE = True  # a scroll container refuses `z` unless told

    BINDINGS = bindings(keys.READER)

    class MentionFocused(Message):
        """The reader's cursor is on a mention; `opened` when enter asked for its entity."""

        def __init__(self, mention: Mention | None, entity: Entity | None,
                     opened: bool = False) -> None:
            super().__init__()
            self.mention = mention
            self.entity = entity
            self.opened = opened

    class SpanChosen(Message):
        """The analyst chose a span of the body (v, then enter): a missed mention to mark."""

        def __init__(self, article_id: int, start: int, end: int) -> None:
            super().__init__()
            self.article_id = article_id
            self.start = start
            self.end = end

    def __init__(self, store: Store, tagsets: TagConfig, **kwargs: Any):
        super().__init__(**kwargs)
        self.store = store
        self.tagsets = tagsets
        self.article: Article | None = None
        self.mentions: list[Mention] = []
        self.entities: dict[int, Entity] = {}
        self.mention_index: int | None = None
        self.selection: tuple[int, int] | None = None
        self.window = 0  # where in the body the drawn window starts
        self._starts: list[int] = []  # the mentions' starts, for bisection

    def compose(self):  # noqa: ANN201
        yield Shown(Text("Open an article (enter in the Articles pane).", style="dim"),
                    id="reader-header")
        yield Shown(Text(""), id="reader-body")
        yield Shown(Text(""), id="reader-removed")

    def show(self, article_id: int, mention_id: int | None = None) -> None:
        self.article = self.store.get_article(article_id)
        if self.article is None:
            return
        self.mentions = self.store.article_mentions(article_id)
        self._starts = [m.start for m in self.mentions]
        self.entities = self.store.get_entities({m.entity_id for m in self.mentions})
        self.mention_index = None
        self.selection = None
        self.window = 0
        if mention_id is not None:
            self.mention_index = next((i for i, m in enumerate(self.mentions)
                                       if m.id == mention_id), None)
            if self.current_mention is not None:
                self._follow(self.current_mention.start)
        self.redraw(reload=False)
        if self.mention_index is None:
            self.scroll_home(animate=False)
        else:
            self.call_after_refresh(self._scroll_to_mention)

    def reload(self) -> bool:
        """Read the article and its mentions again, as the file now has them (a merge, a
        split or a colleague may have moved them); keep the cursor on the same mention.
        False when the article is gone."""
        if self.article is None or self.article.id is None:
            return False
        article = self.store.get_article(self.article.id)
        if article is None:
            self.article, self.mentions, self._starts, self.entities = None, [], [], {}
            self.mention_index = None
            self.query_one("#reader-header", Static).update(
                Text("This article is no longer in the dossier.", style="italic"))
            self.query_one("#reader-body", Static).update("")
            self.query_one("#reader-removed", Static).update("")
            return False
        current = self.current_mention
        self.article = article
        self.mentions = self.store.article_mentions(article.id)
        self._starts = [m.start for m in self.mentions]
        self.entities = self.store.get_entities({m.entity_id for m in self.mentions})
        self.mention_index = None if current is None else next(
            (i for i, m in enumerate(self.mentions)
             if (m.start, m.end) == (current.start, current.end)), None)
        return True

    def redraw(self, *, header_only: bool = False, reload: bool = True) -> None:
        """Draw the article again; after a tag change only the header (its chips) changed.

        A full redraw reads the article's mentions again first (unless just read)."""
        if not header_only and reload and not self.reload():
            return
        article = self.article
        if article is None:
            return
        header = Text()
        header.append(safe_line(article.title) + "\n", style="bold")
        header.append(safe_line(article.source or "source unknown"), style="italic")
        if article.author:
            header.append(f" · {safe_line(article.author)}")
        header.append(f" · {show_date(article.published, article.published_precision)}"
                      f" ({safe_line(article.published_precision)})", style="dim")
        if article.url:
            header.append(f"\n{safe_line(article.url)}", style="dim")  # text, never a link
        tags = self.store.tags_for("article", article.id)
        if tags:
            header.append("\n")
            header.append_text(chips(tags, self.tagsets))
        links = self.store.links_for("article", article.id)
        for link in links[:READER_LINKS]:
            here = ("article", article.id)
            there = (link.to_kind, link.to_id) if (link.from_kind, link.from_id) == here \
                else (link.from_kind, link.from_id)
            name = safe_line(self.store.item_name(*there))
            header.append(f"\n—{safe_line(link.relation)}→ ", style="bold dim")
            header.append(f"{safe_line(there[0])} “{name[:60]}”", style="dim")
        if len(links) > READER_LINKS:
            header.append(f"\n… {len(links) - READER_LINKS} more links in the Inspector",
                          style="dim italic")
        self.query_one("#reader-header", Static).update(header)
        if header_only:
            return
        self.query_one("#reader-body", Static).update(self.body_text())
        removed = Text()
        if article.removed:
            removed.append("Removed from the body\n", style="bold dim")
            for line in article.removed:
                removed.append(f"  [{safe_line(line.kind)}] ", style="dim italic")
                removed.append(safe_line(line.text) + "\n", style="dim")
        self.query_one("#reader-removed", Static).update(removed)

    def action_read(self, step: int) -> None:
        """Scroll a line; at either end of the drawn window of a long article, move it."""
        article = self.article
        if article is None or len(article.body) <= READER_WINDOW:
            self.scroll_relative(y=step, animate=False)
            return
        at_bottom = self.scroll_y >= self.max_scroll_y
        at_top = self.scroll_y <= 0
        if step > 0 and at_bottom and self.window + READER_WINDOW < len(article.body):
            seen = self.window + READER_WINDOW  # the last character on screen, read on from
            self._set_window(seen - READER_WINDOW // 2)
            self._scroll_to_offset(seen, lines_above=self.size.height - 2)
        elif step < 0 and at_top and self.window > 0:
            seen = self.window
            self._set_window(max(0, seen - READER_WINDOW // 2))
            self._scroll_to_offset(seen, lines_above=2)
        else:
            self.scroll_relative(y=step, animate=False)

    def action_read_end(self, direction: int) -> None:
        """The top (direction -1) or the end (1) of the article, however long."""
        article = self.article
        if article is None:
            return
        if len(article.body) > READER_WINDOW:
            if direction < 0:
                self._set_window(0)
            else:
                self._set_window(len(article.body) - READER_WINDOW, snap_forward=True)
        if direction < 0:
            self.scroll_home(animate=False)
        else:
            self.call_after_refresh(self.scroll_end, animate=False)

    def _set_window(self, start: int, *, snap_forward: bool = False) -> None:
        """Draw the window from `start`, moved to the start of its line (or of the next
        line with `snap_forward`, so a window that ends the article still reaches its end)."""
        assert self.article is not None
        body = self.article.body
        if snap_forward:
            line = body.find("\n", start)
            self.window = line + 1 if 0 <= line < start + 2_000 else max(0, start)
        else:
            line = body.rfind("\n", 0, start)
            self.window = line + 1 if line >= 0 and start - line < 2_000 else max(0, start)
        self.query_one("#reader-body", Static).update(self.body_text())

    def _follow(self, at: int) -> bool:
        """Move the drawn window so that body offset `at` is in it; True if it moved."""
        assert self.article is not None
        if self.window <= at < self.window + READER_WINDOW or \
                len(self.article.body) <= READER_WINDOW:
            return False
        # A quarter of a window of context before, from the start of a line.
        start = max(0, at - READER_WINDOW // 4)
        line = self.article.body.rfind("\n", 0, start)
        self.window = line + 1 if line >= 0 and start - line < 2_000 else start
        return True

    def body_text(self) -> Text:
        """The drawn window of the body, with mentions coloured by kind."""
        assert self.article is not None
        # A body is evidence and is kept whole in the file; on screen a window of it is drawn
        # (a 5 MB page would take seconds to wrap), following the mention under the cursor.
        body = self.article.body
        start, end = self.window, min(len(body), self.window + READER_WINDOW)
        text = Text()
        if start > 0:
            text.append(f"[{start:,} characters before this; ] and [ move through the "
                        "mentions]\n\n", style="dim italic")
        offset = len(text) - start  # body position + offset = position in `text`
        text.append(safe_text(body[start:end]))  # same length: spans still line up
        if end < len(body):
            text.append(f"\n\n[{len(body) - end:,} more characters; ] and [ move through "
                        "the mentions, or export the article to read them all]",
                        style="dim italic")
        variables = self.app.theme_variables
        styles: dict[str, Style] = {}
        for i in range(bisect_left(self._starts, start), len(self.mentions)):
            m = self.mentions[i]
            if m.end > end:
                break
            entity = self.entities.get(m.entity_id)
            kind = entity.kind if entity else "other"
            style = styles.get(kind)
            if style is None:
                colour = variables.get(KIND_COLOURS.get(kind, "entity-other"), "yellow")
                style = styles[kind] = Style(color=colour, underline=True)
            if i == self.mention_index:
                style = Style(color=style.color, reverse=True, bold=True)
            text.stylize(style, m.start + offset, m.end + offset)
        if self.selection is not None and start <= self.selection[0] < end:
            text.stylize(Style(reverse=True, underline=True),
                         self.selection[0] + offset, min(self.selection[1], end) + offset)
        return text

    # Selecting text by word, to mark a mention the machine missed.
    def _words(self) -> list[tuple[int, int]]:
        """The words of the drawn window, as body offsets."""
        import re

        assert self.article is not None
        start, end = self.window, self.window + READER_WINDOW
        return [(m.start() + start, m.end() + start)
                for m in re.finditer(r"[\w’'.-]+", self.article.body[start:end])]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("select_move", "select_extend"):
            return self.selection is not None
        return True

    def action_select(self) -> None:
        if self.article is None:
            return
        if self.selection is not None:
            self.selection = None
        else:
            words = self._words()
            at = self.current_mention.end if self.current_mention else 0
            self.selection = next(((s, e) for s, e in words if s >= at), words[0] if words
                                  else None)
            self.app.notify("select with ← → (shift to extend), enter to mark as a mention, "
                            "v to stop", markup=False)
        self.refresh_bindings()
        self.query_one("#reader-body", Static).update(self.body_text())

    def action_select_move(self, step: int) -> None:
        if self.selection is None:
            return
        words = self._words()
        index = next((i for i, w in enumerate(words) if w[0] == self.selection[0]), 0)
        index = max(0, min(len(words) - 1, index + step))
        self.selection = words[index]
        self.query_one("#reader-body", Static).update(self.body_text())

    def action_select_extend(self, step: int) -> None:
        if self.selection is None:
            return
        words = self._words()
        start, end = self.selection
        ends = [e for s, e in words if s >= start]
        index = next((i for i, e in enumerate(ends) if e == end), 0)
        index = max(0, min(len(ends) - 1, index + step))
        self.selection = (start, ends[index])
        self.query_one("#reader-body", Static).update(self.body_text())

    @property
    def current_mention(self) -> Mention | None:
        if self.mention_index is None or not self.mentions:
            return None
        return self.mentions[self.mention_index]

    @property
    def current_entity(self) -> Entity | None:
        m = self.current_mention
        return None if m is None else self.entities.get(m.entity_id)

    def action_mention(self, step: int) -> None:
        if not self.mentions:
            self.app.notify("no mentions in this article", markup=False)
            return
        if self.mention_index is None:
            self.mention_index = 0 if step > 0 else len(self.mentions) - 1
        else:
            self.mention_index = (self.mention_index + step) % len(self.mentions)
        if self.current_mention is not None:
            self._follow(self.current_mention.start)
        self.query_one("#reader-body", Static).update(self.body_text())
        self._scroll_to_mention()
        self.post_message(self.MentionFocused(self.current_mention, self.current_entity))

    def _scroll_to_mention(self) -> None:
        m = self.current_mention
        if m is not None:
            self._scroll_to_offset(m.start, lines_above=3)

    def _scroll_to_offset(self, at: int, *, lines_above: int) -> None:
        """Scroll so the line holding body offset `at` is `lines_above` from the top."""
        if self.article is None:
            return
        body = self.query_one("#reader-body", Static)
        width = max(body.content_region.width, 20)
        lines_before = 2 if self.window > 0 else 0  # the note of what comes before
        for paragraph in self.article.body[self.window:at].split("\n"):
            lines_before += max(1, -(-len(paragraph) // width))
        header_height = self.query_one("#reader-header", Static).outer_size.height
        y = max(0, header_height + lines_before - lines_above)
        self.call_after_refresh(self.scroll_to, y=y, animate=False)

    def action_open_entity(self) -> None:
        if self.selection is not None and self.article is not None:
            start, end = self.selection
            self.selection = None
            self.refresh_bindings()
            self.query_one("#reader-body", Static).update(self.body_text())
            self.post_message(self.SpanChosen(self.article.id, start, end))
            return
        if self.current_mention is None:
            self.app.notify("move to a mention first (] or [)", markup=False)
            return
        self.post_message(self.MentionFocused(self.current_mention, self.current_entity,
                                              opened=True))

    def evidence(self) -> tuple[int, int, int] | None:
        """(article id, start, end) of the sentence around the selection or current mention."""
        if self.article is None:
            return None
        m = self.current_mention
        if self.selection is not None:
            at, at_end = self.selection
        elif m is not None:
            at, at_end = m.start, m.end
        else:
            return None
        from dossier.ingest.timeline import sentences

        for start, end in sentences(self.article.body):
            if start <= at < end:
                return self.article.id, start, end
        return self.article.id, at, at_end


# ---------------------------------------------------------------- inspector

class Inspector(ReportsWorkerFailures, VerticalScroll, can_focus=True):
    """All that is known of the focused item; ] [ walk its links, enter follows one."""

    ALLOW_MAXIMIZE = True

    BINDINGS = bindings(keys.INSPECTOR)

    class Follow(Message):
        def __init__(self, kind: str, item_id: int) -> None:
            super().__init__()
            self.kind = kind
            self.item_id = item_id

    def __init__(self, store: Store, tagsets: TagConfig, **kwargs: Any):
        super().__init__(**kwargs)
        self.store = store
        self.tagsets = tagsets
        self.item: tuple[str, int] | None = None
        self.links: list[Any] = []
        self.link_index: int | None = None

    @property
    def selected_link(self) -> Any:
        if self.link_index is None or self.link_index >= len(self.links):
            return None
        return self.links[self.link_index]

    def action_link(self, step: int) -> None:
        if not self.links:
            self.app.notify("this item has no links", markup=False)
            return
        self.link_index = 0 if self.link_index is None else (
            self.link_index + step) % len(self.links)
        self.redraw(keep_link=True)

    def action_follow(self) -> None:
        link = self.selected_link
        if link is None or self.item is None:
            return
        here = self.item
        other = (link.to_kind, link.to_id) if (link.from_kind, link.from_id) == here else (
            link.from_kind, link.from_id)
        self.post_message(self.Follow(*other))

    def action_candidates(self) -> None:
        from dossier.tui.screens.review import ReviewScreen

        if self.item is None or self.item[0] != "entity":
            self.app.notify("focus an entity to see its merge candidates", markup=False)
            return
        analyst = getattr(self.app, "analyst", "analyst")
        self.app.push_screen(ReviewScreen(self.store, analyst, entity_id=self.item[1]))

    def compose(self):  # noqa: ANN201
        yield Shown(Text("Nothing focused.", style="dim"), id="inspector-body")

    def show(self, kind: str, item_id: int, *, keep_link: bool = False) -> None:
        """Describe an item; the reading (up to ~150 ms for an entity named in 70,000
        articles) happens in a worker, on a connection of its own, so keys never wait."""
        if not keep_link or self.item != (kind, item_id):
            self.link_index = None
        self.item = (kind, item_id)
        self.links = self.store.links_for(kind, item_id) if kind != "link" else []
        self._describe(kind, item_id)

    @work(thread=True, exclusive=True, exit_on_error=False, group="inspector")
    def _describe(self, kind: str, item_id: int) -> None:
        with self.store.reading() as store:  # a snapshot on a connection of its own
            text = self.describe(kind, item_id, store)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._described, (kind, item_id), text)

    def _described(self, item: tuple[str, int], text: Text) -> None:
        if item == self.item:  # not overtaken by another item meanwhile
            self.query_one("#inspector-body", Static).update(text)

    def redraw(self, *, keep_link: bool = True) -> None:
        """Describe the item again; one that no longer exists (merged, deleted) is dropped,
        so no key can act on it."""
        if not self.item:
            return
        if not self.store.exists(*self.item):
            kind = self.item[0]
            self.item, self.links, self.link_index = None, [], None
            self.query_one("#inspector-body", Static).update(
                Text(f"The {kind} shown here is no longer in the dossier (merged or deleted).",
                     style="dim italic"))
            return
        self.show(*self.item, keep_link=keep_link)

    def describe(self, kind: str, item_id: int, store: Store | None = None) -> Text:
        """All that is known of an item, as text."""
        s = store or self.store
        out = Text()
        if kind == "article":
            a = s.get_article(item_id)
            if a is None:
                return Text("(deleted)", style="dim")
            out.append("ARTICLE\n", style="bold dim")
            out.append(safe_line(a.title) + "\n", style="bold")
            out.append(f"{safe_line(a.source or 'source unknown')} · "
                       f"{show_date(a.published, a.published_precision)} "
                       f"({safe_line(a.published_precision)})\n")
            if a.author:
                out.append(f"by {safe_line(a.author)}\n")
            out.append(f"from {safe_line(a.origin or '?')}\n", style="dim")
            out.append(f"{plural(len(s.article_mentions(item_id)), 'mention')}, "
                       f"{plural(len(s.list_events(0, 1000, article_id=item_id)), 'event')}, "
                       f"{plural(len(a.removed), 'removed line')}\n", style="dim")
        elif kind == "entity":
            e = s.get_entity(item_id)
            if e is None:
                return Text("(deleted)", style="dim")
            out.append("ENTITY\n", style="bold dim")
            out.append(safe_line(e.name), style="bold")
            out.append(f"  {safe_line(e.kind)}\n", style="italic")
            if e.description:
                out.append(safe_text(e.description) + "\n")
            others = [a for a in e.aliases if a != e.name]
            if others:
                out.append("also: " + ", ".join(safe_line(a) for a in others) + "\n")
            articles = s.entity_articles(item_id, limit=12)
            out.append(f"{plural(e.mention_count, 'mention')} in "
                       f"{plural(entity_article_count(s, item_id), 'article')}\n", style="dim")
            for art, n in articles[:12]:
                out.append(f"  {n:>3}× {safe_line(art.title)[:60]}\n")
            out.append_text(candidates_text(s, item_id))
        elif kind == "event":
            ev = s.get_event(item_id)
            if ev is None:
                return Text("(deleted)", style="dim")
            out.append("EVENT\n", style="bold dim")
            out.append(f"{event_date(ev)} ({safe_line(ev.precision)}, "
                       f"{safe_line(ev.resolution)})\n", style="bold")
            out.append(safe_line(ev.title) + "\n")
            if ev.date_text:
                out.append(f"as written: {safe_line(ev.date_text)}\n", style="dim")
            if ev.article_id and ev.evidence_start is not None:
                art = s.get_article(ev.article_id)
                if art:
                    quote = art.body[ev.evidence_start:ev.evidence_end]
                    out.append("evidence: ", style="dim")
                    out.append(f"“{safe_line(quote)}”\n", style="italic")
                    out.append(f"  — {safe_line(art.title)}\n", style="dim")
            names = s.get_entities(ev.entity_ids)
            if names:
                out.append("involves: " + ", ".join(safe_line(n.name) for n in names.values())
                           + "\n")
        elif kind == "link":
            link = s.get_link(item_id)
            if link is None:
                return Text("(deleted)", style="dim")
            out.append("LINK\n", style="bold dim")
            out.append_text(self._link_line(s, link, None))
        tags = s.tags_for(kind, item_id)
        if tags:
            out.append("\nTags\n", style="bold")
            for t in tags:
                out.append(f"  {safe_line(t.tagset)}: ")
                out.append_text(chips([t], self.tagsets))
                out.append(f"  {safe_line(t.analyst)} {when(t.created_at)}\n", style="dim")
        if kind != "link":
            links = s.links_for(kind, item_id)
            if links:
                out.append("\nLinks", style="bold")
                out.append("  (] [ select, enter follows, t tags)\n", style="dim")
                for n, link in enumerate(links):
                    line = self._link_line(s, link, (kind, item_id))
                    if n == self.link_index:
                        line.stylize("reverse")
                    out.append_text(line)
        history = s.history(kind, item_id, limit=12)
        if history:
            out.append("\nHistory\n", style="bold")
            seen = set()
            for entry in history:
                if entry.batch in seen:
                    continue
                seen.add(entry.batch)
                state = "" if entry.state == "done" else f" ({safe_line(entry.state)})"
                out.append(f"  {when(entry.at).replace('T', ' ')} {safe_line(entry.analyst)}: "
                           f"{safe_line(entry.action)}{state}\n", style="dim")
        return out

    def _item_name(self, store: Store, kind: str, item_id: int) -> str:
        name = safe_line(store.item_name(kind, item_id))
        return name if kind == "entity" else f"{safe_line(kind)} “{name[:50]}”"

    def _link_line(self, store: Store, link: Any, here: tuple[str, int] | None) -> Text:
        out = Text()
        left = self._item_name(store, link.from_kind, link.from_id)
        right = self._item_name(store, link.to_kind, link.to_id)
        out.append(f"  {left} ", style="")
        out.append(f"—{safe_line(link.relation)}→", style="bold")
        out.append(f" {right}\n")
        if link.evidence_article_id and link.evidence_start is not None:
            art = store.get_article(link.evidence_article_id)
            if art:
                quote = art.body[link.evidence_start:link.evidence_end]
                out.append(f"    “{safe_line(quote)[:160]}”\n", style="italic dim")
        if link.note:
            out.append(f"    note: {safe_line(link.note)}\n", style="dim")
        out.append(f"    {safe_line(link.analyst)} {when(link.created_at)}\n", style="dim")
        link_tags = store.tags_for("link", link.id)
        if link_tags:
            out.append("   ")
            out.append_text(chips(link_tags, self.tagsets))
            out.append("\n")
        return out


def candidates_text(store: Store, entity_id: int, limit: int = 3) -> Text:
    """The entity's top merge candidates, for the inspector (M reviews them)."""
    from dossier.store.suggest import suggestions

    found = suggestions(store, limit=limit, entity_id=entity_id)
    if not found:
        return Text()
    out = Text("\nSame entity?", style="bold")
    out.append("  (M reviews them: s merges, d different)\n", style="dim")
    for s in found:
        other = s.b if s.a.id == entity_id else s.a
        out.append(f"  {s.score:.2f} ")
        out.append(safe_line(other.name), style="bold")
        out.append(f"  {safe_line(other.kind)}, {plural(other.mentions, 'mention')}\n")
        out.append(f"       {safe_line(s.reasons[0])}\n", style="dim")
    return out
