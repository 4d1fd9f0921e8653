"""End to end: the installed `dossier` in a real terminal (tmux), read off the screen."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from dossier.ingest.pipeline import ingest_paths
from dossier.store import Store

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
DOSSIER = Path(sys.executable).parent / "dossier"

if not shutil.which("tmux"):
    if os.environ.get("CI"):
        raise RuntimeError("CI must install tmux (.ci/run does): the end-to-end tests need it")
    pytest.skip("tmux is not installed", allow_module_level=True)


class Terminal:
    """A tmux session running one command, 120x40."""

    def __init__(self, command: str, env: dict[str, str], width: int = 120, height: int = 40,
                 config: Path | None = None):
        self.name = f"dossier-test-{uuid.uuid4().hex[:8]}"
        self.socket = ["-L", self.name]  # a server of its own: no clash with the user's
        env_args = [f"{k}={v}" for k, v in env.items()]
        subprocess.run(["tmux", *self.socket, "-f", str(config or "/dev/null"),
                        "new-session", "-d", "-s",
                        self.name, "-x", str(width), "-y", str(height),
                        # A clean environment: pytest's (COLUMNS, LINES, ...) would leak in,
                        # and Textual takes COLUMNS/LINES over the terminal's real size.
                        "env", "-i", *env_args, "sh", "-c", command],
                       check=True)

    def tmux(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(["tmux", *self.socket, *args], capture_output=True, text=True)

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", self.name).stdout

    def keys(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", self.name, *keys)

    def wait_for(self, text: str, timeout: float = 30) -> str:
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.1)
        raise AssertionError(f"{text!r} never appeared; the screen was:\n{screen}")

    def wait_gone(self, text: str, timeout: float = 30) -> str:
        deadline = time.monotonic() + timeout
        screen = self.screen()
        while text in screen and time.monotonic() < deadline:
            time.sleep(0.1)
            screen = self.screen()
        assert text not in screen, f"{text!r} never went; the screen was:\n{screen}"
        return screen

    def title(self) -> str:
        return self.tmux("display-message", "-p", "-t", self.name,
                         "#{pane_title}|#{window_name}").stdout

    def buffers(self) -> str:
        return self.tmux("list-buffers").stdout.strip()

    def close(self) -> None:
        self.tmux("kill-server")


@pytest.fixture
def sample(tmp_path) -> Path:
    path = tmp_path / "sample.db"
    store = Store.open(path, create=True)
    ingest_paths(store, [ROOT / "data" / "sample"], extractor="rules")
    store.close()
    return path


def env(tmp_path: Path) -> dict[str, str]:
    return {"DOSSIER_HOME": str(tmp_path / "home"), "DOSSIER_ANALYST": "e2e",
            "TERM": "xterm-256color", "PATH": os.environ.get("PATH", ""),
            "HOME": str(tmp_path), "LANG": "C.UTF-8"}


def test_search_open_tag_and_quit(sample, tmp_path):
    done = tmp_path / "exit-status"
    term = Terminal(f"{DOSSIER} open {sample}; echo $? > {done}", env(tmp_path))
    try:
        term.wait_for("Articles (2)")
        term.keys("/")
        term.wait_for("search (FTS5")  # as a user would, type once the box is there
        term.keys("Kirby", "Enter")
        term.wait_for("Search: Kirby (1)")
        term.keys("Enter")
        term.wait_for("Russian officials are attempting")
        term.keys("1")
        term.wait_for(" relevant ")  # the chip in the row and the reader
        conn = sqlite3.connect(sample)
        assert conn.execute("SELECT tag, analyst FROM taggings").fetchall() == [
            ("relevant", "e2e")]
        conn.close()
        term.keys("q")
        deadline = time.monotonic() + 20
        while not done.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert done.read_text().strip() == "0"
    finally:
        term.close()


def test_a_tag_shown_survives_kill_9(sample, tmp_path):
    term = Terminal(f"exec {DOSSIER} open {sample}", env(tmp_path))
    try:
        term.wait_for("Articles (2)")
        term.keys("j")
        term.wait_for("Russia seeking")
        term.keys("3")
        term.wait_for(" noise ")  # shown as done on screen...
        pid = int(term.tmux("display-message", "-p", "-t", term.name, "#{pane_pid}").stdout)
        os.kill(pid, 9)  # ...then the plug is pulled
    finally:
        term.close()
    conn = sqlite3.connect(sample)
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert conn.execute("SELECT tag FROM taggings").fetchall() == [("noise",)]
    assert conn.execute("SELECT action FROM journal").fetchall() == [("tag triage:noise",)]
    conn.close()


def test_tags_survive_kill_9_after_other_programs_opened_the_file(sample, tmp_path):
    """Seen: press 1; `dossier check` (or sqlite3) in another shell; j 3; kill -9: the file
    held one tag, because the app's own stray open/close had dropped its locks and the other
    program deleted the WAL it was writing to."""
    term = Terminal(f"exec {DOSSIER} open {sample}", env(tmp_path))
    try:
        term.wait_for("Articles (2)")
        term.wait_for("mentions")  # the workers have opened their connection
        term.keys("1")
        term.wait_for(" relevant ")
        check = subprocess.run([str(DOSSIER), "check", str(sample)], capture_output=True,
                               text=True, timeout=120)
        assert check.returncode == 0, check.stderr
        if shutil.which("sqlite3"):
            subprocess.run(["sqlite3", str(sample), "SELECT count(*) FROM taggings;"],
                           check=True, capture_output=True, timeout=60)
        assert Path(f"{sample}-wal").exists(), "the WAL was deleted under the running app"
        term.keys("j")
        term.wait_for("Russia seeking")
        term.keys("3")
        term.wait_for(" noise ")
        pid = int(term.tmux("display-message", "-p", "-t", term.name, "#{pane_pid}").stdout)
        os.kill(pid, 9)
    finally:
        term.close()
    conn = sqlite3.connect(sample)
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert sorted(conn.execute("SELECT tag FROM taggings").fetchall()) == \
        [("noise",), ("relevant",)]
    assert conn.execute("SELECT count(*) FROM journal").fetchone() == (2,)
    conn.close()


def test_no_argument_builds_and_opens_the_sample(tmp_path):
    term = Terminal(str(DOSSIER), env(tmp_path))
    try:
        term.wait_for("Articles (2)", timeout=60)
        screen = term.wait_for("Ashot Mkrtychev")  # entities come once they are counted
        assert "U.S. Sanctions Arms" in screen
        assert (tmp_path / "home" / "sample.db").exists()
        term.keys("q")
    finally:
        term.close()


def test_control_sequences_never_reach_the_terminal(tmp_path):
    path = tmp_path / "hostile.db"
    store = Store.open(path, create=True)
    store.ingest_article(__import__("dossier.model", fromlist=["Article"]).Article(
        title="Evil \x1b]0;pwned-title\x07 \x1b]52;c;cHduZWQ=\x07 headline",
        body="Body \x1b]52;c;cHduZWQ=\x07 \x1b[2J cleared? \x1b]8;;http://x\x1b\\link\x1b]8;;"
             "\x1b\\ end", content_hash="evil"), [], [], [])
    store.close()
    term = Terminal(f"{DOSSIER} open {path}", env(tmp_path))
    try:
        term.tmux("set-option", "-g", "set-clipboard", "on")
        screen = term.wait_for("Articles (1)")
        assert "␛]52;c;cHduZWQ=␇" in screen and "cleared?" in screen
        title = term.tmux("display-message", "-p", "-t", term.name, "#{pane_title}").stdout
        assert "pwned" not in title
        assert term.tmux("list-buffers").stdout.strip() == ""  # no clipboard write arrived
        term.keys("q")
    finally:
        term.close()


def test_small_terminal_one_pane_at_a_time(sample, tmp_path):
    done = tmp_path / "exit-status"
    term = Terminal(f"{DOSSIER} open {sample}; echo $? > {done}", env(tmp_path),
                    width=80, height=24)
    try:
        screen = term.wait_for("Articles   Reader   Inspector   Entities   Timeline")
        assert "Articles (2)" in screen and "─ Reader ─" not in screen  # one pane at a time
        term.keys("/")
        term.wait_for("search (FTS5")
        term.keys("Kirby", "Enter")
        term.wait_for("Search: Kirby (1)")
        term.keys("Enter")  # opening the hit shows the reader, full width
        screen = term.wait_for("─ Reader ─")
        assert "Russia seeking new munitions" in screen and "Search: Kirby" not in screen
        term.keys("Escape")  # back to the results
        term.wait_for("Search: Kirby (1)")
        term.keys("Tab", "Tab", "Tab")
        term.wait_for("Entities of dossier")
        term.keys("q")
        deadline = time.monotonic() + 20
        while not done.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert done.read_text().strip() == "0"
    finally:
        term.close()


# ---------------------------------------------------------------- escapes in every column

def listening_terminal(tmp_path: Path, command: str, extra_env: dict[str, str] | None = None
                       ) -> Terminal:
    """A tmux that obeys clipboard writes (OSC 52) and title changes from the start."""
    config = tmp_path / "tmux.conf"
    config.write_text("set -g set-clipboard on\nset -g allow-rename on\n"
                      "set -g allow-passthrough on\n")
    return Terminal(command, {**env(tmp_path), **(extra_env or {})}, config=config)


def test_the_listening_terminal_would_catch_an_escape(tmp_path):
    """The control: printed as they are, the payload's sequences do write tmux's clipboard
    and title, so the tests below can fail."""
    from hostile_dossier import PAYLOAD, TITLE

    term = listening_terminal(tmp_path, 'printf "%s\\n" "$P"; echo printed; cat',
                              {"P": PAYLOAD})
    try:
        term.wait_for("printed")
        deadline = time.monotonic() + 10
        while not term.buffers() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert "Hacked" in term.buffers() and TITLE in term.title()
    finally:
        term.close()


def test_escapes_in_every_column_never_reach_the_terminal(tmp_path):
    """A stranger's dossier with OSC 52 and OSC 0 in every text column, walked pane by pane
    in the real app: no clipboard write arrives, the title stays."""
    from hostile_dossier import TITLE, build

    path = tmp_path / "hostile.db"
    build(path, analyst="e2e")
    done = tmp_path / "exit-status"
    term = listening_terminal(tmp_path, f"{DOSSIER} open {path}; echo $? > {done}; cat")
    try:
        def untouched() -> None:
            assert term.buffers() == "", term.buffers()  # no clipboard write arrived
            assert TITLE not in term.title(), term.title()

        term.wait_for("Articles (2)")
        term.wait_for("Entities of dossier (3)")
        untouched()
        steps = [(("j", "Enter"), "Broker met"), (("Tab", "]"), "ENTITY"),
                 (("Tab", "Tab", "Tab", "Enter"), "EVENT"), (("?",), "Tag hotkeys")]
        for keys, shown in steps:
            term.keys(*keys)
            term.wait_for(shown)
            untouched()
        term.keys("Escape")
        term.wait_gone("Tag hotkeys")
        term.keys("Tab")
        term.wait_for("ARTICLE")
        for key, shown in (("t", "Tag this article"), ("f", "Filter articles by tag")):
            term.keys(key)
            term.wait_for(shown)
            term.keys("Escape")
            term.wait_gone(shown)
        term.keys("u")
        term.wait_for("cannot undo")  # the conflict notice quotes the file's action
        untouched()
        term.keys("q")
        deadline = time.monotonic() + 20
        while not done.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert done.read_text().strip() == "0"
        untouched()
    finally:
        term.close()


def test_a_file_named_with_escapes_is_refused_inertly(tmp_path):
    from hostile_dossier import PAYLOAD, TITLE

    evil = tmp_path / f"x{PAYLOAD}.db"
    evil.write_text("not a dossier")
    done = tmp_path / "exit-status"
    term = listening_terminal(tmp_path, f'{DOSSIER} open "$EVIL"; echo $? > {done}; cat',
                              {"EVIL": str(evil)})
    try:
        term.wait_for("dossier: ")
        deadline = time.monotonic() + 20
        while not done.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert done.read_text().strip() == "2"
        assert "␛]52;c;" in term.screen()
        assert term.buffers() == "" and TITLE not in term.title()
    finally:
        term.close()


@pytest.fixture
def pile(tmp_path) -> tuple[Path, list[int]]:
    """Twelve wire stories; the oldest names the story with a hyphen."""
    from dossier.model import Article

    path = tmp_path / "pile.db"
    store = Store.open(path, create=True)
    with store.bulk():
        for n in range(12):
            body = "The Iran-Contra hearings resumed." if n == 0 else f"Market report {n}."
            store.ingest_article(Article(title=f"Wire story {n:02d}", body=body,
                                         published=f"1987-02-{n + 1:02d}",
                                         published_precision="day", content_hash=f"h{n}"),
                                 [], [], [])
    listed = [a.id for a in store.list_articles(0, 12, order="-published")]
    store.close()
    return path, listed


def test_reading_room_search_triage_and_zoom(pile, tmp_path):
    """Issue 16 in a real terminal: a hyphenated name is found, ten articles are triaged
    with ten keys, every pane zooms with z."""
    path, listed = pile
    term = Terminal(f"exec {DOSSIER} open {path}", env(tmp_path))
    try:
        term.wait_for("Articles (12)")
        term.keys("/")
        term.wait_for("search (FTS5")
        term.keys("Iran-Contra", "Enter")
        screen = term.wait_for("Search: Iran-Contra (1)")
        assert "Wire story 00" in screen and "no such column" not in screen
        term.keys("Escape")
        term.wait_for("Articles (12)")
        # Ten keys typed ahead at once, as an analyst triaging at speed does: each acts on
        # the article the key before it moved to. (Textual runs `g` as a binding once it is
        # back at the app, after the screen has seen the "1"s behind it: the app queues each
        # tag behind the keys before it; sent at once, this once left 4 articles tagged.)
        term.keys("g", *["1"] * 10)
        deadline = time.monotonic() + 30
        got: list[tuple] = []
        while time.monotonic() < deadline:
            conn = sqlite3.connect(path)
            got = conn.execute("SELECT target_id FROM taggings WHERE tag = 'relevant' "
                               "ORDER BY target_id").fetchall()
            conn.close()
            if len(got) >= 10:
                break
            time.sleep(0.1)
        assert [g[0] for g in got] == sorted(listed[:10])
        # On screen: the cursor on the eleventh (the reader follows it there), every tagged
        # row in sight with its chip, the eleventh without one.
        screen = term.wait_for("││ Wire story 01", timeout=20)
        rows_seen = [line.split("││")[0] for line in screen.splitlines()[2:22]]
        titles = {int(found[1]): n for n, line in enumerate(rows_seen[:-1])
                  if (found := re.search(r"Wire story (\d\d)", line))}
        assert 1 in titles and len(titles) >= 9
        for number, n in titles.items():
            assert ("relevant" in rows_seen[n + 1]) == (number >= 2), screen
        for name in ("Articles", "Reader", "Inspector", "Entities", "Timeline"):
            term.keys("z")
            deadline = time.monotonic() + 20
            top = ""
            while time.monotonic() < deadline:
                top = term.screen().splitlines()[0]
                if top.startswith(f"╭─ {name}") and top.rstrip().endswith("╮"):
                    break
                time.sleep(0.1)
            assert top.startswith(f"╭─ {name}"), (name, term.screen())
            term.keys("z")
            term.wait_for("analyst: e2e")  # the status line is back: the zoom is closed
            term.keys("Tab")
        # Back in Articles: the tag picker and its key typed at once (`t3`): the `3` is the
        # picker's (noise, on the article under the cursor), not lost behind the dialog.
        term.keys("t", "3")
        deadline = time.monotonic() + 30
        noise: list[tuple] = []
        while time.monotonic() < deadline and not noise:
            conn = sqlite3.connect(path)
            noise = conn.execute("SELECT target_id FROM taggings WHERE tag = 'noise'").fetchall()
            conn.close()
            time.sleep(0.1)
        assert noise == [(listed[10],)]
        assert "Tag this article" not in term.screen()
    finally:
        term.close()
