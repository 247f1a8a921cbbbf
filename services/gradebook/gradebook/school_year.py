"""The school year as the journal knows it: periods of a class, the school's attestation rules, closed periods.

Loads what the rules in ``domain/`` need from the replicas and the journal's own tables; the checks
every journal write makes (R-26 grade rules, R-27 closed periods) are here so each route calls one function
(a mark's read theirs with its other facts in one statement: ``gradebook.api.marks``).
"""

from datetime import date
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.problems import NotFound
from gradebook.domain.marks import check_homework_allowed
from gradebook.domain.period_policy import PeriodPolicy, period_policy
from gradebook.domain.periods import (
    SCHEME_PERIOD_KIND,
    Lock,
    Period,
    check_unlocked,
    first_half_year_end,
    grade_periods,
)
from gradebook.models import AcademicYear, Course, PeriodClosure, PeriodPolicyRow, PeriodScheme, SchoolClass


async def school_policy(session: AsyncSession, school_id: UUID) -> tuple[PeriodPolicy, PeriodPolicyRow | None]:
    """The school's attestation rules, or the region's defaults before its administrator sets any."""
    row = await session.get(PeriodPolicyRow, school_id)
    return (period_policy(row.rules) if row else PeriodPolicy()), row


async def class_year(session: AsyncSession, school_class: SchoolClass | None) -> AcademicYear | None:
    if school_class is None or school_class.academic_year is None:
        return None
    return await session.scalar(
        select(AcademicYear).filter_by(school_id=school_class.school_id, name=school_class.academic_year)
    )


async def class_periods(session: AsyncSession, school_class: SchoolClass | None) -> list[Period]:
    """The periods a class gets period marks for (its grade's reporting periods, then the year's); [] if unknown."""
    year = await class_year(session, school_class)
    if year is None or school_class is None:
        return []
    schemes = await session.scalars(select(PeriodScheme).filter_by(year_id=year.id))
    as_periods = [
        (
            scheme.kind,
            scheme.grades,
            [
                Period(
                    SCHEME_PERIOD_KIND[scheme.kind],
                    UUID(p["period_id"]),
                    p["name"],
                    date.fromisoformat(p["starts"]),
                    date.fromisoformat(p["ends"]),
                )
                for p in scheme.periods
            ],
        )
        for scheme in schemes
    ]
    whole = Period("year", year.id, year.name, year.starts, year.ends)
    return grade_periods(whole, as_periods, school_class.grade)


async def course_period(session: AsyncSession, course: Course, kind: str, period_id: UUID) -> Period:
    school_class = await session.get(SchoolClass, course.class_id)
    for period in await class_periods(session, school_class):
        if (period.kind, period.id) == (kind, period_id):
            return period
    raise NotFound("Такого периода аттестации у класса нет.")


async def course_locks(session: AsyncSession, course_id: UUID) -> list[Lock]:
    rows = await session.scalars(select(PeriodClosure).filter_by(course_id=course_id, closed=True))
    return [Lock(row.period_name, row.starts, row.ends) for row in rows]


async def check_journal_writable(
    session: AsyncSession, course: Course, day: date, *, homework: bool = False
) -> PeriodPolicy:
    """Every write into a course's journal on ``day``: R-27 closed periods, R-26 for homework.

    Returns the school's rules, which the caller may need next. A mark's checks read the same in one statement
    (``gradebook.api.marks``).
    """
    check_unlocked(day, await course_locks(session, course.id))
    policy, _ = await school_policy(session, course.school_id)
    if homework:
        school_class = await session.get(SchoolClass, course.class_id)
        grade = school_class.grade if school_class else None
        half = await first_half_end(session, school_class) if grade == 2 else None
        check_homework_allowed(grade, day, half, policy.grade_rules)
    return policy


async def first_half_end(session: AsyncSession, school_class: SchoolClass | None) -> date | None:
    year = await class_year(session, school_class)
    if year is None:
        return None
    reporting = [p for p in await class_periods(session, school_class) if p.id != year.id]
    return first_half_year_end(year.ends, year.starts, reporting)
