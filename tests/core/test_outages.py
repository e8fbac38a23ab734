"""A mail server that is down or says "later": replies wait and go, once, by themselves."""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import signal
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from core.events import OutageChanged
from core.models import Item, State
from core.store import AuditEntry
from tests.core.test_resilience import environment, stored_items
from tests.support.assistant import DATA_DIR, assistant, make_settings
from tests.support.cli import cli
from tests.support.dovecot import DovecotServer, ImapAccount
from tests.support.mail import make_email
from tests.support.smtp import SmtpServer
from tests.support.stores import store_location

TENANTS = [t["email"] for t in json.loads((DATA_DIR / "tenants.json").read_text())]


def repair_request(n: int) -> bytes:
    return make_email(
        TENANTS[n],
        f"Radiator {n}",
        "The radiator in the bedroom is broken.",
        message_id=f"<radiator-{n}@mail.example.com>",
    )


def gaps(times: list[datetime]) -> list[float]:
    return [(later - earlier).total_seconds() for earlier, later in itertools.pairwise(times)]


def growing(values: list[float]) -> bool:
    return all(later > earlier for earlier, later in itertools.pairwise(values))


async def trail(opened_store: object, item_ids: list[int]) -> list[AuditEntry]:
    entries = [e for i in item_ids for e in await opened_store.audit(i)]  # type: ignore[attr-defined]
    return sorted(entries, key=lambda e: e.at)


