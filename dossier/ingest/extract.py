"""`dossier extract`: entities and dates of JSON lines on stdin, for scripts and evaluation.

Input, one object a line: `{"id": ..., "text": "...", "published": "2023-04-04"?}`.
Output, one line an input line: `{"id", "entities": [{"start", "end", "text", "label",
"entity"}], "dates": [{"start", "end", "text", "value", "precision"}]}`; label is person,
organisation, place or other, entity the resolved canonical name, value ISO (`2023-03-30`,
`2022-02`, `2022`, `START/END` for a range; null when unresolved). Offsets index the text as
given. Resolution carries across the lines of one run, as across the articles of a dossier.
"""

from __future__ import annotations

import json
from typing import IO

from dossier.ingest.dates import find_dates
from dossier.ingest.entities import make_extractor
from dossier.ingest.resolve import Resolver
from dossier.safetext import json_text


def run_extract(instream: IO[str], outstream: IO[str], errstream: IO[str], *,
                extractor: str = "auto", model: str | None = None) -> int:
    """Process every line; a bad line is reported on errstream and skipped. Returns the exit
    status: 0, or 2 when any line was not a valid input object."""
    ex = make_extractor(extractor, model)
    resolver = Resolver()
    status = 0
    for n, line in enumerate(instream, 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
                raise ValueError("expected an object with a string 'text'")
            published = obj.get("published")
            if published is not None and not isinstance(published, str):
                raise ValueError("'published' must be a string")
        except (json.JSONDecodeError, ValueError) as exc:
            errstream.write(f"dossier extract: line {n}: {exc}\n")
            status = 2
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
    return status
