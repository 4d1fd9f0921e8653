"""8 concurrent analysts x 1,000 tags on one dossier, on an SQLite file and on PostgreSQL.

Each analyst is a process with its own store; each tags 1,000 articles (its own tag, so all
8,000 must be kept) one change at a time, as keys would. Reported per engine: tags kept, tags
refused (an error), and the commit time of one tag (median, p95, max, milliseconds), over all
8,000. PostgreSQL runs in a private cluster (tests/pgserver.py) with fsync on; SQLite with
WAL and synchronous=FULL, as the app.

    .venv/bin/python bench/team.py [--analysts 8] [--tags 1000] [--articles 2000]
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from dossier.model import Article  # noqa: E402
from dossier.store import STORE_ERRORS, Store  # noqa: E402


def build(target: str, articles: int) -> list[int]:
    store = Store.open(target, create=True)
    with store.bulk("OFF"):
        for i in range(articles):
            body = f"Article {i} about the story, with words {i * 7} and {i * 13}."
            store.ingest_article(Article(id=None, title=f"Article {i}", body=body,
                                         content_hash=f"h{i}"), [], [], [])
    ids = [r[0] for r in store.conn.execute("SELECT id FROM articles ORDER BY id")]
    store.close()
    return ids


def analyst(args: tuple[str, int, list[int], multiprocessing.Barrier]) -> tuple[list[float], int]:
    target, n, ids, barrier = args
    store = Store.open(target)
    times, refused = [], 0
    barrier.wait()
    for article_id in ids:
        start = time.perf_counter()
        try:
            store.set_tag(f"analyst{n}", [("article", article_id)], "bench", f"t{n}",
                          mode="add")
        except STORE_ERRORS:
            refused += 1
            continue
        times.append((time.perf_counter() - start) * 1000)
    store.close()
    return times, refused


def run(target: str, analysts: int, tags: int, articles: int) -> dict:
    ids = build(target, articles)
    manager = multiprocessing.Manager()
    barrier = manager.Barrier(analysts)
    shift = [n * 97 % len(ids) for n in range(analysts)]
    jobs = [(target, n, (ids[shift[n]:] + ids[:shift[n]])[:tags], barrier)
            for n in range(analysts)]
    with multiprocessing.Pool(analysts) as pool:
        results = pool.map(analyst, jobs)
    times = sorted(t for r in results for t in r[0])
    store = Store.open(target, readonly=True)
    kept = store.conn.execute("SELECT count(*) FROM taggings WHERE tagset = 'bench'"
                              ).fetchone()[0]
    store.close()
    return {"kept": kept, "refused": sum(r[1] for r in results),
            "median": statistics.median(times), "p95": times[int(len(times) * 0.95) - 1],
            "max": times[-1]}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--analysts", type=int, default=8)
    parser.add_argument("--tags", type=int, default=1000)
    parser.add_argument("--articles", type=int, default=2000)
    opts = parser.parse_args()
    import pgserver

    server = pgserver.start(durable=True)
    try:
        with tempfile.TemporaryDirectory() as folder:
            for name, target in (("sqlite", str(Path(folder) / "team.db")),
                                 ("postgresql", server.url(server.new_database("bench")))):
                r = run(target, opts.analysts, opts.tags, opts.articles)
                print(f"{name:<11} kept {r['kept']:>5} / {opts.analysts * opts.tags}  refused "
                      f"{r['refused']}  commit ms: median {r['median']:.1f}  p95 "
                      f"{r['p95']:.1f}  max {r['max']:.1f}", flush=True)
    finally:
        server.stop()


if __name__ == "__main__":
    main()
