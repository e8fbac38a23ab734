"""The offline replies in every reply language: whole phrase sets, no English left, the
safety rules kept, money written the local way, English for a language we lack."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from string import Formatter

import pytest

from core.contacts import Contacts
from core.directory import Directory
from core.mail.parsing import parse_message
from core.models import FollowUp, Grade, Intent, Tenant, TenantContext, Unit
from core.phrasebook import ENGLISH, OPTIONAL_PLACEHOLDERS, REPLY_LANGUAGES, phrases_for
from core.phrasebook.phrases import Phrases
from core.providers import templates
from core.providers.offline import OfflineProvider
from core.service.page_text import holding_text
from core.triage.prompt import TriageRequest
from tests.support.mail import make_email

DATA = Path(__file__).resolve().parents[2] / "data"
OTHERS = [code for code in REPLY_LANGUAGES if code != "en"]
# Fields that are marks or single words, not sentences.
NOT_SENTENCES = {"code", "decimal_mark", "thousands_separator", "and_word"}

ADDRESS = "Harbor View Apartments, 12 Harbor Street, Unit 101, Springfield"
MARIA = Tenant(
    tenant_id="T-1001",
    name="Maria Gonzalez",
    email="maria.gonzalez@example.com",
    unit_id="HV-101",
    balance_due=1234.5,
    phone="+1-555-0101",
)
TENANT = TenantContext(MARIA.email, MARIA, Unit(unit_id="HV-101", address=ADDRESS))
# Neither a unit record nor a phone number on file.
NO_UNIT_NO_PHONE = TenantContext(MARIA.email, MARIA.model_copy(update={"phone": None}))
UNKNOWN = TenantContext(sender="cousin@example.net")
CC = ["oncall@example.com", "super@example.com", "office@example.com"]

SERVICES = "112 (test emergency services)"
CONTACTS = Contacts(SERVICES, "Gas Co +1-555-0142", "+1-555-0100 (24 hours)", "+1-555-0155")
# Every piece of advice of each grade: gas, CO, fire, wiring, falling masonry, a person...
LIFE_KINDS = ("gas", "co", "fire", "electrical", "structural", "trapped")
# ... and water, sewage, a home that cannot be locked, cold, no water.
PROPERTY_KINDS = ("flooding", "sewage", "insecure", "no_heat", "no_water")
LIFE = templates.Alarm(Grade.LIFE, LIFE_KINDS, CONTACTS)
PROPERTY = templates.Alarm(Grade.PROPERTY, PROPERTY_KINDS, CONTACTS)
ALARMS = {
    "none": None,
    "life": LIFE,
    "life, no numbers": templates.Alarm(Grade.LIFE, LIFE_KINDS, Contacts()),
    "property": PROPERTY,
    "property, no numbers": templates.Alarm(Grade.PROPERTY, PROPERTY_KINDS, Contacts()),
}


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(text) if name is not None}


def sentences(phrases: Phrases) -> dict[str, str]:
    return {k: v for k, v in dataclasses.asdict(phrases).items() if k not in NOT_SENTENCES}


def english_fragments() -> set[str]:
    """Every sentence and clause of the English phrases (two words or more), as written."""
    found = set()
    for text in sentences(ENGLISH).values():
        for literal, _, _, _ in Formatter().parse(text):
            for piece in re.split(r"[.,;:()\n]", literal):
                if len(piece.split()) >= 2:
                    found.add(piece.strip())
    return found


ENGLISH_FRAGMENTS = english_fragments()


def english_left(text: str) -> list[str]:
    """The English fragments in a text, as whole words ("una visita" is not "a visit")."""
    return [
        fragment
        for fragment in ENGLISH_FRAGMENTS
        if re.search(rf"(?<!\w){re.escape(fragment)}(?!\w)", text)
    ]


def assert_written_in(text: str, language: str, *, known: bool = True) -> None:
    """The language's greeting and sign-off, and no sentence of the English reference."""
    phrases = phrases_for(language)
    greeting = phrases.greeting.format(first_name="Maria") if known else phrases.greeting_unknown
    assert text.startswith(greeting + "\n\n"), text
    assert text.endswith("\n\n" + phrases.signature), text
    left = english_left(text)
    assert not left, f"English left in the {language} reply: {left}\n\n{text}"
    if language == "de":  # after "Guten Tag Maria," a German letter goes on in lower case
        first = text[len(greeting) :].lstrip()
        assert first[0].islower(), text


