"""Noticing the manager's own replies, sent from a phone, webmail or Outlook.

A second IMAP connection watches the Sent folder (`IMAP_SENT_MAILBOX`, else the
one the server marks `\\Sent`): IDLE while nothing happens, and on each change
the messages added since the last look. A message there that the assistant
did not send (it knows its own Message-IDs) is the manager's reply; kept in the
store, it retires the items it answers (`core.elsewhere`). When the service
starts it reads what arrived while it was down (the last `UNREAD_DAYS_BACK`
days the first time).

Before any reply of ours goes out, `answered_elsewhere` looks again, at the
server: a reply in Sent answering the message, or the message flagged
`\\Answered` by another client. Never on top of the manager's answer.

When it cannot look (no Sent folder, a second connection refused), it says so
once, in the status line, and the assistant works as before.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from core.errors import AuthError, InboxError
from core.events import EventBus, SentWatchChanged
from core.mail.inbox import IDLE_REFRESH_SECONDS, ImapInbox
from core.mail.parsing import own_words, parse_message
from core.models import Item, OutsideReply, ParsedEmail
from core.retry import backoff_delay
from core.store import Store

log = logging.getLogger(__name__)

CHECK_TIMEOUT = 15.0  # seconds a look before sending may take; then the reply goes
RETRY_CAP = 300.0


@dataclass(frozen=True)
class SentFolder:
    """Which folder is watched, or why none is."""

    name: str = ""
    problem: str = ""


def outside_reply(email: ParsedEmail) -> OutsideReply:
    """The manager's reply as the store keeps it: headers that thread it, their own words."""
    return OutsideReply(
        message_id=email.message_id,
        in_reply_to=email.in_reply_to,
        references=email.references,
        sent_at=email.date,
        sender=str(email.sender) if email.sender else "",
        to=tuple(a.addr.lower() for a in (*email.to, *email.cc)),
        subject=email.subject,
        text=own_words(email.text)[:4000],
    )


