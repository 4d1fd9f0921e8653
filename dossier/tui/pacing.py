"""Python's garbage collector, run at the analyst's pauses rather than in a key's frame.

Left to itself, CPython's cyclic collector sweeps everything a session has built once enough
objects have come and stayed: on the 100,000-article dossier that was every second or so
while keys came, and a sweep of what was alive (~30,000 objects: cached rows, drawn lines,
Textual's own caches) took 4–8 ms, added to the frame of whatever key it fell in: the slowest
tag keys of the benchmark were those. Textual pauses the collector during smooth scrolling
(`App.PAUSE_GC_ON_SCROLL`) for the same reason. Here, once the dossier is open, what start-up
built is frozen out of the sweeps (it lives as long as the app), the automatic collector is
paused, and a timer collects at the first quiet moment: no key or mouse event for `QUIET_S`.
Under a key held down for long the collection runs anyway after `OVERDUE_S`, so garbage in
reference cycles never piles up for more than a few seconds.
"""

from __future__ import annotations

import gc
import math
import time
from collections.abc import Callable

QUIET_S = 0.3  # no input for this long: a pause, where a collection is not felt
EVERY_S = 1.0  # how often the app asks (`tick`)
FULL_EVERY = 10  # a full sweep every tenth collection, as the collector's own thresholds do
OVERDUE_S = 10.0  # with input all along, collect anyway after this long


class QuietCollector:
    """The cyclic collector, paused while the analyst types and run when they stop."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.active = False
        self.last_input = -math.inf
        self.last_collection = clock()
        self.collections = 0

    def start(self) -> None:
        """Once start-up is done: freeze what it built, pause the automatic collector."""
        if self.active:
            return
        gc.collect()
        gc.freeze()
        gc.disable()
        self.active = True
        self.last_collection = self.clock()

    def stop(self) -> None:
        """The app is closing: the collector as it was (a test process runs on after it)."""
        if not self.active:
            return
        self.active = False
        gc.unfreeze()
        gc.enable()

    def saw_input(self) -> None:
        self.last_input = self.clock()

    def tick(self) -> int | None:
        """Collect if this is a quiet moment or a collection is overdue: the generation
        collected, else None."""
        if not self.active:
            return None
        now = self.clock()
        if now - self.last_input < QUIET_S and now - self.last_collection < OVERDUE_S:
            return None
        self.collections += 1
        generation = 2 if self.collections % FULL_EVERY == 0 else 1
        gc.collect(generation)
        self.last_collection = now
        return generation
