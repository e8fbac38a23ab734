"""Conversations on the real servers: follow-ups join their thread, their ticket, their history."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from core.models import FollowUp, Item, State
from tests.core.test_resilience import environment, stored_items
from tests.support.assistant import assistant, make_settings
from tests.support.cli import cli
from tests.support.dovecot import DovecotServer, ImapAccount
from tests.support.llm import LlmServer, Reply
from tests.support.mail import make_email
from tests.support.smtp import SmtpServer
from tests.support.stores import store_location

EMILY = "emily.chen@example.com"
FAUCET = make_email(
    EMILY,
    "Kitchen faucet dripping",
    "Hi, my kitchen faucet has been dripping for a week. Could someone fix it?",
    name="Emily Chen",
    message_id="<faucet-1@mail.example.com>",
)


def answer(
    body: str,
    *,
    to: Any,
    sender: str = EMILY,
    subject: str | None = None,
    threaded: bool = True,
    message_id: str,
) -> bytes:
    """The tenant's answer to our reply `to` (the reply as the SMTP server received it)."""
    headers = {}
    if threaded:
        headers = {
            "In-Reply-To": to["Message-ID"],
            "References": f"{to['References']} {to['Message-ID']}",
        }
    return make_email(
        sender,
        subject if subject is not None else f"Re: {to['Subject']}",
        body,
        headers=headers,
        message_id=message_id,
    )


def tickets(output: Path) -> list[dict[str, Any]]:
    return [json.loads(p.read_text()) for p in sorted((output / "tickets").glob("*.json"))]


async def items_of(settings: Any) -> list[Item]:
    async with assistant(settings) as opened:
        return await opened.store.items()


