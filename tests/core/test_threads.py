"""Threading rules, follow-up kinds and conversation tickets: the pure parts."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from core.mail.parsing import own_words, parse_message
from core.mail.threads import Conversation, base_subject, choose_thread, reply_subject
from core.models import Action, FollowUp, Intent, Priority, Proposal, TicketDraft
from core.tickets import TicketEntry, build_conversation_ticket, ticket_effect, ticket_status
from core.triage.followups import classify_followup
from tests.support.mail import make_email

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=timezone.utc)


def conversation(number: int, tenant: str | None, address: str, subject: str) -> Conversation:
    return Conversation(
        number, tenant, frozenset({address}), frozenset({"maintenance@example.com"}), subject, NOW
    )


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("Kitchen faucet", "Re: Kitchen faucet [#7]"),
        ("Re: Re: RE: Kitchen faucet [#7]", "Re: Kitchen faucet [#7]"),
        ("AW: WG: Heizung [#7]", "Re: Heizung [#7]"),
        ("Fwd: Odp: Rif: tap [#3]", "Re: tap [#7]"),
        ("", "Re: your message [#7]"),
    ],
)
def test_the_reply_subject_never_grows_and_carries_one_reference(
    subject: str, expected: str
) -> None:
    assert reply_subject(subject, 7) == expected


def test_headers_join_the_same_tenant_and_never_another() -> None:
    email = parse_message(make_email("m.gonzalez@example.net", "Re: x", "still cold"))
    hers = conversation(4, "T-1001", "maria.gonzalez@example.com", "Radiator")
    theirs = conversation(5, "T-1009", "rob.johnson@example.net", "Radiator")
    assert choose_thread(email, "T-1001", [hers], None, []).conversation_id == 4
    apart = choose_thread(email, "T-1001", [theirs], None, [])
    assert (apart.conversation_id, apart.refused) == (None, 5)
    by_reference = choose_thread(email, "T-1001", [], hers, [])
    assert by_reference.conversation_id == 4 and "[#4]" in by_reference.how


def test_someone_not_on_file_joins_only_their_own_conversation() -> None:
    email = parse_message(make_email("stranger@example.org", "Re: flat", "still interested"))
    own = conversation(8, None, "stranger@example.org", "Flat")
    other = conversation(9, None, "someone@example.org", "Flat")
    assert choose_thread(email, None, [own], None, []).conversation_id == 8
    assert choose_thread(email, None, [other], None, []).refused == 9


def test_a_similar_subject_is_only_a_suggestion() -> None:
    email = parse_message(make_email("emily.chen@example.com", "kitchen faucet DRIPPING", "hi"))
    earlier = conversation(3, "T-1008", "emily.chen@example.com", "Kitchen faucet dripping")
    choice = choose_thread(email, "T-1008", [], None, [earlier])
    assert (choice.conversation_id, choice.related) == (None, 3)
    assert base_subject("Re: [#3] AW: kitchen faucet dripping") == "kitchen faucet dripping"


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Nobody came yesterday and it is still dripping.", FollowUp.CHASER),
        ("It's been two weeks and I still haven't heard anything!", FollowUp.CHASER),
        ("Sigo esperando, nadie vino.", FollowUp.CHASER),
        ("The plumber came this morning and fixed it. Thanks a lot!", FollowUp.RESOLVED),
        ("Die Heizung funktioniert wieder. Danke!", FollowUp.RESOLVED),
        ("The plumber came but it is still leaking.", FollowUp.UPDATE),
        ("Thanks!", FollowUp.CLOSING),
        ("Thanks, but when will you come?", FollowUp.UPDATE),
        ("I'm home on Tuesday after 2 pm.", FollowUp.UPDATE),
    ],
)
def test_follow_up_kinds(text: str, kind: FollowUp) -> None:
    assert classify_followup(text) is kind


def test_own_words_drop_the_quoted_history_in_several_languages() -> None:
    for header in (
        "On Mon, 30 Nov 2026 at 10:00, Office <office@example.com> wrote:",
        "Am 30.11.2026 um 10:00 schrieb Office <office@example.com>:",
        "Le lun. 30 nov. 2026 à 10:00, Office a écrit :",
        "-----Original Message-----",
    ):
        assert own_words(f"Still cold.\n\n{header}\n> Hi,\n> we logged it.") == "Still cold."


def proposal(effect: str, followup: FollowUp, summary: str = "s") -> Proposal:
    ticket = TicketDraft(title="Faucet", description="drips", priority=Priority.NORMAL)
    return Proposal(
        provider="offline",
        intent=Intent.MAINTENANCE,
        confidence=0.9,
        emergency=False,
        summary=summary,
        action=Action.REPLY,
        reason="",
        to=["e@example.com"],
        cc=[],
        subject="Re: x",
        body="b",
        ticket=ticket if effect in ("open", "new") else None,
        followup=followup,
        ticket_effect=effect,
    )


def test_a_conversation_ticket_is_rebuilt_from_its_messages() -> None:
    entries = [
        TicketEntry(1, "<1>", NOW, proposal("open", FollowUp.FIRST), applied=True),
        TicketEntry(2, "<2>", NOW + timedelta(days=1), proposal("raise", FollowUp.CHASER), True),
        TicketEntry(3, "<3>", NOW + timedelta(days=2), proposal("new", FollowUp.NEW_REQUEST), True),
        TicketEntry(
            4, "<4>", NOW + timedelta(days=3), proposal("resolve", FollowUp.RESOLVED), True
        ),
        TicketEntry(5, "<5>", NOW + timedelta(days=4), proposal("update", FollowUp.UPDATE), False),
    ]
    first = build_conversation_ticket(
        entries, 1, ticket_id="TKT-1", conversation_id=1, stakeholders=[], now=NOW
    )
    assert first is not None
    assert (first.priority, first.status, first.message_ids) == (
        Priority.HIGH,
        "open",
        ["<1>", "<2>"],
    )
    second = build_conversation_ticket(
        entries, 3, ticket_id="TKT-3", conversation_id=1, stakeholders=[], now=NOW
    )
    assert second is not None and second.status == "resolved"  # the latest problem was fixed
    assert [u.message_id for u in second.updates] == ["<4>"]  # <5> is not decided yet
    assert ticket_status(entries) == (3, "resolved")
    again = build_conversation_ticket(
        entries, 3, ticket_id="TKT-3", conversation_id=1, stakeholders=[], now=NOW
    )
    assert again == second  # rebuilding changes nothing: no update is ever added twice


def test_what_each_answer_does_to_the_ticket() -> None:
    assert ticket_effect(FollowUp.FIRST, True, None) == "open"
    assert ticket_effect(FollowUp.CHASER, False, "open") == "raise"
    assert ticket_effect(FollowUp.UPDATE, False, "resolved") == "reopen"
    assert ticket_effect(FollowUp.RESOLVED, False, "open") == "resolve"
    assert ticket_effect(FollowUp.CLOSING, False, "open") == ""
    assert ticket_effect(FollowUp.UPDATE, False, None) == ""  # no ticket to update
