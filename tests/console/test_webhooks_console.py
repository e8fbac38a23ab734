"""The operator sees a failing ticket webhook on the status line, and each delivery of
a ticket's events in its detail."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from core.models import State
from tests.console.test_operator_console import SIZE, console, on_screen, until
from tests.core.test_ticket_webhooks import LEAK, SECRET
from tests.support.dovecot import DovecotServer, ImapAccount
from tests.support.receiver import TicketReceiver
from tests.support.smtp import SmtpServer


@pytest.fixture
def receiver() -> Iterator[TicketReceiver]:
    server = TicketReceiver()
    server.start()
    yield server
    server.stop()


@pytest.mark.timeout(90)
async def test_a_webhook_that_is_down_shows_on_the_status_line_and_its_delivery_in_the_detail(
    dovecot: DovecotServer,
    imap_account: ImapAccount,
    smtp_server: SmtpServer,
    receiver: TicketReceiver,
    tmp_path: Path,
) -> None:
    receiver.down()
    dovecot.deliver(imap_account, LEAK)
    app = console(
        dovecot,
        imap_account,
        smtp_server,
        tmp_path,
        auto_send=["maintenance"],
        auto_send_min_confidence=0.0,
        ticket_webhook_url=[receiver.url],
        ticket_webhook_secret=SECRET,
    )
    host = receiver.url.split("/")[2]
    async with app.run_test(size=SIZE) as pilot:
        await on_screen(pilot, app, State.SENT)  # answered on its own; its ticket filed
        await until(pilot, lambda: f"webhook {host} unavailable" in status(app), 20)
        await until(pilot, lambda: f"Webhook {host}: ticket.created waiting" in detail(app), 20)
        receiver.up()
        await until(pilot, lambda: f"webhook {host} unavailable" not in status(app), 30)
        await until(pilot, lambda: "ticket.created delivered" in detail(app), 20)
    assert len(receiver.delivered()) == 1


def status(app: object) -> str:
    return str(app.query_one("#status").render())  # type: ignore[attr-defined]


def detail(app: object) -> str:
    return " ".join(app.detail.text.plain.split())  # type: ignore[attr-defined]
