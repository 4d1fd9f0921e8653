"""The brief as one self-contained HTML file: no network, inline SVG timeline and link
graph, print styles. Every string is escaped, and loses the characters HTML and XML forbid
(controls, U+FFFE, U+FFFF), so the inline SVG is well-formed XML too."""

from __future__ import annotations

import math
import re
from html import escape as _escape
from typing import IO

from dossier.export.base import Progress, readable
from dossier.export.brief import Brief, gather, outline
from dossier.export.selection import Selection, resolve
from dossier.safetext import safe_text
from dossier.store import Store


def escape(text: str) -> str:
    return _escape(readable(str(text)))


CSS = """
body { font: 15px/1.5 Georgia, serif; max-width: 60em; margin: 2em auto; color: #1b1f24; }
h1, h2 { font-family: Helvetica, Arial, sans-serif; }
.tags { font: 12px Helvetica, Arial, sans-serif; color: #555; }
blockquote { margin: .3em 0 0 1.5em; color: #444; font-style: italic; }
.source, .involves, .also, .note, .description, .url { margin-left: 1.5em; font-size: 13px; }
.source { color: #555; margin-bottom: .6em; }
svg { max-width: 100%; height: auto; border: 1px solid #ddd; }
@media print { body { margin: 0; } svg { break-inside: avoid; } }
"""


def _iso(value: str | None) -> bool:
    return bool(value and re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", value))


CHAR_WIDTH = 0.62  # of the font size: a generous mean width of a sans-serif character


def text_width(text: str, size: float) -> float:
    """How wide a label draws, estimated (no font metrics in a file with no network)."""
    return len(text) * size * CHAR_WIDTH


def _ticks(lo: float, hi: float) -> list[tuple[float, str]]:
    """Axis ticks between two fractional years: years, or months for a short span."""
    span = hi - lo
    if span > 2:
        step = max(1, round(span / 8))
        first = math.ceil(lo)
        return [(y, str(y)) for y in range(first, math.floor(hi) + 1, step)]
    months = []
    m = math.ceil(lo * 12 - 1e-9)
    step = 1 if span <= 0.75 else 3 if span <= 1.5 else 6
    while m <= hi * 12 + 1e-9:
        if m % step == 0:
            months.append((m / 12, f"{m // 12}-{m % 12 + 1:02d}"))
        m += 1
    return months


def _timeline_svg(brief: Brief) -> str:
    # Drawn: the events whose dates are ISO dates (a stranger's file may hold anything).
    dated = [e for e in brief.events if _iso(e["start"]) and (not e["end"] or _iso(e["end"]))]
    if not dated:
        return "<p>No dated events.</p>"

    def num(v: str) -> float:
        parts = [int(p) if p.isdigit() else 1 for p in str(v).split("-")[:3]] + [1, 1]
        return parts[0] + (max(1, min(12, parts[1])) - 1) / 12 + (max(1, min(31, parts[2]))
                                                                  - 1) / 365

    lo = min(num(e["start"]) for e in dated)
    hi = max(num(e["end"] or e["start"]) for e in dated)
    if hi - lo < 1 / 12:
        lo, hi = lo - 1 / 24, hi + 1 / 24
    width, row, margin, size = 900, 22, 12, 11
    left, right = margin + 30, width - margin - 30
    height = 60 + row * len(dated)

    def x(v: float) -> float:
        return left + (v - lo) / (hi - lo) * (right - left)

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
           f'width="{width}" height="{height}" role="img" aria-label="timeline">']
    axis_y = 30
    out.append(f'<line class="axis" x1="{left}" y1="{axis_y}" x2="{right}" y2="{axis_y}" '
               f'stroke="#888"/>')
    for value, label in _ticks(lo, hi):
        tx = x(value)
        half = text_width(label, size) / 2
        lx = min(max(tx, margin + half), width - margin - half)  # never past an edge
        out.append(f'<line x1="{tx:.1f}" y1="{axis_y - 4}" x2="{tx:.1f}" y2="{axis_y + 4}" '
                   f'stroke="#888"/><text class="axis-label" x="{lx:.1f}" y="{axis_y - 10}" '
                   f'font-size="{size}" text-anchor="middle">{escape(label)}</text>')
    for i, e in enumerate(dated):
        x1 = x(num(e["start"]))
        x2 = max(x(num(e["end"] or e["start"])), x1 + 4)
        y = 56 + i * row
        label = f'{e["when"]} {e["title"]}'
        room_right = width - margin - (x2 + 6)
        room_left = x1 - 6 - margin
        room = max(room_right, room_left)
        max_chars = max(8, int(room / (size * CHAR_WIDTH)))
        if len(label) > max_chars:
            label = label[:max_chars - 1].rstrip() + "…"
        out.append(f'<rect x="{x1:.1f}" y="{y - 8}" width="{x2 - x1:.1f}" height="10" '
                   f'fill="#4f7cc4"/>')
        if room_right >= room_left or text_width(label, size) <= room_right:
            out.append(f'<text class="event-label" x="{x2 + 6:.1f}" y="{y + 1}" '
                       f'font-size="{size}">{escape(label)}</text>')
        else:  # near the right edge: the label goes to the left of its bar
            out.append(f'<text class="event-label" x="{x1 - 6:.1f}" y="{y + 1}" '
                       f'font-size="{size}" text-anchor="end">{escape(label)}</text>')
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
        # a label reads away from the centre, so none runs past the drawing's edge
        room = (size - x - 9 - 4) if x >= size / 2 else (x - 9 - 4)
        label = nodes[k]
        most = max(6, int(room / (11 * CHAR_WIDTH)))
        if len(label) > most:
            label = label[:most - 1].rstrip() + "…"
        tx, anchor = (x + 9, "start") if x >= size / 2 else (x - 9, "end")
        out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="6" fill="#2e9d5b"/>'
                   f'<text x="{tx:.1f}" y="{y + 4:.1f}" font-size="11" '
                   f'text-anchor="{anchor}">{escape(label)}</text>')
    out.append("</svg>")
    return "".join(out)


