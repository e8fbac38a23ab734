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
    leaked = directory.mentions.others_named_in(reply, context.tenant)
    if leaked:
        flags.append(f"the draft mentions another tenant ({', '.join(leaked)})")
    if email.defects:  # a malformed message may have been misread: a person looks first
        flags.append("the message is malformed (" + "; ".join(email.defects[:3]) + ")")
    return flags
