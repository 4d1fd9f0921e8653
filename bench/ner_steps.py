"""The NER's greedy transition steps against its network, in CPU time (issue 15).

spaCy 3.8.8 and later (built with Cython 3.2) take and drop the GIL several times a
transition, and the steps then cost more CPU than the network itself; pyproject.toml keeps
3.8.7. Run this after a spaCy upgrade: on a quiet machine the steps should be a few per cent
of the network. Kept out of the tests: CPU time still moves with other processes' load
(caches, a shared core), and the suite runs on shared machines.

    .venv/bin/python bench/ner_steps.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dossier.ingest.entities import make_extractor  # noqa: E402

WIKINEWS = ROOT.parent / "shared" / "corpus" / "wikinews"


def main() -> None:
    nlp = make_extractor("spacy").nlp
    ner = nlp.get_pipe("ner")
    files = sorted((ROOT / "data" / "sample").glob("*.txt")) + sorted(WIKINEWS.glob("*.txt"))
    docs = [nlp.make_doc(f.read_text(encoding="utf-8")) for f in files[:24]]
    batches = [docs[:12], docs[12:]]

    def cpu(step) -> float:  # noqa: ANN001
        best = float("inf")
        for _ in range(5):
            start = time.process_time()
            for batch in batches:
                step(batch)
            best = min(best, time.process_time() - start)
        return best

    network = cpu(ner.model.predict)  # token vectors and the features' precomputation
    whole = cpu(ner.predict)  # the same, then the transitions
    import spacy

    print(f"spaCy {spacy.__version__}, ops {ner.model.ops.name}: network {network:.3f} s CPU, "
          f"transitions {whole - network:.3f} s CPU "
          f"({100 * (whole - network) / network:.0f}% of the network)")


if __name__ == "__main__":
    main()
