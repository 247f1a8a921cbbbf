"""Who may read whose diary (R-1), and the school's today."""

from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.auth import Caller
from chassis.problems import NotFound
from reporting.domain.access import staff_reads_diary
from reporting.domain.people import full_name
from reporting.models import ClassTeacher, Guardianship, Person, SchoolClass, Student

DIARY_NOT_FOUND = "Дневник не найден."


@dataclass(frozen=True)
class StudentCard:
    id: UUID
    name: str | None
    class_id: UUID | None
    class_name: str | None


async def is_guardian(session: AsyncSession, school_id: UUID, guardian_id: UUID, student_id: UUID) -> bool:
    return await session.get(Guardianship, (school_id, guardian_id, student_id)) is not None


async def student_card(session: AsyncSession, school_id: UUID, student_id: UUID) -> StudentCard | None:
    """What the diary's header shows; None for someone who is not a student of this school."""
    student = await session.get(Student, (school_id, student_id))
    linked = await session.scalar(
        select(Guardianship.student_id).filter_by(school_id=school_id, student_id=student_id).limit(1)
    )
    if student is None and linked is None:
        return None
    person = await session.get(Person, (school_id, student_id))
    school_class = await session.get(SchoolClass, (school_id, student.class_id)) if student else None
    return StudentCard(
        id=student_id,
        name=full_name(person.last_name, person.first_name) if person else None,
        class_id=student.class_id if student else None,
        class_name=school_class.name if school_class else (student.class_name if student else None),
    )


async def _may_read(session: AsyncSession, caller: Caller, school_id: UUID, card: StudentCard) -> bool:
    if caller.oversees(school_id) or caller.person_id == card.id:
        return True
    class_teacher_id = (
        await session.scalar(select(ClassTeacher.teacher_id).filter_by(school_id=school_id, class_id=card.class_id))
        if card.class_id
        else None
    )
    return staff_reads_diary(caller.person_id, caller.roles_in(school_id), class_teacher_id) or await is_guardian(
        session, school_id, caller.person_id, card.id
    )


async def readable_student(session: AsyncSession, caller: Caller, school_id: UUID, student_id: UUID) -> StudentCard:
    """The student whose diary the caller may read, or 404.

    R-1: a student sees only themselves, a parent only their own children, a class teacher the
    students of the class they lead; the school's administration reads every diary, the region's
    inspectors every school's. 404, never 403: a stranger must not learn that the child exists.
    """
    card = await student_card(session, school_id, student_id)
    if card is None or not await _may_read(session, caller, school_id, card):
        raise NotFound(DIARY_NOT_FOUND)
    return card
