"""Events produced by the gradebook service: lessons and marks."""

from datetime import date
from typing import ClassVar, Literal
from uuid import UUID

from pydantic import BaseModel, Field

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
    #: The timetable lesson recorded (roster's id) and its number in the day; None for an unscheduled lesson.
    scheduled_lesson_id: UUID | None = None
    number: int | None = None
    #: Замена: the substitute who gave the lesson and wrote its record.
    substitute_teacher_id: UUID | None = None


@event_model
class MarkPosted(Event):
    """A current mark (R-22) placed in the column of the lesson date.

    ``work_type`` is the code of the вид работы (``"test"``), ``work_type_title`` its Russian name from the
    school's table («Ответ на уроке», «Контрольная работа» …), so consumers show it without a copy of the
    table; it is empty in events from before the field existed.
    """

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
    work_type_title: str = ""
    weight: float


@event_model
class MarkChanged(Event):
    """A current mark changed by its teacher (R-25): the full new state, the old value and who changed it.

    ``version`` counts the mark's states (1 when posted), so a read model keeps the latest.
    ``work_type_title`` is the Russian name of the вид работы («Ответ на уроке», «Контрольная работа» …),
    empty in events from before the field existed.
    """

    TYPE: ClassVar[str] = "gradebook.mark.changed.v1"
    SUBJECT_FIELD: ClassVar[str] = "mark_id"
    mark_id: UUID
    version: int
    lesson_id: UUID
    student_id: UUID
    class_id: UUID
    subject_id: UUID
    subject_name: str
    teacher_id: UUID
    date: date
    value: str
    work_type: str
    work_type_title: str = ""
    weight: float
    old_value: str
    changed_by: UUID
    #: What the correction was (R-25): the value, the вид работы (``old_work_type`` set), or the lesson
    #: moved to another date (the value unchanged); "value" in events from before the field existed.
    correction: Literal["value", "work_type", "moved"] = "value"
    old_work_type: str | None = None


@event_model
class MarkDeleted(Event):
    """A current mark deleted by its teacher within the edit window, with the reason (R-25).

    The mark's last state, ``version`` one above its last change: replicas keep it as a tombstone so a
    late posted or changed event cannot bring the mark back. ``lesson_deleted`` when it went with its lesson.
    """

    TYPE: ClassVar[str] = "gradebook.mark.deleted.v1"
    SUBJECT_FIELD: ClassVar[str] = "mark_id"
    mark_id: UUID
    version: int
    lesson_id: UUID
    student_id: UUID
    class_id: UUID
    subject_id: UUID
    subject_name: str
    teacher_id: UUID
    date: date
    value: str
    work_type: str
    work_type_title: str
    weight: float
    reason: str
    deleted_by: UUID
    lesson_deleted: bool = False


@event_model
class LessonDeleted(Event):
    """A lesson outside the timetable deleted by its teacher within the edit window, with the reason (R-25).

    Its marks go with it (a ``MarkDeleted`` each), and attendance withdraws its absences. ``version`` is one
    above the lesson's last record: a late ``LessonRecorded`` cannot bring it back.
    """

    TYPE: ClassVar[str] = "gradebook.lesson.deleted.v1"
    SUBJECT_FIELD: ClassVar[str] = "lesson_id"
    lesson_id: UUID
    version: int
    assignment_id: UUID
    class_id: UUID
    subject_id: UUID
    subject_name: str
    teacher_id: UUID
    date: date
    reason: str
    deleted_by: UUID


@event_model
class HomeworkAssigned(Event):
    """Домашнее задание (R-21) given at a lesson, due by ``due_on``: for the whole class, or, when
    ``student_ids`` is not empty, for those students only. ``posted_late``: after the school's deadline."""

    TYPE: ClassVar[str] = "gradebook.homework.assigned.v1"
    SUBJECT_FIELD: ClassVar[str] = "homework_id"
    homework_id: UUID
    lesson_id: UUID
    assignment_id: UUID
    class_id: UUID
    subject_name: str
    teacher_id: UUID
    given_on: date
    due_on: date
    text: str
    pages: str | None = None
    exercises: str | None = None
    links: list[str] = Field(default_factory=list)
    student_ids: list[UUID] = Field(default_factory=list)
    posted_late: bool = False


