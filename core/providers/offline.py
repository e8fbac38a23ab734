"""The offline provider: a deterministic classifier and per-intent reply templates.

No network and no model download: weighted cues (`core.providers.cues`) score
each intent, the most pressing intent with enough evidence wins
(locked_out > maintenance > rent > general), and the confidence comes from
how strong and how clear the evidence is. Text that is not English gets a low
confidence. Replies are filled from the sender's own record only, written in
the request's language (`TriageRequest.language`), and never promise what has
not happened.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace

from core.directory import Directory
from core.mail.parsing import own_words
from core.mail.threads import base_subject
from core.models import Draft, FollowUp, Intent, ParsedEmail, Priority, TenantContext, TicketDraft
from core.providers import templates
from core.providers.cues import (
    EMERGENCY_CUES,
    EMERGENCY_MASKS,
    ENGLISH_WORDS,
    FOREIGN_WORDS,
    FREEZING_WORDS,
    INTENT_CUES,
    MASKS,
    NO_HEAT,
    TEMPERATURE,
    VULNERABLE,
)
from core.triage.followups import classify_followup
from core.triage.judgement import judge
from core.triage.prompt import TriageRequest

PRESSING_ORDER = (Intent.LOCKED_OUT, Intent.MAINTENANCE, Intent.RENT, Intent.GENERAL)
# Evidence an intent needs before it can win on being more pressing than another.
PRESENT = {Intent.LOCKED_OUT: 4.0, Intent.MAINTENANCE: 4.5, Intent.RENT: 5.0, Intent.GENERAL: 2.0}
SUBJECT_WEIGHT = 1.5
EMERGENCY_WEIGHT = 3.0
# Dangers in the fabric of the building, which a repair answers (not a person's safety
# alone: a threat, an intruder or someone shut out keep their own intent).
BUILDING_DANGERS = frozenset(
    {
        "flooding",
        "sewage",
        "no_heat",
        "no_water",
        "structural",
        "electrical",
        "gas",
        "co",
        "fire",
        "smoke",
        "insecure",
    }
)
ASIDE = 0.7  # below this share of the strongest score, a topic is an aside
# Hazards the writer can judge ("not an emergency"); gas, fire and sparks never.
WRITER_CAN_DECLINE = frozenset({"flooding", "no heat in freezing weather"})
NOT_AN_EMERGENCY = re.compile(
    r"\b(not|isn'?t|is not|wasn'?t|no)( really| an?| urgent)* (emergency|urgent|rush)\b",
    re.IGNORECASE,
)
TOBACCO = re.compile(r"\b(smokes|smoking|smoker|cigarettes?|cigars?|vap(e|es|ing)|weed)\b", re.I)
SMOKE = re.compile(r"\bsmoke\b", re.IGNORECASE)
# Platt scaling of `raw_confidence`, fitted by `python -m bench.calibrate`.
CALIBRATION = (5.701, -0.384)
NO_EVIDENCE = 0.3
# An answer in a known conversation: its topic is the conversation's, not a guess.
FOLLOWUP_CONFIDENCE = 0.85
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


@dataclass(frozen=True)
class Classification:
    intent: Intent
    confidence: float
    emergency: bool
    emergency_kind: str
    scores: dict[Intent, float]
    english: bool


def _building_danger(subject: str, text: str) -> str:
    """The first danger to the building the judgement found, or ""."""
    return next((k for k in judge(subject, text).kinds if k in BUILDING_DANGERS), "")


def classify(subject: str, body: str) -> Classification:
    """Intent, confidence and emergency for one message. Pure and deterministic."""
    text = own_words(body)
    subject_text, body_text = _masked(subject), _masked(text)
    scores = {intent: _score(cues, subject_text, body_text) for intent, cues in INTENT_CUES.items()}
    kind = _emergency_kind(f"{subject}\n{text}")
    declined = bool(NOT_AN_EMERGENCY.search(f"{subject}\n{text}"))
    if declined and kind in WRITER_CAN_DECLINE:
        kind = ""
    if kind:  # danger is strong evidence for the intent it belongs to
        scores[Intent.LOCKED_OUT if "locked" in kind else Intent.MAINTENANCE] += EMERGENCY_WEIGHT
    elif not declined and (building := _building_danger(subject, text)):
        # Danger in the building, found by the safety net in mail about something else
        # (a rent letter that mentions sewage in the basement): a repair comes first.
        kind = building
        scores[Intent.MAINTENANCE] += EMERGENCY_WEIGHT
    intent = _choose(scores, kind)
    vulnerable = VULNERABLE.search(f"{subject}\n{text}")
    if not kind and not declined and intent is Intent.LOCKED_OUT and vulnerable:
        kind = "vulnerable person locked in or out"
    found = Classification(
        intent=intent,
        confidence=0.0,
        emergency=bool(kind),
        emergency_kind=kind,
        scores=scores,
        english=_is_english(f"{subject} {text}"),
    )
    return replace(found, confidence=_confidence(found))


def _masked(text: str) -> str:
    for mask in MASKS:
        text = mask.sub(" ", text)
    return text


def _score(cues: tuple, subject: str, body: str) -> float:  # type: ignore[type-arg]
    total = 0.0
    for cue in cues:
        if cue.pattern.search(subject):
            total += cue.weight * SUBJECT_WEIGHT
        elif cue.pattern.search(body):
            total += cue.weight
    return total


def _emergency_kind(text: str) -> str:
    if TOBACCO.search(text):  # someone smokes: "smoke" here is a nuisance, not a fire
        text = SMOKE.sub(" ", text)
    for mask in EMERGENCY_MASKS:
        text = mask.sub(" ", text)
    for cue in EMERGENCY_CUES:
        if cue.pattern.search(text):
            return cue.label
    if NO_HEAT.search(text) and _freezing(text):
        return "no heat in freezing weather"
    return ""


def _freezing(text: str) -> bool:
    """Freezing words, or a temperature at or below 0 °C / 32 °F."""
    if FREEZING_WORDS.search(text):
        return True
    for reading in TEMPERATURE.finditer(text):
        if reading["bare"]:
            return True  # "-8 outside": a negative number is below zero in either scale
        value = int(reading["value"]) * (-1 if reading["sign"] else 1)
        celsius = (reading["unit"] or "").lower() == "c"
        if value <= (0 if celsius else 32):
            return True
    return False


def _choose(scores: dict[Intent, float], emergency_kind: str) -> Intent:
    if "locked" in emergency_kind:
        return Intent.LOCKED_OUT
    best = max(scores.values())
    for intent in PRESSING_ORDER[:-1]:  # "general" never outranks a real topic
        # A more pressing topic wins when it is really there, not when it is an aside.
        if scores[intent] >= PRESENT[intent] and scores[intent] >= ASIDE * best:
            return intent
    if emergency_kind:
        return Intent.MAINTENANCE
    top = max(PRESSING_ORDER, key=lambda i: scores[i])
    return top if scores[top] > 0 else Intent.GENERAL


def raw_confidence(found: Classification) -> float:
    """The uncalibrated score: strong, unambiguous evidence high, little or contested low."""
    chosen = found.scores[found.intent]
    rival = max((s for i, s in found.scores.items() if i is not found.intent), default=0.0)
    strength = 1 / (1 + math.exp(-(chosen - 3.0) / 1.5))
    clarity = chosen / (chosen + rival) if chosen + rival else 0.5
    return strength * (0.4 + 0.6 * clarity)


def _confidence(found: Classification) -> float:
    """How often a classification like this one is right (Platt-scaled on development mail)."""
    if found.scores[found.intent] <= 0:
        return NO_EVIDENCE  # nothing pointed anywhere: "general" is a guess, and says so
    a, b = CALIBRATION
    confidence = 1 / (1 + math.exp(-(a * raw_confidence(found) + b)))
    if not found.english:
        confidence = min(confidence * 0.6, 0.5)
    return round(min(max(confidence, 0.05), 0.97), 2)


def _is_english(text: str) -> bool:
    """Mostly Latin letters, and more English function words than foreign ones."""
    letters = [c for c in text if c.isalpha()]
    latin = sum(c < "\u0250" for c in letters)  # Basic Latin through Latin Extended-B
    if letters and latin / len(letters) < 0.5:
        return False
    words = [w.lower() for w in _WORD.findall(text)]
    english = sum(w in ENGLISH_WORDS for w in words)
    foreign = sum(w in FOREIGN_WORDS for w in words)
    return foreign < 3 or english >= foreign


class OfflineProvider:
    """Drafts from rules and templates; always available."""

    name = "offline"

    def __init__(self, directory: Directory) -> None:
        self.directory = directory

    async def draft(self, request: TriageRequest) -> Draft:
        return self.draft_now(request)

    def draft_now(self, request: TriageRequest) -> Draft:
        if request.thread.is_followup:
            return self._followup_draft(request)
        email, context = request.email, request.context
        found = classify(email.subject, email.text)
        alarm = self._alarm(request, email.subject)
        intent = request.intent or found.intent
        stakeholders = self.directory.stakeholders_for(intent)
        reply = templates.reply(intent, alarm, context, stakeholders, request.language)
        if request.instruction:
            reply = templates.with_instruction(reply, request.instruction, request.language)
        return Draft(
            intent=intent,
            confidence=1.0 if request.intent else found.confidence,
            emergency=alarm is not None,
            summary=_summary(intent, alarm, email, context),
            reply=reply,
            ticket=_ticket(intent, alarm is not None, email),
            questions=[],
            danger=_danger(alarm),
        )

    def _alarm(self, request: TriageRequest, subject: str) -> templates.Alarm | None:
        """The emergency the reply speaks to, as judged (`core.triage.judgement`); none once the
        operator has cleared it."""
        if request.not_emergency:
            return None
        judged = judge(subject, own_words(request.email.text))
        if judged.grade is None:
            return None
        contacts = self.directory.contacts_for(request.context)
        return templates.Alarm(judged.grade, judged.kinds, contacts, judged.reason)

    def _followup_draft(self, request: TriageRequest) -> Draft:
        """An answer in a conversation: what kind it is decides the reply and the ticket."""
        email, context, thread = request.email, request.context, request.thread
        # The inherited subject ("Re: WATER THROUGH THE CEILING") says nothing new.
        same = base_subject(email.subject) == base_subject(thread.subject)
        subject = "" if same else email.subject
        found = classify(subject, email.text)
        alarm = self._alarm(request, subject)
        topic = thread.intent or found.intent
        problem = found.intent is not Intent.GENERAL and found.scores[found.intent] > 0
        strong = problem and found.scores[found.intent] >= PRESENT[found.intent]
        kind = classify_followup(
            own_words(email.text),
            subject,
            problem=problem,
            other_topic=strong and found.intent is not topic,
            earlier="\n".join([thread.subject, *(t.text for t in thread.turns[:1])]),
        )
        intent = request.intent or (found.intent if kind is FollowUp.NEW_REQUEST else topic)
        stakeholders = self.directory.stakeholders_for(intent)
        reopened = kind is FollowUp.UPDATE and thread.ticket_status == "resolved"
        replies = templates.followup(
            kind, intent, alarm, context, stakeholders, reopened=reopened, language=request.language
        )
        # Never the same words twice in one conversation: the next phrasing, if any.
        said = {" ".join(r.split()) for r in thread.earlier_replies}
        reply = next((r for r in replies if " ".join(r.split()) not in said), replies[0])
        if request.instruction:
            reply = templates.with_instruction(reply, request.instruction, request.language)
        confidence = found.confidence if kind is FollowUp.NEW_REQUEST else FOLLOWUP_CONFIDENCE
        if not found.english:
            confidence = min(confidence, 0.5)
        label = kind.value.replace("_", " ")
        return Draft(
            intent=intent,
            confidence=1.0 if request.intent else confidence,
            emergency=alarm is not None,
            summary=f"{label}: " + _summary(intent, alarm, email, context),
            reply=reply,
            ticket=_ticket(intent, alarm is not None, email)
            if kind is FollowUp.NEW_REQUEST
            else None,
            questions=[],
            followup=kind,
            danger=_danger(alarm),
        )


def _danger(alarm: templates.Alarm | None) -> str | None:
    return (alarm.reason or alarm.grade.value) if alarm else None


def _summary(
    intent: Intent, alarm: templates.Alarm | None, email: ParsedEmail, context: TenantContext
) -> str:
    who = context.tenant.name if context.tenant else f"unknown sender {email.sender_addr or '?'}"
    where = f" ({context.tenant.unit_id})" if context.tenant else ""
    label = templates.INTENT_LABELS[intent]
    kinds = ", ".join(k.replace("_", " ") for k in alarm.kinds) if alarm else ""
    flag = f"EMERGENCY ({kinds or 'danger'}) — " if alarm else ""
    return f"{flag}{label} from {who}{where}: {email.subject or '(no subject)'}"


def _ticket(intent: Intent, emergency: bool, email: ParsedEmail) -> TicketDraft | None:
    if intent is Intent.GENERAL:
        return None
    priority = {
        Intent.LOCKED_OUT: Priority.HIGH,
        Intent.MAINTENANCE: Priority.NORMAL,
        Intent.RENT: Priority.LOW,
    }[intent]
    text = " ".join(own_words(email.text).split())
    return TicketDraft(
        title=(email.subject or templates.INTENT_LABELS[intent])[:80],
        description=text[:600] + ("…" if len(text) > 600 else ""),
        priority=Priority.URGENT if emergency else priority,
    )
