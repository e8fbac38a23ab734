"""The console driven by keys, against the loopback servers: what the manager's keys do."""

from __future__ import annotations

import asyncio
import io
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from rich.text import Text
from textual.pilot import Pilot
from textual.widgets import Static

from console.app import OperatorConsole
from console.screens.dialogs import ChoiceDialog
from console.service_mode import Service
from core.models import Intent, State
from core.store import StoredLabel, open_store
from tests.core.test_answered_elsewhere import phone_reply
from tests.support.assistant import make_settings
from tests.support.dovecot import DovecotServer, ImapAccount
from tests.support.mail import make_email
from tests.support.smtp import SmtpServer
from tests.support.stores import store_environment, store_location

LEAK = make_email(
    "maria.gonzalez@example.com",
    "Kitchen sink leaking",
    "The pipe under my kitchen sink is leaking, can someone fix it?",
    name="Maria Gonzalez",
    message_id="<console-leak@mail.example.com>",
)
SIZE = (160, 40)
ROOT = Path(__file__).resolve().parents[2]


def console(
    dovecot: DovecotServer, account: ImapAccount, smtp: SmtpServer, output: Path, **settings: Any
) -> OperatorConsole:
    return OperatorConsole(
        make_settings(account, smtp, output, **settings), service=Service.INLINE, retry_delay=0.01
    )


async def until(pilot: Pilot[Any], condition: Callable[[], bool], timeout: float = 10.0) -> None:
    """Let the app run until `condition()` holds (the pipeline works in the background)."""
    waited = 0.0
    while not condition():
        if waited > timeout:
            raise AssertionError("the console never got there")
        await pilot.pause(0.05)
        waited += 0.05


async def on_screen(
    pilot: Pilot[Any], app: OperatorConsole, state: State = State.AWAITING_REVIEW
) -> None:
    """Wait until the item under the cursor is drawn in the detail, in this state, and has
    been there long enough for an operator to have read it (item keys act only then)."""

    def drawn() -> bool:
        shown = app.detail.on_screen
        return shown is not None and shown.id == app.queue.selected_id and shown.state is state

    await until(pilot, drawn)
    await pilot.pause(app.look_seconds + 0.05)


def state_of(app: OperatorConsole, index: int = 0) -> State | None:
    items = sorted(app.items.values(), key=lambda item: item.id)
    return items[index].state if len(items) > index else None


async def type_text(pilot: Pilot[Any], text: str) -> None:
    await pilot.press(*["space" if char == " " else char for char in text])


async def test_approve_sends_exactly_one_mail_with_the_edited_text(
    dovecot: DovecotServer, imap_account: ImapAccount, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    dovecot.deliver(imap_account, LEAK)
    app = console(dovecot, imap_account, smtp_server, tmp_path, send_delay=0.3)
    async with app.run_test(size=SIZE) as pilot:
        await on_screen(pilot, app)
        await pilot.press("e")
        app.detail.editor.select_all()
        await type_text(pilot, "The plumber comes Tuesday 9-12.")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: "Tuesday" in (app.items[1].proposal.body or ""))  # type: ignore[union-attr]
        await on_screen(pilot, app)  # the saved draft is what is on screen now
        assert "The plumber comes Tuesday 9-12." in app.detail.text.plain
        await pilot.press("a")
        await until(pilot, lambda: state_of(app) is State.SENT)
        await pilot.pause(0.5)
    [mail] = smtp_server.messages
    assert mail.message.get_content().startswith("The plumber comes Tuesday 9-12.")
    assert mail.message["Cc"] == "maintenance@example.com"


