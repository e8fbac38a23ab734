"""Which language a reply is written in: the tenant's own words first, when the detector
is sure; then the conversation's, the tenant's on file, the mailbox's. A model is told
the language, and a reply in another one is not used."""

from __future__ import annotations

import json
from typing import Any

import pytest

from core.directory import Directory
from core.mail.parsing import parse_message
from core.models import Action, Proposal
from core.providers.offline import OfflineProvider
from core.providers.openai import OpenAIProvider
from core.triage.classify import triage
from core.triage.language import (
    Detection,
    Source,
    choose,
    detect,
    tenant_words,
    written_in,
)
from tests.support.assistant import DATA_DIR
from tests.support.llm import LlmServer, Reply
from tests.support.mail import make_email


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Bonjour, la chasse d'eau fuit depuis ce matin", "fr"),
        ("Hola, el calentador no enciende desde anoche", "es"),
        ("gracias, ya funciona", "es"),
        ("Dzień dobry, w łazience cieknie kran", "pl"),
        ("Guten Tag, die Heizung im Schlafzimmer bleibt kalt", "de"),
        ("Buongiorno, il citofono non funziona da ieri", "it"),
        ("Bom dia, a torneira da cozinha está pingando", "pt"),
        ("Hi, the kitchen tap has been dripping since Monday", "en"),
        ("Kombi yine bozuldu, sıcak su yok", "tr"),
    ],
)
def test_a_tenants_language_is_told_from_a_sentence_or_two(text: str, language: str) -> None:
    assert detect(text).language == language


@pytest.mark.parametrize("text", ["ok", "no", "👍", "10:30", "", "Juan Pérez"])
def test_a_word_that_could_be_any_language_is_not_taken_for_one(text: str) -> None:
    assert detect(text).language is None


def test_only_the_tenants_own_words_are_read_not_the_quoted_english_below() -> None:
    text = (
        "Sí, el martes por la mañana me viene bien, gracias.\n\n"
        "Enviado desde mi iPhone\n\n"
        "On Mon, Dec 7, 2026 at 9:00 AM Harbor & Elm <office@example.com> wrote:\n"
        "> Dear tenant, our plumber can come on Tuesday morning or Wednesday afternoon.\n"
        "> Please let us know which suits you best.\n"
    )
    words = tenant_words(text)
    assert "plumber" not in words and "iPhone" not in words
    assert detect(words).language == "es"


def test_a_sure_detection_wins_and_a_switch_of_language_is_followed() -> None:
    chosen = choose(Detection("de", 0.9), conversation="fr", tenant="es", mailbox="en")
    assert (chosen.code, chosen.source) == ("de", Source.DETECTED)


def test_unsure_the_conversation_then_the_tenant_on_file_then_the_mailbox_decide() -> None:
    unsure = Detection(None)
    assert choose(unsure, conversation="fr", tenant="es").code == "fr"
    assert choose(unsure, tenant="es").source is Source.TENANT
    assert choose(unsure, tenant="tr", mailbox="pt").code == "pt"
    assert choose(unsure).code == "en"


def test_a_language_without_templates_is_answered_in_the_mailboxs_and_asked_about() -> None:
    chosen = choose(Detection("tr", 0.85), mailbox="es")
    assert chosen.code == "es" and chosen.unsupported == "tr"
    assert chosen.describe() == "written in Turkish; no templates: reply in Spanish?"


def test_the_operators_choice_stands_over_everything() -> None:
    chosen = choose(Detection("fr", 0.95), operator="en")
    assert (chosen.code, chosen.source) == ("en", Source.OPERATOR)


def test_a_reply_is_checked_to_be_in_the_language_asked_for() -> None:
    spanish = "Hola María, gracias por avisarnos. Hemos registrado la avería de su calentador."
    assert written_in(spanish, "es")
    assert not written_in(spanish, "en")
    assert written_in("OK", "fr")  # too short to tell: not held against it


FRENCH_LEAK = make_email(
    "maria.gonzalez@example.com",
    "Fuite",
    "Bonjour, la chasse d'eau fuit depuis ce matin et l'eau coule sans arrêt.",
)


def routine(reply: str) -> dict[str, Any]:
    return {
        "intent": "maintenance",
        "confidence": 0.95,
        "emergency": False,
        "summary": "Toilet keeps running",
        "reply": reply,
        "ticket": {"title": "Toilet", "description": "Toilet keeps running", "priority": "low"},
        "questions": [],
    }


async def draft_with_model(llm: LlmServer, raw: bytes) -> Proposal:
    directory = Directory.load(DATA_DIR)
    model = OpenAIProvider.from_settings("sk-test", llm.base_url, "test-model", 5.0)
    try:
        return await triage(
            parse_message(raw),
            directory,
            model,
            max_retries=1,
            retry_delay=0.01,
            fallback=OfflineProvider(directory),
        )
    finally:
        await model.aclose()


async def test_the_model_is_told_the_tenants_language_and_its_french_reply_is_kept(
    llm_server: LlmServer,
) -> None:
    french = "Bonjour Maria, merci pour votre message. Notre plombier passera cette semaine."
    llm_server.script(Reply(routine(french)))
    proposal = await draft_with_model(llm_server, FRENCH_LEAK)
    asked = json.dumps(llm_server.requests[0], ensure_ascii=False)
    assert "Write the reply in French" in asked
    assert proposal.body.startswith("Bonjour Maria") and proposal.language == "fr"
    assert proposal.provider != "offline (fallback)"


async def test_a_model_that_answers_in_another_language_is_not_used(
    llm_server: LlmServer,
) -> None:
    english = "Hi Maria, thanks for your message. Our plumber will come by this week to fix it."
    llm_server.script(Reply(routine(english)), Reply(routine(english)))
    proposal = await draft_with_model(llm_server, FRENCH_LEAK)
    assert len(llm_server.requests) == 2  # asked again, then the offline draft
    assert "not in French" in proposal.model_error
    assert proposal.action is Action.REVIEW
    assert proposal.body.startswith("Bonjour Maria") and "plumber" not in proposal.body
