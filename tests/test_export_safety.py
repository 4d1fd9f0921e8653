"""Exports of strangers' dossiers: nothing explodes, nothing destroys (issue #13).

Each test states what a user would check: the dossier's bytes, the file written, the one-line
message and the exit status.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from dossier_helpers import add_article_with_names, make_article

from dossier.cli import main
from dossier.export import RefusedTarget, Selection, clean_stale_parts, export, part_path
from dossier.export.base import readable, xml_chars
from dossier.model import Entity, Event, Link, Mention
from dossier.store import Store

FORMATS = ["md", "html", "json", "csv", "ftm", "timelinejs", "graphml", "dossier", "spacy", "brat"]
PART = re.compile(r"\.dossier-part-")


def small_dossier(path: Path) -> Path:
    store = Store.open(path, create=True)
    add_article_with_names(
        store, "Broker sanctioned", "Ashot Mkrtychev was sanctioned by the Treasury.",
        {"Ashot Mkrtychev": "person", "Treasury": "organisation"},
        source="Outlet A", published="2023-04-04", published_precision="day")
    store.close()
    return path


def cli(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args])


def one_line(result) -> str:  # noqa: ANN001 - click's Result
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.output
    return lines[0]


# ----------------------------------------------------------------- the dossier is never a target


def _targets(db: Path) -> list[tuple[str, Path, Path]]:
    """(how, the dossier as named on the command line, an output path that is the dossier or
    one of its journal files)."""
    folder = db.parent
    link = folder / "link.db"
    link.symlink_to(db)
    os.link(db, folder / "hard.db")
    (folder / "sub").mkdir()
    (folder / "dangling").symlink_to(f"{db}-journal")
    return [
        ("itself", db, db),
        ("relative", db, Path(os.path.relpath(db))),
        ("through a dot-dot", db, folder / "sub" / ".." / db.name),
        ("a symlink to it", db, link),
        ("a hard link to it", db, folder / "hard.db"),
        ("its -wal", db, Path(f"{db}-wal")),
        ("its -shm", db, Path(f"{db}-shm")),
        ("its -journal", db, Path(f"{db}-journal")),
        ("a symlink to its -journal", db, folder / "dangling"),
        ("opened through a symlink, itself", link, db),
        ("opened through a symlink, the link", link, link),
        ("opened through a symlink, the real -wal", link, Path(f"{db}-wal")),
        ("opened through a symlink, the link's -journal", link, Path(f"{link}-journal")),
    ]


@pytest.mark.parametrize("fmt", ["dossier", "json", "csv", "md"])
def test_export_onto_the_dossier_is_refused_and_leaves_it_byte_identical(tmp_path, fmt):
    db = small_dossier(tmp_path / "x.db")
    before = db.read_bytes()
    for how, source, target in _targets(db):
        result = cli("export", source, "-f", fmt, "-o", target)
        assert result.exit_code == 2, (how, result.output)
        line = one_line(result)
        assert str(target) in line and "choose another output path" in line, (how, line)
        assert db.read_bytes() == before, how
    left = {p.name for p in tmp_path.iterdir()} - {"x.db-wal", "x.db-shm"}
    assert left == {"dangling", "hard.db", "link.db", "sub", "x.db"}
    store = Store.open(db)
    assert store.check() == [] and store.count_articles() == 1
    store.close()


def test_default_output_name_that_is_the_dossier_is_refused(tmp_path):
    """`dossier export story.json -f json` would write story.json: the dossier itself."""
    db = small_dossier(tmp_path / "story.json")
    before = db.read_bytes()
    result = cli("export", db, "-f", "json")
    assert result.exit_code == 2 and "story.json" in one_line(result)
    assert db.read_bytes() == before


def test_the_apps_export_path_refuses_the_dossier_too(tmp_path):
    """The app's export dialog calls `export()`: the same refusal, before anything is written."""
    db = small_dossier(tmp_path / "x.db")
    store = Store.open(db)
    try:
        for fmt in ("json", "dossier", "graphml"):
            for target in (db, Path(f"{db}-wal"), tmp_path / "link.db"):
                if target.name == "link.db" and not target.exists():
                    target.symlink_to(db)
                with pytest.raises(RefusedTarget, match="choose another output path"):
                    export(store, fmt, str(target), Selection())
        assert store.count_articles() == 1
    finally:
        store.close()
    store = Store.open(db)
    assert store.check() == [] and store.count_articles() == 1
    store.close()


