"""Self-tests of the loopback test servers in tests/support and their fixtures."""

from __future__ import annotations

import asyncio
import imaplib
import ssl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timezone
from email.message import EmailMessage
from typing import Any

import aioimaplib
import aiosmtplib
import openai
import pydantic
import pytest

from tests.support.dovecot import DovecotServer, ImapAccount
from tests.support.llm import Hang, LlmServer, RawContent, Reply, Status, Truncated
from tests.support.smtp import SmtpServer
from tests.support.tls import LocalhostCertificate

# -- Dovecot -----------------------------------------------------------------


def _raw_mail(subject: str) -> bytes:
    return (
        f"From: tenant@example.org\r\nTo: office@example.com\r\n"
        f"Subject: {subject}\r\nMessage-ID: <{subject}@example.org>\r\n\r\nHello\r\n"
    ).encode()


@asynccontextmanager
async def _imap_session(
    account: ImapAccount, *, tls: bool = False
) -> AsyncIterator[tuple[aioimaplib.IMAP4, asyncio.Event]]:
    """A logged-in aioimaplib client and an event set when its connection is lost.

    On exit it logs out (unless already disconnected) and waits until the
    connection is really closed: aioimaplib leaves a TLS transport open after
    LOGOUT, which ``filterwarnings = error`` reports as a ResourceWarning at
    some later garbage collection.  IMAP4_SSL takes no ``conn_lost_cb``, so
    TLS goes through IMAP4 with a default context (which honours SSL_CERT_FILE).
    """
    lost = asyncio.Event()
    client = aioimaplib.IMAP4(
        account.host,
        account.ssl_port if tls else account.port,
        conn_lost_cb=lambda _error: lost.set(),
        ssl_context=ssl.create_default_context() if tls else None,
    )
    await client.wait_hello_from_server()
    try:
        response = await client.login(account.user, account.password)
        assert response.result == "OK", response
        yield client, lost
    finally:
        transport = client.protocol.transport
        if not transport.is_closing():
            await client.logout()
        transport.close()
        await asyncio.wait_for(lost.wait(), timeout=5)


async def _unseen_uids(client: aioimaplib.IMAP4) -> list[int]:
    assert (await client.select("INBOX")).result == "OK"
    response = await client.uid_search("UNSEEN", charset=None)
    assert response.result == "OK", response
    # aioimaplib strips "* SEARCH": the first line holds only the UIDs.
    return [int(uid) for uid in response.lines[0].split()]


async def test_delivered_mail_is_unseen_over_plain_imap(
    dovecot: DovecotServer, imap_account: ImapAccount
) -> None:
    unseen = dovecot.deliver(imap_account, _raw_mail("unseen"))
    dovecot.deliver(imap_account, _raw_mail("seen"), seen=True)

    async with _imap_session(imap_account) as (client, _lost):
        assert await _unseen_uids(client) == [unseen]

    assert dovecot.uids(imap_account) == [unseen, unseen + 1]
    assert dovecot.flags(imap_account, unseen) == set()
    assert dovecot.flags(imap_account, unseen + 1) == {"\\Seen"}
    assert dovecot.fetch(imap_account, unseen) == _raw_mail("unseen")


async def test_imaps_is_trusted_through_ssl_cert_file(
    dovecot: DovecotServer, imap_account: ImapAccount, trust_tls_cert: LocalhostCertificate
) -> None:
    uid = dovecot.deliver(imap_account, _raw_mail("tls"))

    async with _imap_session(imap_account, tls=True) as (client, _lost):
        assert await _unseen_uids(client) == [uid]


def test_plain_port_offers_starttls(
    imap_account: ImapAccount, tls_cert: LocalhostCertificate
) -> None:
    with imaplib.IMAP4(imap_account.host, imap_account.port, timeout=5) as imap:
        assert "STARTTLS" in imap.capabilities
        imap.starttls(tls_cert.client_context())
        assert imap.login(imap_account.user, imap_account.password)[0] == "OK"


def test_every_account_starts_empty(dovecot: DovecotServer, imap_account: ImapAccount) -> None:
    dovecot.deliver(imap_account, _raw_mail("first"))

    other = dovecot.add_user()

    assert other.user != imap_account.user
    assert dovecot.uids(other) == []


