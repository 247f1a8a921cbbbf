"""Period marks (R-27) and the period's close, attestation checks (R-28), forecasts (R-29), the school's rules.

The course's teacher sets period marks and closes the period; the school administrator sets the rules,
flags courses without attestation and reopens a closed period (logged). Readers see each student's
averages, forecast and flags beside the period mark; the deputy gets lists of risks and late entries.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.auth import Caller
from chassis.dates import JournalDate
from chassis.deps import CallerDep, SchoolSession, SchoolToday
from chassis.events import emit_event
from chassis.period_mark_rules import weekly_hours
from chassis.problems import Conflict, DomainError, Forbidden, Invalid, NotFound
from contracts.gradebook import PeriodClosed, PeriodMarkSet, PeriodReopened
from gradebook.api.access import (
    get_in_school,
    reads_whole_school,
    require_course_teacher,
    require_reader,
    school_work_types,
)
from gradebook.api.courses import class_list
from gradebook.domain.attestation import attestation_flags
from gradebook.domain.forecast import forecast, what_is_needed
from gradebook.domain.marks import ScoredMark, average, weighted_average
from gradebook.domain.period_policy import PeriodPolicy, period_policy
from gradebook.domain.periods import (
    REGIMES,
    YEAR_KINDS,
    Period,
    PeriodMarkEntry,
    check_attested,
    check_close,
    check_entry_writable,
    check_period_started,
    days_late,
    mark_deadline,
    period_mark_entry,
    visible_from,
)
from gradebook.models import (
    Absence,
    AttestationExemption,
    ClassMember,
    ClassTeacher,
    Course,
    Guardianship,
    Lesson,
    Mark,
    PeriodClosure,
    PeriodClosureLog,
    PeriodMark,
    PeriodMarkChange,
    PeriodPolicyRow,
    Person,
    ScheduledLesson,
    SchoolClass,
)
from gradebook.school_year import class_periods, course_period, school_policy

router = APIRouter(prefix="/schools/{school_id}", tags=["periods"])

Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=500)]
#: R-29: the class teacher's list of forecasts is due this many days before the period ends.
FORECAST_LIST_DAYS = 10
STUDENT_NOT_FOUND = "Обучающийся не найден."


# --- the school's rules ---------------------------------------------------------------------------------------


class PolicyOut(BaseModel):
    rules: dict[str, Any]
    regimes: dict[str, str]
    #: None while the school follows the region's defaults.
    updated_at: datetime | None
    updated_by: UUID | None


def _policy_out(policy: PeriodPolicy, row: PeriodPolicyRow | None) -> PolicyOut:
    return PolicyOut(
        rules=policy.as_dict(),
        regimes=REGIMES,
        updated_at=row.updated_at if row else None,
        updated_by=row.updated_by if row else None,
    )


@router.get("/period-policy")
async def read_period_policy(school_id: UUID, caller: CallerDep, session: SchoolSession) -> PolicyOut:
    caller.tenant_for(school_id)
    return _policy_out(*await school_policy(session, school_id))


@router.put("/period-policy")
async def set_period_policy(
    school_id: UUID, body: dict[str, Any], caller: CallerDep, session: SchoolSession
) -> PolicyOut:
    """R-23, R-26 … R-29: the administrator changes some rules; the rest keep their values."""
    caller.require(school_id, "school_admin")
    current, row = await school_policy(session, school_id)
    policy = period_policy(current.as_dict() | body)
    if row is None:
        row = PeriodPolicyRow(school_id=school_id, rules=policy.as_dict(), updated_by=caller.person_id)
        session.add(row)
    else:
        row.rules, row.updated_by, row.updated_at = policy.as_dict(), caller.person_id, func.now()
    await session.flush()
    await session.refresh(row)
    return _policy_out(policy, row)


# --- courses without attestation ------------------------------------------------------------------------------


class ExemptionIn(BaseModel):
    #: None: the whole class is not attested in the course.
    student_id: UUID | None = None
    reason: Reason


class ExemptionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: UUID
    course_id: UUID
    student_id: UUID | None
    reason: str


@router.get("/courses/{course_id}/exemptions")
async def list_exemptions(
    school_id: UUID, course_id: UUID, caller: CallerDep, session: SchoolSession
) -> list[ExemptionOut]:
    course = await get_in_school(session, Course, course_id, school_id, "Курс не найден.")
    await require_reader(session, caller, school_id, course)
    rows = await session.scalars(select(AttestationExemption).filter_by(course_id=course.id))
    return [ExemptionOut.model_validate(row) for row in rows]


@router.post("/courses/{course_id}/exemptions", status_code=201)
async def add_exemption(
    school_id: UUID, course_id: UUID, body: ExemptionIn, caller: CallerDep, session: SchoolSession
) -> ExemptionOut:
    """R-27 (004 §3.6): the administrator flags a subject «без аттестации» for a student or the class."""
    caller.require(school_id, "school_admin")
    course = await get_in_school(session, Course, course_id, school_id, "Курс не найден.")
    if body.student_id and await session.get(ClassMember, (course.class_id, body.student_id)) is None:
        raise Invalid(f"Обучающийся не числится в классе {course.class_name}.")
    if await session.scalar(select(AttestationExemption.id).filter_by(course_id=course.id, student_id=body.student_id)):
        raise Conflict("Этот предмет уже отмечен как предмет без аттестации.")
    row = AttestationExemption(
        school_id=school_id,
        course_id=course.id,
        student_id=body.student_id,
        reason=body.reason,
        created_by=caller.person_id,
    )
    session.add(row)
    await session.flush()
    return ExemptionOut.model_validate(row)


@router.delete("/exemptions/{exemption_id}", status_code=204)
async def remove_exemption(school_id: UUID, exemption_id: UUID, caller: CallerDep, session: SchoolSession) -> Response:
    caller.require(school_id, "school_admin")
    row = await get_in_school(session, AttestationExemption, exemption_id, school_id, "Отметка не найдена.")
    await session.delete(row)
    return Response(status_code=204)


# --- periods and the sheet beside the period marks ------------------------------------------------------------


class PeriodOut(BaseModel):
    kind: str
    period_id: UUID
    name: str
    starts: date
    ends: date
    #: R-27: the school's deadline for period marks.
    deadline: date
    closed: bool


class NeededOut(BaseModel):
    target: int
    values: list[int]


class FlagOut(BaseModel):
    code: str
    text: str


class PeriodMarkOut(BaseModel):
    student_id: UUID
    text: str
    value: str | None
    not_attested_reason: str | None
    extended_to: date | None
    version: int
    visible_from: date
    late_days: int | None


class SheetRow(BaseModel):
    student_id: UUID
    name: str | None
    marks: int
    average: float | None
    weighted_average: float | None
    forecast: int | None
    needed: list[NeededOut]
    lessons: int
    missed: int
    weekly_hours: int
    flags: list[FlagOut]
    #: R-27: no period mark for this student in this course.
    exempt: bool
    period_mark: PeriodMarkOut | None


class SheetOut(BaseModel):
    course_id: UUID
    subject_name: str
    class_name: str
    period: PeriodOut
    non_attestation: str
    rows: list[SheetRow]


def _entry(mark: PeriodMark) -> PeriodMarkEntry:
    return PeriodMarkEntry(mark.value, mark.not_attested_reason, mark.extended_to)


def _period_mark_out(mark: PeriodMark) -> PeriodMarkOut:
    return PeriodMarkOut(
        student_id=mark.student_id,
        text=_entry(mark).text,
        value=mark.value,
        not_attested_reason=mark.not_attested_reason,
        extended_to=mark.extended_to,
        version=mark.version,
        visible_from=mark.visible_from,
        late_days=mark.late_days,
    )


async def _closure(
    session: AsyncSession, course: Course, period: Period, *, lock: bool = False
) -> PeriodClosure | None:
    return await session.get(PeriodClosure, (course.id, period.kind, period.id), with_for_update=lock)


def _period_out(period: Period, policy: PeriodPolicy, closure: PeriodClosure | None) -> PeriodOut:
    return PeriodOut(
        kind=period.kind,
        period_id=period.id,
        name=period.name,
        starts=period.starts,
        ends=period.ends,
        deadline=mark_deadline(period, policy.period_mark_deadline_days),
        closed=bool(closure and closure.closed),
    )


async def _exempt(session: AsyncSession, course: Course) -> tuple[bool, set[UUID]]:
    """Whether the whole class is exempt from attestation in the course, and which students are."""
    students = list(await session.scalars(select(AttestationExemption.student_id).filter_by(course_id=course.id)))
    return None in students, {s for s in students if s is not None}


async def period_sheet(
    session: AsyncSession, course: Course, period: Period, policy: PeriodPolicy, today: date
) -> list[SheetRow]:
    """Each student's current marks, averages, forecast, lessons missed and flags beside the period mark."""
    in_period = (Lesson.course_id == course.id, Lesson.date >= period.starts, Lesson.date <= period.ends)
    marks: dict[UUID, list[ScoredMark]] = {}
    for student_id, value, weight in await session.execute(
        select(Mark.student_id, Mark.value, Mark.weight).join(Lesson).where(*in_period)
    ):
        marks.setdefault(student_id, []).append(ScoredMark(value, weight))
    lessons = await session.scalar(select(func.count()).select_from(Lesson).where(*in_period, Lesson.date <= today))
    scheduled = await session.scalar(
        select(func.count())
        .select_from(ScheduledLesson)
        .where(
            ScheduledLesson.course_id == course.id,
            ScheduledLesson.date >= period.starts,
            ScheduledLesson.date <= period.ends,
            ScheduledLesson.status != "cancelled",
        )
    )
    all_lessons = await session.scalar(select(func.count()).select_from(Lesson).where(*in_period))
    hours = weekly_hours(max(scheduled or 0, all_lessons or 0), period.starts, period.ends)
    missed = dict(
        (
            await session.execute(
                select(Absence.student_id, func.count())
                .join(Lesson, Lesson.id == Absence.lesson_id)
                .where(*in_period, Absence.withdrawn.is_(False), Absence.reason != "late")
                .group_by(Absence.student_id)
            )
        ).all()
    )
    period_marks = {
        m.student_id: m
        for m in await session.scalars(
            select(PeriodMark).filter_by(course_id=course.id, period_kind=period.kind, period_id=period.id)
        )
    }
    whole_class, exempt = await _exempt(session, course)
    rows = []
    for student in await class_list(session, course):
        own = marks.get(student.student_id, [])
        counted = len(own)
        rows.append(
            SheetRow(
                student_id=student.student_id,
                name=student.name,
                marks=counted,
                average=average(own),
                weighted_average=weighted_average(own),
                forecast=forecast(own, policy.threshold),
                needed=[
                    NeededOut(target=n.target, values=list(n.values)) for n in what_is_needed(own, policy.threshold)
                ],
                lessons=lessons or 0,
                missed=missed.get(student.student_id, 0),
                weekly_hours=hours,
                flags=[
                    FlagOut(code=f.code, text=f.text)
                    for f in attestation_flags(
                        counted, hours, missed.get(student.student_id, 0), lessons or 0, policy.min_marks
                    )
                ],
                exempt=whole_class or student.student_id in exempt,
                period_mark=_period_mark_out(period_marks[student.student_id])
                if student.student_id in period_marks
                else None,
            )
        )
    return rows