async def test_a_server_down_then_saying_451_gets_every_reply_out_once_and_none_failed(
    dovecot: DovecotServer, imap_account: ImapAccount, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    for n in range(4):
        dovecot.deliver(imap_account, repair_request(n))
    smtp_server.refuse_connections(2.0)
    smtp_server.fail_next(451, "4.3.0 Temporary failure", times=3)
    settings = make_settings(imap_account, smtp_server, tmp_path, auto_send="maintenance")
    async with assistant(settings, send_retry_first=0.2) as opened:
        counts = await opened.pipeline.run_once()
        items = await opened.store.items()
        history = await trail(opened.store, [i.id for i in items])

    assert counts == {State.SENT: 4}
    answered = sorted(m.message["In-Reply-To"] for m in smtp_server.messages)
    assert answered == sorted(f"<radiator-{n}@mail.example.com>" for n in range(4))
    # While the server was unreachable one reply at a time tried it, less and less often.
    tries = [e for e in history if e.to_state in (State.SENDING, State.RETRYING)]
    down = [
        e.at
        for e in tries
        if e.to_state is State.RETRYING and "cannot talk" in e.detail.get("reason", "")
    ]
    assert len(down) >= 3
    assert growing(gaps(down))
    before_back = [e for e in tries if e.at <= down[-1]]
    states = [e.to_state for e in before_back if State.SENDING in (e.from_state, e.to_state)]
    assert states == [State.SENDING, State.RETRYING] * (len(states) // 2)  # never two at once
    # A 451 is the server's word for "later", not a failure.
    refused = [e for e in tries if "451" in e.detail.get("reason", "")]
    assert len(refused) == 3
    assert all(item.error == "" for item in items)


async def test_a_reply_refused_with_451_again_and_again_waits_longer_each_time(
    dovecot: DovecotServer, imap_account: ImapAccount, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    dovecot.deliver(imap_account, repair_request(0))
    smtp_server.fail_next(451, "4.7.1 Greylisted, try again later", times=4)
    settings = make_settings(imap_account, smtp_server, tmp_path, auto_send="maintenance")
    async with assistant(settings, send_retry_first=0.1) as opened:
        assert await opened.pipeline.run_once() == {State.SENT: 1}
        [item] = await opened.store.items()
        history = await opened.store.audit(item.id)

    assert len(smtp_server.messages) == 1
    attempts = [e.at for e in history if e.to_state is State.SENDING]
    assert len(attempts) == 5 and item.send_attempts == 5
    assert growing(gaps(attempts))
    assert [e.detail["reason"] for e in history if e.to_state is State.RETRYING] == [
        "the mail server answered 451 4.7.1 Greylisted, try again later"
    ] * 4


async def test_550_fails_at_once_with_the_servers_words(
    dovecot: DovecotServer, imap_account: ImapAccount, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    dovecot.deliver(imap_account, repair_request(0))
    smtp_server.fail_next(550, "5.1.1 <maria.gonzalez@example.com>: Recipient address rejected")
    settings = make_settings(imap_account, smtp_server, tmp_path, auto_send="maintenance")
    async with assistant(settings) as opened:
        assert await opened.pipeline.run_once() == {State.FAILED: 1}
        [item] = await opened.store.items()
    assert item.send_attempts == 1
    assert item.error == (
        "not sent: the mail server answered 550 5.1.1 <maria.gonzalez@example.com>: "
        "Recipient address rejected"
    )
    assert smtp_server.messages == []


async def test_a_reply_still_refused_after_the_deadline_fails_with_the_servers_words(
    dovecot: DovecotServer, imap_account: ImapAccount, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    dovecot.deliver(imap_account, repair_request(0))
    smtp_server.fail_next(452, "4.2.2 Mailbox full", times=100)
    settings = make_settings(
        imap_account, smtp_server, tmp_path, auto_send="maintenance", send_retry_hours=0.0003
    )  # about one second
    async with assistant(settings, send_retry_first=0.1) as opened:
        assert await opened.pipeline.run_once() == {State.FAILED: 1}
        [item] = await opened.store.items()
    assert item.error.startswith("not sent: the mail server answered 452 4.2.2 Mailbox full")
    assert "retrying" in item.error and item.send_attempts > 1
    assert smtp_server.messages == []


def wait_for_state(location: str, state: State, timeout: float = 30.0) -> Item:
    """Poll the store of a running process until an item is in `state`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if "://" in location or Path(location).exists():
            found = [i for i in asyncio.run(stored_items(location)) if i.state is state]
            if found:
                return found[0]
        time.sleep(0.05)
    raise TimeoutError(f"no item became {state.value} within {timeout} s")


def test_a_retry_scheduled_before_a_kill_is_sent_after_the_restart_once(
    dovecot: DovecotServer, imap_account: ImapAccount, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    dovecot.deliver(imap_account, repair_request(0))
    smtp_server.fail_next(451, "4.3.0 Temporary failure")
    env = environment(imap_account, smtp_server, tmp_path, AUTO_SEND="maintenance")
    process = subprocess.Popen(
        [sys.executable, "-m", "console", "--headless"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        waiting = wait_for_state(store_location(tmp_path), State.RETRYING)
    finally:
        process.send_signal(signal.SIGKILL)  # the next try was due in about 2 s
        process.wait(10)
    assert waiting.send_after is not None and smtp_server.messages == []

    result = cli(["--headless", "--once"], env, tmp_path)

    assert result.returncode == 0, result.stderr
    [mail] = smtp_server.messages
    assert mail.message["Message-ID"] == waiting.reply_message_id  # the same reply
    [item] = asyncio.run(stored_items(store_location(tmp_path)))
    assert (item.state, item.send_attempts) == (State.SENT, 2)
    assert dovecot.flags(imap_account, item.key.uid) == {"\\Seen", "\\Answered"}


def test_recovery_finds_an_in_doubt_reply_in_the_sent_mailbox_the_server_filed(
    dovecot: DovecotServer, imap_account: ImapAccount, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    dovecot.deliver(imap_account, repair_request(0))
    smtp_server.file_sent_copies(
        lambda raw: dovecot.deliver(imap_account, raw, mailbox="Sent", seen=True)
    )
    smtp_server.accept_then_stall_next(30)  # the server has it; its 250 never arrives
    env = environment(
        imap_account,
        smtp_server,
        tmp_path,
        AUTO_SEND="maintenance",
        IMAP_SENT_MAILBOX="Sent",
        SMTP_SAVES_SENT="true",
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "console", "--headless"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        smtp_server.wait_for(1, timeout=30)
        wait_for_state(store_location(tmp_path), State.SENDING)
    finally:
        process.send_signal(signal.SIGKILL)  # between the server taking it and its answer
        process.wait(10)

    result = cli(["--headless", "--once"], env, tmp_path)

    assert result.returncode == 0, result.stderr
    assert len(smtp_server.messages) == 1  # settled without sending it again…
    [item] = asyncio.run(stored_items(store_location(tmp_path)))
    assert item.state is State.SENT  # …and without a person
    assert len(dovecot.uids(imap_account, "Sent")) == 1  # the server's copy, no second one
    assert dovecot.flags(imap_account, item.key.uid) == {"\\Seen", "\\Answered"}


def kill_mid_send(env: dict[str, str], tmp_path: Path, smtp_server: SmtpServer) -> None:
    """Run the assistant until the server has taken a reply, and kill it before the answer."""
    smtp_server.accept_then_stall_next(30)
    process = subprocess.Popen(
        [sys.executable, "-m", "console", "--headless"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        smtp_server.wait_for(1, timeout=30)
        wait_for_state(store_location(tmp_path), State.SENDING)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(10)


async def test_an_interrupted_send_says_what_is_known_and_the_operator_marks_it_sent(
    dovecot: DovecotServer, imap_account: ImapAccount, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    [uid] = [dovecot.deliver(imap_account, repair_request(0))]
    env = environment(
        imap_account, smtp_server, tmp_path, AUTO_SEND="maintenance", IMAP_SENT_MAILBOX="Sent"
    )
    await asyncio.to_thread(kill_mid_send, env, tmp_path, smtp_server)
    settings = make_settings(
        imap_account, smtp_server, tmp_path, auto_send="maintenance", imap_sent_mailbox="Sent"
    )
    async with assistant(settings) as opened:
        assert await opened.pipeline.run_once() == {State.IN_DOUBT: 1}
        [item] = await opened.store.items()
        assert item.error == (
            "interrupted while sending, before the mail server answered: it may have gone out, "
            "and the Sent folder cannot tell: a copy is filed there only after the server's "
            f"answer. The reply's Message-ID: {item.reply_message_id}"
        )
        assert dovecot.flags(imap_account, uid) == set()  # not marked answered: nobody knows

        await opened.operator.mark_sent(item.id, item.version)
        assert await opened.pipeline.run_once() == {State.SENT: 1}

    assert len(smtp_server.messages) == 1  # nothing more went out
    assert dovecot.flags(imap_account, uid) == {"\\Seen", "\\Answered"}
    [copy] = dovecot.uids(imap_account, "Sent")
    assert item.reply_message_id.encode() in dovecot.fetch(imap_account, copy, "Sent")


async def test_send_again_sends_the_same_message_once_more(
    dovecot: DovecotServer, imap_account: ImapAccount, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    dovecot.deliver(imap_account, repair_request(0))
    env = environment(imap_account, smtp_server, tmp_path, AUTO_SEND="maintenance")
    await asyncio.to_thread(kill_mid_send, env, tmp_path, smtp_server)
    settings = make_settings(imap_account, smtp_server, tmp_path, auto_send="maintenance")
    async with assistant(settings) as opened:
        await opened.pipeline.run_once()
        [item] = await opened.store.items()
        assert item.state is State.IN_DOUBT

        await opened.operator.send_again(item.id, item.version)
        assert await opened.pipeline.run_once() == {State.SENT: 1}

    first, again = smtp_server.messages
    assert again.message["Message-ID"] == first.message["Message-ID"] == item.reply_message_id
    assert again.raw == first.raw  # the very same message: a mail program shows it once


async def test_the_status_says_since_when_the_server_is_down_and_send_now_tries_at_once(
    dovecot: DovecotServer, imap_account: ImapAccount, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    smtp_server.refuse_connections(1.0)
    settings = make_settings(imap_account, smtp_server, tmp_path, auto_send="maintenance")
    async with assistant(settings, send_retry_first=60) as opened:
        outages: list[OutageChanged] = []
        opened.bus.add_callback(
            lambda event: outages.append(event) if isinstance(event, OutageChanged) else None
        )
        stop = asyncio.Event()
        running = asyncio.create_task(opened.pipeline.run(stop))
        await asyncio.to_thread(dovecot.deliver, imap_account, repair_request(0))
        while not await opened.store.items([State.RETRYING]):  # noqa: ASYNC110
            await asyncio.sleep(0.05)
        [down] = outages
        line = down.describe(datetime.now(timezone.utc))
        assert re.fullmatch(r"mail server unreachable since \d\d:\d\d, next try in \d+ s", line)
        assert "Connect call failed" in down.reason
        [waiting] = await opened.store.items([State.RETRYING])
        assert waiting.send_after is not None and waiting.error.startswith("not sent yet: ")

        await asyncio.sleep(1.2)  # the server is back; the next try is a minute away
        await opened.operator.send_now(waiting.id, waiting.version)
        await smtp_server.wait_for_async(1, timeout=10)
        stop.set()
        await asyncio.wait_for(running, 20)
        [item] = await opened.store.items()
    assert item.state is State.SENT
    assert outages[-1].since is None
    assert outages[-1].describe(datetime.now(timezone.utc)) == "mail server answers again"


async def test_a_reply_the_server_never_confirms_is_never_sent_twice(
    smtp_server: SmtpServer,
) -> None:
    """The server takes the message and answers after the client gave up: trying again
    would deliver it twice, so the reply is in doubt, for a person to settle."""
    from email import message_from_bytes
    from email.policy import SMTP

    from core.config import Security
    from core.errors import SendError
    from core.mail.outbox import SmtpSender

    raw = make_email("office@example.com", "Re: faucet", "We come on Monday.", to="e@example.com")
    message = message_from_bytes(raw, policy=SMTP)
    sender = SmtpSender(
        smtp_server.host,
        smtp_server.port,
        Security.NONE,
        smtp_server.user or "",
        smtp_server.password or "",
        timeout=0.5,
    )
    smtp_server.accept_then_stall_next(1.5)  # it has the message; its 250 comes too late
    try:
        await sender.send(message)
    except SendError as exc:
        refused = exc
    else:
        raise AssertionError("the send should not have been confirmed")
    assert refused.in_doubt and not refused.retryable
    assert len(smtp_server.messages) == 1  # it did go out: a retry would have doubled it
    await sender.aclose()