def test_deliver_into_folder_with_internal_date(
    dovecot: DovecotServer, imap_account: ImapAccount
) -> None:
    dovecot.create_mailbox(imap_account, "Tenants/Unit 4")
    received = datetime(2024, 3, 1, 9, 30, tzinfo=timezone.utc)
    uid = dovecot.deliver(imap_account, _raw_mail("old"), mailbox="Tenants/Unit 4", date=received)

    with imaplib.IMAP4(imap_account.host, imap_account.port, timeout=5) as imap:
        imap.login(imap_account.user, imap_account.password)
        imap.select('"Tenants/Unit 4"', readonly=True)
        assert imap.uid("SEARCH", "SINCE", "1-Mar-2024", "BEFORE", "2-Mar-2024")[1] == [
            str(uid).encode()
        ]
    assert dovecot.uids(imap_account) == []


async def test_idle_pushes_new_mail(dovecot: DovecotServer, imap_account: ImapAccount) -> None:
    async with _imap_session(imap_account) as (client, _lost):
        await client.select("INBOX")
        idle = await client.idle_start(timeout=10)
        await asyncio.to_thread(dovecot.deliver, imap_account, _raw_mail("pushed"))
        pushed = await client.wait_server_push(timeout=5)
        client.idle_done()
        await asyncio.wait_for(idle, timeout=5)

    assert b"1 EXISTS" in pushed


async def test_kick_drops_live_connections(
    dovecot: DovecotServer, imap_account: ImapAccount
) -> None:
    async with _imap_session(imap_account) as (_client, lost):
        assert await asyncio.to_thread(dovecot.kick, imap_account)
        await asyncio.wait_for(lost.wait(), timeout=5)

    assert not await asyncio.to_thread(dovecot.kick, imap_account)


# -- SMTP --------------------------------------------------------------------


def _message(subject: str = "Leaking tap") -> EmailMessage:
    message = EmailMessage()
    message["From"] = "assistant@example.com"
    message["To"] = "tenant@example.org"
    message["Cc"] = "owner@example.org"
    message["Bcc"] = "audit@example.com"
    message["Subject"] = subject
    message.set_content("We will send a plumber tomorrow.")
    return message


async def _send(server: SmtpServer, message: EmailMessage, **options: Any) -> None:
    credentials = {"username": server.user, "password": server.password}
    options = {"timeout": 5, **credentials, **options}
    await aiosmtplib.send(message, hostname=server.host, port=server.port, **options)


async def test_smtp_records_authenticated_mail(smtp_server: SmtpServer) -> None:
    await _send(smtp_server, _message())

    [mail] = await smtp_server.wait_for_async(1, timeout=5)
    assert mail.mail_from == "assistant@example.com"
    assert mail.rcpt_tos == ["tenant@example.org", "owner@example.org", "audit@example.com"]
    assert mail.message["Subject"] == "Leaking tap"
    assert mail.message.get_content().strip() == "We will send a plumber tomorrow."
    assert b"Subject: Leaking tap" in mail.raw
    assert "Bcc" not in mail.message


async def test_smtp_refuses_unauthenticated_or_wrong_password(smtp_server: SmtpServer) -> None:
    with pytest.raises(aiosmtplib.SMTPSenderRefused) as refused:
        await aiosmtplib.send(_message(), hostname=smtp_server.host, port=smtp_server.port)
    assert refused.value.code == 530

    with pytest.raises(aiosmtplib.SMTPAuthenticationError):
        await _send(smtp_server, _message(), password="wrong")
    assert smtp_server.messages == []


async def test_smtp_starttls(
    smtp_server_starttls: SmtpServer, trust_tls_cert: LocalhostCertificate
) -> None:
    await _send(smtp_server_starttls, _message(), start_tls=True)

    assert len(await smtp_server_starttls.wait_for_async(1)) == 1


async def test_smtp_starttls_is_required(smtp_server_starttls: SmtpServer) -> None:
    with pytest.raises(aiosmtplib.SMTPException):
        await _send(smtp_server_starttls, _message(), start_tls=False)
    assert smtp_server_starttls.messages == []


async def test_smtp_implicit_tls(
    smtp_server_tls: SmtpServer, trust_tls_cert: LocalhostCertificate
) -> None:
    await _send(smtp_server_tls, _message(), use_tls=True)

    assert len(await smtp_server_tls.wait_for_async(1)) == 1


@pytest.mark.parametrize(("code", "text"), [(451, "4.3.0 try later"), (550, "5.1.1 no such user")])
async def test_smtp_fail_next(smtp_server: SmtpServer, code: int, text: str) -> None:
    smtp_server.fail_next(code, text)

    with pytest.raises(aiosmtplib.SMTPDataError) as failed:
        await _send(smtp_server, _message("refused"))
    assert (failed.value.code, failed.value.message) == (code, text)

    await _send(smtp_server, _message("accepted"))
    assert [mail.message["Subject"] for mail in smtp_server.wait_for(1)] == ["accepted"]