@router.get("/courses/{course_id}/periods")
async def list_periods(school_id: UUID, course_id: UUID, caller: CallerDep, session: SchoolSession) -> list[PeriodOut]:
    course = await get_in_school(session, Course, course_id, school_id, "Курс не найден.")
    await require_reader(session, caller, school_id, course)
    policy, _ = await school_policy(session, school_id)
    periods = await class_periods(session, await session.get(SchoolClass, course.class_id))
    return [_period_out(p, policy, await _closure(session, course, p)) for p in periods]


@router.get("/courses/{course_id}/periods/{kind}/{period_id}")
async def read_sheet(
    school_id: UUID,
    course_id: UUID,
    kind: str,
    period_id: UUID,
    caller: CallerDep,
    session: SchoolSession,
    today: SchoolToday,
) -> SheetOut:
    course = await get_in_school(session, Course, course_id, school_id, "Курс не найден.")
    await require_reader(session, caller, school_id, course)
    period = await course_period(session, course, kind, period_id)
    policy, _ = await school_policy(session, school_id)
    return SheetOut(
        course_id=course.id,
        subject_name=course.subject_name,
        class_name=course.class_name,
        period=_period_out(period, policy, await _closure(session, course, period)),
        non_attestation=policy.non_attestation,
        rows=await period_sheet(session, course, period, policy, today),
    )


