"""8 concurrent analysts x 1,000 tags on one dossier, on an SQLite file and on PostgreSQL.

The dossier is bench/make_dossier.py's generated one (100,000 articles, ~1,000,000 mentions):
the cached file copied for SQLite, and that file copied whole into a fresh PostgreSQL database
(store/bulk.py, COPY) for PostgreSQL. Each analyst is a process with its own store; each tags
1,000 articles (its own tag, so all 8,000 must be kept) one change at a time, as keys would.
Reported per engine: tags kept, tags refused (an error), and the commit time of one tag
(median, p95, max, milliseconds), over all 8,000. PostgreSQL runs in a private cluster
(tests/pgserver.py) with fsync on; SQLite with WAL and synchronous=FULL, as the app.

    .venv/bin/python bench/team.py [--analysts 8] [--tags 1000] [--articles 100000]
        [--runs 3] [--engine sqlite|postgresql]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import make_dossier  # noqa: E402
from run import pct  # noqa: E402

from dossier.store import Store, is_url, store_errors  # noqa: E402


def build(target: str, articles: int) -> tuple[list[int], float]:
    """The generated dossier at `target` (a copy of the cached file, or copied whole into an
    empty PostgreSQL database); its article ids and the seconds the copy took."""
    source = make_dossier.cached(articles)
    started = time.perf_counter()
    if is_url(target):
        make_dossier.copy_to(source, target, quiet=True)
    else:
        Store.open(source).close()  # an older cached file is migrated here
        shutil.copyfile(source, target)
    took = time.perf_counter() - started
    store = Store.open(target)
    ids = [r[0] for r in store.conn.execute("SELECT id FROM articles ORDER BY id")]
    store.close()
    return ids, took


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
        except store_errors():
            refused += 1
            continue
        times.append((time.perf_counter() - start) * 1000)
    store.close()
    return times, refused


def run(target: str, analysts: int, tags: int, articles: int) -> dict:
    ids, took = build(target, articles)
    load = os.getloadavg()[0]
    shift = [n * 97 % len(ids) for n in range(analysts)]
    with multiprocessing.Manager() as manager, multiprocessing.Pool(analysts) as pool:
        barrier = manager.Barrier(analysts)
        jobs = [(target, n, (ids[shift[n]:] + ids[:shift[n]])[:tags], barrier)
                for n in range(analysts)]
        results = pool.map(analyst, jobs)
    times = sorted(t for r in results for t in r[0])
    store = Store.open(target, readonly=True)
    kept = store.conn.execute("SELECT count(*) FROM taggings WHERE tagset = 'bench'"
                              ).fetchone()[0]
    store.close()
    return {"kept": kept, "refused": sum(r[1] for r in results), "build_s": took,
            "load": (load, os.getloadavg()[0]),
            "median": statistics.median(times), "p95": pct(times, 0.95),
            "max": times[-1]}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--analysts", type=int, default=8)
    parser.add_argument("--tags", type=int, default=1000)
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--engine", choices=("sqlite", "postgresql"), action="append")
    opts = parser.parse_args()
    import pgserver

    server = pgserver.start(durable=True)
    try:
        for n in range(opts.runs):
            with tempfile.TemporaryDirectory(dir=make_dossier.ROOT / "bench" / "cache") as folder:
                for name in opts.engine or ("sqlite", "postgresql"):
                    database = server.new_database("bench") if name == "postgresql" else ""
                    target = server.url(database) if database else str(Path(folder) / "team.db")
                    r = run(target, opts.analysts, opts.tags, opts.articles)
                    print(f"run {n + 1} {name:<11} kept {r['kept']:>5} / "
                          f"{opts.analysts * opts.tags}  refused {r['refused']}  commit ms: "
                          f"median {r['median']:.1f}  p95 {r['p95']:.1f}  max {r['max']:.1f}"
                          f"  (copy {r['build_s']:.0f} s; load {r['load'][0]:.1f} -> "
                          f"{r['load'][1]:.1f})", flush=True)
                    if database:
                        server.sql(f'DROP DATABASE "{database}"')
    finally:
        server.stop()


if __name__ == "__main__":
    main()
