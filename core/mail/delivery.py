"""Sending a reply: one attempt at a time, waiting out what passes, failing on what does not.

A reply is built once, when it is approved, and kept in the store as sent
bytes; every attempt sends exactly those (same Message-ID). The server's answer
decides what follows:

- 250: `sent`.
- a reason that passes (the server cannot be reached, drops the line, times
  out, or answers 4xx): `retrying`, tried again after a growing, jittered pause
  (seconds at first, then minutes, at most `SEND_RETRY_CAP`), until it goes or
  `retry_hours` have passed since the first such failure; then `failed`, with
  the server's words.
- 5xx: `failed` at once, with the server's words.

While the server cannot be reached, the `mail_server` circuit lets one reply at
a time try it (the probe), less and less often; the others wait behind it and
go as soon as it answers. The schedule is in the store (`send_after`,
`retrying_since`), so a restart resumes it, and a reply is only ever sent from
`sending`, which one worker at a time can enter.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import SMTP
from typing import Any, Protocol

from core.circuit import Circuit
from core.errors import AuthError, SendError
from core.models import Item, State
from core.retry import backoff_delay
from core.store import Store

PIPELINE = "pipeline"
SEND_RETRY_CAP = 900.0  # a reply is tried at least every 15 minutes while it waits
MAIL_SERVER_CAP = 300.0  # an unreachable mail server is tried at least every 5 minutes


class Sender(Protocol):
    async def send(self, message: EmailMessage) -> dict[str, str]: ...


class Delivery:
    def __init__(
        self,
        store: Store,
        sender: Sender,
        *,
        first_pause: float,
        retry_hours: float,
        clock: Callable[[], datetime],
    ) -> None:
        self.store = store
        self.sender = sender
        self.first_pause = first_pause
        self.retry_hours = retry_hours
        self.clock = clock
        self.mail_server = Circuit(
            "mail server", threshold=1, first=first_pause, cap=MAIL_SERVER_CAP, clock=clock
        )
        # Replies go to the server one at a time (it is one connection anyway), each
        # asking the circuit first: while the server is down, only the probe tries it.
        self._one_at_a_time = asyncio.Lock()
        self._behind_server: set[int] = set()  # replies waiting for the server to answer

    def goes_now(self, item: Item) -> bool:
        """A retrying reply that waited behind the server goes as soon as it answers."""
        return item.id in self._behind_server and not self.mail_server.blocked()

    def release_behind_server(self) -> list[int]:
        """The mail server answers again: the replies that waited for it, to send now."""
        released, self._behind_server = sorted(self._behind_server), set()
        return released

    async def first_attempt(self, item: Item, message: EmailMessage, reply: dict[str, Any]) -> Item:
        """Send an approved reply; `reply` holds the fields that keep it in the store."""
        async with self._one_at_a_time:
            if not self.mail_server.claim():
                return await self._wait_for_server(item, send_attempts=0, **reply)
            try:
                item = await self.store.transition(
                    item.id,
                    State.SENDING,
                    actor=PIPELINE,
                    expect={State.APPROVED},
                    expect_version=item.version,  # the reply is built from exactly this version
                    send_attempts=1,
                    **reply,
                )
            except BaseException:
                self.mail_server.released()
                raise
            return await self._send(item, message)

    async def retry(self, item: Item) -> Item:
        """Try a waiting reply again: the very message built when it was approved."""
        async with self._one_at_a_time:
            if not self.mail_server.claim():
                return await self._wait_for_server(item)
            self._behind_server.discard(item.id)
            try:
                item = await self.store.transition(
                    item.id,
                    State.SENDING,
                    actor=PIPELINE,
                    expect={State.RETRYING},
                    expect_version=item.version,
                    send_attempts=item.send_attempts + 1,
                    send_after=None,
                )
                raw = await self.store.reply_raw(item.id)
            except BaseException:
                self.mail_server.released()
                raise
            return await self._send(item, message_from_bytes(raw, policy=SMTP))

    async def _send(self, item: Item, message: EmailMessage) -> Item:
        """Hand the reply to the server; its answer decides: sent, later, or failed."""
        try:
            refused = await self.sender.send(message)
        except SendError as exc:
            if exc.unreachable or exc.in_doubt:
                self.mail_server.failed(str(exc))
            else:  # it answered: the server is there, this message was refused
                self.mail_server.succeeded()
            if exc.in_doubt:
                return await self.store.transition(
                    item.id,
                    State.IN_DOUBT,
                    actor=PIPELINE,
                    expect={State.SENDING},
                    error=f"{exc}: it may have gone out. The reply's Message-ID: "
                    f"{item.reply_message_id or 'unknown'}",
                )
            if exc.retryable:
                return await self._retry_later(item, exc)
            return await self.store.transition(
                item.id,
                State.FAILED,
                actor=PIPELINE,
                expect={State.SENDING},
                error=f"not sent: {exc}",
            )
        except AuthError as exc:  # refused at sign-in, before any message data: not sent
            self.mail_server.released()
            await self.store.transition(
                item.id,
                State.APPROVED,
                actor=PIPELINE,
                expect={State.SENDING},
                detail={"waiting": f"not sent yet: {exc}"},
            )
            raise
        except BaseException:
            self.mail_server.released()
            raise
        self.mail_server.succeeded()
        detail = {"to": item.proposal.to, "cc": item.proposal.cc, "refused": refused}  # type: ignore[union-attr]
        if item.send_attempts > 1:
            detail["attempts"] = item.send_attempts
        return await self.store.transition(
            item.id,
            State.SENT,
            actor=PIPELINE,
            expect={State.SENDING},
            detail=detail,
            error=f"some recipients were refused: {refused}" if refused else "",
        )

    async def _retry_later(self, item: Item, exc: SendError) -> Item:
        """A reason that passes: wait and try again, unless the deadline has passed."""
        now = self.clock()
        since = item.retrying_since or now
        if self._past_deadline(since, now):
            return await self._give_up(item, since, str(exc))
        if exc.unreachable:  # the next try of the server, whoever makes it
            self._behind_server.add(item.id)
            next_try = self.mail_server.expected_next_try()
        else:
            pause = backoff_delay(item.send_attempts - 1, self.first_pause, SEND_RETRY_CAP)
            next_try = now + timedelta(seconds=pause)
        return await self.store.transition(
            item.id,
            State.RETRYING,
            actor=PIPELINE,
            expect={State.SENDING},
            send_after=next_try,
            retrying_since=since,
            error=f"not sent yet: {exc}",
            detail={
                "attempt": item.send_attempts,
                "reason": str(exc),
                "next_try": next_try.isoformat(),
            },
        )

    async def _wait_for_server(self, item: Item, **fields: Any) -> Item:
        """The mail server is unreachable and another reply is trying it: wait behind it."""
        now = self.clock()
        since = item.retrying_since or now
        if self._past_deadline(since, now):
            return await self._give_up(item, since, self.mail_server.reason)
        self._behind_server.add(item.id)
        next_try = self.mail_server.expected_next_try()
        why = f"not sent yet: the mail server is unreachable ({self.mail_server.reason})"
        if item.state is State.APPROVED:
            return await self.store.transition(
                item.id,
                State.RETRYING,
                actor=PIPELINE,
                expect={State.APPROVED},
                expect_version=item.version,
                send_after=next_try,
                error=why,
                detail={"waiting": "for the mail server", "next_try": next_try.isoformat()},
                **{**fields, "retrying_since": since},
            )
        return await self.store.update(
            item.id,
            actor=PIPELINE,
            expect={State.RETRYING},
            expect_version=item.version,
            send_after=next_try,
            retrying_since=since,
            error=why,
        )

    def _past_deadline(self, since: datetime, now: datetime) -> bool:
        return now - since >= timedelta(hours=self.retry_hours)

    async def _give_up(self, item: Item, since: datetime, why: str) -> Item:
        self._behind_server.discard(item.id)
        hours = self.retry_hours
        return await self.store.transition(
            item.id,
            State.FAILED,
            actor=PIPELINE,
            expect={item.state},
            send_after=None,
            error=f"not sent: {why} (still so after {hours:g} h of retrying since "
            f"{since.astimezone():%d %b %H:%M}; approve to try again)",
        )
