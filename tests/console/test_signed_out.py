"""The console while the mailbox is signed out (MAIL_AUTH=oauth2): said once, then resumed."""

from __future__ import annotations

import asyncio
import re
import urllib.request
from pathlib import Path

from textual.widgets import Static

from console.app import OperatorConsole
from console.service_mode import Service
from core.mail.oauth import oauth_app
from core.mail.signin import sign_in
from core.mail.tokens import token_store
from core.models import State
from tests.console.test_operator_console import LEAK, SIZE, as_text, until
from tests.support.assistant import oauth_settings
from tests.support.dovecot import DovecotServer, ImapAccount
from tests.support.oauth import TokenServer
from tests.support.smtp import SmtpServer


async def test_signed_out_shows_one_notice_and_resumes_after_login_without_a_restart(
    dovecot_oauth: DovecotServer,
    oauth_account: ImapAccount,
    token_server: TokenServer,
    smtp_server_oauth: SmtpServer,
    tmp_path: Path,
) -> None:
    dovecot_oauth.deliver(oauth_account, LEAK)
    settings = oauth_settings(
        oauth_account, smtp_server_oauth, token_server, tmp_path, auto_send="maintenance"
    )
    app = OperatorConsole(settings, service=Service.INLINE, retry_delay=0.01)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.status.inbox == "signed out")
        status = as_text(app.query_one("#status", Static).content)
        assert "inbox: signed out" in status and "run python -m console login" in status
        notices = [n for n in app._notifications if n.title == "Signed out"]
        assert [n.message for n in notices] == [
            "not signed in to the OAuth provider: run python -m console login"
        ]
        await pilot.pause(1.2)  # still one notice: waiting is not retrying
        assert len([n for n in app._notifications if n.title == "Signed out"]) == 1

        lines: list[str] = []  # `python -m console login` in another terminal
        store = token_store(settings.output_dir)
        login = asyncio.create_task(sign_in(oauth_app(settings), store, say=lines.append))
        await until(pilot, lambda: bool(lines))
        prompt = re.search(r"open the page (\S+) and enter the code (\w+)", lines[0])
        assert prompt is not None
        await asyncio.to_thread(urllib.request.urlopen, "{}?user_code={}".format(*prompt.groups()))
        await asyncio.wait_for(login, 10)

        await until(pilot, lambda: any(i.state is State.SENT for i in app.items.values()))
        # The service's status reaches the console through the store, a moment later.
        await until(pilot, lambda: app.status.inbox in ("idle", "polling"))
        await pilot.pause(0.5)  # let the last frames settle before the app closes
    [mail] = smtp_server_oauth.messages
    assert mail.message["Subject"] == "Re: Kitchen sink leaking [#1]"
