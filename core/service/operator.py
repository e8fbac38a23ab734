"""The operator's commands: the one way a person changes an item.

A console (or a script) calls these; each is checked by the store against the
lifecycle and lands in the audit log with what changed. Every item command
names the item *and the version the operator was shown*; the store refuses it
(`StaleItem`) when the item has changed since, so what is approved is always
what was on screen. Nothing here talks to a widget: the console learns the
outcome from the store's events.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from core.errors import InvalidTransition, StaleItem
from core.mail.outbox import new_message_id
from core.mail.parsing import own_words
from core.models import (
    Intent,
    Item,
    OutsideReply,
    Page,
    ParsedEmail,
    Proposal,
    State,
    TenantContext,
    address_of,
)
from core.policy import AutoSendPolicy, store_policy
from core.service.drafting import Drafter
from core.store import Store
from core.triage.language import REPLY_LANGUAGES, name_of

OPERATOR = "operator"


def operator_actor(name: str) -> str:
    """How the audit names an operator: `operator:ana` ("operator" when unnamed)."""
    return f"{OPERATOR}:{name}" if name else OPERATOR


def is_operator(actor: str) -> bool:
    return actor == OPERATOR or actor.startswith(f"{OPERATOR}:")


def operator_name(actor: str) -> str:
    """The person behind an audit actor ("" when it was not an operator or unnamed)."""
    return actor.partition(":")[2] if is_operator(actor) else ""


Pager = Callable[[Item, str], Awaitable[Page | None]]  # the item, and who asks


@dataclass(frozen=True)
class Exchange:
    """One message of a conversation with what the tenant wrote and what we answered."""

    item: Item
    text: str  # the writer's own words, quotes removed
    reply: str  # our reply, when one was sent


@dataclass(frozen=True)
class ItemDetails:
    item: Item
    email: ParsedEmail
    context: TenantContext


REVIEWABLE = frozenset({State.AWAITING_REVIEW, State.FAILED})


@dataclass(frozen=True)
class Desk:
    """What an operator's commands need of one inbox: its drafter (datastore, model),
    the address its replies come from, and its pager (None: paging is not set up)."""

    drafter: Drafter
    mail_from: str
    pager: Pager | None = None


class Operator:
    """One named person's commands. Each is a change in the store; the service (in
    another process, or on another machine) learns of it from the store and acts."""

    def __init__(
        self,
        store: Store,
        desks: Mapping[str, Desk],
        *,
        name: str = "",
        clock: Callable[[], datetime],
    ) -> None:
        """`desks`: each inbox's, by its name in the mailboxes file ("" for the one
        inbox of a setup without it)."""
        self.store = store
        self.desks = dict(desks)
        self.name = name
        self.actor = operator_actor(name)
        self.clock = clock

    def desk(self, item: Item) -> Desk:
        """The desk of the item's inbox (the first one for an inbox no longer set up)."""
        return self.desks.get(item.key.inbox) or next(iter(self.desks.values()))

    async def approve(
        self, item_id: int, version: int, body: str | None = None, *, delay: float = 0
    ) -> Item:
        """Send the reply (edited first when `body` is given) and file its ticket.

        With a `delay`, the reply waits that many seconds, during which
        `cancel_send` takes it back.
        """
        item = await self._seen(item_id, version)
        proposal = _proposal(item)
        if body is not None and body != proposal.body:
            item = await self.edit(item_id, version, body)
            proposal = _proposal(item)
        if not proposal.to:
            raise InvalidTransition(f"item #{item_id} has no recipient to reply to")
        if not proposal.body.strip():
            raise InvalidTransition(f"item #{item_id} has an empty reply; edit it first")
        send_after = self.clock() + timedelta(seconds=delay) if delay > 0 else None
        item = await self.store.transition(
            item_id,
            State.APPROVED,
            actor=self.actor,
            expect=REVIEWABLE,
            expect_version=item.version,
            approved_by=self.actor,
            error="",
            send_after=send_after,
            reply_message_id=item.reply_message_id or new_message_id(self.desk(item).mail_from),
            detail={"delay": delay} if delay > 0 else None,
        )
        return item

    async def cancel_send(self, item_id: int, version: int) -> Item:
        """Take back an approved reply that has not started sending, or one that waits
        to be tried again."""
        try:
            return await self.store.transition(
                item_id,
                State.AWAITING_REVIEW,
                actor=self.actor,
                expect={State.APPROVED, State.RETRYING},
                expect_version=version,
                send_after=None,
                error="",
                detail={"undo": True},
            )
        except StaleItem:
            current = await self.store.get(item_id)
            if current.state in (State.APPROVED, State.RETRYING):
                raise
            raise InvalidTransition(f"too late: the reply for #{item_id} is already out") from None
        except InvalidTransition:
            raise InvalidTransition(f"too late: the reply for #{item_id} is already out") from None

    async def send_now(self, item_id: int, version: int) -> Item:
        """End the undo window of an approved reply, or the wait of one to be tried again
        (even while the mail server seems down: this is its next try): send it as soon
        as a worker is free."""
        item = await self.store.update(
            item_id,
            actor=self.actor,
            expect={State.APPROVED, State.RETRYING},
            expect_version=version,
            send_after=None,
            detail={"send_now": True},
        )
        return item

    async def mark_sent(self, item_id: int, version: int) -> Item:
        """A reply in doubt did go out (the operator checked): record it as sent. No mail
        is sent."""
        item = await self.store.transition(
            item_id,
            State.SENT,
            actor=self.actor,
            expect={State.IN_DOUBT},
            expect_version=version,
            detail={"marked_sent": "by the operator; nothing was sent"},
        )
        return item

    async def send_again(self, item_id: int, version: int) -> Item:
        """A reply in doubt did not go out (the operator decided): send the same message,
        with the same Message-ID, now."""
        item = await self.store.transition(
            item_id,
            State.RETRYING,
            actor=self.actor,
            expect={State.IN_DOUBT},
            expect_version=version,
            send_after=None,
            retrying_since=self.clock(),
            error="sent again as the operator decided: the same message, same Message-ID",
            detail={"send_again": True},
        )
        return item

    async def details(self, item_id: int) -> ItemDetails:
        """Everything the detail view shows, read from the store and parsed off the loop."""
        item = await self.store.get(item_id)
        email = await self.desk(item).drafter.parsed(item)
        return ItemDetails(item, email, self.context_for(item))

    async def message(self, item_id: int) -> ParsedEmail:
        """The email of an item, parsed off the loop (it never changes once stored)."""
        item = await self.store.get(item_id)
        return await self.desk(item).drafter.parsed(item)

    async def answered_elsewhere(self, item: Item) -> tuple[OutsideReply, ...]:
        """What the manager wrote from another mail client: replies to this message, then
        any other mail to its sender since it arrived (those retire nothing)."""
        threaded = await self.store.outside_replies_answering([item.message_id])
        sender = address_of(item.sender)
        others = await self.store.outside_replies_to(sender, item.received_at) if sender else []
        known = {reply.message_id for reply in threaded}
        return (*threaded, *(r for r in others if r.message_id not in known))

    async def conversation(self, item_id: int) -> list[Exchange]:
        """Every message of the item's conversation, oldest first, with our replies."""
        item = await self.store.get(item_id)
        items = await self.store.conversation_items(item.conversation_id or item.id) or [item]
        exchanges = []
        for other in items:
            text = own_words((await self.desk(other).drafter.parsed(other)).text)
            sent = other.state is State.SENT and other.proposal is not None
            exchanges.append(Exchange(other, text, other.proposal.body if sent else ""))  # type: ignore[union-attr]
        return exchanges

    def context_for(self, item: Item) -> TenantContext:
        """The sender's own record, from the datastore held in memory."""
        return self.desk(item).drafter.directory.context_for(item.sender_addr)

    async def edit(self, item_id: int, version: int, body: str) -> Item:
        item = await self._seen(item_id, version)
        proposal = _proposal(item).model_copy(update={"body": body})
        return await self.store.update(
            item_id,
            actor=self.actor,
            expect=REVIEWABLE,
            expect_version=version,
            proposal=proposal,
            detail={"edited": True, "chars": len(body)},
        )

    async def dismiss(self, item_id: int, version: int) -> Item:
        """Close without a reply; the message is marked read."""
        item = await self.store.transition(
            item_id, State.DISMISSED, actor=self.actor, expect=REVIEWABLE, expect_version=version
        )
        return item

    async def reopen(self, item_id: int, version: int) -> Item:
        """Bring a skipped or dismissed item back for review, or one the manager answered
        from another mail client, when its draft should go out after all."""
        return await self.store.transition(
            item_id,
            State.AWAITING_REVIEW,
            actor=self.actor,
            expect={State.SKIPPED, State.DISMISSED, State.ANSWERED_ELSEWHERE},
            expect_version=version,
        )

    async def reclassify(self, item_id: int, version: int, intent: Intent) -> Item:
        """Redraft for the intent the operator chose: ticket, Cc and reply follow it.

        The choice is also kept as a labelled example. The new draft is only
        stored if the item did not change while it was being written.
        """
        item = await self._seen(item_id, version)
        before = _proposal(item)
        drafter = self.desk(item).drafter
        proposal = await drafter.propose(item, await drafter.parsed(item), intent=intent)
        updated = await self.store.update(
            item_id,
            actor=self.actor,
            expect=REVIEWABLE,
            expect_version=version,
            proposal=proposal,
            detail={
                "reclassified": {"from": before.intent.value, "to": intent.value},
                "example": {"message_id": item.message_id, "intent": intent.value},
            },
        )
        await self.store.add_label(item_id, item.message_id, intent.value, self.actor)
        return updated

    async def clear_alarm(self, item_id: int, version: int) -> Item:
        """The operator checked: not an emergency. Redraft as routine; the item stays
        in review, and the decision is kept as a labelled example."""
        item = await self._seen(item_id, version)
        before = _proposal(item)
        if not before.alarmed:
            raise InvalidTransition(f"#{item_id} has no alarm to clear")
        drafter = self.desk(item).drafter
        proposal = await drafter.propose(
            item, await drafter.parsed(item), intent=before.intent, not_emergency=True
        )
        updated = await self.store.update(
            item_id,
            actor=self.actor,
            expect=REVIEWABLE,
            expect_version=version,
            proposal=proposal,
            detail={
                "alarm_cleared": before.danger or before.reason,
                "example": {"message_id": item.message_id, "emergency": False},
            },
        )
        await self.store.add_label(
            item_id, item.message_id, before.intent.value, self.actor, emergency=False
        )
        return updated

    async def page_now(self, item_id: int, version: int) -> Page:
        """Page the on-call people for this emergency again, now (outside the schedule)."""
        item = await self._seen(item_id, version)
        if not _proposal(item).emergency or item.state is not State.AWAITING_REVIEW:
            raise InvalidTransition(f"#{item_id} is not an emergency waiting for a person")
        pager = self.desk(item).pager
        if pager is None:
            raise InvalidTransition("paging is not set up in this run")
        page = await pager(item, self.actor)
        if page is None:
            raise InvalidTransition(f"#{item_id} was just paged; try again in a moment")
        return page

    async def redraft(self, item_id: int, version: int, instruction: str) -> Item:
        """Ask the provider for a new reply following the operator's instruction."""
        item = await self._seen(item_id, version)
        before = _proposal(item)
        drafter = self.desk(item).drafter
        proposal = await drafter.propose(
            item,
            await drafter.parsed(item),
            intent=before.intent,
            instruction=instruction,
            previous_reply=before.body,
        )
        return await self.store.update(
            item_id,
            actor=self.actor,
            expect=REVIEWABLE,
            expect_version=version,
            proposal=proposal,
            detail={"redraft": instruction},
        )

    async def set_language(self, item_id: int, version: int, language: str) -> Item:
        """Write the reply in this language: redrafted in it, and kept through redrafts."""
        if language not in REPLY_LANGUAGES:
            raise InvalidTransition(f"there are no replies in {name_of(language)}")
        item = await self._seen(item_id, version)
        before = _proposal(item)
        drafter = self.desk(item).drafter
        proposal = await drafter.propose(
            item, await drafter.parsed(item), intent=before.intent, language=language
        )
        return await self.store.update(
            item_id,
            actor=self.actor,
            expect=REVIEWABLE,
            expect_version=version,
            proposal=proposal,
            detail={"language": language},
        )

    async def link(self, item_id: int, version: int, conversation_id: int | None = None) -> Item:
        """Join the item to a conversation (the suggested one by default) and redraft it
        with that conversation's history; refused when the sender is not part of it."""
        item = await self._seen(item_id, version)
        target = conversation_id or (item.proposal.related if item.proposal else None)
        if target is None:
            raise InvalidTransition(f"#{item_id} has no suggested conversation to join")
        drafter = self.desk(item).drafter
        email = await drafter.parsed(item)
        if not await drafter.conversations.may_join(item, email, target):
            raise InvalidTransition(
                f"#{item_id} cannot join #{target}: the sender is not part of that conversation"
            )
        return await self._rethread(item, email, target, {"linked": target})

    async def unlink(self, item_id: int, version: int) -> Item:
        """Keep the item apart: a conversation of its own, no suggestion; redrafted so."""
        item = await self._seen(item_id, version)
        email = await self.desk(item).drafter.parsed(item)
        before = item.conversation_id
        return await self._rethread(item, email, item.id, {"unlinked": before})

    async def _rethread(
        self, item: Item, email: ParsedEmail, conversation_id: int, detail: dict[str, Any]
    ) -> Item:
        moved = dataclasses.replace(item, conversation_id=conversation_id)
        apart = conversation_id == item.id
        drafter = self.desk(item).drafter
        thread = await drafter.conversations.thread_for(moved, email, apart=apart)
        proposal = await drafter.propose(moved, email, thread=thread)
        return await self.store.update(
            item.id,
            actor=self.actor,
            expect=REVIEWABLE,
            expect_version=item.version,
            conversation_id=conversation_id,
            proposal=proposal,
            detail=detail,
        )

    async def set_policy(self, policy: AutoSendPolicy) -> None:
        """Change the auto-send policy; the change is logged with who made it."""
        await store_policy(self.store, policy, actor=self.actor)

    async def stop_auto_send(self) -> None:
        """The kill switch: every intent back to draft-only at once."""
        await store_policy(self.store, AutoSendPolicy(), actor=f"{self.actor} (kill switch)")

    async def _seen(self, item_id: int, version: int) -> Item:
        """The item as stored, provided it is still the version the operator saw."""
        item = await self.store.get(item_id)
        if item.version != version:
            raise StaleItem(item_id, version, item.version, item.state.value)
        return item


def _proposal(item: Item) -> Proposal:
    if item.proposal is None:
        raise InvalidTransition(f"item #{item.id} has no proposal yet")
    return item.proposal
