"""Signing webhooks as the Standard Webhooks specification says.

    webhook-signature: v1,<base64 of HMAC-SHA256(key, "<webhook-id>.<webhook-timestamp>.<body>")>

The key is the secret `whsec_<base64>`, decoded. Receivers verify with the
specification's own libraries (`standardwebhooks` for Python).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac

from core.errors import ConfigError

SECRET_PREFIX = "whsec_"
MAKE_A_SECRET = (
    'python -c "import base64, secrets; '
    "print('whsec_' + base64.b64encode(secrets.token_bytes(32)).decode())\""
)


def secret_key(secret: str, setting: str) -> bytes:
    """The key of a `whsec_` secret; a clear error naming the setting otherwise."""
    try:
        key = base64.b64decode(secret.strip().removeprefix(SECRET_PREFIX), validate=True)
    except (binascii.Error, ValueError):
        key = b""
    if not key:
        raise ConfigError(
            f"{setting}: not a whsec_ secret (base64 after whsec_); make one: {MAKE_A_SECRET}"
        )
    return key


def sign(key: bytes, event_id: str, timestamp: int, body: str) -> str:
    """The `webhook-signature` header for one message."""
    signed = f"{event_id}.{timestamp}.{body}".encode()
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
