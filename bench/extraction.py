"""Words per second of each extractor, of the whole ingest, and our overhead over the
extractor alone (spaCy's NER, or the rules), on the Wikinews corpus repeated.

    python bench/extraction.py [--copies 10]

Targets: the whole ingest with the built-in extractor at least 300 articles/s; with spaCy at
most 1.25x the time of spaCy's own NER on the same text.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dossier.ingest.entities import SPACY_BATCH, RulesExtractor, make_extractor  # noqa: E402
from dossier.ingest.pipeline import ingest_paths  # noqa: E402
from dossier.ingest.readers import records, to_article  # noqa: E402
from dossier.store import Store  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "wikinews"


def corpus_folder(tmp: Path, copies: int) -> Path:
    folder = tmp / "articles"
    folder.mkdir()
    sources = sorted(CORPUS.glob("*.txt")) or sorted((ROOT / "data" / "sample").glob("*.txt"))
    for copy in range(copies):
        for f in sources:
            (folder / f"{copy}-{f.name}").write_text(
                f.read_text(encoding="utf-8") + f"\n\nCopy {copy}.\n", encoding="utf-8")
    return folder


def timed(fn, runs: int = 3) -> float:  # noqa: ANN001
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--copies", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = corpus_folder(Path(tmp), args.copies)
        files = sorted(folder.iterdir())
        bodies = [to_article(next(records(p))).body for p in files]  # type: ignore[arg-type]
        words = sum(len(b.split()) for b in bodies)
        print(f"{len(files)} articles, {words} words")
        rules = RulesExtractor()
        rules_s = timed(lambda: [rules.extract(b) for b in bodies])
        print(f"rules extractor alone   {words / rules_s:10.0f} words/s")
        runs = iter(range(100))

        def ingest(extractor: str, subset: list[Path], jobs: int = 1) -> None:
            store = Store.open(Path(tmp) / f"{extractor}-{next(runs)}.db", create=True)
            ingest_paths(store, subset, extractor=extractor, jobs=jobs)
            store.close()

        whole_s = timed(lambda: ingest("rules", files))
        print(f"whole ingest (rules)    {words / whole_s:10.0f} words/s, "
              f"{len(files) / whole_s:.0f} articles/s (target >= 300), "
              f"{whole_s / rules_s:.2f}x the extractor alone")
        two_s = timed(lambda: ingest("rules", files, 2))
        print(f"  --jobs 2              {words / two_s:10.0f} words/s, "
              f"{len(files) / two_s:.0f} articles/s (start-up of 2 workers included)")
        try:
            spacy_ex = make_extractor("spacy")
        except Exception as exc:  # noqa: BLE001 - report, do not fail: spaCy is optional
            print(f"spaCy: not measured ({exc})")
            return
        few = files[: max(60, len(files) // args.copies)]
        few_bodies = bodies[: len(few)]
        few_words = sum(len(b.split()) for b in few_bodies)
        nlp = spacy_ex.nlp  # type: ignore[attr-defined]
        print(f"spaCy pipeline: {nlp.pipe_names}")
        one_s = timed(lambda: [nlp(b) for b in few_bodies])
        print(f"spaCy NER, one by one   {few_words / one_s:10.0f} words/s")
        ner_s = timed(lambda: list(nlp.pipe(few_bodies, batch_size=SPACY_BATCH)))
        print(f"spaCy NER, nlp.pipe     {few_words / ner_s:10.0f} words/s")
        batched_s = timed(lambda: spacy_ex.extract_many(few_bodies))  # type: ignore[attr-defined]
        print(f"spaCy extractor         {few_words / batched_s:10.0f} words/s")
        spacy_s = timed(lambda: ingest("spacy", few))
        print(f"whole ingest (spaCy)    {few_words / spacy_s:10.0f} words/s, "
              f"{len(few) / spacy_s:.1f} articles/s, "
              f"{spacy_s / ner_s:.2f}x spaCy's NER alone (target <= 1.25)")
        two_s = timed(lambda: ingest("spacy", few, 2))
        print(f"  --jobs 2              {few_words / two_s:10.0f} words/s, "
              f"{len(few) / two_s:.1f} articles/s (start-up of 2 workers included)")


if __name__ == "__main__":
    main()
