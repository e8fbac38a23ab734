"""Measuring triage on labelled mail, and replaying labelled conversations."""
