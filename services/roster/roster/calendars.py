"""Reading a school's calendar from its tables into the domain's terms (plain functions taking a session)."""

from datetime import date
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.events import emit_event
from chassis.problems import NotFound
from chassis.schooltime import remember_zone
from contracts.roster import SchoolSettingsChanged
from roster.domain.calendar import SchoolCalendar, Span, Transfer, YearStatus
from roster.models import AcademicYear, Holiday, Municipality, School, WorkdayTransfer

#: Who sets up the calendar, bells, rooms, groups, curriculum and timetable.
PLANNERS = ("school_admin", "deputy")


async def school_of(session: AsyncSession, school_id: UUID) -> School:
    school = await session.get(School, school_id)
    if school is None:
        raise NotFound("Школа не найдена.")
    return school


async def announce_settings(session: AsyncSession, school: School) -> None:
    """The school's settings as they are now (its zone, week and municipality), as a new version: roster's own
    zone replica and the event."""
    school.settings_version += 1
    school.zone_announced = True
    await remember_zone(session, school.id, school.timezone, school.settings_version)
    municipality = await session.get(Municipality, school.municipality_id)
    changed = SchoolSettingsChanged(
        school_id=school.id,
        version=school.settings_version,
        timezone=school.timezone,
        days_per_week=school.days_per_week,
        municipality_id=municipality.id,
        municipality=municipality.name,
    )
    await emit_event(session, changed, school_id=school.id)


async def year_of(session: AsyncSession, school_id: UUID, year_id: UUID, *, for_update: bool = False) -> AcademicYear:
    year = await session.get(AcademicYear, year_id, with_for_update=for_update)
    if year is None or year.school_id != school_id:
        raise NotFound("Учебный год не найден.")
    return year


async def year_on(session: AsyncSession, school_id: UUID, day: date) -> AcademicYear | None:
    """The year ``day`` falls in (years of a school do not overlap)."""
    return await session.scalar(
        select(AcademicYear).where(
            AcademicYear.school_id == school_id, AcademicYear.starts <= day, AcademicYear.ends >= day
        )
    )


async def calendar_of(session: AsyncSession, year: AcademicYear) -> SchoolCalendar:
    school = await school_of(session, year.school_id)
    holidays = await session.scalars(select(Holiday).where(Holiday.year_id == year.id))
    transfers = await session.scalars(select(WorkdayTransfer).where(WorkdayTransfer.year_id == year.id))
    return SchoolCalendar(
        year=Span(year.starts, year.ends),
        days_per_week=school.days_per_week,
        holidays=frozenset(day for holiday in holidays for day in Span(holiday.starts, holiday.ends).days()),
        transfers=tuple(Transfer(t.day, t.works_as) for t in transfers),
    )


def status_of(year: AcademicYear) -> YearStatus:
    return YearStatus(year.status)
