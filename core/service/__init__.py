"""The assistant as a service: processes that share the work through the store.

`membership` is how a service process joins the team (its heartbeat, its
claims, what it tells the consoles); `feed` is how any process (a service or
a console) learns what the others committed.
"""
