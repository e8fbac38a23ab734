"""The console acts on exactly what the operator sees, while the pipeline works.

Driven with Pilot against the loopback servers: mail keeps arriving, rows are
added and re-sorted, and the keys must still act on the message drawn in the
detail pane, never on one the operator has not seen.
"""

from __future__ import annotations

import asyncio
import random
from pathlib import Path
from typing import Any

from textual import events

from core.models import State
from core.service.operator import is_operator
from tests.console.test_operator_console import console, on_screen, until
from tests.support.dovecot import DovecotServer, ImapAccount
from tests.support.mail import make_email
from tests.support.smtp import SmtpServer

SIZE = (160, 40)
MAIL = [
    ("maria.gonzalez@example.com", "Kitchen sink leaking", "The pipe under my sink leaks."),
    ("james.oconnor@example.net", "Covered parking", "Is there a waiting list for the garage?"),
    (
        "priya.raman@example.com",
        "Gas smell in 202",
        "There is a strong smell of gas in my kitchen.",
    ),
    ("david.kim@example.com", "Lost my keys", "I lost my keys, can someone let me in tonight?"),
    ("emily.chen@example.com", "Rent receipt", "Could you send me a receipt for November rent?"),
    ("hannah.schmidt@example.net", "Noise upstairs", "The neighbours play loud music at night."),
]


def mail(n: int) -> bytes:
    sender, subject, body = MAIL[n % len(MAIL)]
    return make_email(sender, f"{subject} ({n})", body, message_id=f"<kb-{n}@mail.example.com>")


async def approvals(app: Any) -> list[int]:
    """The items an operator approved, in order, as the store recorded them."""
    approved = []
    for item in await app.client.store.items():
        trail = await app.client.store.audit(item.id)
        approved += [
            (a.at, item.id) for a in trail if is_operator(a.actor) and a.to_state is State.APPROVED
        ]
    return [item_id for _, item_id in sorted(approved)]


