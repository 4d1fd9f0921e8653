"""The brief: what a colleague reads. Timeline, key entities with their roles and links,
articles with their triage tags, evidence quoted. Markdown that reads as plain text; the HTML
report (html.py) shows the same `Brief`.

Everything in it is of the exported selection, not of the dossier: mention counts count the
selected articles' mentions, events are those of the selection, and a quote is the whole
sentence of the evidence (a span cut at a line end of a hard-wrapped body is widened to its
sentence; line ends are spaces). The same event reported by near-duplicate articles (the same
wire resent, a copy on another site) is one event with every source: same dates and evidence
sentences whose words overlap by `SAME_EVENT` or more (Jaccard over lower-case words).

Key entities, by a rule the brief states at its head: those the analyst tagged first, then by
the number of selected articles naming them, then mentions. Not key: a wire service or outlet
(an entity whose name or alias is one of the selection's `source` values, or one of
`WIRE_SERVICES`), and, in a selection of `UBIQUITY_MIN` articles or more, an entity named in
`UBIQUITY` of them or more that no event of the selection involves, no exported link joins
and the analyst has not tagged: it is the backdrop (the country of every dateline, the
subject of every headline's context), not a player, and is listed on one line instead.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import IO, Any

from dossier.export.base import Progress
from dossier.export.selection import Resolved, Selection, resolve
from dossier.safetext import safe_line, safe_text
from dossier.store import Store, views

KEY_ENTITIES = 25
SAME_EVENT = 0.7
UBIQUITY = 0.8
UBIQUITY_MIN = 5
WIRE_SERVICES = frozenset({
    "reuters", "thomson reuters", "ap", "associated press", "the associated press", "afp",
    "agence france-presse", "agence france presse", "upi", "united press international",
    "bloomberg", "bloomberg news", "dpa", "deutsche presse-agentur", "xinhua",
    "xinhua news agency", "tass", "itar-tass", "ria novosti", "interfax", "kyodo",
    "kyodo news", "ansa", "efe", "pa", "press association", "pa media", "yonhap", "pti",
    "press trust of india", "anadolu", "anadolu agency", "aap", "australian associated press",
    "cp", "canadian press", "the canadian press", "wikinews",
})


@dataclass
class Brief:
    """Everything the brief shows, gathered once for Markdown and HTML."""

    title: str
    events: list[dict[str, Any]] = field(default_factory=list)
    entities: list[dict[str, Any]] = field(default_factory=list)
    backdrop: list[dict[str, Any]] = field(default_factory=list)  # in nearly every article
    articles: list[dict[str, Any]] = field(default_factory=list)
    links: list[dict[str, Any]] = field(default_factory=list)
    unresolved: list[dict[str, Any]] = field(default_factory=list)
    article_count: int = 0
    rule: str = ""


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


def norm(name: str | None) -> str:
    """A name as compared with outlets: case-folded, dots dropped, spaces collapsed."""
    return " ".join((name or "").casefold().replace(".", "").split())


# A sentence ends at . ! ? (and closing quotes) before a capital, digit or opening quote, or
# at a blank line; a single line end is a space (bodies may be hard-wrapped).
_END = re.compile(r"[.!?]+[\"”’)]*(?=\s+[\"“‘(]?[A-Z0-9])|\n[ \t]*\n")
_ABBREV = re.compile(r"(?:\b[A-Z]|\b(?:Mr|Mrs|Ms|Dr|St|Gen|Sen|Rep|Gov|Col|Capt|Lt|Jan|Feb|"
                     r"Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|No|vs|U\.S|U\.N|Corp|Inc|"
                     r"Co|Ltd|etc))\.$")


def whole_sentence(body: str, start: int, end: int) -> str:
    """The whole sentence(s) around body[start:end], on one line."""
    start, end = max(0, start), min(len(body), max(start, end))
    lo = max(0, start - 2000)
    begin = lo
    for m in _END.finditer(body, lo, start):
        if m.end() <= start and not _abbrev(body, m):
            begin = m.end()
    finish = len(body)
    for m in _END.finditer(body, max(begin, end - 1), min(len(body), end + 2000)):
        if m.start() >= end - 1 and not _abbrev(body, m):
            finish = m.end() if not m.group().startswith("\n") else m.start()
            break
    else:
        finish = min(len(body), end + 2000) if end + 2000 < len(body) else len(body)
    return " ".join(body[begin:finish].split())


def _abbrev(body: str, m: re.Match[str]) -> bool:
    return m.group().startswith(".") and bool(_ABBREV.search(body[max(0, m.start() - 6):
                                                                  m.start() + 1]))


def _words(text: str | None) -> set[str]:
    return set(re.findall(r"\w+", (text or "").casefold()))


def same_event(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Two events of different articles that are one: same dates, near-identical sentence."""
    if (a["start"], a["end"]) != (b["start"], b["end"]) or a["article_id"] == b["article_id"]:
        return False
    wa, wb = _words(a["quote"]), _words(b["quote"])
    return bool(wa and wb) and len(wa & wb) / len(wa | wb) >= SAME_EVENT


