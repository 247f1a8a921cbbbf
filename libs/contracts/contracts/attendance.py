"""Events produced by the attendance service."""

from datetime import date
from typing import ClassVar, Literal
from uuid import UUID

from pydantic import BaseModel, Field

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
    #: The absence's n-th state (recorded 1, each correction and the withdrawal +1): replicas keep the
    #: highest; 0 in events sent before versions.
    version: int = 0


@event_model
class AbsenceCorrected(Event):
    """The reason of an absence set or corrected (R-41), usually by the class teacher."""

    TYPE: ClassVar[str] = "attendance.absence.corrected.v1"
    SUBJECT_FIELD: ClassVar[str] = "absence_id"
    absence_id: UUID
    lesson_id: UUID
    student_id: UUID
    class_id: UUID
    subject_name: str
    date: date
    reason: AbsenceReason
    #: The absence's n-th state (recorded 1, each correction and the withdrawal +1): replicas keep the
    #: highest; 0 in events sent before versions.
    version: int = 0
    previous_reason: AbsenceReason
    corrected_by: UUID
    #: The lesson the absence was at before, when it was put on another lesson (a wrong column);
    #: None when it stayed on its lesson.
    previous_lesson_id: UUID | None = None
    #: The date before, when the absence's lesson moved to another date or it was put on another
    #: lesson; None when the date stayed. With the reason unchanged, only the place changed.
    previous_date: date | None = None


@event_model
class AbsenceWithdrawn(Event):
    """An absence marked by mistake and removed by the lesson's teacher within the window (R-40)."""

    TYPE: ClassVar[str] = "attendance.absence.withdrawn.v1"
    SUBJECT_FIELD: ClassVar[str] = "absence_id"
    absence_id: UUID
    lesson_id: UUID
    student_id: UUID
    class_id: UUID
    subject_name: str
    date: date
    reason: AbsenceReason
    #: The absence's n-th state (recorded 1, each correction and the withdrawal +1): replicas keep the
    #: highest; 0 in events sent before versions.
    version: int = 0
    withdrawn_by: UUID


class TranscriptAbsenceLine(BaseModel):
    """An absence or late arrival of the sending school, as the copy carries it."""

    absence_id: UUID
    date: date
    subject_name: str
    reason: AbsenceReason


@event_model
class AttendanceTranscriptCopied(Event):
    """Копия пропусков переведённого обучающегося: the sending school's absences of the year, sent to the receiving
    school (the envelope's school), which files them as its own read-only rows naming the source (R-16)."""

    TYPE: ClassVar[str] = "attendance.transcript.copied.v1"
    SUBJECT_FIELD: ClassVar[str] = "student_id"
    #: The student's id in the receiving school.
    student_id: UUID
    source_school_id: UUID
    source_school_name: str
    academic_year: str
    absences: list[TranscriptAbsenceLine] = Field(default_factory=list)
