"""FollowTheMoney entities as JSON lines: what Aleph and OpenSanctions tooling read.

person -> Person, organisation -> Organization (Company when a link says it is owned: FtM's
Ownership wants an Asset), place -> Address, other -> LegalEntity; articles -> Article,
events -> Event (involved entities, dates at their precision), each mention -> Mention
(document, resolved entity). A link becomes the FtM schema its relation means (`LINK_NAMES`,
or the relation type's `ftm:` in the tag-set YAML): member of -> Membership, works for ->
Employment, owns -> Ownership, paid -> Payment, family -> Family, associate -> Associate,
director of -> Directorship, represents -> Representation, succeeded -> Succession, owes ->
Debt; UnknownLink (role = the relation) when the relation has no FtM meaning or its ends are
not of the kinds the schema joins. Its evidence: `proof` the Article (a kind of Document),
`summary` the evidence sentence, `sourceUrl` the article's URL. Tags go to `keywords` as
`set:tag` (a link has no keywords in FtM: its tags follow its note in `description`), notes
to `description`. Ids are stable: `dossier-<kind>-<id>`.
"""

from __future__ import annotations

from typing import IO, Any

from dossier.export.base import Progress, dumps
from dossier.export.selection import Selection, resolve, rows
from dossier.store import Store, views
from dossier.tagsets import FTM_SCHEMAS, TagSetFileErrors, load_tagsets

SCHEMA = {"person": "Person", "organisation": "Organization", "place": "Address",
          "other": "LegalEntity"}

_PERSON = frozenset({"person"})
_ORG = frozenset({"organisation"})
_LEGAL = frozenset({"person", "organisation", "other"})  # FtM LegalEntity and its kinds
_ANY = None  # UnknownLink joins any Thing: entities, articles, events
# schema -> (first party, second party, kinds of the first, of the second, label property).
# The property names are FtM's own (followthemoney/schema/*.yaml).
LINK_SCHEMAS: dict[str, tuple[str, str, frozenset[str] | None, frozenset[str] | None, str]] = {
    "Membership": ("member", "organization", _LEGAL, _ORG, "role"),
    "Employment": ("employee", "employer", _PERSON, _ORG, "role"),
    "Ownership": ("owner", "asset", _LEGAL, _ORG, "role"),
    "Payment": ("payer", "beneficiary", _LEGAL, _LEGAL, "purpose"),
    "Family": ("person", "relative", _PERSON, _PERSON, "relationship"),
    "Associate": ("person", "associate", _PERSON, _PERSON, "relationship"),
    "Directorship": ("director", "organization", _LEGAL, _ORG, "role"),
    "Representation": ("agent", "client", _LEGAL, _LEGAL, "role"),
    "Succession": ("predecessor", "successor", _LEGAL, _LEGAL, "role"),
    "Debt": ("debtor", "creditor", _LEGAL, _LEGAL, "description"),
    "UnknownLink": ("subject", "object", _ANY, _ANY, "role"),
}
assert set(LINK_SCHEMAS) == set(FTM_SCHEMAS)


def _names(schema: str, forward: str, backward: str = "") -> dict[str, tuple[str, bool]]:
    out = {n.strip(): (schema, False) for n in forward.split(",") if n.strip()}
    out.update({n.strip(): (schema, True) for n in backward.split(",") if n.strip()})
    return out


# A relation's name (case and spaces aside) -> (schema, whether `from` is the second party).
LINK_NAMES: dict[str, tuple[str, bool]] = {
    **_names("Membership", "member of, member, joined, belongs to", "has member, members"),
    **_names("Employment", "works for, employed by, employee of, works at, worked for",
             "employs, employer of"),
    **_names("Ownership", "owns, owner of, shareholder of, bought, acquired",
             "owned by, subsidiary of, belongs to company"),
    **_names("Payment", "paid, pays, paid to, payment to, funded, financed, bribed",
             "paid by, received payment from, funded by, financed by, bribed by"),
    **_names("Family", "family, family of, relative of, related to, married to, spouse of, "
             "sibling of, brother of, sister of, child of, son of, daughter of, parent of, "
             "father of, mother of, cousin of"),
    **_names("Associate", "associate, associate of, associated with, knows, partner of, "
             "business partner of, friend of, close to"),
    **_names("Directorship", "director of, board member of, chairman of, chair of, "
             "ceo of, chief executive of, president of, head of, runs, manages",
             "directed by, has director, chaired by, headed by, run by"),
    **_names("Representation", "represents, lawyer for, lawyer of, agent for, agent of, "
             "attorney for, lobbied for, acts for", "represented by, client of"),
    **_names("Succession", "predecessor of, preceded", "successor of, succeeded, replaced"),
    **_names("Debt", "owes, debtor of, borrowed from, indebted to",
             "lent to, creditor of, loaned to"),
}


def link_schema(relation: str, named: str = "") -> tuple[str, bool]:
    """The FtM schema of a relation (its tag-set `ftm:` first, else its name) and whether
    `from` is the schema's second party; ("UnknownLink", False) when it has no FtM meaning."""
    if named in LINK_SCHEMAS:
        return named, False
    return LINK_NAMES.get(" ".join(relation.lower().split()), ("UnknownLink", False))


