"""Reads within a Scope: the articles a filter keeps, and the entities and events of them.

API (methods of `Store`; `scope` is a `dossier.model.Scope`, None or empty = every article):
    articles_page(scope, order="published", offset=0, limit=100) -> list[ArticleSummary]
        orders: published, -published, title, -title, source, id, -id
    count_articles(scope_or_tag_filter=None) -> int   (a TagFilter still works)
    article_in_scope(article_id, scope) -> bool
    entities_page(scope, *, kind=None, name_prefix="", order="mentions", offset=0, limit=100)
        -> list[ScopedEntity]  (mentions and articles counted WITHIN the scope);
        orders: mentions, articles, name
    count_entities_in(scope, *, kind=None, name_prefix="") -> int
        (`count_entities(scope=..., kind=..., name_prefix=...)` says the same)
    events_page(scope, offset=0, limit=100) -> list[Event]   (events of the scoped articles,
        in date order, undated last); count_events_in(scope) -> int
    entities_in_span(article_id, start, end) -> list[Entity]  (entities mentioned inside a
        span of the body, e.g. an evidence sentence: the link picker's first choices)
    scope_sql(scope, id_expr) -> (clauses, params)   the WHERE clauses, for other queries here

Speed on 100,000 articles (BENCHMARKS.md): an article page walks the order's index and stops
at the page; entity counts within a scope group the scope's mentions once and are cached per
(scope, file generation), so scrolling cuts pages from the cached ranking.
"""

from __future__ import annotations

import json
from array import array
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dossier.model import ArticleSummary, Entity, Event, Scope, TagFilter
from dossier.store.ftsquery import to_fts

if TYPE_CHECKING:
    from dossier.store.store import Store

SCOPED_ORDERS = {
    "published": "coalesce(published, '9999') ASC, id ASC",
    "-published": "coalesce(published, '9999') DESC, id DESC",
    "title": "title COLLATE NOCASE ASC, id ASC",
    "-title": "title COLLATE NOCASE DESC, id DESC",
    "source": "source ASC, id ASC",
    "id": "id ASC",
    "-id": "id DESC",
}
ENTITY_ORDERS = ("mentions", "articles", "name")


@dataclass
class ScopedEntity(Entity):
    """An entity row of a scoped list: `mention_count` and `article_count` within the scope."""

    article_count: int = 0


def scope_sql(scope: Scope | None, id_expr: str = "articles.id",
              row: str = "articles") -> tuple[list[str], list[Any]]:
    """WHERE clauses (and parameters) keeping the articles of the scope; `id_expr` is the
    article id column of the query, `row` the articles table's name in it."""
    clauses: list[str] = []
    params: list[Any] = []
    if scope is None or scope.is_empty():
        return clauses, params
    for tagset, tags in scope.tag_groups().items():
        clauses.append(
            f"{id_expr} IN (SELECT target_id FROM taggings WHERE tagset = ? AND tag IN "
            f"({', '.join('?' for _ in tags)}) AND target_kind = 'article')")
        params += [tagset, *tags]
    for tagset in scope.untagged_in:
        clauses.append(f"{id_expr} NOT IN (SELECT target_id FROM taggings WHERE tagset = ? "
                       "AND target_kind = 'article')")
        params.append(tagset)
    query = to_fts(scope.query) if scope.query.strip() else None
    if query is not None:
        if query:
            clauses.append(f"{id_expr} IN (SELECT rowid FROM articles_fts "
                           "WHERE articles_fts MATCH ?)")
            params.append(query)
        else:
            clauses.append("0")  # typed, but no word in it: nothing matches
    if scope.date_from:
        # The article's date at its own precision against the bound cut to it: `1987` is in
        # a scope from `1987-02`.
        clauses.append(f"{row}.published >= substr(?, 1, length({row}.published))")
        params.append(scope.date_from)
    if scope.date_to:
        clauses.append(f"{row}.published <= ?")
        params.append(scope.date_to + "~")  # `~` sorts after every digit and `-`
    if scope.sources:
        clauses.append(f"{row}.source IN ({', '.join('?' for _ in scope.sources)})")
        params += list(scope.sources)
    if scope.article_ids is not None:
        clauses.append(f"{id_expr} IN (SELECT value FROM json_each(?))")
        params.append(json.dumps(sorted(scope.article_ids)))
    return clauses, params


def _where(clauses: list[str]) -> str:
    return (" WHERE " + " AND ".join(clauses)) if clauses else ""


def _scope_key(scope: Scope | None) -> str:
    return "" if scope is None or scope.is_empty() else json.dumps(scope.to_json(),
                                                                   sort_keys=True)


