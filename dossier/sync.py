"""Publish and take away: `dossier pull` writes an offline dossier, `dossier push` brings its
work back. Built on the store's public API only, so both ends may be any two stores.

**Pull.** The offline file is the subset export (`dossier export --format dossier`'s filters)
of a snapshot of the source, with ids kept, plus a record in its meta table
(`sync.pulled_from`): the source's identity and location, when, the source journal's
high-water mark, the file's journal mark and the highest id of each table. An id at or under
that mark is the source's own row; a row made offline has a higher id (AUTOINCREMENT never
reuses one) and gets a new id in the target when pushed.

**Push.** The target keeps, in its meta table (`sync.file.<file identity>`), what it has
taken from the file: the journal mark and the batches applied since, and the ids it gave to
the file's new rows. That record is written in the same transaction as each batch, so a push
killed half-way leaves whole batches and knows which; a second push applies nothing twice.

- *First push of a file not pulled from the target: publish.* Every row the target lacks is
  imported: articles matched by content hash (there: reused; new: inserted), entities by name
  and kind or an alias, aliases, mentions, events and their entities by their natural keys;
  tags, links and decisions with their own analyst and time. The material (articles,
  entities, mentions, events) is one journal batch under the pushing analyst; each analyst's
  tags, links and decisions one batch under that analyst (tags on another analyst's new link
  a second one). Each is undoable with `u` there like any change: an import is work on the
  story, and the team must be able to take back a wrong one.
- *Later (or a file pulled from the target): replay.* Each batch of the file's journal not
  yet applied is replayed, under its analyst and time: an insert goes in (an identical row
  already there is taken as it); an update or delete only when the target's row is still what
  the file's journal says it was before. A batch with any row that does not apply (a colleague
  changed the row since, the item was merged away or deleted) is skipped whole and reported:
  a change is the analyst's unit of work, and half of one (the new tag of an exclusive set
  without the removal of the old) would be a state nobody made. A batch undone in the file
  after it was pushed is undone in the target the same way. Articles ingested offline (not
  journalled) are imported as in a publish.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dossier.export.selection import Selection
from dossier.store import Store, integrity_errors, now_iso
from dossier.store import sync as ss

Progress = Callable[[int, int], None]  # (done, total)

PULLED_KEY = "sync.pulled_from"
RECORD_PREFIX = "sync.file."
MATERIAL = ("articles", "entities", "aliases", "mentions", "events", "event_entities")
WORK = ("links", "taggings", "decisions")
TABLE_OF = {"article": "articles", "entity": "entities", "event": "events", "link": "links"}
KIND_OF = {v: k for k, v in TABLE_OF.items()}
# The columns naming another row: (column, kind of that row, or "@column" holding the kind).
REFS: dict[str, tuple[tuple[str, str], ...]] = {
    "aliases": (("entity_id", "entity"),),
    "mentions": (("article_id", "article"), ("entity_id", "entity")),
    "events": (("article_id", "article"),),
    "event_entities": (("event_id", "event"), ("entity_id", "entity")),
    "taggings": (("target_id", "@target_kind"),),
    "links": (("from_id", "@from_kind"), ("to_id", "@to_kind"),
              ("evidence_article_id", "article")),
    "decisions": (("a_id", "@kind"), ("b_id", "@kind")),
}
# Tables whose rows are the same item when their unique key is (what a replayed insert may
# find already there).
SAME_BY_KEY = frozenset({"articles", "aliases", "event_entities", "taggings", "decisions"})
# Columns a subset pull empties when the row they name was left out (an event's article, a
# link's evidence): unchanged offline, they keep the target's value.
PULL_NULLED = {"events": "article_id", "links": "evidence_article_id"}


class SyncError(Exception):
    """A pull or push that cannot run; str() is one line naming the file or target."""


class Skip(Exception):  # noqa: N818 - a batch left out, not a failure
    """A change that does not apply to the target; str() says why."""


@dataclass
class Skipped:
    batch: int | None
    analyst: str
    at: str
    action: str
    reason: str

    def line(self) -> str:
        return f"skipped: {self.analyst} {self.at} '{self.action}': {self.reason}"


@dataclass
class PushReport:
    file: str
    target: str
    mode: str  # publish | replay
    imported: dict[str, int] = field(default_factory=dict)  # rows inserted by table
    matched: dict[str, int] = field(default_factory=dict)  # rows found already there
    applied: list[str] = field(default_factory=list)  # replayed changes, one line each
    undone: list[str] = field(default_factory=list)  # changes undone in the file, undone here
    skipped: list[Skipped] = field(default_factory=list)  # conflicts new at this push
    earlier: list[Skipped] = field(default_factory=list)  # reported before, still skipped
    views: dict[str, int] = field(default_factory=dict)  # saved views: added, replaced
    relation_types: int = 0  # relation types added

    def as_json(self, earlier: bool = False) -> dict[str, Any]:
        """The report; the conflicts reported by earlier pushes (still not applied) listed
        only with `earlier`, else counted."""
        out = {"file": self.file, "target": self.target, "mode": self.mode,
               "imported": self.imported, "matched": self.matched, "applied": self.applied,
               "undone": self.undone, "skipped": [vars(s) for s in self.skipped],
               "earlier_skipped": len(self.earlier), "views": self.views,
               "relation_types": self.relation_types, "status": self.status(earlier)}
        if earlier:
            out["earlier"] = [vars(s) for s in self.earlier]
        return out

    def status(self, earlier: bool = False) -> int:
        return 1 if self.skipped or (earlier and self.earlier) else 0


class IdMap:
    """File ids -> target ids: the same id at or under a table's pull mark, else as recorded."""

    def __init__(self, marks: dict[str, int], ids: dict[str, dict[int, int]]):
        self.marks = marks
        self.ids = ids

    def target(self, table: str, file_id: int) -> int | None:
        found = self.ids.get(table, {}).get(file_id)
        if found is not None:
            return found
        return file_id if file_id <= self.marks.get(table, 0) else None

    def set(self, table: str, file_id: int, target_id: int) -> None:
        self.ids.setdefault(table, {})[file_id] = target_id

    def copy(self) -> IdMap:
        return IdMap(dict(self.marks), {t: dict(m) for t, m in self.ids.items()})


