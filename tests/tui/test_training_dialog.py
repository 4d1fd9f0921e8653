"""The app's export dialog offers the training-data formats and writes them."""

from __future__ import annotations

from textual.widgets import Input, OptionList
from tui_helpers import settle


async def test_export_dialog_writes_brat_and_spacy(make_app, tmp_path):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        for fmt in ("brat", "spacy"):
            await pilot.press("e")
            await settle(pilot)
            assert {"spacy", "brat"} <= set(app.screen.values)
            options = app.screen.query_one(OptionList)
            options.highlighted = list(app.screen.values).index(fmt)
            await pilot.press("enter")
            await settle(pilot)
            field = app.screen.query_one(Input)
            assert field.value.endswith(f"dossier-export-{fmt}")
            field.value = str(tmp_path / fmt)
            await pilot.press("enter")
            await app.workers.wait_for_complete()
            await settle(pilot)
    assert len(list((tmp_path / "brat").glob("*.ann"))) >= 2
    assert (tmp_path / "brat" / "annotation.conf").is_file()
    assert {p.name for p in (tmp_path / "spacy").iterdir()} == {"train.spacy", "train.jsonl"}
