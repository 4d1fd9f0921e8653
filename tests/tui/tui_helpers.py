"""Helpers for the Pilot tests: what the screen shows, what the file holds."""

from __future__ import annotations

from pathlib import Path

from textual.worker import WorkerCancelled


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
    app = pilot.app
    main = getattr(app, "main_screen", None)
    # A dialog flow (link, correction) is a worker waiting on the analyst's answers: not work
    # to wait for while a dialog is up. Between two dialogs (one answered, the next not yet
    # shown) or after the last one it is not waiting on the analyst: let it reach its next
    # dialog or its end (a bounded number of turns of the event loop, not a time).
    for _ in range(200):
        if app.screen is not main or not any(
                (w.group or "").endswith("-flow") and not w.is_finished for w in app.workers):
            break
        await pilot.pause()
    # Every other worker to its end; one cancelled meanwhile (an exclusive worker overtaken
    # by a newer one: the picker's lookup as typing goes on) is not a failure to raise here.
    for _ in range(50):
        pending = [w for w in app.workers
                   if not (w.group or "").endswith("-flow") and not w.is_finished]
        if not pending:
            break
        for worker in pending:
            try:
                await worker.wait()
            except WorkerCancelled:
                pass
        await pilot.pause()
    # The inspector follows the cursor once it rests: wait for that, not for a fixed time.
    while getattr(main or app, "_inspect_timer", None) is not None:
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
