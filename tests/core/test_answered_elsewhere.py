"""When the manager answers from another mail client, the assistant steps back.

On real Dovecot with INBOX and Sent; the manager's phone is simulated as a phone
does it: its reply APPENDed to Sent (flagged \\Seen, with its own Message-ID and
In-Reply-To/References naming the tenant's email), and the original flagged
\\Seen \\Answered in INBOX.
"""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from typing import Any

from core.config import load_settings
from core.events import SentWatchChanged
from core.mail.sent_watch import sent_by_name
from core.models import State
from core.service.assembly import Assistant
from core.service.demo import DemoMailServers, demo_settings
from tests.core.test_resilience import environment
from tests.support.assistant import assistant, make_settings
from tests.support.cli import cli
from tests.support.dovecot import COMMAND_LOG, DovecotServer, ImapAccount
from tests.support.mail import make_email
from tests.support.smtp import SmtpServer
from tests.support.tls import LocalhostCertificate

MARIA = "maria.gonzalez@example.com"


def tenant_mail(subject: str = "Dishwasher not draining", body: str = "") -> bytes:
    return make_email(
        MARIA,
        subject,
        body or "Hi, my dishwasher is not draining since yesterday. Can someone look at it?",
        name="Maria Gonzalez",
    )


def phone_reply(
    dovecot: DovecotServer,
    account: ImapAccount,
    original: bytes,
    text: str = "Hi Maria, the plumber comes on Tuesday morning. Best, Sam",
    *,
    flag_original: int | None = None,
) -> str:
    """The manager answers from a phone: the reply filed in Sent, the original flagged."""
    tenant = message_from_bytes(original, policy=policy.default)
    reply = EmailMessage()
    reply["From"] = "Sam at Harbor & Elm <office@example.com>"
    reply["To"] = str(tenant["From"])
    reply["Subject"] = "Re: " + str(tenant["Subject"])
    reply["Message-ID"] = make_msgid(domain="phone.example.com")
    reply["In-Reply-To"] = str(tenant["Message-ID"])
    reply["References"] = str(tenant["Message-ID"])
    reply.set_content(text)
    dovecot.deliver(account, reply.as_bytes(), mailbox="Sent", seen=True)
    if flag_original is not None:
        dovecot.add_flags(account, flag_original, "\\Seen \\Answered")
    return str(reply["Message-ID"])


async def until(condition: Callable[[], Any], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not await _value(condition()):
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.05)


async def _value(result: Any) -> Any:
    return await result if asyncio.iscoroutine(result) else result


@asynccontextmanager
async def serving(settings: Any) -> AsyncIterator[Assistant]:
    async with assistant(settings) as opened:
        stop = asyncio.Event()
        running = asyncio.create_task(opened.pipeline.run(stop))
        try:
            yield opened
        finally:
            stop.set()
            await asyncio.wait_for(running, 20)


def to_tenant(smtp: SmtpServer) -> list[Any]:
    return [m for m in smtp.messages if MARIA in m.rcpt_tos]


async def state_of(opened: Assistant, item_id: int) -> State:
    return (await opened.store.get(item_id)).state


