"""What the manager sees and does when the mail server is down or a reply is in doubt."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from textual.widgets import Static

from console.app import OperatorConsole
from console.service_mode import Service
from core.models import State
from tests.console.test_operator_console import LEAK, SIZE, as_text, on_screen, state_of, until
from tests.core.test_outages import kill_mid_send
from tests.core.test_resilience import environment
from tests.support.assistant import make_settings
from tests.support.dovecot import DovecotServer, ImapAccount
from tests.support.smtp import SmtpServer


def status_line(app: OperatorConsole) -> str:
    return as_text(app.query_one("#status", Static).content)


async def test_a_reply_waiting_for_the_mail_server_shows_its_next_try_and_g_sends_it_now(
    dovecot: DovecotServer, imap_account: ImapAccount, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    dovecot.deliver(imap_account, LEAK)
    settings = make_settings(imap_account, smtp_server, tmp_path, send_delay=0)
    app = OperatorConsole(settings, service=Service.INLINE, retry_delay=0.01, send_retry_first=60)
    async with app.run_test(size=SIZE) as pilot:
        await on_screen(pilot, app)
        smtp_server.refuse_connections(1.0)
        await pilot.press("a")
        await until(pilot, lambda: state_of(app) is State.RETRYING)
        await until(pilot, lambda: "mail server unreachable" in status_line(app))
        assert re.search(
            r"mail server unreachable since \d\d:\d\d, next try in \d+ s", status_line(app)
        )
        assert "retrying 1" in status_line(app)
        await on_screen(pilot, app, State.RETRYING)
        detail = app.detail.text.plain
        assert "Not sent yet: cannot talk to the mail server" in detail
        assert re.search(r"Next try in \d+ s \(\d\d:\d\d:\d\d\) \(tried 1×", detail)
        assert "g sends it now, u takes it back" in detail

        await asyncio.sleep(1.2)  # the server is back; the next try is a minute away
        await pilot.press("g")
        try:
            await until(pilot, lambda: state_of(app) is State.SENT)
        except AssertionError:
            said = [n.message for n in app._notifications]
            raise AssertionError(
                f"not sent after g: {app.items[1]!r}; the console said {said}; "
                f"status: {status_line(app)}"
            ) from None
        await until(pilot, lambda: "unreachable" not in status_line(app))
    assert len(smtp_server.messages) == 1


async def test_a_reply_in_doubt_says_so_and_m_marks_it_sent_without_sending(
    dovecot: DovecotServer, imap_account: ImapAccount, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    dovecot.deliver(imap_account, LEAK)
    env = environment(imap_account, smtp_server, tmp_path, AUTO_SEND="maintenance")
    await asyncio.to_thread(kill_mid_send, env, tmp_path, smtp_server)
    settings = make_settings(imap_account, smtp_server, tmp_path, auto_send="maintenance")
    app = OperatorConsole(settings, service=Service.INLINE, retry_delay=0.01)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: state_of(app) is State.IN_DOUBT)
        await on_screen(pilot, app, State.IN_DOUBT)
        item = app.items[1]
        detail = " ".join(app.detail.text.plain.split())
        assert "In doubt: interrupted while sending" in detail
        assert "it may have gone out, and the Sent folder cannot tell" in detail
        assert item.reply_message_id in detail
        assert "m: it went out, mark it sent (no mail is sent)" in detail
        assert "g: send it again (the same message, same Message-ID)" in detail
        assert "in doubt 1" in status_line(app)

        await pilot.press("m")
        await until(pilot, lambda: state_of(app) is State.SENT)
        await pilot.pause(0.5)
    assert len(smtp_server.messages) == 1  # the one the server took before the crash
    assert dovecot.flags(imap_account, 1) == {"\\Seen", "\\Answered"}
