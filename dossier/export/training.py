"""The analyst's work on each selected article as labelled text: what `spacy` and `brat` write.

Pure Python (no spaCy): an article's body, its mentions as labelled character spans, and the
links between two of its entities as relations between two of those spans.

- Labels: person -> PERSON, organisation -> ORG, place -> GPE, other -> MISC. A dossier place
  is mostly a country, city or state (OntoNotes' GPE), and the dossier keeps no finer kind, so
  rivers and regions are GPE too; `other` (groups, laws, events) is CoNLL's MISC.
- Spans: character offsets into the body exactly as stored (end exclusive), so they index the
  text written out. Whitespace at a mention's ends is trimmed (a token cannot start or end on
  it); a mention outside the body, or only whitespace, is left out. Each span keeps its
  mention id, entity id and name, the dossier kind, its origin (`auto`: found at ingest or by an
  alias; `analyst`) and who marked it and when, from the journal (empty for mentions found at
  ingest, which are not journalled).
- Relations: a link between two entities whose evidence is an article of the selection in which
  both entities are mentioned. Each end is the entity's mention inside the link's evidence span
  (the sentence) when there is one, else its mention nearest to that span; `in_evidence` says
  whether both were inside. `head` and `child` are indices into the document's span list, head
  the link's `from` entity. A link whose two ends are the same span is left out.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from dossier.export.base import Progress
from dossier.export.selection import Resolved, Selection, resolve, rows
from dossier.store import Store, views

LABELS = {"person": "PERSON", "organisation": "ORG", "place": "GPE", "other": "MISC"}


@dataclass
class TSpan:
    start: int
    end: int
    label: str
    kind: str
    entity_id: int
    entity: str
    mention_id: int
    origin: str
    analyst: str | None = None  # who marked it (journal), None when found at ingest
    marked_at: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "label": self.label, "kind": self.kind,
                "entity_id": self.entity_id, "entity": self.entity,
                "mention_id": self.mention_id, "origin": self.origin,
                "analyst": self.analyst, "marked_at": self.marked_at}


@dataclass
class TRelation:
    head: int  # index into TDoc.spans: the link's `from` entity
    child: int  # index into TDoc.spans: the link's `to` entity
    label: str  # the relation as the tag sets name it
    link_id: int
    analyst: str
    created_at: str
    note: str | None
    in_evidence: bool  # both ends inside the link's evidence span
    evidence: tuple[int, int] | None
    tags: list[tuple[str, str]] = field(default_factory=list)

    def as_json(self, spans: list[TSpan]) -> dict[str, Any]:
        head, child = spans[self.head], spans[self.child]
        return {"head": self.head, "child": self.child, "label": self.label,
                "head_span": {"start": head.start, "end": head.end, "label": head.label},
                "child_span": {"start": child.start, "end": child.end, "label": child.label},
                "link_id": self.link_id, "analyst": self.analyst,
                "created_at": self.created_at, "note": self.note,
                "in_evidence": self.in_evidence,
                "evidence": list(self.evidence) if self.evidence else None,
                "tags": [f"{s}:{t}" for s, t in self.tags]}


@dataclass
class TDoc:
    article_id: int
    title: str
    source: str | None
    published: str | None
    text: str
    spans: list[TSpan]
    relations: list[TRelation]
    tags: list[tuple[str, str, str | None]]  # the article's (set, tag, note)
    entity_tags: dict[int, list[tuple[str, str, str | None]]]  # entity id -> (set, tag, note)

    def as_json(self) -> dict[str, Any]:
        """One JSONL record: text, spans, relations, and the article's metadata in `meta`."""
        return {"text": self.text, "spans": [s.as_json() for s in self.spans],
                "relations": [r.as_json(self.spans) for r in self.relations],
                "meta": {"article_id": self.article_id, "title": self.title,
                         "source": self.source, "published": self.published,
                         "tags": [f"{s}:{t}" for s, t, _ in self.tags]}}


