"""The reply as it will leave: headers, threading, encoding."""

from __future__ import annotations

import email
from datetime import datetime, timezone
from email import policy
from email.policy import SMTP

from core.mail.outbox import build_reply
from core.mail.parsing import parse_message
from core.models import Action, Intent, Proposal
from tests.support.mail import make_email

NOW = datetime(2026, 11, 25, 9, 30, tzinfo=timezone.utc)


def proposal(**changes: object) -> Proposal:
    base = dict(
        provider="test",
        intent=Intent.MAINTENANCE,
        confidence=0.9,
        emergency=False,
        summary="s",
        action=Action.REPLY,
        reason="ready",
        to=["zoe.mueller@example.org"],
        cc=["maintenance@example.com"],
        subject="Re: Heizung – kalt",
        body="Liebe Zoë, wir kümmern uns darum.",
        tenant_name="Zoë Müller",
    )
    base.update(changes)
    return Proposal.model_validate(base)


def render(automatic: bool, **changes: object) -> email.message.EmailMessage:
    original = parse_message(
        make_email(
            "zoe.mueller@example.org",
            "Heizung – kalt",
            "Die Heizung ist aus.",
            message_id="<orig@example.org>",
            headers={"References": "<older@example.org>"},
        )
    )
    msg = build_reply(
        original,
        proposal(**changes),
        mail_from="Hafen & Ulme Verwaltung <office@example.com>",
        message_id="<reply-1@example.com>",
        automatic=automatic,
        now=NOW,
    )
    wire = msg.as_bytes(policy=SMTP)
    wire.decode("ascii")  # every header and body line is 7-bit or encoded
    parsed = email.message_from_bytes(wire, policy=policy.default)
    assert isinstance(parsed, email.message.EmailMessage)
    return parsed


def test_threading_headers_point_at_the_original() -> None:
    msg = render(automatic=False)
    assert msg["Message-ID"] == "<reply-1@example.com>"
    assert msg["In-Reply-To"] == "<orig@example.org>"
    assert msg["References"] == "<older@example.org> <orig@example.org>"


def test_non_ascii_names_and_subject_survive_the_wire() -> None:
    msg = render(automatic=False)
    assert str(msg["To"]) == "Zoë Müller <zoe.mueller@example.org>"
    assert str(msg["From"]) == "Hafen & Ulme Verwaltung <office@example.com>"
    assert msg["Subject"] == "Re: Heizung – kalt"
    assert msg["Cc"] == "maintenance@example.com"
    body = msg.get_content()
    assert body.startswith("Liebe Zoë, wir kümmern uns darum.")
    assert "> Die Heizung ist aus." in body


def test_only_unattended_replies_are_marked_auto_submitted() -> None:
    assert render(automatic=True)["Auto-Submitted"] == "auto-replied"
    assert render(automatic=False)["Auto-Submitted"] is None


def test_no_cc_header_without_stakeholders() -> None:
    assert render(automatic=False, cc=[])["Cc"] is None
