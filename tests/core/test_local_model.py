"""The model path against a real server: llama-cpp-python with SmolLM2-135M, on loopback.

One structured request per mode. Quality is not the point, the path is: what
the server accepts, what it refuses and in which words (the scripted server
copies them), and that what comes back is validated as a `Draft`.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from core.config import Structured
from core.errors import TriageError
from core.models import Draft, TenantContext
from core.providers.model_check import SAMPLE_EMAIL, SAMPLE_SENDER
from core.providers.model_errors import short
from core.providers.openai import OpenAIProvider
from core.retry import with_retries
from core.triage.prompt import TriageRequest
from tests.support.llm import LLAMA_CPP_PYTHON_REFUSAL
from tests.support.local_model import MODEL, LocalModelServer

pytestmark = [pytest.mark.local_model, pytest.mark.timeout(300)]

ROOT = Path(__file__).resolve().parents[2]
REQUEST = TriageRequest(SAMPLE_EMAIL, TenantContext(sender=SAMPLE_SENDER))
ANSWER_SECONDS = 120.0  # the bound for one email on a 2-core machine
MAX_RETRIES = 2  # the default MAX_RETRIES


@pytest.fixture
async def model(
    local_model: LocalModelServer, request: pytest.FixtureRequest
) -> AsyncIterator[OpenAIProvider]:
    structured = getattr(request, "param", Structured.AUTO)
    provider = OpenAIProvider.from_settings(
        "", local_model.base_url, MODEL, ANSWER_SECONDS, structured=structured
    )
    yield provider
    await provider.aclose()


async def draft_with_retries(model: OpenAIProvider) -> Draft:
    """As the pipeline asks: a weak model sometimes loops until the token limit."""
    return await with_retries(lambda: model.draft(REQUEST), MAX_RETRIES, base_delay=0.1)


@pytest.mark.parametrize("model", [Structured.JSON_OBJECT], indirect=True)
async def test_json_object_with_the_schema_gives_a_valid_draft(model: OpenAIProvider) -> None:
    assert isinstance(await draft_with_retries(model), Draft)


@pytest.mark.parametrize("model", [Structured.JSON_SCHEMA], indirect=True)
async def test_json_schema_is_refused_in_the_words_the_scripted_server_uses(
    model: OpenAIProvider,
) -> None:
    with pytest.raises(TriageError) as refused:
        await model.draft(REQUEST)
    assert not refused.value.retryable
    assert isinstance(LLAMA_CPP_PYTHON_REFUSAL.body, dict)
    scripted = short(LLAMA_CPP_PYTHON_REFUSAL.body["error"]["message"])
    said = str(refused.value)
    assert said.startswith("the model server does not take structured output json_schema (500: ")
    assert scripted[:150] in said  # the same body, up to the server's own file path


@pytest.mark.parametrize("model", [Structured.PROMPT], indirect=True)
async def test_plain_json_mode_is_taken_and_its_answer_validated(model: OpenAIProvider) -> None:
    try:
        assert isinstance(await model.draft(REQUEST), Draft)
    except TriageError as exc:
        # A 135M model told the schema only in the prompt answers JSON (the server
        # enforces that much) that rarely fits: it must be caught by validation.
        assert str(exc).startswith("the model's answer did not fit the schema (")


async def test_auto_settles_on_json_object(model: OpenAIProvider) -> None:
    assert isinstance(await draft_with_retries(model), Draft)
    assert model.mode is Structured.JSON_OBJECT
    assert list(model.refused) == [Structured.JSON_SCHEMA]


def test_triage_of_a_demo_email_is_the_models_and_in_time(
    local_model: LocalModelServer, tmp_path: Path
) -> None:
    env = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(ROOT),
        "LLM_PROVIDER": "openai",
        "OPENAI_BASE_URL": local_model.base_url,
        "OPENAI_MODEL": MODEL,
        "DATA_DIR": str(ROOT / "data"),
    }
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "console", "triage", str(ROOT / "data/demo/02-leaky-faucet.eml")],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=2 * ANSWER_SECONDS,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["provider"] == f"openai:{MODEL}", result.stderr
    assert time.monotonic() - started < ANSWER_SECONDS
