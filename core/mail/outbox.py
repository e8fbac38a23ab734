"""Replies: built by a pure function, sent over one reused SMTP connection.

`build_reply` decides nothing about recipients: it renders the proposal, whose
To and Cc were set by code from the sender and the datastore. `SmtpSender`
keeps one connection, reconnects when the server dropped it, and classifies
failures: 4xx answers and lost connections are retryable, 5xx are permanent
and carry the server's own words to the operator; a server that cannot be
reached (or answers 421) is `unreachable`, so the other replies wait for it too.
"""

from __future__ import annotations

import asyncio
import ssl
from datetime import datetime
from email.headerregistry import Address as HeaderAddress
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr

import aiosmtplib

from core.config import Security
from core.errors import AuthError, SendError
from core.mail.sasl import BearerTokens
from core.models import ParsedEmail, Proposal

MAX_QUOTED_LINES = 60
SERVICE_NOT_AVAILABLE = 421  # the server is closing the session: it, not the message, failed
MAX_REFERENCES = 20


def new_message_id(mail_from: str) -> str:
    domain = parseaddr(mail_from)[1].rpartition("@")[2] or "localhost"
    return make_msgid(domain=domain)


def build_reply(
    email: ParsedEmail,
    proposal: Proposal,
    *,
    mail_from: str,
    message_id: str,
    automatic: bool,
    now: datetime,
    chain: list[str] | None = None,
) -> EmailMessage:
    """The reply, quoting the email; `chain` is the conversation's Message-IDs, oldest first."""
    msg = EmailMessage()
    msg["From"] = _header_address(*parseaddr(mail_from))
    recipient_name = proposal.tenant_name or (email.sender.name if email.sender else "")
    msg["To"] = [_header_address(recipient_name, addr) for addr in proposal.to]
    if proposal.cc:
        msg["Cc"] = [_header_address("", addr) for addr in proposal.cc]
    msg["Subject"] = proposal.subject
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = message_id
    if email.message_id:
        msg["In-Reply-To"] = email.message_id
        ids = chain or [*email.references, email.message_id]
        if len(ids) > MAX_REFERENCES:  # keep the first (the thread's root) and the newest
            ids = [ids[0], *ids[-(MAX_REFERENCES - 1) :]]
        msg["References"] = " ".join(ids)
    if automatic:
        msg["Auto-Submitted"] = "auto-replied"
    # Quoted-printable keeps the wire 7-bit: servers without 8BITMIME take it as is.
    msg.set_content(_with_quote(proposal.body, email), cte="quoted-printable")
    return msg


def _header_address(name: str, addr: str) -> HeaderAddress:
    local, _, domain = addr.rpartition("@")
    return HeaderAddress(display_name=" ".join(name.split()), username=local, domain=domain)


def _with_quote(body: str, email: ParsedEmail) -> str:
    lines = email.text.splitlines()
    if not lines:
        return body.rstrip() + "\n"
    quoted = [f"> {line}".rstrip() for line in lines[:MAX_QUOTED_LINES]]
    if len(lines) > MAX_QUOTED_LINES:
        quoted.append("> [...]")
    when = email.date.strftime("%a, %d %b %Y %H:%M") if email.date else "an earlier date"
    who = str(email.sender) if email.sender else "you"
    return f"{body.rstrip()}\n\nOn {when}, {who} wrote:\n" + "\n".join(quoted) + "\n"


