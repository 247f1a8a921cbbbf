"""The journal as the timetable lays it out: scheduled lessons with their numbers, recorded or not yet."""

from datetime import date, time
from uuid import UUID

from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy import or_, select

from chassis.deps import CallerDep, SchoolSession, SchoolToday
from chassis.problems import Invalid
from gradebook.api.access import get_in_school, require_reader
from gradebook.api.lessons import LessonOut, LessonWithMarks
from gradebook.api.marks import MarkOut
from gradebook.models import Course, Lesson, Mark, ScheduledLesson

router = APIRouter(prefix="/schools/{school_id}", tags=["journal"])


class JournalEntry(BaseModel):
    """A column of the journal: a timetable lesson (with or without its record), or an unscheduled record."""

    date: date
    #: The lesson's number in the day; None for a lesson outside the timetable.
    number: int | None
    starts: time | None
    ends: time | None
    scheduled_lesson_id: UUID | None
    #: "scheduled" or "cancelled" (by the timetable); "unscheduled" for a record outside it.
    status: str
    room_name: str | None
    substitute_teacher_id: UUID | None
    substitute_name: str | None
    change_note: str | None
    lesson: LessonWithMarks | None


class DayEntry(JournalEntry):
    course_id: UUID
    class_name: str
    subject_name: str


async def with_marks(session: SchoolSession, lessons: list[Lesson]) -> dict[UUID, LessonWithMarks]:
    marks: dict[UUID, list[MarkOut]] = {}
    if lessons:
        rows = await session.scalars(
            select(Mark).where(Mark.lesson_id.in_([lesson.id for lesson in lessons])).order_by(Mark.created_at)
        )
        for mark in rows:
            marks.setdefault(mark.lesson_id, []).append(MarkOut.model_validate(mark))
    return {
        lesson.id: LessonWithMarks(**LessonOut.model_validate(lesson).model_dump(), marks=marks.get(lesson.id, []))
        for lesson in lessons
    }


def entries(
    scheduled: list[ScheduledLesson], lessons: list[Lesson], records: dict[UUID, LessonWithMarks]
) -> list[dict]:
    """Timetable lessons joined with their records, plus records outside the timetable, by day and number."""
    by_scheduled = {lesson.scheduled_lesson_id: lesson for lesson in lessons if lesson.scheduled_lesson_id}
    rows = [
        {
            "date": s.date,
            "number": s.number,
            "starts": s.starts,
            "ends": s.ends,
            "scheduled_lesson_id": s.id,
            "status": s.status,
            "room_name": s.room_name,
            "substitute_teacher_id": s.substitute_teacher_id,
            "substitute_name": s.substitute_name,
            "change_note": s.change_note,
            "lesson": records[by_scheduled[s.id].id] if s.id in by_scheduled else None,
            "course_id": s.course_id,
        }
        for s in scheduled
    ]
    known = {s.id for s in scheduled}
    rows += [
        {
            "date": lesson.date,
            "number": None,
            "starts": None,
            "ends": None,
            "scheduled_lesson_id": lesson.scheduled_lesson_id,
            "status": "unscheduled" if lesson.scheduled_lesson_id is None else "scheduled",
            "room_name": None,
            "substitute_teacher_id": lesson.substitute_teacher_id,
            "substitute_name": None,
            "change_note": lesson.unscheduled_reason,
            "lesson": records[lesson.id],
            "course_id": lesson.course_id,
        }
        for lesson in lessons
        if lesson.scheduled_lesson_id not in known
    ]
    return sorted(rows, key=lambda row: (row["date"], row["number"] is None, row["number"] or 0))


@router.get("/courses/{course_id}/journal")
async def course_journal(
    school_id: UUID, course_id: UUID, caller: CallerDep, session: SchoolSession, start: date, end: date
) -> list[JournalEntry]:
    """The journal's columns of ``start``–``end``: the timetable's lessons, numbered, recorded or not yet."""
    course = await get_in_school(session, Course, course_id, school_id, "Курс не найден.")
    await require_reader(session, caller, school_id, course)
    if start > end:
        raise Invalid("Начало периода позже его конца.")
    scheduled = list(
        await session.scalars(
            select(ScheduledLesson).where(
                ScheduledLesson.course_id == course.id, ScheduledLesson.date >= start, ScheduledLesson.date <= end
            )
        )
    )
    lessons = list(
        await session.scalars(
            select(Lesson).where(Lesson.course_id == course.id, Lesson.date >= start, Lesson.date <= end)
        )
    )
    return [JournalEntry(**row) for row in entries(scheduled, lessons, await with_marks(session, lessons))]


@router.get("/teacher-day")
async def teacher_day(
    school_id: UUID, caller: CallerDep, session: SchoolSession, today: SchoolToday, day: date | None = None
) -> list[DayEntry]:
    """The teacher's day in order (их «сегодня»): their lessons and those they substitute, with records."""
    caller.require(school_id, "teacher")
    day = day or today
    own = select(Course.id).where(Course.teacher_id == caller.person_id)
    scheduled = list(
        await session.scalars(
            select(ScheduledLesson).where(
                ScheduledLesson.date == day,
                or_(ScheduledLesson.course_id.in_(own), ScheduledLesson.substitute_teacher_id == caller.person_id),
            )
        )
    )
    lessons = list(
        await session.scalars(
            select(Lesson).where(
                Lesson.date == day,
                or_(
                    Lesson.course_id.in_(own),
                    Lesson.scheduled_lesson_id.in_([s.id for s in scheduled]),
                ),
            )
        )
    )
    courses = {
        c.id: c
        for c in await session.scalars(
            select(Course).where(Course.id.in_({s.course_id for s in scheduled} | {le.course_id for le in lessons}))
        )
    }
    return [
        DayEntry(
            **row, class_name=courses[row["course_id"]].class_name, subject_name=courses[row["course_id"]].subject_name
        )
        for row in entries(scheduled, lessons, await with_marks(session, lessons))
    ]
