"""Typed objects that cross layers: ingest -> store -> (tui | export).

Plain dataclasses, no behaviour beyond small conveniences: the store turns rows into these and
back, ingest produces them, the UI and the exporters read them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

PRECISIONS = ("day", "month", "year", "unknown")
ENTITY_KINDS = ("person", "organisation", "place", "other")
TARGET_KINDS = ("article", "entity", "event", "link")
# The relation types every dossier offers for links (general news); data/tagsets.yaml lists
# them with the kinds they join, and a tag-set file or the analyst may add more.
DEFAULT_RELATIONS = ("same story", "contradicts", "supports", "quotes", "works for",
                     "member of", "owns", "paid", "met with", "located in", "related to")
# Private-use characters marking matched terms in search snippets; split on them, never shown.
SNIPPET_OPEN = "\ue000"
SNIPPET_CLOSE = "\ue001"


@dataclass
class RemovedLine:
    """A line the cleaner took out of the body (caption, credit, byline, boilerplate...).

    Kept with the article so the analyst can see it; never fed to entities or events.
    """

    kind: str  # caption, credit, byline, boilerplate, headline, copyright, date, dateline
    text: str
    line: int = 0  # 1-based line number in the original file (0 when unknown)


@dataclass
class Article:
    title: str
    body: str
    source: str | None = None
    url: str | None = None
    author: str | None = None
    published: str | None = None  # ISO: YYYY-MM-DD, YYYY-MM, YYYY, or None
    published_precision: str = "unknown"  # one of PRECISIONS
    removed: list[RemovedLine] = field(default_factory=list)
    content_hash: str = ""
    origin: str | None = None  # where it came from (path, URL, "stdin")
    ingested_at: str = ""
    id: int | None = None


@dataclass
class Entity:
    name: str
    kind: str  # one of ENTITY_KINDS
    description: str | None = None
    aliases: list[str] = field(default_factory=list)
    id: int | None = None
    mention_count: int = 0  # filled by listing queries; not a column


@dataclass
class Mention:
    article_id: int | None
    entity_id: int | None
    start: int  # character offsets into Article.body, end exclusive
    end: int
    text: str
    origin: str = "auto"  # auto | analyst
    id: int | None = None


@dataclass
class Event:
    title: str
    date_start: str | None  # ISO at the given precision; None when unresolved
    date_end: str | None = None  # ISO, for a range; None for a single date
    precision: str = "day"  # one of PRECISIONS (of date_start; date_end has its own implied)
    date_text: str = ""  # the date expression as written
    resolution: str = "absolute"  # absolute | relative | unresolved
    article_id: int | None = None
    date_start_char: int | None = None  # span of the date expression in the body
    date_end_char: int | None = None
    evidence_start: int | None = None  # span of the sentence in the body
    evidence_end: int | None = None
    entity_ids: list[int] = field(default_factory=list)
    id: int | None = None


@dataclass
class Tagging:
    target_kind: str  # one of TARGET_KINDS
    target_id: int
    tagset: str
    tag: str
    analyst: str
    created_at: str = ""
    note: str | None = None
    id: int | None = None


@dataclass
class Link:
    from_kind: str
    from_id: int
    relation: str
    to_kind: str
    to_id: int
    analyst: str = ""
    created_at: str = ""
    note: str | None = None
    evidence_article_id: int | None = None
    evidence_start: int | None = None
    evidence_end: int | None = None
    id: int | None = None


@dataclass
class JournalEntry:
    id: int
    batch: int
    at: str
    analyst: str
    action: str  # what the analyst did: tag, untag, link, merge, rename, ...
    table: str  # the row changed
    row_id: int
    before: dict | None  # the row before (None when created)
    after: dict | None  # the row after (None when deleted)
    state: str  # done | undone | dropped
    target_kind: str | None = None  # the item the analyst acted on
    target_id: int | None = None


@dataclass
class SearchHit:
    article_id: int
    title: str
    snippet: str  # matched terms between SNIPPET_OPEN and SNIPPET_CLOSE
    rank: float
    source: str | None = None
    published: str | None = None


@dataclass
class ArticleSummary:
    """One row of the article list: what a list pane needs, without the body."""

    id: int
    title: str
    source: str | None
    published: str | None
    published_precision: str


@dataclass
class TagFilter:
    """Which items to keep, by their tags. Each pair is (tagset, tag); empty means no condition.

    all_of: every one of these tags; any_of: at least one of these; none_of: none of these;
    untagged_in: no tag at all from these sets (what is left to triage).
    """

    all_of: list[tuple[str, str]] = field(default_factory=list)
    any_of: list[tuple[str, str]] = field(default_factory=list)
    none_of: list[tuple[str, str]] = field(default_factory=list)
    untagged_in: list[str] = field(default_factory=list)

    def is_empty(self) -> bool:
        return not (self.all_of or self.any_of or self.none_of or self.untagged_in)


SCOPE_JSON_VERSION = 1
_SCOPE_KEYS = {"version", "tags", "query", "date_from", "date_to", "sources", "article_ids",
               "untagged_in"}
_SCOPE_MAX_ITEMS = 100_000  # marked rows a saved view may hold
_ISO_PREFIX = re.compile(r"\d{4}(?:-\d{2}(?:-\d{2})?)?")


class ScopeError(ValueError):
    """A scope (a saved view's JSON, a date bound) that cannot be read; str() says why."""


def json_object(data: object, what: str) -> dict[object, object]:
    """`data` (a JSON object, or its text) as a dict; ScopeError naming `what` otherwise."""
    import json

    if isinstance(data, str | bytes):
        try:
            data = json.loads(data)
        except (ValueError, RecursionError) as exc:
            raise ScopeError(f"{what} is not JSON ({exc})") from None
    if not isinstance(data, dict):
        raise ScopeError(f"{what} is a JSON object")
    return data


@dataclass(frozen=True)
class Scope:
    """Which articles a pane or an export covers. Empty (the default) means every article.

    API:
        tags          ((tagset, tag), ...): tags of one set are alternatives (OR), sets are
                      all required (AND): `relevant|background` of triage AND `key` of priority
        query         full-text search, as typed (made valid by `store.ftsquery.to_fts`)
        date_from, date_to   ISO prefixes (`1987`, `1987-01`, `1987-01-15`), inclusive: an
                      article is in when its date, at its own precision, falls in the range
                      (`1987-02` is in `1987-02-10..1987-03`); undated articles are out
        sources       outlets (articles.source), any of them
        article_ids   the marked rows (None: no such condition)
        untagged_in   tag sets of which the article has no tag yet (what is left to triage)
        is_empty(), describe() (plain text for a pane title), to_json() / from_json()
        (for saved views; from_json raises ScopeError, never anything else),
        from_tag_filter(TagFilter) (today's filter: all_of and any_of become tag choices)

    The store reads it with `Store.articles_page`, `count_articles`, `entities_page`,
    `events_page`, `search(scope=...)`; exports with `Selection.from_scope`.
    """

    tags: tuple[tuple[str, str], ...] = ()
    query: str = ""
    date_from: str | None = None
    date_to: str | None = None
    sources: tuple[str, ...] = ()
    article_ids: frozenset[int] | None = None
    untagged_in: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for bound in (self.date_from, self.date_to):
            if bound is not None and not _ISO_PREFIX.fullmatch(bound):
                raise ScopeError(f"a date bound is written YYYY, YYYY-MM or YYYY-MM-DD, "
                                 f"not {bound!r}")

    def is_empty(self) -> bool:
        return not (self.tags or self.query.strip() or self.date_from or self.date_to
                    or self.sources or self.article_ids is not None or self.untagged_in)

    def tag_groups(self) -> dict[str, tuple[str, ...]]:
        """{tagset: (tag, ...)}: the alternatives of each set, sets in the order first named."""
        groups: dict[str, list[str]] = {}
        for tagset, tag in self.tags:
            if tag not in groups.setdefault(tagset, []):
                groups[tagset].append(tag)
        return {k: tuple(v) for k, v in groups.items()}

    def describe(self) -> str:
        """Short plain text for a pane title: `relevant|key · "Iran-Contra" · 1987-01..1987-03`.

        Empty when the scope is empty."""
        parts = ["&".join("|".join(tags) for tags in self.tag_groups().values())] \
            if self.tags else []
        if self.untagged_in:
            parts.append(" ".join(f"no {s}" for s in self.untagged_in))
        if self.query.strip():
            parts.append(f'"{self.query.strip()}"')
        if self.date_from or self.date_to:
            if self.date_from == self.date_to:
                parts.append(str(self.date_from))
            else:
                parts.append(f"{self.date_from or ''}..{self.date_to or ''}")
        if self.sources:
            parts.append(", ".join(self.sources) if len(self.sources) <= 2
                         else f"{self.sources[0]} +{len(self.sources) - 1} sources")
        if self.article_ids is not None:
            parts.append(f"{len(self.article_ids)} marked")
        return " · ".join(p for p in parts if p)

    def to_json(self) -> dict:
        """A plain JSON object (what a saved view stores)."""
        return {
            "version": SCOPE_JSON_VERSION,
            "tags": [list(pair) for pair in self.tags],
            "query": self.query,
            "date_from": self.date_from,
            "date_to": self.date_to,
            "sources": list(self.sources),
            "article_ids": None if self.article_ids is None else sorted(self.article_ids),
            "untagged_in": list(self.untagged_in),
        }

    @classmethod
    def from_json(cls, data: object) -> Scope:
        """A scope from `to_json()`'s object (or its JSON text); ScopeError when it is not."""
        data = json_object(data, "a saved scope")
        unknown = set(data) - _SCOPE_KEYS
        if unknown:
            names = ", ".join(sorted(map(str, unknown)))
            raise ScopeError(f"a saved scope has unknown keys: {names}")
        if data.get("version", SCOPE_JSON_VERSION) != SCOPE_JSON_VERSION:
            raise ScopeError(f"a saved scope of version {data.get('version')!r} is not known")

        def strings(key: str) -> tuple[str, ...]:
            value = data.get(key) or []
            if not isinstance(value, list) or len(value) > _SCOPE_MAX_ITEMS or not all(
                    isinstance(v, str) for v in value):
                raise ScopeError(f"'{key}' of a saved scope is a list of strings")
            return tuple(value)

        def text(key: str, optional: bool) -> str | None:
            value = data.get(key)
            if value is None and optional:
                return None
            if not isinstance(value, str) or len(value) > 2000:
                raise ScopeError(f"'{key}' of a saved scope is a string"
                                 + (" or null" if optional else ""))
            return value

        tags = data.get("tags") or []
        if not isinstance(tags, list) or len(tags) > _SCOPE_MAX_ITEMS or not all(
                isinstance(p, list) and len(p) == 2 and all(isinstance(x, str) for x in p)
                for p in tags):
            raise ScopeError("'tags' of a saved scope is a list of [tagset, tag] pairs")
        ids = data.get("article_ids")
        if ids is not None and (not isinstance(ids, list) or len(ids) > _SCOPE_MAX_ITEMS
                                or not all(type(i) is int and 0 < i < 2**63 for i in ids)):
            raise ScopeError("'article_ids' of a saved scope is null or a list of article ids")
        return cls(
            tags=tuple((p[0], p[1]) for p in tags),
            query=text("query", False) if "query" in data else "",  # type: ignore[arg-type]
            date_from=text("date_from", True),
            date_to=text("date_to", True),
            sources=strings("sources"),
            article_ids=None if ids is None else frozenset(ids),
            untagged_in=strings("untagged_in"),
        )

    @classmethod
    def from_tag_filter(cls, tag_filter: TagFilter | None) -> Scope:
        """Today's TagFilter as a scope: its all_of and any_of tags become tag choices (OR
        within a set, AND across sets), untagged_in is kept. none_of has no equivalent and
        raises ScopeError."""
        if tag_filter is None:
            return cls()
        if tag_filter.none_of:
            raise ScopeError("a scope has no 'none of these tags' condition")
        return cls(tags=tuple(dict.fromkeys([*tag_filter.all_of, *tag_filter.any_of])),
                   untagged_in=tuple(tag_filter.untagged_in))

    def replace(self, **changes: object) -> Scope:
        """A copy with some fields changed (`dataclasses.replace`)."""
        from dataclasses import replace

        return replace(self, **changes)  # type: ignore[arg-type]


def normalise_alias(text: str) -> str:
    """The key aliases are matched on: case-folded, whitespace collapsed, dots dropped."""
    return " ".join(text.replace(".", "").casefold().split())
