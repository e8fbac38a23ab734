"""Measure conversations: replay labelled threads through the real worker, in order.

A conversation set is a folder of conversations (`c01/1.eml`, `c01/2.eml`, …)
and one `labels.jsonl` with, per message, `file`, `intent`, `followup`,
`emergency`, `action`, `ticket` (the expected effect) and `joins` (the file of
the conversation's first message it belongs to, or null). Messages answer our
replies through placeholders the replay fills as a mail client would:
`{{reply:N}}` (the Message-ID of our reply to message N), `{{ref}}` (the
conversation's subject reference) and `{{quote:N}}` (our reply to N, quoted).

Each message goes through the same store, threading, triage, routing and
ticket filing as in production; whatever is not skipped is approved as drafted
(an operator who agrees), "sent" by a recording outbox, so the next message
answers what we really said. The report counts follow-up kinds, threading,
duplicate tickets and closing messages answered.
"""

from __future__ import annotations

import asyncio
import email
import json
import re
import tempfile
from collections import Counter
from dataclasses import asdict, dataclass, field
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from core.directory import Directory
from core.errors import ConfigError
from core.mail.outbox import new_message_id
from core.mail.parsing import parse_message
from core.mail.threads import subject_reference
from core.models import Action, Intent, Item, MessageKey, State
from core.policy import AutoSendPolicy
from core.service.worker import ItemWorker, WorkerConfig
from core.store import NewMessage, Store, open_store, utc_now
from core.tickets import FileTicketSink
from core.triage.classify import TriageProvider

OFFICE = "Harbor & Elm Property Management <office@example.com>"
_PLACEHOLDER = re.compile(r"\{\{(reply|quote):(\d+)\}\}|\{\{ref\}\}")


class ThreadLabel(BaseModel):
    file: str
    intent: Intent
    followup: str
    emergency: bool
    action: Action
    ticket: str
    joins: str | None = None


@dataclass
class ThreadReport:
    messages: int
    conversations: int
    followup_accuracy: float
    followup_confusion: dict[str, dict[str, int]]
    threading_accuracy: float
    action_accuracy: float
    intent_accuracy: float
    ticket_effect_accuracy: float
    duplicate_tickets: int
    closing_answered: int
    emergency_recall: float | None
    mistakes: list[str] = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, ensure_ascii=False)

    def to_text(self) -> str:
        kinds = list(self.followup_confusion)
        lines = [
            f"messages: {self.messages} in {self.conversations} conversations",
            f"follow-up kind accuracy: {self.followup_accuracy:.1%}",
            "  (rows: expected, columns: got) " + " ".join(k[:8].rjust(9) for k in kinds),
            *[
                f"  {row:<31}"
                + " ".join(str(self.followup_confusion[row][c]).rjust(9) for c in kinds)
                for row in kinds
            ],
            f"threading (joined the right conversation): {self.threading_accuracy:.1%}",
            f"action accuracy: {self.action_accuracy:.1%}",
            f"intent accuracy: {self.intent_accuracy:.1%}",
            f"ticket effect accuracy: {self.ticket_effect_accuracy:.1%}",
            f"duplicate tickets: {self.duplicate_tickets}",
            f"closing messages answered: {self.closing_answered}",
            f"emergency recall: {_pct(self.emergency_recall)}",
        ]
        if self.mistakes:
            lines += [f"mistakes ({len(self.mistakes)}):", *[f"  {m}" for m in self.mistakes]]
        return "\n".join(lines)


def is_conversation_set(folder: Path) -> bool:
    labels = folder / "labels.jsonl"
    return labels.is_file() and '"followup"' in labels.read_text(encoding="utf-8")[:2000]


def load_thread_labels(folder: Path) -> list[ThreadLabel]:
    labels = []
    for number, line in enumerate((folder / "labels.jsonl").read_text("utf-8").splitlines(), 1):
        if line.strip():
            try:
                labels.append(ThreadLabel.model_validate_json(line))
            except ValidationError as exc:
                problem = exc.errors(include_url=False)[0]
                where = ".".join(str(p) for p in problem["loc"]) or "line"
                raise ConfigError(
                    f"{folder}/labels.jsonl:{number}: {where}: {problem['msg']}"
                ) from None
    return labels


class _Outbox:
    """Takes every reply as a server would and keeps it: the next message answers it."""

    def __init__(self) -> None:
        self.sent: list[EmailMessage] = []

    async def send(self, message: EmailMessage) -> dict[str, str]:
        self.sent.append(message)
        return {}


