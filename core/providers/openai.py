"""Drafts from any OpenAI-compatible server, in the structured-output mode it takes.

One chat completion per email, bounded by `max_tokens`. With
`OPENAI_STRUCTURED=auto` the first request finds the mode the server takes
(strict `json_schema`, then `json_object` with the schema, then plain JSON
mode with the schema in the prompt: `core.providers.structured`); the mode
that worked is kept for the rest of the run and logged once. A pinned mode is
used as it is. Every answer is validated with the same `Draft` model.

The client's own retries are off: `core.triage.classify` owns the retry policy, and
this module only says which failures a retry can help
(`core.providers.model_errors`), and which are the server's own failures
(`unavailable`: the pipeline's circuit breaker counts those). The API key never
leaves the client object.
"""

from __future__ import annotations

import asyncio
import json
import logging

import openai
from openai import AsyncOpenAI
from openai.types.chat import ChatCompletion
from pydantic import ValidationError

from core.config import Structured
from core.errors import TriageError
from core.models import Draft
from core.providers.danger_check import DANGER_MAX_TOKENS, DangerCheck, danger_messages
from core.providers.model_errors import (
    FormatRefused,
    connection_error,
    off_schema,
    short,
    status_error,
)
from core.providers.structured import (
    danger_schema,
    draft_schema,
    json_text,
    modes_to_try,
    response_format,
    schema_in_prompt,
)
from core.triage.prompt import TriageRequest, build_messages

log = logging.getLogger(__name__)

DEFAULT_MAX_TOKENS = 1024
TEMPERATURE = 0.2


