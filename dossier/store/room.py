"""The reading room's own rows: named views, relation types, and changes to many rows.

API (methods of `Store`):
    save_view(analyst, name, spec) -> SavedView      create or replace; spec a JSON object
        {"scope": Scope.to_json(), "order": "published", "search": "..."} (see ViewSpec)
    list_views(analyst) -> list[SavedView]           by name
    get_view(analyst, name) -> SavedView | None
    delete_view(analyst, name) -> bool
    relation_types(config=None) -> list[RelationTypeInfo]
        the defaults (model.DEFAULT_RELATIONS, origin 'builtin'), then the relations of the
        loaded tag sets (`config.relations`, a TagConfig; origin 'tagset'), then the dossier's
        own (the relation_types table): names unique case-insensitively, first one wins
    add_relation_type(analyst, name, label=None) -> RelationTypeInfo
        a free-text relation kept in the dossier (1-60 characters, no control characters);
        an existing name (any case) is returned as it is
    tag_many(analyst, kind, ids, tagset, tag, *, exclusive=False, mode="add") -> int
        one tag on many items as one change (one journal batch: one `u` undoes it); returns
        the items changed

Saved views and relation types are not journalled (settings and vocabulary: `u` takes back
work on the story, not a saved view); each row keeps who made it and when.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from dossier.model import DEFAULT_RELATIONS, TARGET_KINDS, Scope, ScopeError, json_object
from dossier.store.db import now_iso

if TYPE_CHECKING:
    from dossier.store.store import Store

VIEW_NAME_MAX = 80
VIEW_SPEC_MAX = 2_000_000  # bytes of JSON (a view may hold many marked rows)
RELATION_MAX = 60
VIEW_ORDERS = ("published", "-published", "title", "-title", "source", "id", "-id",
               "rank", "recent", "newest")


@dataclass(frozen=True)
class ViewSpec:
    """What a named view keeps: the scope, the list's order and the search typed."""

    scope: Scope = field(default_factory=Scope)
    order: str = "published"
    search: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"scope": self.scope.to_json(), "order": self.order, "search": self.search}

    @classmethod
    def from_json(cls, data: object) -> ViewSpec:
        """From `to_json()`'s object or its text; ScopeError saying why otherwise."""
        data = json_object(data, "a saved view")
        unknown = set(data) - {"scope", "order", "search"}
        if unknown:
            raise ScopeError(f"a saved view has unknown keys: {', '.join(sorted(unknown))}")
        order = data.get("order", "published")
        if order not in VIEW_ORDERS:
            raise ScopeError(f"a saved view's order is one of {', '.join(VIEW_ORDERS)}")
        search = data.get("search", "")
        if not isinstance(search, str) or len(search) > 2000:
            raise ScopeError("a saved view's search is a string")
        return cls(Scope.from_json(data.get("scope") or {}), order, search)


@dataclass
class SavedView:
    id: int
    analyst: str
    name: str
    spec: ViewSpec
    created_at: str
    updated_at: str


@dataclass(frozen=True)
class RelationTypeInfo:
    name: str
    label: str | None
    origin: str  # builtin | tagset | analyst
    created_by: str | None = None
    created_at: str | None = None


