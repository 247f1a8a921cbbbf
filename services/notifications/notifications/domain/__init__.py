"""Notification rules as pure functions: no I/O here."""
