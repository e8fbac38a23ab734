"""From a parsed email to a `Proposal`: the model drafts, code decides.

The provider (OpenAI-compatible or offline) writes a `Draft`. Everything that
matters for safety is decided here, by code, from facts the model cannot
change: whether to answer at all (automated mail is skipped), whether a person
must look first, who receives the reply (the sender, and the stakeholders for
the intent from the datastore) and what the subject is.
"""

from __future__ import annotations

import re
from typing import Protocol

from core.directory import Directory
from core.errors import TriageError
from core.loops import automated_reason
from core.models import (
    Action,
    Draft,
    Intent,
    ParsedEmail,
    Priority,
    Proposal,
    TenantContext,
    TicketDraft,
)
from core.prompt import TriageRequest
from core.retry import with_retries
from core.safety import safety_flags

TICKET_INTENTS = frozenset({Intent.LOCKED_OUT, Intent.MAINTENANCE, Intent.RENT})
_DEFAULT_PRIORITY = {
    Intent.LOCKED_OUT: Priority.HIGH,
    Intent.MAINTENANCE: Priority.NORMAL,
    Intent.RENT: Priority.LOW,
    Intent.GENERAL: Priority.LOW,
}
_REPLY_PREFIX = re.compile(r"^\s*((re|aw|sv|antw|odp|ref)(\[\d+\])?\s*:\s*)+", re.IGNORECASE)


class TriageProvider(Protocol):
    """Writes a draft for one email. Raises `TriageError` (retryable or not)."""

    name: str

    async def draft(self, request: TriageRequest) -> Draft: ...


async def triage(
    email: ParsedEmail,
    directory: Directory,
    provider: TriageProvider,
    *,
    own_addresses: frozenset[str] = frozenset(),
    max_retries: int = 2,
    retry_delay: float = 0.5,
    skip_reason: str | None = None,
    intent: Intent | None = None,
    instruction: str = "",
    previous_reply: str = "",
    fallback: TriageProvider | None = None,
) -> Proposal:
    """The proposal for one email. Never raises for model failures: those go to review.

    Automated mail (or a `skip_reason` the caller found, such as a duplicate)
    never reaches the model. `intent` forces the operator's classification.
    When the provider fails after its retries, the `fallback` provider's draft
    is used, marked as such and always held for review.
    """
    context = directory.context_for(email.sender_addr)
    automated = automated_reason(email, own_addresses) or skip_reason
    if automated:
        return build_proposal(
            email, context, skip_draft(automated), directory, provider="rules", automated=automated
        )
    request = TriageRequest(email, context, instruction, intent, previous_reply)
    try:
        draft = await with_retries(
            lambda: provider.draft(request), max_retries, base_delay=retry_delay
        )
    except TriageError as exc:
        if fallback is None:
            return failed_proposal(email, context, directory, str(exc))
        backup = await fallback.draft(request)
        proposal = build_proposal(
            email, context, backup, directory, provider=f"{fallback.name} (fallback)"
        )
        reason = f"the model failed ({exc}); this draft is from the {fallback.name} provider"
        return proposal.model_copy(
            update={"action": Action.REVIEW, "reason": reason, "model_error": str(exc)}
        )
    if intent is not None and draft.intent is not intent:
        draft = draft.model_copy(update={"intent": intent})
    return build_proposal(email, context, draft, directory, provider=provider.name)


def failed_proposal(
    email: ParsedEmail, context: TenantContext, directory: Directory, why: str
) -> Proposal:
    """An empty proposal that sends the item to review with the reason."""
    draft = Draft(
        intent=Intent.GENERAL,
        confidence=0.0,
        emergency=False,
        summary="The draft could not be written.",
        reply="",
        ticket=None,
        questions=[],
    )
    proposal = build_proposal(email, context, draft, directory, provider="none")
    return proposal.model_copy(
        update={
            "action": Action.REVIEW,
            "reason": f"triage failed: {why}",
            "ticket": None,
            "model_error": why,
        }
    )


def skip_draft(reason: str) -> Draft:
    """The draft for automated mail: nothing to say, nobody to ask."""
    return Draft(
        intent=Intent.GENERAL,
        confidence=1.0,
        emergency=False,
        summary=f"Not answered: {reason}.",
        reply="",
        ticket=None,
        questions=[],
    )


def decide_action(
    email: ParsedEmail,
    context: TenantContext,
    draft: Draft,
    *,
    automated: str | None,
    flags: list[str],
) -> tuple[Action, str]:
    """Code's decision, in order of precedence; the reason is shown to the operator."""
    if automated:
        return Action.SKIP, automated
    if draft.emergency:
        return Action.REVIEW, "emergency: a person must act now"
    if not context.known:
        return Action.REVIEW, "unknown sender"
    if draft.questions:
        return Action.REVIEW, "facts needed: " + "; ".join(draft.questions)
    if flags:
        return Action.REVIEW, "; ".join(flags)
    if not draft.reply.strip():
        return Action.REVIEW, "the draft reply is empty"
    return Action.REPLY, "ready to send"


def build_proposal(
    email: ParsedEmail,
    context: TenantContext,
    draft: Draft,
    directory: Directory,
    *,
    provider: str,
    automated: str | None = None,
) -> Proposal:
    """Combine the model's draft with code's decisions into the proposal shown and sent."""
    flags = [] if automated else safety_flags(email, context, draft.reply, directory)
    action, reason = decide_action(email, context, draft, automated=automated, flags=flags)
    recipients = [email.sender.addr] if email.sender and not automated else []
    own = {a.lower() for a in recipients}
    cc = [a for a in directory.stakeholders_for(draft.intent) if a.lower() not in own]
    return Proposal(
        provider=provider,
        intent=draft.intent,
        confidence=draft.confidence,
        emergency=draft.emergency,
        summary=draft.summary,
        action=action,
        reason=reason,
        to=recipients,
        cc=cc if recipients else [],
        subject=reply_subject(email.subject),
        body=draft.reply,
        ticket=None if automated else ticket_for(draft),
        questions=list(draft.questions),
        flags=flags,
        tenant_id=context.tenant.tenant_id if context.tenant else None,
        tenant_name=context.tenant.name if context.tenant else None,
        unit_id=context.tenant.unit_id if context.tenant else None,
    )


def ticket_for(draft: Draft) -> TicketDraft | None:
    """The work order for a draft: always one for ticket intents, urgent for emergencies."""
    if draft.intent not in TICKET_INTENTS and draft.ticket is None:
        return None
    ticket = draft.ticket or TicketDraft(
        title=draft.summary[:80] or draft.intent.value.replace("_", " "),
        description=draft.summary,
        priority=_DEFAULT_PRIORITY[draft.intent],
    )
    if draft.emergency and ticket.priority is not Priority.URGENT:
        ticket = ticket.model_copy(update={"priority": Priority.URGENT})
    return ticket


def reply_subject(subject: str) -> str:
    """ "Re: " once, however many reply prefixes the subject already carries."""
    rest = _REPLY_PREFIX.sub("", subject).strip()
    return f"Re: {rest}" if rest else "Re: your message"
