"""Words per second of each extractor, of the whole ingest, and our overhead over the
extractor alone (spaCy's NER, or the rules), on the Wikinews corpus repeated; and with
`--throughput`, `dossier extract` as the evaluation kit runs it, cold, with and without
`--jobs 2`.

    python bench/extraction.py [--copies 10]
    python bench/extraction.py --throughput [--runs 3] [--copies 10]

Targets: the whole ingest with the built-in extractor at least 300 articles/s; with spaCy at
most 1.25x the time of spaCy's own NER on the same text; `dossier extract` (issue 15) at
least 10,000 words/s on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
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
EVAL = ROOT.parent / "shared" / "eval"


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


def load_text() -> str:
    return f"{os.getloadavg()[0]:.1f}"


CPU: dict[tuple[str, str, int], list[float]] = {}


def extract_run(lines: str, jobs: int, dossier: str) -> tuple[float, float]:
    """The wall time of `dossier extract --jobs N` over these lines, start to exit (as the
    evaluation kit's scorers time it), and its CPU time with its workers' (those it waited
    for: not a forkserver's, whose workers are not its children)."""
    command = [dossier, "extract", "--jobs", str(jobs)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    done = subprocess.run(command, input=lines.encode("utf-8"), stdout=subprocess.PIPE,
                          check=True)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    assert done.stdout.count(b"\n") == lines.count("\n")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


STARTUP = """
import os, time
t = time.perf_counter()
import spacy
t_import = time.perf_counter() - t
from dossier.ingest.entities import make_extractor
t = time.perf_counter()
make_extractor("spacy")
print(t_import, time.perf_counter() - t)
"""


def throughput(runs: int, copies: int, baseline: str | None) -> None:
    """`dossier extract` on the development set (60 documents, as `ner_eval.py` sends them)
    and on the set `copies` times over (ids made unique), `--jobs 1` and `--jobs 2`, runs
    interleaved; start-up is the same command given no line (import and model load, the
    workers forked, exit); past start-up is the words over the wall time less start-up.
    `baseline`: another build's `dossier` command, run interleaved with this one's."""
    sys.path.insert(0, str(EVAL))
    import ner_eval  # the kit's own reading of the gold: the same texts and word count

    units = ner_eval.read_gold(ner_eval.DEFAULT_GOLD, "doc")
    words = sum(u["words"] for u in units)
    dev = "".join(json.dumps({"id": u["id"], "text": u["text"]}, ensure_ascii=False) + "\n"
                  for u in units)
    pile = "".join(json.dumps({"id": f"{c}-{u['id']}", "text": u["text"]},
                              ensure_ascii=False) + "\n"
                   for c in range(copies) for u in units)
    print(f"development set: {len(units)} documents, {words} words; pile: {copies} times "
          f"over, {words * copies} words; load average at start {load_text()}; "
          f"{os.cpu_count()} cores")
    parts = []
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", STARTUP], capture_output=True, text=True,
                             check=True, env={**os.environ, "OPENBLAS_NUM_THREADS": "1"})
        parts.append([float(x) for x in out.stdout.split()])
    print(f"in one process: import spacy {statistics.median(p[0] for p in parts):.2f} s, "
          f"extractor load {statistics.median(p[1] for p in parts):.2f} s "
          f"(median of {runs}, load {load_text()})")
    builds = {"this": str(Path(sys.executable).parent / "dossier")}
    if baseline:
        builds["baseline"] = baseline
    figures: dict[tuple[str, str, int], list[float]] = {}
    loads = []
    for _ in range(runs):
        for build, dossier in builds.items():
            for jobs in (1, 2):
                for name, lines in (("start-up", ""), ("dev", dev), ("pile", pile)):
                    wall, cpu = extract_run(lines, jobs, dossier)
                    figures.setdefault((build, name, jobs), []).append(wall)
                    CPU.setdefault((build, name, jobs), []).append(cpu)
                loads.append(os.getloadavg()[0])
    print(f"median of {runs} interleaved runs, load average {min(loads):.1f}-"
          f"{max(loads):.1f}:")
    for build, jobs in ((b, j) for b in builds for j in (1, 2)):
        start = statistics.median(figures[build, "start-up", jobs])
        dev_s = statistics.median(figures[build, "dev", jobs])
        pile_s = statistics.median(figures[build, "pile", jobs])
        print(f"  {build} --jobs {jobs}: start-up {start:.2f} s; dev cold {dev_s:.2f} s "
              f"({words / dev_s:,.0f} words/s), past start-up "
              f"{words / max(dev_s - start, 1e-9):,.0f} words/s; pile cold {pile_s:.2f} s "
              f"({words * copies / pile_s:,.0f} words/s), past start-up "
              f"{words * copies / max(pile_s - start, 1e-9):,.0f} words/s; CPU time "
              + ", ".join(f"{name} {statistics.median(CPU[build, name, jobs]):.2f} s"
                          for name in ("start-up", "dev", "pile")))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--copies", type=int, default=10)
    parser.add_argument("--throughput", action="store_true",
                        help="dossier extract, cold, --jobs 1 and 2 (issue 15)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--baseline", help="with --throughput: another build's `dossier`, "
                        "run interleaved (e.g. ../main/.venv/bin/dossier)")
    args = parser.parse_args()
    if args.throughput:
        throughput(args.runs, args.copies, args.baseline)
        return
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
