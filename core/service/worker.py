"""What happens to one item: a small state machine driven by the store.

`ItemWorker.advance` reads the item's state from the store and runs the step
for it until the item rests (awaiting review, sent, skipped, dismissed,
failed) or waits (a reply to try again later, a draft waiting for the model).
Each step ends in one store transition, so a crash between steps resumes at the
right place. Triage failures never reach a tenant: the item goes to review with
the reason.

Outages heal themselves. A reply the mail server could not take for a reason
that passes (unreachable, a 4xx answer) is `retrying`: tried again with
growing pauses, kept in the store, until it is sent or `send_retry_hours`
pass. While the server is unreachable only one reply at a time tries it (the
`mail_server` circuit); the others wait and go as soon as it answers. While the
model is unavailable (its circuit is open), a draft that can wait stays `new`;
one with danger in it never waits.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.policy import SMTP
from typing import Any

from core.circuit import Circuit
from core.directory import Directory
from core.errors import (
    AssistantError,
    AuthError,
    InvalidTransition,
    ModelUnavailable,
    TriageError,
)
from core.mail.delivery import PIPELINE, Delivery, Sender
from core.mail.outbox import build_reply, new_message_id
from core.models import Action, Item, ParsedEmail, Proposal, State
from core.policy import AUTO_REPLIES_PER_SENDER_PER_DAY, AutoSendPolicy
from core.providers.guarded import GuardedProvider, WaitingForModel
from core.service.conversations import AT_ONCE, conversation_of
from core.service.drafting import DraftConfig, Drafter
from core.store import Store
from core.tickets import (
    UPDATES,
    TicketSink,
    build_conversation_ticket,
    ticket_id_for,
    ticket_opener,
)
from core.triage.classify import TriageProvider, speaks_of_danger

log = logging.getLogger(__name__)

AUTO_SEND = "auto-send"
MODEL_FAILURES_IN_A_ROW = 3  # failures that open the model's circuit
MODEL_PAUSE_CAP = 60.0  # the longest the model's circuit stays open before a probe


@dataclass(frozen=True)
class WorkerConfig:
    mail_from: str
    max_retries: int
    own_addresses: frozenset[str]
    retry_delay: float = 0.5
    send_retry_first: float = 2.0  # seconds before a reply is first tried again
    send_retry_hours: float = 24.0  # then it fails and waits for a person
    model_pause: float = 5.0  # the first time the model's circuit stays open
    model_wait_seconds: float = 300.0  # a draft waits this long for the model at most
    reply_language: str = "en"  # the mailbox's (REPLY_LANGUAGE)


class ItemWorker:
    def __init__(
        self,
        store: Store,
        directory: Directory,
        provider: TriageProvider,
        sender: Sender,
        tickets: TicketSink,
        config: WorkerConfig,
        policy: Callable[[], Awaitable[AutoSendPolicy]],
        clock: Callable[[], datetime],
        fallback: TriageProvider | None = None,
    ) -> None:
        self.store = store
        self.directory = directory
        self.model = Circuit(
            "model",
            threshold=MODEL_FAILURES_IN_A_ROW,
            first=config.model_pause,
            cap=MODEL_PAUSE_CAP,
            clock=clock,
        )
        self.drafter = Drafter(
            store,
            directory,
            GuardedProvider(provider, self.model),
            DraftConfig(
                config.own_addresses,
                config.max_retries,
                config.retry_delay,
                reply_language=config.reply_language,
            ),
            clock,
            fallback,
        )
        self.parsed = self.drafter.parsed
        self.propose = self.drafter.propose
        self.conversations = self.drafter.conversations
        self.delivery = Delivery(
            store,
            sender,
            first_pause=config.send_retry_first,
            retry_hours=config.send_retry_hours,
            clock=clock,
        )
        self.waiting_for_model = WaitingForModel(
            self.model, first=config.model_pause, cap=MODEL_PAUSE_CAP
        )
        self.sender = sender
        self.tickets = tickets
        self.config = config
        self.policy = policy
        self.clock = clock
        self._auto_send_lock = asyncio.Lock()
        # Looks at the server before a reply goes out: why it must not (the manager
        # answered from another mail client), or "" (set by `open_assistant`).
        self.look_before_sending: Callable[[Item], Awaitable[str]] = _nothing_found
        self._steps: dict[State, Callable[[Item], Awaitable[Item]]] = {
            State.NEW: self._triage,
            State.TRIAGED: self._route,
            State.APPROVED: self._deliver,
            State.RETRYING: self._retry,
        }

    async def advance(self, item_id: int) -> Item:
        """Run steps until the item rests; an unexpected error fails the item, visibly.

        An `AuthError` (the mailbox is signed out) is not the item's fault: the
        item keeps its state and the error goes to the caller, which waits for
        the sign-in.
        """
        item = await self.store.get(item_id)
        while item.state in self._steps and self.due(item):
            step = self._steps[item.state]
            before = (item.state, item.version)
            try:
                item = await step(item)
                if (item.state, item.version) == before:
                    break  # the step chose to wait (for the model, say)
            except InvalidTransition:
                # Someone else (an operator) moved the item meanwhile: the store has the truth.
                return await self.store.get(item.id)
            except AuthError:
                raise
            except AssistantError as exc:  # a step that cannot finish: a person must see why
                item = await self._fail(item, f"{exc.stage}: {exc}")
            except Exception as exc:  # a bug must not stop the other items
                log.exception("item #%s: unexpected error in %s", item.id, step.__name__)
                item = await self._fail(
                    item, f"internal error while handling this message: {type(exc).__name__}"
                )
        return item

    async def _fail(self, item: Item, why: str) -> Item:
        current = await self.store.get(item.id)
        if current.state not in self._steps:
            return current
        return await self.store.transition(
            item.id, State.FAILED, actor=PIPELINE, expect={current.state}, error=why
        )

    def due(self, item: Item) -> bool:
        """Is the item's next step due? Not for an approved reply inside the operator's
        undo window, a reply waiting for its next try, or a draft waiting for the model."""
        if item.state is State.NEW:
            return self.waiting_for_model.due(item.id)
        if item.state is State.RETRYING and self.delivery.goes_now(item):
            return True
        if item.state not in (State.APPROVED, State.RETRYING):
            return True
        return item.send_after is None or item.send_after <= self.clock()

    def next_step_at(self, item: Item) -> datetime | None:
        """When the item's next step is due (None: now)."""
        if self.due(item):
            return None
        if item.state is State.NEW:
            return self.waiting_for_model.next_try(item.id)
        return item.send_after

    @property
    def mail_server(self) -> Circuit:
        return self.delivery.mail_server

    # --- new → triaged -------------------------------------------------------------------

    async def _triage(self, item: Item) -> Item:
        if item.attempts > self.config.max_retries:
            return await self.store.transition(
                item.id,
                State.FAILED,
                actor=PIPELINE,
                expect={State.NEW},
                error=f"gave up after {item.attempts} interrupted attempts",
            )
        may_wait = self._within_model_wait(item)
        if may_wait and self.model.blocked() and not speaks_of_danger(await self.parsed(item)):
            return await self._wait_for_model(item, None)
        item = await self.store.update(
            item.id, actor=PIPELINE, expect={State.NEW}, attempts=item.attempts + 1
        )
        email = await self.parsed(item)
        thread = await self.conversations.thread_for(item, email)
        try:
            proposal = await self.propose(item, email, thread=thread, may_wait=may_wait)
        except TriageError as exc:  # it may wait: the attempt does not count
            return await self._wait_for_model(item, exc, attempts=item.attempts - 1)
        self.waiting_for_model.done(item.id)
        detail = {
            "provider": proposal.provider,
            "intent": proposal.intent.value,
            "action": proposal.action.value,
            "reason": proposal.reason,
            "followup": proposal.followup.value,
        }
        if thread.conversation_id is not None:
            detail["conversation"] = f"#{thread.conversation_id} ({thread.how})"
        triaged = await self.store.transition(
            item.id,
            State.TRIAGED,
            actor=PIPELINE,
            expect={State.NEW},
            proposal=proposal,
            conversation_id=thread.conversation_id or item.id,
            error="",
            detail=detail,
        )
        if thread.conversation_id is not None:
            await self._follow_up_arrived(thread.conversation_id, item)
        return triaged

    def _within_model_wait(self, item: Item) -> bool:
        """Has this email not yet waited for the model as long as it may? (Whether it
        may wait at all, it speaks of no danger, is asked only when the model fails.)"""
        waited = (self.clock() - item.created_at).total_seconds()
        return waited < self.config.model_wait_seconds

    async def _wait_for_model(
        self, item: Item, failure: TriageError | None, *, attempts: int | None = None
    ) -> Item:
        """Keep the email new until the model can write it; say so on the item."""
        self.waiting_for_model.hold(item.id, failure)
        limit = self.config.model_wait_seconds
        # In the server's words: its last failure, also when the circuit turned this one away.
        if failure is None or isinstance(failure, ModelUnavailable):
            reason = self.model.reason or "the model is busy"
        else:
            reason = str(failure)
        why = (
            f"waiting for the model: {reason}; after {limit / 60:g} min "
            "an offline draft goes to review instead"
        )
        changes: dict[str, Any] = {}
        if attempts is not None and attempts != item.attempts:
            changes["attempts"] = attempts
        if item.error != why:
            changes["error"] = why
        if not changes:
            return item
        return await self.store.update(
            item.id,
            actor=PIPELINE,
            expect={State.NEW},
            detail={"waiting_for_model": reason},
            **changes,
        )

    async def _follow_up_arrived(self, conversation_id: int, follow_up: Item) -> None:
        """Earlier messages waiting for a person are now out of date: what the operator
        saw of them did not include this one. A reply still counting down comes back."""
        for other in await self.store.conversation_items(conversation_id):
            if other.id == follow_up.id:
                continue
            note = {"follow_up_arrived": follow_up.id}
            try:
                if other.state is State.AWAITING_REVIEW:
                    await self.store.update(
                        other.id, actor=PIPELINE, expect={State.AWAITING_REVIEW}, detail=note
                    )
                elif other.state is State.APPROVED and other.send_after is not None:
                    await self.store.transition(
                        other.id,
                        State.AWAITING_REVIEW,
                        actor=PIPELINE,
                        expect={State.APPROVED},
                        send_after=None,
                        error=f"held: the tenant wrote again (#{follow_up.id}) while this reply "
                        "was counting down; read it before sending",
                        detail=note,
                    )
            except InvalidTransition:
                continue  # it moved on meanwhile: nothing to hold

    # --- triaged → skipped | approved | awaiting_review ------------------------------------

    async def _route(self, item: Item) -> Item:
        proposal = item.proposal
        assert proposal is not None
        retired = await self.store.retire_if_answered(item)
        if retired is not None:  # the manager answered it already, from another client
            return await self.answered_elsewhere(retired)
        if proposal.action is Action.SKIP:
            if proposal.ticket_effect in UPDATES:  # "fixed, thanks": the ticket learns it
                item = await self.file_ticket(item, proposal)
            return await self.store.transition(
                item.id,
                State.SKIPPED,
                actor=PIPELINE,
                expect={State.TRIAGED},
                detail={"reason": proposal.reason},
            )
        if proposal.ticket_effect in AT_ONCE or (proposal.emergency and proposal.ticket_effect):
            # The work cannot wait for the reply to be reviewed: the ticket knows now.
            item = await self.file_ticket(item, proposal)
        policy = await self.policy()
        if policy.allows(proposal):
            async with self._auto_send_lock:  # count and approve as one step
                if await self._within_daily_limit(proposal):
                    return await self.store.transition(
                        item.id,
                        State.APPROVED,
                        actor=AUTO_SEND,
                        expect={State.TRIAGED},
                        approved_by=AUTO_SEND,
                        reply_message_id=new_message_id(self.config.mail_from),
                    )
        held = policy.why_held(proposal)
        if policy.allows(proposal):
            held = (
                f"auto-send paused for this sender: {AUTO_REPLIES_PER_SENDER_PER_DAY} automatic "
                "replies in the last 24 hours (a mail loop?)"
            )
        return await self.store.transition(
            item.id,
            State.AWAITING_REVIEW,
            actor=PIPELINE,
            expect={State.TRIAGED},
            proposal=proposal.model_copy(update={"reason": held}),
            detail={"reason": held},
        )

    async def _within_daily_limit(self, proposal: Proposal) -> bool:
        since = self.clock() - timedelta(days=1)
        sent = [await self.store.replies_approved_by(AUTO_SEND, a, since) for a in proposal.to]
        return max(sent, default=0) < AUTO_REPLIES_PER_SENDER_PER_DAY

    async def file_ticket(self, item: Item, proposal: Proposal) -> Item:
        """Write the ticket this item opens or changes, rebuilt from its conversation.

        Rebuilding from the store makes filing idempotent: after a crash or a
        retry the same file comes out, and no update is ever added twice.
        """
        conversation = conversation_of(item)
        current = replace_proposal(item, proposal)
        entries = await self.conversations.entries(conversation, current)
        opener = ticket_opener(entries, item.id)
        if opener is None:
            return item
        opener_intent = next(e.proposal.intent for e in entries if e.item_id == opener)
        ticket = build_conversation_ticket(
            entries,
            opener,
            ticket_id=ticket_id_for(await self.store.dedup_key(opener)),
            conversation_id=conversation,
            stakeholders=self.directory.stakeholders_for(opener_intent),
            now=self.clock(),
        )
        if ticket is None:
            return item
        await self.tickets.file(ticket)
        if item.ticket_id == ticket.id:
            return item
        return await self.store.update(
            item.id,
            actor=PIPELINE,
            expect={item.state},
            ticket_id=ticket.id,
            detail={"ticket": ticket.id},
        )

    # --- approved → sending → sent | retrying | failed ----------------------------------

    async def answered_elsewhere(self, item: Item) -> Item:
        """An item the manager answered from another client: its ticket still learns of it."""
        if item.proposal is not None and (item.proposal.ticket or item.proposal.ticket_effect):
            return await self.file_ticket(item, item.proposal)
        return item

    async def _not_answered_yet(self, item: Item) -> Item | None:
        """The look before sending: the item retired when another client answered it."""
        why = await self.look_before_sending(item)
        if not why:
            return None
        retired = await self.store.retire_answered(item.id, why)
        return await self.answered_elsewhere(retired or await self.store.get(item.id))

    async def _deliver(self, item: Item) -> Item:
        proposal = item.proposal
        assert proposal is not None
        answered = await self._not_answered_yet(item)
        if answered is not None:
            return answered
        if not proposal.to:
            return await self.store.transition(
                item.id,
                State.FAILED,
                actor=PIPELINE,
                expect={State.APPROVED},
                error="the reply has no recipient",
            )
        item = await self.file_ticket(item, proposal)
        email = await self.parsed(item)
        message = build_reply(
            email,
            proposal,
            mail_from=self.config.mail_from,
            message_id=item.reply_message_id or new_message_id(self.config.mail_from),
            automatic=item.approved_by == AUTO_SEND,
            now=self.clock(),
            chain=await self._chain(item, email),
        )
        # The reply is kept exactly as built: every later attempt sends these bytes.
        reply = {
            "reply_message_id": message["Message-ID"],
            "reply_raw": message.as_bytes(policy=SMTP),
            "retrying_since": None,
        }
        return await self.delivery.first_attempt(item, message, reply)

    async def _retry(self, item: Item) -> Item:
        answered = await self._not_answered_yet(item)
        if answered is not None:
            return answered
        return await self.delivery.retry(item)

    async def _chain(self, item: Item, email: ParsedEmail) -> list[str]:
        """Every Message-ID of the conversation so far, ours and theirs, oldest first."""
        chain = [*email.references]
        for other in await self.store.conversation_items(conversation_of(item)):
            if other.id < item.id:
                chain += [
                    other.message_id,
                    other.reply_message_id if other.state is State.SENT else "",
                ]
        chain.append(item.message_id)
        return list(dict.fromkeys(i for i in chain if i))


async def _nothing_found(item: Item) -> str:
    return ""


def replace_proposal(item: Item, proposal: Proposal) -> Item:
    return dataclasses.replace(item, proposal=proposal)
