"""Links between people and the school: staff roles, enrolments, guardianship, teaching load."""

from datetime import date
from typing import TypeVar
from uuid import UUID

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.deps import CallerDep, SchoolSession, SchoolToday
from chassis.events import emit_event
from chassis.problems import Conflict, Forbidden, Invalid
from contracts.roster import (
    GuardianshipLinked,
    StaffRoleGranted,
)
from contracts.roster import (
    StaffRole as StaffRoleName,
)
from roster.events import assignment_created
from roster.models import Assignment, Enrolment, Guardianship, Person, SchoolClass, StaffRole, Subject
from roster.movements import MovementWriter

router = APIRouter(prefix="/schools/{school_id}", tags=["links"])

M = TypeVar("M")


async def _existing(session: AsyncSession, model: type[M], id_: UUID, what: str) -> M:
    found = await session.get(model, id_)
    if found is None:
        raise Invalid(f"{what} с id {id_} не найден в этой школе.")
    return found


class StaffRoleIn(BaseModel):
    person_id: UUID
    role: StaffRoleName


@router.post("/staff-roles", status_code=201)
async def grant_staff_role(school_id: UUID, body: StaffRoleIn, caller: CallerDep, session: SchoolSession) -> dict:
    caller.require(school_id, "school_admin")
    await _existing(session, Person, body.person_id, "Сотрудник")
    if await session.get(StaffRole, (school_id, body.person_id, body.role)):
        raise Conflict("Эта роль уже назначена.")
    session.add(StaffRole(school_id=school_id, person_id=body.person_id, role=body.role))
    await emit_event(session, StaffRoleGranted(person_id=body.person_id, role=body.role), school_id=school_id)
    return body.model_dump(mode="json")


class EnrolmentIn(BaseModel):
    student_id: UUID
    class_id: UUID
    #: Today when left out.
    enrolled_on: date | None = None


class EnrolmentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: UUID
    student_id: UUID
    class_id: UUID
    enrolled_on: date


@router.post("/enrolments", status_code=201)
async def enrol_student(
    school_id: UUID, body: EnrolmentIn, caller: CallerDep, session: SchoolSession, today: SchoolToday
) -> EnrolmentOut:
    caller.require(school_id, "school_admin", "secretary")
    enrolled_on = body.enrolled_on or today
    await _existing(session, Person, body.student_id, "Обучающийся")
    school_class = await _existing(session, SchoolClass, body.class_id, "Класс")
    if await session.scalar(select(Enrolment.id).filter_by(student_id=body.student_id, class_id=body.class_id)):
        raise Conflict("Обучающийся уже зачислен в этот класс.")
    current = await session.scalar(
        select(SchoolClass)
        .join(Enrolment, Enrolment.class_id == SchoolClass.id)
        .where(Enrolment.student_id == body.student_id, SchoolClass.academic_year == school_class.academic_year)
    )
    if current is not None:
        raise Conflict(
            f"Обучающийся уже учится в классе {current.name} этого учебного года: оформите перевод в другой класс."
        )
    writer = MovementWriter(session, school_id, caller.person_id)
    writer.enrol(body.student_id, school_class, enrolled_on)
    writer.record(body.student_id, "enrolled", enrolled_on, to_class=school_class)
    await writer.flush()
    enrolment = await session.scalar(
        select(Enrolment).filter_by(school_id=school_id, student_id=body.student_id, class_id=body.class_id)
    )
    return EnrolmentOut.model_validate(enrolment)


async def _leads_class_of(session: AsyncSession, teacher_id: UUID, student_id: UUID) -> bool:
    led = (
        select(Enrolment.id)
        .join(SchoolClass, SchoolClass.id == Enrolment.class_id)
        .where(Enrolment.student_id == student_id, SchoolClass.class_teacher_id == teacher_id)
    )
    return bool(await session.scalar(select(exists(led))))


class GuardianshipIn(BaseModel):
    guardian_id: UUID
    student_id: UUID
    relation: str = Field(default="родитель", min_length=2, max_length=40)


@router.post("/guardianships", status_code=201)
async def link_guardian(school_id: UUID, body: GuardianshipIn, caller: CallerDep, session: SchoolSession) -> dict:
    caller.require(school_id, "school_admin", "secretary", "class_teacher")
    if body.guardian_id == body.student_id:
        raise Invalid("Обучающийся не может быть своим законным представителем.")
    await _existing(session, Person, body.guardian_id, "Законный представитель")
    await _existing(session, Person, body.student_id, "Обучающийся")
    if not caller.has_role(school_id, "school_admin", "secretary") and not await _leads_class_of(
        session, caller.person_id, body.student_id
    ):
        # R-1: a class teacher keeps the parents' data of their own class (000 §4.3).
        raise Forbidden("Классный руководитель связывает родителей только с обучающимися своего класса.")
    if await session.get(Guardianship, (school_id, body.guardian_id, body.student_id)):
        raise Conflict("Эта связь уже есть.")
    session.add(Guardianship(school_id=school_id, **body.model_dump()))
    await emit_event(session, GuardianshipLinked(**body.model_dump()), school_id=school_id)
    return body.model_dump(mode="json")


class AssignmentIn(BaseModel):
    teacher_id: UUID
    subject_id: UUID
    class_id: UUID


class AssignmentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: UUID
    teacher_id: UUID
    subject_id: UUID
    class_id: UUID


@router.post("/assignments", status_code=201)
async def assign_teacher(
    school_id: UUID, body: AssignmentIn, caller: CallerDep, session: SchoolSession
) -> AssignmentOut:
    caller.require(school_id, "school_admin", "deputy")
    if not await session.get(StaffRole, (school_id, body.teacher_id, "teacher")):
        raise Invalid("Нагрузку можно назначить только сотруднику с ролью «учитель».")
    subject = await _existing(session, Subject, body.subject_id, "Предмет")
    school_class = await _existing(session, SchoolClass, body.class_id, "Класс")
    assignment = await session.scalar(select(Assignment).filter_by(**body.model_dump()))
    if assignment is not None and assignment.ended_on is None:
        raise Conflict("Такая нагрузка уже назначена.")
    if assignment is not None:
        # Given back after it ended: the same assignment again, so the journal's course goes on.
        assignment.ended_on = None
    else:
        assignment = Assignment(school_id=school_id, **body.model_dump())
        session.add(assignment)
    await session.flush()
    await emit_event(session, assignment_created(assignment, subject.name, school_class.name), school_id=school_id)
    return AssignmentOut.model_validate(assignment)


@router.get("/assignments")
async def list_assignments(
    school_id: UUID, session: SchoolSession, teacher_id: UUID | None = None
) -> list[AssignmentOut]:
    # The region's inspector reads every school (row-level security lets them): the filter keeps this one's.
    query = select(Assignment).filter_by(school_id=school_id, ended_on=None)
    if teacher_id:
        query = query.filter_by(teacher_id=teacher_id)
    return [AssignmentOut.model_validate(a) for a in await session.scalars(query)]
