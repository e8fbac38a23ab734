"""The auto-send policy: which intents may be answered without an operator.

Each intent is either draft-only (absent) or auto with a minimum confidence.
The policy lives in the store (the operator changes it at run time); the
`AUTO_SEND` setting only seeds it the first time. Only proposals whose action
code decided is `reply` can ever be auto-sent: unknown senders, emergencies,
open questions and safety flags all make the action `review` before this runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from core.models import Action, Intent, Proposal

# Automatic replies one sender can receive in a day before a person must look:
# a responder that ignores Auto-Submitted would otherwise ping-pong with us.
AUTO_REPLIES_PER_SENDER_PER_DAY = 3


@dataclass(frozen=True)
class AutoSendPolicy:
    thresholds: dict[Intent, float] = field(default_factory=dict)

    @classmethod
    def from_settings(cls, intents: list[Intent], min_confidence: float) -> AutoSendPolicy:
        return cls({intent: min_confidence for intent in intents})

    def allows(self, proposal: Proposal) -> bool:
        threshold = self.thresholds.get(proposal.intent)
        return (
            threshold is not None
            and proposal.action is Action.REPLY
            and proposal.confidence >= threshold
        )

    def why_held(self, proposal: Proposal) -> str:
        """Why a proposal waits for a person (the operator sees this on the item)."""
        if proposal.action is not Action.REPLY:
            return proposal.reason
        threshold = self.thresholds.get(proposal.intent)
        if threshold is None:
            return f"ready for review (auto-send is off for {proposal.intent.value})"
        return (
            f"ready for review (confidence {proposal.confidence:.2f} is below the auto-send "
            f"threshold {threshold:.2f})"
        )

    def with_intent(self, intent: Intent, threshold: float | None) -> AutoSendPolicy:
        """A copy with one intent set to auto (a threshold) or draft-only (None)."""
        thresholds = dict(self.thresholds)
        if threshold is None:
            thresholds.pop(intent, None)
        else:
            thresholds[intent] = threshold
        return AutoSendPolicy(thresholds)

    @property
    def enabled(self) -> bool:
        return bool(self.thresholds)

    def to_json(self) -> dict[str, float]:
        return {intent.value: value for intent, value in self.thresholds.items()}

    @classmethod
    def from_json(cls, data: Any) -> AutoSendPolicy:
        return cls({Intent(k): float(v) for k, v in dict(data).items()})


class SettingsStore(Protocol):
    async def get_setting(self, key: str) -> Any: ...
    async def set_setting(self, key: str, value: Any, *, actor: str) -> None: ...


POLICY_KEY = "auto_send_policy"


async def stored_policy(store: SettingsStore) -> AutoSendPolicy:
    """The policy in force: the store's (every process and console reads the same)."""
    return AutoSendPolicy.from_json(await store.get_setting(POLICY_KEY) or {})


async def store_policy(store: SettingsStore, policy: AutoSendPolicy, *, actor: str) -> None:
    """Change the policy for everyone, logged with who changed it."""
    await store.set_setting(POLICY_KEY, policy.to_json(), actor=actor)


async def seed_policy(store: SettingsStore, policy: AutoSendPolicy) -> None:
    """Store the starting policy from the settings unless someone already set one."""
    if await store.get_setting(POLICY_KEY) is None:
        await store_policy(store, policy, actor="settings (AUTO_SEND)")
