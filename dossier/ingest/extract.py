"""`dossier extract`: entities and dates of JSON lines on stdin, for scripts and evaluation.

Input, one object a line: `{"id": ..., "text": "...", "published": "2023-04-04"?}`.
Output, one line an input line: `{"id", "entities": [{"start", "end", "text", "label",
"entity"}], "dates": [{"start", "end", "text", "value", "precision"}]}`; label is person,
organisation, place or other, entity the resolved canonical name, value ISO (`2023-03-30`,
`2022-02`, `2022`, `START/END` for a range; null when unresolved). Offsets index the text as
given. Resolution carries across the lines of one run, as across the articles of a dossier.
"""

from __future__ import annotations

import io
import itertools
import select
from collections import deque
from collections.abc import Callable, Iterator
from typing import IO

from dossier.ingest.dates import find_dates
from dossier.ingest.parallel import LocalFinder, PoolFinder, finder, jobs_count
from dossier.ingest.readers import MAX_BYTES, loads
from dossier.ingest.resolve import Resolver
from dossier.safetext import json_text

MAX_LINE = MAX_BYTES  # characters of one input line, as for an article file


BATCH = 32  # lines read ahead and run through the extractor together


def run_extract(instream: IO[str], outstream: IO[str], errstream: IO[str], *,
                extractor: str = "auto", model: str | None = None, jobs: int = 1) -> int:
    """Process every line; a bad line (not an object, nested too deeply, too long) is
    reported on errstream with its number and skipped, and a count ends the run. Returns the
    exit status: 0, or 2 when any line was not a valid input object.

    Lines are read ahead a batch at a time (`BATCH`) and their names found together, here or
    in `jobs` worker processes; the output is the same, line for line and in order, as one
    line at a time."""
    find = finder(extractor, model, (), jobs_count(jobs))
    try:
        status = _run(instream, outstream, errstream, find)
        find.ready()  # an extractor that cannot load is said even when no line came
        return status
    finally:
        find.close()


Parsed = tuple[int, str | dict]  # line number, why it is refused or the input object


class _Batch:
    """Lines read together: their names to come (`names()`), their dates found once."""

    def __init__(self, parsed: list[Parsed], names: Callable[[], list]):
        self.parsed = parsed
        self.names = names
        self.dated: list[tuple[int, str | dict, list[dict]]] = []

    def find_dates(self) -> None:
        if not self.dated:
            self.dated = [(n, obj, _dates(obj) if isinstance(obj, dict) else [])
                          for n, obj in self.parsed]


def _run(instream: IO[str], outstream: IO[str], errstream: IO[str],
         find: LocalFinder | PoolFinder) -> int:
    resolver = Resolver()
    refused = 0
    lines = enumerate(_lines(instream), 1)
    pending: deque[_Batch] = deque()
    while True:
        read = list(itertools.islice(_while_ready(lines, instream), BATCH))
        parsed = [p for n, line in read if (p := _parse(n, line)) is not None]
        if parsed:
            texts = [obj["text"] for _, obj in parsed if isinstance(obj, dict)]
            pending.append(_Batch(parsed, find.submit(texts)))
        if not pending:
            if not read:
                break
            continue
        if read and len(pending) <= find.ahead and _ready(instream):
            continue  # keep every worker busy: read on before waiting
        # Dates depend on the text alone: found here, for every batch handed out, while the
        # workers find the names (each batch handed out first, so no worker waits for them).
        for waiting in pending:
            waiting.find_dates()
        batch = pending.popleft()
        done, result = batch.dated, batch.names
        found = iter(result())
        for n, obj, dates in done:
            if isinstance(obj, str):
                errstream.write(f"dossier extract: line {n}: {obj}\n")
                refused += 1
                continue
            candidates = next(found)
            if isinstance(candidates, tuple):  # the extractor failed on this text
                errstream.write(f"dossier extract: line {n}: could not be analysed "
                                f"({candidates[0]}: {candidates[1]})\n")
                refused += 1
                continue
            outstream.write(json_text(_output(obj, resolver, candidates, dates)) + "\n")
        outstream.flush()
        errstream.flush()
    if refused:
        errstream.write(f"dossier extract: {refused} line{'s' if refused > 1 else ''} "
                        "refused\n")
        return 2
    return 0


def _while_ready(lines: Iterator[tuple[int, str | None]],
                 instream: IO[str]) -> Iterator[tuple[int, str | None]]:
    """The next line, then more only while more input is there already: a script that writes
    a line and waits for its answer gets it, it is not kept waiting for a whole batch."""
    for numbered in lines:
        yield numbered
        if not _ready(instream):
            return


def _ready(instream: IO[str]) -> bool:
    """Whether reading the stream would not wait (true of files, and of any stream that
    cannot say)."""
    try:
        return bool(select.select([instream.fileno()], [], [], 0)[0])
    except (OSError, ValueError, io.UnsupportedOperation):
        return True


def _parse(n: int, line: str | None) -> Parsed | None:
    """The input object of line n, or why it is refused; None for a blank line."""
    if line is None:
        return n, f"longer than {MAX_LINE:,} characters; skipped"
    if not line.strip():
        return None
    try:
        obj = loads(line)
        if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
            raise ValueError("expected an object with a string 'text'")
        published = obj.get("published")
        if published is not None and not isinstance(published, str):
            raise ValueError("'published' must be a string")
    except ValueError as exc:  # json.JSONDecodeError too
        return n, str(exc)
    return n, obj


def _dates(obj: dict) -> list[dict]:
    return [{"start": d.start, "end": d.end, "text": d.text, "value": d.value,
             "precision": d.precision} for d in find_dates(obj["text"], obj.get("published"))]


def _output(obj: dict, resolver: Resolver, candidates: list, dates: list[dict]) -> dict:
    text = obj["text"]
    entities, kept = resolver.resolve(candidates)
    return {
        "id": obj.get("id"),
        "entities": [
            {"start": c.start, "end": c.end, "text": text[c.start:c.end],
             "label": entities[i].kind, "entity": entities[i].name}
            for i, c in kept
        ],
        "dates": dates,
    }


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
