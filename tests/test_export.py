"""Exports of the sample dossier, tagged and linked by the test: structure and content."""

from __future__ import annotations

import csv
import dataclasses
import json
import os
import sqlite3
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from dossier.cli import main
from dossier.export import ExportError, Selection, export
from dossier.ingest.pipeline import ingest_paths
from dossier.model import Link
from dossier.store import Store

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample"
WIKINEWS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "wikinews"


@pytest.fixture(scope="module")
def tagged(tmp_path_factory):
    """The sample dossier with a triage tag, the broker's roles, a link and its confidence."""
    path = tmp_path_factory.mktemp("export") / "sample.db"
    store = Store.open(path, create=True)
    ingest_paths(store, [SAMPLE], extractor="rules")
    first = next(a for a in store.list_articles() if a.title.startswith("U.S. Sanctions"))
    broker = store.find_entities("Ashot Mkrtychev")[0]
    korea = store.find_entities("North Korea")[0]
    treasury = store.find_entities("Treasury")[0]
    store.set_tag("ana", [("article", first.id)], "triage", "relevant", exclusive=True)
    store.set_tag("ana", [("entity", broker.id)], "role", "broker")
    store.set_tag("ana", [("entity", broker.id)], "role", "sanctioned")
    body = store.get_article(first.id).body
    start = body.index("Ashot Mkrtychev of Slovakia")
    link_id = store.add_link("ana", Link("entity", broker.id, "brokered deal with", "entity",
                                         korea.id, evidence_article_id=first.id,
                                         evidence_start=start,
                                         evidence_end=body.index(".", start) + 1))
    store.add_link("ana", Link("entity", broker.id, "sanctioned by", "entity", treasury.id))
    store.set_tag("ana", [("link", link_id)], "confidence", "confirmed", exclusive=True)
    store.close()
    return path


def run(path, fmt, out, *extra):
    result = CliRunner().invoke(main, ["export", str(path), "-f", fmt, "-o", str(out), *extra])
    assert result.exit_code == 0, result.output
    return out


def test_brief_names_the_broker_role_and_designation(tagged, tmp_path):
    text = run(tagged, "md", tmp_path / "brief.md").read_text()
    assert "**Ashot Mkrtychev** (person" in text and "role: broker, sanctioned" in text
    assert "**2023-03-27 to 2023-04-02** (day)" in text  # the designation, last week
    assert "brokered deal with" in text and "> Ashot Mkrtychev of Slovakia" in text
    assert "triage: relevant" in text
    assert "**2023-02** (month)" in text  # "last February", April 2023


def test_html_is_self_contained_and_escaped(tagged, tmp_path):
    store = Store.open(tagged)
    first = store.list_articles()[0].id
    store.update_article("ana", first, title="<script>alert(1)</script> & co")
    store.close()
    try:
        html = run(tagged, "html", tmp_path / "r.html").read_text()
    finally:
        store = Store.open(tagged)
        store.undo("ana")
        store.close()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in html
    assert "<script>" not in html
    assert "http://" not in html.replace("http://www.w3.org/2000/svg", "")
    assert "https://" not in html and html.count("<svg") == 2


def test_json_round_trip_is_identical(tagged, tmp_path):
    first = run(tagged, "json", tmp_path / "a.json")
    data = json.loads(first.read_text())
    assert data["format"] == "dossier-export" and data["version"] == 1
    assert len(data["articles"]) == 2 and data["links"] and data["journal"]
    rebuilt = tmp_path / "rebuilt.db"
    result = CliRunner().invoke(main, ["ingest", str(rebuilt), str(first)])
    assert result.exit_code == 0, result.output
    second = run(rebuilt, "json", tmp_path / "b.json")
    assert first.read_bytes() == second.read_bytes()
    again = CliRunner().invoke(main, ["ingest", str(rebuilt), str(first)])
    assert again.exit_code == 2 and "new, empty dossier" in again.stderr


