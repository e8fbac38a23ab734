"""Measure triage against labelled mail: accuracy, confusion, emergencies, actions, speed.

`load_labels` reads `labels.jsonl` (one object per line with at least `file`,
`intent` and `action`, optionally `emergency`); `evaluate` runs triage on each
message; `summarise` is a pure function from outcomes to a `Report`, which
renders as text or JSON. Intent accuracy counts only mail a person wrote:
automated mail has no intent worth measuring, only the action `skip`.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ValidationError

from core.directory import Directory
from core.errors import ConfigError
from core.mail.parsing import parse_message
from core.models import Action, Intent, Proposal
from core.store import Store
from core.triage.classify import TriageProvider, triage

INTENTS = [i.value for i in Intent]
AUTO_SEND_AT = 0.5  # the most permissive auto-send an operator could set, for the worst case
ACTIONS = [a.value for a in Action]


class Label(BaseModel):
    file: str
    intent: Intent
    action: Action
    emergency: bool | None = None
    # For an emergency: danger to life, or damage to the building that cannot wait.
    grade: Literal["life", "property"] | None = None
    lang: str = ""  # ISO 639-1 of the writer's own words, when the set says
    reply_lang: str = ""  # the language the reply should be in, when the set says


@dataclass(frozen=True)
class Outcome:
    label: Label
    proposal: Proposal
    seconds: float
    on_file: bool = True  # the sender is a tenant in the datastore


@dataclass
class Report:
    messages: int
    intent_accuracy: float
    intent_recall: dict[str, float]
    confusion: dict[str, dict[str, int]]
    emergency_recall: float | None
    emergency_precision: float | None
    action_accuracy: float
    action_recall: dict[str, float]
    # The same for mail from senders on file: a stranger is held for review whatever
    # the label says, by policy, so this is what the offline actions are measured by.
    action_accuracy_on_file: float
    strangers_held: int
    automated_answered: int
    # A labelled emergency given the action `reply` (answered as routine), and the
    # ones of those that would go out with every intent on auto-send at 0.5.
    emergencies_answered_as_routine: int
    emergencies_auto_sent: int
    non_emergencies_held: int  # the net's cost: routine mail sent to review for danger
    # Emergencies by grade: how many there were and how many were raised as emergencies.
    emergencies_by_grade: dict[str, dict[str, int]]
    # Non-emergencies raised as emergencies (each one pages someone), per 100 of them.
    false_pages_per_100_routine: float | None
    # Per language: messages, emergencies, raised, answered as routine, false alarms.
    by_language: dict[str, dict[str, int]]
    # Replies written in the language the set expects, of those it says (None: it does not).
    reply_language_right: int | None
    reply_language_labelled: int
    mean_confidence_when_right: float
    mean_confidence_when_wrong: float
    calibration_error: float
    mean_ms_per_email: float
    mistakes: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, ensure_ascii=False)

    def _grade_lines(self) -> list[str]:
        return [
            f"  {grade} emergencies raised: {row['raised']} of {row['labelled']}"
            for grade, row in self.emergencies_by_grade.items()
        ]

    def _language_lines(self) -> list[str]:
        if len(self.by_language) < 2:
            return []
        lines = ["by language: messages, emergencies raised of labelled, routine, false alarms"]
        for lang, row in sorted(self.by_language.items(), key=lambda kv: -kv[1]["messages"]):
            lines.append(
                f"  {lang:<4} {row['messages']:>4}  {row['raised']:>3} of {row['emergencies']:<3}"
                f"  {row['answered_as_routine']:>3}  {row['false_alarms']:>3}"
            )
        return lines

    def _reply_language_lines(self) -> list[str]:
        if self.reply_language_right is None:
            return []
        return [
            f"reply language right: {self.reply_language_right} of "
            f"{self.reply_language_labelled} "
            f"({_ratio(self.reply_language_right, self.reply_language_labelled):.1%})"
        ]

    def to_text(self) -> str:
        lines = [
            f"messages: {self.messages}",
            f"intent accuracy (mail written by people): {self.intent_accuracy:.1%}",
            *[f"  {intent:<12} {value:.1%}" for intent, value in self.intent_recall.items()],
            "confusion (rows: expected, columns: predicted):",
            "  " + " " * 12 + "".join(f"{i[:11]:>12}" for i in INTENTS),
            *[
                "  " + f"{row:<12}" + "".join(f"{self.confusion[row][c]:>12}" for c in INTENTS)
                for row in INTENTS
            ],
            f"emergency recall: {_pct(self.emergency_recall)}  "
            f"precision: {_pct(self.emergency_precision)}",
            f"action accuracy: {self.action_accuracy:.1%}  "
            + "  ".join(f"{a} {v:.1%}" for a, v in self.action_recall.items()),
            f"action accuracy, senders on file: {self.action_accuracy_on_file:.1%}  "
            f"(strangers held for review by policy: {self.strangers_held})",
            f"automated mail given 'reply': {self.automated_answered}",
            f"emergencies answered as routine: {self.emergencies_answered_as_routine}  "
            f"auto-sent (every intent on, threshold 0.5): {self.emergencies_auto_sent}",
            f"non-emergencies held for review as possible danger: {self.non_emergencies_held}",
            *self._grade_lines(),
            f"false pages per 100 routine emails: {_num(self.false_pages_per_100_routine)}",
            *self._language_lines(),
            *self._reply_language_lines(),
            f"mean confidence: {self.mean_confidence_when_right:.2f} when right, "
            f"{self.mean_confidence_when_wrong:.2f} when wrong; "
            f"calibration error (ECE, 10 bins): {self.calibration_error:.3f}",
            f"mean time per email: {self.mean_ms_per_email:.1f} ms",
        ]
        if self.mistakes:
            lines.append(f"mistakes ({len(self.mistakes)}):")
            lines += [
                f"  {m['file']}: expected {m['expected']}, got {m['got']}" for m in self.mistakes
            ]
        return "\n".join(lines)


def load_labels(folder: Path) -> list[Label]:
    path = folder / "labels.jsonl"
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from None
    labels = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            labels.append(Label.model_validate_json(line))
        except ValidationError as exc:
            problem = exc.errors(include_url=False)[0]
            where = ".".join(str(p) for p in problem["loc"]) or "line"
            raise ConfigError(f"{path}:{number}: {where}: {problem['msg']}") from None
    missing = [label.file for label in labels if not (folder / label.file).is_file()]
    if missing:
        raise ConfigError(f"{path} names files that are not there: {', '.join(missing[:5])}")
    return labels


async def evaluate(
    folder: Path,
    directory: Directory,
    provider: TriageProvider,
    *,
    own_addresses: frozenset[str] = frozenset(),
    max_retries: int = 2,
) -> list[Outcome]:
    outcomes = []
    for label in await asyncio.to_thread(load_labels, folder):
        raw = await asyncio.to_thread((folder / label.file).read_bytes)
        started = time.perf_counter()
        email = parse_message(raw)
        proposal = await triage(
            email,
            directory,
            provider,
            own_addresses=own_addresses,
            max_retries=max_retries,
        )
        seconds = time.perf_counter() - started
        on_file = directory.tenant_for(email.sender_addr) is not None
        outcomes.append(Outcome(label, proposal, seconds, on_file))
    return outcomes


def summarise(outcomes: list[Outcome]) -> Report:
    written = [o for o in outcomes if o.label.action is not Action.SKIP]
    right = [o for o in written if o.proposal.intent is o.label.intent]
    confusion = {row: dict.fromkeys(INTENTS, 0) for row in INTENTS}
    for o in written:
        confusion[o.label.intent.value][o.proposal.intent.value] += 1
    flagged = [o for o in outcomes if o.label.emergency is not None]
    true_alarm = sum(1 for o in flagged if o.label.emergency and o.proposal.emergency)
    raised = sum(1 for o in flagged if o.proposal.emergency)
    real = sum(1 for o in flagged if o.label.emergency)
    by_action = Counter(o.label.action.value for o in outcomes)
    action_right = Counter(
        o.label.action.value for o in outcomes if o.proposal.action is o.label.action
    )
    wrong = [o for o in written if o not in right]
    on_file = [o for o in outcomes if o.on_file or o.label.action is Action.SKIP]
    routine = [o for o in flagged if o.label.emergency and o.proposal.action is Action.REPLY]
    return Report(
        messages=len(outcomes),
        intent_accuracy=_ratio(len(right), len(written)),
        intent_recall={
            intent: _ratio(confusion[intent][intent], sum(confusion[intent].values()))
            for intent in INTENTS
        },
        confusion=confusion,
        emergency_recall=true_alarm / real if real else None,
        emergency_precision=true_alarm / raised if raised else None,
        action_accuracy=_ratio(sum(action_right.values()), len(outcomes)),
        action_recall={a: _ratio(action_right[a], by_action[a]) for a in ACTIONS if by_action[a]},
        action_accuracy_on_file=_ratio(
            sum(1 for o in on_file if o.proposal.action is o.label.action), len(on_file)
        ),
        strangers_held=sum(
            1
            for o in outcomes
            if not o.on_file
            and o.label.action is Action.REPLY
            and o.proposal.action is Action.REVIEW
        ),
        automated_answered=sum(
            1
            for o in outcomes
            if o.label.action is Action.SKIP and o.proposal.action is Action.REPLY
        ),
        emergencies_answered_as_routine=len(routine),
        emergencies_auto_sent=sum(1 for o in routine if o.proposal.confidence >= AUTO_SEND_AT),
        non_emergencies_held=sum(
            1
            for o in flagged
            if not o.label.emergency and o.proposal.action is Action.REVIEW and o.proposal.alarmed
        ),
        emergencies_by_grade=_by_grade(flagged),
        false_pages_per_100_routine=_false_pages(flagged),
        by_language=_by_language(outcomes),
        reply_language_right=_reply_language_right(outcomes),
        reply_language_labelled=sum(1 for o in outcomes if o.label.reply_lang),
        mean_confidence_when_right=_mean([o.proposal.confidence for o in right]),
        mean_confidence_when_wrong=_mean([o.proposal.confidence for o in wrong]),
        calibration_error=calibration_error(
            [(o.proposal.confidence, o.proposal.intent is o.label.intent) for o in written]
        ),
        mean_ms_per_email=_mean([o.seconds * 1000 for o in outcomes]),
        mistakes=[_mistake(o) for o in outcomes if _is_mistake(o)],
    )


def _by_grade(flagged: list[Outcome]) -> dict[str, dict[str, int]]:
    rows: dict[str, dict[str, int]] = {}
    for o in flagged:
        if o.label.emergency:
            row = rows.setdefault(o.label.grade or "ungraded", {"labelled": 0, "raised": 0})
            row["labelled"] += 1
            row["raised"] += int(o.proposal.emergency)
    return rows


def _false_pages(flagged: list[Outcome]) -> float | None:
    """Routine mail a person wrote that would page someone, per 100 such emails."""
    routine = [o for o in flagged if not o.label.emergency and o.label.action is not Action.SKIP]
    if not routine:
        return None
    return 100 * sum(1 for o in routine if o.proposal.emergency) / len(routine)


def _reply_language_right(outcomes: list[Outcome]) -> int | None:
    """Replies in the expected language (a draft told none was, before, English)."""
    labelled = [o for o in outcomes if o.label.reply_lang]
    if not labelled:
        return None
    return sum(1 for o in labelled if (o.proposal.language or "en") == o.label.reply_lang)


def _by_language(outcomes: list[Outcome]) -> dict[str, dict[str, int]]:
    rows: dict[str, dict[str, int]] = {}
    for o in outcomes:
        row = rows.setdefault(
            o.label.lang or "?",
            dict.fromkeys(
                ("messages", "emergencies", "raised", "answered_as_routine", "false_alarms"), 0
            ),
        )
        row["messages"] += 1
        if o.label.emergency:
            row["emergencies"] += 1
            row["raised"] += int(o.proposal.emergency)
            row["answered_as_routine"] += int(o.proposal.action is Action.REPLY)
        elif o.label.emergency is False:
            row["false_alarms"] += int(o.proposal.emergency)
    return rows


def calibration_error(pairs: list[tuple[float, bool]], bins: int = 10) -> float:
    """Expected calibration error: how far stated confidence is from observed accuracy.

    0 means a confidence of 0.8 is right 80 % of the time; weighted over bins.
    """
    if not pairs:
        return 0.0
    total = 0.0
    for index in range(bins):
        low, high = index / bins, (index + 1) / bins
        members = [(c, ok) for c, ok in pairs if low <= c < high or (index == bins - 1 and c == 1)]
        if members:
            confidence = _mean([c for c, _ in members])
            accuracy = _mean([1.0 if ok else 0.0 for _, ok in members])
            total += len(members) / len(pairs) * abs(confidence - accuracy)
    return total


def _is_mistake(o: Outcome) -> bool:
    return (
        o.proposal.action is not o.label.action
        or (o.label.action is not Action.SKIP and o.proposal.intent is not o.label.intent)
        or (o.label.emergency is not None and o.proposal.emergency != o.label.emergency)
    )


def _mistake(o: Outcome) -> dict[str, Any]:
    def describe(intent: Intent, action: Action, emergency: bool | None) -> str:
        alarm = "" if not emergency else "/emergency"
        return f"{intent.value}{alarm}/{action.value}"

    return {
        "file": o.label.file,
        "expected": describe(o.label.intent, o.label.action, o.label.emergency),
        "got": describe(o.proposal.intent, o.proposal.action, o.proposal.emergency),
    }


def _ratio(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"


def _num(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f}"


async def export_labels(store: Store, folder: Path) -> int:
    """Write the operator's reclassifications as a labelled set `evaluate` can read.

    Each labelled message becomes `<item id>.eml` (exactly as fetched) with a
    line in `labels.jsonl`; the latest label of an item wins. Returns the count.
    """
    labels = await store.labels()
    latest = {label.item_id: label.intent for label in labels}
    emergency = {label.item_id: label.emergency for label in labels if label.emergency is not None}
    lines = []
    for item_id, intent in latest.items():
        item = await store.get(item_id)
        if item.proposal is None:
            continue
        raw = await store.raw(item_id)
        await asyncio.to_thread(_write, folder / f"{item_id}.eml", raw)
        label: dict[str, Any] = {
            "file": f"{item_id}.eml",
            "intent": intent,
            "action": item.proposal.action.value,
        }
        if item_id in emergency:
            label["emergency"] = emergency[item_id]
        lines.append(json.dumps(label))
    await asyncio.to_thread(
        _write, folder / "labels.jsonl", "".join(f"{x}\n" for x in lines).encode()
    )
    return len(lines)


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
