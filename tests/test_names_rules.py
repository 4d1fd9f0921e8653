"""The names rules of issue #15, each as an analyst sees it: what is marked, as what kind, as
which entity. The dossier-wide rules run on ingest with the rules extractor (always there);
the rules about a model's entities run with spaCy when its model is installed."""

from __future__ import annotations

import io
import json

import pytest
from dossier_helpers import add_article_with_names

from dossier.ingest.entities import ExtractorUnavailable, SpacyExtractor
from dossier.ingest.extract import run_extract
from dossier.ingest.pipeline import ingest_paths

# The store's suites run on both engines (tests/conftest.py).
pytestmark = pytest.mark.both_engines


def extract(text: str, extractor: str = "rules") -> list[dict]:
    out = io.StringIO()
    run_extract(io.StringIO(json.dumps({"id": "a", "text": text}) + "\n"), out, io.StringIO(),
                extractor=extractor)
    return json.loads(out.getvalue())["entities"]


@pytest.fixture(scope="module")
def spacy_ok():
    try:
        SpacyExtractor()
    except (ImportError, ExtractorUnavailable):
        pytest.skip("no spaCy model here")


def names(entities: list[dict], label: str | None = None) -> list[str]:
    return [e["text"] for e in entities if label is None or e["label"] == label]


# ------------------------------------------------------------- the dossier's own names

def test_a_known_alias_is_a_mention_in_every_later_article(store, tmp_path):
    first = tmp_path / "one.txt"
    first.write_text("Reagan years\n\nPresident Ronald Reagan met advisers in Washington.\n")
    ingest_paths(store, [first], extractor="rules")
    (reagan,) = store.find_entities("Ronald Reagan")
    store.add_alias("ana", reagan.id, "Reagan")
    second = tmp_path / "two.txt"
    body = " ".join(["Reagan spoke."] * 10 + ["Aides said Reagan's plan stands."])
    second.write_text("Budget fight\n\n" + body + "\n")
    ingest_paths(store, [second], extractor="rules")
    marked = [m for m in store.entity_mentions(reagan.id, 0, 100) if m.text == "Reagan"]
    assert len(marked) == 11


def test_a_known_name_written_lower_case_in_the_article_is_left(store, tmp_path):
    add_article_with_names(store, "Port", "Ships reached Mobile on Monday.", {"Mobile": "place"})
    (mobile,) = store.find_entities("Mobile")
    second = tmp_path / "two.txt"
    second.write_text("Phones\n\nSales grew. Mobile phones sold well; mobile data grew.\n")
    ingest_paths(store, [second], extractor="rules")
    assert [m.text for m in store.entity_mentions(mobile.id, 0, 100)] == ["Mobile"]


def test_an_added_alias_marks_its_occurrences_as_one_undoable_change(filled):
    person = filled.find_entities("Ashot Mkrtychev")[0]
    add_article_with_names(filled, "Later", "Mkrtychev flew out; Mkrtychev's lawyer stayed.", {})
    before = filled.get_entity(person.id).mention_count
    assert filled.add_alias_and_mark("ana", person.id, "Mkrtychev") == (True, 2)
    assert filled.get_entity(person.id).mention_count == before + 2
    filled.undo("ana")
    assert "Mkrtychev" not in filled.get_entity(person.id).aliases
    assert len(filled.find_text("Mkrtychev")) == 2


def test_an_alias_two_entities_share_marks_nothing(filled):
    treasury = filled.find_entities("Treasury")[0]
    slovakia = filled.find_entities("Slovakia")[0]
    filled.add_alias("ana", slovakia.id, "Bratislava")
    add_article_with_names(filled, "Capital", "Bratislava hosted talks.", {})
    assert filled.add_alias_and_mark("ana", treasury.id, "Bratislava") == (True, 0)


# ------------------------------------------------------------- within one article

def test_a_surname_after_the_full_name_is_the_person():
    found = extract("Spokeswoman Sandy Angers said the team formed. \"We need it,\" said "
                    "Angers on Monday, and Angers added more.")
    assert names(found, "person") == ["Sandy Angers", "Angers", "Angers"]
    assert {e["entity"] for e in found if e["label"] == "person"} == {"Sandy Angers"}


