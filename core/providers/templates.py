"""Reply templates for the offline provider, one per intent, filled from the sender's record.

Rules every template keeps: it uses only the sender's own record; it says what
has happened (the request is logged, the team is copied and alerted), never
what has not (no "a locksmith is on the way"); an unknown sender gets no
account details at all.
"""

from __future__ import annotations

from core.models import Intent, TenantContext

INTENT_LABELS = {
    Intent.LOCKED_OUT: "Lockout",
    Intent.MAINTENANCE: "Maintenance request",
    Intent.RENT: "Rent question",
    Intent.GENERAL: "General enquiry",
}

SIGNATURE = "Best regards,\nProperty Management"

_SAFETY = {
    "smell of gas": (
        "If you smell gas: do not use light switches, flames or electrical appliances, "
        "leave the building, and call the gas company's emergency line or the emergency "
        "services from outside."
    ),
    "flooding": (
        "If you can do so safely, turn off the water at the shut-off valve and keep away "
        "from electrical outlets near the water."
    ),
    "fire or smoke": (
        "If there is fire or smoke, leave the building now and call the emergency services."
    ),
    "sparking or exposed wiring": (
        "Please keep away from the outlet or wiring, and switch off the circuit at the breaker "
        "if you can do so safely."
    ),
    "no heat in freezing weather": (
        "Please keep warm and let us know at once if anyone in the home is vulnerable to the cold."
    ),
}
_DANGER = "If anyone is in danger, call the emergency services now."


def reply(intent: Intent, emergency_kind: str, context: TenantContext, cc: list[str]) -> str:
    if context.tenant is None:
        return _unknown_sender(emergency_kind)
    first_name = context.tenant.name.split()[0]
    unit = context.unit.address if context.unit else f"unit {context.tenant.unit_id}"
    copied = f" I have copied {_join(cc)} on this email." if cc else ""
    paragraphs = {
        Intent.LOCKED_OUT: _lockout,
        Intent.MAINTENANCE: _maintenance,
        Intent.RENT: _rent,
        Intent.GENERAL: _general,
    }[intent](context, unit, copied, emergency_kind)
    return "\n\n".join([f"Hi {first_name},", *paragraphs, SIGNATURE])


def with_instruction(reply_text: str, instruction: str) -> str:
    """Offline drafts cannot be rewritten: the manager's words go in before the signature."""
    body, _, _ = reply_text.rpartition(SIGNATURE)
    return f"{body.rstrip()}\n\n{instruction.strip()}\n\n{SIGNATURE}"


def _lockout(context: TenantContext, unit: str, copied: str, emergency: str) -> list[str]:
    phone = context.tenant.phone if context.tenant else None
    reach = f" at {phone}" if phone else ""
    paragraphs = [
        f"We are sorry you cannot get into {unit}. We have alerted our on-call team, who will "
        f"contact you to arrange access.{copied}",
        f"Please keep your phone with you so we can reach you{reach}, and reply to this email if "
        "anything changes.",
    ]
    if emergency:
        paragraphs.insert(1, _DANGER)
    return paragraphs


def _maintenance(context: TenantContext, unit: str, copied: str, emergency: str) -> list[str]:
    if emergency:
        advice = _SAFETY.get(emergency, _DANGER)
        paragraphs = [
            f"Thank you for telling us straight away. We have logged this as an urgent "
            f"request for {unit} and alerted our on-call team.{copied}",
            advice,
        ]
        if "emergency services" not in advice:
            paragraphs.append(_DANGER)
        return paragraphs
    return [
        f"Thank you for reporting this. We have logged a maintenance request for {unit}, and "
        f"our maintenance team will contact you to arrange a visit.{copied}",
        "If the problem gets worse in the meantime, please reply to this email.",
    ]


def _rent(context: TenantContext, unit: str, copied: str, emergency: str) -> list[str]:
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


def _general(context: TenantContext, unit: str, copied: str, emergency: str) -> list[str]:
    return [
        f"Thank you for your message. We have received it and will get back to you shortly."
        f"{copied}",
    ]


def _unknown_sender(emergency_kind: str) -> str:
    paragraphs = [
        "Hello,",
        "Thank you for your message. We could not match your email address to our resident "
        "records, so we cannot discuss any tenancy or account details by email.",
        "If you are a resident, please write to us from the email address we have on file, "
        "or reply with your full name and unit so we can verify you.",
    ]
    if emergency_kind:
        paragraphs.append(_SAFETY.get(emergency_kind, _DANGER))
    return "\n\n".join([*paragraphs, SIGNATURE])


def _join(addresses: list[str]) -> str:
    if len(addresses) <= 1:
        return "".join(addresses)
    return ", ".join(addresses[:-1]) + " and " + addresses[-1]
