"""The assistant's core: fetch, parse, triage, ticket and reply, with a crash-safe store.

Its parts, each depending only on the ones below it (an import-linter contract):

- `core.evaluation`: measuring triage on labelled mail and replaying conversations;
- `core.service`: the work around each email (pipeline, worker, operator API,
  paging, webhooks, mailboxes, the service process and its team);
- `core.providers`: the model behind a draft (any OpenAI-compatible server, or offline);
- `core.triage`: what an email is about and how urgent it is (intent, emergencies,
  language, the safety checks on a draft);
- `core.mail`: mail servers and mail (IMAP, SMTP, OAuth, parsing, threads, robots);
- `core.store`: the single source of truth (one protocol, SQLite and PostgreSQL).

Beside them, the vocabulary every part shares and which depends on none of them:
`models`, `errors`, `config`, `directory` (with `mentions` and `contacts`), `events`,
`policy`, `retry`, `circuit` and `tickets`.

Nothing in this package knows about the terminal console; the console (and any
other front end) drives it through `core.service.operator` and listens to `core.events`.
"""
