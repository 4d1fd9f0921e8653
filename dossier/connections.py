"""An entity's neighbourhood: the items linked to it, and the entities named with it.

Plain queries over a Store (no UI), used by the Connections view and by scripts.
"""

from __future__ import annotations

from dataclasses import dataclass

from dossier.store import Store, views


@dataclass
class Neighbour:
    kind: str
    id: int
    name: str
    relation: str  # the link's relation, or "named with" for co-occurrence
    weight: int  # 1 for a link; shared articles for co-occurrence
    hop: int


def co_occurring(store: Store, entity_id: int, limit: int = 15,
                 article_cap: int = 5000) -> list[tuple[int, int]]:
    """Entities named in the same articles as this one, with the number of shared articles.

    For an entity in more than `article_cap` articles, its latest articles are counted: the
    ranking stays the same in practice and the query stays under a second."""
    return views.co_occurring(store, entity_id, limit, article_cap)


def neighbourhood(store: Store, entity_id: int, hops: int = 2,
                  per_hop: int = 10) -> list[Neighbour]:
    """Linked items and co-occurring entities, one or two hops out (nearest first)."""
    seen = {("entity", entity_id)}
    out: list[Neighbour] = []
    frontier = [entity_id]
    for hop in range(1, hops + 1):
        next_frontier: list[int] = []
        for current in frontier:
            for link in store.links_for("entity", current):
                other = (link.to_kind, link.to_id) if (link.from_kind, link.from_id) == (
                    "entity", current) else (link.from_kind, link.from_id)
                if other in seen:
                    continue
                seen.add(other)
                out.append(Neighbour(other[0], other[1], store.item_name(*other), link.relation,
                                     1, hop))
                if other[0] == "entity":
                    next_frontier.append(other[1])
            names = store.get_entities(i for i, _ in co_occurring(store, current, per_hop))
            for other_id, shared in co_occurring(store, current, per_hop):
                if ("entity", other_id) in seen or other_id not in names:
                    continue
                seen.add(("entity", other_id))
                out.append(Neighbour("entity", other_id, names[other_id].name, "named with",
                                     shared, hop))
                next_frontier.append(other_id)
        frontier = next_frontier[:per_hop]
    return out

