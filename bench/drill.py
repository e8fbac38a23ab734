"""`python -m bench.drill`: the outage drill, on real servers, while they misbehave.

`python -m console --headless` works through tenant emails (one per tenant, so no
per-sender cap holds any back; every intent on auto-send) on Dovecot, the tests'
SMTP server and the tests' scripted model server, while:

- the SMTP server is off the network for 8 s, and answers the first 5 messages
  it is given with `451 Temporary failure`;
- Dovecot is killed and comes back on the same port 3 s later;
- the model answers its first 13 requests with 500, 429 (Retry-After: 1) and
  malformed JSON.

It then reads the store and the SMTP server's log and prints what a manager
would ask: how many emails were answered without a person, how many need one
and why, whether any was answered twice or lost, and whether any reply ended
`failed` for a cause that was only passing. Exit status 1 when any of those
goes wrong (at most two emails may need a person: a model failure may still
leave an offline draft for review).

Needs Dovecot (apt-get install dovecot-imapd) and root, as the tests do.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.support.dovecot import DovecotServer, dovecot_unavailable_reason
from tests.support.llm import Answer, LlmServer, RawContent, Reply, Status
from tests.support.mail import make_email
from tests.support.smtp import SmtpServer
from tests.support.tls import create_certificate

ROOT = Path(__file__).resolve().parents[1]
RESTING = {"sent", "skipped", "dismissed", "failed", "awaiting_review", "in_doubt"}
ASKS = {
    "maintenance": "The bathroom tap in my flat drips all day. Could someone look at it?",
    "rent": "Could you confirm you received my rent payment for this month?",
    "general": "Is there a guest parking space I can use this weekend?",
}
MODEL_FAILURES: list[Answer] = [
    Status(500),
    Status(429, retry_after=1),
    RawContent("{not json"),
    Status(500),
    Status(500),
    Status(429, retry_after=1),
    RawContent("{not json"),
    Status(500),
    Status(503, {"error": {"message": "Loading model"}}),
    Status(500),
    RawContent("{not json"),
    Status(429, retry_after=1),
    Status(500),
]


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.drill")
    parser.add_argument("--emails", type=int, default=80)
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds to settle")
    args = parser.parse_args()
    reason = dovecot_unavailable_reason()
    if reason is not None:
        print(f"cannot run the drill: {reason}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="drill-") as folder:
        found = drill(Path(folder), args.emails, args.timeout)
    print(*found.lines(), sep="\n")
    return 0 if found.ok else 1


def drill(work: Path, count: int, timeout: float) -> Outcome:
    dovecot = DovecotServer(create_certificate(work))
    smtp, llm = SmtpServer(), LlmServer()
    dovecot.start()
    smtp.start()
    llm.start()
    try:
        account = dovecot.add_user()
        tenants = write_datastore(work / "data", count)
        for n, tenant in enumerate(tenants):
            intent = list(ASKS)[n % len(ASKS)]
            dovecot.deliver(account, make_email(tenant, f"{intent} question {n}", ASKS[intent]))
        llm.default = draft_for
        llm.script(*MODEL_FAILURES)
        env = {
            **os.environ,
            "IMAP_HOST": account.host,
            "IMAP_PORT": str(account.port),
            "IMAP_USER": account.user,
            "IMAP_PASSWORD": account.password,
            "IMAP_SECURITY": "none",
            "SMTP_HOST": smtp.host,
            "SMTP_PORT": str(smtp.port),
            "SMTP_SECURITY": "none",
            "MAIL_FROM": "Harbor & Elm Property Management <office@example.com>",
            "DATA_DIR": str(work / "data"),
            "OUTPUT_DIR": str(work / "output"),
            "LLM_PROVIDER": "openai",
            "OPENAI_BASE_URL": llm.base_url,
            "OPENAI_API_KEY": "sk-drill",
            "OPENAI_MODEL": "drill-model",
            "AUTO_SEND": "locked_out,maintenance,rent,general",
            "SEND_DELAY": "0",
            "POLL_INTERVAL": "1",
        }
        log = (work / "console.log").open("wb")
        started = time.monotonic()
        console = subprocess.Popen(
            [sys.executable, "-m", "console", "--headless", "--env-file", os.devnull],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        chaos = threading.Thread(target=misbehave, args=(dovecot, smtp), daemon=True)
        chaos.start()
        store = work / "output" / "state.sqlite3"
        settled = wait_until_settled(store, count, timeout, console)
        elapsed = time.monotonic() - started
        console.send_signal(signal.SIGTERM)
        console.wait(30)
        chaos.join(30)
        log.close()
        found = outcome(store, smtp, llm, count, settled, elapsed)
        if not found.ok:
            log_text = (work / "console.log").read_text(errors="replace")
            print(f"the console's log (end): {log_text[-3000:]}", file=sys.stderr)
        return found
    finally:
        llm.stop()
        smtp.stop()
        dovecot.stop()


def write_datastore(folder: Path, count: int) -> list[str]:
    """The shipped datastore with `count` more tenants, one per flat of the shipped units."""
    shutil.copytree(ROOT / "data", folder, ignore=shutil.ignore_patterns("demo"))
    units = json.loads((folder / "units.json").read_text())
    tenants = json.loads((folder / "tenants.json").read_text())
    added = [
        {
            "tenant_id": f"T-D{n:04d}",
            "name": f"Drill Tenant {n}",
            "email": f"drill.tenant{n}@example.org",
            "unit_id": units[n % len(units)]["unit_id"],
            "balance_due": 0,
            "lease_terms": "12-month lease",
            "phone": f"+1-555-9{n:03d}",
        }
        for n in range(count)
    ]
    (folder / "tenants.json").write_text(json.dumps(tenants + added, indent=1))
    return [tenant["email"] for tenant in added]


def draft_for(request: dict[str, Any]) -> Reply:
    """A good draft for the drill's emails: the intent of the question asked."""
    text = json.dumps(request.get("messages", []))
    intent = next((name for name, ask in ASKS.items() if ask[:30] in text), "general")
    return Reply(
        {
            "intent": intent,
            "confidence": 0.95,
            "emergency": False,
            "danger": "",
            "summary": f"A {intent} question",
            "reply": "Hello, thank you for your message. We will take care of it.",
            "ticket": None,
            "questions": [],
        }
    )


