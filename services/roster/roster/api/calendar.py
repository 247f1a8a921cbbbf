"""The academic calendar (R-11): school settings, years, holidays, transfers and reporting periods."""

from datetime import date
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Request
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints
from sqlalchemy import select

from chassis.deps import CallerDep, SchoolSession, SchoolToday
from chassis.events import emit_event
from chassis.problems import Conflict, Invalid
from contracts.roster import AcademicYearChanged, ReportingPeriodsSet
from contracts.roster import ReportingPeriod as PeriodEvent
from roster.calendars import PLANNERS, announce_settings, calendar_of, school_of, status_of, year_of
from roster.domain.calendar import (
    SchemeKind,
    Span,
    Transfer,
    YearStatus,
    advance_year,
    check_calendar_editable,
    check_grades_free,
    check_holiday,
    check_scheme,
    check_transfer,
    check_year_dates,
    kind_title,
    known_timezone,
    period_name,
    year_name,
)
from roster.models import AcademicYear, Holiday, PeriodScheme, ReportingPeriod, School, WorkdayTransfer
from roster.timetabling import sync_timetable

router = APIRouter(prefix="/schools/{school_id}", tags=["calendar"])


class SettingsIn(BaseModel):
    timezone: Annotated[str, AfterValidator(known_timezone)] | None = None
    days_per_week: int | None = Field(default=None, ge=5, le=6)


class SettingsOut(BaseModel):
    timezone: str
    days_per_week: int
    #: The school's today in its zone: Владивосток's day begins nine hours before Калининград's.
    today: date


def settings_out(school: School, today: date) -> SettingsOut:
    return SettingsOut(timezone=school.timezone, days_per_week=school.days_per_week, today=today)


@router.get("/settings")
async def get_settings(school_id: UUID, session: SchoolSession, today: SchoolToday) -> SettingsOut:
    return settings_out(await school_of(session, school_id), today)


@router.patch("/settings")
async def change_settings(
    school_id: UUID, body: SettingsIn, caller: CallerDep, session: SchoolSession, request: Request
) -> SettingsOut:
    """The school's time zone and week length: every "today" of the school follows its zone."""
    caller.require(school_id, "school_admin")
    school = await school_of(session, school_id)
    for name in body.model_fields_set:
        if getattr(body, name) is None:
            raise Invalid("Значение настройки не может быть пустым.")
        setattr(school, name, getattr(body, name))
    await announce_settings(session, school)
    return settings_out(school, request.app.state.clock.today(school.timezone))


class YearIn(BaseModel):
    starts: date
    ends: date


class YearOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: UUID
    name: str
    starts: date
    ends: date
    status: YearStatus
    version: int


class StatusIn(BaseModel):
    status: YearStatus


def year_changed(year: AcademicYear) -> AcademicYearChanged:
    return AcademicYearChanged(
        year_id=year.id, version=year.version, name=year.name, starts=year.starts, ends=year.ends, status=year.status
    )


@router.post("/years", status_code=201)
async def create_year(school_id: UUID, body: YearIn, caller: CallerDep, session: SchoolSession) -> YearOut:
    caller.require(school_id, "school_admin")
    check_year_dates(body.starts, body.ends)
    await school_of(session, school_id)
    overlapping = await session.scalar(
        select(AcademicYear.name).where(
            AcademicYear.school_id == school_id, AcademicYear.starts <= body.ends, AcademicYear.ends >= body.starts
        )
    )
    if overlapping:
        raise Conflict(f"Даты пересекаются с учебным годом {overlapping}.")
    year = AcademicYear(school_id=school_id, name=year_name(body.starts), starts=body.starts, ends=body.ends)
    year.status, year.version = YearStatus.PLANNING, 1
    session.add(year)
    await session.flush()
    await emit_event(session, year_changed(year), school_id=school_id)
    return YearOut.model_validate(year)


@router.get("/years")
async def list_years(school_id: UUID, session: SchoolSession) -> list[YearOut]:
    # Region-wide readers see every school's rows: the school asked for is named, not left to RLS.
    query = select(AcademicYear).where(AcademicYear.school_id == school_id).order_by(AcademicYear.starts)
    return [YearOut.model_validate(y) for y in await session.scalars(query)]


@router.post("/years/{year_id}/status")
async def change_year_status(
    school_id: UUID, year_id: UUID, body: StatusIn, caller: CallerDep, session: SchoolSession
) -> YearOut:
    """Planning → active → closing → archived; one step at a time, never back."""
    caller.require(school_id, "school_admin")
    year = await year_of(session, school_id, year_id, for_update=True)
    year.status = advance_year(status_of(year), body.status)
    year.version += 1
    await emit_event(session, year_changed(year), school_id=school_id)
    return YearOut.model_validate(year)


class HolidayIn(BaseModel):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=200)]
    starts: date
    ends: date


class HolidayOut(HolidayIn):
    model_config = ConfigDict(from_attributes=True)
    id: UUID


class TransferIn(BaseModel):
    day: date
    #: 0 = понедельник … 5 = суббота: whose timetable the day follows.
    works_as: int = Field(ge=0, le=5)


class PeriodOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: UUID
    number: int
    name: str
    starts: date
    ends: date


class SchemeIn(BaseModel):
    kind: SchemeKind
    grades: list[int] = Field(min_length=1)
    periods: list[YearIn] = Field(min_length=1)


class SchemeOut(BaseModel):
    id: UUID
    kind: SchemeKind
    title: str
    grades: list[int]
    version: int
    periods: list[PeriodOut]


class CalendarOut(BaseModel):
    year: YearOut
    holidays: list[HolidayOut]
    transfers: list[TransferIn]
    schemes: list[SchemeOut]


