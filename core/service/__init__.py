"""The work around each email, and the assistant as a service.

`pipeline` watches the inbox and runs bounded workers; `worker` is one item's
state machine (triage, ticket, draft, send); `operator` is the API every front
end drives; `escalation` pages people; `webhooks` delivers ticket events from
the outbox; `assembly` builds all of it from the settings; `mailboxes` reads
several inboxes from one file. `membership` is how a service process joins the
team (its heartbeat, its claims, what it tells the consoles); `feed` is how any
process (a service or a console) learns what the others committed.
"""
