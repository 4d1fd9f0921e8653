"""The review queue, driven by keys: same / different / skip / undo, the file checked after
each; a decision survives a restart; near-duplicate articles in the same queue."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from tui_helpers import rows, screen_text, settle

from dossier.store import Store
from dossier.tagsets import load_tagsets
from dossier.tui.app import DossierApp
from dossier.tui.screens.review import ReviewScreen

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tests.dossier_helpers import add_article_with_names  # noqa: E402

STORY = ("The contras said on Monday that the Central Intelligence Agency had paid them, "
         "and a spokesman for the rebels said the money came from Iran through three banks "
         "in Switzerland and one in the Cayman Islands over two years of the programme.")


@pytest.fixture
def pairs_path(tmp_path) -> Path:
    path = tmp_path / "pairs.db"
    store = Store.open(path, create=True)
    add_article_with_names(store, "A", STORY, {"contras": "other",
                                               "Central Intelligence Agency": "organisation"})
    add_article_with_names(store, "B", "A contra leader met CIA officers in Honduras.",
                           {"contra": "other", "CIA": "organisation"})
    add_article_with_names(store, "A again", STORY.replace("Monday", "Tuesday"), {})
    store.close()
    return path


def app_on(path: Path) -> tuple[DossierApp, Store]:
    store = Store.open(path)
    return DossierApp(store, tagsets=load_tagsets(), analyst="ana"), store


def current(app) -> tuple[str, set[int]]:
    screen = app.screen
    assert isinstance(screen, ReviewScreen)
    pair = screen.current
    return (pair.kind, {pair.left, pair.right}) if pair else ("none", set())


def ids_of(path: Path, *names: str) -> set[int]:
    return {r[0] for r in rows(path, "SELECT id FROM entities WHERE name IN (%s)"
                               % ",".join("?" for _ in names), names)}


async def test_same_different_skip_undo_and_a_restart(pairs_path):
    cia = ids_of(pairs_path, "CIA", "Central Intelligence Agency")
    contra = ids_of(pairs_path, "contra", "contras")
    app, store = app_on(pairs_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("equals_sign")
        await settle(pilot)
        text = screen_text(app)
        assert "Same entity?" in text and "mention" in text and "aliases" in text
        seen = [current(app)]
        # Pairs come best first: plural (contra) then acronym (CIA), then the articles.
        assert seen[0] == ("entity", contra)
        await pilot.press("d")  # different: remembered
        await settle(pilot)
        assert rows(pairs_path, "SELECT kind, verdict, analyst FROM decisions") == [
            ("entity", "different", "ana")]
        assert current(app) == ("entity", cia)
        await pilot.press("u")  # taken back, offered again
        await settle(pilot)
        assert rows(pairs_path, "SELECT count(*) FROM decisions") == [(0,)]
        assert current(app) == ("entity", contra)
        await pilot.press("d")
        await settle(pilot)
        assert "Central Intelligence Agency" in screen_text(app)
        await pilot.press("s")  # same: merged in the background, the left name stays
        await settle(pilot)
        assert len(ids_of(pairs_path, "CIA", "Central Intelligence Agency")) == 1
        assert rows(pairs_path, "SELECT verdict FROM decisions ORDER BY id") == [
            ("different",), ("same",)]
        assert current(app)[0] == "article"
        assert "Same article?" in screen_text(app)
        await pilot.press("u")  # the merge and its decision, one undo
        await settle(pilot)
        assert ids_of(pairs_path, "CIA", "Central Intelligence Agency") == cia
        assert rows(pairs_path, "SELECT verdict FROM decisions") == [("different",)]
        assert current(app) == ("entity", cia)
        await pilot.press("n")  # skip: nothing written
        await settle(pilot)
        assert rows(pairs_path, "SELECT count(*) FROM decisions") == [(1,)]
        assert current(app)[0] == "article"
        await pilot.press("s")  # the two articles are the same story
        await settle(pilot)
        assert rows(pairs_path, "SELECT kind, a_id, b_id, verdict FROM decisions "
                    "WHERE kind = 'article'") == [("article", 1, 3, "same")]
        assert current(app)[0] == "none"
        await pilot.press("escape")
    store.close()
    # After a restart: the "different" pair is never offered again, the skipped one is.
    app, store = app_on(pairs_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("equals_sign")
        await settle(pilot)
        assert current(app) == ("entity", cia)
        screen = app.screen
        assert all({p.left, p.right} != contra for p in screen.queue)
        assert all(p.kind == "entity" for p in screen.queue)
    store.close()


async def test_the_key_is_in_help_and_the_palette(pairs_path):
    app, store = app_on(pairs_path)
    async with app.run_test(size=(120, 40)) as pilot:
        assert any("review queue" in tip for _, rows_ in app.key_help() for _, tip in rows_)
        assert any(title == "Review" for title, _, _ in app.palette_commands())
        await pilot.press("question_mark")
        await settle(pilot)
        seen = screen_text(app)
        for _ in range(12):  # the help is longer than the screen: page through it
            if "review queue" in seen:
                break
            await pilot.press("pagedown")
            await settle(pilot)
            seen = screen_text(app)
        assert "review queue" in seen
    store.close()


async def test_the_inspector_lists_candidates_and_M_merges_from_there(pairs_path):
    from dossier.tui.widgets.panes import EntityList

    app, store = app_on(pairs_path)
    async with app.run_test(size=(120, 40)) as pilot:
        entities = app.query_one(EntityList)
        entities.focus()
        await settle(pilot)
        for _ in range(10):
            if entities.current.name == "CIA":
                break
            await pilot.press("j")
            await settle(pilot)
        assert entities.current.name == "CIA"
        text = screen_text(app)
        assert "Same entity?" in text and "Central Intelligence Agency" in text
        app.main_screen.inspector.focus()
        await pilot.press("M")
        await settle(pilot)
        assert current(app) == ("entity", ids_of(pairs_path, "CIA",
                                                 "Central Intelligence Agency"))
        assert len(app.screen.queue) == 1  # this entity's candidates only
        await pilot.press("S")  # keep the right name
        await settle(pilot)
        assert rows(pairs_path, "SELECT count(*) FROM entities WHERE name IN "
                    "('CIA', 'Central Intelligence Agency')") == [(1,)]
    store.close()


async def test_near_duplicates_are_marked_in_the_articles_list(pairs_path):
    app, store = app_on(pairs_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        text = screen_text(app)
        # The copy folds under its first (the fold of issue 17): +1 on the first, no row of
        # its own (so no ≈#1 mark), the count in the pane's title.
        assert "+1 " in text and "≈#1 " not in text and "1 copy folded" in text
    store.close()


ORGS = ["Alpine Bank Corporation", "Baltic Grain Company", "Coastal Energy Partners",
        "Delta River Authority", "Eastern Mining Group", "Federal Shipping Board",
        "Granite Steel Works", "Harbour Police Service", "Inland Water Agency",
        "Juniper Health Trust", "Kestrel Air Lines", "Lakeside Power Union",
        "Metro Transit Office", "Northern Rail Holdings", "Orchard Farm Council",
        "Pacific Cable Network", "Quarry Stone Federation", "Riverside Paper Mills",
        "Summit Oil Refiners", "Tundra Gas Exchange", "Upland Wool Cooperative",
        "Valley Wine Institute"]


@pytest.fixture
def many_pairs_path(tmp_path) -> Path:
    """22 organisations each named in full in one article and by its initials in another."""
    path = tmp_path / "many.db"
    store = Store.open(path, create=True)
    for name in ORGS:
        short = "".join(w[0] for w in name.split())
        add_article_with_names(store, f"{name} report", f"The {name} said it would grow.",
                               {name: "organisation"})
        add_article_with_names(store, f"{short} note", f"A spokesman for {short} agreed.",
                               {short: "organisation"})
    store.close()
    return path


async def test_twenty_suggestions_are_cleared_with_twenty_keys(many_pairs_path):
    """The issue's pace: one key a suggestion, the next pair at once; ten merged, ten called
    different, all in the file once the background merges are done."""
    before = rows(many_pairs_path, "SELECT count(*) FROM entities")[0][0]
    app, store = app_on(many_pairs_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("equals_sign")
        await settle(pilot)
        for n in range(20):
            assert current(app)[0] == "entity", n  # a pair is on screen before each key
            await pilot.press("s" if n % 2 == 0 else "d")
        await app.workers.wait_for_complete()
        await settle(pilot)
    store.close()
    assert rows(many_pairs_path, "SELECT count(*) FROM entities")[0][0] == before - 10
    assert rows(many_pairs_path, "SELECT verdict, count(*) FROM decisions GROUP BY verdict "
                "ORDER BY verdict") == [("different", 10), ("same", 10)]