def _source(article: Any) -> str:
    return ", ".join(x for x in (article.source or "source unknown", f"“{article.title}”",
                                 article.published or "undated") if x)


def gather(store: Store, r: Resolved, limit_articles: int = 2000) -> Brief:
    brief = Brief(title=store.get_meta("title") or "Dossier brief")
    articles: dict[int, Any] = {}

    def article(article_id: int | None) -> Any:
        if article_id is None:
            return None
        if article_id not in articles:
            articles[article_id] = store.get_article(article_id)
        return articles[article_id]

    def quote(article_id: int | None, start: int | None, end: int | None) -> str | None:
        a = article(article_id)
        if a is None or start is None or end is None:
            return None
        return whole_sentence(a.body, start, end) or None

    players: set[int] = set()  # entities an event of the selection involves, or a link joins
    offset = 0
    while True:
        page = store.list_events(offset, 500)
        if not page:
            break
        offset += len(page)
        for ev in page:
            if ev.id is None or not r.has("event", ev.id):
                continue
            source = article(ev.article_id)
            players.update(ev.entity_ids)
            item = {
                "id": ev.id, "when": when(ev.date_start, ev.date_end, ev.precision),
                "start": ev.date_start, "end": ev.date_end, "precision": ev.precision,
                "title": ev.title, "date_text": ev.date_text, "resolution": ev.resolution,
                "tags": _tags(store, "event", ev.id), "article_id": ev.article_id,
                "entities": [e.name for e in store.get_entities(ev.entity_ids).values()],
                # the sentence holding the date: the evidence widened to it, or narrowed
                "quote": quote(ev.article_id, *((ev.date_start_char, ev.date_end_char)
                                                if ev.date_start_char is not None
                                                else (ev.evidence_start, ev.evidence_end))),
                "sources": [_source(source)] if source else [],
            }
            if ev.date_start is None:
                brief.unresolved.append(item)
                continue
            twin = next((e for e in reversed(brief.events[-50:]) if same_event(e, item)), None)
            if twin is None:
                brief.events.append(item)
                continue
            twin["sources"] += [s for s in item["sources"] if s not in twin["sources"]]
            twin["entities"] += [n for n in item["entities"] if n not in twin["entities"]]
            for tagset, tags in item["tags"].items():
                twin["tags"].setdefault(tagset, [])
                twin["tags"][tagset] += [t for t in tags if t not in twin["tags"][tagset]]
    for link in store.iter_rows("links"):
        if not (r.has(link["from_kind"], link["from_id"]) and r.has(link["to_kind"],
                                                                     link["to_id"])):
            continue
        players.update(link[f"{end}_id"] for end in ("from", "to")
                       if link[f"{end}_kind"] == "entity")
        evidence = article(link["evidence_article_id"])
        brief.links.append({
            "id": link["id"], "from": _name(store, link["from_kind"], link["from_id"]),
            "relation": link["relation"], "to": _name(store, link["to_kind"], link["to_id"]),
            "from_key": (link["from_kind"], link["from_id"]),
            "to_key": (link["to_kind"], link["to_id"]),
            "note": link["note"], "analyst": link["analyst"],
            "quote": quote(link["evidence_article_id"], link["evidence_start"],
                           link["evidence_end"]),
            "source": _source(evidence) if evidence else None,
            "tags": _tags(store, "link", link["id"]),
        })
    _key_entities(store, r, brief, players)
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


