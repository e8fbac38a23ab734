"""From a parsed email to a `Proposal`: the model drafts, code decides.

The provider (OpenAI-compatible or offline) writes a `Draft`. Everything that
matters for safety is decided here, by code, from facts the model cannot
change: whether to answer at all (automated mail is skipped), whether a person
must look first, who receives the reply (the sender, and the stakeholders for
the intent from the datastore) and what the subject is.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from core.directory import Directory
from core.errors import ModelUnavailable, TriageError
from core.mail.history import NO_THREAD, Thread
from core.mail.loops import automated_reason
from core.mail.parsing import own_words
from core.mail.threads import base_subject
from core.mail.threads import reply_subject as threaded_subject
from core.models import (
    POSSIBLE_DANGER,
    Action,
    Draft,
    FollowUp,
    Grade,
    Intent,
    ParsedEmail,
    Priority,
    Proposal,
    TenantContext,
    TicketDraft,
)
from core.retry import with_retries
from core.tickets import ticket_effect
from core.triage.emergency import GRADE_WORDS, grade_of, kinds_named
from core.triage.followups import asks_something, is_chaser
from core.triage.for_a_person import needs_a_person
from core.triage.judgement import (
    NOTHING,
    Judgement,
    ModelAnswer,
    is_vulnerable,
    judge,
    with_model,
)
from core.triage.language import (
    DEFAULT_LANGUAGE,
    ReplyLanguage,
    choose,
    detect,
    name_of,
    tenant_words,
    written_in,
)
from core.triage.prompt import TriageRequest
from core.triage.safety import safety_flags

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
    mailbox_language: str = DEFAULT_LANGUAGE,
    chosen_language: str = "",
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

    The reply is written in the tenant's language (`core.triage.language.choose`), or in
    `chosen_language`, the operator's choice; a reply the model wrote in another
    language is an unusable answer.
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
    language = choose(
        detect(tenant_words(email.text)),
        conversation=thread.language,
        tenant=(context.tenant.language or "") if context.tenant else "",
        mailbox=mailbox_language,
        operator=chosen_language,
    )
    request = TriageRequest(
        email, context, instruction, intent, previous_reply, thread, not_emergency, language.code
    )
    checking = _ask_about_danger(provider, email, thread, not_emergency)
    try:
        draft = await with_retries(
            lambda: _drafted_in(provider, request), max_retries, base_delay=retry_delay
        )
    except TriageError as exc:
        if checking is not None:
            checking.cancel()
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
        proposal = proposal.model_copy(
            update={"action": Action.REVIEW, "reason": reason, "model_error": str(exc)}
        )
        return in_language(proposal, language)
    if intent is not None and draft.intent is not intent:
        draft = draft.model_copy(update={"intent": intent})
    answer = await checking if checking is not None else None
    proposal = build_proposal(
        email, context, draft, directory, provider=provider.name, where=where, answer=answer
    )
    return in_language(proposal, language)


async def _drafted_in(provider: TriageProvider, request: TriageRequest) -> Draft:
    """The provider's draft, provided its reply is in the language asked for."""
    draft = await provider.draft(request)
    if draft.reply.strip() and not written_in(draft.reply, request.language):
        raise TriageError(f"the reply is not in {name_of(request.language)}", retryable=True)
    return draft


def in_language(proposal: Proposal, language: ReplyLanguage) -> Proposal:
    """The proposal with its language told; a tenant's language without templates
    sends it to a person, with the question to decide."""
    update: dict[str, object] = {
        "language": language.code,
        "language_source": language.source.value,
        "written_in": language.unsupported,
    }
    if language.unsupported and proposal.action is Action.REPLY:
        update |= {"action": Action.REVIEW, "reason": language.describe()}
    elif language.unsupported and proposal.action is Action.REVIEW:
        update["reason"] = f"{proposal.reason}; {language.describe()}"
    return proposal.model_copy(update=update)


@runtime_checkable
class DangerChecker(Protocol):
    """A provider that also answers the emergency question on its own (a model does)."""

    async def check_danger(self, subject: str, text: str) -> ModelAnswer | None: ...


def _ask_about_danger(
    provider: TriageProvider, email: ParsedEmail, thread: Thread, not_emergency: bool
) -> asyncio.Task[ModelAnswer | None] | None:
    """Start the model's danger check beside the draft, when the provider can answer it."""
    if not_emergency or not isinstance(provider, DangerChecker):
        return None
    same = thread.is_followup and base_subject(email.subject) == base_subject(thread.subject)
    subject = "" if same else email.subject
    return asyncio.ensure_future(provider.check_danger(subject, own_words(email.text)))


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
    judgement: Judgement = NOTHING,
    danger: str = "",
    grade: Grade | None = None,
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
        graveness = GRADE_WORDS[grade or Grade.LIFE]
        return Action.REVIEW, f"emergency ({graveness}): {danger or 'a person must act now'}"
    # A chaser is held for a person with its own reason; the learned model's doubt alone
    # (no danger words found) about a problem already on file does not replace it.
    doubt_only = not judgement.screening.findings and followup is FollowUp.CHASER
    if judgement.possible and not doubt_only:
        return Action.REVIEW, f"{POSSIBLE_DANGER}: {judgement.reason}"
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
    held = needs_a_person(email.subject, words)
    if held:
        return Action.REVIEW, held
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
    answer: ModelAnswer | None = None,
) -> Proposal:
    """Combine the model's draft with code's decisions into the proposal shown and sent.

    `answer` is the model's own answer to the emergency question, when it gave one.
    """
    where = where or Placement()
    thread = where.thread
    followup = followup_of(draft, thread)
    judgement = NOTHING if automated or where.alarm_cleared else danger_in(email, thread)
    judgement = with_model(judgement, answer) if judgement is not NOTHING else judgement
    if where.alarm_cleared:  # only a person overrules the net
        draft = draft.model_copy(update={"emergency": False, "danger": None})
    elif judgement.emergency and not draft.emergency:  # the net overrules "not an emergency"
        draft = draft.model_copy(update={"emergency": True})
    danger = (draft.danger or judgement.reason) if draft.emergency else ""
    grade = _grade(draft, judgement, email) if draft.emergency else None
    flags = [] if automated else safety_flags(email, context, draft.reply, directory)
    action, reason = decide_action(
        email,
        context,
        draft,
        automated=automated,
        flags=flags,
        followup=followup,
        thread=thread,
        judgement=judgement,
        danger=danger,
        grade=grade,
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
        grade=grade,
        followup=followup,
        ticket_effect=effect,
        history=len([t for t in thread.turns if t.author == "tenant"]),
        related=thread.related,
        alarm_cleared=where.alarm_cleared,
    )


def speaks_of_danger(email: ParsedEmail, thread: Thread = NO_THREAD) -> bool:
    """Is it an emergency, or possibly one? Then the email never waits for anything."""
    judgement = danger_in(email, thread)
    return judgement.emergency or judgement.possible


def danger_in(email: ParsedEmail, thread: Thread) -> Judgement:
    """The judgement on the writer's own words (an inherited subject says nothing new)."""
    same = thread.is_followup and base_subject(email.subject) == base_subject(thread.subject)
    return judge("" if same else email.subject, own_words(email.text))


def _grade(draft: Draft, judgement: Judgement, email: ParsedEmail) -> Grade:
    """How grave: as judged, else (a model's alarm alone) by the danger it names; a danger
    nobody could name is taken as one to life."""
    if judgement.grade is not None:
        return judgement.grade
    kinds = kinds_named(draft.danger or "")
    return grade_of(kinds, vulnerable=is_vulnerable(email.text)) if kinds else Grade.LIFE


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
