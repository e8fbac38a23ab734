"""What an emergency is and what follows from it: its grade, whom it pages, what to do.

Two grades, each with its own consequences:

- `LIFE`: danger to a person's life or health, now (gas, fire, smoke, carbon
  monoxide, sparks, someone trapped, hurt or threatened, an intruder, a
  vulnerable person in the cold, something about to fall). The on-call people
  are paged (`emergency` in stakeholders.json) and the tenant's holding reply
  gives the emergency number and the first safe step.
- `PROPERTY`: damage to the building that cannot wait (water coming in,
  sewage, a home or building that cannot be locked, no heat or no water). The
  maintenance on-call is paged (`emergency_maintenance`, else `emergency`) and
  the holding reply gives the building's emergency maintenance line and the
  first safe step, never the emergency services.

Danger the words do not settle is not graded: the item waits for a person,
nobody is paged and the tenant gets no holding reply.

The numbers come from `emergency_contacts.json` (`core.contacts`), per building; the
words of the advice from the phrasebook (`core.phrasebook`), in the reply's
language. Pure data and functions.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from core.contacts import Contacts
from core.models import Grade
from core.phrasebook import Phrases, phrases_for

# What each grade is called, for the operator, the pages and the tickets.
GRADE_WORDS = {Grade.LIFE: "danger to life", Grade.PROPERTY: "damage to the building"}

# Kinds of danger (the safety net's and the labels' vocabulary) by the grade they carry.
LIFE_KINDS = frozenset(
    {
        "trapped",
        "injured",
        "vulnerable",
        "fire",
        "smoke",
        "gas",
        "co",
        "electrical",
        "structural",
        "break_in",
        "violence",
        "afraid",
        "threat",
    }
)
PROPERTY_KINDS = frozenset({"flooding", "sewage", "no_heat", "no_water", "insecure"})


# The kinds a description of the danger names ("smell of gas in the kitchen"), for a
# danger described in words (a model's) rather than found by the safety net.
_NAMED = tuple(
    (kind, re.compile(words, re.IGNORECASE))
    for kind, words in (
        ("gas", r"\bgas\b"),
        ("co", r"carbon monoxide|\bco\b"),
        ("fire", r"\bfire|flame"),
        ("smoke", r"smoke|burning"),
        ("electrical", r"spark|wiring|outlet|socket|electric"),
        ("sewage", r"sewage|sewer"),
        ("flooding", r"water (coming|pouring|leak)|flood|burst|leak"),
        ("trapped", r"trapped|stuck|shut in|can'?t get out"),
        ("injured", r"injur|hurt|fell|fall(en)?\b|bleed|unconscious"),
        ("vulnerable", r"child|baby|elderly|vulnerable"),
        ("break_in", r"break-?in|intruder|burglar|forc(ed|ing) (the|a) door"),
        ("violence", r"threat|violen|attack|assault|weapon"),
        ("structural", r"ceiling|collaps|masonry|brick"),
        ("insecure", r"cannot be (locked|secured)|won'?t (lock|close)|can'?t (lock|close)"),
        ("no_heat", r"no heat|heating"),
        ("no_water", r"no water"),
    )
)


def kinds_named(text: str) -> list[str]:
    """The kinds of danger a description names, in the order of `_NAMED`."""
    return [kind for kind, words in _NAMED if words.search(text)]


def grade_of(kinds: Iterable[str], *, vulnerable: bool = False) -> Grade:
    """The grade of an emergency from the kinds of danger found (the gravest wins).

    No heat or no water is a danger to life when someone frail is there
    (`vulnerable`); for healthy adults it is damage that cannot wait.
    """
    found = set(kinds)
    if found & LIFE_KINDS:
        return Grade.LIFE
    if vulnerable and found & {"no_heat", "no_water"}:
        return Grade.LIFE
    return Grade.PROPERTY


# --- what a tenant is told to do first, by kind of danger ------------------------------

# Which advice a kind of danger calls for.
ADVICE_FOR = {
    "gas": "gas",
    "co": "co",
    "fire": "fire",
    "smoke": "fire",
    "electrical": "electrical",
    "flooding": "water",
    "sewage": "sewage",
    "insecure": "insecure",
    "break_in": "person",
    "no_heat": "cold",
    "no_water": "no_water",
    "structural": "structural",
    "trapped": "person",
    "injured": "person",
    "vulnerable": "person",
    "violence": "person",
    "afraid": "person",
    "threat": "person",
}


# The advice itself is in the phrasebook (`core.phrasebook`), in every reply language.
def life_advice(phrases: Phrases) -> dict[str, str]:
    """The advice for a danger to life, by the keys of `ADVICE_FOR`, in one language."""
    return {
        "gas": phrases.life_gas,
        "co": phrases.life_co,
        "fire": phrases.life_fire,
        "electrical": phrases.life_electrical,
        "structural": phrases.life_structural,
        "person": phrases.life_person,
    }


def property_advice(phrases: Phrases) -> dict[str, str]:
    """The advice for damage to the building, by the keys of `ADVICE_FOR`, in one language."""
    return {
        "water": phrases.property_water,
        "sewage": phrases.property_sewage,
        "insecure": phrases.property_insecure,
        "cold": phrases.property_cold,
        "no_water": phrases.property_no_water,
    }


def first_steps(
    kinds: Iterable[str], grade: Grade, contacts: Contacts, language: str = "en"
) -> list[str]:
    """The first safe steps and the number to call, in the order a tenant needs them,
    in the reply's language (ISO 639-1; English for one the phrasebook lacks).

    A danger to life always ends with the emergency services' number; damage to
    the building gives the emergency maintenance line and never sends anyone to
    the emergency services.
    """
    phrases = phrases_for(language)
    services = contacts.emergency_services or phrases.generic_services
    gas = contacts.gas_utility or services
    advice_kinds = list(dict.fromkeys(ADVICE_FOR.get(k, "person") for k in kinds))
    if grade is Grade.LIFE:
        life = life_advice(phrases)
        lines = [life[k].format(services=services, gas=gas) for k in advice_kinds if k in life]
        if not any(k == "person" for k in advice_kinds):
            lines.append(life["person"].format(services=services))
        return lines
    damage = property_advice(phrases)
    lines = [damage[k] for k in advice_kinds if k in damage]
    line = contacts.emergency_maintenance
    lines.append(
        phrases.maintenance_line.format(line=line) if line else phrases.no_maintenance_line
    )
    if "insecure" in kinds and contacts.locksmith:
        lines.append(phrases.locksmith.format(locksmith=contacts.locksmith))
    return lines
