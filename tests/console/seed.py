"""A store filled through the real triage, at fixed times: the same screen every run."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from core.config import Settings, load_settings
from core.directory import Directory
from core.mail.parsing import parse_message
from core.models import MessageKey, State
from core.providers.offline import OfflineProvider
from core.store import NewMessage, Store, open_store
from core.triage.classify import triage
from tests.support.assistant import DATA_DIR
from tests.support.mail import make_email

NOW = datetime(2026, 11, 25, 9, 30, tzinfo=timezone.utc)

MAILBOX = [
    # (minutes ago, sender, name, subject, body, final state)
    (
        3,
        "priya.raman@example.com",
        "Priya Raman",
        "Smell of gas in the kitchen",
        "There is a strong smell of gas in my kitchen. I opened the windows.",
        State.AWAITING_REVIEW,
    ),
    (
        25,
        "samuel.okafor@example.com",
        "Samuel Okafor",
        "Locked out of 2B",
        "I lost my keys and I'm locked out of my apartment. Can someone let me in?",
        State.AWAITING_REVIEW,
    ),
    (
        50,
        "emily.chen@example.com",
        "Emily Chen",
        "Dishwasher not draining",
        "My dishwasher stopped draining, there's standing water in it.",
        State.APPROVED,
    ),
    (
        90,
        "rob.johnson@example.net",
        "Robert Johnson",
        "Question about my balance",
        "Hi, could you tell me what my current balance is? I paid on the 1st.",
        State.SENT,
    ),
    (
        130,
        "stranger@example.org",
        "",
        "Apartment for rent?",
        "Hello, do you have any 2-bedroom apartments available?",
        State.AWAITING_REVIEW,
    ),
    (
        200,
        "david.kim@example.com",
        "David Kim",
        "Automatic reply: Rent",
        "I am out of the office until Monday.",
        State.SKIPPED,
    ),
    (
        300,
        "hannah.schmidt@example.net",
        "Hannah Schmidt",
        "Parking permit for guests",
        "Where can my visitors park this weekend?",
        State.AWAITING_REVIEW,
    ),
    (
        400,
        "zoe.mueller@example.org",
        "Zoë Müller",
        "Noise upstairs [again]",
        "The neighbours upstairs play loud music after midnight.",
        State.DISMISSED,
    ),
]


def snapshot_settings(output: Path) -> Settings:
    return load_settings(
        None,
        data_dir=DATA_DIR,
        output_dir=output,
        imap_host="127.0.0.1",
        imap_user="office",
        imap_password="x",
        smtp_host="127.0.0.1",
        mail_from="office@example.com",
        send_delay=10,
    )


async def seed(settings: Settings) -> None:
    store = await open_store(settings.state_db, clock=lambda: NOW)
    directory = Directory.load(settings.data_dir)
    provider = OfflineProvider(directory)
    try:
        for uid, (ago, sender, name, subject, body, final) in enumerate(MAILBOX, 1):
            received = NOW - timedelta(minutes=ago)
            raw = make_email(
                sender,
                subject,
                body,
                name=name,
                date=received,
                message_id=f"<seed-{uid}@mail.example.net>",
            )
            item = await store.add(
                NewMessage(
                    MessageKey("INBOX", 1, uid),
                    f"<seed-{uid}@mail.example.net>",
                    f"<seed-{uid}@mail.example.net>",
                    raw,
                    received,
                    f"{name} <{sender}>",
                    subject,
                )
            )
            assert item is not None
            proposal = await triage(parse_message(raw), directory, provider)
            await store.transition(item.id, State.TRIAGED, actor="pipeline", proposal=proposal)
            await _move(store, item.id, final)
    finally:
        await store.close()


async def _move(store: Store, item_id: int, final: State) -> None:
    path = {
        State.AWAITING_REVIEW: [State.AWAITING_REVIEW],
        State.SKIPPED: [State.SKIPPED],
        State.DISMISSED: [State.AWAITING_REVIEW, State.DISMISSED],
        State.APPROVED: [State.APPROVED],
        State.SENT: [State.APPROVED, State.SENDING, State.SENT],
    }[final]
    for state in path:
        extra: dict[str, Any] = (
            {"send_after": NOW + timedelta(seconds=7)} if final is State.APPROVED else {}
        )
        await store.transition(item_id, state, actor="seed", **extra)


def seeded_settings(output: Path) -> Settings:
    settings = snapshot_settings(output)
    asyncio.run(seed(settings))
    return settings
