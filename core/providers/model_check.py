"""A compatibility check a user can run against their model server.

`check_model` sends one small structured request (a short tenant email) through
the same provider the pipeline uses, with no retries, and reports what a user
needs to know to set the server up: where it is, which model answered, the
structured-output mode that works (and those the server refused) and how long
the round trip took. A failure is the provider's `TriageError`, whose text
quotes the server.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from core.models import Address, Draft, ParsedEmail, TenantContext
from core.providers.openai import OpenAIProvider
from core.triage.prompt import TriageRequest

SAMPLE_SENDER = "sam.tenant@example.org"
SAMPLE_EMAIL = ParsedEmail(
    message_id="<check-model@example.org>",
    sender=Address("Sam Tenant", SAMPLE_SENDER),
    subject="Dripping kitchen tap",
    text="Hello, the kitchen tap has been dripping all week. Could someone look at it?\nSam",
)


@dataclass(frozen=True)
class ModelCheck:
    server: str
    model: str
    mode: str
    refused: dict[str, str]
    seconds: float
    draft: Draft

    def to_text(self) -> str:
        lines = [
            f"server: {self.server}",
            f"model: {self.model}",
            f"structured output: {self.mode}",
        ]
        lines += [f"  refused {mode}: {says}" for mode, says in self.refused.items()]
        lines += [
            f"round trip: {self.seconds:.1f} s",
            f"answer: a valid draft ({self.draft.intent.value}, "
            f"confidence {self.draft.confidence:.2f})",
        ]
        return "\n".join(lines)


async def check_model(
    provider: OpenAIProvider, clock: Callable[[], float] = time.monotonic
) -> ModelCheck:
    """One structured request; raises `TriageError` with the server's words on failure."""
    request = TriageRequest(SAMPLE_EMAIL, TenantContext(sender=SAMPLE_SENDER))
    started = clock()
    draft = await provider.draft(request)
    return ModelCheck(
        server=provider.server,
        model=provider.model,
        mode=provider.mode_label,
        refused={mode.value: says for mode, says in provider.refused.items()},
        seconds=clock() - started,
        draft=draft,
    )
