"""From a parsed email to a `Proposal`: the model drafts, code decides.

The provider (OpenAI-compatible or offline) writes a `Draft`. Everything that
matters for safety is decided here, by code, from facts the model cannot
change: whether to answer at all (automated mail is skipped), whether a person
must look first, who receives the reply (the sender, and the stakeholders for
the intent from the datastore) and what the subject is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from core.directory import Directory
from core.errors import ModelUnavailable, TriageError
from core.history import NO_THREAD, Thread
from core.loops import automated_reason
from core.models import (
    POSSIBLE_DANGER,
    Action,
    Draft,
    FollowUp,
    Intent,
    ParsedEmail,
    Priority,
    Proposal,
    TenantContext,
    TicketDraft,
)
from core.parsing import own_words
from core.prompt import TriageRequest
from core.providers.followups import asks_something, is_chaser
from core.retry import with_retries
from core.safety import safety_flags
from core.safety_net import NO_DANGER, Screening, screen
from core.threads import base_subject
from core.threads import reply_subject as threaded_subject
from core.tickets import ticket_effect

TICKET_INTENTS = frozenset({Intent.LOCKED_OUT, Intent.MAINTENANCE, Intent.RENT})
_DEFAULT_PRIORITY = {
    Intent.LOCKED_OUT: Priority.HIGH,
    Intent.MAINTENANCE: Priority.NORMAL,
    Intent.RENT: Priority.LOW,
    Intent.GENERAL: Priority.LOW,
}


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
    thread: Thread = NO_THREAD,
    conversation_id: int | None = None,
    not_emergency: bool = False,
    may_wait: bool = False,
) -> Proposal:
    """The proposal for one email. Never raises for model failures: those go to review.

    Automated mail (or a `skip_reason` the caller found, such as a duplicate)
    never reaches the model. `intent` forces the operator's classification.
    When the provider fails after its retries, the `fallback` provider's draft
    is used, marked as such and always held for review. `thread` is the
    conversation the email answers (its history goes to the provider);
    `conversation_id` goes into the reply's subject. `not_emergency` is the
    operator's word that it is not one: the safety net stands down for this email.
    With `may_wait`, a model server that still fails after the retries (down,
    overloaded, too slow: `unavailable`), or whose circuit is open
    (`ModelUnavailable`), raises its `TriageError` instead of falling back: the
    caller keeps the email and asks again later. Not when the email speaks of
    danger (a person must see it now, drafted offline if need be). Answers that
    came but cannot be used fall back after the retries, as without `may_wait`.
    """
    context = directory.context_for(email.sender_addr)
    automated = automated_reason(email, own_addresses) or skip_reason
    where = Placement(thread, conversation_id, not_emergency)
    if automated:
        return build_proposal(
            email,
            context,
            skip_draft(automated),
            directory,
            provider="rules",
            automated=automated,
            where=where,
        )
    request = TriageRequest(
        email, context, instruction, intent, previous_reply, thread, not_emergency
    )
    try:
        draft = await with_retries(
            lambda: provider.draft(request), max_retries, base_delay=retry_delay
        )
    except TriageError as exc:
        unavailable = exc.unavailable or isinstance(exc, ModelUnavailable)
        if may_wait and unavailable and not speaks_of_danger(email, thread):
            raise
        if fallback is None:
            return failed_proposal(email, context, directory, str(exc))
        backup = await fallback.draft(request)
        proposal = build_proposal(
            email, context, backup, directory, provider=f"{fallback.name} (fallback)", where=where
        )
        reason = f"the model failed ({exc}); this draft is from the {fallback.name} provider"
        if proposal.emergency:  # what a person must know first
            reason = f"{proposal.reason}; {reason}"
        return proposal.model_copy(
            update={"action": Action.REVIEW, "reason": reason, "model_error": str(exc)}
        )
    if intent is not None and draft.intent is not intent:
        draft = draft.model_copy(update={"intent": intent})
    return build_proposal(email, context, draft, directory, provider=provider.name, where=where)


@dataclass(frozen=True)
class Placement:
    """Where a message stands: its conversation so far, and the conversation's number."""

    thread: Thread = NO_THREAD
    conversation_id: int | None = None
    alarm_cleared: bool = False  # the operator said it is not an emergency


