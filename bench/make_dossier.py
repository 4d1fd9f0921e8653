"""Build a realistic generated dossier, deterministically, through the store's bulk path.

Article bodies are assembled from sentences of real news text (../shared/corpus/wikinews and
data/sample), so the full-text index sees real vocabulary; about ten mentions an article fall
on a Zipf-distributed population of entities (the top ones get 10,000+ mentions at 100,000
articles); each article has a dated event; some articles carry tags and some entities links.

    python bench/make_dossier.py --articles 100000 --out bench/cache/dossier-100000-1.db
    python bench/make_dossier.py --articles 100000 --out postgresql://...   # an empty database

A PostgreSQL dossier is the cached file of the same parameters copied in whole
(`store/bulk.py`: COPY FROM STDIN, one GIN build): the same rows and ids as the file.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import random
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dossier.model import Article, Entity, Event, Link, Mention  # noqa: E402
from dossier.store import Store  # noqa: E402
from dossier.store.bulk import copy_dossier  # noqa: E402
from dossier.store.urls import is_url, server_name  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "wikinews"
FIRST = ["Anna", "Boris", "Chen", "Dmitri", "Elena", "Farid", "Grace", "Hassan", "Ivan", "Julia",
         "Kim", "Leila", "Marco", "Nadia", "Omar", "Petra", "Quentin", "Rosa", "Sergei", "Tariq",
         "Uma", "Viktor", "Wen", "Ximena", "Yusuf", "Zofia", "Ashot", "Janet", "Antony", "John"]
LAST = ["Mkrtychev", "Yellen", "Blinken", "Kirby", "Petrov", "Ivanova", "Haddad", "Novak",
        "Kowalski", "Tanaka", "Okafor", "Silva", "Müller", "Rossi", "Dubois", "Jensen",
        "Kovacs", "Horvat", "Popescu", "Nguyen", "Sato", "Ali", "Khan", "Garcia", "Smith",
        "Brown", "Levi", "Cohen", "Park", "Lee", "Shevchenko", "Bondar", "Melnyk", "Tkachenko"]
ORGS = ["Ministry", "Group", "Bank", "Council", "Agency", "Holdings", "Industries", "Command"]
PLACES = ["Oblast", "City", "Province", "Region", "Port", "Valley"]


def corpus_sentences() -> list[str]:
    files = sorted(CORPUS.glob("*.txt")) if CORPUS.is_dir() else []
    files += sorted((ROOT / "data" / "sample").glob("*.txt"))
    sentences: list[str] = []
    for path in files:
        text = path.read_text(encoding="utf-8")
        for s in re.split(r"(?<=[.!?])\s+", text):
            s = " ".join(s.split())
            if 40 <= len(s) <= 300:
                sentences.append(s)
    return sentences


def population(rng: random.Random, n: int) -> list[tuple[str, str]]:
    names: list[tuple[str, str]] = []
    seen: set[str] = set()
    while len(names) < n:
        roll = rng.random()
        if roll < 0.5:
            name, kind = f"{rng.choice(FIRST)} {rng.choice(LAST)}", "person"
            if name in seen:
                name = f"{name} {rng.choice(LAST)}"
        elif roll < 0.8:
            name, kind = f"{rng.choice(LAST)} {rng.choice(ORGS)}", "organisation"
        else:
            name, kind = f"{rng.choice(LAST)} {rng.choice(PLACES)}", "place"
        if name in seen:
            name = f"{name} {len(names)}"
        seen.add(name)
        names.append((name, kind))
    return names


def build(n_articles: int, out: Path | str, seed: int = 1, chunk: int = 2000,
          quiet: bool = False) -> dict[str, float]:
    if is_url(out):  # a PostgreSQL database, empty (bench/engines.py makes it): the cached file
        return copy_to(cached(n_articles, seed), str(out), quiet)  # copied whole
    rng = random.Random(seed)
    sentences = corpus_sentences()
    n_entities = max(50, n_articles // 2)
    people = population(rng, n_entities)
    weights = list(itertools.accumulate(1 / (k ** 1.07) for k in range(1, n_entities + 1)))
    entities: list[Entity | None] = [None] * n_entities
    out = Path(out)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{out}{suffix}").unlink(missing_ok=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    store = Store.open(out, create=True)
    started = time.perf_counter()
    done = 0
    while done < n_articles:
        with store.bulk():
            for i in range(done, min(done + chunk, n_articles)):
                body = ""
                mentions: list[tuple[int, Mention]] = []
                used: list[int] = []
                picks = rng.choices(range(n_entities), cum_weights=weights, k=10)
                for k, pick in enumerate(picks):
                    body += rng.choice(sentences) + " "
                    name = people[pick][0]
                    if pick not in used:
                        used.append(pick)
                    mentions.append((used.index(pick), Mention(None, None, len(body),
                                                               len(body) + len(name), name)))
                    body += f"{name} {rng.choice(['said', 'denied it', 'was named'])}."
                    body += "\n\n" if k == 4 else " "
                body = body.rstrip()
                batch = []
                for pick in used:
                    if entities[pick] is None:
                        entities[pick] = Entity(name=people[pick][0], kind=people[pick][1])
                    batch.append(entities[pick])
                year = rng.randint(2000, 2024)
                month, day = rng.randint(1, 12), rng.randint(1, 28)
                published = f"{year:04d}-{month:02d}-{day:02d}"
                title = rng.choice(sentences)[:90]
                event = Event(title=title[:60], date_start=f"{year:04d}-{month:02d}",
                              precision="month", date_text="last month",
                              resolution="relative", evidence_start=0,
                              evidence_end=min(len(body), 200))
                article = Article(
                    title=title, body=body, source=rng.choice(["Wire", "Examiner", "Herald",
                                                               "Times", "Post"]),
                    published=published, published_precision="day",
                    content_hash=hashlib.sha256(f"{seed}:{i}:{body}".encode()).hexdigest(),
                    origin=f"generated:{i}")
                store.ingest_article(article, batch, mentions, [(event, [0])])
            done = min(done + chunk, n_articles)
        if not quiet:
            print(f"  {done}/{n_articles} articles", file=sys.stderr, end="\r")
    build_s = time.perf_counter() - started
    # Analyst work on top, through the journalled path: tags on 5% of articles, some links.
    tag_rng = random.Random(seed + 1)
    tagged = tag_rng.sample(range(1, n_articles + 1), max(1, n_articles // 20))
    for start in range(0, len(tagged), 500):
        ids = tagged[start:start + 500]
        store.set_tag("bench", [("article", i) for i in ids], "triage",
                      tag_rng.choice(["relevant", "background", "noise"]), mode="add",
                      exclusive=True)
    known = [e for e in entities if e is not None and e.id is not None]
    for _ in range(min(200, len(known) // 2)):
        a, b = tag_rng.sample(known, 2)
        assert a.id is not None and b.id is not None
        store.add_link("bench", Link("entity", a.id, "member of", "entity", b.id))
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.conn.execute("ANALYZE")
    counts = store.counts()
    store.close()
    if not quiet:
        print(f"\nbuilt {out}: {counts} in {build_s:.1f} s", file=sys.stderr)
    return {"build_s": build_s, **{k: float(v) for k, v in counts.items()}}


def copy_to(file: Path, url: str, quiet: bool = False) -> dict[str, float]:
    """The generated file copied whole into an empty PostgreSQL database, then ANALYZEd."""
    source = Store.open(file)  # an older cached file is migrated first
    store = Store.open(url, create=True)
    started = time.perf_counter()
    try:
        copied = copy_dossier(source, store, None if quiet else (
            lambda table, rows: print(f"  {table}: {rows} rows", file=sys.stderr)))
        store.conn.execute("ANALYZE")
        counts = store.counts()
    finally:
        source.close()
        store.close()
    build_s = time.perf_counter() - started
    if not quiet:
        print(f"copied {file} into {server_name(url)}: {sum(copied.values())} rows in "
              f"{build_s:.1f} s", file=sys.stderr)
    return {"build_s": build_s, **{k: float(v) for k, v in counts.items()}}


def cached(n_articles: int, seed: int = 1) -> Path:
    """The generated dossier for these parameters, built once and kept in bench/cache/."""
    path = ROOT / "bench" / "cache" / f"dossier-{n_articles}-{seed}.db"
    if not path.exists():
        tmp = path.with_suffix(".building")
        build(n_articles, tmp, seed)
        tmp.rename(path)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--out", required=True,
                        help="a file, or an empty PostgreSQL database's URL")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    build(args.articles, args.out if is_url(args.out) else Path(args.out), args.seed)


if __name__ == "__main__":
    main()
