"""The language a reply is written in: the tenant's own, when it can be told.

    the tenant's new words ──▶ detect ──▶ sure? ──yes──▶ that language
                                              └──no───▶ the conversation's ▶ the tenant's
                                                        (tenants.json) ▶ REPLY_LANGUAGE

Detection reads only the tenant's new words (quoted history and phone footers
removed) with eldc, chosen by measurement on one- and two-sentence tenant
messages (docs/measurements.md): it is accepted when its score is at least
0.75 and at least 0.05 above the next language's, with no minimum length (a
word like "ok" or "no" is never that sure; "gracias" is). A sure detection of a
language without reply templates is kept too: the reply is then written in the
mailbox's language and a person is asked first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from functools import cache
from typing import Any

from core.mail.parsing import own_words
from core.phrasebook import REPLY_LANGUAGES as REPLY_LANGUAGES

MIN_SCORE = 0.75
MIN_MARGIN = 0.05
DEFAULT_LANGUAGE = "en"

NAMES = {
    "ar": "Arabic",
    "bg": "Bulgarian",
    "ca": "Catalan",
    "cs": "Czech",
    "da": "Danish",
    "de": "German",
    "el": "Greek",
    "en": "English",
    "es": "Spanish",
    "fa": "Persian",
    "fi": "Finnish",
    "fr": "French",
    "he": "Hebrew",
    "hi": "Hindi",
    "hr": "Croatian",
    "hu": "Hungarian",
    "id": "Indonesian",
    "it": "Italian",
    "ja": "Japanese",
    "ko": "Korean",
    "lt": "Lithuanian",
    "lv": "Latvian",
    "nl": "Dutch",
    "no": "Norwegian",
    "pl": "Polish",
    "pt": "Portuguese",
    "ro": "Romanian",
    "ru": "Russian",
    "sk": "Slovak",
    "sl": "Slovenian",
    "sr": "Serbian",
    "sv": "Swedish",
    "th": "Thai",
    "tl": "Tagalog",
    "tr": "Turkish",
    "uk": "Ukrainian",
    "ur": "Urdu",
    "vi": "Vietnamese",
    "zh": "Chinese",
}

# "Sent from my iPhone" and its kin: a phone's footer says nothing of the writer.
_PHONE_FOOTER = re.compile(
    r"^[ \t]*(sent from my|get outlook for|enviado desde mi|enviado do meu|envoyé de mon"
    r"|gesendet von meinem|inviato da|wysłane z)\b.*$",
    re.IGNORECASE | re.MULTILINE,
)


def name_of(code: str) -> str:
    """The language's English name, for the operator and the model ("es" → "Spanish")."""
    return NAMES.get(code, code)


@dataclass(frozen=True)
class Detection:
    """What the detector made of the tenant's words: a language it is sure of, or None."""

    language: str | None
    score: float = 0.0


def tenant_words(text: str) -> str:
    """The tenant's own new words: no quoted history, no phone footer."""
    return _PHONE_FOOTER.sub("", own_words(text)).strip()


def detect(text: str) -> Detection:
    """The language of `text` (the tenant's own words), when the detector is sure of it."""
    if not any(char.isalpha() for char in text):
        return Detection(None)
    found = _detector().detect_details(text)
    scores = [*sorted(found.scores.values(), reverse=True), 0.0, 0.0]
    best, runner_up = scores[0], scores[1]
    if found.language in ("", "und") or best < MIN_SCORE or best - runner_up < MIN_MARGIN:
        return Detection(None, best)
    return Detection(str(found.language), best)


class Source(str, Enum):
    """Why the reply is in its language, as the operator reads it."""

    DETECTED = "detected"
    CONVERSATION = "the conversation's"
    TENANT = "the tenant's, on file"
    MAILBOX = "the mailbox's"
    OPERATOR = "chosen by the operator"


@dataclass(frozen=True)
class ReplyLanguage:
    """The language to reply in, why, and the tenant's own when there are no templates
    for it (the reply is then in the mailbox's language and waits for a person)."""

    code: str
    source: Source
    unsupported: str = ""

    def describe(self) -> str:
        if self.unsupported:
            return (
                f"written in {name_of(self.unsupported)}; no templates: "
                f"reply in {name_of(self.code)}?"
            )
        return f"{name_of(self.code)} ({self.source.value})"


def choose(
    detected: Detection,
    *,
    conversation: str = "",
    tenant: str = "",
    mailbox: str = DEFAULT_LANGUAGE,
    operator: str = "",
) -> ReplyLanguage:
    """The reply's language: the operator's choice; else the tenant's words, when the
    detector is sure; else the conversation's, the tenant's on file, the mailbox's."""
    mailbox = mailbox if mailbox in REPLY_LANGUAGES else DEFAULT_LANGUAGE
    if operator:
        return ReplyLanguage(operator, Source.OPERATOR)
    if detected.language is not None:
        if detected.language in REPLY_LANGUAGES:
            return ReplyLanguage(detected.language, Source.DETECTED)
        return ReplyLanguage(mailbox, Source.MAILBOX, unsupported=detected.language)
    for code, source in ((conversation, Source.CONVERSATION), (tenant, Source.TENANT)):
        if code in REPLY_LANGUAGES:
            return ReplyLanguage(code, source)
    return ReplyLanguage(mailbox, Source.MAILBOX)


def written_in(text: str, language: str) -> bool:
    """Is `text` (a reply) in `language`? True unless the detector is sure it is not."""
    found = detect(text).language
    return found is None or found == language


@cache
def _detector() -> Any:
    import eldc  # type: ignore[import-untyped]  # a compiled model of 60 languages

    eldc.init()
    detector = eldc.instance()
    detector.set_scores(2)  # the best two: how far ahead the best one is
    return detector
