"""Typed objects that cross layers: ingest -> store -> (tui | export).

Plain dataclasses, no behaviour beyond small conveniences: the store turns rows into these and
back, ingest produces them, the UI and the exporters read them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

PRECISIONS = ("day", "month", "year", "unknown")
ENTITY_KINDS = ("person", "organisation", "place", "other")
TARGET_KINDS = ("article", "entity", "event", "link")
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
