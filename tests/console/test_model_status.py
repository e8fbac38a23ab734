"""What the status line says about the model: its structured-output mode, and waiting for it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.text import Text
from textual.pilot import Pilot
from textual.widgets import Static

from console.app import OperatorConsole
from console.service_mode import Service
from tests.support.assistant import make_settings
from tests.support.dovecot import DovecotServer, ImapAccount
from tests.support.llm import LlmServer, Reply, Status, takes_json_object_with_schema
from tests.support.mail import make_email
from tests.support.smtp import SmtpServer

LEAK = make_email("maria.gonzalez@example.com", "Sink", "The kitchen sink leaks under the pipe.")
RENT = make_email("maria.gonzalez@example.com", "Rent", "Did you get my rent for this month?")
DRAFT = {
    "intent": "maintenance",
    "confidence": 0.9,
    "emergency": False,
    "summary": "Kitchen sink leaking",
    "reply": "Hi Maria, our maintenance team will contact you about the sink.",
    "ticket": None,
    "questions": [],
}


def status_line(app: OperatorConsole) -> str:
    content = app.query_one("#status", Static).content
    return content.plain if isinstance(content, Text) else str(content)


async def until(pilot: Pilot[Any], condition: Callable[[], bool], timeout: float = 15.0) -> None:
    waited = 0.0
    while not condition():
        assert waited < timeout, "the status line never said it"
        await pilot.pause(0.05)
        waited += 0.05


async def test_status_line_shows_the_mode_then_the_wait_in_the_servers_words(
    dovecot: DovecotServer,
    imap_account: ImapAccount,
    smtp_server: SmtpServer,
    llm_server: LlmServer,
    tmp_path: Path,
) -> None:
    llm_server.default = takes_json_object_with_schema(Reply(DRAFT))
    settings = make_settings(imap_account, smtp_server, tmp_path, llm_server)
    app = OperatorConsole(settings, service=Service.INLINE, retry_delay=0.01)
    async with app.run_test(size=(200, 40)) as pilot:
        assert "│ openai:test-model (auto, not tried yet): ok │" in status_line(app)
        dovecot.deliver(imap_account, LEAK)
        await until(pilot, lambda: "│ openai:test-model (json_object): ok │" in status_line(app))

        # A request the server refuses outright does not wait: the offline draft stands in.
        llm_server.default = lambda _: Status(404, {"error": {"message": "no such model"}})
        dovecot.deliver(imap_account, make_email(subject="Bins", body="When are bins collected?"))
        falling_back = (
            "│ model: falling back (the model server refused the request (404: no such model)) │"
        )
        await until(pilot, lambda: falling_back in status_line(app))

        llm_server.default = lambda _: Status(503, {"error": {"message": "Loading model"}})
        dovecot.deliver(imap_account, RENT)
        # The routine email waits for the model rather than taking the offline draft.
        waiting = ": waiting (the model server failed (503: Loading model)) │"
        await until(pilot, lambda: waiting in status_line(app))
        assert "│ model unavailable since " in status_line(app)

        llm_server.default = takes_json_object_with_schema(Reply(DRAFT))
        dovecot.deliver(imap_account, make_email(subject="Sink again", body="Still leaking."))
        await until(pilot, lambda: "│ openai:test-model (json_object): ok │" in status_line(app))