def test_csv_folder_and_zip(tagged, tmp_path):
    folder = run(tagged, "csv", tmp_path / "tables")
    with (folder / "articles.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 2 and "title" in rows[0] and "body" in rows[0]
    conn = sqlite3.connect(tagged)
    for name in ("mentions", "entities", "taggings", "links"):
        with (folder / f"{name}.csv").open(encoding="utf-8") as handle:
            assert len(list(csv.DictReader(handle))) == conn.execute(
                f"SELECT count(*) FROM {name}").fetchone()[0]
    conn.close()
    archive = run(tagged, "csv", tmp_path / "tables.zip")
    assert "events.csv" in zipfile.ZipFile(archive).namelist()


def test_ftm_validates_with_followthemoney(tagged, tmp_path):
    followthemoney = pytest.importorskip("followthemoney")
    out = run(tagged, "ftm", tmp_path / "e.ftm.json")
    proxies = [followthemoney.model.get_proxy(json.loads(line), cleaned=False)
               for line in out.read_text().splitlines()]
    by_schema: dict[str, list] = {}
    for proxy in proxies:
        by_schema.setdefault(proxy.schema.name, []).append(proxy)
    assert {"Person", "Organization", "Address", "Article", "Event", "Mention",
            "UnknownLink"} <= set(by_schema)
    broker = next(p for p in by_schema["Person"] if "Ashot Mkrtychev" in p.get("name"))
    assert "role:broker" in broker.get("keywords")
    feb = next(p for p in by_schema["Event"] if p.get("date") == ["2023-02"])
    assert feb.get("involved")
    link = next(p for p in by_schema["UnknownLink"] if p.get("role") == ["brokered deal with"])
    assert link.get("subject") == [broker.id]


def test_timelinejs_month_precision_has_no_day(tagged, tmp_path):
    doc = json.loads(run(tagged, "timelinejs", tmp_path / "t.json").read_text())
    feb = [e for e in doc["events"] if e["start_date"] == {"year": 2023, "month": 2}]
    assert feb and "day" not in feb[0]["start_date"] and feb[0]["display_date"] == "2023-02"
    week = next(e for e in doc["events"] if e["start_date"] == {"year": 2023, "month": 3,
                                                                "day": 27})
    assert week["end_date"] == {"year": 2023, "month": 4, "day": 2}
    assert all(e["unique_id"] and e["text"]["headline"] for e in doc["events"])


def test_graphml_reads_back_with_networkx(tagged, tmp_path):
    networkx = pytest.importorskip("networkx")
    graph = networkx.read_graphml(run(tagged, "graphml", tmp_path / "g.graphml"))
    conn = sqlite3.connect(tagged)
    broker_id = conn.execute("SELECT entity_id FROM aliases WHERE norm = 'ashot mkrtychev'"
                             ).fetchone()[0]
    conn.close()
    node = graph.nodes[f"entity-{broker_id}"]
    assert node["label"] == "Ashot Mkrtychev" and "role:broker" in node["tags"]
    kinds = {d["edge_kind"] for _, _, d in graph.edges(data=True)}
    assert kinds == {"link", "mention", "involvement", "cooccurrence"}
    assert any(d.get("relation") == "brokered deal with" for _, _, d in graph.edges(data=True))


def test_selection_by_tag_into_a_smaller_dossier(tagged, tmp_path):
    out = run(tagged, "dossier", tmp_path / "small.db", "--tag", "triage:relevant")
    small = Store.open(out)
    assert [a.title[:14] for a in small.list_articles()] == ["U.S. Sanctions"]
    assert small.find_entities("Ashot Mkrtychev") and small.check() == []
    assert small.find_entities("John Kirby") == []  # only in the other article
    small.close()


def test_stdout_and_bad_usage(tagged):
    result = CliRunner().invoke(main, ["export", str(tagged), "-f", "timelinejs", "-o", "-"])
    assert result.exit_code == 0 and json.loads(result.stdout)["events"]
    for args, words in [(["-f", "pdf"], "Invalid value"),
                        (["-f", "md", "--tag", "nocolon"], "is not SET:TAG"),
                        (["-f", "md", "--since", "last year"], "is not a date")]:
        bad = CliRunner().invoke(main, ["export", str(tagged), *args, "-o", "-"])
        assert bad.exit_code == 2 and words in bad.stderr


def test_failed_export_leaves_nothing(tagged, tmp_path, monkeypatch):
    missing = tmp_path / "no" / "such" / "folder" / "x.md"
    result = CliRunner().invoke(main, ["export", str(tagged), "-f", "md", "-o", str(missing)])
    assert result.exit_code == 1 and "does not exist" in result.stderr
    from dossier.export import FORMATS

    def broken(store, selection, stream, progress=None):
        stream.write(b'{"half": ')
        raise OSError(28, "No space left on device")

    monkeypatch.setitem(FORMATS, "json", dataclasses.replace(FORMATS["json"], write=broken))
    store = Store.open(tagged, readonly=True)
    with pytest.raises(ExportError, match="No space left"):
        export(store, "json", tmp_path / "full.json", Selection())
    store.close()
    assert os.listdir(tmp_path) == []


@pytest.mark.skipif(not WIKINEWS.is_dir(), reason="needs the shared corpus for a big export")
def test_file_size_limit_is_a_clear_failure(tmp_path):
    """A full disk, as `ulimit -f` makes one: exit 1, one line, no partial file."""
    import resource
    import signal
    import subprocess
    import sys

    def limit() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (128 * 1024, 128 * 1024))

    big = tmp_path / "big.db"
    store = Store.open(big, create=True)
    ingest_paths(store, [SAMPLE, *sorted(WIKINEWS.glob("*.txt"))], extractor="rules")
    store.close()
    out = tmp_path / "out"
    out.mkdir()
    result = subprocess.run([sys.executable, "-m", "dossier", "export", str(big), "-f",
                             "json", "-o", str(out / "x.json")], capture_output=True,
                            text=True, preexec_fn=limit, timeout=120)
    assert result.returncode == 1, result.stderr
    assert "cannot write" in result.stderr and "Traceback" not in result.stderr
    assert os.listdir(out) == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes anywhere")
def test_unwritable_folder(tagged, tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    result = CliRunner().invoke(main, ["export", str(tagged), "-f", "md", "-o",
                                       str(locked / "x.md")])
    assert result.exit_code == 1 and "cannot write" in result.stderr