# --- setting a period mark, closing and reopening -------------------------------------------------------------


class PeriodMarkIn(BaseModel):
    """Exactly one: a mark, «не аттестован» with its reason, or the date the term is extended to."""

    value: Annotated[str, StringConstraints(max_length=20)] | None = None
    not_attested_reason: Annotated[str, StringConstraints(max_length=500)] | None = None
    extended_to: JournalDate | None = None


def period_mark_set(mark: PeriodMark, course: Course, period: Period) -> PeriodMarkSet:
    """What a period mark's event carries: its whole state (also its snapshot, ``gradebook.snapshots``)."""
    return PeriodMarkSet(
        period_mark_id=mark.id,
        version=mark.version,
        student_id=mark.student_id,
        assignment_id=course.id,
        class_id=course.class_id,
        subject_id=course.subject_id,
        subject_name=course.subject_name,
        teacher_id=course.teacher_id,
        period_kind=period.kind,
        period_id=period.id,
        period_name=period.name,
        starts=period.starts,
        ends=period.ends,
        value=mark.value,
        not_attested_reason=mark.not_attested_reason,
        extended_to=mark.extended_to,
        visible_from=mark.visible_from,
        set_by=mark.set_by,
    )


class PeriodColumnRow(PeriodMarkIn):
    student_id: UUID


