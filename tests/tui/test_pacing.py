"""The collector runs from a timer, its full sweeps at the analyst's pauses, not in a key's frame
(dossier.tui.pacing), and the app leaves the collector as it found it."""

from __future__ import annotations

import gc
import weakref

import pytest
from tui_helpers import settle

from dossier.tui.pacing import OVERDUE_S, PACED, QUIET_S, QuietCollector
from dossier.tui.screens.main import MainScreen

pytestmark = pytest.mark.skipif(not PACED, reason="Python 3.14's incremental collector is left "
                                "as it is (dossier.tui.pacing)")


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Node:
    """An object in a reference cycle: only the cyclic collector frees it."""

    def __init__(self) -> None:
        self.me = self


def old_cycle() -> weakref.ref:
    """Cyclic garbage that lived long enough to reach the oldest generation (only a full
    sweep frees it)."""
    node = Node()
    gc.collect(1)  # alive: moved on to the oldest generation
    ref = weakref.ref(node)
    del node
    gc.collect(1)  # the young generations only: still there
    assert ref() is not None
    return ref


def test_old_garbage_waits_for_a_pause_then_goes():
    clock = Clock()
    collector = QuietCollector(clock)
    was_enabled = gc.isenabled()
    try:
        collector.start()
        assert not gc.isenabled() and gc.get_freeze_count() > 0
        garbage = old_cycle()
        for _ in range(gc.get_threshold()[1] + 2):  # keys keep coming: the sweep waits
            clock.now += QUIET_S / 2
            collector.saw_input()
            assert collector.tick() != 2
            gc.collect(1)  # the young generations go on as the timer runs them
        assert garbage() is not None
        clock.now += QUIET_S * 2  # a pause
        assert collector.tick() == 2
        assert garbage() is None
    finally:
        collector.stop()
    assert gc.isenabled() == was_enabled and gc.get_freeze_count() == 0


def test_young_garbage_goes_on_the_timer_while_keys_come():
    clock = Clock()
    collector = QuietCollector(clock)
    try:
        collector.start()
        garbage = [weakref.ref(Node()) for _ in range(gc.get_threshold()[0] + 10)]
        clock.now += QUIET_S / 2
        collector.saw_input()
        assert collector.tick() == 1
        assert all(ref() is None for ref in garbage)
    finally:
        collector.stop()


def test_a_key_held_down_does_not_keep_garbage_for_long():
    clock = Clock()
    collector = QuietCollector(clock)
    try:
        collector.start()
        garbage = old_cycle()
        start = clock.now
        while garbage() is not None:
            clock.now += 0.05
            collector.saw_input()
            collector.tick()
            assert clock.now - start <= OVERDUE_S + 0.1
    finally:
        collector.stop()


async def test_the_app_pauses_the_collector_once_open_and_gives_the_collector_back(make_app):
    assert gc.isenabled()
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.collector.active and not gc.isenabled()
        await pilot.press("j", "k")
        assert not gc.isenabled()
    assert gc.isenabled() and gc.get_freeze_count() == 0


def test_while_the_app_starts_the_timer_collects_and_closing_gives_the_collector_back():
    clock = Clock()
    collector = QuietCollector(clock)
    try:
        collector.hold()
        assert not gc.isenabled()
        garbage = old_cycle()
        clock.now += QUIET_S + 1
        while garbage() is not None and clock.now < 1000.0 + 2 * OVERDUE_S:
            collector.tick()
            clock.now += 0.25
        assert garbage() is None
    finally:
        collector.stop()
    assert gc.isenabled() and gc.get_freeze_count() == 0


async def test_the_first_frame_is_drawn_with_the_automatic_collector_paused(make_app,
                                                                           monkeypatch):
    seen = []
    mount = MainScreen.on_mount

    def on_mount(screen: MainScreen) -> None:
        seen.append(gc.isenabled())
        mount(screen)

    monkeypatch.setattr(MainScreen, "on_mount", on_mount)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.collector.active and not gc.isenabled()
    assert seen == [False]
    assert gc.isenabled() and gc.get_freeze_count() == 0
