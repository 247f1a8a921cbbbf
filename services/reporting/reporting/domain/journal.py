"""A class's journal page for one subject (R-64) and the journal as it stood at a moment (R-25, R-65).

The page is laid out like the paper journal: on the left the class list with a column per
lesson date (marks, and the absence code Б/У/Н/О), then the period mark right after the last
lesson (R-27); on the right the same dates with the lesson's topic and homework.
"""

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TypeVar
from uuid import UUID

from chassis.russian import collation_key
from reporting.domain.absences import absence_code
from reporting.domain.indicators import ScoredMark, average
from reporting.domain.sheets import ClassStudent

State = TypeVar("State")


def as_of(
    states: Iterable[State],
    moment: datetime,
    *,
    key: Callable[[State], Hashable],
    told_at: Callable[[State], datetime],
    version: Callable[[State], int],
) -> list[State]:
    """Each record's state at ``moment``: of the states told by then, the highest version (whenever it came)."""
    latest: dict[Hashable, State] = {}
    for state in states:
        if told_at(state) > moment:
            continue
        current = latest.get(key(state))
        if current is None or version(current) < version(state):
            latest[key(state)] = state
    return list(latest.values())


@dataclass(frozen=True)
class JournalLesson:
    lesson_id: UUID
    date: date
    topic: str
    homework: str | None


@dataclass(frozen=True)
class JournalMark:
    lesson_id: UUID
    student_id: UUID
    value: str


@dataclass(frozen=True)
class JournalAbsence:
    lesson_id: UUID
    student_id: UUID
    reason: str


@dataclass(frozen=True)
class JournalRow:
    student: ClassStudent
    #: Per lesson: its marks and absence code as the paper journal shows them ("5 4", "Н", "О 5").
    cells: dict[UUID, str]
    average: float | None
    period_mark: str | None


@dataclass(frozen=True)
class JournalPage:
    lessons: list[JournalLesson]
    rows: list[JournalRow]


def journal_page(
    students: Iterable[ClassStudent],
    lessons: Iterable[JournalLesson],
    marks: Iterable[JournalMark],
    absences: Iterable[JournalAbsence],
    period_marks: dict[UUID, str] | None = None,
) -> JournalPage:
    """The page: lessons by date, students alphabetically; a mark of a lesson not on the page is left out."""
    ordered_lessons = sorted(lessons, key=lambda lesson: (lesson.date, str(lesson.lesson_id)))
    on_page = {lesson.lesson_id for lesson in ordered_lessons}
    codes: dict[tuple[UUID, UUID], list[str]] = {}
    for absence in absences:
        if absence.lesson_id in on_page:
            codes.setdefault((absence.student_id, absence.lesson_id), []).append(absence_code(absence.reason))
    values: dict[tuple[UUID, UUID], list[str]] = {}
    for mark in marks:
        if mark.lesson_id in on_page:
            values.setdefault((mark.student_id, mark.lesson_id), []).append(mark.value)
    rows = []
    for student in sorted(students, key=lambda s: (collation_key(s.name), str(s.student_id))):
        cells = {}
        for lesson in ordered_lessons:
            parts = codes.get((student.student_id, lesson.lesson_id), []) + values.get(
                (student.student_id, lesson.lesson_id), []
            )
            if parts:
                cells[lesson.lesson_id] = " ".join(parts)
        its = [
            ScoredMark(v, 1.0)
            for lesson in ordered_lessons
            for v in values.get((student.student_id, lesson.lesson_id), [])
        ]
        rows.append(JournalRow(student, cells, average(its), (period_marks or {}).get(student.student_id)))
    return JournalPage(ordered_lessons, rows)
