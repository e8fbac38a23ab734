"""Any provider behind the model's circuit breaker.

Every request waits out a `Retry-After` the server gave (a 429 holds back all
emails, not only the one that got it). A run of the server's own failures (5xx,
429, timeouts; not an unusable answer, which shows it is up) opens the circuit:
requests then fail at once with `ModelUnavailable` instead of each email
spending its retries on a server that is down, and one request at a time probes
whether it is back. Callers choose what to do meanwhile: wait (the pipeline
keeps a draft that can wait as `new`, in `WaitingForModel`) or fall back
(emergencies never wait).
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from core.circuit import Circuit
from core.errors import ModelUnavailable, TriageError
from core.models import Draft
from core.retry import backoff_delay
from core.triage.classify import TriageProvider
from core.triage.prompt import TriageRequest


class GuardedProvider:
    def __init__(self, provider: TriageProvider, circuit: Circuit) -> None:
        self.inner = provider
        self.circuit = circuit
        self.name = provider.name

    async def draft(self, request: TriageRequest) -> Draft:
        wait = self.circuit.wait()
        if wait > 0:
            await asyncio.sleep(wait)
        if not self.circuit.claim():
            raise self.unavailable()
        try:
            draft = await self.inner.draft(request)
        except TriageError as exc:
            if exc.unavailable:
                self.circuit.failed(str(exc), exc.retry_after)
                if self.circuit.blocked():  # this failure opened the circuit
                    raise self.unavailable() from None
            elif exc.retryable:  # it answered, unusably for this email: the server is up
                self.circuit.succeeded()
            else:  # a refused key or request: says nothing about an outage
                self.circuit.released()
            raise
        except BaseException:
            self.circuit.released()
            raise
        self.circuit.succeeded()
        return draft

    def unavailable(self) -> ModelUnavailable:
        outage = self.circuit.outage
        if outage is None:  # closed meanwhile: the next request will go through
            return ModelUnavailable("the model is busy", self.circuit.clock())
        return ModelUnavailable(
            f"the model is unavailable ({outage.reason}; {outage.failures} failures in a row)",
            outage.next_try,
        )


class WaitingForModel:
    """Drafts kept `new` while the model cannot write them, and when each is asked again.

    A draft waits for the circuit to let requests through again, or, when the server
    failed it without (yet) opening the circuit, for a pause of its own that grows
    with each wait.
    In memory only: after a restart every draft is simply asked again.
    """

    def __init__(self, circuit: Circuit, *, first: float, cap: float) -> None:
        self.circuit = circuit
        self.first = first
        self.cap = cap
        self._until: dict[int, datetime] = {}
        self._waits: dict[int, int] = {}

    def due(self, item_id: int) -> bool:
        until = self._until.get(item_id)
        if until is None:
            return True
        return until <= self.circuit.clock() and not self.circuit.blocked()

    def next_try(self, item_id: int) -> datetime | None:
        """When a waiting draft is asked again (None: it is not waiting, or it is due)."""
        if self.due(item_id):
            return None
        until = self._until[item_id]
        if self.circuit.blocked():
            return max(until, self.circuit.expected_next_try())
        return until

    def hold(self, item_id: int, failure: TriageError | None) -> None:
        """Keep the draft waiting: for the circuit (`ModelUnavailable`, or no failure of
        its own), or after its own failures for a pause of its own."""
        now = self.circuit.clock()
        if failure is None or isinstance(failure, ModelUnavailable):
            self._until[item_id] = now
            return
        waits = self._waits.get(item_id, 0)
        self._waits[item_id] = waits + 1
        self._until[item_id] = now + timedelta(seconds=backoff_delay(waits, self.first, self.cap))

    def done(self, item_id: int) -> None:
        self._until.pop(item_id, None)
        self._waits.pop(item_id, None)

    def release(self) -> list[int]:
        """The model answers again: every waiting draft is due now."""
        now = self.circuit.clock()
        for item_id in self._until:
            self._until[item_id] = now
        return sorted(self._until)
