"""What the detail says about an emergency's pages once nobody can tell, or they stopped."""

from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone
from pathlib import Path

from rich.console import Console

from console.widgets.detail_text import DetailView, render_detail
from core.directory import Directory
from core.mail.parsing import parse_message
from core.models import Channel, MessageKey, State
from core.providers.offline import OfflineProvider
from core.store import NewMessage, open_store
from core.triage.classify import triage
from tests.support.assistant import DATA_DIR
from tests.support.mail import make_email

GAS = make_email("priya.raman@example.com", "Gas", "I smell gas in the kitchen, it is strong!")
ON_CALL = "oncall@example.com"


def shown(view: DetailView, now: datetime) -> str:
    console = Console(width=200, record=True, file=io.StringIO())
    console.print(render_detail(view, now))
    return " ".join(console.export_text().split())


async def test_a_page_cut_off_by_a_stop_says_so_and_pages_end_when_the_message_is_dealt_with(
    tmp_path: Path,
) -> None:
    directory = Directory.load(DATA_DIR)
    email = parse_message(GAS)
    proposal = await triage(email, directory, OfflineProvider(directory))
    assert proposal.emergency
    store = await open_store(tmp_path / "s.db")
    added = await store.add(
        NewMessage(
            MessageKey("INBOX", 1, 1),
            email.message_id,
            email.message_id,
            GAS,
            datetime.now(timezone.utc),
            str(email.sender),
            email.subject,
        )
    )
    assert added is not None
    await store.transition(added.id, State.TRIAGED, actor="pipeline", proposal=proposal)
    item = await store.transition(added.id, State.AWAITING_REVIEW, actor="pipeline")
    page = await store.start_page(item.id, item.id, 1, Channel.EMAIL, [ON_CALL], actor="pipeline")
    assert page is not None  # recorded, and then the process stopped before the answer
    context = directory.context_for(email.sender_addr)
    view = DetailView(item, context, email, pages=(page,))

    assert f"Paged {ON_CALL} at" in shown(view, page.at + timedelta(seconds=5))
    assert "(page 1): sending" in shown(view, page.at + timedelta(seconds=5))
    later = shown(view, page.at + timedelta(minutes=5))
    assert "(page 1): interrupted before the server answered; counted as sent" in later
    assert "g: page on-call again now" in later
    assert "No more pages" not in later

    dismissed = await store.transition(item.id, State.DISMISSED, actor="operator")
    after = shown(DetailView(dismissed, context, email, pages=(page,)), page.at)
    assert "No more pages: the message no longer waits for a person." in after
    assert "g: page on-call again now" not in after
    await store.close()