async def test_smtp_drop_next(smtp_server: SmtpServer) -> None:
    smtp_server.drop_next()

    with pytest.raises(aiosmtplib.SMTPServerDisconnected):
        await _send(smtp_server, _message("dropped"))

    await _send(smtp_server, _message("accepted"))
    assert [mail.message["Subject"] for mail in smtp_server.wait_for(1)] == ["accepted"]


async def test_smtp_refuse_connections_then_listen_again(smtp_server: SmtpServer) -> None:
    smtp_server.refuse_connections(0.5)

    with pytest.raises(aiosmtplib.SMTPConnectError):
        await _send(smtp_server, _message("refused"))
    await asyncio.sleep(0.8)
    await _send(smtp_server, _message("accepted"))
    assert [mail.message["Subject"] for mail in smtp_server.wait_for(1)] == ["accepted"]


async def test_smtp_accept_then_stall_files_before_answering(smtp_server: SmtpServer) -> None:
    filed: list[bytes] = []
    smtp_server.file_sent_copies(filed.append)
    smtp_server.accept_then_stall_next(5.0)

    with pytest.raises(aiosmtplib.SMTPTimeoutError):  # the client gives up first…
        await _send(smtp_server, _message("accepted late"), timeout=0.5)
    # …yet the server has the message, and filed its copy.
    assert [mail.message["Subject"] for mail in smtp_server.wait_for(1)] == ["accepted late"]
    assert len(filed) == 1 and b"Subject: accepted late" in filed[0]


def test_smtp_wait_for_times_out(smtp_server: SmtpServer) -> None:
    with pytest.raises(TimeoutError, match="got 0"):
        smtp_server.wait_for(1, timeout=0.05)


# -- LLM ---------------------------------------------------------------------


class Triage(pydantic.BaseModel):
    category: str
    urgent: bool


def _client(llm: LlmServer, timeout: float = 5) -> openai.AsyncOpenAI:
    return openai.AsyncOpenAI(base_url=llm.base_url, api_key="test", max_retries=0, timeout=timeout)


async def _triage(client: openai.AsyncOpenAI) -> Triage | None:
    async with client:
        completion = await client.chat.completions.parse(
            model="test-model",
            messages=[{"role": "user", "content": "The tap is leaking."}],
            response_format=Triage,
        )
    return completion.choices[0].message.parsed


async def test_llm_reply_is_parsed_and_request_recorded(llm_server: LlmServer) -> None:
    llm_server.script(Reply({"category": "repair", "urgent": True}))

    assert await _triage(_client(llm_server)) == Triage(category="repair", urgent=True)
    [request] = llm_server.requests
    assert request["model"] == "test-model"
    assert request["messages"][0]["content"] == "The tap is leaking."
    assert request["response_format"]["type"] == "json_schema"


@pytest.mark.parametrize("answer", [RawContent("{not json"), Reply({"category": "repair"})])
async def test_llm_invalid_content_fails_validation(
    llm_server: LlmServer, answer: RawContent | Reply
) -> None:
    llm_server.script(answer)

    with pytest.raises(pydantic.ValidationError):
        await _triage(_client(llm_server))


async def test_llm_rate_limit_shows_retry_after(llm_server: LlmServer) -> None:
    llm_server.script(Status(429, retry_after=7))

    with pytest.raises(openai.RateLimitError) as limited:
        await _triage(_client(llm_server))
    assert limited.value.response.headers["retry-after"] == "7"


async def test_llm_server_error(llm_server: LlmServer) -> None:
    llm_server.script(Status(500))

    with pytest.raises(openai.InternalServerError):
        await _triage(_client(llm_server))


async def test_llm_hang_times_out_client(llm_server: LlmServer) -> None:
    llm_server.script(Hang(5))

    with pytest.raises(openai.APITimeoutError):
        await _triage(_client(llm_server, timeout=0.2))


async def test_llm_truncated_answer(llm_server: LlmServer) -> None:
    llm_server.script(Truncated('{"category": "rep'))

    with pytest.raises(openai.LengthFinishReasonError):
        await _triage(_client(llm_server))


async def test_llm_default_responder(llm_server: LlmServer) -> None:
    with pytest.raises(openai.InternalServerError, match="no scripted answer"):
        await _triage(_client(llm_server))

    llm_server.default = lambda request: Reply({"category": "other", "urgent": False})
    assert await _triage(_client(llm_server)) == Triage(category="other", urgent=False)
    assert len(llm_server.requests) == 2