_HTML_DETAIL = {"involves": '<div class="involves">involves: {}</div>',
                "quote": "<blockquote>{}</blockquote>",
                "source": '<div class="source">— {}</div>',
                "also": '<div class="also">also: {}</div>',
                "description": '<div class="description">{}</div>',
                "note": '<div class="note">note: {}</div>',
                "url": '<div class="url">{}</div>'}


def write(store: Store, selection: Selection, stream: IO[bytes],
          progress: Progress | None = None) -> None:
    brief = gather(store, resolve(store, selection))
    summary, sections = outline(brief)
    h = [f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
         f"<title>{escape(brief.title)}</title><style>{CSS}</style></head><body>",
         f"<h1>{escape(brief.title)}</h1>", f"<p>{escape(summary)}</p>"]
    for section in sections:
        h.append(f"<h{section.level}>{escape(section.title)}</h{section.level}>")
        if section.title == "Timeline":
            h.append(_timeline_svg(brief))
        elif section.title == "Links":
            h.append(_graph_svg(brief))
        if section.intro:
            h.append(f"<p>{escape(section.intro)}</p>")
        if not section.items:
            continue
        h.append("<ul>")
        for item in section.items:
            head = ""
            for style, text in item.head:
                if style in ("strong", "em"):
                    head += f"<{style}>{escape(text)}</{style}>"
                elif style == "tags":
                    head += f' <span class="tags">[{escape(text)}]</span>'
                elif style == "paren":
                    head += f" ({escape(text)})"
                else:
                    head += escape(text)
            details = "".join(_HTML_DETAIL[kind].format(escape(text))
                              for kind, text in item.details)
            h.append(f"<li>{head}{details}</li>")
        h.append("</ul>")
    h.append("</body></html>\n")
    # Control characters are not HTML, and `-o -` may be a terminal: none gets through.
    stream.write(safe_text("".join(h)).encode("utf-8"))
    if progress:
        progress(1, 1)
