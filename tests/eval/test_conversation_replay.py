"""The conversation replay: labelled threads through the real worker, placeholders filled."""

from __future__ import annotations

import json
from pathlib import Path

from core.directory import Directory
from core.evaluation.replay import replay
from core.providers.offline import OfflineProvider
from tests.support.mail import make_email

DATA = Path(__file__).resolve().parents[2] / "data"
THREADED = {"In-Reply-To": "{{reply:1}}", "References": "<t1@mail.example.com> {{reply:1}}"}


def write_set(folder: Path) -> None:
    messages = {
        "c01/1.eml": make_email(
            "emily.chen@example.com",
            "Kitchen faucet dripping",
            "My kitchen faucet drips all day. Could someone fix it?",
            message_id="<t1@mail.example.com>",
        ),
        "c01/2.eml": make_email(
            "emily.chen@example.com",
            "Re: Kitchen faucet dripping {{ref}}",
            "Nobody came on Tuesday. Still dripping.\n\n{{quote:1}}",
            headers=THREADED,
            message_id="<t2@mail.example.com>",
        ),
        "c01/3.eml": make_email(
            "emily.chen@example.com",
            "RE: Kitchen faucet dripping {{ref}}",  # this client dropped the headers
            "The plumber fixed it this morning. Thanks!",
            message_id="<t3@mail.example.com>",
        ),
        "c02/1.eml": make_email(
            "david.kim@example.com",
            "Parking permit",
            "Where do I get a parking permit for my guest?",
            message_id="<p1@mail.example.com>",
        ),
    }
    labels = [
        {"file": "c01/1.eml", "intent": "maintenance", "followup": "first", "emergency": False,
         "action": "reply", "ticket": "open", "joins": None},
        {"file": "c01/2.eml", "intent": "maintenance", "followup": "chaser", "emergency": False,
         "action": "review", "ticket": "raise", "joins": "c01/1.eml"},
        {"file": "c01/3.eml", "intent": "maintenance", "followup": "resolved", "emergency": False,
         "action": "skip", "ticket": "resolve", "joins": "c01/1.eml"},
        {"file": "c02/1.eml", "intent": "general", "followup": "first", "emergency": False,
         "action": "reply", "ticket": "none", "joins": None},
    ]  # fmt: skip
    for name, raw in messages.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(raw)
    (folder / "labels.jsonl").write_text("".join(json.dumps(x) + "\n" for x in labels))


async def test_a_replayed_conversation_answers_what_we_really_said(tmp_path: Path) -> None:
    write_set(tmp_path)
    directory = Directory.load(DATA)
    report = await replay(tmp_path, directory, OfflineProvider(directory))
    assert report.messages == 4 and report.conversations == 2
    assert report.mistakes == []
    assert report.threading_accuracy == 1.0  # by headers, then by the subject reference alone
    assert report.followup_accuracy == 1.0
    assert report.duplicate_tickets == 0 and report.closing_answered == 0
    assert "follow-up kind accuracy: 100.0%" in report.to_text()
