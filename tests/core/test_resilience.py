"""Crashes, restarts, TLS and the command line: what an operator relies on."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from core.errors import InboxError
from core.models import Item, State
from core.store import open_store
from tests.support import stores
from tests.support.assistant import DATA_DIR, OFFICE, assistant, make_settings, run_once
from tests.support.cli import cli
from tests.support.dovecot import DovecotServer, ImapAccount
from tests.support.llm import Hang, LlmServer, Reply
from tests.support.mail import make_email
from tests.support.oauth import TokenServer
from tests.support.smtp import SmtpServer
from tests.support.stores import store_location
from tests.support.tls import LocalhostCertificate

ROOT = Path(__file__).resolve().parents[2]
TENANTS = [t["email"] for t in json.loads((DATA_DIR / "tenants.json").read_text())]
API_KEY = "sk-secret-api-key-123"


def environment(imap: ImapAccount, smtp: SmtpServer, output: Path, **extra: str) -> dict[str, str]:
    env = {
        "PATH": os.environ["PATH"],
        "PYTHONPATH": str(ROOT),
        "IMAP_HOST": imap.host,
        "IMAP_PORT": str(imap.port),
        "IMAP_USER": imap.user,
        "IMAP_PASSWORD": imap.password,
        "IMAP_SECURITY": "none",
        "SMTP_HOST": smtp.host,
        "SMTP_PORT": str(smtp.port),
        "SMTP_USER": smtp.user or "",
        "SMTP_PASSWORD": smtp.password or "",
        "SMTP_SECURITY": "none",
        "MAIL_FROM": OFFICE,
        "DATA_DIR": str(DATA_DIR),
        "OUTPUT_DIR": str(output),
        "LLM_PROVIDER": "offline",
    }
    env.update(stores.store_environment(output))
    env.update(extra)
    return env


async def stored_items(location: Path | str) -> list[Item]:
    """Every item in the store at a path (SQLite) or a URL (PostgreSQL), read apart."""
    store = await open_store(location)
    try:
        return await store.items()
    finally:
        await store.close()


def slow_draft(request: dict[str, Any]) -> Any:
    return Hang(
        0.3,
        then=Reply(
            {
                "intent": "maintenance",
                "confidence": 0.9,
                "emergency": False,
                "summary": "repair",
                "reply": "Hi, our maintenance team will contact you.",
                "ticket": None,
                "questions": [],
            }
        ),
    )


def test_killed_mid_run_every_message_is_answered_exactly_once(
    dovecot: DovecotServer,
    imap_account: ImapAccount,
    smtp_server: SmtpServer,
    llm_server: LlmServer,
    tmp_path: Path,
) -> None:
    originals = []
    for n, sender in enumerate(TENANTS[:6]):
        message_id = f"<crash-{n}@mail.example.com>"
        raw = make_email(sender, f"Repair {n}", "The radiator is broken.", message_id=message_id)
        dovecot.deliver(imap_account, raw)
        originals.append(message_id)
    llm_server.default = slow_draft
    env = environment(
        imap_account,
        smtp_server,
        tmp_path,
        LLM_PROVIDER="openai",
        OPENAI_BASE_URL=llm_server.base_url,
        OPENAI_API_KEY=API_KEY,
        AUTO_SEND="maintenance",
        CONCURRENCY="1",
        IMAP_SENT_MAILBOX="Sent",
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "console", "--headless"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        smtp_server.wait_for(2, timeout=30)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(10)
    before = len(smtp_server.messages)
    assert before < len(originals), "the run should have been cut short"

    result = cli(["--headless", "--once"], env, tmp_path)

    assert result.returncode == 0, result.stderr
    replies = [m.message["In-Reply-To"] for m in smtp_server.messages]
    assert sorted(replies) == sorted(originals)  # every message answered, none twice
    items = asyncio.run(stored_items(store_location(tmp_path)))
    for item in items:
        if item.state is State.IN_DOUBT:  # killed between SMTP and the store: a person checks
            assert item.error.startswith("interrupted while sending")
            assert item.reply_message_id in item.error
        else:
            assert item.state is State.SENT
            assert dovecot.flags(imap_account, item.key.uid) == {"\\Seen", "\\Answered"}
    assert sum(item.state is State.IN_DOUBT for item in items) <= 1


def test_graceful_stop_on_sigterm(
    dovecot: DovecotServer, imap_account: ImapAccount, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    env = environment(imap_account, smtp_server, tmp_path)
    process = subprocess.Popen(
        [sys.executable, "-m", "console", "--headless"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    seen = []
    for line in process.stderr:  # serving once the inbox is watched
        seen.append(line)
        if "inbox: idle" in line or "inbox: polling" in line:
            break
    process.send_signal(signal.SIGTERM)
    _, rest = process.communicate(timeout=20)
    assert process.returncode == 0
    assert "Traceback" not in "".join(seen) + rest


async def test_restart_resumes_what_was_left_half_done(
    dovecot: DovecotServer, imap_account: ImapAccount, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    message = make_email(TENANTS[0], "Heater", "The heater is broken.")
    dovecot.deliver(imap_account, message)
    settings = make_settings(imap_account, smtp_server, tmp_path, auto_send="maintenance")
    async with assistant(settings) as opened:  # fetched and recorded, then "crashed"
        inbox = opened.pipeline.inbox_factory()
        await inbox.connect()
        await opened.pipeline.mailbox.discover(inbox)
        await inbox.close()
        assert await opened.store.counts() == {State.NEW: 1}
    counts = await run_once(settings)
    assert counts == {State.SENT: 1}
    assert len(smtp_server.messages) == 1


async def test_tls_everywhere(
    dovecot: DovecotServer,
    imap_account: ImapAccount,
    smtp_server_tls: SmtpServer,
    smtp_server_starttls: SmtpServer,
    trust_tls_cert: LocalhostCertificate,
    tmp_path: Path,
) -> None:
    dovecot.deliver(imap_account, make_email(TENANTS[0], "Leak", "The sink is leaking."))
    implicit = make_settings(
        imap_account,
        smtp_server_tls,
        tmp_path / "a",
        auto_send="maintenance",
        imap_security="ssl",
        imap_port=imap_account.ssl_port,
        smtp_security="ssl",
    )
    assert await run_once(implicit) == {State.SENT: 1}
    assert len(smtp_server_tls.messages) == 1

    dovecot.deliver(imap_account, make_email(TENANTS[1], "Drip", "The tap drips, please fix."))
    upgraded = make_settings(
        imap_account,
        smtp_server_starttls,
        tmp_path / "b",
        auto_send="maintenance",
        imap_security="starttls",
        smtp_security="starttls",
    )
    assert await run_once(upgraded) == {State.SENT: 1}
    assert len(smtp_server_starttls.messages) == 1


def test_once_prints_one_summary_line(
    dovecot: DovecotServer, imap_account: ImapAccount, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    dovecot.deliver(imap_account, make_email(TENANTS[0], "Leak", "The sink is leaking."))
    dovecot.deliver(imap_account, make_email("x@example.net", "Hi", "Who are you?"))
    env = environment(imap_account, smtp_server, tmp_path, AUTO_SEND="maintenance")
    result = cli(["--headless", "--once"], env, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "2 messages (2 new): sent=1 skipped=0 awaiting_review=1 answered_elsewhere=0 failed=0 "
        "dismissed=0"
        " | follow-ups=0 tickets updated=0"
    )
    again = cli(["--headless", "--once"], env, tmp_path)  # nothing new: nothing twice
    assert again.stdout.strip() == (
        "2 messages (0 new): sent=1 skipped=0 awaiting_review=1 answered_elsewhere=0 failed=0 "
        "dismissed=0"
        " | follow-ups=0 tickets updated=0"
    )
    assert len(smtp_server.messages) == 1


def test_wrong_password_is_one_clear_line(
    imap_account: ImapAccount, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    env = environment(imap_account, smtp_server, tmp_path, IMAP_PASSWORD="wrong")
    result = cli(["--headless", "--once"], env, tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert f"error (inbox): IMAP login refused for {imap_account.user}" in result.stderr


def test_unreachable_server_is_one_clear_line(smtp_server: SmtpServer, tmp_path: Path) -> None:
    nowhere = ImapAccount(
        host="127.0.0.1", port=9, ssl_port=9, user="nobody@example.com", password="x"
    )  # port 9 (discard) is closed on loopback
    env = environment(nowhere, smtp_server, tmp_path)
    result = cli(["--headless", "--once"], env, tmp_path)
    assert result.returncode == 1
    assert "error (inbox): cannot connect to 127.0.0.1:9" in result.stderr
    assert "Traceback" not in result.stderr


def test_secrets_never_reach_logs_store_or_files(
    dovecot: DovecotServer,
    imap_account: ImapAccount,
    smtp_server: SmtpServer,
    llm_server: LlmServer,
    tmp_path: Path,
) -> None:
    dovecot.deliver(imap_account, make_email(TENANTS[0], "Leak", "The sink is leaking."))
    llm_server.default = slow_draft
    env = environment(
        imap_account,
        smtp_server,
        tmp_path,
        LLM_PROVIDER="openai",
        AUTO_SEND="maintenance",
        OPENAI_BASE_URL=llm_server.base_url,
        OPENAI_API_KEY=API_KEY,
    )
    result = cli(["--headless", "--once"], env, tmp_path)
    assert result.returncode == 0, result.stderr
    secrets = [imap_account.password, smtp_server.password or "", API_KEY]
    written = [p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()]
    for secret in secrets:
        assert secret and secret not in result.stdout + result.stderr
        assert all(secret.encode() not in blob for blob in written)
    assert len(smtp_server.messages) == 1


def test_oauth_secrets_never_reach_logs_store_or_files(
    dovecot_oauth: DovecotServer,
    oauth_account: ImapAccount,
    token_server: TokenServer,
    smtp_server_oauth: SmtpServer,
    tmp_path: Path,
) -> None:
    """Refresh and access tokens and the client secret live in the token file alone."""
    dovecot_oauth.deliver(oauth_account, make_email(TENANTS[0], "Leak", "The sink is leaking."))
    client_secret = "client-secret-for-the-test-app"
    token = token_server.issue(oauth_account.user)
    token["expires_in"], token["expires_at"] = 3600, 0  # expired: the run must renew it
    env = environment(
        oauth_account,
        smtp_server_oauth,
        tmp_path,
        IMAP_PASSWORD="",
        SMTP_USER=oauth_account.user,
        SMTP_PASSWORD="",
        AUTO_SEND="maintenance",
        MAIL_AUTH="oauth2",
        OAUTH_PROVIDER="generic",
        OAUTH_CLIENT_ID=token_server.client_id,
        OAUTH_CLIENT_SECRET=client_secret,
        OAUTH_TOKEN_URL=token_server.token_url,
        OAUTH_DEVICE_URL=token_server.device_url,
        OAUTH_SCOPES="mail",
    )
    token_file = tmp_path / "oauth-token.json"
    token_file.write_text(
        json.dumps(
            {
                "provider": "generic",
                "client_id": token_server.client_id,
                "token_url": token_server.token_url,
                "token": token,
            }
        )
    )
    token_server.client_secret = client_secret
    try:
        result = cli(["--headless", "--once"], env, tmp_path)
    finally:
        token_server.client_secret = ""
    assert result.returncode == 0, result.stderr
    assert len(smtp_server_oauth.messages) == 1
    stored = json.loads(token_file.read_text())["token"]
    assert stored["refresh_token"] != token["refresh_token"]  # renewed during the run
    assert oct(token_file.stat().st_mode & 0o777) == oct(0o600)
    secrets = [*token_server.secrets_issued(), token["access_token"], token["refresh_token"]]
    written = [p.read_bytes() for p in tmp_path.rglob("*") if p.is_file() and p != token_file]
    for secret in [*secrets, client_secret]:
        assert secret not in result.stdout + result.stderr
        assert all(secret.encode() not in blob for blob in written)
    assert client_secret not in token_file.read_text()


async def wait_then_look(inbox: Any) -> tuple[float, list[int]]:
    """How long the inbox's next wait (at most 20 s) took, and the unseen mail after it."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    await inbox.wait_for_change(20.0, asyncio.Event())
    waited = loop.time() - started
    return waited, await inbox.unseen_since(date(2000, 1, 1))


