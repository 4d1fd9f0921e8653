"""A stand-in analyst driven line by line on stdin, as a test script says.

usage: analyst.py DB ANALYST
Commands (one a line): `second` opens a second, read-only connection in this process as the
app does for its workers; `read` reads through it; `tag N` adds tag `ANALYST-N` (set `t`) to
article N % articles + 1 and prints `ack N` once it is committed (what the screen shows as
done); `quit` closes everything and exits 0. Any failure is printed as `error ...` on stdout.
"""

import sys

from dossier.store import Store


def main() -> None:
    path, analyst = sys.argv[1], sys.argv[2]
    store = Store.open(path)
    articles = store.count_articles()
    seconds: list[Store] = []
    print("ready", flush=True)
    for line in sys.stdin:
        cmd, _, arg = line.strip().partition(" ")
        try:
            if cmd == "second":  # kept open, as the app keeps its workers' connections
                seconds.append(Store.open(path, readonly=True))
                seconds[-1].count_articles()
                print("ok second", flush=True)
            elif cmd == "read":
                with store.reading() as reader:
                    n = reader.counts()["taggings"]
                print(f"ok read {n}", flush=True)
            elif cmd == "tag":
                n = int(arg)
                store.set_tag(analyst, [("article", n % articles + 1)], "t", f"{analyst}-{n}",
                              mode="add")
                print(f"ack {n}", flush=True)
            elif cmd == "quit":
                break
        except Exception as exc:  # noqa: BLE001 - reported to the test, which fails on it
            print(f"error {type(exc).__name__}: {exc}", flush=True)
    for second in seconds:
        second.close()
    store.close()
    print("bye", flush=True)


if __name__ == "__main__":
    main()
