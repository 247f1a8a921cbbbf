"""The base of every event payload and the registry of event types."""

from typing import ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict

_registry: dict[str, type["Event"]] = {}


class Event(BaseModel):
    """The `data` of a CloudEvent. Subclasses set `TYPE`, e.g. ``gradebook.mark.posted.v1``."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    TYPE: ClassVar[str]
    #: What the CloudEvents `subject` is for this event (the aggregate's id field).
    SUBJECT_FIELD: ClassVar[str]

    def subject(self) -> str:
        return str(getattr(self, self.SUBJECT_FIELD))


E = TypeVar("E", bound=type[Event])


def event_model(cls: E) -> E:
    """Register an event class under its type; a duplicate type is a programming error."""
    if cls.TYPE in _registry:
        raise ValueError(f"event type {cls.TYPE} registered twice")
    _registry[cls.TYPE] = cls
    return cls


def registry() -> dict[str, type[Event]]:
    """Every known event type, after importing every producer's module."""
    from contracts import attendance, gradebook, notifications, public, roster  # noqa: F401  (registers their events)

    return dict(_registry)