async def test_reclassify_changes_ticket_and_cc(
    dovecot: DovecotServer, imap_account: ImapAccount, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    dovecot.deliver(imap_account, LEAK)
    app = console(dovecot, imap_account, smtp_server, tmp_path, send_delay=0)
    async with app.run_test(size=SIZE) as pilot:
        await on_screen(pilot, app)
        await pilot.press("r", "3")
        await until(pilot, lambda: app.items[1].proposal.intent is Intent.RENT)  # type: ignore[union-attr]
        proposal = app.items[1].proposal
        assert proposal is not None and proposal.cc == ["accounts@example.com"]
        assert proposal.ticket is not None
        await on_screen(pilot, app)
        assert app.detail.on_screen == app.items[1]  # the cursor stays to show the new draft
        await pilot.press("a")
        await until(pilot, lambda: state_of(app) is State.SENT)
        labels = await app.client.store.labels()
    [mail] = smtp_server.messages
    assert mail.message["Cc"] == "accounts@example.com"
    [ticket] = [json.loads(p.read_text()) for p in (tmp_path / "tickets").glob("*.json")]
    assert ticket["intent"] == "rent" and ticket["stakeholders"] == ["accounts@example.com"]
    assert labels == [StoredLabel(1, "<console-leak@mail.example.com>", "rent")]
    # The correction is kept as a labelled example the evaluation can use.
    env = {
        "PATH": os.environ["PATH"],
        "PYTHONPATH": str(ROOT),
        "OUTPUT_DIR": str(tmp_path),
        "DATA_DIR": str(ROOT / "data"),
        **store_environment(tmp_path),
    }
    folder = tmp_path / "labelled"
    command = [sys.executable, "-m", "console", "export-labels", str(folder)]
    await asyncio.to_thread(
        subprocess.run, command, env=env, check=True, capture_output=True, timeout=60
    )
    assert json.loads((folder / "labels.jsonl").read_text()) == {
        "file": "1.eml",
        "intent": "rent",
        "action": "reply",
    }
    assert (folder / "1.eml").read_bytes() == LEAK


async def test_dismiss_sends_nothing_and_marks_read(
    dovecot: DovecotServer, imap_account: ImapAccount, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    [uid] = [dovecot.deliver(imap_account, LEAK)]
    app = console(dovecot, imap_account, smtp_server, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await on_screen(pilot, app)
        await pilot.press("d")
        await until(pilot, lambda: state_of(app) is State.DISMISSED)
        await until(pilot, lambda: dovecot.flags(imap_account, uid) == {"\\Seen"})
    assert smtp_server.messages == []


async def test_undo_within_the_delay_sends_nothing(
    dovecot: DovecotServer, imap_account: ImapAccount, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    dovecot.deliver(imap_account, LEAK)
    app = console(dovecot, imap_account, smtp_server, tmp_path, send_delay=4.0)
    async with app.run_test(size=SIZE) as pilot:
        await on_screen(pilot, app)
        await pilot.press("a")
        await until(pilot, lambda: state_of(app) is State.APPROVED)
        row = app.queue.row_cells(1)
        assert str(row[1]).startswith("send ")  # the countdown is on screen
        await on_screen(pilot, app, State.APPROVED)
        await pilot.press("u")
        await until(pilot, lambda: state_of(app) is State.AWAITING_REVIEW)
        await pilot.pause(4.5)  # past the moment the reply would have gone
        assert state_of(app) is State.AWAITING_REVIEW
    assert smtp_server.messages == []


async def test_kill_switch_stops_auto_send(
    dovecot: DovecotServer, imap_account: ImapAccount, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    app = console(dovecot, imap_account, smtp_server, tmp_path, auto_send="maintenance")
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.status.policy.enabled)
        await pilot.press("ctrl+x")
        await until(pilot, lambda: not app.status.policy.enabled)
        dovecot.deliver(imap_account, LEAK)
        await until(pilot, lambda: state_of(app) is State.AWAITING_REVIEW)
        assert "auto-send: off" in as_text(app.query_one("#status", Static).content)
        history = await app.client.store.settings_history("auto_send_policy")
        await pilot.pause(0.5)
    assert smtp_server.messages == []
    assert await stored_policy(tmp_path) == {}
    assert history == [  # every policy change is on record, with who made it
        ("settings (AUTO_SEND)", None, {"maintenance": 0.8}),
        ("operator:dana (kill switch)", {"maintenance": 0.8}, {}),
    ]


def as_text(renderable: Any) -> str:
    """What a renderable shows, as plain text (styles dropped, escapes kept literal)."""
    console = Console(width=200, record=True, file=io.StringIO(), color_system=None)
    console.print(renderable)
    return console.export_text()


async def stored_policy(output: Path) -> dict[str, float]:
    """The auto-send policy as the store has it, read as another process would."""
    store = await open_store(store_location(output))
    try:
        return dict(await store.get_setting("auto_send_policy"))
    finally:
        await store.close()


@pytest.mark.parametrize(
    ("choice", "outcome", "sent"),
    [("send", State.SENT, 1), ("hold", State.AWAITING_REVIEW, 0)],
)
async def test_quit_with_a_reply_counting_down_asks_first(
    dovecot: DovecotServer,
    imap_account: ImapAccount,
    smtp_server: SmtpServer,
    tmp_path: Path,
    choice: str,
    outcome: State,
    sent: int,
) -> None:
    dovecot.deliver(imap_account, LEAK)
    app = console(dovecot, imap_account, smtp_server, tmp_path, send_delay=60)
    async with app.run_test(size=SIZE) as pilot:
        await on_screen(pilot, app)
        await pilot.press("a")
        await until(pilot, lambda: state_of(app) is State.APPROVED)
        await pilot.press("q")
        await until(pilot, lambda: isinstance(app.screen, ChoiceDialog))
        await pilot.click(f"#{choice}")
        await until(pilot, lambda: state_of(app) is outcome, timeout=15)
    assert len(smtp_server.messages) == sent


async def test_email_text_cannot_style_or_break_the_screen(
    dovecot: DovecotServer, imap_account: ImapAccount, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    nasty = make_email(
        "maria.gonzalez@example.com",
        "[bold red]URGENT[/] \x1b[5mblink\x1b[0m",
        "[link=http://example.net]click[/link]\x1b]0;owned\x07 \u202eevil",
        name="[reverse]Maria[/]",
    )
    dovecot.deliver(imap_account, nasty)
    app = console(dovecot, imap_account, smtp_server, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await on_screen(pilot, app)
        await until(pilot, lambda: "click" in app.detail.text.plain)  # the message was read
        subject = app.queue.row_cells(1)[6]
        assert isinstance(subject, Text)
        assert subject.plain == "[bold red]URGENT[/] blink"
        assert not subject.spans
        message = app.detail.text.plain
        assert "[link=http://example.net]click[/link]" in message
        assert "\x1b" not in message and "\u202e" not in message


async def test_redraft_follows_the_managers_instruction(
    dovecot: DovecotServer, imap_account: ImapAccount, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    dovecot.deliver(imap_account, LEAK)
    app = console(dovecot, imap_account, smtp_server, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await on_screen(pilot, app)
        await pilot.press("f")
        await until(pilot, lambda: app.screen.query("#instruction").first() is not None)
        await type_text(pilot, "The plumber comes Tuesday.")
        await pilot.press("enter")
        await until(pilot, lambda: "plumber comes Tuesday" in app.items[1].proposal.body)  # type: ignore[union-attr]
        trail = [entry.detail for entry in await app.client.store.audit(1)]
    assert {"redraft": "The plumber comes Tuesday."} in trail


async def test_policy_panel_turns_auto_send_on_after_confirmation(
    dovecot: DovecotServer, imap_account: ImapAccount, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    app = console(dovecot, imap_account, smtp_server, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("p")
        await until(pilot, lambda: bool(app.screen.query("#auto-maintenance")))
        await pilot.click("#auto-maintenance")
        await until(pilot, lambda: isinstance(app.screen, ChoiceDialog))
        await pilot.click("#yes")
        await until(pilot, lambda: not isinstance(app.screen, ChoiceDialog))
        await pilot.click("#save")
        await until(pilot, lambda: app.status.policy.enabled)
        dovecot.deliver(imap_account, LEAK)
        await until(pilot, lambda: state_of(app) is State.SENT)
    assert await stored_policy(tmp_path) == {"maintenance": 0.8}
    assert smtp_server.messages[0].message["Auto-Submitted"] == "auto-replied"


async def test_the_command_palette_offers_every_action(tmp_path: Path) -> None:
    nowhere = ImapAccount(host="127.0.0.1", port=9, ssl_port=9, user="u", password="p")
    settings = make_settings(nowhere, SmtpStub(), tmp_path)  # type: ignore[arg-type]
    app = OperatorConsole(settings, service=Service.NONE)
    async with app.run_test(size=SIZE):
        titles = {command.title for command in app.get_system_commands(app.screen)}
    for action in (
        "Approve",
        "Edit draft",
        "Dismiss",
        "Redraft",
        "Undo send",
        "Reopen",
        "Auto-send policy",
        "Stop auto-send",
        "Search",
        "Help",
        *(f"Reclassify as {intent.value}" for intent in Intent),
    ):
        assert action in titles, action


class SmtpStub:
    host, port, user, password = "127.0.0.1", 1, "", ""


async def test_a_message_answered_from_a_phone_shows_the_managers_reply_and_o_reopens_it(
    dovecot: DovecotServer, imap_account: ImapAccount, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    uid = dovecot.deliver(imap_account, LEAK)
    app = console(dovecot, imap_account, smtp_server, tmp_path, send_delay=0)
    async with app.run_test(size=SIZE) as pilot:
        await on_screen(pilot, app)
        phone_reply(
            dovecot, imap_account, LEAK, "Hi Maria, a plumber comes Tuesday.", flag_original=uid
        )
        await on_screen(pilot, app, State.ANSWERED_ELSEWHERE)
        await until(pilot, lambda: "a plumber comes Tuesday" in app.detail.text.plain)
        shown = app.detail.text.plain
        assert "Answered by the manager from another mail client" in shown
        assert "Draft, not sent (o reopens it)" in shown
        await pilot.pause(app.look_seconds + 0.05)  # read: the manager's reply came into view
        await pilot.press("o")
        await until(pilot, lambda: state_of(app) is State.AWAITING_REVIEW)
    assert smtp_server.messages == []  # nothing went to Maria on top of the manager's reply
