"""Courses (нагрузка), their class lists and averages."""

from uuid import UUID

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict
from sqlalchemy import select

from chassis.dates import JournalDate
from chassis.deps import CallerDep, SchoolSession
from chassis.problems import Forbidden, Invalid
from chassis.russian import collation_key
from gradebook.api.access import get_in_school, reads_whole_school, require_reader
from gradebook.class_lists import course_students
from gradebook.domain.marks import ScoredMark, average, weighted_average
from gradebook.models import Course, Lesson, Mark, Person

router = APIRouter(prefix="/schools/{school_id}", tags=["courses"])


class CourseOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: UUID
    teacher_id: UUID
    subject_id: UUID
    subject_name: str
    class_id: UUID
    class_name: str


class StudentOut(BaseModel):
    student_id: UUID
    #: «Фамилия Имя»; None until roster's record of the person has arrived.
    name: str | None


class StudentAverages(StudentOut):
    marks: int
    average: float | None
    weighted_average: float | None


@router.get("/courses")
async def list_courses(school_id: UUID, caller: CallerDep, session: SchoolSession) -> list[CourseOut]:
    query = select(Course).where(Course.school_id == school_id).order_by(Course.class_name, Course.subject_name)
    if not reads_whole_school(caller, school_id):
        if not caller.has_role(school_id, "teacher"):
            raise Forbidden("Список курсов доступен учителям и администрации школы.")
        query = query.where(Course.teacher_id == caller.person_id)
    return [CourseOut.model_validate(c) for c in await session.scalars(query)]


async def class_list(session: SchoolSession, course: Course) -> list[StudentOut]:
    """The class's pupils, or everyone who has been in the elective (their marks stay after they leave)."""
    students = course_students(course.class_id).subquery()
    rows = await session.execute(
        select(students.c.student_id, Person).outerjoin(Person, Person.id == students.c.student_id)
    )
    students = [StudentOut(student_id=sid, name=p.name if p else None) for sid, p in rows]
    # Alphabetical as in a paper journal; names not yet known go last.
    return sorted(students, key=lambda s: collation_key(s.name))


@router.get("/courses/{course_id}/students")
async def list_students(
    school_id: UUID, course_id: UUID, caller: CallerDep, session: SchoolSession
) -> list[StudentOut]:
    course = await get_in_school(session, Course, course_id, school_id, "Курс не найден.")
    await require_reader(session, caller, school_id, course)
    return await class_list(session, course)


@router.get("/courses/{course_id}/averages")
async def course_averages(
    school_id: UUID,
    course_id: UUID,
    caller: CallerDep,
    session: SchoolSession,
    start: JournalDate | None = None,
    end: JournalDate | None = None,
) -> list[StudentAverages]:
    """Средний и средневзвешенный балл of each student for a period (R-22, R-28, R-63)."""
    course = await get_in_school(session, Course, course_id, school_id, "Курс не найден.")
    await require_reader(session, caller, school_id, course)
    if start and end and start > end:
        raise Invalid("Начало периода позже его конца.")
    query = select(Mark.student_id, Mark.value, Mark.weight).join(Lesson).where(Lesson.course_id == course.id)
    if start:
        query = query.where(Lesson.date >= start)
    if end:
        query = query.where(Lesson.date <= end)
    marks: dict[UUID, list[ScoredMark]] = {}
    for student_id, value, weight in await session.execute(query):
        marks.setdefault(student_id, []).append(ScoredMark(value, weight))
    return [
        StudentAverages(
            **student.model_dump(),
            marks=len(marks.get(student.student_id, [])),
            average=average(marks.get(student.student_id, [])),
            weighted_average=weighted_average(marks.get(student.student_id, [])),
        )
        for student in await class_list(session, course)
    ]