def test_standard_output_appended_to_the_dossier_is_refused(tmp_path):
    db = small_dossier(tmp_path / "x.db")
    before = db.read_bytes()
    with open(db, "ab") as appended:  # no connection to the file is open in this process
        result = subprocess.run([sys.executable, "-m", "dossier", "export", str(db), "-f",
                                 "json", "-o", "-"], stdout=appended, stderr=subprocess.PIPE,
                                text=True, timeout=120)
    assert result.returncode == 2, result.stderr
    assert "standard output" in result.stderr and "Traceback" not in result.stderr
    assert db.read_bytes() == before


def test_a_fifo_target_is_written_into_not_replaced(tmp_path):
    db = small_dossier(tmp_path / "x.db")
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # the brief fits in the pipe buffer
    try:
        result = cli("export", db, "-f", "timelinejs", "-o", fifo)
        chunks = []
        while True:
            try:
                chunk = os.read(reader, 65536)
            except BlockingIOError:
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(reader)
    assert result.exit_code == 0, result.output
    assert fifo.is_fifo()
    assert json.loads(b"".join(chunks))["events"] == []


# ----------------------------------------------------------------- temporaries


def _big_dossier(path: Path, articles: int = 300, size: int = 120_000) -> Path:
    store = Store.open(path, create=True)
    words = "Ashot Mkrtychev met officials of the Treasury in Bratislava again. "
    with store.bulk():
        for i in range(articles):
            body = f"Report {i}. " + words * (size // len(words))
            store.ingest_article(make_article(f"Report {i}", body), [], [], [])
    store.close()
    return path


def test_a_killed_export_leaves_a_part_file_that_the_next_export_removes(tmp_path):
    db = _big_dossier(tmp_path / "big.db")
    out = tmp_path / "out"
    out.mkdir()
    proc = subprocess.Popen([sys.executable, "-m", "dossier", "export", str(db), "-f", "json",
                             "-o", str(out / "x.json")], stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    parts: list[Path] = []
    while not parts and proc.poll() is None and time.monotonic() < deadline:
        parts = [p for p in out.iterdir() if PART.search(p.name)]
        time.sleep(0.002)  # polling, bounded by the deadline
    proc.kill()
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL, "the export finished before it was killed"
    left = [p for p in out.iterdir()]
    assert left and all(p.name.startswith(".x.json.dossier-part-") for p in left), left
    assert f"-{proc.pid}-" in left[0].name
    result = cli("export", small_dossier(tmp_path / "small.db"), "-f", "md", "-o",
                 out / "brief.md")
    assert result.exit_code == 0, result.output
    assert [p.name for p in out.iterdir()] == ["brief.md"]


def test_parts_of_live_exports_and_other_hosts_are_kept(tmp_path):
    mine = part_path(tmp_path / "a.json")
    mine.write_text("being written")
    other_host = tmp_path / ".a.json.dossier-part-elsewhere.example-1-0123abcd"
    other_host.write_text("someone else's")
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    stale = Path(str(part_path(tmp_path / "b.db")).replace(f"-{os.getpid()}-",
                                                          f"-{dead.stdout.strip()}-"))
    stale.write_text("left by a killed export")
    Path(f"{stale}-wal").write_text("and its log")
    stale_dir = Path(str(stale).replace(".b.db.", ".tables.", 1))
    stale_dir.mkdir()
    (stale_dir / "articles.csv").write_text("id\n")
    unrelated = tmp_path / ".notes.part"
    unrelated.write_text("not ours")
    removed = clean_stale_parts(tmp_path)
    assert len(removed) == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [mine.name, other_host.name, unrelated.name])


# ----------------------------------------------------------------- CSV for spreadsheets

HOSTILE_CELLS = ["=HYPERLINK(\"http://evil.example\",\"click\")", "+1+cmd|' /C calc'!A0",
                 "-2+3", "@SUM(1,2)", "\t=1", "\r=1", "  =1", "'already quoted",
                 "Plain title", "2023-04-04", "-"]


def test_csv_cells_a_spreadsheet_would_run_are_neutralised(tmp_path):
    db = tmp_path / "x.db"
    store = Store.open(db, create=True)
    for n, title in enumerate(HOSTILE_CELLS):
        store.ingest_article(make_article(title, f"Body {n}.", source="=cmd()",
                                          published="2023-04-04"),
                             [Entity(name=f"@evil{n}", kind="person")],
                             [(0, Mention(None, None, 0, 4, "Body"))], [])
    store.close()
    expected = {t: ("'" + t if t.lstrip(" ")[:1] in ("=", "+", "-", "@", "\t", "\r") else t)
                for t in HOSTILE_CELLS}

    def check(articles: list[dict[str, str]], entities: list[dict[str, str]]) -> None:
        assert {row["title"]: row["title"] for row in articles} == {
            v: v for v in expected.values()}
        assert all(row["source"] == "'=cmd()" for row in articles)
        assert all(row["published"] == "2023-04-04" for row in articles)
        assert all(row["id"].isdigit() for row in articles)
        assert all(row["name"].startswith("'@evil") for row in entities)
        assert not [v for row in articles for v in row.values() if v[:1] and v[:1] in "=+-@\t\r"]

    assert cli("export", db, "-f", "csv", "-o", tmp_path / "tables").exit_code == 0
    with (tmp_path / "tables" / "articles.csv").open(encoding="utf-8", newline="") as a, \
            (tmp_path / "tables" / "entities.csv").open(encoding="utf-8", newline="") as e:
        check(list(csv.DictReader(a)), list(csv.DictReader(e)))
    assert cli("export", db, "-f", "csv", "-o", tmp_path / "tables.zip").exit_code == 0
    with zipfile.ZipFile(tmp_path / "tables.zip") as archive:
        def read(name: str) -> list[dict[str, str]]:
            text = archive.read(name).decode("utf-8")
            return list(csv.DictReader(io.StringIO(text, newline="")))
        check(read("articles.csv"), read("entities.csv"))
    # The JSON export is the lossless one: every title exactly as written.
    assert cli("export", db, "-f", "json", "-o", tmp_path / "x.json").exit_code == 0
    data = json.loads((tmp_path / "x.json").read_text(encoding="utf-8"))
    assert [a["title"] for a in data["articles"]] == HOSTILE_CELLS


# ----------------------------------------------------------------- hostile text in every format

HOSTILE = "A\x00B\x01C\x0bD\x1b[2JE\x7fF\x85G\ufffeH\uffffI\u2028J\"K\\L</script><x>&M"
FORBIDDEN_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


@pytest.fixture
def hostile(tmp_path):
    """A dossier whose every string carries what XML forbids, controls and markup."""
    db = tmp_path / "hostile.db"
    store = Store.open(db, create=True)
    body = f"{HOSTILE} met {HOSTILE}2 on 4 April 2023 in {HOSTILE}3."
    names = [(HOSTILE, "person"), (HOSTILE + "2", "organisation"), (HOSTILE + "3", "place")]
    entities = [Entity(name=n, kind=k) for n, k in names]
    mentions = []
    at = 0
    for i, (name, _) in enumerate(names):
        at = body.index(name, at)
        mentions.append((i, Mention(None, None, at, at + len(name), name)))
        at += len(name)
    events = [(Event(title=HOSTILE, date_start="2023-04-04", precision="day",
                     date_text="4 April 2023", evidence_start=0, evidence_end=len(body)),
               [0, 1]),
              (Event(title="undatable " + HOSTILE, date_start="not\x1ba-date",
                     precision="day", date_text="someday"), [0])]
    article = make_article(HOSTILE, body, source=HOSTILE, published="2023-04-04",
                           published_precision="day", author=HOSTILE)
    store.ingest_article(article, entities, mentions, events)
    assert entities[0].id is not None and entities[1].id is not None
    store.add_link("ana", Link("entity", entities[0].id, HOSTILE, "entity", entities[1].id,
                               note=HOSTILE))
    store.set_tag("ana", [("entity", entities[0].id)], "role", "broker")
    store.close()
    return db


def test_graphml_of_hostile_text_parses_with_elementtree_and_networkx(hostile, tmp_path):
    networkx = pytest.importorskip("networkx")
    out = tmp_path / "g.graphml"
    result = cli("export", hostile, "-f", "graphml", "-o", out)
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert not FORBIDDEN_IN_XML.search(text)
    ET.parse(out)
    graph = networkx.read_graphml(out)
    labels = [d.get("label", "") for _, d in graph.nodes(data=True)]
    assert any(label.startswith("A") and "M" in label and "</script>" in label
               for label in labels)
    assert {d["edge_kind"] for _, _, d in graph.edges(data=True)} == {
        "link", "mention", "involvement", "cooccurrence"}


def test_json_formats_of_hostile_text_are_strict_json(hostile, tmp_path):
    def strict(text: str):  # noqa: ANN202
        def no_constants(name: str):  # noqa: ANN202
            raise ValueError(f"{name} is not JSON")
        return json.loads(text, parse_constant=no_constants)

    for fmt in ("json", "ftm", "timelinejs"):
        out = tmp_path / f"x.{fmt}"
        result = cli("export", hostile, "-f", fmt, "-o", out)
        assert result.exit_code == 0, (fmt, result.output)
        raw = out.read_bytes().decode("utf-8")  # valid UTF-8: no lone surrogate written
        docs = [strict(line) for line in raw.splitlines()] if fmt == "ftm" else [strict(raw)]
        assert docs, fmt
    data = strict((tmp_path / "x.json").read_text(encoding="utf-8"))
    assert data["articles"][0]["title"] == HOSTILE  # lossless
    assert data["entities"][0]["name"] == HOSTILE
    timeline = strict((tmp_path / "x.timelinejs").read_text(encoding="utf-8"))
    assert len(timeline["events"]) == 1  # the event with a date that is not ISO is left out
    slide = timeline["events"][0]
    assert "&lt;/script&gt;" in slide["text"]["headline"]
    assert not FORBIDDEN_IN_XML.search(json.dumps(timeline, ensure_ascii=False))


def test_html_of_hostile_text_has_well_formed_svg_and_no_controls(hostile, tmp_path):
    out = tmp_path / "r.html"
    result = cli("export", hostile, "-f", "html", "-o", out)
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert not FORBIDDEN_IN_XML.search(html)
    assert "</script><x>" not in html and "&lt;/script&gt;&lt;x&gt;" in html
    svgs = re.findall(r"<svg.*?</svg>", html, flags=re.S)
    assert len(svgs) == 2
    for svg in svgs:
        ET.fromstring(svg)


def test_text_helpers_replace_what_xml_forbids():
    assert xml_chars("a\ud800b\udfffc\ufffe\uffff\x00\x08\x0b\x1f\t\n\r\U0001f600") == (
        "a\ufffdb\ufffdc\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd\t\n\r\U0001f600")
    assert readable("x\x85\x9fy\ud800") == "x\ufffd\ufffdy\ufffd"


# ----------------------------------------------------------------- co-occurrence is bounded


def test_an_article_naming_4000_entities_exports_a_bounded_graph_fast(tmp_path):
    db = tmp_path / "crowd.db"
    names = [f"Person{n:04d} Q" for n in range(4000)]
    body = " ".join(names) + "."
    store = Store.open(db, create=True)
    entities = [Entity(name=name, kind="person") for name in names]
    mentions = [(i, Mention(None, None, i * (len(names[0]) + 1),
                            i * (len(names[0]) + 1) + len(names[0]), name))
                for i, name in enumerate(names)]
    store.ingest_article(make_article("The crowd", body), entities, mentions, [])
    store.close()
    out = tmp_path / "crowd.graphml"
    started = time.perf_counter()
    result = cli("export", db, "-f", "graphml", "-o", out)
    elapsed = time.perf_counter() - started
    assert result.exit_code == 0, result.output
    assert elapsed < 30, f"{elapsed:.1f} s"
    assert out.stat().st_size < 5_000_000  # n² edges made 1.4 GB
    text = out.read_text(encoding="utf-8")
    assert text.count('<data key="edge_kind">cooccurrence</data>') == 50 * 49 // 2
    assert text.count('<data key="edge_kind">mention</data>') == 4000


# ----------------------------------------------------------------- folders that cannot be written


@pytest.mark.parametrize("fmt,name", [(f, "out") for f in FORMATS] + [("csv", "out.zip")])
def test_a_missing_folder_is_one_line_exit_1_and_no_file(tmp_path, fmt, name):
    db = small_dossier(tmp_path / "x.db")
    blocker = tmp_path / "plain-file"
    blocker.write_text("a file, not a folder")
    for target in (tmp_path / "no" / "such" / name, blocker / name):
        result = cli("export", db, "-f", fmt, "-o", target)
        assert result.exit_code == 1, (target, result.output)
        assert str(target) in one_line(result)
    left = {p.name for p in tmp_path.iterdir()} - {"x.db-wal", "x.db-shm"}
    assert left == {"plain-file", "x.db"}


def _without_root_file_powers() -> None:
    """Run as root without CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH and CAP_FOWNER (dropped from
    the bounding set before exec): a 0555 folder is then closed to the export, as to a user."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (1, 2, 3):
        if libc.prctl(24, cap, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


@pytest.mark.parametrize("fmt,name", [(f, "out") for f in FORMATS] + [("csv", "out.zip")])
def test_an_unwritable_folder_is_one_line_exit_1_and_no_file(tmp_path, fmt, name):
    db = small_dossier(tmp_path / "x.db")
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o555)
    target = locked / name
    preexec = None
    if os.geteuid() == 0:
        try:
            subprocess.run(["true"], preexec_fn=_without_root_file_powers, check=True)
        except (subprocess.SubprocessError, OSError):
            pytest.skip("root, and cannot drop CAP_DAC_OVERRIDE here")
        preexec = _without_root_file_powers
    try:
        result = subprocess.run([sys.executable, "-m", "dossier", "export", str(db), "-f", fmt,
                                 "-o", str(target)], capture_output=True, text=True,
                                timeout=120, preexec_fn=preexec)
        assert result.returncode == 1, result.stderr
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and str(target) in lines[0] and "cannot write" in lines[0], \
            result.stderr
        assert list(locked.iterdir()) == []
    finally:
        locked.chmod(0o755)
