"""The benchmark harness: what the analyst must feel, measured in a real pseudo-terminal.

    python bench/run.py [--articles N] [--runs K] [--json]      (make bench)

Each figure is the median of several runs (p95 where named), on a 10-article dossier and on
the big generated one (bench/make_dossier.py, cached in bench/cache/) in the same run. Key to
frame: the key's bytes are written to the pty master and the clock stops when the app's
answer has arrived (first output byte, then the burst read until 4 ms of quiet; the quiet
window is not counted). Never run as part of the tests.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import platform
import pty
import random
import select
import shutil
import sqlite3
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import make_dossier  # noqa: E402

from dossier.model import SNIPPET_CLOSE, SNIPPET_OPEN  # noqa: E402
from dossier.store import Store  # noqa: E402

PYTHON = sys.executable
QUIET_S = 0.004
MINIMAL_APP = """
from textual.app import App
from textual.widgets import Static
class Minimal(App):
    def compose(self):
        yield Static("Articles (ready)")
Minimal().run()
"""


class Pty:
    """A program in a pseudo-terminal of 120x40, read byte by byte as a terminal would."""

    def __init__(self, argv: list[str], env: dict[str, str] | None = None):
        self.master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
        environ = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
        environ.update({"TERM": "xterm-256color", **(env or {})})
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave,
                                     env=environ, close_fds=True, start_new_session=True)
        os.close(slave)
        self.buffer = b""

    def read_until(self, marker: bytes, timeout: float = 60) -> float:
        """Seconds from start until `marker` has been output."""
        deadline = time.monotonic() + timeout
        while marker not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"{marker!r} not seen; got {self.buffer[-300:]!r}")
            ready, _, _ = select.select([self.master], [], [], left)
            if ready:
                self.buffer += os.read(self.master, 65536)
        return time.perf_counter() - self.started

    def drain(self, quiet: float = 0.3) -> None:
        while select.select([self.master], [], [], quiet)[0]:
            try:
                os.read(self.master, 65536)
            except OSError:
                return

    def key_to_frame(self, key: bytes, timeout: float = 5) -> float:
        """Seconds from writing `key` until the answering frames have been written (the burst
        read until 4 ms of quiet: what follows the first frame at once, such as the reader's
        relayout a frame later, counts). `self.first` keeps the seconds to the first frame
        (Textual writes a frame in one write: its first bytes are the frame)."""
        self.drain(0.05)
        start = time.perf_counter()
        os.write(self.master, key)
        if not select.select([self.master], [], [], timeout)[0]:
            raise TimeoutError(f"no frame after {key!r}")
        last = time.perf_counter()
        self.first = last - start
        os.read(self.master, 65536)
        while select.select([self.master], [], [], QUIET_S)[0]:
            os.read(self.master, 65536)
            last = time.perf_counter()
        return last - start

    def rss_mib(self) -> float:
        status = Path(f"/proc/{self.proc.pid}/status").read_text()
        kb = int(next(line for line in status.splitlines() if line.startswith("VmRSS")).split()[1])
        return kb / 1024

    def close(self) -> None:
        """Stop the program (SIGTERM, as closing a terminal would), reading what it writes."""
        self.proc.terminate()
        deadline = time.monotonic() + 10
        while self.proc.poll() is None and time.monotonic() < deadline:
            if select.select([self.master], [], [], 0.05)[0]:
                try:
                    os.read(self.master, 65536)
                except OSError:
                    break
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        os.close(self.master)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def compile_app() -> None:
    """Start-up is measured as an installed app starts: its modules byte-compiled, as pip
    leaves them (a checkout writes them at its first run, unless PYTHONDONTWRITEBYTECODE says
    not to, as this workplace's shells do: then every start compiled ~590 KB of source, ~100
    ms). Textual, the bare app's cost, is byte-compiled in the venv."""
    import compileall

    compileall.compile_dir(ROOT / "dossier", quiet=1)


def open_app(path: Path, home: Path) -> Pty:
    return Pty([PYTHON, "-m", "dossier", "open", str(path)],
               {"DOSSIER_HOME": str(home), "DOSSIER_ANALYST": "bench"})


def measure_open(path: Path, runs: int, home: Path) -> list[float]:
    times = []
    for _ in range(runs):
        app = open_app(path, home)
        times.append(app.read_until(b"Articles ("))
        app.close()
    return times


def measure_minimal(runs: int) -> list[float]:
    times = []
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as handle:
        handle.write(MINIMAL_APP)
    for _ in range(runs):
        app = Pty([PYTHON, handle.name])
        times.append(app.read_until(b"Articles (ready)"))
        app.close()
    os.unlink(handle.name)
    return times