async def test_a_approves_the_message_on_screen_while_rows_arrive_and_resort(
    dovecot: DovecotServer, imap_account: ImapAccount, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    for n in range(6):
        dovecot.deliver(imap_account, mail(n))
    app = console(dovecot, imap_account, smtp_server, tmp_path, send_delay=60)
    rng = random.Random(12)
    approved = 0
    async with app.run_test(size=SIZE) as pilot:
        await until(
            pilot, lambda: sum(i.state is State.AWAITING_REVIEW for i in app.items.values()) >= 3
        )

        async def more_mail() -> None:  # the pipeline adds and re-sorts rows meanwhile
            for n in range(6, 30):
                await asyncio.to_thread(dovecot.deliver, imap_account, mail(n))
                await asyncio.sleep(rng.uniform(0.05, 0.3))

        arriving = asyncio.create_task(more_mail())
        for _ in range(40):
            if rng.random() < 0.3:  # typed together: both keys in before the next frame
                seen = app.detail.on_screen
                before = await approvals(app)
                for key in (rng.choice("jk"), "a"):
                    app.post_message(events.Key(key, key))
                await pilot.pause(0.15)
                # A row the cursor went to was never on screen: it is not approved. (At
                # an end of the queue the cursor stays, on the message that was seen.)
                new = (await approvals(app))[len(before) :]
                assert new in ([], [seen.id] if seen else []), (new, seen)
                continue
            await pilot.press(*rng.choice([["j"], ["k"], ["j", "j"], ["k", "j"]]))
            await pilot.pause(rng.choice([0.0, 0.1, 0.3, 0.4]))  # hasty and careful
            shown = app.detail.on_screen  # drawn on the terminal, at this version
            before = await approvals(app)
            await pilot.press("a")
            await pilot.pause(0.15)
            new = (await approvals(app))[len(before) :]
            # Nothing, or exactly the message that was on screen when `a` was pressed.
            assert new in ([], [shown.id] if shown else []), (new, shown)
            approved += len(new)
        await arriving
    assert approved >= 5, "the test should have approved something"


async def test_a_key_pressed_right_after_a_move_does_nothing_but_say_so(
    dovecot: DovecotServer, imap_account: ImapAccount, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    for n in (0, 1):
        dovecot.deliver(imap_account, mail(n))
    app = console(dovecot, imap_account, smtp_server, tmp_path, send_delay=60)
    async with app.run_test(size=SIZE) as pilot:
        await until(
            pilot, lambda: sum(i.state is State.AWAITING_REVIEW for i in app.items.values()) == 2
        )
        await on_screen(pilot, app)
        await pilot.press("j", "a")  # faster than anyone reads
        await pilot.pause(0.3)
        assert await approvals(app) == []
        notices = [n.message for n in app._notifications]
        assert any("only just appeared" in m or "catching up" in m for m in notices), notices
        await on_screen(pilot, app)
        target = app.detail.on_screen
        assert target is not None
        await pilot.press("a")
        await until(pilot, lambda: app.items[target.id].state is State.APPROVED)
        assert await approvals(app) == [target.id]


async def test_an_item_changed_after_it_was_shown_is_not_approved(
    dovecot: DovecotServer, imap_account: ImapAccount, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    dovecot.deliver(imap_account, mail(0))
    app = console(dovecot, imap_account, smtp_server, tmp_path, send_delay=0)
    async with app.run_test(size=SIZE) as pilot:
        await on_screen(pilot, app)
        shown = app.detail.on_screen
        assert shown is not None
        # Someone else (another operator, another client) changes the draft now.
        await app.operator.edit(shown.id, shown.version, "Another text.")
        await pilot.press("a")
        await pilot.pause(0.5)
        assert await approvals(app) == []
        assert smtp_server.messages == []
        await on_screen(pilot, app)  # the new version is on screen now
        assert "Another text." in app.detail.text.plain
        await pilot.press("a")
        await until(pilot, lambda: app.items[shown.id].state is State.SENT)
    [sent] = smtp_server.messages
    assert sent.message.get_content().startswith("Another text.")


async def test_the_cursor_starts_on_the_most_urgent_and_moves_on_to_the_next_waiting(
    dovecot: DovecotServer, imap_account: ImapAccount, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    for n in (1, 5, 2, 3):  # parking, noise, gas (emergency), lockout
        dovecot.deliver(imap_account, mail(n))
    app = console(dovecot, imap_account, smtp_server, tmp_path, send_delay=60)
    async with app.run_test(size=SIZE) as pilot:
        await until(
            pilot, lambda: sum(i.state is State.AWAITING_REVIEW for i in app.items.values()) == 4
        )

        def most_urgent_selected() -> bool:
            selected = app.items.get(app.queue.selected_id or 0)
            return bool(selected and selected.proposal and selected.proposal.emergency)

        await until(pilot, most_urgent_selected)  # the queue re-sorts a moment after a change
        await on_screen(pilot, app)
        first = app.detail.on_screen
        assert first is not None and first.proposal is not None and first.proposal.emergency
        for _ in range(3):
            current = app.detail.on_screen
            assert current is not None
            await pilot.press("a")
            acted = current.id
            await until(pilot, lambda: app.queue.selected_id != acted)  # noqa: B023
            following = app.items[app.queue.selected_id]  # type: ignore[index]
            assert following.state is State.AWAITING_REVIEW  # the next message that waits
            await on_screen(pilot, app)


async def test_link_a_suggested_conversation_read_it_whole_and_unlink_it(
    dovecot: DovecotServer, imap_account: ImapAccount, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    faucet = make_email(
        "emily.chen@example.com", "Kitchen faucet dripping", "My kitchen faucet drips all day."
    )
    app = console(dovecot, imap_account, smtp_server, tmp_path, auto_send="maintenance")
    async with app.run_test(size=SIZE) as pilot:
        dovecot.deliver(imap_account, faucet)
        await until(pilot, lambda: 1 in app.items and app.items[1].state is State.SENT)
        again = make_email(  # a fresh email, no threading headers, the same subject
            "emily.chen@example.com", "Kitchen faucet dripping", "It is still dripping, worse now."
        )
        dovecot.deliver(imap_account, again)
        await until(pilot, lambda: 2 in app.items and app.items[2].state is State.AWAITING_REVIEW)
        app.queue.select(2)
        await on_screen(pilot, app)
        proposal = app.items[2].proposal
        assert proposal is not None and proposal.related == 1 and proposal.ticket is None
        assert "Possibly the same as #1" in app.detail.text.plain
        assert app.queue.row_cells(2)[-1].plain.startswith("≈ ")

        await pilot.press("l")
        await until(pilot, lambda: app.items[2].conversation_id == 1)
        await on_screen(pilot, app)
        assert app.queue.row_cells(2)[-1].plain.startswith("↩2 ")
        assert "Conversation #1 · message 2 of 2" in app.detail.text.plain

        await pilot.press("t")
        await until(pilot, lambda: "Our reply:" in _thread_text(app))
        text = _thread_text(app)
        assert "drips all day" in text and "worse now" in text
        await pilot.press("escape")

        await on_screen(pilot, app)
        await pilot.press("l")  # the same key takes it out again
        await until(pilot, lambda: app.items[2].conversation_id == 2)
        trail = [entry.detail for entry in await app.client.store.audit(2)]
    assert {"linked": 1} in trail and {"unlinked": 1} in trail


def _thread_text(app: Any) -> str:
    from textual.widgets import Static

    from console.screens.thread import ThreadScreen
    from tests.console.test_operator_console import as_text

    if not isinstance(app.screen, ThreadScreen):
        return ""
    return as_text(app.screen.query_one("#thread-text", Static).content)
