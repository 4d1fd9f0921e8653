"""Two processes on one dossier: nothing a process acknowledged is ever lost.

Real processes on a real file. The stand-in analyst (`drivers/analyst.py`) holds two
connections, as the app does (its own and its workers'); other programs open and close the
same file meanwhile (`dossier check`, Python's sqlite3, the `sqlite3` shell); then the analyst
is killed with SIGKILL and the file is counted. Closing any descriptor of a file drops all of
a process's POSIX locks on it, so a stray `open()`/`close()` of the dossier in the analyst's
process lets the next program delete the WAL that holds the acknowledged tags.
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from dossier_helpers import big_entity
from test_faults import assert_consistent, build

from dossier.store import Store

ANALYST = Path(__file__).parent / "drivers" / "analyst.py"


class Analyst:
    """A stand-in analyst process, driven a command at a time."""

    def __init__(self, path: Path, name: str):
        self.name = name
        self.proc = subprocess.Popen(
            [sys.executable, str(ANALYST), str(path), name],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        self.expect("ready")
        self.acked: list[int] = []

    def expect(self, prefix: str) -> str:
        line = self.proc.stdout.readline()
        assert line.startswith(prefix), f"{self.name}: expected {prefix!r}, got {line!r} " \
            f"(stderr: {self.proc.stderr.read() if not line else ''})"
        return line.strip()

    def send(self, command: str) -> None:
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()

    def second(self) -> None:
        self.send("second")
        self.expect("ok second")

    def tag(self, n: int) -> None:
        self.send(f"tag {n}")
        self.expect(f"ack {n}")
        self.acked.append(n)

    def quit(self) -> None:
        self.send("quit")
        self.expect("bye")
        self.proc.wait(timeout=30)
        assert self.proc.returncode == 0

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)


def other_program_opens_and_closes(path: Path) -> None:
    """What a colleague's shell does: `dossier check`, a Python script, the sqlite3 shell."""
    check = subprocess.run([sys.executable, "-m", "dossier", "check", str(path)],
                           capture_output=True, text=True, timeout=120)
    assert check.returncode == 0, check.stderr
    script = ("import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
              "c.execute('SELECT count(*) FROM taggings').fetchone(); c.close()")
    subprocess.run([sys.executable, "-c", script, str(path)], check=True, timeout=60)
    if shutil.which("sqlite3"):
        subprocess.run(["sqlite3", str(path), "SELECT count(*) FROM taggings;"],
                       check=True, capture_output=True, timeout=60)


def tags_in_file(path: Path, analyst: str | None = None) -> set[str]:
    conn = sqlite3.connect(path)
    try:
        sql = "SELECT tag FROM taggings" + (" WHERE analyst = ?" if analyst else "")
        return {t for (t,) in conn.execute(sql, (analyst,) if analyst else ())}
    finally:
        conn.close()


def test_other_programs_opening_the_file_never_lose_a_kill_9d_analysts_tags(tmp_path):
    """Seen: press 1, `dossier check` in another shell, press j 3, kill -9: one tag left."""
    path = tmp_path / "x.db"
    build(path)
    ana = Analyst(path, "ana")
    ana.second()  # the app's workers' connection, opened after its own
    ana.tag(0)
    wal = Path(f"{path}-wal")
    assert wal.exists()
    other_program_opens_and_closes(path)
    # The others closed their last connection, but ana still holds hers: the WAL stays.
    assert wal.exists(), "another program deleted the WAL under the analyst's connections"
    ana.second()  # and again: a worker's connection opened while others come and go
    other_program_opens_and_closes(path)
    ana.tag(1)
    ana.tag(2)
    ana.kill()
    assert tags_in_file(path, "ana") == {"ana-0", "ana-1", "ana-2"}
    assert_consistent(path)


def test_open_quit_reopen_by_a_colleague_loses_nothing(tmp_path):
    """Seen: A opens; B opens and quits; A tags; B reopens, tags two; A tags; both quit:
    only B's tags were left, and the journal had lost A's too."""
    path = tmp_path / "two.db"
    build(path)
    a = Analyst(path, "a")
    a.second()
    b = Analyst(path, "b")
    b.second()
    b.quit()
    a.tag(0)
    b = Analyst(path, "b")
    b.second()
    b.tag(1)
    b.tag(2)
    a.tag(3)
    a.quit()
    b.quit()
    assert tags_in_file(path) == {"a-0", "b-1", "b-2", "a-3"}
    conn = sqlite3.connect(path)
    journalled = {r[0] for r in conn.execute(
        "SELECT analyst || '-' || json_extract(after, '$.tag') FROM journal "
        "WHERE table_name = 'taggings'")}
    conn.close()
    assert journalled == {"a-a-0", "b-b-1", "b-b-2", "a-a-3"}
    assert_consistent(path)


