"""Merge suggestions and near-duplicate articles read from the file; the analyst's decisions.

The names and the scores are `dossier.suggest`'s (pure); this module reads what it needs and
writes decisions. Suggestions are not kept in the file: they are computed from the entities
as they are now and cached on the store per generation (another connection's commit, or a
write of entities, aliases or mentions by this one: an ingest, a merge, a rename, an undo),
so the next call after any of them sees it. Near-duplicate pairs are read from the table
ingest writes (`article_duplicates`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from dossier import suggest
from dossier.store.db import now_iso
from dossier.store.dedup import stored_pairs
from dossier.suggest import Named, Suggestion

if TYPE_CHECKING:
    from dossier.store.store import Store

ARTICLE_CAP = 300  # articles of an entity read to count shared ones
NEIGHBOUR_ARTICLES = 20  # articles of an entity whose other entities are its neighbours


@dataclass
class Decision:
    kind: str  # entity | article
    a_id: int
    b_id: int
    verdict: str  # same | different
    analyst: str
    created_at: str
    id: int | None = None


@dataclass
class DuplicatePair:
    """Two articles that are nearly the same text; `a` came first."""

    a_id: int
    b_id: int
    a_title: str
    b_title: str
    similarity: float


def pool(store: Store) -> dict[int, Named]:
    """Every entity with its aliases and mention count."""
    conn = store.conn
    counts = dict(conn.execute(
        "SELECT entity_id, count(*) FROM mentions GROUP BY entity_id").fetchall())
    out = {i: Named(i, name, kind, [], counts.get(i, 0))
           for i, name, kind in conn.execute("SELECT id, name, kind FROM entities")}
    for entity_id, alias in conn.execute("SELECT entity_id, alias FROM aliases"):
        named = out.get(entity_id)
        if named is not None and alias != named.name:
            named.aliases.append(alias)
    return out


def _pairs_decided(store: Store, kind: str, verdict: str | None = None
                   ) -> set[tuple[int, int]]:
    sql = "SELECT a_id, b_id FROM decisions WHERE kind = ?"
    params: list = [kind]
    if verdict:
        sql += " AND verdict = ?"
        params.append(verdict)
    return {(a, b) for a, b in store.conn.execute(sql, params)}


def _context(store: Store, ids: set[int]) -> tuple[dict[int, set[int]], dict[int, set[int]]]:
    """(articles, neighbours) of each entity, capped."""
    conn = store.conn
    articles: dict[int, set[int]] = {}
    neighbours: dict[int, set[int]] = {}
    for entity_id in ids:
        found = [r[0] for r in conn.execute(
            "SELECT DISTINCT article_id FROM mentions WHERE entity_id = ? LIMIT ?",
            (entity_id, ARTICLE_CAP))]
        articles[entity_id] = set(found)
        near = found[:NEIGHBOUR_ARTICLES]
        if near:
            marks = ", ".join("?" for _ in near)
            neighbours[entity_id] = {r[0] for r in conn.execute(
                f"SELECT DISTINCT entity_id FROM mentions WHERE article_id IN ({marks})",
                near)} - {entity_id}
    return articles, neighbours


CONTEXT_PAIRS = 1500  # the pairs best by their names alone whose context is read


def _name_pairs(store: Store) -> tuple[dict[int, Named], dict[tuple[int, int], dict[str, str]]]:
    """Every entity and every pair its names suggest, kept on the store object until the
    entities change: the inspector asks for one entity's at each focus. Keyed on the store's
    generation (`Store._generation`: another connection's commit, or this one's write of
    entities, aliases or mentions), not on counts two different files could share."""
    mark = store._generation()
    cached = getattr(store, "_suggest_cache", None)
    if cached is not None and cached[0] == mark:
        return cached[1], cached[2]
    named = pool(store)
    found = suggest.find(named.values())
    store._suggest_cache = (mark, named, found)  # type: ignore[attr-defined]
    return named, found


def suggestions(store: Store, limit: int | None = None, entity_id: int | None = None,
                entities: dict[int, Named] | None = None) -> list[Suggestion]:
    """Ranked merge suggestions (of one entity when `entity_id` is given), best first.
    Pairs the analyst called different are never among them.

    Pairs are ranked by their names first; the context (shared articles, neighbours) is read
    for the CONTEXT_PAIRS best of them, which can only rise."""
    with store.lock:
        if entities is not None:
            named, found = entities, suggest.find(entities.values())
        else:
            named, found = _name_pairs(store)
        different = _pairs_decided(store, "entity", "different")
        found = {p: r for p, r in found.items() if p not in different and (
            entity_id is None or entity_id in p)}
        by_name = suggest.score(found, named, {}, {})
        keep = {(min(s.a.id, s.b.id), max(s.a.id, s.b.id)) for s in by_name[:CONTEXT_PAIRS]}
        ids = {i for pair in keep for i in pair}
        articles, neighbours = _context(store, ids)
    shared = {(x, y): len(articles.get(x, set()) & articles.get(y, set())) for x, y in keep}
    rescored = suggest.score({p: found[p] for p in keep}, named, shared, neighbours)
    rest = by_name[CONTEXT_PAIRS:]
    ranked = sorted(rescored + rest, key=lambda s: (-s.score, -(s.a.mentions + s.b.mentions),
                                                    s.a.id, s.b.id))
    return ranked[:limit] if limit is not None else ranked


def decide(store: Store, analyst: str, kind: str, x: int, y: int, verdict: str) -> bool:
    """Remember the analyst's answer for a pair, as one undoable change."""
    if verdict not in ("same", "different") or kind not in ("entity", "article"):
        raise ValueError("a decision is 'same' or 'different', about entities or articles")
    if x == y:
        raise ValueError("a pair needs two different items")
    a, b = min(x, y), max(x, y)
    store.require(kind, a)
    store.require(kind, b)
    with store.change(analyst, f"{kind}s {verdict}", kind, a) as ch:
        return record(store, ch, kind, a, b, verdict, analyst)


