"""A stand-in analyst: makes tag changes through the store's analyst-change path and prints
`ack N` after each one is committed (what the screen would show as done).

usage: tagger.py DB ANALYST COUNT [--exclusive ARTICLE_ID]
Without --exclusive, change N adds tag `ANALYST-N` (set `t`) to article N % articles + 1.
With it, change N sets exclusive set `triage` on that article to tag `ANALYST-N`.
"""

import sys

from dossier.store import Store


def main() -> None:
    path, analyst, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    exclusive_on = int(sys.argv[5]) if len(sys.argv) > 5 and sys.argv[4] == "--exclusive" else None
    store = Store.open(path)
    articles = store.count_articles()
    for n in range(count):
        if exclusive_on is not None:
            store.set_tag(analyst, [("article", exclusive_on)], "triage", f"{analyst}-{n}",
                          mode="add", exclusive=True)
        else:
            store.set_tag(analyst, [("article", n % articles + 1)], "t", f"{analyst}-{n}",
                          mode="add")
        print(f"ack {n}", flush=True)
    store.close()


if __name__ == "__main__":
    main()