def test_kill_9_while_readers_come_and_go(tmp_path):
    """Rounds of: an analyst with two connections tags; other programs open and close the
    file between tags; kill -9 at a random tag. Every acknowledged tag is in the file."""
    import random

    path = tmp_path / "churn.db"
    build(path)
    rng = random.Random(12)
    total = 0
    for round_ in range(6):
        ana = Analyst(path, f"r{round_}")
        ana.second()
        stop = rng.randrange(3, 12)
        for n in range(stop):
            ana.tag(n)
            if n % 3 == 1:
                other_program_opens_and_closes(path)
                ana.second()
        ana.kill()
        have = tags_in_file(path, f"r{round_}")
        assert have == {f"r{round_}-{n}" for n in ana.acked}, f"round {round_}"
        total += len(have)
        assert_consistent(path)
    assert total == len(tags_in_file(path))


def test_four_writers_never_see_locked(tmp_path):
    """Four processes x 1,000 tags on one file: all committed, none told "locked"."""
    from test_faults import spawn

    path = tmp_path / "four.db"
    build(path)
    procs = [spawn(path, name, 1000) for name in ("ana", "bo", "cy", "di")]
    for proc in procs:
        out, err = proc.communicate(timeout=900)
        assert proc.returncode == 0, err
        assert "locked" not in err + out
        assert out.count("ack ") == 1000
    assert len(tags_in_file(path)) == 4000
    assert_consistent(path)


# ------------------------------------------------------------------ one process, many threads


def test_a_tag_during_a_big_merge_lands_before_the_merge_ends(tmp_path):
    path = tmp_path / "merge.db"
    source, target = big_entity(path, 20_000)
    ui = Store.open(path)
    progress: list[int] = []
    started = threading.Event()
    finished: list[float] = []

    def merge() -> None:
        with ui.writing() as writer:
            def seen(done: int, total: int) -> None:
                progress.append(done)
                started.set()
            writer.merge_entities("bo", source, target, seen)
        finished.append(time.monotonic())

    worker = threading.Thread(target=merge)
    worker.start()
    assert started.wait(60), "the merge never reported progress"
    ui.set_tag("ana", [("article", 1)], "triage", "relevant", mode="add")
    tagged_at = time.monotonic()
    moved_when_tagged = progress[-1]
    # The UI thread's own connection never sees the merge's uncommitted rows.
    (n,) = ui.conn.execute("SELECT count(*) FROM mentions WHERE entity_id = ?",
                           (target,)).fetchone()
    assert n <= 20_000
    worker.join(120)
    assert not worker.is_alive()
    assert tagged_at < finished[0], "the tag waited for the whole merge"
    assert moved_when_tagged < 20_000
    assert ui.tags_for("article", 1)[0].tag == "relevant"
    assert ui.get_entity(source) is None
    (n,) = ui.conn.execute("SELECT count(*) FROM mentions WHERE entity_id = ?",
                           (target,)).fetchone()
    assert n == 20_001
    # The merge is one change: one undo takes all of it back.
    batches = {b for (b,) in ui.conn.execute(
        "SELECT DISTINCT batch FROM journal WHERE analyst = 'bo'")}
    assert len(batches) == 1
    assert ui.undo("bo").action.startswith("merge")
    (n,) = ui.conn.execute("SELECT count(*) FROM mentions WHERE entity_id = ?",
                           (source,)).fetchone()
    assert n == 20_000
    ui.close()


def test_reading_is_a_snapshot_never_another_threads_uncommitted_rows(tmp_path):
    path = tmp_path / "snap.db"
    build(path)
    store = Store.open(path)
    with store.reading() as reader:
        before = reader.counts()["taggings"]
        store.set_tag("ana", [("article", 1)], "t", "x", mode="add")  # committed meanwhile
        assert reader.counts()["taggings"] == before  # one snapshot for the whole read
    with store.reading() as reader:
        assert reader.counts()["taggings"] == before + 1
    # Inside an open write transaction on the UI's connection, a reader does not see it.
    with store.change("ana", "test") as ch:
        ch.insert("taggings", {"target_kind": "article", "target_id": 2, "tagset": "t",
                               "tag": "y", "analyst": "ana", "created_at": ch.at})
        with store.reading() as reader:
            assert reader.counts()["taggings"] == before + 1
    store.close()


