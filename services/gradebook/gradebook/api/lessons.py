"""Lesson records (R-20, R-21): date, topic, homework; written by the course's teacher."""

from datetime import date
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, StringConstraints
from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.auth import Caller
from chassis.dates import JournalDate
from chassis.deps import CallerDep, SchoolSession
from chassis.events import emit_event
from chassis.problems import Conflict, Invalid
from contracts.gradebook import LessonRecorded
from gradebook.api.access import (
    ClockDep,
    get_in_school,
    require_course_teacher,
    require_lesson_writer,
    require_reader,
)
from gradebook.api.marks import MarkOut
from gradebook.api.plans import planned_topic
from gradebook.domain.edit_window import check_lesson_record
from gradebook.domain.timetable import TimetableLesson, check_unscheduled, scheduled_record_date
from gradebook.models import Course, Lesson, LessonChange, Mark, ScheduledLesson
from gradebook.school_year import check_journal_writable

router = APIRouter(prefix="/schools/{school_id}", tags=["lessons"])

#: A date field named ``date`` cannot say ``date | None`` in its own class body.
OptionalDate = JournalDate | None
#: R-20: the topic is mandatory.
Topic = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]
Homework = Annotated[str, StringConstraints(strip_whitespace=True, max_length=4000)]


class LessonIn(BaseModel):
    course_id: UUID
    #: The timetable lesson recorded; its date is the timetable's (roster owns it).
    scheduled_lesson_id: UUID | None = None
    #: Required for a lesson outside the timetable.
    date: OptionalDate = None
    #: Left out: the thematic plan's next topic (R-30).
    topic: Topic | None = None
    homework: Homework | None = None
    #: Why a lesson outside the timetable was given, where the course has a timetable.
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=300)] | None = None


class LessonPatch(BaseModel):
    topic: Topic | None = None
    homework: Homework | None = None


class LessonOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: UUID
    course_id: UUID
    date: date
    topic: str
    homework: str | None
    version: int
    scheduled_lesson_id: UUID | None = None
    unscheduled_reason: str | None = None
    #: Замена: who gave the lesson instead of the course's teacher.
    substitute_teacher_id: UUID | None = None


class LessonWithMarks(LessonOut):
    marks: list[MarkOut]


def lesson_recorded(lesson: Lesson, course: Course, number: int | None = None) -> LessonRecorded:
    return LessonRecorded(
        lesson_id=lesson.id,
        version=lesson.version,
        assignment_id=course.id,
        class_id=course.class_id,
        subject_id=course.subject_id,
        subject_name=course.subject_name,
        teacher_id=course.teacher_id,
        date=lesson.date,
        topic=lesson.topic,
        homework=lesson.homework,
        scheduled_lesson_id=lesson.scheduled_lesson_id,
        number=number,
        substitute_teacher_id=lesson.substitute_teacher_id,
    )


def timetable_lesson(scheduled: ScheduledLesson) -> TimetableLesson:
    return TimetableLesson(
        course_id=scheduled.course_id,
        day=scheduled.date,
        status=scheduled.status,
        substitute_teacher_id=scheduled.substitute_teacher_id,
    )


async def write_record(
    session: AsyncSession,
    lesson: Lesson,
    course: Course,
    caller: Caller,
    topic: str,
    homework: str | None,
    reason: str | None = None,
) -> None:
    """The one way a recorded lesson's topic and homework change: each changed field logged with the value before
    (R-25, ``LessonChange``, which R-3's revert reads), the version grown, and the event the diary follows."""
    for field, new in (("topic", topic), ("homework", homework)):
        old = getattr(lesson, field)
        if old != new:
            session.add(
                LessonChange(
                    school_id=lesson.school_id,
                    lesson_id=lesson.id,
                    field=field,
                    changed_by=caller.person_id,
                    old_value=old,
                    new_value=new,
                    reason=reason,
                )
            )
    lesson.topic, lesson.homework, lesson.version = topic, homework, lesson.version + 1
    await session.flush()
    number = await session.scalar(select(ScheduledLesson.number).filter_by(id=lesson.scheduled_lesson_id))
    await emit_event(session, lesson_recorded(lesson, course, number), school_id=lesson.school_id)


async def first_unrecorded(session: AsyncSession, course_id: UUID, day: date) -> ScheduledLesson | None:
    recorded = select(Lesson.scheduled_lesson_id).where(Lesson.scheduled_lesson_id.is_not(None))
    return await session.scalar(
        select(ScheduledLesson)
        .where(
            ScheduledLesson.course_id == course_id,
            ScheduledLesson.date == day,
            ScheduledLesson.status == "scheduled",
            ScheduledLesson.id.not_in(recorded),
        )
        .order_by(ScheduledLesson.number)
        .limit(1)
        .with_for_update()
    )


