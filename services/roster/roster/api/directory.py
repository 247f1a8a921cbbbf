"""The school's directory for its administration: people with their roles, class lists, guardians, staff.

Read only. СНИЛС never leaves in a list (R-5: no more personal data than the screen needs);
whether a person has an ESIA account is shown as a yes/no.
"""

from collections import defaultdict
from datetime import date
from typing import Literal
from uuid import UUID

from fastapi import APIRouter, Query
from pydantic import BaseModel
from sqlalchemy import Select, and_, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.auth import Caller
from chassis.deps import CallerDep, SchoolSession
from chassis.problems import Forbidden, NotFound
from chassis.russian import collation_key
from contracts.roster import StaffRole as StaffRoleName
from roster.domain.cards import WHOLE_SCHOOL_READERS
from roster.models import Assignment, Enrolment, Guardianship, Person, SchoolClass, StaffRole

router = APIRouter(prefix="/schools/{school_id}", tags=["directory"])


PersonKind = StaffRoleName | Literal["student", "guardian"]


def require_reader(caller: Caller, school_id: UUID) -> None:
    # DOMAIN §1: the control body reads every school, read only.
    if not caller.oversees(school_id):
        caller.require(school_id, *WHOLE_SCHOOL_READERS)


async def require_class_reader(session: AsyncSession, caller: Caller, school_id: UUID, class_id: UUID) -> None:
    """A class's pupils: the whole-school readers, its class teacher and the teachers who teach in it (§1, R-1)."""
    if caller.oversees(school_id) or caller.has_role(school_id, *WHOLE_SCHOOL_READERS):
        return
    if caller.has_role(school_id, "teacher", "class_teacher"):
        leads = select(SchoolClass.id).filter_by(school_id=school_id, id=class_id, class_teacher_id=caller.person_id)
        teaches = select(Assignment.id).filter_by(school_id=school_id, class_id=class_id, teacher_id=caller.person_id)
        if await session.scalar(select(or_(exists(leads), exists(teaches)))):
            return
    raise Forbidden("Список учеников этого класса доступен администрации, его классному руководителю и учителям.")


def full_name(person: Person) -> str:
    return " ".join(part for part in (person.last_name, person.first_name, person.middle_name) if part)


BY_NAME = (Person.last_name, Person.first_name, Person.middle_name, Person.id)


class PersonEntry(BaseModel):
    id: UUID
    name: str
    last_name: str
    first_name: str
    middle_name: str | None
    birth_date: date | None
    has_esia: bool
    #: Staff roles in this school.
    roles: list[str]
    #: Names of the classes the person is enrolled in.
    classes: list[str]


class ClassStudent(BaseModel):
    student_id: UUID
    name: str
    birth_date: date | None
    has_esia: bool
    enrolled_on: date


class GuardianshipEntry(BaseModel):
    guardian_id: UUID
    guardian_name: str
    guardian_has_esia: bool
    student_id: UUID
    student_name: str
    relation: str


class StaffEntry(BaseModel):
    person_id: UUID
    name: str
    has_esia: bool
    roles: list[str]


async def staff_roles_of(session: AsyncSession, school_id: UUID) -> dict[UUID, list[str]]:
    roles: dict[UUID, list[str]] = defaultdict(list)
    rows = await session.execute(
        select(StaffRole.person_id, StaffRole.role).filter_by(school_id=school_id).order_by(StaffRole.role)
    )
    for person_id, role in rows:
        roles[person_id].append(role)
    return roles


async def classes_of(session: AsyncSession, school_id: UUID) -> dict[UUID, list[str]]:
    classes: dict[UUID, list[str]] = defaultdict(list)
    rows = await session.execute(
        select(Enrolment.student_id, SchoolClass.grade, SchoolClass.letter)
        .join(SchoolClass, SchoolClass.id == Enrolment.class_id)
        .where(Enrolment.school_id == school_id)
        .order_by(SchoolClass.grade, SchoolClass.letter)
    )
    for student_id, grade, letter in rows:
        classes[student_id].append(f"{grade}{letter}")
    return classes


