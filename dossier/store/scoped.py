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
from dossier.store.dedup import stored_pairs
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
        # A range of idx_articles_published from the bound's year, then the article's date
        # at its own precision against the bound cut to it: `1987` is in a scope from
        # `1987-02`.
        clauses.append(f"coalesce({row}.published, '9999') >= ?")
        params.append(scope.date_from[:4])
        clauses.append(f"{row}.published >= substr(?, 1, length({row}.published))")
        params.append(scope.date_from)
    if scope.date_to:
        clauses.append(f"coalesce({row}.published, '9999') <= ?")
        params.append(scope.date_to + "~")  # `~` sorts after every digit and `-`
        clauses.append(f"{row}.published IS NOT NULL")
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
                      offset: int = 0, limit: int = 100, *, fold: bool = False
                      ) -> list[ArticleSummary]:
        """One page of the articles of the scope, in the order's index order; `fold` leaves
        out the copies `folded_copies` folds under their first (issue 17)."""
        if order not in SCOPED_ORDERS:
            raise ValueError(f"unknown order {order!r}; one of {', '.join(SCOPED_ORDERS)}")
        clauses, params = scope_sql(scope)
        if fold:
            hidden = [c for copies in self.folded_copies(scope).values() for c in copies]
            if hidden:
                # A short list of ids (copies are rare): SQLite makes it an ephemeral index
                # and still walks the order's index, stopping at the page.
                clauses.append("articles.id NOT IN (SELECT value FROM json_each(?))")
                params.append(json.dumps(sorted(hidden)))
        rows = self.conn.execute(
            "SELECT id, title, source, published, published_precision FROM articles"
            f"{_where(clauses)} ORDER BY {SCOPED_ORDERS[order]} LIMIT ? OFFSET ?",
            [*params, limit, offset]).fetchall()
        return [ArticleSummary(*r) for r in rows]

    def count_articles(self: Store, scope: Scope | TagFilter | None = None, *,
                       fold: bool = False) -> int:
        """Articles of the scope (or, as before, those a TagFilter keeps); `fold` leaves out
        the copies folded under their first, as `articles_page(fold=True)` does."""
        if isinstance(scope, TagFilter):
            where, params = self._article_where(scope)
            return self.conn.execute(f"SELECT count(*) FROM articles{where}",
                                     params).fetchone()[0]
        clauses, params = scope_sql(scope)
        total = self.conn.execute(f"SELECT count(*) FROM articles{_where(clauses)}",
                                  params).fetchone()[0]
        if fold:
            total -= sum(len(c) for c in self.folded_copies(scope).values())
        return total

    # ----------------------------------------------------------------- near-duplicate piles

    def _pair_generation(self: Store) -> tuple[int, int]:
        """Changes when another connection commits to the file, or when this one writes a
        decision or an article (an ingest may add pairs): what `copy_firsts` is keyed on."""
        return self.data_version(), self.pair_writes

    def copy_firsts(self: Store) -> dict[int, int]:
        """{copy: its first}: each article with an earlier near-duplicate not decided
        "different" (as `suggest.copies_of` decides), and the earliest such one. Read from
        the stored pairs (`article_duplicates`) and cached per pair generation, so a page
        fetch or a tag does not read the decisions again."""
        key = self._pair_generation()
        cached = getattr(self, "_firsts_cache", None)
        if cached is not None and cached[0] == key:
            return cached[1]
        different = {(a, b) for a, b in self.conn.execute(
            "SELECT a_id, b_id FROM decisions WHERE kind = 'article' AND "
            "verdict = 'different'")}
        firsts: dict[int, int] = {}
        for a, b, _ in stored_pairs(self.conn):
            if (a, b) not in different and (b not in firsts or a < firsts[b]):
                firsts[b] = a
        self._firsts_cache = (key, firsts)
        return firsts

    def folded_copies(self: Store, scope: Scope | None = None) -> dict[int, list[int]]:
        """{first: its copies, by id} of the Articles list's fold (issue 17): a copy folds
        under its first when both are in the scope; a copy whose first the scope leaves out
        stays a row of its own. Cached per scope and write of this connection or another
        (a tag may move an article into or out of the scope)."""
        key = (_scope_key(scope), self.data_version(), self.conn.total_changes)
        cached = getattr(self, "_folded_cache", None)
        if cached is not None and cached[0] == key:
            return cached[1]
        result = self._folded_copies(scope)
        self._folded_cache = (key, result)
        return result

    def _folded_copies(self: Store, scope: Scope | None) -> dict[int, list[int]]:
        firsts = self.copy_firsts()
        if not firsts:
            return {}
        ids = set(firsts) | set(firsts.values())
        clauses, params = scope_sql(scope)
        clauses.insert(0, "articles.id IN (SELECT value FROM json_each(?))")
        inside = {r[0] for r in self.conn.execute(
            f"SELECT id FROM articles{_where(clauses)}", [json.dumps(sorted(ids)), *params])}
        out: dict[int, list[int]] = {}
        for copy, first in sorted(firsts.items()):
            if copy in inside and first in inside:
                out.setdefault(first, []).append(copy)
        return out

    def article_index(self: Store, scope: Scope | None, order: str, article_id: int, *,
                      fold: bool = False) -> int | None:
        """Where an article stands in `articles_page(scope, order, fold=fold)`'s list (None
        if it is not in it): a count of the rows before it, along the order's index."""
        if order not in SCOPED_ORDERS:
            raise ValueError(f"unknown order {order!r}; one of {', '.join(SCOPED_ORDERS)}")
        keys = {"published": "coalesce(published, '9999')", "title": "title COLLATE NOCASE",
                "source": "coalesce(source, '')", "id": "id"}[order.lstrip("-")]
        row = self.conn.execute(f"SELECT {keys} FROM articles WHERE id = ?",
                                (article_id,)).fetchone()
        if row is None or not self.article_in_scope(article_id, scope):
            return None
        hidden = ([c for cs in self.folded_copies(scope).values() for c in cs]
                  if fold else [])
        if article_id in hidden:
            return None
        clauses, params = scope_sql(scope)
        if hidden:
            clauses.append("articles.id NOT IN (SELECT value FROM json_each(?))")
            params.append(json.dumps(sorted(hidden)))
        before = "<" if not order.startswith("-") else ">"
        if keys == "id":
            clauses.append(f"id {before} ?")
            params.append(article_id)
        else:
            clauses.append(f"({keys} {before} ? OR ({keys} = ? AND id {before} ?))")
            params += [row[0], row[0], article_id]
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
        """Clauses on `entities e`: the kind, and a name or alias starting with the prefix
        (index ranges on idx_entities_name and idx_aliases_norm, not a LIKE scan)."""
        clauses: list[str] = []
        params: list[Any] = []
        if kind is not None:
            clauses.append("e.kind = ?")
            params.append(kind)
        prefix = " ".join(name_prefix.split())
        if prefix:
            from dossier.store.store import normalise_alias

            norm = normalise_alias(prefix)
            clauses.append("(e.name COLLATE NOCASE >= ? AND e.name COLLATE NOCASE < ? OR "
                           "e.id IN (SELECT entity_id FROM aliases WHERE norm >= ? AND "
                           "norm < ?))")
            params += [prefix, prefix + "\U0010ffff", norm, norm + "\U0010ffff"]
        return clauses, params

    def _scope_ids(self: Store, scope: Scope) -> list[int]:
        """The scope's article ids in id order, cached per scope and file generation (any
        write of this connection, or a commit of another, makes it stale)."""
        key = (_scope_key(scope), self.data_version(), self.conn.total_changes)
        cached = getattr(self, "_scope_ids_cache", None)
        if cached is not None and cached[0] == key:
            return cached[1]
        clauses, params = scope_sql(scope)
        ids = [r[0] for r in self.conn.execute(
            f"SELECT id FROM articles{_where(clauses)} ORDER BY id", params)]
        self._scope_ids_cache = (key, ids)
        return ids

    def _scoped_ranking(self: Store, scope: Scope | None) -> tuple[array, array, array]:
        """(entity ids, mentions, articles) within a non-empty scope, most mentioned first
        (then name); computed once per scope and file generation."""
        key = (_scope_key(scope), self.data_version(), self.conn.total_changes)
        cached = getattr(self, "_scoped_cache", None)
        if cached is not None and cached[0] == key:
            return cached[1]
        assert scope is not None
        ids = json.dumps(self._scope_ids(scope))
        with self.lock:
            # The scope's articles drive (CROSS JOIN keeps them outer): their mentions are
            # read through idx_mentions_article, never the million others.
            rows = self.conn.execute(
                "SELECT m.entity_id, count(*) AS n, count(DISTINCT m.article_id) FROM "
                "json_each(?) j CROSS JOIN mentions m ON m.article_id = j.value "
                "GROUP BY m.entity_id", (ids,)).fetchall()
            names = dict(self.conn.execute(
                "SELECT id, name FROM entities WHERE id IN (SELECT value FROM json_each(?))",
                (json.dumps([r[0] for r in rows]),)).fetchall())
        rows.sort(key=lambda r: (-r[1], str(names.get(r[0], "")).casefold(), r[0]))
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
        if scope is None or scope.is_empty():
            return self._entities_everywhere(filters, fparams, order, offset, limit)
        ids, mentions, articles = self._scoped_ranking(scope)
        triples = list(zip(ids, mentions, articles, strict=True))
        if filters:
            keep = self._entity_ids_where(filters, fparams)
            triples = [t for t in triples if t[0] in keep]
        if order == "articles":
            triples.sort(key=lambda t: -t[2])  # stable: mentions, then name, next
        elif order == "name":
            names = self.get_entities(t[0] for t in triples)
            triples.sort(key=lambda t: (names[t[0]].name.casefold(), t[0]) if t[0] in names
                         else ("", t[0]))
        return self._scoped_rows(triples[offset:offset + limit])

    def _entity_ids_where(self: Store, filters: list[str], fparams: list[Any]) -> set[int]:
        return {r[0] for r in self.conn.execute(
            f"SELECT e.id FROM entities e{_where(filters)}", fparams)}

    def _scoped_rows(self: Store, window: list[tuple[int, int, int]]) -> list[ScopedEntity]:
        found = self.get_entities(t[0] for t in window)
        return [ScopedEntity(id=e.id, name=e.name, kind=e.kind, description=e.description,
                             mention_count=n, article_count=a)
                for entity_id, n, a in window if (e := found.get(entity_id)) is not None]

    def _entities_everywhere(self: Store, filters: list[str], fparams: list[Any], order: str,
                             offset: int, limit: int) -> list[ScopedEntity]:
        """The empty scope: the dossier-wide ranking `list_entities` keeps (cached), or the
        name index; article counts only for the page."""
        if order == "name":
            named = "EXISTS (SELECT 1 FROM mentions m WHERE m.entity_id = e.id)"
            ids = [r[0] for r in self.conn.execute(
                f"SELECT e.id FROM entities e{_where([*filters, named])} "
                "ORDER BY e.name COLLATE NOCASE, e.id LIMIT ? OFFSET ?",
                [*fparams, limit, offset])]
            window = [(i, *self._entity_counts(i)) for i in ids]
            return self._scoped_rows(window)
        ids, counts = self._entity_ranking()
        pairs = zip(ids, counts, strict=True)
        if filters:
            keep = self._entity_ids_where(filters, fparams)
            pairs = ((i, n) for i, n in pairs if i in keep)
        chosen = [(i, n) for i, n in pairs if n > 0]
        if order == "articles":
            window = [(i, n, self._entity_counts(i)[1]) for i, n in chosen]
            window.sort(key=lambda t: -t[2])
            return self._scoped_rows(window[offset:offset + limit])
        return self._scoped_rows([(i, n, self._entity_counts(i)[1])
                                  for i, n in chosen[offset:offset + limit]])

    def _entity_counts(self: Store, entity_id: int) -> tuple[int, int]:
        row = self.conn.execute(
            "SELECT count(*), count(DISTINCT article_id) FROM mentions WHERE entity_id = ?",
            (entity_id,)).fetchone()
        return row[0], row[1]

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
        keep = self._entity_ids_where(filters, fparams)
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
        """Events of the scope's articles, dated ones in date order, undated last.

        The scope's articles drive through idx_events_article; their events are sorted
        (a scope of the whole dossier is the plain list, which walks idx_events_date)."""
        if scope is None or scope.is_empty():
            return self.list_events(offset, limit)
        ids = json.dumps(self._scope_ids(scope))
        rows = list(self.query(
            "SELECT events.* FROM json_each(?) j CROSS JOIN events "
            "ON events.article_id = j.value ORDER BY events.date_start IS NULL, "
            "events.date_start, events.id LIMIT ? OFFSET ?", [ids, limit, offset]))
        events = [Event(**r) for r in rows]
        self._fill_event_entities(events)
        return events

    def count_events_in(self: Store, scope: Scope | None) -> int:
        if scope is None or scope.is_empty():
            return self.count_events()
        return self.conn.execute(
            "SELECT count(*) FROM json_each(?) j CROSS JOIN events "
            "ON events.article_id = j.value", (json.dumps(self._scope_ids(scope)),)
        ).fetchone()[0]


def _articles_join(scope: Scope | None) -> str:
    """The join a mentions query needs when the scope reads article columns."""
    if scope is not None and (scope.date_from or scope.date_to or scope.sources):
        return " JOIN articles a ON a.id = m.article_id"
    return ""


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
