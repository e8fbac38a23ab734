"""The numbers a tenant should call in an emergency, per building (`emergency_contacts.json`).

Pure data, read once by the directory; what each grade of danger tells the
tenant to do with these numbers is `core.triage.emergency`'s.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any


@dataclass(frozen=True)
class Contacts:
    """The numbers for one building; an empty one is not on file."""

    emergency_services: str = ""
    gas_utility: str = ""
    emergency_maintenance: str = ""
    locksmith: str = ""

    def merged(self, override: Contacts) -> Contacts:
        return replace(
            self, **{f.name: v for f in fields(self) if (v := getattr(override, f.name))}
        )


# The file's keys, and the older flat file's (default/gas/fire/water/person) they replace.
_OLD_KEYS = {
    "default": "emergency_services",
    "person": "emergency_services",
    "fire": "emergency_services",
    "gas": "gas_utility",
    "water": "emergency_maintenance",
}
CONTACT_KEYS = tuple(f.name for f in fields(Contacts))


@dataclass(frozen=True)
class ContactBook:
    """`emergency_contacts.json`: the numbers in `default`, and a building's own ones."""

    default: Contacts = Contacts()
    buildings: tuple[tuple[str, Contacts], ...] = ()

    def for_building(self, building: str | None) -> Contacts:
        for name, contacts in self.buildings:
            if building and name.casefold() == building.casefold():
                return self.default.merged(contacts)
        return self.default

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ContactBook:
        """Read either form of the file; raises ValueError naming what is wrong."""
        if "buildings" in data or isinstance(data.get("default"), dict):
            buildings = data.get("buildings") or {}
            if not isinstance(buildings, dict):
                raise ValueError("buildings: must be an object of building name → numbers")
            return cls(
                _contacts(data.get("default") or {}, "default"),
                tuple((name, _contacts(v, f"buildings.{name}")) for name, v in buildings.items()),
            )
        # The older flat form: one set of numbers for every building.
        values: dict[str, str] = {}
        for key, value in data.items():
            if key not in _OLD_KEYS:
                raise ValueError(f"{key}: unknown key (use default, buildings)")
            if not isinstance(value, str):
                raise ValueError(f"{key}: must be text")
            values.setdefault(_OLD_KEYS[key], value)
        return cls(Contacts(**values))


def _contacts(data: Any, where: str) -> Contacts:
    if not isinstance(data, dict):
        raise ValueError(f"{where}: must be an object with {', '.join(CONTACT_KEYS)}")
    unknown = sorted(set(data) - set(CONTACT_KEYS))
    if unknown:
        raise ValueError(f"{where}.{unknown[0]}: unknown key (use {', '.join(CONTACT_KEYS)})")
    bad = [k for k, v in data.items() if not isinstance(v, str)]
    if bad:
        raise ValueError(f"{where}.{bad[0]}: must be text")
    return Contacts(**data)
