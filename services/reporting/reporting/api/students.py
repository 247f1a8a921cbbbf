"""The students whose diaries the caller may open: a parent's children, a student themselves."""

from uuid import UUID

from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy import select

from chassis.deps import CallerDep, SchoolSession, SchoolToday
from chassis.problems import NotFound
from chassis.russian import collation_key
from reporting.api.access import student_card
from reporting.domain.access import staff_reads_diary
from reporting.domain.people import full_name
from reporting.domain.periods import DateRange
from reporting.models import ClassTeacher, Guardianship, Person, SchoolClass, Student
from reporting.reports.queries import in_class_over

router = APIRouter(prefix="/schools/{school_id}", tags=["students"])


class MyStudentOut(BaseModel):
    student_id: UUID
    name: str | None
    class_name: str | None


@router.get("/my/students")
async def my_students(school_id: UUID, caller: CallerDep, session: SchoolSession) -> list[MyStudentOut]:
    children = await session.scalars(
        select(Guardianship.student_id).filter_by(school_id=school_id, guardian_id=caller.person_id)
    )
    candidates = [*children, caller.person_id] if caller.has_role(school_id, "student") else list(children)
    found = []
    for student_id in dict.fromkeys(candidates):
        card = await student_card(session, school_id, student_id)
        if card is not None:
            found.append(MyStudentOut(student_id=card.id, name=card.name, class_name=card.class_name))
    return sorted(found, key=lambda s: (collation_key(s.name), str(s.student_id)))


class GuardianOut(BaseModel):
    guardian_id: UUID
    name: str | None
    relation: str


class ClassStudentOut(BaseModel):
    student_id: UUID
    name: str | None
    guardians: list[GuardianOut]


@router.get("/classes/{class_id}/students")
async def class_students(
    school_id: UUID, class_id: UUID, caller: CallerDep, session: SchoolSession, today: SchoolToday
) -> list[ClassStudentOut]:
    """The class list with each student's parents: for the class teacher's screen (R-1: the class teacher of
    this class, the school's administration and the region's inspectors; anyone else is told it does not exist)."""
    class_teacher = await session.scalar(
        select(ClassTeacher.teacher_id).filter_by(school_id=school_id, class_id=class_id)
    )
    readable = caller.oversees(school_id) or staff_reads_diary(
        caller.person_id, caller.roles_in(school_id), class_teacher
    )
    if not readable or await session.get(SchoolClass, (school_id, class_id)) is None:
        raise NotFound("Класс не найден.")
    students = list(
        await session.scalars(
            select(Student)
            .filter_by(school_id=school_id, class_id=class_id)
            .where(in_class_over(DateRange(today, today)))
        )
    )
    ids = [s.id for s in students]
    links = list(
        await session.scalars(
            select(Guardianship).where(Guardianship.school_id == school_id, Guardianship.student_id.in_(ids))
        )
    )
    named = {s.id for s in students} | {link.guardian_id for link in links}
    people = {
        p.id: full_name(p.last_name, p.first_name)
        for p in await session.scalars(select(Person).where(Person.school_id == school_id, Person.id.in_(named)))
    }
    found = [
        ClassStudentOut(
            student_id=student.id,
            name=people.get(student.id),
            guardians=sorted(
                (
                    GuardianOut(guardian_id=link.guardian_id, name=people.get(link.guardian_id), relation=link.relation)
                    for link in links
                    if link.student_id == student.id
                ),
                key=lambda g: collation_key(g.name),
            ),
        )
        for student in students
    ]
    return sorted(found, key=lambda s: (collation_key(s.name), str(s.student_id)))
