"""The console as a client: a service process does the mail work, operators share one store."""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from console.app import OperatorConsole
from console.service_mode import Service
from core.models import State
from core.service.assembly import open_client
from core.service.membership import pid_alive
from core.store import open_store
from tests.console.test_operator_console import LEAK, SIZE, on_screen, state_of, until
from tests.core.test_resilience import environment
from tests.support.assistant import make_settings
from tests.support.dovecot import DovecotServer, ImapAccount
from tests.support.mail import make_email
from tests.support.smtp import SmtpServer
from tests.support.stores import store_location


def serving(env: dict[str, str], cwd: Path) -> subprocess.Popen[str]:
    """A headless service, once it watches the inbox."""
    process = subprocess.Popen(
        [sys.executable, "-m", "console", "--headless"],
        env=env,
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    for line in process.stderr:
        if "inbox: idle" in line or "inbox: polling" in line:
            return process
    raise AssertionError(f"the service stopped: exit {process.wait()}")


@pytest.mark.timeout(120)
async def test_the_console_starts_a_service_does_no_mail_work_itself_and_stops_it_on_quit(
    dovecot: DovecotServer, imap_account: ImapAccount, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    dovecot.deliver(imap_account, LEAK)
    settings = make_settings(imap_account, smtp_server, tmp_path, send_delay=0)
    app = OperatorConsole(settings)  # as `python -m console` runs it
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.link is not None and app.link.started_here, 60)
        assert app.link is not None and app.link.process is not None
        service = app.link.process.pid
        await on_screen(pilot, app)  # drafted by the service, shown through the store
        await until(pilot, lambda: app.status.inbox == "idle", 20)
        await pilot.press("a")
        await until(pilot, lambda: state_of(app) is State.SENT, 20)
        assert not [w for w in app.workers if w.name == "pipeline"]
    assert len(smtp_server.messages) == 1
    assert not pid_alive(service)  # the service it started stopped with it
    store = await open_store(store_location(tmp_path))
    try:
        [row] = await store.services()
        assert row.pid == service and row.stopped
    finally:
        await store.close()
    assert "Traceback" not in (tmp_path / "service.log").read_text()


@pytest.mark.timeout(120)
async def test_a_console_attaches_to_a_running_service_and_leaves_it_running(
    dovecot: DovecotServer, imap_account: ImapAccount, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    env = environment(imap_account, smtp_server, tmp_path)
    running = await asyncio.to_thread(serving, env, tmp_path)
    try:
        app = OperatorConsole(make_settings(imap_account, smtp_server, tmp_path))
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: app.link is not None and app.link.attached is not None)
            assert app.link is not None and app.link.attached is not None
            assert app.link.attached.pid == running.pid and not app.link.started_here
            dovecot.deliver(imap_account, LEAK)
            await on_screen(pilot, app)  # the running service drafted it
        assert running.poll() is None  # still running after the console quit
    finally:
        running.send_signal(signal.SIGTERM)
        await asyncio.to_thread(running.communicate, timeout=45)
    assert running.returncode == 0


async def test_two_operators_approving_one_item_send_one_reply_and_the_second_learns_who(
    dovecot: DovecotServer, imap_account: ImapAccount, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    dovecot.deliver(imap_account, LEAK)
    ana = make_settings(imap_account, smtp_server, tmp_path, send_delay=0, operator="ana")
    ben = ana.model_copy(update={"operator": "ben"})
    app = OperatorConsole(ana, service=Service.INLINE, retry_delay=0.01)
    async with open_client(ben) as other, app.run_test(size=SIZE) as pilot:
        await on_screen(pilot, app)
        shown = app.items[1]
        # Ben opens the same message at his console: Ana's detail says so.
        await other.store.set_presence("ben", shown.id, active=True)
        await until(pilot, lambda: "ben is reading this" in app.detail.text.plain)
        # Both approve what they saw; Ben is first, and Ana's approval carries the
        # version she was shown, as her `a` key sends it.
        await other.operator.approve(shown.id, shown.version)
        worker = app.command(app.operator.approve(shown.id, shown.version), "Reply goes now.")
        await worker.wait()

        def told_who() -> bool:  # a notice is posted to the app, shown a moment later
            notices = [n.message for n in app._notifications]
            return any("changed since you saw it" in n and "(ben: approved)" in n for n in notices)

        await until(pilot, told_who, 5)
        await until(pilot, lambda: state_of(app) is State.SENT, 20)
        await until(pilot, lambda: "Approved by ben" in app.detail.text.plain)
    assert len(smtp_server.messages) == 1


@pytest.mark.timeout(120)
async def test_with_two_inboxes_the_status_line_shows_each_and_b_filters_the_queue_by_inbox(
    dovecot: DovecotServer, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    accounts = {name: dovecot.add_user() for name in ("maintenance", "office")}
    for name, account in accounts.items():
        dovecot.deliver(account, make_email("maria.gonzalez@example.com", f"For {name}"))
    mailboxes = tmp_path / "mailboxes.json"
    mailboxes.write_text(
        json.dumps(
            {
                "inboxes": [
                    {"name": name, "IMAP_USER": a.user, "IMAP_PASSWORD": a.password}
                    for name, a in accounts.items()
                ]
            }
        )
    )
    settings = make_settings(accounts["office"], smtp_server, tmp_path, mailboxes=mailboxes)
    app = OperatorConsole(settings)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: len(app.items) == 2, 60)
        await until(
            pilot, lambda: inbox_states(app) == {"maintenance": "idle", "office": "idle"}, 30
        )
        status = str(app.query_one("#status").render())
        assert "maintenance: idle" in status and "office: idle" in status
        assert app.queue.row_count == 2
        await pilot.press("b")
        await until(pilot, lambda: app.queue.row_count == 1)
        assert inbox_shown(app) == "maintenance"
        await pilot.press("b")
        await until(pilot, lambda: inbox_shown(app) == "office")
        assert app.queue.row_count == 1
        await pilot.press("b")
        await until(pilot, lambda: app.queue.row_count == 2)


def inbox_shown(app: OperatorConsole) -> str | None:
    """The inbox of the item under the cursor."""
    selected = app.queue.selected_id
    return app.items[selected].key.inbox if selected is not None else None


def inbox_states(app: OperatorConsole) -> dict[str, str]:
    """Each inbox's status, as the status line shows it."""
    return {name: status for name, (status, _) in app.status.inboxes.items()}