def followup_of(draft: Draft, thread: Thread) -> FollowUp:
    """What the message is in its conversation: the first of one, or a kind of answer."""
    if not thread.is_followup:
        return FollowUp.FIRST
    if draft.followup is None:
        return FollowUp.UPDATE
    if draft.followup is FollowUp.FIRST:  # a new matter inside the thread
        return FollowUp.NEW_REQUEST
    return draft.followup


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
    followup: FollowUp = FollowUp.FIRST,
    thread: Thread = NO_THREAD,
    screening: Screening = NO_DANGER,
    danger: str = "",
) -> tuple[Action, str]:
    """Code's decision, in order of precedence; the reason is shown to the operator."""
    if automated:
        return Action.SKIP, automated
    if thread.refused is not None:
        return Action.REVIEW, (
            f"answers conversation #{thread.refused}, which is someone else's: kept apart, "
            "with none of its history; check who is writing"
        )
    if draft.emergency:
        return Action.REVIEW, f"emergency: {danger or 'a person must act now'}"
    if screening.unsure:
        return Action.REVIEW, f"{POSSIBLE_DANGER}: {screening.reason()}"
    if not context.known:
        return Action.REVIEW, "unknown sender"
    words = own_words(email.text)
    if followup is FollowUp.CHASER:
        return Action.REVIEW, (
            "a chaser: nothing has happened since our last reply; a person decides what next"
        )
    if followup is FollowUp.FIRST and thread.related is not None:
        return Action.REVIEW, (
            f"possibly the same as #{thread.related} (same sender, same subject): "
            "l links it to that conversation, L keeps it apart"
        )
    if followup is FollowUp.FIRST and is_chaser(email.subject, words):
        return Action.REVIEW, (
            "says an earlier request went unanswered: find it (see 'possibly the same as') "
            "and decide what happens next"
        )
    asks = asks_something(words)
    if followup is FollowUp.CLOSING and not asks:
        return Action.SKIP, "closing message, no reply needed"
    if followup is FollowUp.RESOLVED and not asks:
        return Action.SKIP, "the tenant confirms it is done: ticket resolved, no reply needed"
    if draft.questions:
        return Action.REVIEW, "facts needed: " + "; ".join(draft.questions)
    if flags:
        return Action.REVIEW, "; ".join(flags)
    if not draft.reply.strip():
        return Action.REVIEW, "the draft reply is empty"
    if _said_before(draft.reply, thread):
        return Action.REVIEW, "the draft repeats an earlier reply word for word"
    return Action.REPLY, "ready to send"


def _said_before(reply: str, thread: Thread) -> bool:
    said = {" ".join(r.split()) for r in thread.earlier_replies}
    return " ".join(reply.split()) in said


def build_proposal(
    email: ParsedEmail,
    context: TenantContext,
    draft: Draft,
    directory: Directory,
    *,
    provider: str,
    automated: str | None = None,
    where: Placement | None = None,
) -> Proposal:
    """Combine the model's draft with code's decisions into the proposal shown and sent."""
    where = where or Placement()
    thread = where.thread
    followup = followup_of(draft, thread)
    screening = NO_DANGER if automated or where.alarm_cleared else danger_in(email, thread)
    if where.alarm_cleared:  # only a person overrules the net
        draft = draft.model_copy(update={"emergency": False, "danger": None})
    elif screening.fires and not draft.emergency:  # the net overrules "not an emergency"
        draft = draft.model_copy(update={"emergency": True})
    danger = (draft.danger or screening.reason()) if draft.emergency else ""
    flags = [] if automated else safety_flags(email, context, draft.reply, directory)
    action, reason = decide_action(
        email,
        context,
        draft,
        automated=automated,
        flags=flags,
        followup=followup,
        thread=thread,
        screening=screening,
        danger=danger,
    )
    recipients = [email.sender.addr] if email.sender and not automated else []
    own = {a.lower() for a in recipients}
    copied = directory.stakeholders_for(draft.intent)
    if draft.emergency:  # the on-call people hear of it, whatever the intent
        copied = [*copied, *directory.on_call(draft.intent)]
    cc = [a for a in dict.fromkeys(copied) if a.lower() not in own]
    # A work order needs someone we know, unless it cannot wait; a message about someone
    # else's conversation opens none (it is likely their problem: the operator decides).
    # Nor does a message that is possibly the same as an open conversation, until the
    # operator links it or keeps it apart: otherwise one problem gets two tickets.
    undecided = thread.refused is not None or thread.related is not None
    ticket = (
        None
        if automated or undecided or not (context.known or draft.emergency)
        else ticket_for(draft)
    )
    if followup not in (FollowUp.FIRST, FollowUp.NEW_REQUEST):
        ticket = None  # an answer changes the conversation's ticket; it opens none
    effect = "" if automated else ticket_effect(followup, ticket is not None, thread.ticket_status)
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
        subject=threaded_subject(email.subject, where.conversation_id),
        body=draft.reply,
        ticket=ticket,
        questions=list(draft.questions),
        flags=flags,
        tenant_id=context.tenant.tenant_id if context.tenant else None,
        tenant_name=context.tenant.name if context.tenant else None,
        unit_id=context.tenant.unit_id if context.tenant else None,
        danger=danger,
        followup=followup,
        ticket_effect=effect,
        history=len([t for t in thread.turns if t.author == "tenant"]),
        related=thread.related,
        alarm_cleared=where.alarm_cleared,
    )


def speaks_of_danger(email: ParsedEmail, thread: Thread = NO_THREAD) -> bool:
    """Does the safety net fire, or is it unsure? Then the email never waits for anything."""
    screening = danger_in(email, thread)
    return screening.fires or screening.unsure


def danger_in(email: ParsedEmail, thread: Thread) -> Screening:
    """The safety net over the writer's own words (an inherited subject says nothing new)."""
    same = thread.is_followup and base_subject(email.subject) == base_subject(thread.subject)
    return screen("" if same else email.subject, own_words(email.text))


def ticket_for(draft: Draft) -> TicketDraft | None:
    """The work order for a draft: always one for ticket intents and emergencies."""
    if draft.intent not in TICKET_INTENTS and draft.ticket is None and not draft.emergency:
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
    return threaded_subject(subject, None)
