"""Several service processes on one store and one mailbox: a team, as the office runs it.

Run on the embedded store by default and on PostgreSQL with `--store postgres`.
"""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from core.models import State
from core.store import open_store
from tests.core.test_resilience import TENANTS, environment, stored_items
from tests.support.dovecot import DovecotServer, ImapAccount
from tests.support.mail import make_email
from tests.support.smtp import SmtpServer
from tests.support.stores import store_location

LEASE = "inbox:inbox"


def start_service(env: dict[str, str], cwd: Path, log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "console", "--headless"],
            env=env,
            cwd=cwd,
            stdout=out,
            stderr=out,
        )


async def watcher_pid(location: str) -> int | None:
    """The process holding the mailbox's lease (the one watching it), if any."""
    store = await open_store(location)
    try:
        holder = await store.lease_holder(LEASE)
    finally:
        await store.close()
    return int(holder.split("/")[1]) if holder else None


def wait_for_watcher(location: str, pids: set[int], timeout: float = 30.0) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pid = asyncio.run(watcher_pid(location))
        if pid in pids:
            return pid
        time.sleep(0.2)
    raise AssertionError(f"none of {sorted(pids)} watches the mailbox")


def wait_until_all_rest(location: str, count: int, log: Path, timeout: float = 60.0) -> None:
    """Until the store holds `count` emails, each sent or waiting for a person (a lease
    of 10 s to take over, on a machine that may be busy with other tests)."""
    deadline = time.monotonic() + timeout
    states: list[State] = []
    while time.monotonic() < deadline:
        states = [item.state for item in asyncio.run(stored_items(location))]
        if len(states) == count and all(s in (State.SENT, State.IN_DOUBT) for s in states):
            return
        time.sleep(0.2)
    said = log.read_text(errors="replace").splitlines()[-40:]
    raise AssertionError(
        f"not every email came to rest: {Counter(states)}; the services said:\n" + "\n".join(said)
    )


@pytest.mark.timeout(300)
def test_two_services_killed_in_turn_answer_every_email_exactly_once(
    dovecot: DovecotServer, imap_account: ImapAccount, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    env = environment(
        imap_account, smtp_server, tmp_path, AUTO_SEND="maintenance", IMAP_SENT_MAILBOX="Sent"
    )
    location = store_location(tmp_path)
    log = tmp_path / "services.log"
    services = [start_service(env, tmp_path, log) for _ in range(2)]
    originals: list[str] = []

    def deliver(count: int) -> None:
        for _ in range(count):
            n = len(originals)
            message_id = f"<team-{n}@mail.example.com>"
            sender = TENANTS[n % len(TENANTS)]
            body = f"The radiator in the bedroom is broken ({n})."
            dovecot.deliver(
                imap_account, make_email(sender, f"Radiator {n}", body, message_id=message_id)
            )
            originals.append(message_id)

    try:
        wait_for_watcher(location, {p.pid for p in services})
        for round_ in range(4):
            deliver(3)
            smtp_server.wait_for(len(originals) - 1, timeout=30)  # mail is flowing
            victim = services[round_ % 2]  # killed while the last of them is being handled
            victim.send_signal(signal.SIGKILL)
            victim.wait(10)
            killed = time.monotonic()
            deliver(2)  # while it is down, the other one answers
            wait_until_all_rest(location, len(originals), log)
            assert time.monotonic() - killed < 30
            services[round_ % 2] = start_service(env, tmp_path, log)
        wait_until_all_rest(location, len(originals), log)
        time.sleep(1.0)  # a second answer, if there were one, would arrive now
    finally:
        for service in services:
            service.send_signal(signal.SIGTERM)
        for service in services:
            service.wait(45)
    sent = [m.message["In-Reply-To"] for m in smtp_server.messages]
    twice = [message_id for message_id, n in Counter(sent).items() if n > 1]
    assert twice == [], f"answered twice: {twice}"
    items = asyncio.run(stored_items(location))
    assert len(items) == len(originals)  # every email recorded once
    for item in items:
        if item.message_id not in sent:  # cut off mid-send by a kill: a person decides
            assert item.state is State.IN_DOUBT, (item.id, item.state, item.error)
        else:
            assert item.state in (State.SENT, State.IN_DOUBT), (item.id, item.state)
    assert sum(item.state is State.IN_DOUBT for item in items) <= 4
    assert "Traceback" not in log.read_text()


@pytest.mark.timeout(120)
def test_when_the_watching_service_dies_another_takes_the_mailbox_over(
    dovecot: DovecotServer, imap_account: ImapAccount, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    env = environment(imap_account, smtp_server, tmp_path, AUTO_SEND="maintenance")
    location = store_location(tmp_path)
    log = tmp_path / "services.log"
    services = {p.pid: p for p in (start_service(env, tmp_path, log) for _ in range(2))}
    try:
        watching = wait_for_watcher(location, set(services))
        victim = services.pop(watching)
        victim.send_signal(signal.SIGKILL)
        victim.wait(10)
        killed = time.monotonic()
        dovecot.deliver(imap_account, make_email(TENANTS[0], "Heater", "The heater is broken."))
        [survivor] = services
        assert wait_for_watcher(location, {survivor}, timeout=15) == survivor
        smtp_server.wait_for(1, timeout=15)  # the new mail was found by the one left
        assert time.monotonic() - killed < 15 + 5
    finally:
        for service in services.values():
            service.send_signal(signal.SIGTERM)
            service.wait(45)
