"""Merge suggestions and near-duplicates, timed (issue 17). Figures for BENCHMARKS.md.

    python bench/suggest.py --dossier bench/cache/dossier-100000-1.db   # the big dossier
    python bench/suggest.py --wikinews                                   # the 60 articles

On the big dossier: every suggestion (cold: the pool of entities, the keys, the context of
each pair), one entity's candidates (the inspector's path), every near-duplicate pair, and
the cost of a sketch an article (what ingest pays). On the Wikinews corpus: how many
suggestions there are, and which.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dossier import dedup  # noqa: E402
from dossier.store import Store  # noqa: E402
from dossier.store.suggest import duplicate_pairs, suggestions  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "wikinews"


def timed(fn, runs: int = 3):  # noqa: ANN001, ANN201
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def big(path: Path, runs: int) -> dict:
    store = Store.open(path, readonly=True)
    out: dict = {"entities": store.count_entities(), "articles": store.count_articles()}
    seconds, found = timed(lambda: suggestions(store), runs)
    out["suggest_all_s"] = round(seconds, 2)
    out["suggestions"] = len(found)
    out["top"] = [f"{s.score:.2f} {s.a.name} / {s.b.name}: {s.reasons[0]}" for s in found[:10]]
    head = store.conn.execute("SELECT entity_id FROM mentions GROUP BY entity_id "
                              "ORDER BY count(*) DESC LIMIT 1").fetchone()[0]
    seconds, mine = timed(lambda: suggestions(store, entity_id=head, limit=3), runs)
    out["suggest_one_entity_s"] = round(seconds, 2)
    seconds, pairs = timed(lambda: duplicate_pairs(store), runs)
    out["near_duplicates_s"] = round(seconds, 2)
    out["near_duplicate_pairs"] = len(pairs)
    bodies = [b for (b,) in store.conn.execute("SELECT body FROM articles LIMIT 2000")]
    started = time.perf_counter()
    for body in bodies:
        dedup.sketch(body)
    out["sketch_ms_per_article"] = round((time.perf_counter() - started) / len(bodies) * 1000, 3)
    store.close()
    return out


def wikinews() -> dict:
    from dossier.ingest.pipeline import ingest_paths

    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(Path(tmp) / "w.db", create=True)
        report = ingest_paths(store, [CORPUS], extractor="auto")
        seconds, found = timed(lambda: suggestions(store), 3)
        out = {"articles": report.added, "extractor": report.extractor,
               "entities": store.count_entities(), "suggestions": len(found),
               "suggest_s": round(seconds, 3),
               "near_duplicate_pairs": len(duplicate_pairs(store)),
               "all": [f"{s.score:.2f} {s.a.name} / {s.b.name}: {s.reasons[0]}"
                       for s in found]}
        store.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dossier", type=Path)
    parser.add_argument("--wikinews", action="store_true")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    result = {}
    if args.dossier:
        result["big"] = big(args.dossier, args.runs)
    if args.wikinews:
        result["wikinews"] = wikinews()
    print(json.dumps(result, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
