"""A model server that is busy or down: emails wait for it, emergencies never do."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from core.events import Event, ItemChanged, OutageChanged
from core.models import Action, State
from tests.support.assistant import DATA_DIR, assistant, make_settings
from tests.support.dovecot import DovecotServer, ImapAccount
from tests.support.llm import LlmServer, RawContent, Reply, Status
from tests.support.mail import make_email
from tests.support.smtp import SmtpServer

TENANTS = [t["email"] for t in json.loads((DATA_DIR / "tenants.json").read_text())]
MODEL = "openai:test-model"


def routine(n: int) -> bytes:
    return make_email(TENANTS[n], f"Tap {n}", "The bathroom tap drips. Could someone look at it?")


GAS = make_email(TENANTS[5], "Gas", "I smell gas in the kitchen, it is getting stronger!")


def draft(request: dict[str, Any]) -> Reply:
    return Reply(
        {
            "intent": "maintenance",
            "confidence": 0.92,
            "emergency": False,
            "summary": "Dripping tap",
            "reply": "Hello, our maintenance team will come to fix the tap.",
            "ticket": None,
            "questions": [],
        }
    )


async def test_a_429_with_retry_after_holds_back_every_next_request(
    dovecot: DovecotServer,
    imap_account: ImapAccount,
    smtp_server: SmtpServer,
    llm_server: LlmServer,
    tmp_path: Path,
) -> None:
    for n in range(3):
        dovecot.deliver(imap_account, routine(n))
    llm_server.script(Status(429, retry_after=2))
    llm_server.default = draft
    settings = make_settings(
        imap_account, smtp_server, tmp_path, llm_server, auto_send="maintenance", concurrency=2
    )
    async with assistant(settings) as opened:
        assert await opened.pipeline.run_once() == {State.SENT: 3}

    limited, *later = llm_server.arrivals
    # Requests sent after the 429 was answered (not those already on their way) waited
    # the two seconds the server asked for: the email's own retry and the others.
    after = [t for t in later if t > limited + 0.1]
    assert len(after) >= 2
    assert all(t >= limited + 2.0 for t in after)


async def test_a_burst_of_500s_opens_the_circuit_and_the_emails_wait_for_the_model(
    dovecot: DovecotServer,
    imap_account: ImapAccount,
    smtp_server: SmtpServer,
    llm_server: LlmServer,
    tmp_path: Path,
) -> None:
    for n in range(4):
        dovecot.deliver(imap_account, routine(n))
    llm_server.script(Status(500), Status(500), Status(500))
    llm_server.default = draft
    settings = make_settings(
        imap_account, smtp_server, tmp_path, llm_server, auto_send="maintenance", max_retries=2
    )
    async with assistant(settings, model_pause=1.0) as opened:
        seen: list[Event] = []
        opened.bus.add_callback(seen.append)
        counts = await opened.pipeline.run_once()
        items = await opened.store.items()

    assert counts == {State.SENT: 4}  # none went to the offline draft and review
    assert all(item.proposal and item.proposal.provider == MODEL for item in items)
    # Three failures, then nothing until one probe found it back, then one request each.
    assert len(llm_server.requests) == 3 + 4
    outages = [e for e in seen if isinstance(e, OutageChanged)]
    assert [e.service for e in outages] == ["model", "model"]
    assert outages[0].since is not None and "500" in outages[0].reason
    assert outages[-1].since is None
    waited = {
        e.item.id
        for e in seen
        if isinstance(e, ItemChanged)
        and e.item.state is State.NEW
        and e.item.error.startswith("waiting for the model: the model server failed (500:")
    }
    assert waited  # the operator could see why they were still new
    assert all(item.error == "" for item in items)


async def test_an_emergency_never_waits_for_the_model(
    dovecot: DovecotServer,
    imap_account: ImapAccount,
    smtp_server: SmtpServer,
    llm_server: LlmServer,
    tmp_path: Path,
) -> None:
    dovecot.deliver(imap_account, routine(0))
    dovecot.deliver(imap_account, GAS)
    settings = make_settings(imap_account, smtp_server, tmp_path, llm_server, max_retries=2)
    async with assistant(settings, model_pause=60) as opened:  # the model is down for good
        stop = asyncio.Event()
        running = asyncio.create_task(opened.pipeline.run(stop))
        while not await opened.store.items([State.AWAITING_REVIEW]):  # noqa: ASYNC110
            await asyncio.sleep(0.05)
        [emergency] = await opened.store.items([State.AWAITING_REVIEW])
        [waiting] = await opened.store.items([State.NEW])
        stop.set()
        await asyncio.wait_for(running, 20)

    assert emergency.subject == "Gas"
    proposal = emergency.proposal
    assert proposal is not None and proposal.emergency and proposal.action is Action.REVIEW
    assert proposal.provider == "offline (fallback)" and proposal.body  # a draft to start from
    assert proposal.cc and "oncall@example.com" in proposal.cc
    assert waiting.subject == "Tap 0" and waiting.error.startswith("waiting for the model")


async def test_past_the_wait_limit_the_offline_draft_goes_to_review(
    dovecot: DovecotServer,
    imap_account: ImapAccount,
    smtp_server: SmtpServer,
    llm_server: LlmServer,
    tmp_path: Path,
) -> None:
    dovecot.deliver(imap_account, routine(0))  # and the model answers 500, always
    settings = make_settings(
        imap_account,
        smtp_server,
        tmp_path,
        llm_server,
        auto_send="maintenance",
        model_wait_seconds=1.5,
    )
    async with assistant(settings, model_pause=0.5) as opened:
        assert await opened.pipeline.run_once() == {State.AWAITING_REVIEW: 1}
        [item] = await opened.store.items()

    assert item.proposal is not None and item.proposal.provider == "offline (fallback)"
    assert item.proposal.reason.startswith("the model failed (the model is unavailable")
    assert item.proposal.body.startswith("Hi ")
    assert len(llm_server.requests) < 3 + 4  # the probes, not every retry of every wait
    assert smtp_server.messages == []


async def test_unusable_answers_fall_back_to_review_and_do_not_call_the_server_down(
    dovecot: DovecotServer,
    imap_account: ImapAccount,
    smtp_server: SmtpServer,
    llm_server: LlmServer,
    tmp_path: Path,
) -> None:
    dovecot.deliver(imap_account, routine(0))
    llm_server.script(RawContent("{not json"), RawContent("{not json"), RawContent("{not json"))
    llm_server.default = draft
    settings = make_settings(
        imap_account, smtp_server, tmp_path, llm_server, auto_send="maintenance", max_retries=2
    )
    async with assistant(settings) as opened:
        seen: list[Event] = []
        opened.bus.add_callback(seen.append)
        await opened.pipeline.run_once()
        dovecot.deliver(imap_account, routine(1))
        await opened.pipeline.run_once()
        first, second = await opened.store.items()

    # The server answered every time: waiting would not mend an answer it cannot write.
    assert first.state is State.AWAITING_REVIEW and first.proposal is not None
    assert first.proposal.provider == "offline (fallback)"
    assert "did not fit the schema" in first.proposal.reason
    assert not [e for e in seen if isinstance(e, OutageChanged)]  # nobody called it down
    assert second.state is State.SENT  # the next email went straight to the model
    assert second.proposal is not None and second.proposal.provider == MODEL
    assert len(llm_server.requests) == 3 + 1
