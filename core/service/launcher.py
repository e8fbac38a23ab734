"""The service a console works with: one already running on the store, or one it starts.

`python -m console` never does the mail work in its own process. On start it
looks in the store for a running service (a heartbeat younger than a claim's
lease): found, it attaches and leaves that service running when it quits. None
found, it starts `python -m console --headless` with the same settings, its
output in `OUTPUT_DIR/service.log`, and stops it again on quit.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from core.config import Settings, settings_environment
from core.errors import StoreError
from core.models import ServiceInfo
from core.service.membership import CLAIM_SECONDS
from core.store import Store

START_SECONDS = 60.0  # a service that has not said it runs by then did not start
STOP_SECONDS = 40.0  # it finishes the reply in hand (30 s at most), then it is killed


class ServiceError(StoreError):
    """The service could not be started (its log says why)."""


async def running_services(store: Store, now: datetime) -> list[ServiceInfo]:
    return [s for s in await store.services() if s.alive(now, CLAIM_SECONDS)]


class ServiceLink:
    def __init__(self, settings: Settings, store: Store, clock: Callable[[], datetime]) -> None:
        self.settings = settings
        self.store = store
        self.clock = clock
        self.process: asyncio.subprocess.Process | None = None
        self.attached: ServiceInfo | None = None
        self.log_path = settings.output_dir / "service.log"

    @property
    def started_here(self) -> bool:
        return self.process is not None

    def describe(self) -> str:
        if self.process is not None:
            return f"service started by this console (pid {self.process.pid})"
        if self.attached is not None:
            return f"attached to the service on {self.attached.host} (pid {self.attached.pid})"
        return "no service"

    async def start_or_attach(self) -> None:
        """Attach to a running service, or start one and wait until it says it runs."""
        running = await running_services(self.store, self.clock())
        if running:
            self.attached = running[0]
            return
        self.process = await self._spawn()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + START_SECONDS
        while loop.time() < deadline:
            if self.process.returncode is not None:
                raise ServiceError(self._why_it_stopped())
            mine = [
                s
                for s in await running_services(self.store, self.clock())
                if s.pid == self.process.pid
            ]
            if mine:
                return
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self.process.wait(), 0.2)
        await self.stop()
        raise ServiceError(
            f"the service did not start within {START_SECONDS:.0f} s; see {self.log_path}"
        )

    async def _spawn(self) -> asyncio.subprocess.Process:
        env = {**os.environ, **settings_environment(self.settings)}
        log = await asyncio.to_thread(_open_log, self.log_path)
        with log:
            return await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "console",
                "--headless",
                env=env,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                cwd=Path.cwd(),
                start_new_session=True,  # a Ctrl-C at the console is the console's
            )

    def _why_it_stopped(self) -> str:
        lines = _last_lines(self.log_path, 3)
        code = self.process.returncode if self.process is not None else None
        return f"the service stopped at once (exit {code}): {' / '.join(lines)}"

    async def stop(self) -> None:
        """Stop the service this console started (one it attached to keeps running)."""
        process, self.process = self.process, None
        if process is None or process.returncode is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(process.wait(), STOP_SECONDS)
        except asyncio.TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()


def _open_log(path: Path) -> BinaryIO:
    path.parent.mkdir(parents=True, exist_ok=True)
    return open(path, "ab")


def _last_lines(path: Path, count: int) -> list[str]:
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").strip().splitlines()
    except OSError:
        return []
    return [line.strip() for line in lines[-count:]]
