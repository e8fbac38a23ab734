"""Emergencies are never answered as routine, whoever drafted the reply."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from core.directory import Directory
from core.errors import InvalidTransition
from core.evaluation.labelled import export_labels
from core.mail.parsing import parse_message
from core.models import POSSIBLE_DANGER, Action, Grade, State
from core.providers.openai import OpenAIProvider
from core.triage.classify import triage
from tests.support.assistant import DATA_DIR, assistant, make_settings
from tests.support.dovecot import DovecotServer, ImapAccount
from tests.support.llm import LlmServer, Reply, Status
from tests.support.mail import make_email
from tests.support.smtp import SmtpServer

ON_CALL = "oncall@example.com"


def routine(**changes: Any) -> dict[str, Any]:
    """What a model that missed the danger answers."""
    value: dict[str, Any] = {
        "intent": "maintenance",
        "confidence": 0.99,
        "emergency": False,
        "summary": "Routine repair",
        "reply": "Hi, we will schedule a visit in the next few days.",
        "ticket": {"title": "Repair", "description": "Routine repair", "priority": "low"},
        "questions": [],
    }
    value.update(changes)
    return value


@pytest.fixture(scope="module")
def directory() -> Directory:
    return Directory.load(DATA_DIR)


async def propose(llm: LlmServer, directory: Directory, raw: bytes):  # type: ignore[no-untyped-def]
    model = OpenAIProvider.from_settings("sk-test", llm.base_url, "test-model", 5.0)
    try:
        return await triage(parse_message(raw), directory, model, retry_delay=0.01)
    finally:
        await model.aclose()


GERMAN_ROUTINE = "Guten Tag Maria, wir vereinbaren in den nächsten Tagen einen Termin mit Ihnen."


@pytest.mark.parametrize(
    ("subject", "body", "danger", "reply"),
    [
        ("Kitchen", "I think I can smell something like gas near the stove.", "gas", ""),
        (
            "Lift",
            "The lift stopped between floors and my neighbour is stuck inside.",
            "trapped",
            "",
        ),
        (
            "Ceiling",
            "Water is pouring through the ceiling onto the fuse box!",
            "Water is pouring",
            "",
        ),
        (
            "Heizung",
            "Die Heizung ist ausgefallen, draußen minus 12 Grad, mein Baby friert.",
            "",
            GERMAN_ROUTINE,
        ),
    ],
)
async def test_danger_a_model_calls_routine_goes_to_a_person_with_on_call_copied(
    llm_server: LlmServer, directory: Directory, subject: str, body: str, danger: str, reply: str
) -> None:
    llm_server.script(Reply(routine(**({"reply": reply} if reply else {}))))
    proposal = await propose(
        llm_server, directory, make_email("maria.gonzalez@example.com", subject, body)
    )
    assert proposal.emergency
    assert proposal.action is Action.REVIEW
    assert proposal.reason.startswith("emergency (danger to life): ") and danger in proposal.reason
    assert ON_CALL in proposal.cc
    assert proposal.ticket is not None and proposal.ticket.priority == "urgent"


async def test_danger_only_asked_about_is_a_question_nobody_is_paged_for(
    llm_server: LlmServer, directory: Directory
) -> None:
    asked = make_email(
        "maria.gonzalez@example.com",
        "Question",
        "What should we do if there is ever a fire in the building?",
    )
    llm_server.script(Reply(routine(intent="general")))
    proposal = await propose(llm_server, directory, asked)
    assert not proposal.emergency and proposal.grade is None
    assert ON_CALL not in proposal.cc


async def test_danger_the_words_do_not_settle_is_held_for_a_person_without_a_page(
    llm_server: LlmServer, directory: Directory
) -> None:
    unsettled = make_email(
        "maria.gonzalez@example.com",
        "Smell",
        "I'm not sure, but there might have been a faint smell of gas near the stove when I "
        "came home yesterday evening; it seems gone now. Should someone check the stove?",
    )
    llm_server.script(Reply(routine(intent="maintenance")))
    proposal = await propose(llm_server, directory, unsettled)
    assert not proposal.emergency
    assert proposal.action is Action.REVIEW
    assert proposal.reason.startswith("possible danger, a person should look")
    assert ON_CALL not in proposal.cc


@pytest.mark.parametrize(
    "body",
    [
        "The smoke detector chirps every minute, I think the battery is low.",
        "Could someone come and read the gas meter on Tuesday?",
        "We would like to join the fire safety training next month.",
    ],
)
async def test_harmless_mentions_of_danger_words_are_answered_as_usual(
    llm_server: LlmServer, directory: Directory, body: str
) -> None:
    llm_server.script(Reply(routine()))
    proposal = await propose(
        llm_server, directory, make_email("maria.gonzalez@example.com", "Hello", body)
    )
    assert not proposal.emergency and proposal.action is Action.REPLY
    assert ON_CALL not in proposal.cc


async def test_auto_send_never_sends_an_emergency_the_model_missed(
    dovecot: DovecotServer,
    imap_account: ImapAccount,
    smtp_server: SmtpServer,
    llm_server: LlmServer,
    tmp_path: Path,
) -> None:
    dovecot.deliver(
        imap_account,
        make_email("maria.gonzalez@example.com", "Smoke", "Smoke is coming out of the socket!"),
    )
    llm_server.script(Reply(routine()))
    settings = make_settings(
        imap_account, smtp_server, tmp_path, llm_server, auto_send="maintenance"
    )
    async with assistant(settings) as opened:
        await opened.pipeline.run_once()
        [item] = await opened.store.items()
    assert item.state is State.AWAITING_REVIEW
    # The model's routine reply was not sent: only the page and the holding reply went.
    assert [m.rcpt_tos for m in smtp_server.messages] == [[ON_CALL], ["maria.gonzalez@example.com"]]
    assert item.proposal is not None and item.proposal.emergency
    ticket = json.loads((tmp_path / "tickets" / f"{item.ticket_id}.json").read_text())
    assert ticket["emergency"] is True and ticket["priority"] == "urgent"


async def test_the_operator_clears_a_false_alarm_and_it_stays_cleared(
    dovecot: DovecotServer, imap_account: ImapAccount, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    """A spark the operator knows to be harmless (the tenant's own kettle plug, already
    replaced): the operator says it is not an emergency."""
    dovecot.deliver(
        imap_account,
        make_email(
            "maria.gonzalez@example.com",
            "Outlet",
            "The outlet in my kitchen sparked when I plugged in the kettle just now.",
            message_id="<grill@mail.example.com>",
        ),
    )
    settings = make_settings(imap_account, smtp_server, tmp_path)
    async with assistant(settings) as opened:
        await opened.pipeline.run_once()
        [flagged] = await opened.store.items()
        assert flagged.proposal is not None and flagged.proposal.alarmed
        cleared = await opened.operator.clear_alarm(flagged.id, flagged.version)
        assert cleared.state is State.AWAITING_REVIEW  # a person still approves the reply
        assert cleared.proposal is not None
        assert not cleared.proposal.alarmed and cleared.proposal.alarm_cleared
        assert ON_CALL not in cleared.proposal.cc
        # A redraft for the operator's instruction does not raise the alarm again.
        again = await opened.operator.redraft(cleared.id, cleared.version, "Mention the rules.")
        assert again.proposal is not None and not again.proposal.emergency
        with pytest.raises(InvalidTransition, match="no alarm to clear"):
            await opened.operator.clear_alarm(again.id, again.version)
        await opened.operator.approve(again.id, again.version)
        await opened.pipeline.run_once()
        [label] = await opened.store.labels()
        exported = await export_labels(opened.store, tmp_path / "examples")
    assert (label.message_id, label.emergency) == ("<grill@mail.example.com>", False)
    [mail] = [m for m in smtp_server.messages if "Auto-Submitted" not in m.message]
    assert mail.rcpt_tos[0] == "maria.gonzalez@example.com"
    assert ON_CALL not in (mail.message["Cc"] or "")
    assert exported == 1
    [line] = (tmp_path / "examples" / "labels.jsonl").read_text().splitlines()
    assert json.loads(line)["emergency"] is False


QUIET = make_email(
    "maria.gonzalez@example.com",
    "Mrs Díaz in 1B",
    "There has been a note on Mrs Díaz's door since Friday and her cat cries behind it all "
    "day. Her lights have not changed once. Could somebody look in on her?",
)


async def test_the_model_is_asked_the_emergency_question_on_its_own_and_its_yes_counts(
    llm_server: LlmServer, directory: Directory
) -> None:
    llm_server.script(Reply(routine(intent="general")))
    llm_server.danger = lambda request: Reply(
        {"situation": "an elderly neighbour may be unwell", "happening_now": True, "grade": "life"}
    )
    proposal = await propose(llm_server, directory, QUIET)
    assert proposal.emergency and proposal.grade is Grade.LIFE
    assert proposal.action is Action.REVIEW and ON_CALL in proposal.cc
    assert "the model reads an emergency: an elderly neighbour may be unwell" in proposal.reason
    [question] = llm_server.danger_requests
    assert question["response_format"]["json_schema"]["name"] == "DangerCheck"
    assert "Mrs Díaz" in question["messages"][1]["content"]
    assert question["max_tokens"] <= 200  # a short question, not a second draft


async def test_a_model_unsure_of_danger_holds_the_email_for_a_person_without_a_page(
    llm_server: LlmServer, directory: Directory
) -> None:
    llm_server.script(Reply(routine(intent="general")))
    llm_server.danger = lambda request: Reply(
        {"situation": "a neighbour not seen", "happening_now": False, "grade": "unsure"}
    )
    proposal = await propose(llm_server, directory, QUIET)
    assert not proposal.emergency
    assert proposal.action is Action.REVIEW and proposal.reason.startswith(POSSIBLE_DANGER)


async def test_a_failed_danger_question_never_holds_up_the_draft(
    llm_server: LlmServer, directory: Directory
) -> None:
    llm_server.script(Reply(routine(intent="general")))
    llm_server.danger = lambda request: Status(500)
    proposal = await propose(llm_server, directory, QUIET)
    assert proposal.provider == "openai:test-model" and not proposal.emergency
    assert proposal.body.startswith("Hi, we will schedule a visit")
