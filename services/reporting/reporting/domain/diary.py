"""The diary page: a student's days, each with its lessons, marks and absences.

Records are joined here, not when stored: a mark may come before its lesson (its lesson
then shows what the mark carries), and a lesson of another group still shows when the
student has a mark or an absence on it.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from uuid import UUID

from reporting.domain.absences import absence_code
from reporting.domain.periods import DateRange


@dataclass(frozen=True)
class LessonRecord:
    lesson_id: UUID
    date: date
    subject: str
    topic: str
    homework: str | None


@dataclass(frozen=True)
class MarkRecord:
    lesson_id: UUID
    date: date
    subject: str
    value: str
    work_type: str
    work_type_title: str
    weight: float


@dataclass(frozen=True)
class AbsenceRecord:
    lesson_id: UUID
    date: date
    subject: str
    reason: str


@dataclass(frozen=True)
class DiaryMark:
    value: str
    work_type: str
    work_type_title: str
    weight: float


@dataclass(frozen=True)
class DiaryAbsence:
    reason: str
    code: str


@dataclass
class DiaryLesson:
    lesson_id: UUID
    subject: str
    topic: str | None
    homework: str | None
    marks: list[DiaryMark] = field(default_factory=list)
    absence: DiaryAbsence | None = None


@dataclass(frozen=True)
class DiaryDay:
    date: date
    lessons: list[DiaryLesson]


def diary_days(
    dates: DateRange,
    lessons: Iterable[LessonRecord],
    marks: Iterable[MarkRecord],
    absences: Iterable[AbsenceRecord],
) -> list[DiaryDay]:
    """Every day of ``dates`` in order, with its lessons sorted by subject.

    A mark or absence whose lesson is not known yet brings its own lesson entry (subject
    and date from the mark; no topic or homework until the lesson record arrives).
    """
    by_id: dict[UUID, tuple[date, DiaryLesson]] = {
        lesson.lesson_id: (
            lesson.date,
            DiaryLesson(lesson.lesson_id, lesson.subject, lesson.topic, lesson.homework),
        )
        for lesson in lessons
    }

    def entry(lesson_id: UUID, day: date, subject: str) -> DiaryLesson:
        if lesson_id not in by_id:
            by_id[lesson_id] = (day, DiaryLesson(lesson_id, subject, None, None))
        return by_id[lesson_id][1]

    for mark in marks:
        entry(mark.lesson_id, mark.date, mark.subject).marks.append(
            DiaryMark(mark.value, mark.work_type, mark.work_type_title, mark.weight)
        )
    for absence in absences:
        entry(absence.lesson_id, absence.date, absence.subject).absence = DiaryAbsence(
            absence.reason, absence_code(absence.reason)
        )

    per_day: dict[date, list[DiaryLesson]] = {day: [] for day in dates.days()}
    for day, lesson in by_id.values():
        if day in per_day:
            per_day[day].append(lesson)
    return [
        DiaryDay(day, sorted(day_lessons, key=lambda lesson: (lesson.subject, str(lesson.lesson_id))))
        for day, day_lessons in per_day.items()
    ]
