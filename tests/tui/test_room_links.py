"""Issue 16: links take a free-text relation (kept for the next links), the picker starts with
the entities of the evidence sentence and names the source; Connections says through whom."""

from __future__ import annotations

import pytest
from tui_helpers import rows, screen_text, settle

from dossier.tui.widgets.panes import Reader

SIZES = [(120, 40), (80, 24)]


async def _to_mkrtychev(app, pilot) -> Reader:
    await settle(pilot)
    app.main_screen.go_to_pane("reader")
    await settle(pilot)
    reader = app.query_one(Reader)
    while reader.current_entity is None or reader.current_entity.name != "Ashot Mkrtychev":
        await pilot.press("]")
    return reader


@pytest.mark.parametrize("size", SIZES)
async def test_link_with_a_typed_relation_from_the_evidence_sentence(make_app, sample_path,
                                                                     size):
    app = make_app()
    async with app.run_test(size=size) as pilot:
        reader = await _to_mkrtychev(app, pilot)
        article, start, end = reader.evidence()
        in_sentence = [e.name for e in app.store.entities_in_span(article, start, end)
                       if e.name != "Ashot Mkrtychev"]
        await pilot.press("l")
        await settle(pilot)
        shown = screen_text(app)
        assert "Link entity “Ashot Mkrtychev” to…" in shown
        assert "evidence: “" in shown
        if in_sentence:
            assert "in the sentence" in shown and in_sentence[0] in shown
        await pilot.press("enter")  # the first result: from the sentence
        await settle(pilot)
        shown = screen_text(app)
        assert "other… (type a relation)" in shown and "met with" in shown
        await pilot.press("end", "enter")  # other…
        await settle(pilot)
        await pilot.press(*"bankrolled", "enter")
        await settle(pilot)
        await pilot.press("enter")  # no note
        await settle(pilot)
        got = rows(sample_path, "SELECT relation, evidence_article_id FROM links")
        assert got == [("bankrolled", article)]
        assert any(r.name == "bankrolled" and r.origin == "analyst"
                   for r in app.store.relation_types())


@pytest.mark.parametrize("size", SIZES)
async def test_connections_say_through_whom(make_app, size):
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await _to_mkrtychev(app, pilot)
        await pilot.press("c")
        await settle(pilot)
        screen = app.screen
        items = screen.items
        second = [i for i in items if i.hop == 2 and i.via_name]
        if not second:
            pytest.skip("the sample has no second hop")
        assert f"through {second[0].via_name}" in screen_text(app)
