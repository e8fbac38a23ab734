"""How a service process takes part in a team on one store.

Each service has an identity (host, pid and a random tag) and a row in the
store with its heartbeat and its status: the inbox connection, outages, the
Sent watch (what every console shows in its status line). Every BEAT_SECONDS
it renews its claims on items; a claim not renewed within CLAIM_SECONDS is
free, so the work of a service that died is taken over by the others. A dead
service on this machine is noticed at once (its process is gone) and what it
held is freed without waiting for the lease.

Operators' consoles keep presence rows; a service reads them to know whether a
person is at a keyboard (an emergency then waits for them before the holding
reply goes to the tenant).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from core.errors import StoreError
from core.events import (
    Event,
    InboxStatusChanged,
    OutageChanged,
    SentWatchChanged,
)
from core.store import Store

log = logging.getLogger(__name__)

CLAIM_SECONDS = 10.0  # a claim or lease not renewed this long is free again
BEAT_SECONDS = 3.0  # how often a service renews what it holds and says it runs
STATUS_SECONDS = 0.25  # a change of status reaches the store at most this often
STANDBY = "standby"  # an inbox's status while another process watches the mailbox
# An operator who pressed no key for this long is not at the console (emergencies
# then get the holding reply); a console that stopped saying it is open, even sooner.
PRESENT_SECONDS = 600.0


@dataclass(frozen=True)
class Identity:
    id: str
    host: str
    pid: int

    @classmethod
    def new(cls) -> Identity:
        host, pid = socket.gethostname(), os.getpid()
        return cls(f"{host}/{pid}/{secrets.token_hex(3)}", host, pid)


def pid_alive(pid: int) -> bool:
    """Is a process with this id running on this machine?"""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: it runs
        return True
    return True


class StatusBoard:
    """What this service tells the team, kept from its own events."""

    def __init__(self) -> None:
        # Each inbox this service serves, by name: its status, since when, and why.
        self.inboxes: dict[str, dict[str, Any]] = {}
        self.outages: dict[str, dict[str, Any]] = {}
        self.sent_watch: dict[str, str] = {}
        self.changed = asyncio.Event()
        # How the model is asked for JSON, as this service found out ("" without a model).
        self.model_mode: Callable[[], str] = lambda: ""

    def observe(self, event: Event) -> None:
        if isinstance(event, InboxStatusChanged):
            self.inboxes[event.inbox] = {
                "status": event.status,
                "since": event.since.isoformat(),
                "detail": event.detail,
            }
        elif isinstance(event, OutageChanged):
            if event.since is None:
                self.outages.pop(event.service, None)
            else:
                self.outages[event.service] = {
                    "since": event.since.isoformat(),
                    "next_try": event.next_try.isoformat() if event.next_try else "",
                    "reason": event.reason,
                }
        elif isinstance(event, SentWatchChanged):
            self.sent_watch = {"status": event.status, "detail": event.detail}
        else:
            return
        self.changed.set()

    def snapshot(self) -> dict[str, Any]:
        return {
            "inboxes": self.inboxes,
            "outages": self.outages,
            "sent_watch": self.sent_watch,
            "model_mode": self.model_mode(),
        }


def status_events(status: dict[str, Any]) -> list[Event]:
    """The events a console would have seen in the service's own process."""
    events: list[Event] = [
        InboxStatusChanged(
            inbox["status"], datetime.fromisoformat(inbox["since"]), inbox.get("detail", ""), name
        )
        for name, inbox in sorted((status.get("inboxes") or {}).items())
        if inbox.get("since")
    ]
    for service, outage in (status.get("outages") or {}).items():
        events.append(
            OutageChanged(
                service,
                datetime.fromisoformat(outage["since"]),
                datetime.fromisoformat(outage["next_try"]) if outage.get("next_try") else None,
                outage.get("reason", ""),
            )
        )
    watch = status.get("sent_watch") or {}
    if watch:
        events.append(SentWatchChanged(watch["status"], watch["detail"]))
    return events


class Membership:
    """One service process's place in the team: identity, heartbeat, claims, status."""

    def __init__(
        self, store: Store, clock: Callable[[], datetime], identity: Identity | None = None
    ) -> None:
        self.store = store
        self.clock = clock
        self.identity = identity or Identity.new()
        self.board = StatusBoard()
        self.someone_at_a_keyboard = False

    @property
    def id(self) -> str:
        return self.identity.id

    async def join(self) -> None:
        """Free what dead services of this machine held, then say this one runs."""
        await self.reap()
        await self.beat()

    async def reap(self) -> None:
        """A service of this machine whose process is gone held things: free them now
        (one on another machine is freed when its claims run out)."""
        for service in await self.store.services():
            gone = service.host == self.identity.host and not pid_alive(service.pid)
            if not service.stopped and service.id != self.id and gone:
                freed = await self.store.retire_service(service.id)
                log.info("service %s is gone; %d items it held are free", service.id, freed)

    async def beat(self) -> None:
        """Renew every claim, say this service runs, and look who is at a console."""
        await self.store.renew_claims(self.id, CLAIM_SECONDS)
        await self._say()
        now = self.clock()
        present = await self.store.presence(now - timedelta(seconds=3 * BEAT_SECONDS))
        self.someone_at_a_keyboard = any(
            (now - p.active_at).total_seconds() < PRESENT_SECONDS for p in present
        )

    async def _say(self, *, stopped: bool = False) -> None:
        self.board.changed.clear()
        await self.store.service_beat(
            self.id,
            self.identity.host,
            self.identity.pid,
            self.board.snapshot(),
            stopped=stopped,
        )

    async def run(self, stop: asyncio.Event) -> None:
        """Beat until `stop`; a change of status is told at once (at most every
        STATUS_SECONDS)."""
        next_beat = asyncio.get_running_loop().time() + BEAT_SECONDS
        while not stop.is_set():
            loop = asyncio.get_running_loop()
            wait = max(0.0, next_beat - loop.time())
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self.board.changed.wait(), wait)
            try:
                if loop.time() >= next_beat:
                    await self.beat()
                    next_beat = loop.time() + BEAT_SECONDS
                elif self.board.changed.is_set():
                    await self._say()
                    await asyncio.sleep(STATUS_SECONDS)
            except StoreError as exc:
                log.warning("cannot reach the store for the heartbeat: %s", exc)
                await asyncio.sleep(1.0)

    async def leave(self) -> None:
        """Stopped: what it held is free for the others at once."""
        try:
            await self._say(stopped=True)
            await self.store.retire_service(self.id)
        except StoreError as exc:
            log.warning("could not say this service stopped: %s", exc)
