"""Any provider behind the model's circuit breaker.

Every request waits out a `Retry-After` the server gave (a 429 holds back all
emails, not only the one that got it). A run of failures opens the circuit:
requests then fail at once with `ModelUnavailable` instead of each email
spending its retries on a server that is down, and one request at a time probes
whether it is back. Callers choose what to do meanwhile: wait (the pipeline
keeps a draft that can wait as `new`) or fall back (emergencies never wait).
"""

from __future__ import annotations

import asyncio

from core.circuit import Circuit
from core.errors import ModelUnavailable, TriageError
from core.models import Draft
from core.prompt import TriageRequest
from core.triage import TriageProvider


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
            if not exc.retryable:  # a refused key or request: not an outage
                self.circuit.released()
                raise
            self.circuit.failed(str(exc), exc.retry_after)
            if self.circuit.blocked():  # this failure opened the circuit
                raise self.unavailable() from None
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
