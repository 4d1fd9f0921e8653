"""An entity's neighbourhood: the items linked to it, and the entities named with it.

Plain queries over a Store (no UI), used by the Connections view and by scripts.
"""

from __future__ import annotations

from dataclasses import dataclass

from dossier.store import Store, views


@dataclass
class Neighbour:
    """One row of Connections. A second-hop row says through whom it is reached: `via_id`
    and `via_name` name the first-hop entity it is linked to or named with (None on hop 1)."""

    kind: str
    id: int
    name: str
    relation: str  # the link's relation, or "named with" for co-occurrence
    weight: int  # 1 for a link; shared articles for co-occurrence
    hop: int
    via_id: int | None = None
    via_name: str | None = None


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
    names: dict[int, str] = {}
    for hop in range(1, hops + 1):
        next_frontier: list[int] = []
        for current in frontier:
            via_id = None if hop == 1 else current
            via_name = None if via_id is None else names.get(current) or store.item_name(
                "entity", current)
            for link in store.links_for("entity", current):
                other = (link.to_kind, link.to_id) if (link.from_kind, link.from_id) == (
                    "entity", current) else (link.from_kind, link.from_id)
                if other in seen:
                    continue
                seen.add(other)
                name = store.item_name(*other)
                out.append(Neighbour(other[0], other[1], name, link.relation, 1, hop,
                                     via_id, via_name))
                if other[0] == "entity":
                    names[other[1]] = name
                    next_frontier.append(other[1])
            together = co_occurring(store, current, per_hop)
            found = store.get_entities(i for i, _ in together)
            for other_id, shared in together:
                if ("entity", other_id) in seen or other_id not in found:
                    continue
                seen.add(("entity", other_id))
                names[other_id] = found[other_id].name
                out.append(Neighbour("entity", other_id, found[other_id].name, "named with",
                                     shared, hop, via_id, via_name))
                next_frontier.append(other_id)
        frontier = next_frontier[:per_hop]
    return out

