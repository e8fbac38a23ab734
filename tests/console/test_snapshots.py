"""What the manager sees: the queue, the detail view and every dialog, wide and at 80x24."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from console.app import OperatorConsole
from console.service_mode import Service
from tests.console.seed import NOW, seeded_settings

WIDE = (150, 36)
SMALL = (80, 24)


def app_for(tmp_path: Path) -> OperatorConsole:
    return OperatorConsole(
        seeded_settings(tmp_path), clock=lambda: NOW, service=Service.NONE, tick_seconds=3600
    )


async def settle(pilot: Pilot[Any]) -> None:
    """Let start-up and the detail view's loading finish (the event pump never does)."""
    await pilot.pause(0.3)
    for worker in list(pilot.app.workers):
        if worker.group in ("body", "commands"):
            await worker.wait()
    await pilot.pause(0.3)  # past the moment an operator could act on what is shown


def pressing(*keys: str) -> Callable[[Pilot[Any]], Awaitable[None]]:
    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        if keys:
            await pilot.press(*keys)
            await settle(pilot)
        for field in pilot.app.screen.query(Input):  # a blinking cursor is a matter of timing
            field.cursor_blink = False
        await pilot.pause()

    return run_before


SCREENS = {
    "queue": (),
    "detail": ("j",),
    "help": ("question_mark",),
    "policy": ("p",),
    "reclassify": ("r",),
    "redraft": ("f",),
    "quit": ("q",),  # a reply is still counting down: the dialog asks first
}


@pytest.mark.parametrize("size", [WIDE, SMALL], ids=["wide", "80x24"])
@pytest.mark.parametrize("screen", SCREENS)
def test_screen(snap_compare: Any, tmp_path: Path, screen: str, size: tuple[int, int]) -> None:
    app = app_for(tmp_path)
    assert snap_compare(app, terminal_size=size, run_before=pressing(*SCREENS[screen]))