def matching(query: Select, text: str) -> Select:
    """Every word of the search must occur in the surname, the first name or the patronymic."""
    for word in text.split():
        pattern = "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(
            or_(
                Person.last_name.ilike(pattern, escape="\\"),
                Person.first_name.ilike(pattern, escape="\\"),
                Person.middle_name.ilike(pattern, escape="\\"),
            )
        )
    return query


def of_kind(query: Select, school_id: UUID, kind: PersonKind) -> Select:
    if kind == "student":
        return query.where(exists().where(and_(Enrolment.school_id == school_id, Enrolment.student_id == Person.id)))
    if kind == "guardian":
        return query.where(
            exists().where(and_(Guardianship.school_id == school_id, Guardianship.guardian_id == Person.id))
        )
    return query.where(
        exists().where(and_(StaffRole.school_id == school_id, StaffRole.person_id == Person.id, StaffRole.role == kind))
    )


@router.get("/people")
async def list_people(
    school_id: UUID,
    caller: CallerDep,
    session: SchoolSession,
    role: PersonKind | None = None,
    q: str | None = Query(default=None, max_length=200),
) -> list[PersonEntry]:
    require_reader(caller, school_id)
    query = select(Person).where(Person.school_id == school_id).order_by(*BY_NAME)
    if role:
        query = of_kind(query, school_id, role)
    if q:
        query = matching(query, q)
    people = list(await session.scalars(query))
    roles = await staff_roles_of(session, school_id)
    classes = await classes_of(session, school_id)
    return [
        PersonEntry(
            id=p.id,
            name=full_name(p),
            last_name=p.last_name,
            first_name=p.first_name,
            middle_name=p.middle_name,
            birth_date=p.birth_date,
            has_esia=bool(p.esia_oid),
            roles=roles.get(p.id, []),
            classes=classes.get(p.id, []),
        )
        for p in people
    ]


@router.get("/classes/{class_id}/students")
async def class_students(
    school_id: UUID, class_id: UUID, caller: CallerDep, session: SchoolSession
) -> list[ClassStudent]:
    if not await session.scalar(select(SchoolClass.id).filter_by(school_id=school_id, id=class_id)):
        raise NotFound("Класс не найден.")
    await require_class_reader(session, caller, school_id, class_id)
    rows = await session.execute(
        select(Person, Enrolment.enrolled_on)
        .join(Enrolment, Enrolment.student_id == Person.id)
        .where(Enrolment.school_id == school_id, Enrolment.class_id == class_id)
        .order_by(*BY_NAME)
    )
    return [
        ClassStudent(
            student_id=p.id, name=full_name(p), birth_date=p.birth_date, has_esia=bool(p.esia_oid), enrolled_on=on
        )
        for p, on in rows
    ]


@router.get("/guardianships")
async def list_guardianships(
    school_id: UUID, caller: CallerDep, session: SchoolSession, student_id: UUID | None = None
) -> list[GuardianshipEntry]:
    require_reader(caller, school_id)
    query = select(Guardianship).where(Guardianship.school_id == school_id)
    if student_id:
        query = query.where(Guardianship.student_id == student_id)
    links = list(await session.scalars(query))
    ids = {link.guardian_id for link in links} | {link.student_id for link in links}
    people = {p.id: p for p in await session.scalars(select(Person).where(Person.id.in_(ids)))} if ids else {}
    entries = [
        GuardianshipEntry(
            guardian_id=link.guardian_id,
            guardian_name=full_name(people[link.guardian_id]),
            guardian_has_esia=bool(people[link.guardian_id].esia_oid),
            student_id=link.student_id,
            student_name=full_name(people[link.student_id]),
            relation=link.relation,
        )
        for link in links
    ]
    return sorted(entries, key=lambda e: (collation_key(e.student_name), collation_key(e.guardian_name)))


@router.get("/staff")
async def list_staff(school_id: UUID, caller: CallerDep, session: SchoolSession) -> list[StaffEntry]:
    require_reader(caller, school_id)
    roles = await staff_roles_of(session, school_id)
    if not roles:
        return []
    people = await session.scalars(
        select(Person).where(Person.school_id == school_id, Person.id.in_(roles)).order_by(*BY_NAME)
    )
    return [StaffEntry(person_id=p.id, name=full_name(p), has_esia=bool(p.esia_oid), roles=roles[p.id]) for p in people]