def misbehave(dovecot: DovecotServer, smtp: SmtpServer) -> None:
    # The first five messages the SMTP server is given, whenever that is (after its
    # outage, as it turns out), are refused with a temporary failure.
    smtp.fail_next(451, "Temporary failure", times=5)
    time.sleep(2)
    smtp.refuse_connections(8)
    time.sleep(2)
    dovecot.kill()
    time.sleep(3)
    dovecot.revive()


def wait_until_settled(
    store: Path, count: int, timeout: float, console: subprocess.Popen[bytes]
) -> bool:
    """Every email in the store and resting (no retry, no wait for the model) for 3 s."""
    deadline = time.monotonic() + timeout
    quiet_since: float | None = None
    while time.monotonic() < deadline and console.poll() is None:
        states = read_states(store)
        if len(states) >= count and all(s in RESTING for s in states.values()):
            quiet_since = quiet_since or time.monotonic()
            if time.monotonic() - quiet_since >= 3:
                return True
        else:
            quiet_since = None
        time.sleep(0.5)
    return False


def read_states(store: Path) -> dict[int, str]:
    if not store.exists():
        return {}
    try:
        with sqlite3.connect(f"file:{store}?mode=ro", uri=True) as db:
            return dict(db.execute("SELECT id, state FROM items").fetchall())
    except sqlite3.Error:  # being created
        return {}


@dataclass(frozen=True)
class Outcome:
    """What the drill found, in the store and at the SMTP server."""

    delivered: int
    settled: bool
    elapsed: float
    states: Counter[str]
    replies: int
    answered_twice: int
    waited_for_mail_server: int
    waited_for_model: int
    model_requests: int
    failed_for_passing_cause: list[tuple[int, str]]
    need_a_person: list[tuple[int, str, str]]

    @property
    def stored(self) -> int:
        return sum(self.states.values())

    @property
    def ok(self) -> bool:
        return (
            self.settled
            and self.stored == self.delivered
            and self.answered_twice == 0
            and not self.failed_for_passing_cause
            and len(self.need_a_person) <= 2
        )

    def lines(self) -> list[str]:
        lines = [
            f"settled: {'yes' if self.settled else 'NO'} after {self.elapsed:.1f} s",
            f"emails delivered: {self.delivered}; in the store: {self.stored}; "
            f"lost: {self.delivered - self.stored}",
            "states: " + ", ".join(f"{state} {n}" for state, n in sorted(self.states.items())),
            f"replies received by the SMTP server: {self.replies}; "
            f"answered twice: {self.answered_twice}",
            f"replies that waited for the mail server and went later: "
            f"{self.waited_for_mail_server}",
            f"model requests: {self.model_requests}; "
            f"drafts that waited for the model: {self.waited_for_model}",
            f"failed for a passing cause: {len(self.failed_for_passing_cause)}",
            f"need a person: {len(self.need_a_person)}",
        ]
        lines += [f"  #{item_id} {state}: {why}" for item_id, state, why in self.need_a_person]
        return lines


def outcome(
    store: Path, smtp: SmtpServer, llm: LlmServer, count: int, settled: bool, elapsed: float
) -> Outcome:
    with sqlite3.connect(f"file:{store}?mode=ro", uri=True) as db:
        rows = db.execute(
            "SELECT id, state, CASE WHEN error != '' THEN error "
            "ELSE coalesce(json_extract(proposal, '$.reason'), '') END FROM items"
        ).fetchall()
        waited = db.execute(
            "SELECT count(DISTINCT item_id) FROM audit WHERE to_state = 'retrying'"
        ).fetchone()[0]
        held = db.execute(
            "SELECT count(DISTINCT item_id) FROM audit WHERE detail LIKE '%waiting_for_model%'"
        ).fetchone()[0]
    replies = Counter(str(m.message["In-Reply-To"]) for m in smtp.messages)
    return Outcome(
        delivered=count,
        settled=settled,
        elapsed=elapsed,
        states=Counter(state for _, state, _ in rows),
        replies=len(smtp.messages),
        answered_twice=sum(1 for n in replies.values() if n > 1),
        waited_for_mail_server=waited,
        waited_for_model=held,
        model_requests=len(llm.requests),
        failed_for_passing_cause=[
            (i, e) for i, s, e in rows if s == "failed" and any(w in e for w in ("451", "connect"))
        ],
        need_a_person=[
            (i, s, e) for i, s, e in rows if s in ("awaiting_review", "failed", "in_doubt")
        ],
    )


if __name__ == "__main__":
    sys.exit(main())
