"""Automated mail is recognised and never answered (RFC 3834 and conventions)."""

from __future__ import annotations

import pytest

from core.mail.loops import automated_reason
from core.mail.parsing import parse_message
from tests.support.mail import make_email


@pytest.mark.parametrize(
    ("headers", "sender", "subject", "reason"),
    [
        (
            {"Auto-Submitted": "auto-replied"},
            "maria.gonzalez@example.com",
            "Re: rent",
            "auto-reply",
        ),
        ({"Auto-Submitted": "auto-generated"}, "alerts@example.net", "Alert", "automatic message"),
        ({"Precedence": "bulk"}, "news@example.net", "Newsletter", "bulk mail"),
        ({"Precedence": "list"}, "list@example.net", "Digest", "mailing list"),
        ({"List-Id": "<tenants.example.org>"}, "someone@example.org", "Hi all", "mailing list"),
        (
            {"List-Unsubscribe": "<mailto:u@example.net>"},
            "shop@example.net",
            "Sale",
            "mailing list",
        ),
        ({"Return-Path": "<>"}, "someone@example.net", "Hello", "bounce"),
        ({}, "MAILER-DAEMON@mail.example.net", "Undelivered Mail", "bounce"),
        ({}, "no-reply@example.net", "Your receipt", "no-reply sender"),
        ({"X-Autoreply": "yes"}, "david.kim@example.com", "Away", "auto-reply"),
        ({"X-Auto-Response-Suppress": "All"}, "priya.raman@example.com", "Away", "auto-reply"),
        ({}, "emily.chen@example.com", "Out of Office: back Monday", "auto-reply"),
        ({}, "emily.chen@example.com", "Automatic reply: Leak", "auto-reply"),
        ({}, "postmaster@example.org", "Delivery Status Notification (Failure)", "bounce"),
    ],
)
def test_automated_mail_is_recognised(
    headers: dict[str, str], sender: str, subject: str, reason: str
) -> None:
    parsed = parse_message(make_email(sender, subject, "text", headers=headers))
    assert automated_reason(parsed) == reason


def test_delivery_report_is_a_bounce() -> None:
    raw = (
        b"From: Mail Delivery System <mailer@example.net>\r\nTo: office@example.com\r\n"
        b"Subject: Returned\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\r\n\r\n'
        b"--b\r\nContent-Type: text/plain\r\n\r\nDelivery failed.\r\n--b--\r\n"
    )
    assert automated_reason(parse_message(raw)) == "bounce"


def test_mail_from_this_mailbox_is_a_loop() -> None:
    parsed = parse_message(make_email("office@example.com", "Re: leak", "We are on it."))
    assert automated_reason(parsed, frozenset({"office@example.com"})) == (
        "sent by this mailbox (mail loop)"
    )


@pytest.mark.parametrize(
    ("headers", "subject"),
    [
        ({"Auto-Submitted": "no"}, "Locked out of my apartment"),
        ({}, "Re: Out of hot water"),
        ({}, "My office is too cold"),
        ({"Precedence": "normal"}, "Parking question"),
    ],
)
def test_mail_a_person_wrote_is_not_automated(headers: dict[str, str], subject: str) -> None:
    parsed = parse_message(make_email("maria.gonzalez@example.com", subject, "x", headers=headers))
    assert automated_reason(parsed) is None
