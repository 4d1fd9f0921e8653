"""brat standoff: a folder with `annotation.conf` and, per article, `article-ID.txt` + `.ann`.

brat (and INCEpTION's brat import) read it as it is. What each file holds:

- `article-ID.txt`: the body, UTF-8, written as bytes (no newline translation), character for
  character, so offsets are the dossier's: Unicode code points, end exclusive (brat's server
  indexes the decoded Python string). Only a carriage return is changed, to a space before a
  line feed and to a line feed elsewhere: brat reads text with universal newlines, which would
  shorten `\\r\\n` to one character and shift every offset after it.
- `article-ID.ann`:
  - `T` lines for mentions, labels as in `training.LABELS` (PERSON, ORG, GPE, MISC). The text
    field is the `.txt` slice. A mention that crosses a line end, a tab or another character
    Python reads as a line break is written as fragments (`T1<TAB>PERSON 0 5;6 15<TAB>Ashot
    Mkrtychev`: brat's discontinuous span, its text the fragments joined by a space), so an
    `.ann` line is always one line.
  - `A` lines: `Origin` (`auto`, `analyst`) on each mention; each tag of an entity on every
    mention of it; each tag of the article on an `Article` span over the body's first line
    (present only when the article carries tags). A tag is a binary attribute named
    `SET_TAG` (the set's name and the tag's joined by `_`; characters other than letters,
    digits, `_` and `-` become `_`).
  - `R` lines for links between two entities both mentioned in the link's evidence article
    (ends chosen as in `training.py`), `Arg1` the link's `from` entity. The relation type is
    the relation's name with the same spelling rule.
  - `#` lines (`AnnotatorNotes`): on a mention, its entity and who marked it; on a relation,
    the link's note, analyst and tags; on the `Article` span, the title and the tags' notes.
    Control characters in a note become spaces.
- `annotation.conf`: the entity types, every relation type used (any entity to any entity),
  the attributes, and overlaps allowed (mentions may nest); comments map each spelled name
  back to the dossier's.
- `visual.conf`: the names brat shows for them (`brokered_deal_with | brokered deal with`).
"""

from __future__ import annotations

import re
from pathlib import Path

from dossier.export.base import Progress
from dossier.export.selection import Selection
from dossier.export.training import LABELS, TDoc, TSpan, documents
from dossier.store import Store

# What Python's str.splitlines() (and so brat's line reader) takes for a line end, and tab,
# which separates an .ann line's fields.
_BREAKS = re.compile("[\t\n\x0b\x0c\r\x1c\x1d\x1e\x85\u2028\u2029]+")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_NOT_NAME = re.compile(r"[^A-Za-z0-9_-]+")


def txt(body: str) -> str:
    """The body as written to the .txt file: carriage returns replaced one for one."""
    return body.replace("\r\n", " \n").replace("\r", "\n")