# --- the phrase sets ---------------------------------------------------------------


def test_the_reply_languages() -> None:
    assert REPLY_LANGUAGES == ("en", "es", "fr", "pt", "de", "it", "pl")
    assert [phrases_for(code).code for code in REPLY_LANGUAGES] == list(REPLY_LANGUAGES)


@pytest.mark.parametrize("language", OTHERS)
def test_every_language_has_every_phrase_with_the_same_placeholders(language: str) -> None:
    english, other = dataclasses.asdict(ENGLISH), dataclasses.asdict(phrases_for(language))
    assert other.keys() == english.keys()
    for key, text in other.items():
        assert text, f"{language}.{key} is empty"
        optional = OPTIONAL_PLACEHOLDERS.get(key, set())
        expected = placeholders(english[key])
        found = placeholders(text)
        assert expected - optional <= found <= expected, f"{language}.{key}: {found}"


@pytest.mark.parametrize("language", OTHERS)
def test_every_phrase_is_translated(language: str) -> None:
    english, other = sentences(ENGLISH), sentences(phrases_for(language))
    same = [key for key in english if other[key] == english[key] and placeholders(english[key])]
    same += [key for key in english if other[key] == english[key] and len(english[key]) > 12]
    assert not same, f"{language} still has the English for {same}"


@pytest.mark.parametrize("code", ["xx", "", "zh", "english"])
def test_an_unknown_language_gets_english(code: str) -> None:
    assert phrases_for(code) is ENGLISH
    alarm = LIFE
    assert templates.reply(Intent.MAINTENANCE, alarm, TENANT, CC, code) == templates.reply(
        Intent.MAINTENANCE, alarm, TENANT, CC
    )


def test_a_regional_code_gets_its_language() -> None:
    assert phrases_for("pt-BR").code == "pt"
    assert phrases_for("de_AT").code == "de"
    assert phrases_for(" FR ").code == "fr"


# --- money ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "small", "large"),
    [
        ("en", "325.50", "1,234,567.89"),
        ("es", "325,50", "1.234.567,89"),
        ("fr", "325,50", "1\u00a0234\u00a0567,89"),
        ("pt", "325,50", "1.234.567,89"),
        ("de", "325,50", "1.234.567,89"),
        ("it", "325,50", "1.234.567,89"),
        ("pl", "325,50", "1\u00a0234\u00a0567,89"),
    ],
)
def test_money_is_written_the_local_way(language: str, small: str, large: str) -> None:
    phrases = phrases_for(language)
    assert phrases.money(325.5) == small
    assert phrases.money(1234567.891) == large
    rent = templates.reply(Intent.RENT, None, TENANT, [], language)
    assert phrases.money(1234.5) in rent
    assert ("1.234,50" in rent) == (phrases.thousands_separator == ".")


# --- the replies ------------------------------------------------------------------


@pytest.mark.parametrize("alarm", ALARMS)
@pytest.mark.parametrize("intent", list(Intent))
@pytest.mark.parametrize("language", OTHERS)
def test_a_first_reply_is_wholly_in_the_language(language: str, intent: Intent, alarm: str) -> None:
    for context, cc in [(TENANT, CC), (NO_UNIT_NO_PHONE, [])]:
        text = templates.reply(intent, ALARMS[alarm], context, cc, language)
        assert_written_in(text, language)


@pytest.mark.parametrize("alarm", ALARMS)
@pytest.mark.parametrize("language", OTHERS)
def test_an_unknown_sender_reply_is_in_the_language_and_has_no_account(
    language: str, alarm: str
) -> None:
    text = templates.reply(Intent.RENT, ALARMS[alarm], UNKNOWN, CC, language)
    assert_written_in(text, language, known=False)
    for private in ("Maria", "Harbor", "HV-101", "1234", "1.234", "1\u00a0234", "+1-555-0101"):
        assert private not in text


