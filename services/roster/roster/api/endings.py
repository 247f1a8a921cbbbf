"""Ending a role (R-4): staff roles, guardianships, teaching assignments and class leadership end at a date
with a reason. The person is told why (notifications), and access ends wherever it was granted: the
gateway and every service drop what the ended link gave as soon as its event arrives.
"""

from datetime import UTC, date, datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, StringConstraints
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.deps import CallerDep, SchoolSession, SchoolToday
from chassis.events import emit_event
from chassis.problems import Conflict, Invalid, NotFound
from contracts.roster import AssignmentEnded, ClassTeacherRemoved, GuardianshipEnded, StaffRoleEnded
from contracts.roster import StaffRole as StaffRoleName
from roster.models import Assignment, EndedLink, Guardianship, SchoolClass, StaffRole, Subject, TimetableSlot

router = APIRouter(prefix="/schools/{school_id}", tags=["links"])

Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=500)]


class EndingIn(BaseModel):
    #: The day the link ends; today when left out. Never ahead: access ends when the record is made.
    ended_on: date | None = None
    reason: Reason


class EndedOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: UUID
    kind: str
    person_id: UUID
    detail: dict
    ended_on: date
    reason: str


def ending_day(body: EndingIn, today: date) -> date:
    ended_on = body.ended_on or today
    if ended_on > today:
        raise Invalid(
            f"Дата окончания {ended_on:%d.%m.%Y} ещё не наступила: доступ прекращается в день записи, "
            "оформите окончание в этот день."
        )
    return ended_on


async def _write(
    session: AsyncSession,
    school_id: UUID,
    caller_id: UUID,
    kind: str,
    person_id: UUID,
    detail: dict,
    ended_on: date,
    reason: str,
) -> EndedOut:
    row = EndedLink(
        school_id=school_id,
        kind=kind,
        person_id=person_id,
        detail=detail,
        ended_on=ended_on,
        reason=reason,
        ended_by=caller_id,
        ended_at=datetime.now(UTC),
    )
    session.add(row)
    await session.flush()
    return EndedOut.model_validate(row)


class StaffRoleEndIn(EndingIn):
    person_id: UUID
    role: StaffRoleName


@router.post("/staff-roles/end", status_code=201)
async def end_staff_role(
    school_id: UUID, body: StaffRoleEndIn, caller: CallerDep, session: SchoolSession, today: SchoolToday
) -> EndedOut:
    caller.require(school_id, "school_admin")
    ended_on = ending_day(body, today)
    held = await session.get(StaffRole, (school_id, body.person_id, body.role), with_for_update=True)
    if held is None:
        raise NotFound("У сотрудника нет этой роли в школе.")
    if body.role == "class_teacher" and await session.scalar(
        select(SchoolClass.id).filter_by(school_id=school_id, class_teacher_id=body.person_id).limit(1)
    ):
        raise Conflict("Сотрудник руководит классом: сначала снимите с него классное руководство.")
    if body.role == "teacher" and await session.scalar(
        select(Assignment.id).filter_by(school_id=school_id, teacher_id=body.person_id, ended_on=None).limit(1)
    ):
        raise Conflict("У учителя есть нагрузка: сначала снимите её.")
    await session.delete(held)
    out = await _write(
        session, school_id, caller.person_id, "staff_role", body.person_id, {"role": body.role}, ended_on, body.reason
    )
    event = StaffRoleEnded(person_id=body.person_id, role=body.role, ended_on=ended_on, reason=body.reason)
    await emit_event(session, event, school_id=school_id)
    return out


class GuardianshipEndIn(EndingIn):
    guardian_id: UUID
    student_id: UUID


