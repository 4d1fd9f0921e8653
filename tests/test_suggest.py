"""Merge suggestions: one test a reason, on small dossiers written through the store; the
analyst's decisions (different never suggested again, across a restart; same = the merge,
undoable); the wire pile of issue 17."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from dossier.cli import main
from dossier.store import Store
from dossier.store.suggest import decide, decisions, suggestions
from tests.dossier_helpers import add_article_with_names

# The store's suites run on both engines (tests/conftest.py).
pytestmark = pytest.mark.both_engines

WIRES = Path(__file__).parent / "fixtures" / "iran_contra"


@pytest.fixture
def store(tmp_path):
    s = Store.open(tmp_path / "s.db", create=True)
    yield s
    s.close()


def pair_of(found, x: str, y: str):
    for s in found:
        if {s.a.name, s.b.name} == {x, y}:
            return s
    return None


def one(store, names: dict[str, str], text: str | None = None, title: str = "T"):
    body = text or " and ".join(names) + " met."
    add_article_with_names(store, title, body, names)


def test_surname_of_a_person_even_when_the_lone_word_was_taken_for_an_organisation(store):
    one(store, {"John Tower": "person"}, title="a")
    one(store, {"Tower": "organisation"}, "Tower spoke.", title="b")
    s = pair_of(suggestions(store), "John Tower", "Tower")
    assert s is not None
    assert any(r.startswith("surname") for r in s.reasons)
    assert any("kinds differ" in r for r in s.reasons)


def test_first_name_only(store):
    one(store, {"Ashot Mkrtychev": "person"}, title="a")
    one(store, {"Ashot": "person"}, "Ashot spoke.", title="b")
    s = pair_of(suggestions(store), "Ashot Mkrtychev", "Ashot")
    assert s is not None and any(r.startswith("first name only") for r in s.reasons)


@pytest.mark.parametrize("short,long", [
    ("CIA", "Central Intelligence Agency"),
    ("DPRK", "Democratic People's Republic of Korea"),
])
def test_acronym_of_the_initials(store, short, long):
    one(store, {long: "organisation"}, title="a")
    one(store, {short: "organisation"}, f"{short} said.", title="b")
    s = pair_of(suggestions(store), short, long)
    assert s is not None and any(r.startswith("acronym") for r in s.reasons)


def test_plural_and_inflection(store):
    one(store, {"contra": "other"}, "A contra said.", title="a")
    one(store, {"contras": "other"}, "The contras said.", title="b")
    s = pair_of(suggestions(store), "contra", "contras")
    assert s is not None and any(r.startswith("plural") for r in s.reasons)


def test_near_spelling(store):
    one(store, {"Muammar Gaddafi": "person"}, title="a")
    one(store, {"Muammar Qaddafi": "person"}, title="b")
    s = pair_of(suggestions(store), "Muammar Gaddafi", "Muammar Qaddafi")
    assert s is not None and any(r.startswith("near spelling") for r in s.reasons)


@pytest.mark.parametrize("short,long", [
    ("Tower Commission", "Tower Commission Report"), ("Acme", "Acme Corp")])
def test_title_or_suffix_variant(store, short, long):
    one(store, {long: "organisation"}, title="a")
    one(store, {short: "organisation"}, f"{short} said.", title="b")
    s = pair_of(suggestions(store), short, long)
    assert s is not None and any(r.startswith("title or suffix") for r in s.reasons)


def test_shared_alias(store):
    one(store, {"Bank of Lithuania": "organisation"}, title="a")
    one(store, {"Lietuvos bankas": "organisation"}, title="b")
    ids = {e.name: e.id for e in store.iter_entities_with_aliases()}
    store.add_alias("ana", ids["Bank of Lithuania"], "central bank of Lithuania")
    store.add_alias("ana", ids["Lietuvos bankas"], "Central Bank of Lithuania")
    s = pair_of(suggestions(store), "Bank of Lithuania", "Lietuvos bankas")
    assert s is not None and any(r.startswith("shared alias") for r in s.reasons)


def test_named_together_raises_the_score(tmp_path):
    apart = Store.open(tmp_path / "apart.db", create=True)
    one(apart, {"contra": "other"}, "A contra said.", title="a")
    one(apart, {"contras": "other"}, "The contras said.", title="b")
    together = Store.open(tmp_path / "together.db", create=True)
    one(together, {"contra": "other", "contras": "other"}, "A contra said the contras won.")
    low = pair_of(suggestions(apart), "contra", "contras")
    high = pair_of(suggestions(together), "contra", "contras")
    assert high.score > low.score
    assert any("named together in 1 article" in r for r in high.reasons)


def test_different_kinds_remove_the_pair(store):
    one(store, {"Paris": "place"}, title="a")
    one(store, {"Pariss": "person"}, "Pariss said.", title="b")
    assert pair_of(suggestions(store), "Paris", "Pariss") is None


def test_an_ambiguous_short_name_ranks_both_and_says_so(store):
    one(store, {"John Tower": "person"}, title="a")
    one(store, {"Tower Commission": "organisation"}, "The Tower Commission met.", title="b")
    one(store, {"Tower": "organisation"}, "Tower spoke.", title="c")  # as the issue saw it
    found = suggestions(store)
    for long in ("John Tower", "Tower Commission"):
        s = pair_of(found, "Tower", long)
        assert s is not None, long
        assert any(r.startswith("ambiguous: 'Tower' could also be") for r in s.reasons)


def test_different_is_remembered_across_a_restart_and_undoable(tmp_path):
    path = tmp_path / "d.db"
    store = Store.open(path, create=True)
    one(store, {"contra": "other"}, "A contra said.", title="a")
    one(store, {"contras": "other"}, "The contras said.", title="b")
    s = pair_of(suggestions(store), "contra", "contras")
    decide(store, "ana", "entity", s.a.id, s.b.id, "different")
    store.close()
    store = Store.open(path)
    assert pair_of(suggestions(store), "contra", "contras") is None
    (d,) = decisions(store)
    assert (d.verdict, d.analyst, d.a_id, d.b_id) == (
        "different", "ana", min(s.a.id, s.b.id), max(s.a.id, s.b.id))
    assert store.undo("ana") is not None
    assert decisions(store) == []
    assert pair_of(suggestions(store), "contra", "contras") is not None
    store.close()


def test_same_merges_and_remembers_and_one_undo_takes_both_back(store):
    one(store, {"CIA": "organisation"}, "CIA said.", title="a")
    one(store, {"Central Intelligence Agency": "organisation"}, title="b")
    s = pair_of(suggestions(store), "CIA", "Central Intelligence Agency")
    long_id = next(e.id for e in (s.a, s.b) if e.name != "CIA")
    short_id = next(e.id for e in (s.a, s.b) if e.name == "CIA")
    store.merge_entities("ana", short_id, long_id, decided=True)
    assert store.get_entity(short_id) is None
    assert [(d.verdict, d.analyst) for d in decisions(store)] == [("same", "ana")]
    assert suggestions(store) == []
    store.undo("ana")
    assert store.get_entity(short_id) is not None and decisions(store) == []


def test_candidates_of_one_entity(store):
    one(store, {"John Tower": "person", "Donald Regan": "person"}, title="a")
    one(store, {"Tower": "person", "Regan": "person"}, "Tower and Regan spoke.", title="b")
    tower = next(e.id for e in store.iter_entities_with_aliases() if e.name == "Tower")
    found = suggestions(store, entity_id=tower)
    assert [{s.a.name, s.b.name} for s in found] == [{"Tower", "John Tower"}]


def test_cli_suggest_json_and_text(tmp_path, store):
    one(store, {"contra": "other"}, "A contra said.", title="a")
    one(store, {"contras": "other"}, "The contras said.", title="b")
    runner = CliRunner()
    result = runner.invoke(main, ["suggest", store.path, "--json"])
    assert result.exit_code == 0, result.output
    (line,) = [json.loads(x) for x in result.output.splitlines()]
    assert set(line) == {"a", "b", "score", "reasons"}
    assert set(line["a"]) == {"id", "name", "kind"}
    assert {line["a"]["name"], line["b"]["name"]} == {"contra", "contras"}
    assert isinstance(line["score"], float) and line["reasons"]
    text = runner.invoke(main, ["suggest", store.path, "--limit", "1"])
    assert text.exit_code == 0 and "contra" in text.output and "plural" in text.output
    none = runner.invoke(main, ["suggest", str(tmp_path / "missing.db")])
    assert none.exit_code == 2 and "Traceback" not in none.output
    bad = runner.invoke(main, ["suggest", store.path, "--limit", "0"])
    assert bad.exit_code == 2


@pytest.mark.spacy
def test_the_wire_pile_of_issue_17(tmp_path):
    """Each pair the issue names is one entity after ingest, or among the first 50."""
    pytest.importorskip("spacy")
    from dossier.ingest.pipeline import ingest_paths

    store = Store.open(tmp_path / "w.db", create=True)
    ingest_paths(store, [WIRES], extractor="auto")
    top = suggestions(store, limit=50)
    by_name = {}
    for e in store.iter_entities_with_aliases():
        for n in [e.name, *e.aliases]:
            by_name.setdefault(n, set()).add(e.id)
    for x, y in [("Tower", "John Tower"), ("Regan", "Donald Regan"),
                 ("CIA", "Central Intelligence Agency"),
                 ("Tower Commission", "Tower Commission Report"), ("contra", "contras")]:
        if by_name.get(x, set()) & by_name.get(y, {-1}):
            continue  # one entity already
        assert pair_of(top, x, y) is not None, (x, y)
    store.close()


def test_decisions_in_exports(tmp_path, store):
    """The JSON round trip keeps a "different" decision (never suggested again in the
    copy); FtM gives the merged entity the other name as an alias."""
    from dossier.export import Selection, export

    one(store, {"contra": "other"}, "A contra said.", title="a")
    one(store, {"contras": "other"}, "The contras said.", title="b")
    one(store, {"CIA": "organisation"}, "CIA said.", title="c")
    one(store, {"Central Intelligence Agency": "organisation"}, title="d")
    s = pair_of(suggestions(store), "contra", "contras")
    decide(store, "ana", "entity", s.a.id, s.b.id, "different")
    cia = pair_of(suggestions(store), "CIA", "Central Intelligence Agency")
    short = next(e.id for e in (cia.a, cia.b) if e.name == "CIA")
    long_id = next(e.id for e in (cia.a, cia.b) if e.name != "CIA")
    store.merge_entities("ana", short, long_id, decided=True)
    out = tmp_path / "x.json"
    export(store, "json", out, Selection())
    data = json.loads(out.read_text())
    assert [d["verdict"] for d in data["decisions"]] == ["different", "same"]
    runner = CliRunner()
    result = runner.invoke(main, ["ingest", str(tmp_path / "copy.db"), str(out)])
    assert result.exit_code == 0, result.output
    copy = Store.open(tmp_path / "copy.db")
    assert [(d.verdict, d.analyst) for d in decisions(copy)] == [
        ("different", "ana"), ("same", "ana")]
    assert suggestions(copy) == []
    export(copy, "json", tmp_path / "again.json", Selection())
    assert (tmp_path / "again.json").read_text() == out.read_text()
    copy.close()
    ftm = tmp_path / "x.ftm"
    export(store, "ftm", ftm, Selection())
    agency = [json.loads(x) for x in ftm.read_text().splitlines()
              if "Central Intelligence Agency" in x and '"Organization"' in x]
    assert agency and "CIA" in agency[0]["properties"]["alias"]
