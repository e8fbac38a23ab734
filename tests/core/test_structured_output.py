"""The model path against servers that differ: structured-output modes, limits, reasons.

Each scripted server plays a behaviour seen on a real one: llama-cpp-python
refusing `json_schema` with a 500 validation body, a server taking only plain
JSON mode, an answer cut off at the token limit, errors a retry cannot mend.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest

from core.config import Structured
from core.directory import Directory
from core.mail.parsing import parse_message
from core.models import Action, Proposal
from core.providers.offline import OfflineProvider
from core.providers.openai import OpenAIProvider
from core.triage.classify import triage
from tests.support.assistant import DATA_DIR
from tests.support.llm import (
    LlmServer,
    Reply,
    Status,
    Truncated,
    format_gate,
    takes_json_object_with_schema,
)
from tests.support.mail import make_email

LEAK = make_email("maria.gonzalez@example.com", "Sink", "The kitchen sink leaks under the pipe.")
RENT = make_email("maria.gonzalez@example.com", "Rent", "Did you get my rent for this month?")


def draft(**changes: Any) -> dict[str, Any]:
    value: dict[str, Any] = {
        "intent": "maintenance",
        "confidence": 0.93,
        "emergency": False,
        "summary": "Kitchen sink leaking",
        "reply": "Hi Maria, our maintenance team will contact you about the sink.",
        "ticket": {"title": "Sink leak", "description": "Kitchen sink leaks", "priority": "normal"},
        "questions": [],
    }
    value.update(changes)
    return value


@pytest.fixture(scope="module")
def directory() -> Directory:
    return Directory.load(DATA_DIR)


def model_at(llm: LlmServer, **options: Any) -> OpenAIProvider:
    return OpenAIProvider.from_settings("sk-test-secret", llm.base_url, "test-model", 5, **options)


async def propose(
    model: OpenAIProvider, directory: Directory, raw: bytes = LEAK, **kwargs: Any
) -> Proposal:
    kwargs.setdefault("max_retries", 2)
    return await triage(parse_message(raw), directory, model, retry_delay=0.01, **kwargs)


def formats(llm: LlmServer) -> list[dict[str, Any]]:
    return [request["response_format"] for request in llm.requests]


# --- the fallback order and its memory ------------------------------------------------------


async def test_a_server_refusing_json_schema_gets_json_object_with_the_same_schema(
    llm_server: LlmServer, directory: Directory
) -> None:
    llm_server.default = takes_json_object_with_schema(Reply(draft()))
    model = model_at(llm_server)
    proposal = await propose(model, directory)
    await model.aclose()
    assert proposal.provider == "openai:test-model" and proposal.action is Action.REPLY
    strict, second = formats(llm_server)
    assert strict["type"] == "json_schema"
    assert second == {"type": "json_object", "schema": strict["json_schema"]["schema"]}
    assert model.mode is Structured.JSON_OBJECT


async def test_the_mode_that_worked_is_kept_and_logged_once(
    llm_server: LlmServer, directory: Directory, caplog: pytest.LogCaptureFixture
) -> None:
    llm_server.default = takes_json_object_with_schema(Reply(draft()))
    model = model_at(llm_server)
    with caplog.at_level(logging.INFO, logger="core.providers.openai"):
        await propose(model, directory, LEAK)
        await propose(model, directory, RENT)
        await propose(model, directory, LEAK)
    await model.aclose()
    assert [f["type"] for f in formats(llm_server)] == [
        "json_schema",
        "json_object",
        "json_object",
        "json_object",
    ]
    said = [record.getMessage() for record in caplog.records]
    settled = [line for line in said if line.endswith("structured output json_object")]
    assert settled == [f"model test-model at {llm_server.base_url}: structured output json_object"]


async def test_another_server_at_the_address_gets_its_mode_found_again(
    llm_server: LlmServer, directory: Directory
) -> None:
    llm_server.default = format_gate(lambda fmt: True, Reply(draft()))
    model = model_at(llm_server)
    await propose(model, directory, LEAK)
    llm_server.default = takes_json_object_with_schema(Reply(draft()))  # swapped servers
    proposal = await propose(model, directory, RENT)
    await model.aclose()
    assert proposal.provider == "openai:test-model"
    assert [f["type"] for f in formats(llm_server)] == ["json_schema", "json_schema", "json_object"]
    assert model.mode is Structured.JSON_OBJECT


async def test_plain_json_mode_with_the_schema_in_the_prompt_comes_last(
    llm_server: LlmServer, directory: Directory
) -> None:
    llm_server.default = format_gate(lambda fmt: fmt == {"type": "json_object"}, Reply(draft()))
    model = model_at(llm_server)
    proposal = await propose(model, directory)
    await model.aclose()
    assert proposal.provider == "openai:test-model" and proposal.body.startswith("Hi Maria")
    assert [f["type"] for f in formats(llm_server)] == ["json_schema", "json_object", "json_object"]
    first, _, last = llm_server.requests
    assert '"additionalProperties":false' not in first["messages"][0]["content"]
    assert '"additionalProperties":false' in last["messages"][0]["content"]
    assert model.mode is Structured.PROMPT


async def test_a_pinned_mode_is_asked_for_at_once(
    llm_server: LlmServer, directory: Directory
) -> None:
    llm_server.default = takes_json_object_with_schema(Reply(draft()))
    model = model_at(llm_server, structured=Structured.JSON_OBJECT)
    assert model.mode_label == "json_object"  # known before the first request
    await propose(model, directory)
    await model.aclose()
    assert [f["type"] for f in formats(llm_server)] == ["json_object"]


async def test_a_pinned_mode_the_server_refuses_fails_once_with_its_words(
    llm_server: LlmServer, directory: Directory
) -> None:
    llm_server.default = takes_json_object_with_schema(Reply(draft()))
    model = model_at(llm_server, structured=Structured.JSON_SCHEMA)
    proposal = await propose(model, directory)
    await model.aclose()
    assert len(llm_server.requests) == 1
    assert proposal.model_error.startswith(
        "the model server does not take structured output json_schema (500: "
    )
    assert "Input should be 'text' or 'json_object'" in proposal.model_error
    assert proposal.model_error.endswith("; OPENAI_STRUCTURED=auto finds a mode it takes")


async def test_a_server_taking_no_mode_says_so_and_is_not_asked_again(
    llm_server: LlmServer, directory: Directory
) -> None:
    refusal = Status(400, {"error": {"message": "response_format is not supported"}})
    llm_server.default = format_gate(lambda fmt: False, Reply(draft()), refusal)
    model = model_at(llm_server)
    first = await propose(model, directory, fallback=OfflineProvider(directory))
    second = await propose(model, directory, RENT, fallback=OfflineProvider(directory))
    await model.aclose()
    assert len(llm_server.requests) == 3  # one per mode, then never again this run
    assert first.provider == second.provider == "offline (fallback)"
    assert first.model_error == (
        "the model server takes none of the structured-output modes "
        "(last, prompt: 400: response_format is not supported)"
    )


# --- bounded answers ----------------------------------------------------------------------


async def test_every_request_is_bounded_by_max_tokens(
    llm_server: LlmServer, directory: Directory
) -> None:
    llm_server.script(Reply(draft()))
    model = model_at(llm_server, max_tokens=300)
    await propose(model, directory)
    await model.aclose()
    assert llm_server.requests[0]["max_tokens"] == 300


async def test_an_answer_cut_off_is_retried_once_then_the_offline_draft_is_held(
    llm_server: LlmServer, directory: Directory
) -> None:
    cut = Truncated('{"intent": "maintenance", "reply": "Hi Maria, hi Maria, hi Maria')
    llm_server.script(cut, cut, cut, Reply(draft()))
    model = model_at(llm_server)
    proposal = await propose(model, directory, fallback=OfflineProvider(directory))
    await model.aclose()
    assert len(llm_server.requests) == 2
    assert proposal.provider == "offline (fallback)" and proposal.action is Action.REVIEW
    assert proposal.model_error == (
        "the model's answer was cut off at OPENAI_MAX_TOKENS (1024 tokens)"
    )
    assert proposal.reason.startswith("the model failed (the model's answer was cut off")


# --- errors that say what happened ----------------------------------------------------------

CONTEXT_FULL = Status(
    400,
    {
        "error": {
            "message": "This model's maximum context length is 2048 tokens. However, you "
            "requested 3211 tokens (2187 in the messages, 1024 in the completion).",
            "type": "invalid_request_error",
            "code": "context_length_exceeded",
        }
    },
)
NO_SUCH_MODEL = Status(404, {"error": {"message": "model 'test-model' not found"}})
VALIDATION_500 = Status(
    500,
    {
        "error": {
            "message": "1 validation error for CreateChatCompletionRequest\nmessages\n  "
            "Field required [type=missing, input_value={}, input_type=dict]",
            "type": "internal_server_error",
        }
    },
)


@pytest.mark.parametrize(
    ("failure", "quoted"),
    [
        (CONTEXT_FULL, "400: This model's maximum context length is 2048 tokens."),
        (NO_SUCH_MODEL, "404: model 'test-model' not found"),
        (VALIDATION_500, "500: 1 validation error for CreateChatCompletionRequest messages"),
    ],
    ids=["context-length", "unknown-model", "500-validation"],
)
async def test_errors_a_retry_cannot_mend_are_not_retried_and_quote_the_server(
    llm_server: LlmServer, directory: Directory, failure: Status, quoted: str
) -> None:
    llm_server.script(failure, Reply(draft()), Reply(draft()))
    model = model_at(llm_server)
    proposal = await propose(model, directory, fallback=OfflineProvider(directory))
    await model.aclose()
    assert len(llm_server.requests) == 1
    assert proposal.model_error.startswith(f"the model server refused the request ({quoted}")


async def test_a_server_error_is_retried_and_quoted(
    llm_server: LlmServer, directory: Directory
) -> None:
    crash = Status(500, {"error": {"message": "CUDA error: out of memory"}})
    llm_server.script(crash, crash, crash)
    model = model_at(llm_server)
    proposal = await propose(model, directory, fallback=OfflineProvider(directory))
    await model.aclose()
    assert len(llm_server.requests) == 3
    assert proposal.model_error == "the model server failed (500: CUDA error: out of memory)"


async def test_a_long_server_message_is_trimmed_to_one_line(
    llm_server: LlmServer, directory: Directory
) -> None:
    llm_server.script(Status(400, {"error": {"message": "bad\n\nrequest " + "x" * 5000}}))
    model = model_at(llm_server)
    proposal = await propose(model, directory)
    await model.aclose()
    assert "\n" not in proposal.reason
    assert "(400: bad request xxx" in proposal.model_error
    assert len(proposal.model_error) < 300 and proposal.model_error.endswith("…)")


async def test_the_api_key_is_never_quoted(llm_server: LlmServer, directory: Directory) -> None:
    echo = Status(401, {"error": {"message": "Incorrect API key provided: sk-test-secret."}})
    llm_server.script(echo)
    model = model_at(llm_server)
    proposal = await propose(model, directory)
    await model.aclose()
    assert "sk-test-secret" not in json.dumps(proposal.model_dump())
    assert "Incorrect API key provided: [key]." in proposal.model_error
