"""Отмена действий под скомпрометированной учётной записью (R-3): the school's administrator undoes the marks a
compromised account posted or changed and the lessons' topics and homework it edited, through the normal writes
(the change log with its reason, R-25, and the events the diary and the notices follow), past the edit window
(R-24) but never into a closed period (R-27).

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
from gradebook.api.lessons import write_record
from gradebook.api.marks import change_value
from gradebook.domain.compromise import Delete, Kept, Restore, Write, revert_plan
from gradebook.domain.periods import check_unlocked
from gradebook.domain.work_types import work_type
from gradebook.models import LESSON_FIELDS, Course, Lesson, LessonChange, Mark, MarkChange
from gradebook.school_year import course_locks

router = APIRouter(prefix="/schools/{school_id}", tags=["compromise"])


class RevertIn(BaseModel):
    """One operation of the compromise list: the marks it wrote are found by the lesson or the mark it named; a
    lesson's edited record (topic, homework) by ``edited_lesson_id``."""

    #: One of the three (checked by the route, so the refusal says it in Russian).
    lesson_id: UUID | None = None
    mark_id: UUID | None = None
    edited_lesson_id: UUID | None = None


class RevertOut(BaseModel):
    #: The mark, or the lesson (one answer per field of its record).
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


#: A lesson's field as the administrator reads it, and how its restored value is told.
FIELDS = {"topic": "Тема урока", "homework": "Домашнее задание"}
#: Why a lesson's field is left as it is.
LESSON_KEPT = {
    "already_reverted": "{field}: уже отменено.",
    "changed_since": "{field}: после этого изменил другой сотрудник, его изменение остаётся в силе.",
}


def _restored(field: str, value: str | None) -> str:
    if value is None:
        return f"{FIELDS[field]} снято: до изменений его не было."
    return f"{FIELDS[field]} снова «{value}»."


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


async def _revert_lesson(
    session: AsyncSession, lesson: Lesson, course: Course, caller: Caller, grant: Reverting
) -> list[RevertOut]:
    """Each field of the lesson's record the account edited gets back its value before those edits."""
    rows = await session.scalars(
        select(LessonChange)
        .where(LessonChange.lesson_id == lesson.id)
        .order_by(LessonChange.changed_at, LessonChange.id)
    )
    writes: dict[str, list[Write]] = {field: [] for field in LESSON_FIELDS}
    for row in rows:
        writes[row.field].append(Write(row.changed_by, row.changed_at, row.field, row.old_value, row.reason))
    plans = {
        field: plan
        for field in LESSON_FIELDS
        if (plan := revert_plan(grant.person_id, grant.since, None, None, writes[field], action=field)) is not None
    }
    restored = {field: plan.value for field, plan in plans.items() if isinstance(plan, Restore)}
    if restored:
        try:
            check_unlocked(lesson.date, await course_locks(session, course.id))
        except DomainError as refused:
            return [RevertOut(id=lesson.id, outcome="refused", detail=refused.detail)]
        topic = restored.get("topic", lesson.topic)
        homework = restored.get("homework", lesson.homework)
        assert topic is not None  # a lesson's topic was never empty, so no log row holds an empty one.
        await write_record(session, lesson, course, caller, topic, homework, REVERT_REASON)
    answers = []
    for field, plan in plans.items():
        if isinstance(plan, Kept):
            detail = LESSON_KEPT[plan.outcome].format(field=FIELDS[field])
            answers.append(RevertOut(id=lesson.id, outcome=plan.outcome, detail=detail))
        else:
            answers.append(RevertOut(id=lesson.id, outcome="reverted", detail=_restored(field, restored[field])))
    return answers


@router.post("/compromise-reverts")
async def revert(school_id: UUID, body: RevertIn, caller: CallerDep, session: SchoolSession) -> list[RevertOut]:
    """Undo the grant's person's writes to the marks of a lesson (a posting, a column), to one mark (a change), or
    to a lesson's record (an edit of its topic or homework)."""
    grant = caller.reverting_in(school_id)
    named = [body.lesson_id, body.mark_id, body.edited_lesson_id]
    if sum(given is not None for given in named) != 1:
        raise Invalid("Укажите урок или отметку — что-то одно: lesson_id, mark_id или edited_lesson_id.")
    if body.edited_lesson_id is not None:
        lesson = await get_in_school(
            session, Lesson, body.edited_lesson_id, school_id, "Урока больше нет в журнале.", for_update=True
        )
        course = await get_in_school(session, Course, lesson.course_id, school_id, "Курс не найден.")
        return await _revert_lesson(session, lesson, course, caller, grant)
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
