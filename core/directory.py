"""The datastore: tenants, units and stakeholders from `DATA_DIR/*.json`.

Accepts the original project's files unchanged (`tenants.json`, `units.json`,
`stakeholders.json`); extra fields are kept. Lookups are by sender address,
case-insensitive. An unknown sender is an ordinary case, not an error.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from core.contacts import ContactBook, Contacts
from core.errors import ConfigError
from core.mentions import Mentions
from core.models import Grade, Intent, Tenant, TenantContext, Unit

_TENANTS = TypeAdapter(list[Tenant])
_UNITS = TypeAdapter(list[Unit])
_STAKEHOLDERS = TypeAdapter(dict[str, list[str]])
_CONTACTS = TypeAdapter(dict[str, Any])
DATA_FILES = ("tenants.json", "units.json", "stakeholders.json")
# Optional: the numbers a tenant should call, per building (see core.triage.emergency).
CONTACTS_FILE = "emergency_contacts.json"


@dataclass(frozen=True)
class Directory:
    tenants: tuple[Tenant, ...]
    units: dict[str, Unit]
    stakeholders: dict[str, list[str]]
    by_address: dict[str, Tenant]
    emergency_contacts: ContactBook = field(default_factory=ContactBook)

    @classmethod
    def load(cls, data_dir: Path) -> Directory:
        """Read and validate the three files; a bad file is a `ConfigError` naming it."""
        if not data_dir.is_dir():
            raise ConfigError(f"DATA_DIR {data_dir} is not a folder")
        tenants = _load(data_dir / "tenants.json", _TENANTS)
        units = _load(data_dir / "units.json", _UNITS)
        stakeholders = _load(data_dir / "stakeholders.json", _STAKEHOLDERS)
        contacts_file = data_dir / CONTACTS_FILE
        contacts = _contact_book(contacts_file) if contacts_file.exists() else ContactBook()
        return cls(
            tuple(tenants), {u.unit_id: u for u in units}, stakeholders, _index(tenants), contacts
        )

    def tenant_for(self, address: str) -> Tenant | None:
        return self.by_address.get(address.strip().lower())

    def context_for(self, address: str) -> TenantContext:
        tenant = self.tenant_for(address)
        unit = self.units.get(tenant.unit_id) if tenant else None
        return TenantContext(sender=address.strip().lower(), tenant=tenant, unit=unit)

    def stakeholders_for(self, intent: Intent) -> list[str]:
        """Addresses to Cc for an intent; never derived from anything the model wrote."""
        return list(dict.fromkeys(a.strip() for a in self.stakeholders.get(intent.value, [])))

    def contacts_for(self, context: TenantContext) -> Contacts:
        """The numbers for the sender's building (the defaults for an unknown sender)."""
        unit = context.unit
        return self.emergency_contacts.for_building(unit.property if unit else None)

    def on_call(self, intent: Intent | None = None, grade: Grade | None = None) -> list[str]:
        """Who hears of an emergency at once.

        Damage to the building pages `emergency_maintenance` when stakeholders.json
        has it; otherwise (and for a danger to life) the `emergency` entry, else the
        intent's stakeholders, else the lockout and maintenance ones.
        """
        listed = self.stakeholders.get("emergency_maintenance") if grade is Grade.PROPERTY else None
        listed = listed or self.stakeholders.get("emergency")
        if not listed and intent is not None:
            listed = self.stakeholders.get(intent.value)
        if not listed:
            listed = [
                *self.stakeholders.get("locked_out", []),
                *self.stakeholders.get("maintenance", []),
            ]
        return list(dict.fromkeys(a.strip() for a in listed))

    @cached_property
    def mentions(self) -> Mentions:
        """Every tenant's identifying details, indexed once (see `core.mentions`)."""
        return Mentions(self.tenants)

    def others_than(self, tenant: Tenant | None) -> list[Tenant]:
        return [t for t in self.tenants if tenant is None or t.tenant_id != tenant.tenant_id]


def _load(path: Path, adapter: TypeAdapter[Any]) -> Any:
    if not path.exists():
        raise ConfigError(f"{path} is missing (DATA_DIR needs {', '.join(DATA_FILES)})")
    try:
        return adapter.validate_json(path.read_bytes())
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from None
    except ValidationError as exc:
        first = exc.errors(include_url=False, include_input=False)[0]
        where = ".".join(str(p) for p in first["loc"]) or "file"
        raise ConfigError(f"invalid datastore file {path}: {where}: {first['msg']}") from None


def _contact_book(path: Path) -> ContactBook:
    try:
        return ContactBook.from_json(_load(path, _CONTACTS))
    except ValueError as exc:
        raise ConfigError(f"invalid datastore file {path}: {exc}") from None


def _index(tenants: list[Tenant]) -> dict[str, Tenant]:
    """Address → tenant; an address shared by two tenants is a data error, not a guess."""
    index: dict[str, Tenant] = {}
    for tenant in tenants:
        for address in tenant.addresses:
            other = index.setdefault(address, tenant)
            if other.tenant_id != tenant.tenant_id:
                raise ConfigError(
                    f"tenants.json: {address} belongs to both {other.tenant_id} and "
                    f"{tenant.tenant_id}; each address must identify one tenant"
                )
    return index
