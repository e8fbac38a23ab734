"""Outages of a remote service (the mail server, the model): a circuit breaker.

While a service answers, every caller goes ahead. After `threshold` failures in
a row the circuit opens: nobody tries before `next_try`; then one caller, the
probe, tries while the others keep waiting. The probe's success closes the
circuit; its failure opens it again for longer (capped, jittered exponential
backoff: seconds at first, then minutes). A server's own word (HTTP
Retry-After) sets the next try, and nobody tries before it.

Bookkeeping only, on the caller's clock: callers decide whether to sleep,
reschedule or give up. The state lives in memory (a new process starts by
trying); what must survive a restart, such as when a reply is tried next, is
in the store.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from core.retry import backoff_delay

# A Retry-After longer than this opens the circuit at once: no caller should sit
# on a worker that long; shorter ones make each caller wait its turn.
LONGEST_WAIT_IN_LINE = 10.0


@dataclass(frozen=True)
class Outage:
    """A service that stopped answering: since when, why, and when it is tried next."""

    service: str
    since: datetime
    next_try: datetime
    failures: int
    reason: str


class Circuit:
    def __init__(
        self,
        service: str,
        *,
        threshold: int,
        first: float,
        cap: float,
        clock: Callable[[], datetime],
    ) -> None:
        self.service = service
        self.threshold = threshold
        self.first = first
        self.cap = cap
        self.clock = clock
        self.failures = 0  # in a row
        self.since: datetime | None = None
        self.next_try: datetime | None = None  # set while the circuit is open
        self.not_before: datetime | None = None  # the server asked us to wait until then
        self.probing = False
        self.reason = ""
        self._listeners: list[Callable[[Outage | None], None]] = []

    def on_change(self, listener: Callable[[Outage | None], None]) -> None:
        """Call `listener` when the circuit opens, is rescheduled, or closes (None)."""
        self._listeners.append(listener)

    @property
    def outage(self) -> Outage | None:
        if self.since is None or self.next_try is None:
            return None
        return Outage(self.service, self.since, self.next_try, self.failures, self.reason)

    def blocked(self) -> bool:
        """Would a caller be turned away now: open, and not yet time, or a probe under way?"""
        if self.next_try is None:
            return False
        return self.probing or self.clock() < self.next_try

    def claim(self) -> bool:
        """May this caller try now? While open, only one (the probe) once `next_try` came."""
        if self.next_try is None:
            return True
        if self.blocked():
            return False
        self.probing = True
        return True

    def wait(self) -> float:
        """Seconds a caller should wait before trying (a short Retry-After still running)."""
        if self.not_before is None:
            return 0.0
        return max(0.0, (self.not_before - self.clock()).total_seconds())

    def expected_next_try(self) -> datetime:
        """When the next attempt will likely be: `next_try`, or later if the probe fails."""
        now = self.clock()
        if self.next_try is not None and self.next_try > now:
            return self.next_try
        step = max(0, self.failures + 1 - self.threshold)
        return now + timedelta(seconds=min(self.cap, self.first * 2**step))

    def succeeded(self) -> None:
        was_open = self.next_try is not None
        self.failures, self.since, self.next_try = 0, None, None
        self.probing, self.reason = False, ""
        if was_open:
            self._changed()

    def failed(self, reason: str, retry_after: float | None = None) -> None:
        now = self.clock()
        self.failures += 1
        self.probing = False
        self.reason = reason
        if retry_after:
            wanted = now + timedelta(seconds=retry_after)
            self.not_before = max(self.not_before or wanted, wanted)
        long_wait = retry_after is not None and retry_after > LONGEST_WAIT_IN_LINE
        if self.failures < self.threshold and not long_wait:
            return
        self.since = self.since or now
        if retry_after:  # the server said when to come back: its word, not our guess
            self.next_try = self.not_before
        else:
            delay = backoff_delay(max(0, self.failures - self.threshold), self.first, self.cap)
            self.next_try = max(now + timedelta(seconds=delay), self.not_before or now)
        self._changed()

    def released(self) -> None:
        """The probe ended without a verdict on the service (cancelled, or refused for
        a reason of its own): the next caller may probe."""
        self.probing = False

    def try_now(self) -> None:
        """A person asked for an attempt now: the next caller is the probe."""
        if self.next_try is not None and not self.probing:
            self.next_try = self.clock()
            self._changed()

    def _changed(self) -> None:
        outage = self.outage
        for listener in self._listeners:
            listener(outage)
