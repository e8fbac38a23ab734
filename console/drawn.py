"""Knowing what the terminal shows, not only what the console handed it.

A frame handed to the terminal may take a while to appear when the machine is
busy. After each frame with a new detail, the console asks the terminal where
its cursor is (DSR, ESC [6n); the terminal answers only once it has shown
everything written before the question, and the detail is then known to be on
screen (an item key acts only on a detail the operator has seen). A terminal
that never answers is trusted with what it was given.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

from textual.timer import Timer

if TYPE_CHECKING:
    from console.base import ConsoleBase

SILENT_SECONDS = 1.0  # no answer to the first question by then: the terminal never answers


class DrawnFrames:
    def __init__(self, app: ConsoleBase) -> None:
        self.app = app
        self._unconfirmed: deque[tuple[int, int]] = deque()  # drawn, not yet confirmed
        self._answers: bool | None = None  # does the terminal answer DSR?
        self._timer: Timer | None = None

    def drawn(self, item_id: int, version: int) -> None:
        """A frame with this version of the item's detail went to the terminal."""
        app = self.app
        driver = getattr(app, "_driver", None)
        if app.is_headless or driver is None or self._answers is False:
            app.detail.confirm_seen(item_id, version)
            return
        self._unconfirmed.append((item_id, version))
        driver.write("\x1b[6n")
        if self._answers is None and self._timer is None:
            self._timer = app.set_timer(SILENT_SECONDS, self._silent)

    def answered(self) -> None:
        """The terminal answered a question: everything before it is on screen."""
        self._answers = True
        if self._unconfirmed:
            self.app.detail.confirm_seen(*self._unconfirmed.popleft())

    def _silent(self) -> None:
        if self._answers is None:
            self._answers = False
            while self._unconfirmed:
                self.app.detail.confirm_seen(*self._unconfirmed.popleft())