class PeriodColumnIn(BaseModel):
    """The period marks of many students at once (column mode); students left out keep what they have."""

    marks: list[PeriodColumnRow] = Field(min_length=1, max_length=100)


@dataclass
class PeriodColumn:
    """What setting a course's period marks needs, loaded once: the period, the rules, who is attested, the marks."""

    course: Course
    period: Period
    policy: PeriodPolicy
    closed: bool
    members: set[UUID]
    exempt: set[UUID]
    stored: dict[UUID, PeriodMark]


async def _period_column(
    session: AsyncSession, school_id: UUID, course_id: UUID, kind: str, period_id: UUID, caller: Caller, today: date
) -> PeriodColumn:
    course = await get_in_school(session, Course, course_id, school_id, "Курс не найден.")
    require_course_teacher(caller, school_id, course)
    period = await course_period(session, course, kind, period_id)
    check_period_started(period, today)
    policy, _ = await school_policy(session, school_id)
    # The closure row is locked, so period marks and the close of their period take their turns.
    closure = await _closure(session, course, period, lock=True)
    members = set(await session.scalars(select(ClassMember.student_id).filter_by(class_id=course.class_id)))
    whole_class, exempt = await _exempt(session, course)
    stored = {
        m.student_id: m
        for m in await session.scalars(
            select(PeriodMark)
            .filter_by(course_id=course.id, period_kind=period.kind, period_id=period.id)
            .with_for_update()
        )
    }
    return PeriodColumn(
        course, period, policy, bool(closure and closure.closed), members, members if whole_class else exempt, stored
    )


def _checked_entry(column: PeriodColumn, student_id: UUID, body: PeriodMarkIn, today: date) -> PeriodMarkEntry:
    """R-27: the entry a student may get in this column today, or the refusal."""
    if student_id not in column.members:
        raise Invalid(f"Обучающийся не числится в классе {column.course.class_name}.")
    check_attested(column.course.subject_name, student_id in column.exempt)
    stored = column.stored.get(student_id)
    check_entry_writable(column.period, column.closed, _entry(stored) if stored else None, today)
    return period_mark_entry(
        body.value, body.not_attested_reason, body.extended_to, column.policy.non_attestation, column.period
    )


