"""Ingest's fast paths (session 6) find what the plain ones found: the date patterns skipped
for a text without their needles, names patterns opening with a literal instead of a
look-behind, the overlap test of the dossier's known names by bisection, and an article's
rows written a statement a table."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from dossier_helpers import make_article

from dossier.ingest import dates
from dossier.ingest.entities import Candidate, Gazetteer, _names_pattern
from dossier.ingest.resolve import _LOWER_WORD, _TOKEN, Resolver
from dossier.model import Entity, Event, Mention

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"

# One phrase at least for every kind of date (and near misses beside them).
PHRASES = """\
The report of 2009-03-30 came on 3 March 2009, on March 3-5, 2009 and on March 3, 2009.
On March 3 the board met; on the 3rd of March it voted; in March, 2009 it paid.
Sales fell in early last year, rose in mid-2008 and in late 2007, and in March of next year.
He left last September and will return this April; in early June; in the middle of May.
In the third quarter of 2009, the first half of this year, Q3 2009, H1 and 2009 Q4.
Profit rose last quarter. The last week of March 2009 and the first week of 2010.
Last spring, this summer, the early autumn of 2008, the fall of 2007; a fall in sales.
In the 1980s, the '80s, the 70s, the early 1990s, in their 70s, the mid-60s.
This weekend and last weekend; a second consecutive day, the third straight week.
The same period last year; the same month a year ago. The previous year, the year before.
The entire year. The next day, the day before. That same day. In the day. The end of the day.
At 14:58 UTC, 0800 GMT, 6:40 p.m. and at 9:30 (16:30 UTC); a score of 3:20.
Later this year and earlier in the year. Next week, this month, past year.
Yesterday and today. On Monday, Tuesday's vote, Black Monday, Good Friday.
Between April and June; since September; until August; by May.
The class of '82 and the 2008-09 season; in 2010; since 1999; the 2010 jobs.
LATE LAST YEAR, EARLY 2009, THE FOURTH QUARTER, MID-2008. Laſt year, thİs year, the fırst half.
"""


def corpus_texts() -> list[str]:
    texts = [PHRASES, PHRASES.lower(), PHRASES.upper()]
    texts += [p.read_text(encoding="utf-8") for p in sorted((SHARED / "corpus").glob("*/*.txt"))]
    docs = SHARED / "eval" / "meantime-dev" / "docs.jsonl"
    if docs.is_file():
        for line in docs.read_text(encoding="utf-8").splitlines():
            texts.append(json.loads(line).get("text") or "")
    return texts


def test_every_date_pattern_matches_in_the_phrases():
    kinds = {kind for kind, pattern in dates._PATTERNS if pattern.search(PHRASES)}
    assert kinds == {kind for kind, _ in dates._PATTERNS}
    assert set(dates._NEEDS) <= kinds


def test_no_date_match_lacks_the_needles_of_its_pattern():
    for text in corpus_texts():
        for kind, pattern in dates._PATTERNS:
            for m in pattern.finditer(text):
                for need in dates._NEEDS.get(kind, ()):
                    within = dates._fold(m.group()) if need.fold else m.group()
                    assert any(n in within for n in need.needles) or any(
                        p.search(m.group()) for p in need.probes), (kind, m.group())


def test_the_dates_found_are_those_every_pattern_finds(monkeypatch):
    texts = corpus_texts()
    fast = [[(d.start, d.end, d.value, d.resolution) for d in dates.find_dates(t, "2009-10-14")]
            for t in texts]
    monkeypatch.setattr(dates, "_runnable", lambda text: dates._PATTERNS)
    every = [[(d.start, d.end, d.value, d.resolution) for d in dates.find_dates(t, "2009-10-14")]
             for t in texts]
    assert fast == every
    assert sum(map(len, fast)) > 60  # the phrases' dates at least


def test_folding_is_what_a_case_blind_pattern_matches():
    # Every character a case-blind pattern takes for an ASCII letter folds to that letter.
    letter = re.compile(r"(?i)[a-z]")
    for code in range(0x110000):
        char = chr(code)
        if letter.fullmatch(char):
            folded = dates._fold(char)
            assert len(folded) == 1 and folded.isascii(), (hex(code), folded)
            assert re.fullmatch("(?i)" + folded, char)


NAMES = ["U.S.", "Airbus", "Air China", "EADS", "A", "China", "General Motors", "GM"]
EDGES = ["Airbus", ".Airbus", "xAirbus", "_Airbus", "éAirbus", "\nAirbus", "(Airbus)",
         "Airbus's", "Airbus_", "AirbusX", "U.S.-made", "the U.S.", "A.GM", "GM.", "Air Chinas",
         "Air China.", "1GM", "-GM", "’GM"]


def test_names_pattern_finds_what_the_look_behind_form_finds():
    texts = [" ".join(EDGES), *EDGES, *corpus_texts()[:40]]
    for names in (NAMES, list(Gazetteer.load().forms)):
        plain = re.compile(r"(?<![\w.])(?:" + "|".join(
            re.escape(f) for f in sorted(names, key=len, reverse=True)) + r")(?![\w])")
        fast = _names_pattern(names)
        for text in texts:
            assert [m.span() for m in fast.finditer(text)] == \
                [m.span() for m in plain.finditer(text)], text[:60]


def test_word_patterns_find_what_the_look_behind_forms_find():
    token = re.compile(r"(?<![\w.’'-])\w[\w’'&-]*(?:\.\w+)*\.?")
    lower = re.compile(r"(?<![\w.])[a-z][\w'-]*")
    for text in [" ".join(EDGES), "a.b x'y 'z -q _a .a é a’b AT&T ab-cd", *corpus_texts()[:40]]:
        assert [m.span() for m in _TOKEN.finditer(text)] == \
            [m.span() for m in token.finditer(text)]
        assert _LOWER_WORD.findall(text) == lower.findall(text)


def test_known_names_are_not_marked_inside_a_found_name_nor_twice():
    resolver = Resolver([Entity("Ashot Mkrtychev", "person", id=1),
                         Entity("Slovakia", "place", id=2)])
    text = "Ashot Mkrtychev of Slovakia met Slovakia's envoy; Slovakia, Slovakia."
    found_wide = Candidate(0, 27, text[:27], "other")  # reaches over the first Slovakia
    found_inner = Candidate(2, 4, text[2:4], "other")  # starts later, ends sooner
    hits = resolver.known_hits(text, [found_inner, found_wide])
    assert [(h.text, h.start) for h in hits] == [
        ("Slovakia", 32), ("Slovakia", 50), ("Slovakia", 60)]
    # Without the found names, every occurrence, the full name included.
    hits = resolver.known_hits(text, [])
    assert [h.text for h in hits] == ["Ashot Mkrtychev", "Slovakia", "Slovakia", "Slovakia",
                                      "Slovakia"]


def test_a_name_learnt_in_one_article_is_marked_in_the_next():
    resolver = Resolver([])
    entities, _kept = resolver.resolve([Candidate(0, 15, "Ashot Mkrtychev", "person")])
    assert entities[0].name == "Ashot Mkrtychev"
    text = "Later, Ashot Mkrtychev said so."
    assert [(h.start, h.text) for h in resolver.known_hits(text, [])] == [
        (7, "Ashot Mkrtychev")]


@pytest.mark.both_engines  # the batched statements run on PostgreSQL too (tests/conftest.py)
def test_an_articles_aliases_and_event_links_are_all_stored(store):
    body = "Ashot Mkrtychev of Slovakia met GM on 3 March 2009 and Slovakia on 4 March 2009."
    known = Entity("Slovakia", "place")
    store.ingest_article(make_article("Old", "Slovakia."), [known], [(0, Mention(
        None, None, 0, 8, "Slovakia"))], [])
    known.aliases = ["Slovak Republic"]
    people = Entity("Ashot Mkrtychev", "person", aliases=["Mkrtychev", "A. Mkrtychev"])
    gm = Entity("General Motors", "organisation", aliases=["GM"])
    events = [(Event("met GM", "2009-03-03", date_text="3 March 2009"), [0, 2]),
              (Event("met Slovakia", "2009-03-04", date_text="4 March 2009"), [0, 1]),
              (Event("nobody", "2009-03-04"), [])]
    store.ingest_article(make_article("New", body), [people, known, gm],
                         [(0, Mention(None, None, 0, 15, "Ashot Mkrtychev")),
                          (1, Mention(None, None, 19, 27, "Slovakia")),
                          (2, Mention(None, None, 32, 34, "GM"))], events)
    aliases = store.query("SELECT entity_id, alias FROM aliases ORDER BY id")
    assert [(r["entity_id"], r["alias"]) for r in aliases] == [
        (known.id, "Slovakia"), (people.id, "Ashot Mkrtychev"), (people.id, "Mkrtychev"),
        (people.id, "A. Mkrtychev"), (known.id, "Slovak Republic"), (gm.id, "General Motors"),
        (gm.id, "GM")]
    links = store.query("SELECT event_id, entity_id FROM event_entities ORDER BY id")
    assert [(r["event_id"], r["entity_id"]) for r in links] == [
        (events[0][0].id, people.id), (events[0][0].id, gm.id),
        (events[1][0].id, people.id), (events[1][0].id, known.id)]


def test_table_rows_are_told_as_before_and_stay_lines():
    from dossier.ingest import clean

    def plain(line: str) -> bool:  # the test before the two-space gap was looked for first
        return bool(clean._ALIGNED.search(line.strip()) or clean._LEADER.search(line))

    lines = ["Revenue      1,200    1,100", "Net  34 cts vs 1.19 dlrs", "Shares....... 12",
             "  two  spaces  ", "one space only", "a.  b", "x,  y", "Total ____ 5", "", "  "]
    for text in [*lines, *corpus_texts()[:20]]:
        for line in text.splitlines():
            assert clean._row(line) == plain(line), line
    wrapped = ["The company said on Thursday that its results for the year were better",
               "than expected and that it would pay a higher dividend to shareholders.",
               "",
               "Revenue      1,200    1,100",
               "Profit         340      310",
               "",
               "It gave no forecast for the year ahead and its shares fell in late trade."]
    body = clean.reflow(wrapped)
    assert "Revenue      1,200    1,100\nProfit         340      310" in body
    assert "better than expected" in body


def test_a_name_found_once_marks_its_later_occurrences_but_not_inside_another():
    from dossier.ingest.entities import _propagate

    text = "Sandy Angers met EADS. Angers said EADS North America and Angers Co. agree."
    at = text.index
    full = Candidate(0, 12, "Sandy Angers", "person")
    twin = Candidate(at("Angers said"), at("Angers said") + 6, "Angers", "other", single=True)
    eads = Candidate(at("EADS."), at("EADS.") + 4, "EADS", "organisation")
    wide = Candidate(at("EADS North"), at("EADS North") + 18, "EADS North America", "other")
    empty = Candidate(at("agree"), at("agree"), "", "other")  # overlaps nothing
    out = _propagate(text, [full, twin, eads, wide, empty], Gazetteer([]))
    assert (twin.kind, twin.single) == ("person", False)  # the twin takes the name's kind
    # Neither the EADS inside the wider name nor its own span again: one Angers added.
    assert [(c.text, c.start, c.kind) for c in out[5:]] == [
        ("Angers", at("Angers Co."), "person")]


# Case-blind patterns match letters that lower() leaves alone (ſ is s, İ and ı are i): only
# the fold finds their needles in such a text.
ODD_LETTERS = ["Sales fell early laſt year.", "Costs rose in late thİs year.",
               "Costs rose late thıs year.", "It happened in mİd-2009.",
               "At the begınning of 2009 it paid.", "At the ſtart of 2009."]


@pytest.mark.parametrize("text", ODD_LETTERS)
def test_a_case_blind_pattern_runs_on_a_text_it_matches_only_through_the_fold(text):
    runnable = {kind for kind, _ in dates._runnable(text)}
    matched = {kind for kind, pattern in dates._PATTERNS if pattern.search(text)}
    assert matched <= runnable, matched - runnable


def test_the_odd_letters_are_matched_only_through_the_fold():
    """Each kind whose needles hold an s or an i is matched in ODD_LETTERS by a text that
    lacks those needles as lower() writes it: the test above would fail with a plain lower()."""
    matched = {kind for text in ODD_LETTERS for kind, pattern in dates._PATTERNS
               if pattern.search(text) and any(
                   need.fold and not any(n in text.lower() for n in need.needles)
                   for need in dates._NEEDS.get(kind, ()))}
    assert matched == {"part_rel_year", "part_year"}


@pytest.mark.skipif(not (SHARED / "corpus").is_dir(), reason="../shared/corpus is not here")
def test_the_equivalences_run_on_real_news_when_it_is_here():
    # The tests above compare the fast paths on these texts: real news, not the phrases alone.
    assert len(corpus_texts()) > 60
