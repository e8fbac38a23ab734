"""What the manager sees: the queue, the detail view, help and the policy panel."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from console.app import OperatorConsole
from tests.console.seed import NOW, seeded_settings

SIZE = (150, 36)


def app_for(tmp_path: Path) -> OperatorConsole:
    return OperatorConsole(
        seeded_settings(tmp_path), clock=lambda: NOW, run_pipeline=False, tick_seconds=3600
    )


async def settle(pilot: Pilot[Any]) -> None:
    """Let start-up and the detail view's loading finish (the event pump never does)."""
    await pilot.pause(0.3)
    for worker in list(pilot.app.workers):
        if worker.group in ("details", "commands"):
            await worker.wait()
    await pilot.pause()


def test_queue(snap_compare: Any, tmp_path: Path) -> None:
    assert snap_compare(app_for(tmp_path), terminal_size=SIZE, run_before=settle)


def test_detail_view(snap_compare: Any, tmp_path: Path) -> None:
    async def open_lockout(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("j")
        await settle(pilot)

    assert snap_compare(app_for(tmp_path), terminal_size=SIZE, run_before=open_lockout)


def test_help(snap_compare: Any, tmp_path: Path) -> None:
    async def open_help(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()

    assert snap_compare(app_for(tmp_path), terminal_size=SIZE, run_before=open_help)


def test_policy_panel(snap_compare: Any, tmp_path: Path) -> None:
    async def open_policy(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("p")
        await pilot.pause()

    assert snap_compare(app_for(tmp_path), terminal_size=SIZE, run_before=open_policy)
