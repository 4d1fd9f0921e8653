"""GraphML for Gephi and yEd: entities, articles and events as nodes; analyst links, mentions
(article -> entity, weight = mentions), event involvement and entity co-occurrence (weight =
shared articles) as edges with attributes."""

from __future__ import annotations

from collections import Counter
from typing import IO
from xml.sax.saxutils import escape, quoteattr

from dossier.export.base import Progress
from dossier.export.selection import Selection, resolve
from dossier.safetext import safe_line
from dossier.store import Store

KEYS = [("label", "node", "string"), ("kind", "node", "string"), ("type", "node", "string"),
        ("date", "node", "string"), ("tags", "node", "string"),
        ("relation", "edge", "string"), ("edge_kind", "edge", "string"),
        ("weight", "edge", "double"), ("analyst", "edge", "string")]


def _xml(text: str | None) -> str:
    # XML 1.0 cannot hold most control characters at all: show them as placeholders.
    return escape(safe_line(text or ""))


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
    for article_id, entity_id, n in store.conn.execute(
            "SELECT article_id, entity_id, count(*) FROM mentions GROUP BY article_id, "
            "entity_id ORDER BY article_id, entity_id"):
        edge(f"article-{article_id}", f"entity-{entity_id}",
             {"relation": "mentions", "edge_kind": "mention", "weight": float(n)})
    for event_id, entity_id in store.conn.execute(
            "SELECT event_id, entity_id FROM event_entities ORDER BY id"):
        edge(f"event-{event_id}", f"entity-{entity_id}",
             {"relation": "involves", "edge_kind": "involvement", "weight": 1.0})
    pairs: Counter[tuple[int, int]] = Counter()
    current, seen = None, []
    for article_id, entity_id in store.conn.execute(
            "SELECT DISTINCT article_id, entity_id FROM mentions ORDER BY article_id"):
        if article_id != current:
            current, seen = article_id, []
        for other in seen:
            pairs[(min(other, entity_id), max(other, entity_id))] += 1
        seen.append(entity_id)
    for (a, b), n in sorted(pairs.items()):
        edge(f"entity-{a}", f"entity-{b}",
             {"relation": "co-occurs", "edge_kind": "cooccurrence", "weight": float(n)})
    w(b"  </graph>\n</graphml>\n")
    if progress:
        progress(1, 1)
