"""Conversations from the store: where a message belongs, what was said, its tickets.

The I/O around the pure rules of `core.mail.threads` and `core.tickets`: gathers the
conversations a message's headers, subject reference and sender point to,
builds the history a draft is written with, and the entries a conversation's
ticket is rebuilt from.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from core.directory import Directory
from core.mail.history import Thread, Turn, trimmed
from core.mail.parsing import own_words
from core.mail.threads import (
    Conversation,
    choose_thread,
    forwarded_senders,
    header_references,
    referenced_conversation,
)
from core.models import Item, ParsedEmail, State
from core.store import Store
from core.tickets import TicketEntry, ticket_status

# A message's effect on its ticket counts once this is decided: approved, or
# handled without a reply. A chaser counts at once: the tenant is waiting, whatever
# the reply will say.
# A message whose effect on its ticket counts: answered (by us, or by the manager from
# another mail client), or handled without an answer.
APPLIED = frozenset(
    {State.APPROVED, State.SENDING, State.SENT, State.SKIPPED, State.ANSWERED_ELSEWHERE}
)
AT_ONCE = frozenset({"raise"})
RECENT_DAYS = 30  # how far back "possibly the same as" looks


class Conversations:
    def __init__(
        self,
        store: Store,
        directory: Directory,
        parsed: Callable[[Item], Awaitable[ParsedEmail]],
        clock: Callable[[], datetime],
    ) -> None:
        self.store = store
        self.directory = directory
        self.parsed = parsed
        self.clock = clock

    async def thread_for(self, item: Item, email: ParsedEmail, *, apart: bool = False) -> Thread:
        """The conversation a message belongs to (decided once, then kept) and its history.

        `apart`: the operator said it is not the same as the suggested one.
        """
        if item.conversation_id == item.id:  # it started its own
            related = item.proposal.related if item.proposal and not apart else None
            return Thread(related=related)
        if item.conversation_id is not None:
            return await self._thread(item.conversation_id, item, "")
        tenant = self.directory.tenant_for(email.sender_addr)
        tenant_id = tenant.tenant_id if tenant else None
        choice = choose_thread(
            email,
            tenant_id,
            await self._by_headers(item, email),
            await self._by_reference(item, email),
            await self._recent(item, email),
        )
        if choice.conversation_id is None:
            return Thread(refused=choice.refused, related=choice.related)
        return await self._thread(choice.conversation_id, item, choice.how)

    async def may_join(self, item: Item, email: ParsedEmail, conversation_id: int) -> bool:
        """Whether the sender is part of that conversation (threading never crosses tenants)."""
        conversation = await self._describe(conversation_id)
        if conversation is None or conversation_id >= item.id:
            return False
        tenant = self.directory.tenant_for(email.sender_addr)
        return conversation.includes(email.sender_addr, tenant.tenant_id if tenant else None)

    async def entries(self, conversation_id: int, current: Item) -> list[TicketEntry]:
        """The conversation's messages for its tickets; `current` counts as decided."""
        items = await self._items(conversation_id)
        if all(i.id != current.id for i in items):
            items.append(current)
        return [
            TicketEntry(
                i.id,
                i.message_id,
                i.received_at,
                current.proposal if i.id == current.id else i.proposal,  # type: ignore[arg-type]
                applied=i.id == current.id or counts(i),
                answered_elsewhere=i.state is State.ANSWERED_ELSEWHERE,
            )
            for i in sorted(items, key=lambda i: i.id)
            if (current.proposal if i.id == current.id else i.proposal) is not None
        ]

    # --- where a message points ----------------------------------------------------------

    async def _by_headers(self, item: Item, email: ParsedEmail) -> list[Conversation]:
        answered = await self.store.items_answered(header_references(email))
        return await self._describe_all([conversation_of(i) for i in answered if i.id < item.id])

    async def _by_reference(self, item: Item, email: ParsedEmail) -> Conversation | None:
        named = referenced_conversation(email.subject)
        if named is None or named >= item.id:
            return None
        return await self._describe(named)

    async def _recent(self, item: Item, email: ParsedEmail) -> list[Conversation]:
        """Recent conversations of the sender, and of the tenants whose mail it forwards."""
        addresses: list[str] = []
        for address in [email.sender_addr, *forwarded_senders(email.text)]:
            tenant = self.directory.tenant_for(address)
            addresses += tenant.addresses if tenant else (address,)
        since = self.clock() - timedelta(days=RECENT_DAYS)
        ids = await self.store.recent_conversations_of(addresses, since, before=item.id)
        return await self._describe_all(ids)

    async def _describe_all(self, conversation_ids: list[int]) -> list[Conversation]:
        """`_describe` of each conversation (in their order), read together."""
        ids = list(dict.fromkeys(conversation_ids))
        found = await self.store.conversations_items(ids)
        described = []
        for conversation_id in ids:
            items = found.get(conversation_id) or await self._alone(conversation_id)
            if items:
                described.append(self._described(conversation_id, items))
        return described

    async def _describe(self, conversation_id: int) -> Conversation | None:
        items = await self._items(conversation_id)
        return self._described(conversation_id, items) if items else None

    def _described(self, conversation_id: int, items: list[Item]) -> Conversation:
        first = items[0]
        tenant = self.directory.tenant_for(first.sender_addr)
        copied = {a.lower() for i in items if i.proposal for a in i.proposal.cc}
        return Conversation(
            id=conversation_id,
            tenant_id=tenant.tenant_id if tenant else None,
            addresses=frozenset({first.sender_addr}),
            stakeholders=frozenset(copied),
            subject=first.subject,
            last_at=max(i.received_at for i in items),
        )

    async def _items(self, conversation_id: int) -> list[Item]:
        items = await self.store.conversation_items(conversation_id)
        return items or await self._alone(conversation_id)

    async def _alone(self, conversation_id: int) -> list[Item]:
        """A message recorded before conversations existed: the conversation on its own."""
        try:
            return [await self.store.get(conversation_id)]
        except Exception:
            return []

    # --- what was said ---------------------------------------------------------------------

    async def _thread(self, conversation_id: int, item: Item, how: str) -> Thread:
        earlier = [i for i in await self._items(conversation_id) if i.id < item.id]
        turns: list[Turn] = []
        replies: list[str] = []
        for other in earlier:
            email = await self.parsed(other)
            text = own_words(email.text)
            if text and other.proposal is not None and other.proposal.provider != "rules":
                turns.append(Turn("tenant", other.received_at, text))
            if other.state is State.SENT and other.proposal and other.proposal.body:
                turns.append(Turn("office", other.updated_at, other.proposal.body))
                replies.append(other.proposal.body)
            # The manager's own answer from another mail client is ours too: the draft
            # must not contradict it.
            for answer in await self.store.outside_replies_answering([other.message_id]):
                if answer.text and answer.in_reply_to == other.message_id:
                    turns.append(Turn("office", answer.sent_at or other.updated_at, answer.text))
                    replies.append(answer.text)
        entries = await self.entries(conversation_id, item) if earlier else []
        entries = [e for e in entries if e.item_id != item.id]
        status = ticket_status(entries)
        first = earlier[0].proposal if earlier else None
        spoken = [i.proposal.language for i in earlier if i.proposal and i.proposal.language]
        return Thread(
            conversation_id=conversation_id,
            turns=trimmed(turns),
            intent=first.intent if first else None,
            ticket_status=status[1] if status else None,
            earlier_replies=tuple(replies),
            how=how,
            subject=earlier[0].subject if earlier else "",
            language=spoken[-1] if spoken else "",
        )


def counts(item: Item) -> bool:
    """Whether an item's effect on its ticket has been decided."""
    if item.state in APPLIED:
        return True
    effect = item.proposal.ticket_effect if item.proposal else ""
    return effect in AT_ONCE and item.state not in (State.NEW, State.DISMISSED)


def conversation_of(item: Item) -> int:
    """The conversation an item is in (its own, when it predates conversations)."""
    return item.conversation_id if item.conversation_id is not None else item.id
