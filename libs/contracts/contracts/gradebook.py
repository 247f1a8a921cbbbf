"""Events produced by the gradebook service: lessons and marks."""

from datetime import date
from typing import ClassVar
from uuid import UUID

from contracts.base import Event, event_model


@event_model
class LessonRecorded(Event):
    """A lesson record (R-20): topic and homework. A later edit carries a higher `version`."""

    TYPE: ClassVar[str] = "gradebook.lesson.recorded.v1"
    SUBJECT_FIELD: ClassVar[str] = "lesson_id"
    lesson_id: UUID
    version: int
    assignment_id: UUID
    class_id: UUID
    subject_id: UUID
    subject_name: str
    teacher_id: UUID
    date: date
    topic: str
    homework: str | None = None


@event_model
class MarkPosted(Event):
    """A current mark (R-22) placed in the column of the lesson date."""

    TYPE: ClassVar[str] = "gradebook.mark.posted.v1"
    SUBJECT_FIELD: ClassVar[str] = "mark_id"
    mark_id: UUID
    lesson_id: UUID
    student_id: UUID
    class_id: UUID
    subject_id: UUID
    subject_name: str
    teacher_id: UUID
    date: date
    value: str
    work_type: str
    weight: float