def measure_keys(path: Path, home: Path, presses: int) -> dict[str, list[float]]:
    app = open_app(path, home)
    app.read_until(b"Articles (")
    app.drain(1.0)
    out: dict[str, list[float]] = {"cursor": [], "tag": [], "rss": [], "cursor_first": [],
                                   "tag_first": []}
    out["rss"].append(app.rss_mib())
    for n in range(presses):
        out["cursor"].append(app.key_to_frame(b"j" if n % 4 else b"\x1b[6~"))  # down, pgdn
        out["cursor_first"].append(app.first)
    for _ in range(presses // 2):
        out["tag"].append(app.key_to_frame(b"2"))  # triage: background, on and off
        out["tag_first"].append(app.first)
    app.close()
    return out


def measure_rss(path: Path, home: Path) -> float:
    app = open_app(path, home)
    app.read_until(b"Articles (")
    app.drain(1.5)
    rss = app.rss_mib()
    app.close()
    return rss


QUERIES = {"rare": "Halliburton", "common": "government", "two-word": "air force",
           "phrase": '"arms deal"', "entity": "Mkrtychev"}
NEAR_STOPWORD = {"near-stopword": "the"}


def measure_search(path: Path, runs: int) -> dict[str, dict[str, float]]:
    store = Store.open(path, readonly=True)
    bare = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    out = {}
    for label, query in {**QUERIES, **NEAR_STOPWORD}.items():
        app_t, bare_t = [], []
        for _ in range(runs):
            t = time.perf_counter()
            store.search(query, 0, 50)
            app_t.append(time.perf_counter() - t)
            t = time.perf_counter()
            bare.execute(
                "SELECT rowid, snippet(articles_fts, -1, ?, ?, '…', 12), "
                "bm25(articles_fts, 5.0, 1.0) AS r FROM articles_fts WHERE articles_fts "
                "MATCH ? ORDER BY r LIMIT 50", (SNIPPET_OPEN, SNIPPET_CLOSE, query)).fetchall()
            bare_t.append(time.perf_counter() - t)
        out[label] = {"app_ms": statistics.median(app_t) * 1000,
                      "bare_ms": statistics.median(bare_t) * 1000,
                      "app_p95_ms": pct(app_t, 0.95) * 1000}
    store.close()
    bare.close()
    return out


def measure_ingest(runs: int) -> dict[str, float | None]:
    corpus = make_dossier.CORPUS
    if not corpus.is_dir():
        return {"articles_per_s": None, "spacy_ratio": None}
    files = sorted(corpus.glob("*.txt"))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp, "articles")
        folder.mkdir()
        for copy in range(20):  # ~1,200 articles, each copy a distinct text
            for f in files:
                Path(folder, f"{copy}-{f.name}").write_text(
                    f.read_text(encoding="utf-8") + f"\n\nCopy {copy}.\n", encoding="utf-8")
        count = len(list(folder.iterdir()))
        rates = []
        for n in range(runs):
            db = Path(tmp, f"rules-{n}.db")
            t = time.perf_counter()
            subprocess.run([PYTHON, "-m", "dossier", "ingest", str(db), str(folder),
                            "--extractor", "rules"], check=True, capture_output=True)
            rates.append(count / (time.perf_counter() - t))
        ratio = None
        try:
            import spacy  # noqa: F401

            from dossier.ingest.entities import SpacyExtractor
            from dossier.ingest.pipeline import ingest_paths
            from dossier.ingest.readers import records, to_article

            subset = sorted(folder.iterdir())[: len(files)]
            bodies = [to_article(next(records(p))).body for p in subset]  # type: ignore[arg-type]
            # spaCy's own work: its model loaded (the ingest below loads one too) and the
            # bodies through it. Timed without the load, a 4x faster NER (numpy's BLAS) made
            # the ingest's one load (0.16-0.19 s) a quarter of the ratio.
            t = time.perf_counter()
            extractor = SpacyExtractor()
            for body in bodies:
                extractor.nlp(body)
            ner_only = time.perf_counter() - t
            store = Store.open(Path(tmp, "spacy.db"), create=True)
            t = time.perf_counter()
            ingest_paths(store, subset, extractor="spacy")
            whole = time.perf_counter() - t
            store.close()
            ratio = whole / ner_only
        except ImportError:
            pass
    return {"articles_per_s": statistics.median(rates), "spacy_ratio": ratio}


def measure_export(path: Path) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        proc = subprocess.run(
            [PYTHON, "-c", "import sys; from dossier.cli import main; sys.argv="
             f"['dossier', 'export', {str(path)!r}, '-f', 'json', '-o', {tmp!r} + '/x.json'];"
             "\ntry:\n main()\nexcept SystemExit:\n pass\n"
             # VmHWM: this process's own peak resident memory, in kB.
             "print([l.split()[1] for l in open('/proc/self/status') if "
             "l.startswith('VmHWM')][0])"],
            check=True, capture_output=True, text=True)
        elapsed = time.perf_counter() - t
        return elapsed, int(proc.stdout.split()[-1]) / 1024


