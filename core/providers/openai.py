"""Drafts from any OpenAI-compatible server, with structured JSON output.

One `chat.completions.parse` call per email with the `Draft` schema. The
client's own retries are off: `core.triage.draft_with_retries` owns the retry
policy (MAX_RETRIES), and this module only classifies failures as retryable
(rate limits, server errors, timeouts, malformed output) or not (bad key,
unknown model). The API key never leaves the client object.
"""

from __future__ import annotations

import openai
from openai import AsyncOpenAI
from pydantic import ValidationError

from core.errors import TriageError
from core.models import Draft
from core.prompt import TriageRequest, build_messages


class OpenAIProvider:
    name = "openai"

    def __init__(self, client: AsyncOpenAI, model: str) -> None:
        self._client = client
        self.model = model
        self.name = f"openai:{model}"

    @classmethod
    def from_settings(
        cls, api_key: str, base_url: str, model: str, timeout: float
    ) -> OpenAIProvider:
        client = AsyncOpenAI(
            api_key=api_key or "unused",  # local servers accept any key
            base_url=base_url or None,
            timeout=timeout,
            max_retries=0,
        )
        return cls(client, model)

    async def draft(self, request: TriageRequest) -> Draft:
        try:
            completion = await self._client.chat.completions.parse(
                model=self.model,
                messages=build_messages(request),  # type: ignore[arg-type]
                response_format=Draft,
                temperature=0.2,
            )
        except openai.RateLimitError as exc:
            raise TriageError(
                f"the model is rate-limited ({exc.status_code})",
                retryable=True,
                retry_after=_retry_after(exc),
            ) from None
        except openai.APITimeoutError:
            raise TriageError("the model did not answer in time", retryable=True) from None
        except openai.APIConnectionError:
            raise TriageError("cannot reach the model server", retryable=True) from None
        except openai.InternalServerError as exc:
            raise TriageError(
                f"the model server failed ({exc.status_code})", retryable=True
            ) from None
        except openai.APIStatusError as exc:
            raise TriageError(
                f"the model server refused the request ({exc.status_code}: {_short(exc.message)})"
            ) from None
        except openai.LengthFinishReasonError:
            raise TriageError("the model's answer was cut off", retryable=True) from None
        except openai.ContentFilterFinishReasonError:
            raise TriageError("the model refused to answer (content filter)") from None
        except (ValidationError, ValueError) as exc:
            raise TriageError(
                f"the model's answer did not fit the schema: {_short(str(exc))}", retryable=True
            ) from None
        message = completion.choices[0].message if completion.choices else None
        if message is None or message.parsed is None:
            refusal = getattr(message, "refusal", None)
            raise TriageError(
                f"the model gave no usable answer ({refusal or 'empty'})", retryable=refusal is None
            )
        return message.parsed

    async def aclose(self) -> None:
        await self._client.close()


def _retry_after(exc: openai.APIStatusError) -> float | None:
    value = exc.response.headers.get("retry-after")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _short(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