@dataclass
class Record:
    """What a target has taken from one file (kept in the target's meta)."""

    file: str
    pulled: bool
    mark: int  # the file's journal mark when pulled (or first published)
    not_done: set[int]  # batches up to the mark not in the file then (undone, dropped)
    flipped: set[int]  # batches whose applied state differs from the mark's rule
    idmap: IdMap
    corrected: bool = True  # a publish's corrections of matched items carried over
    seen: dict[int, str] = field(default_factory=dict)  # batch -> analyst and time, applied
    scanned: dict[str, int] = field(default_factory=dict)  # table -> highest id imported from
    # Changes skipped as conflicts and reported already (batch -> what it was): tried again
    # at each push, but reported again only on request (`push --all-conflicts`).
    reported: dict[int, str] = field(default_factory=dict)

    def applied(self, batch: int) -> bool:
        base = batch <= self.mark and batch not in self.not_done
        return base != (batch in self.flipped)

    def dumps(self) -> str:
        return json.dumps({
            "file": self.file, "pulled": self.pulled, "mark": self.mark,
            "not_done": sorted(self.not_done), "flipped": sorted(self.flipped),
            "id_marks": self.idmap.marks,
            "ids": {t: {str(k): v for k, v in m.items()} for t, m in self.idmap.ids.items()},
            "corrected": self.corrected,
            "seen": {str(b): fp for b, fp in self.seen.items()},
            "scanned": self.scanned,
            "reported": {str(b): what for b, what in self.reported.items()},
        })

    @classmethod
    def loads(cls, text: str) -> Record:
        d = json.loads(text)
        return cls(d["file"], bool(d["pulled"]), int(d["mark"]), set(d["not_done"]),
                   set(d["flipped"]), IdMap({t: int(v) for t, v in d["id_marks"].items()},
                                            {t: {int(k): int(v) for k, v in m.items()}
                                             for t, m in d["ids"].items()}),
                   bool(d.get("corrected", True)),
                   {int(b): str(fp) for b, fp in d.get("seen", {}).items()},
                   {str(t): int(v) for t, v in d.get("scanned", {}).items()},
                   {int(b): str(w) for b, w in d.get("reported", {}).items()})


