"""The whole pipeline against real servers: Dovecot, aiosmtpd and the offline provider."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

from core.models import Grade, State
from tests.support.assistant import assistant, make_settings, run_once
from tests.support.dovecot import DovecotServer, ImapAccount
from tests.support.mail import make_email
from tests.support.smtp import SmtpServer

LEAK = make_email(
    "maria.gonzalez@example.com",
    "Kitchen sink leaking",
    "Hi, the pipe under my kitchen sink is leaking and there is a puddle. Can someone fix it?",
    name="Maria Gonzalez",
    message_id="<leak-1@mail.example.com>",
)
OUT_OF_OFFICE = make_email(
    "david.kim@example.com",
    "Automatic reply: Rent",
    "I am away until Monday.",
    headers={"Auto-Submitted": "auto-replied"},
)
STRANGER = make_email("stranger@example.net", "Apartment for rent?", "Is there a unit for rent?")


def deliver(dovecot: DovecotServer, account: ImapAccount, *messages: bytes) -> list[int]:
    return [dovecot.deliver(account, raw) for raw in messages]


async def test_once_answers_skips_and_holds_and_sets_flags(
    dovecot: DovecotServer, imap_account: ImapAccount, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    leak, auto, stranger = deliver(dovecot, imap_account, LEAK, OUT_OF_OFFICE, STRANGER)
    settings = make_settings(imap_account, smtp_server, tmp_path, auto_send="maintenance")

    counts = await run_once(settings)

    assert counts == {State.SENT: 1, State.SKIPPED: 1, State.AWAITING_REVIEW: 1}
    [mail] = smtp_server.messages
    reply = mail.message
    assert reply["To"] == "Maria Gonzalez <maria.gonzalez@example.com>"
    assert reply["Cc"] == "maintenance@example.com"
    assert sorted(mail.rcpt_tos) == ["maintenance@example.com", "maria.gonzalez@example.com"]
    assert reply["Subject"] == "Re: Kitchen sink leaking [#1]"  # the conversation, by number
    assert reply["In-Reply-To"] == "<leak-1@mail.example.com>"
    assert reply["Auto-Submitted"] == "auto-replied"
    assert "Hi Maria" in reply.get_content()
    assert dovecot.flags(imap_account, leak) == {"\\Seen", "\\Answered"}
    assert dovecot.flags(imap_account, auto) == {"\\Seen"}
    assert dovecot.flags(imap_account, stranger) == set()


async def test_a_message_delivered_twice_is_answered_once(
    dovecot: DovecotServer, imap_account: ImapAccount, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    """The same message under two UIDs (a copy filed back, a rule run twice): the
    second is skipped as a duplicate of the first, and the tenant gets one reply."""
    deliver(dovecot, imap_account, LEAK, LEAK)
    settings = make_settings(imap_account, smtp_server, tmp_path, auto_send="maintenance")

    async with assistant(settings) as opened:
        counts = await opened.pipeline.run_once()
        first, second = await opened.store.items()

    assert counts == {State.SENT: 1, State.SKIPPED: 1}
    assert len(smtp_server.messages) == 1
    assert (first.state, second.state) == (State.SENT, State.SKIPPED)
    assert second.proposal is not None
    assert second.proposal.reason == f"duplicate of #{first.id}, already in the queue"


async def test_fetching_never_marks_mail_read(
    dovecot: DovecotServer, imap_account: ImapAccount, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    uids = deliver(dovecot, imap_account, LEAK, STRANGER)
    counts = await run_once(make_settings(imap_account, smtp_server, tmp_path))
    assert counts == {State.AWAITING_REVIEW: 2}
    assert smtp_server.messages == []
    assert [dovecot.flags(imap_account, uid) for uid in uids] == [set(), set()]


async def test_only_unseen_mail_of_the_last_days_is_taken(
    dovecot: DovecotServer, imap_account: ImapAccount, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    old = datetime.now(timezone.utc) - timedelta(days=5)
    dovecot.deliver(imap_account, make_email(subject="old"), date=old)
    dovecot.deliver(imap_account, make_email(subject="read already"), seen=True)
    dovecot.deliver(imap_account, make_email(subject="fresh"))
    settings = make_settings(imap_account, smtp_server, tmp_path, unread_days_back=1)
    async with assistant(settings) as opened:
        await opened.pipeline.run_once()
        assert [item.subject for item in await opened.store.items()] == ["fresh"]


async def test_ticket_is_written_once_with_its_fields(
    dovecot: DovecotServer, imap_account: ImapAccount, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    deliver(dovecot, imap_account, LEAK)
    settings = make_settings(imap_account, smtp_server, tmp_path, auto_send="maintenance")
    await run_once(settings)
    await run_once(settings)  # a second run finds nothing new and files nothing again
    [path] = list((tmp_path / "tickets").glob("*.json"))
    ticket = json.loads(path.read_text())
    assert path.stem == ticket["id"]
    assert ticket["intent"] == "maintenance"
    assert ticket["tenant_id"] == "T-1001" and ticket["unit_id"] == "HV-101"
    assert ticket["source_message_id"] == "<leak-1@mail.example.com>"
    assert ticket["stakeholders"] == ["maintenance@example.com"]
    assert ticket["status"] == "open"
    assert datetime.fromisoformat(ticket["created_at"]).utcoffset() == timedelta(0)
    assert len(smtp_server.messages) == 1


async def test_emergency_waits_for_a_person_but_its_ticket_is_filed_at_once(
    dovecot: DovecotServer, imap_account: ImapAccount, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    gas = make_email("priya.raman@example.com", "Gas smell", "I smell gas in the kitchen!!")
    [uid] = deliver(dovecot, imap_account, gas)
    settings = make_settings(imap_account, smtp_server, tmp_path, auto_send="maintenance")
    async with assistant(settings) as opened:
        await opened.pipeline.run_once()
        [item] = await opened.store.items()
    assert item.state is State.AWAITING_REVIEW
    assert item.proposal is not None and item.proposal.emergency
    reason = "emergency (danger to life): there may be a gas leak: 'smell gas'"
    assert item.proposal.reason == reason
    assert item.proposal.grade is Grade.LIFE
    ticket = json.loads((tmp_path / "tickets" / f"{item.ticket_id}.json").read_text())
    assert ticket["priority"] == "urgent" and ticket["emergency"] is True
    # No reply to review was sent; the on-call people were paged, the tenant got the
    # holding reply (nobody is at a console), and the message stays unread for a person.
    page, holding = smtp_server.messages
    assert page.rcpt_tos == ["oncall@example.com"]
    assert holding.rcpt_tos == ["priya.raman@example.com"]
    assert "alerted our on-call team" in holding.message.get_content()
    assert dovecot.flags(imap_account, uid) == set()


async def test_same_message_twice_is_answered_once(
    dovecot: DovecotServer, imap_account: ImapAccount, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    _, second = deliver(dovecot, imap_account, LEAK, LEAK)
    settings = make_settings(imap_account, smtp_server, tmp_path, auto_send="maintenance")
    counts = await run_once(settings)
    assert counts == {State.SENT: 1, State.SKIPPED: 1}
    assert len(smtp_server.messages) == 1
    assert dovecot.flags(imap_account, second) == {"\\Seen"}


async def test_operator_approval_sends_the_edited_text(
    dovecot: DovecotServer, imap_account: ImapAccount, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    [uid] = deliver(dovecot, imap_account, LEAK)
    settings = make_settings(imap_account, smtp_server, tmp_path)
    async with assistant(settings) as opened:
        await opened.pipeline.run_once()
        [item] = await opened.store.items()
        await opened.operator.approve(item.id, item.version, body="The plumber comes Tuesday 9-12.")
        await opened.pipeline.run_once()
        trail = [(a.actor, a.to_state) for a in await opened.store.audit(item.id)]
    [mail] = smtp_server.messages
    assert mail.message.get_content().startswith("The plumber comes Tuesday 9-12.")
    assert mail.message["Auto-Submitted"] is None
    assert ("operator:dana", State.APPROVED) in trail and trail[-1] == ("pipeline", State.SENT)
    assert dovecot.flags(imap_account, uid) == {"\\Seen", "\\Answered"}


async def test_dismissed_mail_is_marked_read_and_not_answered(
    dovecot: DovecotServer, imap_account: ImapAccount, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    [uid] = deliver(dovecot, imap_account, STRANGER)
    settings = make_settings(imap_account, smtp_server, tmp_path)
    async with assistant(settings) as opened:
        await opened.pipeline.run_once()
        [item] = await opened.store.items()
        await opened.operator.dismiss(item.id, item.version)
        await opened.pipeline.run_once()
    assert smtp_server.messages == []
    assert dovecot.flags(imap_account, uid) == {"\\Seen"}


async def test_sent_copy_is_filed_in_the_sent_mailbox(
    dovecot: DovecotServer, imap_account: ImapAccount, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    deliver(dovecot, imap_account, LEAK)
    settings = make_settings(
        imap_account, smtp_server, tmp_path, auto_send="maintenance", imap_sent_mailbox="Sent"
    )
    await run_once(settings)
    [uid] = dovecot.uids(imap_account, "Sent")
    copy = dovecot.fetch(imap_account, uid, "Sent")
    assert smtp_server.messages[0].message["Message-ID"].encode() in copy
    assert "\\Seen" in dovecot.flags(imap_account, uid, "Sent")


async def test_new_mail_is_picked_up_while_running(
    dovecot: DovecotServer, imap_account: ImapAccount, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    settings = make_settings(imap_account, smtp_server, tmp_path, auto_send="maintenance")
    async with assistant(settings) as opened:
        stop = asyncio.Event()
        running = asyncio.create_task(opened.pipeline.run(stop))
        await asyncio.sleep(0.5)
        await asyncio.to_thread(dovecot.deliver, imap_account, LEAK)
        await smtp_server.wait_for_async(1, timeout=10)
        # The connection drops; the pipeline reconnects and still sees new mail.
        await asyncio.to_thread(dovecot.kick, imap_account)
        second = make_email("emily.chen@example.com", "Dishwasher broken", "It will not drain.")
        await asyncio.to_thread(dovecot.deliver, imap_account, second)
        await smtp_server.wait_for_async(2, timeout=15)
        stop.set()
        await asyncio.wait_for(running, 10)
    assert {m.message["To"].addresses[0].addr_spec for m in smtp_server.messages} == {
        "maria.gonzalez@example.com",
        "emily.chen@example.com",
    }


async def test_permanent_smtp_refusal_fails_the_item_with_the_servers_words(
    dovecot: DovecotServer, imap_account: ImapAccount, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    [uid] = deliver(dovecot, imap_account, LEAK)
    smtp_server.fail_next(550, "5.1.1 mailbox unavailable")
    settings = make_settings(imap_account, smtp_server, tmp_path, auto_send="maintenance")
    async with assistant(settings) as opened:
        await opened.pipeline.run_once()
        [item] = await opened.store.items()
    assert item.state is State.FAILED
    assert "550" in item.error and "mailbox unavailable" in item.error
    assert smtp_server.messages == []
    assert dovecot.flags(imap_account, uid) == set()


async def test_transient_smtp_failures_are_retried(
    dovecot: DovecotServer, imap_account: ImapAccount, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    deliver(dovecot, imap_account, LEAK)
    smtp_server.fail_next(451, "4.3.0 try again later")
    smtp_server.drop_next()
    settings = make_settings(imap_account, smtp_server, tmp_path, auto_send="maintenance")
    counts = await run_once(settings)
    assert counts == {State.SENT: 1}
    assert len(smtp_server.messages) == 1


async def test_failures_of_one_item_do_not_stop_the_others(
    dovecot: DovecotServer, imap_account: ImapAccount, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    second = make_email("emily.chen@example.com", "Dishwasher broken", "It will not drain.")
    deliver(dovecot, imap_account, LEAK, second)
    smtp_server.fail_next(550, "5.7.1 rejected", times=1)
    settings = make_settings(
        imap_account, smtp_server, tmp_path, auto_send="maintenance", concurrency=1
    )
    counts = await run_once(settings)
    assert counts == {State.FAILED: 1, State.SENT: 1}


async def test_a_ticket_that_cannot_be_written_fails_the_item_visibly(
    dovecot: DovecotServer, imap_account: ImapAccount, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    [uid] = deliver(dovecot, imap_account, LEAK)
    (tmp_path / "tickets").write_text("not a folder")
    settings = make_settings(imap_account, smtp_server, tmp_path, auto_send="maintenance")
    async with assistant(settings) as opened:
        await opened.pipeline.run_once()
        [item] = await opened.store.items()
    assert item.state is State.FAILED
    assert item.error.startswith("ticket: cannot write ticket TKT-")
    assert smtp_server.messages == []  # no reply promising work that was never filed
    assert dovecot.flags(imap_account, uid) == set()


async def test_automatic_replies_to_one_sender_are_capped_per_day(
    dovecot: DovecotServer, imap_account: ImapAccount, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    # A tenant's broken autoresponder without Auto-Submitted must not ping-pong with us.
    for n in range(5):
        body = f"The bathroom tap is dripping again ({n})."
        dovecot.deliver(imap_account, make_email("emily.chen@example.com", f"Tap {n}", body))
    settings = make_settings(imap_account, smtp_server, tmp_path, auto_send="maintenance")
    async with assistant(settings) as opened:
        counts = await opened.pipeline.run_once()
        held = [i for i in await opened.store.items() if i.state is State.AWAITING_REVIEW]
    assert counts == {State.SENT: 3, State.AWAITING_REVIEW: 2}
    assert len(smtp_server.messages) == 3
    assert all(i.proposal and "auto-send paused for this sender" in i.proposal.reason for i in held)


async def test_a_missing_sent_mailbox_is_reported_and_does_not_stop_the_job(
    dovecot: DovecotServer, imap_account: ImapAccount, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    [uid] = deliver(dovecot, imap_account, LEAK)
    settings = make_settings(
        imap_account,
        smtp_server,
        tmp_path,
        auto_send="maintenance",
        imap_sent_mailbox="No Such Folder",
    )
    async with assistant(settings) as opened:
        seen: list[str] = []
        opened.bus.add_callback(lambda event: seen.append(getattr(event, "detail", "") or ""))
        counts = await opened.pipeline.run_once()
    assert counts == {State.SENT: 1}
    assert dovecot.flags(imap_account, uid) == {"\\Seen", "\\Answered"}
    assert any(d.startswith("IMAP_SENT_MAILBOX No Such Folder: EXAMINE") for d in seen)