@dataclass(frozen=True)
class _Done:
    label: ThreadLabel
    item: Item


async def replay(folder: Path, directory: Directory, provider: TriageProvider) -> ThreadReport:
    labels = await asyncio.to_thread(load_thread_labels, folder)
    with tempfile.TemporaryDirectory() as work:
        store = await open_store(Path(work) / "state.sqlite3")
        try:
            run = _Replay(store, directory, provider, Path(work) / "tickets")
            done = [await run.play(folder, label) for label in labels]
            tickets = await asyncio.to_thread(_read_tickets, Path(work) / "tickets")
        finally:
            await store.close()
    return summarise_threads(done, tickets)


class _Replay:
    """One replay: the store, the worker, and what was sent so far."""

    def __init__(
        self, store: Store, directory: Directory, provider: TriageProvider, tickets: Path
    ) -> None:
        self.store = store
        self.outbox = _Outbox()
        self.worker = ItemWorker(
            store,
            directory,
            provider,
            self.outbox,
            FileTicketSink(tickets),
            WorkerConfig(OFFICE, 0, frozenset({"office@example.com"}), 0.0),
            policy=_nothing_automatic,
            clock=utc_now,
        )
        self.items: dict[tuple[str, int], Item] = {}  # (conversation, number) → item

    async def play(self, folder: Path, label: ThreadLabel) -> _Done:
        conversation, number = label.file.split("/")[0], int(Path(label.file).stem)
        raw = self._fill(await asyncio.to_thread((folder / label.file).read_bytes), conversation)
        email = parse_message(raw)
        uid = len(self.items) + 1
        added = await self.store.add(
            NewMessage(
                MessageKey("INBOX", 1, uid),
                email.message_id,
                email.message_id or f"<eval-{uid}@replay>",
                raw,
                email.date or utc_now(),
                str(email.sender) if email.sender else "",
                email.subject,
            )
        )
        if added is None:
            raise ConfigError(f"{label.file} repeats the Message-ID of an earlier message")
        item = await self.worker.advance(added.id)
        if item.state is State.AWAITING_REVIEW and item.proposal and item.proposal.body.strip():
            item = await self.store.transition(  # an operator who agrees with the draft
                item.id,
                State.APPROVED,
                actor="operator",
                approved_by="operator",
                reply_message_id=new_message_id(OFFICE),
            )
            item = await self.worker.advance(item.id)
        self.items[(conversation, number)] = item
        return _Done(label, item)

    def _fill(self, raw: bytes, conversation: str) -> bytes:
        """The placeholders, filled with what we really sent in this conversation.

        Filled in the decoded headers and text parts (a body may be quoted-
        printable or base64), then the message is written out again.
        """
        message = email.message_from_bytes(raw, policy=policy.default)
        for name in ("Subject", "In-Reply-To", "References"):
            value = message[name]
            if value is not None and "{{" in str(value):
                del message[name]
                message[name] = " ".join(self._filled(str(value), conversation).split())
        for part in message.walk():
            if part.get_content_maintype() == "text" and not part.is_multipart():
                text = part.get_content()
                if "{{" in text:
                    part.set_content(
                        self._filled(text, conversation),
                        subtype=part.get_content_subtype(),
                        cte="quoted-printable",
                    )
        return message.as_bytes(policy=policy.SMTP)

    def _filled(self, text: str, conversation: str) -> str:
        def fill(found: re.Match[str]) -> str:
            if found.group(0) == "{{ref}}":
                first = self.items.get((conversation, 1))
                number = first.conversation_id if first and first.conversation_id else 0
                return subject_reference(number) if number else ""
            earlier = self.items.get((conversation, int(found.group(2))))
            sent = earlier is not None and earlier.state is State.SENT
            if found.group(1) == "reply":
                reply_id = earlier.reply_message_id if sent and earlier else ""
                return reply_id or f"<no-reply-{found.group(2)}@replay>"
            if not sent or earlier is None or earlier.proposal is None:
                return ""
            quoted = "\n".join(f"> {line}".rstrip() for line in earlier.proposal.body.splitlines())
            return f"On {earlier.updated_at:%a, %d %b %Y at %H:%M}, {OFFICE} wrote:\n{quoted}"

        return _PLACEHOLDER.sub(fill, text)


async def _nothing_automatic() -> AutoSendPolicy:
    return AutoSendPolicy()  # every reply waits for the (simulated) operator


