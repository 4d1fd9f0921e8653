"""What an export holds: the filters of `dossier export` and their meaning.

- `--tag SET:TAG` (repeatable, `--match any|all`): articles, entities and events carrying the
  tags (any of them, or all). Articles are the story: when tags select articles, the entities
  they mention and the events they report come along even without the tags themselves.
- `--kind article|entity|event` (repeatable): only items of these kinds are written (links
  between written items stay).
- `--since DATE`, `--until DATE` (ISO, any precision): articles by publication date, events
  by date; an undated item is left out when a date bound is given.
- `--tagged-only`: only items with at least one tag (and, for articles, what they carry).
- `--search TEXT`, or a `Scope` from the app (`Selection.from_scope(scope)`: what the Articles
  pane shows, its tag choices, search, dates, sources or marked rows): only the scope's
  articles, with the entities they mention and the events they report.
With no filter, everything is exported and no id set is held in memory.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from dossier.model import Scope
from dossier.store import Store, views

KINDS = ("article", "entity", "event")


@dataclass
class Selection:
    tags: list[tuple[str, str]] = field(default_factory=list)
    match: str = "any"  # any | all
    kinds: tuple[str, ...] = KINDS
    since: str | None = None
    until: str | None = None
    tagged_only: bool = False
    scope: Scope | None = None  # the app's article scope; None or empty: no condition

    @classmethod
    def from_scope(cls, scope: Scope | None, kinds: tuple[str, ...] = KINDS) -> Selection:
        """Exactly the articles of a scope (filtered or marked in the app), with the entities
        they mention and the events they report."""
        return cls(kinds=kinds, scope=scope)

    def has_scope(self) -> bool:
        return self.scope is not None and not self.scope.is_empty()

    def is_everything(self) -> bool:
        return not (self.tags or self.since or self.until or self.tagged_only
                    or self.has_scope()) and set(self.kinds) >= set(KINDS)


@dataclass
class Resolved:
    """The ids an export writes; None means every row of that kind."""

    articles: set[int] | None
    entities: set[int] | None
    events: set[int] | None

    def has(self, kind: str, item_id: int) -> bool:
        ids = {"article": self.articles, "entity": self.entities, "event": self.events}.get(kind)
        return True if ids is None else item_id in ids


def _tagged(store: Store, kind: str, sel: Selection) -> set[int]:
    if sel.tags:
        rows = views.tag_counts(store, kind, sel.tags)
        need = len(set(sel.tags)) if sel.match == "all" else 1
        return {r[0] for r in rows if r[1] >= need}
    return views.tagged_ids(store, kind)


def _in_dates(value: str | None, sel: Selection) -> bool:
    if sel.since is None and sel.until is None:
        return True
    if not value:
        return False
    if sel.since and value[: len(sel.since)] < sel.since:
        return False
    return not (sel.until and value[: len(sel.until)] > sel.until)


def resolve(store: Store, sel: Selection) -> Resolved:
    """Turn filters into id sets (None = everything of that kind)."""
    if sel.is_everything():
        return Resolved(None, None, None)
    filtering_tags = bool(sel.tags or sel.tagged_only)
    articles = None
    if filtering_tags or sel.since or sel.until:
        base = _tagged(store, "article", sel) if filtering_tags else None
        articles = set()
        for article_id, published in views.article_dates(store):
            if (base is None or article_id in base) and _in_dates(published, sel):
                articles.add(article_id)
    if sel.has_scope():
        scoped = store.scoped_article_ids(sel.scope) or set()
        articles = scoped if articles is None else articles & scoped
    entities = None
    events = None
    if articles is not None or filtering_tags:
        entities = _tagged(store, "entity", sel) if filtering_tags else set()
        events = _tagged(store, "event", sel) if filtering_tags else set()
        if articles is not None:
            for chunk in _chunks(sorted(articles)):
                entities |= views.entities_in_articles(store, chunk)
                events |= views.events_in_articles(store, chunk)
        if sel.since or sel.until:
            dated = {r[0] for r in views.event_dates(store) if _in_dates(r[1], sel)}
            events &= dated
    if "article" not in sel.kinds:
        articles = set()
    if "entity" not in sel.kinds:
        entities = set()
    if "event" not in sel.kinds:
        events = set()
    return Resolved(articles, entities, events)


def _chunks(ids: list[int], size: int = 500) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


def rows(store: Store, table: str, resolved: Resolved) -> Iterator[dict[str, Any]]:
    """The rows of a table that belong to the selection, streamed in id order."""
    kept_links: set[int] | None = None
    if table == "taggings" and not (resolved.articles is None and resolved.entities is None
                                    and resolved.events is None):
        kept_links = {r["id"] for r in store.iter_rows("links") if keep("links", r, resolved)}
    for row in store.iter_rows(table):
        if table == "taggings" and row["target_kind"] == "link" and kept_links is not None:
            if row["target_id"] in kept_links:
                yield row
        elif keep(table, row, resolved):
            yield row


def keep(table: str, row: dict[str, Any], r: Resolved) -> bool:
    if table == "articles":
        return r.has("article", row["id"])
    if table == "entities":
        return r.has("entity", row["id"])
    if table == "aliases":
        return r.has("entity", row["entity_id"])
    if table == "mentions":
        return r.has("article", row["article_id"]) and r.has("entity", row["entity_id"])
    if table == "events":
        return r.has("event", row["id"])
    if table == "event_entities":
        return r.has("event", row["event_id"]) and r.has("entity", row["entity_id"])
    if table == "taggings":
        return row["target_kind"] == "link" or r.has(row["target_kind"], row["target_id"])
    if table == "links":
        return r.has(row["from_kind"], row["from_id"]) and r.has(row["to_kind"], row["to_id"])
    if table == "saved_views":  # an analyst's queues name rows of the whole dossier
        return r.articles is None and r.entities is None and r.events is None
    return True
