"""The outage drill (`python -m bench.drill`): outages heal without a person."""

from __future__ import annotations

from pathlib import Path

from bench.drill import drill
from tests.support.dovecot import DovecotServer


def test_servers_that_misbehave_leave_nothing_lost_twice_or_failed(
    dovecot: DovecotServer, tmp_path: Path
) -> None:
    # `dovecot` only makes sure one can run here; the drill starts its own, to kill it.
    found = drill(tmp_path, 80, timeout=240)
    assert found.settled, found.lines()
    assert found.stored == 80  # none lost
    assert found.answered_twice == 0
    assert found.failed_for_passing_cause == []
    assert len(found.need_a_person) <= 2, found.lines()
    assert found.replies == found.states["sent"] >= 78
    # The outages did happen: replies waited for the mail server, drafts for the model.
    assert found.waited_for_mail_server >= 5
    assert found.waited_for_model > 0