# ----------------------------------------------------------------------------- pull

def pull(source: Store, file: str | os.PathLike[str], selection: Selection,
         progress: Progress | None = None, location: str | None = None) -> dict[str, Any]:
    """Write the offline dossier FILE from `source` (the subset export of one snapshot) with
    its pull record; atomically (a temporary file renamed into place). Returns the record."""
    from dossier.export.subset import write

    target = Path(file)
    if target.exists():
        raise SyncError(f"{target}: already exists (it may hold offline work not pushed yet); "
                        "remove it or name another file")
    if not target.parent.is_dir():
        raise SyncError(f"{target}: folder {target.parent} does not exist")
    tmp = target.with_name(target.name + ".part")
    for leftover in _sqlite_files(tmp):
        leftover.unlink(missing_ok=True)
    try:
        with source.reading() as snapshot:
            source_mark = ss.journal_mark(snapshot)
            source_id = ss.identity(snapshot)
            write(snapshot, selection, tmp, progress)
        out = Store.open(tmp)
        try:
            mark = ss.journal_mark(out)
            record = {
                "source": source_id, "location": location or os.fspath(source.path),
                "pulled_at": now_iso(),
                "source_journal_mark": source_mark, "mark": mark,
                "not_done": ss.batches_not_done(out, mark), "id_marks": ss.max_ids(out),
                "filters": {"tags": [f"{s}:{t}" for s, t in selection.tags],
                            "match": selection.match, "since": selection.since,
                            "until": selection.until},
            }
            with out.bulk("FULL"):
                ss.drop_sync_records(out)
                out.put_meta(ss.IDENTITY_KEY, ss.new_identity())
                out.put_meta(PULLED_KEY, json.dumps(record))
            out.checkpoint()
            out.leave_wal()
        finally:
            out.close()
        with open(tmp, "rb") as handle:  # closed: no connection to it is open any more
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        for leftover in _sqlite_files(tmp):
            leftover.unlink(missing_ok=True)
        raise
    return record


