"""Events produced by the notifications service."""

from datetime import date
from typing import ClassVar
from uuid import UUID

from contracts.base import Event, event_model


@event_model
class AnnouncementPublished(Event):
    """Объявление (R-53): a school-wide one (``class_id`` None) or a class's, shown in the diary
    from ``starts_on`` to ``ends_on`` inclusive."""

    TYPE: ClassVar[str] = "notifications.announcement.published.v1"
    SUBJECT_FIELD: ClassVar[str] = "announcement_id"
    announcement_id: UUID
    class_id: UUID | None = None
    title: str
    text: str
    starts_on: date
    ends_on: date
    author_id: UUID
