"""Real and broken messages from other parsers' test suites: nothing escapes, nothing is lost."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from core.directory import Directory
from core.mail.parsing import parse_message
from core.models import RESTING_STATES, Action
from core.providers.offline import OfflineProvider
from core.triage.classify import triage
from tests.support.assistant import DATA_DIR, assistant, make_settings
from tests.support.dovecot import DovecotServer, ImapAccount
from tests.support.smtp import SmtpServer

CORPORA = Path(__file__).resolve().parents[3] / "shared" / "corpora" / "mime"
FILES = sorted(CORPORA.rglob("*.eml")) if CORPORA.is_dir() else []

pytestmark = pytest.mark.skipif(not FILES, reason="shared MIME corpora not present")


async def test_every_corpus_message_gets_a_proposal() -> None:
    directory = Directory.load(DATA_DIR)
    provider = OfflineProvider(directory)
    actions = []
    for path in FILES:
        email = await asyncio.to_thread(parse_message, path.read_bytes())
        proposal = await triage(email, directory, provider)
        actions.append(proposal.action)
        if proposal.action is Action.REPLY:  # strangers never get an automatic answer
            assert proposal.tenant_id is not None
    assert len(actions) == len(FILES) > 100
    assert Action.SKIP in actions and Action.REVIEW in actions


async def test_corpus_messages_through_the_whole_pipeline(
    dovecot: DovecotServer, imap_account: ImapAccount, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    chosen = [p for p in FILES if p.stat().st_size < 4_000_000][::4]
    for path in chosen:
        dovecot.deliver(imap_account, path.read_bytes())
    settings = make_settings(imap_account, smtp_server, tmp_path, auto_send="general,rent")
    async with assistant(settings) as opened:
        await opened.pipeline.run_once()
        items = await opened.store.items()
    assert len(items) == len(chosen)
    assert all(item.state in RESTING_STATES for item in items)
    assert smtp_server.messages == []  # none of these senders is a tenant