async def test_the_faucet_conversation_behaves_like_a_careful_person(
    dovecot: DovecotServer, imap_account: ImapAccount, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    settings = make_settings(imap_account, smtp_server, tmp_path, auto_send="maintenance")
    dovecot.deliver(imap_account, FAUCET)
    async with assistant(settings) as opened:
        await opened.pipeline.run_once()
        [first_reply] = smtp_server.messages
        assert first_reply.message["Subject"] == "Re: Kitchen faucet dripping [#1]"

        chaser = answer(
            "Nobody came yesterday even though I stayed home all afternoon. The faucet is "
            "still dripping and now the cabinet underneath is wet.",
            to=first_reply.message,
            message_id="<faucet-2@mail.example.com>",
        )
        dovecot.deliver(imap_account, chaser)
        await opened.pipeline.run_once()
        held = (await opened.store.items())[-1]
        assert held.conversation_id == 1 and held.state is State.AWAITING_REVIEW
        assert held.proposal is not None and held.proposal.followup is FollowUp.CHASER
        assert held.proposal.reason.startswith("a chaser")
        assert "sorry" in held.proposal.body.lower()
        assert held.proposal.body != first_reply.message.get_content().split("\n\nOn ")[0]
        [ticket] = tickets(tmp_path)
        assert ticket["priority"] == "high"  # raised from normal by the chaser, at once
        assert ticket["status"] == "open" and len(ticket["updates"]) == 1

        thanks = answer(
            "The plumber came this morning and fixed it. Thanks a lot!",
            to=first_reply.message,
            message_id="<faucet-3@mail.example.com>",
        )
        dovecot.deliver(imap_account, thanks)
        await opened.pipeline.run_once()
        last = (await opened.store.items())[-1]

    assert last.conversation_id == 1 and last.state is State.SKIPPED
    assert last.proposal is not None and last.proposal.followup is FollowUp.RESOLVED
    assert len(smtp_server.messages) == 1  # nothing sent for the chaser (held) or the thanks
    [ticket] = tickets(tmp_path)  # one ticket for the whole conversation
    assert ticket["status"] == "resolved" and len(ticket["updates"]) == 2
    assert ticket["conversation_id"] == 1
    assert ticket["source_message_id"] == "<faucet-1@mail.example.com>"
    assert ticket["message_ids"] == [
        "<faucet-1@mail.example.com>",
        "<faucet-2@mail.example.com>",
        "<faucet-3@mail.example.com>",
    ]


async def test_answers_without_headers_or_from_another_address_join_by_reference(
    dovecot: DovecotServer, imap_account: ImapAccount, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    maria = make_email(
        "maria.gonzalez@example.com",
        "Radiator cold in the bedroom",
        "The bedroom radiator stays cold. Can someone look at it?",
        message_id="<radiator-1@mail.example.com>",
    )
    settings = make_settings(imap_account, smtp_server, tmp_path, auto_send="maintenance")
    dovecot.deliver(imap_account, maria)
    async with assistant(settings) as opened:
        await opened.pipeline.run_once()
        [reply] = smtp_server.messages
        no_headers = answer(  # this client dropped In-Reply-To and References
            "Here is when I am home: Tuesday after 2 pm.",
            to=reply.message,
            sender="maria.gonzalez@example.com",
            threaded=False,
            message_id="<radiator-2@mail.example.com>",
        )
        other_address = answer(  # her other address on file, threaded by headers
            "The radiator in the living room is cold now as well, same problem.",
            to=reply.message,
            sender="m.gonzalez@example.net",
            subject="AW: radiator",
            message_id="<radiator-3@mail.example.com>",
        )
        dovecot.deliver(imap_account, no_headers)
        dovecot.deliver(imap_account, other_address)
        await opened.pipeline.run_once()
        items = await opened.store.items()
    assert [i.conversation_id for i in items] == [1, 1, 1]
    assert all(i.proposal and i.proposal.followup is FollowUp.UPDATE for i in items[1:])
    [ticket] = tickets(tmp_path)
    assert len(ticket["updates"]) == 2


async def test_a_new_problem_in_the_thread_opens_a_second_ticket_of_the_conversation(
    dovecot: DovecotServer, imap_account: ImapAccount, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    settings = make_settings(imap_account, smtp_server, tmp_path, auto_send="maintenance")
    dovecot.deliver(imap_account, FAUCET)
    async with assistant(settings) as opened:
        await opened.pipeline.run_once()
        [reply] = smtp_server.messages
        fan = answer(
            "Thanks. Also, the bathroom exhaust fan stopped working and makes a grinding noise.",
            to=reply.message,
            message_id="<faucet-fan@mail.example.com>",
        )
        dovecot.deliver(imap_account, fan)
        await opened.pipeline.run_once()
        new = (await opened.store.items())[-1]
    assert new.conversation_id == 1
    assert new.proposal is not None and new.proposal.followup is FollowUp.NEW_REQUEST
    found = tickets(tmp_path)
    assert len(found) == 2 and {t["conversation_id"] for t in found} == {1}
    assert {t["source_message_id"] for t in found} == {
        "<faucet-1@mail.example.com>",
        "<faucet-fan@mail.example.com>",
    }


async def test_a_message_pointing_into_another_tenants_conversation_stays_apart(
    dovecot: DovecotServer,
    imap_account: ImapAccount,
    smtp_server: SmtpServer,
    llm_server: LlmServer,
    tmp_path: Path,
) -> None:
    settings = make_settings(imap_account, smtp_server, tmp_path, auto_send="maintenance")
    dovecot.deliver(imap_account, FAUCET)
    async with assistant(settings) as opened:  # the offline provider answers Emily
        await opened.pipeline.run_once()
    [reply] = smtp_server.messages
    neighbour = answer(
        "Is the plumber coming to my flat too? My tap drips as well.",
        to=reply.message,
        sender="rob.johnson@example.net",
        message_id="<neighbour@mail.example.com>",
    )
    dovecot.deliver(imap_account, neighbour)
    llm_server.script(
        Reply(
            {
                "intent": "maintenance",
                "confidence": 0.9,
                "emergency": False,
                "summary": "Tap drips.",
                "reply": "We will look at it.",
                "ticket": None,
                "questions": [],
            }
        )
    )
    model = make_settings(imap_account, smtp_server, tmp_path, llm_server, auto_send="maintenance")
    async with assistant(model) as opened:
        await opened.pipeline.run_once()
        apart = (await opened.store.items())[-1]
    assert apart.conversation_id == apart.id  # a conversation of its own
    assert apart.state is State.AWAITING_REVIEW
    assert apart.proposal is not None and "someone else's" in apart.proposal.reason
    [request] = llm_server.requests
    prompt = json.dumps(request["messages"])
    # His own subject names her thread; nothing she wrote, nor our answer to her, is there.
    assert "for a week" not in prompt and "Emily" not in prompt
    assert "<<<HISTORY\\n" not in prompt  # no conversation block in the user message
    assert len(smtp_server.messages) == 1


def test_a_kill_between_the_ticket_update_and_the_reply_never_doubles_either(
    dovecot: DovecotServer, imap_account: ImapAccount, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    env = environment(imap_account, smtp_server, tmp_path, AUTO_SEND="maintenance")
    dovecot.deliver(imap_account, FAUCET)
    assert cli(["--headless", "--once"], env, tmp_path).returncode == 0
    [reply] = smtp_server.messages
    update = answer(
        "The cabinet under the sink is wet now too; here is when I am home: Monday.",
        to=reply.message,
        message_id="<faucet-update@mail.example.com>",
    )
    dovecot.deliver(imap_account, update)
    smtp_server.stall_next(30)  # the reply to the update hangs in DATA…
    process = subprocess.Popen(
        [sys.executable, "-m", "console", "--headless"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_until(lambda: len(tickets(tmp_path)[0]["updates"]) == 1, 20)
    finally:
        process.send_signal(signal.SIGKILL)  # …and the process dies there
        process.wait(10)

    assert cli(["--headless", "--once"], env, tmp_path).returncode == 0
    assert cli(["--headless", "--once"], env, tmp_path).returncode == 0

    [ticket] = tickets(tmp_path)
    assert [u["message_id"] for u in ticket["updates"]] == ["<faucet-update@mail.example.com>"]
    answers = [
        m for m in smtp_server.messages if "faucet-update" in (m.message["In-Reply-To"] or "")
    ]
    assert len(answers) <= 1
    import asyncio

    [_, second] = asyncio.run(stored_items(store_location(tmp_path)))
    assert second.conversation_id == 1
    assert second.state in (State.SENT, State.IN_DOUBT)  # in doubt: "may have gone out"


def _wait_until(condition: Any, timeout: float) -> None:
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if condition():
                return
        except (IndexError, KeyError, ValueError, OSError):
            pass
        time.sleep(0.1)
    raise AssertionError("never happened")


async def test_a_follow_up_makes_what_the_operator_saw_of_the_conversation_stale(
    dovecot: DovecotServer, imap_account: ImapAccount, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    from core.errors import StaleItem

    settings = make_settings(imap_account, smtp_server, tmp_path)  # nothing is sent on its own
    dovecot.deliver(imap_account, FAUCET)
    async with assistant(settings) as opened:
        await opened.pipeline.run_once()
        [seen] = await opened.store.items()
        assert seen.state is State.AWAITING_REVIEW
        more = make_email(
            EMILY,
            "Re: Kitchen faucet dripping [#1]",
            "Now the cabinet under the sink is wet too.",
            message_id="<faucet-more@mail.example.com>",
        )
        dovecot.deliver(imap_account, more)
        await opened.pipeline.run_once()
        try:
            await opened.operator.approve(seen.id, seen.version)
        except StaleItem:
            refused = True
        else:
            refused = False
    assert refused, "the operator had not seen the tenant's new message"
    assert smtp_server.messages == []
