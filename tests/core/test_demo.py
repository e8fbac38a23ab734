"""The demo: the main job on loopback servers, with nothing configured."""

from __future__ import annotations

import email
import json
import os
import re
import subprocess
import sys
from datetime import datetime, timezone
from email import policy
from pathlib import Path

from core.config import MailAuth, load_settings
from core.service.demo import DemoEndpoints, demo_settings, redate

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"


def test_demo_runs_the_whole_job_with_no_settings(tmp_path: Path) -> None:
    env = {
        "PATH": os.environ["PATH"],
        "PYTHONPATH": str(ROOT),
        "DATA_DIR": str(DATA),
        "OUTPUT_DIR": str(tmp_path / "out"),
    }
    result = subprocess.run(
        [sys.executable, "-m", "console", "--demo", "--headless", "--once"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    summary = result.stdout.splitlines()[0]
    counts = dict(re.findall(r"(\w+)=(\d+)", summary))
    assert summary.startswith("46 messages (46 new): ")
    assert counts["skipped"] == "3" and counts["failed"] == "0"
    sent = sorted((tmp_path / "out" / "demo" / "sent").glob("*.eml"))
    # Nobody is at a console: each emergency pages on-call and gets a holding reply.
    assert int(counts["pages"]) == int(counts["replies"]) >= 5
    assert len(sent) == int(counts["sent"]) + int(counts["pages"]) + int(counts["replies"])
    assert int(counts["sent"]) >= 10
    tenants = {t["email"] for t in json.loads((DATA / "tenants.json").read_text())}
    tenants |= {
        a for t in json.loads((DATA / "tenants.json").read_text()) for a in t.get("alt_emails", [])
    }
    for path in sent:
        reply = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        on_call = {"oncall@example.com", "maintenance-oncall@example.com"}
        if reply["To"].addresses[0].addr_spec in on_call:
            assert reply["Subject"].startswith("EMERGENCY #")
            assert reply["Auto-Submitted"] == "auto-generated"
            continue
        assert reply["To"].addresses[0].addr_spec in tenants
        assert reply["In-Reply-To"].startswith("<demo-")
        assert reply["Auto-Submitted"] == "auto-replied"
    tickets = list((tmp_path / "out" / "demo" / "tickets").glob("*.json"))
    assert tickets and all(json.loads(t.read_text())["status"] == "open" for t in tickets)


def test_redate_replaces_the_date_header_only() -> None:
    raw = (
        b"From: a@example.com\r\nDate: Mon, 2 Nov 2026 08:00:00\r\n +0000\r\nSubject: x\r\n"
        b"\r\nDate: body\r\n"
    )
    when = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)
    out = redate(raw, when)
    assert out == (
        b"From: a@example.com\r\nDate: Wed, 25 Nov 2026 09:00:00 +0000\r\n"
        b"Subject: x\r\n\r\nDate: body\r\n"
    )
    assert redate(b"Subject: x\r\n\r\nDate: in the body", when) == (
        b"Date: Wed, 25 Nov 2026 09:00:00 +0000\r\nSubject: x\r\n\r\nDate: in the body"
    )


def test_the_demo_uses_its_own_password_even_when_mail_auth_is_oauth2(tmp_path: Path) -> None:
    mine = load_settings(None, mail_auth="oauth2", oauth_provider="microsoft", oauth_client_id="a")
    demo = demo_settings(mine, DemoEndpoints(1143, 1025, "demo-password", 0), tmp_path)
    assert demo.mail_auth is MailAuth.PASSWORD and demo.missing_mail_settings() == []
