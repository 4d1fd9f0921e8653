"""Links and corrections, from the keyboard: a mixin of the app (its dialogs and flows).

Link the focused item (picker, relation, note, evidence from the reader), merge entities (in a
worker, with progress), rename and edit articles, entities and events, mark a missed mention
or drop a wrong one. Each change is one store call that commits before the screen shows it.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from rich.text import Text

from dossier.model import Link
from dossier.safetext import safe_line
from dossier.store import ReadOnlyError
from dossier.tui.screens.dialogs import Choice, ItemPicker, TextPrompt
from dossier.tui.widgets.panes import Reader
from dossier.typed_dates import DATE_HINT, parse_typed_date, typed_range

DATE_FORMS = f"{DATE_HINT}; empty for none"


def date_problem(value: str) -> str | None:
    """Why a typed date cannot be read (shown under the field, which stays open), or None."""
    return _problem(parse_typed_date, value)


def range_problem(value: str) -> str | None:
    """Why a typed date or range cannot be read, or None."""
    return _problem(typed_range, value)


def _problem(parse: Any, value: str) -> str | None:
    try:
        parse(value)
    except ValueError as exc:
        return str(exc)
    return None


OTHER_RELATION = "\x00other"  # the relation option that asks for a typed one


@dataclass(frozen=True)
class LinkEdit:
    """A link the analyst asked for, before it is sent to the store."""

    source: tuple[str, int]
    target: tuple[str, int]
    relation: str
    note: str | None
    evidence: tuple[int, int, int] | None


def _relation_problem(value: str) -> str | None:
    from dossier.store.room import check_text

    try:
        check_text("relation", " ".join(value.split()), 60)
    except ValueError as exc:
        return str(exc)
    return None


class CorrectionsMixin:
    """The app's link and correction flows; mixed into `DossierApp`."""

    # Provided by DossierApp.
    store: Any
    analyst: str
    reader: Any
    inspector: Any
    focused: Any
    notify: Any
    app: Any
    after_change: Any
    focused_item: Any
    focused_entity: Any
    open_article: Any
    writable: Any
    articles: Any
    push_screen_wait: Any
    tagsets: Any
    store_failed: Any

    def action_link(self) -> None:
        if not self.writable():
            return
        source = self.focused_item()
        if source is None:
            self.notify("focus an article, entity or event to link", markup=False)
            return
        evidence = self.reader.evidence() if isinstance(self.focused, Reader) else None
        first: list[tuple[str, int, Text]] = []
        if evidence is not None:
            for entity in self.store.entities_in_span(*evidence):
                if entity.id is not None and ("entity", entity.id) != source:
                    first.append(("entity", entity.id, Text.assemble(
                        ("in the sentence  ", "bold"), safe_line(entity.name),
                        (f"  {safe_line(entity.kind)}", "dim italic"))))
        source_name = safe_line(self.store.item_name(*source))[:60]

        # Pick the other end (the evidence sentence's entities first), choose or type the
        # relation, add a note: then one `apply(LinkEdit)`.
        def picked(target: tuple[str, int] | None) -> None:
            if target is None:
                return

            def related(relation: Any) -> None:
                if relation is None:
                    return
                if relation == OTHER_RELATION:
                    self.app.push_screen(TextPrompt(
                        "The relation, in your words (kept for the next links)", "",
                        "e.g. advised, sued, sold to", check=_relation_problem),
                        lambda typed: typed and typed.strip() and noted_with(
                            " ".join(typed.split())))
                else:
                    noted_with(relation)

            def noted_with(relation: str) -> None:
                self.app.push_screen(TextPrompt("A note for this link (optional; enter to skip)"),
                                 lambda note: note is not None and self.apply(LinkEdit(
                                     source, target, relation, note.strip() or None,
                                     evidence)))

            self.app.push_screen(Choice("Relation", self._relation_options(source[0], target[0])),
                             related)

        self.app.push_screen(ItemPicker(
            self.store, f"Link {source[0]} “{source_name}” to…", exclude=source, first=first,
            note=self._evidence_note(evidence)), picked)

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

    def apply(self, edit: LinkEdit) -> bool:
        """Send one edit to the store, say what happened, show the file as it now is."""
        link = Link(edit.source[0], edit.source[1], edit.relation, edit.target[0],
                    edit.target[1], note=edit.note)
        if edit.evidence:
            link.evidence_article_id, link.evidence_start, link.evidence_end = edit.evidence
        try:
            self.store.add_relation_type(self.analyst, edit.relation)
            self.store.add_link(self.analyst, link)
        except (ReadOnlyError, ValueError) as exc:
            self.notify(str(exc), severity="warning", markup=False)
            return False
        except sqlite3.Error as exc:
            self.store_failed(exc)
            return False
        self.notify(f"linked: {edit.relation}", markup=False)
        self.after_change()
        return True

    def action_merge(self) -> None:
        if not self.writable():
            return
        marked = getattr(self.focused, "marked", None)
        if marked and getattr(self.focused, "kind", None) == "entity":
            self.merge_marked(sorted(marked))
            return
        entity_id = self.focused_entity()
        if entity_id is None:
            self.notify("focus an entity to merge", markup=False)
            return
        entity = self.store.get_entity(entity_id)
        if entity is None:
            return

        def picked(target: tuple[str, int] | None) -> None:
            if target is None:
                return
            other = self.store.get_entity(target[1])
            if other is None:
                return

            def confirmed(yes: Any) -> None:
                if yes:
                    self.long_work = "merge"
                    self.app.run_merge([entity_id], target[1])

            self.app.push_screen(Choice(
                f"Merge “{safe_line(entity.name)}” ({entity.mention_count} mentions) into "
                f"“{safe_line(other.name)}” ({other.mention_count})?",
                [(True, Text("Merge")), (False, Text("Cancel"))]), confirmed)

        self.app.push_screen(ItemPicker(self.store, f"Merge “{safe_line(entity.name)}” into…",
                                    kinds=("entity",), exclude=("entity", entity_id)), picked)

    def merge_marked(self, marked: list[int]) -> None:
        """`m` with entities marked: every marked entity into the one chosen (a marked one
        chosen stays and takes the others), one merge after another in the background."""

        def picked(target: tuple[str, int] | None) -> None:
            if target is None:
                return
            other = self.store.get_entity(target[1])
            if other is None:
                return
            sources = [i for i in marked if i != target[1]]
            if not sources:
                self.notify("nothing else marked to merge into it", markup=False)
                return
            names = [e.name for e in (self.store.get_entity(i) for i in sources[:3]) if e]
            shown = ", ".join(f"“{safe_line(n)}”" for n in names)
            if len(sources) > len(names):
                shown += f" and {len(sources) - len(names)} more"

            def confirmed(yes: Any) -> None:
                if yes:
                    self.long_work = "merge"
                    self.entities.marked.clear()
                    self.app.run_merge(sources, target[1])

            self.app.push_screen(Choice(
                f"Merge {len(sources)} marked entities ({shown}) into "
                f"“{safe_line(other.name)}” ({other.mention_count} mentions)?",
                [(True, Text("Merge")), (False, Text("Cancel"))]), confirmed)

        self.app.push_screen(ItemPicker(
            self.store, f"Merge the {len(marked)} marked entities into…", kinds=("entity",)),
            picked)

    def action_edit(self) -> None:
        if not self.writable():
            return
        item = self.focused_item()
        if item is None:
            self.notify("focus an item to edit", markup=False)
            return
        kind, item_id = item
        marked = getattr(self.focused, "marked", None)
        if kind == "article" and marked:
            self.date_articles(sorted(marked))
        elif kind == "entity":
            self.edit_entity(item_id)
        elif kind == "article":
            article = self.store.get_article(item_id)
            if article is None:
                return
            fields = [("title", article.title), ("source", article.source or ""),
                      ("author", article.author or ""), ("published", article.published or "")]

            def field_chosen(name: Any) -> None:
                if name is None:
                    return
                value = dict(fields)[name]

                def entered(new: str | None) -> None:
                    if new is None:
                        return
                    self._change(lambda: self.store.update_article(
                        self.analyst, item_id, **{name: new.strip() or None}))

                if name == "published":
                    self.date_articles([item_id], value)
                else:
                    self.app.push_screen(TextPrompt(f"Article {name}", value), entered)

            options = [(name, Text(f"{name}: {safe_line(value)[:60]}"))
                       for name, value in fields]
            if isinstance(self.focused, Reader) and self.reader.evidence() is not None:
                options.append(("event", Text("new event from the sentence under the cursor")))

            def menu_chosen(name: Any) -> None:
                if name == "event":
                    self.new_event_from_reader()
                else:
                    field_chosen(name)

            self.app.push_screen(Choice("Edit which field?", options), menu_chosen)
        elif kind == "event":
            self.edit_event(item_id)
        else:
            self.notify(f"nothing to edit on a {kind}", markup=False)

    def edit_entity(self, entity_id: int) -> None:
        """The corrections of an entity: a menu, then the dialog of the one chosen."""
        entity = self.store.get_entity(entity_id)
        if entity is None:
            return
        reader = self.reader
        mention = reader.current_mention if isinstance(self.focused, Reader) else None
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
        a = self.analyst

        def chosen(what: Any) -> None:
            if what == "rename":
                self.app.push_screen(TextPrompt("Rename (the old name stays an alias)",
                                            entity.name), lambda v: v and v.strip() and
                                 self._change(lambda: self.store.rename_entity(a, entity_id, v)))
            elif what == "kind":
                self.app.push_screen(Choice("Kind", [(k, Text(k)) for k in (
                    "person", "organisation", "place", "other")]), lambda k: k and self._change(
                    lambda: self.store.set_entity_kind(a, entity_id, k)))
            elif what == "describe":
                self.app.push_screen(TextPrompt("Description", entity.description or ""),
                                 lambda v: v is not None and self._change(
                                     lambda: self.store.set_entity_description(a, entity_id, v)))
            elif what == "alias":
                self.app.push_screen(TextPrompt("New alias"), lambda v: v and v.strip() and
                                 self.add_alias(entity_id, v.strip()))
            elif what == "unalias":
                others = [x for x in entity.aliases if x != entity.name]
                if not others:
                    self.notify("no other alias to remove", markup=False)
                    return
                self.app.push_screen(Choice("Remove which alias?", [(x, Text(safe_line(x)))
                                                                for x in others]),
                                 lambda x: x and self._change(
                                     lambda: self.store.remove_alias(a, entity_id, x)))
            elif what == "split":
                self.split_entity(entity_id)
            elif what == "delete":
                self.app.push_screen(Choice(
                    f"Delete “{safe_line(entity.name)}” with its {entity.mention_count} "
                    "mentions, tags and links?", [(True, Text("Delete")), (False,
                                                                          Text("Cancel"))]),
                    lambda yes: yes and self._change(
                        lambda: self.store.delete_entity(a, entity_id)))
            elif what == "event":
                self.new_event_from_reader()
            elif what == "unmention" and mention is not None and mention.id is not None:
                self._change(lambda: self.store.remove_mention(a, mention.id))

        self.app.push_screen(Choice(f"Correct “{safe_line(entity.name)}”", options), chosen)

    def add_alias(self, entity_id: int, alias: str) -> None:
        """Add an alias and mark its occurrences in every article as mentions (one change);
        when the name is ambiguous, offer to mark them."""
        if not self.store.readonly:
            marked = 0

            def add() -> None:
                nonlocal marked
                marked = self.store.add_alias_and_mark(self.analyst, entity_id, alias)[1]

            self._change(add)
            if marked:
                self.notify(f"“{alias}” marked {marked} times as a mention", markup=False)
                return
        hits = self.store.find_text(alias)
        if not hits:
            self.notify(f"no unmarked “{alias}” in any article", markup=False)
            return
        articles = len({h[0] for h in hits})
        self.app.push_screen(Choice(
            f"“{safe_line(alias)}” stands {len(hits)} times in {articles} articles, not yet "
            "marked. Mark them as mentions?",
            [(True, Text(f"Mark {len(hits)} mentions")), (False, Text("Leave them"))]),
            lambda yes: yes and self._change(lambda: self.store.add_mentions(
                self.analyst, entity_id, hits, f"mark '{alias}'")))

    def split_entity(self, entity_id: int) -> None:
        mentions = self.store.entity_mentions(entity_id, 0, 500)
        chosen: set[int] = set()
        titles = {a.id: a.title for a, _ in self.store.entity_articles(entity_id, 500)}

        def pick(value: Any) -> None:
            if value is None:
                return
            if value != "done":
                chosen.symmetric_difference_update({value})
                self.app.push_screen(menu(), pick)
                return
            if not chosen:
                return
            self.app.push_screen(TextPrompt("Name of the new entity"), lambda name: name and
                             name.strip() and self._change(lambda: self.store.split_entity(
                                 self.analyst, entity_id, sorted(chosen), name.strip())))

        def menu() -> Choice:
            options: list[tuple[Any, Text]] = [("done", Text(
                f"done: split {len(chosen)} chosen mentions off", style="bold"))]
            for m in mentions:
                options.append((m.id, Text(f"{safe_line(m.text)}  in "
                                           f"{safe_line(titles.get(m.article_id, '?'))[:60]}")))
            return Choice("Choose the mentions of the other entity", options, selected=chosen)

        self.app.push_screen(menu(), pick)

    def edit_event(self, event_id: int) -> None:
        event = self.store.get_event(event_id)
        if event is None:
            return
        a = self.analyst

        def chosen(what: Any) -> None:
            if what == "title":
                self.app.push_screen(TextPrompt("Event title", event.title), lambda v: v and
                                 v.strip() and self._change(lambda: self.store.update_event(
                                     a, event_id, title=v.strip())))
            elif what == "date":
                current = event.date_start or ""
                if event.date_end:
                    current += f"/{event.date_end}"
                self.app.push_screen(TextPrompt("Date of the event (a range: START..END)",
                                            current, DATE_HINT, check=range_problem),
                                 lambda v: v and self._set_event_date(event_id, v.strip()))
            elif what == "delete":
                self._change(lambda: self.store.delete_event(a, event_id))
            elif what == "involve":
                self.app.push_screen(ItemPicker(self.store, "Involve which entity?",
                                            kinds=("entity",)),
                                 lambda t: t and self._change(lambda: self.store.set_event_entity(
                                     a, event_id, t[1], True)))
            elif what == "uninvolve":
                names = self.store.get_entities(event.entity_ids)
                if not names:
                    self.notify("this event involves no entity", markup=False)
                    return
                self.app.push_screen(Choice("No longer involved:", [
                    (i, Text(safe_line(e.name))) for i, e in names.items()]),
                    lambda i: i and self._change(lambda: self.store.set_event_entity(
                        a, event_id, i, False)))

        self.app.push_screen(Choice("Correct the event", [
            ("title", Text(f"title: {safe_line(event.title)[:60]}")),
            ("date", Text(f"date: {safe_line(event.date_start) or 'unresolved'} "
                          f"({safe_line(event.precision)})")),
            ("involve", Text("add an entity it involves")),
            ("uninvolve", Text("remove an entity it involves")),
            ("delete", Text("delete this event"))]), chosen)

    def new_event_from_reader(self) -> None:
        """An event from the sentence under the reader's cursor, with its entities."""
        evidence = self.reader.evidence()
        if evidence is None:
            self.notify("put the reader's cursor on the sentence first ([ ] or v)", markup=False)
            return
        article_id, start, end = evidence
        entity_ids = sorted({m.entity_id for m in self.reader.mentions
                             if start <= m.start and m.end <= end and m.entity_id is not None})
        sentence = " ".join(self.reader.article.body[start:end].split())  # type: ignore[union-attr]

        def dated(value: str | None) -> None:
            if value is None:
                return
            value = value.strip()
            iso, precision = parse_typed_date(value) if value else (None, "unknown")
            self._change(lambda: self.store.create_event(
                self.analyst, title=sentence[:80], date_start=iso,
                precision=precision, article_id=article_id, evidence_start=start,
                evidence_end=end, entity_ids=entity_ids))

        def problem(value: str) -> str | None:
            return date_problem(value) if value.strip() else None

        self.app.push_screen(TextPrompt("Date of the event (empty if unknown)", "", DATE_HINT,
                                    check=problem), dated)

    def _set_event_date(self, event_id: int, value: str) -> None:
        try:
            start, end, precision = typed_range(value)
        except ValueError as exc:  # the prompt checked it: only a race gets here
            self.notify(str(exc), severity="warning", markup=False)
            return
        self._change(lambda: self.store.update_event(
            self.analyst, event_id, date_start=start, date_end=end, precision=precision))

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

    def mark_mention(self, article_id: int, start: int, end: int) -> None:
        """Mark a missed mention: the reader's selection, as a mention of a picked entity."""
        def picked(target: tuple[str, int] | None) -> None:
            if target is not None:
                self._change(lambda: self.store.add_mention(self.analyst, article_id,
                                                            target[1], start, end))

        self.app.push_screen(ItemPicker(self.store, "Mention of which entity?", kinds=("entity",)),
                         picked)

    def date_articles(self, article_ids: list[int], current: str = "") -> None:
        """Ask for a date as an analyst writes one (`4 April 2023`, `Apr 2023`, `2023`; empty
        for none) and give it to the articles as one change: one `u` takes it back from all
        of them. A line that is not a date keeps the dialog open, saying why."""
        from dossier.ingest.dates import resolve

        def problem(value: str) -> str | None:
            return date_problem(value) if value.strip() else None

        def entered(value: str | None) -> None:
            if value is None:
                return
            published, precision = parse_typed_date(value) if value.strip() else (
                None, "unknown")
            if not self._change(lambda: self.store.set_articles_date(
                    self.analyst, article_ids, published, precision, resolve)):
                return
            if len(article_ids) > 1:
                self.articles.marked.clear()
                self.articles.refresh()
                self.notify(f"dated {len(article_ids)} articles: {published or 'no date'}"
                            f" ({precision})", markup=False)

        title = ("Article date" if len(article_ids) == 1
                 else f"Date of the {len(article_ids)} marked articles (one change; u undoes)")
        self.app.push_screen(TextPrompt(title, current, DATE_FORMS, check=problem), entered)

    def _change(self, do: Any) -> bool:
        """Make one change in the store and show it; False (and said) when refused."""
        try:
            do()
        except (ReadOnlyError, ValueError, KeyError) as exc:
            self.notify(str(exc), severity="warning", markup=False)
            return False
        except sqlite3.Error as exc:
            self.store_failed(exc)
            return False
        self.after_change()
        return True