class ScopeMixin:
    """Scoped reads on a `Store` (see the module's docstring)."""

    # ----------------------------------------------------------------- articles

    def articles_page(self: Store, scope: Scope | None, order: str = "published",
                      offset: int = 0, limit: int = 100) -> list[ArticleSummary]:
        """One page of the articles of the scope, in the order's index order."""
        if order not in SCOPED_ORDERS:
            raise ValueError(f"unknown order {order!r}; one of {', '.join(SCOPED_ORDERS)}")
        clauses, params = scope_sql(scope)
        rows = self.conn.execute(
            "SELECT id, title, source, published, published_precision FROM articles"
            f"{_where(clauses)} ORDER BY {SCOPED_ORDERS[order]} LIMIT ? OFFSET ?",
            [*params, limit, offset]).fetchall()
        return [ArticleSummary(*r) for r in rows]

    def count_articles(self: Store, scope: Scope | TagFilter | None = None) -> int:
        """Articles of the scope (or, as before, those a TagFilter keeps)."""
        if isinstance(scope, TagFilter):
            where, params = self._article_where(scope)
            return self.conn.execute(f"SELECT count(*) FROM articles{where}",
                                     params).fetchone()[0]
        clauses, params = scope_sql(scope)
        return self.conn.execute(f"SELECT count(*) FROM articles{_where(clauses)}",
                                 params).fetchone()[0]

    def article_in_scope(self: Store, article_id: int, scope: Scope | None) -> bool:
        clauses, params = scope_sql(scope)
        clauses.insert(0, "articles.id = ?")
        return self.conn.execute(f"SELECT 1 FROM articles{_where(clauses)}",
                                 [article_id, *params]).fetchone() is not None

    def scoped_article_ids(self: Store, scope: Scope | None) -> set[int] | None:
        """The ids of the scope's articles; None for an empty scope (every article)."""
        if scope is None or scope.is_empty():
            return None
        clauses, params = scope_sql(scope)
        return {r[0] for r in self.conn.execute(
            f"SELECT id FROM articles{_where(clauses)}", params)}

    # ----------------------------------------------------------------- entities

    def _entity_filter(self: Store, kind: str | None, name_prefix: str
                       ) -> tuple[list[str], list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        if kind is not None:
            clauses.append("e.kind = ?")
            params.append(kind)
        prefix = name_prefix.strip()
        if prefix:
            from dossier.store.store import normalise_alias

            like = _like_escape(prefix) + "%"
            clauses.append("(e.name LIKE ? ESCAPE '\\' OR e.id IN (SELECT entity_id FROM "
                           "aliases WHERE norm LIKE ? ESCAPE '\\'))")
            params += [like, _like_escape(normalise_alias(prefix)) + "%"]
        return clauses, params

    def _scoped_ranking(self: Store, scope: Scope | None) -> tuple[array, array, array]:
        """(entity ids, mentions, articles) within the scope, most mentioned first (then
        name); computed once per scope and file generation."""
        # Any write of this connection (a tag moves an article in or out) or a commit of
        # another one makes it stale.
        key = (_scope_key(scope), self.data_version(), self.conn.total_changes)
        cached = getattr(self, "_scoped_cache", None)
        if cached is not None and cached[0] == key:
            return cached[1]
        clauses, params = scope_sql(scope, "m.article_id", "a")
        join = _articles_join(scope)
        with self.lock:
            rows = self.conn.execute(
                "SELECT m.entity_id, count(*) AS n, count(DISTINCT m.article_id) FROM "
                f"mentions m{join}{_where(clauses)} GROUP BY m.entity_id", params).fetchall()
            names = {r[0]: i for i, r in enumerate(self.conn.execute(
                "SELECT id FROM entities ORDER BY name COLLATE NOCASE, id"))}
        rows.sort(key=lambda r: (-r[1], names.get(r[0], 0)))
        result = (array("q", (r[0] for r in rows)), array("q", (r[1] for r in rows)),
                  array("q", (r[2] for r in rows)))
        self._scoped_cache = (key, result)
        return result

    def entities_page(self: Store, scope: Scope | None, *, kind: str | None = None,
                      name_prefix: str = "", order: str = "mentions", offset: int = 0,
                      limit: int = 100) -> list[ScopedEntity]:
        """Entities named in the scope's articles, with their mentions and articles counted
        within it ("entities of these articles"). `kind` keeps one kind; `name_prefix` keeps
        those whose name or an alias starts with it (case-insensitive)."""
        if order not in ENTITY_ORDERS:
            raise ValueError(f"unknown order {order!r}; one of {', '.join(ENTITY_ORDERS)}")
        filters, fparams = self._entity_filter(kind, name_prefix)
        if order == "name":
            return self._entities_by_name(scope, filters, fparams, offset, limit)
        ids, mentions, articles = self._scoped_ranking(scope)
        triples = zip(ids, mentions, articles, strict=True)
        if order == "articles":
            triples = iter(sorted(triples, key=lambda t: -t[2]))  # stable: mentions next
        if filters:
            keep = {r[0] for r in self.conn.execute(
                f"SELECT e.id FROM entities e{_where(filters)}", fparams)}
            triples = (t for t in triples if t[0] in keep)
        window = []
        for i, triple in enumerate(triples):
            if i >= offset + limit:
                break
            if i >= offset:
                window.append(triple)
        found = self.get_entities(t[0] for t in window)
        return [ScopedEntity(id=e.id, name=e.name, kind=e.kind, description=e.description,
                             mention_count=n, article_count=a)
                for entity_id, n, a in window if (e := found.get(entity_id)) is not None]

    def _entities_by_name(self: Store, scope: Scope | None, filters: list[str],
                          fparams: list[Any], offset: int, limit: int) -> list[ScopedEntity]:
        clauses, params = scope_sql(scope, "m.article_id", "a")
        join = _articles_join(scope)
        inner = ("EXISTS (SELECT 1 FROM mentions m" + join + " WHERE m.entity_id = e.id"
                 + "".join(f" AND {c}" for c in clauses) + ")")
        rows = self.conn.execute(
            f"SELECT e.id, e.name, e.kind, e.description FROM entities e "
            f"{_where([*filters, inner])} ORDER BY e.name COLLATE NOCASE, e.id "
            "LIMIT ? OFFSET ?", [*fparams, *params, limit, offset]).fetchall()
        out = []
        for r in rows:
            n, a = self.conn.execute(
                f"SELECT count(*), count(DISTINCT m.article_id) FROM mentions m{join} "
                f"WHERE m.entity_id = ?" + "".join(f" AND {c}" for c in clauses),
                [r[0], *params]).fetchone()
            out.append(ScopedEntity(id=r[0], name=r[1], kind=r[2], description=r[3],
                                    mention_count=n, article_count=a))
        return out

    def count_entities_in(self: Store, scope: Scope | None, *, kind: str | None = None,
                          name_prefix: str = "") -> int:
        """How many entities `entities_page` lists for these arguments."""
        filters, fparams = self._entity_filter(kind, name_prefix)
        if scope is None or scope.is_empty():
            inner = "EXISTS (SELECT 1 FROM mentions m WHERE m.entity_id = e.id)"
            return self.conn.execute(f"SELECT count(*) FROM entities e"
                                     f"{_where([*filters, inner])}", fparams).fetchone()[0]
        ids, _m, _a = self._scoped_ranking(scope)
        if not filters:
            return len(ids)
        keep = {r[0] for r in self.conn.execute(
            f"SELECT e.id FROM entities e{_where(filters)}", fparams)}
        return sum(1 for i in ids if i in keep)

    def entities_in_span(self: Store, article_id: int, start: int, end: int) -> list[Entity]:
        """Entities mentioned inside [start, end) of an article's body (an evidence sentence),
        in the order first named there."""
        rows = self.conn.execute(
            'SELECT entity_id, min(start) AS s FROM mentions WHERE article_id = ? AND start >= ? '
            'AND "end" <= ? GROUP BY entity_id ORDER BY s, entity_id',
            (article_id, start, end)).fetchall()
        found = self.get_entities(r[0] for r in rows)
        return [found[r[0]] for r in rows if r[0] in found]

    # ----------------------------------------------------------------- events

    def events_page(self: Store, scope: Scope | None, offset: int = 0, limit: int = 100
                    ) -> list[Event]:
        """Events of the scope's articles, dated ones in date order, undated last."""
        if scope is None or scope.is_empty():
            return self.list_events(offset, limit)
        clauses, params = scope_sql(scope)
        inside = (f"events.article_id IN (SELECT articles.id FROM articles"
                  f"{_where(clauses)})")
        dated = self.conn.execute(
            f"SELECT count(*) FROM events WHERE date_start IS NOT NULL AND {inside}",
            params).fetchone()[0]
        events: list[Event] = []
        if offset < dated:
            events += [Event(**r) for r in self.query(
                f"SELECT * FROM events WHERE date_start IS NOT NULL AND {inside} "
                "ORDER BY date_start, id LIMIT ? OFFSET ?", [*params, limit, offset])]
        if len(events) < limit:
            events += [Event(**r) for r in self.query(
                f"SELECT * FROM events WHERE date_start IS NULL AND {inside} ORDER BY id "
                "LIMIT ? OFFSET ?", [*params, limit - len(events), max(0, offset - dated)])]
        self._fill_event_entities(events)
        return events

    def count_events_in(self: Store, scope: Scope | None) -> int:
        if scope is None or scope.is_empty():
            return self.count_events()
        clauses, params = scope_sql(scope)
        return self.conn.execute(
            "SELECT count(*) FROM events WHERE events.article_id IN (SELECT articles.id FROM "
            f"articles{_where(clauses)})", params).fetchone()[0]


def _articles_join(scope: Scope | None) -> str:
    """The join a mentions query needs when the scope reads article columns."""
    if scope is not None and (scope.date_from or scope.date_to or scope.sources):
        return " JOIN articles a ON a.id = m.article_id"
    return ""


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