def _key_entities(store: Store, r: Resolved, brief: Brief, players: set[int]) -> None:
    """Entities ranked within the selection; outlets and the backdrop set apart (see above)."""
    ids = None if r.articles is None else sorted(r.articles)
    stats = views.mention_stats(store, ids)
    brief.article_count = store.count_articles() if ids is None else len(ids)
    outlets = {norm(source) for source in views.article_sources(store, ids)}
    outlets |= WIRE_SERVICES | {o.removeprefix("the ") for o in outlets}
    tagged = views.tagged_ids(store, "entity")
    ranked = sorted((i for i in stats if r.has("entity", i)),
                    key=lambda i: (i not in tagged, -stats[i][1], -stats[i][0], i))
    many = brief.article_count >= UBIQUITY_MIN
    brief.rule = (f"Counts are of the {brief.article_count} articles exported. Not key "
                  "entities: wire services and the outlets of these articles"
                  + (f", and entities named in {UBIQUITY:.0%} of the articles or more that "
                     "no event involves, no link joins and no tag marks, listed apart"
                     if many else "") + ".")
    threshold = UBIQUITY * brief.article_count
    for entity_id in ranked:
        if len(brief.entities) >= KEY_ENTITIES and (
                len(brief.backdrop) >= KEY_ENTITIES or not many
                or (entity_id not in tagged and stats[entity_id][1] < threshold)):
            break  # ranked by spread: no later entity can be key or backdrop
        full = store.get_entity(entity_id)
        if full is None:
            continue
        names = {norm(full.name)} | {norm(a) for a in full.aliases}
        if names & outlets:
            continue
        mentions, in_articles = stats[entity_id]
        item = {
            "id": entity_id, "name": full.name, "kind": full.kind, "mentions": mentions,
            "articles": in_articles,
            "aliases": [a for a in full.aliases if a != full.name],
            "description": full.description, "tags": _tags(store, "entity", entity_id),
        }
        if many and entity_id not in tagged and entity_id not in players and \
                in_articles >= threshold:
            if len(brief.backdrop) < KEY_ENTITIES:
                brief.backdrop.append(item)
        elif len(brief.entities) < KEY_ENTITIES:
            brief.entities.append(item)


def _event_details(ev: dict[str, Any]) -> list[tuple[str, str]]:
    """The lines under an event: who it involves, its quote, its sources."""
    details = []
    if ev["entities"]:
        details.append(("involves", ", ".join(ev["entities"])))
    if ev["quote"]:
        details.append(("quote", ev["quote"]))
    return details + [("source", src) for src in ev["sources"]]


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


@dataclass
class Item:
    """One entry of a section: a head line of styled parts, then its details, each
    (kind, text): involves, quote, source, also, description, note, url."""

    head: list[tuple[str, str]]  # (style, text): "" plain, "strong", "em", "paren", "tags"
    details: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Section:
    title: str
    intro: str = ""
    items: list[Item] = field(default_factory=list)
    level: int = 2


