"""Counts of missed lessons and lates (R-42) for a class and a period, per student and per course.

The share of lessons missed per course is what attestation reads for the «пропущено более 50 %» flag (R-28):
``GET /schools/{school}/classes/{class}/attendance?start=&end=`` with the period's dates.
"""

from datetime import date
from uuid import UUID

from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy import select

from attendance.api.absences import NOT_A_READER, class_teacher_id, reads_school, teaches_class
from attendance.domain.absences import absence_reason, course_attendance, leads_class, summarize
from attendance.models import Absence, ClassMember, Lesson, Person
from chassis.dates import JournalDate
from chassis.deps import CallerDep, SchoolSession
from chassis.problems import Forbidden, Invalid
from contracts.attendance import AbsenceReason

router = APIRouter(prefix="/schools/{school_id}", tags=["absences"])


class Counts(BaseModel):
    """R-42: lessons missed (of them Б, У, Н) and lates."""

    lessons_missed: int
    ill: int
    excused: int
    unexcused: int
    lates: int


class CourseOut(BaseModel):
    #: The gradebook's course id (нагрузка); None for lessons recorded before attendance kept it.
    course_id: UUID | None
    subject_name: str
    #: Lessons of the course given to the class in the period, and how many of them the student missed.
    lessons: int
    missed: int
    #: missed / lessons, 0…1 to two decimals (R-28: over 0.5 flags the student for non-attestation).
    share_missed: float


class StudentAttendanceOut(Counts):
    student_id: UUID
    name: str | None
    courses: list[CourseOut]


class ClassAttendanceOut(BaseModel):
    class_id: UUID
    start: date
    end: date
    #: The class's totals (R-42).
    totals: Counts
    #: Students by name.
    students: list[StudentAttendanceOut]


@router.get("/classes/{class_id}/attendance")
async def class_attendance(
    school_id: UUID, class_id: UUID, start: JournalDate, end: JournalDate, caller: CallerDep, session: SchoolSession
) -> ClassAttendanceOut:
    """R-42: each student's missed lessons and lates for the period, in total and per course, and the class's."""
    may_read = (
        reads_school(caller, school_id)
        or leads_class(caller.person_id, caller.roles_in(school_id), await class_teacher_id(session, class_id))
        or await teaches_class(session, caller, school_id, [class_id])
    )
    if not may_read:
        raise Forbidden(NOT_A_READER)
    if start > end:
        raise Invalid("Начало периода позже его конца.")
    lessons = list(
        await session.scalars(
            select(Lesson).where(
                Lesson.school_id == school_id,
                Lesson.class_id == class_id,
                Lesson.date.between(start, end),
                Lesson.deleted.is_(False),
            )
        )
    )
    given = [(lesson.id, lesson.course_id, lesson.subject_name) for lesson in lessons]
    absences: dict[UUID, list[tuple[UUID, AbsenceReason]]] = {}
    if lessons:
        rows = await session.execute(
            select(Absence.student_id, Absence.lesson_id, Absence.reason).where(
                Absence.lesson_id.in_([lesson.id for lesson in lessons])
            )
        )
        for student_id, lesson_id, reason in rows:
            absences.setdefault(student_id, []).append((lesson_id, absence_reason(reason)))
    members = await session.execute(
        select(ClassMember.student_id, Person)
        .outerjoin(Person, Person.id == ClassMember.student_id)
        .where(ClassMember.class_id == class_id)
        .order_by(Person.last_name, Person.first_name)
    )
    students = []
    for student_id, student in members:
        own = absences.get(student_id, [])
        students.append(
            StudentAttendanceOut(
                student_id=student_id,
                name=student.name if student else None,
                **vars(summarize(reason for _, reason in own)),
                courses=[CourseOut(**vars(c)) for c in course_attendance(given, own)],
            )
        )
    totals = summarize(reason for own in absences.values() for _, reason in own)
    return ClassAttendanceOut(class_id=class_id, start=start, end=end, totals=Counts(**vars(totals)), students=students)
