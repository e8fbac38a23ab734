"""Emergencies on screen: a persistent banner, a bell, one notice at a time.

`EmergencyWatch` (console/attention.py) knows which emergencies wait and which
are new; this part rings, shows the notice for a burst of new ones (never
two notices stacked) and keeps the banner line current.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from rich.text import Text
from textual.timer import Timer
from textual.widgets import Static

from console.attention import EmergencyWatch, notice_for

if TYPE_CHECKING:
    from console.base import ConsoleBase

NOTICE_SECONDS = 5.0  # the banner stays; the notice only catches the eye
BURST_SECONDS = 0.5  # new emergencies this close together make one notice


class EmergencyAlerts:
    def __init__(self, app: ConsoleBase, watch: EmergencyWatch, clock: Callable[[], datetime]):
        self.app = app
        self.watch = watch
        self.clock = clock
        self.banner: Static | None = None  # set once the screen is composed
        self._timer: Timer | None = None
        self._notice_until = 0.0  # when the notice on screen goes away (loop time)
        self._banner_line: Text | None = None

    def alert(self) -> None:
        """A new emergency: ring now; a burst of them becomes one notice."""
        self.app.bell()
        if self._timer is None:
            self._timer = self.app.set_timer(BURST_SECONDS, self._show_notice)

    def _show_notice(self) -> None:
        self._timer = None
        wait = self._notice_until - self._now()
        if wait > 0:  # one notice at a time: the next waits its turn
            self._timer = self.app.set_timer(wait, self._show_notice)
            return
        items = self.app.items
        fresh = [items[i] for i in self.watch.take_fresh() if i in items]
        if not fresh:
            return
        if self.app.say(
            notice_for(fresh), title="Emergency", severity="error", timeout=NOTICE_SECONDS
        ):
            self._notice_until = self._now() + NOTICE_SECONDS

    def _now(self) -> float:
        return asyncio.get_running_loop().time()

    def refresh_banner(self) -> None:
        banner = self.banner
        if banner is None:
            return
        line = self.watch.banner(self.clock())
        banner.set_class(line is None, "hidden")
        if line is not None and line != self._banner_line:
            banner.update(line, layout=False)
        self._banner_line = line
