"""The inbox over IMAP (aioimaplib): one persistent connection, TLS by default.

Reading never changes the mailbox: messages are found with `UID SEARCH UNSEEN
SINCE` and read with `BODY.PEEK[]`, so nothing is marked read until the
pipeline has handled it and asks for flags. Every command's tagged status is
checked; a failure raises `InboxError`, retryable when a reconnect may help.
The connection is watched: when the server drops it, pending waits end at once
instead of hanging until a timeout.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

import aioimaplib

from core.config import Security
from core.errors import AuthError, InboxError
from core.mail.imap_answers import (
    COUNT,
    INTERNALDATE,
    UIDVALIDITY,
    answer_lines,
    answer_text,
    imap_date,
    is_keepalive,
    listed,
    parse_internaldate,
    quote,
    search_result,
    why,
)
from core.mail.sasl import (
    XOAUTH2,
    BearerTokens,
    choose_mechanism,
    imap_authenticate,
    oauthbearer_response,
    xoauth2_response,
)

IDLE_REFRESH_SECONDS = 25 * 60  # RFC 2177: re-issue IDLE at least every 29 minutes


@dataclass(frozen=True)
class Fetched:
    raw: bytes
    # When the server received the message (INTERNALDATE), if it said.
    arrived: datetime | None


class Inbox(Protocol):
    """What the pipeline needs from a mailbox; `ImapInbox` is the real one."""

    mailbox: str
    uidvalidity: int
    supports_idle: bool

    async def connect(self) -> None: ...
    async def unseen_since(self, day: date) -> list[int]: ...
    async def fetch(self, uid: int) -> Fetched | None: ...
    async def add_flags(self, uids: Iterable[int], flags: Iterable[str]) -> None: ...
    async def append(self, mailbox: str, raw: bytes, flags: Iterable[str]) -> None: ...
    async def contains_message_id(self, mailbox: str, message_id: str) -> bool: ...
    async def answered_among(self, uids: Iterable[int]) -> list[int]: ...
    async def wait_for_change(self, timeout: float, wake: asyncio.Event) -> None: ...
    async def close(self) -> None: ...


class ImapInbox:
    def __init__(
        self,
        host: str,
        port: int,
        security: Security,
        user: str,
        password: str,
        mailbox: str = "INBOX",
        *,
        tokens: BearerTokens | None = None,
        timeout: float = 30.0,
    ) -> None:
        """With `tokens`, sign in by OAuth 2.0 bearer token instead of the password."""
        self.host, self.port, self.security = host, port, security
        self.user = user
        self._password = password
        self._tokens = tokens
        self.mailbox = mailbox
        self.timeout = timeout
        self.uidvalidity = 0
        self.supports_idle = False
        self._client: aioimaplib.IMAP4 | None = None
        self._lost = asyncio.Event()
        # How many messages the selected mailbox holds, as the server last said (EXISTS),
        # and as it was when new mail was last searched for. Mail that arrives while
        # another command runs is announced in that command's answer, and never again
        # (not when IDLE starts): the next wait must not sleep through it. A search
        # covers what was counted when it was sent: Dovecot announces mail it noticed
        # during a search at the end of that search's answer, without it in the result.
        self._count = 0
        self._searched = 0

    # --- connection ------------------------------------------------------------------

    async def connect(self) -> None:
        await self.close()
        self._lost = asyncio.Event()
        lost = self._lost
        context = ssl.create_default_context() if self.security is not Security.NONE else None
        try:
            client = aioimaplib.IMAP4(
                host=self.host,
                port=self.port,
                timeout=self.timeout,
                conn_lost_cb=lambda exc: lost.set(),
                ssl_context=context if self.security is Security.SSL else None,
            )
            self._client = client
            _follow_untagged(client, self._note_count)
            await client.wait_hello_from_server()
            if context is not None and self.security is Security.STARTTLS:
                await self._starttls(client, context)
            await self._log_in(client)
        except (OSError, asyncio.TimeoutError, aioimaplib.AioImapException) as exc:
            await self.close()
            raise InboxError(
                f"cannot connect to {self.host}:{self.port}: {why(exc)}", retryable=True
            ) from None
        except (InboxError, AuthError):
            await self.close()
            raise
        selected = await self._command(client.select(self.mailbox), f"SELECT {self.mailbox}")
        found = UIDVALIDITY.search(b" ".join(answer_lines(selected)))
        self.uidvalidity = int(found.group(1)) if found else 0
        self.supports_idle = client.has_capability("IDLE")

    async def _log_in(self, client: aioimaplib.IMAP4) -> None:
        if self._tokens is not None:
            await self._authenticate(client, self._tokens)
            return
        login = await client.login(self.user, self._password)
        if login.result != "OK":
            raise InboxError(f"IMAP login refused for {self.user}: {answer_text(login)}")

    async def _authenticate(self, client: aioimaplib.IMAP4, tokens: BearerTokens) -> None:
        """AUTHENTICATE by token; a refused token is renewed once, then the refusal reported."""
        mechanism = choose_mechanism(client.protocol.capabilities)
        if mechanism is None:
            raise AuthError(f"{self.host} offers neither OAUTHBEARER nor XOAUTH2 sign-in")
        token = await tokens.access_token()
        for attempt in range(2):
            if mechanism == XOAUTH2:
                initial = xoauth2_response(self.user, token)
            else:
                initial = oauthbearer_response(self.user, token, self.host, self.port)
            response = await imap_authenticate(client, mechanism, initial, self.timeout)
            if response.result == "OK":
                return
            if attempt == 0:
                token = await tokens.renew(token)
        raise AuthError(f"IMAP refused the token for {self.user}: {answer_text(response)}")

    async def _starttls(self, client: aioimaplib.IMAP4, context: ssl.SSLContext) -> None:
        protocol = client.protocol
        if "STARTTLS" not in protocol.capabilities:
            raise InboxError(f"{self.host} does not offer STARTTLS (IMAP_SECURITY=starttls)")
        command = aioimaplib.Command("STARTTLS", protocol.new_tag(), loop=protocol.loop)
        response = await asyncio.wait_for(protocol.execute(command), self.timeout)
        if response.result != "OK":
            raise InboxError(f"STARTTLS refused: {answer_text(response)}")
        loop = asyncio.get_running_loop()
        protocol.transport = await loop.start_tls(
            protocol.transport, protocol, context, server_hostname=self.host
        )
        await protocol.capability()  # capabilities may change after TLS (RFC 3501 6.2.1)

    async def close(self) -> None:
        client, self._client = self._client, None
        if client is None:
            return
        connecting = getattr(client, "_client_task", None)
        if connecting is not None and not connecting.done():
            # Stopped while the connection was being made: it must not be made after all
            # (a socket nobody closes).
            connecting.cancel()
            with contextlib.suppress(asyncio.CancelledError, OSError):
                await connecting
        transport = client.protocol.transport
        try:
            polite = (
                transport is not None
                and not transport.is_closing()
                and not self._lost.is_set()
                and not client.has_pending_idle()  # LOGOUT would queue behind IDLE
                and client.protocol.state not in ("LOGOUT", "STARTED", "CONNECTED")
            )
            if polite:
                await asyncio.wait_for(client.logout(), 2)
        except (OSError, asyncio.TimeoutError, aioimaplib.AioImapException):
            pass
        finally:
            if transport is not None:
                transport.close()
                # Wait for the transport to report the loss, or TLS sockets leak.
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self._lost.wait(), 2)

    @property
    def connected(self) -> bool:
        return self._client is not None and not self._lost.is_set()

    # --- commands ----------------------------------------------------------------------

    async def unseen_since(self, day: date) -> list[int]:
        counted = self._count
        response = await self._command(
            self.client.uid_search("UNSEEN", "SINCE", imap_date(day), charset=None),
            "UID SEARCH",
        )
        self._searched = counted
        return search_result(response)

    @property
    def arrived(self) -> bool:
        """The server announced more mail than there was at the last search for new mail."""
        return self._count > self._searched

    async def fetch(self, uid: int) -> Fetched | None:
        """The whole message, without setting \\Seen; None when it has disappeared."""
        response = await self._command(
            self.client.uid("fetch", str(uid), "(UID INTERNALDATE BODY.PEEK[])"),
            f"UID FETCH {uid}",
        )
        raw = next((bytes(line) for line in response.lines if isinstance(line, bytearray)), None)
        if raw is None:
            return None
        found = INTERNALDATE.search(b" ".join(answer_lines(response)))
        arrived = parse_internaldate(found.group(1).decode()) if found else None
        return Fetched(raw, arrived)

    async def add_flags(self, uids: Iterable[int], flags: Iterable[str]) -> None:
        uid_set = ",".join(str(uid) for uid in uids)
        if not uid_set:
            return
        await self._command(
            self.client.uid("store", uid_set, "+FLAGS.SILENT", f"({' '.join(flags)})"),
            f"UID STORE {uid_set}",
        )

    async def append(self, mailbox: str, raw: bytes, flags: Iterable[str]) -> None:
        await self._command(
            self.client.append(raw, mailbox=quote(mailbox), flags=" ".join(flags)),
            f"APPEND to {mailbox}",
        )

    async def contains_message_id(self, mailbox: str, message_id: str) -> bool:
        """Does `mailbox` hold a message with this Message-ID? (Used after a crash.)"""
        client = self.client
        try:  # a failed EXAMINE leaves no mailbox selected, so re-select in any case
            await self._command(client.examine(quote(mailbox)), f"EXAMINE {mailbox}")
            response = await self._command(
                client.uid_search("HEADER", "Message-ID", quote(message_id), charset=None),
                "UID SEARCH HEADER",
            )
        finally:
            await self._command(client.select(quote(self.mailbox)), f"SELECT {self.mailbox}")
        return bool(search_result(response))

    # --- another mailbox, and what other clients did (see `core.mail.sent_watch`) -----------

    async def special_use(self, use: str = "\\Sent") -> str | None:
        """The mailbox the server marks with this special use (RFC 6154), if any."""
        response = await self._command(
            self.client.protocol.simple_command("LIST", '""', '"*"', "RETURN", "(SPECIAL-USE)"),
            "LIST (SPECIAL-USE)",
        )
        for flags, name in listed(response):
            if use.lower() in flags.lower().split():
                return name
        return None

    async def mailbox_names(self) -> list[str]:
        """Every mailbox on the server (a plain LIST, for servers without SPECIAL-USE)."""
        response = await self._command(self.client.list('""', '"*"'), "LIST")
        return [name for _, name in listed(response)]

    async def select(self, mailbox: str) -> None:
        """Work in another mailbox from now on (its UIDVALIDITY replaces the last one's)."""
        selected = await self._command(self.client.select(quote(mailbox)), f"SELECT {mailbox}")
        found = UIDVALIDITY.search(b" ".join(answer_lines(selected)))
        self.mailbox = mailbox
        self.uidvalidity = int(found.group(1)) if found else 0

    async def uids_after(self, uid: int) -> list[int]:
        """UIDs above `uid` in the selected mailbox."""
        counted = self._count
        response = await self._command(
            self.client.uid_search("UID", f"{uid + 1}:*", charset=None), "UID SEARCH UID"
        )
        self._searched = counted
        return [found for found in search_result(response) if found > uid]

    async def uids_since(self, day: date) -> list[int]:
        counted = self._count
        response = await self._command(
            self.client.uid_search("SINCE", imap_date(day), charset=None), "UID SEARCH SINCE"
        )
        self._searched = counted
        return search_result(response)

    async def answering(self, message_id: str) -> list[int]:
        """UIDs of messages in the selected mailbox that answer this Message-ID."""
        quoted = quote(message_id)
        response = await self._command(
            self.client.uid_search(
                "OR", "HEADER", "In-Reply-To", quoted, "HEADER", "References", quoted, charset=None
            ),
            "UID SEARCH HEADER",
        )
        return search_result(response)

    async def answered_among(self, uids: Iterable[int]) -> list[int]:
        """Which of these UIDs (in the selected mailbox) carry the \\Answered flag."""
        uid_set = ",".join(str(uid) for uid in sorted(set(uids)))
        if not uid_set:
            return []
        response = await self._command(
            self.client.uid_search("UID", uid_set, "ANSWERED", charset=None), "UID SEARCH ANSWERED"
        )
        return search_result(response)

    async def answered_in(self, mailbox: str, uid: int) -> bool:
        """Does message `uid` of `mailbox` carry \\Answered? (Looked at from another mailbox.)"""
        client = self.client
        try:
            await self._command(client.examine(quote(mailbox)), f"EXAMINE {mailbox}")
            response = await self._command(
                client.uid_search("UID", str(uid), "ANSWERED", charset=None),
                "UID SEARCH ANSWERED",
            )
        finally:
            await self._command(client.select(quote(self.mailbox)), f"SELECT {self.mailbox}")
        return uid in search_result(response)

    async def wait_for_change(self, timeout: float, wake: asyncio.Event) -> None:
        """Return when the mailbox may have changed, `wake` is set, or `timeout` passed.

        Uses IDLE where the server offers it; otherwise simply waits (polling). Mail
        announced in the answer to an earlier command ends the wait at once.
        """
        if self.arrived:
            return
        if not self.supports_idle:
            await _first_of(wake.wait(), self._lost.wait(), timeout=timeout)
            self._raise_if_lost()
            return
        client = self.client
        while not client.protocol.idle_queue.empty():  # stale pushes from an earlier IDLE
            client.protocol.idle_queue.get_nowait()
        try:
            idle = await self._start_idle(client, min(timeout, IDLE_REFRESH_SECONDS))
            await self._until_changed(client, idle, wake, timeout + self.timeout)
            self._raise_if_lost()
            if client.has_pending_idle():
                client.idle_done()
            # The push may have been a BYE (Exchange sends one when a token expires),
            # and a dropped connection never completes IDLE: watch for the loss too.
            await _first_of(self._lost.wait(), watch=idle, timeout=self.timeout)
            self._raise_if_lost()
            response = await asyncio.wait_for(idle, self.timeout)
        except (OSError, asyncio.TimeoutError, aioimaplib.AioImapException) as exc:
            raise InboxError(f"IDLE failed: {why(exc)}", retryable=True) from None
        if response.result != "OK":
            raise InboxError(
                f"IDLE ended with {response.result}: {answer_text(response)}", retryable=True
            )

    async def _start_idle(self, client: aioimaplib.IMAP4, timeout: float) -> Any:
        """Send IDLE and wait for the server's go-ahead, or for the connection to drop.

        aioimaplib waits for the go-ahead without end: a connection the server closed
        just as IDLE was sent (a BYE on shutdown, a kicked session) would hang here.
        """
        starting = asyncio.ensure_future(client.idle_start(timeout=timeout))
        await _first_of(self._lost.wait(), watch=starting, timeout=self.timeout)
        if not starting.done():
            starting.cancel()
            self._raise_if_lost()
            raise InboxError("IDLE: the IMAP server stopped answering", retryable=True)
        return starting.result()

    async def _until_changed(
        self, client: aioimaplib.IMAP4, idle: Any, wake: asyncio.Event, timeout: float
    ) -> None:
        """Wait for a push that is a change (not the server's "still here" keepalive),
        `wake`, a lost connection, the end of IDLE, or `timeout`."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while (remaining := deadline - loop.time()) > 0:
            push = asyncio.ensure_future(client.wait_server_push(remaining))
            woken = asyncio.ensure_future(wake.wait())
            lost = asyncio.ensure_future(self._lost.wait())
            try:
                done, _ = await asyncio.wait(
                    {push, woken, lost, idle},
                    timeout=remaining,
                    return_when=asyncio.FIRST_COMPLETED,
                )
            finally:
                for task in (push, woken, lost):
                    task.cancel()
            pushed = done == {push} and not push.cancelled() and push.exception() is None
            if pushed and is_keepalive(push.result()):
                continue  # Dovecot's "* OK Still here" every 2 minutes: nothing changed
            return

    # --- plumbing ----------------------------------------------------------------------

    @property
    def client(self) -> aioimaplib.IMAP4:
        if self._client is None or self._lost.is_set():
            raise InboxError("not connected to the IMAP server", retryable=True)
        return self._client

    def _raise_if_lost(self) -> None:
        if self._lost.is_set():
            raise InboxError("the IMAP server closed the connection", retryable=True)

    async def _command(self, call: Any, what: str) -> Any:
        """Await one command, racing it against a lost connection; check its tagged status."""
        task = asyncio.ensure_future(call)
        lost = asyncio.ensure_future(self._lost.wait())
        try:
            await asyncio.wait(
                {task, lost}, timeout=self.timeout * 2, return_when=asyncio.FIRST_COMPLETED
            )
        finally:
            lost.cancel()
        if not task.done():
            task.cancel()
            raise InboxError(f"{what}: the IMAP server stopped answering", retryable=True)
        try:
            response = task.result()
        except (OSError, asyncio.TimeoutError, aioimaplib.AioImapException) as exc:
            raise InboxError(f"{what} failed: {why(exc)}", retryable=True) from None
        if response.result != "OK":
            raise InboxError(f"{what} answered {response.result}: {answer_text(response)}")
        return response

    def _note_count(self, line: bytes) -> None:
        """Follow the message count in every untagged line the server sends.

        aioimaplib hands an EXISTS that arrives during a SEARCH, FETCH or STORE to
        no one (it only keeps those a NOOP is waiting for), and Dovecot does not
        repeat it when IDLE starts: it is read here, as the line arrives.
        """
        found = COUNT.match(line)
        if found is None:
            return
        if found.group(2).upper() == b"EXISTS":
            self._count = int(found.group(1))
        else:  # an expunge: what a new message brings back up must still count as new
            self._count -= 1
            self._searched -= 1


async def _first_of(*coroutines: Any, watch: Any = None, timeout: float) -> None:
    """Wait until one coroutine (or the `watch` future) finishes; cancel the rest."""
    tasks = [asyncio.ensure_future(c) for c in coroutines]
    waiting = {*tasks, watch} if watch is not None else set(tasks)
    try:
        await asyncio.wait(waiting, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()


def _follow_untagged(client: aioimaplib.IMAP4, note: Callable[[bytes], None]) -> None:
    """Show `note` every untagged line (`* 3 EXISTS`) before aioimaplib routes it."""
    protocol = client.protocol
    route = protocol._untagged_response

    def routed(line: bytes) -> Any:
        note(line)
        return route(line)

    protocol._untagged_response = routed
