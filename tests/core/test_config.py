"""Settings: the documented names and defaults, and one clear line when wrong."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from core.config import Provider, Security, Settings, Structured, load_settings
from core.errors import ConfigError
from core.mail.oauth import oauth_app
from core.models import Intent

ROOT = Path(__file__).resolve().parents[2]


def test_defaults_are_the_original_ones() -> None:
    s = load_settings(None)
    assert (s.concurrency, s.poll_interval, s.max_retries, s.unread_days_back) == (2, 2.0, 2, 1)
    assert (s.imap_port, s.imap_security, s.smtp_port, s.smtp_security) == (
        993,
        Security.SSL,
        465,
        Security.SSL,
    )
    assert s.provider is Provider.OFFLINE
    assert s.auto_send == [] and s.auto_send_min_confidence == 0.8
    assert (s.openai_structured, s.openai_max_tokens) == (Structured.AUTO, 1024)


def test_the_structured_output_mode_can_be_pinned(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_STRUCTURED", "json_object")
    monkeypatch.setenv("OPENAI_MAX_TOKENS", "512")
    s = load_settings(None)
    assert (s.openai_structured, s.openai_max_tokens) == (Structured.JSON_OBJECT, 512)


def test_ports_follow_the_security_unless_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IMAP_SECURITY", "starttls")
    monkeypatch.setenv("SMTP_SECURITY", "starttls")
    s = load_settings(None)
    assert (s.imap_port, s.smtp_port) == (143, 587)
    monkeypatch.setenv("SMTP_PORT", "2525")
    assert load_settings(None).smtp_port == 2525


def test_auto_send_is_comma_separated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUTO_SEND", "rent, general")
    assert load_settings(None).auto_send == [Intent.RENT, Intent.GENERAL]


def test_key_turns_the_openai_provider_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    assert load_settings(None).provider is Provider.OPENAI


def test_secrets_do_not_show(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IMAP_PASSWORD", "hunter2-imap")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-hunter2")
    s = load_settings(None)
    assert "hunter2" not in repr(s) and "hunter2" not in str(s.model_dump())


@pytest.mark.parametrize(
    ("key", "value", "named"),
    [
        ("IMAP_PORT", "abc", "IMAP_PORT"),
        ("AUTO_SEND", "rent,plumbing", "AUTO_SEND"),
        ("IMAP_SECURITY", "tls", "IMAP_SECURITY"),
        ("CONCURRENCY", "0", "CONCURRENCY"),
        ("OPENAI_STRUCTURED", "grammar", "OPENAI_STRUCTURED"),
        ("OPENAI_MAX_TOKENS", "10", "OPENAI_MAX_TOKENS"),
    ],
)
def test_invalid_values_name_the_key(
    monkeypatch: pytest.MonkeyPatch, key: str, value: str, named: str
) -> None:
    monkeypatch.setenv(key, value)
    with pytest.raises(ConfigError, match=named):
        load_settings(None)


def test_cli_reports_bad_settings_in_one_line_with_status_2(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "IMAP_PORT": "not-a-port", "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-m", "console", "--headless", "--once"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "configuration error: invalid setting IMAP_PORT: Input should be a valid integer, "
        "unable to parse string as an integer"
    ]


def test_cli_names_missing_mail_settings(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-m", "console", "--headless", "--once"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "IMAP_HOST" in result.stderr and "Traceback" not in result.stderr


def test_oauth_needs_a_provider_and_an_app_instead_of_a_password(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for key, value in {
        "IMAP_HOST": "outlook.office365.com",
        "IMAP_USER": "office@example.com",
        "SMTP_HOST": "smtp.office365.com",
        "MAIL_FROM": "office@example.com",
        "MAIL_AUTH": "oauth2",
    }.items():
        monkeypatch.setenv(key, value)
    assert load_settings(None).missing_mail_settings() == [
        "OAUTH_PROVIDER",
        "OAUTH_CLIENT_ID",
        "SMTP_USER",
    ]
    monkeypatch.setenv("OAUTH_PROVIDER", "generic")
    monkeypatch.setenv("OAUTH_CLIENT_ID", "app")
    monkeypatch.setenv("SMTP_USER", "office@example.com")
    assert load_settings(None).missing_mail_settings() == [
        "OAUTH_TOKEN_URL",
        "OAUTH_SCOPES",
        "OAUTH_DEVICE_URL or OAUTH_AUTHORIZE_URL",
    ]


def test_provider_presets_ask_for_the_mail_scopes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAIL_AUTH", "oauth2")
    monkeypatch.setenv("OAUTH_CLIENT_ID", "app")
    monkeypatch.setenv("OAUTH_CLIENT_SECRET", "hunter2-client")
    monkeypatch.setenv("OAUTH_PROVIDER", "microsoft")
    monkeypatch.setenv("OAUTH_TENANT", "contoso.example")
    microsoft = oauth_app(load_settings(None))
    assert microsoft.flow == "device"
    assert microsoft.device_url == (
        "https://login.microsoftonline.com/contoso.example/oauth2/v2.0/devicecode"
    )
    assert microsoft.scopes == (
        "https://outlook.office.com/IMAP.AccessAsUser.All",
        "https://outlook.office.com/SMTP.Send",
        "offline_access",
    )
    monkeypatch.setenv("OAUTH_PROVIDER", "google")
    google = oauth_app(load_settings(None))
    assert (google.flow, google.scopes) == ("loopback", ("https://mail.google.com/",))
    assert ("access_type", "offline") in google.authorize_params
    assert "hunter2" not in repr(google) and "hunter2" not in repr(load_settings(None))


def test_every_setting_is_in_env_example_and_the_operations_guide() -> None:
    """A person configures from `.env.example` and the operations guide's table of
    settings: neither may miss a key."""
    root = Path(__file__).resolve().parents[2]
    example = (root / ".env.example").read_text()
    readme = (root / "docs" / "operations.md").read_text()
    names = [name.upper() for name in Settings.model_fields]
    assert [n for n in names if not re.search(rf"^#?\s*{n}=", example, re.MULTILINE)] == []
    assert [n for n in names if f"`{n}`" not in readme] == []
