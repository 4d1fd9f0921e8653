"""Python's garbage collector, run at the analyst's pauses rather than in a key's frame.

Left to itself, CPython's cyclic collector runs inside whatever allocates past its thresholds:
while keys came on the 100,000-article dossier that was a young collection in most frames
(0.8 ms on average, 2 ms at worst) and every second or so a full sweep of what was alive
(~30,000 objects: cached rows, drawn lines, Textual's own caches), 4–8 ms, added to the frame
of whatever key it fell in: the slowest tag keys of the benchmark were those. Textual pauses the
collector during smooth scrolling (`App.PAUSE_GC_ON_SCROLL`) for the same reason.

From the app's start until then the automatic collector is paused too (`hold`): left running,
it swept everything the imports had built (~18 ms) in the middle of drawing the first frame.
Here, once the dossier is open, what start-up built is frozen out of the sweeps (it lives as
long as the app) and the automatic collector is paused; a timer does its work between the
app's messages, where a key waits for it only if it comes during those few milliseconds: the
young generations every `EVERY_S` once they hold as much as the collector's own threshold, the
full sweep at the first quiet moment (no key or mouse event for `QUIET_S`) after as many young
collections as the collector would wait for, or under a key held down after `OVERDUE_S`.
"""

from __future__ import annotations

import gc
import math
import sys
import time
from collections.abc import Callable

QUIET_S = 0.3  # no input for this long: a pause, where a sweep is not felt
EVERY_S = 0.25  # how often the app asks (`tick`): garbage dies young within this
OVERDUE_S = 10.0  # with input all along, sweep anyway after this long
# What the schedule reads (generations, their counts and thresholds) is CPython's generational
# collector up to 3.13; 3.14's is incremental (short pauses by design) and counts otherwise:
# there the collector is left as it is.
PACED = sys.version_info < (3, 14)


class QuietCollector:
    """The cyclic collector, run from a timer: full sweeps when the analyst stops typing."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.active = False
        self.holding = False  # paused for start-up (`hold`), not yet frozen (`start`)
        self.was_enabled = gc.isenabled()
        self.last_input = -math.inf
        self.last_sweep = clock()

    def hold(self) -> None:
        """The app is starting: pause the automatic collector until `start` (the timer's
        collections run meanwhile: `tick`)."""
        if self.active or self.holding or not PACED:
            return
        self.was_enabled = gc.isenabled()
        gc.disable()
        self.holding = True

    def start(self) -> None:
        """Once start-up is done: freeze what it built and pause the automatic collector."""
        if self.active or not PACED:
            return
        self.hold()  # paused already unless the app skipped `hold`
        gc.collect()
        gc.freeze()
        self.active, self.holding = True, False
        self.last_sweep = self.clock()

    def stop(self) -> None:
        """The app is closing: the collector as it was (a test process runs on after it)."""
        if not (self.active or self.holding):
            return
        if self.active:
            gc.unfreeze()
        self.active = self.holding = False
        if self.was_enabled:
            gc.enable()

    def saw_input(self) -> None:
        self.last_input = self.clock()

    def tick(self) -> int | None:
        """The collector's own schedule, held for a pause where it sweeps everything: the
        generation collected (2 for a full sweep), or None."""
        if not (self.active or self.holding):
            return None
        young, middle, _ = gc.get_threshold()
        count, _, collections = gc.get_count()
        now = self.clock()
        quiet = now - self.last_input >= QUIET_S
        if (quiet and collections >= middle) or now - self.last_sweep >= OVERDUE_S:
            gc.collect()
            self.last_sweep = now
            return 2
        if count >= young:
            gc.collect(1)
            return 1
        return None
