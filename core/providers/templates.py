"""Reply templates for the offline provider, one per intent, filled from the sender's record.

Rules every template keeps: it uses only the sender's own record; it says what
has happened (the request is logged, the team is copied and alerted), never
what has not (no "a locksmith is on the way"); an unknown sender gets no
account details at all.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.emergency import Contacts, first_steps
from core.models import FollowUp, Grade, Intent, TenantContext

INTENT_LABELS = {
    Intent.LOCKED_OUT: "Lockout",
    Intent.MAINTENANCE: "Maintenance request",
    Intent.RENT: "Rent question",
    Intent.GENERAL: "General enquiry",
}

SIGNATURE = "Best regards,\nProperty Management"


@dataclass(frozen=True)
class Alarm:
    """An emergency the reply must speak to: its grade, the dangers, the building's numbers."""

    grade: Grade
    kinds: tuple[str, ...]
    contacts: Contacts
    reason: str = ""  # what was read, for the operator

    def advice(self) -> list[str]:
        """The first safe steps and whom to call; never the emergency services for damage."""
        return first_steps(self.kinds, self.grade, self.contacts)


def reply(intent: Intent, alarm: Alarm | None, context: TenantContext, cc: list[str]) -> str:
    if context.tenant is None:
        return _unknown_sender(alarm)
    first_name = context.tenant.name.split()[0]
    unit = context.unit.address if context.unit else f"unit {context.tenant.unit_id}"
    copied = f" I have copied {_join(cc)} on this email." if cc else ""
    paragraphs = {
        Intent.LOCKED_OUT: _lockout,
        Intent.MAINTENANCE: _maintenance,
        Intent.RENT: _rent,
        Intent.GENERAL: _general,
    }[intent](context, unit, copied, alarm)
    return "\n\n".join([f"Hi {first_name},", *paragraphs, SIGNATURE])


def with_instruction(reply_text: str, instruction: str) -> str:
    """Offline drafts cannot be rewritten: the manager's words go in before the signature."""
    body, _, _ = reply_text.rpartition(SIGNATURE)
    return f"{body.rstrip()}\n\n{instruction.strip()}\n\n{SIGNATURE}"


def _lockout(context: TenantContext, unit: str, copied: str, alarm: Alarm | None) -> list[str]:
    phone = context.tenant.phone if context.tenant else None
    reach = f" at {phone}" if phone else ""
    paragraphs = [
        f"We are sorry you cannot get into {unit}. We have alerted our on-call team, who will "
        f"contact you to arrange access.{copied}",
        f"Please keep your phone with you so we can reach you{reach}, and reply to this email if "
        "anything changes.",
    ]
    if alarm:
        paragraphs[1:1] = alarm.advice()
    return paragraphs


def _maintenance(context: TenantContext, unit: str, copied: str, alarm: Alarm | None) -> list[str]:
    if alarm:
        return [
            f"Thank you for telling us straight away. We have logged this as an urgent "
            f"request for {unit} and alerted our on-call team.{copied}",
            *alarm.advice(),
        ]
    return [
        f"Thank you for reporting this. We have logged a maintenance request for {unit}, and "
        f"our maintenance team will contact you to arrange a visit.{copied}",
        "If the problem gets worse in the meantime, please reply to this email.",
    ]


def _rent(context: TenantContext, unit: str, copied: str, alarm: Alarm | None) -> list[str]:
    assert context.tenant is not None
    balance = context.tenant.balance_due
    record = (
        f"Our records currently show a balance of {balance:,.2f} due for {unit}."
        if balance > 0
        else f"Our records currently show no balance due for {unit}."
    )
    return [
        f"Thank you for your message about your rent. {record}",
        f"Our accounts team will look into your question and confirm the details.{copied}",
    ]


def _general(context: TenantContext, unit: str, copied: str, alarm: Alarm | None) -> list[str]:
    if alarm:
        return [
            f"Thank you for telling us straight away. We have alerted our on-call team.{copied}",
            *alarm.advice(),
        ]
    return [
        f"Thank you for your message. We have received it and will get back to you shortly."
        f"{copied}",
    ]


def _unknown_sender(alarm: Alarm | None) -> str:
    paragraphs = [
        "Hello,",
        "Thank you for your message. We could not match your email address to our resident "
        "records, so we cannot discuss any tenancy or account details by email.",
        "If you are a resident, please write to us from the email address we have on file, "
        "or reply with your full name and unit so we can verify you.",
    ]
    if alarm:
        paragraphs += alarm.advice()
    return "\n\n".join([*paragraphs, SIGNATURE])