@router.post("/years/{year_id}/holidays", status_code=201)
async def add_holiday(
    school_id: UUID, year_id: UUID, body: HolidayIn, caller: CallerDep, session: SchoolSession, today: SchoolToday
) -> HolidayOut:
    """Каникулы или праздник; lessons already generated on those days from tomorrow on are cancelled."""
    caller.require(school_id, *PLANNERS)
    year = await year_of(session, school_id, year_id, for_update=True)
    check_calendar_editable(status_of(year))
    check_holiday(Span(year.starts, year.ends), Span(body.starts, body.ends))
    holiday = Holiday(school_id=school_id, year_id=year.id, name=body.name.strip(), starts=body.starts, ends=body.ends)
    session.add(holiday)
    await session.flush()
    await sync_timetable(session, year, today, apply=True)
    return HolidayOut.model_validate(holiday)


@router.post("/years/{year_id}/transfers", status_code=201)
async def add_transfer(
    school_id: UUID, year_id: UUID, body: TransferIn, caller: CallerDep, session: SchoolSession, today: SchoolToday
) -> TransferIn:
    """Перенос рабочего дня по решению региона: a Saturday or Sunday works as a named weekday."""
    caller.require(school_id, *PLANNERS)
    year = await year_of(session, school_id, year_id, for_update=True)
    check_calendar_editable(status_of(year))
    check_transfer(await calendar_of(session, year), Transfer(body.day, body.works_as))
    if await session.scalar(select(WorkdayTransfer.id).filter_by(year_id=year.id, day=body.day)):
        raise Conflict(f"Перенос на {body.day:%d.%m.%Y} уже есть.")
    session.add(WorkdayTransfer(school_id=school_id, year_id=year.id, day=body.day, works_as=body.works_as))
    await session.flush()
    await sync_timetable(session, year, today, apply=True)
    return body


async def schemes_of(session: SchoolSession, year_id: UUID) -> list[SchemeOut]:
    schemes = list(await session.scalars(select(PeriodScheme).where(PeriodScheme.year_id == year_id)))
    periods = await session.scalars(
        select(ReportingPeriod)
        .where(ReportingPeriod.scheme_id.in_([s.id for s in schemes]))
        .order_by(ReportingPeriod.number)
    )
    by_scheme: dict[UUID, list[PeriodOut]] = {}
    for period in periods:
        by_scheme.setdefault(period.scheme_id, []).append(PeriodOut.model_validate(period))
    return [
        SchemeOut(
            id=s.id,
            kind=s.kind,
            title=kind_title(SchemeKind(s.kind)),
            grades=sorted(s.grades),
            version=s.version,
            periods=by_scheme.get(s.id, []),
        )
        for s in sorted(schemes, key=lambda s: min(s.grades))
    ]


@router.post("/years/{year_id}/schemes", status_code=201)
async def set_scheme(
    school_id: UUID, year_id: UUID, body: SchemeIn, caller: CallerDep, session: SchoolSession
) -> SchemeOut:
    """Reporting periods of some grades (R-11): all periods at once, checked together, or nothing."""
    caller.require(school_id, "school_admin")
    year = await year_of(session, school_id, year_id, for_update=True)
    check_calendar_editable(status_of(year))
    if any(not 1 <= grade <= 11 for grade in body.grades):
        raise Invalid("Параллели — от 1 до 11.")
    spans = [Span(p.starts, p.ends) for p in body.periods]
    check_scheme(await calendar_of(session, year), body.kind, spans)
    taken = {grade: kind_title(SchemeKind(s.kind)) for s in await schemes_of(session, year.id) for grade in s.grades}
    check_grades_free(body.grades, taken)
    scheme = PeriodScheme(school_id=school_id, year_id=year.id, kind=body.kind, grades=sorted(set(body.grades)))
    scheme.version = 1
    session.add(scheme)
    await session.flush()
    periods = [
        ReportingPeriod(
            school_id=school_id,
            scheme_id=scheme.id,
            number=number,
            name=period_name(body.kind, number),
            starts=span.start,
            ends=span.end,
        )
        for number, span in enumerate(spans, start=1)
    ]
    session.add_all(periods)
    await session.flush()
    await emit_event(
        session,
        ReportingPeriodsSet(
            scheme_id=scheme.id,
            version=scheme.version,
            year_id=year.id,
            kind=body.kind,
            grades=scheme.grades,
            periods=[
                PeriodEvent(period_id=p.id, number=p.number, name=p.name, starts=p.starts, ends=p.ends) for p in periods
            ],
        ),
        school_id=school_id,
    )
    return SchemeOut(
        id=scheme.id,
        kind=body.kind,
        title=kind_title(body.kind),
        grades=scheme.grades,
        version=scheme.version,
        periods=[PeriodOut.model_validate(p) for p in periods],
    )


@router.get("/years/{year_id}/calendar")
async def get_calendar(school_id: UUID, year_id: UUID, session: SchoolSession) -> CalendarOut:
    year = await year_of(session, school_id, year_id)
    holidays = await session.scalars(select(Holiday).where(Holiday.year_id == year.id).order_by(Holiday.starts))
    transfers = await session.scalars(
        select(WorkdayTransfer).where(WorkdayTransfer.year_id == year.id).order_by(WorkdayTransfer.day)
    )
    return CalendarOut(
        year=YearOut.model_validate(year),
        holidays=[HolidayOut.model_validate(h) for h in holidays],
        transfers=[TransferIn(day=t.day, works_as=t.works_as) for t in transfers],
        schemes=await schemes_of(session, year.id),
    )
