"""Emergencies on mail written apart from the code: the floors we promise on unseen writers.

The sets under `tests/eval/blind/` were written and labelled by writers who
never saw the code (see its README). Once a round of work has read a set's
mistakes it is development mail (the first six are also in the learned model's
corpus); `sealed` is measured once, at the end of a round, not here. The floors
sit a little under what the offline provider measures today, so a change that
loses an emergency fails.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from core.directory import Directory
from core.evaluation.labelled import Report, evaluate, summarise
from core.evaluation.replay import replay
from core.providers.offline import OfflineProvider

ROOT = Path(__file__).resolve().parents[2]
BLIND = ROOT / "tests" / "eval" / "blind"
SETS = [
    "terse",
    "negatives",
    "understated",
    "rambling",
    "clients",
    "languages",
    "phone",
    "longhand",
    "january",
    "fortnight",
    "afterhours",
    "kin",
    "commons",
    "newcomers",
    "summer",
]
# Emergencies raised of those labelled, and the share of alarms that are real.
FLOORS = {
    "terse": (0.95, 0.95),
    "negatives": (0.9, 0.8),
    "understated": (0.95, 0.95),
    "rambling": (0.8, 0.65),
    "clients": (0.9, 0.9),
    "languages": (0.9, 0.88),
    "phone": (0.95, 0.88),
    "longhand": (0.9, 0.85),
    "january": (0.9, 0.78),
    "fortnight": (0.9, 0.8),
    "afterhours": (0.95, 0.8),
    "kin": (0.9, 0.8),
    "commons": (0.9, 0.88),
    "newcomers": (0.95, 0.9),
    "summer": (0.95, 0.85),
}


async def report_for(name: str) -> Report:
    directory = Directory.load(ROOT / "data")
    return summarise(await evaluate(BLIND / name, directory, OfflineProvider(directory)))


@pytest.mark.parametrize("name", SETS)
async def test_no_emergency_written_by_an_unseen_writer_is_answered_as_routine(name: str) -> None:
    report = await report_for(name)
    assert report.emergencies_answered_as_routine == 0, report.mistakes
    assert report.automated_answered == 0
    recall, precision = FLOORS[name]
    assert (report.emergency_recall or 0) >= recall, report.to_text()
    assert (report.emergency_precision or 0) >= precision, report.to_text()


async def test_the_report_counts_by_grade_and_language() -> None:
    report = await report_for("languages")
    assert set(report.emergencies_by_grade) == {"life", "property"}
    assert report.emergencies_by_grade["life"]["labelled"] == 27
    assert {"es", "fr", "pt", "de", "it", "pl", "vi", "en"} <= set(report.by_language)
    assert report.false_pages_per_100_routine is not None
    assert "false pages per 100 routine emails" in report.to_text()


async def test_actions_are_measured_on_senders_on_file_apart_from_strangers() -> None:
    # `kin` is written by relatives and carers, many not on file: the office holds a
    # stranger's mail for review whatever its label says, and the report says so apart.
    report = await report_for("kin")
    assert report.strangers_held >= 10
    assert report.action_accuracy_on_file > report.action_accuracy
    assert "action accuracy, senders on file" in report.to_text()


async def test_every_emergency_in_unseen_conversations_reaches_a_person() -> None:
    directory = Directory.load(ROOT / "data")
    report = await replay(BLIND / "chasers", directory, OfflineProvider(directory))
    assert report.conversations == 40
    assert report.emergency_recall == 1.0, report.to_text()