async def _write_entry(
    session: AsyncSession, column: PeriodColumn, student_id: UUID, entry: PeriodMarkEntry, caller: Caller, today: date
) -> PeriodMark:
    stored = column.stored.get(student_id)
    if stored is not None and _entry(stored) == entry:
        return stored
    period, policy = column.period, column.policy
    if stored is None:
        stored = PeriodMark(
            school_id=column.course.school_id,
            course_id=column.course.id,
            period_kind=period.kind,
            period_id=period.id,
            student_id=student_id,
            version=1,
        )
        session.add(stored)
        column.stored[student_id] = stored
    else:
        # who, when, the old and the new entry.
        session.add(
            PeriodMarkChange(
                school_id=stored.school_id,
                period_mark_id=stored.id,
                changed_by=caller.person_id,
                changed_by_name=caller.name,
                old_text=_entry(stored).text,
                new_text=entry.text,
            )
        )
        stored.version += 1
    stored.value, stored.not_attested_reason, stored.extended_to = (
        entry.value,
        entry.not_attested_reason,
        entry.extended_to,
    )
    stored.set_by, stored.set_on = caller.person_id, today
    stored.visible_from = visible_from(today, policy.family_delay_days)
    stored.late_days = days_late(mark_deadline(period, policy.period_mark_deadline_days), today)
    await session.flush()
    await emit_event(session, period_mark_set(stored, column.course, period), school_id=stored.school_id)
    return stored


@router.put("/courses/{course_id}/periods/{kind}/{period_id}/marks/{student_id}")
async def set_period_mark(
    school_id: UUID,
    course_id: UUID,
    kind: str,
    period_id: UUID,
    student_id: UUID,
    body: PeriodMarkIn,
    caller: CallerDep,
    session: SchoolSession,
    today: SchoolToday,
) -> PeriodMarkOut:
    """R-27: the course's teacher sets (or, before the close, changes) a student's period mark."""
    column = await _period_column(session, school_id, course_id, kind, period_id, caller, today)
    entry = _checked_entry(column, student_id, body, today)
    return _period_mark_out(await _write_entry(session, column, student_id, entry, caller, today))


@router.put("/courses/{course_id}/periods/{kind}/{period_id}/marks")
async def set_period_column(
    school_id: UUID,
    course_id: UUID,
    kind: str,
    period_id: UUID,
    body: PeriodColumnIn,
    caller: CallerDep,
    session: SchoolSession,
    today: SchoolToday,
) -> list[PeriodMarkOut]:
    """Column mode: many students' period marks in one transaction, saved whole or refused with every row's error."""
    column = await _period_column(session, school_id, course_id, kind, period_id, caller, today)
    entries: dict[UUID, PeriodMarkEntry] = {}
    errors: list[dict[str, Any]] = []
    for i, row in enumerate(body.marks):
        try:
            if row.student_id in entries:
                raise Invalid("Обучающийся указан в столбце дважды.")
            entries[row.student_id] = _checked_entry(column, row.student_id, row, today)
        except DomainError as refused:
            errors.append({"row": i, "student_id": str(row.student_id), "detail": refused.detail})
    if errors:
        raise Invalid("Итоговые отметки не сохранены: исправьте отмеченные строки.", errors=errors)
    return [
        _period_mark_out(await _write_entry(session, column, student_id, entry, caller, today))
        for student_id, entry in entries.items()
    ]


class ReopenIn(BaseModel):
    reason: Reason


class LogOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    action: str
    reason: str | None
    by: UUID
    by_name: str
    at: datetime


async def _set_closed(
    session: AsyncSession, course: Course, period: Period, closure: PeriodClosure | None, closed: bool
) -> PeriodClosure:
    if closure is None:
        closure = PeriodClosure(
            school_id=course.school_id,
            course_id=course.id,
            period_kind=period.kind,
            period_id=period.id,
            period_name=period.name,
            starts=period.starts,
            ends=period.ends,
            version=0,
        )
        session.add(closure)
    closure.closed, closure.version = closed, closure.version + 1
    await session.flush()
    return closure


def _log(course: Course, period: Period, caller: Caller, action: str, reason: str | None) -> PeriodClosureLog:
    return PeriodClosureLog(
        school_id=course.school_id,
        course_id=course.id,
        period_kind=period.kind,
        period_id=period.id,
        action=action,
        reason=reason,
        by=caller.person_id,
        by_name=caller.name,
    )


def _period_fields(course: Course, period: Period, closure: PeriodClosure) -> dict[str, Any]:
    return {
        "assignment_id": course.id,
        "class_id": course.class_id,
        "subject_name": course.subject_name,
        "period_kind": period.kind,
        "period_id": period.id,
        "period_name": period.name,
        "starts": period.starts,
        "ends": period.ends,
        "version": closure.version,
    }


