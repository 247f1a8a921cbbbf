"""A course's thematic plan (R-30): entered, imported and exported as XLSX, and its coverage."""

from datetime import date
from typing import Annotated, Literal
from urllib.parse import quote
from uuid import UUID

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.deps import CallerDep, SchoolSession, SchoolToday
from chassis.problems import Invalid
from gradebook.api.access import get_in_school, require_course_teacher, require_reader
from gradebook.domain.thematic_plan import (
    Topic,
    check_plan,
    coverage,
    next_topic,
    plan_deadline,
    plan_hours,
    plan_late,
    topic_from_plan,
)
from gradebook.models import Course, CurriculumLine, Lesson, PlanTopic, SchoolClass, ThematicPlan
from gradebook.plan_xlsx import XLSX, read_plan, write_plan
from gradebook.school_year import class_periods, school_policy

router = APIRouter(prefix="/schools/{school_id}/courses/{course_id}/plan", tags=["thematic plan"])

#: An XLSX upload larger than this is not a thematic plan.
MAX_UPLOAD = 2 * 1024 * 1024


class TopicIn(BaseModel):
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]
    hours: int = Field(ge=1, le=400)


class PlanIn(BaseModel):
    topics: list[TopicIn] = Field(max_length=1000)


class TopicOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    position: int
    title: str
    hours: int
    #: Lessons given on this topic so far (topics fill in order, an hour a lesson).
    given: int


class PlanOut(BaseModel):
    course_id: UUID
    #: Hours a year by the curriculum; None until roster's curriculum names them.
    curriculum_hours: int | None
    planned_hours: int
    given_hours: int
    #: The topic the next lesson takes from the plan.
    next_topic: str | None
    topics: list[TopicOut]
    #: R-30: the last day to enter the plan (the school's days before the first period); None if no periods yet.
    deadline: date | None
    #: The day the plan was first entered, and whether that was after the deadline (flagged, not refused).
    entered_on: date | None
    late: bool


async def curriculum_hours(session: AsyncSession, course: Course) -> int | None:
    school_class = await session.get(SchoolClass, course.class_id)
    if school_class is None or school_class.academic_year is None:
        return None
    line = await session.get(
        CurriculumLine, (course.school_id, school_class.academic_year, school_class.grade, course.subject_id)
    )
    return line.hours if line else None


async def topics_of(session: AsyncSession, course: Course) -> list[Topic]:
    rows = await session.scalars(select(PlanTopic).where(PlanTopic.course_id == course.id).order_by(PlanTopic.position))
    return [Topic(row.title, row.hours) for row in rows]


async def lessons_given(session: AsyncSession, course: Course) -> int:
    return await session.scalar(select(func.count()).select_from(Lesson).where(Lesson.course_id == course.id)) or 0


async def planned_topic(session: AsyncSession, course: Course, written: str | None) -> str:
    """A new lesson's topic: the one written, or the plan's next (R-30); the teacher may change it later."""
    if written:
        return written
    return topic_from_plan(await topics_of(session, course), await lessons_given(session, course))


async def deadline_of(session: AsyncSession, course: Course) -> date | None:
    policy, _ = await school_policy(session, course.school_id)
    periods = await class_periods(session, await session.get(SchoolClass, course.class_id))
    return plan_deadline((p.starts for p in periods), policy.plan_days_before_period)


async def plan_out(session: AsyncSession, course: Course) -> PlanOut:
    topics = await topics_of(session, course)
    given = await lessons_given(session, course)
    entered = await session.get(ThematicPlan, course.id)
    deadline = await deadline_of(session, course)
    entered_on = entered.entered_on if entered else None
    return PlanOut(
        deadline=deadline,
        entered_on=entered_on,
        late=plan_late(entered_on, deadline),
        course_id=course.id,
        curriculum_hours=await curriculum_hours(session, course),
        planned_hours=plan_hours(topics),
        given_hours=given,
        next_topic=next_topic(topics, given),
        topics=[TopicOut.model_validate(c) for c in coverage(topics, given)],
    )


async def save(session: AsyncSession, course: Course, topics: list[Topic], today: date) -> PlanOut:
    """Replace the plan whole, after checking its hours against the curriculum (R-30)."""
    check_plan(topics, await curriculum_hours(session, course))
    # The course row is locked (teachers_course): the first save's date is written once.
    if await session.get(ThematicPlan, course.id) is None:
        session.add(ThematicPlan(course_id=course.id, school_id=course.school_id, entered_on=today))
    await session.execute(delete(PlanTopic).where(PlanTopic.course_id == course.id))
    session.add_all(
        PlanTopic(school_id=course.school_id, course_id=course.id, position=position, title=t.title, hours=t.hours)
        for position, t in enumerate(topics, start=1)
    )
    await session.flush()
    return await plan_out(session, course)


async def teachers_course(session: AsyncSession, caller: CallerDep, school_id: UUID, course_id: UUID) -> Course:
    course = await get_in_school(session, Course, course_id, school_id, "Курс не найден.", for_update=True)
    require_course_teacher(caller, school_id, course)
    return course


@router.get("")
async def get_plan(school_id: UUID, course_id: UUID, caller: CallerDep, session: SchoolSession) -> PlanOut:
    course = await get_in_school(session, Course, course_id, school_id, "Курс не найден.")
    await require_reader(session, caller, school_id, course)
    return await plan_out(session, course)


@router.put("")
async def set_plan(
    school_id: UUID, course_id: UUID, body: PlanIn, caller: CallerDep, session: SchoolSession, today: SchoolToday
) -> PlanOut:
    course = await teachers_course(session, caller, school_id, course_id)
    return await save(session, course, [Topic(t.title, t.hours) for t in body.topics], today)


@router.post("/xlsx")
async def import_plan(
    school_id: UUID,
    course_id: UUID,
    caller: CallerDep,
    session: SchoolSession,
    request: Request,
    today: SchoolToday,
    mode: Literal["all", "valid"] = "all",
) -> PlanOut:
    """Import the plan from an Excel sheet (the request body). ``mode=all``: any broken row refuses the
    file with every row's error and nothing is imported; ``mode=valid``: broken rows are left out."""
    course = await teachers_course(session, caller, school_id, course_id)
    data = await request.body()
    if len(data) > MAX_UPLOAD:
        raise Invalid("Файл плана больше 2 МБ.")
    topics, errors = read_plan(data)
    if errors and mode == "all":
        raise Invalid(
            f"В файле строк с ошибками: {len(errors)}; ничего не загружено.",
            errors=[{"row": e.row, "message": e.message} for e in errors],
        )
    return await save(session, course, topics, today)


@router.get("/xlsx")
async def export_plan(school_id: UUID, course_id: UUID, caller: CallerDep, session: SchoolSession) -> Response:
    course = await get_in_school(session, Course, course_id, school_id, "Курс не найден.")
    await require_reader(session, caller, school_id, course)
    title = f"{course.class_name} · {course.subject_name}"
    filename = quote(f"КТП {course.class_name} {course.subject_name}.xlsx")
    return Response(
        write_plan(await topics_of(session, course), title),
        media_type=XLSX,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{filename}"},
    )
