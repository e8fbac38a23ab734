"""Checks that stop a draft from going out without a person looking at it.

Pure functions of the message, the sender's context and the draft. Each flag is
a sentence the operator reads on the item; any flag sends the item to review.
"""

from __future__ import annotations

import re

from core.directory import Directory
from core.models import ParsedEmail, TenantContext

_AUTH_FAIL = re.compile(r"\b(dmarc|spf|dkim)=(fail|softfail)\b", re.IGNORECASE)


def safety_flags(
    email: ParsedEmail, context: TenantContext, reply: str, directory: Directory
) -> list[str]:
    flags = []
    if email.sender is None:
        flags.append("the message has no readable sender address")
    reply_to = {a.addr.lower() for a in email.reply_to}
    if reply_to and reply_to != {email.sender_addr}:
        flags.append("Reply-To differs from From; the reply goes to From only")
    if _AUTH_FAIL.search(email.automation.get("authentication-results", "")):
        flags.append("the sender's domain failed authentication (possible forgery)")
    leaked = _other_tenants_mentioned(reply, context, directory)
    if leaked:
        flags.append(f"the draft mentions another tenant ({', '.join(leaked)})")
    if _unreadable(email):
        flags.append("parts of the message could not be read: " + "; ".join(email.defects[:3]))
    return flags


def _other_tenants_mentioned(reply: str, context: TenantContext, directory: Directory) -> list[str]:
    text = reply.lower()
    mentioned = []
    for other in directory.others_than(context.tenant):
        needles = [*other.addresses(), *([other.phone] if other.phone else [])]
        if len(other.name) >= 5:
            needles.append(other.name.lower())
        if any(n and n.lower() in text for n in needles):
            mentioned.append(other.tenant_id)
    return mentioned


def _unreadable(email: ParsedEmail) -> bool:
    """Defects that mean we may have misread the text (not mere header oddities)."""
    serious = ("unreadable message", "not valid in its charset", "could not be converted")
    return any(d.startswith(serious) or any(s in d for s in serious) for d in email.defects)
