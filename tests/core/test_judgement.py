"""Emergencies judged by the situation, not the words: what pages someone, and what does not.

Each case is what a tenant could write; the assertion is what the manager would
see: an emergency of a grade (someone is paged), possible danger (a person
looks, nobody is paged), or an ordinary email.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.contacts import ContactBook, Contacts
from core.directory import Directory
from core.errors import ConfigError
from core.models import Grade
from core.triage.emergency import first_steps
from core.triage.judgement import judge
from core.triage.learned import DangerModel, read_corpus

ROOT = Path(__file__).resolve().parents[2]

DANGER_TO_LIFE = [
    ("Gas", "There is a strong smell of gas in my kitchen, like rotten eggs."),
    ("", "someone has been turning my front door handle for ten minutes, I'm in the bedroom"),
    (
        "lift",
        "I'm writing this from inside the lift, it stopped between 2 and 3 and the doors "
        "won't open.",
    ),
    (
        "heater",
        "We both have pounding headaches and feel dizzy, and the flame in the water "
        "heater is yellow with soot above it. Better outside, worse when we come back in.",
    ),
    ("Olor", "Huele mucho a gas en la cocina desde hace una hora."),
    ("Gaz", "Ça sent très fort le gaz dans l'escalier, j'ai mal à la tête."),
    ("Balkon", "Ich stecke auf dem Balkon fest, die Tür ist hinter mir zu, es sind -8 Grad."),
    ("Baby", "Our heating is completely out and the baby is freezing, it's -10 outside."),
]
DAMAGE_TO_THE_BUILDING = [
    ("wall", "Water is running down the kitchen wall in streams and spreading across the floor."),
    (
        "front door",
        "The main entrance door won't latch at all and keeps blowing open; anyone "
        "can walk in tonight.",
    ),
    ("Wasser", "Bei mir läuft Wasser aus der Decke im Bad, es hört nicht auf."),
    ("agua", "Se rompió un tubo en el pasillo y está entrando agua por debajo de mi puerta."),
]
NOT_NOW = [
    ("Stove", "The burner keeps clicking. There is NO smell of gas at all, I checked."),
    (
        "insurance",
        "My sister's building had a fire last week, everyone is ok. Do I need renters insurance?",
    ),
    ("drill", "Is the fire drill on Friday at 10? Do I have to go down with the dog?"),
    (
        "thanks",
        "The water coming through my bathroom ceiling has completely stopped and it has "
        "been dry all night. Thanks for sending the plumber!",
    ),
    ("detector", "The CO detector in the hall chirps every 30 seconds, I think it's the battery."),
    ("bird", "There's a little bird trapped in the stairwell near the top window."),
    ("traffic", "Estoy atrapado en el tráfico, llego tarde a la cita con el técnico."),
    ("smoke", "My neighbour smokes on his balcony and the smoke comes into my bedroom."),
    ("question", "Who do I call at night if there is ever a gas leak?"),
    ("Simulacro", "Vi el aviso del simulacro de incendio del jueves. ¿Tengo que bajar?"),
]


@pytest.mark.parametrize(("subject", "text"), DANGER_TO_LIFE)
def test_danger_to_life_pages_someone(subject: str, text: str) -> None:
    judged = judge(subject, text)
    assert judged.grade is Grade.LIFE, judged


@pytest.mark.parametrize(("subject", "text"), DAMAGE_TO_THE_BUILDING)
def test_damage_that_cannot_wait_pages_maintenance(subject: str, text: str) -> None:
    judged = judge(subject, text)
    assert judged.grade is Grade.PROPERTY, judged


@pytest.mark.parametrize(("subject", "text"), NOT_NOW)
def test_danger_that_is_not_happening_now_pages_nobody(subject: str, text: str) -> None:
    judged = judge(subject, text)
    assert judged.grade is None, judged


def test_a_reply_subject_alone_never_pages() -> None:
    judged = judge("Re: GAS SMELL in 202", "Thanks, the gas company came and all is fine now.")
    assert judged.grade is None


def test_the_holding_advice_sends_damage_to_the_maintenance_line_never_the_services() -> None:
    contacts = Contacts("911", "Gas +1-555-0142", "+1-555-0100", "+1-555-0155")
    water = " ".join(first_steps(["flooding"], Grade.PROPERTY, contacts))
    gas = " ".join(first_steps(["gas"], Grade.LIFE, contacts))
    assert "+1-555-0100" in water and "turn off the water" in water
    assert "911" not in water and "emergency services" not in water
    assert "Gas +1-555-0142" in gas and "911" in gas


def test_each_building_has_its_own_numbers_and_the_old_file_still_reads(tmp_path: Path) -> None:
    book = ContactBook.from_json(
        {
            "default": {"emergency_services": "911", "emergency_maintenance": "+1-555-0100"},
            "buildings": {"Elm Court": {"emergency_maintenance": "+1-555-0160"}},
        }
    )
    assert book.for_building("Elm Court").emergency_maintenance == "+1-555-0160"
    assert book.for_building("Elm Court").emergency_services == "911"
    assert book.for_building("Harbor View").emergency_maintenance == "+1-555-0100"
    old = ContactBook.from_json({"default": "112", "gas": "Gas line", "water": "+1-555-0100"})
    assert old.default == Contacts("112", "Gas line", "+1-555-0100", "")


def test_a_bad_contacts_file_is_one_line_naming_the_key(tmp_path: Path) -> None:
    for name in ("tenants.json", "units.json", "stakeholders.json"):
        (tmp_path / name).write_bytes((ROOT / "data" / name).read_bytes())
    (tmp_path / "emergency_contacts.json").write_text(
        json.dumps({"default": {"emergency_service": "911"}})
    )
    with pytest.raises(ConfigError, match=r"default\.emergency_service: unknown key"):
        Directory.load(tmp_path)


def test_the_learned_model_is_cached_and_reads_the_same_from_the_cache(tmp_path: Path) -> None:
    examples = read_corpus()[::7]  # a small corpus trains in a moment
    model = DangerModel.train(examples)
    model.save(tmp_path / "model.npz")
    again = DangerModel.from_file(tmp_path / "model.npz")
    text = ("Water", "Water is pouring through my ceiling onto the floor!")
    assert again.probabilities(*text) == pytest.approx(model.probabilities(*text), abs=1e-6)
    assert model.probabilities(*text)[0] > model.probabilities("Rent", "When is rent due?")[0]
