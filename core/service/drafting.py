"""Drafting a proposal for an item: the one place the pipeline and the operator share.

The service's worker drafts each new message; an operator's reclassify, redraft
or link redrafts one. Both go through a `Drafter`: the message parsed once
(kept for the steps that follow), its conversation, and the provider behind
its circuit, with the offline draft standing in when the model keeps failing.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from core.directory import Directory
from core.mail.history import Thread
from core.mail.parsing import parse_message
from core.models import Intent, Item, ParsedEmail, Proposal
from core.service.conversations import Conversations
from core.store import Store
from core.triage.classify import TriageProvider, triage
from core.triage.language import Source

PARSED_CACHE = 256  # parsed emails kept: a message is read for triage, history and reply


@dataclass(frozen=True)
class DraftConfig:
    own_addresses: frozenset[str]
    max_retries: int
    retry_delay: float = 0.5
    reply_language: str = "en"  # the mailbox's (REPLY_LANGUAGE)


class Drafter:
    def __init__(
        self,
        store: Store,
        directory: Directory,
        provider: TriageProvider,
        config: DraftConfig,
        clock: Callable[[], datetime],
        fallback: TriageProvider | None = None,
    ) -> None:
        self.store = store
        self.directory = directory
        self.provider = provider
        self.config = config
        self.fallback = fallback
        self._parsed: OrderedDict[int, ParsedEmail] = OrderedDict()
        self.conversations = Conversations(store, directory, self.parsed, clock)

    async def parsed(self, item: Item) -> ParsedEmail:
        """The item's email, parsed once (a stored message never changes)."""
        email = self._parsed.get(item.id)
        if email is None:
            raw = await self.store.raw(item.id)
            email = await asyncio.to_thread(parse_message, raw)
            self.remember_parsed(item.id, email)
        else:
            self._parsed.move_to_end(item.id)
        return email

    def remember_parsed(self, item_id: int, email: ParsedEmail) -> None:
        """Keep an email parsed elsewhere (at discovery) for the steps that follow."""
        self._parsed[item_id] = email
        while len(self._parsed) > PARSED_CACHE:
            self._parsed.popitem(last=False)

    async def propose(
        self,
        item: Item,
        email: ParsedEmail,
        *,
        intent: Intent | None = None,
        instruction: str = "",
        previous_reply: str = "",
        thread: Thread | None = None,
        not_emergency: bool = False,
        may_wait: bool = False,
        language: str = "",
    ) -> Proposal:
        """Draft (or re-draft) the proposal for an item; never raises for model failures.

        An alarm the operator cleared stays cleared through every redraft. When the
        model keeps failing, the offline draft stands in, unless `may_wait`: then
        the `TriageError` is raised. A language the operator chose (`language`) is kept
        through every redraft."""
        if thread is None:
            thread = await self.conversations.thread_for(item, email)
        earlier = await self.store.duplicate_of(item)
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
            thread=thread,
            conversation_id=thread.conversation_id or item.id,
            not_emergency=not_emergency or bool(item.proposal and item.proposal.alarm_cleared),
            fallback=self.fallback,
            may_wait=may_wait,
            mailbox_language=self.config.reply_language,
            chosen_language=language or _chosen_language(item),
        )


def _chosen_language(item: Item) -> str:
    """The language the operator chose for the item's reply, if they did."""
    proposal = item.proposal
    if proposal is not None and proposal.language_source == Source.OPERATOR.value:
        return proposal.language
    return ""
