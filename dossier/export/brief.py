"""The brief: what a colleague reads. Timeline, key entities with their roles and links,
articles with their triage tags, evidence quoted. Markdown that reads as plain text."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import IO, Any

from dossier.export.base import Progress
from dossier.export.selection import Resolved, Selection, resolve
from dossier.safetext import safe_line, safe_text
from dossier.store import Store, views

KEY_ENTITIES = 25


@dataclass
class Brief:
    """Everything the brief shows, gathered once for Markdown and HTML."""

    title: str
    events: list[dict[str, Any]] = field(default_factory=list)
    entities: list[dict[str, Any]] = field(default_factory=list)
    articles: list[dict[str, Any]] = field(default_factory=list)
    links: list[dict[str, Any]] = field(default_factory=list)
    unresolved: list[dict[str, Any]] = field(default_factory=list)


def when(start: str | None, end: str | None, precision: str) -> str:
    if start is None:
        return "date unresolved"
    if end and end != start:
        return f"{start} to {end}"
    return start


def _tags(store: Store, kind: str, item_id: int) -> dict[str, list[str]]:
    out: dict[str, list[str]] = defaultdict(list)
    for t in store.tags_for(kind, item_id):
        out[t.tagset].append(t.tag)
    return dict(out)


def _name(store: Store, kind: str, item_id: int) -> str:
    name = store.item_name(kind, item_id)
    return f"“{name}”" if kind == "article" else name


def gather(store: Store, r: Resolved, limit_articles: int = 2000) -> Brief:
    brief = Brief(title=store.get_meta("title") or "Dossier brief")
    bodies: dict[int, str] = {}

    def quote(article_id: int | None, start: int | None, end: int | None) -> str | None:
        if article_id is None or start is None or end is None:
            return None
        if article_id not in bodies:
            a = store.get_article(article_id)
            bodies[article_id] = a.body if a else ""
        return " ".join(bodies[article_id][start:end].split()) or None

    offset = 0
    while True:
        page = store.list_events(offset, 500)
        if not page:
            break
        offset += len(page)
        for ev in page:
            if ev.id is None or not r.has("event", ev.id):
                continue
            source = store.get_article(ev.article_id) if ev.article_id else None
            item = {
                "id": ev.id, "when": when(ev.date_start, ev.date_end, ev.precision),
                "start": ev.date_start, "end": ev.date_end, "precision": ev.precision,
                "title": ev.title, "date_text": ev.date_text, "resolution": ev.resolution,
                "tags": _tags(store, "event", ev.id),
                "entities": [e.name for e in store.get_entities(ev.entity_ids).values()],
                "quote": quote(ev.article_id, ev.evidence_start, ev.evidence_end),
                "source": source.title if source else None,
            }
            (brief.events if ev.date_start else brief.unresolved).append(item)
    tagged_entities = views.tagged_ids(store, "entity")
    ranked = [e for e in store.list_entities(0, KEY_ENTITIES * 4, order="count")
              if e.id is not None and r.has("entity", e.id)]
    chosen = [e for e in ranked if e.id in tagged_entities] + \
        [e for e in ranked if e.id not in tagged_entities]
    for e in chosen[:KEY_ENTITIES]:
        assert e.id is not None
        full = store.get_entity(e.id)
        brief.entities.append({
            "id": e.id, "name": e.name, "kind": e.kind, "mentions": e.mention_count,
            "aliases": [a for a in (full.aliases if full else []) if a != e.name],
            "description": e.description, "tags": _tags(store, "entity", e.id),
        })
    for link in store.iter_rows("links"):
        if not (r.has(link["from_kind"], link["from_id"]) and r.has(link["to_kind"],
                                                                     link["to_id"])):
            continue
        brief.links.append({
            "id": link["id"], "from": _name(store, link["from_kind"], link["from_id"]),
            "relation": link["relation"], "to": _name(store, link["to_kind"], link["to_id"]),
            "from_key": (link["from_kind"], link["from_id"]),
            "to_key": (link["to_kind"], link["to_id"]),
            "note": link["note"], "analyst": link["analyst"],
            "quote": quote(link["evidence_article_id"], link["evidence_start"],
                           link["evidence_end"]),
            "tags": _tags(store, "link", link["id"]),
        })
    for a in store.list_articles(0, limit_articles, order="published"):
        if not r.has("article", a.id):
            continue
        full = store.get_article(a.id)
        brief.articles.append({
            "id": a.id, "title": a.title, "source": a.source, "published": a.published,
            "precision": a.published_precision, "author": full.author if full else None,
            "url": full.url if full else None, "tags": _tags(store, "article", a.id),
        })
    return brief


def _tag_text(tags: dict[str, list[str]]) -> str:
    return "; ".join(f"{k}: {', '.join(v)}" for k, v in sorted(tags.items()))


def md_escape(text: str | None) -> str:
    """Text as Markdown shows it literally (no links, no HTML, no emphasis), on one line and
    with no control character (`safe_line`)."""
    if not text:
        return ""
    out = []
    for ch in " ".join(safe_line(text).split()):
        if ch in "\\`*_{}[]<>()#+!|~":
            out.append("\\" + ch)
        else:
            out.append(ch)
    return "".join(out)


def write(store: Store, selection: Selection, stream: IO[bytes],
          progress: Progress | None = None) -> None:
    brief = gather(store, resolve(store, selection))
    lines: list[str] = [f"# {md_escape(brief.title)}", ""]
    lines.append(f"{len(brief.articles)} articles, {len(brief.entities)} key entities, "
                 f"{len(brief.events)} dated events, {len(brief.links)} links.")
    lines += ["", "## Timeline", ""]
    for ev in brief.events:
        tags = f" [{md_escape(_tag_text(ev['tags']))}]" if ev["tags"] else ""
        lines.append(f"- **{md_escape(ev['when'])}** ({md_escape(ev['precision'])}) — "
                     f"{md_escape(ev['title'])}{tags}")
        if ev["entities"]:
            lines.append(f"  - involves: {md_escape(', '.join(ev['entities']))}")
        if ev["quote"]:
            lines.append(f"  > {md_escape(ev['quote'])}")
            if ev["source"]:
                lines.append(f"  > — {md_escape(ev['source'])}")
    if brief.unresolved:
        lines += ["", "Dates still to resolve (their article has no date to count from):", ""]
        for ev in brief.unresolved:
            lines.append(f"- “{md_escape(ev['date_text'])}”: {md_escape(ev['title'])}")
    lines += ["", "## Key entities", ""]
    for e in brief.entities:
        roles = f" — {md_escape(_tag_text(e['tags']))}" if e["tags"] else ""
        lines.append(f"- **{md_escape(e['name'])}** ({md_escape(e['kind'])}, "
                     f"{e['mentions']} mentions){roles}")
        if e["aliases"]:
            lines.append(f"  - also: {md_escape(', '.join(e['aliases']))}")
        if e["description"]:
            lines.append(f"  - {md_escape(e['description'])}")
    if brief.links:
        lines += ["", "## Links", ""]
        for link in brief.links:
            tags = f" [{md_escape(_tag_text(link['tags']))}]" if link["tags"] else ""
            lines.append(f"- {md_escape(link['from'])} — *{md_escape(link['relation'])}* → "
                         f"{md_escape(link['to'])}{tags} ({md_escape(link['analyst'])})")
            if link["quote"]:
                lines.append(f"  > {md_escape(link['quote'])}")
            if link["note"]:
                lines.append(f"  - note: {md_escape(link['note'])}")
    lines += ["", "## Articles", ""]
    for a in brief.articles:
        tags = f" — {md_escape(_tag_text(a['tags']))}" if a["tags"] else ""
        meta = ", ".join(x for x in (md_escape(a["source"]), md_escape(a["author"]),
                                     md_escape(a["published"]) or "undated") if x)
        lines.append(f"- {md_escape(a['title'])} ({meta}){tags}")
    # Whatever the field, no control character reaches the reader's terminal or editor.
    stream.write(safe_text("\n".join(lines) + "\n").encode("utf-8"))
    if progress:
        progress(1, 1)
