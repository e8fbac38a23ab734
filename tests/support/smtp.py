"""A recording SMTP server on 127.0.0.1 for integration tests.

:class:`SmtpServer` runs aiosmtpd in its own thread (``Controller``), so it
works from sync and async tests alike, whatever event loop they use.  Every
accepted message is kept as a :class:`ReceivedMail`; tests wait for messages
with :meth:`SmtpServer.wait_for` / :meth:`SmtpServer.wait_for_async`.

Three flavours, picked by constructor arguments:

- plain: no ``tls_context``;
- STARTTLS: ``tls_context`` given, STARTTLS offered and required before MAIL;
- implicit TLS: ``tls_context`` and ``implicit_tls=True``.

With ``user``/``password`` the server offers AUTH PLAIN and LOGIN (also on the
plain flavour: ``auth_require_tls=False``) and refuses MAIL from an
unauthenticated session with 530.  aiosmtpd's own ``auth_required`` is not used
because, combined with ``auth_require_tls=False``, it emits a UserWarning,
which ``filterwarnings = error`` would turn into a failure to start.

With ``tokens`` (a :class:`~tests.support.oauth.TokenServer`) the server offers
AUTH XOAUTH2 only, and accepts a bearer token while the token server says it
is valid and belongs to the user named in the SASL message; a refusal goes as
providers do it: a base64 JSON challenge, then 535 after the client's empty
answer. :meth:`SmtpServer.disconnect_all` drops every open session (as a
provider does when a session's token expires).

Fault injection: :meth:`SmtpServer.fail_next` makes the next DATA commands
answer with a given reply (nothing recorded), :meth:`SmtpServer.drop_next`
makes them drop the connection without any reply, :meth:`SmtpServer.stall_next`
makes them wait before accepting (a client can be killed mid-send), and
:meth:`SmtpServer.accept_then_stall_next` accepts first and answers late (a client
killed meanwhile sent the mail without knowing it). :meth:`SmtpServer.refuse_connections`
takes the server off the network for a few seconds; :meth:`SmtpServer.file_sent_copies`
files each accepted message somewhere (a Sent mailbox), as Gmail does.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import ssl
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import MISSING, SMTP, AuthResult, Envelope, LoginPassword, Session

from tests.support.oauth import TokenServer

HOST = "127.0.0.1"


@dataclass(frozen=True)
class ReceivedMail:
    """One message the server accepted."""

    mail_from: str
    rcpt_tos: list[str]
    raw: bytes
    message: EmailMessage


@dataclass(frozen=True)
class _Fault:
    """A scripted DATA outcome: ``reply`` is sent, or None to drop the line; after
    ``stall`` seconds, with no reply, the message is accepted as usual. With
    ``accept_first`` the message is accepted (recorded, filed) before the stall,
    and its 250 comes only after it."""

    reply: str | None
    stall: float = 0.0
    accept_first: bool = False


class _Recorder:
    """aiosmtpd handler: records messages, enforces AUTH, plays faults."""

    def __init__(self, require_auth: bool) -> None:
        self.require_auth = require_auth
        self.received: list[ReceivedMail] = []
        self.faults: deque[_Fault] = deque()
        self.changed = threading.Condition()
        self.on_accept: Callable[[bytes], object] | None = None

    async def handle_MAIL(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        mail_options: list[str],
    ) -> str:
        if self.require_auth and not session.authenticated:
            return "530 5.7.0 Authentication required"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        with self.changed:
            fault = self.faults.popleft() if self.faults else None
        if fault is not None and fault.accept_first:
            await self._accept(envelope)
            await asyncio.sleep(fault.stall)  # a client killed meanwhile never hears it
            return "250 OK"
        if fault is not None and fault.stall:
            await asyncio.sleep(fault.stall)
            fault = None
        if fault is None:
            await self._accept(envelope)
            return "250 OK"
        if fault.reply is not None:
            return fault.reply
        assert isinstance(server.transport, asyncio.Transport)
        server.transport.abort()
        # connection_lost() cancels this handler before any reply is sent.
        never: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        return await never

    async def _accept(self, envelope: Envelope) -> None:
        self._record(envelope)
        if self.on_accept is not None:  # e.g. file a Sent copy, as Gmail does
            await asyncio.to_thread(self.on_accept, envelope.original_content or b"")

    def _record(self, envelope: Envelope) -> None:
        raw = envelope.original_content or b""
        mail = ReceivedMail(
            mail_from=envelope.mail_from or "",
            rcpt_tos=list(envelope.rcpt_tos),
            raw=raw,
            message=message_from_bytes(raw, policy=policy.default),
        )
        with self.changed:
            self.received.append(mail)
            self.changed.notify_all()


class _OAuthRecorder(_Recorder):
    """A recorder that also signs clients in by XOAUTH2 against a token server."""

    def __init__(self, tokens: TokenServer) -> None:
        super().__init__(require_auth=True)
        self.tokens = tokens

    async def auth_XOAUTH2(self, server: SMTP, args: list[str]) -> AuthResult:
        try:
            fields = base64.b64decode(args[1], validate=True).decode().split("\x01")
        except (IndexError, binascii.Error, UnicodeDecodeError):
            return AuthResult(
                success=False, handled=False, message="501 5.5.2 Cannot decode XOAUTH2"
            )
        values = dict(field.split("=", 1) for field in fields if "=" in field)
        token = values.get("auth", "").removeprefix("Bearer ")
        user = values.get("user", "")
        if user and self.tokens.owner(token) == user:
            return AuthResult(success=True, auth_data=user)
        status = json.dumps({"status": "401", "schemes": "bearer", "scope": "mail"})
        if await server.challenge_auth(status) is MISSING:
            return AuthResult(success=False, handled=True)
        return AuthResult(
            success=False, handled=False, message="535 5.7.3 Authentication unsuccessful"
        )


class _EphemeralPortController(Controller):
    """A Controller bound to port 0 that learns its real port once listening."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sessions: list[SMTP] = []

    def factory(self) -> SMTP:
        session: SMTP = super().factory()  # type: ignore[no-untyped-call]
        self.sessions.append(session)
        return session

    def _trigger_server(self) -> None:
        assert isinstance(self.server, asyncio.Server)
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()  # type: ignore[no-untyped-call]


