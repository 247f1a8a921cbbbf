"""Домашнее задание (R-21): given at a lesson by its teacher, general or individual, due by a later date;
posted late (after the school's hours past the class's last lesson that day) is flagged to the deputy."""

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.dates import JournalDate
from chassis.deps import CallerDep, SchoolSession
from chassis.events import emit_event
from chassis.problems import Forbidden, Invalid
from chassis.schooltime import zone_of
from contracts.gradebook import HomeworkAssigned
from gradebook.api.access import get_in_school, reads_whole_school, require_lesson_writer, require_reader
from gradebook.class_lists import course_students
from gradebook.domain.edit_window import default_choice
from gradebook.domain.homework import (
    DEADLINE_HOURS_CHOICES,
    DEFAULT_DEADLINE_HOURS,
    check_due,
    homework_content,
    homework_students,
    posted_late,
    posting_deadline,
)
from gradebook.models import Course, Homework, Lesson, ScheduledLesson, SchoolPolicy
from gradebook.school_year import check_journal_writable

router = APIRouter(prefix="/schools/{school_id}", tags=["homework"])


class HomeworkIn(BaseModel):
    text: Annotated[str, StringConstraints(max_length=4000)] = ""
    pages: Annotated[str, StringConstraints(max_length=200)] | None = None
    exercises: Annotated[str, StringConstraints(max_length=500)] | None = None
    links: list[Annotated[str, StringConstraints(max_length=1000)]] = Field(default_factory=list, max_length=10)
    #: Individual homework for these students; none: the whole class.
    student_ids: list[UUID] = Field(default_factory=list, max_length=60)
    #: The date of the lesson it is due by.
    due_on: JournalDate


class HomeworkOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: UUID
    course_id: UUID
    lesson_id: UUID
    given_on: date
    due_on: date
    text: str
    pages: str | None
    exercises: str | None
    links: list[str]
    student_ids: list[UUID]
    posted_by: UUID
    posted_at: datetime
    posted_late: bool


class DeadlineIn(BaseModel):
    hours: int


async def _deadline_hours(session: AsyncSession, school_id: UUID) -> int:
    policy = await session.get(SchoolPolicy, school_id)
    return (policy.homework_deadline_hours if policy else None) or DEFAULT_DEADLINE_HOURS


async def _last_lesson_ends(session: AsyncSession, class_id: UUID, day: date):
    """When the class's last timetable lesson of ``day`` ends (any subject); None without a timetable."""
    return await session.scalar(
        select(func.max(ScheduledLesson.ends))
        .join(Course, Course.id == ScheduledLesson.course_id)
        .where(Course.class_id == class_id, ScheduledLesson.date == day, ScheduledLesson.status == "scheduled")
    )


@router.post("/lessons/{lesson_id}/homework", status_code=201)
async def give_homework(
    school_id: UUID, lesson_id: UUID, body: HomeworkIn, caller: CallerDep, session: SchoolSession, request: Request
) -> HomeworkOut:
    lesson = await get_in_school(session, Lesson, lesson_id, school_id, "Урок не найден.")
    course = await get_in_school(session, Course, lesson.course_id, school_id, "Курс не найден.")
    require_lesson_writer(caller, school_id, course, lesson.substitute_teacher_id)
    # R-26, R-27: no homework in grade 2's first half-year (by school setting), none in a closed period.
    await check_journal_writable(session, course, lesson.date, homework=True)
    content = homework_content(body.text, body.pages, body.exercises, body.links)
    check_due(lesson.date, body.due_on)
    members = set(await session.scalars(course_students(course.class_id, lesson.date)))
    students = homework_students(body.student_ids, members, course.class_name)
    now = request.app.state.clock.now()
    deadline = posting_deadline(
        lesson.date,
        await _last_lesson_ends(session, course.class_id, lesson.date),
        await _deadline_hours(session, school_id),
        await zone_of(session, school_id, request.app.state.settings.timezone),
    )
    homework = Homework(
        school_id=school_id,
        course_id=course.id,
        lesson_id=lesson.id,
        given_on=lesson.date,
        due_on=body.due_on,
        text=content.text,
        pages=content.pages,
        exercises=content.exercises,
        links=list(content.links),
        student_ids=list(students),
        posted_by=caller.person_id,
        posted_at=now,
        posted_late=posted_late(now, deadline),
    )
    session.add(homework)
    await session.flush()
    event = HomeworkAssigned(
        homework_id=homework.id,
        lesson_id=lesson.id,
        assignment_id=course.id,
        class_id=course.class_id,
        subject_name=course.subject_name,
        teacher_id=course.teacher_id,
        given_on=homework.given_on,
        due_on=homework.due_on,
        text=homework.text,
        pages=homework.pages,
        exercises=homework.exercises,
        links=homework.links,
        student_ids=homework.student_ids,
        posted_late=homework.posted_late,
    )
    await emit_event(session, event, school_id=school_id)
    return HomeworkOut.model_validate(homework)


@router.get("/courses/{course_id}/homework")
async def course_homework(
    school_id: UUID,
    course_id: UUID,
    caller: CallerDep,
    session: SchoolSession,
    start: JournalDate | None = None,
    end: JournalDate | None = None,
) -> list[HomeworkOut]:
    course = await get_in_school(session, Course, course_id, school_id, "Курс не найден.")
    await require_reader(session, caller, school_id, course)
    query = select(Homework).where(Homework.course_id == course.id).order_by(Homework.given_on, Homework.posted_at)
    if start:
        query = query.where(Homework.given_on >= start)
    if end:
        query = query.where(Homework.given_on <= end)
    return [HomeworkOut.model_validate(h) for h in await session.scalars(query)]


@router.get("/homework/late")
async def late_homework(school_id: UUID, caller: CallerDep, session: SchoolSession) -> list[HomeworkOut]:
    """R-21: homework posted after the school's deadline, newest first, for the deputy director."""
    if not reads_whole_school(caller, school_id):
        raise Forbidden("Список заданий, выданных с опозданием, доступен администрации школы.")
    rows = await session.scalars(
        select(Homework)
        .where(Homework.school_id == school_id, Homework.posted_late.is_(True))
        .order_by(Homework.posted_at.desc())
        .limit(500)
    )
    return [HomeworkOut.model_validate(h) for h in rows]


@router.put("/policy/homework-deadline")
async def set_homework_deadline(
    school_id: UUID, body: DeadlineIn, caller: CallerDep, session: SchoolSession, request: Request
) -> DeadlineIn:
    """R-21: how many hours after the class's last lesson homework may still be posted on time."""
    caller.require(school_id, "school_admin")
    if body.hours not in DEADLINE_HOURS_CHOICES:
        allowed = ", ".join(map(str, DEADLINE_HOURS_CHOICES))
        raise Invalid(f"Срок выдачи домашнего задания — {allowed} ч после последнего урока класса.")
    default_window = request.app.state.settings.edit_window_days
    values = {"homework_deadline_hours": body.hours, "updated_by": caller.person_id, "updated_at": func.now()}
    await session.execute(
        insert(SchoolPolicy)
        .values(school_id=school_id, edit_window=default_choice(default_window).code, **values)
        .on_conflict_do_update(index_elements=[SchoolPolicy.school_id], set_=values)
    )
    return DeadlineIn(hours=body.hours)
