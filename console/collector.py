"""Python's full garbage collection at the operator's pauses, not in a key press.

A full collection walks every object the process holds: under a backlog the
console holds about a quarter of a million, and on a busy two-core machine
the walk stops the event loop for 100-300 ms. Left to Python it comes every
second or so, whenever an allocation crosses its threshold, often in the
middle of drawing the row the operator just moved to.

`QuietCollector` takes the oldest generation over. The young generations
collect as before (they are small and quick); the full collection runs when
the operator has not pressed a key for a moment and Python would have run it
by now, or, for an operator who never pauses, once it is long overdue. What
the console loaded before it started (modules, the first queue) is frozen out
of the walk: it stays for the life of the process anyway.
"""

from __future__ import annotations

import gc

QUIET_SECONDS = 0.6  # no key for this long: the operator is reading
DUE = 10  # young collections between full ones: Python's own default
OVERDUE = 200  # never paused for this long (about half a minute under a backlog)
_NEVER = 1_000_000_000  # a threshold Python's own full collection never reaches


class QuietCollector:
    """One console's hold on the process's full collection (two consoles in one
    process, as in the tests, share it: the last one to stop gives it back)."""

    _holders = 0
    _saved: tuple[int, int, int] = (700, 10, 10)

    def __init__(self) -> None:
        self._holding = False

    def start(self) -> None:
        """Collect once, freeze what is there, and take the full collection over."""
        if self._holding:
            return
        self._holding = True
        cls = type(self)
        cls._holders += 1
        if cls._holders == 1:
            gc.collect()
            gc.freeze()
            cls._saved = gc.get_threshold()
            young, middle, _ = cls._saved
            gc.set_threshold(young, middle, _NEVER)

    def stop(self) -> None:
        """Give the full collection back to Python, with the frozen objects."""
        if not self._holding:
            return
        self._holding = False
        cls = type(self)
        cls._holders -= 1
        if cls._holders == 0:
            gc.set_threshold(*cls._saved)
            gc.unfreeze()

    def tick(self, seconds_since_key: float) -> bool:
        """Run the full collection if it is due and the operator is reading; True if it ran."""
        if not self._holding:
            return False
        pending = gc.get_count()[2]
        quiet = seconds_since_key >= QUIET_SECONDS
        if (quiet and pending >= DUE) or pending >= OVERDUE:
            gc.collect()
            return True
        return False
