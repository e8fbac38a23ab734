"""`python -m console` run as a person runs it: a separate process, its output read back."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def cli(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "console", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )
