"""Absences per lesson (R-40), their reasons (R-41) and per-student counts (R-42)."""

from datetime import date
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, Field
from sqlalchemy import Select, delete, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from attendance.domain.absences import (
    absence_reason,
    check_lesson_marker,
    check_reason_corrector,
    check_teacher_window,
    leads_class,
    reason_code,
    summarize,
)
from attendance.domain.locks import Lock, check_unlocked
from attendance.models import (
    Absence,
    AbsenceChange,
    ClassMember,
    ClassTeacher,
    EndedCourse,
    GroupMember,
    Guardianship,
    Lesson,
    PeriodLock,
    Person,
)
from attendance.settings import AttendanceSettings
from chassis.auth import SCHOOL_READ_ROLES, Caller
from chassis.dates import JournalDate
from chassis.deps import CallerDep, SchoolSession, SchoolToday
from chassis.events import emit_event
from chassis.problems import Conflict, Forbidden, Invalid, NotFound
from chassis.russian import RU_COLLATION
from contracts.attendance import AbsenceCorrected, AbsenceReason, AbsenceRecorded, AbsenceWithdrawn

router = APIRouter(prefix="/schools/{school_id}", tags=["absences"])

LESSON_NOT_YET_KNOWN = "Урок ещё не получен журналом посещаемости; повторите через секунду."
LESSON_DELETED = "Урок удалён из журнала."
#: Who reads the whole school's attendance besides the region's inspectors: the administration and teachers.
#: A class teacher reads their own class's (R-1).
NOT_A_READER = (
    "Посещаемость доступна администрации школы, учителям — по урокам своих классов, "
    "классному руководителю — по своему классу."
)


class AbsenceIn(BaseModel):
    student_id: UUID
    reason: str = Field(min_length=1, max_length=16, description="ill, excused, unexcused, late или Б, У, Н, О")


class ReasonIn(BaseModel):
    reason: str = Field(min_length=1, max_length=16)


class AbsenceOut(BaseModel):
    id: UUID
    lesson_id: UUID
    student_id: UUID
    reason: AbsenceReason
    code: str


class LessonAbsence(AbsenceOut):
    #: «Фамилия Имя»; None until roster's record of the person has arrived.
    student_name: str | None


class SummaryOut(BaseModel):
    student_id: UUID
    start: date | None
    end: date | None
    lessons_missed: int
    ill: int
    excused: int
    unexcused: int
    lates: int


def teacher_window(request: Request) -> int:
    settings: AttendanceSettings = request.app.state.settings
    return settings.teacher_window_days


TeacherWindow = Annotated[int, Depends(teacher_window)]


def absence_out(absence: Absence) -> AbsenceOut:
    reason = absence_reason(absence.reason)
    return AbsenceOut(
        id=absence.id,
        lesson_id=absence.lesson_id,
        student_id=absence.student_id,
        reason=reason,
        code=reason_code(reason),
    )


def absence_change(
    absence: Absence, action: str, by: UUID, old: str, new: str, reason: str | None = None
) -> AbsenceChange:
    """A row of the absences' change log (R-25, R-41): who, the old and the new state, why; the row's time is when."""
    return AbsenceChange(
        school_id=absence.school_id,
        absence_id=absence.id,
        student_id=absence.student_id,
        action=action,
        changed_by=by,
        old_value=old,
        new_value=new,
        reason=reason,
    )


def absence_state(absence: Absence, lesson: Lesson) -> dict:
    """What every absence event carries: the absence and the lesson it belongs to."""
    return {
        "absence_id": absence.id,
        "lesson_id": lesson.id,
        "student_id": absence.student_id,
        "class_id": lesson.class_id,
        "subject_name": lesson.subject_name,
        "date": lesson.date,
        "reason": absence_reason(absence.reason),
        "version": absence.version,
    }


async def require_lesson_teacher(session: AsyncSession, caller: Caller, school_id: UUID, lesson: Lesson) -> None:
    caller.require(school_id, "teacher")
    ended = await session.get(EndedCourse, lesson.course_id) if lesson.course_id else None
    check_lesson_marker(
        caller.person_id, lesson.teacher_id, lesson.substitute_teacher_id, ended.ended_on if ended else None
    )


def reads_school(caller: Caller, school_id: UUID) -> bool:
    return caller.oversees(school_id) or caller.has_role(school_id, *SCHOOL_READ_ROLES)


