"""FollowTheMoney entities as JSON lines: what Aleph and OpenSanctions tooling read.

person -> Person, organisation -> Organization, place -> Address, other -> LegalEntity;
articles -> Article, events -> Event (involved entities, dates at their precision), each
mention -> Mention (document, resolved entity), links -> Associate between two people and
UnknownLink otherwise (role = the relation). Tags go to `keywords` as `set:tag`, notes to
`notes`. Ids are stable: `dossier-<kind>-<id>`.
"""

from __future__ import annotations

from typing import IO, Any

from dossier.export.base import Progress
from dossier.export.selection import Selection, resolve, rows
from dossier.safetext import json_text
from dossier.store import Store

SCHEMA = {"person": "Person", "organisation": "Organization", "place": "Address",
          "other": "LegalEntity"}


def fid(kind: str, item_id: int) -> str:
    return f"dossier-{kind}-{item_id}"


def _clean(props: dict[str, list[Any]]) -> dict[str, list[str]]:
    return {k: [str(v) for v in vs if v not in (None, "")] for k, vs in props.items()
            if any(v not in (None, "") for v in vs)}


def write(store: Store, selection: Selection, stream: IO[bytes],
          progress: Progress | None = None) -> None:
    r = resolve(store, selection)

    def emit(schema: str, item_id: str, props: dict[str, list[Any]]) -> None:
        stream.write(json_text({"id": item_id, "schema": schema, "properties": _clean(props)}
                               ).encode("utf-8") + b"\n")

    def keywords(kind: str, item_id: int) -> list[str]:
        return [f"{t.tagset}:{t.tag}" for t in store.tags_for(kind, item_id)]

    kinds: dict[int, str] = {}
    aliases: dict[int, list[str]] = {}
    for row in rows(store, "aliases", r):
        aliases.setdefault(row["entity_id"], []).append(row["alias"])
    for row in rows(store, "entities", r):
        kinds[row["id"]] = row["kind"]
        schema = SCHEMA.get(row["kind"], "LegalEntity")
        props: dict[str, list[Any]] = {
            "name": [row["name"]],
            "alias": [a for a in aliases.get(row["id"], []) if a != row["name"]],
            "description": [row["description"]],
            "keywords": keywords("entity", row["id"]),
        }
        if schema == "Address":
            props["full"] = [row["name"]]
        emit(schema, fid("entity", row["id"]), props)
    total = store.count_articles()
    for n, row in enumerate(rows(store, "articles", r), 1):
        emit("Article", fid("article", row["id"]), {
            "title": [row["title"]], "name": [row["title"]], "author": [row["author"]],
            "publishedAt": [row["published"]], "publisher": [row["source"]],
            "sourceUrl": [row["url"]], "bodyText": [row["body"]],
            "keywords": keywords("article", row["id"]),
        })
        if progress and n % 500 == 0:
            progress(n, total)
    for row in rows(store, "mentions", r):
        emit("Mention", fid("mention", row["id"]), {
            "document": [fid("article", row["article_id"])],
            "resolved": [fid("entity", row["entity_id"])], "name": [row["text"]],
            "detectedSchema": [SCHEMA.get(kinds.get(row["entity_id"], "other"), "LegalEntity")],
        })
    involved: dict[int, list[int]] = {}
    for row in rows(store, "event_entities", r):
        involved.setdefault(row["event_id"], []).append(row["entity_id"])
    for row in rows(store, "events", r):
        props = {"name": [row["title"]], "summary": [row["date_text"]],
                 "involved": [fid("entity", e) for e in involved.get(row["id"], [])],
                 "keywords": keywords("event", row["id"])}
        if row["date_start"]:
            if row["date_end"]:
                props["startDate"] = [row["date_start"]]
                props["endDate"] = [row["date_end"]]
            else:
                props["date"] = [row["date_start"]]
        emit("Event", fid("event", row["id"]), props)
    for row in rows(store, "links", r):
        a = fid(row["from_kind"], row["from_id"])
        b = fid(row["to_kind"], row["to_id"])
        people = (row["from_kind"] == row["to_kind"] == "entity"
                  and kinds.get(row["from_id"]) == kinds.get(row["to_id"]) == "person")
        common = {"description": [row["note"]], "date": [row["created_at"][:10]],
                  "publisher": [row["analyst"]]}
        if people:
            emit("Associate", fid("link", row["id"]), {
                "person": [a], "associate": [b], "relationship": [row["relation"]], **common})
        else:
            emit("UnknownLink", fid("link", row["id"]), {
                "subject": [a], "object": [b], "role": [row["relation"]], **common})
    if progress:
        progress(total, total)
