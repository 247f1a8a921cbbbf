"""The school's people as the messaging rules see them (R-50), from the replicas of roster's events."""

from collections import defaultdict
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.auth import Caller
from notifications.domain import texts
from notifications.domain.messaging import SchoolPeople
from notifications.models import ClassTeacher, Enrolment, Guardianship, Person, StaffRole, TeachingAssignment


async def school_people(session: AsyncSession, school_id: UUID, caller: Caller) -> SchoolPeople:
    """Everyone the school knows with a role: staff, students, guardians, and the caller with the roles they hold.

    A few indexed reads of the school's rows (a large school: a few thousand people), once per request.
    """
    roles: dict[UUID, set[str]] = defaultdict(set)
    roles[caller.person_id] |= caller.roles_in(school_id)
    for person_id, role in await session.execute(
        select(StaffRole.person_id, StaffRole.role).filter_by(school_id=school_id)
    ):
        roles[person_id].add(role)
    class_of: dict[UUID, UUID] = {}
    for student_id, class_id in await session.execute(
        select(Enrolment.student_id, Enrolment.class_id).filter_by(school_id=school_id)
    ):
        class_of[student_id] = class_id
        roles[student_id].add("student")
    children_of: dict[UUID, set[UUID]] = defaultdict(set)
    for guardian_id, student_id in await session.execute(
        select(Guardianship.guardian_id, Guardianship.student_id).filter_by(school_id=school_id)
    ):
        children_of[guardian_id].add(student_id)
        roles[guardian_id].add("guardian")
        roles[student_id].add("student")
    teachers_of: dict[UUID, set[UUID]] = defaultdict(set)
    for teacher_id, class_id in await session.execute(
        select(TeachingAssignment.teacher_id, TeachingAssignment.class_id).filter_by(school_id=school_id)
    ):
        teachers_of[class_id].add(teacher_id)
        roles[teacher_id].add("teacher")
    class_teacher_of = {
        class_id: teacher_id
        for class_id, teacher_id in await session.execute(
            select(ClassTeacher.class_id, ClassTeacher.teacher_id).filter_by(school_id=school_id)
        )
    }
    for teacher_id in class_teacher_of.values():
        roles[teacher_id].add("class_teacher")
    return SchoolPeople(
        roles={person: frozenset(held) for person, held in roles.items() if held},
        class_of=class_of,
        teachers_of={c: frozenset(t) for c, t in teachers_of.items()},
        class_teacher_of=class_teacher_of,
        children_of={g: frozenset(c) for g, c in children_of.items()},
    )


async def names(session: AsyncSession, school_id: UUID, people: set[UUID] | None = None) -> dict[UUID, str]:
    """«Фамилия Имя» of the school's people (of ``people`` only, when given)."""
    query = select(Person.id, Person.last_name, Person.first_name).filter_by(school_id=school_id)
    if people is not None:
        query = query.where(Person.id.in_(people))
    return {person_id: texts.full_name(last, first) for person_id, last, first in await session.execute(query)}
