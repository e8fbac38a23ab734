"""The model behind a draft: any OpenAI-compatible server (structured output), or the
offline provider that always works; both answer the same `TriageRequest`."""
