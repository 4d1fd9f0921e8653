"""Event titles read like headlines of what happened: the clause holding the date, with its
subject, verb and object, without the date; never a fragment. Sentences of several layouts,
then a property over every dated sentence of the real corpus."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dossier.ingest.timeline import _AUX, _DANGLING, _RELATIVE, _title, article_events

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"
SEEDS = Path(__file__).resolve().parent.parent.parent / "shared" / "seeds"
SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample"
EVAL = Path(__file__).resolve().parent.parent.parent / "shared" / "eval" / "meantime-dev" / \
    "docs.jsonl"


def titles(body: str, published: str | None = "2023-03-06") -> dict[str, str]:
    """date text -> title of each event of a body."""
    return {body[e.date_start_char:e.date_end_char]: e.title
            for e, _ in article_events(body, published, [])}


@pytest.mark.parametrize("body,date,title", [
    # wire: a dateline, the date between verb and object
    ("WASHINGTON, March 3 (Reuters) - The Treasury on Thursday sanctioned a Slovakian "
     "national for brokering arms deals.", "Thursday",
     "The Treasury sanctioned a Slovakian national for brokering arms deals"),
    # the date between verb and object, as the sample has it
    ("The U.S. Department of the Treasury sanctioned last week a Slovakian national for his "
     "attempts to facilitate arms deals.", "last week",
     "The U.S. Department of the Treasury sanctioned a Slovakian national…"),
    # hard-wrapped: the line ends are spaces
    ("The company said on Tuesday it would close\nfive plants and cut 3,000 jobs in\nthe "
     "Midwest.", "Tuesday", "The company said it would close five plants and cut 3,000 jobs…"),
    # quotes: the marks go, the words stay
    ('"We will appeal the ruling," the company said on Friday.', "Friday",
     "The company said"),
    ('The minister said on Monday that the deal was "a disgrace".', "Monday",
     "The minister said that the deal was a disgrace"),
    # passive
    ("The plant was closed by the regulator in March 2008 after two fires.", "March 2008",
     "The plant was closed by the regulator after two fires"),
    # a relative clause holds the date: it takes the noun it refers to
    ("Chrysler and Daimler-Benz, which merged in 1998, split again.", "1998",
     "Chrysler and Daimler-Benz merged"),
    ("The group bought the Ford Falcon plant, which has been built in Australia since "
     "1960.", "1960", "Ford Falcon plant has been built in Australia"),
    # a clause without its subject takes the sentence's
    ("A test flight of the new Airbus A380, the largest jet in the world, was delayed today "
     "after an accident.", "today", "A test flight of the new Airbus A380 was delayed…"),
    # a date that is a possessive: the noun stays, with an article
    ("Thursday's allegation from the administration is the latest accusation.", "Thursday",
     "The allegation from the administration is the latest accusation"),
    # a subordinate opening: its own clause when it has a subject
    ("When the Air Force selected Northrop Grumman on February 29, Boeing protested.",
     "February 29", "The Air Force selected Northrop Grumman"),
    # a modifier clause without a verb: the main clause
    ("The EU banned the airlines, including two major disasters this year.", "this year",
     "The EU banned the airlines"),
    # a date used as an adjective keeps its article
    ("The automaker has a June 1 deadline to finish a plan.", "June 1",
     "The automaker has a deadline to finish a plan"),
])
def test_a_headline_from_the_clause_holding_the_date(body, date, title):
    found = titles(body)
    key = next((k for k in found if date.lower() in k.lower()), None)
    assert key is not None, found
    assert found[key] == title, found


def test_an_upper_case_sentence_is_put_in_sentence_case():
    """A wire sentence in capitals (the date finder reads mixed case, so the title function
    is given the date's place): sentence case, the names the article marks and demonyms
    keep a capital, short acronyms stay."""
    sentence = "TREASURY SANCTIONS SLOVAKIAN NATIONAL ON MARCH 3 FOR ARMS DEALS WITH THE DPRK."
    start = sentence.index("MARCH 3")
    assert _title(sentence, start, start + 7, {"TREASURY", "DPRK"}) == \
        "Treasury sanctions Slovakian national for arms deals with the DPRK"


def test_the_fragments_once_seen_on_wires_are_not_titles():
    """"Was the lowest", "Which developed", "They note he was dramatically rebuffed 's"."""
    found = titles(
        "Sales fell to 9.12 million in February, which was the lowest since 1981. "
        "The engine, which developed in 2004 a fault, failed. "
        "They note he was dramatically rebuffed on Thursday's vote.")
    for title in found.values():
        first = title.split()[0].lower()
        assert first not in _RELATIVE | _AUX, found
        assert "'s" not in title.split() and "’s" not in title.split(), found
        assert not title.endswith(("'s", "’s")), found


@pytest.fixture(scope="module")
def corpus_events(tmp_path_factory) -> list[tuple[str, str]]:
    """(origin, title) of every event of the corpus, the seeds and the sample, ingested."""
    from dossier.ingest.pipeline import ingest_paths
    from dossier.store import Store

    folders = [p for p in (CORPUS, SEEDS, SAMPLE, EVAL) if p.exists()]
    if CORPUS not in folders:
        pytest.skip("the shared corpus is not here")
    store = Store.open(tmp_path_factory.mktemp("titles") / "corpus.db", create=True)
    try:
        ingest_paths(store, folders, extractor="rules")
        out = []
        offset = 0
        while page := store.list_events(offset, 500):
            offset += len(page)
            out += [(str(e.article_id), e.title) for e in page]
    finally:
        store.close()
    return out


def test_every_title_of_the_real_corpus_is_a_headline_not_a_fragment(corpus_events):
    """Property over every dated sentence of ../shared/corpus, the seeds and the sample: a
    title opens with a capitalised word (or a figure) that is no relative pronoun, auxiliary
    or conjunction; ends on no word that needs another; has no dangling 's."""
    seen = 0
    bad = []
    for origin, title in corpus_events:
        seen += 1
        words = title.rstrip("…").split()
        first = words[0] if words else ""
        if not (first[:1].isupper() or first[:1].isdigit() or first[:1] in "$€£") \
                or first.lower() in _RELATIVE | _AUX | {"and", "or", "but"} \
                or words[-1].lower().strip(".,;:") in _DANGLING \
                or re.search(r"(^|\s)['’]s\b", title) or "\n" in title or "  " in title \
                or len(words) > 12:
            bad.append((origin, title))
    assert not bad, bad
    assert seen > 300
