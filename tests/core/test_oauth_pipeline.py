"""The whole pipeline signed in by OAuth 2.0: mail, replies and flags, and sign-in trouble."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import urllib.request
from collections.abc import Callable
from pathlib import Path

from core.config import Settings
from core.events import Event, InboxStatusChanged
from core.mail.oauth import oauth_app
from core.mail.signin import sign_in
from core.mail.tokens import token_store
from core.models import State
from tests.support.assistant import DATA_DIR, OFFICE, assistant, oauth_settings, run_once
from tests.support.assistant import store_sign_in as remember
from tests.support.dovecot import DovecotServer, ImapAccount
from tests.support.mail import make_email
from tests.support.oauth import TokenServer
from tests.support.smtp import SmtpServer
from tests.support.stores import store_environment

ROOT = Path(__file__).resolve().parents[2]
LEAK = make_email("maria.gonzalez@example.com", "Sink leaking", "The kitchen sink is leaking.")
DISHWASHER = make_email("emily.chen@example.com", "Dishwasher broken", "It will not drain.")


async def wait_for(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.05)


async def test_fetch_reply_and_flags_on_tokens_alone(
    dovecot_oauth: DovecotServer,
    oauth_account: ImapAccount,
    token_server: TokenServer,
    smtp_server_oauth: SmtpServer,
    tmp_path: Path,
) -> None:
    uid = dovecot_oauth.deliver(oauth_account, LEAK)
    settings = oauth_settings(
        oauth_account, smtp_server_oauth, token_server, tmp_path, auto_send="maintenance"
    )
    remember(settings, token_server.issue(oauth_account.user))
    counts = await run_once(settings)
    assert counts == {State.SENT: 1}
    [mail] = smtp_server_oauth.messages
    assert mail.message["Subject"] == "Re: Sink leaking [#1]"
    assert dovecot_oauth.flags(oauth_account, uid) == {"\\Seen", "\\Answered"}


async def test_a_token_expiring_mid_run_is_renewed_without_losing_or_doubling_a_reply(
    dovecot_oauth: DovecotServer,
    oauth_account: ImapAccount,
    token_server: TokenServer,
    smtp_server_oauth: SmtpServer,
    tmp_path: Path,
) -> None:
    settings = oauth_settings(
        oauth_account, smtp_server_oauth, token_server, tmp_path, auto_send="maintenance"
    )
    remember(settings, token_server.issue(oauth_account.user))
    refreshes = token_server.grants["refresh_token"]
    async with assistant(settings) as opened:
        stop = asyncio.Event()
        running = asyncio.create_task(opened.pipeline.run(stop))
        await asyncio.to_thread(dovecot_oauth.deliver, oauth_account, LEAK)
        await smtp_server_oauth.wait_for_async(1, timeout=10)
        # The hour is up: the provider ends the sessions and refuses the old token.
        token_server.expire_access_tokens(oauth_account.user)
        await asyncio.to_thread(dovecot_oauth.kick, oauth_account)
        smtp_server_oauth.disconnect_all()
        await asyncio.to_thread(dovecot_oauth.deliver, oauth_account, DISHWASHER)
        await smtp_server_oauth.wait_for_async(2, timeout=15)
        await asyncio.sleep(0.5)  # time enough for a double to show up
        stop.set()
        await asyncio.wait_for(running, 10)
        items = await opened.store.items()
    assert token_server.grants["refresh_token"] > refreshes
    assert [m.message["Subject"] for m in smtp_server_oauth.messages] == [
        "Re: Sink leaking [#1]",
        "Re: Dishwasher broken [#2]",
    ]
    assert [item.state for item in items] == [State.SENT, State.SENT]


async def test_a_revoked_sign_in_pauses_everything_until_login_and_loses_nothing(
    dovecot_oauth: DovecotServer,
    oauth_account: ImapAccount,
    token_server: TokenServer,
    smtp_server_oauth: SmtpServer,
    tmp_path: Path,
) -> None:
    settings = oauth_settings(
        oauth_account, smtp_server_oauth, token_server, tmp_path, auto_send="maintenance"
    )
    remember(settings, token_server.issue(oauth_account.user))
    statuses: list[InboxStatusChanged] = []

    def note(event: Event) -> None:
        if isinstance(event, InboxStatusChanged):
            statuses.append(event)

    async with assistant(settings) as opened:
        opened.bus.add_callback(note)
        stop = asyncio.Event()
        running = asyncio.create_task(opened.pipeline.run(stop))
        await asyncio.to_thread(dovecot_oauth.deliver, oauth_account, LEAK)
        await smtp_server_oauth.wait_for_async(1, timeout=10)
        # An administrator revokes the sign-in; the next reply cannot sign in to SMTP.
        token_server.revoke(oauth_account.user)
        smtp_server_oauth.disconnect_all()
        await asyncio.to_thread(dovecot_oauth.deliver, oauth_account, DISHWASHER)
        await wait_for(lambda: any(s.status == "signed out" for s in statuses))
        [signed_out] = [s for s in statuses if s.status == "signed out"]
        assert "refused the stored sign-in (invalid_grant" in signed_out.detail
        assert signed_out.detail.endswith("run python -m console login")
        asked = token_server.requests["/token"]
        await asyncio.sleep(1.5)
        assert token_server.requests["/token"] == asked  # waiting, not retrying
        waiting = (await opened.store.items())[1]
        assert waiting.state is State.APPROVED and len(smtp_server_oauth.messages) == 1

        await log_in_again(settings)
        await smtp_server_oauth.wait_for_async(2, timeout=10)
        await wait_for(lambda: statuses[-1].status == "idle")
        stop.set()
        await asyncio.wait_for(running, 10)
        items = await opened.store.items()
    assert [m.message["Subject"] for m in smtp_server_oauth.messages] == [
        "Re: Sink leaking [#1]",
        "Re: Dishwasher broken [#2]",
    ]
    assert [item.state for item in items] == [State.SENT, State.SENT]


async def log_in_again(settings: Settings) -> None:
    """`python -m console login` in another terminal: the device-code flow, code entered."""
    lines: list[str] = []
    store = token_store(settings.output_dir)
    login = asyncio.create_task(sign_in(oauth_app(settings), store, say=lines.append))
    await wait_for(lambda: bool(lines))
    prompt = re.search(r"open the page (\S+) and enter the code (\w+)", lines[0])
    assert prompt is not None
    page, code = prompt.groups()
    await asyncio.to_thread(urllib.request.urlopen, f"{page}?user_code={code}")
    await asyncio.wait_for(login, 10)


def headless(
    args: list[str], settings_env: dict[str, str], cwd: Path
) -> subprocess.CompletedProcess[str]:
    env = {"PATH": os.environ["PATH"], "PYTHONPATH": str(ROOT), **settings_env}
    return subprocess.run(
        [sys.executable, "-m", "console", "--headless", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )


def oauth_env(
    account: ImapAccount, smtp: SmtpServer, tokens: TokenServer, output: Path
) -> dict[str, str]:
    return {
        "IMAP_HOST": account.host,
        "IMAP_PORT": str(account.port),
        "IMAP_USER": account.user,
        "IMAP_SECURITY": "none",
        "SMTP_HOST": smtp.host,
        "SMTP_PORT": str(smtp.port),
        "SMTP_USER": account.user,
        "SMTP_SECURITY": "none",
        "MAIL_FROM": OFFICE,
        "MAIL_AUTH": "oauth2",
        "OAUTH_PROVIDER": "generic",
        "OAUTH_CLIENT_ID": tokens.client_id,
        "OAUTH_TOKEN_URL": tokens.token_url,
        "OAUTH_DEVICE_URL": tokens.device_url,
        "OAUTH_SCOPES": "mail offline",
        "DATA_DIR": str(DATA_DIR),
        "OUTPUT_DIR": str(output),
        "LLM_PROVIDER": "offline",
        **store_environment(output),
    }


def test_headless_without_a_sign_in_exits_with_the_line_to_act_on(
    dovecot_oauth: DovecotServer,
    oauth_account: ImapAccount,
    token_server: TokenServer,
    smtp_server_oauth: SmtpServer,
    tmp_path: Path,
) -> None:
    dovecot_oauth.deliver(oauth_account, LEAK)
    env = oauth_env(oauth_account, smtp_server_oauth, token_server, tmp_path)
    result = headless(["--once"], env, tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "error (auth): not signed in to the OAuth provider: run python -m console login"
    ]


def test_headless_service_stops_when_the_sign_in_is_revoked(
    dovecot_oauth: DovecotServer,
    oauth_account: ImapAccount,
    token_server: TokenServer,
    smtp_server_oauth: SmtpServer,
    tmp_path: Path,
) -> None:
    dovecot_oauth.deliver(oauth_account, LEAK)
    settings = oauth_settings(oauth_account, smtp_server_oauth, token_server, tmp_path)
    remember(settings, token_server.issue(oauth_account.user))
    token_server.revoke(oauth_account.user)
    result = headless(
        [], oauth_env(oauth_account, smtp_server_oauth, token_server, tmp_path), tmp_path
    )
    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("error (auth): the OAuth provider refused the stored sign-in")
    assert last.endswith("run python -m console login")
    assert not smtp_server_oauth.messages
