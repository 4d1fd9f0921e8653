"""The brief as one self-contained HTML file: no network, inline SVG timeline and link
graph, print styles. Every string is escaped, and loses the characters HTML and XML forbid
(controls, U+FFFE, U+FFFF), so the inline SVG is well-formed XML too."""

from __future__ import annotations

import math
import re
from html import escape as _escape
from typing import IO

from dossier.export.base import Progress, readable
from dossier.export.brief import Brief, _tag_text, gather
from dossier.export.selection import Selection, resolve
from dossier.safetext import safe_text
from dossier.store import Store


def escape(text: str) -> str:
    return _escape(readable(str(text)))


CSS = """
body { font: 15px/1.5 Georgia, serif; max-width: 60em; margin: 2em auto; color: #1b1f24; }
h1, h2 { font-family: Helvetica, Arial, sans-serif; }
.tags { font: 12px Helvetica, Arial, sans-serif; color: #555; }
blockquote { margin: .3em 0 .6em 1.5em; color: #444; font-style: italic; }
svg { max-width: 100%; height: auto; border: 1px solid #ddd; }
@media print { body { margin: 0; } svg { break-inside: avoid; } }
"""


def _iso(value: str | None) -> bool:
    return bool(value and re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", value))


def _timeline_svg(brief: Brief) -> str:
    # Drawn: the events whose dates are ISO dates (a stranger's file may hold anything).
    dated = [e for e in brief.events if _iso(e["start"]) and (not e["end"] or _iso(e["end"]))]
    if not dated:
        return "<p>No dated events.</p>"
    def num(v: str) -> float:
        parts = [int(p) if p.isdigit() else 1 for p in str(v).split("-")[:3]] + [1, 1]
        return parts[0] + (parts[1] - 1) / 12 + (parts[2] - 1) / 365
    lo = min(num(e["start"]) for e in dated)
    hi = max(num(e["end"] or e["start"]) for e in dated)
    span = max(hi - lo, 1 / 12)
    width, row = 900, 22
    height = 40 + row * len(dated)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
           f'role="img" aria-label="timeline">']
    out.append(f'<line x1="20" y1="20" x2="{width - 20}" y2="20" stroke="#888"/>')
    for i, e in enumerate(dated):
        x1 = 20 + (num(e["start"]) - lo) / span * (width - 300)
        x2 = 20 + (num(e["end"] or e["start"]) - lo) / span * (width - 300)
        y = 40 + i * row
        out.append(f'<rect x="{x1:.1f}" y="{y - 8}" width="{max(x2 - x1, 4):.1f}" height="10" '
                   f'fill="#4f7cc4"/>')
        out.append(f'<text x="{x2 + 8:.1f}" y="{y + 1}" font-size="11">{escape(e["when"])} '
                   f'{escape(e["title"][:60])}</text>')
    out.append("</svg>")
    return "".join(out)


def _graph_svg(brief: Brief) -> str:
    if not brief.links:
        return "<p>No links yet.</p>"
    nodes: dict[tuple, str] = {}
    for link in brief.links:
        nodes.setdefault(link["from_key"], link["from"])
        nodes.setdefault(link["to_key"], link["to"])
    keys = list(nodes)
    size, radius = 640, 240
    pos = {k: (size / 2 + radius * math.cos(2 * math.pi * i / len(keys)),
               size / 2 + radius * math.sin(2 * math.pi * i / len(keys)))
           for i, k in enumerate(keys)}
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" role="img" '
           f'aria-label="link graph">']
    for link in brief.links:
        (x1, y1), (x2, y2) = pos[link["from_key"]], pos[link["to_key"]]
        out.append(f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
                   f'stroke="#999"/><text x="{(x1 + x2) / 2:.1f}" y="{(y1 + y2) / 2:.1f}" '
                   f'font-size="10" fill="#a33">{escape(link["relation"])}</text>')
    for k, (x, y) in pos.items():
        out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="6" fill="#2e9d5b"/>'
                   f'<text x="{x + 9:.1f}" y="{y + 4:.1f}" font-size="11">'
                   f'{escape(nodes[k][:40])}</text>')
    out.append("</svg>")
    return "".join(out)


def write(store: Store, selection: Selection, stream: IO[bytes],
          progress: Progress | None = None) -> None:
    brief = gather(store, resolve(store, selection))
    h = [f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
         f"<title>{escape(brief.title)}</title><style>{CSS}</style></head><body>",
         f"<h1>{escape(brief.title)}</h1>",
         f"<p>{len(brief.articles)} articles, {len(brief.entities)} key entities, "
         f"{len(brief.events)} dated events, {len(brief.links)} links.</p>",
         "<h2>Timeline</h2>", _timeline_svg(brief), "<ul>"]
    for ev in brief.events:
        tags = f' <span class="tags">{escape(_tag_text(ev["tags"]))}</span>' if ev["tags"] \
            else ""
        h.append(f"<li><strong>{escape(ev['when'])}</strong> ({escape(ev['precision'])}) — "
                 f"{escape(ev['title'])}{tags}")
        if ev["quote"]:
            h.append(f"<blockquote>{escape(ev['quote'])}</blockquote>")
        h.append("</li>")
    h.append("</ul><h2>Key entities</h2><ul>")
    for e in brief.entities:
        tags = f' <span class="tags">{escape(_tag_text(e["tags"]))}</span>' if e["tags"] else ""
        h.append(f"<li><strong>{escape(e['name'])}</strong> ({escape(e['kind'])}, "
                 f"{e['mentions']} mentions){tags}</li>")
    h.append("</ul><h2>Links</h2>")
    h.append(_graph_svg(brief))
    h.append("<ul>")
    for link in brief.links:
        h.append(f"<li>{escape(link['from'])} — <em>{escape(link['relation'])}</em> → "
                 f"{escape(link['to'])}")
        if link["quote"]:
            h.append(f"<blockquote>{escape(link['quote'])}</blockquote>")
        h.append("</li>")
    h.append("</ul><h2>Articles</h2><ul>")
    for a in brief.articles:
        tags = f' <span class="tags">{escape(_tag_text(a["tags"]))}</span>' if a["tags"] else ""
        h.append(f"<li>{escape(a['title'])} ({escape(a['source'] or 'source unknown')}, "
                 f"{escape(a['published'] or 'undated')}){tags}</li>")
    h.append("</ul></body></html>\n")
    # Control characters are not HTML, and `-o -` may be a terminal: none gets through.
    stream.write(safe_text("".join(h)).encode("utf-8"))
    if progress:
        progress(1, 1)
