"""The assistant's core: fetch, parse, triage, ticket and reply, with a crash-safe store.

Nothing in this package knows about the terminal console; the console (and any
other front end) drives it through `core.operator` and listens to `core.events`.
"""
