"""Classes and subjects of a school: set up by the school administrator."""

from datetime import date
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from sqlalchemy import Select, exists, or_, select

from chassis.auth import Caller
from chassis.deps import CallerDep, SchoolSession, SchoolToday
from chassis.events import emit_event
from chassis.problems import Conflict, Invalid, NotFound
from contracts.roster import ClassTeacherAssigned, SubjectCreated
from roster.events import class_created
from roster.models import Enrolment, Guardianship, SchoolClass, StaffRole, Subject

router = APIRouter(prefix="/schools/{school_id}", tags=["classes"])

AcademicYear = Annotated[str, StringConstraints(pattern=r"^\d{4}/\d{4}$")]


def current_academic_year(today: date) -> str:
    """The school year starts on 1 September."""
    start = today.year if today.month >= 9 else today.year - 1
    return f"{start}/{start + 1}"


class ClassIn(BaseModel):
    grade: int = Field(ge=1, le=11)
    letter: str = Field(min_length=1, max_length=8)
    #: The current school year when left out.
    academic_year: AcademicYear | None = None


class ClassOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: UUID
    grade: int
    letter: str
    name: str
    academic_year: str
    #: Классный руководитель; None until one is assigned.
    class_teacher_id: UUID | None


class ClassTeacherIn(BaseModel):
    teacher_id: UUID


class SubjectIn(BaseModel):
    name: str = Field(min_length=2, max_length=200)


class SubjectOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: UUID
    name: str


@router.post("/classes", status_code=201)
async def create_class(
    school_id: UUID, body: ClassIn, caller: CallerDep, session: SchoolSession, today: SchoolToday
) -> ClassOut:
    caller.require(school_id, "school_admin")
    letter = body.letter.strip().upper()
    academic_year = body.academic_year or current_academic_year(today)
    duplicate = await session.scalar(
        select(SchoolClass.id).filter_by(
            school_id=school_id, academic_year=academic_year, grade=body.grade, letter=letter
        )
    )
    if duplicate:
        raise Conflict(f"Класс {body.grade}{letter} на {academic_year} год уже есть.")
    school_class = SchoolClass(school_id=school_id, grade=body.grade, letter=letter, academic_year=academic_year)
    session.add(school_class)
    await session.flush()
    await emit_event(session, class_created(school_class), school_id=school_id)
    return ClassOut.model_validate(school_class)


#: Roles whose reach in a school is only their own family (R-1).
FAMILY_ROLES = frozenset({"student", "guardian"})


def family_classes(caller: Caller, school_id: UUID) -> Select | None:
    """R-1: the classes a family reads (a student's own, a parent's children's); None: the caller is no family
    only (staff of the school, or the region's inspector) and reads every class of the school."""
    roles = caller.roles_in(school_id)
    if not roles or not roles <= FAMILY_ROLES or caller.oversees(school_id):
        return None
    children = select(Guardianship.student_id).filter_by(school_id=school_id, guardian_id=caller.person_id)
    return select(Enrolment.class_id).where(
        Enrolment.school_id == school_id,
        or_(Enrolment.student_id == caller.person_id, Enrolment.student_id.in_(children)),
    )


@router.get("/classes")
async def list_classes(school_id: UUID, caller: CallerDep, session: SchoolSession) -> list[ClassOut]:
    # The region's inspector reads every school (row-level security lets them): the filter keeps this one's.
    query = select(SchoolClass).filter_by(school_id=school_id)
    if (own := family_classes(caller, school_id)) is not None:
        query = query.where(SchoolClass.id.in_(own))
    rows = await session.scalars(query.order_by(SchoolClass.grade, SchoolClass.letter))
    return [ClassOut.model_validate(c) for c in rows]


@router.get("/classes/{class_id}")
async def get_class(school_id: UUID, class_id: UUID, caller: CallerDep, session: SchoolSession) -> ClassOut:
    school_class = await session.scalar(select(SchoolClass).filter_by(school_id=school_id, id=class_id))
    if school_class is None:
        raise NotFound("Класс не найден.")
    own = family_classes(caller, school_id)
    if own is not None and not await session.scalar(select(exists(own.where(Enrolment.class_id == class_id)))):
        raise NotFound("Класс не найден.")
    return ClassOut.model_validate(school_class)


@router.post("/classes/{class_id}/class-teacher")
async def assign_class_teacher(
    school_id: UUID, class_id: UUID, body: ClassTeacherIn, caller: CallerDep, session: SchoolSession
) -> ClassOut:
    """Назначить классного руководителя; a class has one, so a new one replaces the previous (004 app.5 §5.2)."""
    caller.require(school_id, "school_admin", "deputy")
    # Locked, so two assignments at once each name the one they really replace.
    school_class = await session.get(SchoolClass, class_id, with_for_update=True)
    if school_class is None:
        raise NotFound("Класс не найден.")
    if not await session.get(StaffRole, (school_id, body.teacher_id, "class_teacher")):
        raise Invalid("Классным руководителем можно назначить только сотрудника с ролью «классный руководитель».")
    previous = school_class.class_teacher_id
    if previous == body.teacher_id:
        return ClassOut.model_validate(school_class)
    school_class.class_teacher_id = body.teacher_id
    school_class.class_teacher_version += 1
    await session.flush()
    await emit_event(
        session,
        ClassTeacherAssigned(
            class_id=school_class.id,
            class_name=school_class.name,
            teacher_id=body.teacher_id,
            previous_teacher_id=previous,
            version=school_class.class_teacher_version,
        ),
        school_id=school_id,
    )
    return ClassOut.model_validate(school_class)


@router.post("/subjects", status_code=201)
async def create_subject(school_id: UUID, body: SubjectIn, caller: CallerDep, session: SchoolSession) -> SubjectOut:
    caller.require(school_id, "school_admin")
    name = body.name.strip()
    if await session.scalar(select(Subject.id).filter_by(school_id=school_id, name=name)):
        raise Conflict(f"Предмет «{name}» уже есть.")
    subject = Subject(school_id=school_id, name=name)
    session.add(subject)
    await session.flush()
    await emit_event(session, SubjectCreated(subject_id=subject.id, name=name), school_id=school_id)
    return SubjectOut.model_validate(subject)


@router.get("/subjects")
async def list_subjects(school_id: UUID, session: SchoolSession) -> list[SubjectOut]:
    rows = await session.scalars(select(Subject).filter_by(school_id=school_id).order_by(Subject.name))
    return [SubjectOut.model_validate(s) for s in rows]