def _join(addresses: list[str]) -> str:
    if len(addresses) <= 1:
        return "".join(addresses)
    return ", ".join(addresses[:-1]) + " and " + addresses[-1]


# Who takes a request forward, and what they arrange, by intent (for follow-ups).
_TEAMS = {
    Intent.LOCKED_OUT: ("our on-call team", "access"),
    Intent.MAINTENANCE: ("our maintenance team", "a visit"),
    Intent.RENT: ("our accounts team", "an answer"),
    Intent.GENERAL: ("the office", "an answer"),
}


def followup(
    kind: FollowUp,
    intent: Intent,
    alarm: Alarm | None,
    context: TenantContext,
    cc: list[str],
    *,
    reopened: bool = False,
) -> list[str]:
    """Replies to an answer in a conversation, in order of preference: never the first
    reply again, and a second phrasing for when the first was already used.

    An update is acknowledged and added to the request (or reopens it when it
    was closed); a chaser gets an apology and what happens next (no time is
    promised); "fixed" and "thanks" get a short word, for the times a reply
    is wanted at all.
    """
    if context.tenant is None:
        return [_unknown_sender(alarm)]
    if kind is FollowUp.FIRST:
        return [reply(intent, alarm, context, cc)]
    first_name = context.tenant.name.split()[0]
    unit = context.unit.address if context.unit else f"unit {context.tenant.unit_id}"
    copied = f" I have copied {_join(cc)} on this email." if cc else ""
    team, arrange = _TEAMS[intent]
    label = INTENT_LABELS[intent].lower()
    if kind is FollowUp.UPDATE and reopened:
        kind_text = [
            [
                f"I am sorry to hear the problem is back. I have reopened your {label} for "
                f"{unit} and asked {team} to contact you to arrange {arrange}.{copied}",
                "Please reply to this email if anything changes in the meantime.",
            ]
        ]
    else:
        kind_text = _FOLLOWUP_TEXTS[kind](label, unit, team, arrange, copied)
    texts = []
    for paragraphs in kind_text:
        if alarm:
            paragraphs = [*paragraphs, *alarm.advice()]
        texts.append("\n\n".join([f"Hi {first_name},", *paragraphs, SIGNATURE]))
    return texts


def _update(label: str, unit: str, team: str, arrange: str, copied: str) -> list[list[str]]:
    return [
        [
            f"Thank you for the update. I have added it to your {label} for {unit}, and "
            f"{team} has it.{copied}",
            "We will be in touch about the next step; please reply to this email if anything "
            "changes in the meantime.",
        ],
        [
            f"Thank you, that is helpful. The new information is now with {team}, on your "
            f"{label} for {unit}.{copied}",
            "We will let you know as soon as the next step is arranged.",
        ],
    ]


def _chaser(label: str, unit: str, team: str, arrange: str, copied: str) -> list[list[str]]:
    return [
        [
            f"I am sorry that you are still waiting. I have marked your {label} for {unit} as "
            f"a priority and asked {team} to contact you as soon as possible to arrange "
            f"{arrange}.{copied}",
            "We will confirm with you by email once it is arranged.",
        ],
        [
            f"I apologise again for the wait. Your {label} for {unit} is now with the "
            f"manager as well as {team}, and we are arranging {arrange} as a matter of "
            f"urgency.{copied}",
            "You will hear from us by email as soon as it is arranged.",
        ],
    ]


def _resolved(label: str, unit: str, team: str, arrange: str, copied: str) -> list[list[str]]:
    return [
        [
            "Thank you for letting us know it has been sorted out. We have closed the request.",
            "We will reply to your question shortly.",
        ]
    ]


def _closing(label: str, unit: str, team: str, arrange: str, copied: str) -> list[list[str]]:
    return [["Thank you for your message. We will get back to you shortly."]]


def _new_request(label: str, unit: str, team: str, arrange: str, copied: str) -> list[list[str]]:
    return [
        [
            f"Thank you for letting us know about this as well. We have logged it as a separate "
            f"{label} for {unit}, and {team} will contact you to arrange {arrange}.{copied}",
            "If anything changes in the meantime, please reply to this email.",
        ]
    ]


_FOLLOWUP_TEXTS = {
    FollowUp.UPDATE: _update,
    FollowUp.CHASER: _chaser,
    FollowUp.RESOLVED: _resolved,
    FollowUp.CLOSING: _closing,
    FollowUp.NEW_REQUEST: _new_request,
}
