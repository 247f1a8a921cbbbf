"""The public stream for the state-services portal (R-70), published by the gateway on ``public.events``.

PII-minimal by design (152-ФЗ art. 5: no more personal data than the purpose needs): a
student is named only by their ESIA oid (``student_esia_oid``), the one id the portal can
link to its own account; no names, СНИЛС, birth dates, teachers or who changed what.
"""

from datetime import date, time
from typing import ClassVar
from uuid import UUID

from contracts.attendance import AbsenceReason
from contracts.base import Event, event_model


@event_model
class PublicMarkPosted(Event):
    """A current mark of a student (R-22), in the column of the lesson date."""

    TYPE: ClassVar[str] = "public.mark.posted.v1"
    SUBJECT_FIELD: ClassVar[str] = "mark_id"
    mark_id: UUID
    lesson_id: UUID
    student_esia_oid: str
    school_id: UUID
    class_id: UUID
    subject_name: str
    date: date
    value: str
    #: The Russian name of the вид работы («Ответ на уроке», «Контрольная работа» …); may be empty.
    work_type_title: str
    #: The work type's weight in the weighted average (R-22); added within v1, so it has a default.
    weight: float | None = None


@event_model
class PublicMarkChanged(Event):
    """A current mark changed by its teacher (R-25): the full new state; keep the highest ``version``."""

    TYPE: ClassVar[str] = "public.mark.changed.v1"
    SUBJECT_FIELD: ClassVar[str] = "mark_id"
    mark_id: UUID
    version: int
    lesson_id: UUID
    student_esia_oid: str
    school_id: UUID
    class_id: UUID
    subject_name: str
    date: date
    value: str
    work_type_title: str
    #: The work type's weight in the weighted average (R-22); added within v1, so it has a default.
    weight: float | None = None


@event_model
class PublicMarkDeleted(Event):
    """A current mark deleted by its teacher (R-25): forget it. Keyed by ``mark_id`` and, for a portal that
    keeps marks by their natural keys, by the student, class, subject, date and вид работы."""

    TYPE: ClassVar[str] = "public.mark.deleted.v1"
    SUBJECT_FIELD: ClassVar[str] = "mark_id"
    mark_id: UUID
    version: int
    lesson_id: UUID
    student_esia_oid: str
    school_id: UUID
    class_id: UUID
    subject_name: str
    date: date
    work_type_title: str


@event_model
class PublicPeriodMarkSet(Event):
    """Итоговая отметка (R-27) of a student in a subject for a period, set or changed: keep the highest ``version``
    per ``period_mark_id`` and show it from ``visible_from`` (the school's rule, R-27).

    ``value`` is on the school's scale; None with ``extended_to`` is a term extended to that date, None without it
    «не аттестован» (the reason stays at the school: it may be about health).
    """

    TYPE: ClassVar[str] = "public.period_mark.set.v1"
    SUBJECT_FIELD: ClassVar[str] = "period_mark_id"
    period_mark_id: UUID
    version: int
    student_esia_oid: str
    school_id: UUID
    class_id: UUID
    subject_name: str
    #: quarter, half_year, trimester, semester, year, exam or final.
    period_kind: str
    period_name: str
    starts: date
    ends: date
    value: str | None = None
    extended_to: date | None = None
    visible_from: date


@event_model
class PublicAbsenceRecorded(Event):
    """Пропуск или опоздание на уроке (R-40); ``reason`` ill/excused/unexcused/late is Б/У/Н/О."""

    TYPE: ClassVar[str] = "public.absence.recorded.v1"
    SUBJECT_FIELD: ClassVar[str] = "absence_id"
    absence_id: UUID
    lesson_id: UUID
    student_esia_oid: str
    school_id: UUID
    class_id: UUID
    subject_name: str
    date: date
    reason: AbsenceReason


@event_model
class PublicAbsenceCorrected(Event):
    """The reason of an absence set or corrected (R-41): the new reason replaces the old one."""

    TYPE: ClassVar[str] = "public.absence.corrected.v1"
    SUBJECT_FIELD: ClassVar[str] = "absence_id"
    absence_id: UUID
    lesson_id: UUID
    student_esia_oid: str
    school_id: UUID
    class_id: UUID
    subject_name: str
    date: date
    reason: AbsenceReason


@event_model
class PublicAbsenceWithdrawn(Event):
    """An absence marked by mistake and removed (R-40): forget it."""

    TYPE: ClassVar[str] = "public.absence.withdrawn.v1"
    SUBJECT_FIELD: ClassVar[str] = "absence_id"
    absence_id: UUID
    lesson_id: UUID
    student_esia_oid: str
    school_id: UUID
    class_id: UUID
    subject_name: str
    date: date


@event_model
class PublicHomeworkAssigned(Event):
    """Домашнее задание of a lesson (R-20), for the whole class; keep the highest ``version``.

    ``homework`` None means a later edit of the lesson, or its deletion, removed the homework.
    """

    TYPE: ClassVar[str] = "public.homework.assigned.v1"
    SUBJECT_FIELD: ClassVar[str] = "lesson_id"
    lesson_id: UUID
    version: int
    school_id: UUID
    class_id: UUID
    subject_name: str
    date: date
    homework: str | None


@event_model
class PublicStudentEnrolled(Event):
    """Зачисление (R-16): the student learns in this class from ``enrolled_on``; links oid to class."""

    TYPE: ClassVar[str] = "public.student.enrolled.v1"
    SUBJECT_FIELD: ClassVar[str] = "student_esia_oid"
    student_esia_oid: str
    school_id: UUID
    class_id: UUID
    enrolled_on: date
    #: The class as the school names it («5А»); added within v1, so it has a default.
    class_name: str | None = None


@event_model
class PublicTimetableLessonChanged(Event):
    """A lesson of the timetable changed on the day (R-14): moved, given in another room, given by a substitute
    or cancelled. The full new state of the lesson, for the whole class, so it names no student; keep the highest
    ``version`` per ``lesson_id``.

    The lesson is known by ``lesson_id`` and by its natural keys (class, subject, date, lesson number); a moved
    lesson carries where it was (``moved_from_date``, ``moved_from_number``). Who substitutes and the school's note
    (it may name a teacher or say why) stay in the school.
    """

    TYPE: ClassVar[str] = "public.timetable_lesson.changed.v1"
    SUBJECT_FIELD: ClassVar[str] = "lesson_id"
    lesson_id: UUID
    version: int
    school_id: UUID
    class_id: UUID
    class_name: str
    subject_name: str
    date: date
    number: int
    starts: time
    ends: time
    room: str | None = None
    cancelled: bool
    substituted: bool
    moved_from_date: date | None = None
    moved_from_number: int | None = None
