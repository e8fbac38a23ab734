"""`python -m console triage`: one email's proposal printed, with or without its thread,
and nothing stored or written."""

from __future__ import annotations

import json
import os
from pathlib import Path

from tests.support.assistant import DATA_DIR, OFFICE
from tests.support.cli import cli
from tests.support.mail import make_email

ROOT = Path(__file__).resolve().parents[2]
TENANTS = [t["email"] for t in json.loads((DATA_DIR / "tenants.json").read_text())]


def test_triage_command_prints_the_proposal(tmp_path: Path) -> None:
    eml = tmp_path / "locked.eml"
    eml.write_bytes(make_email(TENANTS[0], "Locked out", "I lost my keys, I'm locked out!"))
    result = cli(
        ["triage", str(eml)],
        {"PATH": os.environ["PATH"], "PYTHONPATH": str(ROOT), "DATA_DIR": str(DATA_DIR)},
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    proposal = json.loads(result.stdout)
    assert set(proposal) >= {
        "intent",
        "confidence",
        "emergency",
        "action",
        "reason",
        "to",
        "cc",
        "subject",
        "body",
        "ticket",
    }
    assert proposal["intent"] == "locked_out" and proposal["action"] == "reply"
    assert proposal["to"] == [TENANTS[0]] and proposal["subject"] == "Re: Locked out"
    assert proposal["cc"] == ["oncall@example.com", "locksmith@example.net"]
    assert not (tmp_path / "output").exists()  # no store, no ticket: nothing touched


def test_triage_with_a_thread_reproduces_a_follow_up_outside_the_store(tmp_path: Path) -> None:
    first = tmp_path / "thread" / "1.eml"
    first.parent.mkdir()
    first.write_bytes(
        make_email(TENANTS[7], "Kitchen faucet dripping", "My kitchen faucet drips all day.")
    )
    ours = tmp_path / "thread" / "2.eml"
    ours.write_bytes(
        make_email(
            "office@example.com",
            "Re: Kitchen faucet dripping",
            "Thank you for reporting this. Our maintenance team will contact you.",
        )
    )
    chaser = tmp_path / "chaser.eml"
    chaser.write_bytes(
        make_email(
            TENANTS[7], "Re: Kitchen faucet dripping", "Nobody came yesterday. Still dripping."
        )
    )
    env = {"PATH": os.environ["PATH"], "PYTHONPATH": str(ROOT), "DATA_DIR": str(DATA_DIR)}
    env["MAIL_FROM"] = OFFICE
    alone = cli(["triage", str(chaser)], env, tmp_path)
    threaded = cli(["triage", str(chaser), "--thread", str(first.parent)], env, tmp_path)
    assert json.loads(alone.stdout)["followup"] == "first"
    proposal = json.loads(threaded.stdout)
    assert (proposal["followup"], proposal["action"]) == ("chaser", "review")
    assert "sorry" in proposal["body"].lower()
