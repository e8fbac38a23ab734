"""Several inboxes on one store: the mailboxes file (`MAILBOXES=path`).

    {
      "inboxes": [
        {"name": "maintenance",
         "IMAP_USER": "maintenance@harbor-elm.example",
         "IMAP_PASSWORD": "${MAINTENANCE_PASSWORD}",
         "MAIL_FROM": "Harbor & Elm Maintenance <maintenance@harbor-elm.example>",
         "DATA_DIR": "data/maintenance"},
        {"name": "office", "IMAP_USER": "office@harbor-elm.example", ...}
      ]
    }

Each inbox is the settings of `.env` with its own values on top: any setting,
by its environment name (IMAP_*, SMTP_*, MAIL_AUTH and OAUTH_*, MAIL_FROM,
DATA_DIR for its tenants and stakeholders, AUTO_SEND, ...). A value
`${NAME}` is read from the environment, so passwords need not be in the file.
What the whole team shares cannot be set per inbox: the store (STORE_URL),
OUTPUT_DIR, the operator's name. Each inbox keeps its OAuth sign-in in
`OUTPUT_DIR/inboxes/<name>/`.

Without MAILBOXES there is one inbox, named "", with the settings as they are.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.config import Settings, load_settings, settings_environment
from core.errors import ConfigError

TEAM_WIDE = frozenset(
    {
        "STORE_URL",
        "OUTPUT_DIR",
        "OPERATOR",
        "MAILBOXES",
        "TICKET_WEBHOOK_URL",
        "TICKET_WEBHOOK_SECRET",
        "WEBHOOK_RETRY_HOURS",
    }
)
NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass(frozen=True)
class InboxSettings:
    name: str  # "" for the one inbox of a setup without MAILBOXES
    settings: Settings

    @property
    def label(self) -> str:
        return self.name or "inbox"

    @property
    def sign_in_dir(self) -> Path:
        """Where this inbox keeps its OAuth sign-in."""
        base = self.settings.output_dir
        return base / "inboxes" / self.name if self.name else base


def inboxes(settings: Settings) -> list[InboxSettings]:
    """The inboxes the settings describe: the mailboxes file's, or the one inbox."""
    if not settings.mailboxes:
        return [InboxSettings("", settings)]
    path = settings.mailboxes
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"MAILBOXES: cannot read {path}: {exc.strerror}") from None
    except json.JSONDecodeError as exc:
        raise ConfigError(f"MAILBOXES: {path} line {exc.lineno}: {exc.msg}") from None
    entries = data.get("inboxes") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not entries:
        raise ConfigError(f'MAILBOXES: {path} needs a list "inboxes" with at least one inbox')
    found: list[InboxSettings] = []
    for number, entry in enumerate(entries, start=1):
        inbox = _inbox(settings, entry, f"{path}, inbox {number}")
        if any(other.name == inbox.name for other in found):
            raise ConfigError(f'MAILBOXES: {path}: two inboxes are named "{inbox.name}"')
        found.append(inbox)
    return found


def inbox_named(settings: Settings, name: str) -> InboxSettings:
    """One inbox by its name ("" with no mailboxes file); the names there when unknown."""
    found = inboxes(settings)
    if not name and len(found) == 1:
        return found[0]
    for inbox in found:
        if inbox.name == name:
            return inbox
    names = ", ".join(inbox.name for inbox in found if inbox.name)
    if not names:
        raise ConfigError(f"there is one inbox (no MAILBOXES file); --inbox {name} is not one")
    raise ConfigError(f"which inbox? --inbox NAME, one of: {names}")


def require_mail_settings(settings: Settings) -> list[InboxSettings]:
    """Every inbox, each with what it needs to read and send mail; else which lacks what."""
    found = inboxes(settings)
    for inbox in found:
        try:
            inbox.settings.require_mail_settings()
        except ConfigError as exc:
            if not inbox.name:
                raise
            raise ConfigError(f"MAILBOXES: inbox {inbox.name}: {exc}") from None
    return found


def _inbox(base: Settings, entry: Any, where: str) -> InboxSettings:
    if not isinstance(entry, dict):
        raise ConfigError(f"MAILBOXES: {where} is not an object of settings")
    name = str(entry.get("name", ""))
    if not NAME.match(name):
        raise ConfigError(
            f'MAILBOXES: {where}: "name" must be lower-case letters, digits, - or _ '
            f"(at most 40), got {name!r}"
        )
    values = settings_environment(base)
    for port in ("imap_port", "smtp_port"):  # unless set, a port follows the security
        if port not in base.model_fields_set:
            del values[port.upper()]
    for key, value in entry.items():
        if key == "name":
            continue
        env = key.upper()
        if env.lower() not in Settings.model_fields:
            raise ConfigError(f"MAILBOXES: {where} ({name}): unknown setting {key}")
        if env in TEAM_WIDE:
            raise ConfigError(
                f"MAILBOXES: {where} ({name}): {env} is the team's, not an inbox's; set it in .env"
            )
        values[env] = _expand(str(value), f"{where} ({name}), {env}")
    try:
        settings = load_settings(None, **{k.lower(): v for k, v in values.items() if v != ""})
    except ConfigError as exc:
        raise ConfigError(f"MAILBOXES: {where} ({name}): {exc}") from None
    return InboxSettings(name, settings)


def _expand(value: str, where: str) -> str:
    def variable(match: re.Match[str]) -> str:
        found = os.environ.get(match.group(1))
        if found is None:
            raise ConfigError(f"MAILBOXES: {where}: the environment has no {match.group(1)}")
        return found

    return VARIABLE.sub(variable, value)
