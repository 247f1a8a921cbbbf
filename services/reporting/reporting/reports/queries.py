"""What each report reads from the read model: plain functions taking the tenant's session."""

from collections import defaultdict
from datetime import date
from uuid import UUID

from sqlalchemy import and_, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.auth import Caller
from chassis.problems import NotFound
from reporting.domain.access import DIARY_READ_ROLES, staff_reads_diary
from reporting.domain.people import full_name
from reporting.domain.periods import DateRange, academic_year_start
from reporting.domain.report_periods import SchemePeriods
from reporting.domain.sheets import ClassStudent, FillClass, FillLesson, StudentAbsence, StudentMark
from reporting.models import Absence, ClassTeacher, Lesson, Mark, Person, SchoolClass, Student, TimetableLesson
from reporting.reports.models import ClassGrade, LessonTeacher, PeriodScheme, School

CLASS_NOT_FOUND = "Класс не найден."
#: R-61, R-62: the school's administration; the region's inspectors read every school.
ADMINISTRATION_ROLES = DIARY_READ_ROLES


async def school_title(session: AsyncSession, school_id: UUID) -> str:
    school = await session.get(School, school_id)
    return school.name if school else "Школа"


async def readable_class(session: AsyncSession, caller: Caller, school_id: UUID, class_id: UUID) -> SchoolClass:
    """The class whose reports the caller may read: its class teacher, the administration, the region's
    inspectors (R-60, R-61). 404 otherwise, also for a class of another school (row-level security)."""
    class_teacher = await session.scalar(
        select(ClassTeacher.teacher_id).filter_by(school_id=school_id, class_id=class_id)
    )
    readable = caller.reads_region or staff_reads_diary(caller.person_id, caller.roles_in(school_id), class_teacher)
    school_class = await session.get(SchoolClass, (school_id, class_id)) if readable else None
    if school_class is None:
        raise NotFound(CLASS_NOT_FOUND)
    return school_class


def reads_school_reports(caller: Caller, school_id: UUID) -> bool:
    return caller.reads_region or bool(caller.roles_in(school_id) & ADMINISTRATION_ROLES)


async def class_grade(session: AsyncSession, school_id: UUID, class_id: UUID) -> int | None:
    return await session.scalar(select(ClassGrade.grade).filter_by(school_id=school_id, class_id=class_id))


async def period_schemes(session: AsyncSession, school_id: UUID) -> list[SchemePeriods]:
    rows = await session.scalars(select(PeriodScheme).filter_by(school_id=school_id))
    return [SchemePeriods(frozenset(row.grades), list(row.periods)) for row in rows]


async def class_students(session: AsyncSession, school_id: UUID, class_id: UUID) -> list[ClassStudent]:
    """The class list as it stands now (the students' latest enrolment, R-16)."""
    rows = await session.execute(
        select(Student.id, Person.last_name, Person.first_name)
        .outerjoin(Person, and_(Person.school_id == Student.school_id, Person.id == Student.id))
        .where(Student.school_id == school_id, Student.class_id == class_id)
    )
    return [ClassStudent(id, full_name(last, first)) for id, last, first in rows]


async def class_marks(
    session: AsyncSession, school_id: UUID, students: list[UUID], dates: DateRange
) -> list[StudentMark]:
    rows = await session.execute(
        select(Mark.student_id, Mark.subject_name, Mark.value, Mark.weight).where(
            Mark.school_id == school_id, Mark.student_id.in_(students), Mark.date.between(dates.start, dates.end)
        )
    )
    return [StudentMark(*row) for row in rows]


async def class_absences(
    session: AsyncSession, school_id: UUID, students: list[UUID], dates: DateRange
) -> list[StudentAbsence]:
    rows = await session.execute(
        select(Absence.student_id, Absence.subject_name, Absence.date, Absence.reason).where(
            Absence.school_id == school_id,
            Absence.student_id.in_(students),
            Absence.date.between(dates.start, dates.end),
            Absence.withdrawn.is_(False),
        )
    )
    return [StudentAbsence(*row) for row in rows]


async def class_subjects(session: AsyncSession, school_id: UUID, class_id: UUID, dates: DateRange) -> list[str]:
    rows = await session.scalars(
        select(Lesson.subject_name)
        .where(Lesson.school_id == school_id, Lesson.class_id == class_id, Lesson.date.between(dates.start, dates.end))
        .distinct()
    )
    return list(rows)


async def fill_inputs(
    session: AsyncSession, school_id: UUID, dates: DateRange, today: date
) -> tuple[list[FillClass], list[FillLesson], dict[UUID, int], dict[UUID, int], set[UUID]]:
    """The journal-fill control's records: classes with their students, lessons with their teachers,
    marks per student, the timetable's lessons left unrecorded per class, and this year's teachers."""
    members: dict[UUID, list[UUID]] = defaultdict(list)
    for student_id, class_id in await session.execute(
        select(Student.id, Student.class_id).where(Student.school_id == school_id)
    ):
        members[class_id].append(student_id)
    classes = [
        FillClass(c.id, c.name, members.get(c.id, []))
        for c in await session.scalars(select(SchoolClass).filter_by(school_id=school_id))
    ]
    lessons = [
        FillLesson(class_id, teacher_id, day, topic, homework)
        for class_id, teacher_id, day, topic, homework in await session.execute(
            select(Lesson.class_id, LessonTeacher.teacher_id, Lesson.date, Lesson.topic, Lesson.homework)
            .outerjoin(
                LessonTeacher, and_(LessonTeacher.school_id == Lesson.school_id, LessonTeacher.lesson_id == Lesson.id)
            )
            .where(Lesson.school_id == school_id, Lesson.date.between(dates.start, dates.end))
        )
    ]
    marks = dict(
        (
            await session.execute(
                select(Mark.student_id, func.count())
                .where(Mark.school_id == school_id, Mark.date.between(dates.start, dates.end))
                .group_by(Mark.student_id)
            )
        ).all()
    )
    # a lesson that took place and has no record yet; the future is not late.
    recorded = exists().where(Lesson.school_id == school_id, Lesson.scheduled_lesson_id == TimetableLesson.id)
    unrecorded = dict(
        (
            await session.execute(
                select(TimetableLesson.class_id, func.count())
                .where(
                    TimetableLesson.school_id == school_id,
                    TimetableLesson.date.between(dates.start, min(dates.end, today)),
                    TimetableLesson.status == "scheduled",
                    ~recorded,
                )
                .group_by(TimetableLesson.class_id)
            )
        ).all()
    )
    known = set(
        await session.scalars(
            select(LessonTeacher.teacher_id)
            .join(Lesson, and_(Lesson.school_id == LessonTeacher.school_id, Lesson.id == LessonTeacher.lesson_id))
            .where(Lesson.school_id == school_id, Lesson.date.between(academic_year_start(dates.end), dates.end))
            .distinct()
        )
    )
    return classes, lessons, marks, unrecorded, known
