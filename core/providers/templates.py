"""Reply templates for the offline provider, one per intent, filled from the sender's record.

Rules every template keeps: it uses only the sender's own record; it says what
has happened (the request is logged, the team is copied and alerted), never
what has not (no "a locksmith is on the way"); an unknown sender gets no
account details at all.

The words are the phrasebook's (`core.phrasebook`), in the language the reply
must be written in (`language`, an ISO 639-1 code; English for one it lacks).
This module only decides which phrases make up a reply, and in what order.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.contacts import Contacts
from core.models import FollowUp, Grade, Intent, TenantContext
from core.phrasebook import Phrases, phrases_for
from core.triage.emergency import first_steps

# What the office calls each intent (ticket titles, summaries): English, not the tenant's.
INTENT_LABELS = {
    Intent.LOCKED_OUT: "Lockout",
    Intent.MAINTENANCE: "Maintenance request",
    Intent.RENT: "Rent question",
    Intent.GENERAL: "General enquiry",
}


@dataclass(frozen=True)
class Alarm:
    """An emergency the reply must speak to: its grade, the dangers, the building's numbers."""

    grade: Grade
    kinds: tuple[str, ...]
    contacts: Contacts
    reason: str = ""  # what was read, for the operator

    def advice(self, language: str = "en") -> list[str]:
        """The first safe steps and whom to call; never the emergency services for damage."""
        return first_steps(self.kinds, self.grade, self.contacts, language)


def reply(
    intent: Intent,
    alarm: Alarm | None,
    context: TenantContext,
    cc: list[str],
    language: str = "en",
) -> str:
    phrases = phrases_for(language)
    if context.tenant is None:
        return _unknown_sender(alarm, phrases)
    unit = _unit(context, phrases)
    copied = _copied(cc, phrases)
    paragraphs = {
        Intent.LOCKED_OUT: _lockout,
        Intent.MAINTENANCE: _maintenance,
        Intent.RENT: _rent,
        Intent.GENERAL: _general,
    }[intent](context, unit, copied, alarm, phrases)
    return _letter(_greeting(context, phrases), paragraphs, phrases)


def with_instruction(reply_text: str, instruction: str, language: str = "en") -> str:
    """Offline drafts cannot be rewritten: the manager's words go in before the signature."""
    signature = phrases_for(language).signature
    body, _, _ = reply_text.rpartition(signature)
    return f"{body.rstrip()}\n\n{instruction.strip()}\n\n{signature}"


def _letter(greeting: str, paragraphs: list[str], phrases: Phrases) -> str:
    return "\n\n".join([greeting, *paragraphs, phrases.signature])


def _greeting(context: TenantContext, phrases: Phrases) -> str:
    assert context.tenant is not None
    return phrases.greeting.format(first_name=context.tenant.name.split()[0])


def _unit(context: TenantContext, phrases: Phrases) -> str:
    assert context.tenant is not None
    if context.unit:
        return context.unit.address
    return phrases.unit_fallback.format(unit_id=context.tenant.unit_id)


def _copied(cc: list[str], phrases: Phrases) -> str:
    """The sentence naming who is copied, or "" when nobody is."""
    return phrases.copied.format(people=phrases.join(cc)) if cc else ""


def _and_copied(paragraph: str, copied: str) -> str:
    return f"{paragraph} {copied}" if copied else paragraph


def _lockout(
    context: TenantContext, unit: str, copied: str, alarm: Alarm | None, phrases: Phrases
) -> list[str]:
    phone = context.tenant.phone if context.tenant else None
    paragraphs = [
        _and_copied(phrases.lockout_alerted.format(unit=unit), copied),
        phrases.lockout_keep_phone_at.format(phone=phone) if phone else phrases.lockout_keep_phone,
    ]
    if alarm:
        paragraphs[1:1] = alarm.advice(phrases.code)
    return paragraphs


def _maintenance(
    context: TenantContext, unit: str, copied: str, alarm: Alarm | None, phrases: Phrases
) -> list[str]:
    if alarm:
        return [
            _and_copied(phrases.maintenance_urgent.format(unit=unit), copied),
            *alarm.advice(phrases.code),
        ]
    return [
        _and_copied(phrases.maintenance_logged.format(unit=unit), copied),
        phrases.maintenance_if_worse,
    ]


