"""Helpers for the Pilot tests: what the screen shows, what the file holds."""

from __future__ import annotations

from pathlib import Path


def screen_text(app) -> str:
    """What the terminal shows: every cell of the current screen, line by line."""
    strips = app.screen._compositor.render_strips()
    return "\n".join(strip.text for strip in strips)


def rows(path: Path, sql: str, params=()) -> list[tuple]:
    """Read the file with a separate connection, as another program would."""
    import sqlite3

    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


async def settle(pilot) -> None:
    """Wait until the app has processed what was sent and its workers are done."""
    await pilot.pause()
    # A dialog flow (link, correction) is a worker waiting on the analyst's answers: not work
    # to wait for.
    await pilot.app.workers.wait_for_complete(
        [w for w in pilot.app.workers if not (w.group or "").endswith("-flow")])
    # The inspector follows the cursor once it rests: wait for that, not for a fixed time.
    screen = getattr(pilot.app, "main_screen", pilot.app)
    while getattr(screen, "_inspect_timer", None) is not None:
        await pilot.pause()
    await pilot.pause()


def colours_of(app, word: str, widget=None) -> set[str]:
    """The foreground colours (hex) of every cell run on screen (or in `widget`'s region)
    that shows `word`."""
    found = set()
    strips = app.screen._compositor.render_strips()
    if widget is not None:
        region = widget.region
        strips = [s.crop(region.x, region.right) for s in strips[region.y:region.bottom]]
    for strip in strips:
        for segment in strip:
            if word in segment.text and segment.style and segment.style.color:
                found.add(segment.style.color.get_truecolor().hex.lower())
    return found
