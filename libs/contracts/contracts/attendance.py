"""Events produced by the attendance service."""

from datetime import date
from typing import ClassVar, Literal
from uuid import UUID

from contracts.base import Event, event_model

AbsenceReason = Literal["ill", "excused", "unexcused", "late"]


@event_model
class AbsenceRecorded(Event):
    """Пропуск или опоздание на уроке (R-40); codes Б/У/Н/О map to the reasons."""

    TYPE: ClassVar[str] = "attendance.absence.recorded.v1"
    SUBJECT_FIELD: ClassVar[str] = "absence_id"
    absence_id: UUID
    lesson_id: UUID
    student_id: UUID
    class_id: UUID
    subject_name: str
    date: date
    reason: AbsenceReason
