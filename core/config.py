"""Settings, read from the environment and a `.env` file.

The names are fixed: other tools and existing `.env` files use them. Secrets are
`SecretStr`, so printing the settings never shows them. `load_settings` turns
every validation problem into one `ConfigError` sentence naming the key.
"""

from __future__ import annotations

import getpass
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from core.errors import ConfigError
from core.models import Intent
from core.phrasebook import REPLY_LANGUAGES


class Structured(str, Enum):
    """The `OPENAI_STRUCTURED` setting; every value but `auto` is also a mode."""

    AUTO = "auto"
    JSON_SCHEMA = "json_schema"
    JSON_OBJECT = "json_object"
    PROMPT = "prompt"


class Security(str, Enum):
    SSL = "ssl"
    STARTTLS = "starttls"
    NONE = "none"


class Provider(str, Enum):
    OPENAI = "openai"
    OFFLINE = "offline"


class MailAuth(str, Enum):
    PASSWORD = "password"
    OAUTH2 = "oauth2"


class OAuthProvider(str, Enum):
    MICROSOFT = "microsoft"
    GOOGLE = "google"
    GENERIC = "generic"


class HoldingReply(str, Enum):
    ON = "on"
    OFF = "off"
    AUTO = "auto"  # on while nobody is at the console's keyboard (always, headless)


