"""Исправления в журнале (R-24, R-25): delete a mark, change its вид работы, delete or move a lesson.

Each route reads top-down: load → authorize → the correction rules (``domain.corrections``) → write the
change and its log row (who, when, old, new, why) → emit the events the diary, the notices and the
portal follow, in the same transaction → answer. The administration reads the log of the whole school.
"""

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict, StringConstraints
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.auth import Caller
from chassis.dates import JournalDate
from chassis.deps import CallerDep, SchoolSession
from chassis.events import emit_event
from chassis.problems import Conflict, Forbidden
from contracts.gradebook import LessonDeleted, MarkChanged, MarkDeleted
from gradebook.api.access import (
    ClockDep,
    JournalClock,
    get_in_school,
    reads_whole_school,
    require_course_teacher,
    require_lesson_writer,
    school_work_types,
)
from gradebook.api.lessons import LessonOut, lesson_recorded
from gradebook.api.marks import MarkOut, mark_state
from gradebook.domain.corrections import (
    MarkState,
    check_correctable,
    check_lesson_delete,
    check_lesson_move,
    check_work_type_change,
    correction_reason,
)
from gradebook.domain.work_types import WorkType, work_type
from gradebook.models import Course, Homework, Lesson, Mark, MarkChange
from gradebook.school_year import course_locks

router = APIRouter(prefix="/schools/{school_id}", tags=["corrections"])

Reason = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]


class DeletionIn(BaseModel):
    #: R-25: why; required (checked by the domain, so the refusal says it in Russian).
    reason: Reason | None = None


class WorkTypeIn(BaseModel):
    work_type: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32)]


class MoveIn(BaseModel):
    date: JournalDate
    reason: Reason | None = None


class ChangeOut(BaseModel):
    """A row of the journal's change log (R-25)."""

    model_config = ConfigDict(from_attributes=True)
    id: UUID
    mark_id: UUID | None
    lesson_id: UUID
    action: str
    changed_at: datetime
    changed_by: UUID
    changed_by_name: str
    old_value: str
    new_value: str
    reason: str | None


async def _correctable(session: AsyncSession, lesson: Lesson, clock: JournalClock, day: date | None = None) -> None:
    """The one place a correction asks whether a date of the lesson (its own, or the one it moves to) is
    still open: the edit window (R-24) and the closed periods of the lesson's course (R-27)."""
    check_correctable(day or lesson.date, clock.today, clock.window, await course_locks(session, lesson.course_id))


def _log(
    lesson: Lesson, caller: Caller, action: str, old: str, new: str, reason: str | None, mark: Mark | None = None
) -> MarkChange:
    # who, when (the row's time), the old and the new value, and why.
    return MarkChange(
        school_id=lesson.school_id,
        mark_id=mark.id if mark else None,
        lesson_id=lesson.id,
        action=action,
        changed_by=caller.person_id,
        changed_by_name=caller.name,
        old_value=old,
        new_value=new,
        reason=reason,
    )


async def _mark_in_lesson(
    session: AsyncSession, school_id: UUID, mark_id: UUID, caller: Caller, clock: JournalClock
) -> tuple[Mark, Lesson, Course]:
    mark = await get_in_school(session, Mark, mark_id, school_id, "Отметка не найдена.", for_update=True)
    lesson = await get_in_school(session, Lesson, mark.lesson_id, school_id, "Урок не найден.")
    course = await get_in_school(session, Course, lesson.course_id, school_id, "Курс не найден.")
    require_lesson_writer(caller, school_id, course, lesson.substitute_teacher_id)
    await _correctable(session, lesson, clock)
    return mark, lesson, course


async def delete_mark_logged(
    session: AsyncSession,
    mark: Mark,
    lesson: Lesson,
    course: Course,
    caller: Caller,
    kind: WorkType,
    reason: str,
    *,
    with_lesson: bool,
) -> None:
    session.add(_log(lesson, caller, "mark_deleted", mark.value, "", reason, mark))
    # The tombstone is the mark's next state: a late posted or changed event cannot bring it back.
    deleted = MarkDeleted(
        **mark_state(mark, lesson, course, kind),
        version=mark.version + 1,
        reason=reason,
        deleted_by=caller.person_id,
        lesson_deleted=with_lesson,
    )
    await session.execute(delete(Mark).where(Mark.id == mark.id))
    await emit_event(session, deleted, school_id=lesson.school_id)


@router.delete("/marks/{mark_id}", status_code=204)
async def delete_mark(
    school_id: UUID, mark_id: UUID, body: DeletionIn, caller: CallerDep, session: SchoolSession, clock: ClockDep
) -> Response:
    """Delete a mark put by mistake, with the reason, within the edit window (R-24, R-25)."""
    mark, lesson, course = await _mark_in_lesson(session, school_id, mark_id, caller, clock)
    reason = correction_reason(body.reason, "удаления отметки")
    kind = work_type(mark.work_type, await school_work_types(session, school_id))
    await delete_mark_logged(session, mark, lesson, course, caller, kind, reason, with_lesson=False)
    return Response(status_code=204)


