"""The status bar: inbox connection, model health, counts per state, auto-send, outages
of the mail server or the model (with the next try), last error."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from rich.text import Text
from textual.widgets import Static

from console.text import literal
from core.events import OutageChanged
from core.models import State
from core.policy import AutoSendPolicy

_COUNTED = (State.AWAITING_REVIEW, State.APPROVED, State.FAILED, State.SENT, State.SKIPPED)
_SHORT = {
    State.AWAITING_REVIEW: "review",
    State.APPROVED: "queued",
    State.FAILED: "failed",
    State.SENT: "sent",
    State.SKIPPED: "skipped",
}
# Counted only when there are some: most of the time nothing waits for these.
_WHEN_ANY = {
    State.RETRYING: "retrying",
    State.IN_DOUBT: "in doubt",
    State.ANSWERED_ELSEWHERE: "answered elsewhere",
}


@dataclass
class StatusModel:
    inbox: str = "starting"
    inbox_since: datetime | None = None
    # Each inbox of a mailboxes file, by name: its status and since when.
    inboxes: dict[str, tuple[str, datetime]] = field(default_factory=dict)
    provider: str = ""
    # The model's structured-output mode ("json_schema", …); empty for the offline provider.
    model_mode: str = ""
    # The model's last failure while it keeps failing, and whether a fallback drafts instead.
    provider_problem: str = ""
    falling_back: bool = False
    counts: dict[State, int] = field(default_factory=dict)
    policy: AutoSendPolicy = field(default_factory=AutoSendPolicy)
    last_error: str = ""
    filter: str = "all mail"
    outages: dict[str, OutageChanged] = field(default_factory=dict)  # by service, while down
    # Why replies sent from other mail clients are not noticed (empty while they are).
    sent_unwatched: str = ""


class StatusBar(Static):
    _line: Text | None = None

    def render_model(self, model: StatusModel, now: datetime) -> None:
        line = Text()
        if model.inboxes:
            for name, (status, when) in sorted(model.inboxes.items()):
                line.append(f" {name}: {status}{_minutes(now, when)} ", style=_inbox_style(status))
        else:
            since = _minutes(now, model.inbox_since)
            line.append(f" inbox: {model.inbox}{since} ", style=_inbox_style(model.inbox))
        for outage in model.outages.values():  # first: the line may be cut on the right
            line.append("│ ")
            line.append(literal(outage.describe(now), "bold red", one_line=True))
            line.append(" ")
        line.append(f"│ {model_label(model)}: ", style="")
        line.append(literal(*model_health(model), one_line=True))
        line.append(" │ ")
        line.append(" ".join(f"{_SHORT[s]} {model.counts.get(s, 0)}" for s in _COUNTED))
        for state, label in _WHEN_ANY.items():
            if model.counts.get(state, 0):
                style = "cyan" if state is State.ANSWERED_ELSEWHERE else "bold yellow"
                line.append(f" {label} {model.counts[state]}", style=style)
        if model.sent_unwatched:
            line.append(" │ ")
            line.append(literal(f"Sent: {model.sent_unwatched}", "yellow", one_line=True))

        auto = (
            ", ".join(f"{i.value}≥{t:.2f}" for i, t in model.policy.thresholds.items())
            if model.policy.enabled
            else "off"
        )
        line.append(" │ auto-send: ")
        line.append(auto, style="bold magenta" if model.policy.enabled else "dim")
        line.append(f" │ {model.filter}", style="dim")
        if model.last_error:
            line.append(" │ ")
            line.append(literal(model.last_error, "bold red", one_line=True))
        if line != self._line:  # one line, always: no layout needed
            self._line = line
            self.update(line, layout=False)


def model_label(model: StatusModel) -> str:
    """Who drafts: the provider, with the model's structured-output mode when there is one."""
    if model.provider_problem:
        return "model"
    name = model.provider or "model"
    return f"{name} ({model.model_mode})" if model.model_mode else name


def model_health(model: StatusModel) -> tuple[str, str]:
    """The health text and its style."""
    outage = model.outages.get("model")
    if outage is not None:  # drafts wait for it (the outage segment says until when)
        return f"waiting ({outage.reason})", "red"
    if not model.provider_problem:
        return "ok", "green"
    doing = "falling back" if model.falling_back else "failing"
    return f"{doing} ({model.provider_problem})", "red"


def _minutes(now: datetime, since: datetime | None) -> str:
    return f" {int((now - since).total_seconds() // 60)}m" if since is not None else ""


def _inbox_style(status: str) -> str:
    return "green" if status in ("idle", "polling") else "bold yellow"
