"""A crafted journal row (issue #13): `u` shows why it cannot undo it in a toast on screen,
the app keeps running, and the file is left as it was."""

from __future__ import annotations

from tui_helpers import rows, screen_text, settle

TRIAGE = "SELECT target_id, tag, analyst FROM taggings WHERE tagset = 'triage' ORDER BY 1"


async def test_undo_of_a_crafted_journal_row_is_a_notice(make_app, sample_path):
    app = make_app()
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("1")
        tagged = rows(sample_path, TRIAGE)
        assert [r[1] for r in tagged] == ["relevant"]
        # Another tool rewrites the journal row of that change to name a table undo must
        # never write to.
        app.store.conn.execute("UPDATE journal SET table_name = 'meta' WHERE id = "
                               "(SELECT max(id) FROM journal)")
        await pilot.press("u")
        await settle(pilot)
        shown = " ".join(str(toast.render()) for toast in app.screen.query("Toast"))
        assert "journal row" in screen_text(app)  # drawn, not only kept in a list
        assert "journal row" in shown and "not a table undo can restore" in shown, shown
        assert app.is_running
        assert rows(sample_path, TRIAGE) == tagged
        await pilot.press("k", "3")  # the app still works (triage advanced: back up first)
        assert [r[1] for r in rows(sample_path, TRIAGE)] == ["noise"]