def check_text(what: str, text: str, limit: int) -> str:
    """A name typed by an analyst, trimmed; ValueError saying why when it cannot be one."""
    if not isinstance(text, str):
        raise ValueError(f"a {what} is text")
    value = " ".join(text.split())
    if not value:
        raise ValueError(f"a {what} cannot be empty")
    if len(value) > limit:
        raise ValueError(f"a {what} is at most {limit} characters")
    if any(unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co", "Cn") for c in value):
        raise ValueError(f"a {what} cannot hold control or invisible characters")
    return value


class RoomMixin:
    """Named views, relation types and changes to many rows, on a `Store`."""

    # ----------------------------------------------------------------- named views

    def save_view(self: Store, analyst: str, name: str,
                  spec: ViewSpec | dict[str, Any]) -> SavedView:
        """Save (or replace) an analyst's named view; it survives a restart."""
        self._check_writable()
        if not analyst:
            raise ValueError("an analyst name is required")
        name = check_text("view name", name, VIEW_NAME_MAX)
        view_spec = spec if isinstance(spec, ViewSpec) else ViewSpec.from_json(spec)
        text = json.dumps(view_spec.to_json(), ensure_ascii=False, sort_keys=True)
        if len(text.encode()) > VIEW_SPEC_MAX:
            raise ValueError("a saved view is too large")
        at = now_iso()
        with self._transaction():
            self.conn.execute(
                "INSERT INTO saved_views (analyst, name, spec, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (analyst, name) DO UPDATE SET "
                "spec = excluded.spec, updated_at = excluded.updated_at",
                (analyst, name, text, at, at))
        view = self.get_view(analyst, name)
        assert view is not None
        return view

    def list_views(self: Store, analyst: str) -> list[SavedView]:
        """The analyst's views by name; one whose JSON another tool broke is left out."""
        rows = self.conn.execute(
            "SELECT id, analyst, name, spec, created_at, updated_at FROM saved_views "
            "WHERE analyst = ? ORDER BY name COLLATE NOCASE, id", (analyst,)).fetchall()
        return [v for r in rows if (v := _view(r)) is not None]

    def get_view(self: Store, analyst: str, name: str) -> SavedView | None:
        """The named view; None when there is none. ScopeError when its JSON is broken."""
        row = self.conn.execute(
            "SELECT id, analyst, name, spec, created_at, updated_at FROM saved_views "
            "WHERE analyst = ? AND name = ?", (analyst, " ".join(name.split()))).fetchone()
        if row is None:
            return None
        return SavedView(row[0], row[1], row[2], ViewSpec.from_json(row[3]), row[4], row[5])

    def delete_view(self: Store, analyst: str, name: str) -> bool:
        self._check_writable()
        with self._transaction():
            cur = self.conn.execute("DELETE FROM saved_views WHERE analyst = ? AND name = ?",
                                    (analyst, " ".join(name.split())))
        return cur.rowcount > 0

    # ----------------------------------------------------------------- relation types

    def relation_types(self: Store, config: Any = None) -> list[RelationTypeInfo]:
        """Every relation a link may take here: defaults, tag sets', the dossier's."""
        out: dict[str, RelationTypeInfo] = {}
        for name in DEFAULT_RELATIONS:
            out.setdefault(name.casefold(), RelationTypeInfo(name, None, "builtin"))
        relations = getattr(config, "relations", None) or {}
        for name, relation in relations.items():
            label = getattr(relation, "description", None) or None
            out.setdefault(str(name).casefold(), RelationTypeInfo(str(name), label, "tagset"))
        for name, label, origin, by, at in self.conn.execute(
                "SELECT name, label, origin, created_by, created_at FROM relation_types "
                "ORDER BY name COLLATE NOCASE, id"):
            out.setdefault(str(name).casefold(),
                           RelationTypeInfo(str(name), label, origin, by, at))
        return list(out.values())

    def add_relation_type(self: Store, analyst: str, name: str,
                          label: str | None = None) -> RelationTypeInfo:
        """Keep a free-text relation in the dossier (not journalled); returns it, or the
        existing relation of that name in any case."""
        self._check_writable()
        if not analyst:
            raise ValueError("an analyst name is required")
        name = check_text("relation", name, RELATION_MAX)
        if label is not None:
            label = check_text("relation label", label, 200)
        for known in self.relation_types():
            if known.name.casefold() == name.casefold():
                return known
        with self._transaction():
            self.conn.execute(
                "INSERT OR IGNORE INTO relation_types (name, label, origin, created_by, "
                "created_at) VALUES (?, ?, 'analyst', ?, ?)", (name, label, analyst, now_iso()))
        return next(r for r in self.relation_types() if r.name.casefold() == name.casefold())

    # ----------------------------------------------------------------- many at once

    def tag_many(self: Store, analyst: str, kind: str, ids: Iterable[int], tagset: str,
                 tag: str, *, exclusive: bool = False, mode: str = "add") -> int:
        """One tag on (or off, mode "remove"; "toggle" as `set_tag`) many items of one kind,
        as one change: one journal batch that one `u` takes back whole. With `exclusive`, an
        item's other tag of the set is replaced. A gone item refuses the whole change
        (GoneError). Returns the number of items whose tags changed."""
        if kind not in TARGET_KINDS:
            raise ValueError(f"unknown kind of item {kind!r}")
        targets = [(kind, i) for i in dict.fromkeys(ids)]
        if not targets:
            return 0
        before = {i: {t.tag for t in ts if t.tagset == tagset}
                  for i, ts in self.tags_for_many(kind, [i for _, i in targets]).items()}
        self.set_tag(analyst, targets, tagset, tag, mode=mode, exclusive=exclusive)
        after = {i: {t.tag for t in ts if t.tagset == tagset}
                 for i, ts in self.tags_for_many(kind, [i for _, i in targets]).items()}
        return sum(1 for i in after if after[i] != before.get(i))


def _view(row: tuple) -> SavedView | None:
    try:
        spec = ViewSpec.from_json(row[3])
    except ScopeError:
        return None
    return SavedView(row[0], row[1], row[2], spec, row[4], row[5])
