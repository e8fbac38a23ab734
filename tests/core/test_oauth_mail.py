"""Signing in to IMAP and SMTP by OAuth 2.0 token, and each way it can go wrong."""

from __future__ import annotations

import asyncio
import json
import socket
import stat
import time
from datetime import date
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from core.config import Settings
from core.errors import AuthError, SignInRequired
from core.mail.oauth import oauth_app
from core.mail.tokens import TokenSource, token_store
from core.service.assembly import build_inbox_factory, build_sender, build_token_source
from tests.support.assistant import oauth_settings, store_sign_in
from tests.support.dovecot import DovecotServer, ImapAccount
from tests.support.mail import make_email
from tests.support.oauth import TokenServer
from tests.support.smtp import SmtpServer


def settings_for(
    account: ImapAccount, smtp: SmtpServer, tokens: TokenServer, output: Path, **extra: Any
) -> Settings:
    return oauth_settings(account, smtp, tokens, output, **extra)


def reply_to(user: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = user
    message["To"] = "tenant@example.com"
    message["Subject"] = "Re: heating"
    message.set_content("We will come by tomorrow.")
    return message


async def unseen(inbox: Any) -> list[int]:
    found: list[int] = await inbox.unseen_since(date(2000, 1, 1))
    return found


@pytest.mark.parametrize("server", ["dovecot_oauth", "dovecot_xoauth2_only"])
async def test_the_inbox_signs_in_by_token_with_the_mechanism_offered(
    server: str,
    request: pytest.FixtureRequest,
    token_server: TokenServer,
    smtp_server_oauth: SmtpServer,
    tmp_path: Path,
) -> None:
    dovecot: DovecotServer = request.getfixturevalue(server)
    account = dovecot.add_user()
    uid = await asyncio.to_thread(
        dovecot.deliver, account, make_email("t@example.com", "Heat", "No heat.")
    )
    settings = settings_for(account, smtp_server_oauth, token_server, tmp_path)
    store_sign_in(settings, token_server.issue(account.user))
    inbox = build_inbox_factory(settings, build_token_source(settings))()
    await inbox.connect()
    try:
        assert await unseen(inbox) == [uid]
    finally:
        await inbox.close()
    # No password was needed, and the token did not have to be renewed.
    assert not settings.imap_password.get_secret_value()


async def test_a_token_refused_by_imap_is_renewed_once_and_the_new_one_kept(
    oauth_account: ImapAccount,
    token_server: TokenServer,
    smtp_server_oauth: SmtpServer,
    tmp_path: Path,
) -> None:
    settings = settings_for(oauth_account, smtp_server_oauth, token_server, tmp_path)
    first = token_server.issue(oauth_account.user)
    path = store_sign_in(settings, first)
    token_server.expire_access_tokens(oauth_account.user)  # the client cannot know
    refreshes = token_server.grants["refresh_token"]
    inbox = build_inbox_factory(settings, build_token_source(settings))()
    await inbox.connect()
    await inbox.close()
    assert token_server.grants["refresh_token"] == refreshes + 1
    kept = json.loads(path.read_text())["token"]
    assert kept["refresh_token"] != first["refresh_token"]  # rotated, and the new one saved
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


async def test_a_token_about_to_expire_is_renewed_before_use(
    oauth_account: ImapAccount,
    token_server: TokenServer,
    smtp_server_oauth: SmtpServer,
    tmp_path: Path,
) -> None:
    settings = settings_for(oauth_account, smtp_server_oauth, token_server, tmp_path)
    store_sign_in(settings, token_server.issue(oauth_account.user))
    later = TokenSource(
        oauth_app(settings),
        token_store(settings.output_dir),
        clock=lambda: time.time() + 3590,  # ten seconds before the hour is up
    )
    refused, refreshes = token_server.refusals, token_server.grants["refresh_token"]
    inbox = build_inbox_factory(settings, later)()
    await inbox.connect()
    await inbox.close()
    assert token_server.grants["refresh_token"] == refreshes + 1
    assert token_server.refusals == refused  # renewed before any server had to refuse it


async def test_smtp_renews_a_refused_token_and_sends_once(
    oauth_account: ImapAccount,
    token_server: TokenServer,
    smtp_server_oauth: SmtpServer,
    tmp_path: Path,
) -> None:
    settings = settings_for(oauth_account, smtp_server_oauth, token_server, tmp_path)
    store_sign_in(settings, token_server.issue(oauth_account.user))
    token_server.expire_access_tokens(oauth_account.user)
    sender = build_sender(settings, build_token_source(settings))
    try:
        assert await sender.send(reply_to(oauth_account.user)) == {}
    finally:
        await sender.aclose()
    assert len(smtp_server_oauth.messages) == 1


async def test_without_a_stored_sign_in_the_line_says_to_log_in(
    oauth_account: ImapAccount,
    token_server: TokenServer,
    smtp_server_oauth: SmtpServer,
    tmp_path: Path,
) -> None:
    settings = settings_for(oauth_account, smtp_server_oauth, token_server, tmp_path)
    asked = token_server.requests["/token"]
    inbox = build_inbox_factory(settings, build_token_source(settings))()
    with pytest.raises(SignInRequired, match="run python -m console login"):
        await inbox.connect()
    sender = build_sender(settings, build_token_source(settings))
    with pytest.raises(SignInRequired, match="not signed in"):
        await sender.send(reply_to(oauth_account.user))
    assert token_server.requests["/token"] == asked and not smtp_server_oauth.messages


async def test_a_revoked_sign_in_is_reported_once_and_not_retried(
    oauth_account: ImapAccount,
    token_server: TokenServer,
    smtp_server_oauth: SmtpServer,
    tmp_path: Path,
) -> None:
    settings = settings_for(oauth_account, smtp_server_oauth, token_server, tmp_path)
    store_sign_in(settings, token_server.issue(oauth_account.user))
    token_server.revoke(oauth_account.user)
    tokens = build_token_source(settings)
    inbox = build_inbox_factory(settings, tokens)()
    with pytest.raises(SignInRequired) as refused:
        await inbox.connect()
    assert "invalid_grant" in str(refused.value)
    assert str(refused.value).endswith("run python -m console login")
    asked = token_server.requests["/token"]
    for _ in range(3):  # later attempts do not ask the provider again
        with pytest.raises(SignInRequired):
            await build_inbox_factory(settings, tokens)().connect()
    assert token_server.requests["/token"] == asked


async def test_a_token_the_server_refuses_is_reported_in_its_words(
    oauth_account: ImapAccount,
    dovecot_oauth: DovecotServer,
    token_server: TokenServer,
    smtp_server_oauth: SmtpServer,
    tmp_path: Path,
) -> None:
    someone_else = dovecot_oauth.add_user()
    settings = settings_for(oauth_account, smtp_server_oauth, token_server, tmp_path)
    store_sign_in(settings, token_server.issue(someone_else.user))  # signed in as another
    inbox = build_inbox_factory(settings, build_token_source(settings))()
    with pytest.raises(AuthError) as refused:
        await inbox.connect()
    assert not isinstance(refused.value, SignInRequired) and not refused.value.retryable
    assert f"IMAP refused the token for {oauth_account.user}" in str(refused.value)
    assert "AUTHENTICATIONFAILED" in str(refused.value)  # Dovecot's own words
    sender = build_sender(settings, build_token_source(settings))
    with pytest.raises(AuthError, match=r"SMTP refused the token .* 535 5\.7\.3"):
        await sender.send(reply_to(oauth_account.user))


async def test_an_unreachable_token_endpoint_is_a_connection_failure(
    oauth_account: ImapAccount,
    token_server: TokenServer,
    smtp_server_oauth: SmtpServer,
    tmp_path: Path,
) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}/token"
    settings = settings_for(
        oauth_account, smtp_server_oauth, token_server, tmp_path, oauth_token_url=closed
    )
    token = token_server.issue(oauth_account.user)
    token["expires_in"], token["expires_at"] = 3600, time.time() - 1  # must be renewed
    store_sign_in(settings, token)
    inbox = build_inbox_factory(settings, build_token_source(settings))()
    with pytest.raises(AuthError) as failed:
        await inbox.connect()
    assert failed.value.retryable
    assert str(failed.value).startswith(f"cannot reach the token endpoint {closed}")
