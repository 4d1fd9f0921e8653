"""Corrections of what the machine got wrong: each one analyst change, journalled, undoable.

Entities (merge, split, rename, kind, aliases, delete), mentions (mark a missed one, drop a
wrong one), events (date, title, entities) and articles (date, with the article's relative dates
resolved again). Mixed into `Store`; every method is one `change()` batch, so `u` takes back
the whole correction at once.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from dossier.model import ENTITY_KINDS, PRECISIONS
from dossier.store.errors import query_errors
from dossier.store.journal import Change

if TYPE_CHECKING:
    from dossier.store.store import Store

Progress = Callable[[int, int], None]
MERGE_FIRST_STEP = 100  # mentions in a merge's first transaction; later ones are sized to
STEP_BUDGET_S = 0.01  # about this long of writing: what a key pressed meanwhile waits
# (date_text, anchor ISO date) -> (start, end, precision) or None: the ingest layer's resolver,
# passed in so the store does not depend on ingest.
Resolver = Callable[[str, str], tuple[str, str | None, str] | None]


class CorrectionsMixin:
    """Analyst corrections on a `Store`."""

    # ----------------------------------------------------------------- helpers

    def _ids(self: Store, sql: str, params: list[Any] | tuple[Any, ...]) -> list[int]:
        return [r[0] for r in self.conn.execute(sql, params)]

    def _require_entity(self: Store, entity_id: int) -> dict[str, Any]:
        row = self.conn.execute(
            "SELECT id, name, kind FROM entities WHERE id = ?", (entity_id,)
        ).fetchone()
        if row is None:
            raise KeyError(f"entity {entity_id} does not exist")
        return {"id": row[0], "name": row[1], "kind": row[2]}

    def _add_alias_row(self: Store, ch: Change, entity_id: int, alias: str, origin: str) -> bool:
        from dossier.store.store import normalise_alias

        alias = alias.strip()
        norm = normalise_alias(alias)
        if not norm:
            return False
        exists = self.conn.execute(
            "SELECT 1 FROM aliases WHERE entity_id = ? AND norm = ?", (entity_id, norm)
        ).fetchone()
        if exists:
            return False
        ch.insert("aliases", {"entity_id": entity_id, "alias": alias, "norm": norm,
                              "origin": origin})
        return True

    def _retarget_item(self: Store, ch: Change, kind: str, old_id: int, new_id: int) -> None:
        """Move an item's tags and links onto another item of the same kind."""
        for tag_id, tagset, tag in self.conn.execute(
            "SELECT id, tagset, tag FROM taggings WHERE target_kind = ? AND target_id = ?",
            (kind, old_id),
        ).fetchall():
            dup = self.conn.execute(
                "SELECT 1 FROM taggings WHERE target_kind = ? AND target_id = ? AND tagset = ? "
                "AND tag = ?", (kind, new_id, tagset, tag),
            ).fetchone()
            if dup:
                ch.delete("taggings", tag_id)
            else:
                ch.update("taggings", tag_id, {"target_id": new_id})
        for link_id in self._ids(
            "SELECT id FROM links WHERE from_kind = ? AND from_id = ?", (kind, old_id)
        ):
            ch.update("links", link_id, {"from_id": new_id})
        for link_id in self._ids(
            "SELECT id FROM links WHERE to_kind = ? AND to_id = ?", (kind, old_id)
        ):
            ch.update("links", link_id, {"to_id": new_id})

    def _delete_item_extras(self: Store, ch: Change, kind: str, item_id: int) -> None:
        """Delete an item's tags and the links from or to it (and the tags on those links)."""
        for tag_id in self._ids(
            "SELECT id FROM taggings WHERE target_kind = ? AND target_id = ?", (kind, item_id)
        ):
            ch.delete("taggings", tag_id)
        for link_id in self._ids(
            "SELECT id FROM links WHERE (from_kind = ? AND from_id = ?) "
            "OR (to_kind = ? AND to_id = ?)", (kind, item_id, kind, item_id),
        ):
            self._delete_item_extras(ch, "link", link_id)
            ch.delete("links", link_id)

    # ----------------------------------------------------------------- entities

    def merge_entities(
        self: Store, analyst: str, source_id: int, target_id: int,
        progress: Progress | None = None, *, decided: bool = False,
    ) -> int:
        """Merge entity `source_id` into `target_id`: mentions, aliases, tags, links and event
        involvement move; the merged name becomes an alias. Returns the mentions moved.
        `decided`: an answer to a suggestion, remembered as a "same" decision in the batch."""
        if source_id == target_id:
            raise ValueError("cannot merge an entity into itself")
        source = self._require_entity(source_id)
        self._require_entity(target_id)
        (total,) = self.conn.execute(
            "SELECT count(*) FROM mentions WHERE entity_id = ?", (source_id,)).fetchone()
        # Mentions move a step at a time, each step its own short transaction: a colleague's
        # tag (or this analyst's, from the UI thread) is committed between two steps instead
        # of waiting for the whole merge. The last step moves the rest and deletes the source.
        steps = self.steps(analyst, f"merge '{source['name']}'", "entity", target_id)
        moved = 0
        size = MERGE_FIRST_STEP
        while True:
            with steps.step() as ch:
                self.require("entity", source_id)
                self.require("entity", target_id)
                mention_ids = self._ids(
                    "SELECT id FROM mentions WHERE entity_id = ? ORDER BY id LIMIT ?",
                    (source_id, size))
                started = time.perf_counter()
                ch.update_many("mentions", mention_ids, {"entity_id": target_id})
                writing = time.perf_counter() - started
            moved += len(mention_ids)
            if progress and mention_ids:
                progress(moved, max(total, moved))
            if len(mention_ids) < size:
                break
            # Steps sized to about STEP_BUDGET_S of writing on this machine, now.
            rate = len(mention_ids) / max(writing, 1e-4)
            size = max(50, min(5000, int(rate * STEP_BUDGET_S)))
        with steps.step(last=True) as ch:
            self.require("entity", source_id)
            self.require("entity", target_id)
            moved += ch.update_many(  # any added since the last step
                "mentions", self._ids("SELECT id FROM mentions WHERE entity_id = ?",
                                      (source_id,)), {"entity_id": target_id})
            for alias_id, alias in self.conn.execute(
                "SELECT id, alias FROM aliases WHERE entity_id = ?", (source_id,)
            ).fetchall():
                ch.delete("aliases", alias_id)
                self._add_alias_row(ch, target_id, alias, "analyst")
            self._add_alias_row(ch, target_id, source["name"], "analyst")
            for row_id, event_id in self.conn.execute(
                "SELECT id, event_id FROM event_entities WHERE entity_id = ?", (source_id,)
            ).fetchall():
                dup = self.conn.execute(
                    "SELECT 1 FROM event_entities WHERE event_id = ? AND entity_id = ?",
                    (event_id, target_id),
                ).fetchone()
                if dup:
                    ch.delete("event_entities", row_id)
                else:
                    ch.update("event_entities", row_id, {"entity_id": target_id})
            self._retarget_item(ch, "entity", source_id, target_id)
            if decided:
                from dossier.store.suggest import record

                record(self, ch, "entity", source_id, target_id, "same", analyst)
            ch.delete("entities", source_id)
        if progress:
            progress(moved, moved)
        return moved

    def split_entity(
        self: Store, analyst: str, entity_id: int, mention_ids: list[int], new_name: str,
        kind: str | None = None,
    ) -> int:
        """Move the chosen mentions of an entity to a new entity; return the new entity's id."""
        entity = self._require_entity(entity_id)
        kind = kind or entity["kind"]
        _check_kind(kind)
        if not new_name.strip():
            raise ValueError("the new entity needs a name")
        with self.change(analyst, f"split '{entity['name']}'", "entity", entity_id) as ch:
            from dossier.store.db import now_iso

            new_id = ch.insert("entities", {"name": new_name.strip(), "kind": kind,
                                            "description": None, "created_at": now_iso()})
            self._add_alias_row(ch, new_id, new_name, "analyst")
            for mention_id in mention_ids:
                row = self.conn.execute(
                    "SELECT entity_id FROM mentions WHERE id = ?", (mention_id,)
                ).fetchone()
                if row is None or row[0] != entity_id:
                    raise ValueError(f"mention {mention_id} is not a mention of {entity['name']}")
                ch.update("mentions", mention_id, {"entity_id": new_id})
        return new_id

    def rename_entity(
        self: Store, analyst: str, entity_id: int, name: str, *, keep_alias: bool = True
    ) -> bool:
        """Rename an entity; its old name stays as an alias unless told otherwise."""
        entity = self._require_entity(entity_id)
        if not name.strip():
            raise ValueError("a name cannot be empty")
        with self.change(analyst, "rename entity", "entity", entity_id) as ch:
            changed = ch.update("entities", entity_id, {"name": name.strip()})
            self._add_alias_row(ch, entity_id, name, "analyst")
            if keep_alias:
                self._add_alias_row(ch, entity_id, entity["name"], "analyst")
        return changed

    def set_entity_kind(self: Store, analyst: str, entity_id: int, kind: str) -> bool:
        _check_kind(kind)
        self._require_entity(entity_id)
        with self.change(analyst, f"kind -> {kind}", "entity", entity_id) as ch:
            return ch.update("entities", entity_id, {"kind": kind})

    def set_entity_description(
        self: Store, analyst: str, entity_id: int, description: str | None
    ) -> bool:
        self._require_entity(entity_id)
        with self.change(analyst, "describe entity", "entity", entity_id) as ch:
            return ch.update("entities", entity_id, {"description": description or None})

    def add_alias(self: Store, analyst: str, entity_id: int, alias: str) -> bool:
        """Give an entity another name it is known by; False if it already had it."""
        self._require_entity(entity_id)
        with self.change(analyst, f"alias '{alias.strip()}'", "entity", entity_id) as ch:
            return self._add_alias_row(ch, entity_id, alias, "analyst")

    def add_alias_and_mark(self: Store, analyst: str, entity_id: int,
                           alias: str) -> tuple[bool, int]:
        """Add an alias and, in the same change (one `u` takes both back), mark its unmarked
        occurrences in every article as mentions: once the dossier knows a name, each
        occurrence is a mention. Matched as `find_text` does (as written, whole words);
        nothing is marked when another entity is known by the same name (ambiguous).
        Returns (alias added, mentions marked)."""
        from dossier.store.store import normalise_alias

        self._require_entity(entity_id)
        alias = alias.strip()
        others = self._ids("SELECT DISTINCT entity_id FROM aliases WHERE norm = ? "
                           "AND entity_id != ?", (normalise_alias(alias), entity_id))
        hits = [] if others else self.find_text(alias)
        with self.change(analyst, f"alias '{alias}'", "entity", entity_id) as ch:
            added = self._add_alias_row(ch, entity_id, alias, "analyst")
            for article_id, start, end in hits:
                ch.insert("mentions", {"article_id": article_id, "entity_id": entity_id,
                                       "start": start, "end": end, "text": alias,
                                       "origin": "analyst"})
        return added, len(hits)

    def remove_alias(self: Store, analyst: str, entity_id: int, alias: str) -> bool:
        from dossier.store.store import normalise_alias

        ids = self._ids("SELECT id FROM aliases WHERE entity_id = ? AND norm = ?",
                        (entity_id, normalise_alias(alias)))
        if not ids:
            return False
        with self.change(analyst, f"drop alias '{alias}'", "entity", entity_id) as ch:
            for alias_id in ids:
                ch.delete("aliases", alias_id)
        return True

    def find_text(
        self: Store, text: str, *, limit: int = 100_000
    ) -> list[tuple[int, int, int]]:
        """Where `text` stands in article bodies as a whole word and is not yet a mention:
        (article_id, start, end). Used to offer turning an alias's hits into mentions."""
        text = text.strip()
        if not text:
            return []
        pattern = re.compile(r"(?<!\w)" + re.escape(text) + r"(?!\w)")
        phrase = '"' + text.replace('"', '""') + '"'
        hits: list[tuple[int, int, int]] = []
        try:
            candidates = self._ids(
                "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ? ORDER BY rowid",
                (phrase,),
            )
        except query_errors():  # FTS cannot take it as a phrase: scan every body
            candidates = self._ids("SELECT id FROM articles ORDER BY id", ())
        for article_id in candidates:
            (body,) = self.conn.execute(
                "SELECT body FROM articles WHERE id = ?", (article_id,)
            ).fetchone()
            taken = self.conn.execute(
                'SELECT start, "end" FROM mentions WHERE article_id = ?', (article_id,)
            ).fetchall()
            for m in pattern.finditer(body):
                if any(s < m.end() and m.start() < e for s, e in taken):
                    continue
                hits.append((article_id, m.start(), m.end()))
                if len(hits) >= limit:
                    return hits
        return hits

    def add_mentions(
        self: Store, analyst: str, entity_id: int, spans: list[tuple[int, int, int]],
        action: str = "mark mentions",
    ) -> int:
        """Mark spans (article_id, start, end) as mentions of an entity, as one change."""
        self._require_entity(entity_id)
        with self.change(analyst, action, "entity", entity_id) as ch:
            for article_id, start, end in spans:
                body = self.conn.execute(
                    "SELECT body FROM articles WHERE id = ?", (article_id,)
                ).fetchone()
                if body is None:
                    raise KeyError(f"article {article_id} does not exist")
                if not 0 <= start < end <= len(body[0]):
                    raise ValueError(f"span {start}-{end} is outside article {article_id}")
                ch.insert("mentions", {"article_id": article_id, "entity_id": entity_id,
                                       "start": start, "end": end,
                                       "text": body[0][start:end], "origin": "analyst"})
            return ch.count

    def add_mention(
        self: Store, analyst: str, article_id: int, entity_id: int, start: int, end: int
    ) -> int:
        """Mark one missed mention; return its id."""
        self.add_mentions(analyst, entity_id, [(article_id, start, end)], "mark mention")
        return self._ids(
            'SELECT id FROM mentions WHERE article_id = ? AND entity_id = ? AND start = ? '
            'AND "end" = ? ORDER BY id DESC LIMIT 1', (article_id, entity_id, start, end),
        )[0]

    def remove_mention(self: Store, analyst: str, mention_id: int) -> bool:
        row = self.conn.execute(
            "SELECT entity_id FROM mentions WHERE id = ?", (mention_id,)
        ).fetchone()
        if row is None:
            return False
        with self.change(analyst, "drop mention", "entity", row[0]) as ch:
            return ch.delete("mentions", mention_id)

    def delete_entity(self: Store, analyst: str, entity_id: int) -> None:
        """Delete a false entity with its mentions, aliases, event involvement, tags and links."""
        entity = self._require_entity(entity_id)
        with self.change(analyst, f"delete '{entity['name']}'", "entity", entity_id) as ch:
            for table in ("mentions", "aliases", "event_entities"):
                for row_id in self._ids(f"SELECT id FROM {table} WHERE entity_id = ?",
                                        (entity_id,)):
                    ch.delete(table, row_id)
            self._delete_item_extras(ch, "entity", entity_id)
            ch.delete("entities", entity_id)

    # ----------------------------------------------------------------- events

    def update_event(self: Store, analyst: str, event_id: int, **fields: Any) -> bool:
        """Correct an event's title, dates or precision (a date set by hand says so)."""
        allowed = {"title", "date_start", "date_end", "precision"}
        bad = set(fields) - allowed
        if bad:
            raise ValueError(f"cannot edit {', '.join(sorted(bad))}")
        if "precision" in fields and fields["precision"] not in PRECISIONS:
            raise ValueError(f"precision must be one of {', '.join(PRECISIONS)}")
        if {"date_start", "date_end", "precision"} & set(fields):
            fields["resolution"] = "analyst"
        with self.change(analyst, "edit event", "event", event_id) as ch:
            return ch.update("events", event_id, fields)

    def create_event(
        self: Store, analyst: str, *, title: str, date_start: str | None,
        date_end: str | None = None, precision: str = "day", article_id: int | None = None,
        evidence_start: int | None = None, evidence_end: int | None = None,
        entity_ids: list[int] | None = None,
    ) -> int:
        """Record an event by hand (e.g. from the sentence on screen); return its id."""
        if precision not in PRECISIONS:
            raise ValueError(f"precision must be one of {', '.join(PRECISIONS)}")
        with self.change(analyst, "create event") as ch:
            event_id = ch.insert("events", {
                "title": title, "date_start": date_start, "date_end": date_end,
                "precision": precision, "date_text": "", "resolution": "analyst",
                "article_id": article_id, "evidence_start": evidence_start,
                "evidence_end": evidence_end,
            })
            for entity_id in entity_ids or []:
                ch.insert("event_entities", {"event_id": event_id, "entity_id": entity_id})
            # The event's id is known only now: file the whole batch under it.
            self.conn.execute(
                "UPDATE journal SET target_kind = 'event', target_id = ? WHERE batch = ?",
                (event_id, ch.batch),
            )
        return event_id

    def set_event_entity(
        self: Store, analyst: str, event_id: int, entity_id: int, involved: bool
    ) -> bool:
        """Add or remove an entity from those an event involves."""
        row = self.conn.execute(
            "SELECT id FROM event_entities WHERE event_id = ? AND entity_id = ?",
            (event_id, entity_id),
        ).fetchone()
        if involved == (row is not None):
            return False
        with self.change(analyst, "involve" if involved else "uninvolve", "event",
                         event_id) as ch:
            if involved:
                ch.insert("event_entities", {"event_id": event_id, "entity_id": entity_id})
            else:
                ch.delete("event_entities", row[0])
        return True

    def delete_event(self: Store, analyst: str, event_id: int) -> None:
        with self.change(analyst, "delete event", "event", event_id) as ch:
            for row_id in self._ids("SELECT id FROM event_entities WHERE event_id = ?",
                                    (event_id,)):
                ch.delete("event_entities", row_id)
            self._delete_item_extras(ch, "event", event_id)
            ch.delete("events", event_id)

    # ----------------------------------------------------------------- articles

    def set_article_date(
        self: Store, analyst: str, article_id: int, published: str | None, precision: str,
        resolve: Resolver | None = None,
    ) -> int:
        """Set an article's date; with `resolve`, its relative and unresolved dates are
        resolved again against it, in the same change. Returns the events re-dated."""
        return self.set_articles_date(analyst, [article_id], published, precision, resolve)

    def set_articles_date(
        self: Store, analyst: str, article_ids: list[int], published: str | None,
        precision: str, resolve: Resolver | None = None,
    ) -> int:
        """Give several articles one date as one change (one journal batch: one undo takes
        it all back); with `resolve`, the relative and unresolved dates of each are resolved
        again against it. Returns the events re-dated."""
        if precision not in PRECISIONS:
            raise ValueError(f"precision must be one of {', '.join(PRECISIONS)}")
        ids = list(dict.fromkeys(article_ids))
        if not ids:
            return 0
        redated = 0
        single = len(ids) == 1
        with self.change(analyst, "date article" if single else f"date {len(ids)} articles",
                         "article" if single else None, ids[0] if single else None) as ch:
            for article_id in ids:
                ch.update("articles", article_id, {"published": published,
                                                   "published_precision": precision})
                if resolve is None:
                    continue
                for event_id, date_text in self.conn.execute(
                    "SELECT id, date_text FROM events WHERE article_id = ? "
                    "AND resolution IN ('relative', 'unresolved')", (article_id,),
                ).fetchall():
                    resolved = resolve(date_text, published) if published else None
                    if resolved is None:
                        values = {"date_start": None, "date_end": None,
                                  "resolution": "unresolved"}
                    else:
                        start, end, prec = resolved
                        values = {"date_start": start, "date_end": end, "precision": prec,
                                  "resolution": "relative"}
                    if ch.update("events", event_id, values):
                        redated += 1
        return redated


def _check_kind(kind: str) -> None:
    if kind not in ENTITY_KINDS:
        raise ValueError(f"kind must be one of {', '.join(ENTITY_KINDS)}")