def _rent(
    context: TenantContext, unit: str, copied: str, alarm: Alarm | None, phrases: Phrases
) -> list[str]:
    assert context.tenant is not None
    balance = context.tenant.balance_due
    record = (
        phrases.rent_balance.format(amount=phrases.money(balance), unit=unit)
        if balance > 0
        else phrases.rent_no_balance.format(unit=unit)
    )
    return [record, _and_copied(phrases.rent_accounts, copied)]


def _general(
    context: TenantContext, unit: str, copied: str, alarm: Alarm | None, phrases: Phrases
) -> list[str]:
    if alarm:
        return [_and_copied(phrases.general_urgent, copied), *alarm.advice(phrases.code)]
    return [_and_copied(phrases.general_received, copied)]


def _unknown_sender(alarm: Alarm | None, phrases: Phrases) -> str:
    paragraphs = [phrases.greeting_unknown, phrases.unknown_not_matched, phrases.unknown_verify]
    if alarm:
        paragraphs += alarm.advice(phrases.code)
    return "\n\n".join([*paragraphs, phrases.signature])


# --- follow-ups ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Request:
    """The words a follow-up names the request with: what it is, who has it, what they
    arrange, for which unit, and who is copied."""

    label: str
    team: str
    arrange: str
    unit: str
    copied: str

    def say(self, phrase: str) -> str:
        return phrase.format(label=self.label, team=self.team, arrange=self.arrange, unit=self.unit)

    def say_copied(self, phrase: str) -> str:
        return _and_copied(self.say(phrase), self.copied)


def _request(intent: Intent, unit: str, copied: str, phrases: Phrases) -> _Request:
    label, team, arrange = {
        Intent.LOCKED_OUT: (
            phrases.label_locked_out,
            phrases.team_locked_out,
            phrases.arrange_locked_out,
        ),
        Intent.MAINTENANCE: (
            phrases.label_maintenance,
            phrases.team_maintenance,
            phrases.arrange_maintenance,
        ),
        Intent.RENT: (phrases.label_rent, phrases.team_rent, phrases.arrange_rent),
        Intent.GENERAL: (phrases.label_general, phrases.team_general, phrases.arrange_general),
    }[intent]
    return _Request(label, team, arrange, unit, copied)


def followup(
    kind: FollowUp,
    intent: Intent,
    alarm: Alarm | None,
    context: TenantContext,
    cc: list[str],
    *,
    reopened: bool = False,
    language: str = "en",
) -> list[str]:
    """Replies to an answer in a conversation, in order of preference: never the first
    reply again, and a second phrasing for when the first was already used.

    An update is acknowledged and added to the request (or reopens it when it
    was closed); a chaser gets an apology and what happens next (no time is
    promised); "fixed" and "thanks" get a short word, for the times a reply
    is wanted at all.
    """
    phrases = phrases_for(language)
    if context.tenant is None:
        return [_unknown_sender(alarm, phrases)]
    if kind is FollowUp.FIRST:
        return [reply(intent, alarm, context, cc, language)]
    request = _request(intent, _unit(context, phrases), _copied(cc, phrases), phrases)
    if kind is FollowUp.UPDATE and reopened:
        versions = [[request.say_copied(phrases.reopened), phrases.reopened_next]]
    else:
        versions = _FOLLOWUP_TEXTS[kind](request, phrases)
    advice = alarm.advice(phrases.code) if alarm else []
    greeting = _greeting(context, phrases)
    return [_letter(greeting, [*paragraphs, *advice], phrases) for paragraphs in versions]


def _update(request: _Request, phrases: Phrases) -> list[list[str]]:
    return [
        [request.say_copied(phrases.update), phrases.update_next],
        [request.say_copied(phrases.update_again), phrases.update_again_next],
    ]


def _chaser(request: _Request, phrases: Phrases) -> list[list[str]]:
    return [
        [request.say_copied(phrases.chaser), phrases.chaser_next],
        [request.say_copied(phrases.chaser_again), phrases.chaser_again_next],
    ]


def _resolved(request: _Request, phrases: Phrases) -> list[list[str]]:
    return [[phrases.resolved, phrases.resolved_next]]


def _closing(request: _Request, phrases: Phrases) -> list[list[str]]:
    return [[phrases.closing]]


def _new_request(request: _Request, phrases: Phrases) -> list[list[str]]:
    return [[request.say_copied(phrases.new_request), phrases.new_request_next]]


_FOLLOWUP_TEXTS = {
    FollowUp.UPDATE: _update,
    FollowUp.CHASER: _chaser,
    FollowUp.RESOLVED: _resolved,
    FollowUp.CLOSING: _closing,
    FollowUp.NEW_REQUEST: _new_request,
}