def record(store: Store, ch, kind: str, a: int, b: int, verdict: str,  # noqa: ANN001
           analyst: str) -> bool:
    """Write a decision inside a change (`ch`), replacing an earlier one of the pair."""
    a, b = min(a, b), max(a, b)
    row = store.conn.execute("SELECT id FROM decisions WHERE kind = ? AND a_id = ? AND "
                             "b_id = ?", (kind, a, b)).fetchone()
    values = {"verdict": verdict, "analyst": analyst, "created_at": now_iso()}
    if row:
        return ch.update("decisions", row[0], values)
    ch.insert("decisions", {"kind": kind, "a_id": a, "b_id": b, **values})
    return True


def decisions(store: Store, kind: str | None = None) -> list[Decision]:
    sql = "SELECT kind, a_id, b_id, verdict, analyst, created_at, id FROM decisions"
    params: tuple = ()
    if kind:
        sql += " WHERE kind = ?"
        params = (kind,)
    return [Decision(*r) for r in store.conn.execute(sql + " ORDER BY id", params)]


def duplicate_pairs(store: Store, undecided: bool = True) -> list[DuplicatePair]:
    """Near-duplicate article pairs, first article first (undecided ones by default)."""
    with store.lock:
        decided = _pairs_decided(store, "article") if undecided else set()
        rows = store.conn.execute(
            "SELECT d.a_id, d.b_id, x.title, y.title, d.similarity FROM article_duplicates d "
            "JOIN articles x ON x.id = d.a_id JOIN articles y ON y.id = d.b_id "
            "ORDER BY d.a_id, d.b_id").fetchall()
    return [DuplicatePair(a, b, ta, tb, round(similarity, 3))
            for a, b, ta, tb, similarity in rows if (a, b) not in decided]


def duplicate_groups(store: Store) -> dict[int, list[int]]:
    """Articles the analyst said are the same, grouped under the first: {first: [later...]}.
    Chains join (a = b and b = c: one group under a)."""
    parent: dict[int, int] = {}

    def root(i: int) -> int:
        while parent.get(i, i) != i:
            i = parent[i]
        return i

    for a, b in sorted(_pairs_decided(store, "article", "same")):
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    groups: dict[int, list[int]] = {}
    for i in parent:
        r = root(i)
        if r != i:
            groups.setdefault(r, []).append(i)
    return {k: sorted(v) for k, v in sorted(groups.items())}


def entity_sentence(store: Store, entity_id: int, width: int = 200) -> str:
    """One sentence (or a window of text) around an entity's first mention."""
    row = store.conn.execute(
        'SELECT a.body, m.start, m."end" FROM mentions m JOIN articles a ON a.id = m.article_id '
        "WHERE m.entity_id = ? ORDER BY m.article_id, m.start LIMIT 1", (entity_id,)).fetchone()
    if row is None:
        return ""
    body, start, end = row
    left = max(body.rfind(". ", 0, start) + 2, body.rfind("\n", 0, start) + 1, 0)
    right_stop = [p for p in (body.find(". ", end), body.find("\n", end)) if p != -1]
    right = min(right_stop) + 1 if right_stop else len(body)
    left = max(left, start - width // 2)
    right = min(right, end + width // 2)
    return " ".join(body[left:right].split())


@dataclass
class Card:
    """What the review queue shows of one side of a pair."""

    kind: str  # entity | article
    id: int
    name: str  # the entity's name, or the article's title
    detail: str  # the entity's kind, or the article's source and date
    aliases: list[str]
    count: int  # mentions of the entity, or words of the article
    sentence: str  # a sentence of the entity from the articles, or the article's opening


def card(store: Store, kind: str, item_id: int) -> Card | None:
    """One side of a pair as the queue shows it; None when the item is gone."""
    conn = store.conn
    if kind == "entity":
        row = conn.execute("SELECT name, kind FROM entities WHERE id = ?",
                           (item_id,)).fetchone()
        if row is None:
            return None
        aliases = [a for (a,) in conn.execute(
            "SELECT alias FROM aliases WHERE entity_id = ? ORDER BY id", (item_id,))
            if a != row[0]]
        (count,) = conn.execute("SELECT count(*) FROM mentions WHERE entity_id = ?",
                                (item_id,)).fetchone()
        return Card(kind, item_id, row[0], row[1], aliases, count,
                    entity_sentence(store, item_id))
    row = conn.execute("SELECT title, source, published, body FROM articles WHERE id = ?",
                       (item_id,)).fetchone()
    if row is None:
        return None
    title, source, published, body = row
    detail = " · ".join(x for x in (source, published) if x) or "no source, undated"
    opening = " ".join(body[:400].split())
    return Card(kind, item_id, title, detail, [], len(body.split()), opening)


def copies_of(store: Store, ids: list[int]) -> dict[int, tuple[int, int | None]]:
    """For a page of articles: {id: (later near-duplicates, the first one if it is a copy)},
    leaving out pairs the analyst called different; only ids with either are returned."""
    different = _pairs_decided(store, "article", "different")
    later: dict[int, int] = {}
    firsts: dict[int, int] = {}
    wanted = set(ids)
    for a, b, _ in stored_pairs(store.conn, ids):
        if (a, b) in different:
            continue
        if a in wanted:
            later[a] = later.get(a, 0) + 1
        if b in wanted and (b not in firsts or a < firsts[b]):
            firsts[b] = a
    return {i: (later.get(i, 0), firsts.get(i)) for i in ids if i in later or i in firsts}
