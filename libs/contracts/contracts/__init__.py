"""Event contracts: one module per producing service, every event versioned by its type.

An event's `type` is also its RabbitMQ routing key. Within a version, fields are only
ever added (with defaults); a breaking change is a new `.v2` type.
"""

from contracts.base import Event, event_model, registry

__all__ = ["Event", "event_model", "registry"]