async def teaches_class(session: AsyncSession, caller: Caller, school_id: UUID, class_ids: Select | list[UUID]) -> bool:
    """R-1: a teacher reads attendance of the classes they give lessons in (004 app.6 §6.2)."""
    if not caller.has_role(school_id, "teacher"):
        return False
    taught = select(Lesson.id).where(Lesson.class_id.in_(class_ids), Lesson.teacher_id == caller.person_id)
    return bool(await session.scalar(select(exists(taught))))


async def class_teacher_id(session: AsyncSession, class_id: UUID) -> UUID | None:
    return await session.scalar(select(ClassTeacher.teacher_id).filter_by(class_id=class_id))


async def period_locks(session: AsyncSession, lesson: Lesson) -> list[Lock]:
    """R-27: the closed periods of the lesson's course, as the gradebook announced them."""
    if lesson.course_id is None:
        return []
    rows = await session.scalars(select(PeriodLock).filter_by(course_id=lesson.course_id, closed=True))
    return [Lock(row.period_name, row.starts, row.ends) for row in rows]


async def absence_at_lesson(session: AsyncSession, absence_id: UUID, school_id: UUID) -> tuple[Absence, Lesson]:
    absence = await session.get(Absence, absence_id, with_for_update=True)
    if absence is None or absence.school_id != school_id:
        raise NotFound("Отметка о пропуске не найдена.")
    lesson = await session.get(Lesson, absence.lesson_id)
    assert lesson is not None  # absences.lesson_id references lessons
    return absence, lesson


async def on_register(session: AsyncSession, lesson: Lesson, student_id: UUID) -> bool:
    """The student is in the lesson's class, or in its elective or club on the lesson's day (R-14: an elective's
    lessons carry its group's id as their class)."""
    in_class = exists().where(ClassMember.class_id == lesson.class_id, ClassMember.student_id == student_id)
    in_group = exists().where(
        GroupMember.group_id == lesson.class_id,
        GroupMember.student_id == student_id,
        GroupMember.starts <= lesson.date,
        or_(GroupMember.ends.is_(None), GroupMember.ends >= lesson.date),
    )
    return bool(await session.scalar(select(or_(in_class, in_group))))


@router.post("/lessons/{lesson_id}/absences", status_code=201)
async def record_absence(
    school_id: UUID,
    lesson_id: UUID,
    body: AbsenceIn,
    caller: CallerDep,
    session: SchoolSession,
    today: SchoolToday,
    window: TeacherWindow,
) -> AbsenceOut:
    caller.require(school_id, "teacher")
    lesson = await session.get(Lesson, lesson_id)
    if lesson is None or lesson.school_id != school_id:
        # The gradebook's LessonRecorded arrives within milliseconds of the lesson's record.
        raise Conflict(LESSON_NOT_YET_KNOWN)
    if lesson.deleted:
        raise NotFound(LESSON_DELETED)
    await require_lesson_teacher(session, caller, school_id, lesson)
    reason = absence_reason(body.reason)
    check_teacher_window(lesson.date, today, window)
    check_unlocked(lesson.date, await period_locks(session, lesson))
    if not await on_register(session, lesson, body.student_id):
        raise Invalid("Обучающийся не числится в классе, у которого был этот урок.")
    if await session.scalar(select(Absence.id).filter_by(lesson_id=lesson.id, student_id=body.student_id)):
        raise Conflict("У обучающегося уже есть отметка на этом уроке; исправьте её причину.")
    absence = Absence(
        school_id=school_id,
        lesson_id=lesson.id,
        student_id=body.student_id,
        reason=reason,
        recorded_by=caller.person_id,
        version=1,
    )
    session.add(absence)
    await session.flush()
    await emit_event(session, AbsenceRecorded(**absence_state(absence, lesson)), school_id=school_id)
    return absence_out(absence)


@router.patch("/absences/{absence_id}")
async def correct_reason(
    school_id: UUID,
    absence_id: UUID,
    body: ReasonIn,
    caller: CallerDep,
    session: SchoolSession,
    today: SchoolToday,
    window: TeacherWindow,
) -> AbsenceOut:
    absence, lesson = await absence_at_lesson(session, absence_id, school_id)
    lesson_class_teacher = await class_teacher_id(session, lesson.class_id)
    check_reason_corrector(
        caller.person_id,
        caller.roles_in(school_id),
        lesson_teacher_id=lesson.teacher_id,
        class_teacher_id=lesson_class_teacher,
        lesson_date=lesson.date,
        today=today,
        window_days=window,
    )
    # after the close only the class teacher still corrects a reason.
    leads = leads_class(caller.person_id, caller.roles_in(school_id), lesson_class_teacher)
    check_unlocked(lesson.date, await period_locks(session, lesson), leads_class=leads)
    reason = absence_reason(body.reason)
    previous = absence_reason(absence.reason)
    if reason == previous:
        return absence_out(absence)
    absence.reason = reason
    absence.version += 1
    session.add(absence_change(absence, "reason", caller.person_id, previous, reason))
    await session.flush()
    await emit_event(
        session,
        AbsenceCorrected(**absence_state(absence, lesson), previous_reason=previous, corrected_by=caller.person_id),
        school_id=school_id,
    )
    return absence_out(absence)