def documents(store: Store, selection: Selection, progress: Progress | None = None
              ) -> Iterator[TDoc]:
    """The selected articles as labelled documents, in article id order."""
    resolved = resolve(store, selection)
    markers = views.mention_markers(store)
    links = _links_by_article(store, resolved)
    total = store.count_articles() if resolved.articles is None else len(resolved.articles)
    done = 0
    for row in rows(store, "articles", resolved):
        yield _document(store, row, resolved, markers, links.get(row["id"], []))
        done += 1
        if progress:
            progress(done, max(total, done))


def _links_by_article(store: Store, resolved: Resolved) -> dict[int, list[dict[str, Any]]]:
    out: dict[int, list[dict[str, Any]]] = {}
    for link in views.entity_links_with_evidence(store):
        if resolved.has("article", link["evidence_article_id"]) and \
                resolved.has("entity", link["from_id"]) and resolved.has("entity", link["to_id"]):
            out.setdefault(link["evidence_article_id"], []).append(link)
    return out


def _trimmed(body: str, start: int, end: int) -> tuple[int, int] | None:
    if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(body)):
        return None
    while start < end and body[start].isspace():
        start += 1
    while end > start and body[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None


def _document(store: Store, row: dict[str, Any], resolved: Resolved,
              markers: dict[int, tuple[str, str]], links: list[dict[str, Any]]) -> TDoc:
    body = row["body"]
    mentions = [m for m in store.article_mentions(row["id"])
                if m.entity_id is not None and resolved.has("entity", m.entity_id)]
    entities = store.get_entities({m.entity_id for m in mentions if m.entity_id is not None})
    spans: list[TSpan] = []
    for m in mentions:
        entity = entities.get(m.entity_id) if m.entity_id is not None else None
        bounds = _trimmed(body, m.start, m.end)
        if entity is None or bounds is None or m.id is None:
            continue
        analyst, at = markers.get(m.id, (None, None))
        spans.append(TSpan(bounds[0], bounds[1], LABELS.get(entity.kind, "MISC"), entity.kind,
                           entity.id or 0, entity.name, m.id, m.origin, analyst, at))
    spans.sort(key=lambda s: (s.start, -s.end, s.mention_id))
    relations = []
    link_tags = store.tags_for_many("link", [link["id"] for link in links])
    for link in links:
        relation = _relation(spans, link)
        if relation is not None:
            relation.tags = [(t.tagset, t.tag) for t in link_tags.get(link["id"], [])]
            relations.append(relation)
    article_tags = [(t.tagset, t.tag, t.note) for t in store.tags_for("article", row["id"])]
    entity_tags = {eid: [(t.tagset, t.tag, t.note) for t in tags] for eid, tags in
                   store.tags_for_many("entity", sorted(entities)).items() if tags}
    return TDoc(row["id"], row["title"], row["source"], row["published"], body, spans,
                relations, article_tags, entity_tags)


def _relation(spans: list[TSpan], link: dict[str, Any]) -> TRelation | None:
    evidence = None
    if isinstance(link["evidence_start"], int) and isinstance(link["evidence_end"], int):
        evidence = (link["evidence_start"], link["evidence_end"])
    head = _end(spans, link["from_id"], evidence)
    child = _end(spans, link["to_id"], evidence)
    if head is None or child is None or head[0] == child[0]:
        return None
    return TRelation(head[0], child[0], str(link["relation"]), link["id"], link["analyst"],
                     link["created_at"], link["note"], head[1] and child[1], evidence)


def _end(spans: list[TSpan], entity_id: int, evidence: tuple[int, int] | None
         ) -> tuple[int, bool] | None:
    """The span standing for an entity: inside the evidence when one is, else the nearest."""
    best: tuple[int, int] | None = None  # (distance, index)
    for i, span in enumerate(spans):
        if span.entity_id != entity_id:
            continue
        if evidence is None:
            return i, False
        if evidence[0] <= span.start and span.end <= evidence[1]:
            return i, True
        distance = evidence[0] - span.end if span.end <= evidence[0] else span.start - evidence[1]
        if best is None or abs(distance) < best[0]:
            best = (abs(distance), i)
    return (best[1], False) if best else None
