"""The diary page: a student's days, each with its lessons, marks and absences.

Records are joined here, not when stored: a mark may come before its lesson (its lesson
then shows what the mark carries), and a lesson of another group still shows when the
student has a mark or an absence on it. The timetable's lessons show before they are
recorded, with their times, room and the changes of the day (R-14); a record of a
timetable lesson joins it.

The records read are named tuples (a read builds a hundred of them: a tenth of a frozen dataclass's cost); what the
diary shows is dataclasses, encoded as the API's objects.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, time
from typing import NamedTuple
from uuid import UUID

from reporting.domain.absences import absence_code
from reporting.domain.periods import DateRange


class LessonRecord(NamedTuple):
    lesson_id: UUID
    date: date
    subject: str
    topic: str
    homework: str | None
    scheduled_lesson_id: UUID | None = None


class TimetableRecord(NamedTuple):
    """A timetable lesson as the family sees it: when, where, and what changed."""

    lesson_id: UUID
    date: date
    subject: str
    number: int
    starts: time
    ends: time
    room: str | None
    status: str
    substitute: str | None
    change: str | None
    #: The timetable lesson's state (roster's version): the portal keeps the newest (R-70).
    version: int


class MarkRecord(NamedTuple):
    lesson_id: UUID
    date: date
    subject: str
    value: str
    work_type: str
    work_type_title: str
    weight: float
    #: Corrected by the teacher after it was posted (R-25: its value, вид работы or date changed).
    corrected: bool = False
    mark_id: UUID | None = None
    version: int | None = None


class AbsenceRecord(NamedTuple):
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
    corrected: bool = False
    mark_id: UUID | None = None
    version: int | None = None


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
    number: int | None = None
    starts: time | None = None
    ends: time | None = None
    room: str | None = None
    #: "scheduled" or "cancelled" for a timetable lesson; None for a record outside the timetable.
    status: str | None = None
    substitute: str | None = None
    change: str | None = None
    #: The timetable lesson (roster's id) and its version; None for a record outside the timetable.
    timetable_lesson_id: UUID | None = None
    timetable_version: int | None = None

    def follow(self, timetable: TimetableRecord) -> None:
        self.number, self.starts, self.ends, self.room = (
            timetable.number,
            timetable.starts,
            timetable.ends,
            timetable.room,
        )
        self.status, self.substitute, self.change = timetable.status, timetable.substitute, timetable.change
        self.timetable_lesson_id, self.timetable_version = timetable.lesson_id, timetable.version


@dataclass(frozen=True)
class DiaryDay:
    date: date
    lessons: list[DiaryLesson]


def diary_days(
    dates: DateRange,
    lessons: Iterable[LessonRecord],
    marks: Iterable[MarkRecord],
    absences: Iterable[AbsenceRecord],
    timetable: Iterable[TimetableRecord] = (),
) -> list[DiaryDay]:
    """Every day of ``dates`` in order, with its lessons by number (then subject; unscheduled ones last).

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
    record_of = {lesson.scheduled_lesson_id: lesson.lesson_id for lesson in lessons if lesson.scheduled_lesson_id}
    for scheduled in timetable:
        if scheduled.lesson_id in record_of and record_of[scheduled.lesson_id] in by_id:
            by_id[record_of[scheduled.lesson_id]][1].follow(scheduled)
            continue
        lesson = DiaryLesson(scheduled.lesson_id, scheduled.subject, None, None)
        lesson.follow(scheduled)
        by_id[scheduled.lesson_id] = (scheduled.date, lesson)

    def entry(lesson_id: UUID, day: date, subject: str) -> DiaryLesson:
        if lesson_id not in by_id:
            by_id[lesson_id] = (day, DiaryLesson(lesson_id, subject, None, None))
        return by_id[lesson_id][1]

    for mark in marks:
        entry(mark.lesson_id, mark.date, mark.subject).marks.append(
            DiaryMark(
                mark.value,
                mark.work_type,
                mark.work_type_title,
                mark.weight,
                mark.corrected,
                mark.mark_id,
                mark.version,
            )
        )
    for absence in absences:
        entry(absence.lesson_id, absence.date, absence.subject).absence = DiaryAbsence(
            absence.reason, absence_code(absence.reason)
        )

    per_day: dict[date, list[DiaryLesson]] = {day: [] for day in dates.days()}
    for day, lesson in by_id.values():
        if day in per_day:
            per_day[day].append(lesson)
    return [DiaryDay(day, sorted(day_lessons, key=_in_day_order)) for day, day_lessons in per_day.items()]


def _in_day_order(lesson: DiaryLesson) -> tuple:
    return (lesson.number is None, lesson.number or 0, lesson.subject, str(lesson.lesson_id))