@router.delete("/absences/{absence_id}", status_code=204)
async def withdraw_absence(
    school_id: UUID,
    absence_id: UUID,
    caller: CallerDep,
    session: SchoolSession,
    today: SchoolToday,
    window: TeacherWindow,
) -> Response:
    absence, lesson = await absence_at_lesson(session, absence_id, school_id)
    await require_lesson_teacher(session, caller, school_id, lesson)
    check_teacher_window(lesson.date, today, window)
    check_unlocked(lesson.date, await period_locks(session, lesson))
    # The withdrawal is the absence's last state; the row locked above makes its version the next one.
    withdrawn = AbsenceWithdrawn(
        **{**absence_state(absence, lesson), "version": absence.version + 1}, withdrawn_by=caller.person_id
    )
    session.add(absence_change(absence, "withdrawn", caller.person_id, absence.reason, ""))
    await session.execute(delete(Absence).where(Absence.id == absence.id))
    await emit_event(session, withdrawn, school_id=school_id)
    return Response(status_code=204)


@router.get("/lessons/{lesson_id}/absences")
async def lesson_absences(
    school_id: UUID, lesson_id: UUID, caller: CallerDep, session: SchoolSession
) -> list[LessonAbsence]:
    if not (reads_school(caller, school_id) or caller.has_role(school_id, "class_teacher", "teacher")):
        raise Forbidden(NOT_A_READER)
    lesson = await session.get(Lesson, lesson_id)
    if lesson is None or lesson.school_id != school_id:
        raise NotFound("Урок не найден.")
    may_read = (
        reads_school(caller, school_id)
        or (caller.has_role(school_id, "teacher") and caller.person_id == lesson.substitute_teacher_id)
        or leads_class(caller.person_id, caller.roles_in(school_id), await class_teacher_id(session, lesson.class_id))
        or await teaches_class(session, caller, school_id, [lesson.class_id])
    )
    if not may_read:
        raise Forbidden(NOT_A_READER)
    rows = await session.execute(
        select(Absence, Person)
        .outerjoin(Person, Person.id == Absence.student_id)
        .where(Absence.lesson_id == lesson.id)
        .order_by(Person.last_name.collate(RU_COLLATION), Person.first_name.collate(RU_COLLATION))
    )
    return [
        LessonAbsence(**absence_out(absence).model_dump(), student_name=student.name if student else None)
        for absence, student in rows
    ]


@router.get("/students/{student_id}/summary")
async def student_summary(
    school_id: UUID,
    student_id: UUID,
    caller: CallerDep,
    session: SchoolSession,
    start: JournalDate | None = None,
    end: JournalDate | None = None,
) -> SummaryOut:
    """R-42: lessons missed (of them Б, У, Н) and lates of one student for any period."""
    # a student sees their own attendance, the family their child's, a class teacher their class's
    # students', a teacher the students of the classes they teach.
    if (
        caller.person_id != student_id
        and not reads_school(caller, school_id)
        and await session.get(Guardianship, (caller.person_id, student_id)) is None
    ):
        classes = select(ClassMember.class_id).where(ClassMember.student_id == student_id)
        class_teachers = await session.scalars(
            select(ClassTeacher.teacher_id).where(ClassTeacher.class_id.in_(classes))
        )
        roles = caller.roles_in(school_id)
        leads = any(leads_class(caller.person_id, roles, teacher_id) for teacher_id in class_teachers)
        if not (leads or await teaches_class(session, caller, school_id, classes)):
            raise Forbidden(NOT_A_READER)
    if start and end and start > end:
        raise Invalid("Начало периода позже его конца.")
    query = (
        select(Absence.reason)
        .join(Lesson, Lesson.id == Absence.lesson_id)
        .where(Absence.school_id == school_id, Absence.student_id == student_id)
    )
    if start:
        query = query.where(Lesson.date >= start)
    if end:
        query = query.where(Lesson.date <= end)
    summary = summarize(absence_reason(reason) for reason in await session.scalars(query))
    return SummaryOut(student_id=student_id, start=start, end=end, **vars(summary))
