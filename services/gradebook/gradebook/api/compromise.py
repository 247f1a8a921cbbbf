"""Отмена действий под скомпрометированной учётной записью (R-3): the school's administrator undoes the marks a
compromised account posted or changed, through the corrections' own writes (the change log with its reason, R-25,
and the events the diary and the notices follow), past the edit window (R-24) but never into a closed period (R-27).

Only the gateway's compromise revert reaches this route: it signs the administrator's token with the grant
(``chassis.auth.Reverting``) after checking the report; a session's call through the proxy carries none.
"""

from typing import Literal
from uuid import UUID

from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.auth import REVERT_REASON, Caller, Reverting
from chassis.deps import CallerDep, SchoolSession
from chassis.events import emit_event
from chassis.problems import DomainError, Invalid
from gradebook.api.access import get_in_school, school_work_types
from gradebook.api.corrections import delete_mark_logged
from gradebook.api.marks import change_value
from gradebook.domain.compromise import Delete, Kept, Restore, Write, revert_plan
from gradebook.domain.periods import check_unlocked
from gradebook.domain.work_types import work_type
from gradebook.models import Course, Lesson, Mark, MarkChange
from gradebook.school_year import course_locks

router = APIRouter(prefix="/schools/{school_id}", tags=["compromise"])


class RevertIn(BaseModel):
    """One operation of the compromise list: the marks it wrote are found by the lesson or the mark it named."""

    #: One of the two (checked by the route, so the refusal says it in Russian).
    lesson_id: UUID | None = None
    mark_id: UUID | None = None


class RevertOut(BaseModel):
    #: The mark.
    id: UUID
    outcome: Literal["reverted", "already_reverted", "changed_since", "refused"]
    #: What was done or why not, in words for the administrator.
    detail: str


#: What the administrator reads when nothing is written to a mark.
KEPT = {
    "already_reverted": "Уже отменено.",
    "changed_since": "Отметку после этого изменил другой сотрудник: его изменение остаётся в силе.",
    "refused": "Под учётной записью у отметки изменён вид работы или дата урока: это исправляют вручную.",
}


async def _writes(session: AsyncSession, mark_id: UUID) -> list[Write]:
    rows = await session.scalars(
        select(MarkChange).where(MarkChange.mark_id == mark_id).order_by(MarkChange.changed_at, MarkChange.id)
    )
    return [Write(r.changed_by, r.changed_at, r.action, r.old_value, r.reason) for r in rows]


async def _revert_mark(
    session: AsyncSession, mark: Mark, lesson: Lesson, course: Course, caller: Caller, grant: Reverting
) -> RevertOut | None:
    plan = revert_plan(grant.person_id, grant.since, mark.posted_by, mark.created_at, await _writes(session, mark.id))
    if plan is None:
        return None
    if isinstance(plan, Kept):
        return RevertOut(id=mark.id, outcome=plan.outcome, detail=KEPT[plan.outcome])
    try:
        check_unlocked(lesson.date, await course_locks(session, course.id))
    except DomainError as refused:
        return RevertOut(id=mark.id, outcome="refused", detail=refused.detail)
    kind = work_type(mark.work_type, await school_work_types(session, mark.school_id))
    if isinstance(plan, Delete):
        await delete_mark_logged(session, mark, lesson, course, caller, kind, REVERT_REASON, with_lesson=False)
        return RevertOut(id=mark.id, outcome="reverted", detail=f"Отметка «{mark.value}» удалена.")
    assert isinstance(plan, Restore)
    old = mark.value
    changed = change_value(session, mark, lesson, course, caller, kind, plan.value, REVERT_REASON)
    await session.flush()
    await emit_event(session, changed, school_id=mark.school_id)
    return RevertOut(id=mark.id, outcome="reverted", detail=f"Отметка «{old}» возвращена к «{plan.value}».")


@router.post("/compromise-reverts")
async def revert(school_id: UUID, body: RevertIn, caller: CallerDep, session: SchoolSession) -> list[RevertOut]:
    """Undo the grant's person's writes to the marks of a lesson (a posting, a column) or to one mark (a change)."""
    grant = caller.reverting_in(school_id)
    if (body.lesson_id is None) == (body.mark_id is None):
        raise Invalid("Укажите урок или отметку — одно из двух.")
    if body.mark_id is not None:
        mark = await get_in_school(session, Mark, body.mark_id, school_id, "Отметки больше нет в журнале.")
        lesson_id = mark.lesson_id
    else:
        assert body.lesson_id is not None
        lesson_id = body.lesson_id
    lesson = await get_in_school(session, Lesson, lesson_id, school_id, "Урок не найден.")
    course = await get_in_school(session, Course, lesson.course_id, school_id, "Курс не найден.")
    touched = select(MarkChange.mark_id).where(MarkChange.changed_by == grant.person_id)
    query = select(Mark).where(Mark.lesson_id == lesson.id)
    if body.mark_id is not None:
        query = query.where(Mark.id == body.mark_id)
    else:
        query = query.where(or_(Mark.posted_by == grant.person_id, Mark.id.in_(touched)))
    marks = await session.scalars(query.order_by(Mark.id).with_for_update())
    answers = [await _revert_mark(session, mark, lesson, course, caller, grant) for mark in marks]
    return [answer for answer in answers if answer is not None]
