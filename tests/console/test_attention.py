"""Emergencies get attention without covering the work: one line, one notice, a key."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

from textual.widgets._toast import Toast

from console.attention import EmergencyWatch, notice_for
from console.screens.help import HelpScreen
from core.models import Action, Intent, Item, MessageKey, Proposal, State
from tests.console.test_operator_console import console, on_screen, until
from tests.support.dovecot import DovecotServer, ImapAccount
from tests.support.mail import make_email
from tests.support.smtp import SmtpServer

SIZE = (160, 40)
NOW = datetime(2026, 11, 30, 2, 0, tzinfo=timezone.utc)
GAS = make_email("priya.raman@example.com", "Gas [urgent]", "I smell gas in the kitchen!")
FLOOD = make_email(
    "emily.chen@example.com", "Water through the ceiling", "Water is pouring through my ceiling!"
)
CHILD = make_email(
    "lan.nguyen@example.org", "Locked out", "My 2 year old daughter is locked inside alone!"
)
ON_CALL = "oncall@example.com"
PARKING = make_email("james.oconnor@example.net", "Parking", "Is there a covered parking spot?")


def item(item_id: int, minutes_ago: int, state: State, *, emergency: bool) -> Item:
    proposal = Proposal(
        provider="offline",
        intent=Intent.MAINTENANCE,
        confidence=0.9,
        emergency=emergency,
        summary="",
        action=Action.REVIEW,
        reason="",
        to=["a@example.com"],
        cc=[],
        subject="Re: x",
        body="b",
        tenant_name="Priya Raman",
    )
    when = NOW - timedelta(minutes=minutes_ago)
    key = MessageKey("INBOX", 1, item_id)
    return Item(
        item_id, key, "<m>", state, when, "p@example.com", f"subject {item_id}", proposal,
        "", 0, "", "", "", None, True, None, 1, when, when,
    )  # fmt: skip


def test_the_watch_knows_what_waits_and_what_is_new() -> None:
    watch = EmergencyWatch()
    assert (
        watch.observe(item(1, 30, State.AWAITING_REVIEW, emergency=True), announce=False) is False
    )
    assert watch.observe(item(2, 5, State.AWAITING_REVIEW, emergency=True)) is True
    assert watch.observe(item(3, 50, State.AWAITING_REVIEW, emergency=False)) is False
    assert watch.count == 2
    oldest = watch.oldest()
    assert oldest is not None and oldest.id == 1
    banner = watch.banner(NOW)
    assert banner is not None
    assert "2 emergencies wait for a person" in banner.plain and "#1, 30m," in banner.plain
    assert watch.take_fresh() == [2] and watch.take_fresh() == []
    watch.observe(item(1, 30, State.APPROVED, emergency=True))  # an operator acted on it
    assert watch.count == 1 and watch.observe(item(2, 5, State.SENT, emergency=True)) is False
    assert watch.banner(NOW) is None


def test_a_burst_is_one_notice() -> None:
    burst = [item(n, 1, State.AWAITING_REVIEW, emergency=True) for n in (4, 7, 9)]
    assert notice_for(burst) == "3 new emergencies (#4, #7, #9) — press ! for the oldest"
    assert notice_for(burst[:1]) == "#4 from Priya Raman: subject 4 — press ! to go there"


async def test_one_emergency_rings_shows_one_notice_and_a_line_that_stays(
    dovecot: DovecotServer, imap_account: ImapAccount, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    app = console(dovecot, imap_account, smtp_server, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(0.3)
        dovecot.deliver(imap_account, GAS)
        await until(pilot, lambda: any(n.title == "Emergency" for n in app._notifications))
        alerts = [n.message for n in app._notifications if n.title == "Emergency"]
        banner = app.query_one("#banner")
        assert banner.display and "1 emergency waits for a person" in str(banner.render())
    assert alerts == ["#1 from Priya Raman: Gas [urgent] — press ! to go there"]


async def test_a_burst_of_emergencies_never_stacks_notices_and_bang_goes_to_the_oldest(
    dovecot: DovecotServer, imap_account: ImapAccount, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    for raw in (PARKING, GAS, FLOOD, CHILD):
        dovecot.deliver(imap_account, raw)
    app = console(dovecot, imap_account, smtp_server, tmp_path)
    announced: dict[str, str] = {}  # every emergency notice seen, by its identity
    most = 0  # the most emergency notices on screen at once

    def announced_so_far() -> set[str]:
        nonlocal most
        notices = [n for n in app._notifications if n.title == "Emergency"]
        most = max(most, len(notices))
        announced.update((n.identity, n.message) for n in notices)
        return set(re.findall(r"#\d+", " ".join(announced.values())))

    async with app.run_test(size=SIZE) as pilot:
        for _ in range(40):  # watch the screen for two seconds
            announced_so_far()
            await pilot.pause(0.05)
        await until(pilot, lambda: app.emergencies.count == 3)
        await pilot.press("s")  # a filter that hides every emergency
        await until(pilot, lambda: app.queue.filter.state is not None)
        await pilot.press("exclamation_mark")
        oldest = app.emergencies.oldest()
        assert oldest is not None
        await until(pilot, lambda: app.queue.selected_id == oldest.id)
        # Each emergency is announced: together when they come at once, else in a
        # notice that waits until the one on screen has gone.
        emergencies = {
            f"#{i.id}" for i in app.items.values() if i.proposal and i.proposal.emergency
        }
        await until(pilot, lambda: emergencies <= announced_so_far(), 20)
    assert most == 1
    assert len(emergencies) == 3


async def test_no_notice_covers_a_dialog(
    dovecot: DovecotServer, imap_account: ImapAccount, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    app = console(dovecot, imap_account, smtp_server, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        app.notify("an earlier notice")
        await pilot.pause()
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen))
        assert not app._notifications  # opening a dialog cleared them
        dovecot.deliver(imap_account, GAS)
        await until(pilot, lambda: app.emergencies.count == 1)
        await pilot.pause(1.0)
        assert not app._notifications  # the emergency did not pop up over the dialog
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, HelpScreen))
        assert "1 emergency waits" in str(app.query_one("#banner").render())


async def test_an_emergency_notice_leaves_the_status_line_in_sight_on_a_small_terminal(
    dovecot: DovecotServer, imap_account: ImapAccount, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    dovecot.deliver(imap_account, GAS)
    app = console(dovecot, imap_account, smtp_server, tmp_path)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await until(pilot, lambda: any(n.title == "Emergency" for n in app._notifications))
        await pilot.pause(0.2)
        status = app.query_one("#status").region
        notices = [toast.region for toast in app.screen.query(Toast)]
        assert notices and status.height
        assert not any(notice.overlaps(status) for notice in notices)


async def test_n_clears_a_false_alarm_the_banner_goes_and_the_draft_becomes_routine(
    dovecot: DovecotServer, imap_account: ImapAccount, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    dovecot.deliver(imap_account, GAS)
    app = console(dovecot, imap_account, smtp_server, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.emergencies.count == 1)
        await on_screen(pilot, app)
        assert "n: not an emergency" in app.detail.text.plain
        await pilot.press("n")
        await until(pilot, lambda: app.emergencies.count == 0)
        await on_screen(pilot, app)
        shown = app.detail.on_screen
        assert shown is not None and shown.state is State.AWAITING_REVIEW
        assert "Alarm cleared by the operator" in app.detail.text.plain
        assert not app.query_one("#banner").display
        paged = len(smtp_server.messages)
        await pilot.press("g")  # no emergency any more, no reply waiting: nothing to do now
        await until(pilot, lambda: any("nothing waits" in n.message for n in app._notifications))
        labels = await app.client.store.labels()
    assert [label.emergency for label in labels] == [False]
    assert len(smtp_server.messages) == paged


async def test_the_detail_shows_who_was_paged_and_g_pages_again(
    dovecot: DovecotServer, imap_account: ImapAccount, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    dovecot.deliver(imap_account, GAS)
    app = console(dovecot, imap_account, smtp_server, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: any(m.rcpt_tos == [ON_CALL] for m in smtp_server.messages))
        await on_screen(pilot, app)
        await until(pilot, lambda: "Paged oncall@example.com" in app.detail.text.plain)
        assert "(page 1): sent" in app.detail.text.plain
        await pilot.press("g")
        await until(pilot, lambda: "(page 2): sent" in app.detail.text.plain)
    pages = [m for m in smtp_server.messages if m.rcpt_tos == [ON_CALL]]
    assert len(pages) == 2
    # Someone is at the console: the tenant gets no holding reply, a person answers.
    assert not [m for m in smtp_server.messages if m.rcpt_tos == ["priya.raman@example.com"]]
