"""The console with a large queue: start-up, key presses, live updates, filters."""

from __future__ import annotations

import asyncio
import random
import sqlite3
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

from textual.pilot import Pilot

from bench.results import Result, median_ms
from console.app import OperatorConsole
from console.bridge import ItemsUpdated
from console.service_mode import Service
from core.config import Settings, load_settings
from core.models import Action, Intent, Proposal, State
from core.store import utc_now
from core.store.migrate import migrate_sqlite

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=timezone.utc)
_STATES = [State.AWAITING_REVIEW] * 6 + [State.SENT] * 3 + [State.SKIPPED, State.FAILED]


def seed(path: Path, count: int) -> None:
    """Write `count` triaged items in one transaction (the store's API fsyncs each one)."""
    rng = random.Random(7)
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, isolation_level=None)
    migrate_sqlite(db, utc_now)
    rows = []
    for uid in range(1, count + 1):
        intent = rng.choice(list(Intent))
        proposal = Proposal(
            provider="offline",
            intent=intent,
            confidence=round(rng.random(), 2),
            emergency=rng.random() < 0.03,
            summary="s",
            action=Action.REPLY,
            reason="ready",
            to=[f"t{uid}@example.com"],
            cc=[],
            subject=f"Re: message {uid}",
            body="Hello",
            tenant_name=f"Tenant {uid % 500}",
        )
        at = (NOW - timedelta(minutes=rng.randint(0, 5000))).isoformat()
        rows.append(
            (
                "INBOX",
                1,
                uid,
                f"<{uid}@bench>",
                f"<{uid}@bench>",
                rng.choice(_STATES).value,
                at,
                f"tenant{uid}@example.com",
                f"Subject number {uid}",
                b"Subject: x\r\n\r\nbody",
                proposal.model_dump_json(),
                at,
                at,
            )
        )
    db.executemany(
        "INSERT INTO items (mailbox, uidvalidity, uid, message_id, dedup_key, state, received_at,"
        " sender, subject, raw, proposal, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    db.commit()
    db.close()


def measure_console(root: Path, output: Path, count: int) -> list[Result]:
    big = _settings(root, output / "big")
    small = _settings(root, output / "small")
    seed(big.state_db, count)
    seed(small.state_db, 100)
    measured = asyncio.run(_drive(big, count))
    baseline = asyncio.run(_presses(small))
    ratio = statistics.median(measured.presses) / statistics.median(baseline)
    return [
        Result(
            f"console first screen with {count} items", measured.first * 1000, "ms", 2500, False
        ),
        Result(
            f"  all {count} rows in the table (filled in the background)",
            measured.loaded * 1000,
            "ms",
            10000,
            False,
        ),
        Result(
            f"key press (j/k) with {count} items, median",
            median_ms(measured.presses),
            "ms",
            200,
            False,
        ),
        Result(
            "  the same with 100 items (test harness floor)", median_ms(baseline), "ms", 200, False
        ),
        Result("  ratio: large queue / small queue", ratio, "x", 1.3, False),
        Result("console applying one store event", measured.update * 1000, "ms", 5, False),
        Result(
            f"state filter over {count} items: first screen",
            measured.filtered_first * 1000,
            "ms",
            500,
            False,
        ),
        Result("  every matching row in the table", measured.filtering * 1000, "ms", 4000, False),
        Result("second tick (countdowns)", measured.second_tick * 1000, "ms", 20, False),
        Result("minute tick (every age)", measured.minute_tick * 1000, "ms", 300, False),
    ]


def _settings(root: Path, output: Path) -> Settings:
    return load_settings(
        None,
        data_dir=root / "data",
        output_dir=output,
        imap_host="127.0.0.1",
        imap_user="bench",
        imap_password="x",
        smtp_host="127.0.0.1",
        mail_from="o@example.com",
    )


@dataclass
class ConsoleTimes:
    first: float
    loaded: float
    presses: list[float]
    update: float
    filtered_first: float
    filtering: float
    second_tick: float
    minute_tick: float


def _app(settings: Settings) -> OperatorConsole:
    return OperatorConsole(settings, clock=lambda: NOW, service=Service.NONE, tick_seconds=3600)


async def _press(pilot: Pilot[None], keys: list[str]) -> list[float]:
    times = []
    for key in keys:
        before = time.perf_counter()
        await pilot.press(key)
        times.append(time.perf_counter() - before)
    return times


async def _presses(settings: Settings) -> list[float]:
    async with _app(settings).run_test(size=(160, 48)) as pilot:
        return await _press(pilot, ["j"] * 75 + ["k"] * 25)


async def _drive(settings: Settings, count: int) -> ConsoleTimes:
    app = _app(settings)
    started = time.perf_counter()
    async with app.run_test(size=(160, 48)) as pilot:
        while app.queue.row_count == 0:
            await pilot.pause(0.01)
        first = time.perf_counter() - started
        while app.queue.row_count < count:
            await pilot.pause(0.05)
        loaded = time.perf_counter() - started
        presses = await _press(pilot, ["j"] * 75 + ["k"] * 25)
        items = list(app.items.values())[:1000]
        before = time.perf_counter()
        for item in items:
            later = item.updated_at + timedelta(seconds=1)
            app.post_message(
                ItemsUpdated(
                    [replace(item, state=State.SENT, updated_at=later, version=item.version + 1)]
                )
            )
        while any(app.items[i.id].state is not State.SENT for i in items):
            await pilot.pause(0.01)
        update = (time.perf_counter() - before) / len(items)
        await pilot.pause(0.5)  # the debounced re-sort happens here
        minute = _timed(lambda: app.queue.refresh_times(app.items, NOW + timedelta(minutes=2)))
        later = NOW + timedelta(minutes=2, seconds=1)
        second = _timed(lambda: app.queue.refresh_times(app.items, later))
        before = time.perf_counter()
        app.action_cycle_state()
        await asyncio.sleep(0)
        while app.queue.row_count == 0 or app.queue.filter.state is None:  # noqa: ASYNC110
            await asyncio.sleep(0.005)
        filtered_first = time.perf_counter() - before
        filling = [w for w in app.workers if w.group == "rows"]
        if filling:  # (an empty list would mean "wait for every worker")
            await app.workers.wait_for_complete(filling)
        filtering = time.perf_counter() - before
    return ConsoleTimes(first, loaded, presses, update, filtered_first, filtering, second, minute)


def _timed(action: Callable[[], object]) -> float:
    before = time.perf_counter()
    action()
    return time.perf_counter() - before
