"""The Articles list's fold of near-duplicates on a big dossier (issue 17).

    python bench/fold.py --dossier bench/cache/dossier-100000-1.db [--copies 1000]

`--copies N` first resends N articles (the body with its last sentence changed, a new
title) into a COPY of the file, so there is something to fold; the timings are then taken on
a fresh connection: the stored pairs (`article_duplicates`, written at ingest since schema 3)
read once (cold), then the count, the first page, a deep page and an opened pile's position,
warm.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dossier.model import Article  # noqa: E402
from dossier.store import Store  # noqa: E402


def timed(label: str, fn, runs: int = 3):
    best, result = float("inf"), None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    print(f"{label:<58} {best * 1000:8.1f} ms")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dossier", type=Path, required=True)
    parser.add_argument("--copies", type=int, default=0)
    args = parser.parse_args()
    path = args.dossier
    if args.copies:
        path = Path(tempfile.mkdtemp()) / "fold.db"
        shutil.copy(args.dossier, path)
        store = Store.open(path)
        ids = [r[0] for r in store.conn.execute(
            "SELECT id FROM articles ORDER BY id LIMIT ?", (args.copies,))]
        start = time.perf_counter()
        with store.bulk():
            for i in ids:
                a = store.get_article(i)
                assert a is not None
                body = a.body.rsplit(".", 2)[0] + ". A line added when it was resent."
                store.ingest_article(Article(title=a.title + " (resent)", body=body,
                                             published=a.published, source=a.source,
                                             content_hash=f"resent-{i}"), [], [], [])
        print(f"resent {len(ids)} articles in {time.perf_counter() - start:.1f} s")
        store.close()
    store = Store.open(path, readonly=True)
    start = time.perf_counter()
    folded = store.folded_copies()
    print(f"{'stored pairs read, cold (article_duplicates), folded copies':<58} "
          f"{(time.perf_counter() - start) * 1000:8.1f} ms  "
          f"({sum(len(c) for c in folded.values())} copies under {len(folded)} firsts)")
    timed("count_articles(fold=True), warm", lambda: store.count_articles(None, fold=True))
    timed("count_articles() (no fold), for comparison", lambda: store.count_articles(None))
    timed("first page of 100, -published, fold",
          lambda: store.articles_page(None, "-published", 0, 100, fold=True))
    timed("page at 50,000, -published, fold",
          lambda: store.articles_page(None, "-published", 50_000, 100, fold=True))
    timed("page at 50,000, -published, no fold",
          lambda: store.articles_page(None, "-published", 50_000, 100))
    if folded:
        first = max(folded)
        timed("an opened pile's first: its index in the folded list",
              lambda: store.article_index(None, "-published", first, fold=True))
    store.close()


if __name__ == "__main__":
    main()