@router.post("/lessons", status_code=201)
async def record_lesson(
    school_id: UUID, body: LessonIn, caller: CallerDep, session: SchoolSession, clock: ClockDep
) -> LessonOut:
    """Record a timetable lesson (its teacher or substitute, R-20), or a lesson outside it with a reason.

    The timetable lesson is named by ``scheduled_lesson_id``, or found by ``date`` alone (the day's
    first one not yet recorded), so a form that sends only a date records the timetable's lesson.
    """
    course = await get_in_school(session, Course, body.course_id, school_id, "Курс не найден.")
    scheduled = None
    if body.scheduled_lesson_id:
        scheduled = await get_in_school(
            session, ScheduledLesson, body.scheduled_lesson_id, school_id, "Урок расписания не найден.", for_update=True
        )
    elif body.date and not body.reason:
        # A date alone records that day's first timetable lesson of the course not yet recorded.
        scheduled = await first_unrecorded(session, course.id, body.date)
    if scheduled:
        require_lesson_writer(caller, school_id, course, scheduled.substitute_teacher_id)
        day = scheduled_record_date(timetable_lesson(scheduled), course.id, body.date)
        if await session.scalar(select(Lesson.id).filter_by(scheduled_lesson_id=scheduled.id)):
            raise Conflict("Этот урок расписания уже записан: исправьте его запись.")
    else:
        require_course_teacher(caller, school_id, course)
        has_timetable = await session.scalar(select(exists().where(ScheduledLesson.course_id == course.id)))
        day = check_unscheduled(body.date, body.reason, bool(has_timetable))
    homework = body.homework or None
    check_lesson_record(day, clock.today, clock.window, has_homework=homework is not None)
    await check_journal_writable(session, course, day, homework=homework is not None)
    lesson = Lesson(
        school_id=school_id,
        course_id=course.id,
        date=day,
        topic=await planned_topic(session, course, body.topic),
        homework=homework,
        version=1,
        recorded_by=caller.person_id,
        scheduled_lesson_id=scheduled.id if scheduled else None,
        unscheduled_reason=None if scheduled else body.reason,
        substitute_teacher_id=scheduled.substitute_teacher_id if scheduled else None,
    )
    session.add(lesson)
    await session.flush()
    await emit_event(
        session, lesson_recorded(lesson, course, scheduled.number if scheduled else None), school_id=school_id
    )
    return LessonOut.model_validate(lesson)


@router.patch("/lessons/{lesson_id}")
async def edit_lesson(
    school_id: UUID, lesson_id: UUID, body: LessonPatch, caller: CallerDep, session: SchoolSession, clock: ClockDep
) -> LessonOut:
    lesson = await get_in_school(session, Lesson, lesson_id, school_id, "Урок не найден.", for_update=True)
    course = await get_in_school(session, Course, lesson.course_id, school_id, "Курс не найден.")
    require_lesson_writer(caller, school_id, course, lesson.substitute_teacher_id)
    if not body.model_fields_set:
        raise Invalid("Нечего изменить: передайте тему или домашнее задание.")
    if "topic" in body.model_fields_set and body.topic is None:
        raise Invalid("Тема урока обязательна.")
    topic = body.topic if body.topic is not None else lesson.topic
    homework = (body.homework or None) if "homework" in body.model_fields_set else lesson.homework
    check_lesson_record(lesson.date, clock.today, clock.window, has_homework=homework is not None)
    await check_journal_writable(session, course, lesson.date, homework=homework is not None)
    await write_record(session, lesson, course, caller, topic, homework)
    return LessonOut.model_validate(lesson)


@router.get("/courses/{course_id}/lessons")
async def list_lessons(
    school_id: UUID,
    course_id: UUID,
    caller: CallerDep,
    session: SchoolSession,
    start: JournalDate | None = None,
    end: JournalDate | None = None,
) -> list[LessonWithMarks]:
    course = await get_in_school(session, Course, course_id, school_id, "Курс не найден.")
    await require_reader(session, caller, school_id, course)
    if start and end and start > end:
        raise Invalid("Начало периода позже его конца.")
    query = select(Lesson).where(Lesson.course_id == course.id).order_by(Lesson.date, Lesson.created_at)
    if start:
        query = query.where(Lesson.date >= start)
    if end:
        query = query.where(Lesson.date <= end)
    lessons = list(await session.scalars(query))
    marks: dict[UUID, list[MarkOut]] = {}
    if lessons:
        rows = await session.scalars(
            select(Mark).where(Mark.lesson_id.in_([lesson.id for lesson in lessons])).order_by(Mark.created_at)
        )
        for mark in rows:
            marks.setdefault(mark.lesson_id, []).append(MarkOut.model_validate(mark))
    return [
        LessonWithMarks(**LessonOut.model_validate(lesson).model_dump(), marks=marks.get(lesson.id, []))
        for lesson in lessons
    ]