@router.patch("/marks/{mark_id}/work-type")
async def change_work_type(
    school_id: UUID, mark_id: UUID, body: WorkTypeIn, caller: CallerDep, session: SchoolSession, clock: ClockDep
) -> MarkOut:
    """Put a mark under another вид работы (its weight follows, R-22), within the edit window."""
    mark, lesson, course = await _mark_in_lesson(session, school_id, mark_id, caller, clock)
    kinds = await school_work_types(session, school_id)
    new = work_type(body.work_type, kinds)
    check_work_type_change(MarkState(mark.value, work_type(mark.work_type, kinds)), new)
    taken = await session.scalar(
        select(Mark.id).filter_by(lesson_id=lesson.id, student_id=mark.student_id, work_type=new.code)
    )
    if taken:
        raise Conflict(f"У обучающегося на этом уроке уже есть отметка за «{new.title}»: одна из двух лишняя.")
    old_code = mark.work_type
    mark.work_type, mark.weight, mark.version = new.code, new.weight, mark.version + 1
    session.add(_log(lesson, caller, "work_type", old_code, new.code, None, mark))
    await session.flush()
    changed = MarkChanged(
        **mark_state(mark, lesson, course, new),
        version=mark.version,
        old_value=mark.value,
        changed_by=caller.person_id,
        correction="work_type",
        old_work_type=old_code,
    )
    await emit_event(session, changed, school_id=school_id)
    return MarkOut.model_validate(mark)


async def _own_unscheduled_lesson(
    session: AsyncSession, school_id: UUID, lesson_id: UUID, caller: Caller
) -> tuple[Lesson, Course, list[Mark]]:
    lesson = await get_in_school(session, Lesson, lesson_id, school_id, "Урок не найден.", for_update=True)
    course = await get_in_school(session, Course, lesson.course_id, school_id, "Курс не найден.")
    require_course_teacher(caller, school_id, course)
    marks = list(await session.scalars(select(Mark).filter_by(lesson_id=lesson.id).order_by(Mark.id).with_for_update()))
    return lesson, course, marks


@router.delete("/lessons/{lesson_id}", status_code=204)
async def delete_lesson(
    school_id: UUID, lesson_id: UUID, body: DeletionIn, caller: CallerDep, session: SchoolSession, clock: ClockDep
) -> Response:
    """Delete a lesson outside the timetable recorded by mistake, with its marks; attendance withdraws its
    absences when it hears of it (R-24, R-25)."""
    lesson, course, marks = await _own_unscheduled_lesson(session, school_id, lesson_id, caller)
    check_lesson_delete(scheduled=lesson.scheduled_lesson_id is not None)
    await _correctable(session, lesson, clock)
    reason = correction_reason(body.reason, "удаления урока")
    kinds = await school_work_types(session, school_id)
    for mark in marks:
        await delete_mark_logged(
            session, mark, lesson, course, caller, work_type(mark.work_type, kinds), reason, with_lesson=True
        )
    session.add(_log(lesson, caller, "lesson_deleted", f"{lesson.date:%d.%m.%Y}", "", reason))
    deleted = LessonDeleted(
        lesson_id=lesson.id,
        version=lesson.version + 1,
        assignment_id=course.id,
        class_id=course.class_id,
        subject_id=course.subject_id,
        subject_name=course.subject_name,
        teacher_id=course.teacher_id,
        date=lesson.date,
        reason=reason,
        deleted_by=caller.person_id,
    )
    # Homework given at the lesson goes with it (the diary drops it on the same event).
    await session.execute(delete(Homework).where(Homework.lesson_id == lesson.id))
    await session.execute(delete(Lesson).where(Lesson.id == lesson.id))
    await emit_event(session, deleted, school_id=school_id)
    return Response(status_code=204)


@router.post("/lessons/{lesson_id}/move")
async def move_lesson(
    school_id: UUID, lesson_id: UUID, body: MoveIn, caller: CallerDep, session: SchoolSession, clock: ClockDep
) -> LessonOut:
    """Move a lesson outside the timetable to the date it was really given, with its marks; attendance moves
    its absences when it hears of the new date (R-24, R-25)."""
    lesson, course, marks = await _own_unscheduled_lesson(session, school_id, lesson_id, caller)
    check_lesson_move(
        scheduled=lesson.scheduled_lesson_id is not None, old_date=lesson.date, new_date=body.date, today=clock.today
    )
    await _correctable(session, lesson, clock)
    await _correctable(session, lesson, clock, body.date)
    reason = correction_reason(body.reason, "переноса урока")
    old_day = f"{lesson.date:%d.%m.%Y}"
    lesson.date, lesson.version = body.date, lesson.version + 1
    session.add(_log(lesson, caller, "lesson_moved", old_day, f"{body.date:%d.%m.%Y}", reason))
    for mark in marks:
        mark.version += 1
        session.add(_log(lesson, caller, "lesson_moved", old_day, f"{body.date:%d.%m.%Y}", reason, mark))
    await session.flush()
    await emit_event(session, lesson_recorded(lesson, course), school_id=school_id)
    kinds = await school_work_types(session, school_id)
    for mark in marks:
        moved = MarkChanged(
            **mark_state(mark, lesson, course, work_type(mark.work_type, kinds)),
            version=mark.version,
            old_value=mark.value,
            changed_by=caller.person_id,
            correction="moved",
        )
        await emit_event(session, moved, school_id=school_id)
    return LessonOut.model_validate(lesson)


@router.get("/corrections")
async def correction_log(
    school_id: UUID, caller: CallerDep, session: SchoolSession, limit: Annotated[int, Query(ge=1, le=5000)] = 500
) -> list[ChangeOut]:
    """R-25: the journal's change log of the school for the administration, all year (004 §3.8), newest first."""
    if not reads_whole_school(caller, school_id):
        raise Forbidden("Журнал изменений доступен администрации школы.")
    rows = await session.scalars(
        select(MarkChange)
        .where(MarkChange.school_id == school_id)
        .order_by(MarkChange.changed_at.desc(), MarkChange.id)
        .limit(limit)
    )
    return [ChangeOut.model_validate(row) for row in rows]
