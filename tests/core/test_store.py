"""The store: the lifecycle is enforced, every change is audited, nothing is lost."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

import psycopg
import pytest

from core.errors import InvalidTransition, StaleItem
from core.events import ItemAdded, ItemChanged
from core.models import MessageKey, State
from core.store import NewMessage, open_store
from core.store.base import Sql
from tests.support.postgres import PostgresServer


def message(uid: int, message_id: str = "") -> NewMessage:
    return NewMessage(
        key=MessageKey("INBOX", 7, uid),
        message_id=message_id or f"<m{uid}@example.com>",
        dedup_key=message_id or f"<m{uid}@example.com>",
        raw=b"Subject: x\r\n\r\nbody",
        received_at=datetime(2026, 11, 25, tzinfo=timezone.utc),
        sender="a@example.com",
        subject="x",
    )


async def test_a_message_is_recorded_once(store_url: str) -> None:
    events: list[object] = []
    store = await open_store(store_url, publish=events.append)
    first = await store.add(message(1))
    again = await store.add(message(1))
    assert first is not None and first.state is State.NEW
    assert again is None
    assert await store.known_uids("INBOX", 7) == {1}
    assert await store.raw(first.id) == b"Subject: x\r\n\r\nbody"
    assert [type(e) for e in events] == [ItemAdded]
    await store.close()


async def test_lifecycle_is_enforced_and_audited(store_url: str) -> None:
    events: list[object] = []
    store = await open_store(store_url, publish=events.append)
    item = await store.add(message(1))
    assert item is not None
    with pytest.raises(InvalidTransition, match="cannot go from new to sent"):
        await store.transition(item.id, State.SENT, actor="test")
    await store.transition(item.id, State.TRIAGED, actor="pipeline")
    await store.transition(item.id, State.AWAITING_REVIEW, actor="pipeline")
    with pytest.raises(InvalidTransition, match="is awaiting_review, not approved"):
        await store.transition(item.id, State.SENDING, actor="x", expect={State.APPROVED})
    done = await store.transition(
        item.id, State.DISMISSED, actor="operator", detail={"why": "spam"}
    )
    assert done.state is State.DISMISSED and not done.flags_synced
    trail = [(a.actor, a.from_state, a.to_state) for a in await store.audit(item.id)]
    assert trail == [
        ("inbox", None, State.NEW),
        ("pipeline", State.NEW, State.TRIAGED),
        ("pipeline", State.TRIAGED, State.AWAITING_REVIEW),
        ("operator", State.AWAITING_REVIEW, State.DISMISSED),
    ]
    assert isinstance(events[-1], ItemChanged) and events[-1].previous is State.AWAITING_REVIEW
    await store.close()


async def test_audit_log_is_append_only_in_postgres_too(postgres: PostgresServer) -> None:
    url = postgres.new_database()
    store = await open_store(url)
    await store.add(message(1))
    await store.close()
    with psycopg.connect(url, autocommit=True) as db:
        for change in ("DELETE FROM audit", "UPDATE audit SET actor = 'someone else'"):
            with pytest.raises(psycopg.Error, match="append-only"):
                db.execute(change)


async def test_audit_log_is_append_only(tmp_path: Path) -> None:
    store = await open_store(tmp_path / "s.db")
    await store.add(message(1))
    await store.close()
    db = sqlite3.connect(tmp_path / "s.db")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("DELETE FROM audit")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("UPDATE audit SET actor = 'someone else'")
    db.close()


async def test_state_survives_a_reopen(store_url: str) -> None:
    store = await open_store(store_url)
    item = await store.add(message(5))
    assert item is not None
    await store.transition(item.id, State.TRIAGED, actor="pipeline")
    await store.close()
    reopened = await open_store(store_url)
    assert (await reopened.get(item.id)).state is State.TRIAGED
    assert await reopened.counts() == {State.TRIAGED: 1}
    await reopened.close()


async def test_duplicates_are_found_by_message_id(store_url: str) -> None:
    store = await open_store(store_url)
    first = await store.add(message(1, "<same@example.com>"))
    second = await store.add(message(2, "<same@example.com>"))
    assert first is not None and second is not None
    earlier = await store.duplicate_of(second)
    assert earlier is not None and earlier.id == first.id
    assert await store.duplicate_of(first) is None
    await store.close()


async def test_every_change_raises_the_version_and_a_stale_one_is_refused(
    store_url: str,
) -> None:
    store = await open_store(store_url)
    item = await store.add(message(1))
    assert item is not None and item.version == 1
    triaged = await store.transition(item.id, State.TRIAGED, actor="pipeline")
    review = await store.transition(
        item.id, State.AWAITING_REVIEW, actor="pipeline", expect_version=triaged.version
    )
    assert (triaged.version, review.version) == (2, 3)
    with pytest.raises(StaleItem, match="#1 changed since you saw it"):
        await store.transition(item.id, State.DISMISSED, actor="operator", expect_version=2)
    assert (await store.get(item.id)).state is State.AWAITING_REVIEW
    trail = await store.audit(item.id)
    assert [a.to_state for a in trail][-1] is State.AWAITING_REVIEW  # no row for the refusal
    await store.close()


def as_before_versions(db: sqlite3.Connection) -> None:
    """Make a store look as one written before versioned migrations: without what
    versions 2 and later added, and without the table of versions."""
    for index in ("items_updated", "items_claimed"):
        db.execute(f"DROP INDEX {index}")
    for column in ("claimed_by", "claimed_until"):
        db.execute(f"ALTER TABLE items DROP COLUMN {column}")
    for table in ("leases", "services", "presence", "outside_answers", "outside_replies", "outbox"):
        db.execute(f"DROP TABLE {table}")
    db.execute("DROP TABLE cursors")
    db.execute("DROP TABLE schema_migrations")


async def test_a_store_from_before_versions_opens_with_every_item_at_version_one(
    tmp_path: Path,
) -> None:
    store = await open_store(tmp_path / "s.db")
    await store.add(message(1))
    await store.close()
    db = sqlite3.connect(tmp_path / "s.db")
    db.execute("ALTER TABLE items DROP COLUMN version")
    as_before_versions(db)
    db.commit()
    db.close()
    reopened = await open_store(tmp_path / "s.db")
    [item] = await reopened.items()
    assert item.version == 1
    await reopened.close()


async def test_a_store_from_before_sender_addresses_finds_a_senders_conversations(
    tmp_path: Path,
) -> None:
    store = await open_store(tmp_path / "s.db")
    named = replace(message(1), sender="Emily Chen <Emily.Chen@example.com>")
    first, second = await store.add(named), await store.add(message(2))
    await store.close()
    db = sqlite3.connect(tmp_path / "s.db")
    db.execute("DROP INDEX items_sender_addr")
    db.execute("ALTER TABLE items DROP COLUMN sender_addr")
    as_before_versions(db)
    db.commit()
    db.close()
    reopened = await open_store(tmp_path / "s.db")
    since = datetime(2026, 11, 1, tzinfo=timezone.utc)
    assert first is not None and second is not None
    found = await reopened.recent_conversations_of(["emily.chen@example.com"], since, before=99)
    assert found == [first.id]
    found = await reopened.recent_conversations_of(["A@example.com"], since, before=99)
    assert found == [second.id]
    assert await reopened.recent_conversations_of(["a@example.com"], since, before=second.id) == []
    await reopened.close()


async def test_reads_see_a_change_as_soon_as_it_is_written(store_url: str) -> None:
    """Reads run on their own connections; they must never see an older state."""
    store = await open_store(store_url)
    item = await store.add(message(1))
    assert item is not None
    for state in (State.TRIAGED, State.AWAITING_REVIEW, State.DISMISSED, State.AWAITING_REVIEW):
        await store.transition(item.id, state, actor="t")
        assert (await store.get(item.id)).state is state
        assert await store.counts() == {state: 1}
    await store.close()


async def test_a_subscriber_that_fails_never_undoes_a_committed_change(store_url: str) -> None:
    def broken(event: object) -> None:
        raise RuntimeError("the console fell over")

    store = await open_store(store_url, publish=broken)
    added = await store.add(message(1))  # no error: the change is committed
    assert added is not None
    moved = await store.transition(added.id, State.TRIAGED, actor="pipeline")
    assert moved.state is State.TRIAGED
    assert (await store.get(added.id)).state is State.TRIAGED
    await store.close()


async def test_a_commit_that_fails_leaves_the_store_usable_and_writes_nothing(
    tmp_path: Path,
) -> None:
    store = await open_store(tmp_path / "s.db")
    added = await store.add(message(1))
    assert added is not None

    def dangling_audit_row(sql: Sql) -> None:
        sql.run("PRAGMA defer_foreign_keys = ON")  # the foreign key is checked at COMMIT
        sql.run("INSERT INTO audit (item_id, at, actor, to_state) VALUES (999, 'now', 'x', 'new')")

    with pytest.raises(sqlite3.IntegrityError):
        await store._write(dangling_audit_row)  # type: ignore[attr-defined]
    # The next change is its own transaction, not a part of the failed one.
    await store.transition(added.id, State.TRIAGED, actor="pipeline")
    await store.close()
    reopened = await open_store(tmp_path / "s.db")
    assert [e.actor for e in await reopened.audit(added.id)] == ["inbox", "pipeline"]
    assert await reopened.audit(999) == []
    await reopened.close()


async def test_several_conversations_are_read_together_each_oldest_first(store_url: str) -> None:
    store = await open_store(store_url)
    added = [await store.add(message(uid)) for uid in range(1, 6)]
    first, second, third, fourth, lone = [item.id for item in added if item is not None]
    for item_id, conversation in ((first, first), (second, second), (third, first)):
        await store.update(item_id, actor="t", expect=[State.NEW], conversation_id=conversation)
    await store.update(fourth, actor="t", expect=[State.NEW], conversation_id=second)
    found = await store.conversations_items([second, first, lone])
    assert {k: [i.id for i in v] for k, v in found.items()} == {
        first: [first, third],
        second: [second, fourth],
    }  # a message never given a conversation is not one
    assert found[first] == await store.conversation_items(first)
    assert await store.conversations_items([]) == {}
    await store.close()
