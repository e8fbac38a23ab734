"""Which OAuth 2.0 application the assistant signs in with, and how to talk to it.

`oauth_app` turns the settings into an `OAuthApp`: the provider's endpoints
and the scopes mail needs (presets for Microsoft 365 and Google, explicit URLs
for anything else), and the sign-in flow a person at a terminal can use.
`token_client` builds the authlib client every token request goes through, so
the OAuth protocol itself is authlib's, not ours.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from authlib.integrations.httpx_client import AsyncOAuth2Client

from core.config import OAuthProvider, Settings
from core.errors import ConfigError

Flow = Literal["device", "loopback"]

MICROSOFT_LOGIN = "https://login.microsoftonline.com"
MICROSOFT_SCOPES = (
    "https://outlook.office.com/IMAP.AccessAsUser.All",
    "https://outlook.office.com/SMTP.Send",
    "offline_access",
)
GOOGLE_AUTHORIZE_URL = "https://accounts.google.com/o/oauth2/v2/auth"
GOOGLE_TOKEN_URL = "https://oauth2.googleapis.com/token"
GOOGLE_SCOPES = ("https://mail.google.com/",)
TOKEN_TIMEOUT_SECONDS = 30.0


@dataclass(frozen=True)
class OAuthApp:
    """An application registered with a provider, as the assistant uses it."""

    provider: OAuthProvider
    label: str  # for people: "Microsoft 365"
    client_id: str
    client_secret: str = field(repr=False)
    authorize_url: str
    token_url: str
    device_url: str
    scopes: tuple[str, ...]
    flow: Flow
    # Extra parameters of the authorization request (Google only issues a
    # refresh token for access_type=offline, and again only with consent).
    authorize_params: tuple[tuple[str, str], ...] = ()

    @property
    def flow_url(self) -> str:
        """Where the sign-in starts: the device endpoint or the authorization endpoint."""
        return self.device_url if self.flow == "device" else self.authorize_url


def oauth_app(settings: Settings) -> OAuthApp:
    """The application from the settings; explicit OAUTH_* URLs override a preset's."""
    provider = settings.oauth_provider
    if provider is None or not settings.oauth_client_id:
        raise ConfigError("MAIL_AUTH=oauth2 needs OAUTH_PROVIDER and OAUTH_CLIENT_ID")
    preset = _preset(provider, settings.oauth_tenant or "common")
    device_url = settings.oauth_device_url or preset.get("device_url", "")
    app = OAuthApp(
        provider=provider,
        label=preset["label"],
        client_id=settings.oauth_client_id,
        client_secret=settings.oauth_client_secret.get_secret_value(),
        authorize_url=settings.oauth_authorize_url or preset.get("authorize_url", ""),
        token_url=settings.oauth_token_url or preset.get("token_url", ""),
        device_url=device_url,
        scopes=tuple(settings.oauth_scopes) or preset.get("scopes", ()),
        flow=preset.get("flow") or ("device" if device_url else "loopback"),
        authorize_params=preset.get("authorize_params", ()),
    )
    _check(app)
    return app


def _preset(provider: OAuthProvider, tenant: str) -> dict[str, Any]:
    if provider is OAuthProvider.MICROSOFT:
        base = f"{MICROSOFT_LOGIN}/{tenant}/oauth2/v2.0"
        return {
            "label": "Microsoft 365",
            "authorize_url": f"{base}/authorize",
            "token_url": f"{base}/token",
            "device_url": f"{base}/devicecode",
            "scopes": MICROSOFT_SCOPES,
            "flow": "device",
        }
    if provider is OAuthProvider.GOOGLE:
        return {
            "label": "Google",
            "authorize_url": GOOGLE_AUTHORIZE_URL,
            "token_url": GOOGLE_TOKEN_URL,
            "scopes": GOOGLE_SCOPES,
            "flow": "loopback",
            "authorize_params": (("access_type", "offline"), ("prompt", "consent")),
        }
    return {"label": "the OAuth provider"}


def _check(app: OAuthApp) -> None:
    missing = [
        name
        for name, value in (
            ("OAUTH_TOKEN_URL", app.token_url),
            ("OAUTH_SCOPES", app.scopes),
            ("OAUTH_DEVICE_URL" if app.flow == "device" else "OAUTH_AUTHORIZE_URL", app.flow_url),
        )
        if not value
    ]
    if missing:
        raise ConfigError(f"OAUTH_PROVIDER={app.provider.value} needs {', '.join(missing)}")


def token_client(app: OAuthApp, **options: Any) -> AsyncOAuth2Client:
    """An authlib client for `app`'s token endpoint (close it after use).

    A client secret, when there is one, goes in the request body, as both
    Microsoft and Google document it; a public client sends only its ID.
    """
    return AsyncOAuth2Client(
        client_id=app.client_id,
        client_secret=app.client_secret or None,
        token_endpoint_auth_method="client_secret_post" if app.client_secret else "none",
        scope=" ".join(app.scopes),
        timeout=TOKEN_TIMEOUT_SECONDS,
        **options,
    )