@router.post("/courses/{course_id}/periods/{kind}/{period_id}/close")
async def close_period(
    school_id: UUID,
    course_id: UUID,
    kind: str,
    period_id: UUID,
    caller: CallerDep,
    session: SchoolSession,
    today: SchoolToday,
) -> PeriodOut:
    """R-27: with every period mark set, the teacher closes the period: its journal is locked from now on."""
    course = await get_in_school(session, Course, course_id, school_id, "Курс не найден.")
    require_course_teacher(caller, school_id, course)
    period = await course_period(session, course, kind, period_id)
    closure = await _closure(session, course, period, lock=True)
    if closure and closure.closed:
        raise Conflict(f"Период «{period.name}» по этому предмету уже закрыт.")
    students = {s.student_id: s.name or str(s.student_id) for s in await class_list(session, course)}
    whole_class, exempt = await _exempt(session, course)
    entries = {
        m.student_id: _entry(m)
        for m in await session.scalars(
            select(PeriodMark).filter_by(course_id=course.id, period_kind=period.kind, period_id=period.id)
        )
    }
    check_close(period, today, students, set(students) if whole_class else exempt, entries)
    closure = await _set_closed(session, course, period, closure, True)
    session.add(_log(course, period, caller, "close", None))
    await emit_event(
        session,
        PeriodClosed(**_period_fields(course, period, closure), closed_by=caller.person_id),
        school_id=school_id,
    )
    policy, _ = await school_policy(session, school_id)
    return _period_out(period, policy, closure)


@router.post("/courses/{course_id}/periods/{kind}/{period_id}/reopen")
async def reopen_period(
    school_id: UUID,
    course_id: UUID,
    kind: str,
    period_id: UUID,
    body: ReopenIn,
    caller: CallerDep,
    session: SchoolSession,
) -> PeriodOut:
    """R-27: the school administrator reopens a closed period; who, when and why are logged."""
    caller.require(school_id, "school_admin")
    course = await get_in_school(session, Course, course_id, school_id, "Курс не найден.")
    period = await course_period(session, course, kind, period_id)
    closure = await _closure(session, course, period, lock=True)
    if closure is None or not closure.closed:
        raise Conflict(f"Период «{period.name}» по этому предмету не закрыт.")
    closure = await _set_closed(session, course, period, closure, False)
    session.add(_log(course, period, caller, "reopen", body.reason))
    await emit_event(
        session,
        PeriodReopened(**_period_fields(course, period, closure), reopened_by=caller.person_id, reason=body.reason),
        school_id=school_id,
    )
    policy, _ = await school_policy(session, school_id)
    return _period_out(period, policy, closure)


@router.get("/courses/{course_id}/periods/{kind}/{period_id}/log")
async def period_log(
    school_id: UUID, course_id: UUID, kind: str, period_id: UUID, caller: CallerDep, session: SchoolSession
) -> list[LogOut]:
    course = await get_in_school(session, Course, course_id, school_id, "Курс не найден.")
    await require_reader(session, caller, school_id, course)
    rows = await session.scalars(
        select(PeriodClosureLog)
        .filter_by(course_id=course.id, period_kind=kind, period_id=period_id)
        .order_by(PeriodClosureLog.at, PeriodClosureLog.id)
    )
    return [LogOut.model_validate(row) for row in rows]


# --- the deputy's lists ---------------------------------------------------------------------------------------


class RiskOut(BaseModel):
    course_id: UUID
    class_name: str
    subject_name: str
    student_id: UUID
    name: str | None
    weighted_average: float | None
    flags: list[FlagOut]


def _require_school_reader(caller: Caller, school_id: UUID) -> None:
    if not reads_whole_school(caller, school_id):
        raise Forbidden("Список доступен администрации школы.")


