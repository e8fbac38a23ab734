"""Build test messages as raw bytes, the way a mail client would send them."""

from __future__ import annotations

from datetime import datetime, timezone
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid


def make_email(
    sender: str = "maria.gonzalez@example.com",
    subject: str = "Question",
    body: str = "Hello, I have a question about my apartment.",
    *,
    name: str = "",
    to: str = "office@example.com",
    html: str | None = None,
    headers: dict[str, str] | None = None,
    message_id: str | None = None,
    date: datetime | None = None,
    attachments: list[tuple[str, str, bytes]] | None = None,
) -> bytes:
    msg = EmailMessage()
    local, _, domain = sender.partition("@")
    msg["From"] = Address(display_name=name, username=local, domain=domain)
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = format_datetime(date or datetime.now(timezone.utc))
    msg["Message-ID"] = message_id or make_msgid(domain="mail.example.net")
    for key, value in (headers or {}).items():
        msg[key] = value
    if html is not None and body == "":
        msg.set_content(html, subtype="html")
    else:
        msg.set_content(body)
        if html is not None:
            msg.add_alternative(html, subtype="html")
    for filename, mime, data in attachments or []:
        maintype, _, subtype = mime.partition("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return msg.as_bytes(policy=SMTP)
