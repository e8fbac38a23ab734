"""Operator commands carry the version the operator saw: a stale one changes nothing.

Against the real servers (Dovecot, aiosmtpd, the scripted model server): what
goes out is always the draft that was on screen when the operator acted.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from core.errors import StaleItem
from core.models import State
from tests.support.assistant import assistant, make_settings
from tests.support.dovecot import DovecotServer, ImapAccount
from tests.support.llm import Hang, LlmServer, Reply
from tests.support.mail import make_email
from tests.support.smtp import SmtpServer

LEAK = make_email(
    "maria.gonzalez@example.com",
    "Kitchen sink leaking",
    "Hi, the pipe under my kitchen sink is leaking. Can someone fix it?",
    name="Maria Gonzalez",
    message_id="<op-leak@mail.example.com>",
)


def draft(reply: str) -> dict[str, Any]:
    return {
        "intent": "maintenance",
        "confidence": 0.9,
        "emergency": False,
        "summary": "Sink leaking.",
        "reply": reply,
        "ticket": {"title": "Sink leak", "description": "Leak under sink", "priority": "normal"},
        "questions": [],
    }


async def test_an_approve_naming_a_stale_version_is_refused_and_sends_nothing(
    dovecot: DovecotServer, imap_account: ImapAccount, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    dovecot.deliver(imap_account, LEAK)
    settings = make_settings(imap_account, smtp_server, tmp_path)
    async with assistant(settings) as opened:
        await opened.pipeline.run_once()
        [shown] = await opened.store.items()
        # The draft changes after the operator was shown it (another operator's edit).
        await opened.operator.edit(shown.id, shown.version, "A different text.")
        with pytest.raises(StaleItem, match=r"#1 changed since you saw it"):
            await opened.operator.approve(shown.id, shown.version)
        for command in (
            opened.operator.dismiss(shown.id, shown.version),
            opened.operator.edit(shown.id, shown.version, "mine"),
        ):
            with pytest.raises(StaleItem):
                await command
        await opened.pipeline.run_once()
        current = await opened.store.get(shown.id)
    assert current.state is State.AWAITING_REVIEW
    assert current.proposal is not None and current.proposal.body == "A different text."
    assert smtp_server.messages == []


async def test_a_redraft_finishing_after_an_approval_never_replaces_what_was_approved(
    dovecot: DovecotServer,
    imap_account: ImapAccount,
    smtp_server: SmtpServer,
    llm_server: LlmServer,
    tmp_path: Path,
) -> None:
    dovecot.deliver(imap_account, LEAK)
    llm_server.script(
        Reply(draft("We will send a plumber.")),
        Hang(1.0, Reply(draft("A NEW DRAFT nobody has read."))),
    )
    settings = make_settings(imap_account, smtp_server, tmp_path, llm_server)
    async with assistant(settings) as opened:
        await opened.pipeline.run_once()
        [shown] = await opened.store.items()
        redraft = asyncio.create_task(
            opened.operator.redraft(shown.id, shown.version, "mention Tuesday")
        )
        await asyncio.sleep(0.3)  # the model is still writing the new draft
        await opened.operator.approve(shown.id, shown.version)
        with pytest.raises(StaleItem):
            await redraft
        await opened.pipeline.run_once()
    [mail] = smtp_server.messages
    assert mail.message.get_content().startswith("We will send a plumber.")


async def test_after_a_redraft_only_the_new_version_can_be_approved(
    dovecot: DovecotServer, imap_account: ImapAccount, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    dovecot.deliver(imap_account, LEAK)
    settings = make_settings(imap_account, smtp_server, tmp_path)
    async with assistant(settings) as opened:
        await opened.pipeline.run_once()
        [old] = await opened.store.items()
        new = await opened.operator.edit(old.id, old.version, "The plumber comes Tuesday.")
        with pytest.raises(StaleItem):
            await opened.operator.approve(old.id, old.version)
        assert smtp_server.messages == []
        await opened.operator.approve(new.id, new.version)
        await opened.pipeline.run_once()
    [mail] = smtp_server.messages
    assert mail.message.get_content().startswith("The plumber comes Tuesday.")
