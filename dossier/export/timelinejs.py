"""TimelineJS JSON: one slide an event, dates at their precision (a month has no day).

TimelineJS renders headlines and texts as HTML: article text arrives escaped, without control
characters or non-characters. An event whose date is not ISO (a stranger's file) is left out."""

from __future__ import annotations

import re
from html import escape as _escape
from typing import IO, Any

from dossier.export.base import Progress, dumps, readable
from dossier.export.selection import Selection, resolve
from dossier.store import Store


def escape(text: str) -> str:
    return _escape(readable(str(text)))


def _iso(value: str | None) -> bool:
    return bool(value and re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", value))


def date_object(value: str) -> dict[str, Any]:
    parts = value.split("-")
    out: dict[str, Any] = {"year": int(parts[0])}
    if len(parts) > 1:
        out["month"] = int(parts[1])
    if len(parts) > 2:
        out["day"] = int(parts[2])
    return out


def write(store: Store, selection: Selection, stream: IO[bytes],
          progress: Progress | None = None) -> None:
    r = resolve(store, selection)
    events = []
    offset = 0
    while page := store.list_events(offset, 500, unresolved=False):
        offset += len(page)
        for ev in page:
            if ev.id is None or not r.has("event", ev.id) or not _iso(ev.date_start) or (
                    ev.date_end and not _iso(ev.date_end)):
                continue  # undated, or dates that are not dates (a stranger's file)
            article = store.get_article(ev.article_id) if ev.article_id else None
            quote = article.body[ev.evidence_start:ev.evidence_end] if (
                article and ev.evidence_start is not None) else ""
            tags = [t.tag for t in store.tags_for("event", ev.id)]
            # TimelineJS renders these as HTML: article text must arrive escaped.
            slide: dict[str, Any] = {
                "unique_id": f"event-{ev.id}",
                "start_date": date_object(ev.date_start),
                "text": {"headline": escape(ev.title),
                         "text": escape(quote + (f" — {article.title}" if article else ""))},
                "group": escape(tags[0] if tags else (
                    article.source if article and article.source else "events")),
            }
            if ev.date_end and ev.date_end != ev.date_start:
                slide["end_date"] = date_object(ev.date_end)
            if ev.precision != "day" or ev.date_end:
                slide["display_date"] = readable(ev.date_start) + (
                    f" to {ev.date_end}" if ev.date_end else "")
            events.append(slide)
    doc = {"title": {"text": {"headline": escape(store.get_meta("title") or "Dossier timeline"),
                              "text": f"{len(events)} events"}},
           "events": events}
    stream.write(dumps(doc, indent=1).encode("utf-8"))
    if progress:
        progress(1, 1)
