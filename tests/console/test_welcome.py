"""With no mailbox configured, the console says what is missing and offers the demo."""

from __future__ import annotations

from console.screens.welcome import WelcomeApp


async def test_welcome_names_the_missing_settings_and_opens_the_demo() -> None:
    app = WelcomeApp(["IMAP_HOST", "SMTP_HOST"])
    async with app.run_test() as pilot:
        text = " ".join(str(label.render()) for label in app.query("Label"))
        assert "IMAP_HOST, SMTP_HOST" in text and "demo" in text
        await pilot.press("d")
    assert app.return_value == "demo"


async def test_welcome_quits_without_a_fuss() -> None:
    app = WelcomeApp(["IMAP_HOST"])
    async with app.run_test() as pilot:
        await pilot.press("q")
    assert app.return_value == ""
