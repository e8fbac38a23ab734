"""Is this message from a robot? (RFC 3834 and the conventions around it.)

An assistant that answers auto-replies, bounces or mailing lists starts mail
loops and spams lists, so automated mail is never answered. `automated_reason`
returns a short, human reason ("auto-reply", "mailing list", ...) that the
operator sees on the item, or None for mail a person wrote.
"""

from __future__ import annotations

import re

from core.models import ParsedEmail

_ROBOT_LOCALPARTS = re.compile(
    r"^(mailer-daemon|postmaster|no-?reply|do-?not-?reply|bounces?|notifications?|"
    r"auto-?reply|autoresponder)([+.\-_].*)?$",
    re.IGNORECASE,
)
_AUTO_SUBJECT = re.compile(
    r"^\s*(auto(matic)?[ -]?(reply|response|antwort)|out of (the )?office|abwesenheit|"
    r"absence|r[ée]ponse automatique|respuesta autom[aá]tica|risposta automatica|"
    r"undeliver(able|ed)|delivery (status notification|failure|has failed)|"
    r"returned mail|mail delivery (failed|failure|subsystem)|failure notice|"
    r"non[- ]?delivery)\b",
    re.IGNORECASE,
)
_BULK_PRECEDENCE = {"bulk", "junk", "list", "auto_reply"}
_SUPPRESS_VALUES = {"all", "oof", "autoreply"}
_LIST_HEADERS = ("list-id", "list-unsubscribe", "list-post")


def automated_reason(
    parsed: ParsedEmail, own_addresses: frozenset[str] = frozenset()
) -> str | None:
    """Why this message must not be answered, or None when a person wrote it."""
    headers = parsed.automation
    auto_submitted = headers.get("auto-submitted", "").split(";")[0].strip().lower()
    if auto_submitted and auto_submitted != "no":
        return "auto-reply" if auto_submitted == "auto-replied" else "automatic message"
    if parsed.content_type == "multipart/report" or "x-failed-recipients" in headers:
        return "bounce"
    if headers.get("return-path", "").strip() == "<>":
        return "bounce"
    sender = parsed.sender_addr
    if sender and sender in own_addresses:
        return "sent by this mailbox (mail loop)"
    if sender and _ROBOT_LOCALPARTS.match(sender.rsplit("@", 1)[0]):
        return "bounce" if sender.startswith(("mailer-daemon", "postmaster")) else "no-reply sender"
    if "x-autoreply" in headers or "x-autorespond" in headers:
        return "auto-reply"
    suppress = {v.strip().lower() for v in headers.get("x-auto-response-suppress", "").split(",")}
    if suppress & _SUPPRESS_VALUES:
        return "auto-reply"
    if any(name in headers for name in _LIST_HEADERS):
        return "mailing list"
    precedence = headers.get("precedence", "").strip().lower()
    if precedence in _BULK_PRECEDENCE:
        return "mailing list" if precedence == "list" else "bulk mail"
    if "feedback-id" in headers:
        return "bulk mail"
    if _AUTO_SUBJECT.match(parsed.subject):
        return "auto-reply" if "deliver" not in parsed.subject.lower() else "bounce"
    return None
