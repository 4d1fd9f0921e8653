"""The app beside long work and other programs: a tag during a merge lands at once, what a
merge removed leaves the screen and cannot be tagged, a failing worker says so, and articles
another process ingests appear by themselves."""

from __future__ import annotations

import subprocess
import sys
import time

from dossier_helpers import big_entity
from textual import events
from tui_helpers import rows, screen_text, settle

from dossier.store import Store
from dossier.tui.widgets.panes import ArticleList, Inspector, Reader


async def test_a_tag_key_during_a_big_merge_is_committed_before_the_merge_ends(
        make_app, tmp_path):
    path = tmp_path / "merge.db"
    source, target = big_entity(path, 40_000)
    app = make_app(path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.query_one(ArticleList).focus()
        app.long_work = "merge"
        app.run_merge([source], target)
        deadline = time.monotonic() + 60
        while rows(path, "SELECT count(*) FROM mentions WHERE entity_id = ?",
                   (target,)) == [(1,)]:
            assert time.monotonic() < deadline, "the merge never started"
            await pilot.pause(0.01)
        # The keys go in as the terminal driver sends them, without Pilot's wait for an idle
        # app (which, with the merge posting progress, is the merge's end).
        app.post_message(events.Key("1", "1"))
        app.post_message(events.Key("u", "u"))  # undo during a merge waits for it, says so
        while not any("wait for the merge to finish" in str(n.message)
                      for n in app._notifications):
            assert time.monotonic() < deadline, "the undo key was never answered"
            await pilot.pause(0.01)
        assert rows(path, "SELECT count(*) FROM journal WHERE state = 'undone'") == [(0,)]
        # The key's tag is in the file while the merge is still moving mentions (it takes
        # seconds; the tag, a few milliseconds once its key is read).
        while rows(path, "SELECT tag FROM taggings WHERE tagset = 'triage'") != [("relevant",)]:
            assert time.monotonic() < deadline, "the tag was never committed"
            await pilot.pause(0.01)
        assert rows(path, "SELECT count(*) FROM entities WHERE id = ?", (source,)) == [(1,)], \
            "the merge had already ended: the tag may have waited for it"
        await settle(pilot)
        assert " relevant " in screen_text(app)
        await app.workers.wait_for_complete()
        await settle(pilot)
        assert rows(path, "SELECT count(*) FROM entities WHERE id = ?", (source,)) == [(0,)]
        assert rows(path, "SELECT count(*) FROM mentions WHERE entity_id = ?",
                    (target,)) == [(40_001,)]
        assert any("merged: 40000 mentions moved" in str(n.message)
                   for n in app._notifications)


async def test_what_a_merge_removed_leaves_the_screen_and_takes_no_tag(make_app, sample_path):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        reader = app.query_one(Reader)
        reader.focus()
        await pilot.press("]")  # the first mention of the open article
        await settle(pilot)
        gone = reader.current_entity
        assert gone is not None and gone.id is not None
        app.main_screen.inspector.show("entity", gone.id)
        await settle(pilot)
        other = next(e for e in app.store.list_entities(0, 50) if e.id != gone.id
                     and e.kind == gone.kind)
        # A colleague merges it away, from another connection.
        colleague = Store.open(sample_path)
        colleague.merge_entities("bo", gone.id, other.id)
        colleague.close()
        deadline = time.monotonic() + 10
        while app.query_one(Inspector).item is not None:
            assert time.monotonic() < deadline, "the inspector kept the merged entity"
            await pilot.pause(0.05)
        assert "no longer in the dossier" in str(app.query_one("#inspector-body").render())
        # The reader read its mentions again: the mention now belongs to the survivor.
        assert reader.current_entity is not None and reader.current_entity.id == other.id
        await pilot.press("b")  # a role key on the mention under the cursor
        await settle(pilot)
        assert rows(sample_path, "SELECT count(*) FROM taggings WHERE target_kind = 'entity' "
                    "AND target_id = ?", (gone.id,)) == [(0,)]
        assert rows(sample_path, "SELECT tag FROM taggings WHERE target_kind = 'entity' "
                    "AND target_id = ?", (other.id,)) == [("broker",)]


async def test_a_change_on_a_gone_item_is_refused_with_a_notice(make_app, sample_path):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        entity = app.store.list_entities(0, 1)[0]
        colleague = Store.open(sample_path)
        colleague.delete_entity("bo", entity.id)
        colleague.close()
        app.main_screen.apply_tag([("entity", entity.id)], app.tagsets.sets_for("entity")[0],
                      app.tagsets.sets_for("entity")[0].tags[0].name)
        await pilot.pause()
        assert any("no longer exists" in str(n.message) for n in app._notifications)
        assert rows(sample_path, "SELECT count(*) FROM taggings WHERE target_kind = 'entity' "
                    "AND target_id = ?", (entity.id,)) == [(0,)]


async def test_a_failing_worker_says_what_failed(make_app, sample_path, tmp_path):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        # The file is moved away while the app runs: its own connection goes on, but a
        # worker's new read connection cannot open it.
        app.store.close_readers()
        sample_path.rename(tmp_path / "moved.db")
        app.query_one(ArticleList).focus()
        await pilot.press("j")
        await settle(pilot)
        shown = " ".join(str(n.message) for n in app._notifications)
        assert "the inspector failed" in shown and "no such file" in shown
        await pilot.press("j")  # and the app goes on
        await settle(pilot)
        assert app.is_running


async def test_articles_another_process_ingests_appear_by_themselves(
        make_app, sample_path, tmp_path):
    article = tmp_path / "new.txt"
    article.write_text("Harbour strike closes the port of Rotterdam\n\n"
                       "Dock workers walked out on Monday.\n", encoding="utf-8")
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        before = app.query_one(ArticleList).count
        ingest = subprocess.run(
            [sys.executable, "-m", "dossier", "ingest", str(sample_path), str(article),
             "--extractor", "rules"], capture_output=True, text=True, timeout=120)
        assert ingest.returncode == 0, ingest.stderr
        deadline = time.monotonic() + 10
        while "Harbour strike" not in screen_text(app):
            assert time.monotonic() < deadline, "the new article never appeared"
            await pilot.pause(0.05)
        assert app.query_one(ArticleList).count == before + 1


async def test_a_tag_while_another_program_holds_the_lock_is_said_and_not_shown(
        make_app, sample_path):
    import sqlite3

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.query_one(ArticleList).focus()
        # The analyst would wait the busy timeout (10 s); the test waits a tenth of a second.
        app.store.conn.execute("PRAGMA busy_timeout = 100")
        other = sqlite3.connect(sample_path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # a colleague's sqlite3 shell, mid-transaction
        await pilot.press("1")
        await pilot.pause()
        messages = " ".join(str(n.message) for n in app._notifications)
        assert "not saved" in messages and "locked by another program" in messages
        assert " relevant " not in screen_text(app)
        other.execute("ROLLBACK")
        other.close()
        assert rows(sample_path, "SELECT count(*) FROM taggings") == [(0,)]
        await pilot.press("1")  # the lock is gone: the same key saves
        await settle(pilot)
        assert rows(sample_path, "SELECT tag FROM taggings") == [("relevant",)]
        assert " relevant " in screen_text(app)


async def test_a_failed_ranking_and_a_failed_count_are_each_said_once(make_app, monkeypatch):
    """A worker of the screen (counting mentions) and one of the Articles pane (ranking a
    search) fail: each is said once, and what waited on it stops waiting."""
    import dossier.tui.screens.main as main_module
    from dossier.tui.widgets.panes import SearchSource

    real_prime = SearchSource.prime

    def prime(self, store=None):
        if store is not None:  # the ranking worker, on a connection of its own
            raise RuntimeError("the disk is on fire")
        return real_prime(self)

    def density(store):
        raise RuntimeError("no more memory")

    monkeypatch.setattr(SearchSource, "prime", prime)
    monkeypatch.setattr(main_module, "density", density)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"Russia", "enter")
        await settle(pilot)
        said = [str(n.message) for n in app._notifications]
        assert said.count("search failed: the disk is on fire") == 1, said
        assert said.count("counting mentions failed: no more memory") == 1, said
        assert "ranking" not in str(app.main_screen.articles_pane.border_title)
        assert "could not count mentions" in app.main_screen.entities.empty_text
