"""Settings and a one-call runner that point the assistant at the loopback servers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from core.config import Settings, load_settings
from core.mail.oauth import oauth_app
from core.mail.tokens import sign_in_record, token_store
from core.models import State
from core.service.assembly import Assistant, open_assistant
from tests.support import stores
from tests.support.dovecot import ImapAccount
from tests.support.llm import LlmServer
from tests.support.oauth import TokenServer
from tests.support.smtp import SmtpServer

DATA_DIR = Path(__file__).resolve().parents[2] / "data"
OFFICE = "Harbor & Elm Property Management <office@example.com>"


def make_settings(
    imap: ImapAccount,
    smtp: SmtpServer,
    output: Path,
    llm: LlmServer | None = None,
    **overrides: Any,
) -> Settings:
    values: dict[str, Any] = dict(
        imap_host=imap.host,
        imap_port=imap.port,
        imap_user=imap.user,
        imap_password=imap.password,
        imap_security="none",
        smtp_host=smtp.host,
        smtp_port=smtp.port,
        smtp_user=smtp.user or "",
        smtp_password=smtp.password or "",
        smtp_security="none",
        mail_from=OFFICE,
        data_dir=DATA_DIR,
        output_dir=output,
        llm_provider="offline",
        poll_interval=0.2,
        operator="dana",
    )
    if llm is not None:
        values.update(
            llm_provider="openai",
            openai_base_url=llm.base_url,
            openai_api_key="sk-test-key",
            openai_model="test-model",
            llm_timeout=5,
        )
    database = stores.postgres_url(output)
    if database is not None:  # the tests run on PostgreSQL (--store postgres)
        values["store_url"] = database
    values.update(overrides)
    return load_settings(None, **values)


@asynccontextmanager
async def assistant(settings: Settings, **kwargs: Any) -> AsyncIterator[Assistant]:
    kwargs.setdefault("retry_delay", 0.01)
    kwargs.setdefault("page_retry_seconds", 0.2)
    kwargs.setdefault("send_retry_first", 0.05)
    kwargs.setdefault("model_pause", 0.2)
    async with open_assistant(settings, **kwargs) as opened:
        yield opened


async def run_once(settings: Settings, **kwargs: Any) -> dict[State, int]:
    async with assistant(settings, **kwargs) as opened:
        return await opened.pipeline.run_once()


def oauth_settings(
    imap: ImapAccount,
    smtp: SmtpServer,
    tokens: TokenServer,
    output: Path,
    **overrides: Any,
) -> Settings:
    """MAIL_AUTH=oauth2 against the tests' token server (a generic provider by default)."""
    values: dict[str, Any] = dict(
        imap_password="",
        smtp_user=imap.user,
        smtp_password="",
        mail_auth="oauth2",
        oauth_provider="generic",
        oauth_client_id=tokens.client_id,
        oauth_token_url=tokens.token_url,
        oauth_device_url=tokens.device_url,
        oauth_scopes="mail offline",
    )
    values.update(overrides)
    return make_settings(imap, smtp, output, **values)


def store_sign_in(settings: Settings, token: dict[str, Any]) -> Path:
    """Leave the record `python -m console login` would leave; returns the file."""
    store = token_store(settings.output_dir)
    store.save(sign_in_record(oauth_app(settings), token))
    return Path(store.location)