class SmtpSender:
    def __init__(
        self,
        host: str,
        port: int,
        security: Security,
        username: str = "",
        password: str = "",
        *,
        local_hostname: str = "localhost",
        tokens: BearerTokens | None = None,
        timeout: float = 30.0,
    ) -> None:
        """With `tokens`, sign in by AUTH XOAUTH2 as `username` instead of the password."""
        self._username = username
        self._tokens = tokens
        self._options = dict(
            hostname=host,
            port=port,
            use_tls=security is Security.SSL,
            start_tls=security is Security.STARTTLS,
            username=(username or None) if tokens is None else None,
            password=(password or None) if tokens is None else None,
            local_hostname=local_hostname,
            timeout=timeout,
            tls_context=ssl.create_default_context() if security is not Security.NONE else None,
        )
        self._client: aiosmtplib.SMTP | None = None
        self._lock = asyncio.Lock()

    async def send(self, message: EmailMessage) -> dict[str, str]:
        """Send one message; returns the recipients the server refused, if only some were.

        An `AuthError` means the sign-in failed before anything was sent.
        """
        async with self._lock:
            handover = _Handover()
            try:
                client = await self._connected()
                refused, _ = await handover.send(client, message)
            except aiosmtplib.SMTPRecipientsRefused as exc:
                codes = [r.code for r in exc.recipients]
                words = "; ".join(f"{r.recipient}: {r.code} {r.message}" for r in exc.recipients)
                raise SendError(
                    f"every recipient was refused ({words})",
                    retryable=all(400 <= c < 500 for c in codes),
                ) from None
            except aiosmtplib.SMTPResponseException as exc:
                await self._drop()
                raise SendError(
                    f"the mail server answered {exc.code} {exc.message}",
                    retryable=400 <= exc.code < 500,
                    unreachable=exc.code == SERVICE_NOT_AVAILABLE,
                ) from None
            except (aiosmtplib.SMTPException, OSError) as exc:
                await self._drop()
                # No answer in time once the message was handed over: the server may have
                # it and answer to no one. (A dropped connection is tried again, as before.)
                if handover.started and isinstance(exc, aiosmtplib.SMTPTimeoutError):
                    raise SendError(
                        f"the mail server never confirmed the reply ({exc})", in_doubt=True
                    ) from None
                raise SendError(
                    f"cannot talk to the mail server: {exc}", unreachable=True
                ) from None
            return {addr: f"{resp.code} {resp.message}" for addr, resp in refused.items()}

    async def _connected(self) -> aiosmtplib.SMTP:
        if self._client is not None and self._client.is_connected:
            return self._client
        await self._drop()
        client = aiosmtplib.SMTP(**self._options)  # type: ignore[arg-type]
        await client.connect()
        if self._tokens is not None:
            try:
                await self._authenticate(client, self._tokens)
            except BaseException:  # a half-open session must not be reused
                client.close()
                raise
        self._client = client
        return client

    async def _authenticate(self, client: aiosmtplib.SMTP, tokens: BearerTokens) -> None:
        """AUTH XOAUTH2; a refused token is renewed once, then the refusal reported."""
        token = await tokens.access_token()
        try:
            await client.auth_xoauth2(self._username, token)
            return
        except aiosmtplib.SMTPAuthenticationError:
            token = await tokens.renew(token)
        try:
            await client.auth_xoauth2(self._username, token)
        except aiosmtplib.SMTPAuthenticationError as exc:
            raise AuthError(
                f"SMTP refused the token for {self._username}: {exc.code} {exc.message}"
            ) from None

    async def _drop(self) -> None:
        client, self._client = self._client, None
        if client is not None and client.is_connected:
            try:
                await client.quit()
            except (aiosmtplib.SMTPException, OSError):
                client.close()

    async def aclose(self) -> None:
        async with self._lock:
            await self._drop()


class _Handover:
    """Knows whether a send reached DATA: from then on, no answer in time leaves the
    message possibly delivered (the server may accept it and answer to no one)."""

    def __init__(self) -> None:
        self.started = False

    async def send(
        self, client: aiosmtplib.SMTP, message: EmailMessage
    ) -> tuple[dict[str, aiosmtplib.SMTPResponse], str]:
        data = client.data

        async def watched(*args: object, **kwargs: object) -> aiosmtplib.SMTPResponse:
            self.started = True
            return await data(*args, **kwargs)  # type: ignore[arg-type]

        client.data = watched  # type: ignore[method-assign]
        try:
            return await client.send_message(message)
        finally:
            del client.data
