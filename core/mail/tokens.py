"""The stored sign-in and the access tokens IMAP and SMTP authenticate with.

`python -m console login` leaves a record in a `TokenStore`: a JSON file only
its owner can read (mode 0600) under OUTPUT_DIR, never `.env`, the log, the
state store or a ticket. `TokenSource` reads it when the record changes,
hands out the access token, renews it (through authlib) shortly before it
expires or once after a server refused it, and saves what the provider sends
back (Microsoft rotates refresh tokens). Its errors are one sentence each:

    SignInRequired   nothing stored, another application's record, or the provider
                     refused the refresh token (revoked, expired, password changed)
    AuthError        the token endpoint refused for another reason, or could not be
                     reached (`retryable`, like any connection failure)

After a refusal it does not ask the provider again until the record changes,
so a signed-out assistant sends nothing to the provider in a loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

import httpx2
from authlib.integrations.base_client import OAuthError
from authlib.oauth2.rfc6749 import OAuth2Token

from core.errors import AuthError, SignInRequired
from core.mail.oauth import OAuthApp, token_client

TOKEN_FILE = "oauth-token.json"
LOGIN_HINT = "run python -m console login"
# The provider refused the sign-in itself: only a person signing in again helps.
SIGN_IN_AGAIN = frozenset({"invalid_grant", "interaction_required", "login_required"})
RENEW_BEFORE_SECONDS = 60.0


class TokenStore(Protocol):
    """Where the sign-in record lives; blocking calls (run them in a thread)."""

    location: str

    def load(self) -> dict[str, Any] | None: ...
    def save(self, record: dict[str, Any]) -> None: ...
    def delete(self) -> bool: ...
    def version(self) -> object: ...


class FileTokenStore:
    """A JSON file readable and writable by its owner only (mode 0600)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.location = str(path)

    def load(self) -> dict[str, Any] | None:
        try:
            record = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            raise SignInRequired(
                f"cannot read the sign-in in {self.path} ({exc}): {LOGIN_HINT}"
            ) from None
        return record if isinstance(record, dict) else None

    def save(self, record: dict[str, Any]) -> None:
        """Replace the file atomically; it is never readable by others, not even briefly."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_name(self.path.name + ".partial")
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(record, out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, self.path)

    def delete(self) -> bool:
        try:
            self.path.unlink()
        except FileNotFoundError:
            return False
        return True

    def version(self) -> object:
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            return None
        return (stat.st_mtime_ns, stat.st_size, stat.st_ino)


def token_store(output_dir: Path) -> TokenStore:
    return FileTokenStore(output_dir / TOKEN_FILE)


def sign_in_record(app: OAuthApp, token: dict[str, Any]) -> dict[str, Any]:
    """What `login` stores: the token (with `expires_at`), and who issued it."""
    return {
        "provider": app.provider.value,
        "client_id": app.client_id,
        "token_url": app.token_url,
        "token": dict(OAuth2Token.from_dict(dict(token))),
    }


class TokenSource:
    """Access tokens for one signed-in mailbox, shared by IMAP and SMTP."""

    def __init__(
        self,
        app: OAuthApp,
        store: TokenStore,
        *,
        clock: Callable[[], float] = time.time,
        poll_seconds: float = 1.0,
    ) -> None:
        self.app = app
        self.store = store
        self.clock = clock
        self.poll_seconds = poll_seconds
        self._lock = asyncio.Lock()
        self._record: dict[str, Any] | None = None
        self._version: object = None
        self._refused: tuple[object, str] | None = None  # (record version, why)

    async def access_token(self) -> str:
        """A token that is valid for a while yet, renewed first if it is about to expire."""
        async with self._lock:
            token = (await self._current())["token"]
            if self._expires_soon(token):
                token = await self._renew()
            return str(token["access_token"])

    async def renew(self, refused: str) -> str:
        """A new token after a server refused `refused` (unless it was renewed meanwhile)."""
        async with self._lock:
            token = (await self._current())["token"]
            if token.get("access_token") != refused:
                return str(token["access_token"])
            return str((await self._renew())["access_token"])

    async def wait_for_change(self) -> None:
        """Return once the stored sign-in differs from the one last read (`login` ran)."""
        start = self._version
        while await asyncio.to_thread(self.store.version) == start:  # noqa: ASYNC110 (a file: no event)
            await asyncio.sleep(self.poll_seconds)

    # --- reading and renewing ---------------------------------------------------------

    async def _current(self) -> dict[str, Any]:
        version = await asyncio.to_thread(self.store.version)
        if self._record is None or version != self._version:
            self._record = await asyncio.to_thread(self.store.load)
            self._version = version
        record = self._record
        if record is None or not isinstance(record.get("token"), dict):
            raise SignInRequired(f"not signed in to {self.app.label}: {LOGIN_HINT}")
        if (record.get("client_id"), record.get("token_url")) != (
            self.app.client_id,
            self.app.token_url,
        ):
            raise SignInRequired(
                "the stored sign-in is for another application or endpoint "
                f"(OAUTH_CLIENT_ID or the token URL changed): {LOGIN_HINT}"
            )
        if self._refused is not None and self._refused[0] == version:
            raise SignInRequired(self._refused[1])
        return record

    def _expires_soon(self, token: dict[str, Any]) -> bool:
        expires_at = token.get("expires_at")
        if not isinstance(expires_at, (int, float)):
            return False
        lifetime = token.get("expires_in")
        margin = RENEW_BEFORE_SECONDS
        if isinstance(lifetime, (int, float)) and lifetime > 0:
            margin = min(margin, lifetime / 2)  # short-lived tokens are used for a while too
        return bool(expires_at - margin <= self.clock())

    async def _renew(self) -> dict[str, Any]:
        assert self._record is not None
        refresh_token = self._record["token"].get("refresh_token")
        if not refresh_token:
            raise SignInRequired(
                f"the sign-in to {self.app.label} has no refresh token: {LOGIN_HINT}"
            )
        token = await self._ask_for_token(str(refresh_token))
        token.setdefault("refresh_token", refresh_token)
        record = dict(self._record, token=token)
        await asyncio.to_thread(self.store.save, record)
        self._record, self._version = record, await asyncio.to_thread(self.store.version)
        return token

    async def _ask_for_token(self, refresh_token: str) -> dict[str, Any]:
        try:
            async with token_client(self.app) as client:
                token = await client.refresh_token(self.app.token_url, refresh_token=refresh_token)
        except OAuthError as exc:
            words = describe_oauth_error(exc)
            if exc.error in SIGN_IN_AGAIN:
                why = f"{self.app.label} refused the stored sign-in ({words}): {LOGIN_HINT}"
                self._refused = (self._version, why)
                raise SignInRequired(why) from None
            raise AuthError(f"the token endpoint refused to renew the sign-in: {words}") from None
        except (httpx2.HTTPError, ValueError) as exc:
            raise AuthError(
                f"cannot reach the token endpoint {endpoint(self.app.token_url)}: "
                f"{str(exc) or type(exc).__name__}",
                retryable=True,
            ) from None
        return dict(token)


def describe_oauth_error(exc: OAuthError) -> str:
    """`invalid_grant: AADSTS70008: The refresh token has expired…` (first line only)."""
    description = (exc.description or "").strip().splitlines()
    return f"{exc.error}: {description[0]}" if description else str(exc.error)


def endpoint(url: str) -> str:
    """Scheme, host and path of an endpoint (never a query string) for messages."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"
