"""The offline provider: deterministic, honest templates, no other tenant's data."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.directory import Directory
from core.mail.parsing import parse_message
from core.models import Intent
from core.providers.offline import OfflineProvider, classify
from core.triage.prompt import TriageRequest
from tests.support.mail import make_email

DATA = Path(__file__).resolve().parents[2] / "data"


@pytest.fixture(scope="module")
def provider() -> OfflineProvider:
    return OfflineProvider(Directory.load(DATA))


def draft_for(provider: OfflineProvider, sender: str, subject: str, body: str):  # type: ignore[no-untyped-def]
    email = parse_message(make_email(sender, subject, body))
    return provider.draft_now(TriageRequest(email, provider.directory.context_for(sender)))


@pytest.mark.parametrize(
    ("subject", "body", "intent", "emergency"),
    [
        ("Locked out", "I lost my keys and I'm stuck outside my apartment.", "locked_out", False),
        ("URGENT", "My toddler locked himself inside and I'm in the hallway!", "locked_out", True),
        ("Gas", "There is a strong smell of gas in the stairwell.", "maintenance", True),
        ("Ceiling", "Water is pouring through the ceiling light!", "maintenance", True),
        ("No heat", "The heat is off and it's -10 outside.", "maintenance", True),
        (
            "Beeping",
            "The smoke alarm keeps chirping, I think the battery is low.",
            "maintenance",
            False,
        ),
        ("Receipt", "Could you send me a receipt for the rent I paid on the 1st?", "rent", False),
        ("Parking", "Can my guest park in the visitor spots this weekend?", "general", False),
        ("Gas bill", "Why is there a gas bill charge on my statement?", "rent", False),
        (
            "Lease",
            "Question: am I locked into the lease if I get a job elsewhere?",
            "general",
            False,
        ),
    ],
)
def test_classification(subject: str, body: str, intent: str, emergency: bool) -> None:
    found = classify(subject, body)
    assert (found.intent.value, found.emergency) == (intent, emergency)


def test_same_input_same_answer() -> None:
    first = classify("Leak", "The kitchen tap is dripping.")
    assert all(classify("Leak", "The kitchen tap is dripping.") == first for _ in range(5))


def test_other_languages_get_low_confidence_not_a_crash() -> None:
    for subject, body in [
        ("Heizung", "Die Heizung funktioniert nicht, bitte schicken Sie jemanden."),
        ("漏水", "厨房的水管一直在漏水，请尽快派人来修理。"),
        ("Вопрос", "Здравствуйте, у меня вопрос по квартире."),
    ]:
        assert classify(subject, body).confidence <= 0.5


def test_lockout_reply_never_claims_a_locksmith_is_coming(provider: OfflineProvider) -> None:
    draft = draft_for(provider, "maria.gonzalez@example.com", "Locked out", "Lost my keys!")
    assert draft.intent is Intent.LOCKED_OUT
    text = draft.reply.lower()
    assert "on the way" not in text and "is coming" not in text and "dispatched" not in text
    assert "alerted our on-call team" in text
    assert draft.reply.startswith("Hi Maria,")
    assert "Harbor View Apartments, 12 Harbor Street, Unit 101" in draft.reply


def test_rent_reply_uses_only_the_senders_balance(provider: OfflineProvider) -> None:
    draft = draft_for(provider, "priya.raman@example.com", "Balance", "What do I owe in rent?")
    assert "325.50" in draft.reply
    others = provider.directory.others_than(
        provider.directory.tenant_for("priya.raman@example.com")
    )
    for other in others:
        assert other.name not in draft.reply


def test_unknown_sender_gets_no_tenant_data(provider: OfflineProvider) -> None:
    draft = draft_for(
        provider, "cousin@example.net", "Maria's balance", "What does Maria Gonzalez owe in rent?"
    )
    assert "could not match your email address" in draft.reply
    for tenant in provider.directory.tenants:
        assert tenant.name not in draft.reply and tenant.unit_id not in draft.reply
    assert "Harbor" not in draft.reply and "balance of" not in draft.reply


def test_gas_emergency_reply_gives_safety_advice(provider: OfflineProvider) -> None:
    draft = draft_for(provider, "priya.raman@example.com", "Gas", "I smell gas in the kitchen")
    assert draft.emergency
    assert "leave the building" in draft.reply
    assert draft.ticket is not None and draft.ticket.priority.value == "urgent"