async def test_mail_arriving_while_another_command_runs_is_not_slept_through(
    dovecot: DovecotServer, imap_account: ImapAccount, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    """The server announces new mail once, in the answer to whatever command is running
    (here the flags the assistant files on an answered email); IDLE does not repeat it.
    The next wait must end at once, not when IDLE is renewed half an hour later."""
    dovecot.deliver(imap_account, make_email(TENANTS[0], "Heater", "The heater is broken."))
    settings = make_settings(imap_account, smtp_server, tmp_path)
    async with assistant(settings) as opened:
        inbox = opened.pipeline.inbox_factory()
        await inbox.connect()
        try:
            [first] = await inbox.unseen_since(date(2000, 1, 1))
            dovecot.deliver(imap_account, make_email(TENANTS[1], "Tap", "The tap drips."))
            await inbox.add_flags([first], ["\\Answered"])  # the announcement comes here
            waited, found = await wait_then_look(inbox)
        finally:
            await inbox.close()
    assert waited < 10.0  # at once: IDLE alone would have waited the whole 20 s
    assert len(found) == 2


async def test_a_listener_that_fails_does_not_fail_the_reply(
    dovecot: DovecotServer, imap_account: ImapAccount, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    """Events are published after their change is committed: a listener's bug (a
    console, a log line) is said in the log and the reply still goes out once."""
    dovecot.deliver(imap_account, make_email(TENANTS[0], "Heater", "The heater is broken."))
    settings = make_settings(imap_account, smtp_server, tmp_path, auto_send="maintenance")

    def broken(event: object) -> None:
        raise RuntimeError("a listener's bug")

    async with assistant(settings) as opened:
        opened.bus.add_callback(broken)
        counts = await opened.run_once()
    assert counts == {State.SENT: 1}
    assert len(smtp_server.messages) == 1


async def test_mail_announced_at_the_end_of_a_search_is_looked_for_again(
    dovecot: DovecotServer, imap_account: ImapAccount, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    """Dovecot announces mail it noticed during a search at the end of that search's
    answer, without it in the result. On a server without IDLE (polling), the next
    wait ends at once and finds it, not a poll interval later."""
    dovecot.deliver(imap_account, make_email(TENANTS[0], "Heater", "The heater is broken."))
    settings = make_settings(imap_account, smtp_server, tmp_path)
    async with assistant(settings) as opened:
        inbox = opened.pipeline.inbox_factory()
        await inbox.connect()
        inbox.supports_idle = False  # as a server without IDLE: polling
        try:
            await inbox.unseen_since(date(2000, 1, 1))
            dovecot.deliver(imap_account, make_email(TENANTS[1], "Tap", "The tap drips."))
            await inbox.unseen_since(date(2000, 1, 1))  # the announcement comes here
            waited, found = await wait_then_look(inbox)
        finally:
            await inbox.close()
    assert waited < 10.0  # at once: the poll interval here is 20 s
    assert len(found) == 2


async def test_a_connection_dropped_as_idle_starts_is_noticed_at_once(
    dovecot: DovecotServer, imap_account: ImapAccount, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    """The server ends the session (a restart, an expired sign-in) just as the
    assistant goes idle: the loss is read only after IDLE was sent, and IDLE's
    go-ahead never comes. The wait must end with a reconnectable error, not hang."""
    settings = make_settings(imap_account, smtp_server, tmp_path)
    async with assistant(settings) as opened:
        inbox = opened.pipeline.inbox_factory()
        await inbox.connect()
        try:
            assert dovecot.kick(imap_account)
            # Block the loop: the goodbye waits unread until the loop runs, after IDLE.
            time.sleep(0.5)  # noqa: ASYNC251
            with pytest.raises(InboxError) as raised:
                await asyncio.wait_for(inbox.wait_for_change(20.0, asyncio.Event()), 10.0)
        finally:
            await inbox.close()
    assert raised.value.retryable
