"""Факультативы и кружки (R-14): groups of their own with a teacher, drawn from several classes of the school.

They are rows of ``groups`` without a class (the subgroups' table and membership events), so the diary's
replica of memberships serves both; the journal keeps each as a course of its own (``ElectiveCreated``).
"""

from datetime import date
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter
from pydantic import BaseModel, StringConstraints
from sqlalchemy import ColumnElement, func, select

from chassis.auth import Caller
from chassis.deps import CallerDep, SchoolSession
from chassis.events import emit_event
from chassis.problems import Conflict, Forbidden, Invalid, NotFound
from chassis.russian import collation_key
from contracts.roster import ElectiveCreated
from roster.api.directory import full_name
from roster.calendars import PLANNERS, year_of
from roster.domain.cards import WHOLE_SCHOOL_READERS
from roster.domain.electives import Place, check_join, leave_place
from roster.events import membership_changed
from roster.models import AcademicYear, Enrolment, Group, GroupMember, Person, SchoolClass, StaffRole, Subject

router = APIRouter(prefix="/schools/{school_id}/electives", tags=["electives"])

ElectiveKind = Literal["elective", "club"]


class ElectiveIn(BaseModel):
    kind: ElectiveKind
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=100)]
    #: What it teaches, from the school's subjects («Робототехника», «Шахматы»).
    subject_id: UUID
    teacher_id: UUID
    year_id: UUID


class ElectiveOut(ElectiveIn):
    id: UUID
    subject_name: str


class JoinIn(BaseModel):
    student_id: UUID
    #: The first day in the group: any day of the group's year (not only a period's first, unlike a subgroup).
    starts: date


class LeaveIn(BaseModel):
    student_id: UUID
    #: The first day the student no longer attends; their last day in the group is the day before.
    left_on: date


class PlaceOut(BaseModel):
    student_id: UUID
    #: «Фамилия Имя Отчество» and the student's class in the group's year.
    name: str
    class_name: str | None
    starts: date
    ends: date | None


def _out(group: Group, subject: Subject) -> ElectiveOut:
    return ElectiveOut(
        id=group.id,
        kind=group.kind,
        name=group.name,
        subject_id=group.subject_id,
        subject_name=subject.name,
        teacher_id=group.teacher_id,
        year_id=group.year_id,
    )


@router.post("", status_code=201)
async def create_elective(school_id: UUID, body: ElectiveIn, caller: CallerDep, session: SchoolSession) -> ElectiveOut:
    caller.require(school_id, *PLANNERS)
    year = await year_of(session, school_id, body.year_id)
    subject = await session.get(Subject, body.subject_id)
    if subject is None or subject.school_id != school_id:
        raise NotFound("Предмет не найден.")
    if not await session.get(StaffRole, (school_id, body.teacher_id, "teacher")):
        raise Invalid("Вести факультатив или кружок может только сотрудник школы с ролью «учитель».")
    if await session.scalar(select(Group.id).filter_by(year_id=year.id, name=body.name)):
        raise Conflict(f"Группа «{body.name}» в {year.name} учебном году уже есть.")
    group = Group(
        school_id=school_id,
        kind=body.kind,
        name=body.name,
        subject_id=subject.id,
        teacher_id=body.teacher_id,
        year_id=year.id,
    )
    session.add(group)
    await session.flush()
    event = ElectiveCreated(
        group_id=group.id,
        kind=body.kind,
        name=group.name,
        subject_id=subject.id,
        subject_name=subject.name,
        teacher_id=body.teacher_id,
        academic_year=year.name,
    )
    await emit_event(session, event, school_id=school_id)
    return _out(group, subject)


@router.get("")
async def list_electives(school_id: UUID, session: SchoolSession, year_id: UUID | None = None) -> list[ElectiveOut]:
    # Region-wide readers see every school's rows: the school asked for is named, not left to RLS.
    query = (
        select(Group, Subject)
        .join(Subject, Subject.id == Group.subject_id)
        .where(Group.school_id == school_id, Group.kind != "subgroup")
        .order_by(Group.name)
    )
    if year_id:
        query = query.where(Group.year_id == year_id)
    return [_out(group, subject) for group, subject in await session.execute(query)]


async def _elective(session: SchoolSession, school_id: UUID, elective_id: UUID, *, lock: bool = False) -> Group:
    group = await session.get(Group, elective_id, with_for_update=lock)
    if group is None or group.school_id != school_id or group.kind == "subgroup":
        raise NotFound("Факультатив или кружок не найден.")
    return group


