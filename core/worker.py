"""What happens to one item: a small state machine driven by the store.

`ItemWorker.advance` reads the item's state from the store and runs the step
for it until the item rests (awaiting review, sent, skipped, dismissed,
failed). Each step ends in one store transition, so a crash between steps
resumes at the right place. Triage failures never reach a tenant: the item
goes to review with the reason.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.policy import SMTP
from typing import Protocol

from core.directory import Directory
from core.errors import AssistantError, InvalidTransition, SendError
from core.models import Action, Intent, Item, ParsedEmail, Proposal, State
from core.outbox import build_reply, new_message_id
from core.parsing import parse_message
from core.policy import AUTO_REPLIES_PER_SENDER_PER_DAY, AutoSendPolicy
from core.retry import with_retries
from core.store import Store
from core.tickets import TicketSink, build_ticket, ticket_id_for
from core.triage import TriageProvider, triage

log = logging.getLogger(__name__)

PIPELINE = "pipeline"
AUTO_SEND = "auto-send"


class Sender(Protocol):
    async def send(self, message: EmailMessage) -> dict[str, str]: ...


@dataclass(frozen=True)
class WorkerConfig:
    mail_from: str
    max_retries: int
    own_addresses: frozenset[str]
    retry_delay: float = 0.5


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
        self.provider = provider
        self.fallback = fallback
        self.sender = sender
        self.tickets = tickets
        self.config = config
        self.policy = policy
        self.clock = clock
        self._auto_send_lock = asyncio.Lock()
        self._steps: dict[State, Callable[[Item], Awaitable[Item]]] = {
            State.NEW: self._triage,
            State.TRIAGED: self._route,
            State.APPROVED: self._deliver,
        }

    async def advance(
        self, item_id: int, between_steps: Callable[[], Awaitable[None]] | None = None
    ) -> Item:
        """Run steps until the item rests; an unexpected error fails the item, visibly.

        `between_steps` is awaited before each step (a console may hold the
        pipeline back while its operator types).
        """
        item = await self.store.get(item_id)
        while item.state in self._steps and self.due(item):
            step = self._steps[item.state]
            if between_steps is not None:
                await between_steps()
            try:
                item = await step(item)
            except InvalidTransition:
                # Someone else (an operator) moved the item meanwhile: the store has the truth.
                return await self.store.get(item.id)
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
        """An approved reply inside the operator's undo window is not due yet."""
        return (
            item.state is not State.APPROVED
            or item.send_after is None
            or (item.send_after <= self.clock())
        )

    async def parsed(self, item: Item) -> ParsedEmail:
        raw = await self.store.raw(item.id)
        return await asyncio.to_thread(parse_message, raw)

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
        item = await self.store.update(
            item.id, actor=PIPELINE, expect={State.NEW}, attempts=item.attempts + 1
        )
        email = await self.parsed(item)
        proposal = await self.propose(item, email)
        return await self.store.transition(
            item.id,
            State.TRIAGED,
            actor=PIPELINE,
            expect={State.NEW},
            proposal=proposal,
            detail={
                "provider": proposal.provider,
                "intent": proposal.intent.value,
                "action": proposal.action.value,
                "reason": proposal.reason,
            },
        )

    async def propose(
        self,
        item: Item,
        email: ParsedEmail,
        *,
        intent: Intent | None = None,
        instruction: str = "",
        previous_reply: str = "",
    ) -> Proposal:
        """Draft (or re-draft) the proposal for an item; never raises for model failures."""
        earlier = await self.store.duplicate_of(item, await self.store.dedup_key(item.id))
        return await triage(
            email,
            self.directory,
            self.provider,
            own_addresses=self.config.own_addresses,
            max_retries=self.config.max_retries,
            retry_delay=self.config.retry_delay,
            skip_reason=f"duplicate of #{earlier.id}, already in the queue" if earlier else None,
            intent=intent,
            instruction=instruction,
            previous_reply=previous_reply,
            fallback=self.fallback,
        )

    # --- triaged → skipped | approved | awaiting_review ------------------------------------

    async def _route(self, item: Item) -> Item:
        proposal = item.proposal
        assert proposal is not None
        if proposal.action is Action.SKIP:
            return await self.store.transition(
                item.id,
                State.SKIPPED,
                actor=PIPELINE,
                expect={State.TRIAGED},
                detail={"reason": proposal.reason},
            )
        if proposal.emergency and proposal.ticket is not None:
            # The work cannot wait for the reply to be reviewed: open the ticket now.
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
        dedup_key = await self.store.dedup_key(item.id)
        ticket = build_ticket(
            proposal,
            ticket_id=item.ticket_id or ticket_id_for(dedup_key),
            source_message_id=item.message_id,
            stakeholders=self.directory.stakeholders_for(proposal.intent),
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

    # --- approved → sending → sent | failed ----------------------------------------------

    async def _deliver(self, item: Item) -> Item:
        proposal = item.proposal
        assert proposal is not None
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
        )
        raw = message.as_bytes(policy=SMTP)
        item = await self.store.transition(
            item.id,
            State.SENDING,
            actor=PIPELINE,
            expect={State.APPROVED},
            expect_version=item.version,  # the reply is built from exactly this version
            reply_message_id=message["Message-ID"],
            reply_raw=raw,
        )
        try:
            refused = await with_retries(
                lambda: self.sender.send(message),
                self.config.max_retries,
                base_delay=self.config.retry_delay,
            )
        except SendError as exc:
            return await self.store.transition(
                item.id,
                State.FAILED,
                actor=PIPELINE,
                expect={State.SENDING},
                error=f"not sent: {exc}",
            )
        detail = {"to": proposal.to, "cc": proposal.cc, "refused": refused}
        return await self.store.transition(
            item.id,
            State.SENT,
            actor=PIPELINE,
            expect={State.SENDING},
            detail=detail,
            error=f"some recipients were refused: {refused}" if refused else "",
        )