def _sqlite_files(path: Path) -> list[Path]:
    return [path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")]


def pulled_from(store: Store) -> dict[str, Any] | None:
    """The pull record of an offline dossier, or None when it was not pulled."""
    text = store.get_meta(PULLED_KEY)
    try:
        value = json.loads(text) if text else None
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


# ----------------------------------------------------------------------------- push

class _Push:
    def __init__(self, file: Store, target: Store, analyst: str, progress: Progress | None,
                 name: str, target_name: str):
        self.file = file
        self.target = target
        self.analyst = analyst
        self.progress = progress
        self.name = name
        self.target_name = target_name
        self.key = RECORD_PREFIX + ss.identity(file)
        text = target.get_meta(self.key)
        pulled = pulled_from(file)
        if text:
            try:
                self.record = Record.loads(text)
            except (KeyError, TypeError, ValueError, AttributeError):
                raise SyncError(f"{target_name}: its record of what it took from {name} "
                                f"(meta {self.key}) is damaged; nothing pushed") from None
            mode = "replay"
        elif pulled and pulled.get("source") == ss.identity(target):
            try:
                self.record = Record(
                    name, True, int(pulled["mark"]), {int(b) for b in pulled["not_done"]},
                    set(), IdMap({str(t): int(v) for t, v in pulled["id_marks"].items()}, {}))
            except (KeyError, TypeError, ValueError, AttributeError):
                raise SyncError(f"{name}: its pull record (meta {PULLED_KEY}) is damaged; "
                                "nothing pushed") from None
            mode = "replay"
        else:
            mark = ss.journal_mark(file)
            self.record = Record(name, False, mark, set(ss.batches_not_done(file, mark)), set(),
                                 IdMap({}, {}), corrected=False)
            mode = "publish"
        self.report = PushReport(name, target_name, mode)
        self.todo: list[tuple[ss.Batch, bool]] = []
        # Items known to be in the target within the current transaction (this push holds
        # the write lock): found once, not looked up again for each of their rows.
        self.there: set[tuple[str, int]] = set()

    # ------------------------------------------------------------------ ids and images

    def describe(self, table: str, image: dict[str, Any]) -> str:
        """A short, readable name of a row of the file (for the report)."""
        g = image.get
        if table == "articles":
            return f"article '{g('title')}'"
        if table == "entities":
            return f"entity '{g('name')}'"
        if table == "events":
            return f"event '{g('title')}'"
        if table == "taggings":
            kind, fid = str(g("target_kind")), int(g("target_id") or 0)
            return f"tag {g('tagset')}:{g('tag')} on {kind} '{self.file.item_name(kind, fid)}'"
        if table == "links":
            return (f"link '{self.file.item_name(str(g('from_kind')), int(g('from_id') or 0))}'"
                    f" {g('relation')} "
                    f"'{self.file.item_name(str(g('to_kind')), int(g('to_id') or 0))}'")
        if table == "aliases":
            return f"alias '{g('alias')}'"
        if table == "mentions":
            return f"mention '{g('text')}'"
        return f"{table} row {g('id')}"

    def mapped(self, table: str, image: dict[str, Any], idmap: IdMap) -> dict[str, Any]:
        """The image with every id naming another row turned into the target's id; raises
        Skip when a named row is not (or no longer) in the target."""
        out = dict(image)
        for column, kind in REFS.get(table, ()):
            value = image.get(column)
            if value is None:
                continue
            kind = str(image[kind[1:]]) if kind.startswith("@") else kind
            target_id = idmap.target(TABLE_OF[kind], int(value))
            if target_id is None or ((kind, target_id) not in self.there
                                     and not self.target.exists(kind, target_id)):
                raise Skip(f"the {kind} '{self.file.item_name(kind, int(value))}' is not in "
                           f"{self.target_name} (merged away or deleted there)")
            self.there.add((kind, target_id))
            out[column] = target_id
        if table == "decisions" and out["a_id"] > out["b_id"]:
            out["a_id"], out["b_id"] = out["b_id"], out["a_id"]
        return out

    def _by(self, table: str, target_id: int) -> str:
        """' by ANALYST at TIME' of the target's last change to the row, or nothing."""
        who = ss.last_change(self.target, table, target_id)
        return f" by {who[0]} at {who[1]}" if who else ""

    def _changed_since(self, table: str, target_id: int, what: str) -> Skip:
        return Skip(f"{what} was changed in {self.target_name} since the pull"
                    f"{self._by(table, target_id)}")

    def apply_row(self, ch: Any, idmap: IdMap, table: str, file_id: int,
                  expected: dict[str, Any] | None, wanted: dict[str, Any] | None) -> None:
        """Make the target's copy of a file row go from `expected` to `wanted`."""
        what = self.describe(table, expected or wanted or {"id": file_id})
        if expected is None:
            assert wanted is not None
            image = self.mapped(table, wanted, idmap)
            # Only a row whose key makes it the same (a tag, an alias, an article's text) is
            # taken as already there: an entity an analyst split off offline is a new one,
            # even when the target has one of that name.
            same = ss.find_same(self.target, table, image) if table in SAME_BY_KEY else None
            if same is not None:  # already there (a colleague did the same): taken as it is
                idmap.set(table, file_id, same)
                return
            idmap.set(table, file_id, self.insert(ch, table, image))
            return
        target_id = idmap.target(table, file_id)
        current = None if target_id is None else ss.row(self.target, table, target_id)
        if target_id is None:
            raise Skip(f"{what} never reached {self.target_name} (its change was skipped)")
        if current is None:
            raise Skip(f"{what} was removed from {self.target_name} since the pull"
                       f"{self._by(table, target_id)} "
                       "(deleted, replaced or merged away)")
        before = {**self.mapped(table, expected, idmap), "id": target_id}
        after = None if wanted is None else {**self.mapped(table, wanted, idmap),
                                             "id": target_id}
        nulled = PULL_NULLED.get(table)
        if (nulled and self.record.pulled and file_id <= idmap.marks.get(table, 0)
                and before.get(nulled) is None):
            before[nulled] = current[nulled]
            if after is not None and after.get(nulled) is None:
                after[nulled] = current[nulled]
        if current != before:
            raise self._changed_since(table, target_id, what)
        if after is None:
            ch.delete(table, target_id)
            self.there.clear()  # a delete may take other rows with it (cascades)
        else:
            ch.update(table, target_id, {k: v for k, v in after.items() if k != "id"})

    def insert(self, ch: Any, table: str, image: dict[str, Any]) -> int:
        values = {k: v for k, v in image.items() if k != "id"}
        new_id = ch.insert(table, values)
        if table == "articles":
            ss.signature(self.target, new_id, str(values["body"]), self.file, image.get("id"))
        if table in TABLE_OF.values():
            self.there.add((KIND_OF[table], int(new_id)))
        return int(new_id)

    @contextmanager
    def _change(self, analyst: str, action: str, target_kind: str | None = None,
                target_id: int | None = None, *, at: str | None = None) -> Iterator[Any]:
        """One journalled change in the target (one transaction, one batch)."""
        self.there.clear()
        try:
            with self.target.change(analyst, action, target_kind, target_id, at=at) as ch:
                yield ch
        finally:
            self.there.clear()

    # ------------------------------------------------------------------ the record

    def save(self, record: Record) -> None:
        """Write the record inside the caller's transaction (the batch it describes)."""
        self.target.put_meta(self.key, record.dumps())

    # ------------------------------------------------------------------ import new material

    def import_new(self) -> None:
        """Import the file's rows the target has not taken and no later journal batch made
        (the whole file at a publish; articles ingested offline later)."""
        made = ss.journal_created(self.file, self.record.mark)
        fresh = {t: [r for r in self._candidates(t, made[t])] for t in MATERIAL}
        total = sum(len(v) for v in fresh.values())
        work = {t: [r for r in self._candidates(t, made[t])] for t in WORK}
        if total:
            idmap = self.record.idmap.copy()
            counts: dict[str, list[int]] = {}
            skipped: list[Skipped] = []
            done = 0
            with self._change(self.analyst, f"push: import from {self.name}") as ch:
                for table in MATERIAL:
                    for image in fresh[table]:
                        self._import_row(ch, idmap, table, image, counts, skipped)
                        done += 1
                        if self.progress and done % 200 == 0:
                            self.progress(done, total)
                record = self._with(idmap=idmap)
                record.scanned = {**record.scanned, **_highest(fresh)}
                self.save(record)
            self._adopt(record, counts, skipped)
        by_analyst: dict[str, list[tuple[str, dict[str, Any]]]] = {}
        for table in WORK:
            for image in work[table]:
                by_analyst.setdefault(str(image["analyst"]), []).append((table, image))
        later: dict[str, list[tuple[str, dict[str, Any]]]] = {}
        for rounds in (by_analyst, later):
            for analyst in sorted(rounds):
                self._import_work(analyst, rounds[analyst], later)
        # Saved with the next batch or at the end: killed before, the next push looks again.
        self.record.scanned = {**self.record.scanned, **_highest(work)}

    def _candidates(self, table: str, made: set[int]) -> list[dict[str, Any]]:
        """Rows above the pull's mark and above what earlier pushes imported (a row they
        left out, its item gone from the target, was reported then), not yet mapped."""
        start = max(self.record.idmap.marks.get(table, 0), self.record.scanned.get(table, 0))
        return [r for r in self.file.iter_rows(table, "id > ?", [start])
                if r["id"] not in made and self.record.idmap.target(table, r["id"]) is None]

    def _import_row(self, ch: Any, idmap: IdMap, table: str, image: dict[str, Any],
                    counts: dict[str, list[int]], skipped: list[Skipped]) -> None:
        try:
            mapped = self.mapped(table, image, idmap)
        except Skip as why:
            skipped.append(Skipped(None, self.analyst, now_iso(),
                                   f"import {self.describe(table, image)}", str(why)))
            return
        same = ss.find_same(self.target, table, mapped)
        tally = counts.setdefault(table, [0, 0])
        if same is not None:
            idmap.set(table, image["id"], same)
            tally[1] += 1
            return
        idmap.set(table, image["id"], self.insert(ch, table, mapped))
        tally[0] += 1

    def _import_work(self, analyst: str, items: list[tuple[str, dict[str, Any]]],
                     later: dict[str, list[tuple[str, dict[str, Any]]]]) -> None:
        idmap = self.record.idmap.copy()
        counts: dict[str, list[int]] = {}
        skipped: list[Skipped] = []
        with self._change(analyst, f"push: tags, links and decisions from {self.name}"
                                ) as ch:
            for table, image in items:
                if (table == "taggings" and image["target_kind"] == "link"
                        and idmap.target("links", image["target_id"]) is None
                        and items is not later.get(analyst)
                        and self.file.exists("link", image["target_id"])):
                    later.setdefault(analyst, []).append((table, image))  # its link comes later
                    continue
                self._import_row(ch, idmap, table, image, counts, skipped)
            record = self._with(idmap=idmap)
            self.save(record)
        self._adopt(record, counts, skipped)

    def _with(self, *, idmap: IdMap | None = None, flipped: set[int] | None = None) -> Record:
        r = self.record
        return Record(r.file, r.pulled, r.mark, r.not_done,
                      r.flipped if flipped is None else flipped,
                      r.idmap if idmap is None else idmap, r.corrected, r.seen, r.scanned,
                      r.reported)

    def _adopt(self, record: Record, counts: dict[str, list[int]],
               skipped: list[Skipped]) -> None:
        self.record = record
        for table, (inserted, matched) in counts.items():
            if inserted:
                self.report.imported[table] = self.report.imported.get(table, 0) + inserted
            if matched:
                self.report.matched[table] = self.report.matched.get(table, 0) + matched
        self.report.skipped += skipped

    # ------------------------------------------------------------------ corrections (publish)

    def carry_corrections(self) -> None:
        """At a publish, the file's corrections of articles, entities and events the target
        already had (matched, not inserted): each changed value goes in when the target still
        has the value the file's journal started from, under the analyst who made it; a
        value the target changed otherwise, and an item deleted or merged away in the file
        that the target still has, are reported, never silently dropped."""
        first: dict[tuple[str, int], dict[str, Any] | None] = {}
        last: dict[tuple[str, int], tuple[dict[str, Any] | None, str, str, str]] = {}
        for batch in ss.batches(self.file, 0):
            if batch.state != "done" or batch.batch > self.record.mark:
                continue
            for r in batch.rows:
                if r.table not in ("articles", "entities", "events"):
                    continue
                first.setdefault((r.table, r.row_id), r.before)
                last[(r.table, r.row_id)] = (r.after, batch.analyst, batch.at, batch.action)
        work: dict[str, list[tuple[str, int, dict[str, Any], str]]] = {}
        for (table, row_id), (after, analyst, at, action) in last.items():
            before = first[(table, row_id)]
            if before is None:
                continue  # made in the file: imported as it is now
            what = self.describe(table, after or before)
            refs = {c for c, _k in REFS.get(table, ())} | {"id"}
            if after is None:
                try:
                    still = ss.find_same(self.target, table, self.mapped(table, before,
                                                                          self.record.idmap))
                except Skip:
                    still = None
                if still is not None:
                    self.report.skipped.append(Skipped(None, analyst, at, action, (
                        f"{what} was deleted or merged away in {self.name} but is still in "
                        f"{self.target_name}: not repeated there")))
                continue
            target_id = self.record.idmap.target(table, row_id)
            current = None if target_id is None else ss.row(self.target, table, target_id)
            if current is None:
                continue
            changed = {c: v for c, v in after.items() if c not in refs and before.get(c) != v}
            if all(current.get(c) == v for c, v in changed.items()):
                continue  # inserted by this publish, or the same correction made there
            if any(current.get(c) != before.get(c) for c in changed):
                self.report.skipped.append(Skipped(None, analyst, at, action, (
                    f"{what}: {', '.join(sorted(changed))} differs in {self.target_name}"
                    f"{self._by(table, target_id)}; the value there is kept")))
                continue
            work.setdefault(analyst, []).append((table, target_id, changed, f"{action}: {what}"))
        for analyst in sorted(work):
            with self._change(analyst, f"push: corrections from {self.name}") as ch:
                for table, target_id, changed, line in work[analyst]:
                    ch.update(table, target_id, changed)
                    self.report.applied.append(f"{analyst} '{line}'")
        self.record.corrected = True
        self.target.set_meta(self.key, self.record.dumps())

    # ------------------------------------------------------------------ replay the journal

    def plan(self) -> None:
        """Find the file's changes the target lacks and those the file took back since; refuse
        a file that is not the one the target took them from (a copy worked on apart)."""
        rec = self.record
        now_not_done = set(ss.batches_not_done(self.file, rec.mark))
        early = (now_not_done ^ rec.not_done) | {b for b in rec.flipped if b <= rec.mark}
        forward, backward = [], []
        for batch in ss.batches(self.file, rec.mark, early):
            known = rec.seen.get(batch.batch)
            if known is not None and known != _fingerprint(batch):
                raise SyncError(
                    f"{self.name}: its change {batch.batch} is not the one {self.target_name} "
                    "took under the same number (a copy of the file worked on apart?); "
                    "nothing pushed: pull a fresh copy and redo that work there")
            want = batch.state == "done"
            if want and not rec.applied(batch.batch):
                forward.append(batch)
            elif not want and rec.applied(batch.batch):
                backward.append(batch)
        self.todo = [(b, True) for b in reversed(backward)] + [(b, False) for b in forward]

    def replay(self) -> None:
        """Apply the changes `plan` found, a batch a transaction."""
        todo = self.todo
        for n, (batch, inverse) in enumerate(todo, 1):
            self._replay(batch, inverse)
            if self.progress:
                self.progress(n, len(todo))

    def _replay(self, batch: ss.Batch, inverse: bool) -> None:
        idmap = self.record.idmap.copy()
        action = f"undo {batch.action}" if inverse else batch.action
        kind = batch.target_kind
        target_id = None
        if kind in TABLE_OF and batch.target_id is not None:
            target_id = idmap.target(TABLE_OF[kind], batch.target_id)
        try:
            for r in batch.rows:
                if r.problem:
                    raise Skip(f"{r.problem}: the change is not replayed")
            with self._change(batch.analyst, action, kind if target_id else None,
                                    target_id, at=now_iso() if inverse else batch.at) as ch:
                rows = list(reversed(batch.rows)) if inverse else batch.rows
                for r in rows:
                    expected, wanted = (r.after, r.before) if inverse else (r.before, r.after)
                    self.apply_row(ch, idmap, r.table, r.row_id, expected, wanted)
                record = self._with(idmap=idmap, flipped=self.record.flipped ^ {batch.batch})
                if not inverse and batch.batch > record.mark:
                    record.seen = {**record.seen, batch.batch: _fingerprint(batch)}
                self.save(record)
        except Skip as why:
            self._skipped(batch, action, str(why))
            return
        except integrity_errors() as exc:  # a row the target's rules refuse: rolled back whole
            self._skipped(batch, action, f"it would break {self.target_name}'s rules ({exc})")
            return
        record.reported = {b: w for b, w in record.reported.items() if b != batch.batch}
        self.record = record
        line = f"{batch.analyst} {batch.at} '{batch.action}'"
        (self.report.undone if inverse else self.report.applied).append(line)


    def _skipped(self, batch: ss.Batch, action: str, reason: str) -> None:
        """A change that does not apply: reported as new the first time, then listed apart
        (`earlier`) at each push that still cannot apply it. Remembered in the record saved
        at the push's end (a push killed before it reports the change again next time)."""
        entry = Skipped(batch.batch, batch.analyst, batch.at, action, reason)
        what = f"{_fingerprint(batch)}|{action}"
        if self.record.reported.get(batch.batch) == what:
            self.report.earlier.append(entry)
            return
        self.report.skipped.append(entry)
        self.record.reported = {**self.record.reported, batch.batch: what}

    # ------------------------------------------------------------------ settings

    def carry_settings(self) -> None:
        """The file's saved views (each analyst's, by name: a newer one replaces an older
        one, the same one is left) and relation types (by name, any case: one already there
        is kept): not journalled, as they are not in the file, in one transaction."""
        views = ss.saved_views(self.file)
        relations = ss.relation_type_rows(self.file)
        if not views and not relations:
            return
        with self.target.bulk("FULL"):
            for view in views:
                action = ss.carry_view(self.target, view)
                if action != "kept":
                    self.report.views[action] = self.report.views.get(action, 0) + 1
            self.report.relation_types += sum(
                ss.carry_relation_type(self.target, row) for row in relations)


def _highest(rows: dict[str, list[dict[str, Any]]]) -> dict[str, int]:
    return {t: max(r["id"] for r in found) for t, found in rows.items() if found}


def _fingerprint(batch: ss.Batch) -> str:
    return f"{batch.analyst}|{batch.at}|{batch.action}"


def _may_record_all(job: _Push, file: Store, target: Store, analyst: str, shown: str) -> None:
    """Refuse, before anything is written, a push that would record changes under a name the
    target's role may not act for (PostgreSQL: only its own, unless it is a lead)."""
    marks = {t: max(job.record.idmap.marks.get(t, 0), job.record.scanned.get(t, 0))
             for t in WORK}
    names = {analyst} | ss.analysts_after(file, job.record.mark, marks)
    names |= {str(v["analyst"]) for v in ss.saved_views(file)
              if ss.view_action(target, v) != "kept"}
    _refuse_others(target, names, shown)


def _refuse_others(target: Store, names: set[str], shown: str) -> None:
    """Refuse the push if the target's role may not record changes under one of `names`."""
    if refused := target.refused_names(names):
        raise SyncError(f"{shown}: {target.refusal(refused)}; nothing was pushed")


def push_whole(file: Store, target: Store, analyst: str, name: str, target_name: str,
               progress: Progress | None = None) -> PushReport:
    """Copy the file whole into an empty target (store/bulk.py: ids, journal, undo history,
    views and relation types as they are; COPY on PostgreSQL), with the record a pull would
    leave, so later pushes replay the file's journal from here."""
    from dossier.store.bulk import TABLES, NotEmptyError, copy_dossier

    with file.reading() as snapshot:
        names = {analyst} | ss.analysts_after(snapshot, 0, {})
        names |= {str(v["analyst"]) for v in ss.saved_views(snapshot)}
        _refuse_others(target, names, target_name)
        mark = ss.journal_mark(snapshot)
        record = Record(name, False, mark, set(ss.batches_not_done(snapshot, mark)), set(),
                        IdMap(ss.max_ids(snapshot), {}))
        key = RECORD_PREFIX + ss.identity(snapshot)
        done = 0

        def step(_table: str, _rows: int) -> None:
            nonlocal done
            done += 1
            if progress:
                progress(done, len(TABLES))

        try:
            counts = copy_dossier(snapshot, target, step, {key: record.dumps()})
        except NotEmptyError:
            raise SyncError(f"{target_name}: --whole copies into an empty dossier only (a new "
                            "file, or a database without one); this one holds rows, so push "
                            "without --whole") from None
    report = PushReport(name, target_name, "copy")
    report.imported = {t: n for t, n in counts.items() if n}
    return report


def push(file: Store, target: Store, analyst: str, progress: Progress | None = None,
         name: str | None = None, target_name: str | None = None, *,
         whole: bool = False) -> PushReport:
    """Bring the work of the dossier `file` into `target` (see the module's docstring);
    `whole`: copy it whole into an empty target (`push_whole`)."""
    if ss.identity(file) == ss.identity(target):
        raise SyncError(f"{target_name or target.path}: is the same dossier as "
                        f"{name or file.path}")
    if whole:
        return push_whole(file, target, analyst, name or os.fspath(file.path),
                          target_name or os.fspath(target.path), progress)
    # One snapshot of the file throughout: an analyst still working in it meanwhile adds
    # changes the next push takes, never half of one to this push.
    with file.reading() as snapshot:
        job = _Push(snapshot, target, analyst, progress, name or os.fspath(file.path),
                    target_name or os.fspath(target.path))
        job.plan()
        _may_record_all(job, snapshot, target, analyst, target_name or os.fspath(target.path))
        # Each batch commits without an fsync (a killed push keeps every batch it committed,
        # with the record of it); the last commit is FULL and makes them all durable.
        with target.synchronous("NORMAL"):
            job.import_new()
            if not job.record.corrected:
                job.carry_corrections()
            job.replay()
        job.carry_settings()
        target.set_meta(job.key, job.record.dumps())
    return job.report
