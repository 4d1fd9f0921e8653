"""Issue 16: an event's date typed as people write it; a bad one keeps the edit open."""

from __future__ import annotations

import pytest
from fixed_dossier import build
from tui_helpers import rows, screen_text, settle

from dossier.tui.widgets.panes import EventList

SIZES = [(120, 40), (80, 24)]
EVENT = "SELECT date_start, date_end, precision FROM events WHERE id = ?"


async def _edit_first_event_date(app, pilot) -> int:
    await settle(pilot)
    app.main_screen.go_to_pane("timeline-pane")
    await settle(pilot)
    event_id = app.query_one(EventList).current.id
    await pilot.press("r")
    await settle(pilot)
    await pilot.press("down", "enter")  # title, date
    await settle(pilot)
    await pilot.press("ctrl+u")  # the field starts with the event's date: clear it
    return event_id


@pytest.mark.parametrize("size", SIZES)
async def test_event_date_typed_as_written_and_a_bad_one_keeps_the_edit(make_app, tmp_path,
                                                                        size):
    path = build(tmp_path / "fixed.db")
    app = make_app(path)
    async with app.run_test(size=size) as pilot:
        event_id = await _edit_first_event_date(app, pilot)
        await pilot.press(*"Feb 30, 1987", "enter")
        await settle(pilot)
        shown = screen_text(app)
        assert "not a date" in shown and "Feb 30, 1987" in shown  # open, the text kept
        for _ in range(len("30, 1987")):
            await pilot.press("backspace")
        await pilot.press(*"26, 1987", "enter")
        await settle(pilot)
        assert rows(path, EVENT, (event_id,)) == [("1987-02-26", None, "day")]


@pytest.mark.parametrize(("typed", "stored"), [
    ("26 Feb 1987", ("1987-02-26", None, "day")),
    ("1987-02", ("1987-02", None, "month")),
    ("1987", ("1987", None, "year")),
    ("Jan 1987..Mar 1987", ("1987-01", "1987-03", "month")),
])
async def test_event_date_forms_and_ranges(make_app, tmp_path, typed, stored):
    path = build(tmp_path / "fixed.db")
    app = make_app(path)
    async with app.run_test(size=(120, 40)) as pilot:
        event_id = await _edit_first_event_date(app, pilot)
        await pilot.press(*typed, "enter")
        await settle(pilot)
        assert rows(path, EVENT, (event_id,)) == [stored]
