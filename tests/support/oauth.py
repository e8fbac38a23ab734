"""A small OAuth 2.0 authorization server on 127.0.0.1 for integration tests.

:class:`TokenServer` runs ``http.server`` in its own thread (Dovecot, another
process, asks it about tokens; so does the test SMTP server, in its thread).
It plays the provider's side of everything the assistant does:

- ``POST /devicecode`` and ``GET /device?user_code=…`` (the page where a
  person enters the code: visiting it signs in :attr:`person`), RFC 8628;
- ``GET /authorize`` (PKCE S256 required): signs in :attr:`person` and
  redirects to the client's loopback ``redirect_uri`` with a code;
- ``POST /token``: the ``authorization_code``, ``device_code`` and
  ``refresh_token`` grants; refresh tokens rotate (the old one stops working);
- ``POST /introspect``: RFC 7662 answers for Dovecot's ``oauth2`` passdb.

On the test's command it expires access tokens (:meth:`expire_access_tokens`)
and revokes refresh tokens (:meth:`revoke`); it counts the requests to each
endpoint (:attr:`requests`), the grants it served (:attr:`grants`) and the
access tokens it refused (:attr:`refusals`).
Access tokens last :attr:`lifetime` seconds (an hour by default).
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from collections import Counter
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

HOST = "127.0.0.1"
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"


@dataclass
class _Access:
    user: str
    expires_at: float


@dataclass
class _Pending:
    """A device code or an authorization code, until it is exchanged."""

    client_id: str
    user: str | None = None
    redirect_uri: str = ""
    challenge: str = ""


class TokenServer:
    """An authorization server of the tests; see the module docstring."""

    def __init__(self, *, client_id: str = "test-client", client_secret: str = "") -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.person = ""  # who signs in at the device and authorization pages
        self.lifetime = 3600.0
        self.device_interval = 0.05
        self.grants: Counter[str] = Counter()
        self.requests: Counter[str] = Counter()
        self.refusals = 0
        self._lock = threading.Lock()
        self._access: dict[str, _Access] = {}
        self._refresh: dict[str, str] = {}  # refresh token → user
        self._devices: dict[str, _Pending] = {}  # device code → pending
        self._user_codes: dict[str, str] = {}  # user code → device code
        self._codes: dict[str, _Pending] = {}  # authorization code → pending
        self._http = ThreadingHTTPServer((HOST, 0), _handler_for(self))
        self._thread = threading.Thread(target=self._http.serve_forever, daemon=True)

    # -- lifecycle and addresses ---------------------------------------------

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._http.shutdown()
        self._http.server_close()

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self._http.server_address[1]}"

    @property
    def token_url(self) -> str:
        return self.base_url + "/token"

    @property
    def device_url(self) -> str:
        return self.base_url + "/devicecode"

    @property
    def authorize_url(self) -> str:
        return self.base_url + "/authorize"

    @property
    def introspection_url(self) -> str:
        return self.base_url + "/introspect"

    # -- the tests' commands -------------------------------------------------

    def issue(self, user: str) -> dict[str, Any]:
        """Tokens for `user` as if they had signed in (what `login` would store)."""
        with self._lock:
            return self._new_tokens(user)

    def expire_access_tokens(self, user: str) -> None:
        with self._lock:
            for access in self._access.values():
                if access.user == user:
                    access.expires_at = 0.0

    def revoke(self, user: str) -> None:
        """Every token of `user` stops working (a password change, an admin's revocation)."""
        self.expire_access_tokens(user)
        with self._lock:
            for token in [t for t, owner in self._refresh.items() if owner == user]:
                del self._refresh[token]

    def owner(self, access_token: str) -> str | None:
        """Who the access token is for, while it is valid; counts refusals."""
        with self._lock:
            access = self._access.get(access_token)
            if access is None or access.expires_at <= time.time():
                self.refusals += 1
                return None
            return access.user

    def secrets_issued(self) -> list[str]:
        """Every access and refresh token handed out so far."""
        with self._lock:
            return [*self._access, *self._refresh]

    # -- grants (called by the request handler, under no lock) ----------------

    def _new_tokens(self, user: str) -> dict[str, Any]:
        access, refresh = "at-" + secrets.token_urlsafe(24), "rt-" + secrets.token_urlsafe(24)
        self._access[access] = _Access(user, time.time() + self.lifetime)
        self._refresh[refresh] = user
        return {
            "access_token": access,
            "refresh_token": refresh,
            "token_type": "Bearer",
            "expires_in": self.lifetime,
        }

    def token_grant(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        if form.get("client_id") != self.client_id or (
            self.client_secret and form.get("client_secret") != self.client_secret
        ):
            return 401, {"error": "invalid_client"}
        grant = form.get("grant_type", "")
        with self._lock:
            user, error = self._grant_user(grant, form)
            if user is None:
                return 400, {"error": error}
            self.grants[grant] += 1
            return 200, self._new_tokens(user)

    def _grant_user(self, grant: str, form: dict[str, str]) -> tuple[str | None, str]:
        if grant == "refresh_token":
            user = self._refresh.pop(form.get("refresh_token", ""), None)  # rotates
            return user, "invalid_grant"
        if grant == DEVICE_GRANT:
            pending = self._devices.get(form.get("device_code", ""))
            if pending is None:
                return None, "expired_token"
            if pending.user is None:
                return None, "authorization_pending"
            del self._devices[form["device_code"]]
            return pending.user, ""
        if grant == "authorization_code":
            pending = self._codes.pop(form.get("code", ""), None)
            verifier = form.get("code_verifier", "")
            if pending is None or pending.redirect_uri != form.get("redirect_uri"):
                return None, "invalid_grant"
            if _s256(verifier) != pending.challenge:
                return None, "invalid_grant"
            return pending.user, ""
        return None, "unsupported_grant_type"

    def device_authorization(self, form: dict[str, str]) -> dict[str, Any]:
        device_code, user_code = secrets.token_urlsafe(16), secrets.token_hex(4).upper()
        with self._lock:
            self._devices[device_code] = _Pending(form.get("client_id", ""))
            self._user_codes[user_code] = device_code
        uri = self.base_url + "/device"
        return {
            "device_code": device_code,
            "user_code": user_code,
            "verification_uri": uri,
            "expires_in": 900,
            "interval": self.device_interval,
            "message": f"To sign in, open the page {uri} and enter the code {user_code}.",
        }

    def enter_user_code(self, user_code: str) -> bool:
        with self._lock:
            pending = self._devices.get(self._user_codes.pop(user_code, ""))
            if pending is None:
                return False
            pending.user = self.person
            return True

    def authorize(self, query: dict[str, str]) -> str | None:
        """Where the browser goes next: the client's redirect URI with a code, or None."""
        redirect_uri = query.get("redirect_uri", "")
        if query.get("client_id") != self.client_id or query.get("code_challenge_method") != "S256":
            return None
        if not redirect_uri.startswith("http://127.0.0.1:"):
            return None
        code = secrets.token_urlsafe(16)
        with self._lock:
            self._codes[code] = _Pending(
                self.client_id, self.person, redirect_uri, query.get("code_challenge", "")
            )
        return redirect_uri + "?" + urlencode({"code": code, "state": query.get("state", "")})


def _s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _handler_for(server: TokenServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            path = urlsplit(self.path).path
            server.requests[path] += 1
            if path == "/token":
                self._json(*server.token_grant(form))
            elif path == "/devicecode":
                self._json(200, server.device_authorization(form))
            elif path == "/introspect":
                user = server.owner(form.get("token", ""))
                self._json(200, {"active": True, "username": user} if user else {"active": False})
            else:
                self._json(404, {"error": "not_found"})

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(parts.query).items()}
            if parts.path == "/device":
                entered = server.enter_user_code(query.get("user_code", ""))
                self._text(200 if entered else 400, "signed in" if entered else "unknown code")
            elif parts.path == "/authorize" and (target := server.authorize(query)):
                self.send_response(302)
                self.send_header("Location", target)
                self.send_header("Content-Length", "0")
                self.end_headers()
            else:
                self._text(400, "bad request")

        def _json(self, status: int, body: dict[str, Any]) -> None:
            self._send(status, json.dumps(body).encode(), "application/json")

        def _text(self, status: int, body: str) -> None:
            self._send(status, body.encode(), "text/plain")

        def _send(self, status: int, body: bytes, kind: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # quiet: the tests assert on behaviour, not on access logs

    return Handler
