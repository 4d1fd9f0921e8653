"""Pictures of the screen, as text: the layout at 120x40 and 80x24 is clearest shown whole.

The first line (the file's path, which differs per run) is left out. After a deliberate change
of the layout, write the pictures again with DOSSIER_UPDATE_SNAPSHOTS=1 and read the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from fixed_dossier import build
from tui_helpers import screen_text, settle

SNAPSHOTS = Path(__file__).parent / "snapshots"


def check(name: str, text: str) -> None:
    picture = "\n".join(line.rstrip() for line in text.splitlines()[1:]) + "\n"
    path = SNAPSHOTS / f"{name}.txt"
    if os.environ.get("DOSSIER_UPDATE_SNAPSHOTS") or not path.exists():
        path.write_text(picture, encoding="utf-8")
        if not os.environ.get("DOSSIER_UPDATE_SNAPSHOTS"):
            pytest.fail(f"no snapshot {path.name} yet: written, check it and run again")
    assert picture == path.read_text(encoding="utf-8"), f"the screen differs from {path}"


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
async def test_opening_screen(make_app, tmp_path, size):
    app = make_app(build(tmp_path / "fixed.db"))
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        check(f"open-{size[0]}x{size[1]}", screen_text(app))


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
async def test_an_entity_in_the_reader_and_inspector(make_app, tmp_path, size):
    app = make_app(build(tmp_path / "fixed.db"))
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press("G", "enter")  # the oldest article
        await settle(pilot)
        app.main_screen.go_to_pane("reader")
        await settle(pilot)
        await pilot.press("]", "]", "]", "enter")  # its third mention: Lena Varga
        await settle(pilot)
        check(f"mention-{size[0]}x{size[1]}", screen_text(app))


def colour_legend(app) -> str:
    """Every (foreground, background) pair of the screen's visible characters (blanks have no
    foreground to see), with how many cells show it: a row or border left in the terminal's
    own colours shows as `default`."""
    from collections import Counter

    def hex_of(colour) -> str:
        return "default" if colour is None else colour.get_truecolor().hex.lower()

    cells: Counter = Counter()
    for strip in app.screen._compositor.render_strips()[1:]:  # not the file's path
        for segment in strip:
            style = segment.style
            pair = (hex_of(style.color if style else None),
                    hex_of(style.bgcolor if style else None))
            visible = len(segment.text.replace(" ", ""))
            if visible:
                cells[pair] += visible
    return "\n".join(f"{fg} on {bg}: {n}" for (fg, bg), n in sorted(cells.items()))


@pytest.mark.parametrize("theme", ["dossier-dark", "dossier-light", "dossier-high-contrast"])
async def test_every_theme_colours_every_row_and_border(make_app, tmp_path, theme):
    app = make_app(build(tmp_path / "fixed.db"), theme=theme)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("space")  # a marked row has its own colours too
        await settle(pilot)
        legend = colour_legend(app)
        assert "default" not in legend, legend
        background = app.theme_variables["background"].lower()
        # No border drawn in the colour of what it stands on (white on white).
        for pane in app.query(".pane"):
            colour = pane.styles.border_top[1]
            assert colour.hex.lower() != background, (pane.id, colour.hex)
        check(f"theme-{theme}-120x40", screen_text(app) + "\n" + legend)
