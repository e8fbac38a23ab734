"""SASL by bearer token: XOAUTH2 (Google, Microsoft) and OAUTHBEARER (RFC 7628).

The initial responses are pure functions. `imap_authenticate` runs IMAP
`AUTHENTICATE` on an aioimaplib connection: aioimaplib sends the initial
response, but a refusal arrives as a continuation (`+ <base64 JSON>`) that
expects an answer before the server says NO, and aioimaplib would wait for
that NO until its timeout. The command here answers it at once, and never
prints its arguments (they hold the token).
"""

from __future__ import annotations

import asyncio
import base64
import re
from collections.abc import Callable
from typing import Any, Protocol

import aioimaplib

XOAUTH2 = "XOAUTH2"
OAUTHBEARER = "OAUTHBEARER"
_CAPABILITY = re.compile(rb"\[CAPABILITY ([^\]]*)\]")
# What the client answers to an error challenge: XOAUTH2 an empty line, RFC 7628 ^A.
_ABORT = {XOAUTH2: b"", OAUTHBEARER: base64.b64encode(b"\x01")}


class BearerTokens(Protocol):
    """Where a connection gets its access token (`core.mail.tokens.TokenSource`)."""

    async def access_token(self) -> str: ...
    async def renew(self, refused: str) -> str: ...


def xoauth2_response(user: str, token: str) -> bytes:
    return f"user={user}\x01auth=Bearer {token}\x01\x01".encode()


def oauthbearer_response(user: str, token: str, host: str, port: int) -> bytes:
    """RFC 7628 section 3.1; the authorization identity is the mailbox user."""
    name = user.replace("=", "=3D").replace(",", "=2C")
    return f"n,a={name},\x01host={host}\x01port={port}\x01auth=Bearer {token}\x01\x01".encode()


def choose_mechanism(capabilities: set[str]) -> str | None:
    """OAUTHBEARER where the server offers it, else XOAUTH2; None when it offers neither."""
    for mechanism in (OAUTHBEARER, XOAUTH2):
        if f"AUTH={mechanism}" in capabilities:
            return mechanism
    return None


class _Authenticate(aioimaplib.Command):  # type: ignore[misc]
    """AUTHENTICATE that answers the server's continuations itself."""

    def __init__(
        self,
        tag: str,
        mechanism: str,
        initial: str,
        *,
        sasl_ir: bool,
        write: Callable[[bytes], None],
        loop: asyncio.AbstractEventLoop,
    ) -> None:
        args = (mechanism, initial) if sasl_ir else (mechanism,)
        super().__init__("AUTHENTICATE", tag, *args, loop=loop)
        self._answers = [initial.encode()] if not sasl_ir else []
        self._abort = _ABORT[mechanism]
        self._write = write
        self._answered = 0

    def __str__(self) -> str:  # what goes on the wire
        return str(aioimaplib.Command.__repr__(self))

    def __repr__(self) -> str:  # what aioimaplib's debug log shows
        return f"{self.tag} AUTHENTICATE {self.args[0]} [hidden]"

    def flush(self) -> None:
        asked = sum(1 for line in self._resp_lines if bytes(line).startswith(b"+"))
        while self._answered < asked:
            answer = self._answers.pop(0) if self._answers else self._abort
            self._write(answer + b"\r\n")
            self._answered += 1


async def imap_authenticate(
    client: aioimaplib.IMAP4, mechanism: str, initial: bytes, timeout: float
) -> Any:
    """Run AUTHENTICATE; returns aioimaplib's Response (check `result == "OK"`)."""
    protocol = client.protocol
    encoded = base64.b64encode(initial).decode("ascii")
    command = _Authenticate(
        protocol.new_tag(),
        mechanism,
        encoded,
        sasl_ir="SASL-IR" in protocol.capabilities,
        write=lambda data: protocol.transport.write(data),
        loop=protocol.loop,
    )
    response = await asyncio.wait_for(protocol.execute(command, scrub=encoded), timeout)
    if response.result == "OK":
        protocol.state = aioimaplib.AUTH
        for line in response.lines:
            found = (
                _CAPABILITY.search(bytes(line)) if isinstance(line, (bytes, bytearray)) else None
            )
            if found:
                protocol.capabilities = set(found.group(1).decode().split())
    return response
