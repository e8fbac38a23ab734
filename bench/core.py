"""Parsing, triage, the store and the whole pipeline on the demo servers."""

from __future__ import annotations

import time
from datetime import datetime, timezone
from pathlib import Path

from bench.results import Result, median_ms
from core.config import load_settings
from core.directory import Directory
from core.mail.parsing import parse_message
from core.models import Intent, MessageKey, State
from core.providers.offline import OfflineProvider
from core.service.assembly import open_assistant
from core.service.demo import DemoMailServers, demo_settings
from core.store import NewMessage, open_store
from core.triage.classify import triage


def _demo_messages(root: Path) -> list[bytes]:
    return [p.read_bytes() for p in sorted((root / "data" / "demo").glob("*.eml"))]


def measure_parsing(root: Path) -> list[Result]:
    messages = _demo_messages(root) * 10
    started = time.perf_counter()
    for raw in messages:
        parse_message(raw)
    rate = len(messages) / (time.perf_counter() - started)
    return [Result("parse demo mail", rate, "msg/s", 300, True)]


async def measure_triage(root: Path) -> list[Result]:
    directory = Directory.load(root / "data")
    provider = OfflineProvider(directory)
    emails = [parse_message(raw) for raw in _demo_messages(root)] * 5
    times = []
    for email in emails:
        started = time.perf_counter()
        await triage(email, directory, provider)
        times.append(time.perf_counter() - started)
    return [Result("offline triage, median per email", median_ms(times), "ms", 20, False)]


async def measure_store(folder: Path, count: int = 2000) -> list[Result]:
    store = await open_store(folder / "state.sqlite3")
    now = datetime.now(timezone.utc)
    started = time.perf_counter()
    for uid in range(1, count + 1):
        item = await store.add(
            NewMessage(MessageKey("INBOX", 1, uid), f"<{uid}@b>", f"<{uid}@b>", b"x", now, "a", "s")
        )
        assert item is not None
        await store.transition(item.id, State.TRIAGED, actor="bench")
    rate = 2 * count / (time.perf_counter() - started)
    await store.close()
    return [Result("store writes (durable, audited)", rate, "writes/s", 200, True)]


async def measure_pipeline(root: Path, output: Path) -> list[Result]:
    settings = load_settings(
        None, data_dir=root / "data", auto_send=",".join(i.value for i in Intent)
    )
    async with DemoMailServers(root / "data" / "demo", output / "sent") as endpoints:
        demo = demo_settings(settings, endpoints, output)
        async with open_assistant(demo) as assistant:
            started = time.perf_counter()
            counts = await assistant.pipeline.run_once()
            elapsed = time.perf_counter() - started
    handled = sum(counts.values())
    return [
        Result("pipeline on the demo mailbox (IMAP+SMTP)", handled / elapsed, "msg/s", 10, True),
        Result("  demo messages handled", handled, "msgs", endpoints.messages, True),
    ]


def measure_portfolio(root: Path, folder: Path, addresses: int = 20_000) -> list[Result]:
    """The draft check for other tenants' details and the sender lookup, on the shipped
    datastore and on one with `addresses` alternate addresses on file: the same cost."""
    import json
    import shutil

    from core.triage.safety import safety_flags

    shutil.copytree(root / "data", folder, ignore=shutil.ignore_patterns("demo"))
    tenants = json.loads((folder / "tenants.json").read_text())
    each = addresses // len(tenants)
    for n, tenant in enumerate(tenants):
        tenant["alt_emails"] = [f"t{n}.{k}@portfolio.example" for k in range(each)]
    (folder / "tenants.json").write_text(json.dumps(tenants))
    emails = [parse_message(raw) for raw in _demo_messages(root)]
    reply = (
        "Dear tenant, thank you for your message. A technician will call you on "
        "+1 555 0100 tomorrow between 9 and 11. Best regards, Harbor & Elm"
    )

    def cost(directory: Directory) -> float:
        _ = directory.mentions  # built once per datastore, on first use
        started = time.perf_counter()
        for _ in range(20):
            for email in emails:
                context = directory.context_for(email.sender_addr or "")
                safety_flags(email, context, reply, directory)
        return (time.perf_counter() - started) / (20 * len(emails))

    small = cost(Directory.load(root / "data"))
    large = cost(Directory.load(folder))
    return [
        Result(
            f"draft check + sender lookup, {addresses:,} addresses ÷ {len(tenants)} tenants",
            large / small,
            "times",
            1.2,
            False,
        ),
        Result("  per draft, the large datastore", large * 1000, "ms", 1, False),
    ]
