"""Readers of saved web pages, scored on pages of several sites' shapes (tests/webpages.py).

    python bench/webpages.py

For each reader and page: title, day and author exactly right (after the cleaning every
article goes through), and the precision and recall of the article's words against the
story's known body (multisets of lower-cased words: a word of navigation, a comment or a
related link costs precision; a lost paragraph costs recall). Readers:

- `tokenizer`: the hand-written reader of `readers.py` (meta tags, `<article>`/`<main>`/
  `<body>` text without nav, header, footer, aside, form, script);
- `trafilatura`: trafilatura alone (text and metadata), dates from markup only;
- `traf-guess`: the same with htmldate's default extensive date search;
- `combined`: what `dossier ingest` uses (`ingest/web.py`).
"""

from __future__ import annotations

import re
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from webpages import PAGES  # noqa: E402

from dossier.ingest import web  # noqa: E402
from dossier.ingest.readers import Record, _records_html, to_article  # noqa: E402

WORD = re.compile(r"\w+")


def _trafilatura_alone(path: Path, text: str) -> list[Record]:
    doc = web._trafilatura(text)
    return [Record(str(path), text, doc.title, web._paragraphs(doc.text or ""),
                   published=doc.date, source=doc.sitename, url=doc.url, author=doc.author)]


def _trafilatura_guessing(path: Path, text: str) -> list[Record]:
    """trafilatura with htmldate's default extensive search (dates guessed from free text)."""
    import trafilatura

    doc = trafilatura.bare_extraction(text, with_metadata=True, include_comments=False,
                                      favor_precision=True)
    return [Record(str(path), text, doc.title, web._paragraphs(doc.text or ""),
                   published=doc.date, source=doc.sitename, url=doc.url, author=doc.author)]


READERS = {"tokenizer": _records_html, "trafilatura": _trafilatura_alone,
           "traf-guess": _trafilatura_guessing, "combined": web.page_records}


def words(text: str) -> Counter:
    return Counter(w.lower() for w in WORD.findall(text))


def score(reader, page, folder: Path) -> dict:
    path = folder / f"{page.name}.html"
    path.write_text(page.html)
    start = time.perf_counter()
    (record,) = reader(path, page.html)
    article = to_article(record)
    elapsed = time.perf_counter() - start
    got, want = words(article.body), words(page.body)
    common = sum((got & want).values())
    return {"title": article.title == page.title, "date": article.published == page.published,
            "author": article.author == page.author,
            "precision": common / max(1, sum(got.values())),
            "recall": common / max(1, sum(want.values())), "ms": elapsed * 1000,
            "got": article}


def main() -> None:
    totals = {}
    web._trafilatura("<html><body><p>warm up: imports</p></body></html>")
    with tempfile.TemporaryDirectory() as tmp:
        print(f"{'page':22} {'reader':12} title date author  prec.  recall    ms")
        for page in PAGES:
            for name, reader in READERS.items():
                s = score(reader, page, Path(tmp))
                t = totals.setdefault(name, Counter())
                for key in ("title", "date", "author", "precision", "recall", "ms"):
                    t[key] += s[key]
                mark = {True: "  ok ", False: "  -- "}
                print(f"{page.name:22} {name:12}{mark[s['title']]}{mark[s['date']]}"
                      f"{mark[s['author']]} {s['precision']:6.2f} {s['recall']:6.2f} "
                      f"{s['ms']:6.0f}")
                if "-v" in sys.argv:
                    a = s["got"]
                    print(f"    title={a.title!r} date={a.published} author={a.author!r}")
                    print("    " + a.body.replace("\n", "\n    "))
    n = len(PAGES)
    print(f"\n{'reader':12} {'title':>6} {'date':>6} {'author':>6} {'prec.':>6} {'recall':>6} "
          f"{'ms/page':>8}  ({n} pages)")
    for name, t in totals.items():
        print(f"{name:12} {t['title']:4}/{n} {t['date']:4}/{n} {t['author']:4}/{n} "
              f"{t['precision'] / n:6.2f} {t['recall'] / n:6.2f} {t['ms'] / n:8.0f}")


if __name__ == "__main__":
    main()
