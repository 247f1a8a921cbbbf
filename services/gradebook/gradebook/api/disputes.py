"""Обращения об ошибочной отметке (004 app.8): a student or parent flags a mark within 3 days, the teacher
answers; both stay in the log, even after the mark is corrected or deleted."""

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, StringConstraints
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.deps import CallerDep, SchoolSession
from chassis.problems import Conflict, NotFound
from gradebook.api.access import ClockDep, get_in_school, reads_whole_school, require_lesson_writer, require_reader
from gradebook.domain.corrections import check_dispute_open, dispute_text
from gradebook.models import Course, Guardianship, Lesson, Mark, MarkDispute

router = APIRouter(prefix="/schools/{school_id}", tags=["disputes"])

Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]
#: 404, never 403: a stranger must not learn that the mark exists (R-1).
MARK_NOT_FOUND = "Отметка не найдена."


class DisputeIn(BaseModel):
    text: Text | None = None


class AnswerIn(BaseModel):
    answer: Text | None = None


class DisputeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: UUID
    mark_id: UUID
    course_id: UUID
    student_id: UUID
    mark_value: str
    lesson_date: date
    raised_by: UUID
    raised_by_name: str
    raised_at: datetime
    text: str
    answer: str | None
    answered_by_name: str | None
    answered_at: datetime | None


async def _family_of(session: AsyncSession, caller_id: UUID, student_id: UUID) -> bool:
    """The student themself, or a parent linked to them (R-1)."""
    return caller_id == student_id or await session.get(Guardianship, (caller_id, student_id)) is not None


@router.post("/marks/{mark_id}/disputes", status_code=201)
async def dispute_mark(
    school_id: UUID, mark_id: UUID, body: DisputeIn, caller: CallerDep, session: SchoolSession, clock: ClockDep
) -> DisputeOut:
    """The student or a parent says the mark is wrong, within 3 days of its posting (004 app.8)."""
    caller.tenant_for(school_id)
    mark = await session.get(Mark, mark_id)
    if mark is None or mark.school_id != school_id or not await _family_of(session, caller.person_id, mark.student_id):
        raise NotFound(MARK_NOT_FOUND)
    lesson = await get_in_school(session, Lesson, mark.lesson_id, school_id, "Урок не найден.")
    check_dispute_open(mark.posted_on or lesson.date, clock.today)
    dispute = MarkDispute(
        school_id=school_id,
        mark_id=mark.id,
        course_id=lesson.course_id,
        student_id=mark.student_id,
        mark_value=mark.value,
        lesson_date=lesson.date,
        raised_by=caller.person_id,
        raised_by_name=caller.name,
        raised_on=clock.today,
        text=dispute_text(body.text, "Напишите, что не так с отметкой"),
    )
    session.add(dispute)
    await session.flush()
    await session.refresh(dispute)
    return DisputeOut.model_validate(dispute)


@router.post("/disputes/{dispute_id}/answer")
async def answer_dispute(
    school_id: UUID, dispute_id: UUID, body: AnswerIn, caller: CallerDep, session: SchoolSession
) -> DisputeOut:
    """The teacher of the course, or the substitute who gave the mark's lesson (R-20), answers once; a correction
    of the mark itself goes through its own route."""
    dispute = await get_in_school(session, MarkDispute, dispute_id, school_id, "Обращение не найдено.", for_update=True)
    course = await get_in_school(session, Course, dispute.course_id, school_id, "Курс не найден.")
    mark = await session.get(Mark, dispute.mark_id)
    lesson = await session.get(Lesson, mark.lesson_id) if mark else None
    require_lesson_writer(caller, school_id, course, lesson.substitute_teacher_id if lesson else None)
    if dispute.answer is not None:
        raise Conflict("На это обращение уже дан ответ.")
    dispute.answer = dispute_text(body.answer, "Напишите ответ на обращение")
    dispute.answered_by, dispute.answered_by_name, dispute.answered_at = caller.person_id, caller.name, func.now()
    await session.flush()
    await session.refresh(dispute)
    return DisputeOut.model_validate(dispute)


@router.get("/courses/{course_id}/disputes")
async def course_disputes(
    school_id: UUID, course_id: UUID, caller: CallerDep, session: SchoolSession
) -> list[DisputeOut]:
    """The course's disputes for its teacher and the administration, unanswered first."""
    course = await get_in_school(session, Course, course_id, school_id, "Курс не найден.")
    await require_reader(session, caller, school_id, course)
    rows = await session.scalars(
        select(MarkDispute)
        .where(MarkDispute.course_id == course.id)
        .order_by(MarkDispute.answer.is_not(None), MarkDispute.raised_at.desc())
    )
    return [DisputeOut.model_validate(row) for row in rows]


@router.get("/students/{student_id}/disputes")
async def student_disputes(
    school_id: UUID, student_id: UUID, caller: CallerDep, session: SchoolSession
) -> list[DisputeOut]:
    """A student's disputes and their answers, for the family and the administration."""
    caller.tenant_for(school_id)
    if not (reads_whole_school(caller, school_id) or await _family_of(session, caller.person_id, student_id)):
        raise NotFound("Обращения не найдены.")
    rows = await session.scalars(
        select(MarkDispute)
        .where(MarkDispute.school_id == school_id, MarkDispute.student_id == student_id)
        .order_by(MarkDispute.raised_at.desc())
    )
    return [DisputeOut.model_validate(row) for row in rows]
