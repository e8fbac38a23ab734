"""The operator sees the language a reply is written in, and changes it with one key."""

from __future__ import annotations

from pathlib import Path

from console.app import OperatorConsole
from tests.console.test_operator_console import SIZE, console, on_screen, until
from tests.support.dovecot import DovecotServer, ImapAccount
from tests.support.mail import make_email
from tests.support.smtp import SmtpServer

FRENCH = make_email(
    "maria.gonzalez@example.com",
    "Chasse d'eau",
    "Bonjour, la chasse d'eau fuit depuis ce matin. Pouvez-vous envoyer quelqu'un ?",
)
TURKISH = make_email(
    "james.oconnor@example.net",
    "Kombi",
    "Merhaba, kombi yine bozuldu, iki gündür sıcak su yok. Lütfen birini gönderir misiniz?",
)


def detail(app: OperatorConsole) -> str:
    """The detail as read, lines joined where the pane wrapped them."""
    return " ".join(app.detail.text.plain.split())


def draft(app: OperatorConsole) -> str:
    (item,) = app.items.values()
    assert item.proposal is not None
    return item.proposal.body


def queue_text(app: OperatorConsole) -> str:
    return " ".join(cell.plain for item_id in app.items for cell in app.queue.row_cells(item_id))


async def test_a_french_tenant_gets_a_french_draft_and_w_rewrites_it_in_english(
    dovecot: DovecotServer, imap_account: ImapAccount, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    dovecot.deliver(imap_account, FRENCH)
    app = console(dovecot, imap_account, smtp_server, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await on_screen(pilot, app)
        assert "reply in French (detected)" in detail(app)
        assert draft(app).startswith("Bonjour Maria")
        assert "fr Chasse d'eau" in queue_text(app)  # not the mailbox's language: marked
        await pilot.press("w", "1")  # 1: English
        await until(pilot, lambda: draft(app).startswith("Hi Maria"))
        await until(pilot, lambda: "English (chosen by the operator)" in detail(app))
        assert draft(app).startswith("Hi Maria")
        assert "fr Chasse" not in queue_text(app)


async def test_a_language_without_templates_waits_for_a_person_with_the_question(
    dovecot: DovecotServer, imap_account: ImapAccount, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    dovecot.deliver(imap_account, TURKISH)
    app = console(dovecot, imap_account, smtp_server, tmp_path, auto_send=["maintenance"])
    async with app.run_test(size=SIZE) as pilot:
        await on_screen(pilot, app)
        question = "written in Turkish; no templates: reply in English?"
        assert question in detail(app)
        assert "tr? Kombi" in queue_text(app)
        assert not smtp_server.messages  # never auto-sent in a language the tenant did not use