def outline(brief: Brief) -> tuple[str, list[Section]]:
    """What the brief says, in order, for both renderings (Markdown and HTML carry the same
    content because both draw this)."""
    summary = (f"{len(brief.articles)} articles, {len(brief.entities)} key entities, "
               f"{len(brief.events)} dated events, {len(brief.links)} links. {brief.rule}")
    timeline = Section("Timeline")
    for ev in brief.events:
        head = [("strong", ev["when"]), ("paren", ev["precision"]), ("", f" — {ev['title']}")]
        if ev["tags"]:
            head.append(("tags", _tag_text(ev["tags"])))
        timeline.items.append(Item(head, _event_details(ev)))
    sections = [timeline]
    if brief.unresolved:
        pending = Section("Dates still to resolve", "Their article has no date to count from.",
                          level=3)
        for ev in brief.unresolved:
            pending.items.append(Item([("strong", f"“{ev['date_text']}”"),
                                       ("", f": {ev['title']}")], _event_details(ev)))
        sections.append(pending)
    key = Section("Key entities")
    for e in brief.entities:
        head = [("strong", e["name"]),
                ("paren", f"{e['kind']}, {e['mentions']} mentions in {e['articles']} "
                          f"{'article' if e['articles'] == 1 else 'articles'}")]
        if e["tags"]:
            head.append(("tags", _tag_text(e["tags"])))
        details = []
        if e["aliases"]:
            details.append(("also", ", ".join(e["aliases"])))
        if e["description"]:
            details.append(("description", e["description"]))
        key.items.append(Item(head, details))
    sections.append(key)
    if brief.backdrop:
        sections.append(Section("Named in nearly every article", ", ".join(
            f"{e['name']} ({e['articles']} of {brief.article_count})"
            for e in brief.backdrop), level=3))
    links = Section("Links")
    for link in brief.links:
        head = [("", f"{link['from']} — "), ("em", link["relation"]),
                ("", f" → {link['to']}")]
        if link["tags"]:
            head.append(("tags", _tag_text(link["tags"])))
        if link["analyst"]:
            head.append(("paren", link["analyst"]))
        details = []
        if link["quote"]:
            details.append(("quote", link["quote"]))
            if link["source"]:
                details.append(("source", link["source"]))
        if link["note"]:
            details.append(("note", link["note"]))
        links.items.append(Item(head, details))
    sections.append(links)
    listing = Section("Articles")
    for a in brief.articles:
        meta = ", ".join(x for x in (a["source"], a["author"], a["published"] or "undated")
                         if x)
        head = [("", a["title"]), ("paren", meta)]
        if a["tags"]:
            head.append(("tags", _tag_text(a["tags"])))
        listing.items.append(Item(head, [("url", a["url"])] if a["url"] else []))
    sections.append(listing)
    return summary, sections


_MD_DETAIL = {"involves": "  - involves: {}", "quote": "  > {}", "source": "  > — {}",
              "also": "  - also: {}", "description": "  - {}", "note": "  - note: {}",
              "url": "  - {}"}


def write(store: Store, selection: Selection, stream: IO[bytes],
          progress: Progress | None = None) -> None:
    brief = gather(store, resolve(store, selection))
    summary, sections = outline(brief)
    lines: list[str] = [f"# {md_escape(brief.title)}", "", md_escape(summary)]
    for section in sections:
        lines += ["", f"{'#' * section.level} {md_escape(section.title)}", ""]
        if section.intro:
            lines += [md_escape(section.intro), ""]
        for item in section.items:
            head = ""
            for style, text in item.head:
                if style == "strong":
                    head += f"**{md_escape(text)}**"
                elif style == "em":
                    head += f"*{md_escape(text)}*"
                elif style == "tags":
                    head += f" [{md_escape(text)}]"
                elif style == "paren":
                    head += f" ({md_escape(text)})"
                else:  # md_escape folds spaces: the ones around a part are kept
                    lead = " " if text[:1].isspace() else ""
                    tail = " " if text[-1:].isspace() else ""
                    head += lead + md_escape(text) + tail
            lines.append(f"- {head}")
            lines += [_MD_DETAIL[kind].format(md_escape(text)) for kind, text in item.details]
    # Whatever the field, no control character reaches the reader's terminal or editor.
    stream.write(safe_text("\n".join(lines) + "\n").encode("utf-8"))
    if progress:
        progress(1, 1)
