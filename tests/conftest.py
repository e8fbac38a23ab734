"""Shared pytest fixtures: loopback IMAP, SMTP and LLM servers for the suite.

Everything listens on 127.0.0.1 only, on ports chosen by the kernel.

- ``tls_cert`` (session): self-signed certificate for localhost/127.0.0.1;
  ``trust_tls_cert`` points ``SSL_CERT_FILE`` at it for one test, so default
  SSL contexts (as the application builds them) trust the test servers.
- ``dovecot`` (session) and ``imap_account`` (a fresh, empty user per test).
  Without a dovecot binary the Dovecot tests are skipped, or fail if the
  ``CI`` environment variable is set.
- ``smtp_server`` (plain + AUTH), ``smtp_server_starttls``,
  ``smtp_server_tls`` (implicit TLS): recording SMTP servers, one per test.
- ``llm_server``: a scripted OpenAI-compatible server, one per test.
- OAuth 2.0: ``token_server`` (session), the tests' authorization server;
  ``dovecot_oauth`` (session), a Dovecot that also takes XOAUTH2 and
  OAUTHBEARER tokens it checks with that server, and ``oauth_account`` (a
  fresh user there, who is the person signing in at the token server);
  ``smtp_server_oauth``: a recording SMTP server taking XOAUTH2 only.
- ``local_model`` (session): llama-cpp-python's server with SmolLM2-135M on a
  free port. Without it (``bin/install local-model``) its tests are skipped,
  or fail if the ``CI`` environment variable is set.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.config import Settings
from tests.support import stores
from tests.support.dovecot import DovecotServer, ImapAccount, dovecot_unavailable_reason
from tests.support.llm import LlmServer
from tests.support.local_model import LocalModelServer, local_model_unavailable_reason
from tests.support.oauth import TokenServer
from tests.support.postgres import PostgresServer, postgres_unavailable_reason
from tests.support.smtp import SmtpServer
from tests.support.tls import LocalhostCertificate, create_certificate
from tests.support.webhook import WebhookServer

SMTP_USER = "assistant@example.com"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings in tests never come from a developer's environment."""
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)


SMTP_PASSWORD = "smtp-secret"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--store",
        choices=("sqlite", "postgres"),
        default="sqlite",
        help="the store engine the assistant runs on in these tests",
    )


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """A PostgreSQL server for the session (Debian's postgresql, 127.0.0.1, a free port)."""
    reason = postgres_unavailable_reason()
    if reason is not None:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is required on CI: {reason}", pytrace=False)
        pytest.skip(f"PostgreSQL tests skipped: {reason}")
    server = PostgresServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(params=["sqlite", "postgres"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each store test runs on both engines: an SQLite file, a fresh PostgreSQL database."""
    if request.param == "postgres":
        server: PostgresServer = request.getfixturevalue("postgres")
        return server.new_database()
    return str(tmp_path / "s.db")


@pytest.fixture(autouse=True)
def store_engine(request: pytest.FixtureRequest) -> Iterator[str]:
    """With `--store postgres`, every test's assistant keeps its store in a fresh database."""
    engine = str(request.config.getoption("--store"))
    if engine == "postgres":
        server: PostgresServer = request.getfixturevalue("postgres")
        stores.use_postgres(server.new_database)
    try:
        yield engine
    finally:
        stores.use_postgres(None)


@pytest.fixture(scope="session")
def tls_cert(tmp_path_factory: pytest.TempPathFactory) -> LocalhostCertificate:
    return create_certificate(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def trust_tls_cert(
    tls_cert: LocalhostCertificate, monkeypatch: pytest.MonkeyPatch
) -> LocalhostCertificate:
    """Make ``ssl.create_default_context()`` trust (only) the test certificate."""
    monkeypatch.setenv("SSL_CERT_FILE", str(tls_cert.cert_path))
    return tls_cert


def _require_dovecot() -> None:
    reason = dovecot_unavailable_reason()
    if reason is not None:
        if os.environ.get("CI"):
            pytest.fail(f"Dovecot is required on CI: {reason}", pytrace=False)
        pytest.skip(f"Dovecot tests skipped: {reason}")


@pytest.fixture(scope="session")
def dovecot(tls_cert: LocalhostCertificate) -> Iterator[DovecotServer]:
    _require_dovecot()
    server = DovecotServer(tls_cert)
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture
def imap_account(dovecot: DovecotServer) -> ImapAccount:
    return dovecot.add_user()


@pytest.fixture(scope="session")
def token_server() -> Iterator[TokenServer]:
    server = TokenServer(client_id="assistant-test-client")
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _dovecot_for_tokens(
    cert: LocalhostCertificate, tokens: TokenServer, mechanisms: str
) -> Iterator[DovecotServer]:
    _require_dovecot()
    server = DovecotServer(cert, introspection_url=tokens.introspection_url, mechanisms=mechanisms)
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def dovecot_oauth(
    tls_cert: LocalhostCertificate, token_server: TokenServer
) -> Iterator[DovecotServer]:
    yield from _dovecot_for_tokens(tls_cert, token_server, "xoauth2 oauthbearer")


@pytest.fixture(scope="session")
def dovecot_xoauth2_only(
    tls_cert: LocalhostCertificate, token_server: TokenServer
) -> Iterator[DovecotServer]:
    """Like Microsoft 365: XOAUTH2, no OAUTHBEARER."""
    yield from _dovecot_for_tokens(tls_cert, token_server, "xoauth2")


@pytest.fixture
def oauth_account(dovecot_oauth: DovecotServer, token_server: TokenServer) -> ImapAccount:
    account = dovecot_oauth.add_user()
    token_server.person = account.user
    token_server.lifetime = 3600.0
    return account


@pytest.fixture
def smtp_server_oauth(token_server: TokenServer) -> Iterator[SmtpServer]:
    yield from _running(SmtpServer(tokens=token_server))


def _running(server: SmtpServer) -> Iterator[SmtpServer]:
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    yield from _running(SmtpServer(user=SMTP_USER, password=SMTP_PASSWORD))


@pytest.fixture
def smtp_server_starttls(tls_cert: LocalhostCertificate) -> Iterator[SmtpServer]:
    server = SmtpServer(
        user=SMTP_USER, password=SMTP_PASSWORD, tls_context=tls_cert.server_context()
    )
    yield from _running(server)


@pytest.fixture
def smtp_server_tls(tls_cert: LocalhostCertificate) -> Iterator[SmtpServer]:
    server = SmtpServer(
        user=SMTP_USER,
        password=SMTP_PASSWORD,
        tls_context=tls_cert.server_context(),
        implicit_tls=True,
    )
    yield from _running(server)


@pytest.fixture
def webhook_server() -> Iterator[WebhookServer]:
    server = WebhookServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def llm_server() -> Iterator[LlmServer]:
    server = LlmServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def local_model(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalModelServer]:
    reason = local_model_unavailable_reason()
    if reason is not None:
        if os.environ.get("CI"):
            pytest.fail(f"the local model server is required on CI: {reason}", pytrace=False)
        pytest.skip(f"local model tests skipped: {reason}")
    server = LocalModelServer(tmp_path_factory.mktemp("local-model") / "server.log")
    server.start()
    try:
        yield server
    finally:
        server.stop()
