"""The app's export dialog shares the export layer's refusals: `e` onto the open dossier."""

from __future__ import annotations

from textual.widgets import Input, OptionList
from tui_helpers import rows, settle


async def test_exporting_onto_the_open_dossier_is_refused_with_a_notice(make_app, sample_path):
    articles = rows(sample_path, "SELECT id, title, body FROM articles ORDER BY id")
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        for target in (sample_path, f"{sample_path}-wal"):
            await pilot.press("e")
            await settle(pilot)
            options = app.screen.query_one(OptionList)
            options.highlighted = list(app.screen.values).index("json")
            await pilot.press("enter")
            await settle(pilot)
            app.screen.query_one(Input).value = str(target)
            await pilot.press("enter")
            await settle(pilot)
            messages = [str(n.message) for n in app._notifications]
            assert any(str(target) in m and "choose another output path" in m
                       for m in messages), messages
    assert rows(sample_path, "SELECT id, title, body FROM articles ORDER BY id") == articles
    assert rows(sample_path, "PRAGMA integrity_check") == [("ok",)]