class SentWatcher:
    def __init__(
        self,
        store: Store,
        connect: Callable[[], ImapInbox],
        bus: EventBus,
        *,
        configured: str,
        days_back: int,
        clock: Callable[[], datetime],
        inbox: str = "",
    ) -> None:
        self.store = store
        self.inbox = inbox  # its name in the mailboxes file
        self.connect = connect
        self.bus = bus
        self.configured = configured  # IMAP_SENT_MAILBOX, or "" to ask the server
        self.days_back = days_back
        self.clock = clock
        self._conn: ImapInbox | None = None  # open, on the Sent folder
        self._opening: ImapInbox | None = None  # being opened
        self._lock = asyncio.Lock()
        self._wake = asyncio.Event()
        self._said = ""  # the last status line, said once
        # Called for each item a reply found here retired (its ticket learns of it).
        self.on_retired: Callable[[Item], Awaitable[object]] = _ignore

    # --- the long-running watch ---------------------------------------------------------

    async def run(self, stop: asyncio.Event) -> None:
        """Watch until `stop`; reconnect with growing pauses; say once when it cannot."""
        failures = 0
        stopping = asyncio.ensure_future(self._wake_when(stop))
        try:
            while not stop.is_set():
                try:
                    await self.open()
                    failures = 0
                    await self._watch(stop)
                except (InboxError, AuthError) as exc:
                    failures += 1
                    self._say("not watched", f"cannot watch the Sent folder: {exc}")
                    await _pause(stop, backoff_delay(failures - 1, 2.0, RETRY_CAP))
                finally:
                    await self.close()
        finally:
            stopping.cancel()

    async def _wake_when(self, stop: asyncio.Event) -> None:
        await stop.wait()
        self._wake.set()

    async def open(self) -> bool:
        """Connect, find the Sent folder and read what is new there; False when there is none."""
        conn = self._opening = self.connect()  # closed by `close`, whatever happens next
        await conn.connect()
        folder = await self._find_folder(conn)
        if not folder.name:
            await self.close()
            self._say("not watched", folder.problem)
            return False
        await conn.select(folder.name)
        async with self._lock:
            await self._read_new(conn)
        self._conn, self._opening = conn, None
        self._say("watching", f"watching {folder.name} for replies sent from elsewhere")
        return True

    async def _watch(self, stop: asyncio.Event) -> None:
        if self._conn is None:  # no Sent folder: look again in an hour (it may be created)
            await _pause(stop, 3600)
            return
        while not stop.is_set():
            async with self._lock:
                conn = self._conn
                if conn is None:
                    return
                if not self._wake.is_set():
                    await conn.wait_for_change(IDLE_REFRESH_SECONDS, self._wake)
                self._wake.clear()
                await self._read_new(conn)
            await asyncio.sleep(0)  # a look before sending gets its turn here

    async def close(self) -> None:
        """Close the connection (and one being opened); a stop that cancels this task again
        and again cannot leave a socket open: the closing runs to its end."""
        conns = [conn for conn in (self._conn, self._opening) if conn is not None]
        self._conn = self._opening = None
        if conns:
            await asyncio.shield(_close_all(conns))

    # --- reading the Sent folder ---------------------------------------------------------

    async def _find_folder(self, conn: ImapInbox) -> SentFolder:
        if self.configured:
            return SentFolder(self.configured)
        try:
            name = await conn.special_use("\\Sent")
        except InboxError as exc:  # a server without SPECIAL-USE (RFC 6154) refuses it
            log.info("the server marks no Sent folder: %s", exc)
            name = None
        if name is None:
            named = sent_by_name(await conn.mailbox_names())
            if named is None:
                return SentFolder(problem="no Sent folder found; set IMAP_SENT_MAILBOX")
            name = named
        return SentFolder(name)

    async def _read_new(self, conn: ImapInbox) -> None:
        """Keep every reply added since the last look; the read position follows them."""
        where = f"{self.inbox}/{conn.mailbox}" if self.inbox else conn.mailbox
        key = f"sent:{where}:{conn.uidvalidity}"
        last = await self.store.cursor(key)
        if last is None:
            since: date = (self.clock() - timedelta(days=self.days_back)).date()
            uids = await conn.uids_since(since)
        else:
            uids = await conn.uids_after(int(last))
        for uid in uids:
            fetched = await conn.fetch(uid)
            if fetched is not None:
                await self._keep(parse_message(fetched.raw))
            await self.store.set_cursor(key, uid)
        if last is None and not uids:
            await self.store.set_cursor(key, 0)

    async def _keep(self, email: ParsedEmail) -> None:
        if not email.message_id or await self.store.is_our_message(email.message_id):
            return  # our own reply (or page), filed in Sent
        retired = await self.store.record_outside_reply(outside_reply(email))
        for item in retired:
            log.info("#%s was answered from another mail client (%s)", item.id, email.message_id)
            await self.on_retired(item)

    # --- the look before a reply of ours goes out --------------------------------------

    async def answered_elsewhere(self, item: Item) -> str:
        """Why this item must not be answered (another client answered it), or "".

        Looks at the server now. When there is nothing to look with (no Sent folder,
        no connection) or the look takes too long, "" : the reply goes, as it would
        have before this existed.
        """
        if self._conn is None:
            return ""
        self._wake.set()  # end the IDLE so the connection is free
        try:
            return await asyncio.wait_for(self._look_when_free(item), CHECK_TIMEOUT)
        except asyncio.TimeoutError:
            log.warning("#%s: no answer from the Sent folder in time; sending", item.id)
        except (InboxError, AuthError) as exc:
            log.warning("#%s: could not look in the Sent folder (%s); sending", item.id, exc)
        return ""

    async def _look_when_free(self, item: Item) -> str:
        async with self._lock:
            return await self._look(item)

    async def _look(self, item: Item) -> str:
        conn = self._conn
        if conn is None:
            return ""
        await self._read_new(conn)  # anything new is kept, and may retire the item already
        for uid in await conn.answering(item.message_id) if item.message_id else []:
            fetched = await conn.fetch(uid)
            if fetched is None:
                continue
            email = parse_message(fetched.raw)
            if email.message_id and not await self.store.is_our_message(email.message_id):
                await self._keep(email)
                return f"the manager answered from another mail client ({email.message_id})"
        if item.key.mailbox and await conn.answered_in(item.key.mailbox, item.key.uid):
            return "another mail client marked the message answered"
        return ""

    def cannot_watch(self, exc: Exception) -> None:
        self._say("not watched", f"cannot watch the Sent folder: {exc}")

    def _say(self, status: str, detail: str) -> None:
        if detail != self._said:
            self._said = detail
            log.info("Sent folder: %s", detail)
            self.bus.publish(SentWatchChanged(status, detail))


async def _close_all(conns: list[ImapInbox]) -> None:
    for conn in conns:
        with contextlib.suppress(InboxError, AuthError, OSError):
            await conn.close()


async def _ignore(item: Item) -> None:
    return None


async def _pause(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(asyncio.TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)


# What mail clients call the Sent folder when the server marks none.
_SENT_NAMES = re.compile(
    r"^(?:.*[./])?(sent|sent items|sent messages|sent mail|gesendet|gesendete (objekte|elemente)|"
    r"enviados|elementos enviados|envoyés|éléments envoyés|inviati|posta inviata|wysłane|"
    r"đã gửi)$",
    re.IGNORECASE,
)


def sent_by_name(names: list[str]) -> str | None:
    """The one mailbox named like a Sent folder ("Sent", "INBOX.Sent", "Gesendet"…), if
    exactly one is: two candidates are a guess, and a guess could miss the manager's replies."""
    found = [name for name in names if _SENT_NAMES.match(name)]
    return found[0] if len(found) == 1 else None
