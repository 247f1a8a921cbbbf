"""What the preliminary report, the movement and fill reports and the diary activity read (R-60 … R-62)."""

from datetime import date, datetime
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.domain.activity import Visit
from reporting.domain.movement import Move
from reporting.domain.periods import DateRange
from reporting.models import Guardianship, Lesson, SchoolClass
from reporting.reports.models import ClassGrade
from reporting.reports.school_models import DiaryVisit, StudentMovement


async def lessons_per_subject(
    session: AsyncSession, school_id: UUID, class_id: UUID, dates: DateRange
) -> dict[str, int]:
    """The class's lessons recorded per subject in the dates (a deleted lesson is none)."""
    rows = await session.execute(
        select(Lesson.subject_name, func.count())
        .where(
            Lesson.school_id == school_id,
            Lesson.class_id == class_id,
            Lesson.date.between(dates.start, dates.end),
            Lesson.deleted.is_(False),
        )
        .group_by(Lesson.subject_name)
    )
    return dict(rows.all())


async def moves_until(session: AsyncSession, school_id: UUID, day: date) -> list[Move]:
    """The school's movements that took effect by ``day``."""
    rows = await session.execute(
        select(
            StudentMovement.student_id,
            StudentMovement.moved_on,
            StudentMovement.from_class_id,
            StudentMovement.to_class_id,
            StudentMovement.told_at,
        ).where(StudentMovement.school_id == school_id, StudentMovement.moved_on <= day)
    )
    return [Move(*row) for row in rows]


async def school_classes(session: AsyncSession, school_id: UUID) -> dict[UUID, tuple[str, int | None, str | None]]:
    """Every class of the school: its name, parallel and school year, by id."""
    rows = await session.execute(
        select(SchoolClass.id, SchoolClass.name, ClassGrade.grade, ClassGrade.academic_year)
        .outerjoin(
            ClassGrade, (ClassGrade.school_id == SchoolClass.school_id) & (ClassGrade.class_id == SchoolClass.id)
        )
        .where(SchoolClass.school_id == school_id)
    )
    return {class_id: (name, grade, year) for class_id, name, grade, year in rows}


async def with_family(session: AsyncSession, school_id: UUID, students: list[UUID]) -> set[UUID]:
    """The students with a guardian linked in the school."""
    rows = await session.scalars(
        select(Guardianship.student_id)
        .where(Guardianship.school_id == school_id, Guardianship.student_id.in_(students))
        .distinct()
    )
    return set(rows)


async def visits_until(session: AsyncSession, school_id: UUID, students: list[UUID], day: date) -> list[Visit]:
    rows = await session.execute(
        select(DiaryVisit.student_id, DiaryVisit.reader, func.max(DiaryVisit.last_at), DiaryVisit.day)
        .where(DiaryVisit.school_id == school_id, DiaryVisit.student_id.in_(students), DiaryVisit.day <= day)
        .group_by(DiaryVisit.student_id, DiaryVisit.reader, DiaryVisit.day)
    )
    return [Visit(student, reader == "guardian", on, last_at) for student, reader, last_at, on in rows]


async def record_visit(
    session: AsyncSession, school_id: UUID, student_id: UUID, reader_id: UUID, guardian: bool, day: date, at: datetime
) -> None:
    """R-62: the student or a guardian opened the diary today; one row a day, the latest time kept."""
    statement = insert(DiaryVisit).values(
        school_id=school_id,
        student_id=student_id,
        reader_id=reader_id,
        day=day,
        reader="guardian" if guardian else "student",
        last_at=at,
    )
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["school_id", "student_id", "reader_id", "day"],
            set_={"last_at": func.greatest(DiaryVisit.last_at, statement.excluded.last_at)},
        )
    )
