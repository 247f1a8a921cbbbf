"""Corrections of absences (R-41, R-25): an absence put on the wrong lesson, and the class teacher's reason for
a class and a date range at once (a medical certificate for a week). Each is logged and announced."""

from datetime import datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from attendance.api.absences import (
    AbsenceOut,
    TeacherWindow,
    absence_at_lesson,
    absence_change,
    absence_out,
    absence_state,
    class_teacher_id,
    period_locks,
    reads_school,
)
from attendance.domain.absences import (
    MISSED,
    absence_reason,
    check_lesson_change,
    check_reason_corrector,
    leads_class,
    range_reason,
)
from attendance.domain.locks import check_unlocked
from attendance.models import Absence, AbsenceChange, ClassMember, Lesson
from chassis.dates import JournalDate
from chassis.deps import CallerDep, SchoolSession, SchoolToday
from chassis.events import emit_event
from chassis.problems import Forbidden, Invalid, NotFound
from contracts.attendance import AbsenceCorrected

router = APIRouter(prefix="/schools/{school_id}", tags=["absences"])


class LessonChangeIn(BaseModel):
    lesson_id: UUID


class RangeReasonIn(BaseModel):
    start: JournalDate
    end: JournalDate
    reason: str = Field(min_length=1, max_length=16, description="ill, excused, unexcused или Б, У, Н")
    #: The students the certificate is for; none: the whole class.
    student_ids: list[UUID] = Field(default_factory=list, max_length=60)
    #: What the reason rests on («справка № 12 от 20.10»), kept in the log.
    note: str | None = Field(default=None, max_length=300)


class AbsenceChangeOut(BaseModel):
    """A row of the absences' change log (R-25, R-41)."""

    model_config = ConfigDict(from_attributes=True)
    absence_id: UUID
    student_id: UUID
    #: "reason", "lesson", "moved", "withdrawn" or "lesson_deleted".
    action: str
    changed_by: UUID
    changed_at: datetime
    old_value: str
    new_value: str
    reason: str | None


class RangeReasonOut(BaseModel):
    #: How many absences got the new reason (those that had it already are left as they were).
    corrected: int
    absences: list[AbsenceOut]


@router.patch("/absences/{absence_id}/lesson")
async def change_lesson(
    school_id: UUID,
    absence_id: UUID,
    body: LessonChangeIn,
    caller: CallerDep,
    session: SchoolSession,
    today: SchoolToday,
    window: TeacherWindow,
) -> AbsenceOut:
    """Put an absence marked on the wrong lesson on the right one of the same class (R-40, R-41)."""
    absence, lesson = await absence_at_lesson(session, absence_id, school_id)
    target = await session.get(Lesson, body.lesson_id)
    if target is None or target.school_id != school_id:
        raise NotFound("Урок не найден.")
    class_teacher = await class_teacher_id(session, lesson.class_id)
    # Both lessons' teacher within the window, or the class's class teacher at any time (R-40, R-41).
    for at in (lesson, target):
        check_reason_corrector(
            caller.person_id,
            caller.roles_in(school_id),
            lesson_teacher_id=at.teacher_id,
            class_teacher_id=class_teacher,
            lesson_date=at.date,
            today=today,
            window_days=window,
        )
    # a closed period's absences stay where they are, on either side of the move.
    for at in (lesson, target):
        check_unlocked(at.date, await period_locks(session, at))
    taken = await session.scalar(select(Absence.id).filter_by(lesson_id=target.id, student_id=absence.student_id))
    check_lesson_change(
        same_class=target.class_id == lesson.class_id,
        same_lesson=target.id == lesson.id,
        target_deleted=target.deleted,
        taken=taken is not None,
    )
    absence.lesson_id, absence.version = target.id, absence.version + 1
    old = f"{lesson.subject_name}, {lesson.date:%d.%m.%Y}"
    session.add(
        absence_change(absence, "lesson", caller.person_id, old, f"{target.subject_name}, {target.date:%d.%m.%Y}")
    )
    await session.flush()
    reason = absence_reason(absence.reason)
    moved = AbsenceCorrected(
        **absence_state(absence, target),
        previous_reason=reason,
        corrected_by=caller.person_id,
        previous_lesson_id=lesson.id,
        previous_date=lesson.date if lesson.date != target.date else None,
    )
    await emit_event(session, moved, school_id=school_id)
    return absence_out(absence)


@router.post("/classes/{class_id}/absence-reasons")
async def set_range_reason(
    school_id: UUID, class_id: UUID, body: RangeReasonIn, caller: CallerDep, session: SchoolSession
) -> RangeReasonOut:
    """R-41: the class teacher sets the reason of every missed lesson of a date range, for the whole class or
    for chosen students (a medical certificate for a week). Lates stay lates."""
    if not leads_class(caller.person_id, caller.roles_in(school_id), await class_teacher_id(session, class_id)):
        raise Forbidden("Причины пропусков за период указывает классный руководитель этого класса.")
    reason = range_reason(body.reason, body.start, body.end)
    members = set(await session.scalars(select(ClassMember.student_id).filter_by(class_id=class_id)))
    strangers = [s for s in body.student_ids if s not in members]
    if strangers:
        raise Invalid("Не все указанные обучающиеся числятся в этом классе.", students=[str(s) for s in strangers])
    query = (
        select(Absence, Lesson)
        .join(Lesson, Lesson.id == Absence.lesson_id)
        .where(
            Absence.school_id == school_id,
            Lesson.class_id == class_id,
            Lesson.date.between(body.start, body.end),
            Absence.reason.in_(sorted(MISSED)),
        )
        .order_by(Lesson.date, Absence.id)
        .with_for_update(of=Absence)
    )
    if body.student_ids:
        query = query.where(Absence.student_id.in_(body.student_ids))
    found = [(absence, lesson) for absence, lesson in await session.execute(query)]
    corrected = 0
    for absence, lesson in found:
        previous = absence_reason(absence.reason)
        if previous == reason:
            continue
        absence.reason, absence.version = reason, absence.version + 1
        session.add(absence_change(absence, "reason", caller.person_id, previous, reason, body.note))
        await session.flush()
        event = AbsenceCorrected(
            **absence_state(absence, lesson), previous_reason=previous, corrected_by=caller.person_id
        )
        await emit_event(session, event, school_id=school_id)
        corrected += 1
    return RangeReasonOut(corrected=corrected, absences=[absence_out(absence) for absence, _ in found])


@router.get("/absence-changes")
async def absence_changes(
    school_id: UUID, caller: CallerDep, session: SchoolSession, limit: Annotated[int, Query(ge=1, le=5000)] = 500
) -> list[AbsenceChangeOut]:
    """R-25, R-41: the log of absences' corrections for the school's administration, newest first."""
    if not reads_school(caller, school_id):
        raise Forbidden("Журнал изменений пропусков доступен администрации школы.")
    rows = await session.scalars(
        select(AbsenceChange)
        .where(AbsenceChange.school_id == school_id)
        .order_by(AbsenceChange.changed_at.desc(), AbsenceChange.id)
        .limit(limit)
    )
    return [AbsenceChangeOut.model_validate(row) for row in rows]