def _read_tickets(folder: Path) -> list[dict[str, Any]]:
    return [json.loads(p.read_text("utf-8")) for p in sorted(folder.glob("*.json"))]


KINDS = ["first", "update", "chaser", "resolved", "closing", "new_request", "other"]


def summarise_threads(done: list[_Done], tickets: list[dict[str, Any]]) -> ThreadReport:
    """The report: a pure function of the labelled outcomes and the tickets filed."""
    by_file = {d.label.file: d.item for d in done}
    confusion = {row: dict.fromkeys(KINDS, 0) for row in KINDS}
    kinds = [d for d in done if d.label.followup in KINDS]
    for d in kinds:
        got = d.item.proposal.followup.value if d.item.proposal else "other"
        confusion[d.label.followup][got if got in KINDS else "other"] += 1
    right_kind = sum(confusion[k][k] for k in KINDS)
    joined = [_joined_right(d, by_file) for d in done]
    written = [d for d in done if d.label.action is not Action.SKIP and d.item.proposal]
    expected_opens = Counter(
        d.label.file.split("/")[0] for d in done if d.label.ticket in ("open", "new")
    )
    filed = Counter(_conversation_folder(t, done) for t in tickets)
    emergencies = [d for d in done if d.label.emergency]
    return ThreadReport(
        messages=len(done),
        conversations=len({d.label.file.split("/")[0] for d in done}),
        followup_accuracy=_ratio(right_kind, len(kinds)),
        followup_confusion=confusion,
        threading_accuracy=_ratio(sum(joined), len(done)),
        action_accuracy=_ratio(sum(_action(d) is d.label.action for d in done), len(done)),
        intent_accuracy=_ratio(
            sum(d.item.proposal.intent is d.label.intent for d in written if d.item.proposal),
            len(written),
        ),
        ticket_effect_accuracy=_ratio(sum(_effect(d) == d.label.ticket for d in done), len(done)),
        # More tickets than problems in one conversation (a ticket where none was
        # expected is a wrong effect, counted above, not a duplicate).
        duplicate_tickets=sum(max(0, n - max(1, expected_opens[c])) for c, n in filed.items()),
        closing_answered=sum(
            1
            for d in done
            if d.label.followup in ("closing", "resolved")
            and d.label.action is Action.SKIP
            and _action(d) is Action.REPLY
        ),
        emergency_recall=(
            _ratio(
                sum(bool(d.item.proposal and d.item.proposal.emergency) for d in emergencies),
                len(emergencies),
            )
            if emergencies
            else None
        ),
        mistakes=[_mistake(d, by_file) for d in done if _is_mistake(d, by_file)],
    )


def _action(d: _Done) -> Action | None:
    return d.item.proposal.action if d.item.proposal else None


def _effect(d: _Done) -> str:
    effect = d.item.proposal.ticket_effect if d.item.proposal else ""
    return {"": "none", "raise": "raise"}.get(effect, effect)


def _joined_right(d: _Done, by_file: dict[str, Item]) -> bool:
    expected = by_file.get(d.label.joins) if d.label.joins else None
    own = d.item.conversation_id in (None, d.item.id)
    if expected is None:
        return own
    return d.item.conversation_id == (expected.conversation_id or expected.id)


def _conversation_folder(ticket: dict[str, Any], done: list[_Done]) -> str:
    for d in done:
        if d.item.message_id == ticket.get("source_message_id"):
            return d.label.file.split("/")[0]
    return "?"


def _is_mistake(d: _Done, by_file: dict[str, Item]) -> bool:
    got = d.item.proposal.followup.value if d.item.proposal else "other"
    return (
        _action(d) is not d.label.action
        or (d.label.followup in KINDS and got != d.label.followup)
        or not _joined_right(d, by_file)
        or _effect(d) != d.label.ticket
    )


def _mistake(d: _Done, by_file: dict[str, Item]) -> str:
    proposal = d.item.proposal
    got = (
        f"{proposal.followup.value}/{proposal.action.value}/ticket {_effect(d)}"
        if proposal
        else "no proposal"
    )
    expected = f"{d.label.followup}/{d.label.action.value}/ticket {d.label.ticket}"
    thread = "" if _joined_right(d, by_file) else " (wrong conversation)"
    return f"{d.label.file}: expected {expected}, got {got}{thread}"


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"


def _ratio(part: int, whole: int) -> float:
    return part / whole if whole else 0.0
