"""Nothing lost: kill -9 in the middle of analyst changes, and two writers on one file.

Real processes, a real file: a driver commits tag changes through the store and announces each
one after its commit; whatever was announced must be in the file after any kill.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from dossier_helpers import make_article

from dossier.store import Store

DRIVER = Path(__file__).parent / "drivers" / "tagger.py"


def build(path: Path, articles: int = 5) -> None:
    s = Store.open(path, create=True)
    for i in range(articles):
        s.ingest_article(make_article(f"Article {i}", f"Body {i}."), [], [], [])
    s.close()


def spawn(path: Path, analyst: str, count: int, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, str(DRIVER), str(path), analyst, str(count), *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def assert_consistent(path: Path) -> None:
    """Integrity ok, and the journal accounts for every tagging row and nothing more."""
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        rows = {r[0] for r in conn.execute("SELECT id FROM taggings")}
        live = set()
        for _row_id, before, after in conn.execute(
            "SELECT row_id, before, after FROM journal WHERE table_name = 'taggings' "
            "AND state = 'done' ORDER BY id"
        ):
            if after is not None:
                live.add(json.loads(after)["id"])
            elif before is not None:
                live.discard(json.loads(before)["id"])
        assert live == rows
    finally:
        conn.close()


def test_kill_9_loses_nothing_acknowledged(tmp_path):
    path = tmp_path / "k.db"
    build(path)
    rng = random.Random(20231)
    acked_all: list[str] = []
    for round_ in range(20):
        analyst = f"r{round_}"
        proc = spawn(path, analyst, 1000)
        # Kill at a random moment: after a random number of acknowledged changes, so the
        # kill lands mid-stream however fast the machine commits.
        kill_after = rng.randrange(0, 900)
        acked = []
        for line in proc.stdout:
            if line.startswith("ack "):
                acked.append(int(line.split()[1]))
            if len(acked) > kill_after:
                break
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        acked += [int(x.split()[1]) for x in proc.stdout.read().splitlines()
                  if x.startswith("ack ")]
        proc.stdout.close()
        proc.stderr.close()
        assert len(acked) < 1000, "the kill came after the driver had finished"
        assert_consistent(path)
        s = Store.open(path)  # the app's own open: reopens after every kill
        have = {t for (t,) in s.conn.execute(
            "SELECT tag FROM taggings WHERE analyst = ?", (analyst,))}
        s.close()
        missing = {f"{analyst}-{n}" for n in acked} - have
        assert not missing, f"round {round_}: acknowledged but lost: {sorted(missing)[:5]}"
        acked_all += [f"{analyst}-{n}" for n in acked]
    assert acked_all, "the driver never got a change committed before a kill"


def test_two_writers_wait_for_each_other(tmp_path):
    path = tmp_path / "two.db"
    build(path)
    procs = [spawn(path, "ana", 1000), spawn(path, "bo", 1000)]
    outs = [p.communicate(timeout=600) for p in procs]
    for proc, (out, err) in zip(procs, outs, strict=True):
        assert proc.returncode == 0, err
        assert "locked" not in err
        assert out.count("ack ") == 1000
    s = Store.open(path)
    assert s.conn.execute("SELECT count(*) FROM taggings").fetchone() == (2000,)
    s.close()
    assert_consistent(path)


def test_exclusive_set_across_writers_keeps_one_tag(tmp_path):
    path = tmp_path / "excl.db"
    build(path, articles=1)
    procs = [spawn(path, a, 300, "--exclusive", "1") for a in ("ana", "bo")]
    for proc in procs:
        _out, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err
    s = Store.open(path)
    tags = s.tags_for("article", 1)
    assert len(tags) == 1 and tags[0].tagset == "triage"
    # Every replaced tag, including the other analyst's, is in the journal.
    (batches,) = s.conn.execute("SELECT count(DISTINCT batch) FROM journal").fetchone()
    assert batches == 600
    s.close()
    assert_consistent(path)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs processes")
def test_reader_sees_other_process_changes(tmp_path):
    path = tmp_path / "see.db"
    build(path)
    reader = Store.open(path)
    assert reader.tags_for("article", 1) == []
    proc = spawn(path, "bo", 1)
    proc.communicate(timeout=60)
    assert [t.tag for t in reader.tags_for("article", 1)] == ["bo-0"]
    reader.close()


WIKINEWS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "wikinews"
SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample"


def article_folder(tmp_path: Path, copies: int = 4) -> Path:
    """A folder of a few hundred distinct real articles."""
    folder = tmp_path / "articles"
    folder.mkdir()
    sources = sorted(WIKINEWS.glob("*.txt")) if WIKINEWS.is_dir() else []
    sources += sorted(SAMPLE.glob("*.txt"))
    for copy in range(copies if WIKINEWS.is_dir() else 60):
        for f in sources:
            (folder / f"{copy}-{f.name}").write_text(
                f.read_text(encoding="utf-8") + f"\n\nEdition {copy}.\n", encoding="utf-8")
    return folder


def mention_counts(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(path)
    try:
        return dict(conn.execute(
            "SELECT a.content_hash, count(m.id) FROM articles a LEFT JOIN mentions m "
            "ON m.article_id = a.id GROUP BY a.id").fetchall())
    finally:
        conn.close()


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT], ids=["kill-9", "ctrl-c"])
def test_interrupted_ingest_leaves_whole_articles_and_resumes(tmp_path, sig):
    folder = article_folder(tmp_path)
    reference = tmp_path / "reference.db"
    cmd = [sys.executable, "-m", "dossier", "ingest"]
    subprocess.run([*cmd, str(reference), str(folder), "--extractor", "rules"],
                   check=False, capture_output=True, timeout=600)
    expected = mention_counts(reference)
    rng = random.Random(sig)
    for attempt in range(3):
        path = tmp_path / f"killed-{attempt}.db"
        proc = subprocess.Popen([*cmd, str(path), str(folder), "--extractor", "rules"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        target = rng.randrange(5, len(expected) // 2)
        while proc.poll() is None:  # kill once a random number of articles is in
            try:
                conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
                (n,) = conn.execute("SELECT count(*) FROM articles").fetchone()
                conn.close()
            except sqlite3.Error:
                n = 0
            if n >= target:
                break
        proc.send_signal(sig)
        proc.communicate(timeout=60)
        got = mention_counts(path)
        assert 0 < len(got) < len(expected), "the interrupt came too late to test anything"
        conn = sqlite3.connect(path)
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        conn.close()
        for content_hash, mentions in got.items():  # every article whole: all its mentions
            assert mentions == expected[content_hash]
        again = subprocess.run([*cmd, str(path), str(folder), "--extractor", "rules"],
                               capture_output=True, text=True, timeout=600)
        assert again.returncode == 0, again.stderr
        assert f"{len(expected) - len(got)} added, {len(got)} duplicate" in again.stdout
        assert mention_counts(path) == expected


def test_ingest_into_a_full_disk_fails_clearly_and_keeps_the_file(tmp_path):
    """`ulimit -f` as a stand-in for a full disk: one line, exit 1, a valid dossier."""
    import resource

    folder = article_folder(tmp_path, copies=3)
    path = tmp_path / "full.db"

    def limit() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (1024 * 1024, 1024 * 1024))

    result = subprocess.run([sys.executable, "-m", "dossier", "ingest", str(path), str(folder),
                             "--extractor", "rules"], capture_output=True, text=True,
                            preexec_fn=limit, timeout=600)
    assert result.returncode == 1, result.stderr
    assert "cannot write" in result.stderr and "Traceback" not in result.stderr
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    (n,) = conn.execute("SELECT count(*) FROM articles").fetchone()
    conn.close()
    assert 0 < n
    again = subprocess.run([sys.executable, "-m", "dossier", "ingest", str(path), str(folder),
                            "--extractor", "rules"], capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr
    assert f"{n} duplicate" in again.stdout