def _require_keeper(caller: Caller, school_id: UUID, group: Group) -> None:
    """Who keeps the members: the planners (§1) and the group's own teacher."""
    if caller.has_role(school_id, *PLANNERS):
        return
    if caller.has_role(school_id, "teacher") and caller.person_id == group.teacher_id:
        return
    raise Forbidden("Состав группы ведут администратор, завуч и учитель этой группы.")


async def _places(session: SchoolSession, group: Group, student_id: UUID) -> tuple[list[GroupMember], list[Place]]:
    rows = list(
        await session.scalars(
            select(GroupMember)
            .where(GroupMember.group_id == group.id, GroupMember.student_id == student_id)
            .order_by(GroupMember.starts)
            .with_for_update()
        )
    )
    return rows, [Place(row.starts, row.ends) for row in rows]


def _class_name(student_id: ColumnElement[UUID] | UUID, year_name: str) -> ColumnElement[str | None]:
    """The student's class in the group's year (a student is in one class of a year)."""
    return (
        select(func.concat(SchoolClass.grade, SchoolClass.letter))
        .join(Enrolment, Enrolment.class_id == SchoolClass.id)
        .where(Enrolment.student_id == student_id, SchoolClass.academic_year == year_name)
        .limit(1)
        .scalar_subquery()
    )


async def _place_out(session: SchoolSession, member: GroupMember, year: AcademicYear) -> PlaceOut:
    person, class_name = (
        await session.execute(
            select(Person, _class_name(member.student_id, year.name)).where(Person.id == member.student_id)
        )
    ).one()
    return PlaceOut(
        student_id=member.student_id,
        name=full_name(person),
        class_name=class_name,
        starts=member.starts,
        ends=member.ends,
    )


@router.get("/{elective_id}/members")
async def list_places(school_id: UUID, elective_id: UUID, caller: CallerDep, session: SchoolSession) -> list[PlaceOut]:
    group = await _elective(session, school_id, elective_id)
    if not (caller.oversees(school_id) or caller.has_role(school_id, *WHOLE_SCHOOL_READERS)):
        _require_keeper(caller, school_id, group)
    year = await session.get(AcademicYear, group.year_id)
    rows = await session.execute(
        select(GroupMember, Person, _class_name(GroupMember.student_id, year.name))
        .join(Person, Person.id == GroupMember.student_id)
        .where(GroupMember.group_id == group.id)
    )
    places = [
        PlaceOut(
            student_id=place.student_id,
            name=full_name(person),
            class_name=class_name,
            starts=place.starts,
            ends=place.ends,
        )
        for place, person, class_name in rows
    ]
    return sorted(places, key=lambda p: (collation_key(p.name), p.starts))


@router.post("/{elective_id}/members", status_code=201)
async def join_elective(
    school_id: UUID, elective_id: UUID, body: JoinIn, caller: CallerDep, session: SchoolSession
) -> PlaceOut:
    """A student of any class of the school joins from ``starts``."""
    group = await _elective(session, school_id, elective_id, lock=True)
    _require_keeper(caller, school_id, group)
    year = await session.get(AcademicYear, group.year_id)
    # a student of another school is not visible here at all (row-level security), so both read the same.
    enrolled = select(Enrolment.id).where(
        Enrolment.student_id == body.student_id,
        Enrolment.class_id.in_(select(SchoolClass.id).where(SchoolClass.academic_year == year.name)),
    )
    if not await session.scalar(enrolled.limit(1)):
        raise Invalid(
            f"Ученик не учится в классах этой школы в {year.name} учебном году: "
            "в факультатив или кружок записывают учеников школы."
        )
    _, places = await _places(session, group, body.student_id)
    check_join(places, body.starts, year.starts, year.ends, year.name)
    member = GroupMember(school_id=school_id, group_id=group.id, student_id=body.student_id, starts=body.starts)
    session.add(member)
    await session.flush()
    await emit_event(session, membership_changed(member), school_id=school_id)
    return await _place_out(session, member, year)


@router.post("/{elective_id}/leave")
async def leave_elective(
    school_id: UUID, elective_id: UUID, body: LeaveIn, caller: CallerDep, session: SchoolSession
) -> PlaceOut:
    """The student no longer attends from ``left_on``; their marks in the group's journal stay."""
    group = await _elective(session, school_id, elective_id, lock=True)
    _require_keeper(caller, school_id, group)
    rows, places = await _places(session, group, body.student_id)
    ends = leave_place(places, body.left_on)
    member = next(row for row in rows if row.ends is None)
    member.ends = ends
    member.version += 1
    await session.flush()
    await emit_event(session, membership_changed(member), school_id=school_id)
    return await _place_out(session, member, await session.get(AcademicYear, group.year_id))
