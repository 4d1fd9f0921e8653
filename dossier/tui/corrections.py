"""Links, corrections and undo, from the keyboard: the main screen's dialog flows.

Each flow is a straight line: one worker (`run_flow`) awaits each dialog in turn
(`push_screen_wait`) and ends with a small edit dataclass (`LinkEdit`, `MergeEdit`,
`StoreEdit`, ...); one `apply(edit)` sends it to the store, says what happened and shows the
file as it now is. Escape at any step ends the flow with nothing changed.

Flows run in the worker group `edit-flow`: not work to wait for (it waits on the analyst), so
tests settle on the other workers and drive the dialogs with keys.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import work

from dossier.model import Link
from dossier.safetext import safe_line
from dossier.store import JournalConflict, ReadOnlyError, store_errors
from dossier.store.views import describe_targets, walk_targets
from dossier.tui.screens.dialogs import Choice, Confirm, ItemPicker, TextPrompt, reads_with
from dossier.tui.widgets.panes import Reader
from dossier.typed_dates import DATE_HINT, parse_typed_date, typed_range

DATE_FORMS = f"{DATE_HINT}; empty for none"


OTHER_RELATION = "\x00other"  # the relation option that asks for a typed one


@dataclass(frozen=True)
class LinkEdit:
    """A link the analyst asked for, before it is sent to the store."""

    source: tuple[str, int]
    target: tuple[str, int]
    relation: str
    note: str | None
    evidence: tuple[int, int, int] | None


@dataclass(frozen=True)
class MergeEdit:
    """Entities to merge into one (long work: a thread worker of the app does it)."""

    source_ids: tuple[int, ...]
    target_id: int


@dataclass(frozen=True)
class StoreEdit:
    """One correction: the store method, its arguments after the analyst."""

    method: str
    args: tuple[Any, ...] = ()
    kwargs: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True)
class AliasEdit:
    """A new alias, its occurrences in every article marked as mentions."""

    entity_id: int
    alias: str


@dataclass(frozen=True)
class DateEdit:
    """One date (ISO prefix or None, and its precision) for one or several articles."""

    article_ids: tuple[int, ...]
    published: str | None
    precision: str


Edit = LinkEdit | MergeEdit | StoreEdit | AliasEdit | DateEdit


def _read_relation(value: str) -> None:
    """A typed relation as the store would keep it (ValueError: why it would not)."""
    from dossier.store.room import check_text

    check_text("relation", " ".join(value.split()), 60)


class CorrectionsMixin:
    """The main screen's link and correction flows; mixed into `MainScreen`."""

    # Provided by MainScreen.
    app: Any
    store: Any
    analyst: str
    reader: Any
    inspector: Any
    entities: Any
    articles: Any
    focused: Any
    notify: Any
    after_change: Any
    focused_item: Any
    focused_entity: Any
    open_article: Any
    tagsets: Any
    store_failed: Any
    long_work: Any

    # ------------------------------------------------------------- the flow runner

    @work(exclusive=True, exit_on_error=False, group="edit-flow")
    async def run_flow(self, flow: Callable[[], Awaitable[Edit | None]]) -> Edit | None:
        """Run one dialog flow to its end and apply the edit it returns (None: nothing).

        An async worker on the UI's event loop: `push_screen_wait` needs a worker, and the
        store calls stay on the UI thread's connection, as every other analyst change."""
        edit = await flow()
        if edit is not None:
            await self.apply_edit(edit)
        return edit

    async def ask(self, screen: Any) -> Any:
        """Show a dialog and wait for its answer (None when escaped)."""
        return await self.app.push_screen_wait(screen)

    async def confirm(self, question: str, yes: str, no: str = "Cancel") -> bool:
        return bool(await self.ask(Confirm(question, yes, no)))

    # ------------------------------------------------------------- apply: edits to the store

    def apply(self, edit: Edit) -> bool:
        """Send one edit to the store, say what happened, show the file as it now is."""
        if isinstance(edit, LinkEdit):
            link = Link(edit.source[0], edit.source[1], edit.relation, edit.target[0],
                        edit.target[1], note=edit.note)
            if edit.evidence:
                link.evidence_article_id, link.evidence_start, link.evidence_end = \
                    edit.evidence
            if not self._change(lambda: (self.store.add_relation_type(self.analyst,
                                                                      edit.relation),
                                         self.store.add_link(self.analyst, link))):
                return False
            self.notify(f"linked: {edit.relation}", markup=False)
            return True
        if isinstance(edit, MergeEdit):
            self.app.long_work = "merge"
            self.app.run_merge(list(edit.source_ids), edit.target_id)
            return True
        if isinstance(edit, StoreEdit):
            method = getattr(self.store, edit.method)
            return self._change(lambda: method(self.analyst, *edit.args,
                                               **dict(edit.kwargs)))
        if isinstance(edit, DateEdit):
            from dossier.ingest.dates import resolve

            if not self._change(lambda: self.store.set_articles_date(
                    self.analyst, list(edit.article_ids), edit.published, edit.precision,
                    resolve)):
                return False
            if len(edit.article_ids) > 1:
                self.articles.clear_marks()
                self.articles.refresh()
                self.notify(f"dated {len(edit.article_ids)} articles: "
                            f"{edit.published or 'no date'} ({edit.precision})", markup=False)
            return True
        raise TypeError(f"not an edit: {edit!r}")

    async def apply_edit(self, edit: Edit) -> None:
        """`apply`, and what an edit asks next: an alias that marked nothing offers to
        mark its unmarked occurrences."""
        if not isinstance(edit, AliasEdit):
            self.apply(edit)
            return
        marked = [0]

        def add() -> None:
            marked[0] = self.store.add_alias_and_mark(self.analyst, edit.entity_id,
                                                      edit.alias)[1]

        if not self._change(add):
            return
        if marked[0]:
            self.notify(f"“{edit.alias}” marked {marked[0]} times as a mention", markup=False)
            return
        hits = self.store.find_text(edit.alias)
        if not hits:
            self.notify(f"no unmarked “{edit.alias}” in any article", markup=False)
            return
        articles = len({h[0] for h in hits})
        if await self.confirm(
                f"“{edit.alias}” stands {len(hits)} times in {articles} articles, not yet "
                "marked. Mark them as mentions?", f"Mark {len(hits)} mentions", "Leave them"):
            self.apply(StoreEdit("add_mentions", (edit.entity_id, hits,
                                                  f"mark '{edit.alias}'")))

    def _change(self, do: Any) -> bool:
        """Make one change in the store and show it; False (and said) when refused."""
        try:
            do()
        except (ReadOnlyError, ValueError, KeyError) as exc:
            self.notify(str(exc), severity="warning", markup=False)
            return False
        except store_errors() as exc:
            self.store_failed(exc)
            return False
        self.after_change()
        return True

    # ------------------------------------------------------------- undo, redo

    def action_undo(self) -> None:
        self._walk("undo")

    def action_redo(self) -> None:
        self._walk("redo")

    def _walk(self, direction: str) -> None:
        """Undo or redo this analyst's latest change, and say what it was and on what."""
        if self.long_work:
            self.notify(f"wait for the {self.long_work} to finish before {direction}",
                        severity="warning", markup=False)
            return
        targets = walk_targets(self.store, self.analyst, direction)
        what = safe_line(describe_targets(self.store, targets))  # named before it may go
        try:
            result = getattr(self.store, direction)(self.analyst)
        except (JournalConflict, ReadOnlyError) as exc:
            self.notify(safe_line(str(exc)), severity="warning", markup=False)
            return
        except store_errors() as exc:
            self.store_failed(exc)
            return
        if result is None:
            self.notify(f"nothing to {direction}", markup=False)
            return
        done = "undone" if direction == "undo" else "redone"
        self.notify(f"{done}: {safe_line(result.action)}" + (f" on {what}" if what else ""),
                    markup=False, timeout=3)
        self.after_change()

    # ------------------------------------------------------------- link

    def action_link(self) -> None:
        source = self.focused_item()
        if source is None:
            self.notify("focus an article, entity or event to link", markup=False)
            return
        evidence = self.reader.evidence() if isinstance(self.focused, Reader) else None
        self.run_flow(lambda: self.link_flow(source, evidence))

    async def link_flow(self, source: tuple[str, int],
                        evidence: tuple[int, int, int] | None) -> LinkEdit | None:
        """Pick the other end (the evidence sentence's entities first), choose or type the
        relation, add a note."""
        first: list[tuple[str, int, Text]] = []
        if evidence is not None:
            for entity in self.store.entities_in_span(*evidence):
                if entity.id is not None and ("entity", entity.id) != source:
                    first.append(("entity", entity.id, Text.assemble(
                        ("in the sentence  ", "bold"), safe_line(entity.name),
                        (f"  {safe_line(entity.kind)}", "dim italic"))))
        source_name = safe_line(self.store.item_name(*source))[:60]
        target = await self.ask(ItemPicker(
            self.store, f"Link {source[0]} “{source_name}” to…", exclude=source, first=first,
            note=self._evidence_note(evidence)))
        if target is None:
            return None
        relation = await self.ask(Choice("Relation",
                                         self._relation_options(source[0], target[0])))
        if relation == OTHER_RELATION:
            typed = await self.ask(TextPrompt(
                "The relation, in your words (kept for the next links)", "",
                "e.g. advised, sued, sold to", check=reads_with(_read_relation)))
            relation = " ".join(typed.split()) if typed and typed.strip() else None
        if relation is None:
            return None
        note = await self.ask(TextPrompt("A note for this link (optional; enter to skip)"))
        if note is None:
            return None
        return LinkEdit(source, target, relation, note.strip() or None, evidence)

    def _evidence_note(self, evidence: tuple[int, int, int] | None) -> str:
        if evidence is None:
            return ""
        article = self.store.get_article(evidence[0])
        if article is None:
            return ""
        sentence = " ".join(article.body[evidence[1]:evidence[2]].split())
        return f"evidence: “{sentence[:140]}” — {article.title[:60]}"

    def _relation_options(self, from_kind: str, to_kind: str) -> list[tuple[Any, Text]]:
        """The tag sets' relations that join these kinds first, then the general ones and
        the dossier's own, then "other…" to type one."""
        options: list[tuple[Any, Text]] = []
        seen: set[str] = set()
        for r in self.tagsets.relations_between(from_kind, to_kind):
            seen.add(r.name.casefold())
            options.append((r.name, Text(safe_line(r.name) + (" (both ways)" if r.symmetric
                                                              else ""))))
        allowed_elsewhere = {r.casefold() for r in self.tagsets.relations}
        for info in self.store.relation_types(self.tagsets):
            key = info.name.casefold()
            if key in seen or key in allowed_elsewhere:
                continue  # a tag set's relation between other kinds is not offered here
            seen.add(key)
            label = Text(safe_line(info.name))
            if info.origin == "analyst":
                label.append("  (added in this dossier)", style="dim")
            options.append((info.name, label))
        options.append((OTHER_RELATION, Text("other… (type a relation)", style="italic")))
        return options

    # ------------------------------------------------------------- merge

    def action_merge(self) -> None:
        marked = getattr(self.focused, "marked", None)
        if marked and getattr(self.focused, "kind", None) == "entity":
            self.run_flow(lambda: self.merge_flow(sorted(marked)))
            return
        entity_id = self.focused_entity()
        if entity_id is None:
            self.notify("focus an entity to merge", markup=False)
            return
        self.run_flow(lambda: self.merge_flow([entity_id], single=True))

    async def merge_flow(self, marked: list[int], *, single: bool = False
                         ) -> MergeEdit | None:
        """Pick the entity to merge into, confirm: one entity, or every marked one (a marked
        one chosen stays and takes the others; one merge after another, one `u` each)."""
        if single:
            entity = self.store.get_entity(marked[0])
            if entity is None:
                return None
            picker = ItemPicker(self.store, f"Merge “{safe_line(entity.name)}” into…",
                                kinds=("entity",), exclude=("entity", marked[0]))
        else:
            picker = ItemPicker(self.store, f"Merge the {len(marked)} marked entities into…",
                                kinds=("entity",))
        target = await self.ask(picker)
        if target is None:
            return None
        other = self.store.get_entity(target[1])
        if other is None:
            return None
        if single:
            question = (f"Merge “{entity.name}” ({entity.mention_count} mentions) into "
                        f"“{other.name}” ({other.mention_count})?")
            sources = marked
        else:
            sources = [i for i in marked if i != target[1]]
            if not sources:
                self.notify("nothing else marked to merge into it", markup=False)
                return None
            names = [e.name for e in (self.store.get_entity(i) for i in sources[:3]) if e]
            shown = ", ".join(f"“{n}”" for n in names)
            if len(sources) > len(names):
                shown += f" and {len(sources) - len(names)} more"
            question = (f"Merge {len(sources)} marked entities ({shown}) into "
                        f"“{other.name}” ({other.mention_count} mentions)?")
        if not await self.confirm(question, "Merge"):
            return None
        if not single:
            self.entities.clear_marks()
        return MergeEdit(tuple(sources), target[1])

    # ------------------------------------------------------------- edit (r)

    def action_edit(self) -> None:
        item = self.focused_item()
        if item is None:
            self.notify("focus an item to edit", markup=False)
            return
        kind, item_id = item
        marked = getattr(self.focused, "marked", None)
        in_reader = isinstance(self.focused, Reader)
        if kind == "article" and marked:
            self.run_flow(lambda: self.date_flow(sorted(marked)))
        elif kind == "entity":
            mention = self.reader.current_mention if in_reader else None
            self.run_flow(lambda: self.entity_flow(item_id, mention))
        elif kind == "article":
            self.run_flow(lambda: self.article_flow(item_id, in_reader))
        elif kind == "event":
            self.run_flow(lambda: self.event_flow(item_id))
        else:
            self.notify(f"nothing to edit on a {kind}", markup=False)

    async def article_flow(self, article_id: int, in_reader: bool) -> Edit | None:
        """Which field, then its value (a date as people write one)."""
        article = self.store.get_article(article_id)
        if article is None:
            return None
        fields = [("title", article.title), ("source", article.source or ""),
                  ("author", article.author or ""), ("published", article.published or "")]
        options = [(name, Text(f"{name}: {safe_line(value)[:60]}")) for name, value in fields]
        if in_reader and self.reader.evidence() is not None:
            options.append(("event", Text("new event from the sentence under the cursor")))
        name = await self.ask(Choice("Edit which field?", options))
        if name is None:
            return None
        if name == "event":
            return await self.new_event_flow()
        value = dict(fields)[name]
        if name == "published":
            return await self.date_flow([article_id], value)
        new = await self.ask(TextPrompt(f"Article {name}", value))
        if new is None:
            return None
        return StoreEdit("update_article", (article_id,), ((name, new.strip() or None),))

    async def entity_flow(self, entity_id: int, mention: Any) -> Edit | None:
        """The corrections of an entity: a menu, then the dialog of the one chosen."""
        entity = self.store.get_entity(entity_id)
        if entity is None:
            return None
        options = [("rename", Text(f"rename “{safe_line(entity.name)}”")),
                   ("kind", Text(f"change kind (now {safe_line(entity.kind)})")),
                   ("describe", Text("describe")),
                   ("alias", Text("add an alias (and find it in every article)")),
                   ("unalias", Text("remove an alias")),
                   ("split", Text("split: chosen mentions become a new entity")),
                   ("delete", Text("delete this entity (a false one)"))]
        if mention is not None:
            options.append(("event", Text("new event from the sentence of this mention")))
        if mention is not None and mention.id is not None:
            options.insert(0, ("unmention", Text(
                f"this mention is wrong: “{safe_line(mention.text)}” is not "
                f"{safe_line(entity.name)}")))
        what = await self.ask(Choice(f"Correct “{safe_line(entity.name)}”", options))
        if what == "rename":
            name = await self.ask(TextPrompt("Rename (the old name stays an alias)",
                                             entity.name))
            return StoreEdit("rename_entity", (entity_id, name)) if name and name.strip() \
                else None
        if what == "kind":
            kind = await self.ask(Choice("Kind", [(k, Text(k)) for k in (
                "person", "organisation", "place", "other")]))
            return StoreEdit("set_entity_kind", (entity_id, kind)) if kind else None
        if what == "describe":
            text = await self.ask(TextPrompt("Description", entity.description or ""))
            return None if text is None else StoreEdit("set_entity_description",
                                                       (entity_id, text))
        if what == "alias":
            alias = await self.ask(TextPrompt("New alias"))
            return AliasEdit(entity_id, alias.strip()) if alias and alias.strip() else None
        if what == "unalias":
            others = [x for x in entity.aliases if x != entity.name]
            if not others:
                self.notify("no other alias to remove", markup=False)
                return None
            alias = await self.ask(Choice("Remove which alias?",
                                          [(x, Text(safe_line(x))) for x in others]))
            return StoreEdit("remove_alias", (entity_id, alias)) if alias else None
        if what == "split":
            return await self.split_flow(entity_id)
        if what == "delete":
            if await self.confirm(f"Delete “{entity.name}” with its {entity.mention_count} "
                                  "mentions, tags and links?", "Delete"):
                return StoreEdit("delete_entity", (entity_id,))
            return None
        if what == "event":
            return await self.new_event_flow()
        if what == "unmention" and mention is not None and mention.id is not None:
            return StoreEdit("remove_mention", (mention.id,))
        return None

    async def split_flow(self, entity_id: int) -> StoreEdit | None:
        """Choose the mentions of the other entity (each choice toggles one), then its name."""
        mentions = self.store.entity_mentions(entity_id, 0, 500)
        titles = {a.id: a.title for a, _ in self.store.entity_articles(entity_id, 500)}
        chosen: set[int] = set()
        while True:
            options: list[tuple[Any, Text]] = [("done", Text(
                f"done: split {len(chosen)} chosen mentions off", style="bold"))]
            for m in mentions:
                options.append((m.id, Text(f"{safe_line(m.text)}  in "
                                           f"{safe_line(titles.get(m.article_id, '?'))[:60]}")))
            value = await self.ask(Choice("Choose the mentions of the other entity", options,
                                          selected=chosen))
            if value is None:
                return None
            if value == "done":
                break
            chosen.symmetric_difference_update({value})
        if not chosen:
            return None
        name = await self.ask(TextPrompt("Name of the new entity"))
        if not name or not name.strip():
            return None
        return StoreEdit("split_entity", (entity_id, sorted(chosen), name.strip()))

    async def event_flow(self, event_id: int) -> Edit | None:
        event = self.store.get_event(event_id)
        if event is None:
            return None
        what = await self.ask(Choice("Correct the event", [
            ("title", Text(f"title: {safe_line(event.title)[:60]}")),
            ("date", Text(f"date: {safe_line(event.date_start) or 'unresolved'} "
                          f"({safe_line(event.precision)})")),
            ("involve", Text("add an entity it involves")),
            ("uninvolve", Text("remove an entity it involves")),
            ("delete", Text("delete this event"))]))
        if what == "title":
            title = await self.ask(TextPrompt("Event title", event.title))
            return StoreEdit("update_event", (event_id,), (("title", title.strip()),)) \
                if title and title.strip() else None
        if what == "date":
            current = event.date_start or ""
            if event.date_end:
                current += f"/{event.date_end}"
            value = await self.ask(TextPrompt("Date of the event (a range: START..END)",
                                              current, DATE_HINT, check=reads_with(typed_range)))
            if not value or not value.strip():
                return None
            try:
                start, end, precision = typed_range(value.strip())
            except ValueError as exc:  # the prompt checked it: only a race gets here
                self.notify(str(exc), severity="warning", markup=False)
                return None
            return StoreEdit("update_event", (event_id,), (
                ("date_start", start), ("date_end", end), ("precision", precision)))
        if what == "delete":
            return StoreEdit("delete_event", (event_id,))
        if what == "involve":
            target = await self.ask(ItemPicker(self.store, "Involve which entity?",
                                               kinds=("entity",)))
            return StoreEdit("set_event_entity", (event_id, target[1], True)) if target \
                else None
        if what == "uninvolve":
            names = self.store.get_entities(event.entity_ids)
            if not names:
                self.notify("this event involves no entity", markup=False)
                return None
            entity_id = await self.ask(Choice("No longer involved:", [
                (i, Text(safe_line(e.name))) for i, e in names.items()]))
            return StoreEdit("set_event_entity", (event_id, entity_id, False)) if entity_id \
                else None
        return None

    async def new_event_flow(self) -> StoreEdit | None:
        """An event from the sentence under the reader's cursor, with its entities."""
        evidence = self.reader.evidence()
        if evidence is None:
            self.notify("put the reader's cursor on the sentence first ([ ] or v)", markup=False)
            return None
        article_id, start, end = evidence
        entity_ids = sorted({m.entity_id for m in self.reader.mentions
                             if start <= m.start and m.end <= end and m.entity_id is not None})
        sentence = " ".join(self.reader.article.body[start:end].split())

        value = await self.ask(TextPrompt("Date of the event (empty if unknown)", "",
                                          DATE_HINT,
                                          check=reads_with(parse_typed_date, optional=True)))
        if value is None:
            return None
        value = value.strip()
        iso, precision = parse_typed_date(value) if value else (None, "unknown")
        return StoreEdit("create_event", (), (
            ("title", sentence[:80]), ("date_start", iso), ("precision", precision),
            ("article_id", article_id), ("evidence_start", start), ("evidence_end", end),
            ("entity_ids", entity_ids)))

    async def date_flow(self, article_ids: list[int], current: str = "") -> DateEdit | None:
        """Ask for a date as an analyst writes one (`4 April 2023`, `Apr 2023`, `2023`; empty
        for none) for the articles, as one change: one `u` takes it back from all of them.
        A line that is not a date keeps the dialog open, saying why."""
        title = ("Article date" if len(article_ids) == 1
                 else f"Date of the {len(article_ids)} marked articles (one change; u undoes)")
        value = await self.ask(TextPrompt(title, current, DATE_FORMS,
                                          check=reads_with(parse_typed_date, optional=True)))
        if value is None:
            return None
        published, precision = parse_typed_date(value) if value.strip() else (
            None, "unknown")
        return DateEdit(tuple(article_ids), published, precision)

    # ------------------------------------------------------------- mentions, connections

    def mark_mention(self, article_id: int, start: int, end: int) -> None:
        """Mark a missed mention: the reader's selection, as a mention of a picked entity."""
        async def flow() -> StoreEdit | None:
            target = await self.ask(ItemPicker(self.store, "Mention of which entity?",
                                               kinds=("entity",)))
            return StoreEdit("add_mention", (article_id, target[1], start, end)) if target \
                else None

        self.run_flow(flow)

    def action_connections(self) -> None:
        entity_id = self.focused_entity()
        if entity_id is None:
            self.notify("focus an entity to see its connections", markup=False)
            return
        from dossier.tui.screens.connections import ConnectionsScreen

        def opened(item: tuple[str, int] | None) -> None:
            if item is None:
                return
            if item[0] == "article":
                self.open_article(item[1])
            else:
                self.inspector.show(*item)

        self.app.push_screen(ConnectionsScreen(self.store, entity_id), opened)
