"""The exception tree of the core.

    AssistantError            every error the core raises on purpose
    ├── ConfigError           a setting or data file is missing or invalid (exit status 2)
    ├── InboxError            IMAP failed; `retryable` when a reconnect may help
    ├── TriageError           the model failed or answered out of schema; `unavailable`
    │   │                     when the server itself failed (5xx, 429, timeout, no link)
    │   └── ModelUnavailable  the model failed too often in a row: nobody asks it
    │                         until its circuit lets one request through again
    ├── SendError             SMTP refused or failed; `retryable` for 4xx and dropped
    │                         links, `unreachable` when the server itself cannot be had
    ├── TicketError           a ticket could not be written
    ├── AuthError             OAuth 2.0 sign-in failed (token refused, token endpoint
    │   │                     unreachable: `retryable`); nothing was fetched or sent
    │   └── SignInRequired    no sign-in is stored, or the provider refused it:
    │                         a person must run `python -m console login`
    └── StoreError            the state store refused an operation
        └── InvalidTransition an item cannot move from its state to the one asked
            └── StaleItem     an operator acted on a version of the item that is out of date

Each error names the pipeline stage it comes from and whether trying again can
help, so the pipeline decides retries from the type, and the operator sees
`str(error)` on the item: a sentence, never a traceback.
"""

from __future__ import annotations

from datetime import datetime


class AssistantError(Exception):
    """Base class: carries the stage and whether a retry can help."""

    stage = "core"

    def __init__(self, message: str, *, retryable: bool = False) -> None:
        super().__init__(message)
        self.retryable = retryable


class ConfigError(AssistantError):
    stage = "config"


class InboxError(AssistantError):
    stage = "inbox"


class TriageError(AssistantError):
    stage = "triage"

    def __init__(
        self,
        message: str,
        *,
        retryable: bool = False,
        retry_after: float | None = None,
        retry_limit: int | None = None,
        unavailable: bool = False,
    ) -> None:
        super().__init__(message, retryable=retryable or unavailable)
        # Seconds the server asked us to wait (HTTP Retry-After), when it said.
        self.retry_after = retry_after
        # At most this many retries for this kind of failure (an answer cut off at the
        # token limit rarely fits on a second try, never on a third), when it is fewer.
        self.retry_limit = retry_limit
        # The server itself failed (down, overloaded, rate-limited, too slow), rather
        # than giving an unusable answer for this one email.
        self.unavailable = unavailable


class ModelUnavailable(TriageError):
    """The model's circuit is open: no request is made until `next_try`."""

    def __init__(self, message: str, next_try: datetime) -> None:
        super().__init__(message)
        self.next_try = next_try


class SendError(AssistantError):
    stage = "send"

    def __init__(
        self,
        message: str,
        *,
        retryable: bool = False,
        unreachable: bool = False,
        in_doubt: bool = False,
    ) -> None:
        super().__init__(message, retryable=(retryable or unreachable) and not in_doubt)
        # The server could not be reached or dropped us (not one message's fault):
        # the other replies should not try it either until it answers again.
        self.unreachable = unreachable
        # The message was handed over and the server never confirmed it: it may have
        # gone out, so sending it again may send it twice. A person decides.
        self.in_doubt = in_doubt


class TicketError(AssistantError):
    stage = "ticket"


class AuthError(AssistantError):
    """Signing in to the mail servers by token failed; the item in hand is not at fault."""

    stage = "auth"


class SignInRequired(AuthError):
    """Nothing works until a person signs in again (`python -m console login`)."""


class StoreError(AssistantError):
    stage = "store"


class InvalidTransition(StoreError):
    """An operator or the pipeline asked for a state change the lifecycle forbids."""


class StaleItem(InvalidTransition):
    """The item changed after the operator was shown it: nothing was done.

    Commands carry the version the operator saw (as an HTTP `If-Match` carries an
    ETag), so what is approved is always what was on screen.
    """

    def __init__(self, item_id: int, seen: int, current: int, state: str) -> None:
        super().__init__(
            f"#{item_id} changed since you saw it (now {state.replace('_', ' ')}); "
            "nothing was done: look at the new version first"
        )
        self.item_id = item_id
        self.seen = seen
        self.current = current
