"""Lesson records (R-20, R-21): date, topic, homework; written by the course's teacher."""

from datetime import date
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, StringConstraints
from sqlalchemy import select

from chassis.dates import JournalDate
from chassis.deps import CallerDep, SchoolSession
from chassis.events import emit_event
from chassis.problems import Invalid
from contracts.gradebook import LessonRecorded
from gradebook.api.access import ClockDep, get_in_school, require_course_teacher, require_reader
from gradebook.api.marks import MarkOut
from gradebook.domain.edit_window import check_lesson_record
from gradebook.models import Course, Lesson, Mark

router = APIRouter(prefix="/schools/{school_id}", tags=["lessons"])

#: R-20: the topic is mandatory.
Topic = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]
Homework = Annotated[str, StringConstraints(strip_whitespace=True, max_length=4000)]


class LessonIn(BaseModel):
    course_id: UUID
    date: JournalDate
    topic: Topic
    homework: Homework | None = None


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


class LessonWithMarks(LessonOut):
    marks: list[MarkOut]


def lesson_recorded(lesson: Lesson, course: Course) -> LessonRecorded:
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
    )


@router.post("/lessons", status_code=201)
async def record_lesson(
    school_id: UUID, body: LessonIn, caller: CallerDep, session: SchoolSession, clock: ClockDep
) -> LessonOut:
    course = await get_in_school(session, Course, body.course_id, school_id, "Курс не найден.")
    require_course_teacher(caller, school_id, course)
    homework = body.homework or None
    check_lesson_record(body.date, clock.today, clock.window, has_homework=homework is not None)
    lesson = Lesson(
        school_id=school_id,
        course_id=course.id,
        date=body.date,
        topic=body.topic,
        homework=homework,
        version=1,
        recorded_by=caller.person_id,
    )
    session.add(lesson)
    await session.flush()
    await emit_event(session, lesson_recorded(lesson, course), school_id=school_id)
    return LessonOut.model_validate(lesson)


@router.patch("/lessons/{lesson_id}")
async def edit_lesson(
    school_id: UUID, lesson_id: UUID, body: LessonPatch, caller: CallerDep, session: SchoolSession, clock: ClockDep
) -> LessonOut:
    lesson = await get_in_school(session, Lesson, lesson_id, school_id, "Урок не найден.", for_update=True)
    course = await get_in_school(session, Course, lesson.course_id, school_id, "Курс не найден.")
    require_course_teacher(caller, school_id, course)
    if not body.model_fields_set:
        raise Invalid("Нечего изменить: передайте тему или домашнее задание.")
    if "topic" in body.model_fields_set and body.topic is None:
        raise Invalid("Тема урока обязательна.")
    topic = body.topic if body.topic is not None else lesson.topic
    homework = (body.homework or None) if "homework" in body.model_fields_set else lesson.homework
    check_lesson_record(lesson.date, clock.today, clock.window, has_homework=homework is not None)
    lesson.topic, lesson.homework, lesson.version = topic, homework, lesson.version + 1
    await session.flush()
    await emit_event(session, lesson_recorded(lesson, course), school_id=school_id)
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
    require_reader(caller, school_id, course)
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