class SmtpServer:
    """A recording aiosmtpd server; see the module docstring."""

    def __init__(
        self,
        *,
        user: str | None = None,
        password: str | None = None,
        tls_context: ssl.SSLContext | None = None,
        implicit_tls: bool = False,
        tokens: TokenServer | None = None,
    ) -> None:
        self.host = HOST
        self.user = user
        self.password = password
        self.implicit_tls = implicit_tls
        self.tokens = tokens
        self._recorder = (
            _OAuthRecorder(tokens) if tokens else _Recorder(require_auth=user is not None)
        )
        self._controller = _EphemeralPortController(
            self._recorder,
            hostname=HOST,
            port=0,
            server_hostname="localhost",
            **self._tls_options(tls_context, implicit_tls),
            **self._auth_options(),
        )

    @property
    def port(self) -> int:
        port: int = self._controller.port
        return port

    @property
    def messages(self) -> list[ReceivedMail]:
        """A snapshot of the messages received so far, oldest first."""
        with self._recorder.changed:
            return list(self._recorder.received)

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()

    def fail_next(self, code: int, message: str, times: int = 1) -> None:
        """Answer the next ``times`` DATA commands with ``f"{code} {message}"``."""
        self._add_faults(_Fault(f"{code} {message}"), times)

    def disconnect_all(self) -> None:
        """Close every open session from the server's side."""
        loop = self._controller.loop
        for session in self._controller.sessions:
            if session.transport is not None:
                loop.call_soon_threadsafe(session.transport.close)

    def drop_next(self, times: int = 1) -> None:
        """Drop the connection at the end of the next ``times`` DATA commands."""
        self._add_faults(_Fault(None), times)

    def stall_next(self, seconds: float, times: int = 1) -> None:
        """Hold the next ``times`` DATA commands for ``seconds`` before accepting them."""
        self._add_faults(_Fault(None, stall=seconds), times)

    def accept_then_stall_next(self, seconds: float, times: int = 1) -> None:
        """Accept the next ``times`` messages at once, but answer 250 only ``seconds``
        later: a client that dies meanwhile sent the mail without knowing it."""
        self._add_faults(_Fault(None, stall=seconds, accept_first=True), times)

    def file_sent_copies(self, file: Callable[[bytes], object]) -> None:
        """Call ``file(raw)`` with every accepted message, as a provider that files its
        own Sent copies does (Gmail, Microsoft 365); it runs off the server's loop."""
        self._recorder.on_accept = file

    def refuse_connections(self, seconds: float) -> None:
        """Stop listening for ``seconds`` (connections are refused, open sessions are
        dropped), then listen again on the same port: a server that is down a while."""
        loop = self._controller.loop
        closed = threading.Event()

        async def outage() -> None:
            server = self._controller.server
            assert server is not None
            server.close()
            for session in self._controller.sessions:
                if session.transport is not None:
                    session.transport.close()
            closed.set()
            await asyncio.sleep(seconds)
            self._controller.server = await self._controller._create_server()

        asyncio.run_coroutine_threadsafe(outage(), loop)
        if not closed.wait(5):
            raise TimeoutError("the SMTP server did not stop listening")

    def wait_for(self, count: int, timeout: float = 5.0) -> list[ReceivedMail]:
        """Block until at least ``count`` messages arrived; return them all."""
        with self._recorder.changed:
            arrived = self._recorder.changed.wait_for(
                lambda: len(self._recorder.received) >= count, timeout
            )
            if not arrived:
                raise TimeoutError(
                    f"expected {count} message(s) within {timeout} s, "
                    f"got {len(self._recorder.received)}"
                )
            return list(self._recorder.received)

    async def wait_for_async(self, count: int, timeout: float = 5.0) -> list[ReceivedMail]:
        """:meth:`wait_for` without blocking the event loop."""
        return await asyncio.to_thread(self.wait_for, count, timeout)

    def _add_faults(self, fault: _Fault, times: int) -> None:
        with self._recorder.changed:
            self._recorder.faults.extend([fault] * times)

    def _tls_options(
        self, tls_context: ssl.SSLContext | None, implicit_tls: bool
    ) -> dict[str, Any]:
        if tls_context is None:
            if implicit_tls:
                raise ValueError("implicit_tls needs a tls_context")
            return {}
        if implicit_tls:
            return {"ssl_context": tls_context}
        return {"tls_context": tls_context, "require_starttls": True}

    def _auth_options(self) -> dict[str, Any]:
        if self.tokens is not None:
            return {"auth_require_tls": False, "auth_exclude_mechanism": ["PLAIN", "LOGIN"]}
        if self.user is None:
            return {}
        return {"authenticator": self._authenticate, "auth_require_tls": False}

    def _authenticate(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        mechanism: str,
        auth_data: object,
    ) -> AuthResult:
        valid = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login.decode() == self.user
            and auth_data.password.decode() == self.password
        )
        return AuthResult(success=valid, handled=False)
