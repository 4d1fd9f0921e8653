"""Both engines side by side on the generated dossier (issue 19): open, key-to-frame p95,
search p95, for an SQLite file and a PostgreSQL database holding the same dossier.

    python bench/engines.py [--articles 100000] [--runs 3] [--presses 60]

The file is bench/cache's (bench/make_dossier.py); the PostgreSQL dossier is that file copied
whole (make_dossier.copy_to: store/bulk.py, COPY) into a private server this script starts
(tests/pgserver.py, fsync on) and stops. Open: seconds from `dossier open TARGET` to the first
frame showing the Articles pane, in a 120x40 pty (bench/run.py's Pty). Key to frame:
bench/run.py's cursor and tag keys, to the first frame (`_first`) and to the end of the burst
that answers the key. Search: `Store.search` of bench/run.py's queries, first page of 50,
ranked and latest-first, each run `--runs` times. Medians of `--runs` opens and key runs; p95
over all the presses or queries. Never part of the tests.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests"))

import make_dossier  # noqa: E402
import pgserver  # noqa: E402
import run  # noqa: E402

from dossier.store import Store  # noqa: E402


def search_times(target: str, runs: int) -> dict[str, float]:
    store = Store.open(target, readonly=True)
    out: dict[str, float] = {}
    try:
        for order in ("rank", "recent"):
            times = []
            for query in run.QUERIES.values():
                for _ in range(runs):
                    started = time.perf_counter()
                    store.search(query, 0, 50, order=order)
                    times.append(time.perf_counter() - started)
            out[f"search_{order}_p50_ms"] = statistics.median(times) * 1000
            out[f"search_{order}_p95_ms"] = run.pct(times, 0.95) * 1000
    finally:
        store.close()
    return out


def measure(target: str, runs: int, presses: int, home: Path) -> dict[str, float]:
    opens = run.measure_open(target, runs, home)  # type: ignore[arg-type]
    keys: dict[str, list[float]] = {}
    for _ in range(runs):
        for name, values in run.measure_keys(target, home, presses).items():  # type: ignore[arg-type]
            keys.setdefault(name, []).extend(values)
    out = {"open_s": statistics.median(opens)}
    for name in ("cursor", "tag", "cursor_first", "tag_first"):
        out[f"{name}_p50_ms"] = statistics.median(keys[name]) * 1000
        out[f"{name}_p95_ms"] = run.pct(keys[name], 0.95) * 1000
    return {**out, **search_times(target, runs)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--presses", type=int, default=60)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="dossier-engines-"))
    home = work / "home"
    home.mkdir()
    server = pgserver.start(durable=True)
    try:
        file = work / "dossier.db"  # a copy: the tag key writes
        shutil.copyfile(make_dossier.cached(args.articles), file)
        Store.open(file).close()  # an older cached file is migrated here, not timed
        database = server.new_database("bench")
        url = server.url(database)
        started = time.perf_counter()
        make_dossier.build(args.articles, url, quiet=True)
        built = time.perf_counter() - started
        results = {"sqlite": measure(str(file), args.runs, args.presses, home),
                   "postgresql": measure(url, args.runs, args.presses, home)}
        results["postgresql"]["build_s"] = built
        print(json.dumps({"articles": args.articles, "runs": args.runs,
                          "python": platform.python_version(),
                          "postgresql": server.sql("SHOW server_version")[0][0][0],
                          "load": os.getloadavg(), "results": results}, indent=2))
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
