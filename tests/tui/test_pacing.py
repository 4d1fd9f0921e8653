"""The garbage collector runs at the analyst's pauses, not in a key's frame (dossier.tui.pacing),
and the app leaves it as it found it."""

from __future__ import annotations

import gc
import weakref

from tui_helpers import settle

from dossier.tui.pacing import FULL_EVERY, OVERDUE_S, QUIET_S, QuietCollector


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Node:
    """An object in a reference cycle: only the cyclic collector frees it."""

    def __init__(self) -> None:
        self.me = self


def cycle() -> weakref.ref:
    return weakref.ref(Node())


def test_cyclic_garbage_waits_for_a_pause_then_goes():
    clock = Clock()
    collector = QuietCollector(clock)
    was_enabled = gc.isenabled()
    try:
        collector.start()
        assert not gc.isenabled() and gc.get_freeze_count() > 0
        garbage = cycle()
        for _ in range(5):  # keys keep coming: the collector waits
            clock.now += QUIET_S / 2
            collector.saw_input()
            assert collector.tick() is None
        assert garbage() is not None
        clock.now += QUIET_S * 2  # a pause
        assert collector.tick() == 1
        assert garbage() is None
    finally:
        collector.stop()
    assert gc.isenabled() == was_enabled and gc.get_freeze_count() == 0


def test_a_key_held_down_does_not_keep_garbage_for_long():
    clock = Clock()
    collector = QuietCollector(clock)
    try:
        collector.start()
        garbage = cycle()
        start = clock.now
        while garbage() is not None:
            clock.now += 0.05
            collector.saw_input()
            collector.tick()
            assert clock.now - start <= OVERDUE_S + 0.1
    finally:
        collector.stop()


def test_every_tenth_collection_is_a_full_sweep():
    clock = Clock()
    collector = QuietCollector(clock)
    try:
        collector.start()
        done = []
        for _ in range(FULL_EVERY * 2):
            clock.now += 1
            done.append(collector.tick())
    finally:
        collector.stop()
    assert done.count(2) == 2 and done.count(1) == FULL_EVERY * 2 - 2


async def test_the_app_pauses_the_collector_once_open_and_gives_it_back(make_app):
    assert gc.isenabled()
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.collector.active and not gc.isenabled()
        await pilot.press("j", "k")
        assert not gc.isenabled()
    assert gc.isenabled() and gc.get_freeze_count() == 0
