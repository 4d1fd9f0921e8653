"""Every export failure is one line naming the path and the problem, exit status 1, and no
file left behind; every written file follows the user's umask like any other program's
output. For every format, run as the analyst runs it (a subprocess: its own umask)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from dossier_helpers import add_article_with_names

from dossier.store import Store

FORMATS = ["md", "html", "json", "csv", "ftm", "timelinejs", "graphml", "dossier"]
TARGETS = [(f, "out") for f in FORMATS] + [("csv", "out.zip")]


def small_dossier(path: Path, articles: int = 3) -> Path:
    store = Store.open(path, create=True)
    for n in range(articles):
        add_article_with_names(
            store, f"Broker sanctioned {n}",
            f"Ashot Mkrtychev was sanctioned by the Treasury on 3 March 2023. Story {n}. " * 40,
            {"Ashot Mkrtychev": "person", "Treasury": "organisation"},
            source="Outlet A", published="2023-04-04", published_precision="day")
    store.close()
    return path


def run(db: Path, fmt: str, target: Path | str, umask: int | None = None
        ) -> subprocess.CompletedProcess[str]:
    def set_umask() -> None:
        if umask is not None:
            os.umask(umask)

    return subprocess.run([sys.executable, "-m", "dossier", "export", str(db), "-f", fmt, "-o",
                           str(target)], capture_output=True, text=True, timeout=120,
                          preexec_fn=set_umask)


def one_line(result: subprocess.CompletedProcess[str], target: Path | str) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert str(target) in lines[0], lines[0]
    return lines[0]


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    return small_dossier(tmp_path_factory.mktemp("src") / "x.db")


@pytest.mark.parametrize("fmt,name", TARGETS)
def test_a_place_that_takes_no_files_is_one_line_exit_1(db, fmt, name):
    """/proc exists but makes no new files (even for root): once a traceback."""
    target = Path("/proc") / name
    if not Path("/proc/self").is_dir():
        pytest.skip("no /proc here")
    result = run(db, fmt, target)
    assert result.returncode == 1, result.stderr
    line = one_line(result, target)
    assert "cannot write" in line and "/proc" in line.split("(", 1)[1], line
    assert not target.exists()


@pytest.mark.parametrize("fmt,name", TARGETS)
def test_a_target_that_is_a_folder_is_one_line_exit_1_and_the_folder_untouched(
        db, tmp_path, fmt, name):
    folder = tmp_path / name
    folder.mkdir()
    (folder / "keep.txt").write_text("mine")
    result = run(db, fmt, folder)
    assert result.returncode == 1, result.stderr
    assert "is a folder" in one_line(result, folder)
    assert [p.name for p in folder.iterdir()] == ["keep.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]


@pytest.fixture
def full_disk(tmp_path):
    """A real tmpfs filled to the last byte (needs root and mount, as CI has)."""
    folder = tmp_path / "full"
    folder.mkdir()
    mounted = os.geteuid() == 0 and subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(folder)],
        capture_output=True).returncode == 0
    if not mounted:
        pytest.skip("cannot mount a small tmpfs here (needs root)")
    try:
        fd = os.open(folder / "filler", os.O_WRONLY | os.O_CREAT, 0o644)
        try:
            while os.write(fd, b"\0" * 4096):
                pass
        except OSError:
            pass
        finally:
            os.close(fd)
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


@pytest.mark.parametrize("fmt,name", TARGETS)
def test_a_full_disk_is_one_line_exit_1_and_no_partial_file(db, full_disk, fmt, name):
    target = full_disk / name
    result = run(db, fmt, target)
    assert result.returncode == 1, result.stderr
    assert "disk is full" in one_line(result, target)
    assert [p.name for p in full_disk.iterdir()] == ["filler"]


def _modes(path: Path) -> set[int]:
    if path.is_dir():
        return {stat.S_IMODE(path.stat().st_mode) | 0o1000} | {
            stat.S_IMODE(p.stat().st_mode) for p in path.iterdir()}
    return {stat.S_IMODE(path.stat().st_mode)}


@pytest.mark.parametrize("umask,file_mode", [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600)])
def test_written_files_follow_the_umask(db, tmp_path, umask, file_mode):
    """A colleague on the machine reads what `ls -l` says they can: 0644 under umask 022
    (md, html, json, ftm, timelinejs and graphml were 0600 once), 0664 under 002 (the subset
    dossier was 0644 whatever the umask), 0600 under 077; a CSV folder is 0o777 less it."""
    from dossier.export import Selection, export

    before = os.umask(umask)
    try:
        store = Store.open(db, readonly=True)
        try:
            for fmt, name in TARGETS:
                export(store, fmt, tmp_path / f"{fmt}-{name}", Selection())
        finally:
            store.close()
    finally:
        os.umask(before)
    found = {p.name: _modes(p) for p in tmp_path.iterdir()}
    expected = {f"{fmt}-{name}": {file_mode} for fmt, name in TARGETS}
    expected["csv-out"] = {file_mode, (0o777 & ~umask) | 0o1000}  # the folder, marked apart
    assert found == expected
