"""Search and scoped reads on the big generated dossier: what `/` and a scoped pane cost.

    python bench/search.py [--dossier PATH] [--articles 100000] [--runs 7] [--json]

Each query is timed `--runs` times on a warm connection (after one untimed run, as a pane
that has been opened is); figures are the median per query, and the p50/p95 over all queries
of a family. The dossier is bench/make_dossier.py's (cached in bench/cache/) unless
`--dossier` names one. Never run as part of the tests.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from dossier.model import Scope  # noqa: E402
from dossier.store import Store  # noqa: E402

# What analysts type: common and rare words, a name with a hyphen or dots, a phrase, the
# operators, a prefix, an unbalanced quote, a lone operator.
QUERIES = [
    "government", "police", "said", "minister", "election", "Mkrtychev", "Yellen",
    "Iran-Contra", "U.S.", "Ashot Mkrtychev", '"prime minister"', "bank OR council",
    "police NOT minister", "sanction*", "gov*", '"unbalanced quote', "AND", "president:",
    "NEAR(police arrested, 5)", "Petrova-Kim", "title:minister", "the",
]


def timed(fn, runs: int) -> float:
    fn()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def p(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dossier", type=Path, default=None)
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--only", choices=["search", "scope"], default=None)
    args = parser.parse_args()
    if args.dossier is None:
        import make_dossier

        args.dossier = make_dossier.cached(args.articles)
    store = Store.open(args.dossier, readonly=True)
    results: dict[str, dict[str, float]] = {}
    relevant = Scope(tags=(("triage", "relevant"),))
    for family, call in {
        "search rank, page of 50": lambda q: store.search(q, 0, 50),
        "search recent, page of 50": lambda q: store.search(q, 0, 50, order="recent"),
        "search newest (publication date), page of 50":
            lambda q: store.search(q, 0, 50, order="newest"),
        "search count": lambda q: store.count_search(q),
        "search recent within relevant": lambda q: store.search(q, 0, 50, order="recent",
                                                                scope=relevant),
    }.items():
        if args.only == "scope":
            break
        per_query = {q: timed(lambda q=q, call=call: call(q), args.runs) for q in QUERIES}
        results[family] = {"p50_ms": p(list(per_query.values()), 0.5),
                           "p95_ms": p(list(per_query.values()), 0.95),
                           "max_ms": max(per_query.values()),
                           "slowest": max(per_query, key=per_query.get)}
    scopes = {
        "relevant": relevant,
        "relevant|background": Scope(tags=(("triage", "relevant"), ("triage", "background"))),
        "2010-01..2010-03": Scope(date_from="2010-01", date_to="2010-03"),
        '"minister"': Scope(query="minister"),
        "Wire + relevant": Scope(tags=(("triage", "relevant"),), sources=("Wire",)),
        "500 marked": Scope(article_ids=frozenset(range(1, 100_000, 200))),
        "everything": Scope(),
    }
    for name, scope in scopes.items():
        if args.only == "search":
            break
        results[f"scope {name}"] = {
            "count_articles_ms": timed(lambda s=scope: store.count_articles(s), args.runs),
            "articles_page_ms": timed(lambda s=scope: store.articles_page(s, "published", 0,
                                                                          100), args.runs),
            "articles_page_title_ms": timed(lambda s=scope: store.articles_page(
                s, "title", 0, 100), args.runs),
            "entities_page_first_ms": _first(lambda s=scope: store.entities_page(s, limit=100),
                                             store),
            "entities_page_cached_ms": timed(lambda s=scope: store.entities_page(
                s, offset=100, limit=100), args.runs),
            "entities_by_name_prefix_ms": timed(lambda s=scope: store.entities_page(
                s, order="name", name_prefix="an", limit=100), args.runs),
            "events_page_ms": timed(lambda s=scope: store.events_page(s, 0, 100), args.runs),
            "count_events_ms": timed(lambda s=scope: store.count_events(s), args.runs),
        }
    store.close()
    machine = f"{platform.machine()}, {platform.processor() or 'cpu'}, Python " \
              f"{platform.python_version()}"
    if args.json:
        print(json.dumps({"machine": machine, "results": results}, indent=1))
        return
    print(f"# {args.dossier.name}, median of {args.runs} runs, {machine}")
    for key, values in results.items():
        shown = ", ".join(f"{k} {v:.1f}" if isinstance(v, float) else f"{k} {v}"
                          for k, v in values.items())
        print(f"{key}: {shown}")


def _first(fn, store: Store) -> float:
    """A cold ranking: the scoped-entity cache emptied before each run."""
    samples = []
    for _ in range(3):
        store._scoped_cache = None
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


if __name__ == "__main__":
    main()