def test_a_company_short_name_is_the_company(spacy_ok):
    found = extract("Penske was selected to purchase Saturn Corporation. The purchase "
                    "includes rights to the Saturn brand.", "auto")
    assert ("Saturn", "organisation") in [(e["text"], e["label"]) for e in found]


# ------------------------------------------------------------- junk and kinds

@pytest.mark.parametrize("extractor", ["rules", "auto"])
def test_generic_words_and_units_are_never_names_alone(extractor):
    if extractor == "auto":
        try:
            SpacyExtractor()
        except (ImportError, ExtractorUnavailable):
            pytest.skip("no spaCy model here")
    found = extract("The Bank raised rates. The State said no. The House voted, and Defense "
                    "officials agreed. Chrysler LLC lost 5 mln dlrs.", extractor)
    assert not {"Bank", "State", "House", "Defense", "LLC", "mln", "dlrs"} & set(names(found))


def test_a_title_is_not_part_of_the_name(spacy_ok):
    found = extract("National Security Adviser Brent Scowcroft said on Monday the talks "
                    "would go on.", "auto")
    assert ("Brent Scowcroft", "person") in [(e["text"], e["label"]) for e in found]
    assert not [n for n in names(found) if "Adviser" in n]


def test_surnames_are_people_whatever_the_model_guessed(spacy_ok):
    found = extract("White House chief of staff Donald Regan, Agriculture Secretary Richard "
                    "Lyng and Robert Gates met on Monday. Later Regan said Lyng and Gates "
                    "agreed.", "auto")
    kinds = {(e["text"], e["label"]) for e in found}
    assert {("Regan", "person"), ("Lyng", "person"), ("Gates", "person")} <= kinds


def test_a_longer_name_around_a_known_place_is_not_the_place(spacy_ok):
    found = extract("Air Canada has ordered new jets, and EADS North America will build "
                    "them. The plant cuts jobs in North America.", "auto")
    kinds = [(e["text"], e["label"]) for e in found]
    assert ("Air Canada", "organisation") in kinds
    assert ("EADS North America", "organisation") in kinds
    assert not [e for e in found if e["entity"] in ("Canada", "United States")]


def test_a_country_government_is_the_country(spacy_ok):
    found = extract("Loans came from the government of Canada and the United States "
                    "Government.", "auto")
    got = [(e["text"], e["entity"]) for e in found]
    assert ("government of Canada", "Canada") in got
    assert ("United States Government", "United States") in got


def test_a_party_adjective_is_the_party(spacy_ok):
    found = extract("Republican senators voted against the bill on Tuesday.", "auto")
    assert [(e["text"], e["label"], e["entity"]) for e in found
            if e["text"] == "Republican"] == [("Republican", "organisation",
                                                "Republican Party")]


def test_a_demonym_is_its_country(spacy_ok):
    found = extract("Nicaraguan rebels crossed the border on Sunday.", "auto")
    assert [(e["text"], e["label"], e["entity"]) for e in found] == [
        ("Nicaraguan", "place", "Nicaragua")]


# ------------------------------------------------------------- resolution in context

@pytest.mark.parametrize("extractor", ["rules", "auto"])
def test_treasury_is_the_us_department_only_where_the_text_says_so(extractor):
    if extractor == "auto":
        try:
            SpacyExtractor()
        except (ImportError, ExtractorUnavailable):
            pytest.skip("no spaCy model here")

    def treasury(text: str) -> list[str]:
        return [e["text"] for e in extract(text, extractor)
                if e["entity"] == "U.S. Department of the Treasury"]

    assert treasury("Treasury Secretary Mario Brodersohn said Argentina would pay.") == []
    assert treasury("Argentina's Treasury said it would pay.") == []
    assert treasury("Treasury securities rose on Monday.") == []
    assert treasury("The Treasury said on Monday it would sanction Russian firms.") == [
        "Treasury"]
    assert treasury("U.S. Treasury Secretary Janet Yellen met Argentine officials.") == [
        "U.S. Treasury"]