@event_model
class PeriodMarkSet(Event):
    """Итоговая отметка (R-27) of a student in a course for a period, set or changed by the course's teacher.

    Exactly one of ``value`` (on the school's scale), ``not_attested_reason`` («не аттестован», 001 §6.7)
    and ``extended_to`` (the term extended, 000 §5.3) is given. ``period_kind`` is quarter, half_year,
    trimester, semester, year, exam or final; ``period_id`` is roster's reporting period, or the year for
    the last three. The family sees it from ``visible_from``. ``version`` counts the mark's states.
    """

    TYPE: ClassVar[str] = "gradebook.period_mark.set.v1"
    SUBJECT_FIELD: ClassVar[str] = "period_mark_id"
    period_mark_id: UUID
    version: int
    student_id: UUID
    assignment_id: UUID
    class_id: UUID
    subject_id: UUID
    subject_name: str
    teacher_id: UUID
    period_kind: str
    period_id: UUID
    period_name: str
    starts: date
    ends: date
    value: str | None = None
    not_attested_reason: str | None = None
    extended_to: date | None = None
    visible_from: date
    set_by: UUID


@event_model
class PeriodClosed(Event):
    """A course's period closed (R-27): its lessons, marks and absences from ``starts`` to ``ends`` are locked.

    ``version`` counts the period's closes and reopens, so a replica keeps the latest state.
    """

    TYPE: ClassVar[str] = "gradebook.period.closed.v1"
    SUBJECT_FIELD: ClassVar[str] = "assignment_id"
    assignment_id: UUID
    class_id: UUID
    subject_name: str
    period_kind: str
    period_id: UUID
    period_name: str
    starts: date
    ends: date
    version: int
    closed_by: UUID


@event_model
class PeriodReopened(Event):
    """A closed period of a course reopened by the school administrator (R-27), with the reason logged."""

    TYPE: ClassVar[str] = "gradebook.period.reopened.v1"
    SUBJECT_FIELD: ClassVar[str] = "assignment_id"
    assignment_id: UUID
    class_id: UUID
    subject_name: str
    period_kind: str
    period_id: UUID
    period_name: str
    starts: date
    ends: date
    version: int
    reopened_by: UUID
    reason: str


class TranscriptMarkLine(BaseModel):
    """A current mark of the sending school, as the copy carries it."""

    mark_id: UUID
    date: date
    subject_name: str
    value: str
    work_type: str
    work_type_title: str = ""
    weight: float


class TranscriptPeriodMarkLine(BaseModel):
    """A period mark of the sending school (R-27), as the copy carries it: the entry as the journal shows it."""

    period_mark_id: UUID
    subject_name: str
    period_kind: str
    period_name: str
    starts: date
    ends: date
    #: The mark on the school's scale; None when the entry is «не аттестован» or an extended term.
    value: str | None = None
    #: As the journal shows it: the mark, «не аттестован» or «продлено до …».
    text: str
    #: R-27: the day the family sees it, as in the sending school.
    visible_from: date


@event_model
class TranscriptCopied(Event):
    """Копия отметок переведённого обучающегося: the sending school's current and period marks of the year, sent to
    the receiving school (the envelope's school), which files them as its own read-only rows naming the source
    (R-16)."""

    TYPE: ClassVar[str] = "gradebook.transcript.copied.v1"
    SUBJECT_FIELD: ClassVar[str] = "student_id"
    #: The student's id in the receiving school.
    student_id: UUID
    source_school_id: UUID
    source_school_name: str
    academic_year: str
    marks: list[TranscriptMarkLine] = Field(default_factory=list)
    period_marks: list[TranscriptPeriodMarkLine] = Field(default_factory=list)