@pytest.mark.parametrize("alarm", ["none", "life", "property"])
@pytest.mark.parametrize("intent", list(Intent))
@pytest.mark.parametrize("language", OTHERS)
def test_every_followup_is_wholly_in_the_language(
    language: str, intent: Intent, alarm: str
) -> None:
    for kind in FollowUp:
        for reopened in (False, True):
            texts = templates.followup(
                kind, intent, ALARMS[alarm], TENANT, CC, reopened=reopened, language=language
            )
            assert texts
            for text in texts:
                assert_written_in(text, language)
    unknown = templates.followup(FollowUp.CHASER, intent, None, UNKNOWN, [], language=language)
    assert_written_in(unknown[0], language, known=False)


@pytest.mark.parametrize("language", REPLY_LANGUAGES)
def test_the_safety_rules_hold_in_every_language(language: str) -> None:
    phrases = phrases_for(language)
    # The rent reply carries no advice in any language (nor in English).
    for intent in (Intent.LOCKED_OUT, Intent.MAINTENANCE, Intent.GENERAL):
        life = templates.reply(intent, LIFE, TENANT, [], language)
        damage = templates.reply(intent, PROPERTY, TENANT, [], language)
        advice = LIFE.advice(language)
        # A danger to life ends with the emergency services' number ...
        assert SERVICES in advice[-1] and advice[-1] in life
        assert "Gas Co +1-555-0142" in life
        # ... damage to the building never sends anyone to them.
        assert SERVICES not in damage and phrases.generic_services not in damage
        assert "+1-555-0100 (24 hours)" in damage and "+1-555-0155" in damage
    no_numbers = templates.Alarm(Grade.LIFE, LIFE_KINDS, Contacts()).advice(language)
    assert phrases.generic_services in no_numbers[-1]


@pytest.mark.parametrize("language", OTHERS)
def test_the_manager_s_words_go_before_the_language_s_signature(language: str) -> None:
    phrases = phrases_for(language)
    text = templates.reply(Intent.MAINTENANCE, None, TENANT, [], language)
    edited = templates.with_instruction(text, " El fontanero viene el martes. ", language)
    assert edited.endswith("\n\nEl fontanero viene el martes.\n\n" + phrases.signature)
    assert edited.startswith(phrases.greeting.format(first_name="Maria"))


@pytest.mark.parametrize("language", OTHERS)
def test_the_holding_reply_is_wholly_in_the_language(language: str) -> None:
    phrases = phrases_for(language)
    for context in (TENANT, UNKNOWN):
        for alarm in (LIFE, PROPERTY):
            text = holding_text(context, list(alarm.kinds), alarm.grade, alarm.contacts, language)
            assert not english_left(text), text
            assert phrases.holding_automatic in text
            assert (SERVICES in text) == (alarm.grade is Grade.LIFE)


# --- through the offline provider ----------------------------------------------------


@pytest.fixture(scope="module")
def provider() -> OfflineProvider:
    return OfflineProvider(Directory.load(DATA))


@pytest.mark.parametrize("language", REPLY_LANGUAGES)
def test_the_offline_provider_writes_in_the_request_s_language(
    provider: OfflineProvider, language: str
) -> None:
    sender = "priya.raman@example.com"
    email = parse_message(make_email(sender, "Gas", "I smell gas in the kitchen"))
    request = TriageRequest(email, provider.directory.context_for(sender), language=language)
    draft = provider.draft_now(request)
    phrases = phrases_for(language)
    tenant = provider.directory.tenant_for(sender)
    assert tenant is not None
    first_name = tenant.name.split()[0]
    assert draft.emergency
    assert draft.reply.startswith(phrases.greeting.format(first_name=first_name))
    assert draft.reply.endswith(phrases.signature)
    assert phrases.life_gas.split(":")[0] in draft.reply
    # The office's words stay English: the ticket title and the summary.
    assert draft.summary.startswith("EMERGENCY")
    redraft = provider.draft_now(dataclasses.replace(request, instruction="Call us."))
    assert redraft.reply.endswith("\n\nCall us.\n\n" + phrases.signature)


def test_english_is_unchanged_by_default(provider: OfflineProvider) -> None:
    sender = "maria.gonzalez@example.com"
    email = parse_message(make_email(sender, "Locked out", "Lost my keys!"))
    request = TriageRequest(email, provider.directory.context_for(sender))
    assert request.language == "en"
    reply = provider.draft_now(request).reply
    assert reply.startswith("Hi Maria,\n\nWe are sorry you cannot get into ")
    assert re.search(r"\n\nBest regards,\nProperty Management$", reply)
