"""Emergencies reach a person at once: pages to on-call, a holding reply, a webhook.

Against Dovecot and aiosmtpd on loopback, with the pipeline running as a service
(as `--headless` runs it) and the page interval shortened to fractions of a second.
"""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from core.errors import StoreError
from core.models import Channel, Page, PageState, State
from core.service.assembly import Assistant
from core.store import open_store
from tests.core.test_resilience import environment, stored_items
from tests.support.assistant import assistant, make_settings
from tests.support.cli import cli
from tests.support.dovecot import DovecotServer, ImapAccount
from tests.support.mail import make_email
from tests.support.smtp import ReceivedMail, SmtpServer
from tests.support.stores import store_location
from tests.support.webhook import WebhookServer

ON_CALL = "oncall@example.com"
PRIYA = "priya.raman@example.com"
GAS = make_email(
    PRIYA,
    "Smell of gas in 202",
    "There is a strong smell of gas in my kitchen. I opened the windows.",
    name="Priya Raman",
    message_id="<gas-202@mail.example.com>",
)


def pages_in(smtp: SmtpServer) -> list[ReceivedMail]:
    return [m for m in smtp.messages if m.rcpt_tos == [ON_CALL]]


def to_tenant(smtp: SmtpServer, address: str = PRIYA) -> list[ReceivedMail]:
    return [m for m in smtp.messages if m.rcpt_tos[0] == address]


async def until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.05)


@asynccontextmanager
async def serving(settings: Any) -> AsyncIterator[Assistant]:
    """The pipeline running as a service, as `python -m console --headless` runs it."""
    async with assistant(settings) as opened:
        stop = asyncio.Event()
        running = asyncio.create_task(opened.pipeline.run(stop))
        try:
            yield opened
        finally:
            stop.set()
            await asyncio.wait_for(running, 20)


