"""A tag key during a big merge: how long the tag's commit waits, and how long the merge takes.

usage: python bench/merge_tag.py [--mentions 20000 100000] [--runs 3]

The merge runs on a worker's connection (`Store.writing()`), in steps; the tag is the UI
thread's `set_tag` on its own connection, pressed every ~50 ms while the merge runs. Before
the steps (one transaction for the whole merge) a tag waited for all of it: ~0.6 s behind a
20,000-mention merge and 4.8 s behind the 100,000-mention head entity of the big dossier.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from dossier_helpers import big_entity  # noqa: E402

from dossier.store import Store  # noqa: E402


def one_run(mentions: int) -> tuple[list[float], float]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "merge.db"
        source, target = big_entity(path, mentions)
        ui = Store.open(path)
        done = threading.Event()
        took: list[float] = []

        def merge() -> None:
            start = time.perf_counter()
            with ui.writing() as writer:
                writer.merge_entities("bo", source, target)
            took.append(time.perf_counter() - start)
            done.set()

        worker = threading.Thread(target=merge)
        worker.start()
        waits = []
        n = 0
        while not done.is_set():
            time.sleep(0.05)
            start = time.perf_counter()
            ui.set_tag("ana", [("article", 1 + n % 10)], "t", f"t{n}", mode="add")
            waits.append(time.perf_counter() - start)
            n += 1
        worker.join()
        ui.close()
        return waits, took[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentions", type=int, nargs="+", default=[20_000, 100_000])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    for mentions in args.mentions:
        p50s, p95s, worst, merges = [], [], [], []
        for _ in range(args.runs):
            waits, merge_s = one_run(mentions)
            waits.sort()
            p50s.append(statistics.median(waits) * 1000)
            p95s.append(waits[int(0.95 * (len(waits) - 1))] * 1000)
            worst.append(waits[-1] * 1000)
            merges.append(merge_s)
        print(f"{mentions:>7} mentions: tag commit during the merge p50 "
              f"{statistics.median(p50s):.1f} ms, p95 {statistics.median(p95s):.1f} ms, "
              f"worst {statistics.median(worst):.1f} ms; merge {statistics.median(merges):.2f} s "
              f"(medians of {args.runs} runs)")


if __name__ == "__main__":
    main()