def test_a_change_aimed_at_a_gone_item_is_refused_and_check_reports_leftovers(tmp_path):
    path = tmp_path / "gone.db"
    source, target = big_entity(path, 100)
    store = Store.open(path)
    store.merge_entities("ana", source, target)
    from dossier.store import GoneError

    with pytest.raises(GoneError, match="no longer exists"):
        store.set_tag("ana", [("entity", source)], "role", "broker", mode="add")
    assert store.tags_for("entity", source) == []
    assert store.check() == []
    store.close()
    # Another tool leaves a tag on a missing entity and a link to one: check says so.
    conn = sqlite3.connect(path)
    conn.execute("INSERT INTO taggings (target_kind, target_id, tagset, tag, analyst, "
                 "created_at) VALUES ('entity', 999, 'role', 'broker', 'x', 'now')")
    conn.execute("INSERT INTO links (from_kind, from_id, relation, to_kind, to_id, analyst, "
                 "created_at) VALUES ('article', 1, 'cites', 'event', 777, 'x', 'now')")
    conn.commit()
    conn.close()
    out = subprocess.run([sys.executable, "-m", "dossier", "check", str(path)],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 1
    assert "tagging" in out.stderr and "entity 999" in out.stderr
    assert "link" in out.stderr and "event 777" in out.stderr
    fixed = subprocess.run([sys.executable, "-m", "dossier", "check", str(path), "--fix",
                            "--analyst", "fixer"], capture_output=True, text=True, timeout=120)
    assert fixed.returncode == 0, fixed.stderr
    assert "removed 2" in fixed.stdout
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT count(*) FROM taggings WHERE target_id = 999").fetchone() == (0,)
    assert conn.execute("SELECT count(*) FROM links").fetchone() == (0,)
    assert conn.execute("SELECT count(*) FROM journal WHERE analyst = 'fixer'").fetchone() \
        == (2,)
    conn.close()


def test_header_is_never_read_by_hand_while_a_connection_is_open(tmp_path, monkeypatch):
    """The cause, caught in the act: no plain open() of the dossier once it is connected."""
    path = tmp_path / "h.db"
    build(path)
    store = Store.open(path)
    opened: list[str] = []
    real_open = Path.open

    def spying_open(self, *args, **kwargs):  # noqa: ANN001, ANN202
        if os.path.realpath(self).startswith(os.path.realpath(path)):
            opened.append(str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", spying_open)
    with store.reading() as reader:
        reader.count_articles()
    second = Store.open(path, readonly=True)
    second.close()
    store.close()
    assert opened == []


# ------------------------------------------------------------------ locks and full disks


def _fill_until_refused(path: Path, preexec=None) -> tuple[list[int], str, subprocess.Popen]:
    proc = subprocess.Popen([sys.executable, str(ANALYST), str(path), "ana"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                            preexec_fn=preexec)
    assert proc.stdout.readline().startswith("ready")
    acked, error = [], ""
    for n in range(20000):
        proc.stdin.write(f"tag {n}\n")
        proc.stdin.flush()
        line = proc.stdout.readline()
        if line.startswith("error"):
            error = line
            break
        acked.append(n)
    assert error, "the file never reached the end of the space"
    return acked, error, proc


def _goes_on_and_keeps_every_ack(path: Path, acked: list[int], proc) -> None:
    proc.stdin.write("read\n")
    proc.stdin.flush()
    assert proc.stdout.readline().startswith("ok read")
    proc.stdin.write("quit\n")
    proc.stdin.flush()
    proc.wait(timeout=60)
    assert tags_in_file(path, "ana") == {f"ana-{n}" for n in acked}
    assert_consistent(path)


@pytest.fixture
def small_disk(tmp_path):
    """A real 2 MB file system (tmpfs): needs root and mount, as CI has."""
    folder = tmp_path / "small"
    folder.mkdir()
    mounted = os.geteuid() == 0 and subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(folder)],
        capture_output=True).returncode == 0
    if not mounted:
        pytest.skip("cannot mount a small tmpfs here (needs root)")
    yield folder
    subprocess.run(["umount", "-l", str(folder)], check=False)


def test_a_full_disk_is_said_plainly_and_the_store_goes_on(small_disk):
    """A real full disk under an analyst's tags: SQLite says "database or disk is full", the
    store says the disk is full (it once said "cannot rollback - no transaction is
    active"), the process goes on reading, and every acknowledged tag is in a valid file."""
    from dossier.store import problem_text

    path = small_disk / "full.db"
    build(path)
    acked, error, proc = _fill_until_refused(path)
    assert "cannot rollback" not in error, error
    assert "disk is full" in problem_text(Exception(error.partition(": ")[2])), error
    _goes_on_and_keeps_every_ack(path, acked, proc)


def test_a_file_size_limit_is_an_error_not_a_crash(tmp_path):
    """`ulimit -f` (EFBIG: SQLite says "disk I/O error"): the same, with its own words."""
    import resource

    path = tmp_path / "limited.db"
    build(path)
    limit_bytes = 256 * 1024

    def limit() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit_bytes, limit_bytes))

    acked, error, proc = _fill_until_refused(path, limit)
    assert "cannot rollback" not in error and "I/O" in error, error
    _goes_on_and_keeps_every_ack(path, acked, proc)