async def test_a_reply_in_review_answered_from_a_phone_leaves_the_queue(
    dovecot: DovecotServer, imap_account: ImapAccount, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    original = tenant_mail()
    uid = dovecot.deliver(imap_account, original)
    settings = make_settings(imap_account, smtp_server, tmp_path)
    async with serving(settings) as opened:
        await until(lambda: opened.store.counts())
        await until(
            lambda: _state_is(opened, 1, State.AWAITING_REVIEW),
        )
        phone_id = phone_reply(dovecot, imap_account, original, flag_original=uid)
        await until(lambda: _state_is(opened, 1, State.ANSWERED_ELSEWHERE))
        await until(lambda: _ticket_notes_it(opened, 1, tmp_path))  # just after it stepped back
        item = await opened.store.get(1)
        [kept] = await opened.store.outside_replies_answering([item.message_id])
        audit = await opened.store.audit(1)
    assert kept.message_id == phone_id and "plumber comes on Tuesday" in kept.text
    assert item.proposal is not None and item.proposal.body  # the draft is kept
    [retired] = [e for e in audit if e.to_state is State.ANSWERED_ELSEWHERE is not e.from_state]
    assert retired.actor == "another mail client" and retired.detail["answered_by"] == phone_id
    assert to_tenant(smtp_server) == []  # no second answer to Maria
    ticket = json.loads((tmp_path / "tickets" / f"{item.ticket_id}.json").read_text())
    assert "answered by the manager from another mail client" in ticket["updates"][-1]["summary"]


async def _ticket_notes_it(opened: Assistant, item_id: int, output: Path) -> bool:
    """The item's ticket says the manager answered from another client."""
    ticket_id = (await opened.store.get(item_id)).ticket_id
    path = output / "tickets" / f"{ticket_id}.json"
    if not ticket_id or not path.exists():
        return False
    updates = json.loads(path.read_text()).get("updates") or [{}]
    return "answered by the manager from another mail client" in updates[-1].get("summary", "")


async def _state_is(opened: Assistant, item_id: int, state: State) -> bool:
    try:
        return (await opened.store.get(item_id)).state is state
    except Exception:
        return False


async def test_a_reply_counting_down_is_never_sent_when_the_manager_answers_meanwhile(
    dovecot: DovecotServer, imap_account: ImapAccount, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    original = tenant_mail()
    dovecot.deliver(imap_account, original)
    settings = make_settings(imap_account, smtp_server, tmp_path, send_delay=2.0)
    async with serving(settings) as opened:
        await until(lambda: _state_is(opened, 1, State.AWAITING_REVIEW))
        item = await opened.store.get(1)
        await opened.operator.approve(item.id, item.version)
        # The phone's reply, without touching the original's flags: only Sent tells.
        phone_reply(dovecot, imap_account, original)
        await until(lambda: _state_is(opened, 1, State.ANSWERED_ELSEWHERE))
        await asyncio.sleep(3)  # past the send delay
        final = await opened.store.get(1)
    assert final.state is State.ANSWERED_ELSEWHERE
    assert to_tenant(smtp_server) == []


async def test_the_look_before_sending_finds_an_answer_the_watch_has_not_read_yet(
    dovecot: DovecotServer, imap_account: ImapAccount, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    original = tenant_mail()
    dovecot.deliver(imap_account, original)
    settings = make_settings(imap_account, smtp_server, tmp_path)
    async with assistant(settings) as opened:
        await opened.pipeline.run_once()  # in review
        watcher = opened.pipeline.sent_watcher
        assert watcher is not None
        await watcher.open()  # Sent read: nothing there yet
        phone_id = phone_reply(dovecot, imap_account, original)  # the original stays unread
        item = await opened.store.get(1)
        why = await watcher.answered_elsewhere(item)
        await watcher.close()
        after = await opened.store.get(1)
    assert phone_id in why
    assert after.state is State.ANSWERED_ELSEWHERE


def test_a_reply_sent_from_a_phone_while_the_service_was_down_is_never_answered(
    dovecot: DovecotServer, imap_account: ImapAccount, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    original = tenant_mail()
    dovecot.deliver(imap_account, original)  # left unread: the phone did not mark it
    phone_reply(dovecot, imap_account, original)
    env = environment(imap_account, smtp_server, tmp_path, AUTO_SEND="maintenance")
    result = cli(["--headless", "--once"], env, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "answered_elsewhere=1" in result.stdout and "awaiting_review=0" in result.stdout
    assert to_tenant(smtp_server) == []


async def test_the_tenants_answer_to_the_managers_reply_joins_the_conversation(
    dovecot: DovecotServer, imap_account: ImapAccount, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    original = tenant_mail()
    uid = dovecot.deliver(imap_account, original)
    settings = make_settings(imap_account, smtp_server, tmp_path)
    async with assistant(settings) as opened:
        await opened.pipeline.run_once()  # in review
        phone_id = phone_reply(dovecot, imap_account, original, flag_original=uid)
        await opened.pipeline.run_once()  # answered elsewhere
        thanks = make_email(
            MARIA,
            "Re: Re: Dishwasher not draining",
            "Thanks, Tuesday works for me!",
            headers={"In-Reply-To": phone_id, "References": phone_id},
        )
        dovecot.deliver(imap_account, thanks)
        await opened.pipeline.run_once()
        items = await opened.store.items()
    first, answer = items[0], items[-1]
    assert answer.conversation_id == (first.conversation_id or first.id)
    assert answer.state is State.SKIPPED  # "thanks" to the manager is not answered by us
    assert answer.proposal is not None and answer.proposal.ticket is None
    assert len(list((tmp_path / "tickets").glob("*.json"))) == 1
    assert to_tenant(smtp_server) == []


async def test_our_own_copies_in_sent_are_never_taken_for_the_managers(
    dovecot: DovecotServer, imap_account: ImapAccount, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    dovecot.deliver(imap_account, tenant_mail())
    settings = make_settings(
        imap_account, smtp_server, tmp_path, auto_send="maintenance", imap_sent_mailbox="Sent"
    )
    async with assistant(settings) as opened:
        await opened.pipeline.run_once()
        follow_up = tenant_mail("Re: Dishwasher not draining", "Also, it smells a bit.")
        dovecot.deliver(imap_account, follow_up)
        counts = await opened.pipeline.run_once()
        assert opened.pipeline.sent_watcher is not None
        await opened.pipeline.sent_watcher.open()  # reads Sent again, with our copy in it
        items = await opened.store.items()
    assert len(dovecot.uids(imap_account, "Sent")) >= 1  # our copy is there
    assert State.ANSWERED_ELSEWHERE not in counts
    assert all(i.state is not State.ANSWERED_ELSEWHERE for i in items)


async def test_a_message_to_the_tenant_without_threading_headers_retires_nothing(
    dovecot: DovecotServer, imap_account: ImapAccount, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    dovecot.deliver(imap_account, tenant_mail())
    unthreaded = make_email(
        "office@example.com",
        "Re: Dishwasher not draining",  # a subject alone never retires anything
        "Hi Maria, about your dishwasher: Tuesday.",
        to=MARIA,
    )
    dovecot.deliver(imap_account, unthreaded, mailbox="Sent", seen=True)
    settings = make_settings(imap_account, smtp_server, tmp_path)
    async with assistant(settings) as opened:
        counts = await opened.pipeline.run_once()
    assert counts == {State.AWAITING_REVIEW: 1}


async def test_without_a_sent_folder_it_says_so_once_and_works_as_before(
    dovecot: DovecotServer, imap_account: ImapAccount, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    dovecot.deliver(imap_account, tenant_mail())
    settings = make_settings(
        imap_account, smtp_server, tmp_path, auto_send="maintenance", imap_sent_mailbox="Nope"
    )
    async with assistant(settings) as opened:
        said: list[SentWatchChanged] = []
        opened.bus.add_callback(
            lambda event: said.append(event) if isinstance(event, SentWatchChanged) else None
        )
        counts = await opened.pipeline.run_once()
    assert counts == {State.SENT: 1}
    assert len(said) == 1 and said[0].status == "not watched" and "Nope" in said[0].detail


DEMO_MAIL = Path(__file__).resolve().parents[2] / "data" / "demo"


def test_a_sent_folder_is_found_by_its_name_when_the_server_marks_none() -> None:
    assert sent_by_name(["INBOX", "INBOX.Sent", "Trash"]) == "INBOX.Sent"
    assert sent_by_name(["INBOX", "Gesendete Objekte"]) == "Gesendete Objekte"
    assert sent_by_name(["INBOX", "Sent", "Sent Items"]) is None  # two of them: a guess
    assert sent_by_name(["INBOX", "Resent invoices"]) is None


async def test_a_server_without_special_use_is_told_in_one_plain_sentence(tmp_path: Path) -> None:
    """The demo's server refuses LIST (SPECIAL-USE) and has no Sent folder: the operator
    reads what to do, not the server's refusal, and the mail is answered as before."""
    async with DemoMailServers(DEMO_MAIL, tmp_path / "sent") as endpoints:
        settings = demo_settings(load_settings(None), endpoints, tmp_path / "out")
        async with assistant(settings) as opened:
            said: list[SentWatchChanged] = []
            opened.bus.add_callback(
                lambda event: said.append(event) if isinstance(event, SentWatchChanged) else None
            )
            await opened.pipeline.run_once()
    assert [event.detail for event in said] == ["no Sent folder found; set IMAP_SENT_MAILBOX"]


def test_kills_at_any_moment_lose_the_managers_answer_never_and_send_nothing(
    dovecot: DovecotServer, imap_account: ImapAccount, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    original = tenant_mail()
    dovecot.deliver(imap_account, original)
    phone_reply(dovecot, imap_account, original)  # answered before the service ever ran
    env = environment(imap_account, smtp_server, tmp_path, AUTO_SEND="maintenance")
    for delay in (0.2, 0.5, 0.9, 1.4):  # killed while reading Sent, triaging, routing…
        process = subprocess.Popen(
            [sys.executable, "-m", "console", "--headless"],
            env=env,
            cwd=tmp_path,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait(10)
    result = cli(["--headless", "--once"], env, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "answered_elsewhere=1" in result.stdout
    assert to_tenant(smtp_server) == []


async def test_keepalives_are_not_changes_an_idle_service_sends_no_commands(
    tls_cert: LocalhostCertificate, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    """Dovecot's "* OK Still here" (here every second, by default every two minutes)
    does not wake the inbox or the Sent watch: nothing is re-issued while nothing
    arrives, so an idle hour costs only the IDLE renewals (every 25 minutes)."""
    dovecot = DovecotServer(
        tls_cert, extra_config=COMMAND_LOG + "imap_idle_notify_interval = 1 secs\n"
    )
    dovecot.start()
    try:
        account = dovecot.add_user()
        settings = make_settings(account, smtp_server, tmp_path)
        async with serving(settings) as opened:
            await until(lambda: opened.pipeline.mailbox.status_now == "idle")
            await asyncio.sleep(1.5)  # both connections settle into IDLE
            before = len(dovecot.commands_logged())
            await asyncio.sleep(5)  # five keepalives on each connection
            during = dovecot.commands_logged()[before:]
            # …and a reply sent from a phone is still noticed at once.
            original = tenant_mail()
            dovecot.deliver(account, original)
            await until(lambda: _state_is(opened, 1, State.AWAITING_REVIEW))
            phone_reply(dovecot, account, original)
            await until(lambda: _state_is(opened, 1, State.ANSWERED_ELSEWHERE), timeout=10)
    finally:
        dovecot.stop()
    assert during == [], during
