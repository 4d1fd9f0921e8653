"""GraphML for Gephi and yEd: entities, articles and events as nodes; analyst links, mentions
(article -> entity, weight = mentions), event involvement and entity co-occurrence (weight =
shared articles) as edges with attributes.

Co-occurrence is bounded: within each article only its `COOCCURRENCE_TOP` most-mentioned
entities (ties: the first named) are paired, so an article naming 4,000 entities adds at most
1,225 pairs instead of 8 million. Every string passes `safe_line` (terminal controls made
visible) and then loses any character XML 1.0 forbids (U+FFFE, U+FFFF, lone surrogates), so
every XML parser reads the file.
"""

from __future__ import annotations

from collections import Counter
from typing import IO
from xml.sax.saxutils import escape, quoteattr

from dossier.export.base import Progress, xml_chars
from dossier.export.selection import Selection, resolve
from dossier.safetext import safe_line
from dossier.store import Store
from dossier.store.graph import entities_by_article, event_entities

COOCCURRENCE_TOP = 50  # entities of an article paired for co-occurrence: 50 * 49 / 2 pairs

KEYS = [("label", "node", "string"), ("kind", "node", "string"), ("type", "node", "string"),
        ("date", "node", "string"), ("tags", "node", "string"),
        ("relation", "edge", "string"), ("edge_kind", "edge", "string"),
        ("weight", "edge", "double"), ("analyst", "edge", "string")]


def _xml(text: str | None) -> str:
    # XML 1.0 cannot hold most control characters at all: show them as placeholders.
    return escape(xml_chars(safe_line(text or "")))


def write(store: Store, selection: Selection, stream: IO[bytes],
          progress: Progress | None = None) -> None:
    r = resolve(store, selection)
    w = stream.write
    w(b'<?xml version="1.0" encoding="UTF-8"?>\n'
      b'<graphml xmlns="http://graphml.graphdrawing.org/xmlns">\n')
    for name, domain, kind in KEYS:
        w(f'  <key id="{name}" for="{domain}" attr.name="{name}" attr.type="{kind}"/>\n'
          .encode())
    w(b'  <graph id="dossier" edgedefault="directed">\n')

    def tags(kind: str, item_id: int) -> str:
        return ", ".join(f"{t.tagset}:{t.tag}" for t in store.tags_for(kind, item_id))

    def node(node_id: str, data: dict[str, str | None]) -> None:
        w(f'    <node id="{node_id}">'.encode())
        for k, v in data.items():
            if v:
                w(f'<data key="{k}">{_xml(v)}</data>'.encode())
        w(b"</node>\n")

    nodes = set()
    for row in store.iter_rows("entities"):
        if r.has("entity", row["id"]):
            nodes.add(f"entity-{row['id']}")
            node(f"entity-{row['id']}", {"label": row["name"], "kind": "entity",
                                         "type": row["kind"], "tags": tags("entity", row["id"])})
    for row in store.iter_rows("articles"):
        if r.has("article", row["id"]):
            nodes.add(f"article-{row['id']}")
            node(f"article-{row['id']}", {"label": row["title"], "kind": "article",
                                          "type": row["source"], "date": row["published"],
                                          "tags": tags("article", row["id"])})
    for row in store.iter_rows("events"):
        if r.has("event", row["id"]):
            nodes.add(f"event-{row['id']}")
            node(f"event-{row['id']}", {"label": row["title"], "kind": "event",
                                        "type": row["precision"], "date": row["date_start"],
                                        "tags": tags("event", row["id"])})
    edge_no = 0

    def edge(a: str, b: str, data: dict[str, str | float | None]) -> None:
        nonlocal edge_no
        if a not in nodes or b not in nodes:
            return
        edge_no += 1
        w(f'    <edge id="e{edge_no}" source={quoteattr(a)} target={quoteattr(b)}>'.encode())
        for k, v in data.items():
            if v is not None:
                w(f'<data key="{k}">{_xml(str(v))}</data>'.encode())
        w(b"</edge>\n")

    for link in store.iter_rows("links"):
        edge(f"{link['from_kind']}-{link['from_id']}", f"{link['to_kind']}-{link['to_id']}",
             {"relation": link["relation"], "edge_kind": "link", "weight": 1.0,
              "analyst": link["analyst"]})
    pairs: Counter[tuple[int, int]] = Counter()
    current, top = None, []

    def pair_up() -> None:
        for i, a in enumerate(top):
            for b in top[i + 1:]:
                pairs[(min(a, b), max(a, b))] += 1

    for article_id, entity_id, n in entities_by_article(store.conn):
        if article_id != current:
            pair_up()
            current, top = article_id, []
        if not (r.has("article", article_id) and r.has("entity", entity_id)):
            continue
        edge(f"article-{article_id}", f"entity-{entity_id}",
             {"relation": "mentions", "edge_kind": "mention", "weight": float(n)})
        if len(top) < COOCCURRENCE_TOP:
            top.append(entity_id)
    pair_up()
    for event_id, entity_id in event_entities(store.conn):
        edge(f"event-{event_id}", f"entity-{entity_id}",
             {"relation": "involves", "edge_kind": "involvement", "weight": 1.0})
    for (a, b), n in sorted(pairs.items()):
        edge(f"entity-{a}", f"entity-{b}",
             {"relation": "co-occurs", "edge_kind": "cooccurrence", "weight": float(n)})
    w(b"  </graph>\n</graphml>\n")
    if progress:
        progress(1, 1)