@router.post("/guardianships/end", status_code=201)
async def end_guardianship(
    school_id: UUID, body: GuardianshipEndIn, caller: CallerDep, session: SchoolSession, today: SchoolToday
) -> EndedOut:
    """E.g. a court order: the parent no longer represents the child, and no longer reads the diary."""
    caller.require(school_id, "school_admin", "secretary")
    ended_on = ending_day(body, today)
    tie = await session.get(Guardianship, (school_id, body.guardian_id, body.student_id), with_for_update=True)
    if tie is None:
        raise NotFound("Такой связи родителя с обучающимся нет.")
    await session.delete(tie)
    detail = {"student_id": str(body.student_id), "relation": tie.relation}
    out = await _write(
        session, school_id, caller.person_id, "guardianship", body.guardian_id, detail, ended_on, body.reason
    )
    event = GuardianshipEnded(
        guardian_id=body.guardian_id, student_id=body.student_id, ended_on=ended_on, reason=body.reason
    )
    await emit_event(session, event, school_id=school_id)
    return out


@router.post("/assignments/{assignment_id}/end", status_code=201)
async def end_assignment(
    school_id: UUID, assignment_id: UUID, body: EndingIn, caller: CallerDep, session: SchoolSession, today: SchoolToday
) -> EndedOut:
    caller.require(school_id, "school_admin", "deputy")
    ended_on = ending_day(body, today)
    found = (
        await session.execute(
            select(Assignment, SchoolClass, Subject)
            .join(SchoolClass, SchoolClass.id == Assignment.class_id)
            .join(Subject, Subject.id == Assignment.subject_id)
            .where(Assignment.school_id == school_id, Assignment.id == assignment_id)
            .with_for_update(of=Assignment)
        )
    ).first()
    if found is None or found[0].ended_on is not None:
        raise NotFound("Нагрузка не найдена или уже снята.")
    assignment, school_class, subject = found
    if await session.scalar(select(TimetableSlot.id).filter_by(assignment_id=assignment.id).limit(1)):
        raise Conflict(
            f"Уроки «{subject.name}» в {school_class.name} стоят в расписании: сначала передайте их другому учителю "
            "или уберите из шаблона расписания."
        )
    assignment.ended_on = ended_on
    detail = {"assignment_id": str(assignment.id), "subject": subject.name, "class": school_class.name}
    out = await _write(
        session, school_id, caller.person_id, "assignment", assignment.teacher_id, detail, ended_on, body.reason
    )
    event = AssignmentEnded(
        assignment_id=assignment.id,
        teacher_id=assignment.teacher_id,
        class_id=school_class.id,
        subject_name=subject.name,
        class_name=school_class.name,
        ended_on=ended_on,
        reason=body.reason,
    )
    await emit_event(session, event, school_id=school_id)
    return out


@router.post("/classes/{class_id}/class-teacher/end", status_code=201)
async def end_class_teacher(
    school_id: UUID, class_id: UUID, body: EndingIn, caller: CallerDep, session: SchoolSession, today: SchoolToday
) -> EndedOut:
    """The class is left without a class teacher until a new one is assigned."""
    caller.require(school_id, "school_admin", "deputy")
    ended_on = ending_day(body, today)
    school_class = await session.get(SchoolClass, class_id, with_for_update=True)
    if school_class is None or school_class.school_id != school_id:
        raise NotFound("Класс не найден.")
    teacher_id = school_class.class_teacher_id
    if teacher_id is None:
        raise Conflict(f"У класса {school_class.name} нет классного руководителя.")
    school_class.class_teacher_id = None
    school_class.class_teacher_version += 1
    detail = {"class_id": str(class_id), "class": school_class.name}
    out = await _write(session, school_id, caller.person_id, "class_teacher", teacher_id, detail, ended_on, body.reason)
    event = ClassTeacherRemoved(
        class_id=class_id,
        class_name=school_class.name,
        teacher_id=teacher_id,
        version=school_class.class_teacher_version,
        ended_on=ended_on,
        reason=body.reason,
    )
    await emit_event(session, event, school_id=school_id)
    return out


@router.get("/people/{person_id}/ended")
async def ended_links(school_id: UUID, person_id: UUID, caller: CallerDep, session: SchoolSession) -> list[EndedOut]:
    """What the person held and no longer does, with dates and reasons (the card's history)."""
    caller.require(school_id, "school_admin", "secretary", "director", "deputy")
    rows = await session.scalars(
        select(EndedLink)
        .where(EndedLink.school_id == school_id, EndedLink.person_id == person_id)
        .order_by(EndedLink.ended_at)
    )
    return [EndedOut.model_validate(r) for r in rows]
