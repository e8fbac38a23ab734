"""Conversations: which earlier exchange a message belongs to, decided from facts.

A message joins a conversation when its In-Reply-To or References name a
message of it (the tenant's, or one of our replies), or when its subject
carries the reference our replies add (`[#12]`, kept by mail clients through
"Re:", "AW:", "Fwd:" and by those that drop the threading headers) — and only
when its sender is part of that conversation: the same tenant (any address on
file), the same address for someone not on file, or a stakeholder copied on
it. Threading never crosses tenants: a message pointing into someone else's
conversation stays apart and a person looks at it. A subject that merely looks
alike never joins two conversations; it is offered as "possibly the same".

Pure functions; the worker gathers the candidates from the store.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from core.models import ParsedEmail

_REFERENCE = re.compile(r"\[#(\d{1,9})\]")
_PREFIX = re.compile(
    r"^\s*((re|aw|sv|vs|antw|odp|ref|rif|r|fwd?|wg|tr|rv|enc|i|doorst)(\[\d+\])?\s*:\s*)+",
    re.IGNORECASE,
)
_SPACE = re.compile(r"\s+")


def subject_reference(conversation_id: int) -> str:
    return f"[#{conversation_id}]"


def referenced_conversation(subject: str) -> int | None:
    """The conversation named in a subject by our reference, if any (the last one wins)."""
    found = _REFERENCE.findall(subject)
    return int(found[-1]) if found else None


def base_subject(subject: str) -> str:
    """The subject without reply and forward prefixes or our reference: what it is about."""
    rest = _REFERENCE.sub(" ", subject)
    rest = _PREFIX.sub("", rest)
    return _SPACE.sub(" ", rest).strip()


def reply_subject(subject: str, conversation_id: int | None) -> str:
    """ "Re: " once, the subject, and the conversation's reference once."""
    rest = base_subject(subject) or "your message"
    reference = f" {subject_reference(conversation_id)}" if conversation_id else ""
    return f"Re: {rest}{reference}"


@dataclass(frozen=True)
class Conversation:
    """Who takes part in a conversation, as the store knows it."""

    id: int
    tenant_id: str | None  # the tenant who started it (None: someone not on file)
    addresses: frozenset[str]  # the addresses it was started from
    stakeholders: frozenset[str]  # addresses copied on our replies
    subject: str
    last_at: datetime

    def includes(self, address: str, tenant_id: str | None) -> bool:
        address = address.lower()
        if tenant_id is not None and tenant_id == self.tenant_id:
            return True
        if self.tenant_id is None and address in self.addresses:
            return True
        return address in self.stakeholders


@dataclass(frozen=True)
class ThreadChoice:
    conversation_id: int | None  # the conversation joined; None: a new one
    how: str = ""  # why it joined ("answers our reply", "subject reference [#12]")
    refused: int | None = None  # pointed into this conversation; the sender is not part of it
    related: int | None = None  # possibly the same matter (operator links with one key)


def choose_thread(
    email: ParsedEmail,
    tenant_id: str | None,
    by_headers: list[Conversation],
    by_reference: Conversation | None,
    recent: list[Conversation],
) -> ThreadChoice:
    """Where a message belongs, given the conversations its headers, its subject reference
    and its sender's recent mail point to (newest first)."""
    address = email.sender_addr
    for conversation in (*by_headers, *([by_reference] if by_reference else [])):
        if conversation.includes(address, tenant_id):
            how = (
                "answers an earlier message"
                if conversation in by_headers
                else f"subject reference {subject_reference(conversation.id)}"
            )
            return ThreadChoice(conversation.id, how)
    pointed = by_headers[0] if by_headers else by_reference
    if pointed is not None:
        return ThreadChoice(None, refused=pointed.id)
    about = base_subject(email.subject).lower()
    for conversation in recent:
        if about and base_subject(conversation.subject).lower() == about:
            return ThreadChoice(None, related=conversation.id)
    return ThreadChoice(None)


def header_references(email: ParsedEmail) -> list[str]:
    """Message-IDs this message answers, nearest first (In-Reply-To, then References)."""
    ids = [email.in_reply_to, *reversed(email.references)]
    return list(dict.fromkeys(i for i in ids if i))


_FORWARD_MARK = re.compile(
    r"^.{0,20}(forwarded message|begin forwarded message|original message|mensaje reenviado|"
    r"message transféré|weitergeleitete nachricht|mensagem encaminhada|messaggio inoltrato|"
    r"wiadomość przekazana|tin nhắn được chuyển tiếp).{0,20}$",
    re.IGNORECASE | re.MULTILINE,
)
_FORWARDED_FROM = re.compile(
    r"^\s*(from|de|von|da|od|từ)\s*:\s*[^\n]*?<?([\w.+-]+@[\w-]+(\.[\w-]+)+)>?\s*$",
    re.IGNORECASE | re.MULTILINE,
)


def forwarded_senders(text: str) -> list[str]:
    """Who wrote the messages forwarded inside this one (after a forward marker)."""
    mark = _FORWARD_MARK.search(text)
    if mark is None:
        return []
    return list(
        dict.fromkeys(m.group(2).lower() for m in _FORWARDED_FROM.finditer(text, mark.end()))
    )