class OpenAIProvider:
    name = "openai"

    def __init__(
        self,
        client: AsyncOpenAI,
        model: str,
        *,
        structured: Structured = Structured.AUTO,
        max_tokens: int = DEFAULT_MAX_TOKENS,
        timeout: float = 60.0,
    ) -> None:
        self._client = client
        self.model = model
        self.name = f"openai:{model}"
        self.structured = structured
        self.max_tokens = max_tokens
        self.timeout = timeout
        # The mode in use: the pinned one, or (auto) the one found to work, once known.
        self.mode: Structured | None = None if structured is Structured.AUTO else structured
        # Modes the server refused, with what it said ("500: …").
        self.refused: dict[Structured, str] = {}
        self._finding = asyncio.Lock()

    @classmethod
    def from_settings(
        cls,
        api_key: str,
        base_url: str,
        model: str,
        timeout: float,
        *,
        structured: Structured = Structured.AUTO,
        max_tokens: int = DEFAULT_MAX_TOKENS,
    ) -> OpenAIProvider:
        client = AsyncOpenAI(
            api_key=api_key or "unused",  # local servers accept any key
            base_url=base_url or None,
            timeout=timeout,
            max_retries=0,
        )
        return cls(client, model, structured=structured, max_tokens=max_tokens, timeout=timeout)

    @property
    def server(self) -> str:
        return str(self._client.base_url).rstrip("/")

    @property
    def mode_label(self) -> str:
        """The structured-output mode, for a status line."""
        return self.mode.value if self.mode is not None else "auto, not tried yet"

    async def draft(self, request: TriageRequest) -> Draft:
        if self.mode is None:
            async with self._finding:  # one request finds the mode; the others wait for it
                if self.mode is None:
                    return await self._find_mode(request)
        assert self.mode is not None
        try:
            return parse_answer(await self._complete(request, self.mode), self.max_tokens)
        except FormatRefused as exc:
            if self.structured is not Structured.AUTO:
                raise TriageError(f"{exc}; OPENAI_STRUCTURED=auto finds a mode it takes") from None
            # Another server now answers at the address: the retry finds its mode.
            self.refused[exc.mode] = exc.server_says
            self.mode = None
            raise TriageError(str(exc), retryable=True) from None

    async def _find_mode(self, request: TriageRequest) -> Draft:
        for mode in modes_to_try(self.structured):
            if mode in self.refused:
                continue
            try:
                completion = await self._complete(request, mode)
            except FormatRefused as exc:
                self.refused[mode] = exc.server_says
                log.info("model %s: %s; trying the next mode", self.model, exc)
                continue
            self._settle(mode)
            return parse_answer(completion, self.max_tokens)
        last = list(self.refused.items())[-1]
        raise TriageError(
            "the model server takes none of the structured-output modes "
            f"(last, {last[0].value}: {last[1]})"
        )

    def _settle(self, mode: Structured) -> None:
        if self.mode is None:
            self.mode = mode
            log.info("model %s at %s: structured output %s", self.model, self.server, mode.value)

    async def _complete(self, request: TriageRequest, mode: Structured) -> ChatCompletion:
        schema = draft_schema()
        try:
            return await self._chat(
                {
                    "model": self.model,
                    "messages": build_messages(request, schema_in_prompt(mode, schema)),
                    "temperature": TEMPERATURE,
                    "max_tokens": self.max_tokens,
                    "response_format": response_format(mode, schema),
                }
            )
        except openai.APIStatusError as exc:
            raise status_error(exc, mode, secret=self._client.api_key) from None
        except openai.APIConnectionError as exc:
            raise connection_error(exc, self.server, self.timeout) from None
        except openai.APIError as exc:  # an answer the client could not read
            raise TriageError(
                f"the model server's answer could not be read ({short(str(exc))})",
                retryable=True,
            ) from None

    async def check_danger(self, subject: str, text: str) -> DangerCheck | None:
        """The model's own answer to the emergency question (`core.providers.danger_check`).

        None when it gives none (down, refused, off-schema, no mode found yet): the
        safety net and the learned model still stand, and the draft is not held up.
        """
        if self.mode is None:
            async with self._finding:  # the draft's request is finding the mode
                pass
        mode = self.mode
        if mode is None:
            return None
        schema = danger_schema()
        messages = danger_messages(subject, text)
        if schema_in_prompt(mode, schema) is not None:
            messages[0]["content"] += "\n\nAnswer with one JSON object fitting this schema:\n" + (
                json.dumps(schema, separators=(",", ":"))
            )
        try:
            completion = await self._chat(
                {
                    "model": self.model,
                    "messages": messages,
                    "temperature": 0.0,
                    "max_tokens": DANGER_MAX_TOKENS,
                    "response_format": response_format(mode, schema, "DangerCheck"),
                }
            )
            content = completion.choices[0].message.content if completion.choices else None
            return DangerCheck.model_validate_json(json_text(content or ""))
        except (openai.APIError, ValidationError, IndexError) as exc:
            log.info("model %s: no answer to the danger check (%s)", self.model, short(str(exc)))
            return None

    async def _chat(self, body: dict[str, object]) -> ChatCompletion:
        """POST /chat/completions with a body that is plain JSON already: the client's
        own request path (base URL, key, timeouts, errors), without `create`'s walk
        through the parameters' types, which cost as much as the rest of the call."""
        completion: ChatCompletion = await self._client.post(
            "/chat/completions", body=body, cast_to=ChatCompletion
        )
        return completion

    async def aclose(self) -> None:
        await self._client.close()


def parse_answer(completion: ChatCompletion, max_tokens: int) -> Draft:
    """The validated draft in a completion, or why there is none."""
    if not completion.choices:
        raise TriageError("the model server sent no answer", retryable=True)
    choice = completion.choices[0]
    if choice.finish_reason == "length":
        raise TriageError(
            f"the model's answer was cut off at OPENAI_MAX_TOKENS ({max_tokens} tokens)",
            retryable=True,
            retry_limit=1,
        )
    if choice.finish_reason == "content_filter":
        raise TriageError("the model refused to answer (content filter)")
    if choice.message.refusal:
        raise TriageError(f"the model refused to answer ({short(choice.message.refusal)})")
    try:
        return Draft.model_validate_json(json_text(choice.message.content or ""))
    except ValidationError as exc:
        raise off_schema(exc) from None