_DEFAULT_PORTS = {
    "imap": {Security.SSL: 993, Security.STARTTLS: 143, Security.NONE: 143},
    "smtp": {Security.SSL: 465, Security.STARTTLS: 587, Security.NONE: 25},
}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False
    )

    imap_host: str = ""
    """IMAP server host name."""
    imap_port: int = Field(993, ge=1, le=65535)
    """IMAP port; when unset it follows IMAP_SECURITY (993 for ssl, 143 otherwise)."""
    imap_user: str = ""
    imap_password: SecretStr = SecretStr("")
    imap_security: Security = Security.SSL
    imap_mailbox: str = "INBOX"
    imap_sent_mailbox: str = ""
    """When set, a copy of every sent reply is appended to this mailbox."""
    smtp_saves_sent: bool = False
    """The SMTP server files its own copy of what it sends in IMAP_SENT_MAILBOX (Gmail,
    Microsoft 365): no copy is appended, and after a crash mid-send that copy tells
    whether the reply went out."""

    smtp_host: str = ""
    smtp_port: int = Field(465, ge=1, le=65535)
    """SMTP port; when unset it follows SMTP_SECURITY (465 ssl, 587 starttls, 25 none)."""
    smtp_user: str = ""
    smtp_password: SecretStr = SecretStr("")
    smtp_security: Security = Security.SSL
    mail_from: str = ""
    """Address replies are sent from; defaults to SMTP_USER."""

    mail_auth: MailAuth = MailAuth.PASSWORD
    """`password` (IMAP_PASSWORD, SMTP_PASSWORD) or `oauth2` (`python -m console login`)."""
    oauth_provider: OAuthProvider | None = None
    """With MAIL_AUTH=oauth2: `microsoft`, `google` or `generic` (explicit URLs and scopes)."""
    oauth_client_id: str = ""
    """The application (client) ID registered with the provider."""
    oauth_client_secret: SecretStr = SecretStr("")
    """The client secret, when the provider issued one (Google's desktop apps have one)."""
    oauth_tenant: str = "common"
    """Microsoft: the directory (tenant) ID or domain; `common` for any work or school account."""
    oauth_authorize_url: str = ""
    """Authorization endpoint (generic; for a preset, overrides its URL)."""
    oauth_token_url: str = ""
    """Token endpoint (generic; for a preset, overrides its URL)."""
    oauth_device_url: str = ""
    """Device authorization endpoint (generic: when set, `login` uses the device-code flow)."""
    oauth_scopes: Annotated[list[str], NoDecode] = Field(default_factory=list)
    """Scopes, space- or comma-separated (generic; for a preset, overrides its scopes)."""

    openai_api_key: SecretStr = SecretStr("")
    openai_base_url: str = ""
    """Any OpenAI-compatible server (Ollama, vLLM, llama.cpp); empty for OpenAI itself."""
    openai_model: str = "gpt-4o-mini"
    llm_provider: Provider | None = None
    """`openai` or `offline`; defaults to openai when OPENAI_API_KEY is set."""
    llm_timeout: float = Field(60.0, gt=0)
    """Seconds to wait for one model answer."""
    openai_structured: Structured = Structured.AUTO
    """How the model is asked for JSON: `auto` (find out: `json_schema`, then
    `json_object` with the schema, then `prompt`), or one of those, pinned."""
    openai_max_tokens: int = Field(1024, ge=64, le=32_768)
    """Most tokens one model answer may have; an answer cut off there is a model failure."""

    concurrency: int = Field(2, ge=1, le=64)
    poll_interval: float = Field(2.0, gt=0)
    max_retries: int = Field(2, ge=0, le=20)
    unread_days_back: int = Field(1, ge=0)

    data_dir: Path = Path("data")
    output_dir: Path = Path("output")
    store_url: SecretStr = SecretStr("")
    """Where the state store is: empty for SQLite under OUTPUT_DIR (the embedded default),
    or a PostgreSQL URL (`postgresql://user:password@host/db`) for a team on one store."""
    mailboxes: Path | None = None
    """A JSON file of several inboxes, each with its own settings on top of these
    (`core/service/mailboxes.py`); unset: one inbox, these settings."""

    auto_send: Annotated[list[Intent], NoDecode] = Field(default_factory=list)
    """Intents whose replies are sent without an operator (comma-separated)."""
    auto_send_min_confidence: float = Field(0.8, ge=0.0, le=1.0)

    send_retry_hours: float = Field(24.0, gt=0)
    """Hours a reply keeps being retried while the mail server is unreachable or answers
    4xx (a temporary refusal); after that it fails and waits for a person."""
    model_wait_seconds: float = Field(300.0, ge=0)
    """While the model is unavailable, a draft that can wait (no danger in the email)
    stays new this long; after that the offline draft goes to review."""

    operator: str = ""
    """The name the console's decisions are audited under (default: the login name)."""
    send_delay: float = Field(10.0, ge=0)
    """Seconds an approved reply waits in the console, during which it can be taken back."""
    sla_minutes: Annotated[tuple[int, int], NoDecode] = (15, 240)
    """Response time before an item's age shows a warning: emergencies and lockouts, others."""

    escalate_minutes: float = Field(10.0, gt=0)
    """Minutes between pages to the on-call people while an emergency waits for a person."""
    escalate_max: int = Field(3, ge=0, le=50)
    """Pages per emergency conversation in all, the first included (0: never page)."""
    escalation_webhook_url: str = ""
    escalation_webhook_secret: SecretStr = SecretStr("")
    """Optional: a `whsec_` secret that signs each page (Standard Webhooks)."""
    """Optional: each page is also POSTed here as JSON (an SMS gateway, a chat, a pager)."""
    emergency_holding_reply: HoldingReply = HoldingReply.AUTO
    """`on`, `off` or `auto`: the tenant's safe first answer while nobody is at the console."""
    ticket_webhook_url: Annotated[list[str], NoDecode] = Field(default_factory=list)
    """Optional, comma-separated: every ticket event is POSTed to each of these URLs."""
    ticket_webhook_secret: SecretStr = SecretStr("")
    """The `whsec_…` secret each ticket webhook is signed with (Standard Webhooks): one
    for all endpoints, or one per endpoint, comma-separated in the same order."""
    webhook_retry_hours: float = Field(24.0, gt=0)
    """Hours an event keeps being retried while its endpoint fails or is unreachable."""
    reply_language: str = "en"
    """The mailbox's language: replies are in it when the tenant's cannot be told, and
    pages to the on-call people always are."""

    @field_validator("reply_language")
    @classmethod
    def _known_language(cls, value: str) -> str:
        value = value.strip().lower()
        if value not in REPLY_LANGUAGES:
            raise ValueError(f"must be one of {', '.join(REPLY_LANGUAGES)}")
        return value

    @field_validator("escalation_webhook_url")
    @classmethod
    def _webhook_is_http(cls, value: str) -> str:
        value = value.strip()
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// URL")
        return value

    @field_validator("ticket_webhook_url", mode="before")
    @classmethod
    def _split_urls(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = [part.strip() for part in value.split(",") if part.strip()]
        for url in value:
            if not str(url).startswith(("http://", "https://")):
                raise ValueError(f"{url} is not an http:// or https:// URL")
        return value

    @field_validator("mailboxes", mode="before")
    @classmethod
    def _no_file(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("auto_send", mode="before")
    @classmethod
    def _split_intents(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("oauth_scopes", mode="before")
    @classmethod
    def _split_scopes(cls, value: Any) -> Any:
        if isinstance(value, str):
            return value.replace(",", " ").split()
        return value

    @field_validator("oauth_provider", mode="before")
    @classmethod
    def _blank_oauth_provider(cls, value: Any) -> Any:
        return None if value == "" else value

    @field_validator("sla_minutes", mode="before")
    @classmethod
    def _split_minutes(cls, value: Any) -> Any:
        if isinstance(value, str):
            parts = [int(p) for p in value.replace(" ", "").split(",") if p]
            if len(parts) == 1:
                parts.append(240)
            return tuple(parts)
        return value

    @field_validator("llm_provider", mode="before")
    @classmethod
    def _blank_provider(cls, value: Any) -> Any:
        return None if value == "" else value

    @model_validator(mode="after")
    def _derive_defaults(self) -> Settings:
        if "imap_port" not in self.model_fields_set:
            self.imap_port = _DEFAULT_PORTS["imap"][self.imap_security]
        if "smtp_port" not in self.model_fields_set:
            self.smtp_port = _DEFAULT_PORTS["smtp"][self.smtp_security]
        if not self.mail_from:
            self.mail_from = self.smtp_user
        if self.smtp_saves_sent and not self.imap_sent_mailbox:
            raise ValueError(
                "SMTP_SAVES_SENT needs IMAP_SENT_MAILBOX: the folder the server files sent mail in"
            )
        return self

    @property
    def provider(self) -> Provider:
        if self.llm_provider is not None:
            return self.llm_provider
        return Provider.OPENAI if self.openai_api_key.get_secret_value() else Provider.OFFLINE

    @property
    def state_db(self) -> Path:
        return self.output_dir / "state.sqlite3"

    @property
    def operator_name(self) -> str:
        return self.operator.strip() or _login_name()

    @property
    def store_location(self) -> str:
        """STORE_URL, or the SQLite file under OUTPUT_DIR."""
        return self.store_url.get_secret_value() or str(self.state_db)

    def missing_mail_settings(self) -> list[str]:
        """The settings a real mailbox needs that are not set, as env names."""
        needed: dict[str, object] = {
            "IMAP_HOST": self.imap_host,
            "IMAP_USER": self.imap_user,
            "SMTP_HOST": self.smtp_host,
            "MAIL_FROM": self.mail_from,
        }
        if self.mail_auth is MailAuth.OAUTH2:
            needed.update(self._oauth_needs())
        else:
            needed["IMAP_PASSWORD"] = self.imap_password.get_secret_value()
        return [name for name, value in needed.items() if not value]

    def _oauth_needs(self) -> dict[str, object]:
        needed: dict[str, object] = {
            "OAUTH_PROVIDER": self.oauth_provider,
            "OAUTH_CLIENT_ID": self.oauth_client_id,
            "SMTP_USER": self.smtp_user,
        }
        if self.oauth_provider is OAuthProvider.GENERIC:
            needed["OAUTH_TOKEN_URL"] = self.oauth_token_url
            needed["OAUTH_SCOPES"] = self.oauth_scopes
            needed["OAUTH_DEVICE_URL or OAUTH_AUTHORIZE_URL"] = (
                self.oauth_device_url or self.oauth_authorize_url
            )
        return needed

    def require_mail_settings(self) -> None:
        missing = self.missing_mail_settings()
        if missing:
            raise ConfigError(
                f"missing settings: {', '.join(missing)} "
                "(set them in the environment or .env; see .env.example)"
            )

    def require_model_settings(self) -> None:
        if self.provider is Provider.OPENAI and not (
            self.openai_api_key.get_secret_value() or self.openai_base_url
        ):
            raise ConfigError(
                "LLM_PROVIDER is openai but OPENAI_API_KEY is not set "
                "(set it, point OPENAI_BASE_URL at a local server, or use LLM_PROVIDER=offline)"
            )


def load_settings(env_file: str | Path | None = ".env", **overrides: Any) -> Settings:
    """Read the settings, turning validation errors into one readable `ConfigError`."""
    try:
        return Settings(_env_file=env_file, **overrides)  # type: ignore[call-arg]
    except ValidationError as exc:
        raise ConfigError(_describe(exc)) from None


def _describe(exc: ValidationError) -> str:
    problems = []
    for error in exc.errors(include_url=False, include_input=False):
        message = error["msg"].removeprefix("Value error, ")
        if error["loc"]:
            message = f"{str(error['loc'][0]).upper()}: {message}"
        problems.append(message)  # a rule between settings names them itself
    return "invalid setting " + "; ".join(problems)


def _login_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for this user id (a container, say)
        return "operator"


def settings_environment(settings: Settings) -> dict[str, str]:
    """Every setting as the environment variable that gives it (secrets included: for a
    process this one starts, never for a log). `load_settings` reads them back equal."""
    env = {}
    for name in type(settings).model_fields:
        value = getattr(settings, name)
        env[name.upper()] = _as_text(value)
    return env


def _as_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, SecretStr):
        return value.get_secret_value()
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ",".join(_as_text(v) for v in value)
    return str(value)
