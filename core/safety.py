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
    if email.defects:  # a malformed message may have been misread: a person looks first
        flags.append("the message is malformed (" + "; ".join(email.defects[:3]) + ")")
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
