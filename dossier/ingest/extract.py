"""`dossier extract`: entities and dates of JSON lines on stdin, for scripts and evaluation.

Input, one object a line: `{"id": ..., "text": "...", "published": "2023-04-04"?}`.
Output, one line an input line: `{"id", "entities": [{"start", "end", "text", "label",
"entity"}], "dates": [{"start", "end", "text", "value", "precision"}]}`; label is person,
organisation, place or other, entity the resolved canonical name, value ISO (`2023-03-30`,
`2022-02`, `2022`, `START/END` for a range; null when unresolved). Offsets index the text as
given. Resolution carries across the lines of one run, as across the articles of a dossier.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO

from dossier.ingest.dates import find_dates
from dossier.ingest.entities import make_extractor
from dossier.ingest.readers import MAX_BYTES, loads
from dossier.ingest.resolve import Resolver
from dossier.safetext import json_text

MAX_LINE = MAX_BYTES  # characters of one input line, as for an article file


def run_extract(instream: IO[str], outstream: IO[str], errstream: IO[str], *,
                extractor: str = "auto", model: str | None = None) -> int:
    """Process every line; a bad line (not an object, nested too deeply, too long) is
    reported on errstream with its number and skipped, and a count ends the run. Returns the
    exit status: 0, or 2 when any line was not a valid input object."""
    ex = make_extractor(extractor, model)
    resolver = Resolver()
    refused = 0
    for n, line in enumerate(_lines(instream), 1):
        if line is None:
            errstream.write(f"dossier extract: line {n}: longer than {MAX_LINE:,} characters; "
                            "skipped\n")
            refused += 1
            continue
        if not line.strip():
            continue
        try:
            obj = loads(line)
            if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
                raise ValueError("expected an object with a string 'text'")
            published = obj.get("published")
            if published is not None and not isinstance(published, str):
                raise ValueError("'published' must be a string")
        except ValueError as exc:  # json.JSONDecodeError too
            errstream.write(f"dossier extract: line {n}: {exc}\n")
            refused += 1
            continue
        text = obj["text"]
        entities, kept = resolver.resolve(ex.extract(text))
        out = {
            "id": obj.get("id"),
            "entities": [
                {"start": c.start, "end": c.end, "text": text[c.start:c.end],
                 "label": entities[i].kind, "entity": entities[i].name}
                for i, c in kept
            ],
            "dates": [
                {"start": d.start, "end": d.end, "text": d.text, "value": d.value,
                 "precision": d.precision}
                for d in find_dates(text, published)
            ],
        }
        outstream.write(json_text(out) + "\n")
        outstream.flush()
    if refused:
        errstream.write(f"dossier extract: {refused} line{'s' if refused > 1 else ''} "
                        "refused\n")
        return 2
    return 0


def _lines(instream: IO[str]) -> Iterator[str | None]:
    """The lines of the stream, None for one longer than MAX_LINE (read past in pieces, never
    held whole: a stream with no newline is not a way to fill the memory)."""
    while True:
        line = instream.readline(MAX_LINE + 1)
        if not line:
            return
        if len(line) <= MAX_LINE or line.endswith("\n"):
            yield line
            continue
        while line and not line.endswith("\n"):
            line = instream.readline(1024 * 1024)
        yield None