@router.get("/attestation-risks")
async def attestation_risks(
    school_id: UUID, period_id: UUID, caller: CallerDep, session: SchoolSession, today: SchoolToday
) -> list[RiskOut]:
    """R-28: every student of the school flagged in any course for the period (too few marks, over 50 % missed)."""
    _require_school_reader(caller, school_id)
    policy, _ = await school_policy(session, school_id)
    risks: list[RiskOut] = []
    courses = await session.scalars(
        select(Course).where(Course.school_id == school_id).order_by(Course.class_name, Course.subject_name)
    )
    for course in courses:
        periods = await class_periods(session, await session.get(SchoolClass, course.class_id))
        for period in (p for p in periods if p.id == period_id and p.kind not in ("exam", "final")):
            for row in await period_sheet(session, course, period, policy, today):
                if row.flags and not row.exempt:
                    risks.append(
                        RiskOut(
                            course_id=course.id,
                            class_name=course.class_name,
                            subject_name=course.subject_name,
                            student_id=row.student_id,
                            name=row.name,
                            weighted_average=row.weighted_average,
                            flags=row.flags,
                        )
                    )
    return risks


class LateOut(BaseModel):
    #: «mark» (R-23) or «period_mark» (R-27).
    kind: str
    class_name: str
    subject_name: str
    student_name: str | None
    teacher_id: UUID
    teacher_name: str | None
    #: The lesson's date, or the period's name.
    lesson_date: date | None
    period_name: str | None
    what: str
    days_late: int


@router.get("/late-entries")
async def late_entries(
    school_id: UUID,
    caller: CallerDep,
    session: SchoolSession,
    start: JournalDate | None = None,
    end: JournalDate | None = None,
) -> list[LateOut]:
    """R-23, R-27: marks and period marks entered after the school's deadline, who entered them and how late."""
    _require_school_reader(caller, school_id)
    if start and end and start > end:
        raise Invalid("Начало периода позже его конца.")
    names = {p.id: p.name for p in await session.scalars(select(Person).where(Person.school_id == school_id))}
    kinds = await school_work_types(session, school_id)
    query = (
        select(Mark, Lesson, Course)
        .join(Lesson, Lesson.id == Mark.lesson_id)
        .join(Course, Course.id == Lesson.course_id)
        .where(Mark.school_id == school_id, Mark.late_days.is_not(None))
        .order_by(Lesson.date, Course.class_name)
    )
    if start:
        query = query.where(Lesson.date >= start)
    if end:
        query = query.where(Lesson.date <= end)
    late = [
        LateOut(
            kind="mark",
            class_name=course.class_name,
            subject_name=course.subject_name,
            student_name=names.get(mark.student_id),
            teacher_id=mark.posted_by,
            teacher_name=names.get(mark.posted_by),
            lesson_date=lesson.date,
            period_name=None,
            what=f"{mark.value} ({kinds[mark.work_type].title if mark.work_type in kinds else mark.work_type})",
            days_late=mark.late_days,
        )
        for mark, lesson, course in await session.execute(query)
    ]
    period_query = (
        select(PeriodMark, Course)
        .join(Course, Course.id == PeriodMark.course_id)
        .where(PeriodMark.school_id == school_id, PeriodMark.late_days.is_not(None))
        .order_by(Course.class_name, Course.subject_name)
    )
    for mark, course in await session.execute(period_query):
        period = await course_period(session, course, mark.period_kind, mark.period_id)
        if (start and period.ends < start) or (end and period.ends > end):
            continue
        late.append(
            LateOut(
                kind="period_mark",
                class_name=course.class_name,
                subject_name=course.subject_name,
                student_name=names.get(mark.student_id),
                teacher_id=mark.set_by,
                teacher_name=names.get(mark.set_by),
                lesson_date=None,
                period_name=period.name,
                what=_entry(mark).text,
                days_late=mark.late_days,
            )
        )
    return late


# --- forecasts for the family and the class teacher -----------------------------------------------------------


class CourseForecast(BaseModel):
    course_id: UUID
    subject_name: str
    period: PeriodOut
    marks: int
    average: float | None
    weighted_average: float | None
    forecast: int | None
    needed: list[NeededOut]
    flags: list[FlagOut]


class StudentForecast(BaseModel):
    student_id: UUID
    name: str | None
    courses: list[CourseForecast]


class ClassForecast(BaseModel):
    class_id: UUID
    #: R-29: the list is due to the class teacher from this day (10 days before the period ends).
    due_from: date | None
    students: list[StudentForecast]


