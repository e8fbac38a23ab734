"""`python -m console login` and `logout`, as a person at a terminal runs them."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
import urllib.request
from pathlib import Path

from tests.support.oauth import TokenServer

ROOT = Path(__file__).resolve().parents[2]


def environment(tokens: TokenServer, output: Path, **extra: str) -> dict[str, str]:
    env = {
        "PATH": os.environ["PATH"],
        "PYTHONPATH": str(ROOT),
        "MAIL_AUTH": "oauth2",
        "OAUTH_CLIENT_ID": tokens.client_id,
        "OAUTH_TOKEN_URL": tokens.token_url,
        "OUTPUT_DIR": str(output),
    }
    env.update(extra)
    return env


def start(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "console", *args],
        env=env,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
    )


def read_until(process: subprocess.Popen[str], pattern: str) -> re.Match[str]:
    assert process.stdout is not None
    seen = []
    for line in process.stdout:
        seen.append(line)
        found = re.search(pattern, line)
        if found:
            return found
    raise AssertionError(f"never printed {pattern!r}: {''.join(seen)}")


def finish(process: subprocess.Popen[str]) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=30)
    return process.returncode, out, err


def stored(output: Path) -> dict[str, object]:
    path = output / "oauth-token.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # nobody else can read it
    record: dict[str, object] = json.loads(path.read_text())
    return record


def test_device_code_sign_in_for_microsoft_stores_a_private_token(
    token_server: TokenServer, tmp_path: Path
) -> None:
    token_server.person = "office@example.com"
    env = environment(
        token_server,
        tmp_path / "output",
        OAUTH_PROVIDER="microsoft",
        OAUTH_DEVICE_URL=token_server.device_url,
    )
    login = start(["login"], env, tmp_path)
    prompt = read_until(login, r"open the page (\S+) and enter the code (\w+)")
    page, code = prompt.groups()
    with urllib.request.urlopen(f"{page}?user_code={code}", timeout=10) as signed_in:
        assert signed_in.status == 200  # the person entered the code
    status, out, err = finish(login)
    assert status == 0, err
    assert "signed in to Microsoft 365" in out and "readable only by you" in out
    record = stored(tmp_path / "output")
    token = record["token"]
    assert isinstance(token, dict) and token["refresh_token"] in token_server.secrets_issued()
    assert token["refresh_token"] not in out + err and token["access_token"] not in out + err


def test_loopback_sign_in_for_google_follows_the_printed_address(
    token_server: TokenServer, tmp_path: Path
) -> None:
    token_server.person = "office@example.com"
    env = environment(
        token_server,
        tmp_path / "output",
        OAUTH_PROVIDER="google",
        OAUTH_AUTHORIZE_URL=token_server.authorize_url,
        OAUTH_CLIENT_SECRET="google-installed-app-secret",
    )
    token_server.client_secret = "google-installed-app-secret"
    try:
        login = start(["login"], env, tmp_path)
        address = read_until(login, r"^(http\S+)$").group(1)
        assert "access_type=offline" in address and "code_challenge_method=S256" in address
        # The browser: the provider signs the person in and sends it back to 127.0.0.1.
        with urllib.request.urlopen(address, timeout=10) as back:
            assert back.url.startswith("http://127.0.0.1:")
            assert "Signed in" in back.read().decode()
        status, out, err = finish(login)
    finally:
        token_server.client_secret = ""
    assert status == 0, err
    assert "signed in to Google" in out
    token = stored(tmp_path / "output")["token"]
    assert isinstance(token, dict) and token["refresh_token"] in token_server.secrets_issued()
    assert "google-installed-app-secret" not in out + err


def test_logout_forgets_the_sign_in(token_server: TokenServer, tmp_path: Path) -> None:
    output = tmp_path / "output"
    output.mkdir()
    (output / "oauth-token.json").write_text("{}")
    env = environment(token_server, output, OAUTH_PROVIDER="microsoft")
    first = subprocess.run(
        [sys.executable, "-m", "console", "logout"], env=env, cwd=tmp_path, capture_output=True
    )
    again = subprocess.run(
        [sys.executable, "-m", "console", "logout"], env=env, cwd=tmp_path, capture_output=True
    )
    assert first.returncode == 0 and b"signed out" in first.stdout
    assert not (output / "oauth-token.json").exists()
    assert again.returncode == 0 and b"not signed in" in again.stdout


def test_login_needs_oauth_settings_and_says_which(
    token_server: TokenServer, tmp_path: Path
) -> None:
    env = environment(token_server, tmp_path, MAIL_AUTH="password")
    password = subprocess.run(
        [sys.executable, "-m", "console", "login"], env=env, cwd=tmp_path, capture_output=True
    )
    generic = subprocess.run(
        [sys.executable, "-m", "console", "login"],
        env=environment(token_server, tmp_path, OAUTH_PROVIDER="generic"),
        cwd=tmp_path,
        capture_output=True,
    )
    assert password.returncode == 2 and password.stderr.count(b"\n") == 1
    assert b"MAIL_AUTH=oauth2" in password.stderr
    assert generic.returncode == 2 and b"OAUTH_SCOPES" in generic.stderr
