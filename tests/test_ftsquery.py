"""Search that forgives: whatever is typed is a valid FTS5 query, and operators still work."""

from __future__ import annotations

import random
import sqlite3

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dossier.store.ftsquery import to_fts


@pytest.fixture(scope="module")
def fts():
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE t USING fts5(title, body, "
                 "tokenize='porter unicode61 remove_diacritics 2')")
    rows = [
        ("Iran-Contra hearings open", "The Iran-Contra affair reached the Senate."),
        ("U.S. sanctions broker", "The U.S. Treasury sanctioned Ashot Mkrtychev."),
        ("Contra rebels", "Rebels in Nicaragua; Iran was not named."),
        ("Budget talks", "Talks on the budget stalled in the House."),
        ("Quoted", 'He said "no comment" and left: the end.'),
    ]
    conn.executemany("INSERT INTO t (title, body) VALUES (?, ?)", rows)
    yield conn
    conn.close()


def hits(conn, typed):
    query = to_fts(typed)
    if not query:
        return set()
    return {r[0] for r in conn.execute("SELECT rowid FROM t WHERE t MATCH ?", (query,))}


@pytest.mark.parametrize("typed,expected", [
    ("Iran-Contra", {1}),                 # the story's own name: a phrase, not a column
    ("iran-contra affair", {1}),
    ("U.S.", {2}),
    ("U.S. Treasury", {2}),
    ('"no comment', {5}),                 # unbalanced quote runs to the end
    ("comment:", {5}),                    # a colon after a non-column is a word break
    ("foo:comment", set()),               # foo and comment as one phrase: not in the text
    ("title:contra", {1, 3}),             # column filter kept
    ("body:contra", {1}),
    ("Iran AND Contra", {1, 3}),
    ("Iran OR budget", {1, 3, 4}),
    ("Iran NOT Contra", set()),
    ("Contra NOT Iran-Contra", {3}),
    ("Contra AND NOT hearings", {3}),
    ('"Contra affair"', {1}),
    ("sanction*", {2}),
    ("sanct*", {2}),
    ("NEAR(Iran Senate, 5)", {1}),
    ("NEAR(Iran Senate, 1)", set()),
    ("(Iran OR budget) talks", {4}),
    ("((budget", {4}),
    ("budget))", {4}),
    ("AND budget OR", {4}),
    ("OR", set()),
    ("NOT budget", set()),                # FTS5 cannot say "all but": nothing, not budget
    ("*", set()),
    ("budget*)(", {4}),
    ("^budget +talks", {4}),
    ("", set()),
    ("   ", set()),
])
def test_typed_text_finds_what_a_reader_expects(fts, typed, expected):
    assert hits(fts, typed) == expected


def test_queries_typed_correctly_pass_through_unchanged_in_meaning(fts):
    for typed in ('"Iran-Contra affair"', "Iran OR Nicaragua", "sanction* AND Treasury"):
        raw = {r[0] for r in fts.execute("SELECT rowid FROM t WHERE t MATCH ?", (typed,))}
        assert hits(fts, typed) == raw


ALPHABET = 'aZ-.:"*()^+ ,NEARORTD019é\u00a0\x00\'{}[]\\/'


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(["AND", "OR", "NOT", "NEAR", "NEAR(", "title:", "body:",
                                 '"', "(", ")", "*", "-", ".", ":", ",", "5", "Iran",
                                 "U.S.", "x"]) | st.text(ALPHABET, max_size=6),
                max_size=12).map(" ".join))
def test_no_typed_text_raises(fts, typed):
    hits(fts, typed)  # to_fts gives a query FTS5 accepts (or ""), whatever was typed


def test_seeded_random_bytes_never_raise(fts):
    rng = random.Random(16)
    for _ in range(2000):
        typed = "".join(chr(rng.choice([rng.randrange(32, 127), rng.randrange(0, 0x3000)]))
                        for _ in range(rng.randrange(0, 30)))
        hits(fts, typed)


def test_deep_nesting_and_long_input_do_not_raise(fts):
    hits(fts, "(" * 5000 + "budget" + ")" * 5000)
    hits(fts, "budget " * 5000)