def current_period(periods: list[Period], today: date) -> Period | None:
    """The reporting period under way, or the last one begun; None before the first starts."""
    reporting = [p for p in periods if p.kind not in YEAR_KINDS]
    begun = [p for p in reporting if p.starts <= today]
    under_way = [p for p in begun if today <= p.ends]
    return (under_way or begun or [None])[-1]


async def _class_forecast(
    session: AsyncSession, school_class: SchoolClass, policy: PeriodPolicy, today: date, only: UUID | None = None
) -> tuple[Period | None, list[StudentForecast]]:
    period = current_period(await class_periods(session, school_class), today)
    names = {
        sid: (p.name if p else None)
        for sid, p in await session.execute(
            select(ClassMember.student_id, Person)
            .outerjoin(Person, Person.id == ClassMember.student_id)
            .where(ClassMember.class_id == school_class.id)
        )
        if only is None or sid == only
    }
    by_student: dict[UUID, list[CourseForecast]] = {sid: [] for sid in names}
    if period is not None:
        courses = await session.scalars(
            select(Course).where(Course.class_id == school_class.id).order_by(Course.subject_name)
        )
        for course in courses:
            closure = await _closure(session, course, period)
            for row in await period_sheet(session, course, period, policy, today):
                if row.student_id in by_student and not row.exempt:
                    by_student[row.student_id].append(
                        CourseForecast(
                            course_id=course.id,
                            subject_name=course.subject_name,
                            period=_period_out(period, policy, closure),
                            marks=row.marks,
                            average=row.average,
                            weighted_average=row.weighted_average,
                            forecast=row.forecast,
                            needed=row.needed,
                            flags=row.flags,
                        )
                    )
    ordered = sorted(names, key=lambda sid: (names[sid] is None, names[sid] or ""))
    return period, [StudentForecast(student_id=sid, name=names[sid], courses=by_student[sid]) for sid in ordered]


async def _student_class(session: AsyncSession, school_id: UUID, student_id: UUID) -> SchoolClass:
    class_id = await session.scalar(select(ClassMember.class_id).filter_by(student_id=student_id, school_id=school_id))
    school_class = await session.get(SchoolClass, class_id) if class_id else None
    if school_class is None:
        raise NotFound(STUDENT_NOT_FOUND)
    return school_class


async def _leads_class(session: AsyncSession, caller: Caller, school_id: UUID, class_id: UUID) -> bool:
    if not caller.has_role(school_id, "class_teacher"):
        return False
    return await session.scalar(select(ClassTeacher.teacher_id).filter_by(class_id=class_id)) == caller.person_id


@router.get("/students/{student_id}/forecast")
async def student_forecast(
    school_id: UUID, student_id: UUID, caller: CallerDep, session: SchoolSession, today: SchoolToday
) -> StudentForecast:
    """R-29: the student's expected period marks and what would lift them: for the student, the family, the class
    teacher and the school's administration; 404 to anyone else (a stranger must not learn the child exists)."""
    school_class = await _student_class(session, school_id, student_id)
    may_read = (
        caller.person_id == student_id
        or reads_whole_school(caller, school_id)
        or await session.get(Guardianship, (caller.person_id, student_id)) is not None
        or await _leads_class(session, caller, school_id, school_class.id)
    )
    if not may_read:
        raise NotFound(STUDENT_NOT_FOUND)
    policy, _ = await school_policy(session, school_id)
    _, students = await _class_forecast(session, school_class, policy, today, only=student_id)
    return students[0]


@router.get("/classes/{class_id}/forecast")
async def class_forecast(
    school_id: UUID, class_id: UUID, caller: CallerDep, session: SchoolSession, today: SchoolToday
) -> ClassForecast:
    """R-29: the class teacher's list of forecasts for the period under way, due 10 days before it ends."""
    school_class = await get_in_school(session, SchoolClass, class_id, school_id, "Класс не найден.")
    if not (reads_whole_school(caller, school_id) or await _leads_class(session, caller, school_id, class_id)):
        raise Forbidden("Прогноз по классу доступен классному руководителю и администрации школы.")
    policy, _ = await school_policy(session, school_id)
    period, students = await _class_forecast(session, school_class, policy, today)
    due = period.ends - timedelta(days=FORECAST_LIST_DAYS) if period else None
    return ClassForecast(class_id=class_id, due_from=due, students=students)