def measure_merge(path: Path) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp, "merge.db")
        shutil.copyfile(path, copy)
        store = Store.open(copy)
        ids = [e.id for e in store.list_entities(0, 2, order="count")]
        t = time.perf_counter()
        store.merge_entities("bench", ids[0], ids[1])
        elapsed = time.perf_counter() - t
        store.close()
        return elapsed


def versions() -> dict[str, str]:
    import rich
    import textual

    return {"python": platform.python_version(), "sqlite": sqlite3.sqlite_version,
            "textual": textual.__version__,
            "rich": getattr(rich, "__version__", None) or __import__(
                "importlib.metadata").metadata.version("rich")}


def machine() -> dict[str, str]:
    cpu = next((line.split(":", 1)[1].strip() for line in
                Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem = next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
               if line.startswith("MemTotal"))
    return {"cpu": cpu, "cores": str(os.cpu_count()), "memory_gib": f"{int(mem) / 2**20:.1f}",
            "platform": platform.platform()}


def main() -> None:
    parser = argparse.ArgumentParser(description="Dossier's benchmarks")
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--presses", type=int, default=60)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    random.seed(1)
    log = (lambda *a: print(*a, file=sys.stderr)) if args.json else print
    small = make_dossier.cached(10)
    log("building/finding the big dossier…")
    big = make_dossier.cached(args.articles)
    mid = make_dossier.cached(max(10, args.articles // 10))
    home = Path(tempfile.mkdtemp())
    compile_app()
    log("opening…")
    minimal = measure_minimal(args.runs)
    open_small = measure_open(small, args.runs, home)
    open_big = measure_open(big, args.runs, home)
    log("keys…")
    keys = measure_keys(big, home, args.presses)
    rss_small, rss_big = measure_rss(small, home), measure_rss(big, home)
    log("search…")
    search = measure_search(big, max(args.runs, 7))
    log("ingest…")
    ingest = measure_ingest(max(1, args.runs // 2))
    log("export and merge…")
    export_big_s, export_big_rss = measure_export(big)
    export_mid_s, export_mid_rss = measure_export(mid)
    merge_s = measure_merge(big)
    normal = {k: v for k, v in search.items() if k not in NEAR_STOPWORD}
    app_ms = [v["app_ms"] for v in normal.values()]
    figures = {
        "open_small_s": statistics.median(open_small),
        "open_big_s": statistics.median(open_big),
        "open_ratio": statistics.median(open_big) / statistics.median(open_small),
        "minimal_textual_s": statistics.median(minimal),
        "open_small_vs_minimal_ratio": statistics.median(open_small) / statistics.median(minimal),
        "cursor_key_to_frame_p50_ms": statistics.median(keys["cursor"]) * 1000,
        "cursor_key_to_frame_p95_ms": pct(keys["cursor"], 0.95) * 1000,
        "tag_key_to_frame_p95_ms": pct(keys["tag"], 0.95) * 1000,
        "cursor_key_to_first_frame_p95_ms": pct(keys["cursor_first"], 0.95) * 1000,
        "tag_key_to_first_frame_p95_ms": pct(keys["tag_first"], 0.95) * 1000,
        "search_p50_ms": statistics.median(app_ms),
        "search_p95_ms": pct([v["app_p95_ms"] for v in normal.values()], 0.95),
        "search_overhead_ratio": statistics.median(
            [v["app_ms"] / v["bare_ms"] for v in normal.values()]),
        "rss_small_mib": rss_small,
        "rss_big_mib": rss_big,
        "ingest_articles_per_s": ingest["articles_per_s"],
        "ingest_spacy_overhead_ratio": ingest["spacy_ratio"],
        "export_json_s": export_big_s,
        "export_peak_rss_mib": export_big_rss,
        "merge_big_entity_s": merge_s,
    }
    details = {"articles": args.articles, "search_by_query": search,
               "export_json_small_s": export_mid_s, "export_peak_rss_small_mib": export_mid_rss,
               "export_small_articles": max(10, args.articles // 10)}
    if args.json:
        # Exactly the figures plus machine and versions on stdout; the details on stderr.
        print(json.dumps({**figures, "machine": machine(), "versions": versions()}, indent=1))
        print(json.dumps(details, indent=1), file=sys.stderr)
        return
    extra = {"machine": machine(), "versions": versions(), **details}
    for key, value in figures.items():
        shown = "not measured" if value is None else f"{value:.3f}"
        print(f"{key:<32} {shown}")
    print(json.dumps(extra, indent=1))


if __name__ == "__main__":
    main()
