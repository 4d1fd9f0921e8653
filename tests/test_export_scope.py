"""Export follows the scope: what the Articles pane shows (tags, search, marked rows) is what
`e` writes, and `dossier export --search` does the same from the command line."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from dossier_helpers import add_article_with_names, make_article

from dossier.cli import main
from dossier.export import Selection, export
from dossier.model import Event, Mention, Scope
from dossier.store import Store


@pytest.fixture
def story(tmp_path):
    path = tmp_path / "story.db"
    store = Store.open(path, create=True)
    ids = {}
    ids["hearings"], ents = add_article_with_names(
        store, "Iran-Contra hearings", "Oliver North testified.", {"Oliver North": "person"})
    ids["budget"], _ = add_article_with_names(
        store, "Budget talks", "The Senate argued.", {"Senate": "organisation"})
    event = Event(title="grain report", date_start="1987-02-27", precision="day")
    ids["grain"] = store.ingest_article(
        make_article("Grain prices", "Chicago wheat rose."),
        [ents[0].__class__(name="Chicago", kind="place")],
        [(0, Mention(None, None, 0, 7, "Chicago"))], [(event, [0])])
    store.set_tag("ana", [("article", ids["hearings"]), ("article", ids["budget"])],
                  "triage", "relevant")
    store.set_tag("ana", [("article", ids["grain"])], "triage", "background")
    store.close()
    return path, ids


def exported(path, out, selection):
    store = Store.open(path, readonly=True)
    try:
        export(store, "json", out, selection)
    finally:
        store.close()
    return json.loads(out.read_text())


def test_export_of_a_scope_is_exactly_its_articles(story, tmp_path):
    path, ids = story
    data = exported(path, tmp_path / "a.json",
                    Selection.from_scope(Scope(tags=(("triage", "relevant"),))))
    assert sorted(a["title"] for a in data["articles"]) == ["Budget talks",
                                                            "Iran-Contra hearings"]
    assert sorted(e["name"] for e in data["entities"]) == ["Oliver North", "Senate"]
    assert data["events"] == []


def test_or_within_a_set_and_marked_rows(story, tmp_path):
    path, ids = story
    both = Scope(tags=(("triage", "relevant"), ("triage", "background")))
    assert len(exported(path, tmp_path / "b.json", Selection.from_scope(both))["articles"]) == 3
    marked = Scope(article_ids=frozenset({ids["grain"]}))
    data = exported(path, tmp_path / "m.json", Selection.from_scope(marked))
    assert [a["title"] for a in data["articles"]] == ["Grain prices"]
    assert [e["title"] for e in data["events"]] == ["grain report"]
    assert [e["name"] for e in data["entities"]] == ["Chicago"]


def test_an_empty_scope_exports_everything(story, tmp_path):
    path, _ = story
    assert Selection.from_scope(Scope()).is_everything()
    assert len(exported(path, tmp_path / "all.json", Selection.from_scope(None))[
        "articles"]) == 3


def test_cli_search_option(story, tmp_path):
    path, _ = story
    out = tmp_path / "s.json"
    result = CliRunner().invoke(main, ["export", str(path), "-f", "json", "-o", str(out),
                                       "--search", "Iran-Contra"])
    assert result.exit_code == 0, result.output
    assert [a["title"] for a in json.loads(out.read_text())["articles"]] == [
        "Iran-Contra hearings"]
    md = tmp_path / "s.md"
    result = CliRunner().invoke(main, ["export", str(path), "-f", "md", "-o", str(md),
                                       "--search", "Chicago", "--tag", "triage:background"])
    assert result.exit_code == 0, result.output
    assert "Grain prices" in md.read_text() and "Budget talks" not in md.read_text()