def _named_schemas(store: Store) -> dict[str, str]:
    """Relation name -> the `ftm:` its tag-set type names (the default sets and those the
    dossier remembers); a broken remembered value names none."""
    try:
        config = load_tagsets(store=store)
    except TagSetFileErrors:
        return {}
    return {name: r.ftm for name, r in config.relations.items() if r.ftm}


def fid(kind: str, item_id: int) -> str:
    return f"dossier-{kind}-{item_id}"


def _clean(props: dict[str, list[Any]]) -> dict[str, list[str]]:
    return {k: [str(v) for v in vs if v not in (None, "")] for k, vs in props.items()
            if any(v not in (None, "") for v in vs)}


def write(store: Store, selection: Selection, stream: IO[bytes],
          progress: Progress | None = None) -> None:
    r = resolve(store, selection)

    def emit(schema: str, item_id: str, props: dict[str, list[Any]]) -> None:
        stream.write(dumps({"id": item_id, "schema": schema, "properties": _clean(props)}
                           ).encode("utf-8") + b"\n")

    def keywords(kind: str, item_id: int) -> list[str]:
        return [f"{t.tagset}:{t.tag}" for t in store.tags_for(kind, item_id)]

    named = _named_schemas(store)
    links = list(rows(store, "links", r))
    entity_kinds = views.entity_kinds(store, [row[f"{end}_id"] for row in links
                                              for end in ("from", "to")
                                              if row[f"{end}_kind"] == "entity"])
    plans: dict[int, tuple[str, bool]] = {}
    owned: set[int] = set()
    for row in links:
        schema, backward = link_schema(row["relation"], named.get(row["relation"], ""))
        ends = [(row["from_kind"], row["from_id"]), (row["to_kind"], row["to_id"])]
        if backward:
            ends.reverse()
        _, _, first_kinds, second_kinds, _ = LINK_SCHEMAS[schema]
        if not all(allowed is None or (kind == "entity" and entity_kinds.get(item) in allowed)
                   for allowed, (kind, item) in zip((first_kinds, second_kinds), ends,
                                                    strict=True)):
            schema, backward = "UnknownLink", False  # the ends are not what the schema joins
        elif schema == "Ownership":
            owned.add(ends[1][1])
        plans[row["id"]] = (schema, backward)
    kinds: dict[int, str] = {}
    aliases: dict[int, list[str]] = {}
    for row in rows(store, "aliases", r):
        aliases.setdefault(row["entity_id"], []).append(row["alias"])
    for row in rows(store, "entities", r):
        kinds[row["id"]] = row["kind"]
        schema = SCHEMA.get(row["kind"], "LegalEntity")
        if row["id"] in owned:
            schema = "Company"  # an Organization that is also an Asset, as Ownership needs
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
        legal = kinds.get(row["entity_id"]) in _LEGAL  # `resolved` must be a LegalEntity
        emit("Mention", fid("mention", row["id"]), {
            "document": [fid("article", row["article_id"])],
            "resolved": [fid("entity", row["entity_id"])] if legal else [],
            "name": [row["text"]],
            "detectedSchema": [SCHEMA.get(kinds.get(row["entity_id"], "other"), "LegalEntity")],
        })
    involved: dict[int, list[int]] = {}
    for row in rows(store, "event_entities", r):
        involved.setdefault(row["event_id"], []).append(row["entity_id"])
    for row in rows(store, "events", r):
        ends = involved.get(row["id"], [])
        props = {"name": [row["title"]], "summary": [row["date_text"]],
                 "involved": [fid("entity", e) for e in ends if kinds.get(e) in _LEGAL],
                 "addressEntity": [fid("entity", e) for e in ends if kinds.get(e) == "place"],
                 "keywords": keywords("event", row["id"])}
        if row["date_start"]:
            if row["date_end"]:
                props["startDate"] = [row["date_start"]]
                props["endDate"] = [row["date_end"]]
            else:
                props["date"] = [row["date_start"]]
        emit("Event", fid("event", row["id"]), props)
    for row in links:
        relation = row["relation"]
        schema, backward = plans[row["id"]]
        first, second, _, _, label = LINK_SCHEMAS[schema]
        ends = [(row["from_kind"], row["from_id"]), (row["to_kind"], row["to_id"])]
        if backward:
            ends.reverse()
        props: dict[str, list[Any]] = {
            first: [fid(*ends[0])], second: [fid(*ends[1])], "description": [row["note"]],
            "date": [row["created_at"][:10]], "publisher": [row["analyst"]],
        }
        props[label] = [relation] + props.get(label, [])  # Debt has no role: its description
        tags = keywords("link", row["id"])
        if tags:  # an Interval has no keywords: the tags go with the description
            props["description"].append("tags: " + ", ".join(tags))
        evidence = row["evidence_article_id"]
        if evidence is not None:
            article = store.get_article(evidence)
            if article is not None:
                if r.has("article", evidence):
                    props["proof"] = [fid("article", evidence)]
                props["sourceUrl"] = [article.url]
                start, end = row["evidence_start"], row["evidence_end"]
                if start is not None and end is not None:
                    props["summary"] = [" ".join(article.body[start:end].split())]
        emit(schema, fid("link", row["id"]), props)
    if progress:
        progress(total, total)