async def test_an_emergency_pages_on_call_at_once_with_what_they_need_to_act(
    dovecot: DovecotServer, imap_account: ImapAccount, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    dovecot.deliver(imap_account, GAS)
    settings = make_settings(imap_account, smtp_server, tmp_path, escalate_minutes=60)
    async with serving(settings) as opened:
        await until(lambda: len(pages_in(smtp_server)) == 1)
        [item] = await opened.store.items()
        audit = await opened.store.audit(item.id)
    [page] = pages_in(smtp_server)
    text = page.message.get_content()
    subject = page.message["Subject"]
    assert subject.startswith("EMERGENCY #1 (danger to life): there may be a gas leak")
    assert "— Priya Raman" in subject
    assert page.message["Auto-Submitted"] == "auto-generated"
    for needed in (
        "Priya Raman (T-1004), phone +1-555-0104",
        "Harbor View Apartments, 12 Harbor Street, Unit 202",
        "strong smell of gas in my kitchen",
        f"Ticket:   {item.ticket_id}",
        "item #1",
    ):
        assert needed in text
    assert item.state is State.AWAITING_REVIEW  # the real answer still waits for a person
    assert any(e.detail.get("page") == 1 and e.detail.get("to") == [ON_CALL] for e in audit)


async def test_pages_repeat_until_the_maximum_and_one_conversation_pages_once(
    dovecot: DovecotServer, imap_account: ImapAccount, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    dovecot.deliver(imap_account, GAS)
    settings = make_settings(
        imap_account, smtp_server, tmp_path, escalate_minutes=0.01, escalate_max=3
    )
    async with serving(settings) as opened:
        await until(lambda: len(pages_in(smtp_server)) == 1 and len(to_tenant(smtp_server)) == 1)
        # The tenant writes again in the same conversation: no new first page.
        [holding] = to_tenant(smtp_server)
        again = make_email(
            PRIYA,
            "Re: Smell of gas in 202",
            "It is getting stronger, the gas smell is in the hallway too!",
            headers={"In-Reply-To": holding.message["Message-ID"]},
        )
        dovecot.deliver(imap_account, again)
        await until(lambda: len(pages_in(smtp_server)) == 3)
        await asyncio.sleep(1.5)  # well past two more intervals: no fourth page
        pages = await opened.store.pages()
        items = await opened.store.items()
    assert len(pages_in(smtp_server)) == 3
    numbers = [p.number for p in pages if p.channel is Channel.EMAIL]
    assert numbers == [1, 2, 3]
    assert "page 3 of 3" in pages_in(smtp_server)[-1].message.get_content()
    assert "last automatic page" in pages_in(smtp_server)[-1].message.get_content()
    assert len(to_tenant(smtp_server)) == 1  # one holding reply per conversation
    assert {i.conversation_id or i.id for i in items} == {1}


async def test_an_operator_acting_stops_the_pages(
    dovecot: DovecotServer, imap_account: ImapAccount, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    dovecot.deliver(imap_account, GAS)
    settings = make_settings(imap_account, smtp_server, tmp_path, escalate_minutes=0.02)
    async with serving(settings) as opened:
        await until(lambda: len(pages_in(smtp_server)) == 1)
        [item] = await opened.store.items()
        await opened.operator.edit(item.id, item.version, "We are on our way; leave the flat.")
        await asyncio.sleep(2.5)  # two intervals: a page would have come
        dovecot.deliver(imap_account, make_email(PRIYA, "Second", "My heater is broken."))
        await until(lambda: len(to_tenant(smtp_server)) >= 1)
    assert len(pages_in(smtp_server)) == 1


async def test_a_dismissed_emergency_is_not_paged_again(
    dovecot: DovecotServer, imap_account: ImapAccount, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    dovecot.deliver(imap_account, GAS)
    settings = make_settings(imap_account, smtp_server, tmp_path, escalate_minutes=0.02)
    async with serving(settings) as opened:
        await until(lambda: len(pages_in(smtp_server)) == 1)
        [item] = await opened.store.items()
        await opened.operator.dismiss(item.id, item.version)
        await asyncio.sleep(2.5)
    assert len(pages_in(smtp_server)) == 1


async def test_the_holding_reply_gives_the_number_for_the_danger_and_promises_nothing(
    dovecot: DovecotServer, imap_account: ImapAccount, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    flood = make_email(
        "emily.chen@example.com",
        "WATER COMING THROUGH CEILING",
        "Water is pouring through the ceiling of my bathroom and spreading across the floor!",
    )
    for raw in (GAS, flood):
        dovecot.deliver(imap_account, raw)
    settings = make_settings(imap_account, smtp_server, tmp_path, escalate_minutes=60)
    async with serving(settings) as opened:
        await until(lambda: len(smtp_server.messages) == 4)
        items = await opened.store.items()
    [gas_reply] = to_tenant(smtp_server)
    [flood_reply] = to_tenant(smtp_server, "emily.chen@example.com")
    # The gas leak pages the on-call people; the water, the maintenance on-call.
    assert [m.message["Subject"] for m in pages_in(smtp_server)] == [
        m.message["Subject"] for m in smtp_server.messages if "gas leak" in m.message["Subject"]
    ]
    [maintenance_page] = [
        m for m in smtp_server.messages if m.rcpt_tos == ["maintenance-oncall@example.com"]
    ]
    assert "(damage to the building)" in maintenance_page.message["Subject"]
    gas_text, flood_text = gas_reply.message.get_content(), flood_reply.message.get_content()
    assert "Springfield Gas 24-hour emergency line, +1-555-0142" in gas_text
    assert "leave the building" in gas_text
    assert "alerted our on-call team" in gas_text
    assert "911" in gas_text  # a danger to life: the emergency number, always
    # Water coming in is damage to the building: Emily's building's own maintenance line,
    # the first safe step, and never the emergency services.
    assert "alerted our on-call maintenance team" in flood_text
    assert "+1-555-0160 (Elm Court caretaker, 24 hours)" in flood_text
    assert "turn off the water" in flood_text and "Keep away from sockets" in flood_text
    assert "911" not in flood_text.split("wrote:")[0]
    assert "emergency number" not in flood_text.split("wrote:")[0]
    for text in (gas_text, flood_text):
        for promise in ("within", "minutes", "today", "soon", "on the way", "will come", "visit"):
            assert promise not in text.split("On ")[0].lower()
    assert gas_reply.message["In-Reply-To"] == "<gas-202@mail.example.com>"
    assert all(i.state is State.AWAITING_REVIEW for i in items)


async def test_no_holding_reply_when_it_is_turned_off(
    dovecot: DovecotServer, imap_account: ImapAccount, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    dovecot.deliver(imap_account, GAS)
    settings = make_settings(
        imap_account, smtp_server, tmp_path, emergency_holding_reply="off", escalate_minutes=60
    )
    async with serving(settings):
        await until(lambda: len(pages_in(smtp_server)) == 1)
        await asyncio.sleep(0.5)
    assert to_tenant(smtp_server) == []


async def test_the_webhook_gets_the_page_is_retried_and_never_holds_up_other_mail(
    dovecot: DovecotServer,
    imap_account: ImapAccount,
    smtp_server: SmtpServer,
    webhook_server: WebhookServer,
    tmp_path: Path,
) -> None:
    webhook_server.fail_next(2)
    webhook_server.hold(1.0)  # a slow gateway: each answer takes a second
    dovecot.deliver(imap_account, GAS)
    settings = make_settings(
        imap_account,
        smtp_server,
        tmp_path,
        escalate_minutes=60,
        escalation_webhook_url=webhook_server.url,
        auto_send="maintenance",
    )
    async with serving(settings) as opened:
        await until(lambda: len(pages_in(smtp_server)) == 1)
        leak = make_email(
            "maria.gonzalez@example.com",
            "Kitchen sink leaking",
            "Hi, the pipe under my kitchen sink is leaking. Can someone fix it?",
        )
        dovecot.deliver(imap_account, leak)
        await until(lambda: len(to_tenant(smtp_server, "maria.gonzalez@example.com")) == 1)
        routine_done = time.monotonic()
        await until(lambda: len(webhook_server.received) == 1, timeout=60)
        hook = await _webhook_page_sent(opened)
    # The routine reply went out while the webhook was still failing and being retried.
    assert routine_done < webhook_server.finished_at[0]
    assert webhook_server.attempts == 3 and hook.attempts == 3
    assert hook.state is PageState.SENT
    [payload] = webhook_server.received
    assert payload["type"] == "emergency_page" and payload["item"] == 1
    assert payload["tenant"]["phone"] == "+1-555-0104"
    assert "smell of gas" in payload["text"]


async def _webhook_page_sent(opened: Assistant) -> Page:
    """The webhook page once its answer is recorded (it arrives after the request does)."""
    deadline = time.monotonic() + 10
    while True:
        [hook] = [p for p in await opened.store.pages() if p.channel is Channel.WEBHOOK]
        if hook.state is not PageState.SENDING or time.monotonic() > deadline:
            return hook
        await asyncio.sleep(0.05)


def test_a_kill_during_a_page_never_pages_twice_after_restart(
    dovecot: DovecotServer, imap_account: ImapAccount, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    env = environment(imap_account, smtp_server, tmp_path, ESCALATE_MINUTES="60")
    dovecot.deliver(imap_account, GAS)
    smtp_server.stall_next(30)  # the page hangs in DATA, after the server has it…
    process = subprocess.Popen(
        [sys.executable, "-m", "console", "--headless"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while not _page_started(tmp_path):
            assert time.monotonic() < deadline, "no page was started"
            time.sleep(0.1)
        time.sleep(0.3)
    finally:
        process.send_signal(signal.SIGKILL)  # …and the process dies before its answer
        process.wait(10)
    assert cli(["--headless", "--once"], env, tmp_path).returncode == 0
    assert cli(["--headless", "--once"], env, tmp_path).returncode == 0
    # The stalled page counts as gone out: no second page 1 (the next is due in 60 min).
    assert len(pages_in(smtp_server)) <= 1
    assert _email_pages(tmp_path) == [1]
    [item] = asyncio.run(stored_items(store_location(tmp_path)))
    assert item.state is State.AWAITING_REVIEW


def _email_pages(output: Path) -> list[int]:
    """The numbers of the email pages the store has started, read as another process would."""
    location = store_location(output)
    if "://" not in location and not Path(location).exists():
        return []
    try:
        return asyncio.run(_pages_of(location))
    except StoreError:  # not created yet
        return []


async def _pages_of(location: str) -> list[int]:
    store = await open_store(location)
    try:
        return [p.number for p in await store.pages() if p.channel is Channel.EMAIL]
    finally:
        await store.close()


def _page_started(output: Path) -> bool:
    return bool(_email_pages(output))
