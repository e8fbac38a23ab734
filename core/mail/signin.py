"""`python -m console login`: a person at a terminal signs in; the result is stored.

Two flows, both driven by authlib's client (`core.mail.oauth.token_client`):

- device code (RFC 8628; Microsoft): the terminal shows a short code and an
  address; the person enters the code there, on any device, while this end
  asks the token endpoint at the interval the provider gave;
- installed app with a loopback redirect (RFC 8252; Google): the terminal
  shows the address to open; the provider sends the browser back to a
  one-shot listener on 127.0.0.1, and the code is exchanged with PKCE.

Only the refresh and access tokens are stored (`core.mail.tokens`); nothing of the
exchange is printed except the address and the code the person needs.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx2
from authlib.common.errors import AuthlibBaseError
from authlib.common.security import generate_token
from authlib.integrations.httpx_client import AsyncOAuth2Client

from core.errors import AuthError
from core.mail.oauth import OAuthApp, token_client
from core.mail.tokens import TokenStore, describe_oauth_error, endpoint, sign_in_record

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
SIGN_IN_SECONDS = 900.0  # how long a person has to finish signing in
_PAGE = b"Signed in. You can close this window and return to the terminal.\n"

Say = Callable[[str], None]


async def sign_in(
    app: OAuthApp, store: TokenStore, say: Say, *, timeout: float = SIGN_IN_SECONDS
) -> str:
    """Run the provider's flow, store the sign-in, and return where it is kept."""
    flow = device_flow if app.flow == "device" else loopback_flow
    try:
        token = await flow(app, say, timeout)
    except httpx2.HTTPError as exc:
        raise AuthError(
            f"cannot reach {app.label} ({endpoint(app.flow_url)}): "
            f"{str(exc) or type(exc).__name__}",
            retryable=True,
        ) from None
    except AuthlibBaseError as exc:
        raise AuthError(f"{app.label} refused the sign-in: {describe_oauth_error(exc)}") from None
    await asyncio.to_thread(store.save, sign_in_record(app, token))
    return store.location


async def sign_out(store: TokenStore) -> bool:
    """Forget the stored sign-in; False when there was none."""
    return await asyncio.to_thread(store.delete)


# --- device code ------------------------------------------------------------------------


async def device_flow(app: OAuthApp, say: Say, timeout: float) -> dict[str, Any]:
    async with token_client(app) as client:
        grant = await _device_authorization(client, app)
        uri = grant.get("verification_uri") or grant.get("verification_url", "")
        say(
            grant.get("message")
            or f"To sign in, open {uri} and enter the code {grant['user_code']}"
        )
        interval = float(grant.get("interval") or 5)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + min(timeout, float(grant.get("expires_in") or timeout))
        while loop.time() < deadline:
            await asyncio.sleep(interval)
            try:
                token = await client.fetch_token(
                    app.token_url, grant_type=DEVICE_GRANT, device_code=grant["device_code"]
                )
                return dict(token)
            except AuthlibBaseError as exc:
                if exc.error == "slow_down":
                    interval += 5  # RFC 8628 section 3.5
                elif exc.error != "authorization_pending":
                    raise
    raise AuthError("the code was not entered in time: run python -m console login again")


async def _device_authorization(client: AsyncOAuth2Client, app: OAuthApp) -> dict[str, Any]:
    response = await client.request(
        "POST",
        app.device_url,
        data={"client_id": app.client_id, "scope": " ".join(app.scopes)},
        withhold_token=True,
    )
    try:
        grant = response.json()
    except ValueError:
        grant = None
    if not isinstance(grant, dict) or "device_code" not in grant:
        words = grant.get("error_description") or grant.get("error") if grant else None
        raise AuthError(
            f"{app.label} did not start the sign-in (HTTP {response.status_code}"
            f"{': ' + str(words).splitlines()[0] if words else ''})"
        )
    return grant


# --- installed app, loopback redirect ---------------------------------------------------


async def loopback_flow(app: OAuthApp, say: Say, timeout: float) -> dict[str, Any]:
    loop = asyncio.get_running_loop()
    arrived: asyncio.Future[str] = loop.create_future()
    server = await asyncio.start_server(
        functools.partial(_receive_redirect, arrived), "127.0.0.1", 0
    )
    redirect_uri = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/"
    verifier = generate_token(64)
    async with (
        server,
        token_client(app, redirect_uri=redirect_uri, code_challenge_method="S256") as client,
    ):
        url, state = client.create_authorization_url(
            app.authorize_url, code_verifier=verifier, **dict(app.authorize_params)
        )
        say(f"Open this address in a browser and sign in to {app.label}:")
        say(url)
        try:
            target = await asyncio.wait_for(arrived, timeout)
        except asyncio.TimeoutError:
            raise AuthError("nobody signed in in time: run python -m console login again") from None
        answer = parse_qs(urlsplit(target).query)
        if "error" in answer:
            words = answer.get("error_description", answer["error"])[0]
            raise AuthError(f"{app.label} refused the sign-in: {answer['error'][0]}: {words}")
        token = await client.fetch_token(
            app.token_url,
            authorization_response=redirect_uri.rstrip("/") + target,
            code_verifier=verifier,
            state=state,
        )
    return dict(token)


async def _receive_redirect(
    arrived: asyncio.Future[str], reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    """Answer one browser request; the first one carrying `code` or `error` is the answer."""
    try:
        request_line = await asyncio.wait_for(reader.readline(), 10)
        while (await asyncio.wait_for(reader.readline(), 10)) not in (b"\r\n", b"\n", b""):
            pass  # headers: nothing in them matters here
        parts = request_line.decode("latin-1").split()
        target = parts[1] if len(parts) == 3 else ""
        query = parse_qs(urlsplit(target).query)
        if urlsplit(target).path == "/" and ("code" in query or "error" in query):
            if not arrived.done():
                arrived.set_result(target)
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\n")
            writer.write(b"Connection: close\r\nContent-Length: %d\r\n\r\n" % len(_PAGE) + _PAGE)
        else:
            writer.write(
                b"HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
            )
        await writer.drain()
    except (OSError, asyncio.TimeoutError, UnicodeError):
        pass
    finally:
        writer.close()
