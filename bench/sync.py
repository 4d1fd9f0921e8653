"""`dossier pull` and `dossier push` on a generated dossier: whole command-line runs, timed.

usage: python bench/sync.py [--articles 10000] [--batches 1000] [--runs 3]

Each run copies the generated dossier (bench/make_dossier.py, cached) as the team dossier,
then times, as separate `python -m dossier` processes:
  pull_all_s       pull the whole dossier
  pull_tag_s       pull the articles tagged triage:noise (5% of them)
  publish_empty_s  push the pulled copy into a new, empty dossier (every row imported)
  publish_same_s   push a second copy into a dossier that already has it all (every row matched)
  replay_s         push back the pulled copy after BATCHES offline tag changes (one row each)
  repush_s         the same push again (nothing to apply)
Prints a JSON object of medians (and every run's figures).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from make_dossier import cached  # noqa: E402

from dossier.store import Store  # noqa: E402


def timed(*args: object) -> float:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "dossier", *map(str, args)],
                          capture_output=True, text=True)
    took = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{args}: exit {done.returncode}: {done.stderr.strip()}")
    return took


def one_run(source: Path, batches: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        d = Path(folder)
        team = d / "team.db"
        shutil.copy(source, team)
        out = {"pull_all_s": timed("pull", team, d / "all.db"),
               "pull_tag_s": timed("pull", team, d / "tag.db", "--tag", "triage:noise")}
        out["publish_empty_s"] = timed("push", d / "all.db", d / "new.db", "--analyst", "b")
        timed("pull", team, d / "again.db")
        out["publish_same_s"] = timed("push", d / "again.db", d / "new.db", "--analyst", "b")
        offline = Store.open(d / "all.db")
        ids = [a.id for a in offline.list_articles(limit=batches)]
        with offline.synchronous("OFF"):
            for n in range(batches):
                offline.set_tag("olga", [("article", ids[n % len(ids)])], "bench", f"t{n}")
        offline.close()
        out["replay_s"] = timed("push", d / "all.db", team)
        out["repush_s"] = timed("push", d / "all.db", team)
        return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--batches", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    source = cached(args.articles)
    store = Store.open(source, readonly=True)
    counts = store.counts()
    store.close()
    runs = [one_run(source, args.batches) for _ in range(args.runs)]
    medians = {k: round(statistics.median(r[k] for r in runs), 2) for k in runs[0]}
    print(json.dumps({"articles": args.articles, "batches": args.batches, "counts": counts,
                      "median": medians, "runs": runs}, indent=1))


if __name__ == "__main__":
    main()
