"""Settings in tests never come from a developer's environment or .env file."""

from __future__ import annotations

import pytest

from core.config import Settings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
