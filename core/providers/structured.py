"""Structured output: the ways an OpenAI-compatible server can be asked for a `Draft`.

Servers differ in the `response_format` they accept:

- `json_schema`: OpenAI's strict form, which OpenAI, vLLM, llama.cpp's
  `llama-server`, Ollama and LM Studio take (the server constrains the answer
  to the schema);
- `json_object`: `{"type": "json_object", "schema": …}`, the form
  llama-cpp-python's server takes (it answers `json_schema` with HTTP 500);
- `prompt`: plain JSON mode (`{"type": "json_object"}`) with the schema
  written into the prompt, for a server that constrains nothing but JSON.

Whatever the mode, the answer is validated with the same pydantic `Draft`.
`is_format_refusal` tells a server's "I do not take this format" from other
errors, so the provider moves on to the next mode instead of failing.
Pure functions only.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from pydantic import BaseModel

from core.config import Structured
from core.models import Draft
from core.providers.danger_check import DangerCheck

JsonObject = dict[str, Any]


FALLBACK_ORDER = (Structured.JSON_SCHEMA, Structured.JSON_OBJECT, Structured.PROMPT)

# What a server says when it does not take a response format (llama-cpp-python:
# "response_format … Input should be 'text' or 'json_object'"; llama-server:
# "Either \"json_schema\" or \"grammar\" can be specified, but not both").
_FORMAT_WORDS = re.compile(r"response_format|json_schema|not supported|unsupported", re.I)
_FORMAT_STATUSES = frozenset({400, 422, 500})
# A 500 whose body is a request validation error cannot succeed on a retry.
_VALIDATION_WORDS = re.compile(
    r"validation error|literal_error|input should be|field required|extra_forbidden", re.I
)
_FENCE = re.compile(r"^\s*```(?:json)?\s*\n?(.*?)\n?\s*```\s*$", re.S | re.I)


def modes_to_try(setting: Structured) -> tuple[Structured, ...]:
    """The modes to try in order: all of them for `auto`, else only the one pinned."""
    return FALLBACK_ORDER if setting is Structured.AUTO else (setting,)


@cache
def draft_schema() -> JsonObject:
    """The strict JSON schema of `Draft` (every field required, no extra fields)."""
    return strict_schema(Draft)


@cache
def danger_schema() -> JsonObject:
    """The strict JSON schema of the danger check's answer."""
    return strict_schema(DangerCheck)


def strict_schema(model: type[BaseModel]) -> JsonObject:
    """A pydantic model's JSON schema in the form OpenAI's strict mode demands."""
    strict: JsonObject = _strict(model.model_json_schema())
    return strict


def _strict(node: Any) -> Any:
    if isinstance(node, list):
        return [_strict(value) for value in node]
    if not isinstance(node, dict):
        return node
    node = {key: _strict(value) for key, value in node.items()}
    if node.get("type") == "object" and isinstance(node.get("properties"), dict):
        node["additionalProperties"] = False
        node["required"] = list(node["properties"])
    return node


def response_format(mode: Structured, schema: JsonObject, name: str = "Draft") -> JsonObject:
    """The `response_format` request field for a mode."""
    if mode is Structured.JSON_SCHEMA:
        return {
            "type": "json_schema",
            "json_schema": {"name": name, "strict": True, "schema": schema},
        }
    if mode is Structured.JSON_OBJECT:
        return {"type": "json_object", "schema": schema}
    if mode is Structured.PROMPT:
        return {"type": "json_object"}
    raise ValueError(f"{mode.value} is a setting, not a mode")


def schema_in_prompt(mode: Structured, schema: JsonObject) -> JsonObject | None:
    """The schema the prompt must spell out: only when the server is not told it."""
    return schema if mode is Structured.PROMPT else None


def is_format_refusal(status: int, message: str) -> bool:
    """Whether an HTTP error says the server does not take the response format asked."""
    return status in _FORMAT_STATUSES and bool(_FORMAT_WORDS.search(message))


def is_validation_failure(message: str) -> bool:
    """Whether a server error is its own request validation (a retry cannot help)."""
    return bool(_VALIDATION_WORDS.search(message))


def json_text(content: str) -> str:
    """The JSON in an answer, without a Markdown code fence some models add in prompt mode."""
    fenced = _FENCE.match(content)
    return fenced.group(1) if fenced else content
