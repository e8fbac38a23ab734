"""The words of the offline replies, one module per language a reply can be written in.

Each language module (`en.py`, `es.py`, …) fills in the same form
(`phrases.Phrases`) and can be read and edited by a translator without reading
any other code. English is the reference. Code asks `phrases_for(code)` and
never builds tenant-facing sentences itself; an unknown code gets English.
Pure data, no imports from the rest of `core`.
"""

from __future__ import annotations

from core.phrasebook import de, en, es, fr, it, pl, pt
from core.phrasebook.phrases import Phrases

ENGLISH = en.PHRASES
_BY_CODE = {
    phrases.code: phrases
    for phrases in (
        en.PHRASES,
        es.PHRASES,
        fr.PHRASES,
        pt.PHRASES,
        de.PHRASES,
        it.PHRASES,
        pl.PHRASES,
    )
}
REPLY_LANGUAGES = tuple(_BY_CODE)  # ("en", "es", "fr", "pt", "de", "it", "pl")

# A placeholder a language may leave out, by phrase: the name in a greeting is a
# courtesy, and some languages cannot put a name there without knowing more.
# Every other placeholder carries information and must be in every language.
OPTIONAL_PLACEHOLDERS = {"greeting": {"first_name"}, "holding_greeting": {"first_name"}}


def phrases_for(language: str) -> Phrases:
    """The phrases of an ISO 639-1 code ("pt", or "pt-BR"); English for a code we lack."""
    code = language.strip().lower().replace("_", "-").split("-")[0]
    return _BY_CODE.get(code, ENGLISH)


__all__ = ["ENGLISH", "OPTIONAL_PLACEHOLDERS", "REPLY_LANGUAGES", "Phrases", "phrases_for"]