def fragments(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """(start, end) pieces of a span with no line break or tab inside, whitespace trimmed."""
    pieces = []
    at = start
    for found in [*_BREAKS.finditer(text, start, end), None]:
        stop = found.start() if found else end
        a, b = at, stop
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if a < b:
            pieces.append((a, b))
        if found:
            at = found.end()
    return pieces


def note_text(value: str) -> str:
    return _CONTROL.sub(" ", value).strip()


class Names:
    """brat type names for the dossier's names: letters, digits, `_`, `-`, one per name."""

    def __init__(self) -> None:
        self.of: dict[str, str] = {}
        self.taken: set[str] = {"Origin", "Article", *LABELS.values()}

    def __call__(self, name: str) -> str:
        if name not in self.of:
            base = _NOT_NAME.sub("_", name).strip("_") or "x"
            if not base[0].isalpha():
                base = "x_" + base
            spelled, n = base, 1
            while spelled in self.taken:
                n += 1
                spelled = f"{base}_{n}"
            self.taken.add(spelled)
            self.of[name] = spelled
        return self.of[name]


def write(store: Store, selection: Selection, target: Path, progress: Progress | None = None,
          final_name: str = "") -> None:
    relations, attributes = Names(), Names()
    target.mkdir()
    for tdoc in documents(store, selection, progress):
        text = txt(tdoc.text)
        name = f"article-{tdoc.article_id}"
        (target / f"{name}.txt").write_bytes(text.encode("utf-8"))
        ann = "".join(line + "\n" for line in ann_lines(tdoc, text, relations, attributes))
        (target / f"{name}.ann").write_bytes(ann.encode("utf-8"))
    (target / "annotation.conf").write_bytes(conf(relations, attributes).encode("utf-8"))
    (target / "visual.conf").write_bytes(visual(relations, attributes).encode("utf-8"))


def _t_line(tid: str, label: str, text: str, pieces: list[tuple[int, int]]) -> str:
    offsets = ";".join(f"{a} {b}" for a, b in pieces)
    return f"{tid}\t{label} {offsets}\t{' '.join(text[a:b] for a, b in pieces)}"


def ann_lines(tdoc: TDoc, text: str, relations: Names, attributes: Names) -> list[str]:
    """The .ann lines of one document (`text` is the .txt's text)."""
    t_lines: list[str] = []
    others: list[str] = []
    notes: list[str] = []
    count = {"A": 0, "R": 0, "#": 0}

    def next_id(prefix: str) -> str:
        count[prefix] += 1
        return f"{prefix}{count[prefix]}"

    def note(target: str, parts: list[str]) -> None:
        body = " | ".join(p for p in (note_text(part) for part in parts) if p)
        if body:
            notes.append(f"{next_id('#')}\tAnnotatorNotes {target}\t{body}")

    t_of: dict[int, str] = {}  # span index -> T id
    for i, span in enumerate(tdoc.spans):
        pieces = fragments(text, span.start, span.end)
        if not pieces:
            continue
        tid = f"T{len(t_lines) + 1}"
        t_of[i] = tid
        t_lines.append(_t_line(tid, span.label, text, pieces))
        others.append(f"{next_id('A')}\tOrigin {tid} {span.origin}")
        for tagset, tag, _ in tdoc.entity_tags.get(span.entity_id, []):
            others.append(f"{next_id('A')}\t{attributes(f'{tagset}:{tag}')} {tid}")
        note(tid, _span_note(span))
    for rel in tdoc.relations:
        if rel.head in t_of and rel.child in t_of:
            rid = next_id("R")
            others.append(f"{rid}\t{relations(rel.label)} Arg1:{t_of[rel.head]} "
                          f"Arg2:{t_of[rel.child]}")
            tags = ", ".join(f"{s}:{t}" for s, t in rel.tags)
            note(rid, [rel.note or "", f"link {rel.link_id} '{rel.label}' by {rel.analyst}",
                       f"tags: {tags}" if tags else ""])
    if tdoc.tags:
        first = fragments(text, 0, len(text))[:1]
        if first:
            tid = f"T{len(t_lines) + 1}"
            t_lines.append(_t_line(tid, "Article", text, first))
            for tagset, tag, _ in tdoc.tags:
                others.append(f"{next_id('A')}\t{attributes(f'{tagset}:{tag}')} {tid}")
            note(tid, [f"article {tdoc.article_id}: {tdoc.title}",
                       *(f"{s}:{t}: {n}" for s, t, n in tdoc.tags if n)])
    return t_lines + others + notes


def _span_note(span: TSpan) -> list[str]:
    marked = f"marked by {span.analyst} at {span.marked_at}" if span.analyst else ""
    return [f"entity {span.entity_id} {span.entity} ({span.kind})", marked]


def conf(relations: Names, attributes: Names) -> str:
    lines = ["# Written by `dossier export --format brat`.",
             "# Entity types: " + ", ".join(f"{v} = {k}" for k, v in LABELS.items())
             + "; Article = the first line of an article that carries tags.",
             "[entities]", *LABELS.values(), "Article", "", "[relations]"]
    for name, spelled in relations.of.items():
        lines += [f"# {spelled} = relation {note_text(name)!r}",
                  f"{spelled}\tArg1:<ENTITY>, Arg2:<ENTITY>"]
    lines += ["<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>", "", "[events]", "",
              "[attributes]", "Origin\tArg:<ENTITY>, Value:auto|analyst"]
    for name, spelled in attributes.of.items():
        lines += [f"# {spelled} = tag {note_text(name)!r}", f"{spelled}\tArg:<ENTITY>"]
    return "\n".join(lines) + "\n"


KIND_NAMES = {"PERSON": "Person", "ORG": "Organisation", "GPE": "Place", "MISC": "Other"}


def visual(relations: Names, attributes: Names) -> str:
    """brat's [labels]: each type's name as the dossier writes it."""
    lines = ["[labels]", *(f"{label} | {name}" for label, name in KIND_NAMES.items())]
    for names in (relations, attributes):
        for name, spelled in names.of.items():
            shown = note_text(name).replace("|", "/").replace("\t", " ")
            if shown and shown != spelled:
                lines.append(f"{spelled} | {shown}")
    return "\n".join([*lines, "", "[drawing]"]) + "\n"
