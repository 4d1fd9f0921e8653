"""Near-duplicate articles: the sketch, the documented threshold, and pairs found at ingest."""

from __future__ import annotations

from pathlib import Path

import pytest

from dossier import dedup
from dossier.ingest.pipeline import ingest_paths
from dossier.store import Store
from dossier.store.suggest import copies_of, decide, duplicate_pairs

# The store's suites run on both engines (tests/conftest.py).
pytestmark = pytest.mark.both_engines

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "wikinews"
WIRES = Path(__file__).parent / "fixtures" / "iran_contra"

STORY = """The port strike ended on Tuesday after three days of talks between the union and
the port authority, which agreed to raise wages by four percent this year and three percent
next year. Ships queued outside the harbour began to dock in the evening.

The union said its members would vote on the deal next week. The authority said the strike
had cost the city about two million dollars a day in lost trade and fees.

Shipping agents said it would take a week to clear the backlog of containers."""


def test_a_changed_paragraph_is_a_near_duplicate_and_another_story_is_not():
    changed = STORY.replace("Shipping agents said it would take a week to clear the backlog "
                            "of containers.", "Farmers said fruit had rotted on the quays.")
    assert dedup.similarity(dedup.sketch(STORY), dedup.sketch(changed)) >= dedup.THRESHOLD
    other = "The council voted on Monday to close two libraries and a swimming pool to save " \
            "money, and the mayor said more cuts would follow in the spring budget."
    assert dedup.similarity(dedup.sketch(STORY), dedup.sketch(other)) < 0.1


def test_sketches_are_stable_and_short_bodies_have_no_bands():
    assert dedup.sketch(STORY) == dedup.sketch(STORY)
    assert dedup.sketch(STORY)[:2] == sorted(dedup.sketch(STORY))[:2]
    assert dedup.bands(dedup.sketch("Three words only")) == []


def test_no_two_wikinews_articles_are_near_duplicates():
    texts = [p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.txt"))]
    sketches = [dedup.sketch(t) for t in texts]
    over = [(i, j) for i in range(len(texts)) for j in range(i + 1, len(texts))
            if dedup.similarity(sketches[i], sketches[j]) >= dedup.THRESHOLD]
    assert over == []


def test_a_resent_wire_is_found_at_ingest(db_path):
    store = Store.open(db_path, create=True)
    ingest_paths(store, [WIRES], extractor="rules")
    pairs = duplicate_pairs(store)
    assert len(pairs) == 1
    (pair,) = pairs
    assert {pair.a_title, pair.b_title} == {"Regan Says He Will Not Resign Over Tower Findings",
                                            "Regan Says He Will Stay on After Tower Report"}
    assert copies_of(store, [pair.a_id, pair.b_id]) == {pair.a_id: (1, None),
                                                         pair.b_id: (0, pair.a_id)}
    decide(store, "ana", "article", pair.a_id, pair.b_id, "different")
    assert duplicate_pairs(store) == [] and copies_of(store, [pair.a_id]) == {}
    store.close()


def test_events_of_a_linked_duplicate_count_once(db_path):
    store = Store.open(db_path, create=True)
    ingest_paths(store, [WIRES], extractor="rules")
    (pair,) = duplicate_pairs(store)
    before = store.count_events()
    theirs = len(store.list_events(0, 1000, article_id=pair.b_id))
    assert theirs > 0
    decide(store, "ana", "article", pair.a_id, pair.b_id, "same")
    assert store.count_events() == before - theirs
    listed = store.list_events(0, 1000)
    assert len(listed) == before - theirs and all(e.article_id != pair.b_id for e in listed)
    assert sum(n for _, n in store.event_density()) == sum(
        1 for e in listed if e.date_start and len(e.date_start) >= 7)
    store.undo("ana")
    assert store.count_events() == before
    store.close()
